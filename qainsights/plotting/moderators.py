"""Moderators: the funnel of error rates against audits, inside the prior-predictive limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matplotlib.axes import Axes

from .._caller import public
from .charts import plot_funnel

if TYPE_CHECKING:
    from ..moderators import ModeratorOutliers

__all__ = ["plot_moderator_funnel"]


@public
def plot_moderator_funnel(result: ModeratorOutliers, ax: Axes | None = None) -> Axes:
    """Funnel plot: error rate against audits, coloured by status, its title saying how many
    moderators are separable; returns the Axes.
    """
    counts = result.table["status"].value_counts()
    high, low = counts.get("separable high", 0), counts.get("separable low", 0)
    title = (
        f"{high} moderator(s) separably high, {low} separably low"
        if high or low
        else "No moderator separable from the spread expected between moderators"
    )
    return plot_funnel(
        result.table,
        limits=result.limits,
        center=result.prior.mean,
        status="status",
        title=title,
        ax=ax,
    )
