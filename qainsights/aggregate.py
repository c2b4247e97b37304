"""The engine boundary: the group-by to sufficient statistics, run on the caller's engine.

Every analysis in qainsights needs the audit rows only through small aggregates: errors and
audits per segment (with sums of weights and of their squares per sampling stratum for the
design-based rates), label counts per rated item for agreement, and counts, sums and sums of
squares per subgroup for charts and capability. The functions here compute those aggregates
with `narwhals <https://narwhals-dev.github.io/narwhals/>`_, so the group-by runs where the
rows live (pandas, polars eager or lazy, a DuckDB relation, a PySpark DataFrame) and only
the aggregate, a pandas DataFrame, comes back. The checks that need the rows (missing
values, outcome values, weights) run on the engine too and report counts and examples.

:func:`scan_audits` opens a folder of Parquet or CSV audit files as a DuckDB relation
without reading it into memory; the aggregates then stream through DuckDB.

On a Spark cluster, pass the Spark DataFrame itself (a classic ``SparkSession`` or Spark
Connect's ``SparkSession.builder.remote(...)``); the group-by runs on the cluster and only
the aggregates come back::

    spark = SparkSession.builder.remote("sc://spark.example.com:15002").getOrCreate()
    audits = spark.read.parquet("s3://quality/audits/2025/")
    error_rate(audits, by=["site", "queue"], weight="weight", strata="stratum")

Statistics that need the rows themselves (capability's normality checks and non-normal
fits, Cohen's and Conger's kappa, which need each rater's labels) take pandas frames.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from ._validation import as_column_list, check_columns, format_values

__all__ = [
    "error_counts",
    "is_engine_frame",
    "label_counts",
    "scan_audits",
    "subgroup_moments",
]

#: pandas period aliases that the engines can floor datetimes to (narwhals ``dt.truncate``).
FREQUENCIES = {"D": "1d", "M": "1mo", "Q": "1q", "Y": "1y"}
_ERROR_SUMS = ("n", "errors", "sum_w", "sum_w2", "sum_wy", "sum_w2y")


def is_engine_frame(data: Any) -> bool:
    """Whether ``data`` is a frame of another engine (polars, DuckDB, PySpark, ...).

    pandas DataFrames answer False: the statistics read them directly.

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


def engine_frame(data: Any, *, func: str, name: str = "data") -> nw.LazyFrame:
    """Wrap a pandas, polars, DuckDB or PySpark frame as a narwhals LazyFrame."""
    try:
        frame = nw.from_native(data)
    except TypeError:
        raise TypeError(
            f"The {name!r} parameter of {func} must be a pandas, polars, DuckDB or PySpark "
            f"frame. Got {type(data).__name__} instead."
        ) from None
    return frame.lazy() if isinstance(frame, nw.DataFrame) else frame


def collect(frame: nw.LazyFrame) -> pd.DataFrame:
    """Run the query and return the (small) result as a pandas DataFrame, through Arrow."""
    return frame.collect(backend="pyarrow").to_native().to_pandas()


def error_counts(
    data: Any,
    *,
    by: str | list[str] | None = None,
    outcome: str = "is_error",
    weight: str | None = None,
    strata: str | None = None,
    period: str | None = None,
    freq: str | None = None,
) -> pd.DataFrame:
    """Errors and audits per segment (and period, and stratum), grouped on the data's engine.

    Parameters
    ----------
    data : pandas, polars (eager or lazy), DuckDB or PySpark frame
        One row per audited decision.
    by : str or list of str, optional
        Segment columns.
    outcome : str, default "is_error"
        A True/False (or 1/0) column; ``errors`` counts the True values.
    weight : str, optional
        Sampling weights (finite, > 0). Without it every weight is 1.
    strata : str, optional
        Sampling stratum column: the sums are kept per stratum, as the design-based
        variance of :func:`qainsights.error_rate` needs them.
    period : str, optional
        A period column (week, month, ...), grouped like the segment columns.
    freq : {"D", "M", "Q", "Y"}, optional
        Floor a datetime ``period`` to the start of its day, month, quarter or year first.

    Returns
    -------
    pandas.DataFrame
        One row per combination present, sorted by the ``by``, ``period`` and ``strata``
        columns, with those columns and then ``n`` (audits), ``errors``, ``sum_w`` (Σ w),
        ``sum_w2`` (Σ w²), ``sum_wy`` (Σ w·y) and ``sum_w2y`` (Σ w²·y) as floats.

    Raises
    ------
    ValueError
        For missing columns, missing values in any column used (no row is dropped
        silently), outcome values other than True/False or 1/0, weights that are not
        finite and positive, or no rows at all.

    Examples
    --------
    >>> audits = pd.DataFrame({"site": ["a", "a", "b"], "is_error": [True, False, True]})
    >>> error_counts(audits, by="site")[["site", "n", "errors"]]
      site    n  errors
    0    a  2.0     1.0
    1    b  1.0     1.0

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley, chapter 5: the
       stratum sums behind the variance of a stratified ratio estimate.
    """
    keys = [*as_column_list(by), *as_column_list(period), *as_column_list(strata)]
    return error_sums(
        data, keys=keys, outcome=outcome, weight=weight, floor={period: freq}, func="error_counts"
    )


def error_sums(
    data: Any,
    *,
    keys: list[str],
    outcome: str,
    weight: str | None,
    floor: dict[str | None, str | None],
    func: str,
) -> pd.DataFrame:
    """:func:`error_counts` for a caller named ``func`` (whose name the errors then carry).

    The checks of missing values and weights ride along in the same pass over the rows as
    the sums (one scan of the files on DuckDB); only a failed check reads the rows again,
    for examples.
    """
    tables = error_sum_sets(
        data, key_sets={"sums": keys}, outcome=outcome, weight=weight, floor=floor, func=func
    )
    return tables["sums"]


def error_sum_sets(
    data: Any,
    *,
    key_sets: dict[str, list[str]],
    outcome: str,
    weight: str | None,
    floor: dict[str | None, str | None] | None = None,
    complete: list[str] | tuple[str, ...] = (),
    func: str,
) -> dict[str, pd.DataFrame]:
    """The sums of :func:`error_counts` for several sets of keys, in one pass over the rows.

    On DuckDB the sets are one ``GROUP BY GROUPING SETS`` query, so the files behind a
    relation (:func:`scan_audits`) are read once; other engines run one group-by per set.
    The checks of missing values and weights, and the count of missing values in the
    ``complete`` columns, ride along in the same pass.

    Parameters
    ----------
    data : pandas, polars (eager or lazy), DuckDB or PySpark frame
        One row per audited decision.
    key_sets : dict of str to list of str
        A name for each table and its key columns.
    outcome, weight : str
        As for :func:`error_counts`.
    floor : dict, optional
        Datetime columns to floor first, with their period (see ``freq`` of
        :func:`error_counts`).
    complete : list of str, optional
        Further columns that must hold no missing values (an identifier the sums do not
        group by).
    func : str
        The public function whose name the errors carry.

    Returns
    -------
    dict of str to pandas.DataFrame
        One table per name of ``key_sets``, as :func:`error_counts` returns it.

    Examples
    --------
    >>> audits = pd.DataFrame({"site": ["a", "a", "b"], "queue": ["x", "y", "x"],
    ...                        "is_error": [True, False, True]})
    >>> tables = error_sum_sets(audits, key_sets={"site": ["site"], "queue": ["queue"]},
    ...                         outcome="is_error", weight=None, func="example")
    >>> tables["queue"][["queue", "n", "errors"]]
      queue    n  errors
    0     x  2.0     2.0
    1     y  1.0     0.0

    References
    ----------
    .. [1] Gray, J. et al. (1997). Data cube: a relational aggregation operator generalizing
       group-by, cross-tab, and sub-totals. Data Mining and Knowledge Discovery 1, 29-53.
    """
    frame = engine_frame(data, func=func)
    weights = as_column_list(weight)
    every_key = list(dict.fromkeys(k for keys in key_sets.values() for k in keys))
    check_columns(frame, [*every_key, outcome, *weights, *complete], func=func)
    y = outcome_values(frame, outcome, func=func)
    w = nw.lit(1.0) if weight is None else weight_values(frame, weight, func=func)
    checked = dict.fromkeys((outcome, *weights, *complete))
    problems = {f"_missing_{c}": nw.col(c).is_null() for c in checked}
    if weight is not None:
        problems["_bad_weight"] = ~nw.col(weight).is_null() & ~(w.is_finite() & (w > 0))
    floored = [
        truncated(frame, column, freq, func=func) for column, freq in (floor or {}).items() if freq
    ]
    flags = {name: expr.cast(nw.Int64) for name, expr in problems.items()}
    rows = frame.with_columns(*floored, _y=y, _w=w, **flags).with_columns(
        _w2=nw.col("_w") * nw.col("_w"), _wy=nw.col("_w") * nw.col("_y")
    )
    rows = rows.with_columns(_w2y=nw.col("_w2") * nw.col("_y"))
    if rows.implementation is nw.Implementation.DUCKDB and len(key_sets) > 1:
        tables = _grouping_sets(rows.to_native(), key_sets, list(problems))
    else:
        # plain sums of prepared columns: every engine, pandas included, runs them natively
        sums = [
            nw.len().alias("n"),
            nw.col("_y").sum().alias("errors"),
            *(nw.col(f"_{name[4:]}").sum().alias(name) for name in _ERROR_SUMS[2:]),
            *(nw.col(name).sum().alias(name) for name in problems),
        ]
        tables = {
            name: collect(rows.group_by(*keys).agg(*sums) if keys else rows.select(*sums))
            for name, keys in key_sets.items()
        }
    for name, keys in key_sets.items():
        table = tables[name]
        _check_sums(frame, table, keys=keys, outcome=outcome, weight=weight, func=func)
        missing = {c: table[f"_missing_{c}"].sum() for c in complete}
        for column, count in missing.items():
            if count:
                _raise_missing(column, int(count), func)
        table = table.drop(columns=list(problems))
        table[list(_ERROR_SUMS)] = table[list(_ERROR_SUMS)].astype(float)
        tables[name] = table.sort_values(keys, ignore_index=True) if keys else table
    return tables


def _grouping_sets(relation: Any, key_sets: dict[str, list[str]], flags: list[str]) -> dict:
    """The sums of prepared DuckDB rows per set of keys, from one GROUPING SETS query."""
    import pyarrow as pa

    every_key = list(dict.fromkeys(k for keys in key_sets.values() for k in keys))
    quoted = [f'"{_quoted_name(k)}"' for k in every_key]
    sums = [
        "count(*) AS n",
        'sum("_y") AS errors',
        *(f'sum("_{name[4:]}") AS {name}' for name in _ERROR_SUMS[2:]),
        *(f'sum("{flag}") AS "{flag}"' for flag in flags),
    ]
    sets = ", ".join(
        "(" + ", ".join(f'"{_quoted_name(k)}"' for k in keys) + ")" for keys in key_sets.values()
    )
    query = (
        f"SELECT {', '.join(quoted)}, GROUPING({', '.join(quoted)}) AS _set, {', '.join(sums)} "
        f"FROM _rows GROUP BY GROUPING SETS ({sets})"
    )
    table = relation.query("_rows", query).to_arrow_table()
    grouping = table.column("_set").to_numpy()
    tables = {}
    for name, keys in key_sets.items():
        # GROUPING() sets the bit of every key left out, the first key the highest bit
        mask = sum(1 << (len(every_key) - 1 - i) for i, k in enumerate(every_key) if k not in keys)
        values = [c for c in table.column_names if c not in every_key and c != "_set"]
        part = table.filter(pa.array(grouping == mask)).select([*keys, *values])
        tables[name] = part.to_pandas()
    return tables


def _quoted_name(name: str) -> str:
    return name.replace('"', '""')


def _check_sums(frame, table, *, keys, outcome, weight, func) -> None:
    """Raise for missing keys, outcomes or weights and for bad weights, counted in ``table``."""
    if table.empty or table["n"].sum() == 0:
        raise ValueError(f"{func} got no audits: the frame has 0 rows. Check the filter upstream.")
    missing = {key: table.loc[table[key].isna(), "n"].sum() for key in keys}
    missing |= {c: table[f"_missing_{c}"].sum() for c in (outcome, *as_column_list(weight))}
    for column, count in missing.items():
        if count:
            _raise_missing(column, int(count), func)
    if weight is not None and table["_bad_weight"].sum():
        w = nw.col(weight).cast(nw.Float64)
        _raise_on_bad_values(
            frame,
            weight,
            ~(w.is_finite() & (w > 0)),
            f"The weight column {weight!r} of {func} must hold finite weights > 0.",
            "Fix or drop them.",
        )


def label_counts(data: Any, *, item: str, label: str, rater: str | None = None) -> pd.DataFrame:
    """Ratings per item and label, grouped on the data's engine.

    Parameters
    ----------
    data : pandas, polars (eager or lazy), DuckDB or PySpark frame
        Long-format ratings, one row per (item, rater) rating.
    item, label : str
        Item and label columns. Rows without a label are not ratings and are left out.
    rater : str, optional
        Rater column: when given, each (item, rater) pair must occur once.

    Returns
    -------
    pandas.DataFrame
        Columns ``item``, ``label`` (named as in ``data``) and ``n`` (ratings), one row per
        pair present, sorted by item and label: the per-item label counts from which the
        chance-corrected agreement coefficients follow.

    Examples
    --------
    >>> ratings = pd.DataFrame({"item": [1, 1, 2, 2], "label": ["x", "y", "x", "x"]})
    >>> label_counts(ratings, item="item", label="label")
       item label  n
    0     1     x  1
    1     1     y  1
    2     2     x  2

    References
    ----------
    .. [1] Gwet, K. L. (2014). Handbook of Inter-Rater Reliability, 4th ed.: every
       coefficient of the Fleiss/Krippendorff family is a function of these counts.
    """
    table, _ = rating_counts(data, item=item, label=label, rater=rater, func="label_counts")
    return table


def rating_counts(
    data: Any, *, item: str, label: str, rater: str | None, func: str
) -> tuple[pd.DataFrame, int]:
    """:func:`label_counts` plus the number of distinct raters (0 without ``rater``)."""
    frame = engine_frame(data, func=func)
    check_columns(frame, [item, label, *as_column_list(rater)], func=func)
    rated = frame.filter(~nw.col(label).is_null())
    check_complete(rated, [item, *as_column_list(rater)], func=func)
    n_raters = 0
    if rater is not None:
        _check_unique_pairs(rated, item, rater, func=func)
        n_raters = int(collect(rated.select(nw.col(rater).n_unique())).iloc[0, 0])
    table = collect(rated.group_by(item, label).agg(nw.len().alias("n")))
    table["n"] = table["n"].astype("int64")
    return table.sort_values([item, label], ignore_index=True), n_raters


def subgroup_moments(
    data: Any, *, value: str, subgroup: str, by: str | list[str] | None = None
) -> pd.DataFrame:
    """Count, sum and sum of squares of a measurement per subgroup, grouped on the engine.

    These are the sufficient statistics of X-bar and S charts and of the within-subgroup
    sigma of capability indices: the subgroup mean is ``sum / n`` and its variance
    ``(sum_sq − sum² / n) / (n − 1)``.

    Parameters
    ----------
    data : pandas, polars (eager or lazy), DuckDB or PySpark frame
        One row per measurement (a handle time, a score).
    value : str
        The numeric measurement column.
    subgroup : str
        The subgroup key (a week, a sample number).
    by : str or list of str, optional
        Segment columns.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``subgroup``, then ``n``, ``sum`` and ``sum_sq`` (floats), one
        row per segment and subgroup, sorted by them.

    Examples
    --------
    >>> times = pd.DataFrame({"week": [1, 1, 2], "seconds": [10.0, 20.0, 30.0]})
    >>> subgroup_moments(times, value="seconds", subgroup="week")
       week    n   sum  sum_sq
    0     1  2.0  30.0   500.0
    1     2  1.0  30.0   900.0

    References
    ----------
    .. [1] Montgomery, D. C. (2019). Introduction to Statistical Quality Control, 8th ed.
       Wiley, chapter 6 (X-bar and S charts from subgroup sums).
    """
    func = "subgroup_moments"
    keys = [*as_column_list(by), subgroup]
    frame = engine_frame(data, func=func)
    check_columns(frame, [*keys, value], func=func)
    check_complete(frame, [*keys, value], func=func)
    if not frame.collect_schema()[value].is_numeric():
        raise ValueError(
            f"The {value!r} column of {func} must be numeric. Got dtype "
            f"{frame.collect_schema()[value]} instead; cast it on your engine first."
        )
    x = nw.col(value).cast(nw.Float64)
    frame = frame.with_columns(_x=x, _x2=x * x)
    table = collect(
        frame.group_by(*keys).agg(
            nw.len().alias("n"),
            nw.col("_x").sum().alias("sum"),
            nw.col("_x2").sum().alias("sum_sq"),
        )
    )
    if table.empty:
        raise ValueError(f"{func} got no rows: 'data' has 0 rows. Check the filter upstream.")
    table[["n", "sum", "sum_sq"]] = table[["n", "sum", "sum_sq"]].astype(float)
    return table.sort_values(keys, ignore_index=True)


# --- checks that run on the engine ------------------------------------------------------------


def check_complete(frame: nw.LazyFrame, columns: list[str], *, func: str) -> None:
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
            _raise_missing(column, count, func)


def _raise_missing(column: str, count: int, func: str) -> None:
    raise ValueError(
        f"{func} found {count} rows with a missing value in column {column!r}. Drop or fill "
        f"them first (on your engine, for example frame.filter(col({column!r}).is_not_null()))."
    )


def outcome_values(frame: nw.LazyFrame, outcome: str, *, func: str) -> nw.Expr:
    """The outcome as a 0.0/1.0 expression, after checking it holds True/False or 1/0."""
    dtype = frame.collect_schema()[outcome]
    column = nw.col(outcome)
    if dtype == nw.Boolean:
        return column.cast(nw.Float64)
    bad = ~column.is_in([0, 1]) if dtype.is_numeric() else ~column.is_null()
    _raise_on_bad_values(
        frame,
        outcome,
        bad,
        f"The outcome column {outcome!r} of {func} must hold True/False (or 1/0) values.",
        f"Convert it first, for example (col({outcome!r}) == 'error') on your engine.",
    )
    return column.cast(nw.Float64)


def weight_values(frame: nw.LazyFrame, weight: str, *, func: str) -> nw.Expr:
    """The weights as a float expression, after checking their type (values: see the sums)."""
    dtype = frame.collect_schema()[weight]
    if not dtype.is_numeric():
        raise ValueError(
            f"The weight column {weight!r} of {func} must be numeric. Got dtype {dtype} "
            "instead; cast it on your engine first."
        )
    return nw.col(weight).cast(nw.Float64)


def truncated(frame: nw.LazyFrame, column: str, freq: str, *, func: str) -> nw.Expr:
    """``column`` floored to the start of its period (a pandas alias in :data:`FREQUENCIES`)."""
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


def _raise_on_bad_values(
    frame: nw.LazyFrame, column: str, bad: nw.Expr, what: str, then: str
) -> None:
    """Count the rows where ``bad`` holds; if any, raise with the first few distinct values."""
    count = int(collect(frame.select(bad.cast(nw.Int64).sum().alias("bad")))["bad"].iloc[0])
    if count:
        examples = collect(frame.filter(bad).select(column).unique().sort(column).head(5))
        raise ValueError(
            f"{what} Found {count} other values: {format_values(examples[column])}. {then}"
        )


def _check_unique_pairs(frame: nw.LazyFrame, item: str, rater: str, *, func: str) -> None:
    """Raise if an (item, rater) pair is rated more than once."""
    repeats = (
        frame.group_by(item, rater).agg(nw.len().alias("_ratings")).filter(nw.col("_ratings") > 1)
    )
    summary = collect(repeats.select(nw.len().alias("pairs")))
    count = int(summary["pairs"].iloc[0])
    if count:
        examples = collect(repeats.select(item).unique().sort(item).head(5))[item]
        raise ValueError(
            f"{func} found {count} (item, rater) pair(s) rated more than once, for example "
            f"items {format_values(examples)}. Keep one rating per {item!r} and {rater!r} and "
            "analyse repeats separately."
        )


# --- audit files too big for pandas ----------------------------------------------------------

#: Columns every audit file read by :func:`scan_audits` must have.
SCAN_REQUIRED = ("audit_id", "decision_time", "site", "queue", "policy", "market", "is_error")


def scan_audits(path: str | os.PathLike, *, connection: Any = None, validate: bool = True) -> Any:
    """Open a Parquet or CSV audit file, or a folder of them, as a lazy DuckDB relation.

    Nothing is read into memory: DuckDB streams the files when an aggregate asks for them,
    so every qainsights function that accepts a DuckDB relation (``error_rate``,
    ``control_charts``, ``explain_change``, ...) runs on files larger than memory. The
    checks that need whole columns run in SQL before the relation is returned.

    Parameters
    ----------
    path : str or path-like
        A ``.parquet`` or ``.csv`` file, or a folder holding such files (searched
        recursively; Parquet is preferred when both are present). The files hold canonical
        audit tables (as :func:`qainsights.load_audits` writes them): at least the columns
        in :data:`SCAN_REQUIRED`.
    connection : duckdb.DuckDBPyConnection, optional
        The connection to read with (its memory limit and threads apply). Default: a new
        in-memory connection.
    validate : bool, default True
        Count missing required values and check the type of ``is_error`` in one pass over
        the files before returning. False leaves that pass out, for a caller whose next
        query counts them anyway (:func:`qainsights.mart.publish` counts them in its one
        pass); the required columns are checked in both cases.

    Returns
    -------
    duckdb.DuckDBPyRelation
        The audit rows, with a ``week`` column (Monday 00:00 of the decision's ISO week)
        added when the files have none.

    Raises
    ------
    FileNotFoundError
        When ``path`` holds no Parquet or CSV file.
    ValueError
        When a required column is absent, or when required values are missing or
        ``is_error`` is not True/False: the message counts the rows per column.

    Examples
    --------
    >>> import tempfile, duckdb
    >>> folder = tempfile.mkdtemp()
    >>> _ = duckdb.sql(
    ...     "COPY (SELECT 'A' || i AS audit_id, TIMESTAMP '2025-01-01' + i * INTERVAL 1 DAY "
    ...     "AS decision_time, 'Dublin' AS site, 'q1' AS queue, 'spam' AS policy, "
    ...     "'en-US' AS market, i % 4 = 0 AS is_error FROM range(20) t(i)) "
    ...     f"TO '{folder}/part-0.parquet' (FORMAT parquet)"
    ... )
    >>> audits = scan_audits(folder)
    >>> error_counts(audits, by="site")[["site", "n", "errors"]]
         site     n  errors
    0  Dublin  20.0     5.0

    References
    ----------
    .. [1] DuckDB documentation, "Reading multiple files":
       https://duckdb.org/docs/data/multiple_files/overview
    """
    import duckdb

    con = connection if connection is not None else duckdb.connect()
    relation = con.sql(f"SELECT * FROM {_file_reader(Path(path))}")
    absent = [c for c in SCAN_REQUIRED if c not in relation.columns]
    if absent:
        raise ValueError(
            f"scan_audits needs column(s) {format_values(absent, limit=len(absent))} in "
            f"{str(path)!r}, which has columns {format_values(relation.columns, limit=30)}. "
            "Write the files from qainsights.load_audits, or rename the columns."
        )
    if validate:
        _check_scanned(relation)
    if "week" not in relation.columns:
        relation = relation.select("*, date_trunc('week', decision_time) AS week")
    return relation


def _file_reader(path: Path) -> str:
    """The DuckDB table function that reads ``path``."""
    if path.is_dir():
        for suffix, reader in ((".parquet", "read_parquet"), (".csv", "read_csv")):
            if any(path.rglob(f"*{suffix}")):
                pattern = (path / "**" / f"*{suffix}").as_posix()
                return f"{reader}('{_quoted(pattern)}', union_by_name = true)"
    elif path.suffix in (".parquet", ".csv") and path.is_file():
        reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
        return f"{reader}('{_quoted(path.as_posix())}')"
    raise FileNotFoundError(
        f"scan_audits found no .parquet or .csv file at {str(path)!r}. Check the path."
    )


def _quoted(text: str) -> str:
    return text.replace("'", "''")


def _check_scanned(relation: Any) -> None:
    """Count missing required values and non-boolean ``is_error`` in one SQL pass."""
    counts = ", ".join(f'count(*) FILTER (WHERE "{c}" IS NULL) AS "{c}"' for c in SCAN_REQUIRED)
    missing = relation.aggregate(counts).fetchall()[0]
    problems = [f"{n} missing {c!r}" for c, n in zip(SCAN_REQUIRED, missing, strict=True) if n]
    dtype = str(dict(zip(relation.columns, relation.dtypes, strict=True))["is_error"])
    if dtype != "BOOLEAN":
        problems.append(f"'is_error' of type {dtype} instead of BOOLEAN")
    if problems:
        raise ValueError(
            f"scan_audits found problems in the audit files: {'; '.join(problems)}. Fix the "
            "files (load_audits validates and writes canonical tables), or filter the "
            "relation and pass it on."
        )
