"""The house style: one colour-blind-safe palette, one set of axis formatters, new axes.

Colours come from Okabe & Ito's palette (2008), distinguishable under the common forms of
colour blindness; the meaning of a colour is the same in every chart (vermillion: above a
limit or worse, bluish green: better, blue: the treated or fitted series, dark grey: a plain
estimate).

References
----------
.. [1] Okabe, M. & Ito, K. (2008). Color Universal Design (CUD): how to make figures and
   presentations that are friendly to colorblind people. https://jfly.uni-koeln.de/color/
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from .._caller import public
from .._compat import STR

__all__ = [
    "DIVERGING_MAP",
    "OKABE_ITO",
    "PALETTE",
    "RoundPercentFormatter",
    "axes_or_new",
    "date_axis",
    "finish",
    "join_labels",
    "label_of",
    "number_axis",
    "percent_axis",
    "series_colors",
]

#: Okabe & Ito's eight colours, by name.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

#: Colours by role: every chart takes its colours from here.
PALETTE = {
    "estimate": "#404040",
    "limit": "#707070",
    "reference": "#999999",
    "target": OKABE_ITO["vermillion"],
    "signal": OKABE_ITO["vermillion"],
    "series": OKABE_ITO["blue"],
    "second series": OKABE_ITO["orange"],
    "worse": OKABE_ITO["vermillion"],
    "better": OKABE_ITO["bluish green"],
    "meets target": OKABE_ITO["bluish green"],
    "below target": OKABE_ITO["vermillion"],
    "not separable from target": "#999999",
    "separable high": OKABE_ITO["vermillion"],
    "separable low": OKABE_ITO["blue"],
    "within expected range": "#999999",
    "too few audits": "#cccccc",
    "treated": OKABE_ITO["blue"],
    "comparison": "#404040",
    "fill": "#bfbfbf",
}

#: Diverging colour map for matrices of agreement (ColorBrewer's RdBu, colour-blind safe).
DIVERGING_MAP = "RdBu"

#: Tick steps: ticks fall on 1, 2 or 5 times a power of ten, so that each tick label shows
#: its value exactly (2.5 steps would write 2.25 % as "2.2%").
_ROUND_STEPS = [1, 2, 5, 10]


@public
def series_colors(count: int) -> list[str]:
    """Return ``count`` distinct colours for several series, cycling Okabe & Ito's palette.

    Examples
    --------
    >>> series_colors(3)
    ['#0072B2', '#E69F00', '#009E73']
    """
    order = ["blue", "orange", "bluish green", "reddish purple", "sky blue", "vermillion"]
    return [OKABE_ITO[order[i % len(order)]] for i in range(count)]


@public
def axes_or_new(ax: Axes | None, height: float, width: float = 7.0) -> Axes:
    """Return ``ax``, or the axes of a new figure ``width`` x ``height`` inches."""
    if ax is None:
        _, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return ax


@public
def finish(ax: Axes, title: str | None = None, *, grid: str | None = None) -> Axes:
    """House finish: no top and right spines, a left-aligned title, an optional light grid.

    Parameters
    ----------
    ax : Axes
        The axes drawn.
    title : str, optional
        Axes title, written at the left.
    grid : {"x", "y", "both"}, optional
        Axis whose grid lines are drawn.

    Returns
    -------
    Axes
    """
    ax.spines[["top", "right"]].set_visible(False)
    if grid:
        ax.grid(axis=grid, alpha=0.3)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    return ax


class RoundPercentFormatter(PercentFormatter):
    """Percentages with as many decimals as the tick step needs: 5%, 7.5%, 0.25%.

    Examples
    --------
    >>> RoundPercentFormatter().format_ticks([0.055, 0.06, 0.065])
    ['5.5%', '6.0%', '6.5%']
    >>> RoundPercentFormatter().format_ticks([0.0525, 0.055])
    ['5.25%', '5.50%']
    >>> RoundPercentFormatter().format_ticks([0.0, 0.1, 0.2])
    ['0%', '10%', '20%']
    """

    def __init__(self) -> None:
        super().__init__(1.0, decimals=1)

    def format_ticks(self, values):
        """Format the ticks with the fewest decimals that write every one exactly."""
        percents = 100 * np.asarray(values, dtype=float)
        self.decimals = next(
            (d for d in range(4) if np.allclose(np.round(percents, d), percents, atol=1e-9)), 4
        )
        return [self.format_pct(value, 1.0) for value in values]


@public
def percent_axis(
    ax: Axes, which: str = "y", *, label: str | None = None, absolute: bool = False
) -> Axes:
    """Show proportions on one axis as percentages, with ticks at round steps.

    Parameters
    ----------
    ax : Axes
    which : {"x", "y"}
        The axis.
    label : str, optional
        The axis label.
    absolute : bool, default False
        Write ``|value|`` (for bars that diverge from zero in both directions).

    Returns
    -------
    Axes

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0.02, 0.07])
    >>> _ = percent_axis(ax, label="error rate")
    >>> ax.yaxis.get_major_formatter().format_ticks([0.02, 0.04, 0.06])
    ['2%', '4%', '6%']
    >>> plt.close(fig)
    """
    axis = getattr(ax, f"{which}axis")
    axis.set_major_locator(MaxNLocator(nbins="auto", steps=_ROUND_STEPS))
    if absolute:
        axis.set_major_formatter(FuncFormatter(lambda value, _: f"{abs(value):.1%}"))
    else:
        axis.set_major_formatter(RoundPercentFormatter())
    if label is not None:
        getattr(ax, f"set_{which}label")(label)
    return ax


@public
def number_axis(ax: Axes, which: str = "x", *, label: str | None = None, log: bool = False) -> Axes:
    """Plain numbers on one axis (``g`` format); on a log scale, ticks at 1, 2 and 5 per decade.

    Returns
    -------
    Axes
    """
    from matplotlib.ticker import LogLocator, NullFormatter

    axis = getattr(ax, f"{which}axis")
    if log:
        getattr(ax, f"set_{which}scale")("log")
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_minor_formatter(NullFormatter())
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    if label is not None:
        getattr(ax, f"set_{which}label")(label)
    return ax


@public
def date_axis(ax: Axes, values: pd.Series, which: str = "x") -> Axes:
    """Give date values a concise date axis (years written once), readable in small panels."""
    if pd.api.types.is_datetime64_any_dtype(values):
        axis = getattr(ax, f"{which}axis")
        locator = AutoDateLocator(maxticks=6)
        axis.set_major_locator(locator)
        axis.set_major_formatter(ConciseDateFormatter(locator))
    return ax


@public
def join_labels(table: pd.DataFrame, columns: list[str] | tuple[str, ...]) -> list[str]:
    """One label per row: the values of ``columns`` joined with " / ".

    Examples
    --------
    >>> join_labels(pd.DataFrame({"site": ["a", "b"], "queue": [1, 2]}), ["site", "queue"])
    ['a / 1', 'b / 2']
    """
    return table[list(columns)].astype(STR).agg(" / ".join, axis=1).tolist()


@public
def label_of(key: object) -> str:
    """A group-by key (a value or a tuple of values) as one " / "-joined label."""
    return " / ".join(str(part) for part in np.atleast_1d(key))
