"""The shared behaviour of result objects: a tidy frame, and its HTML in notebooks."""

from __future__ import annotations

from abc import ABC, abstractmethod

import pandas as pd


class TidyResult(ABC):
    """Base for frozen dataclass results that can show themselves as one tidy frame.

    Subclasses implement :meth:`to_frame`; a notebook then displays the result as that
    table under the class's ``_title``.
    """

    _title: str = ""

    @abstractmethod
    def to_frame(self) -> pd.DataFrame:
        """Return the result as a tidy DataFrame."""

    def _repr_html_(self) -> str:
        title = self._title or type(self).__name__
        return f"<h4>{title}</h4>" + self.to_frame()._repr_html_()
