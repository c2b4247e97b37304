"""Exact latest-point tests of count charts (c, u): the gamma-Poisson predictive distribution.

A segment's latest count of defects is compared with the counts its own history predicts,
not with a normal approximation: with a handful of expected defects per subgroup the normal
tail of ``z`` calls a single defect far more significant than it is.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import nbinom

from .._caller import public

__all__ = ["poisson_predictive_p_value"]


@public
def poisson_predictive_p_value(
    defects: np.ndarray, n: np.ndarray, history_defects: np.ndarray, history_n: np.ndarray
) -> np.ndarray:
    """Two-sided exact tail of new counts of defects given their segments' histories.

    With ``X`` defects over an exposure ``N`` (audits, or subgroups for a c chart) in the
    history, Jeffreys' prior gives the rate the posterior ``Gamma(X + 1/2, N)``, and a new
    count over exposure ``n`` the predictive negative binomial with ``r = X + 1/2`` and
    success probability ``N / (N + n)`` (mean ``n (X + 1/2)/N``). The p-value doubles the
    smaller tail, ``min(1, 2 min(P(x' >= x), P(x' <= x)))``, as
    :func:`~qainsights.spc.betabinomial.predictive_p_value` does for proportions. Non-integer
    counts are rounded to the nearest whole number.

    Parameters
    ----------
    defects, n : numpy.ndarray
        The new counts and their exposures.
    history_defects, history_n : numpy.ndarray
        Per new count: ``X`` and ``N`` of its history.

    Returns
    -------
    numpy.ndarray
        The p-values; NaN where the history is empty.

    Examples
    --------
    Two defects in one subgroup after 10 defects in 20 subgroups (a c chart):

    >>> poisson_predictive_p_value(np.array([2.0]), np.array([1.0]), np.array([10.0]),
    ...                            np.array([20.0])).round(3)
    array([0.203])

    References
    ----------
    .. [1] A. Gelman et al., *Bayesian Data Analysis*, 3rd ed., section 2.6 (the gamma-Poisson
       model and its negative binomial predictive distribution).
    .. [2] D. J. Wheeler (2010), "Are you sure we don't need normally distributed data?",
       Quality Digest (why c and u charts of small counts need their own tails).
    """
    x = np.round(defects)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = history_defects + 0.5
        prob = history_n / (history_n + n)
        lower = nbinom.cdf(x, r, prob)
        upper = nbinom.sf(x - 1, r, prob)
    p = np.minimum(1.0, 2.0 * np.minimum(lower, upper))
    return np.where(history_n > 0, p, np.nan)
