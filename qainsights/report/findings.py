"""Findings of the report's sections, and the actions they call for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

__all__ = ["PRIORITIES", "Finding", "actions_table"]

#: Priorities from most to least urgent.
PRIORITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class Finding:
    """One finding of a report section and the action it calls for.

    Examples
    --------
    >>> Finding("headline", "high", "Accuracy 90.1% is below the 92.0% target.", "Act.").priority
    'high'
    """

    section: str
    priority: str
    finding: str
    action: str

    def __post_init__(self) -> None:
        if self.priority not in PRIORITIES:
            raise ValueError(
                f"The 'priority' of a Finding must be one of {', '.join(map(repr, PRIORITIES))}. "
                f"Got {self.priority!r} instead."
            )


def actions_table(findings: Iterable[Finding]) -> pd.DataFrame:
    """The findings as a table, most urgent first (sections keep their report order).

    Examples
    --------
    >>> actions_table([Finding("sites", "low", "a", "b"), Finding("headline", "high", "c", "d")])
      priority   section finding action
    0     high  headline       c      d
    1      low     sites       a      b
    """
    table = pd.DataFrame(
        [(f.priority, f.section, f.finding, f.action) for f in findings],
        columns=["priority", "section", "finding", "action"],
    )
    rank = table["priority"].map({p: i for i, p in enumerate(PRIORITIES)})
    return table.iloc[rank.argsort(kind="stable")].reset_index(drop=True)
