"""Beta-binomial tools for small cells: over-dispersion, exact limits and the latest point's test.

A weekly segment cell of a few audits cannot carry a normal approximation: one error in two
audits is a z of 6 on a 3 % process, yet happens in 6 % of weeks. These helpers give the
attribute charts and the segment scan tails that are valid at any subgroup size:

- :func:`intraclass_correlation`, the over-dispersion ``rho`` of binomial counts estimated
  from a series' own subgroups (Williams 1982's moment estimator);
- :func:`beta_binomial_limits`, quantile limits of the beta-binomial count with that ``rho``;
- :func:`predictive_p_value`, the exact two-sided tail of a new count under the beta-binomial
  that also carries the uncertainty of the rate estimated from the history.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import betabinom, binom
from scipy.stats import t as student_t

from .._caller import public
from ._assemble import ratio

__all__ = [
    "LANEY_MIN_EXPECTED",
    "beta_binomial_limits",
    "intraclass_correlation",
    "laney_applies",
    "predictive_p_value",
]

#: Laney's sigma_z needs roughly normal z-scores: the median subgroup of a stage must expect at
#: least this many defectives and as many non-defectives (``n p`` and ``n (1 - p)``).
LANEY_MIN_EXPECTED = 5.0


@public
def intraclass_correlation(
    defects: np.ndarray, n: np.ndarray, group: np.ndarray, n_groups: int
) -> np.ndarray:
    """Williams' moment estimate of the beta-binomial intra-class correlation per group.

    Under the beta-binomial with rate ``p`` and intra-class correlation ``rho``,
    ``Var(x_i) = n_i p (1 - p) (1 + (n_i - 1) rho)``. With ``p`` pooled over a group's ``k``
    subgroups (``N = sum n_i``) Pearson's statistic ``X2 = sum (x_i - n_i p)^2 / (n_i p (1 -
    p))`` has expectation ``(k - 1) + rho B``, where ``B = sum (1 - n_i/N)^2 (n_i - 1) +
    sum (n_i / N^2) (S - n_i (n_i - 1))`` and ``S = sum n_j (n_j - 1)``; solving for ``rho``
    and truncating to [0, 1) gives the estimate. It is 0 where ``p`` is 0 or 1 or every
    subgroup has one unit (``B = 0``: over-dispersion is not identifiable).

    Parameters
    ----------
    defects, n : numpy.ndarray
        Counts and sizes of the subgroups.
    group : numpy.ndarray of int
        Group code of each subgroup (0 .. ``n_groups - 1``).
    n_groups : int
        Number of groups.

    Returns
    -------
    numpy.ndarray
        ``rho`` per group.

    Examples
    --------
    >>> x = np.array([0, 4, 1, 5, 0, 6]); n = np.full(6, 20.0)
    >>> intraclass_correlation(x, n, np.zeros(6, dtype=int), 1).round(4).tolist()
    [0.1083]

    References
    ----------
    .. [1] D. A. Williams (1982), "Extra-binomial variation in logistic linear models",
       *Applied Statistics* 31(2), 144-148.
    """
    total = np.bincount(group, weights=n, minlength=n_groups)
    rate = ratio(np.bincount(group, weights=defects, minlength=n_groups), total)
    per_unit = rate * (1.0 - rate)
    point = rate[group]
    chi2 = np.bincount(
        group,
        weights=ratio((defects - n * point) ** 2, n * per_unit[group]),
        minlength=n_groups,
    )
    k = np.bincount(group, minlength=n_groups)
    share = ratio(n, total[group])
    pairs = n * (n - 1.0)
    s = np.bincount(group, weights=pairs, minlength=n_groups)
    b = np.bincount(
        group,
        weights=(1.0 - share) ** 2 * (n - 1.0) + share / total[group] * (s[group] - pairs),
        minlength=n_groups,
    )
    rho = ratio(chi2 - (k - 1.0), b)
    identified = (b > 0) & (per_unit > 0)
    return np.where(identified, np.clip(np.nan_to_num(rho), 0.0, 1.0 - 1e-9), 0.0)


@public
def laney_applies(
    n: np.ndarray, rate: np.ndarray, group: np.ndarray, used: np.ndarray, n_groups: int
) -> np.ndarray:
    """Whether each group's subgroups are large enough for Laney's sigma_z.

    The rule: the median used subgroup expects at least :data:`LANEY_MIN_EXPECTED` defectives
    and as many non-defectives, ``median(n_i) min(p, 1 - p) >= 5``, the usual condition for
    the normal approximation to the binomial that Laney's z-scores rest on.

    Examples
    --------
    >>> laney_applies(np.array([200.0, 200, 3, 3]), np.array([0.05, 0.05]),
    ...               np.array([0, 0, 1, 1]), np.ones(4, bool), 2).tolist()
    [True, False]
    """
    median = pd.Series(n[used]).groupby(group[used]).median().reindex(range(n_groups))
    with np.errstate(invalid="ignore"):
        return median.to_numpy() * np.minimum(rate, 1.0 - rate) >= LANEY_MIN_EXPECTED


@public
def beta_binomial_limits(
    n: np.ndarray, rate: np.ndarray, rho: np.ndarray, tail: float
) -> tuple[np.ndarray, np.ndarray]:
    """Count limits leaving at most ``tail`` beyond each under the beta-binomial.

    The lower limit is the ``tail`` quantile and the upper the ``1 - tail`` quantile of the
    beta-binomial count with mean ``n rate`` and intra-class correlation ``rho`` (the binomial
    where ``rho`` is 0), so ``P(x > upper) <= tail`` and ``P(x < lower) <= tail``.

    Examples
    --------
    >>> lower, upper = beta_binomial_limits(np.array([2.0, 400.0]), np.array([0.03, 0.03]),
    ...                                     np.array([0.0, 0.0]), 0.00135)
    >>> upper.tolist()  # 1 error in 2 audits is not beyond; 2 of 2 is
    [1.0, 23.0]
    """
    size = np.round(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        lower, upper = binom.ppf(tail, size, rate), binom.ppf(1.0 - tail, size, rate)
    over = (rho > 0) & (rate > 0) & (rate < 1)
    if over.any():
        a, b = _shape(rate[over], rho[over])
        low, high = np.empty(a.size), np.empty(a.size)
        for rows, pmf in _pmf_blocks(size[over], a, b):
            cdf = np.cumsum(pmf, axis=1)
            low[rows], high[rows] = (cdf < tail).sum(axis=1), (cdf < 1.0 - tail).sum(axis=1)
        lower[over], upper[over] = low, high
    return lower, upper


@public
def predictive_p_value(
    defects: np.ndarray,
    n: np.ndarray,
    history_defects: np.ndarray,
    history_n: np.ndarray,
    history_pairs: np.ndarray,
    rho: np.ndarray,
    df: np.ndarray | None = None,
) -> np.ndarray:
    """Two-sided exact tail of new counts given their segments' histories.

    The new count is compared with the beta-binomial whose mean is the Jeffreys estimate of the
    history's rate, ``(X + 1/2) / (N + 1)``, and whose intra-class correlation
    ``rho_eff = rho + (1 - rho) / (N_e + 2)`` adds to the over-dispersion ``rho`` the
    uncertainty of that rate, estimated from ``N_e = N^2 / (N + rho S)`` effective audits
    (``S = sum n_i (n_i - 1)`` over the history). Without over-dispersion (``rho = 0``) this is
    the Bayesian predictive distribution ``BetaBinomial(n, X + 1/2, N - X + 1/2)`` under
    Jeffreys' prior. The two-sided p-value doubles the smaller tail,
    ``min(1, 2 min(P(x' >= x), P(x' <= x)))``. Non-integer counts (effective counts of
    weighted data) are rounded to the nearest whole number.

    Where ``rho`` is estimated (``df`` given and ``rho > 0``), the p-value is the larger of
    that tail and the two-sided Student t tail on ``df`` degrees of freedom of the count's
    standardised distance from the predictive mean: in large cells the over-dispersion
    dominates the variance, and estimating it from a few subgroups calls for a t reference, as
    an estimated variance always does; in small cells the exact tail is the larger.

    Parameters
    ----------
    defects, n : numpy.ndarray
        The new counts and their sizes.
    history_defects, history_n, history_pairs : numpy.ndarray
        Per new count: ``X``, ``N`` and ``S`` of its history.
    rho : numpy.ndarray
        The over-dispersion of each history (0 for the binomial).
    df : numpy.ndarray, optional
        Degrees of freedom behind an estimated ``rho`` (the history's subgroups minus one).

    Returns
    -------
    numpy.ndarray
        The p-values; NaN where the history is empty.

    Examples
    --------
    One error in two audits after 3 errors in 100 audits (2 per week):

    >>> predictive_p_value(np.array([1.0]), np.array([2.0]), np.array([3.0]),
    ...                    np.array([100.0]), np.array([100.0]), np.array([0.0])).round(3)
    array([0.136])

    References
    ----------
    .. [1] D. A. Williams (1975), "The analysis of binary responses from toxicological
       experiments involving reproduction and teratogenicity", *Biometrics* 31, 949-952.
    .. [2] A. Gelman et al., *Bayesian Data Analysis*, 3rd ed., section 2.4 (the
       beta-binomial predictive distribution).
    """
    x = np.minimum(np.round(defects), np.round(n))
    size = np.round(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = (history_defects + 0.5) / (history_n + 1.0)
        effective = history_n**2 / (history_n + rho * history_pairs)
        rho_eff = rho + (1.0 - rho) / (effective + 2.0)
        a, b = _shape(rate, rho_eff)
    upper, lower = np.full(x.size, np.nan), np.full(x.size, np.nan)
    known = np.flatnonzero(history_n > 0)
    for rows, pmf in _pmf_blocks(size[known], a[known], b[known]):
        at = x[known[rows]].astype(np.int64)[:, None]
        cdf = np.cumsum(pmf, axis=1)
        tail = np.cumsum(pmf[:, ::-1], axis=1)[:, ::-1]
        lower[known[rows]] = np.take_along_axis(cdf, at, axis=1)[:, 0]
        upper[known[rows]] = np.take_along_axis(tail, at, axis=1)[:, 0]
    p = np.minimum(1.0, 2.0 * np.minimum(upper, lower))
    if df is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            spread = np.sqrt(size * rate * (1.0 - rate) * (1.0 + (size - 1.0) * rho_eff))
            t_tail = 2.0 * student_t.sf(np.abs(x - size * rate) / spread, df)
        p = np.where((rho > 0) & (df > 0), np.fmax(p, t_tail), p)
    return np.where(history_n > 0, p, np.nan)


def _pmf_blocks(size: np.ndarray, a: np.ndarray, b: np.ndarray, cells: int = 2_000_000):
    """Yield ``(rows, pmf)``: beta-binomial probabilities of 0 .. max size for blocks of rows.

    Rows are taken in order of size and grouped so that no block holds more than ``cells``
    probabilities (a single larger row forms a block of its own).
    """
    order = np.argsort(size, kind="stable")
    width = size[order].astype(np.int64) + 1
    start = 0
    while start < order.size:
        fits = (np.arange(1, order.size - start + 1) * width[start:]) <= cells
        stop = start + max(int(fits.sum()), 1)
        rows = order[start:stop]
        k = np.arange(width[stop - 1])[None, :]
        yield rows, betabinom.pmf(k, size[rows][:, None], a[rows][:, None], b[rows][:, None])
        start = stop


def _shape(rate: np.ndarray, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Beta parameters with mean ``rate`` and intra-class correlation ``rho = 1 / (a + b + 1)``."""
    total = (1.0 - rho) / rho
    return rate * total, (1.0 - rate) * total
