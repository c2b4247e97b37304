"""Presentation of result tables in the report: percentages and counts as readable text."""

from __future__ import annotations

import pandas as pd

__all__ = ["readable"]

_PERCENT = ("accuracy", "rate", "ci_low", "ci_high", "target")
_COUNTS = ("n", "errors")


def readable(table: pd.DataFrame, *, decimals: int = 1) -> pd.DataFrame:
    """Return a copy of a result table for display: proportions as percentages, counts with
    thousands separators, snake_case headers as words.

    Examples
    --------
    >>> readable(pd.DataFrame({"site": ["a"], "n": [1234], "accuracy": [0.9234], "ci_low": [0.91]}))
      site      n accuracy ci low
    0    a  1,234    92.3%  91.0%
    """
    shown = table.copy()
    for name in shown.columns.intersection(_PERCENT):
        shown[name] = shown[name].map(lambda v: f"{v:.{decimals}%}")
    for name in shown.columns.intersection(_COUNTS):
        shown[name] = shown[name].map(lambda v: f"{int(v):,}")
    for name in shown.columns:
        if shown[name].dtype == "category" or shown[name].dtype == "str":
            shown[name] = shown[name].astype("str").str.replace("_", " ")
    return shown.rename(columns=lambda c: str(c).replace("_", " "))
