"""The Monthly Quality Report's charts: titles that state the finding, labelled limits and rules.

Built on the house style (:mod:`qainsights.plotting.style`): control charts with their
centre line and limits labelled, the baseline shaded and every signal annotated with the rule
that fired; a zero-based waterfall of the month's change with the intervals of both months;
accuracy against target with a title that names what is below it. Labels are written in
words (``over_enforcement`` becomes "over enforcement") and characters that no installed font
can draw are replaced, so no chart warns about missing glyphs.
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator

from .._caller import public
from .charts import plot_intervals
from .style import PALETTE, axes_or_new, finish, percent_axis

if TYPE_CHECKING:
    from ..spc import ControlChart
    from ..trends import ChangeExplanation

__all__ = [
    "BASELINE_LABEL",
    "FONT_FAMILIES",
    "annotate_control_chart",
    "chart_finding",
    "drawable",
    "plot_change_waterfall",
    "plot_target_intervals",
    "report_fonts",
    "shade_baseline",
    "tidy_text",
    "use_report_style",
    "words",
]

#: Fonts tried in order for every character: DejaVu Sans (matplotlib's own), then Noto
#: families for scripts and emoji when they are installed.
FONT_FAMILIES = (
    "DejaVu Sans",
    "Noto Sans",
    "Noto Sans Arabic",
    "Noto Sans Devanagari",
    "Noto Sans Thai",
    "Noto Sans CJK JP",
    "Noto Color Emoji",
    "Noto Emoji",
)
#: Titles longer than this many characters wrap.
_TITLE_WIDTH = 80
#: Drawn in place of a character that no installed font has.
REPLACEMENT = "\ufffd"


@lru_cache(maxsize=1)
def _installed() -> tuple[tuple[str, ...], frozenset[int]]:
    """The installed families of :data:`FONT_FAMILIES` and the code points they cover."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    by_name = {}
    for entry in font_manager.fontManager.ttflist:
        by_name.setdefault(entry.name, entry.fname)
    families = tuple(name for name in FONT_FAMILIES if name in by_name)
    covered: set[int] = set()
    for name in families:
        try:
            covered |= set(FT2Font(by_name[name]).get_charmap())
        except (OSError, RuntimeError):  # a font file matplotlib cannot open: skip it
            continue
    return families, frozenset(covered)


@public
def report_fonts() -> dict[str, object]:
    """Matplotlib settings for the report: the installed :data:`FONT_FAMILIES` as fallbacks.

    Use as ``matplotlib.rc_context(report_fonts())`` or ``rcParams.update(report_fonts())``.

    Examples
    --------
    >>> report_fonts()["font.family"][0]
    'DejaVu Sans'
    """
    families, _ = _installed()
    return {"font.family": list(families) or ["DejaVu Sans"]}


@public
def drawable(text: str) -> str:
    r"""``text`` with every character that no installed font can draw replaced by U+FFFD.

    Examples
    --------
    >>> drawable("queue \\U0001f600") in ("queue \\U0001f600", "queue \\ufffd")
    True
    >>> drawable("Lisboa")
    'Lisboa'
    """
    _, covered = _installed()
    if not covered:
        return text
    return "".join(c if ord(c) in covered or c.isspace() else REPLACEMENT for c in text)


@public
def words(label: object) -> str:
    """A code name as words, drawable: ``over_enforcement`` -> "over enforcement".

    Examples
    --------
    >>> words("over_enforcement")
    'over enforcement'
    """
    return drawable(str(label).replace("_", " "))


@public
def tidy_text(ax: Axes, *, code_names: bool = False) -> Axes:
    """Replace undrawable characters in every text of ``ax`` (ticks, title, labels, legend).

    With ``code_names`` the tick labels are also written in words (:func:`words`).
    """
    texts = [*ax.get_xticklabels(), *ax.get_yticklabels(), ax.title, ax.xaxis.label, ax.yaxis.label]
    texts += [ax._left_title, ax._right_title, *ax.texts]
    legend = ax.get_legend()
    if legend is not None:
        texts += legend.get_texts()
    for text in texts:
        shown = text.get_text()
        if shown and drawable(shown) != shown:
            text.set_text(drawable(shown))
    title = ax._left_title.get_text()
    if len(title) > _TITLE_WIDTH:  # long findings wrap instead of running off the figure
        ax._left_title.set_text(textwrap.fill(title, _TITLE_WIDTH))
    tidy = words if code_names else drawable
    for which in ("x", "y"):  # tick labels set as fixed strings are re-created on draw
        axis = getattr(ax, f"{which}axis")
        if not isinstance(axis.get_major_locator(), FixedLocator):
            continue
        labels = [t.get_text() for t in axis.get_ticklabels()]
        if any(tidy(t) != t for t in labels):
            axis.set_ticks(axis.get_ticklocs(), [tidy(t) for t in labels])
    return ax


def _data_point(ax: Axes, x, y: float) -> tuple[float, float]:
    """``(x, y)`` in the axes' numeric data coordinates, for ``xycoords=ax.transData``.

    Annotating a category (or date) directly makes matplotlib before 3.9 convert it to a
    one-element array, which numpy 1.25+ warns about on every draw.
    """
    return float(np.asarray(ax.xaxis.convert_units(x), dtype=float).ravel()[0]), float(y)


def _label_line(ax: Axes, x, y: float, text: str) -> None:
    if np.isfinite(y):
        ax.annotate(
            text, _data_point(ax, x, y), xycoords=ax.transData, xytext=(4, 0),
            textcoords="offset points", va="center", ha="left", fontsize=8,
            color=PALETTE["limit"], annotation_clip=False,
        )  # fmt: skip


@public
def chart_finding(chart: ControlChart, *, period: str, since=None) -> str:
    """The chart's finding about its latest subgroup, as a title.

    With ``since`` (the first subgroup of the report's month, say) the title names the
    subgroups from ``since`` on that lie beyond the control limits, where there are any, else
    those where a run rule fired: a signal early in the month is not hidden behind a calm
    latest week.

    Examples
    --------
    >>> from qainsights.spc import p_chart
    >>> chart = p_chart(pd.DataFrame({"month": ["2026-08", "2026-09", "2026-10"],
    ...                               "errors": [10, 11, 40], "n": [200] * 3}),
    ...                 defects="errors", n="n", subgroup="month", nsigmas=1)
    >>> chart_finding(chart, period="month")
    'Error rate by month: 2026-10 above its upper control limit (we1)'
    >>> chart = p_chart(pd.DataFrame({"month": ["2026-08", "2026-09", "2026-10"],
    ...                               "errors": [10, 40, 11], "n": [200] * 3}),
    ...                 defects="errors", n="n", subgroup="month", nsigmas=1)
    >>> chart_finding(chart, period="month", since="2026-09")
    'Error rate by month: 2026-09 above its upper control limit (we1)'

    A run without a point beyond the limits (two of three points beyond 2 sigma):

    >>> months = pd.period_range("2025-03", "2026-10", freq="M").astype(str)
    >>> chart = p_chart(pd.DataFrame({"month": months, "errors": [20] * 18 + [31, 31],
    ...                               "n": 1000}),
    ...                 defects="errors", n="n", subgroup="month", rules="western_electric")
    >>> chart_finding(chart, period="month", since="2026-09")
    'Error rate by month: run rule (we2) fired in 2026-10'
    """
    table = chart.table
    if since is not None:
        recent = table[_from(table["subgroup"], since)]
        for side, beyond in (("above its upper", recent["value"] > recent["ucl"]),
                             ("below its lower", recent["value"] < recent["lcl"])):  # fmt: skip
            if beyond.any():
                keys = recent.loc[beyond, "subgroup"]
                rules = chart.signals.loc[chart.signals["subgroup"].isin(keys), "rule"]
                names = " and ".join(_subgroup_name(key) for key in keys)
                return (f"Error rate by {period}: {names} {side} control limit "
                        f"({', '.join(dict.fromkeys(rules))})")  # fmt: skip
        signals = chart.signals
        fired = signals[_from(signals["subgroup"], since)] if len(signals) else signals
        if len(fired):
            names = " and ".join(_subgroup_name(key) for key in dict.fromkeys(fired["subgroup"]))
            rules = list(dict.fromkeys(fired["rule"]))
            plural = "s" if len(rules) > 1 else ""
            return f"Error rate by {period}: run rule{plural} ({', '.join(rules)}) fired in {names}"
    last = table.iloc[-1]
    key = last["subgroup"]
    start = f"Error rate by {period}: {_subgroup_name(key)}"
    rules = chart.signals.loc[chart.signals["subgroup"] == key, "rule"]
    if pd.isna(last["ucl"]):
        return f"{start} (no control limits on these data)"
    if last["value"] > last["ucl"]:
        return f"{start} above its upper control limit ({', '.join(dict.fromkeys(rules))})"
    if last["value"] < last["lcl"]:
        return f"{start} below its lower control limit ({', '.join(dict.fromkeys(rules))})"
    if len(rules):
        return f"{start} signals a run ({', '.join(dict.fromkeys(rules))})"
    return f"{start} within its control limits"


def _subgroup_name(key) -> str:
    """A subgroup as a title names it: a date as YYYY-MM-DD, else its text."""
    return key.strftime("%Y-%m-%d") if isinstance(key, pd.Timestamp) else str(key)


def _from(keys: pd.Series, since) -> np.ndarray:
    """Which subgroup keys come on or after ``since``: as dates where the keys are dates,
    else as text ("YYYY-MM" months sort as text).
    """
    if pd.api.types.is_datetime64_any_dtype(keys) or isinstance(keys.iloc[0], pd.Timestamp):
        return (pd.to_datetime(keys) >= pd.Timestamp(since)).to_numpy()
    return (keys.astype(str) >= str(since)).to_numpy()


#: The legend entry of the shaded baseline.
BASELINE_LABEL = "baseline (limits computed here)"


@public
def shade_baseline(ax: Axes, table: pd.DataFrame) -> list[Rectangle]:
    """Shade the subgroups a chart's limits were computed from, half a step either side.

    A light grey band (colour-blind safe: a shade, not a hue) behind each run of
    consecutive baseline subgroups of ``table`` (:attr:`~qainsights.spc.ControlChart.table`),
    on the x positions the drawn ``"value"`` line uses (categories or dates alike); the
    first band carries the label ``"baseline"``.

    Returns
    -------
    list of Rectangle
        The bands, in order (none without a baseline or a drawn ``"value"`` line).

    Examples
    --------
    >>> from qainsights.spc import p_chart
    >>> chart = p_chart(defects=[10, 12, 9, 11, 30, 12], n=[200] * 6,
    ...                 baseline=[True] * 4 + [False] * 2)
    >>> bands = shade_baseline(chart.plot(), chart.table)
    >>> [(float(b.get_x()), float(b.get_x() + b.get_width())) for b in bands]  # subgroups 1-4
    [(0.5, 4.5)]
    """
    lines = [line for line in ax.lines if line.get_label() == "value"]
    inside = table["baseline"].to_numpy(dtype=bool)
    if not lines or not inside.any():
        return []
    x = np.asarray(lines[0].get_xydata()[:, 0], dtype=float)
    step = float(np.median(np.diff(x))) if len(x) > 1 else 1.0
    edges = np.diff(np.concatenate([[False], inside, [False]]).astype(int))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    bands = []
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):  # one per run, not per row
        band = Rectangle(
            (x[start] - step / 2, 0.0), x[end] - x[start] + step, 1.0,
            transform=ax.get_xaxis_transform(), facecolor=PALETTE["fill"], alpha=0.3,
            linewidth=0, zorder=0, label="baseline" if i == 0 else "_baseline",
        )  # fmt: skip
        bands.append(ax.add_patch(band))
    return bands


@public
def annotate_control_chart(
    ax: Axes, chart: ControlChart, *, title: str, xlabel: str, ylabel: str = "error rate"
) -> Axes:
    """Finish a drawn control chart: labelled centre and limits, shaded baseline, rules named.

    Parameters
    ----------
    ax : Axes
        The axes :meth:`ControlChart.plot` drew on.
    chart : ControlChart
        The chart drawn.
    title : str
        The title: the chart's finding in words.
    xlabel, ylabel : str
        Axis labels.

    Returns
    -------
    Axes
        With texts "UCL ...", "centre ...", "LCL ..." at the last subgroup, the subgroups the
        limits were computed from shaded (:func:`shade_baseline`, legend entry
        "baseline (limits computed here)"), and one annotation per signalled subgroup naming
        its rules (for example "we1: 1 point beyond the control limits").

    Examples
    --------
    >>> from qainsights.spc import p_chart
    >>> chart = p_chart(defects=[10, 12, 9, 11, 30], n=[200] * 5)
    >>> ax = annotate_control_chart(chart.plot(), chart, title="t", xlabel="week")
    >>> sorted(t.get_text().split()[0] for t in ax.texts)
    ['LCL', 'UCL', 'centre', 'we1:']
    """
    table = chart.table
    last = table.iloc[-1]
    for column, name in (("ucl", "UCL"), ("center", "centre"), ("lcl", "LCL")):
        value = last[column]
        text = f"{name} {value:.1%}" if chart.proportion else f"{name} {value:.3g}"
        _label_line(ax, last["subgroup"], value, text)
    shade_baseline(ax, table)
    signals = chart.signals
    if len(signals):
        rules = signals.groupby("subgroup", sort=False).agg(
            rule=("rule", lambda r: ", ".join(dict.fromkeys(r))),
            description=("description", "first"),
        )
        values = table.set_index("subgroup")["value"]
        position = {key: i for i, key in enumerate(table["subgroup"])}
        for subgroup, row in rules.iterrows():
            if subgroup in values.index:
                right_half = position[subgroup] > len(table) / 2
                ax.annotate(
                    f"{row['rule']}: {row['description']}",
                    _data_point(ax, subgroup, values[subgroup]), xycoords=ax.transData,
                    xytext=(-6 if right_half else 6, 8), textcoords="offset points",
                    ha="right" if right_half else "left", fontsize=8, color=PALETTE["signal"],
                )  # fmt: skip
    if chart.proportion:
        percent_axis(ax, "y", label=ylabel)
    else:
        ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    names = {
        "ucl": "limits and centre",
        "value": ylabel,
        "signal": "signal",
        "baseline": BASELINE_LABEL,
    }
    handles = {}
    for artist in [*ax.lines, *ax.patches]:
        name = names.get(artist.get_label())
        if name and name not in handles and (name != "signal" or len(signals)):
            handles[name] = artist
    ax.legend(handles=list(handles.values()), labels=list(handles), frameon=False, fontsize=8,
              loc="center left", bbox_to_anchor=(1.08, 0.5))  # fmt: skip
    ax.set_title("")  # the chart type's centred title gives way to the finding
    return tidy_text(finish(ax, title))


@public
def plot_change_waterfall(
    change: ChangeExplanation, ax: Axes | None = None, *, alpha: float = 0.05
) -> Axes:
    """The month's change as a zero-based waterfall, with both months' intervals.

    Bars start at zero (a rate, not a truncated axis); the baseline and current bars carry
    their 95% intervals; a segment's step is coloured worse/better only when its own change
    is separable from noise (``q < alpha``), grey otherwise, as is the rest. The title says
    whether the overall change is within noise at ``alpha`` (give the level the change was
    explained at, so that the title and the text agree).

    Examples
    --------
    >>> from qainsights.datasets import simulate_audits
    >>> from qainsights.trends import explain_change
    >>> audits = simulate_audits(seed=2, start="2026-08-03", weeks=9).audits
    >>> change = explain_change(audits, by=["site"], period="month", current="2026-09")
    >>> ax = plot_change_waterfall(change)
    >>> float(ax.get_xlim()[0])
    0.0
    """
    row = change.overall.iloc[0]
    explanation = change.explanation
    ax = axes_or_new(ax, 1.4 + 0.35 * (len(explanation) + 3))
    steps = explanation["explained"].to_numpy(dtype=float)
    rest = row["difference"] - steps.sum()
    sizes = np.append(steps, rest)
    separable = np.append(explanation["q_value"].to_numpy(dtype=float) < alpha, False)
    colours = np.where(
        ~separable, PALETTE["fill"], np.where(sizes > 0, PALETTE["worse"], PALETTE["better"])
    )
    lefts = row["rate_baseline"] + np.concatenate([[0.0], np.cumsum(sizes)[:-1]])
    y = np.arange(len(sizes) + 2)[::-1]
    ends = np.array([row["rate_baseline"], row["rate_current"]])
    errors = np.array([
        ends - [row["ci_low_baseline"], row["ci_low_current"]],
        [row["ci_high_baseline"], row["ci_high_current"]] - ends,
    ])  # fmt: skip
    ax.barh(y[[0, -1]], ends, xerr=errors, color=PALETTE["estimate"], height=0.6,
            error_kw={"ecolor": PALETTE["reference"], "capsize": 3})  # fmt: skip
    ax.barh(y[1:-1], sizes, left=lefts, color=colours, height=0.6)
    labels = [words(s) for s in explanation["segment"]]
    ax.set_yticks(y, ["last period", *labels, "everything else (incl. mix)", "this period"])
    ax.set_xlim(0.0, max(float(np.nanmax(ends + errors[1])), float((lefts + sizes).max())) * 1.08)
    percent_axis(ax, "x", label="error rate")
    verdict = "within noise" if row["p_value"] >= alpha else "beyond sampling error"
    title = (
        f"Error rate {row['rate_baseline']:.1%} to {row['rate_current']:.1%}: "
        f"{verdict} (p = {row['p_value']:.2g})"
    )
    return tidy_text(finish(ax, title, grid="x"))


@public
def plot_target_intervals(
    table: pd.DataFrame,
    *,
    label: str,
    target: float,
    noun: str,
    estimate: str = "accuracy",
    ax: Axes | None = None,
) -> Axes:
    """Accuracy per segment against the target, titled with what falls below it.

    Examples
    --------
    >>> table = pd.DataFrame({"site": ["a", "b"], "accuracy": [0.95, 0.85],
    ...                       "ci_low": [0.93, 0.82], "ci_high": [0.97, 0.88],
    ...                       "status": ["meets target", "below target"]})
    >>> plot_target_intervals(table, label="site", target=0.9, noun="site").get_title(loc="left")
    '1 of 2 sites below the 90.0% target: b'
    """
    shown = table.assign(**{label: table[label].map(words)})
    below = shown.loc[shown["status"] == "below target", label].tolist()
    if below:
        title = (
            f"{len(below)} of {len(shown)} {noun}s below the {target:.1%} target: "
            f"{', '.join(below)}"
        )
    else:
        title = f"No {noun} below the {target:.1%} target beyond sampling error"
    ax = plot_intervals(shown, label=label, estimate=estimate, target=target, status="status",
                        ax=ax)  # fmt: skip
    ax.set_title("")
    percent_axis(ax, "x", label=f"{estimate.replace('_', ' ')} (95% CI)")
    return tidy_text(finish(ax, title))


@public
def use_report_style() -> None:
    """Make the report's fonts the session's defaults (for the report template's kernel)."""
    mpl.rcParams.update(report_fonts())
