"""Root-cause charts: Pareto, the forest of error drivers, the direction of errors, fishbone."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes

from .._caller import public
from .style import PALETTE, axes_or_new, finish, join_labels, number_axis, percent_axis

if TYPE_CHECKING:
    from ..rca import DriversResult, EnforcementSplit, ParetoResult

__all__ = ["draw_fishbone", "plot_drivers", "plot_enforcement", "plot_pareto"]

_SPINE_LENGTH = 10.0
_BONE_HEIGHT = 4.0
_BONE_SLANT = 1.6
_TWIG = 0.25


@public
def plot_pareto(result: ParetoResult, ax: Axes | None = None) -> Axes:
    """Share bars (vital few highlighted), the cumulative share line, the cut-off, and the
    earlier period's shares as markers when two periods are compared. Returns the Axes.
    """
    ax = axes_or_new(ax, 4.0)
    table, category = result.table, result.category
    x = np.arange(len(table))
    colours = np.where(table["vital"], PALETTE["worse"], PALETTE["estimate"])
    ax.bar(x, table["share"], color=colours, label="share")
    ax.plot(x, table["cum_share"], color=PALETTE["estimate"], marker="o", label="cumulative")
    ax.axhline(
        result.cutoff, color=PALETTE["reference"], linestyle="--", linewidth=1, label="cut-off"
    )
    if result.comparison is not None:
        before = result.comparison.set_index(category)["share_before"]
        ax.scatter(
            x,
            before.reindex(table[category]).to_numpy(),
            color="black",
            marker="_",
            s=300,
            zorder=3,
            label=f"share in {result.periods[0]}",
        )
    ax.set_xticks(x, table[category].astype(str), rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    measure = "errors" if result.measure == "count" else result.measure
    percent_axis(ax, "y", label=f"share of {measure}")
    ax.legend(frameon=False, loc="center right")
    suffix = f" in {result.periods[1]}" if result.periods else ""
    return finish(ax, f"Pareto of {category}{suffix}")


@public
def plot_drivers(result: DriversResult, ax: Axes | None = None) -> Axes:
    """Forest plot of the odds ratios and their intervals, on a log scale; returns the Axes.

    Levels whose adjusted p-value is below ``1 - ci`` are drawn in the "worse" colour.
    """
    rows = result.table[~result.table["reference"]]
    ax = axes_or_new(ax, 0.8 + 0.3 * len(rows))
    y = np.arange(len(rows))[::-1]
    significant = rows["p_adjusted"].to_numpy() < 1 - result.ci
    colours = np.where(significant, PALETTE["worse"], PALETTE["estimate"])
    ax.hlines(y, rows["ci_low"], rows["ci_high"], colors=colours, linewidth=2.5)
    ax.scatter(rows["odds_ratio"], y, color=colours, zorder=3, s=30)
    ax.axvline(1.0, color=PALETTE["reference"], linestyle="--", linewidth=1)
    number_axis(
        ax,
        "x",
        log=True,
        label=f"odds ratio of an error ({result.ci:.0%} CI), against each reference level",
    )
    ax.set_yticks(y, (rows["factor"] + " = " + rows["level"].astype(str)).tolist())
    return finish(ax, grid="x")


@public
def plot_enforcement(result: EnforcementSplit, ax: Axes | None = None) -> Axes:
    """Diverging bars: over-enforcement rate to the right, under-enforcement to the left,
    each with its interval. Returns the Axes.
    """
    table, rates = result.table, result.rates
    ax = axes_or_new(ax, 0.8 + 0.4 * len(table))
    y = np.arange(len(table))[::-1]
    kinds = (("over_enforcement", 1, "worse"), ("under_enforcement", -1, "series"))
    for kind, sign, colour in kinds:
        # enforcement_rates sorts by segment like the table, so rows line up.
        rows = rates[rates["error_type"] == kind]
        rate = rows["rate"].to_numpy()
        err = np.vstack([rate - rows["ci_low"].to_numpy(), rows["ci_high"].to_numpy() - rate])
        ax.barh(y, sign * rate, xerr=err, color=PALETTE[colour], label=kind.replace("_", "-"))
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, join_labels(table, result.by))
    percent_axis(
        ax,
        "x",
        absolute=True,
        label="share of audits: under-enforcement (left), over-enforcement (right)",
    )
    ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    return finish(ax)


@public
def draw_fishbone(categories: dict[str, list[str]], *, effect: str, ax: Axes | None = None) -> Axes:
    """Draw a cause-and-effect diagram of checked ``categories`` (see :func:`qainsights.rca.fishbone`).

    Returns
    -------
    Axes
        In data coordinates: the spine is an arrow along ``y = 0`` from ``x = 0`` to
        ``x = 10``; the effect's text is at ``(10.3, 0)``; bones alternate above and below.
    """
    ax = axes_or_new(ax, 5.5, width=10.0)
    colour = PALETTE["estimate"]
    ax.arrow(
        0.0,
        0.0,
        _SPINE_LENGTH,
        0.0,
        width=0.04,
        head_width=0.3,
        head_length=0.3,
        length_includes_head=True,
        color=colour,
    )
    ax.text(
        _SPINE_LENGTH + 0.3,
        0.0,
        effect,
        ha="left",
        va="center",
        fontsize=11,
        fontweight="bold",
        bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": colour},
    )
    pairs = int(np.ceil(len(categories) / 2))
    step = _SPINE_LENGTH / (pairs + 1)
    for index, (category, items) in enumerate(categories.items()):
        side = 1.0 if index % 2 == 0 else -1.0
        root = _SPINE_LENGTH - step * (index // 2 + 1) + _BONE_SLANT / 2
        tip = (root - _BONE_SLANT, side * _BONE_HEIGHT)
        ax.plot([tip[0], root], [tip[1], 0.0], color=colour, linewidth=1.5)
        ax.text(
            tip[0],
            tip[1] + side * 0.35,
            category,
            ha="center",
            va="bottom" if side > 0 else "top",
            fontsize=10,
            fontweight="bold",
        )
        # Twigs at evenly spaced heights along the bone, outermost first.
        fractions = np.arange(1, len(items) + 1) / (len(items) + 1)
        ys = side * _BONE_HEIGHT * (1 - fractions)
        xs = tip[0] + _BONE_SLANT * fractions
        for cause, x, y in zip(items, xs, ys, strict=True):
            ax.plot([x - _TWIG, x], [y, y], color=colour, linewidth=0.8)
            ax.text(x - _TWIG - 0.05, y, cause, ha="right", va="center", fontsize=8.5)
    ax.set_xlim(-2.5, _SPINE_LENGTH + 3.0)
    ax.set_ylim(-_BONE_HEIGHT - 1.2, _BONE_HEIGHT + 1.2)
    ax.set_axis_off()
    return ax
