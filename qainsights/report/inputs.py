"""The report's input: the caller's audits turned into what every section reads.

:func:`report_input` is the one place where the data the caller gives meets the report: it
checks the table, chooses the report month and the estimand (decision-weighted when every
audit carries a sampling weight). A new kind of input (another engine, a pre-aggregated
cube) is taught to the report here, and nowhere else.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import pandas as pd

from .._caller import public, user_stacklevel
from .._validation import check_columns, check_frame, format_values
from ..text.redact import IDENTIFIER_COLUMNS
from .engine_input import REPORT_COLUMNS, TEXT_COLUMNS
from .parts import CHANGE_DIMS
from .sections import design_of, latest_complete_month, previous_month

__all__ = ["READ_COLUMNS", "ReportInput", "report_input"]

#: The columns the sections read (the comments' text, and the IDs masked in it, included);
#: the others are left behind at the start, so the rows each section selects are narrow.
READ_COLUMNS = tuple(dict.fromkeys([*REPORT_COLUMNS, *TEXT_COLUMNS, *IDENTIFIER_COLUMNS]))


@dataclass(frozen=True)
class ReportInput:
    """The audits the sections read, the months compared and the design of the sample.

    Attributes
    ----------
    audits : DataFrame
        The canonical audit table's :data:`READ_COLUMNS` (those present).
    month, previous : str
        The report month and the month before ('YYYY-MM').
    weight, strata : str or None
        The columns of sampling weights and strata when every audit has them (the report's
        estimand is then the share of decisions in error), else None.
    cluster : str or None
        ``"moderator_id"`` when every audit names its moderator: the rates' intervals then
        take a moderator's audits as correlated (see :func:`~qainsights.report.design_of`).
    """

    audits: pd.DataFrame
    month: str
    previous: str
    weight: str | None
    strata: str | None
    cluster: str | None = None


def _report_month(audits: pd.DataFrame, month: str | None) -> tuple[str, list[str]]:
    """The month to report: given, else the latest complete one (the latest present if none)."""
    months = set(audits["month"].unique())
    if month is None:
        month = latest_complete_month(audits)
        if month not in months:
            latest = max(months)
            return latest, [
                f"The data do not cover a complete calendar month with audits; the report "
                f"describes the partial month {latest}."
            ]
    if month not in months:
        raise ValueError(
            f"The 'month' parameter of build_monthly_report is {month!r}, which has no audits. "
            f"Months present: {format_values(sorted(months), 24)}."
        )
    return month, []


@public
def report_input(audits: pd.DataFrame, *, month: str | None = None) -> ReportInput:
    """Check the caller's audits and choose the report month and the estimand.

    Parameters
    ----------
    audits : DataFrame
        The canonical audit table (from :func:`qainsights.load_audits`).
    month : str, optional
        'YYYY-MM'; the latest complete month of the data when omitted (the latest month
        present, with a warning, when no month is complete).

    Returns
    -------
    ReportInput

    Examples
    --------
    >>> from qainsights.datasets import simulate_audits
    >>> found = report_input(simulate_audits(seed=3, start="2026-07-06", weeks=13).audits)
    >>> found.month, found.previous, found.weight, found.cluster
    ('2026-09', '2026-08', 'weight', 'moderator_id')
    >>> "handle_time_s" in found.audits  # no section reads it
    False

    References
    ----------
    .. [1] Kish, L. (1965). *Survey Sampling*. Wiley (weights define the estimand).
    """
    check_frame(audits, name="audits")
    check_columns(
        audits,
        ["month", "week", "is_error", *CHANGE_DIMS],
        param="audits",
    )
    if audits.empty:
        raise ValueError("build_monthly_report needs audits; the 'audits' table has no rows.")
    month, notes = _report_month(audits, month)
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=user_stacklevel())
    design = design_of(audits)
    audits = audits[[c for c in audits.columns if c in READ_COLUMNS]]  # a new frame
    return ReportInput(
        audits=audits, month=month, previous=previous_month(month),
        weight=design["weight"], strata=design["strata"], cluster=design["cluster"],
    )  # fmt: skip
