"""The sections of the Monthly Quality Report, each computed on its own.

Every section is a function of the report's :class:`Context` that returns its parts and
findings, or raises :class:`Omitted` with the one-line reason it cannot be computed on
these data; :data:`SECTION_PARTS` lists them in report order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd

from .._compat import STR
from ..audits import pseudonymize
from ..capability import attribute_capability
from ..moderators import ModeratorOutliers, moderator_outliers
from ..rates import error_rate
from ..rca import pareto, severity_index
from ..spc import ControlChart, control_charts, p_chart
from ..standardization import standardized_rates
from ..trends import explain_change, trend_test
from ..vendors import NoCommonMixError, compare_site_types
from .change_test import overall_change, with_overall_test
from .comments import comments_section, why_no_comments
from .estimand import effective_counts
from .findings import CLAIM_ALPHA, Finding, rater_evidence, segment_month_shifts
from .impact import MonthErrors
from .section_findings import (
    calibration_findings,
    capability_findings,
    change_findings,
    chart_findings,
    headline_findings,
    moderator_findings,
    root_cause_findings,
    site_mix_findings,
    target_findings,
    vendor_findings,
)
from .sections import accuracy_table, enforcement_table, headline, sampling_statement

__all__ = [
    "CHANGE_DIMS",
    "MODERATOR_MONTHS",
    "NOT_RECORDED",
    "PART_OF",
    "PART_TITLES",
    "SECTION_PARTS",
    "Context",
    "Omitted",
]

#: Segment dimensions searched for the change of the month.
CHANGE_DIMS = ("site", "queue", "policy", "market")
#: Months of audits behind the moderator distribution (one month is too few audits per person).
MODERATOR_MONTHS = 3
#: Months of the vendor gaps' trend.
VENDOR_MONTHS = 6
#: The root cause shown for errors without one.
NOT_RECORDED = "(not recorded)"


def _window(audits: pd.DataFrame, column: str, last, count: int) -> pd.DataFrame:
    """The rows of the ``count`` periods up to ``last`` (the table itself when that is all)."""
    present = np.sort(audits[column].unique())
    periods = present[present <= last][-count:]
    if len(periods) == len(present):  # every row: no copy of the table
        return audits
    return audits[audits[column].isin(periods)]


def _month_end_week(audits: pd.DataFrame, month: str) -> pd.Timestamp:
    return audits.loc[audits["month"] == month, "week"].max()


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


@dataclass(frozen=True)
class Context:
    """What every section reads: the data, the months compared and the report's estimand.

    The rows of the report month (:attr:`current`) and of both months compared
    (:attr:`both`) are selected once, on first use, and shared by the sections.
    """

    audits: pd.DataFrame
    month: str
    before: str
    target: float
    weight: str | None
    strata: str | None
    cluster: str | None
    calibration: pd.DataFrame | None
    calibration_standard: pd.DataFrame | None
    pseudonym_key: str | bytes | None
    chosen: tuple[str, ...]

    @cached_property
    def current(self) -> pd.DataFrame:
        """The audits of the report month."""
        return self.audits[self.audits["month"] == self.month]

    @cached_property
    def errors(self) -> MonthErrors:
        """The report month's errors in the report's estimand, to measure findings' impact."""
        return MonthErrors(self.current, self.weight)

    def counted(self, *columns: str) -> pd.DataFrame:
        """The audits' ``columns`` with the outcome and the weight: what
        :func:`~qainsights.report.estimand.effective_counts` reads, so that the rows a
        section selects are copied narrow.
        """
        read = [*columns, "is_error", *([self.weight] if self.weight else [])]
        return self.audits[list(dict.fromkeys(read))]

    @cached_property
    def both(self) -> pd.DataFrame:
        """The audits of the report month and the month before."""
        return self.audits[self.audits["month"].isin([self.before, self.month])]


class Omitted(Exception):
    """A section that cannot be computed on these data; the message says why, in one line."""


def _has_previous(ctx: Context) -> None:
    if not (ctx.audits["month"] == ctx.before).any():
        raise Omitted(f"no audits in {ctx.before}, the month before, to compare with.")


def _headline_section(ctx: Context) -> tuple[dict, list[Finding]]:
    top = headline(ctx.audits, month=ctx.month, target=ctx.target)
    return {"headline": top}, headline_findings(top, ctx.errors)


def _direction_section(ctx: Context) -> tuple[dict, list[Finding]]:
    months = _window(ctx.counted("month"), "month", ctx.month, 13)
    counts = effective_counts(months, by="month", weight=ctx.weight)
    if len(counts) < 3:
        raise Omitted(f"{len(counts)} month(s) of audits: a direction needs at least three.")
    return {"direction": trend_test(counts, period="month", errors="errors", n="n")}, []


def _directions_section(ctx: Context) -> tuple[dict, list[Finding]]:
    return {"directions": enforcement_table(ctx.current)}, []


def _severity_section(ctx: Context) -> tuple[dict, list[Finding]]:
    both = ctx.both
    errors = both["is_error"].to_numpy(dtype=bool)
    if "severity" not in both:
        raise Omitted("the audits have no 'severity' column.")
    unknown = int(both.loc[errors, "severity"].isna().sum())
    if unknown:
        raise Omitted(
            f"{unknown:,} of the {int(errors.sum()):,} errors in {ctx.before} and {ctx.month} "
            "have no severity recorded, so the index would understate the cost of errors."
        )
    index = severity_index(both, by="month", weight=ctx.weight, strata=ctx.strata)
    return {"severity": index}, []


def _period_chart(ctx: Context, frame: pd.DataFrame, period: str) -> ControlChart:
    counts = effective_counts(frame, by=period, weight=ctx.weight)
    return p_chart(counts, defects="errors", n="n", subgroup=period, laney=True)


def _charts_section(ctx: Context) -> tuple[dict, list[Finding]]:
    audits = ctx.audits
    monthly = _period_chart(ctx, _window(ctx.counted("month"), "month", ctx.month, 13), "month")
    weeks = ctx.counted("week", "site", "queue")
    weekly_rows = _window(weeks, "week", _month_end_week(audits, ctx.month), 26)
    weekly = _period_chart(ctx, weekly_rows, "week")
    cells = effective_counts(weekly_rows, by=["site", "queue", "week"], weight=ctx.weight)
    segments = control_charts(
        cells, by=["site", "queue"], chart="laney_p", subgroup="week", defects="errors", n="n",
        rules="nelson",
    )  # fmt: skip
    shifts = segment_month_shifts(cells, by=["site", "queue"], month=ctx.month)
    parts = {"monthly_chart": monthly, "weekly_chart": weekly, "segment_charts": segments,
             "segment_months": shifts}  # fmt: skip
    found = chart_findings(weekly, segments, pd.Timestamp(f"{ctx.month}-01"), ctx.errors, shifts)
    return parts, found


def _change_section(ctx: Context) -> tuple[dict, list[Finding]]:
    _has_previous(ctx)
    change = explain_change(
        ctx.both, by=list(CHANGE_DIMS), period="month", current=ctx.month,
        baseline=ctx.before, weight=ctx.weight, alpha=CLAIM_ALPHA, ci=1 - CLAIM_ALPHA,
    )  # fmt: skip
    # the overall change is judged once, against process noise, for every place that states it
    test = overall_change(
        ctx.counted("month", "week", *([ctx.cluster] if ctx.cluster else [])),
        month=ctx.month, previous=ctx.before, weight=ctx.weight, cluster=ctx.cluster,
    )  # fmt: skip
    # each month's interval in the report's design, as the headline's accuracy
    months = error_rate(
        ctx.both, by="month", weight=ctx.weight, strata=ctx.strata, cluster=ctx.cluster
    )
    change = with_overall_test(change, test, months=months)
    return {"change": change}, change_findings(change, ctx.errors)


def _root_cause_section(ctx: Context) -> tuple[dict, list[Finding]]:
    both = ctx.both
    if "root_cause" not in both or both.loc[both["is_error"], "root_cause"].isna().all():
        raise Omitted("no root cause is recorded on the errors of these months.")
    errors = both[both["is_error"].to_numpy(dtype=bool)]
    in_month = errors["month"] == ctx.month
    if not in_month.any():
        raise Omitted(f"no errors in {ctx.month}, so no root causes to rank.")
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
        cluster=ctx.cluster if compared else None,
        ci=1 - CLAIM_ALPHA / max(causes, 1),
        weight=ctx.weight,
    )
    return {"root_causes": result}, root_cause_findings(result, ctx.errors)


def _segments_section(ctx: Context) -> tuple[dict, list[Finding]]:
    current = ctx.current
    by_site = accuracy_table(current, by="site", target=ctx.target)
    by_queue = accuracy_table(current, by="queue", target=ctx.target)
    sites = by_site
    if "vendors" in ctx.chosen and "site_type" in current:  # vendor sites: the vendor findings
        vendor_sites = set(current.loc[current["site_type"] == "vendor", "site"].unique())
        sites = by_site[~by_site["site"].isin(vendor_sites)]
    findings = target_findings(sites, "site", ctx.target, ctx.errors)
    findings += target_findings(by_queue, "queue", ctx.target, ctx.errors)
    return {"by_site": by_site, "by_queue": by_queue}, findings


def _sites_section(ctx: Context) -> tuple[dict, list[Finding]]:
    current = ctx.current
    if current["site"].nunique() < 2:
        raise Omitted("one site only: there is no other site to compare it with.")
    table = standardized_rates(
        current, by="site", mix=["queue", "policy"], weight=ctx.weight, strata=ctx.strata,
        cluster=ctx.cluster,
    )  # fmt: skip
    # site_mix_findings still reads the rate under its former spelling
    former = table.rename(columns={"standardized_rate": "standardised_rate"})
    return {"standardised": table}, site_mix_findings(former)


def _vendors_section(ctx: Context) -> tuple[dict, list[Finding]]:
    current = ctx.current
    kinds = (
        set(current["site_type"].dropna().drop_duplicates().astype(STR))
        if "site_type" in current
        else set()
    )
    if not {"in_house", "vendor"} <= kinds:
        raise Omitted(
            f"the audits of {ctx.month} do not name both in-house and vendor sites "
            "(column 'site_type')."
        )
    for mix in (("queue", "policy"), ("queue",)):  # the finest mix that all units share
        try:
            result = compare_site_types(  # selects its months' rows of the columns it reads
                ctx.audits, month=ctx.month, target=ctx.target, mix=mix, months=VENDOR_MONTHS,
                weight=ctx.weight, strata=ctx.strata, cluster=ctx.cluster,
            )  # fmt: skip
        except NoCommonMixError:
            continue
        return {"vendors": result}, vendor_findings(result, ctx.errors)
    raise Omitted("no queue has audits from in-house and every vendor site this month.")


def _moderators_section(ctx: Context) -> tuple[dict, list[Finding]]:
    if "moderator_id" not in ctx.audits:
        raise Omitted("the audits have no 'moderator_id' column.")
    read = ctx.audits[["month", "moderator_id", "is_error"]]  # what moderator_outliers reads
    recent = _window(read, "month", ctx.month, MODERATOR_MONTHS)
    count = recent["moderator_id"].nunique()
    if count < 3:
        raise Omitted(
            f"{count} moderator(s) in the last {MODERATOR_MONTHS} months: the spread between "
            "moderators needs at least three to estimate."
        )
    errors = int(recent["is_error"].sum())
    if errors in (0, len(recent)):
        raise Omitted(
            f"{'no' if errors == 0 else 'only'} errors in the {len(recent):,} audits of the last "
            f"{MODERATOR_MONTHS} months: moderators cannot be told apart."
        )
    result = moderator_outliers(recent)
    named = _named_moderators(result, ctx.pseudonym_key)
    high = result.table.loc[result.table["status"] == "separable high", "moderator"]
    month = ctx.errors
    impact = month.excess(
        ctx.current["moderator_id"].isin(high).to_numpy(), month.total / max(month.decisions, 1e-300),
        reference="the month's overall rate",
    )  # fmt: skip
    return {"moderators": result, "named_moderators": named}, moderator_findings(named, impact)


def _calibration_section(ctx: Context) -> tuple[dict, list[Finding]]:
    if ctx.calibration is None:
        raise Omitted("no calibration ratings were given.")
    from ..agreement import calibration_session

    standard = None
    if ctx.calibration_standard is not None:
        standard = ctx.calibration_standard.set_index("item_id")["label"]
    result = calibration_session(
        ctx.calibration, item="item_id", rater="rater_id", label="label", standard=standard
    )
    # the raters' table carries the test the finding reads, for the page and the export alike
    result = replace(result, raters=rater_evidence(result.raters))
    return {"calibration": result}, calibration_findings(result)


def _comments_section(ctx: Context) -> tuple[dict, list[Finding]]:
    reason = why_no_comments(ctx.audits, month=ctx.month, previous=ctx.before)
    if reason is not None:
        raise Omitted(reason)
    return {"comments": comments_section(ctx.both, month=ctx.month, previous=ctx.before)}, []


def _capability_section(ctx: Context) -> tuple[dict, list[Finding]]:
    table = _capability_by_queue(ctx.current, ctx.weight)
    return {"capability": table}, capability_findings(table, ctx.target, ctx.errors)


def _sampling_section(ctx: Context) -> tuple[dict, list[Finding]]:
    return {"sampling": sampling_statement(ctx.current)}, []


#: Each section's computation, in report order (``directions`` also gives the severity index).
SECTION_PARTS = {
    "headline": (_headline_section, _direction_section),
    "directions": (_directions_section, _severity_section),
    "control_charts": (_charts_section,),
    "change": (_change_section,),
    "root_causes": (_root_cause_section,),
    "comments": (_comments_section,),
    "segments": (_segments_section,),
    "sites": (_sites_section,),
    "vendors": (_vendors_section,),
    "moderators": (_moderators_section,),
    "calibration": (_calibration_section,),
    "capability": (_capability_section,),
    "sampling": (_sampling_section,),
    "actions": (),
}
PART_OF = {_severity_section: "severity", _direction_section: "direction"}
#: Titles of the parts that can be left out, for the one-line reasons.
PART_TITLES = {
    "headline": "Headline",
    "direction": "13-month direction",
    "directions": "Error directions",
    "severity": "Severity index",
    "control_charts": "Control charts",
    "change": "What changed",
    "root_causes": "Root causes",
    "comments": "What the comments say",
    "segments": "Accuracy by site and queue",
    "sites": "Sites on a common mix",
    "vendors": "In-house and vendor sites",
    "moderators": "Moderators",
    "calibration": "Calibration",
    "capability": "Capability",
    "sampling": "Sampling statement",
}
