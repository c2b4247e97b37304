"""Empirical Bayes moderation of many dispersions, each estimated on few degrees of freedom.

Smyth (2004) treats each of many variances ``s²`` on ``d`` degrees of freedom as a draw,
scaled chi-square, around a true variance that itself follows a scaled inverse chi-square
prior with ``d0`` degrees of freedom and scale ``s0²``. The prior is fitted by the moments of
``log s²``; each variance is then replaced by its posterior mean,
``(d0·s0² + d·s²) / (d0 + d)``, on ``d0 + d`` degrees of freedom. Segments borrow the spread
of their peers: a dispersion read from 19 weeks is no longer the only thing its t test knows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

from ._aggregate import DISPERSION_COLUMNS

__all__ = ["OUTLIER_LEVEL", "moderate_dispersions", "moderate_spread", "trigamma_inverse"]

#: Upper-tail level below which a segment's spread is too large for its peers' prior, and
#: the segment keeps its own (:func:`moderate_dispersions`'s ``outliers``).
OUTLIER_LEVEL = 0.05


def moderate_spread(counts: pd.DataFrame, groups) -> pd.DataFrame:
    """``counts`` with its :data:`DISPERSION_COLUMNS` (Pearson's X² and its degrees of
    freedom per row) replaced by those of the moderated dispersions
    (:func:`moderate_dispersions`; ``groups`` labels the rows that are peers; a row whose
    spread its peers' prior makes unlikely at :data:`OUTLIER_LEVEL` keeps its own).
    """
    pearson, df = (counts[column].to_numpy(dtype=float) for column in DISPERSION_COLUMNS)
    with np.errstate(divide="ignore", invalid="ignore"):
        dispersion, df = moderate_dispersions(
            np.where(df > 0, pearson / df, np.nan), df, groups, outliers=OUTLIER_LEVEL
        )
    moderated = np.where(df > 0, dispersion * df, 0.0)
    return counts.assign(**dict(zip(DISPERSION_COLUMNS, (moderated, df), strict=True)))


def moderate_dispersions(dispersion, df, groups, *, outliers=None) -> tuple[np.ndarray, np.ndarray]:
    """Posterior dispersions and their degrees of freedom (Smyth 2004, section 6).

    ``dispersion`` (Pearson's ``X² / df``) and ``df`` per segment; ``groups`` labels segments
    that are peers (for a search over segments, those restricting the same dimensions: all
    sites, or all site x queue cells). The prior's scale ``s0²`` is fitted per group and its
    degrees of freedom ``d0`` across groups: ``e = log s² − ψ(d/2) + log(d/2)`` estimates
    ``log σ²`` without bias; ``d0 = 2 ψ'⁻¹(v)``, with ``v`` the variance of ``e`` about its
    group's mean on the residual degrees of freedom (segments less groups) less the part
    chance alone gives, ``Σ (n_g − 1)/n_g · ψ'(d/2)`` over the residual degrees of freedom
    (``n_g`` the group's size: limma's mean of ``ψ'(d/2)`` where there is one group);
    ``s0² = exp(ē + ψ(d0/2) − log(d0/2))``. Where ``v ≤ 0`` the dispersions vary no more
    than chance makes them: ``d0`` is infinite and every segment takes its group's mean
    dispersion, as limma's ``squeezeVar`` does. The posterior's degrees of freedom are
    capped at the group's total, the most its members hold.

    The prior takes the peers as alike: a segment whose periods alone share shocks, among
    calm peers, would be moderated toward their calm and tested as surer than it is. With
    ``outliers`` (a level such as :data:`OUTLIER_LEVEL`), a segment whose dispersion the
    prior makes unlikely, ``s²/s0²`` beyond the upper ``outliers`` tail of ``F(d, d0)``
    (``χ²_d / d`` where ``d0`` is infinite), keeps its own dispersion and degrees of
    freedom, and the prior is fitted again without it: the limit of limma's robust
    moderation (Phipson et al. 2016), which lends such a segment no prior degrees of
    freedom. Segments with
    ``df = 0`` (one period a side) take their group's prior; a dispersion of 0 (periods of
    identical rates) is moderated but does not enter the fit, whose logarithm it would
    break. A group with fewer than two segments with ``df > 0`` has no prior of its own:
    its dispersions are returned as given, as are all of them when no group has two.

    Examples
    --------
    Four dispersions on 19 degrees of freedom that vary no more than chance makes them
    fall back to their mean, on the 76 degrees of freedom they hold together:

    >>> moderate_dispersions([0.9, 1.1, 1.3, 1.0], [19, 19, 19, 19], ["site"] * 4)
    (array([1.075, 1.075, 1.075, 1.075]), array([76., 76., 76., 76.]))
    """
    dispersion = np.asarray(dispersion, dtype=float)
    df = np.asarray(df, dtype=float)
    codes = pd.factorize(np.asarray(groups))[0]
    spread_known = (df > 0) & (dispersion > 0) & np.isfinite(dispersion)
    count = np.bincount(codes, spread_known)
    has_prior = count[codes] >= 2
    fitted = spread_known & has_prior
    if not fitted.any():
        return dispersion, df
    size = count[codes[fitted]]
    half = df[fitted] / 2
    unbiased = np.log(dispersion[fitted]) - special.digamma(half) + np.log(half)
    mean = np.bincount(codes[fitted], unbiased, minlength=count.size) / np.maximum(count, 1)
    spread = unbiased - mean[codes[fitted]]
    residual_df = fitted.sum() - (count >= 2).sum()
    chance = ((size - 1) / size * special.polygamma(1, half)).sum() / residual_df
    prior_variance = spread @ spread / residual_df - chance
    total_df = np.bincount(codes, df)[codes]
    if prior_variance > 0:
        prior_df = 2 * trigamma_inverse(prior_variance)
        scale = np.exp(mean + special.digamma(prior_df / 2) - np.log(prior_df / 2))[codes]
        observed = np.where(df > 0, df * dispersion, 0.0)
        posterior = (prior_df * scale + observed) / (prior_df + df)
        posterior_df = np.minimum(prior_df + df, total_df)
    else:
        prior_df = np.inf
        sums = np.bincount(codes[fitted], dispersion[fitted], minlength=count.size)
        posterior = scale = (sums / np.maximum(count, 1))[codes]
        posterior_df = total_df
    if outliers is not None:
        outlying = fitted & (_upper_tail(dispersion / scale, df, prior_df) < outliers)
        if outlying.any():  # the prior again without them; they keep their own
            posterior, posterior_df = moderate_dispersions(
                np.where(outlying, np.nan, dispersion), np.where(outlying, 0.0, df), groups
            )
            return (np.where(outlying, dispersion, posterior), np.where(outlying, df, posterior_df))
    return np.where(has_prior, posterior, dispersion), np.where(has_prior, posterior_df, df)


def _upper_tail(ratio, df, prior_df) -> np.ndarray:
    """``P(F(df, prior_df) > ratio)``; ``χ²_df / df`` where ``prior_df`` is infinite."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.isinf(prior_df):
            return stats.chi2.sf(ratio * df, np.maximum(df, 1))
        return stats.f.sf(ratio, np.maximum(df, 1), prior_df)


def trigamma_inverse(value: float) -> float:
    """The ``y`` with ``ψ'(y) = value``, by Smyth's (2004) Newton iteration.

    ``ψ'`` (the trigamma function) falls from infinity to 0 on ``(0, ∞)``; starting from
    ``0.5 + 1/value``, each step moves ``y`` by ``ψ'(y)(1 − ψ'(y)/value) / ψ''(y)`` on the
    scale where ``1/ψ'`` is nearly linear, which converges from above without overshooting.

    Examples
    --------
    >>> from scipy.special import polygamma
    >>> round(float(polygamma(1, trigamma_inverse(0.25))), 12)
    0.25
    """
    if value > 1e7:
        return 1 / np.sqrt(value)
    if value < 1e-6:
        return 1 / value
    y = 0.5 + 1 / value
    for _ in range(50):
        tri = special.polygamma(1, y)
        step = tri * (1 - tri / value) / special.polygamma(2, y)
        y += step
        if -step / y < 1e-8:
            break
    return float(y)
