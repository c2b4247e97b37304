"""Control-chart constants d2, d3 and c4 for any subgroup size, computed rather than tabulated.

``c4`` comes from the gamma function; ``d2`` and ``d3`` (the mean and standard deviation of the
range of ``n`` independent standard normal values) come from Gauss-Legendre integration of the
distribution of the range. The chart factors (A2, D3, D4, B3, B4, ...) follow from these three.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import gammaln, ndtr

from .._caller import caller, public
from .._validation import format_values

__all__ = ["c4", "chart_constants", "d2", "d3"]

# Gauss-Legendre nodes on the two integration ranges. The standard normal density is below
# 1e-22 outside [-10, 10], and the range of up to a million normals exceeds 16 with probability
# below 1e-15, so both truncations are far beneath the 1e-9 accuracy of the constants.
_X_NODES, _X_WEIGHTS = np.polynomial.legendre.leggauss(160)
_X = 10.0 * _X_NODES
_X_W = 10.0 * _X_WEIGHTS
_R_NODES, _R_WEIGHTS = np.polynomial.legendre.leggauss(160)
_R = 8.0 * (_R_NODES + 1.0)
_R_W = 8.0 * _R_WEIGHTS


def _subgroup_sizes(n: ArrayLike) -> np.ndarray:
    """Return ``n`` as an integer array, raising if any size is not an integer of at least 2."""
    func = caller()
    sizes = np.asarray(n, dtype=float)
    bad = ~np.isfinite(sizes) | (sizes < 2) | (sizes != np.round(sizes))
    if bad.any():
        raise ValueError(
            f"The 'n' parameter of {func} must be subgroup sizes that are whole numbers of at "
            f"least 2. Got {bad.sum()} bad value(s): {format_values(sizes[bad].ravel())}. "
            "A subgroup of one observation has no range or standard deviation: use an "
            "individuals (I-MR) chart instead."
        )
    return sizes.astype(np.int64)


def _range_moments(sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return E[R] and E[R^2] of the range of ``sizes`` standard normal values (flat arrays)."""
    unique, inverse = np.unique(sizes, return_inverse=True)
    k = unique[:, None, None].astype(float)
    phi = np.exp(-0.5 * _X**2) / np.sqrt(2.0 * np.pi)
    # P(R <= r) = n * integral of phi(x) * (Phi(x + r) - Phi(x)) ** (n - 1) dx
    band = np.clip(ndtr(_X[None, :] + _R[:, None]) - ndtr(_X[None, :]), 0.0, 1.0)
    cdf = k[:, :, 0] * np.einsum("x,nrx->nr", _X_W * phi, band[None, :, :] ** (k - 1.0))
    survival = 1.0 - cdf
    mean = survival @ _R_W
    second = survival @ (2.0 * _R * _R_W)
    return mean[inverse], second[inverse]


@public
def d2(n: ArrayLike) -> np.ndarray | float:
    """Expected range of ``n`` independent standard normal values (the constant d2).

    Parameters
    ----------
    n : int or array-like of int
        Subgroup size(s), each at least 2.

    Returns
    -------
    float or numpy.ndarray
        d2 for each size, with the shape of ``n`` (a float for a scalar).

    Examples
    --------
    >>> print(round(d2(2), 6), round(d2(5), 6))
    1.128379 2.325929
    >>> d2([2, 3, 4]).round(4)
    array([1.1284, 1.6926, 2.0588])

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, Appendix Table VI.
    .. [2] H. L. Harter (1960), "Tables of range and studentized range", *Annals of
       Mathematical Statistics* 31(4), 1122-1147.
    """
    sizes = _subgroup_sizes(n)
    mean, _ = _range_moments(sizes.ravel())
    result = mean.reshape(sizes.shape)
    return float(result) if result.ndim == 0 else result


@public
def d3(n: ArrayLike) -> np.ndarray | float:
    """Standard deviation of the range of ``n`` independent standard normal values (d3).

    Parameters
    ----------
    n : int or array-like of int
        Subgroup size(s), each at least 2.

    Returns
    -------
    float or numpy.ndarray
        d3 for each size, with the shape of ``n`` (a float for a scalar).

    Examples
    --------
    >>> print(round(d3(2), 7), round(d3(5), 7))
    0.8525025 0.8640819

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, Appendix Table VI.
    """
    sizes = _subgroup_sizes(n)
    mean, second = _range_moments(sizes.ravel())
    result = np.sqrt(second - mean**2).reshape(sizes.shape)
    return float(result) if result.ndim == 0 else result


@public
def c4(n: ArrayLike) -> np.ndarray | float:
    """Bias factor of the sample standard deviation: E[s] = c4(n) * sigma for normal data.

    ``c4(n) = sqrt(2 / (n - 1)) * Gamma(n / 2) / Gamma((n - 1) / 2)``, evaluated through
    log-gamma so that it stays accurate for large ``n``.

    Parameters
    ----------
    n : int or array-like of int
        Subgroup size(s), each at least 2.

    Returns
    -------
    float or numpy.ndarray
        c4 for each size, with the shape of ``n`` (a float for a scalar).

    Examples
    --------
    >>> print(round(c4(2), 7), round(c4(5), 7))
    0.7978846 0.9399856

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, Appendix Table VI.
    """
    sizes = _subgroup_sizes(n).astype(float)
    result = np.sqrt(2.0 / (sizes - 1.0)) * np.exp(
        gammaln(sizes / 2.0) - gammaln((sizes - 1) / 2.0)
    )
    return float(result) if result.ndim == 0 else result


@public
def chart_constants(n: ArrayLike) -> pd.DataFrame:
    """Table of Shewhart chart factors for the given subgroup sizes.

    Parameters
    ----------
    n : int or array-like of int
        Subgroup size(s), each at least 2.

    Returns
    -------
    pandas.DataFrame
        One row per size with columns ``n``, ``d2``, ``d3``, ``c4``, ``A2 = 3 / (d2 sqrt n)``,
        ``A3 = 3 / (c4 sqrt n)``, ``D3 = max(0, 1 - 3 d3 / d2)``, ``D4 = 1 + 3 d3 / d2``,
        ``B3 = max(0, 1 - 3 sqrt(1 - c4^2) / c4)``, ``B4 = 1 + 3 sqrt(1 - c4^2) / c4`` and
        ``E2 = 3 / d2``.

    Examples
    --------
    >>> chart_constants([2, 5]).round(3)
       n     d2     d3     c4     A2     A3  D3     D4  B3     B4     E2
    0  2  1.128  0.853  0.798  1.880  2.659 0.0  3.267 0.0  3.267  2.659
    1  5  2.326  0.864  0.940  0.577  1.427 0.0  2.114 0.0  2.089  1.290

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, Appendix Table VI.
    """
    sizes = _subgroup_sizes(n).ravel()
    mean, second = _range_moments(sizes)
    sd_range = np.sqrt(second - mean**2)
    bias = np.asarray(c4(sizes), dtype=float)
    root_n = np.sqrt(sizes)
    s_spread = 3.0 * np.sqrt(1.0 - bias**2) / bias
    return pd.DataFrame(
        {
            "n": sizes,
            "d2": mean,
            "d3": sd_range,
            "c4": bias,
            "A2": 3.0 / (mean * root_n),
            "A3": 3.0 / (bias * root_n),
            "D3": np.maximum(0.0, 1.0 - 3.0 * sd_range / mean),
            "D4": 1.0 + 3.0 * sd_range / mean,
            "B3": np.maximum(0.0, 1.0 - s_spread),
            "B4": 1.0 + s_spread,
            "E2": 3.0 / mean,
        }
    )
