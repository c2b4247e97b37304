"""Gwet's chance-corrected family on rating patterns: estimates, replicates and variances.

Items with identical label-count vectors pool into *patterns*; a coefficient depends on
the data only through the pattern multiplicities ``m``. The estimators here accept ``m`` of
shape ``(P,)`` or ``(B, P)``, so the same code gives the point estimate and, with
multinomially redrawn multiplicities, every bootstrap replicate at once.

Formulas: Gwet (2008, 2014) as implemented in irrCAC: percent agreement, Brennan-Prediger,
Gwet's AC1/AC2, Fleiss' generalised kappa (Scott's pi for two raters) and Krippendorff's
alpha, with their linearised variances ``sum_i (c*_i - c)**2 / (n (n - 1))`` and the
effective degrees of freedom of those variances (:func:`.inference.effective_df`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .inference import effective_df

__all__ = [
    "FAMILY",
    "Patterns",
    "agreeing_pairs",
    "family_estimate",
    "family_variance",
    "item_agreement",
    "patterns_of",
]

FAMILY = ("percent", "brennan_prediger", "gwet", "fleiss", "alpha")


@dataclass(frozen=True)
class Patterns:
    """Distinct per-item label-count vectors and how many items show each."""

    counts: np.ndarray  # (P, q) float
    multiplicity: np.ndarray  # (P,) int

    @property
    def totals(self) -> np.ndarray:
        """Number of ratings of an item in each pattern."""
        return self.counts.sum(axis=1)


def patterns_of(counts: np.ndarray) -> Patterns:
    """Pool the rows of an items x categories count matrix into patterns.

    Rows are packed into one integer (base ``max + 1``) when that fits in 62 bits; the
    pooling is then one ``np.bincount`` over the packed keys when there are at most 2**22 of
    them (the usual case: few ratings per item, few categories), else one 1-D ``np.unique``.
    Rows too wide to pack are compared whole.

    Examples
    --------
    >>> p = patterns_of(np.array([[2, 0], [1, 1], [2, 0]]))
    >>> p.counts.tolist(), p.multiplicity.tolist()
    ([[1.0, 1.0], [2.0, 0.0]], [1, 2])
    """
    base = int(counts.max()) + 1 if counts.size else 1
    q = counts.shape[1]
    if q * np.log2(max(base, 2)) >= 62:
        unique, multiplicity = np.unique(counts, axis=0, return_counts=True)
        return Patterns(unique.astype(float), multiplicity)
    powers = base ** np.arange(q - 1, -1, -1, dtype=np.int64)
    keys = counts.astype(np.int64) @ powers
    if base**q <= 2**22:
        tally = np.bincount(keys, minlength=base**q)
        keys = np.flatnonzero(tally)
        multiplicity = tally[keys]
    else:
        keys, multiplicity = np.unique(keys, return_counts=True)
    unique = (keys[:, None] // powers) % base
    return Patterns(unique.astype(float), multiplicity)


def family_estimate(
    kind: str, patterns: Patterns, m: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(estimate, pa, pe)`` for multiplicities ``m`` of shape ``(P,)`` or ``(B, P)``."""
    counts, totals = patterns.counts, patterns.totals
    q = counts.shape[1]
    m = np.asarray(m, dtype=float)
    pairable = totals >= 2
    agreeing = agreeing_pairs(counts, weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "alpha":
            m = m * pairable
            values = m @ totals
            pa_prime = (m @ np.where(pairable, agreeing / np.maximum(totals - 1, 1), 0.0)) / values
            pa = (1 - 1 / values) * pa_prime + 1 / values
            shares = (m @ counts) / values[..., None]
            pe = _quadratic_form(shares, weights)
        else:
            pa = (m @ item_agreement(agreeing, totals)) / (m @ pairable)
            shares = (m @ (counts / totals[:, None])) / m.sum(axis=-1)[..., None]
            pe = _chance_agreement(kind, shares, weights, q)
        return (pa - pe) / (1 - pe), pa, pe


def family_variance(
    kind: str,
    patterns: Patterns,
    m: np.ndarray,
    weights: np.ndarray,
    estimate: np.ndarray,
    pe: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Gwet's linearised variance (no finite-population correction) and its effective degrees
    of freedom, for ``m`` of shape ``(P,)`` or ``(G, P)`` (one row per group) with matching
    ``estimate`` and ``pe``.
    """
    counts, totals = patterns.counts, patterns.totals
    q = counts.shape[1]
    m = np.asarray(m, dtype=float)
    pe = np.asarray(pe, dtype=float)[..., None]
    pairable = totals >= 2
    agreeing = agreeing_pairs(counts, weights)
    shares_of_item = counts / totals[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "alpha":
            m = m * pairable
            n = m.sum(axis=-1)
            mean_total = ((m @ totals) / n)[..., None]
            shares = (m @ counts) / (m @ totals)[..., None]
            per_item = np.where(pairable, agreeing / (mean_total * (totals - 1)), 0.0)
            pa_prime = ((m * per_item).sum(axis=-1) / n)[..., None]
            spread = (totals - mean_total) / mean_total
            centre = (pa_prime - pe) / (1 - pe)
            item_pa = per_item - pa_prime * spread
            item_pe = shares @ _symmetric(weights) @ counts.T / mean_total - pe * spread
        else:
            n = m.sum(axis=-1)
            shares = (m @ shares_of_item) / n[..., None]
            centre = np.asarray(estimate, dtype=float)[..., None]
            scale = (n / (m @ pairable))[..., None]
            item_pa = scale * (item_agreement(agreeing, totals) - pe * pairable) + pe
            item_pe = _item_chance_agreement(kind, shares_of_item, shares, weights, q, pe)
        linear = (item_pa - pe) / (1 - pe) - 2 * (1 - centre) * (item_pe - pe) / (1 - pe)
        deviation = linear - centre
        variance = (m * deviation**2).sum(axis=-1) / (n * (n - 1))
        return variance, effective_df(m, deviation, n)


def agreeing_pairs(counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted number of agreeing ordered rating pairs per pattern: sum_k c_k (c*_k - 1)."""
    return (counts * (counts @ weights.T - 1)).sum(axis=1)


def item_agreement(agreeing: np.ndarray, totals: np.ndarray) -> np.ndarray:
    pairs = totals * (totals - 1)
    return np.where(pairs > 0, agreeing / np.where(pairs > 0, pairs, 1), 0.0)


def _quadratic_form(shares: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return np.einsum("...k,kl,...l->...", shares, weights, shares)


def _symmetric(weights: np.ndarray) -> np.ndarray:
    return (weights + weights.T) / 2


def _chance_agreement(
    kind: str, shares: np.ndarray, weights: np.ndarray, q: int
) -> np.ndarray | float:
    if kind == "percent":
        return np.zeros(shares.shape[:-1])
    if kind == "brennan_prediger":
        return np.full(shares.shape[:-1], weights.sum() / q**2)
    if kind == "gwet":
        return _gwet_scale(weights, q) * (shares * (1 - shares)).sum(axis=-1)
    return _quadratic_form(shares, weights)


def _item_chance_agreement(
    kind: str,
    shares_of_item: np.ndarray,
    shares: np.ndarray,
    weights: np.ndarray,
    q: int,
    pe: np.ndarray,
) -> np.ndarray:
    """Per-pattern chance agreement, shape ``(..., P)`` for group shares of shape ``(..., q)``."""
    if kind in ("percent", "brennan_prediger"):
        return np.broadcast_to(pe, (*shares.shape[:-1], len(shares_of_item)))
    if kind == "gwet":
        return _gwet_scale(weights, q) * (1 - shares) @ shares_of_item.T
    return shares @ _symmetric(weights) @ shares_of_item.T


def _gwet_scale(weights: np.ndarray, q: int) -> float:
    """Gwet's chance-agreement scale ``T_w / (q (q - 1))``, NaN for a single category."""
    return weights.sum() / (q * (q - 1)) if q > 1 else np.nan
