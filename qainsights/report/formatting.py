"""Presentation of result tables in the report: percentages, counts and p-values as text."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

__all__ = ["LABELS", "PERCENT_COLUMNS", "readable"]

#: Columns holding proportions, shown as percentages.
PERCENT_COLUMNS = frozenset(
    {
        "accuracy", "rate", "target", "share", "cum_share", "coverage",
        "crude_rate", "crude_ci_low", "crude_ci_high", "standardised_rate",
        "shrunken_rate", "shrunken_ci_low", "shrunken_ci_high", "shrunk_accuracy",
        "rate_baseline", "rate_current", "difference", "mix_effect", "rate_effect",
        "contribution", "explained", "cumulative_share", "mix_share",
        "share_before", "share_after", "change",
    }
)  # fmt: skip
#: Interval bounds, shown as percentages when the table's estimate is a proportion.
_BOUNDS = frozenset({"ci_low", "ci_high"})
_PROPORTION_ESTIMATES = frozenset(
    {"rate", "accuracy", "share", "change", "difference", "standardised_rate", "crude_rate"}
)
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
}
_P_VALUES = frozenset({"p_value", "q_value"})


def _percent(v: float, decimals: int) -> str:
    return "" if pd.isna(v) else f"{v:.{decimals}%}"


def _p_value(v: float) -> str:
    return "" if pd.isna(v) else ("< 0.001" if v < 0.001 else f"{v:.3f}")


def _number(v: float) -> str:
    if pd.isna(v):
        return ""
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:.3f}"


def readable(
    table: pd.DataFrame, *, percent: Iterable[str] = (), decimals: int = 1
) -> pd.DataFrame:
    """Return a copy of a result table for display.

    Proportions (the columns of :data:`PERCENT_COLUMNS` and ``percent``, and ``ci_low`` /
    ``ci_high`` when the table's estimate is a proportion) become percentages,
    counts get thousands separators, p- and q-values three decimals (or "< 0.001"), other
    numbers three decimals (none for whole numbers or from 100 up), labels lose their
    underscores, and headers become words (counts say what they count, :data:`LABELS`).

    Examples
    --------
    >>> readable(pd.DataFrame({"site": ["a"], "n": [1234], "accuracy": [0.9234],
    ...                        "q_value": [0.00002], "dpmo": [39106.1]}))
      site audits accuracy  q value    dpmo
    0    a  1,234    92.3%  < 0.001  39,106
    """
    shown = table.copy()
    percents = PERCENT_COLUMNS | set(percent)
    if _PROPORTION_ESTIMATES & set(table.columns) or set(percent) & _PROPORTION_ESTIMATES:
        percents |= _BOUNDS
    for name in shown.columns:
        column = shown[name]
        if name in percents:
            shown[name] = column.map(lambda v: _percent(v, decimals)).astype("str")
        elif name in _COUNTS:
            shown[name] = column.map(lambda v: "" if pd.isna(v) else f"{int(v):,}").astype("str")
        elif name in _P_VALUES:
            shown[name] = column.map(_p_value).astype("str")
        elif pd.api.types.is_float_dtype(column.dtype):
            shown[name] = column.map(_number).astype("str")
        elif isinstance(column.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(
            column.dtype
        ):
            shown[name] = column.astype("str").str.replace("_", " ").where(column.notna(), "")
        elif pd.api.types.is_datetime64_any_dtype(column.dtype):
            times = column.dt
            dated = (times.normalize() == column).all()
            shown[name] = (times.strftime("%Y-%m-%d") if dated else column.astype("str")).astype(
                "str"
            )
    return shown.rename(columns=lambda c: LABELS.get(str(c), str(c).replace("_", " ")))
