"""Charts of result tables that several topics share: intervals, funnel, heatmap, waterfall.

Functions draw a table; they never compute statistics.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from .._caller import public
from .._deprecation import renamed
from .._validation import check_columns, check_frame
from .style import DIVERGING_MAP, PALETTE, axes_or_new, finish, join_labels, percent_axis

__all__ = ["draw_waterfall", "plot_funnel", "plot_heatmap", "plot_intervals"]


@public
def plot_intervals(
    table: pd.DataFrame,
    *,
    label: str | Sequence[str],
    estimate: str = "rate",
    ci_low: str = "ci_low",
    ci_high: str = "ci_high",
    target: float | None = None,
    status: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw one estimate and its interval per row, as a dot and a horizontal line.

    Parameters
    ----------
    table : DataFrame
        A result table, e.g. from :func:`qainsights.rates.error_rate`.
    label : str or list of str
        Column(s) naming each row; several are joined with " / ".
    estimate, ci_low, ci_high : str
        Columns of the estimate and its interval, as proportions (drawn as percentages).
    target : float, optional
        A target drawn as a vertical dashed line.
    status : str, optional
        A column whose values (``"meets target"``, ``"below target"``,
        ``"not separable from target"``) colour the rows.
    title : str, optional
        Axes title.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes

    Examples
    --------
    >>> rates = pd.DataFrame({"site": ["a", "b"], "rate": [0.9, 0.8],
    ...                       "ci_low": [0.85, 0.7], "ci_high": [0.94, 0.88]})
    >>> ax = plot_intervals(rates, label="site", target=0.85)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['a', 'b']
    """
    check_frame(table, name="table")
    labels = [label] if isinstance(label, str) else list(label)
    columns = [*labels, estimate, ci_low, ci_high] + ([status] if status else [])
    check_columns(table, columns, param="table")
    ax = axes_or_new(ax, 0.8 + 0.35 * len(table))
    y = np.arange(len(table))[::-1]
    colours = (
        table[status].map(PALETTE).fillna(PALETTE["estimate"]).to_numpy()
        if status
        else np.full(len(table), PALETTE["estimate"])
    )
    ax.hlines(y, table[ci_low], table[ci_high], colors=colours, linewidth=2.5)
    ax.scatter(table[estimate], y, color=colours, zorder=3, s=30)
    if target is not None:
        ax.axvline(target, color=PALETTE["target"], linestyle="--", linewidth=1.2, label="target")
        ax.legend(loc="lower right", frameon=False)
    ax.set_yticks(y, join_labels(table, labels))
    percent_axis(ax, "x", label=estimate.replace("_", " "))
    return finish(ax, title, grid="x")


@public
@renamed(centre="center")
def plot_funnel(
    table: pd.DataFrame,
    *,
    limits: pd.DataFrame,
    n: str = "n",
    rate: str = "rate",
    center: float | None = None,
    status: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw a funnel plot: each unit's rate against its number of audits, inside control limits.

    Parameters
    ----------
    table : DataFrame
        One row per unit, e.g. :class:`qainsights.moderators.ModeratorOutliers`'s ``table``.
    limits : DataFrame
        Columns ``n``, ``level``, ``lower`` and ``upper``: the limits at each audit count,
        one block of rows per level, drawn as steps (the widest level solid, the others
        dashed).
    n, rate : str
        Columns of the audit count (x) and the rate (y, drawn as a percentage).
    center : float, optional
        The expected rate, drawn as a horizontal line.
    status : str, optional
        A column whose values (``"separable high"``, ``"separable low"``, ``"within expected
        range"``, ``"too few audits"``) colour the points, one legend entry each.
    title : str, optional
        Axes title.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes

    References
    ----------
    Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
    Statistics in Medicine 24, 1185-1202.

    Examples
    --------
    >>> units = pd.DataFrame({"n": [50, 200], "rate": [0.2, 0.05]})
    >>> limits = pd.DataFrame({"n": [1, 200], "level": 0.95, "lower": [0.0, 0.04],
    ...                        "upper": [1.0, 0.16]})
    >>> ax = plot_funnel(units, limits=limits, center=0.1)
    >>> ax.collections[0].get_offsets().tolist()
    [[50.0, 0.2], [200.0, 0.05]]
    """
    check_frame(table, name="table")
    check_frame(limits, name="limits")
    check_columns(table, [n, rate] + ([status] if status else []), param="table")
    check_columns(limits, ["n", "level", "lower", "upper"], param="limits")
    ax = axes_or_new(ax, 4.5)
    groups = table.groupby(status, sort=False) if status else [(None, table)]
    for name, rows in groups:
        colour = PALETTE.get(name, PALETTE["estimate"]) if name else PALETTE["estimate"]
        ax.scatter(rows[n], rows[rate], color=colour, s=14, alpha=0.8, label=name, zorder=3)
    widest = limits["level"].max()
    for level, block in limits.groupby("level", sort=True):
        style = {"color": PALETTE["estimate"], "linewidth": 1.0, "drawstyle": "steps-post"}
        style["linestyle"] = "-" if level == widest else "--"
        ax.plot(block["n"], block["lower"], label=f"{level:.1%} limits", **style)
        ax.plot(block["n"], block["upper"], **style)
    if center is not None:
        ax.axhline(center, color=PALETTE["target"], linewidth=1.0, label="expected")
    # the limits reach 100 % at one audit: the axis ends just above the points and the widest
    # limit where the units begin (their 5th percentile of audits), so the points keep the room
    outer = limits[limits["level"] == widest].sort_values("n")
    reach = np.interp(table[n].quantile(0.05), outer["n"], outer["upper"])
    ax.set_ylim(0.0, min(1.0, 1.1 * max(float(table[rate].max()), float(reach))))
    percent_axis(ax, "y", label=rate.replace("_", " "))
    ax.set_xlabel("audits")
    ax.legend(loc="upper right", frameon=False, fontsize=8)
    return finish(ax, title, grid="both")


@public
def plot_heatmap(
    matrix: pd.DataFrame,
    *,
    vmin: float,
    vmax: float,
    label: str,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw a square matrix (raters x raters, categories x categories) with each cell's value.

    Missing cells (the diagonal of a pairwise matrix) stay blank. seaborn's ``heatmap`` draws
    the cells and writes their values in them, which matplotlib alone does not.

    Parameters
    ----------
    matrix : DataFrame
        The values, with the row and column labels as index and columns.
    vmin, vmax : float
        The ends of the colour scale (e.g. -1 and 1 for kappa).
    label : str
        The colour bar's label.
    title : str, optional
        Axes title.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes

    Examples
    --------
    >>> kappas = pd.DataFrame([[np.nan, 0.6], [0.6, np.nan]], index=["a", "b"], columns=["a", "b"])
    >>> ax = plot_heatmap(kappas, vmin=-1, vmax=1, label="kappa")
    >>> [t.get_text() for t in ax.texts]
    ['0.60', '0.60']
    """
    import seaborn as sns

    check_frame(matrix, name="matrix")
    if ax is None:
        size = 1.5 + 0.45 * len(matrix)
        _, ax = plt.subplots(figsize=(size + 1.2, size), layout="constrained")
    sns.heatmap(
        matrix, vmin=vmin, vmax=vmax, cmap=DIVERGING_MAP, annot=True, fmt=".2f", square=True,
        linewidths=0.5, cbar_kws={"label": label}, ax=ax,
    )  # fmt: skip
    ax.set_xlabel("")
    ax.set_ylabel("")
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    return ax


@public
def draw_waterfall(
    steps: Sequence[tuple[str, float]],
    start: float,
    end: float,
    *,
    title: str,
    ax: Axes | None = None,
) -> Axes:
    """Draw horizontal waterfall bars: ``start``, one bar per ``(label, step)``, ``end``.

    Rises are drawn in the "worse" colour, falls in the "better" one (for error rates).

    Parameters
    ----------
    steps : sequence of (str, float)
        The labelled steps from ``start`` to ``end``, as proportions.
    start, end : float
        The rates drawn as whole bars at the top and the bottom.
    title : str
        Axes title.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes

    Examples
    --------
    >>> ax = draw_waterfall([("mix", 0.01), ("rates", -0.005)], 0.05, 0.055, title="Change")
    >>> [round(float(p.get_width()), 3) for p in ax.patches]
    [0.05, 0.055, 0.01, -0.005]
    """
    ax = axes_or_new(ax, 1.2 + 0.35 * (len(steps) + 2))
    sizes = np.array([s for _, s in steps], dtype=float)
    lefts = start + np.concatenate([[0.0], np.cumsum(sizes)[:-1]])
    y = np.arange(len(steps) + 2)[::-1]
    colours = np.where(sizes > 0, PALETTE["worse"], PALETTE["better"])
    ax.barh(y[[0, -1]], [start, end], color=PALETTE["estimate"], height=0.6)
    ax.barh(y[1:-1], sizes, left=lefts, color=colours, height=0.6)
    ax.set_yticks(y, ["baseline rate", *[label for label, _ in steps], "current rate"])
    edges = np.concatenate([[start, end], lefts, lefts + sizes])
    pad = 0.1 * (edges.max() - edges.min()) or 0.01
    ax.set_xlim(max(edges.min() - pad, 0.0), edges.max() + pad)
    percent_axis(ax, "x", label="error rate")
    return finish(ax, title, grid="x")
