"""The engine boundary: a caller's frame as a narwhals LazyFrame, and the checks run on it.

The checks count problems on the engine (one small query) and read the rows again only
for a few examples when a check fails.
"""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from .._caller import caller, public
from .._validation import format_values, raise_other_values
from .._validation import raise_missing as _raise_missing

#: pandas period aliases that the engines can floor datetimes to (narwhals ``dt.truncate``).
FREQUENCIES = {"D": "1d", "M": "1mo", "Q": "1q", "Y": "1y"}


@public
def is_engine_frame(data: Any) -> bool:
    """Whether ``data`` is a frame of another engine (polars, DuckDB, PySpark, ...).

    pandas DataFrames answer False: they go through the same narwhals sums, but the
    statistics that need the rows (and the messages naming row labels) read them too.

    Examples
    --------
    >>> is_engine_frame(pd.DataFrame({"a": [1]})), is_engine_frame([1, 2])
    (False, False)
    """
    if isinstance(data, pd.DataFrame):
        return False
    try:
        nw.from_native(data)
    except TypeError:
        return False
    return True


def engine_frame(data: Any, *, name: str = "data") -> nw.LazyFrame:
    """Wrap a pandas, polars, DuckDB or PySpark frame as a narwhals LazyFrame."""
    func = caller()
    try:
        frame = nw.from_native(data)
    except TypeError:
        raise TypeError(
            f"The {name!r} parameter of {func} must be a pandas, polars, DuckDB or PySpark "
            f"frame. Got {type(data).__name__} instead."
        ) from None
    return frame.lazy() if isinstance(frame, nw.DataFrame) else frame


def collect(frame: nw.LazyFrame) -> pd.DataFrame:
    """Run the query and return the (small) result as a pandas DataFrame, through Arrow.

    A pandas query's result is already one, with the caller's dtypes.
    """
    if frame.implementation.is_pandas():
        return frame.collect().to_native()
    return _signed_dictionaries(frame.collect(backend="pyarrow").to_native()).to_pandas()


def _signed_dictionaries(table):
    """``table`` with unsigned dictionary indices (polars' categoricals) made signed.

    pyarrow before 15 cannot turn unsigned dictionary indices into pandas categoricals.
    """
    import pyarrow as pa

    for i, field in enumerate(table.schema):
        kind = field.type
        if pa.types.is_dictionary(kind) and pa.types.is_unsigned_integer(kind.index_type):
            signed = pa.dictionary(pa.int64(), kind.value_type, kind.ordered)
            table = table.set_column(i, field.name, table.column(i).cast(signed))
    return table


def check_complete(frame: nw.LazyFrame, columns: list[str]) -> None:
    """Raise if any of ``columns`` has missing values, counting them on the engine."""
    columns = list(dict.fromkeys(columns))
    if not columns:
        return
    missing = collect(
        frame.select(*(nw.col(c).is_null().cast(nw.Int64).sum().alias(c) for c in columns))
    )
    for column in columns:
        count = int(missing[column].iloc[0])
        if count:
            raise_missing(frame, column, count)


def raise_missing(frame: nw.LazyFrame, column: str, count: int) -> None:
    """Raise for ``count`` missing values in ``column``; a pandas frame names their index."""
    index = None
    if frame.implementation.is_pandas():
        rows = frame.to_native()
        index = rows.index[rows[column].isna()]
    _raise_missing(column, count, index=index)


def raise_missing_weights(frame: nw.LazyFrame, weight: str, count: int, rows: int) -> None:
    """Raise for ``count`` missing weights of ``rows``: all of them mean no weights at all."""
    if count == rows:
        raise ValueError(
            f"The weight column {weight!r} of {caller()} is empty (all missing). For a "
            "self-weighting sample pass weight=None."
        )
    raise_missing(frame, weight, count)


def on_engine(frame: nw.LazyFrame, pandas: str, engine: str) -> str:
    """The advice ``pandas`` for a pandas frame, else ``engine``."""
    return pandas if frame.implementation.is_pandas() else engine


def outcome_values(frame: nw.LazyFrame, outcome: str) -> nw.Expr:
    """The outcome as a 0.0/1.0 expression, after checking it holds True/False or 1/0."""
    func = caller()
    dtype = frame.collect_schema()[outcome]
    column = nw.col(outcome)
    if dtype == nw.Boolean:
        return column.cast(nw.Float64)
    # 0/1 numbers, or Python booleans in a pandas object column (True == 1 in is_in)
    bad = ~column.is_null()
    if dtype.is_numeric() or dtype == nw.Object:
        bad = bad & ~column.is_in([0, 1])
    example = on_engine(
        frame, f"audits[{outcome!r}] == 'error'.", f"(col({outcome!r}) == 'error') on your engine."
    )
    raise_on_bad_values(
        frame,
        outcome,
        bad,
        f"The outcome column {outcome!r} of {func} must hold True/False (or 1/0) values.",
        f"Convert it first, for example {example}",
    )
    return column.cast(nw.Float64)


def weight_values(frame: nw.LazyFrame, weight: str) -> nw.Expr:
    """The weights as a float expression, after checking their type (values: see the sums)."""
    func = caller()
    dtype = frame.collect_schema()[weight]
    if not dtype.is_numeric():
        # missing values first: they are what turns a pandas column of numbers into objects
        missing = collect(frame.select(nw.len().alias("n"), nw.col(weight).null_count()))
        count, rows = int(missing[weight].iloc[0]), int(missing["n"].iloc[0])
        if count:
            raise_missing_weights(frame, weight, count, rows)
        advice = on_engine(frame, "convert it with pd.to_numeric", "cast it on your engine")
        raise ValueError(
            f"The weight column {weight!r} of {func} must be numeric. Got dtype {dtype} "
            f"instead; {advice} first."
        )
    return nw.col(weight).cast(nw.Float64)


def truncated(frame: nw.LazyFrame, column: str, freq: str) -> nw.Expr:
    """``column`` floored to the start of its period (a pandas alias in :data:`FREQUENCIES`)."""
    func = caller()
    if freq not in FREQUENCIES:
        raise ValueError(
            f"The 'freq' parameter of {func} must be one of "
            f"{format_values(list(FREQUENCIES))} for a polars, DuckDB or Spark frame. Got "
            f"{freq!r} instead. Add the period column on your engine (for example DuckDB's "
            "date_trunc('week', decision_time)), or pass a pandas DataFrame."
        )
    if frame.collect_schema()[column] not in (nw.Datetime, nw.Date):
        raise ValueError(
            f"{func} floors {column!r} to periods with 'freq', which needs a date or datetime "
            f"column. Got dtype {frame.collect_schema()[column]} instead."
        )
    return nw.col(column).dt.truncate(FREQUENCIES[freq])


def raise_on_bad_values(
    frame: nw.LazyFrame, column: str, bad: nw.Expr, what: str, then: str
) -> None:
    """Count the rows where ``bad`` holds; if any, raise with the first few distinct values.

    The examples are the smallest values, or a pandas frame's first ones in row order.
    """
    count = int(collect(frame.select(bad.cast(nw.Int64).sum().alias("bad")))["bad"].iloc[0])
    if count:
        rows = frame.filter(bad).select(column)
        if frame.implementation.is_pandas():
            examples = pd.unique(collect(rows)[column])
        else:
            examples = collect(rows.unique().sort(column).head(5))[column]
        raise_other_values(what, count, examples, then)
