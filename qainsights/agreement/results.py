"""Result objects of the agreement coefficients."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from .._results import TidyResult

__all__ = ["AgreementResult", "CohenKappaResult"]


@dataclass(frozen=True, repr=False)
class AgreementResult(TidyResult):
    """One agreement coefficient with its inference.

    Attributes
    ----------
    coefficient : str
        Name of the coefficient, e.g. ``"fleiss_kappa"``.
    estimate : float
        The coefficient.
    se : float
        Standard error (analytic, or the standard deviation of the bootstrap replicates).
    ci_low, ci_high : float
        Confidence interval, clipped to [-1, 1].
    p_value : float
        Two-sided p-value of ``estimate / se`` against Student's t with ``df`` degrees of
        freedom, testing a coefficient of 0.
    df : float
        Degrees of freedom of the interval's and the p-value's t: Satterthwaite's effective
        degrees of freedom of the linearised variance, at most ``n_items - 1`` (irrCAC's
        choice, reached when the items contribute alike); few when the variance rests on the
        few items of a rare category (:func:`qainsights.agreement.inference.effective_df`).
        NaN for the ICC, whose interval and p-value rest on F.
    pa, pe : float
        Observed and chance agreement, ``estimate = (pa - pe) / (1 - pe)``.
    n_items : int
        Items entering the coefficient.
    n_raters : int
        Distinct raters (for counts input: the most ratings any item has).
    weights : str
        ``"identity"``, ``"linear"``, ``"quadratic"``, ``"custom"`` or Krippendorff's level.
    method : str
        The interval used: ``"analytic"``, ``"likelihood"`` or ``"bootstrap"`` (what
        ``method="auto"`` chose for this session).
    ci : float
        Confidence level of the interval.
    note : str
        Why the interval may not hold its level, or ``""``: for a kappa-type coefficient,
        a session whose most common category holds at least 70 % of ratings with fewer
        than 4 items agreeing on another category (analytic or bootstrap interval), fewer
        than 2 (likelihood interval); a ``SkewedSessionWarning`` says the same (see
        :mod:`qainsights.agreement._rare`).
    """

    coefficient: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    df: float
    pa: float
    pe: float
    n_items: int
    n_raters: int
    weights: str
    method: str
    ci: float
    note: str

    _title = "Agreement coefficient"

    def to_frame(self) -> pd.DataFrame:
        """Return the result as a one-row DataFrame with one column per attribute."""
        return pd.DataFrame([asdict(self)])

    def summary(self) -> str:
        """The coefficient with its interval, p-value and the data behind it, in one line."""
        return (
            f"{self.coefficient} = {self.estimate:.3f} ({self.ci:.0%} {self.method} CI "
            f"{self.ci_low:.3f} to {self.ci_high:.3f}, SE {self.se:.3f}, p = {self.p_value:.3g}); "
            f"observed agreement {self.pa:.3f}, chance {self.pe:.3f}; {self.n_items} items, "
            f"{self.n_raters} raters, {self.weights} weights."
            + (
                f" Caution: {self.note}; the interval may cover less than stated."
                if self.note
                else ""
            )
        )


@dataclass(frozen=True, repr=False)
class CohenKappaResult(AgreementResult):
    """Cohen's kappa with the prevalence and bias diagnostics of Byrt, Bishop & Carlin (1993).

    Attributes
    ----------
    pabak : float
        Prevalence- and bias-adjusted kappa, ``(q p_o - 1) / (q - 1)`` (unweighted p_o).
    prevalence_index : float
        ``|p_11 - p_22|`` for a 2 x 2 table; NaN for more than two categories.
    bias_index : float
        ``|p_12 - p_21|`` for a 2 x 2 table; NaN for more than two categories.
    """

    pabak: float
    prevalence_index: float
    bias_index: float

    _title = "Cohen's kappa"
