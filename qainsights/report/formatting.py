"""Presentation of result tables in the report: percentages, counts and p-values as text."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .._caller import public
from .._compat import STR

__all__ = ["LABELS", "PERCENT_COLUMNS", "POINT_COLUMNS", "column_kinds", "readable"]

#: Columns holding proportions, shown as percentages.
PERCENT_COLUMNS = frozenset(
    {
        "accuracy", "rate", "target", "share", "cum_share", "coverage",
        "crude_rate", "crude_ci_low", "crude_ci_high", "standardized_rate",
        "shrunken_rate", "shrunken_ci_low", "shrunken_ci_high", "shrunk_accuracy", "others_accuracy",
        "rate_baseline", "rate_current", "explained", "cumulative_share", "mix_share",
        "share_before", "share_after",
    }
)  # fmt: skip
#: Columns holding differences of proportions, shown in percentage points ("+2.8 pts"): a
#: gap of 2.8 points is not a rate 2.8 % higher.
POINT_COLUMNS = frozenset(
    {"difference", "mix_effect", "rate_effect", "contribution", "change", "gap", "gap_trend"}
)
#: A table's own interval bounds and standard error, shown as percentages when the table's
#: estimate is a proportion; a bound named after its estimate (``accuracy_ci_low``) follows it.
_BOUNDS = frozenset({"ci_low", "ci_high", "se"})
_BOUND_SUFFIXES = ("_ci_low", "_ci_high", "_se")
_PROPORTION_ESTIMATES = frozenset(
    {"rate", "accuracy", "share", "standardized_rate", "crude_rate"}
)  # fmt: skip
#: Estimates that are differences of proportions: a table of one (and no proportion) shows
#: its interval bounds and standard error in points too.
_DIFFERENCE_ESTIMATES = frozenset({"change", "difference", "gap"})
#: Shares of a change, which exceed 100 % when the other parts of the change offset them.
_SHARES_OF_CHANGE = frozenset({"mix_share", "explained"})
_COUNTS = frozenset(
    {"n", "errors", "n_baseline", "n_current", "errors_baseline", "errors_current", "audits",
     "decisions", "decisions_in_error"}
)  # fmt: skip
#: Headers that say what a count counts: audits, or the decisions the weighted audits represent.
LABELS = {
    "n": "audits",
    "errors": "audited errors",
    "decisions": "decisions (weighted)",
    "decisions_in_error": "decisions in error (weighted)",
    "standardized_rate": "standardised rate",  # the spelling of the report's prose
    "pa": "observed agreement",
    "pe": "chance agreement",
}
_P_VALUES = frozenset({"p_value", "q_value"})


def _percent(v: float, decimals: int) -> str:
    if pd.isna(v):
        return ""
    text = f"{v:.{decimals}%}"
    return text[1:] if text.startswith("-") and not float(text[1:-1]) else text  # no "-0.0%"


def _points(v: float, decimals: int) -> str:
    if pd.isna(v):
        return ""
    text = f"{100 * v:+.{decimals}f}"
    return f"{text if float(text) else text[1:]} pts"  # no sign on a change that rounds to 0


def _p_value(v: float) -> str:
    return "" if pd.isna(v) else ("< 0.001" if v < 0.001 else f"{v:.3f}")


def _number(v: float) -> str:
    if pd.isna(v):
        return ""
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:.3f}"


def _is_proportion(column: pd.Series) -> bool:
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64")
    values = values[np.isfinite(values)]
    # a share summed from parts may exceed 1 by rounding (1.0000000000000002)
    within = (np.abs(values) <= 1 + 1e-9).all()
    return bool(pd.api.types.is_numeric_dtype(column.dtype)) and bool(within)


def _is_whole(column: pd.Series) -> bool:
    """Floats that all hold whole numbers (counts that passed through a missing value)."""
    if not pd.api.types.is_float_dtype(column.dtype):
        return False
    values = column.to_numpy(dtype="float64")
    values = values[np.isfinite(values)]
    return bool(len(values)) and bool((values == np.round(values)).all())


@public
def column_kinds(table: pd.DataFrame, *, percent: Iterable[str] = ()) -> dict[str, str]:
    """What each column holds, for the HTML tables and the spreadsheet formats alike.

    Kinds: ``"percent"`` (a proportion: a column of :data:`PERCENT_COLUMNS` or ``percent``,
    an interval bound or standard error when the table's estimate is a proportion, or a bound
    named after a proportion; every value within [-1, 1]), ``"points"`` (a difference of
    proportions: a column of :data:`POINT_COLUMNS`, a bound named after one, such as
    ``gap_ci_low``, or the table's bounds when its estimate is a difference and no
    proportion), ``"count"``, ``"p_value"``, ``"number"`` (other numbers), ``"date"`` (times at
    midnight), ``"datetime"``, ``"bool"`` and ``"text"``. Floats that are all whole numbers
    (counts that passed through a missing value) are counts.

    Examples
    --------
    >>> column_kinds(pd.DataFrame({"index": [26.1], "ci_low": [23.8], "rate": [0.07],
    ...                            "week": pd.to_datetime(["2026-10-05"]), "site": ["a"]}))
    {'index': 'number', 'ci_low': 'number', 'rate': 'percent', 'week': 'date', 'site': 'text'}
    >>> column_kinds(pd.DataFrame({"gap": [0.03], "gap_ci_low": [0.01], "se": [0.004]}))
    {'gap': 'points', 'gap_ci_low': 'points', 'se': 'points'}
    """
    columns = set(table.columns)
    percents, points = PERCENT_COLUMNS | set(percent), set(POINT_COLUMNS)
    if _PROPORTION_ESTIMATES & columns or set(percent) & _PROPORTION_ESTIMATES:
        percents |= _BOUNDS
    elif _DIFFERENCE_ESTIMATES & columns:
        points |= _BOUNDS
    percents, points = (
        named | {
            str(name)
            for name in table.columns
            for suffix in _BOUND_SUFFIXES
            if str(name).endswith(suffix) and str(name).removesuffix(suffix) in named
        }
        for named in (percents, points)
    )  # fmt: skip
    kinds = {}
    for name in table.columns:
        column = table[name]
        dtype = column.dtype
        if pd.api.types.is_bool_dtype(dtype):
            kind = "bool"
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            kind = "date" if (column.dt.normalize() == column).all() else "datetime"
        elif name in points and _is_proportion(column):
            kind = "points"
        elif name in percents and (
            _is_proportion(column)
            or (name in _SHARES_OF_CHANGE and pd.api.types.is_numeric_dtype(dtype))
        ):
            kind = "percent"
        elif name in _COUNTS or pd.api.types.is_integer_dtype(dtype) or _is_whole(column):
            kind = "count"
        elif name in _P_VALUES:
            kind = "p_value"
        elif pd.api.types.is_numeric_dtype(dtype):
            kind = "number"
        else:
            kind = "text"
        kinds[name] = kind
    return kinds


@public
def readable(
    table: pd.DataFrame, *, percent: Iterable[str] = (), decimals: int = 1
) -> pd.DataFrame:
    """Return a copy of a result table for display.

    Each column is shown by its kind (:func:`column_kinds`): proportions as percentages,
    differences of proportions in signed percentage points, counts with thousands separators, p- and q-values with three decimals (or "< 0.001"),
    other numbers with three decimals (none for whole numbers or from 100 up), dates without
    a time, True and False as yes and no, columns named ``*_points`` (already in points) as
    signed points, labels without underscores; headers become words (counts say what they count,
    :data:`LABELS`).

    Examples
    --------
    >>> readable(pd.DataFrame({"site": ["a"], "n": [1234], "accuracy": [0.9234],
    ...                        "q_value": [0.00002], "dpmo": [39106.1]}))
      site audits accuracy  q value    dpmo
    0    a  1,234    92.3%  < 0.001  39,106
    """
    shown = table.copy()
    for name, kind in column_kinds(table, percent=percent).items():
        column = shown[name]
        if str(name).endswith("_points") and pd.api.types.is_numeric_dtype(column.dtype):
            shown[name] = column.map(lambda v: _points(v / 100, decimals)).astype(STR)
        elif kind == "percent":
            shown[name] = column.map(lambda v: _percent(v, decimals)).astype(STR)
        elif kind == "points":
            shown[name] = column.map(lambda v: _points(v, decimals)).astype(STR)
        elif kind == "count":
            shown[name] = column.map(lambda v: "" if pd.isna(v) else f"{v:,.0f}").astype(STR)
        elif kind == "p_value":
            shown[name] = column.map(_p_value).astype(STR)
        elif kind == "number" and pd.api.types.is_float_dtype(column.dtype):
            shown[name] = column.map(_number).astype(STR)
        elif kind == "text" and (
            isinstance(column.dtype, pd.CategoricalDtype)
            or pd.api.types.is_string_dtype(column.dtype)
        ):
            shown[name] = column.astype(STR).str.replace("_", " ").where(column.notna(), "")
        elif kind == "date":
            shown[name] = column.dt.strftime("%Y-%m-%d").astype(STR)
        elif kind == "bool":
            shown[name] = column.map({True: "yes", False: "no"}).astype(STR)
        elif kind == "datetime":
            shown[name] = column.astype(STR)
    return shown.rename(columns=lambda c: LABELS.get(str(c), str(c).replace("_", " ")))
