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
    """Funnel plot: error rate against audits, coloured by status; returns the Axes."""
    return plot_funnel(
        result.table, limits=result.limits, center=result.prior.mean, status="status", ax=ax
    )
