"""All drawing, in one house style. Functions draw a result table; they never compute statistics."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from ._validation import check_columns, check_frame

__all__ = ["PALETTE", "plot_intervals"]

#: Colours: neutral estimate, target line, and the three target statuses.
PALETTE = {
    "estimate": "#34495e",
    "target": "#c0392b",
    "meets target": "#1e8449",
    "below target": "#c0392b",
    "not separable from target": "#7f8c8d",
}


def _axes(ax: Axes | None, height: float) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, height), layout="constrained")
    return ax


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
    check_frame(table, func="plot_intervals", name="table")
    labels = [label] if isinstance(label, str) else list(label)
    columns = [*labels, estimate, ci_low, ci_high] + ([status] if status else [])
    check_columns(table, columns, func="plot_intervals", param="table")
    ax = _axes(ax, 0.8 + 0.35 * len(table))
    names = table[labels].astype("str").agg(" / ".join, axis=1).to_numpy()
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
    ax.set_yticks(y, names)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    ax.set_xlabel(estimate.replace("_", " "))
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    return ax
