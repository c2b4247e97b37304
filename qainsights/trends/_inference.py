"""Comparing two proportions many times over: intervals, tests and false discovery rate.

All functions take arrays (one entry per segment) and work on them at once.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..intervals import proportion_ci

__all__ = [
    "MIN_EXPECTED",
    "difference_ci",
    "mantel_haenszel_terms",
    "mantel_haenszel_test",
    "rate_with_ci",
    "two_proportion_test",
    "two_sided",
]

#: Cochran's rule: the z test needs an expected count of at least 5 in every cell.
MIN_EXPECTED = 5.0


def rate_with_ci(
    errors, n, *, ci: float, method: str = "modified_wilson"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rates and their intervals (:func:`~qainsights.intervals.proportion_ci`'s ``method``);
    NaN (without a warning) where ``n = 0``.
    """
    errors, n = np.asarray(errors, dtype=float), np.asarray(n, dtype=float)
    rate = np.full(n.shape, np.nan)
    low, high = rate.copy(), rate.copy()
    seen = n > 0
    if seen.any():
        rate[seen] = errors[seen] / n[seen]
        low[seen], high[seen] = proportion_ci(errors[seen], n[seen], ci=ci, method=method)
    return rate, low, high


def difference_ci(e1, n1, e0, n0, *, ci: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Difference ``p1 − p0`` with Newcombe's (1998, method 10) hybrid score interval.

    The interval combines the two (unmodified) Wilson intervals, as Newcombe defines it:
    ``d − sqrt((p1 − l1)² + (u0 − p0)²)`` to ``d + sqrt((u1 − p1)² + (p0 − l0)²)``.
    """
    p1, l1, u1 = rate_with_ci(e1, n1, ci=ci, method="wilson")
    p0, l0, u0 = rate_with_ci(e0, n0, ci=ci, method="wilson")
    difference = p1 - p0
    low = difference - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = difference + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return difference, low, high


def two_proportion_test(e1, n1, e0, n0, *, dispersion=1.0, df=0.0) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided p-values of "equal rates", and the test used for each entry.

    The pooled (score) z test, or Fisher's exact test where an expected count of the 2 x 2
    table falls below :data:`MIN_EXPECTED` and the counts are whole numbers. Entries with
    ``n = 0`` in a period get NaN and the test ``"none"``. Where ``df > 0`` (arrays or
    scalars) the test is quasi-binomial throughout, Fisher's test having no dispersion:
    ``z / sqrt(dispersion)`` against Student's t on ``df`` degrees of freedom (the test
    ``"t"``; McCullagh & Nelder 1989, section 4.5).
    """
    e1, n1, e0, n0 = (np.asarray(a, dtype=float) for a in (e1, n1, e0, n0))
    total, errors = n1 + n0, e1 + e0
    testable = (n1 > 0) & (n0 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = errors / total
        smallest = np.minimum(np.minimum(n1, n0) * pooled, np.minimum(n1, n0) * (1 - pooled))
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
        z = (e1 / n1 - e0 / n0) / se
    whole = (e1 % 1 == 0) & (n1 % 1 == 0) & (e0 % 1 == 0) & (n0 % 1 == 0)
    quasi = np.broadcast_to(np.asarray(df) > 0, z.shape)
    exact = testable & whole & (smallest < MIN_EXPECTED) & ~quasi
    p_value = np.where(se > 0, two_sided(z, dispersion=dispersion, df=df), 1.0)
    if exact.any():
        p_value[exact] = _fisher_exact(e1[exact], n1[exact], errors[exact], total[exact])
    p_value = np.where(testable, p_value, np.nan)
    test = np.where(exact, "fisher", np.where(testable, np.where(quasi, "t", "z"), "none"))
    return p_value, test


def _fisher_exact(e1, n1, errors, total) -> np.ndarray:
    """Two-sided Fisher exact p-values for many 2 x 2 tables at once.

    Under "equal rates" the errors of the first group follow a hypergeometric law; the
    p-value sums the probabilities of the tables no more likely than the one observed, with
    scipy's relative tolerance of 1e-7.
    """
    low = np.maximum(0.0, n1 - (total - errors))
    high = np.minimum(errors, n1)
    support = low[:, None] + np.arange(int((high - low).max()) + 1)[None, :]
    inside = support <= high[:, None]
    law = stats.hypergeom(total[:, None], errors[:, None], n1[:, None])
    probability = np.where(inside, law.pmf(support), 0.0)
    observed = stats.hypergeom.pmf(e1, total, errors, n1)
    extreme = probability <= observed[:, None] * (1 + 1e-7)
    return np.minimum(1.0, (probability * extreme).sum(axis=1))


def mantel_haenszel_terms(e1, n1, e0, n0) -> tuple[np.ndarray, np.ndarray]:
    """Per-stratum terms of the Cochran-Mantel-Haenszel test of equal rates.

    For each 2 x 2 table (current and baseline errors and audits of one stratum) returns
    ``observed − expected`` current errors and their hypergeometric variance; strata seen
    in one period only, or with one audit, give zeros. Sums over the strata of a segment
    give its test: ``z = Σ (O − E) / sqrt(Σ V)``.
    """
    e1, n1, e0, n0 = (np.asarray(a, dtype=float) for a in (e1, n1, e0, n0))
    total, errors = n1 + n0, e1 + e0
    informative = (n1 > 0) & (n0 > 0) & (total > 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = e1 - n1 * errors / total
        variance = n1 * n0 * errors * (total - errors) / (total**2 * (total - 1))
    return np.where(informative, excess, 0.0), np.where(informative, variance, 0.0)


def mantel_haenszel_test(excess, variance, *, dispersion=1.0, df=0.0) -> np.ndarray:
    """Two-sided p-values of summed Mantel-Haenszel terms (no continuity correction).

    NaN where the variance is zero (no stratum carries information). With ``df > 0`` the
    variance is multiplied by ``dispersion`` and the statistic referred to Student's t (see
    :func:`two_sided`).
    """
    excess, variance = np.asarray(excess, dtype=float), np.asarray(variance, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = excess / np.sqrt(variance)
    return np.where(variance > 0, two_sided(z, dispersion=dispersion, df=df), np.nan)


def two_sided(z, *, dispersion=1.0, df=0.0) -> np.ndarray:
    """Two-sided p-values of z statistics: normal where ``df`` is 0, else quasi-likelihood.

    Where ``df > 0`` the statistic is divided by ``sqrt(dispersion)`` and referred to
    Student's t on ``df`` degrees of freedom (McCullagh & Nelder 1989, section 4.5).
    Arguments broadcast against each other.

    Examples
    --------
    >>> p = two_sided(np.array([1.96, 1.96]), dispersion=np.array([1.0, 4.0]), df=np.array([0, 10]))
    >>> p.round(4).tolist()  # 2 Φ(−1.96) and 2 P(t₁₀ > 1.96 / 2)
    [0.05, 0.3502]
    """
    z, dispersion, df = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (z, dispersion, df))
    )
    quasi = df > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.abs(z) / np.sqrt(np.where(quasi, dispersion, 1.0))
    tail = np.where(
        quasi, stats.t.sf(statistic, np.where(quasi, df, 1.0)), stats.norm.sf(statistic)
    )
    return 2 * tail
