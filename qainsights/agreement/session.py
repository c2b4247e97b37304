"""One call for a calibration session: coefficients, raters, categories, items, pairs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .._caller import public
from .._results import TidyResult, drawing
from .calibration import (
    category_agreement,
    disputed_items,
    pairwise_agreement,
    rater_accuracy,
    rater_confusion,
)
from .summary import agreement_summary

__all__ = ["CalibrationResult", "calibration_session"]


@dataclass(frozen=True, repr=False)
class CalibrationResult(TidyResult):
    """The parts of a calibration-session analysis.

    Attributes
    ----------
    reference : str
        ``"standard"`` (expert standard) or ``"consensus"`` (leave-one-out consensus).
    coefficients : pandas.DataFrame
        :func:`~qainsights.agreement.agreement_summary` of the session.
    raters : pandas.DataFrame
        :func:`~qainsights.agreement.rater_accuracy`, lowest accuracy first.
    categories : pandas.DataFrame
        :func:`~qainsights.agreement.category_agreement`.
    disputed : pandas.DataFrame
        :func:`~qainsights.agreement.disputed_items` (the ``top`` most disputed).
    pairs : pandas.DataFrame
        :func:`~qainsights.agreement.pairwise_agreement`.
    confusion : pandas.DataFrame or None
        :func:`~qainsights.agreement.rater_confusion` with a standard, else None.
    """

    reference: str
    coefficients: pd.DataFrame
    raters: pd.DataFrame
    categories: pd.DataFrame
    disputed: pd.DataFrame
    pairs: pd.DataFrame
    confusion: pd.DataFrame | None
    _title = "Calibration session: raters"

    def to_frame(self) -> pd.DataFrame:
        """The per-rater table (accuracy, interval, shrunk accuracy)."""
        return self.raters

    plot = drawing(
        "agreement", "plot_calibration",
        "Forest plot of rater accuracy with intervals; the dashed line is the pooled accuracy.",
    )  # fmt: skip

    plot_pairs = drawing(
        "agreement", "plot_rater_pairs", "Heatmap of rater x rater agreement.",
        options='    value : {"kappa", "agreement"}, default "kappa"\n        The pairwise '
        "statistic drawn.\n",
    )  # fmt: skip


@public
def calibration_session(
    data: Any,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    standard: Any = None,
    categories: Any = None,
    weights: Any = None,
    ci: float = 0.95,
    top: int = 20,
    method: str = "auto",
) -> CalibrationResult:
    """Analyse a calibration session: who, what and which items to discuss.

    Parameters
    ----------
    data : pandas.DataFrame or array-like
        Long format (name the columns with ``item``, ``rater``, ``label``) or wide.
    item, rater, label : str, optional
        Column names of long-format ``data``.
    standard : pandas.Series or mapping, optional
        Expert label per item; without it raters are compared with the leave-one-out
        consensus.
    categories : sequence, optional
        All categories (include labels used only by the standard).
    weights : optional
        Agreement weights for the coefficients (see :func:`agreement_summary`).
    ci : float, default 0.95
        Confidence level.
    top : int, default 20
        How many disputed items to keep.
    method : {"auto", "analytic", "likelihood", "bootstrap"}, default "auto"
        The coefficients' intervals (see :func:`agreement_summary`): by default the
        likelihood interval for the kappa-type coefficients of a session where one label
        holds most ratings, the analytic one elsewhere.

    Returns
    -------
    CalibrationResult
        With ``.plot()`` (rater forest plot) and ``.plot_pairs()`` (rater x rater heatmap).

    References
    ----------
    Gwet, K. L. (2014). *Handbook of Inter-Rater Reliability*, 4th ed.

    Examples
    --------
    >>> wide = pd.DataFrame({"ana": ["ok", "spam", "ok", "ok"], "ben": ["ok", "spam", "ok", "spam"],
    ...                      "cy": ["ok", "ok", "ok", "spam"]})
    >>> result = calibration_session(wide)
    >>> result.raters[["rater", "accuracy"]].round(3)
      rater  accuracy
    0   ana     0.625
    1    cy     0.625
    2   ben     0.750

    Item 2 is ("spam", "spam", "ok"): ``ana`` and ``ben`` each see a tie among the others
    (half a point), ``cy`` sees two "spam" (no point).
    """
    columns = {"item": item, "rater": rater, "label": label, "categories": categories}
    raters = rater_accuracy(data, **columns, standard=standard, ci=ci)
    return CalibrationResult(
        reference="consensus" if standard is None else "standard",
        coefficients=agreement_summary(data, **columns, weights=weights, ci=ci, method=method),
        raters=raters.sort_values("accuracy", kind="stable").reset_index(drop=True),
        categories=category_agreement(data, **columns),
        disputed=disputed_items(data, **columns, top=top),
        pairs=pairwise_agreement(data, **columns),
        confusion=None if standard is None else rater_confusion(data, **columns, standard=standard),
    )
