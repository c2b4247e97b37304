"""Ratings per item and label: the counts behind the chance-corrected agreement coefficients."""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from .._caller import caller, public
from .._validation import as_column_list, check_columns, format_values
from ._engine import check_complete, collect, engine_frame


@public
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
    frame = engine_frame(data)
    check_columns(frame, [item, label, *as_column_list(rater)])
    rated = frame.filter(~nw.col(label).is_null())
    check_complete(rated, [item, *as_column_list(rater)])
    if rater is not None:
        _check_unique_pairs(rated, item, rater)
    table = collect(rated.group_by(item, label).agg(nw.len().alias("n")))
    table["n"] = table["n"].astype("int64")
    return table.sort_values([item, label], ignore_index=True)


def rating_rows(data: Any, *, item: str, rater: str, label: str) -> pd.DataFrame:
    """The ratings of long-format ``data`` as one ``item, rater, label`` row each.

    Rows without a label are not ratings and are left out; the item and rater of every
    rating must be present (checked on the data's engine). One rating per (item, rater)
    pair is for the caller to check, on the codes it makes of these rows
    (:func:`raise_repeated_pairs`). A pandas frame keeps its row order; other engines' rows
    are sorted by item and rater, so that their results do not depend on how the engine
    orders its output.
    """
    frame = engine_frame(data)
    check_columns(frame, [item, rater, label])
    rated = frame.filter(~nw.col(label).is_null())
    check_complete(rated, [item, rater])
    rows = rated.select(item, rater, label)
    return collect(rows if rows.implementation.is_pandas() else rows.sort(item, rater))


def _check_unique_pairs(frame: nw.LazyFrame, item: str, rater: str) -> None:
    """Raise if an (item, rater) pair is rated more than once, counting them on the engine."""
    repeats = (
        frame.group_by(item, rater).agg(nw.len().alias("_ratings")).filter(nw.col("_ratings") > 1)
    )
    count = int(collect(repeats.select(nw.len().alias("pairs")))["pairs"].iloc[0])
    if count:
        examples = collect(repeats.select(item).unique().sort(item).head(5))[item]
        raise_repeated_pairs(count, examples, item=item, rater=rater)


def raise_repeated_pairs(count: int, examples: Any, *, item: str, rater: str) -> None:
    """Raise for ``count`` (item, rater) pairs rated more than once, naming a few items."""
    raise ValueError(
        f"{caller()} found {count} (item, rater) pair(s) rated more than once, for example "
        f"items {format_values(examples)}. Keep one rating per {item!r} and {rater!r} and "
        "analyse repeats separately."
    )
