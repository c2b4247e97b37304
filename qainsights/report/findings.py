"""Findings of the report's sections, and the actions they call for."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import t as student_t

from .._caller import caller, public
from .._validation import as_column_list, check_columns, check_frame
from .impact import Impact

__all__ = [
    "CAUSE_OWNERS",
    "CLAIM_ALPHA",
    "CLAIM_FAMILIES",
    "FALSE_ALARM_BUDGET",
    "MIN_ERRORS",
    "OWNERS",
    "PRIORITIES",
    "RATER_ALPHA",
    "SECTION_OWNERS",
    "SEGMENT_ALPHA",
    "Finding",
    "actions_table",
    "chart_action_segments",
    "month_weeks",
    "owner_of_cause",
    "rater_evidence",
    "segment_evidence",
    "segment_month_shifts",
    "weekly_claim_weeks",
]

#: Priorities from most to least urgent.
PRIORITIES = ("high", "medium", "low")
#: The functions that own an action.
OWNERS = (
    "Training",
    "Policy",
    "Workforce Management",
    "Vendor management",
    "Enforcement operations",
    "Product",
)
#: Who owns a section's actions unless the finding names another owner.
SECTION_OWNERS = {
    "headline": "Enforcement operations",
    "control_charts": "Enforcement operations",
    "change": "Enforcement operations",
    "root_causes": "Training",
    "segments": "Enforcement operations",
    "sites": "Workforce Management",
    "vendors": "Vendor management",
    "moderators": "Training",
    "calibration": "Training",
    "capability": "Product",
}
#: The fewest errors in a segment's latest subgroup for its signal to become an action: with
#: one or two errors no test separates a special cause from a rare week, whatever the cell size.
MIN_ERRORS = 3
#: A month without any change may carry a high- or medium-priority claim of change with at most
#: this probability. Four families of findings can claim one; each gets an equal share of the
#: budget (Bonferroni), so together they stay within it. The weekly chart's share is what its
#: 3-sigma limits spend over a month's four or five weeks (0.27 % a week); the share actually
#: spent is measured on simulated months without change in benchmarks/calibration.py.
FALSE_ALARM_BUDGET = 0.05
CLAIM_FAMILIES = ("weekly chart", "segment scan", "change explanation", "root-cause trend")
#: The false-alarm rate each family of change claims is tested at.
CLAIM_ALPHA = FALSE_ALARM_BUDGET / len(CLAIM_FAMILIES)
#: The segment scan asks two questions of every segment, each at half the family's share
#: (Bonferroni): is its latest week beyond its limits (a spike), and are its weeks of the report
#: month off its earlier weeks (a shift that lasts, too small for any one week to show)?
SEGMENT_ALPHA = CLAIM_ALPHA / 2
#: The false discovery rate of the raters a calibration session names as less accurate than the
#: others (Benjamini-Hochberg over the raters' one-sided tests); with equally accurate raters,
#: the chance that a session names anybody.
RATER_ALPHA = 0.05


#: Words in a root-cause code and the function that owns such causes (first match wins).
CAUSE_OWNERS = (
    (("misread", "misapplied", "training", "knowledge"), "Training"),
    (("tool", "ui", "bug", "queue_routing", "system"), "Product"),
    (("fatigue", "workload", "staffing", "shift", "backlog"), "Workforce Management"),
    (("policy", "guideline"), "Policy"),
)


@public
def owner_of_cause(cause: object) -> str:
    """The function that owns errors of a root cause, read from the words of its code.

    Misreadings and training gaps go to Training, tooling causes to Product, workload causes
    to Workforce Management, guideline and policy causes to Policy, the rest (missed
    context, ...) to Training.

    Examples
    --------
    >>> [owner_of_cause(c) for c in ("tool_issue", "fatigue", "policy_ambiguity", "training_gap")]
    ['Product', 'Workforce Management', 'Policy', 'Training']
    >>> owner_of_cause("guideline_misread"), owner_of_cause("guideline_unclear")
    ('Training', 'Policy')
    """
    words = str(cause).lower().replace("-", "_").replace(" ", "_").split("_")
    for keys, owner in CAUSE_OWNERS:
        if any(key in words for key in keys):
            return owner
    return "Training"


@dataclass(frozen=True)
class Finding:
    """One finding of a report section and the action it calls for.

    Examples
    --------
    >>> found = Finding("headline", "high", "Accuracy 90.1% is below the 92.0% target.", "Act.")
    >>> found.priority, found.owner
    ('high', 'Enforcement operations')

    The owner defaults to the section's (:data:`SECTION_OWNERS`); a finding may name another
    of :data:`OWNERS`. ``impact`` is what the finding accounts for this month
    (:class:`~qainsights.report.impact.Impact`), when it can be measured in errors.
    """

    section: str
    priority: str
    finding: str
    action: str
    owner: str = ""
    impact: Impact | None = None

    def __post_init__(self) -> None:
        if self.priority not in PRIORITIES:
            raise ValueError(
                f"The 'priority' of a Finding must be one of {', '.join(map(repr, PRIORITIES))}. "
                f"Got {self.priority!r} instead."
            )
        owner = self.owner or SECTION_OWNERS.get(self.section, "Enforcement operations")
        if owner not in OWNERS:
            raise ValueError(
                f"The 'owner' of a Finding must be one of {', '.join(map(repr, OWNERS))}. "
                f"Got {self.owner!r} instead."
            )
        object.__setattr__(self, "owner", owner)


@public
def actions_table(findings: Iterable[Finding]) -> pd.DataFrame:
    """The findings as a table in the first screen's order: high priority first, then medium,
    then low; within a priority the largest impact first (a gain counts as much as a loss),
    then the findings without one (sections keep their report order).

    ``impact_errors`` and ``impact_points`` are what each finding accounts for this month
    (:class:`~qainsights.report.impact.Impact`; empty where it has no measure in errors).

    Examples
    --------
    >>> table = actions_table([Finding("sites", "low", "a", "b"),
    ...                        Finding("headline", "high", "c", "d")])
    >>> table[["priority", "section", "owner"]]
      priority   section                   owner
    0     high  headline  Enforcement operations
    1      low     sites    Workforce Management
    """
    rows = [
        (f.priority, f.section, f.finding, f.action, f.owner,
         np.nan if f.impact is None else f.impact.errors,
         np.nan if f.impact is None else f.impact.points)
        for f in findings
    ]  # fmt: skip
    table = pd.DataFrame(
        rows,
        columns=["priority", "section", "finding", "action", "owner", "impact_errors",
                 "impact_points"],
    )  # fmt: skip
    ranked = table.assign(
        _rank=table["priority"].map({p: i for i, p in enumerate(PRIORITIES)}),
        _size=-table["impact_errors"].abs(),
    ).sort_values(["_rank", "_size"], kind="stable", na_position="last")
    return ranked.drop(columns=["_rank", "_size"]).reset_index(drop=True)


@public
def chart_action_segments(
    summary: pd.DataFrame, *, alpha: float = SEGMENT_ALPHA, min_errors: int = MIN_ERRORS
) -> pd.DataFrame:
    """The segments of a proportion chart scan whose latest subgroup calls for action.

    A segment qualifies when all three hold: its latest point is beyond its control limits
    (``status == "out of control"``); its exact latest-point test survives the false discovery
    rate across segments (``q_value < alpha``); and the latest subgroup holds at least
    ``min_errors`` errors (``value * n``), the minimum of evidence, so that one error in two
    audits never becomes an action however surprising its rate.

    Parameters
    ----------
    summary : DataFrame
        :attr:`~qainsights.spc.ControlChartSet.segments` of a p or Laney p' scan.
    alpha : float, default :data:`SEGMENT_ALPHA`
        False discovery rate (the latest week's half of the segment scan's share of the
        report's false-alarm budget).
    min_errors : int, default :data:`MIN_ERRORS`
        The fewest errors in the latest subgroup.

    Returns
    -------
    DataFrame
        The qualifying rows of ``summary``, in its order.

    Examples
    --------
    >>> summary = pd.DataFrame({"site": ["A", "B", "C"], "value": [0.5, 0.3, 0.2],
    ...                         "n": [2, 40, 50], "status": ["out of control"] * 2 + ["shift"],
    ...                         "q_value": [0.01, 0.002, 0.001]})
    >>> chart_action_segments(summary)["site"].tolist()
    ['B']
    """
    errors = np.round(summary["value"].to_numpy() * summary["n"].to_numpy())
    keep = (
        (summary["status"] == "out of control").to_numpy()
        & (summary["q_value"].to_numpy() < alpha)
        & (errors >= min_errors)
    )
    return summary[keep]


@public
def rater_evidence(raters: pd.DataFrame, *, alpha: float = RATER_ALPHA) -> pd.DataFrame:
    """The raters' accuracy table with the test the calibration finding reads.

    Each rater's agreements are compared with the other raters' (``others_accuracy``) by
    Fisher's exact test of a shortfall, one-sided, with Lancaster's mid-p: ``p_value`` is the
    hypergeometric probability, given the session's total agreements, of fewer agreements
    than the rater's plus half that of as many (fractional agreements, from ties of the
    consensus, are rounded to whole ones). In sessions of 100 items of equally accurate
    raters the normal score test named a rater in 7.6 %, Fisher's p-value in 3.9 %, the
    mid-p in 5.3 %. ``q_value`` is Benjamini-Hochberg's across the raters, and
    ``below_others`` is True where it is below ``alpha``: a session of equally accurate raters
    names one with at most about ``alpha`` (less, as raters who score the same items err
    together on the hard ones, which the test does not count on). Measured in
    ``benchmarks/calibration.py``: 95 % intervals against the pooled accuracy named a rater in
    14-18 % of sessions of 8 equally accurate raters.

    Parameters
    ----------
    raters : DataFrame
        :func:`~qainsights.agreement.rater_accuracy`'s table (``agreements``, ``n_items``).
    alpha : float, default :data:`RATER_ALPHA`
        False discovery rate of the raters named.

    Examples
    --------
    >>> raters = pd.DataFrame({"rater": ["a", "b", "c", "d"], "n_items": [300] * 4,
    ...                        "agreements": [270, 265, 268, 230]})
    >>> rater_evidence(raters)[["rater", "others_accuracy", "q_value", "below_others"]].round(4)
      rater  others_accuracy  q_value  below_others
    0     a           0.8478   0.9895         False
    1     b           0.8533   0.9895         False
    2     c           0.8500   0.9895         False
    3     d           0.8922   0.0000          True
    """
    from scipy.stats import hypergeom

    from .._multiple import q_values

    check_frame(raters, name="raters")
    check_columns(raters, ["agreements", "n_items"], param="raters")
    agreements = raters["agreements"].to_numpy(dtype=float)
    n_items = raters["n_items"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        others = (agreements.sum() - agreements) / (n_items.sum() - n_items)
    whole = np.round(agreements).astype(np.int64)
    items = n_items.astype(np.int64)
    drawn = (items.sum(), whole.sum(), items)
    p_value = hypergeom.cdf(whole, *drawn) - 0.5 * hypergeom.pmf(whole, *drawn)
    q_value = q_values(np.where(items < items.sum(), p_value, np.nan))
    return raters.assign(
        others_accuracy=others, p_value=p_value, q_value=q_value, below_others=q_value < alpha
    )


@public
def segment_evidence(
    summary: pd.DataFrame, *, alpha: float = SEGMENT_ALPHA, min_errors: int = MIN_ERRORS
) -> pd.Series:
    """What each segment's latest-week signal is worth, by the rule that makes it an action.

    A segment that :func:`chart_action_segments` keeps is a ``"claim"``; any other signal (a
    run-rule shift, a point beyond the limits whose q-value does not separate it from chance
    or that rests on too few errors) is a ``"lead"``, with its q-value, to look at again;
    a segment without a signal is ``"in control"``.

    Parameters
    ----------
    summary : DataFrame
        :attr:`~qainsights.spc.ControlChartSet.segments` of a p or Laney p' scan.
    alpha, min_errors
        As in :func:`chart_action_segments`.

    Returns
    -------
    Series of str
        One label per row of ``summary``, on its index.

    Examples
    --------
    >>> summary = pd.DataFrame({"site": ["A", "B", "C", "D"], "value": [0.5, 0.3, 0.2, 0.1],
    ...                         "n": [2, 40, 50, 50],
    ...                         "status": ["out of control"] * 2 + ["shift", "in control"],
    ...                         "q_value": [0.01, 0.002, 1.0, 1.0]})
    >>> segment_evidence(summary).tolist()
    ['lead (out of control, q = 0.01)', 'claim', 'lead (shift, q = 1)', 'in control']

    References
    ----------
    .. [1] Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate.
       *Journal of the Royal Statistical Society B* 57, 289-300.
    """
    claimed = summary.index.isin(chart_action_segments(summary, alpha=alpha,
                                                       min_errors=min_errors).index)  # fmt: skip
    leads = "lead (" + summary["status"].astype(str) + ", q = " + summary["q_value"].map(
        "{:.2g}".format
    ) + ")"  # fmt: skip
    calm = (summary["status"] == "in control").to_numpy()
    labels = np.where(claimed, "claim", np.where(calm, "in control", leads))
    return pd.Series(labels, index=summary.index, name="evidence", dtype=object)


def _check_month(month) -> None:
    if not isinstance(month, str) or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ValueError(
            f"The 'month' parameter of {caller()} must be a month as 'YYYY-MM', for example "
            f"'2026-09'. Got {month!r}."
        )


@public
def month_weeks(weeks, month: str) -> pd.DatetimeIndex:
    """The weeks (Monday starts) that belong to ``month``: those that start in it.

    A week is named by its Monday, as the weekly charts label it, so the report judges the
    same weeks of the month in the weekly chart and in the segments' comparison; a week that
    straddles two months belongs to the one it starts in.

    Examples
    --------
    >>> weeks = pd.date_range("2026-08-24", periods=7, freq="W-MON")
    >>> [f"{w:%d %b}" for w in month_weeks(weeks, "2026-09")]
    ['07 Sep', '14 Sep', '21 Sep', '28 Sep']
    """
    _check_month(month)
    starts = pd.DatetimeIndex(pd.to_datetime(np.asarray(weeks)))
    return starts[starts.to_period("M") == pd.Period(month, freq="M")]


@public
def segment_month_shifts(
    cells: pd.DataFrame,
    *,
    by: str | list[str],
    month: str,
    alpha: float = SEGMENT_ALPHA,
    min_errors: int = MIN_ERRORS,
) -> pd.DataFrame | None:
    """Each segment's weeks of the report month against its earlier weeks, and which to claim.

    A shift that lasts the month but is too small for any one week to leave its control
    limits (twice the error odds in a cell of 100 audits a week) is found by comparing the
    segment's weeks of ``month`` (:func:`month_weeks`) with its earlier weeks through
    :func:`~qainsights.trends.compare_periods` with the weeks as periods: each segment's
    spread of its weeks, moderated toward its peers' and allowing for shocks that persist,
    sets its noise, and the q-values control the false discovery rate across segments. A
    segment is claimed (``claim``) when its q-value is below ``alpha`` and, for a rise, the
    month holds at least ``min_errors`` errors.

    Parameters
    ----------
    cells : DataFrame
        Errors and audits (``errors``, ``n``; effective counts in the report's estimand) per
        segment and ``week``.
    by : str or list of str
        The segment columns.
    month : str
        The report month, ``'YYYY-MM'``.
    alpha : float, default :data:`SEGMENT_ALPHA`
        False discovery rate (the month's half of the segment scan's share of the report's
        false-alarm budget).
    min_errors : int, default :data:`MIN_ERRORS`
        The fewest errors in the month for a rise to be claimed.

    Returns
    -------
    DataFrame or None
        :attr:`~qainsights.trends.PeriodComparison.segments` (the month is ``current``)
        with ``weeks_baseline``, ``weeks_current`` and ``claim``; None when the cells hold
        no week of the month or none before it.

    Examples
    --------
    Two segments over 22 weeks of 100 audits; in September B's error rate is 12 % against 5 %:

    >>> weeks = pd.date_range("2026-05-04", periods=22, freq="W-MON")
    >>> sep = np.isin(weeks, month_weeks(weeks, "2026-09"))
    >>> cells = pd.DataFrame({"site": np.repeat(["A", "B"], 22), "week": np.tile(weeks, 2),
    ...                       "errors": np.r_[np.tile([4, 6], 11), np.where(sep, 12, 5)],
    ...                       "n": 100})
    >>> shifts = segment_month_shifts(cells, by=["site"], month="2026-09")
    >>> shifts[["site", "weeks_current", "rate_baseline", "rate_current", "claim"]].round(3)
      site  weeks_current  rate_baseline  rate_current  claim
    0    A              4           0.05          0.05  False
    1    B              4           0.05          0.12   True
    """
    from ..trends import compare_periods

    by = as_column_list(by, name="by")
    _check_month(month)
    check_columns(check_frame(cells, name="cells"), [*by, "week", "errors", "n"], param="cells")
    weeks = np.sort(cells["week"].unique())
    current = month_weeks(weeks, month)
    baseline = weeks[weeks < current.min()] if len(current) else []
    if not len(baseline):
        return None
    result = compare_periods(
        cells, by=by, period="week", errors="errors", n="n", current=list(current),
        baseline=list(baseline), dispersion="moderated", alpha=alpha,
    ).segments  # fmt: skip
    rise = (result["rate_current"] > result["rate_baseline"]).to_numpy()
    enough = ~rise | (result["errors_current"].to_numpy() >= min_errors)
    claim = (result["q_value"] < alpha).to_numpy() & enough
    return result.assign(weeks_baseline=len(baseline), weeks_current=len(current), claim=claim)


@public
def weekly_claim_weeks(table: pd.DataFrame, since) -> pd.DataFrame:
    """The weeks from ``since`` on that the weekly chart may claim as a change.

    A week qualifies when it is beyond its control limits and its z-score, whose sigma the
    chart estimated from its baseline weeks (Laney's sigma_z), passes a two-sided Student t
    test on the baseline weeks less one degrees of freedom at the weekly chart's share of the
    false-alarm budget, :data:`CLAIM_ALPHA`, divided among the weeks judged (Bonferroni).

    Parameters
    ----------
    table : DataFrame
        :attr:`~qainsights.spc.ControlChart.table` of the weekly chart.
    since : Timestamp
        The first day of the report month.

    Returns
    -------
    DataFrame
        The qualifying rows of ``table``.

    Examples
    --------
    >>> table = pd.DataFrame({"subgroup": pd.date_range("2026-01-05", periods=26, freq="W-MON"),
    ...                       "z": [0.0] * 22 + [3.2, 0.5, 4.1, -1.0], "value": 0.0,
    ...                       "lcl": 0.0, "ucl": 0.0, "baseline": True})
    >>> table["value"] = table["z"]; table["lcl"], table["ucl"] = -3.0, 3.0
    >>> weekly_claim_weeks(table, pd.Timestamp("2026-06-01"))["z"].tolist()
    [4.1]
    """
    recent = table[pd.to_datetime(table["subgroup"]) >= since]
    beyond = (recent["value"] > recent["ucl"]) | (recent["value"] < recent["lcl"])
    df = max(int(table["baseline"].sum()) - 1, 1)
    p_value = 2.0 * student_t.sf(np.abs(recent["z"].to_numpy()), df)
    return recent[beyond.to_numpy() & (p_value < CLAIM_ALPHA / max(len(recent), 1))]
