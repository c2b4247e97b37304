"""The Monthly Quality Report as a result object: every section's output, its tables for export."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pandas as pd

from .._results import TidyResult
from ..moderators import ModeratorOutliers
from ..rca import ParetoResult
from ..spc import ControlChart, ControlChartSet
from ..trends import ChangeExplanation
from ..vendors import VendorComparison
from .exports import suppress_small_cells
from .findings import Finding, actions_table
from .sections import Headline

__all__ = ["COUNT_COLUMNS", "MonthlyReport"]


@dataclass(frozen=True, repr=False)
class MonthlyReport(TidyResult):
    """Every section of the Monthly Quality Report (None where a section was not asked for).

    Attributes
    ----------
    month, previous : str
        The report month and the month before ('YYYY-MM').
    target : float
        The accuracy target.
    headline : Headline
        Accuracy this month and last, against target.
    direction : DataFrame
        The direction of the error rate over the 13 months to the report month: one row of
        :func:`qainsights.trends.trend_test` on the monthly (weighted) counts, whose
        ``p_value_quasi`` allows for month-to-month over-dispersion.
    directions : DataFrame
        Error rate by direction (over-/under-enforcement, wrong policy) this month.
    severity : DataFrame
        Severity points of the errors per 100 audits, this month and last.
    monthly_chart, weekly_chart : ControlChart
        Laney p' charts of the error rate: 13 months, and the 26 weeks to the month's end.
    segment_charts : ControlChartSet
        Weekly p' charts of every site x queue over the same 26 weeks.
    segment_months : DataFrame
        Every site x queue's weeks of the report month against its earlier weeks of those 26
        (:func:`~qainsights.report.findings.segment_month_shifts`): a shift that lasts the
        month, with ``claim``.
    change : ChangeExplanation
        The segments that explain the change from last month, with the mix/rate split; with
        sampling weights the segments count by the decisions they represent.
    root_causes : ParetoResult
        Pareto of this month's root causes, and their change in share since last month with
        intervals Bonferroni-adjusted for the number of causes compared and for the report's
        families of change claims (:data:`~qainsights.report.findings.CLAIM_ALPHA`).
    by_site, by_queue : DataFrame
        Accuracy per site and per queue against target.
    standardised : DataFrame
        Each site's error rate directly standardised to the month's common queue x policy mix,
        beside its crude rate.
    vendors : VendorComparison
        Vendor sites against in-house on the common mix: the month, the trend over six
        months and the scorecard against the target (when ``site_type`` names both).
    moderators : ModeratorOutliers
        The moderator distribution over the three months to the report month, with
        empirical-Bayes shrinkage and false-discovery-rate control.
    named_moderators : DataFrame
        Only the statistically separable moderators, under pseudonyms.
    comments : CommentsSection
        The terms and themes of this month's error comments against last month's
        (:func:`~qainsights.report.comments.comments_section`).
    calibration : CalibrationResult
        The calibration session (when calibration ratings were given).
    capability : DataFrame
        Attribute capability per queue this month: ``audits``, ``errors`` (audited), ``dpmo``
        and ``sigma_level`` (short-term, with the 1.5-sigma shift), each with an interval, in
        the report's estimand (decision-weighted on Kish effective counts with weights).
    sampling : str
        How the audits were sampled and how precise the headline is.
    weighted : bool
        True when every audit carries a sampling weight: every rate of the report (control
        charts included) then estimates the share of decisions in error, not of audits.
    clustered : bool
        True when every audit names its moderator: the intervals of the rates (headline,
        accuracy tables, error directions, sites and vendors) then take a moderator's audits
        as correlated (moderators are the sampling clusters).
    findings : tuple of Finding
        What each section found and the action it calls for.
    omitted : dict of str to str
        The sections (or parts: ``"severity"``) that could not be computed on these data,
        each with the reason in one sentence.
    consistency : tuple of str
        Where two sections seem to disagree (a chart signal beside a change "within noise",
        a segment "shift" with a large q-value), the sentence that says why both hold
        (:func:`~qainsights.report.consistency.consistency_notes`).
    notes : tuple of str
        Warnings the statistics raised while the report was built (for example a segment
        without control limits), kept for the report's notes on the data instead of being
        printed.
    """

    month: str
    previous: str
    target: float
    headline: Headline | None = None
    direction: pd.DataFrame | None = None
    directions: pd.DataFrame | None = None
    severity: pd.DataFrame | None = None
    monthly_chart: ControlChart | None = None
    weekly_chart: ControlChart | None = None
    segment_charts: ControlChartSet | None = None
    segment_months: pd.DataFrame | None = None
    change: ChangeExplanation | None = None
    root_causes: ParetoResult | None = None
    by_site: pd.DataFrame | None = None
    by_queue: pd.DataFrame | None = None
    standardised: pd.DataFrame | None = None
    vendors: VendorComparison | None = None
    moderators: ModeratorOutliers | None = None
    named_moderators: pd.DataFrame | None = None
    comments: object | None = None
    calibration: object | None = None
    capability: pd.DataFrame | None = None
    sampling: str | None = None
    weighted: bool = False
    clustered: bool = False
    findings: tuple[Finding, ...] = ()
    omitted: dict[str, str] = field(default_factory=dict)
    consistency: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    _title = "Monthly Quality Report: actions"

    def to_frame(self) -> pd.DataFrame:
        """The actions table: every finding with its priority and action."""
        return actions_table(self.findings)

    def tables(self, *, min_n: int = 10) -> dict[str, pd.DataFrame]:
        """The report's tables by title, for Excel and CSV exports.

        Rows that rest on fewer than ``min_n`` audits have their statistics blanked and
        ``suppressed`` set (:func:`suppress_small_cells`), in every table with a count of
        audits per row (:data:`COUNT_COLUMNS`), so a small segment cannot single out the few
        people behind it.
        """
        candidates = {
            "Headline": None if self.headline is None else self.headline.table,
            "Error directions": self.directions,
            "Severity index": self.severity,
            "Monthly error chart": None if self.monthly_chart is None else self.monthly_chart.table,
            "Weekly error chart": None if self.weekly_chart is None else self.weekly_chart.table,
            "Segment charts": None if self.segment_charts is None else self.segment_charts.segments,
            "Segment months": self.segment_months,
            "Change explanation": None if self.change is None else self.change.explanation,
            "Mix and rate": None if self.change is None else self.change.mix,
            "Root causes": None if self.root_causes is None else self.root_causes.comparison,
            **({} if self.comments is None else self.comments.tables()),
            "Accuracy by site": self.by_site,
            "Accuracy by queue": self.by_queue,
            "Sites standardised": self.standardised,
            "Vendors vs in-house": None if self.vendors is None else self.vendors.comparison,
            "Vendor scorecard": None if self.vendors is None else self.vendors.scorecard,
            "Moderators flagged": self.named_moderators,
            "Calibration raters": None if self.calibration is None else self.calibration.raters,
            "Capability by queue": self.capability,
            "Actions": self.to_frame(),
        }  # fmt: skip
        tables = {title: table for title, table in candidates.items() if table is not None}
        with warnings.catch_warnings():  # the ``suppressed`` column says which rows were blanked
            warnings.filterwarnings(
                "ignore", message="suppress_small_cells blanked", category=UserWarning
            )
            return {title: _suppressed(table, min_n) for title, table in tables.items()}


#: Columns that count the audits behind a row of an exported table.
COUNT_COLUMNS = ("n", "n_baseline", "n_current", "audits", "n_items")


def _suppressed(table: pd.DataFrame, min_n: int) -> pd.DataFrame:
    counts = [c for c in COUNT_COLUMNS if c in table]
    return suppress_small_cells(table, min_n=min_n, n=counts) if counts else table
