"""What each section of the Monthly Quality Report found, as findings with their actions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._caller import public
from .._validation import format_values
from ..capability import dpmo_to_sigma
from ..rca import ParetoResult
from ..spc import ControlChart, ControlChartSet
from ..trends import ChangeExplanation
from ..vendors import ALL_VENDORS, VendorComparison
from .findings import (
    CLAIM_ALPHA,
    CLAIM_FAMILIES,
    RATER_ALPHA,
    SEGMENT_ALPHA,
    Finding,
    chart_action_segments,
    owner_of_cause,
    rater_evidence,
    weekly_claim_weeks,
)
from .impact import Impact, MonthErrors
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


def _target_words(target: float) -> str:
    return f"the {target:.1%} accuracy target"


def _beyond_target(month: MonthErrors | None, mask, target: float) -> Impact | None:
    """The errors of the rows in ``mask`` beyond those the accuracy target allows them."""
    if month is None:
        return None
    return month.excess(mask, 1.0 - target, reference=_target_words(target))


@public
def headline_findings(top: Headline, month: MonthErrors | None = None) -> list[Finding]:
    """The headline's finding: accuracy against target and what to do about it.

    With ``month`` (the report month's audits) each finding carries its impact: the month's
    errors beyond those the target allows.
    """
    row = top.table.set_index("month").loc[top.month]
    status = row["status"]
    everything = None if month is None else np.ones(len(month.rows), dtype=bool)
    impact = _beyond_target(month, everything, float(row["target"]))
    if status == "below target":
        return [
            Finding(
                "headline",
                "high",
                top.sentence(),
                "Recover accuracy: start with the "
                "segments that explain the change and the queues below target.",
                impact=impact,
            )
        ]
    if status == "not separable from target":
        return [
            Finding(
                "headline",
                "medium",
                top.sentence(),
                "Watch the next month: accuracy is within sampling error of the target.",
                impact=impact,
            )
        ]
    return [Finding("headline", "low", top.sentence(), "No action on the headline.", impact=impact)]


@public
def chart_findings(
    weekly: ControlChart,
    segments: ControlChartSet,
    month_start,
    month: MonthErrors | None = None,
    shifts: pd.DataFrame | None = None,
) -> list[Finding]:
    """The control charts' findings: weekly claims beyond the limits, leads and segment signals.

    With ``month`` (the report month's audits, with ``week`` and the segments' columns) a claim
    carries its impact: the errors of its weeks in the month beyond the chart's centre line.
    ``shifts`` (:func:`~qainsights.report.findings.segment_month_shifts`) adds a claim for each
    segment whose weeks of the month moved off its earlier weeks.
    """
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
            impact=_beyond_centre(month, claimed, ["week"], ["subgroup"],
                                  "the weekly chart's centre line"),
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
            f"{row.n:.0f} audits, exact test q = {row.q_value:.2g} < {SEGMENT_ALPHA:g}, false "
            "discovery rate controlled across segments).",
            f"Review {segment}'s recent weeks with its site lead.",
            impact=_beyond_centre(month, pd.DataFrame([row._asdict()]), [*segments.by, "week"],
                                  [*segments.by, "subgroup"], "its chart's centre line"),
        ))  # fmt: skip
    if shifts is not None:
        found += month_shift_findings(shifts, list(segments.by), month)
    return found


def month_shift_findings(
    shifts: pd.DataFrame, by: list[str], month: MonthErrors | None = None
) -> list[Finding]:
    """A claim for each segment whose weeks of the month moved off its earlier weeks: a rise is
    high priority, a fall medium; with ``month`` its impact is the month's errors in the
    segment beyond (or below) its earlier weeks' rate.
    """
    found = []
    claimed = shifts[shifts["claim"]]
    for row in claimed.itertuples():
        segment = " x ".join(str(getattr(row, b)) for b in by)
        rise = row.rate_current > row.rate_baseline
        baseline = claimed.loc[[row.Index], by].assign(center=row.rate_baseline)
        found.append(Finding(
            "control_charts", "high" if rise else "medium",
            f"{segment}: its error rate {'rose' if rise else 'fell'} to "
            f"{100 * row.rate_current:.1f}% over its {row.weeks_current} weeks of the month, "
            f"from {100 * row.rate_baseline:.1f}% over its {row.weeks_baseline} weeks before, "
            f"beyond their week-to-week noise (q = {row.q_value:.2g} < {SEGMENT_ALPHA:g}, false "
            "discovery rate controlled across segments).",
            f"Review {segment}'s month with its site lead: what changed, and since when?"
            if rise else f"Find what improved in {segment} and keep it.",
            impact=_beyond_centre(month, baseline, by, by, f"its {row.weeks_baseline} earlier "
                                  f"weeks' {100 * row.rate_baseline:.1f}%"),
        ))  # fmt: skip
    return found


def _beyond_centre(
    month: MonthErrors | None, points: pd.DataFrame, keys: list[str], columns: list[str],
    reference: str,
) -> Impact | None:  # fmt: skip
    """The errors of the month's rows in the charted ``points`` beyond each point's centre."""
    if month is None:
        return None
    centres = points[[*columns, "center"]].set_axis([*keys, "center"], axis=1)
    rows = month.rows
    near = np.ones(len(rows), dtype=bool)  # rows sharing every key value with some point
    for key in keys:  # a handful of key columns; the few rows left are matched exactly
        near &= rows[key].isin(centres[key].unique()).to_numpy()
    rate = np.full(len(rows), np.nan)
    matched = rows.loc[near, keys].merge(
        centres.astype({key: rows[key].dtype for key in keys}), on=keys, how="left"
    )
    rate[near] = matched["center"].to_numpy(dtype="float64")
    return month.excess(~np.isnan(rate), rate, reference=reference)


@public
def change_findings(change: ChangeExplanation, month: MonthErrors | None = None) -> list[Finding]:
    """The change section's finding: the overall change's verdict and what it is made of.

    One claim with the change tile: a change beyond noise
    (:func:`~qainsights.report.change_test.change_verdict`, the overall row's ``p_value``
    below :data:`CLAIM_ALPHA`) is a medium-priority finding even when no segment explains it
    (then it is mostly a change in the mix, or spread thinly:
    :func:`~qainsights.report.change_test.change_story`); so is a change that segments
    explain. With ``month`` its impact is the change of the overall rate, as errors of the
    month.
    """
    from .change_test import change_story

    overall = change.overall
    difference = float(overall["difference"].iloc[0])
    impact = None if month is None else month.change(difference, reference="last month's rate")
    p_value = float(overall["p_value"].iloc[0]) if "p_value" in overall else np.nan
    claimed = bool(p_value < CLAIM_ALPHA)
    named = not change.explanation.empty
    owner = ""
    if named:
        action = "Discuss the segments named with their owners."
    elif claimed and change_story(change).startswith("mostly a change in the mix"):
        action = (
            "Ask why the mix of work moved (routing, volumes): rates within the segments did "
            "not; compare months on a common mix before acting on the rate."
        )
        owner = "Workforce Management"
    elif claimed:
        action = (
            "No segment accounts for the change from last month: review the month across the "
            "operation."
        )
    else:
        action = "No segment accounts for the change from last month."
    return [
        Finding(
            "change",
            "medium" if named or claimed else "low",
            change.summary(),
            action,
            owner,
            impact=impact,
        )
    ]


@public
def root_cause_findings(result: ParetoResult, month: MonthErrors | None = None) -> list[Finding]:
    """The root causes' findings: the vital few and the causes whose share grew.

    With ``month`` the vital few carry the errors they are, a growing cause the errors its
    growth in share is (the change in share x the month's errors).
    """
    vital_rows = result.table["vital"].to_numpy(dtype=bool)
    vital = format_values(result.table.loc[vital_rows, result.category].tolist())
    share = float(result.table.loc[vital_rows, "share"].sum())
    found = [
        Finding(
            "root_causes",
            "low",  # a ranking of this month's causes, not a claim that anything changed
            f"The vital few root causes this month: {vital}.",
            "Aim training and guideline work at these first.",
            impact=None if month is None else month.share(share),
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
                None
                if month is None
                else month.share(
                    row.share_after - row.share_before,
                    reference=f"its {row.share_before:.0%} share of last month's errors",
                ),
            )
        )
    return found


@public
def target_findings(
    table: pd.DataFrame, dimension: str, target: float, month: MonthErrors | None = None
) -> list[Finding]:
    """Rows of an accuracy table below target beyond sampling error, as one finding.

    With ``month`` its impact is their errors beyond those the target allows.
    """
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
            impact=_beyond_target(month, _isin(month, dimension, below[dimension]), target),
        )
    ]


def _isin(month: MonthErrors | None, column: str, values) -> np.ndarray | None:
    return None if month is None else month.rows[column].isin(list(values)).to_numpy()


@public
def vendor_findings(result: VendorComparison, month: MonthErrors | None = None) -> list[Finding]:
    """The vendor findings: sites below target, the pooled gap and widening gaps.

    With ``month`` each carries its impact: errors beyond the target for sites below it; the
    gap to in-house on the common mix times the vendors' (or the site's) decisions for gaps.
    """
    card = result.scorecard.set_index("unit")
    found = []
    below = card[(card["status"] == "below target") & (card.index != ALL_VENDORS)]
    if len(below):
        found.append(Finding(
            "vendors", "high",
            f"Vendor site(s) {format_values(below.index.tolist())} are below the "
            f"{result.scorecard['target'].iloc[0]:.1%} accuracy target beyond sampling error.",
            "Raise it in the vendor's quality review with a recovery plan and a date.",
            impact=_beyond_target(month, _isin(month, "site", below.index),
                                  float(result.scorecard["target"].iloc[0])),
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
            impact=None if month is None else month.scaled(
                _isin(month, "site_type", ["vendor"]), pooled["gap"],
                reference="in-house's rate on the same mix of work"),
        ))  # fmt: skip
    widening = card[(card["direction"] == "widening") & (card.index != ALL_VENDORS)]
    if len(widening):
        found.append(Finding(
            "vendors", "medium",
            f"The gap to in-house is widening at {format_values(widening.index.tolist())} "
            f"over the last {result.trend['month'].nunique()} months.",
            "Ask the vendor what changed (staffing, attrition, tooling) before it shows in target.",
            impact=None if month is None else month.scaled(
                _isin(month, "site", widening.index),
                month.rows["site"].map(widening["gap"]).astype("float64").to_numpy(),
                reference="in-house's rate on the same mix of work"),
        ))  # fmt: skip
    return found


@public
def moderator_findings(named: pd.DataFrame, impact: Impact | None = None) -> list[Finding]:
    """The moderators' finding: how many are separable from the expected spread.

    ``impact``: the errors of the separably high moderators beyond the month's overall rate
    (measured by the caller, who knows them by name).
    """
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
            impact=impact if high else None,
        )
    ]


@public
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


@public
def calibration_findings(calibration) -> list[Finding]:
    """The calibration finding: raters separably less accurate than the other raters, by the
    test of :func:`~qainsights.report.findings.rater_evidence`.
    """
    raters = rater_evidence(calibration.raters)
    pooled = raters["agreements"].sum() / raters["n_items"].sum()
    weak = raters[raters["below_others"]]
    if weak.empty:
        return [
            Finding(
                "calibration",
                "low",
                f"No rater's accuracy is separably below the other raters' (pooled "
                f"{pooled:.1%}, false discovery rate {RATER_ALPHA:.0%}).",
                "Keep the calibration cadence.",
            )
        ]
    names = format_values(weak["rater"].tolist())
    return [
        Finding(
            "calibration",
            "medium",
            f"Rater(s) {names} agree with the {calibration.reference} separably less often "
            f"than the other raters (pooled {pooled:.1%}; one-sided test against the others' "
            f"accuracy, false discovery rate {RATER_ALPHA:.0%} over the {len(raters)} raters).",
            "Recalibrate them on the disputed items before their next audits.",
        )
    ]


@public
def capability_findings(
    table: pd.DataFrame, target: float, month: MonthErrors | None = None
) -> list[Finding]:
    """Queues below the sigma level that the accuracy target implies.

    With ``month`` the impact is their errors beyond those the target allows.
    """
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
            impact=_beyond_target(month, _isin(month, "queue", short["queue"]), target),
        )
    ]
