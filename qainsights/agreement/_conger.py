"""Conger's (1980) kappa for several raters, with Gwet's (2014) linearised variance.

Chance agreement uses each rater's own category distribution, so it needs rater identity:
the computation runs on the ``(item, rater, label)`` codes, never on a dense items x raters
matrix (one ``bincount`` per sum).
"""

from __future__ import annotations

import numpy as np

from ._family import agreeing_pairs, item_agreement
from ._inputs import Ratings
from .inference import effective_df

__all__ = ["conger_estimate"]


def conger_estimate(
    ratings: Ratings, weights: np.ndarray
) -> tuple[float, float, float, float, float]:
    """Return ``(kappa, pa, pe, variance, df)`` for rater-coded ratings (``df``: the
    variance's effective degrees of freedom).
    """
    q, r = ratings.n_categories, ratings.n_raters
    counts = ratings.counts.astype(float)
    n = len(counts)
    item, rater, label = ratings.item, ratings.rater, ratings.label
    by_rater = np.bincount(rater * q + label, minlength=r * q).reshape(r, q).astype(float)
    rated = by_rater.sum(axis=1)
    shares = by_rater / rated[:, None]  # p_gk
    mean_share = shares.mean(axis=0)
    covariance = (shares.T @ shares - r * np.outer(mean_share, mean_share)) / (r - 1)
    pe = float((weights * (np.outer(mean_share, mean_share) - covariance / r)).sum())

    totals = counts.sum(axis=1)
    pairable = totals >= 2
    item_pa = item_agreement(agreeing_pairs(counts, weights), totals)
    pa = float(item_pa[pairable].mean())
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = (pa - pe) / (1 - pe)
        # lambda_ig = (n / n_g) (v_g[label] - p_g . v_g) + p_g . v_g, v_g = W^T (r pbar - p_g)
        v = (r * mean_share[None, :] - shares) @ weights
        baseline = (shares * v).sum(axis=1)
        per_rating = n / rated[rater] * (v[rater, label] - baseline[rater])
        item_pe = (np.bincount(item, weights=per_rating, minlength=n) + baseline.sum()) / (
            r * (r - 1)
        )
        linear = (n / pairable.sum()) * (item_pa - pe * pairable) / (1 - pe) - 2 * (1 - kappa) * (
            item_pe - pe
        ) / (1 - pe)
        variance = float(((linear - kappa) ** 2).sum() / (n * (n - 1)))
    df = float(effective_df(np.ones(n), np.sort(linear - kappa), n))  # sorted: order-free sums
    return float(kappa), pa, pe, variance, df
