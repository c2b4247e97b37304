"""All drawing, in one house style, above the results it draws.

Statistics never import matplotlib: each result's ``.plot(ax=None)`` imports its drawing
function from here when called. ``.plot()`` returns the matplotlib ``Axes`` it drew on, or
the ``Figure`` when the drawing has several axes by nature (a location and spread pair,
small multiples of segments).

Modules
-------
style
    The palette (Okabe & Ito's colour-blind-safe colours, by role), axis formatters, new axes.
charts
    Charts of tables shared by topics: :func:`plot_intervals`, :func:`plot_funnel`,
    :func:`plot_heatmap`, :func:`draw_waterfall`.
spc, capability, trends, rca, experiments, agreement, moderators
    One drawing function per result class of that topic.
"""

from .charts import draw_waterfall, plot_funnel, plot_heatmap, plot_intervals
from .style import PALETTE

__all__ = ["PALETTE", "draw_waterfall", "plot_funnel", "plot_heatmap", "plot_intervals"]
