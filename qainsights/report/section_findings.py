"""What each section of the Monthly Quality Report found, as findings with their actions."""

from __future__ import annotations

import pandas as pd

from .._validation import format_values
from ..capability import dpmo_to_sigma
from ..rca import ParetoResult
from ..spc import ControlChart, ControlChartSet
from ..trends import ChangeExplanation
from ..vendors import ALL_VENDORS, VendorComparison
from .findings import (
    CLAIM_ALPHA,
    CLAIM_FAMILIES,
    Finding,
    chart_action_segments,
    owner_of_cause,
    weekly_claim_weeks,
)
from .sections import Headline

__all__ = [
    "calibration_findings",
    "capability_findings",
    "change_findings",
    "chart_findings",
    "headline_findings",
    "moderator_findings",
    "root_cause_findings",
    "site_mix_findings",
    "target_findings",
    "vendor_findings",
]


def headline_findings(top: Headline) -> list[Finding]:
    """The headline's finding: accuracy against target and what to do about it."""
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


def chart_findings(weekly: ControlChart, segments: ControlChartSet, month_start) -> list[Finding]:
    """The control charts' findings: weekly claims beyond the limits, leads and segment signals."""
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


def change_findings(change: ChangeExplanation) -> list[Finding]:
    """The change section's finding: the segments that explain the change, if any."""
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


def root_cause_findings(result: ParetoResult) -> list[Finding]:
    """The root causes' findings: the vital few and the causes whose share grew."""
    vital = format_values(result.table.loc[result.table["vital"], result.category].tolist())
    found = [
        Finding(
            "root_causes",
            "low",  # a ranking of this month's causes, not a claim that anything changed
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


def target_findings(table: pd.DataFrame, dimension: str, target: float) -> list[Finding]:
    """Rows of an accuracy table below target beyond sampling error, as one finding."""
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


def vendor_findings(result: VendorComparison) -> list[Finding]:
    """The vendor findings: sites below target, the pooled gap and widening gaps."""
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


def moderator_findings(named: pd.DataFrame) -> list[Finding]:
    """The moderators' finding: how many are separable from the expected spread."""
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


def site_mix_findings(table: pd.DataFrame) -> list[Finding]:
    """Sites whose crude and standardised rates differ by over half a point."""
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


def calibration_findings(calibration) -> list[Finding]:
    """The calibration finding: raters separably below the pooled accuracy."""
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


def capability_findings(table: pd.DataFrame, target: float) -> list[Finding]:
    """Queues below the sigma level that the accuracy target implies."""
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
