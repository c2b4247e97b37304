"""Experiments: rates per arm, the two arms of a difference in differences, a broken series."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matplotlib.axes import Axes

from .._caller import public
from .charts import plot_intervals
from .style import PALETTE, axes_or_new, finish, percent_axis

if TYPE_CHECKING:
    from ..experiments import ABTestResult, DiffInDiffResult, InterruptedSeriesResult

__all__ = ["plot_ab_test", "plot_diff_in_diff", "plot_interrupted_series"]


@public
def plot_ab_test(result: ABTestResult, ax: Axes | None = None) -> Axes:
    """Each arm's error rate with its interval; returns the Axes."""
    return plot_intervals(
        result.rates, label="arm", title=f"Error rate by arm ({result.ci:.0%} intervals)", ax=ax
    )


@public
def plot_diff_in_diff(result: DiffInDiffResult, ax: Axes | None = None) -> Axes:
    """Each arm's error rate per period, with intervals and the start marked; returns the Axes."""
    ax = axes_or_new(ax, 3.8, width=8.0)
    series = result.series
    time = series.columns[1]
    for arm, part in series.groupby("arm", sort=False):
        colour = PALETTE[arm]
        ax.fill_between(part[time], part["ci_low"], part["ci_high"], color=colour, alpha=0.15)
        ax.plot(part[time], part["rate"], color=colour, marker="o", markersize=3, label=arm)
    ax.axvline(result.start, color=PALETTE["target"], linestyle="--", linewidth=1.2)
    odds = result.effects.set_index("effect").loc["odds_ratio"]
    ax.legend(frameon=False)
    percent_axis(ax, "y", label="error rate")
    title = (
        f"Difference-in-differences: odds ratio {odds['estimate']:.2f} "
        f"({result.ci:.0%} CI {odds['ci_low']:.2f} to {odds['ci_high']:.2f})"
    )
    return finish(ax, title, grid="y")


@public
def plot_interrupted_series(result: InterruptedSeriesResult, ax: Axes | None = None) -> Axes:
    """The rates with intervals, the fitted segments and the counterfactual; returns the Axes."""
    ax = axes_or_new(ax, 3.8, width=8.0)
    s = result.series
    time = s.columns[0]
    ax.errorbar(
        s[time],
        s["rate"],
        yerr=[s["rate"] - s["ci_low"], s["ci_high"] - s["rate"]],
        fmt="o",
        markersize=3,
        color=PALETTE["estimate"],
        alpha=0.6,
        label="observed",
    )
    fitted = PALETTE["series"]
    before = s[time] < result.start
    for part in (s[before], s[~before]):
        ax.plot(part[time], part["fitted"], color=fitted, linewidth=2)
    ax.plot([], [], color=fitted, linewidth=2, label="fitted segments")
    ax.plot(
        s.loc[~before, time],
        s.loc[~before, "counterfactual"],
        color=fitted,
        linestyle=":",
        linewidth=2,
        label="pre-period trend carried on",
    )
    ax.axvline(result.start, color=PALETTE["target"], linestyle="--", linewidth=1.2)
    ax.legend(frameon=False)
    percent_axis(ax, "y", label="error rate")
    return finish(ax, "Interrupted time series", grid="y")
