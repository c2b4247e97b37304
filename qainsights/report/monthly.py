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

from .._results import TidyResult
from .._validation import check_columns, check_frame, check_option, format_values
from ..audits import pseudonymize
from ..capability import attribute_capability, dpmo_to_sigma
from ..moderators import ModeratorOutliers, moderator_outliers
from ..rca import ParetoResult, pareto, severity_index
from ..spc import ControlChart, ControlChartSet, control_charts, p_chart
from ..standardisation import standardised_rates
from ..trends import ChangeExplanation, explain_change
from .exports import suppress_small_cells
from .findings import (
    BEYOND_LIMITS,
    CLAIM_ALPHA,
    CLAIM_FAMILIES,
    Finding,
    actions_table,
    chart_action_segments,
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


@dataclass(frozen=True)
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
    moderators : ModeratorOutliers
        The moderator distribution over the three months to the report month, with
        empirical-Bayes shrinkage and false-discovery-rate control.
    named_moderators : DataFrame
        Only the statistically separable moderators, under pseudonyms.
    calibration : CalibrationResult
        The calibration session (when calibration ratings were given).
    capability : DataFrame
        Attribute capability per queue this month: ``audits``, ``errors``, ``dpmo`` and
        ``sigma_level`` (short-term, with the 1.5-sigma shift), each with an interval.
    sampling : str
        How the audits were sampled and how precise the headline is.
    findings : tuple of Finding
        What each section found and the action it calls for.
    notes : tuple of str
        Warnings the statistics raised while the report was built (for example a segment
        without control limits), kept for the report's notes on the data instead of being
        printed.
    """

    month: str
    previous: str
    target: float
    headline: Headline | None = None
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
    moderators: ModeratorOutliers | None = None
    named_moderators: pd.DataFrame | None = None
    calibration: object | None = None
    capability: pd.DataFrame | None = None
    sampling: str | None = None
    findings: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = ()
    _title: str = field(default="Monthly Quality Report: actions", repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The actions table: every finding with its priority and action."""
        return actions_table(self.findings)

    def tables(self, *, min_n: int = 10) -> dict[str, pd.DataFrame]:
        """The report's tables by title, for Excel and CSV exports.

        Rows of tables with an ``n`` column that rest on fewer than ``min_n`` audits have
        their statistics blanked and ``suppressed`` set (:func:`suppress_small_cells`), so a
        small segment cannot single out the few people behind it.
        """
        candidates = {
            "Headline": None if self.headline is None else self.headline.table,
            "Error directions": self.directions,
            "Severity index": self.severity,
            "Monthly error chart": None if self.monthly_chart is None else self.monthly_chart.table,
            "Weekly error chart": None if self.weekly_chart is None else self.weekly_chart.table,
            "Segment charts": None if self.segment_charts is None else self.segment_charts.summary,
            "Change explanation": None if self.change is None else self.change.explanation,
            "Mix and rate": None if self.change is None else self.change.mix,
            "Root causes": None if self.root_causes is None else self.root_causes.comparison,
            "Accuracy by site": self.by_site,
            "Accuracy by queue": self.by_queue,
            "Sites standardised": self.standardised,
            "Moderators flagged": self.named_moderators,
            "Calibration raters": None if self.calibration is None else self.calibration.raters,
            "Capability by queue": self.capability,
            "Actions": self.to_frame(),
        }
        tables = {title: table for title, table in candidates.items() if table is not None}
        with warnings.catch_warnings():  # the ``suppressed`` column says which rows were blanked
            warnings.filterwarnings(
                "ignore", message="suppress_small_cells blanked", category=UserWarning
            )
            return {
                title: suppress_small_cells(table, min_n=min_n) if "n" in table else table
                for title, table in tables.items()
            }


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
    beyond = recent["rule"].isin(BEYOND_LIMITS)
    if beyond.any():
        found.append(Finding(
            "control_charts", "high",
            "The weekly error chart has a week beyond its control limits in the report month.",
            "Treat it as a special cause: find what changed in that week.",
        ))  # fmt: skip
    if (~beyond).any():
        rules = format_values(sorted(recent.loc[~beyond, "rule"].unique()))
        found.append(Finding(
            "control_charts", "low",
            f"The weekly error chart shows a run-rule pattern in the report month (rules {rules}).",
            "Treat it as a lead, not a finding: look again next month.",
        ))  # fmt: skip
    summary = segments.summary
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
            change.summary,
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
    return flagged[columns].assign(moderator=pd.Series(labels, dtype="str"))


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


def _capability_by_queue(current: pd.DataFrame) -> pd.DataFrame:
    """DPMO and short-term sigma level per queue, with intervals, one row per queue."""
    long = attribute_capability(current, defects="is_error", by="queue")
    values = ["estimate", "ci_low", "ci_high"]
    wide = long.pivot_table(index="queue", columns="measure", values=values, aggfunc="first")
    counts = long.drop_duplicates("queue").set_index("queue")[["units", "defects"]]
    table = pd.DataFrame(
        {
            "audits": counts["units"],
            "errors": counts["defects"],
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
    return replace(report, notes=notes)


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
    month = month or latest_complete_month(audits)
    months = set(audits["month"].unique())
    if month not in months:
        raise ValueError(
            f"The 'month' parameter of build_monthly_report is {month!r}, which has no audits. "
            f"Months present: {format_values(sorted(months), 24)}."
        )
    before = previous_month(month)
    current = audits[audits["month"] == month]
    if before not in months and {"change", "root_causes"} & set(chosen):
        warnings.warn(
            f"No audits in {before}, the month before the report month: the sections that compare "
            "with it (what changed, root-cause trend) are left out.",
            UserWarning,
            stacklevel=2,
        )
        chosen = tuple(c for c in chosen if c not in ("change", "root_causes"))
    parts: dict[str, object] = {}
    findings: list[Finding] = []
    if "headline" in chosen:
        parts["headline"] = headline(audits, month=month, target=target)
        findings += _headline_findings(parts["headline"])
    if "directions" in chosen:
        parts["directions"] = enforcement_table(current)
        both = audits[audits["month"].isin([before, month])]
        parts["severity"] = severity_index(both, by="month")
    if "control_charts" in chosen:
        monthly = _window(audits, "month", month, 13)
        counts = monthly.groupby("month", as_index=False).agg(
            errors=("is_error", "sum"), n=("is_error", "size")
        )
        parts["monthly_chart"] = p_chart(
            counts, defects="errors", n="n", subgroup="month", laney=True
        )
        weekly = _window(audits, "week", _month_end_week(audits, month), 26)
        week_counts = weekly.groupby("week", as_index=False).agg(
            errors=("is_error", "sum"), n=("is_error", "size")
        )
        parts["weekly_chart"] = p_chart(
            week_counts, defects="errors", n="n", subgroup="week", laney=True
        )
        parts["segment_charts"] = control_charts(
            weekly, by=["site", "queue"], chart="laney_p", subgroup="week", outcome="is_error"
        )
        findings += _chart_findings(
            parts["weekly_chart"], parts["segment_charts"], pd.Timestamp(f"{month}-01")
        )
    if "change" in chosen:
        both = audits[audits["month"].isin([before, month])]
        parts["change"] = explain_change(
            both, dims=list(CHANGE_DIMS), period="month", current=month, baseline=before,
            weight=design_of(both)["weight"], alpha=CLAIM_ALPHA,
        )  # fmt: skip
        findings += _change_findings(parts["change"])
    if "root_causes" in chosen:
        both = audits[audits["month"].isin([before, month])]
        causes = both.loc[both["is_error"], "root_cause"].nunique()
        parts["root_causes"] = pareto(
            both, by_period="month", periods=(before, month), ci=1 - CLAIM_ALPHA / max(causes, 1)
        )
        findings += _root_cause_findings(parts["root_causes"])
    if "segments" in chosen:
        parts["by_site"] = accuracy_table(current, by="site", target=target)
        parts["by_queue"] = accuracy_table(current, by="queue", target=target)
        findings += _target_findings(parts["by_site"], "site", target)
        findings += _target_findings(parts["by_queue"], "queue", target)
    if "sites" in chosen:
        parts["standardised"] = standardised_rates(
            current, by="site", mix=["queue", "policy"], **design_of(current)
        )
        findings += _site_mix_findings(parts["standardised"])
    if "moderators" in chosen:
        recent = _window(audits, "month", month, MODERATOR_MONTHS)
        parts["moderators"] = moderator_outliers(recent)
        parts["named_moderators"] = _named_moderators(parts["moderators"], pseudonym_key)
        findings += _moderator_findings(parts["named_moderators"])
    if "calibration" in chosen and calibration is not None:
        from ..agreement import calibration_session

        standard = None
        if calibration_standard is not None:
            standard = calibration_standard.set_index("item_id")["label"]
        parts["calibration"] = calibration_session(
            calibration, item="item_id", rater="rater_id", label="label", standard=standard
        )
        findings += _calibration_findings(parts["calibration"])
    if "capability" in chosen:
        parts["capability"] = _capability_by_queue(current)
        findings += _capability_findings(parts["capability"], target)
    if "sampling" in chosen:
        parts["sampling"] = sampling_statement(current)
    return MonthlyReport(
        month=month, previous=before, target=target, findings=tuple(findings), **parts
    )
