"""The result contract: what every result object of the package answers to.

An analysis with several parts returns a frozen dataclass deriving from :class:`TidyResult`:

- ``to_frame()``: the result as one tidy DataFrame (its main table);
- ``summary()``: plain-language text (a method, never a field);
- ``repr()``: one line with the title, the key figures and the shape of ``to_frame()``;
- ``_repr_html_()``: the title over the table, for notebooks;
- ``plot(ax=None)``: the matplotlib ``Axes`` it drew on, or the ``Figure`` when the
  drawing has several axes by nature; results without a chart raise a ``TypeError``
  that names the result and what to draw instead. Drawing lives in :mod:`qainsights.plotting`, imported when
  ``plot`` is called.

``_title`` is a class attribute (not a dataclass field).
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable
from importlib import import_module
from typing import Any, ClassVar

import numpy as np
import pandas as pd

__all__ = ["TidyResult", "drawing"]

#: Key figures shown in a repr at the most, and the longest text value shown.
_MAX_FIGURES = 8
_MAX_TEXT = 40


class TidyResult(ABC):
    """Base of frozen dataclass results: a tidy frame, a summary, a compact repr, HTML.

    Subclasses implement :meth:`to_frame`; they may refine :meth:`summary`,
    :meth:`_key_figures` and :meth:`plot`.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True, repr=False)
    ... class Rates(TidyResult):
    ...     table: pd.DataFrame
    ...     ci: float
    ...     _title = "Error rates"
    ...     def to_frame(self):
    ...         return self.table
    >>> result = Rates(pd.DataFrame({"site": ["a", "b"], "rate": [0.1, 0.2]}), ci=0.95)
    >>> result
    <Rates 'Error rates': ci=0.95; frame 2 x 2>
    >>> print(result.summary())
    Error rates: ci=0.95
      site  rate
    0    a   0.1
    1    b   0.2
    """

    _title: ClassVar[str] = ""

    @abstractmethod
    def to_frame(self) -> pd.DataFrame:
        """Return the result as a tidy DataFrame."""

    @property
    def title(self) -> str:
        """The result's heading (the class name when it has none)."""
        return self._title or type(self).__name__

    def _key_figures(self) -> dict[str, Any]:
        """The figures a repr shows: by default the short scalar fields of the dataclass."""
        if not dataclasses.is_dataclass(self):
            return {}
        figures = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if _is_short(value):
                figures[item.name] = value
        return figures

    def summary(self) -> str:
        """The result in plain text: the title and key figures, then the table.

        Results with a natural sentence (an effect with its interval, a verdict) say it
        instead.
        """
        figures = _format_figures(self._key_figures())
        head = f"{self.title}: {figures}" if figures else self.title
        return f"{head}\n{self.to_frame().to_string(max_rows=20, max_cols=12)}"

    def plot(self, ax: Any = None) -> Any:
        """Draw the result; this result has no chart of its own.

        Raises
        ------
        TypeError
            Always, naming the result and what to draw instead: its table's intervals
            with :func:`qainsights.plotting.plot_intervals` when the table has ``ci_low``
            and ``ci_high``, else the table itself (``to_frame().plot``) when it holds
            numbers, else its text (``summary()``).
        """
        raise TypeError(f"{type(self).__name__} has no chart of its own. {_plot_instead(self)}")

    def __repr__(self) -> str:
        figures = _format_figures(dict(list(self._key_figures().items())[:_MAX_FIGURES]))
        rows, columns = self.to_frame().shape
        inside = f"{figures}; " if figures else ""
        return f"<{type(self).__name__} {self.title!r}: {inside}frame {rows} x {columns}>"

    def _repr_html_(self) -> str:
        return f"<h4>{self.title}</h4>" + self.to_frame()._repr_html_()


def drawing(
    module: str,
    function: str,
    summary: str,
    *,
    returns: str = "matplotlib.axes.Axes",
    options: str = "",
    ax: str = "matplotlib.axes.Axes, optional",
) -> Callable:
    """Return a plot method that draws with ``qainsights.plotting.<module>.<function>``.

    The drawing module is imported when the method is called, so that no statistics module
    loads matplotlib. The method's docstring is ``summary`` with the ``ax`` parameter, the
    numpydoc ``options`` (further keyword arguments, already indented by 4 spaces) and the
    return type.

    Examples
    --------
    >>> plot = drawing("spc", "plot_cusum", "Draw the CUSUM.")
    >>> print(plot.__doc__.splitlines()[-2:])
    ['    -------', '    matplotlib.axes.Axes']
    """

    def plot(self, ax=None, **kwargs):
        draw = getattr(import_module(f"qainsights.plotting.{module}"), function)
        return draw(self, ax=ax, **kwargs)

    plot.__doc__ = (
        f"{summary}\n\n    Parameters\n    ----------\n    ax : {ax}\n"
        f"        Where to draw; a new figure when omitted.\n{options}"
        f"\n    Returns\n    -------\n    {returns}"
    )
    return plot


def _is_short(value: Any) -> bool:
    """Whether a value fits in a one-line repr: a number, a flag, a short text or tuple."""
    if isinstance(value, (bool, int, float, np.integer, np.floating)):
        return True
    if isinstance(value, str):
        return len(value) <= _MAX_TEXT
    if isinstance(value, tuple):
        return len(value) <= 4 and all(_is_short(v) and not isinstance(v, tuple) for v in value)
    return False


def _format_figures(figures: dict[str, Any]) -> str:
    """``name=value`` pairs, floats to four significant digits."""
    return ", ".join(f"{name}={_format(value)}" for name, value in figures.items())


def _format(value: Any) -> str:
    if isinstance(value, (float, np.floating)) and not isinstance(value, bool):
        return f"{float(value):.4g}"
    if isinstance(value, np.integer):
        return str(int(value))
    return repr(value)


def _plot_instead(result: TidyResult) -> str:
    """What to draw instead of a result without a chart, in the words of its own table."""
    frame = result.to_frame()
    columns = list(frame.columns)
    if {"ci_low", "ci_high"} <= set(columns):
        at = columns.index("ci_low")
        estimate = columns[at - 1] if at > 0 else "estimate"
        labels = [c for c in columns[:at] if not pd.api.types.is_numeric_dtype(frame[c])]
        label = labels[0] if labels else columns[0]
        return (
            "Draw its estimates and intervals with qainsights.plotting.plot_intervals("
            f"result.to_frame(), label={label!r}, estimate={estimate!r})."
        )
    if not any(pd.api.types.is_numeric_dtype(frame[c]) for c in columns):
        return "Its table holds no numbers to draw: read result.summary() or result.to_frame()."
    return "Draw its table instead, for example result.to_frame().plot()."
