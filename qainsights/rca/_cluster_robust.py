"""Inference for a binomial fit on cells whose audits are clustered (by moderator, say).

Cluster-robust standard errors (CR1), the per-cluster pieces of Bell & McCaffrey's CR2
adjustment and its Satterthwaite degrees of freedom (for comparing two fits that share
clusters), and the reference distribution of a Wald statistic on ``df`` degrees of freedom.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse, stats

__all__ = ["ClusterTerms", "cluster_terms", "cr1_standard_errors", "reference_distribution"]


@dataclass(frozen=True, repr=False)
class ClusterTerms:
    """Per-cluster pieces of a clustered fit, for comparing two fits that share clusters.

    From the working linear model of the fit's last IRLS step (rows ``sqrt(w) x`` with
    ``w = n μ (1 − μ)``, residuals ``(errors − n μ) / sqrt(w)``), with ``B`` its inverse
    information, ``X_g`` cluster ``g``'s rows and ``C_g = B^½ X_g' X_g B^½`` (so that
    ``I − C_g`` has the non-zero eigenvalues of ``I − H_gg``, ``H`` the hat matrix):

    - ``influence``: ``B X_g' A_g e_g`` with Bell & McCaffrey's (2002) CR2 adjustment
      ``A_g = (I − H_gg)^−½``, computed as ``B^−½ (I − C_g)^−½ B^½ X_g' e_g``; the CR2
      covariance is ``Σ_g influence_g influence_g'``.
    - ``d`` and ``m``: for the contrast ``e_j`` of coefficient ``j``, ``p_g = A_g X_g B e_j``,
      ``d[g, j] = p_g' p_g`` and ``m[g, :, j] = X_g' p_g``, the pieces of Bell and McCaffrey's
      Satterthwaite degrees of freedom (Pustejovsky & Tipton 2018, working independence).

    ``labels`` are the clusters' values (the same label in two fits is the same cluster) and
    ``columns`` the coefficients' (factor, level) pairs, the intercept first.
    """

    labels: pd.Index
    columns: tuple
    influence: np.ndarray
    d: np.ndarray
    m: np.ndarray
    bread: np.ndarray


def cr1_standard_errors(mu, design: np.ndarray, n, errors, groups, *, n_audits: int):
    """Cluster-robust (CR1) standard errors of a binomial fit on cells (``mu`` its fitted
    probabilities, ``n`` and ``errors`` the cells' audits and errors, ``groups`` their
    cluster codes 0..G-1).

    Each cell's score is ``x (errors − n μ)``; the scores are summed by cluster, and the
    sandwich ``B M B`` (``B`` the inverse information, ``M`` the sum of the clusters' score
    outer products) is scaled by ``G/(G − 1) · (N − 1)/(N − p)`` with ``N`` audits.
    Returns the standard errors and ``G``.
    """
    scores = design * (errors - n * mu)[:, None]
    summed = _by_cluster(groups) @ scores
    bread = np.linalg.inv(design.T @ (design * (n * mu * (1 - mu))[:, None]))
    g, p = len(summed), design.shape[1]
    factor = g / (g - 1) * (n_audits - 1) / (n_audits - p) if g > 1 else np.nan
    cov = factor * bread @ (summed.T @ summed) @ bread
    return np.sqrt(np.diag(cov)), g


def _by_cluster(groups: np.ndarray) -> sparse.csr_matrix:
    """The clusters x cells indicator matrix of cluster codes 0..G-1: ``@`` sums by cluster."""
    cells = np.arange(len(groups))
    return sparse.csr_matrix((np.ones(len(groups)), (groups, cells)),
                             shape=(int(groups.max()) + 1, len(groups)))  # fmt: skip


def _sym_power(matrices: np.ndarray, power: float, *, floor: float = 1e-10) -> np.ndarray:
    """Symmetric matrix powers of a stack of positive semi-definite matrices (eigenvalues
    below ``floor`` give 0, the Moore-Penrose convention).
    """
    values, vectors = np.linalg.eigh(matrices)
    kept = values > floor
    scaled = np.where(kept, np.where(kept, values, 1.0) ** power, 0.0)
    return (vectors * scaled[..., None, :]) @ np.swapaxes(vectors, -1, -2)


def cluster_terms(mu, design: np.ndarray, n, errors, groups, labels: pd.Index, columns):
    """The :class:`ClusterTerms` of a clustered fit, in p x p algebra per cluster.

    ``H_gg = Z_g Z_g'`` with ``Z_g = X_g B^½``, so any function of ``H_gg`` passes through to
    ``C_g = Z_g' Z_g``: ``Z_g' f(H_gg) = f(C_g) Z_g'``. Hence ``X_g' A_g e_g =
    B^−½ (I − C_g)^−½ B^½ X_g' e_g``, ``X_g' A_g X_g B = B^−½ (I − C_g)^−½ C_g B^½`` and
    ``B X_g' A_g² X_g B = B^½ (I − C_g)^−¹ C_g B^½``; a cluster's cells never enter as a
    k x k matrix.
    """
    w = n * mu * (1 - mu)
    rows = design * np.sqrt(w)[:, None]
    residual = (errors - n * mu) / np.sqrt(w)
    p = design.shape[1]
    by_cluster = _by_cluster(groups)
    score = by_cluster @ (rows * residual[:, None])
    # X_g' X_g of every cluster, one coefficient's column at a time (cells x p in memory)
    cross = np.stack([by_cluster @ (rows * rows[:, [i]]) for i in range(p)], axis=2)
    bread = np.linalg.inv(rows.T @ rows)
    half, minus_half = _sym_power(bread, 0.5), _sym_power(bread, -0.5)
    c = half @ cross @ half
    eye = np.eye(p)
    inv_root = _sym_power(eye - c, -0.5)  # (I − C_g)^−½, per cluster
    inverse = _sym_power(eye - c, -1.0)
    # B^−½ (I − C_g)^−½ B^½ s_g for every cluster, as matrix products (B^±½ are symmetric)
    adjusted = (inv_root @ (score @ half)[..., None])[..., 0] @ minus_half
    influence = adjusted @ bread
    d = np.diagonal(half @ inverse @ c @ half, axis1=1, axis2=2).copy()
    m = minus_half @ inv_root @ c @ half
    return ClusterTerms(labels, tuple(columns), influence, d, m, bread)


def reference_distribution(df: float):
    """The normal for infinite degrees of freedom, else Student's t on ``df``."""
    return stats.norm if np.isinf(df) else stats.t(df)
