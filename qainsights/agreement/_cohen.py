"""Cohen's kappa on a two-rater contingency table, with Fleiss, Cohen & Everitt's variance.

The estimator accepts tables of shape ``(q, q)`` or ``(B, q, q)``, so bootstrap replicates
(multinomial redraws of the cells) are computed in one pass.
"""

from __future__ import annotations

import numpy as np

from .inference import effective_df

__all__ = ["cohen_estimate", "cohen_variance", "prevalence_and_bias"]


def cohen_estimate(
    table: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(kappa, pa, pe)`` for one table or a stack of tables."""
    p = table / table.sum(axis=(-2, -1), keepdims=True)
    pa = (p * weights).sum(axis=(-2, -1))
    pe = np.einsum("...k,kl,...l->...", p.sum(axis=-1), weights, p.sum(axis=-2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (pa - pe) / (1 - pe), pa, pe


def cohen_variance(
    table: np.ndarray, weights: np.ndarray, kappa: float, pe: float
) -> tuple[float, float]:
    """Large-sample variance of (weighted) kappa, not under the null (Fleiss et al. 1969), and
    its effective degrees of freedom.

    The variance is the mean over items of each cell's squared deviation
    ``w_kl - (w_k. + w_.l) (1 - kappa) - (kappa - pe (1 - kappa))``, divided by
    ``n (1 - pe)**2``; those deviations give :func:`.inference.effective_df`.
    """
    n = table.sum()
    p = table / n
    row_mean = weights @ p.sum(axis=0)  # w_k. = sum_l w_kl p_.l
    col_mean = weights.T @ p.sum(axis=1)  # w_.l = sum_k w_kl p_k.
    term = weights - np.add.outer(row_mean, col_mean) * (1 - kappa)
    deviation = term - (kappa - pe * (1 - kappa))
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = ((p * term**2).sum() - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)
    return float(variance), float(effective_df(table.ravel(), deviation.ravel(), n))


def prevalence_and_bias(table: np.ndarray) -> tuple[float, float, float]:
    """PABAK, prevalence index and bias index of Byrt, Bishop & Carlin (1993).

    PABAK is ``(q * p_o - 1) / (q - 1)`` for q categories (``2 p_o - 1`` for two); the two
    indices are defined for a 2 x 2 table only and are NaN otherwise.
    """
    p = table / table.sum()
    q = len(p)
    pabak = (q * np.trace(p) - 1) / (q - 1) if q > 1 else np.nan
    if q != 2:
        return float(pabak), np.nan, np.nan
    return float(pabak), float(abs(p[0, 0] - p[1, 1])), float(abs(p[0, 1] - p[1, 0]))
