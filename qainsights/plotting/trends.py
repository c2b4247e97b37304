"""Trends: rates per period with their stable stretches, waterfalls of a change, forests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from .._caller import public
from .._validation import format_values
from .charts import draw_waterfall, plot_intervals
from .style import PALETTE, axes_or_new, finish, join_labels, label_of, percent_axis, series_colors

if TYPE_CHECKING:
    from ..trends import ChangeDecomposition, ChangeExplanation, Changepoints, PeriodComparison

__all__ = [
    "plot_changepoints",
    "plot_decomposition",
    "plot_explanation",
    "plot_period_comparison",
]


@public
def plot_changepoints(result: Changepoints, ax: Axes | None = None) -> Axes:
    """Each series' rate per period (dots) and the rate of each stable stretch (steps).

    Returns
    -------
    Axes
        One colour per series (a legend entry per series when there are ``by`` columns).
    """
    ax = axes_or_new(ax, 3.5, width=8.0)
    keys = list(result.by)
    series = result.series
    groups = list(series.groupby(keys, sort=False)) if keys else [((), series)]
    colours = series_colors(len(groups)) if keys else [PALETTE["estimate"]]
    for colour, (name, part) in zip(colours, groups, strict=True):
        ax.plot(part[result.period], part["rate"], "o", color=colour, ms=3, alpha=0.6)
        stretch = result.segments
        if keys:
            mask = (stretch[keys] == pd.Series(np.atleast_1d(name), index=keys)).all(axis=1)
            stretch = stretch[mask]
        label = label_of(name) if keys else None
        ax.hlines(
            stretch["rate"], stretch["start"], stretch["end"], color=colour, lw=2.5, label=label
        )
    percent_axis(ax, "y", label="error rate")
    if keys:
        ax.legend(frameon=False, fontsize=8)
    return finish(ax, "Error rate per period and its stable stretches", grid="y")


@public
def plot_decomposition(
    result: ChangeDecomposition, ax: Axes | None = None, *, top: int = 8
) -> Axes:
    """Waterfall from the baseline to the current rate: mix, then each segment's rate effect.

    The ``top`` segments with the largest rate effects get their own bar; the others share
    one. Returns the Axes.
    """
    rates = result.segments.assign(_size=result.segments["rate_effect"].abs())
    rates = rates.sort_values("_size", ascending=False)
    labels = join_labels(rates, result.by)
    steps = [("mix of segments", float(result.effects["estimate"].iloc[0]))]
    steps += list(zip(labels[:top], rates["rate_effect"].iloc[:top], strict=True))
    if len(rates) > top:
        steps.append((f"{len(rates) - top} other segments", rates["rate_effect"][top:].sum()))
    return draw_waterfall(
        steps,
        result.rate_baseline,
        result.rate_current,
        title="Change of the error rate: mix, then rates",
        ax=ax,
    )


@public
def plot_explanation(result: ChangeExplanation, ax: Axes | None = None) -> Axes:
    """Waterfall: baseline rate, each selected segment's share of the change, the rest."""
    row = result.overall.iloc[0]
    explanation = result.explanation
    steps = list(zip(explanation["segment"], explanation["explained"], strict=True))
    rest = row["difference"] - explanation["explained"].sum()
    steps.append(("everything else (incl. mix)", rest))
    return draw_waterfall(
        steps,
        row["rate_baseline"],
        row["rate_current"],
        title="What explains the change of the error rate",
        ax=ax,
    )


@public
def plot_period_comparison(result: PeriodComparison, ax: Axes | None = None) -> Axes:
    """Forest plot: each segment's change with its interval; significant ones marked ``*``."""
    table = result.segments.dropna(subset=["difference"])
    star = table["significant"].map({True: " *", False: ""})
    label = pd.Series(join_labels(table, result.by), index=table.index) + star
    ax = plot_intervals(
        table.assign(_label=label),
        label="_label",
        estimate="difference",
        title=f"Change in error rate, {_describe(result.current)} vs "
        f"{_describe(result.baseline)} (* q <= {result.alpha:g})",
        ax=ax,
    )
    ax.axvline(0.0, color=PALETTE["target"], linewidth=1.0)
    ax.set_xlabel("difference in error rate (percentage points)")
    return ax


def _describe(periods: tuple) -> str:
    """Up to three periods, dates written as dates."""
    return format_values([str(p)[:10] for p in periods], limit=3).replace("'", "")
