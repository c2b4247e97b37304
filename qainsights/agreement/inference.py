"""Intervals and tests for agreement coefficients: analytic (t-based) and bootstrap.

Analytic intervals follow Gwet (2014) and irrCAC, ``estimate +/- t * se`` clipped to [-1, 1]
with the two-sided p-value of ``estimate / se``, except for the degrees of freedom of ``t``:
irrCAC takes ``n - 1`` for ``n`` items; here they are Satterthwaite's effective degrees of
freedom of the linearised variance (:func:`effective_df`), at most ``n - 1``. The bootstrap
redraws the multiplicities of the sufficient statistics (rating patterns or table cells) with
one multinomial draw, so its cost does not grow with the number of items.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

from .._caller import public, user_stacklevel

__all__ = ["bootstrap_summary", "effective_df", "redraw", "t_interval", "t_intervals"]


@public
def effective_df(
    multiplicity: np.ndarray, deviation: np.ndarray, n_items: np.ndarray
) -> np.ndarray:
    """Satterthwaite's degrees of freedom of a linearised variance ``sum m d**2 / (n (n - 1))``.

    ``deviation`` holds each rating pattern's (or item's, or table cell's) linearised
    deviation from the estimate and ``multiplicity`` how many items show it, along the last
    axis. Taking each multiplicity as Poisson, the variance estimate ``V`` (proportional to
    ``sum m d**2``) has a variance proportional to ``sum m d**4``; the scaled chi-square with
    the same mean and variance has ``2 E[V]**2 / Var(V) = 2 (sum m d**2)**2 / sum m d**4``
    degrees of freedom (Satterthwaite 1946). They are capped at ``n - 1``, irrCAC's value:
    equal deviations give ``2 n``; a variance carried by the few items of a rare category
    gives few, and the interval widens as its estimate of the variance is uncertain.

    Examples
    --------
    The mean of 20 binary items, 2 of them 1 (deviations 0.9 and -0.1): the variance rests
    on the two ones, ``2 (2 x 0.81 + 18 x 0.01)**2 / (2 x 0.6561 + 18 x 0.0001)``.

    >>> round(float(effective_df(np.array([2, 18]), np.array([0.9, -0.1]), 20)), 4)
    4.9315
    >>> float(effective_df(np.array([10, 10]), np.array([0.5, -0.5]), 20))
    19.0
    """
    m = np.asarray(multiplicity, dtype=float)
    squares = np.asarray(deviation, dtype=float) ** 2
    second, fourth = (m * squares).sum(axis=-1), (m * squares**2).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        satterthwaite = np.where(
            fourth > 0, 2 * second**2 / np.where(fourth > 0, fourth, 1), np.inf
        )
    return np.minimum(satterthwaite, np.asarray(n_items, dtype=float) - 1)


@public
def t_interval(estimate: float, se: float, df: float, ci: float) -> tuple[float, float, float]:
    """Return ``(ci_low, ci_high, p_value)`` of a t-based Wald interval clipped to [-1, 1].

    Scalar form of :func:`t_intervals`.

    Examples
    --------
    >>> low, high, p = t_interval(0.4, 0.126996, 49, 0.95)
    >>> round(low, 4), round(high, 4), round(p, 5)
    (0.1448, 0.6552, 0.00278)
    """
    low, high, p_value = t_intervals(estimate, se, df, ci)
    return float(low), float(high), float(p_value)


@public
def t_intervals(
    estimate: np.ndarray, se: np.ndarray, df: np.ndarray, ci: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Elementwise t-based Wald intervals clipped to [-1, 1], and two-sided p-values.

    A standard error of exactly 0 (no item-to-item variation) gives the one-point interval
    ``(estimate, estimate)`` and a p-value of 0, or 1 for an estimate of 0. A missing standard
    error, or fewer than one degree of freedom, gives NaN for all three.
    """
    estimate, se, df = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (estimate, se, df))
    )
    usable = np.isfinite(se) & (df >= 1)
    safe_df = np.where(usable, df, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = np.where(usable, stats.t.ppf(0.5 + ci / 2, safe_df) * se, np.nan)
        ratio = np.where(se > 0, np.abs(estimate / np.where(se > 0, se, 1.0)), np.inf)
    p_value = np.where(se > 0, 2 * stats.t.sf(ratio, safe_df), (estimate == 0).astype(float))
    p_value = np.where(usable, p_value, np.nan)
    low = np.clip(estimate - half, -1.0, 1.0)
    high = np.clip(estimate + half, -1.0, 1.0)
    return low, high, p_value


@public
def redraw(multiplicity: np.ndarray, n_boot: int, seed: int | None) -> np.ndarray:
    """Return ``n_boot`` multinomial redraws of ``multiplicity`` (shape ``(n_boot, P)``)."""
    total = int(multiplicity.sum())
    rng = np.random.default_rng(seed)
    return rng.multinomial(total, multiplicity / total, size=n_boot)


@public
def bootstrap_summary(
    replicates: np.ndarray, ci: float, *, func: str
) -> tuple[float, float, float]:
    """Return ``(se, ci_low, ci_high)`` from bootstrap replicates: SD and percentile interval.

    Replicates where the coefficient is undefined (chance agreement of 1) are left out with
    a warning that says how many.
    """
    finite = replicates[np.isfinite(replicates)]
    if len(finite) < len(replicates):
        warnings.warn(
            f"{func}: {len(replicates) - len(finite)} of {len(replicates)} bootstrap replicates "
            "had every rating in one category, where the coefficient is undefined; they were "
            "left out of the interval.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    if len(finite) < 2:
        return np.nan, np.nan, np.nan
    low, high = np.clip(np.quantile(finite, [0.5 - ci / 2, 0.5 + ci / 2]), -1.0, 1.0)
    return float(finite.std(ddof=1)), float(low), float(high)
