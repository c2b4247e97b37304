"""The capability histogram: specifications, target, fitted curves and the indices."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from .._caller import public
from .style import OKABE_ITO, PALETTE, series_colors

if TYPE_CHECKING:
    from ..capability import CapabilityResult

__all__ = ["plot_capability"]


@public
def plot_capability(result: CapabilityResult, ax: Axes | None = None) -> Axes:
    """Draw the histogram with specifications, target, fitted curves and the indices.

    Parameters
    ----------
    result : CapabilityResult
    ax : Axes, optional
        Where to draw; a new figure with room for the index panel when omitted.

    Returns
    -------
    Axes
        The histogram (density scale), one vertical line per specification and target
        (labelled ``"LSL"``, ``"USL"``, ``"target"``), one curve per fitted distribution
        (labelled by its name; the first two) and the result's summary panel as text to the
        right of the axes.
    """
    if ax is None:
        figure, ax = plt.subplots(figsize=(9, 4))
        figure.subplots_adjust(right=0.68)
    values = result.values
    ax.hist(values, bins="auto", density=True, color=PALETTE["fill"], edgecolor="none")
    limit = PALETTE["target"]
    lines = (("LSL", result.lsl, limit, "--"), ("USL", result.usl, limit, "--"))
    target = ("target", result.target, OKABE_ITO["bluish green"], ":")
    for label, position, color, style in (*lines, target):
        if position is not None:
            ax.axvline(position, color=color, linestyle=style, label=label)
    marks = [v for v in (result.lsl, result.usl, result.target) if v is not None]
    low, high = min(values.min(), *marks), max(values.max(), *marks)
    grid = np.linspace(low - 0.05 * (high - low), high + 0.05 * (high - low), 400)
    for (label, fit), color in zip(result.fits, series_colors(2), strict=False):
        ax.plot(grid, fit.pdf(grid), color=color, label=label)
    ax.set_xlabel("value")
    ax.set_ylabel("density")
    ax.set_title(f"Process capability ({result.method})")
    ax.legend(loc="upper left", fontsize="small")
    ax.text(
        1.03,
        1.0,
        result.summary(),
        transform=ax.transAxes,
        va="top",
        family="monospace",
        fontsize="small",
    )
    return ax
