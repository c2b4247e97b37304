"""Count, sum and sum of squares of a measurement per subgroup: the sums behind X-bar charts."""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from .._caller import caller, public
from .._validation import as_column_list, check_columns
from ._engine import check_complete, collect, engine_frame


@public
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
    func = caller()
    keys = [*as_column_list(by), subgroup]
    frame = engine_frame(data)
    check_columns(frame, [*keys, value])
    check_complete(frame, [*keys, value])
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
