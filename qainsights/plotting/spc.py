"""Control charts: one chart, a location-and-spread pair, many segments, the CUSUM."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._caller import public
from .style import PALETTE, date_axis, label_of, percent_axis

if TYPE_CHECKING:
    from ..spc import ControlChart, ControlChartPair, ControlChartSet, CusumChart

__all__ = ["draw_chart", "plot_chart_pair", "plot_chart_set", "plot_control_chart", "plot_cusum"]

#: Status order of the segments drawn by :func:`plot_chart_set`.
_FLAGGED = {"out of control": 0, "shift": 1}


@public
def draw_chart(ax: Axes, table: pd.DataFrame, *, title: str, proportion: bool) -> Axes:
    """Draw one chart's table: values, stepped limits and centre per stage, signals, breaks.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    table : DataFrame
        :attr:`qainsights.spc.ControlChart.table` (columns ``subgroup``, ``stage``,
        ``value``, ``center``, ``lcl``, ``ucl``, ``signal``).
    title : str
        Axes title.
    proportion : bool
        Draw the values as percentages.

    Returns
    -------
    Axes
        Lines labelled ``"ucl"``, ``"lcl"``, ``"center"`` (one set per stage), ``"value"`` and
        ``"signal"``; dotted vertical lines at stage breaks. Date subgroups get a concise date
        axis (years written once), readable in small panels.
    """
    for _, stage in table.groupby("stage", sort=False):
        x = stage["subgroup"]
        for column, style in (("ucl", "--"), ("lcl", "--"), ("center", "-")):
            ax.step(
                x,
                stage[column],
                where="mid",
                color=PALETTE["limit"],
                linestyle=style,
                linewidth=1,
                label=column,
            )
    ax.plot(
        table["subgroup"],
        table["value"],
        marker="o",
        markersize=3,
        color=PALETTE["series"],
        linewidth=1,
        label="value",
    )
    _mark_signals(ax, table, table["value"])
    starts = table["stage"].ne(table["stage"].shift()).to_numpy()
    for key in table["subgroup"][starts].iloc[1:]:
        ax.axvline(key, color=PALETTE["reference"], linewidth=0.8, linestyle=":")
    if proportion:
        percent_axis(ax, "y")
    date_axis(ax, table["subgroup"])
    ax.set_title(title)
    ax.set_xlabel("subgroup")
    return ax


def _mark_signals(ax: Axes, table: pd.DataFrame, values: pd.Series | np.ndarray) -> None:
    """Circle the points where a rule fired (``values`` aligned with ``table``'s rows)."""
    flagged = table["signal"].to_numpy()
    ax.plot(
        table["subgroup"][flagged],
        np.asarray(values)[flagged],
        linestyle="none",
        marker="o",
        markersize=6,
        color=PALETTE["signal"],
        label="signal",
    )


@public
def plot_control_chart(chart: ControlChart, ax: Axes | None = None) -> Axes:
    """Draw a :class:`~qainsights.spc.ControlChart` (see :func:`draw_chart`); returns the Axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    return draw_chart(ax, chart.table, title=f"{chart.chart} chart", proportion=chart.proportion)


@public
def plot_chart_pair(pair: ControlChartPair, ax=None) -> Figure:
    """Draw the location chart above the spread chart; returns their Figure."""
    if ax is None:
        _, ax = plt.subplots(2, 1, figsize=(9, 6), sharex=True, layout="constrained")
    plot_control_chart(pair.location, ax=ax[0])
    plot_control_chart(pair.spread, ax=ax[1])
    return ax[0].figure


@public
def plot_chart_set(charts: ControlChartSet, ax=None, *, max_panels: int = 12) -> Figure:
    """Small multiples of the segments whose latest point signals; returns their Figure.

    Out-of-control segments come first, then shifts, at most ``max_panels``; panels left
    over in ``ax`` are hidden.
    """
    table = charts.to_frame()
    flagged = table[table["status"].isin(list(_FLAGGED))]
    flagged = flagged.sort_values("status", key=lambda s: s.map(_FLAGGED)).head(max_panels)
    if ax is None:
        columns = min(3, max(len(flagged), 1))
        rows = max(-(-len(flagged) // columns), 1)
        _, ax = plt.subplots(
            rows, columns, figsize=(4 * columns, 2.6 * rows), squeeze=False, layout="constrained"
        )
    axes = np.ravel(ax)
    by = list(charts.by)
    points = charts.table.merge(flagged[by], on=by)
    panels = points.groupby(by, sort=False)
    for axis, (key, segment) in zip(axes[: panels.ngroups], panels, strict=True):
        draw_chart(axis, segment, title=label_of(key), proportion=charts.proportion)
    for axis in axes[len(flagged) :]:
        axis.set_visible(False)
    return axes[0].figure


@public
def plot_cusum(chart: CusumChart, ax: Axes | None = None) -> Axes:
    """Draw C+ and C- with the decision interval ±h and the signals; returns the Axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    table = chart.table
    x = table["subgroup"]
    ax.plot(x, table["upper"], marker="o", markersize=3, color=PALETTE["series"], label="upper")
    ax.plot(
        x, table["lower"], marker="o", markersize=3, color=PALETTE["second series"], label="lower"
    )
    for level in (chart.h, -chart.h):
        ax.axhline(level, color=PALETTE["limit"], linestyle="--", linewidth=1)
    _mark_signals(ax, table, np.where(table["upper"] > chart.h, table["upper"], table["lower"]))
    ax.set_title("CUSUM chart")
    ax.set_ylabel("cumulative sum (sigmas)")
    return ax
