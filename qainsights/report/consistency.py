"""One story: where two sections of the report seem to disagree, say why both hold.

A control chart judges the month against the variation of the last thirteen, the change
test against last month alone, a segment scan against the many segments scanned. Each is
right about its own question, and a reader who sees "beyond the limit" beside "within noise"
needs the sentence that reconciles them. :func:`consistency_notes` writes those sentences
from the computed sections; it never changes a number.
"""

from __future__ import annotations

import pandas as pd

from .._caller import public
from .._compat import STR
from .._validation import format_values
from .findings import CLAIM_ALPHA, MIN_ERRORS, SEGMENT_ALPHA, segment_evidence

__all__ = ["chart_and_change", "consistency_notes", "segment_leads", "weeks_and_month"]


def _point(chart, subgroup) -> pd.Series | None:
    table = chart.table.assign(_key=chart.table["subgroup"].astype(STR))
    rows = table[table["_key"] == str(subgroup)]
    return None if rows.empty else rows.iloc[0]


@public
def chart_and_change(chart, overall: pd.DataFrame, *, month: str, previous: str) -> str | None:
    """The monthly chart's verdict on ``month`` against the change test from ``previous``.

    Parameters
    ----------
    chart : ControlChart
        The monthly control chart (subgroups are months).
    overall : DataFrame
        One row with ``p_value`` (the test of the change from ``previous``).
    month, previous : str
        The report month and the month before.

    Returns
    -------
    str or None
        One sentence when the two disagree, else None.

    Examples
    --------
    >>> from qainsights.spc import p_chart
    >>> chart = p_chart(pd.DataFrame({"month": ["2026-0%d" % m for m in range(1, 10)],
    ...                               "errors": [50, 52, 48, 51, 49, 50, 53, 70, 78],
    ...                               "n": [1000] * 9}),
    ...                 defects="errors", n="n", subgroup="month")
    >>> print(chart_and_change(chart, pd.DataFrame({"p_value": [0.52]}),
    ...                        month="2026-09", previous="2026-08"))
    The monthly chart puts 2026-09 above its upper control limit while the change from 2026-08 is within noise (p = 0.52). Both hold: the chart compares 2026-09 with the centre line of the baseline months (5.6%), the change test with 2026-08 alone (7.0%), which was already above that centre line; read it as a level that has been rising for more than one month.
    """
    now, before = _point(chart, month), _point(chart, previous)
    if now is None or pd.isna(now["ucl"]):
        return None
    p_value = float(overall["p_value"].iloc[0])
    beyond = now["value"] > now["ucl"] or now["value"] < now["lcl"]
    side = "above its upper" if now["value"] > now["ucl"] else "below its lower"
    if beyond and p_value >= CLAIM_ALPHA:
        text = (
            f"The monthly chart puts {month} {side} control limit while the change from "
            f"{previous} is within noise (p = {p_value:.2g}). Both hold: the chart compares "
            f"{month} with the centre line of the baseline months ({now['center']:.1%}), the "
            "change test with "
        )
        if (
            before is not None
            and (before["value"] - now["center"]) * (now["value"] - now["center"]) > 0
        ):
            return text + (
                f"{previous} alone ({before['value']:.1%}), which was already "
                f"{'above' if now['value'] > now['center'] else 'below'} that centre line; read "
                "it as a level that has been moving for more than one month."
            ).replace("moving", "rising" if now["value"] > now["center"] else "falling")
        return text + (
            f"{previous} alone, whose own sampling error is as large as the step; read it as "
            "a month that stands out from the year, not a step from last month."
        )
    if not beyond and p_value < CLAIM_ALPHA:
        return (
            f"The change from {previous} is beyond sampling error (p = {p_value:.2g}) while the "
            f"monthly chart shows {month} within its control limits: the month moved, but "
            "within the variation of the months before it; watch whether the next month holds."
        )
    return None


@public
def weeks_and_month(weekly, monthly, *, month: str) -> str | None:
    """Weekly signals inside ``month`` that the monthly chart does not show.

    Examples
    --------
    >>> from qainsights.spc import p_chart
    >>> weeks = pd.date_range("2026-08-03", periods=9, freq="W-MON")
    >>> weekly = p_chart(pd.DataFrame({"week": weeks, "errors": [10, 11, 9, 10, 12, 10, 11, 30, 9],
    ...                                "n": [200] * 9}), defects="errors", n="n", subgroup="week")
    >>> monthly = p_chart(pd.DataFrame({"month": ["2026-08", "2026-09"], "errors": [42, 62],
    ...                                 "n": [800, 1000]}), defects="errors", n="n", subgroup="month")
    >>> print(weeks_and_month(weekly, monthly, month="2026-09"))
    The weekly chart signals in 2026-09-21 (rule we1) while the month as a whole shows no signal: a short-lived special cause inside the month, diluted in the monthly total; look at what happened in those weeks.
    """
    start = pd.Period(month, freq="M").start_time
    end = pd.Period(month, freq="M").end_time
    signals = weekly.signals
    weeks = pd.to_datetime(signals["subgroup"])
    inside = signals[((weeks >= start) & (weeks <= end)).to_numpy()]
    point = _point(monthly, month)
    if inside.empty or point is None or bool(point["signal"]):
        return None
    dates = format_values(
        sorted(pd.to_datetime(inside["subgroup"]).dt.strftime("%Y-%m-%d").unique())
    )
    rules = format_values(sorted(inside["rule"].unique()))
    return (
        f"The weekly chart signals in {dates.replace(chr(39), '')} (rule {rules.replace(chr(39), '')}) "
        "while the month as a whole shows no signal: a short-lived special cause inside the "
        "month, diluted in the monthly total; look at what happened in those weeks."
    )


@public
def segment_leads(
    summary: pd.DataFrame, *, by: list[str], expected: float, charts: int | None = None
) -> str | None:
    """Segments that signal in their latest week without the evidence of a claim.

    ``expected`` is the rule firings expected by chance across all ``charts`` of the scan
    (default: the rows of ``summary``), which may hold more segments than ``summary`` (the
    report leaves out the segments it claims over the month).

    A segment's signal is a claim, and an action, only by the report's one rule
    (:func:`~qainsights.report.findings.segment_evidence`: beyond its limits, q-value below
    the latest week's claim level :data:`~qainsights.report.findings.SEGMENT_ALPHA` and at least
    :data:`~qainsights.report.findings.MIN_ERRORS` errors); every other signal, a run-rule
    shift or a point beyond the limits with q = 0.03, is named here as a lead.

    Examples
    --------
    >>> summary = pd.DataFrame({"site": ["a", "b", "c", "d"], "value": [0.1, 0.1, 0.1, 0.02],
    ...                         "n": [60] * 4,
    ...                         "status": ["shift", "out of control", "out of control",
    ...                                    "in control"],
    ...                         "q_value": [0.79, 0.03, 0.001, 0.9]})
    >>> print(segment_leads(summary, by=["site"], expected=1.2))
    2 segment(s) signal in their latest week without the evidence of a claim (a: shift, q = 0.79; b: out of control, q = 0.03): across 4 charts about 1 rule firings are expected by chance alone, and a claim needs a point beyond the limits with q < 0.00625 and at least 3 errors, so these are leads to look at again next week, not findings.
    """
    evidence = segment_evidence(summary)
    weak = summary[evidence.str.startswith("lead").to_numpy()]
    if weak.empty:
        return None
    names = [" x ".join(map(str, row)) for row in weak[by].to_numpy()]
    shown = [
        f"{name}: {status}, q = {q:.2g}"
        for name, status, q in zip(names, weak["status"], weak["q_value"], strict=True)
    ][:5]
    more = f"; and {len(weak) - 5} more" if len(weak) > 5 else ""
    return (
        f"{len(weak)} segment(s) signal in their latest week without the evidence of a claim "
        f"({'; '.join(shown)}{more}): across {len(summary) if charts is None else charts} "
        f"charts about {expected:.0f} rule "
        f"firings are expected by chance alone, and a claim needs a point beyond the limits "
        f"with q < {SEGMENT_ALPHA:g} and at least {MIN_ERRORS} errors, so these are leads to look "
        "at again next week, not findings."
    )


@public
def consistency_notes(report) -> tuple[str, ...]:
    """The sentences that reconcile the report's sections where they seem to disagree.

    Parameters
    ----------
    report : MonthlyReport
        The computed report.

    Returns
    -------
    tuple of str
        One sentence per apparent contradiction (none when the sections agree).
    """
    notes = []
    if report.monthly_chart is not None and report.change is not None:
        notes.append(chart_and_change(
            report.monthly_chart, report.change.overall, month=report.month,
            previous=report.previous,
        ))  # fmt: skip
    if report.weekly_chart is not None:
        notes.append(weeks_and_month(report.weekly_chart, report.monthly_chart, month=report.month))
    if report.segment_charts is not None:
        charts = report.segment_charts
        notes.append(segment_leads(
            _unclaimed(charts.segments, report.segment_months, list(charts.by)),
            by=list(charts.by), expected=charts.expected_false_alarms,
            charts=len(charts.segments),
        ))  # fmt: skip
    return tuple(note for note in notes if note)


def _unclaimed(summary: pd.DataFrame, shifts: pd.DataFrame | None, by: list[str]) -> pd.DataFrame:
    """The segments of a scan whose month the report does not claim as a shift: a segment
    claimed over the month is a finding, not a lead, whatever its latest week shows.
    """
    if shifts is None or not shifts["claim"].any():
        return summary
    claimed = pd.MultiIndex.from_frame(shifts.loc[shifts["claim"], by].astype(object))
    keys = pd.MultiIndex.from_frame(summary[by].astype(object))
    return summary[~keys.isin(claimed)]
