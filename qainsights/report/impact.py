"""What a finding accounts for: the month's errors beyond the rate it is judged against.

A finding's impact is a number a quality leader reads without a statistician: the errors of
the report month it accounts for, in the report's one estimand (decisions in error when the
audits carry sampling weights, audited errors otherwise), and the same as points of the
month's error rate. For rows of the month (a site, a queue, the weeks beyond the chart's
limits) it is their excess over the reference the finding compares them with,
``Σ w (y - reference)`` over the rows, which is ``share x (rate - reference)`` of the
month's decisions; for a change of the overall rate it is the change in points.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

__all__ = ["Impact", "MonthErrors"]


def _about(count: float) -> str:
    """A count rounded to two significant figures, with thousands separators."""
    rounded = float(f"{abs(count):.2g}")
    return "<1" if 0 < abs(count) < 0.5 else f"{rounded:,.0f}"


def _points(points: float) -> str:
    return f"{abs(points):.1f}" if abs(points) >= 0.1 else f"{abs(points):.2f}"


@dataclass(frozen=True)
class Impact:
    """The errors of the month a finding accounts for, beyond its reference.

    Attributes
    ----------
    errors : float
        Errors the finding accounts for (decisions in error when weighted); negative when the
        finding's rows have fewer errors than the reference gives them.
    total : float
        All errors of the month, in the same units.
    decisions : float
        The month's decisions (its audits when unweighted).
    reference : str
        What the errors are counted beyond, in words ("" for a plain share of the errors).
    noun : str
        The unit of ``errors``: "errors", or "decisions in error" when weighted.

    Examples
    --------
    >>> impact = Impact(errors=41.2, total=778, decisions=8873, reference="the 92.0% target")
    >>> round(impact.points, 3)
    0.464
    >>> impact.sentence()
    'accounts for ~41 of 778 errors (0.5 points of the error rate) beyond the 92.0% target'
    >>> Impact(-52.0, 778, 8873, "the 92.0% target").sentence()
    '~52 fewer errors than at the 92.0% target (0.6 points of the error rate)'
    """

    errors: float
    total: float
    decisions: float
    reference: str = ""
    noun: str = "errors"

    @property
    def points(self) -> float:
        """The errors as percentage points of the month's error rate."""
        return 100.0 * self.errors / self.decisions if self.decisions else float("nan")

    def sentence(self) -> str:
        """The impact in words, as the first screen prints it beside the finding."""
        points = f"{_points(self.points)} points of the error rate"
        if self.errors < 0:
            return f"~{_about(self.errors)} fewer {self.noun} than at {self.reference} ({points})"
        # the month's total written as the report's tables write counts (rounded to a whole)
        text = f"accounts for ~{_about(self.errors)} of {self.total:,.0f} {self.noun} ({points})"
        return f"{text} beyond {self.reference}" if self.reference else text


@dataclass(frozen=True)
class MonthErrors:
    """The report month's audits in the report's estimand, to measure what findings account for.

    Parameters
    ----------
    rows : DataFrame
        The audits of the report month with a boolean ``is_error``.
    weight : str, optional
        The sampling-weight column (decisions each audit represents).

    Examples
    --------
    Four audits of site A (two errors) and six of B (one error), against a 90% accuracy
    target (a 10% error rate): A's excess is 2 - 4 x 0.10 = 1.6 errors, 16 points of the
    month's error rate (0.4 of the audits x (50% - 10%)).

    >>> rows = pd.DataFrame({"site": list("AAAABBBBBB"),
    ...                      "is_error": [1, 1, 0, 0, 1, 0, 0, 0, 0, 0]})
    >>> impact = MonthErrors(rows).excess(rows["site"] == "A", 0.10, reference="the target")
    >>> round(impact.errors, 6), round(impact.points, 6), impact.total
    (1.6, 16.0, 3.0)
    """

    rows: pd.DataFrame
    weight: str | None = None

    @cached_property
    def _w(self) -> np.ndarray:
        if self.weight is None:
            return np.ones(len(self.rows))
        return self.rows[self.weight].to_numpy(dtype="float64")

    @cached_property
    def _y(self) -> np.ndarray:
        return self.rows["is_error"].to_numpy(dtype="float64")

    @cached_property
    def decisions(self) -> float:
        """The month's decisions (audits when unweighted)."""
        return float(self._w.sum())

    @cached_property
    def total(self) -> float:
        """The month's errors (decisions in error when weighted)."""
        return float((self._w * self._y).sum())

    @property
    def noun(self) -> str:
        """The unit of the counts."""
        return "errors" if self.weight is None else "decisions in error"

    def _impact(self, errors: float, reference: str) -> Impact:
        return Impact(float(errors), self.total, self.decisions, reference, self.noun)

    def excess(self, mask, rate, *, reference: str) -> Impact:
        """The errors of the rows in ``mask`` beyond the error ``rate``, ``Σ w (y - rate)``.

        Parameters
        ----------
        mask : array of bool
            The finding's rows among :attr:`rows`.
        rate : float or array of float
            The error rate the rows are judged against (one per row, or one for all).
        reference : str
            That rate in words ("the 92.0% target").
        """
        keep = np.asarray(mask, dtype=bool)
        rate = np.broadcast_to(np.asarray(rate, dtype="float64"), keep.shape)
        w = self._w[keep]
        return self._impact((w * (self._y[keep] - rate[keep])).sum(), reference)

    def scaled(self, mask, difference, *, reference: str) -> Impact:
        """The errors a difference in rate (one per row, or one for all) makes on the rows."""
        keep = np.asarray(mask, dtype=bool)
        difference = np.broadcast_to(np.asarray(difference, dtype="float64"), keep.shape)
        return self._impact((self._w[keep] * difference[keep]).sum(), reference)

    def change(self, difference: float, *, reference: str) -> Impact:
        """The errors a change of the overall rate by ``difference`` makes on the month."""
        return self._impact(difference * self.decisions, reference)

    def share(self, share: float, *, reference: str = "") -> Impact:
        """The errors that a ``share`` of the month's errors is."""
        return self._impact(share * self.total, reference)
