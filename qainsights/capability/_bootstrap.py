"""Bootstrap replicates for the intervals of the non-normal capability indices.

The first three functions return an ``(n_boot, 3)`` array of the 0.135 %, 50 % and 99.865 %
quantiles recomputed on bootstrap samples; the indices and their bias-corrected percentile
intervals follow from it (:func:`qainsights.capability._nonnormal.percentile_indices`).
:func:`box_cox_replicates` returns the overall Box-Cox indices themselves. No function loops
over replicates:

- **Empirical quantiles** (nonparametric bootstrap, Efron 1979): a type-7 quantile needs two
  adjacent order statistics, and the order statistics of a resample of ``n`` values are
  ``x_(ceil(n U_(m)))`` for the uniform order statistics ``U_(m)``. These are drawn jointly
  from gamma spacings (``U_(m) = G_m / G_{n+1}``, ``G`` partial sums of standard
  exponentials; Devroye 1986, ch. V), so one draw of shape ``(n_boot, 7)`` replaces an
  ``(n_boot, n)`` resample. The distribution is exactly that of resampling the rows
  (Hutson & Ernst 2000 give it in closed form).
- **Lognormal** (parametric bootstrap): the maximum-likelihood estimates are the mean and the
  standard deviation (ddof 0) of the logs, whose sampling distributions are known: the mean is
  normal with variance ``σ²/n`` and ``n s²/σ²`` is chi-square with ``n − 1`` degrees of
  freedom, independently. Replicates are drawn from these two statistics alone.
- **Weibull** (parametric bootstrap): samples of the fitted Weibull are refitted by maximum
  likelihood, all replicates at once by Newton's method on the shape equation. Log-Weibull
  values form a location-scale family, so the samples are drawn standard (shape and scale 1)
  and the estimates mapped back (Lawless, ch. 5); the ``(n_boot, n)`` array is processed in
  blocks of rows to bound memory.
- **Box-Cox** (nonparametric bootstrap): resampled rows (one ``rng.integers`` call per block
  of rows) each get their maximum-likelihood lambda by a golden-section search run on all
  rows at once, then the normal-theory indices on their own transformed scale, against the
  specifications transformed with the same lambda.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from ._distributions import Fit
from ._indices import Specs, normal_index_values
from ._nonnormal import PERCENTILE_PROBABILITIES

__all__ = [
    "box_cox_replicates",
    "empirical_replicates",
    "lognormal_replicates",
    "weibull_replicates",
]

_BLOCK_VALUES = 2**21
_LAMBDA_HALF_WIDTH = 3.0
_LAMBDA_TOLERANCE = 1e-7
_INVERSE_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0
_NEWTON_STEPS = 100
_NEWTON_TOLERANCE = 1e-10


def empirical_replicates(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Return nonparametric bootstrap replicates of the type-7 quantiles, from order statistics."""
    n = values.size
    ordered = np.sort(values)
    position = (n - 1) * PERCENTILE_PROBABILITIES
    lower = np.floor(position).astype(int)
    fraction = position - lower
    # 1-based ranks of the order statistics that the three quantiles interpolate between.
    ranks, inverse = np.unique(
        np.minimum(np.concatenate([lower, lower + 1]), n - 1) + 1, return_inverse=True
    )
    # U_(m) = G_m / G_(n+1): gamma increments between the ranks give the partial sums G.
    gaps = np.diff(ranks, prepend=0, append=n + 1)
    sums = np.cumsum(rng.standard_gamma(gaps, size=(n_boot, gaps.size)), axis=1)
    uniform = sums[:, :-1] / sums[:, -1:]
    resampled = ordered[np.clip(np.ceil(n * uniform).astype(int), 1, n) - 1]
    low, high = resampled[:, inverse[:3]], resampled[:, inverse[3:]]
    return low + fraction * (high - low)


def lognormal_replicates(fit: Fit, n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Return parametric bootstrap replicates of the lognormal quantiles, from the two statistics."""
    params = dict(fit.params)
    mean_log, sigma_log = params["mean_log"], params["sigma_log"]
    means = mean_log + sigma_log / np.sqrt(n) * rng.standard_normal(n_boot)
    sigmas = sigma_log * np.sqrt(rng.chisquare(n - 1, n_boot) / n)
    return np.exp(means[:, None] + sigmas[:, None] * ndtri(PERCENTILE_PROBABILITIES))


def weibull_replicates(fit: Fit, n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Return parametric bootstrap replicates of the Weibull quantiles (maximum likelihood refits)."""
    params = dict(fit.params)
    rows = max(1, _BLOCK_VALUES // n)
    blocks = [
        _standard_weibull_fits(np.log(rng.standard_exponential((min(rows, n_boot - start), n))))
        for start in range(0, n_boot, rows)
    ]
    location, spread = (np.concatenate(parts) for parts in zip(*blocks, strict=True))
    # log X = log(scale) + W / shape for standard log-Weibull W; map the standard fits back.
    log_scale = np.log(params["scale"]) + location / params["shape"]
    inverse_shape = spread / params["shape"]
    log_hazard = np.log(-np.log1p(-PERCENTILE_PROBABILITIES))
    return np.exp(log_scale[:, None] + inverse_shape[:, None] * log_hazard)


def _standard_weibull_fits(logs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the maximum-likelihood log-scale and 1/shape of each row of log values.

    The shape ``k`` solves ``Σ x^k log x / Σ x^k − 1/k − mean(log x) = 0`` (increasing in
    ``k``); Newton's method from ``k = 1`` runs on all rows at once, halving any step that
    would leave ``k > 0``. Logs are centred on each row's maximum so that ``x^k`` cannot
    overflow.
    """
    top = logs.max(axis=1, keepdims=True)
    centred = logs - top
    mean_log = centred.mean(axis=1)
    shape = np.ones(logs.shape[0])
    for _ in range(_NEWTON_STEPS):
        weights = np.exp(shape[:, None] * centred)
        total = weights.sum(axis=1)
        first = (weights * centred).sum(axis=1) / total
        second = (weights * centred**2).sum(axis=1) / total
        score = first - 1.0 / shape - mean_log
        slope = second - first**2 + 1.0 / shape**2
        step = score / slope
        shape = np.where(shape - step > 0, shape - step, shape / 2.0)
        if np.all(np.abs(step) <= _NEWTON_TOLERANCE * shape):
            break
    log_scale = top[:, 0] + np.log(np.exp(shape[:, None] * centred).mean(axis=1)) / shape
    return log_scale, 1.0 / shape


def box_cox_replicates(
    values: np.ndarray, lmbda: float, specs: Specs, n_boot: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Return nonparametric bootstrap replicates of the overall Box-Cox indices, by suffix.

    Each resample of the rows gets its own maximum-likelihood lambda, then the normal-theory
    indices of its transformed values against the specifications transformed with that
    lambda (keys as :func:`~qainsights.capability._indices.normal_index_values`).
    """
    logs = np.log(values)
    n = logs.size
    rows = max(1, _BLOCK_VALUES // n)
    blocks = [
        _box_cox_indices(
            logs[rng.integers(0, n, size=(min(rows, n_boot - start), n))], lmbda, specs
        )
        for start in range(0, n_boot, rows)
    ]
    return {key: np.concatenate([block[key] for block in blocks]) for key in blocks[0]}


def _box_cox_indices(logs: np.ndarray, lmbda: float, specs: Specs) -> dict[str, np.ndarray]:
    """Return the overall normal-theory indices of each row of log values on its own lambda."""
    lambdas = _box_cox_lambdas(logs, lmbda)
    transformed = _power(logs, lambdas[:, None])
    limits = (
        None if v is None else _power(np.log(v), lambdas)
        for v in (specs.lsl, specs.usl, specs.target)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return normal_index_values(
            transformed.mean(axis=1), transformed.std(axis=1, ddof=1), *limits
        )


def _power(logs: np.ndarray, lmbda: np.ndarray) -> np.ndarray:
    """Return the Box-Cox transform ``(x^λ − 1)/λ = expm1(λ log x)/λ`` (log x at λ = 0)."""
    safe = np.where(lmbda == 0, 1.0, lmbda)
    return np.where(lmbda == 0, logs, np.expm1(lmbda * logs) / safe)


def _box_cox_lambdas(logs: np.ndarray, start: float) -> np.ndarray:
    """Return the maximum-likelihood Box-Cox lambda of each row of log values.

    The profile log-likelihood ``(λ − 1) Σ log x − n/2 log var((x^λ − 1)/λ)`` equals
    ``−Σ log x − n/2 log var(expm1(λ d)/λ)`` with ``d`` the logs centred on their mean, so
    the lambda minimises that variance. A golden-section search runs on all rows at once
    within ``start ± 3``, to a bracket of 1e-7.
    """
    centred = logs - logs.mean(axis=1, keepdims=True)

    def spread(lmbda):
        return _power(centred, lmbda[:, None]).var(axis=1)

    low = np.full(logs.shape[0], start - _LAMBDA_HALF_WIDTH)
    high = np.full(logs.shape[0], start + _LAMBDA_HALF_WIDTH)
    left = high - _INVERSE_GOLDEN * (high - low)
    right = low + _INVERSE_GOLDEN * (high - low)
    f_left, f_right = spread(left), spread(right)
    steps = int(
        np.ceil(np.log(_LAMBDA_TOLERANCE / (2 * _LAMBDA_HALF_WIDTH)) / np.log(_INVERSE_GOLDEN))
    )
    for _ in range(steps):
        lower = f_left < f_right  # the minimum lies in [low, right]
        high = np.where(lower, right, high)
        low = np.where(lower, low, left)
        probe = np.where(
            lower, high - _INVERSE_GOLDEN * (high - low), low + _INVERSE_GOLDEN * (high - low)
        )
        f_probe = spread(probe)
        left, right = np.where(lower, probe, right), np.where(lower, left, probe)
        f_left, f_right = np.where(lower, f_probe, f_right), np.where(lower, f_left, f_probe)
    return (low + high) / 2.0
