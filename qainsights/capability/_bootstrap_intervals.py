"""Bootstrap intervals from replicates: Efron's percentile and bias-corrected (BC) intervals."""

from __future__ import annotations

import warnings

import numpy as np
from scipy.special import ndtr, ndtri

from .._caller import user_stacklevel

__all__ = ["bias_corrected_interval", "percentile_interval", "replicate_intervals"]


def percentile_interval(replicates: np.ndarray, ci: float) -> tuple[float, float]:
    """Efron's percentile interval: the ``(1 − ci)/2`` and ``(1 + ci)/2`` replicate quantiles."""
    low, high = np.quantile(replicates, [(1.0 - ci) / 2.0, (1.0 + ci) / 2.0])
    return float(low), float(high)


def bias_corrected_interval(
    estimate: float, replicates: np.ndarray, ci: float
) -> tuple[float, float]:
    """Efron's bias-corrected (BC) percentile interval from bootstrap replicates.

    With ``z0 = Φ⁻¹(share of replicates below the estimate)`` (ties count half), the bounds
    are the replicates' quantiles at ``Φ(2 z0 ± z_{(1+ci)/2})``; ``z0 = 0`` gives the plain
    percentile interval. The interval contains the estimate whenever ``|z0| <= z_{(1+ci)/2}``.
    """
    below = np.mean(replicates < estimate) + 0.5 * np.mean(replicates == estimate)
    bias = ndtri(below)
    z = ndtri((1.0 + ci) / 2.0)
    low, high = np.quantile(replicates, ndtr([2.0 * bias - z, 2.0 * bias + z]))
    return float(low), float(high)


def replicate_intervals(
    estimates: dict[str, float],
    replicates: dict[str, np.ndarray],
    ci: float,
    *,
    bias_corrected: bool,
) -> dict[str, tuple[float, float]]:
    """Return the BC (or, with ``bias_corrected=False``, percentile) interval of each index.

    An index with infinite or undefined replicates (a resample without spread) gets a NaN
    interval; one ``UserWarning`` (at the caller's line, outside the package) names
    those indices and counts the replicates.
    """
    undefined = {name: int((~np.isfinite(replicates[name])).sum()) for name in estimates}
    undefined = {name: count for name, count in undefined.items() if count}
    if undefined:
        total = len(next(iter(replicates.values())))
        counts = ", ".join(f"{name} ({count})" for name, count in undefined.items())
        warnings.warn(
            f"capability: some of the {total} bootstrap replicates are infinite or undefined "
            f"for {counts}: resamples without spread, because the data hold few distinct "
            "values. Their intervals are NaN. Use more values, or a fitted distribution "
            "(method='lognormal' or 'weibull').",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return {
        name: (np.nan, np.nan)
        if name in undefined
        else bias_corrected_interval(value, replicates[name], ci)
        if bias_corrected
        else percentile_interval(replicates[name], ci)
        for name, value in estimates.items()
    }
