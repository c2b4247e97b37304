"""Text in the rendered report: data-derived strings are escaped, never read as HTML."""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd
from IPython.display import HTML

from .formatting import readable

__all__ = ["Table", "heading", "paragraph"]


def heading(text: str, level: int = 2) -> HTML:
    """A section heading, escaped.

    Examples
    --------
    >>> heading("Queue <script>").data
    '<h2>Queue &lt;script&gt;</h2>'
    """
    return HTML(f"<h{level}>{html.escape(text)}</h{level}>")


def paragraph(text: str) -> HTML:
    """A paragraph of text, escaped.

    Examples
    --------
    >>> paragraph("Accuracy 92% & rising").data
    '<p>Accuracy 92% &amp; rising</p>'
    """
    return HTML(f"<p>{html.escape(text)}</p>")


class Table:
    """A result table shown whole: HTML without the index or truncation, plain text likewise.

    Values are escaped in the HTML, so a label such as ``<script>`` shows as text.

    Examples
    --------
    >>> print(repr(Table(pd.DataFrame({"site": ["<b>x</b>"], "rate": [0.05]}))))
        site rate
    <b>x</b> 5.0%
    >>> "&lt;b&gt;x&lt;/b&gt;" in Table(pd.DataFrame({"site": ["<b>x</b>"]}))._repr_html_()
    True
    """

    def __init__(self, frame: pd.DataFrame, *, percent: Iterable[str] = ()):
        self.frame = readable(frame, percent=percent)

    def _repr_html_(self) -> str:
        return self.frame.to_html(index=False, escape=True, border=0, classes="dataframe")

    def __repr__(self) -> str:
        return self.frame.to_string(index=False) if len(self.frame) else "(no rows)"
