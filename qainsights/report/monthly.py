"""The Monthly Quality Report as data: every section's result, its findings and the actions.

:func:`build_monthly_report` computes the sections from the canonical audit table (and,
optionally, a calibration session); the report notebook only displays them, so every number
in the rendered HTML is a number of this object.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .._compat import STR
from .._results import TidyResult
from .._validation import check_columns, check_frame, check_option, format_values
from ..audits import pseudonymize
from ..capability import attribute_capability, dpmo_to_sigma
from ..moderators import ModeratorOutliers, moderator_outliers
from ..rca import ParetoResult, pareto, severity_index
from ..spc import ControlChart, ControlChartSet, control_charts, p_chart
from ..standardization import standardized_rates
from ..trends import ChangeExplanation, explain_change, trend_test
from ..vendors import ALL_VENDORS, NoCommonMixError, VendorComparison, compare_site_types
from .consistency import consistency_notes
from .estimand import effective_counts
from .exports import suppress_small_cells
from .findings import (
    CLAIM_ALPHA,
    CLAIM_FAMILIES,
    Finding,
    actions_table,
    chart_action_segments,
    owner_of_cause,
    weekly_claim_weeks,
)
from .sections import (
    Headline,
    accuracy_table,
    check_target,
    design_of,
    enforcement_table,
    headline,
    latest_complete_month,
    previous_month,
    sampling_statement,
)

__all__ = ["SECTIONS", "MonthlyReport", "build_monthly_report"]

#: The report's sections, in order.
SECTIONS = (
    "headline",
    "directions",
    "control_charts",
    "change",
    "root_causes",
    "segments",
    "sites",
    "vendors",
    "moderators",
    "calibration",
    "capability",
    "sampling",
    "actions",
)
#: Segment dimensions searched for the change of the month.
CHANGE_DIMS = ("site", "queue", "policy", "market")
#: Months of audits behind the moderator distribution (one month is too few audits per person).
MODERATOR_MONTHS = 3
#: The root cause shown for errors without one.
NOT_RECORDED = "(not recorded)"


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
    change: ChangeExplanation | None = None
    root_causes: ParetoResult | None = None
    by_site: pd.DataFrame | None = None
    by_queue: pd.DataFrame | None = None
    standardised: pd.DataFrame | None = None
    vendors: VendorComparison | None = None
    moderators: ModeratorOutliers | None = None
    named_moderators: pd.DataFrame | None = None
    calibration: object | None = None
    capability: pd.DataFrame | None = None
    sampling: str | None = None
    weighted: bool = False
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
            "Change explanation": None if self.change is None else self.change.explanation,
            "Mix and rate": None if self.change is None else self.change.mix,
            "Root causes": None if self.root_causes is None else self.root_causes.comparison,
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


def check_sections(sections: Sequence[str] | None) -> tuple[str, ...]:
    """Return the chosen sections in report order, refusing unknown names."""
    if sections is None:
        return SECTIONS
    chosen = [sections] if isinstance(sections, str) else list(sections)
    for name in chosen:
        check_option(name, name="sections", options=SECTIONS, func="build_monthly_report")
    return tuple(s for s in SECTIONS if s in chosen)


def _window(audits: pd.DataFrame, column: str, last, count: int) -> pd.DataFrame:
    periods = np.sort(audits[column].unique())
    periods = periods[periods <= last][-count:]
    return audits[audits[column].isin(periods)]


def _month_end_week(audits: pd.DataFrame, month: str) -> pd.Timestamp:
    return audits.loc[audits["month"] == month, "week"].max()


def _headline_findings(top: Headline) -> list[Finding]:
    row = top.table.set_index("month").loc[top.month]
    status = row["status"]
    if status == "below target":
        return [
            Finding(
                "headline",
                "high",
                top.sentence(),
                "Recover accuracy: start with the "
                "segments that explain the change and the queues below target.",
            )
        ]
    if status == "not separable from target":
        return [
            Finding(
                "headline",
                "medium",
                top.sentence(),
                "Watch the next month: accuracy is within sampling error of the target.",
            )
        ]
    return [Finding("headline", "low", top.sentence(), "No action on the headline.")]


def _chart_findings(weekly: ControlChart, segments: ControlChartSet, month_start) -> list[Finding]:
    found = []
    recent = weekly.signals[pd.to_datetime(weekly.signals["subgroup"]) >= month_start]
    claimed = weekly_claim_weeks(weekly.table, month_start)
    judged = int((pd.to_datetime(weekly.table["subgroup"]) >= month_start).sum())
    if not claimed.empty:
        weeks = format_values([f"{w:%d %b}" for w in pd.to_datetime(claimed["subgroup"])])
        found.append(Finding(
            "control_charts", "high",
            f"The weekly error chart is beyond its control limits in the week(s) of {weeks} "
            f"(t test on the estimated sigma, p < {CLAIM_ALPHA / judged:.2g} for each of the "
            f"{judged} weeks judged).",
            "Treat it as a special cause: find what changed in those weeks.",
        ))  # fmt: skip
    leads = recent[~recent["subgroup"].isin(claimed["subgroup"])]
    if not leads.empty:
        rules = format_values(sorted(leads["rule"].unique()))
        found.append(Finding(
            "control_charts", "low",
            f"The weekly error chart signals in the report month (rules {rules}) without "
            "the evidence of a claim.",
            "Treat it as a lead, not a finding: look again next month.",
        ))  # fmt: skip
    summary = segments.segments
    firings, expected = len(segments.signals), segments.expected_false_alarms
    shifted = summary[summary["status"] == "shift"]
    found.append(Finding(
        "control_charts", "low",
        f"{firings} rule firings across {len(summary)} site x queue charts, where about "
        f"{expected:.0f} are expected by chance alone (simulated from the same stable-process "
        f"model the flags are tested against); {len(shifted)} segment(s) show a run-rule "
        "shift in their latest week.",
        "Treat single run-rule shifts as leads, not findings: look again next week.",
    ))  # fmt: skip
    for row in chart_action_segments(summary).itertuples():
        segment = " x ".join(str(getattr(row, b)) for b in segments.by)
        errors = round(row.value * row.n)
        found.append(Finding(
            "control_charts", "high",
            f"{segment}: beyond its control limits in the latest week ({errors} errors in "
            f"{row.n:.0f} audits, exact test q = {row.q_value:.2g} < {CLAIM_ALPHA:g}, false "
            "discovery rate controlled across segments).",
            f"Review {segment}'s recent weeks with its site lead.",
        ))  # fmt: skip
    return found


def _change_findings(change: ChangeExplanation) -> list[Finding]:
    found = [
        Finding(
            "change",
            "medium" if not change.explanation.empty else "low",
            change.summary(),
            "Discuss the segments named with their owners."
            if not change.explanation.empty
            else "No segment stands out.",
        )
    ]
    return found


def _root_cause_findings(result: ParetoResult) -> list[Finding]:
    vital = format_values(result.table.loc[result.table["vital"], result.category].tolist())
    found = [
        Finding(
            "root_causes",
            "medium",
            f"The vital few root causes this month: {vital}.",
            "Aim training and guideline work at these first.",
        )
    ]
    if result.comparison is None:
        return found
    rising = result.comparison[result.comparison["ci_low"] > 0]
    for row in rising.itertuples():
        cause = getattr(row, result.category)
        found.append(
            Finding(
                "root_causes",
                "high",
                f"'{cause}' grew from {row.share_before:.0%} "
                f"to {row.share_after:.0%} of errors (interval of the change "
                f"{row.ci_low:+.1%} to {row.ci_high:+.1%}, Bonferroni-adjusted for the "
                f"{len(result.comparison)} causes compared and the report's "
                f"{len(CLAIM_FAMILIES)} families of change claims).",
                f"Find where '{cause}' errors concentrate (drill down by site and "
                "queue) and address the cause there.",
                owner_of_cause(cause),
            )
        )
    return found


def _target_findings(table: pd.DataFrame, dimension: str, target: float) -> list[Finding]:
    below = table[table["status"] == "below target"]
    if below.empty:
        return []
    names = format_values(below[dimension].tolist(), limit=10)
    return [
        Finding(
            "segments",
            "high",
            f"{dimension.capitalize()}(s) {names} are below the "
            f"{target:.1%} target beyond sampling error.",
            f"Agree a recovery plan with each {dimension}'s lead.",
        )
    ]


def _vendor_findings(result: VendorComparison) -> list[Finding]:
    card = result.scorecard.set_index("unit")
    found = []
    below = card[(card["status"] == "below target") & (card.index != ALL_VENDORS)]
    if len(below):
        found.append(Finding(
            "vendors", "high",
            f"Vendor site(s) {format_values(below.index.tolist())} are below the "
            f"{result.scorecard['target'].iloc[0]:.1%} accuracy target beyond sampling error.",
            "Raise it in the vendor's quality review with a recovery plan and a date.",
        ))  # fmt: skip
    pooled = card.loc[ALL_VENDORS]
    if pooled["gap_ci_low"] > 0 or pooled["gap_ci_high"] < 0:
        worse = pooled["gap"] > 0
        found.append(Finding(
            "vendors", "medium" if worse else "low",
            f"On the same mix of work, the vendor sites' error rate is "
            f"{100 * abs(pooled['gap']):.1f} points {'above' if worse else 'below'} in-house's "
            f"(95% CI {100 * pooled['gap_ci_low']:+.1f} to {100 * pooled['gap_ci_high']:+.1f}).",
            "Compare vendor and in-house training and guidelines on the queues that differ most."
            if worse else "Ask what the vendors do that in-house could adopt.",
        ))  # fmt: skip
    widening = card[(card["direction"] == "widening") & (card.index != ALL_VENDORS)]
    if len(widening):
        found.append(Finding(
            "vendors", "medium",
            f"The gap to in-house is widening at {format_values(widening.index.tolist())} "
            f"over the last {result.trend['month'].nunique()} months.",
            "Ask the vendor what changed (staffing, attrition, tooling) before it shows in target.",
        ))  # fmt: skip
    return found


def _named_moderators(result: ModeratorOutliers, key: str | bytes | None) -> pd.DataFrame:
    """The separable moderators only, under HMAC pseudonyms (``key``) or report-local labels."""
    flagged = result.table[result.table["status"].str.startswith("separable")].reset_index(
        drop=True
    )
    columns = [
        "moderator",
        "n",
        "errors",
        "rate",
        "shrunken_rate",
        "shrunken_ci_low",
        "shrunken_ci_high",
        "q_value",
        "status",
    ]
    if key is not None:
        return pseudonymize(flagged[columns], "moderator", key)
    labels = [f"moderator {i + 1}" for i in range(len(flagged))]
    return flagged[columns].assign(moderator=pd.Series(labels, dtype=STR))


def _moderator_findings(named: pd.DataFrame) -> list[Finding]:
    if named.empty:
        return [
            Finding(
                "moderators",
                "low",
                "No moderator's error rate is separable from the "
                "spread expected between moderators (false discovery rate 0.05).",
                "No individual follow-up; coach through the queue-level findings.",
            )
        ]
    high = int((named["status"] == "separable high").sum())
    return [
        Finding(
            "moderators",
            "medium" if high else "low",
            f"{high} moderator(s) err "
            f"separably more often and {len(named) - high} separably less often than "
            "expected.",
            "Coach the high ones one to one; ask the low ones what they do differently.",
        )
    ]


def _site_mix_findings(table: pd.DataFrame) -> list[Finding]:
    moved = table[(table["standardised_rate"] - table["crude_rate"]).abs() > 0.005]
    if moved.empty:
        return []
    names = format_values(moved["site"].tolist())
    return [
        Finding(
            "sites",
            "low",
            f"Site(s) {names} look different once their content mix is "
            "taken into account (crude and standardised rates differ by over 0.5 points).",
            "Compare sites on the standardised rates, not the crude ones.",
        )
    ]


def _calibration_findings(calibration) -> list[Finding]:
    raters = calibration.raters
    pooled = raters["agreements"].sum() / raters["n_items"].sum()
    weak = raters[raters["ci_high"] < pooled]
    if weak.empty:
        return [
            Finding(
                "calibration",
                "low",
                f"No rater's accuracy is separably below the pooled accuracy of {pooled:.1%}.",
                "Keep the calibration cadence.",
            )
        ]
    names = format_values(weak["rater"].tolist())
    return [
        Finding(
            "calibration",
            "medium",
            f"Rater(s) {names} agree with the "
            f"{calibration.reference} separably less often than the pooled {pooled:.1%}.",
            "Recalibrate them on the disputed items before their next audits.",
        )
    ]


def _capability_findings(table: pd.DataFrame, target: float) -> list[Finding]:
    target_sigma = float(dpmo_to_sigma((1 - target) * 1e6))
    short = table[table["sigma_level_ci_high"] < target_sigma]
    if short.empty:
        return []
    return [
        Finding(
            "capability",
            "medium",
            f"Queue(s) {format_values(short['queue'].tolist())} "
            f"run below the {target_sigma:.2f} sigma level that the accuracy target "
            "implies, beyond sampling error.",
            "Review their guidelines and tooling: the process, not only people, limits them.",
        )
    ]


def _capability_by_queue(current: pd.DataFrame, weight: str | None) -> pd.DataFrame:
    """DPMO and short-term sigma level per queue, with intervals, one row per queue.

    In the report's estimand: with sampling weights the defects and units are each queue's
    Kish effective counts (:func:`~qainsights.report.estimand.effective_counts`), so the DPMO
    is the decision-weighted error rate per million; ``audits`` and ``errors`` stay the
    audited counts.
    """
    counts = effective_counts(current, by="queue", weight=weight)
    long = attribute_capability(counts, defects="errors", units="n", by="queue")
    values = ["estimate", "ci_low", "ci_high"]
    wide = long.pivot_table(index="queue", columns="measure", values=values, aggfunc="first")
    audited = current.groupby("queue", observed=True)["is_error"].agg(["size", "sum"])
    table = pd.DataFrame(
        {
            "audits": audited["size"].astype("int64"),
            "errors": audited["sum"].astype("int64"),
            "dpmo": wide[("estimate", "DPMO")],
            "dpmo_ci_low": wide[("ci_low", "DPMO")],
            "dpmo_ci_high": wide[("ci_high", "DPMO")],
            "sigma_level": wide[("estimate", "sigma_level_short_term")],
            "sigma_level_ci_low": wide[("ci_low", "sigma_level_short_term")],
            "sigma_level_ci_high": wide[("ci_high", "sigma_level_short_term")],
        }
    )
    return table.reset_index()


def build_monthly_report(
    audits: pd.DataFrame,
    *,
    month: str | None = None,
    target: float = 0.92,
    calibration: pd.DataFrame | None = None,
    calibration_standard: pd.DataFrame | None = None,
    sections: Sequence[str] | None = None,
    pseudonym_key: str | bytes | None = None,
) -> MonthlyReport:
    """Compute every section of the Monthly Quality Report.

    Parameters
    ----------
    audits : DataFrame
        The canonical audit table (from :func:`qainsights.load_audits`).
    month : str, optional
        'YYYY-MM'; the latest complete month of the data when omitted.
    target : float, default 0.92
        The accuracy target.
    calibration : DataFrame, optional
        Calibration ratings in long format (``item_id``, ``rater_id``, ``label``).
    calibration_standard : DataFrame, optional
        The expert standard (``item_id``, ``label``); without it raters are compared with the
        leave-one-out consensus.
    sections : list of str, optional
        The sections to compute (see :data:`SECTIONS`); all when omitted.
    pseudonym_key : str or bytes, optional
        Secret for the moderators' pseudonyms (HMAC, stable across reports). Without it the
        flagged moderators are labelled "moderator 1", "moderator 2", ... for this report only.

    Returns
    -------
    MonthlyReport
        Warnings raised by the statistics are collected in ``notes``, not emitted.

    Examples
    --------
    >>> from qainsights.datasets import simulate_audits
    >>> audits = simulate_audits(seed=3, start="2026-07-06", weeks=13).audits
    >>> report = build_monthly_report(audits, sections=["headline", "segments", "sampling"])
    >>> report.month, report.previous
    ('2026-09', '2026-08')
    >>> list(report.tables())
    ['Headline', 'Accuracy by site', 'Accuracy by queue', 'Actions']
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = _build(audits, month, target, calibration, calibration_standard, sections,
                        pseudonym_key)  # fmt: skip
    notes = tuple(dict.fromkeys(str(w.message) for w in caught))
    return replace(report, notes=notes, consistency=consistency_notes(report))


@dataclass(frozen=True)
class _Context:
    """What every section reads: the data, the months compared and the report's estimand."""

    audits: pd.DataFrame
    month: str
    before: str
    target: float
    weight: str | None
    strata: str | None
    calibration: pd.DataFrame | None
    calibration_standard: pd.DataFrame | None
    pseudonym_key: str | bytes | None
    chosen: tuple[str, ...]

    @property
    def current(self) -> pd.DataFrame:
        return self.audits[self.audits["month"] == self.month]

    @property
    def both(self) -> pd.DataFrame:
        return self.audits[self.audits["month"].isin([self.before, self.month])]


class _Omitted(Exception):
    """A section that cannot be computed on these data; the message says why, in one line."""


def _has_previous(ctx: _Context) -> None:
    if not (ctx.audits["month"] == ctx.before).any():
        raise _Omitted(f"no audits in {ctx.before}, the month before, to compare with.")


def _headline_section(ctx: _Context) -> tuple[dict, list[Finding]]:
    top = headline(ctx.audits, month=ctx.month, target=ctx.target)
    return {"headline": top}, _headline_findings(top)


def _direction_section(ctx: _Context) -> tuple[dict, list[Finding]]:
    months = _window(ctx.audits, "month", ctx.month, 13)
    counts = effective_counts(months, by="month", weight=ctx.weight)
    if len(counts) < 3:
        raise _Omitted(f"{len(counts)} month(s) of audits: a direction needs at least three.")
    return {"direction": trend_test(counts, period="month", errors="errors", n="n")}, []


def _directions_section(ctx: _Context) -> tuple[dict, list[Finding]]:
    return {"directions": enforcement_table(ctx.current)}, []


def _severity_section(ctx: _Context) -> tuple[dict, list[Finding]]:
    both = ctx.both
    errors = both["is_error"].to_numpy(dtype=bool)
    if "severity" not in both:
        raise _Omitted("the audits have no 'severity' column.")
    unknown = int(both.loc[errors, "severity"].isna().sum())
    if unknown:
        raise _Omitted(
            f"{unknown:,} of the {int(errors.sum()):,} errors in {ctx.before} and {ctx.month} "
            "have no severity recorded, so the index would understate the cost of errors."
        )
    return {"severity": severity_index(both, by="month")}, []


def _period_chart(ctx: _Context, frame: pd.DataFrame, period: str) -> ControlChart:
    counts = effective_counts(frame, by=period, weight=ctx.weight)
    return p_chart(counts, defects="errors", n="n", subgroup=period, laney=True)


def _charts_section(ctx: _Context) -> tuple[dict, list[Finding]]:
    audits = ctx.audits
    monthly = _period_chart(ctx, _window(audits, "month", ctx.month, 13), "month")
    weekly_rows = _window(audits, "week", _month_end_week(audits, ctx.month), 26)
    weekly = _period_chart(ctx, weekly_rows, "week")
    cells = effective_counts(weekly_rows, by=["site", "queue", "week"], weight=ctx.weight)
    segments = control_charts(
        cells, by=["site", "queue"], chart="laney_p", subgroup="week", defects="errors", n="n",
        rules="nelson",
    )  # fmt: skip
    parts = {"monthly_chart": monthly, "weekly_chart": weekly, "segment_charts": segments}
    return parts, _chart_findings(weekly, segments, pd.Timestamp(f"{ctx.month}-01"))


def _change_section(ctx: _Context) -> tuple[dict, list[Finding]]:
    _has_previous(ctx)
    change = explain_change(
        ctx.both, by=list(CHANGE_DIMS), period="month", current=ctx.month,
        baseline=ctx.before, weight=ctx.weight, alpha=CLAIM_ALPHA,
    )  # fmt: skip
    return {"change": change}, _change_findings(change)


def _root_cause_section(ctx: _Context) -> tuple[dict, list[Finding]]:
    both = ctx.both
    if "root_cause" not in both or both.loc[both["is_error"], "root_cause"].isna().all():
        raise _Omitted("no root cause is recorded on the errors of these months.")
    errors = both[both["is_error"].to_numpy(dtype=bool)]
    in_month = errors["month"] == ctx.month
    if not in_month.any():
        raise _Omitted(f"no errors in {ctx.month}, so no root causes to rank.")
    unrecorded = errors["root_cause"].isna()
    if unrecorded.any():
        errors = errors.assign(
            root_cause=errors["root_cause"].astype("object").where(~unrecorded, NOT_RECORDED)
        )
    compared = (errors["month"] == ctx.before).any()
    causes = errors["root_cause"].nunique()
    result = pareto(
        errors if compared else errors[in_month],
        by_period="month" if compared else None,
        periods=(ctx.before, ctx.month) if compared else None,
        ci=1 - CLAIM_ALPHA / max(causes, 1),
        weight=ctx.weight,
    )
    return {"root_causes": result}, _root_cause_findings(result)


def _segments_section(ctx: _Context) -> tuple[dict, list[Finding]]:
    current = ctx.current
    by_site = accuracy_table(current, by="site", target=ctx.target)
    by_queue = accuracy_table(current, by="queue", target=ctx.target)
    sites = by_site
    if "vendors" in ctx.chosen and "site_type" in current:  # vendor sites: the vendor findings
        vendor_sites = set(current.loc[current["site_type"] == "vendor", "site"])
        sites = by_site[~by_site["site"].isin(vendor_sites)]
    findings = _target_findings(sites, "site", ctx.target)
    findings += _target_findings(by_queue, "queue", ctx.target)
    return {"by_site": by_site, "by_queue": by_queue}, findings


def _sites_section(ctx: _Context) -> tuple[dict, list[Finding]]:
    current = ctx.current
    if current["site"].nunique() < 2:
        raise _Omitted("one site only: there is no other site to compare it with.")
    table = standardized_rates(
        current, by="site", mix=["queue", "policy"], weight=ctx.weight, strata=ctx.strata
    )
    return {"standardised": table}, _site_mix_findings(table)


def _vendors_section(ctx: _Context) -> tuple[dict, list[Finding]]:
    current = ctx.current
    kinds = set(current["site_type"].dropna().astype(STR)) if "site_type" in current else set()
    if not {"in_house", "vendor"} <= kinds:
        raise _Omitted(
            f"the audits of {ctx.month} do not name both in-house and vendor sites "
            "(column 'site_type')."
        )
    for mix in (("queue", "policy"), ("queue",)):  # the finest mix that all units share
        try:
            result = compare_site_types(
                ctx.audits, month=ctx.month, target=ctx.target, mix=mix, weight=ctx.weight,
                strata=ctx.strata,
            )  # fmt: skip
        except NoCommonMixError:
            continue
        return {"vendors": result}, _vendor_findings(result)
    raise _Omitted("no queue has audits from in-house and every vendor site this month.")


def _moderators_section(ctx: _Context) -> tuple[dict, list[Finding]]:
    recent = _window(ctx.audits, "month", ctx.month, MODERATOR_MONTHS)
    count = recent["moderator_id"].nunique()
    if count < 3:
        raise _Omitted(
            f"{count} moderator(s) in the last {MODERATOR_MONTHS} months: the spread between "
            "moderators needs at least three to estimate."
        )
    errors = int(recent["is_error"].sum())
    if errors in (0, len(recent)):
        raise _Omitted(
            f"{'no' if errors == 0 else 'only'} errors in the {len(recent):,} audits of the last "
            f"{MODERATOR_MONTHS} months: moderators cannot be told apart."
        )
    result = moderator_outliers(recent)
    named = _named_moderators(result, ctx.pseudonym_key)
    return {"moderators": result, "named_moderators": named}, _moderator_findings(named)


def _calibration_section(ctx: _Context) -> tuple[dict, list[Finding]]:
    if ctx.calibration is None:
        raise _Omitted("no calibration ratings were given.")
    from ..agreement import calibration_session

    standard = None
    if ctx.calibration_standard is not None:
        standard = ctx.calibration_standard.set_index("item_id")["label"]
    result = calibration_session(
        ctx.calibration, item="item_id", rater="rater_id", label="label", standard=standard
    )
    return {"calibration": result}, _calibration_findings(result)


def _capability_section(ctx: _Context) -> tuple[dict, list[Finding]]:
    table = _capability_by_queue(ctx.current, ctx.weight)
    return {"capability": table}, _capability_findings(table, ctx.target)


def _sampling_section(ctx: _Context) -> tuple[dict, list[Finding]]:
    return {"sampling": sampling_statement(ctx.current)}, []


#: Each section's computation, in report order (``directions`` also gives the severity index).
_SECTION_PARTS = {
    "headline": (_headline_section, _direction_section),
    "directions": (_directions_section, _severity_section),
    "control_charts": (_charts_section,),
    "change": (_change_section,),
    "root_causes": (_root_cause_section,),
    "segments": (_segments_section,),
    "sites": (_sites_section,),
    "vendors": (_vendors_section,),
    "moderators": (_moderators_section,),
    "calibration": (_calibration_section,),
    "capability": (_capability_section,),
    "sampling": (_sampling_section,),
    "actions": (),
}
_PART_OF = {_severity_section: "severity", _direction_section: "direction"}
#: Titles of the parts that can be left out, for the one-line reasons.
PART_TITLES = {
    "headline": "Headline",
    "direction": "13-month direction",
    "directions": "Error directions",
    "severity": "Severity index",
    "control_charts": "Control charts",
    "change": "What changed",
    "root_causes": "Root causes",
    "segments": "Accuracy by site and queue",
    "sites": "Sites on a common mix",
    "vendors": "In-house and vendor sites",
    "moderators": "Moderators",
    "calibration": "Calibration",
    "capability": "Capability",
    "sampling": "Sampling statement",
}


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


def _build(audits, month, target, calibration, calibration_standard, sections, pseudonym_key):
    """Compute the sections; see :func:`build_monthly_report`."""
    check_frame(audits, func="build_monthly_report", name="audits")
    check_columns(
        audits,
        ["month", "week", "is_error", *CHANGE_DIMS],
        func="build_monthly_report",
        param="audits",
    )
    chosen = check_sections(sections)
    check_target(target, func="build_monthly_report")
    if audits.empty:
        raise ValueError("build_monthly_report needs audits; the 'audits' table has no rows.")
    month, notes = _report_month(audits, month)
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=2)
    design = design_of(audits)
    ctx = _Context(
        audits=audits, month=month, before=previous_month(month), target=target,
        weight=design["weight"], strata=design["strata"], calibration=calibration,
        calibration_standard=calibration_standard, pseudonym_key=pseudonym_key, chosen=chosen,
    )  # fmt: skip
    parts: dict[str, object] = {}
    findings: list[Finding] = []
    omitted: dict[str, str] = {}
    for name in chosen:
        for compute in _SECTION_PARTS[name]:
            try:
                computed, found = compute(ctx)
            except _Omitted as reason:
                part = _PART_OF.get(compute, name)
                omitted[part] = str(reason)
                continue
            parts.update(computed)
            findings += found
    return MonthlyReport(
        month=month, previous=ctx.before, target=target, weighted=design["weight"] is not None,
        findings=tuple(findings), omitted=omitted, **parts,
    )  # fmt: skip
