"""Periods whose shocks persist: how much more a side's rate varies than if they did not.

A week's shock (a backlog, a tooling outage) often outlasts the week. With shocks that
follow an AR(1) process of coefficient ``ρ`` on top of binomial audits, the Pearson
residuals of a side's ``k`` periods (:func:`~qainsights.trends._aggregate.spread_within_sides`)
have variance ``φ`` (the dispersion) and correlation ``a ρ^j`` at lag ``j``, ``a = 1 − 1/φ``
being the shocks' share of their variance. The variance of the side's error count is then
``c`` times that of ``k`` independent periods, and the expected X² about the side's rate
``φ (k − c)`` rather than ``φ (k − 1)``, with

    ``c(k) = 1 + (2 / k) Σ_{j=1}^{k−1} (k − j) a ρ^j``

for periods of equal size. The lag-1 autocorrelation ``r`` of the residuals, pooled over
the segments that are peers, estimates ``a ρ`` after Kendall's (1954) correction for
removing the side's mean, ``(r k + 1) / (k − 3)``; dividing by the peers' ``a`` gives ``ρ``,
of which the one-sided 80 % upper bound is used (a ``ρ`` read too low leaves the test too
liberal; as :func:`qainsights.experiments.interrupted_series` does). The dispersion becomes
``X² / Σ (k − c)``, on Satterthwaite's degrees of freedom for X² under that correlation
(fewer than ``Σ (k − 1)``), and each side's
counts are divided by its ``c`` (a design effect in time, as Rao & Scott 1992 divide by a
design effect in space). Without persistence ``r`` is near ``−1/k`` and the corrected
estimate near 0; a negative estimate is taken as 0, so periods are never made surer than
independent ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ._aggregate import DISPERSION_COLUMNS, LAG_COLUMNS, MIN_LAG_PERIODS

__all__ = [
    "MAX_PERSISTENCE", "ROUNDS", "SERIAL_COLUMNS", "UPPER_LEVEL", "allow_for_persistence",
    "variance_factors",
]  # fmt: skip

#: Variance factors of the baseline and current sides' rates (1 for independent periods).
SERIAL_COLUMNS = ("serial_baseline", "serial_current")
#: Rounds at most of refining the shocks' share and the variance factors together.
ROUNDS = 200
#: The persistence used is the one-sided upper bound at this level (80 %): the estimate is
#: noisy with few segments, and a test is too liberal where it falls short of the truth.
UPPER_LEVEL = 0.2
#: The largest autocorrelation of the shocks read from the data: beyond it a side's periods
#: carry almost no more information than one period, and the estimate is mostly noise.
MAX_PERSISTENCE = 0.9


def allow_for_persistence(
    counts: pd.DataFrame, groups, *, rho: float | None = None
) -> tuple[pd.DataFrame, float]:
    """``counts`` with its dispersion allowing for shocks that persist, and ``ρ``.

    ``counts`` has one row per segment with :data:`DISPERSION_COLUMNS` and
    :data:`LAG_COLUMNS`; ``groups`` labels the peers, whose residuals are pooled to read ``ρ``
    (unless given: a total row borrows that of its segments). Each segment's shocks' share
    ``a = 1 − 1/φ`` is that of its peers' pooled dispersion: one of its own, small exactly
    where its X² is small, made the test too liberal, and with ``ρ`` read as ``γ / a`` it
    cost power where shocks are absent. A segment whose weeks alone share shocks, among calm
    peers, is therefore given their smaller factor. Since ``a`` and ``c`` depend on each
    other (the dispersion is ``X² / Σ (k − c)``), they are refined together from ``c = 1``,
    each round moving ``c`` half way to its update, until ``c`` settles (at most
    :data:`ROUNDS` rounds). The degrees of freedom become Satterthwaite's for X² under that
    correlation (:func:`_squared_trace`). Returns the frame with X² rescaled so that
    ``X² / df`` is that dispersion, its degrees of freedom, the :data:`SERIAL_COLUMNS`, and
    ``ρ``.

    Examples
    --------
    Without persistence (alternating residuals) nothing changes:

    >>> counts = pd.DataFrame({"pearson_baseline_current": [36.0],
    ...     "pearson_df_baseline_current": [18.0], "lag_products_baseline_current": [-12.0],
    ...     "lag_squares_baseline_current": [36.0], "periods_baseline": [10.0],
    ...     "periods_current": [10.0]})
    >>> moved, rho = allow_for_persistence(counts, groups=[0])
    >>> rho, moved.iloc[0, [0, -2, -1]].tolist()
    (0.0, [36.0, 1.0, 1.0])
    """
    pearson, df = (counts[column].to_numpy(dtype=float) for column in DISPERSION_COLUMNS)
    products, squares, *periods = (counts[column].to_numpy(dtype=float) for column in LAG_COLUMNS)
    lengths = np.column_stack(periods)
    codes = pd.factorize(np.asarray(groups))[0]
    factors, estimate = np.ones_like(lengths), rho
    for _ in range(ROUNDS):
        divisor = df - (factors - 1).sum(axis=1)
        pooled = _share(np.bincount(codes, pearson), np.bincount(codes, divisor))
        if rho is None:
            estimate = _persistence(products, squares, lengths, pooled, codes)
        share = pooled[codes]
        update = variance_factors(lengths, share[:, None] * estimate, estimate)
        previous, factors = factors, (factors + update) / 2
        if np.allclose(factors, previous, rtol=1e-14, atol=0):
            break
    divisor = df - (factors - 1).sum(axis=1)
    squared = _squared_trace(lengths, share[:, None] * estimate, estimate, factors)
    with np.errstate(divide="ignore", invalid="ignore"):
        effective = np.where(divisor > 0, divisor**2 / squared.sum(axis=1), df)
        rescaled = np.where(divisor > 0, pearson * effective / divisor, pearson)
    moved = counts.assign(**{DISPERSION_COLUMNS[0]: rescaled, DISPERSION_COLUMNS[1]: effective})
    return moved.assign(**dict(zip(SERIAL_COLUMNS, factors.T, strict=True))), estimate


def _squared_trace(lengths, first, rho: float, factors) -> np.ndarray:
    """``tr((M R)²)`` for each side: ``M = I − J/k`` removes the side's mean, ``R`` is the
    residuals' correlation (``γ ρ^{j−1}`` at lag ``j``, ``γ`` = ``first``), ``c`` the
    side's factor; 0 where ``k ≤ 1``.

    ``tr((M R)²) = tr(R²) − (2/k) 1'R²1 + c²`` with ``tr(R²) = k + 2 Σ (k − j) γ² ρ^{2(j−1)}``
    and ``1'R²1`` the sum of the squared row sums of ``R``. With ``tr(M R) = k − c`` it gives
    Satterthwaite's degrees of freedom of the side's X², ``(k − c)² / tr((M R)²)``: ``k − 1``
    for independent periods, fewer where they persist.
    """
    k = np.asarray(lengths, dtype=float)
    gamma = np.broadcast_to(np.asarray(first, dtype=float), k.shape)
    lagged = (k * (1 - rho**2) - (1 - rho ** (2 * k))) / (1 - rho**2) ** 2
    trace = k + 2 * gamma**2 * lagged
    position = np.arange(1, max(int(k.max(initial=1)), 1) + 1)
    inside = position <= k[..., None]
    before = (1 - rho ** (position - 1.0)) / (1 - rho)
    after = (1 - rho ** np.clip(k[..., None] - position, 0, None)) / (1 - rho)
    sums = 1 + gamma[..., None] * (before + after)
    squares = np.where(inside, sums**2, 0.0).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = trace - 2 * squares / k + factors**2
    return np.where(k > 1, value, 0.0)


def _share(pearson, divisor) -> np.ndarray:
    """The shocks' share ``1 − 1/φ`` of the residual variance, ``φ = X² / divisor``; 0 where
    ``φ`` is at most 1 or unknown.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        share = 1 - np.asarray(divisor) / np.asarray(pearson)
    return np.where(np.isfinite(share), np.maximum(share, 0.0), 0.0)


def variance_factors(lengths, first, rho: float) -> np.ndarray:
    """``c(k) = 1 + (2 / k) Σ_{j=1}^{k−1} (k − j) γ ρ^{j−1}`` for each number of periods ``k``
    in ``lengths``, ``γ = a ρ`` (``first``, broadcast against ``lengths``) being the
    residuals' lag-1 correlation; 1 where ``k ≤ 1``. The sum has the closed form
    ``(k (1 − ρ) − (1 − ρ^k)) / (1 − ρ)²`` (``ρ`` is below 1).

    Examples
    --------
    Three periods whose residuals correlate 0.5 at lag 1 and 0.25 at lag 2:
    ``1 + (2/3)(2 · 0.5 + 1 · 0.25)``.

    >>> variance_factors(np.array([3.0, 1.0]), 0.5, 0.5).round(12).tolist()
    [1.833333333333, 1.0]
    """
    k = np.asarray(lengths, dtype=float)
    total = (k * (1 - rho) - (1 - rho**k)) / (1 - rho) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = 1 + 2 * np.asarray(first) * total / k
    return np.where(k > 1, factor, 1.0)


def _persistence(products, squares, lengths, share, codes) -> float:
    """``ρ = Σ w γ / Σ w a`` over the groups of peers, within ``[0, MAX_PERSISTENCE]``.

    ``γ`` is a group's pooled lag-1 autocorrelation of the residuals, ``r = Σ products /
    Σ squares``, corrected for the removal of the sides' means by Kendall's (1954)
    ``(r k + 1) / (k − 3)``: each side's ``r`` has expectation ``γ − (1 + 3γ)/k_s`` and
    enters the pooled one with a weight of about ``k_s − 1`` (its squares), so ``k`` is
    ``Σ (k_s − 1) / Σ (1 − 1/k_s)`` over the group's sides. ``a`` is the group's shocks'
    share (``share``), ``w`` its periods in the lag sums. Returned is the one-sided upper
    bound at :data:`UPPER_LEVEL`, ``r``'s standard error taken as ``1/√pairs`` in each
    group. 0 where no side has :data:`~qainsights.trends._aggregate.MIN_LAG_PERIODS`
    periods or no group has shocks.
    """
    long = lengths >= MIN_LAG_PERIODS
    weight = np.bincount(codes, np.where(long, lengths, 0).sum(axis=1))
    pairs = np.bincount(codes, np.where(long, lengths - 1, 0).sum(axis=1))
    inverse = np.bincount(codes, np.where(long, 1 - 1 / np.maximum(lengths, 1), 0).sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.bincount(codes, products) / np.bincount(codes, squares)
        k = pairs / inverse
        corrected = (r * k + 1) / (k - 3)
    informative = (weight > 0) & (share > 0) & np.isfinite(corrected)
    if not informative.any():
        return 0.0
    w = weight[informative]
    shares = (w * share[informative]).sum()
    rho = (w * corrected[informative]).sum() / shares
    # its one-sided upper bound: r's standard error is about 1/√(pairs) for each group
    error = np.sqrt((w**2 / np.maximum(pairs[informative], 1)).sum()) / shares
    upper = rho + stats.norm.isf(UPPER_LEVEL) * error
    return float(np.clip(upper, 0.0, MAX_PERSISTENCE))
