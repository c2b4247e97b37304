"""Calibration sessions: rater accuracy against the reference, and rater x rater agreement."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from .._caller import public
from .charts import plot_heatmap, plot_intervals

if TYPE_CHECKING:
    from ..agreement import CalibrationResult

__all__ = ["plot_calibration", "plot_rater_pairs"]


@public
def plot_calibration(result: CalibrationResult, ax: Axes | None = None) -> Axes:
    """Forest plot of rater accuracy with intervals; the dashed line is the pooled accuracy."""
    raters = result.raters
    pooled = raters["agreements"].sum() / raters["n_items"].sum()
    ax = plot_intervals(
        raters, label="rater", estimate="accuracy", target=pooled, ax=ax,
        title=f"Rater accuracy against the {result.reference}",
    )  # fmt: skip
    ax.get_legend().get_texts()[0].set_text("pooled")
    return ax


@public
def plot_rater_pairs(
    result: CalibrationResult, ax: Axes | None = None, *, value: str = "kappa"
) -> Axes:
    """Heatmap of rater x rater agreement (``value``: ``"kappa"`` or ``"agreement"``)."""
    pairs = result.pairs
    order = pd.Index(sorted(set(pairs["rater_a"]), key=str))
    matrix = np.full((len(order), len(order)), np.nan)
    rows = order.get_indexer(pairs["rater_a"])
    matrix[rows, order.get_indexer(pairs["rater_b"])] = pairs[value]
    labels = [str(r) for r in order]
    return plot_heatmap(
        pd.DataFrame(matrix, index=labels, columns=labels),
        vmin=-1 if value == "kappa" else 0, vmax=1, label=value,
        title=f"Pairwise {value}", ax=ax,
    )  # fmt: skip
