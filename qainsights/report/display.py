"""Text in the rendered report: data-derived strings are escaped, never read as HTML."""

from __future__ import annotations

import html
from collections.abc import Iterable

import numpy as np
import pandas as pd
from IPython.display import HTML

from .._caller import public
from .findings import CLAIM_ALPHA, CLAIM_FAMILIES, FALSE_ALARM_BUDGET, SEGMENT_ALPHA
from .formatting import column_kinds, readable

__all__ = [
    "STYLE",
    "Table",
    "anchor_of",
    "claim_levels",
    "first_screen",
    "heading",
    "omitted_line",
    "paragraph",
    "ranked_findings",
    "root_cause_table",
    "section_heading",
]


@public
def heading(text: str, level: int = 2) -> HTML:
    """A section heading, escaped.

    Examples
    --------
    >>> heading("Queue <script>").data
    '<h2>Queue &lt;script&gt;</h2>'
    """
    return HTML(f"<h{level}>{html.escape(text)}</h{level}>")


@public
def paragraph(text: str) -> HTML:
    """A paragraph of text, escaped.

    Examples
    --------
    >>> paragraph("Accuracy 92% & rising").data
    '<p>Accuracy 92% &amp; rising</p>'
    """
    return HTML(f"<p>{html.escape(text)}</p>")


class Table:
    """A result table shown whole: HTML without the index or truncation, plain text likewise.

    Values are escaped in the HTML, so a label such as ``<script>`` shows as text; text
    columns are aligned left and numbers right; a text column blank in every row (a
    ``note`` with nothing to say) is left out.

    Examples
    --------
    >>> print(repr(Table(pd.DataFrame({"site": ["<b>x</b>"], "rate": [0.05]}))))
        site rate
    <b>x</b> 5.0%
    >>> "&lt;b&gt;x&lt;/b&gt;" in Table(pd.DataFrame({"site": ["<b>x</b>"]}))._repr_html_()
    True
    >>> print(repr(Table(pd.DataFrame({"site": ["a", "b"], "note": ["", ""]}))))
    site
       a
       b
    """

    def __init__(self, frame: pd.DataFrame, *, percent: Iterable[str] = ()):
        blank = [
            name
            for name in frame.select_dtypes(include=["object", "string"]).columns
            if len(frame) and frame[name].fillna("").astype(str).eq("").all()
        ]
        frame = frame.drop(columns=blank)
        self.frame = readable(frame, percent=percent)
        kinds = column_kinds(frame, percent=percent)
        self._text = [kinds[name] == "text" for name in frame.columns]

    def _repr_html_(self) -> str:
        cells = [
            "".join(
                f'<td class="qi-text">{_cell(value)}</td>' if text else f"<td>{_cell(value)}</td>"
                for value, text in zip(row, self._text, strict=True)
            )
            for row in self.frame.itertuples(index=False)
        ]
        head = "".join(
            f'<th class="qi-text">{_cell(name)}</th>' if text else f"<th>{_cell(name)}</th>"
            for name, text in zip(self.frame.columns, self._text, strict=True)
        )
        body = "".join(f"<tr>{row}</tr>" for row in cells)
        return (
            f'<table class="dataframe qi-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )

    def __repr__(self) -> str:
        return self.frame.to_string(index=False) if len(self.frame) else "(no rows)"


def _cell(value: object) -> str:
    return "" if value is None or pd.isna(value) else html.escape(str(value))


@public
def claim_levels() -> str:
    """Why the report's tests use the levels they do, in one sentence for its readers.

    Examples
    --------
    >>> print(claim_levels())  # doctest: +ELLIPSIS
    A claim of change (high or medium priority) may reach at most 5% of months without any...
    """
    share = f"{CLAIM_ALPHA:.2%}".replace(".00%", "%")
    return (
        f"A claim of change (high or medium priority) may reach at most "
        f"{FALSE_ALARM_BUDGET:.0%} of months without any real change: that budget is shared "
        f"equally by the {len(CLAIM_FAMILIES)} kinds of claim ({', '.join(CLAIM_FAMILIES)}), "
        f"so each is tested at {share} (hence the {1 - CLAIM_ALPHA:.2%} intervals), the "
        f"segment scan's two questions at {SEGMENT_ALPHA:.3%} each, and the weekly chart's "
        "weeks split its share. Simulated months without change check the budget "
        "(benchmarks/calibration.py)."
    )


def _text(sentence: str) -> str:
    """A finding's sentence as the Actions table shows it (code names' underscores as
    spaces, :func:`~qainsights.report.formatting.readable`), escaped.
    """
    return html.escape(sentence.replace("_", " "))


@public
def root_cause_table(table: pd.DataFrame, *, weighted: bool) -> pd.DataFrame:
    """A root-cause table of :func:`~qainsights.rca.pareto` in the report's words.

    Counts are the audited errors; weighted totals are the decisions in error they
    represent (without weights they repeat the counts and are left out); the vital few
    are named, not flagged True/False.

    Examples
    --------
    >>> causes = pd.DataFrame({"root_cause": ["fatigue"], "count": [3], "total": [3.0],
    ...                        "share": [1.0], "cum_share": [1.0], "vital": [True]})
    >>> root_cause_table(causes, weighted=False).columns.tolist()
    ['root_cause', 'errors', 'share', 'cum_share', 'vital']
    >>> root_cause_table(causes, weighted=False)["vital"].tolist()
    ['vital few']
    """
    totals = [c for c in table.columns if str(c).startswith("total")]
    shown = table if weighted else table.drop(columns=totals)
    names = {"count": "errors", "total": "decisions_in_error",
             "design_effect": "design effect (moderators)"}  # fmt: skip
    for when in ("before", "after"):
        names[f"count_{when}"] = f"audited errors {when}"
        names[f"total_{when}"] = f"decisions in error {when} (weighted)"
    shown = shown.rename(columns=names)
    if "vital" in shown:
        shown = shown.assign(vital=np.where(shown["vital"].astype(bool), "vital few", ""))
    return shown


#: Colour-blind-safe status colours (Okabe & Ito, 2008), always beside a word.
STATUS_COLOURS = {
    "meets target": "#0072B2",
    "below target": "#D55E00",
    "not separable from target": "#6E6E6E",
}
#: Sections by how much of the operation their findings cover, for ranking within a priority.
_BREADTH = (
    "headline", "change", "control_charts", "vendors", "segments", "sites", "root_causes",
    "capability", "moderators", "calibration",
)  # fmt: skip
#: The page's style: tiles, findings, and clean printed pages.
STYLE = """
<style>
body, .jp-Notebook { font-family: "DejaVu Sans", "Noto Sans", "Noto Sans Arabic",
  "Noto Color Emoji", Arial, sans-serif; }
.qi-tiles { display: flex; gap: 12px; flex-wrap: wrap; margin: 8px 0 16px; }
.qi-tile { flex: 1 1 220px; border: 1px solid #d0d0d0; border-left: 6px solid #6E6E6E;
  border-radius: 4px; padding: 10px 14px; }
.qi-tile .qi-label { font-size: 0.85em; color: #444; text-transform: uppercase; }
.qi-tile .qi-value { font-size: 2em; font-weight: bold; margin: 2px 0; }
.qi-tile .qi-note { font-size: 0.9em; color: #333; }
.qi-findings li { margin-bottom: 6px; }
.qi-owner { font-weight: bold; }
.qi-impact { color: #333; }
.qi-omitted { color: #555; font-style: italic; }
.jp-RenderedHTMLCommon .qi-table td.qi-text, .jp-RenderedHTMLCommon .qi-table th.qi-text,
.qi-table .qi-text { text-align: left; }
@media print {
  .jp-Cell, .qi-tile, table, img { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-before: auto; break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  body { font-size: 10pt; }
}
</style>
"""


@public
def anchor_of(section: str) -> str:
    """The HTML id of a report section, for links to its evidence.

    Examples
    --------
    >>> anchor_of("control_charts")
    'section-control-charts'
    """
    return "section-" + section.replace("_", "-")


@public
def section_heading(text: str, section: str, level: int = 2) -> HTML:
    """A section heading with the anchor that the first screen links to, escaped.

    Examples
    --------
    >>> section_heading("Root causes", "root_causes").data
    '<h2 id="section-root-causes">Root causes</h2>'
    """
    return HTML(f'<h{level} id="{anchor_of(section)}">{html.escape(text)}</h{level}>')


@public
def omitted_line(title: str, reason: str) -> HTML:
    """One line saying why a section could not be computed, escaped.

    Examples
    --------
    >>> omitted_line("Moderators", "2 moderator(s) only.").data
    '<p class="qi-omitted">Moderators: not shown, 2 moderator(s) only.</p>'
    """
    return HTML(f'<p class="qi-omitted">{html.escape(title)}: not shown, {html.escape(reason)}</p>')


def _p(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {value:.2g}"


def _tile(label: str, value: str, note: str, colour: str = "#6E6E6E") -> str:
    return (
        f'<div class="qi-tile" style="border-left-color: {colour}">'
        f'<div class="qi-label">{html.escape(label)}</div>'
        f'<div class="qi-value">{html.escape(value)}</div>'
        f'<div class="qi-note">{html.escape(note)}</div></div>'
    )


def _accuracy_tile(report) -> str:
    row = report.headline.table.set_index("month").loc[report.month]
    note = (
        f"target {row['target']:.1%}, 95% CI {row['ci_low']:.1%} to {row['ci_high']:.1%} "
        f"({int(row['n']):,} audits): {row['status']}"
    )
    return _tile(f"Accuracy, {report.month}", f"{row['accuracy']:.1%}", note,
                 STATUS_COLOURS.get(row["status"], "#6E6E6E"))  # fmt: skip


def _change_tile(report) -> str:
    from .change_test import change_story, change_verdict

    label = f"Change since {report.previous}"
    if report.change is None:
        return _tile(label, "n/a", report.omitted.get("change", "not computed."))
    overall = report.change.overall.iloc[0]
    # accuracy is one minus the error rate: its change and interval are the mirror image
    change, low, high = -overall["difference"], -overall["ci_high"], -overall["ci_low"]
    # the change section's one test and verdict, at the level of the report's claims of change
    verdict = change_verdict(report.change.overall)
    significant = verdict != "within noise"
    note = (
        f"accuracy {100 * change:+.1f} points ({100 * (1 - CLAIM_ALPHA):g}% CI "
        f"{100 * low:+.1f} to {100 * high:+.1f}), "
        f"{_p(overall['p_value'])}: {verdict}"
        + (f", {change_story(report.change)}" if significant else "")
    )
    colour = "#6E6E6E" if not significant else ("#0072B2" if change > 0 else "#D55E00")
    return _tile(label, f"{100 * change:+.1f} pts", note, colour)


def _direction_tile(report) -> str:
    label = "Direction over the year"
    if report.direction is None:
        return _tile(label, "n/a", report.omitted.get("direction", "not computed."))
    row = report.direction.iloc[0]
    p_value = row["p_value_quasi"]
    if p_value < 0.05:
        value = "worsening" if row["slope"] > 0 else "improving"
        colour = "#D55E00" if row["slope"] > 0 else "#0072B2"
    else:
        value, colour = "no clear trend", "#6E6E6E"
    note = (
        f"error rate {100 * row['slope']:+.2f} points a month over {int(row['periods'])} months, "
        f"{_p(p_value)} (allowing for month-to-month spread)"
    )
    return _tile(label, value, note, colour)


@public
def ranked_findings(findings, *, top: int = 5) -> list:
    """The findings that matter most: by priority, then by the errors of the month they
    account for.

    The high-priority claims come first, then the medium ones; within a priority, largest
    impact first (:class:`~qainsights.report.impact.Impact`, by its size: an improvement
    weighs as much as a loss), then the claims without a measure in errors, by how much of
    the operation their section covers. Low-priority findings (leads, and rankings such as
    the vital few root causes, which claim no change however many errors they hold) are only
    listed when fewer than three claims exist, after them. A finding that counts the same
    errors beyond the same reference as one already chosen (a queue below target seen again
    as capability) is left out.

    Examples
    --------
    >>> from qainsights.report.findings import Finding
    >>> from qainsights.report.impact import Impact
    >>> def made(section, priority, errors=None):
    ...     impact = None if errors is None else Impact(errors, 800, 9000, "the target")
    ...     return Finding(section, priority, section, "act", impact=impact)
    >>> found = [made("moderators", "medium"), made("vendors", "medium", 90.0),
    ...          made("root_causes", "low", 500.0), made("segments", "high", 40.0),
    ...          made("capability", "medium", 40.0), made("change", "medium", -60.0)]
    >>> [f.section for f in ranked_findings(found)]
    ['segments', 'vendors', 'change', 'moderators']
    """
    from .findings import PRIORITIES

    def rank(finding):
        breadth = _BREADTH.index(finding.section) if finding.section in _BREADTH else len(_BREADTH)
        size = 0.0 if finding.impact is None else -abs(finding.impact.errors)
        return (PRIORITIES.index(finding.priority), finding.impact is None, size, breadth)

    ordered, seen = [], set()
    for finding in sorted(findings, key=rank):
        impact = finding.impact
        key = None if impact is None else (round(impact.errors, 6), impact.reference)
        if key is None or key not in seen:
            ordered.append(finding)
            seen.add(key)
    urgent = [f for f in ordered if f.priority != "low"]
    chosen = urgent if len(urgent) >= 3 else ordered
    return chosen[:top]


@public
def first_screen(report, *, top: int = 5) -> HTML:
    """The page a leader reads in a minute: three tiles, the findings that matter, the actions.

    Every number is the report's; every label is escaped. Findings link to their section and
    are ranked by their impact (:func:`ranked_findings`), printed beside each.
    """
    tiles = [_accuracy_tile(report)] if report.headline is not None else []
    tiles += [_change_tile(report), _direction_tile(report)]
    items = []
    for finding in ranked_findings(report.findings, top=top):
        owner = getattr(finding, "owner", "")
        impact = "" if finding.impact is None else (
            f'<span class="qi-impact">Impact: {_text(finding.impact.sentence())}.</span><br>'
        )  # fmt: skip
        items.append(
            f"<li><b>{html.escape(finding.priority)}</b>: {_text(finding.finding)} "
            f'<a href="#{anchor_of(finding.section)}">evidence</a><br>{impact}'
            f"Action: {_text(finding.action)}"
            + (f' <span class="qi-owner">({html.escape(owner)})</span>' if owner else "")
            + "</li>"
        )
    body = (
        STYLE
        + f'<div class="qi-tiles">{"".join(tiles)}</div>'
        + "<h2>What matters this month</h2>"
        + '<p class="qi-note">High-priority findings first, then medium; within each, ranked '
        + "by the errors of the month the finding accounts for (in the headline's estimand, "
        + "beyond what it is judged against; a gain counts as much as a loss).</p>"
        + f'<ol class="qi-findings">{"".join(items)}</ol>'
        + f'<p class="qi-note">{html.escape(claim_levels())}</p>'
    )
    if report.consistency:
        body += (
            "<p><b>Reading the sections together.</b> "
            + " ".join(_text(note) for note in report.consistency)
            + "</p>"
        )
    return HTML(body)
