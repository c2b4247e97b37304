"""Estimators of the process standard deviation used for control limits and capability.

Within-subgroup (short-term) estimators: the average moving range ``MR-bar / d2(2)``, the
average range ``R-bar / d2(n)``, the average standard deviation ``s-bar / c4(n)`` and the pooled
standard deviation. The overall (long-term) estimator is the sample standard deviation of all
observations. All take subgroup summaries or values as arrays and return a float.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._caller import caller, public
from .._validation import format_values
from .constants import c4, d2

__all__ = [
    "sigma_moving_range",
    "sigma_overall",
    "sigma_pooled",
    "sigma_range",
    "sigma_sbar",
]


def _finite_values(values: ArrayLike, *, name: str, minimum: int) -> np.ndarray:
    """Return ``values`` as a 1-d float array, raising if it has fewer than ``minimum`` finite."""
    func = caller()
    array = np.asarray(values, dtype=float).ravel()
    if np.isfinite(array).sum() < minimum:
        raise ValueError(
            f"{func} needs at least {minimum} finite value(s) in {name!r}; got "
            f"{np.isfinite(array).sum()} out of {array.size}. Pass more subgroups or remove "
            "missing values."
        )
    return array


def _subgroup_pairs(stats: ArrayLike, n: ArrayLike, *, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Return per-subgroup statistics and sizes as aligned arrays, dropping missing statistics."""
    func = caller()
    values = _finite_values(stats, name=name, minimum=1)
    sizes = np.broadcast_to(np.asarray(n, dtype=float), values.shape).ravel()
    if (values < 0).any():
        bad = values[values < 0]
        raise ValueError(
            f"The {name!r} parameter of {func} must hold non-negative values. Got {bad.size} "
            f"negative value(s): {format_values(bad)}. Pass ranges or standard deviations."
        )
    keep = np.isfinite(values)
    return values[keep], sizes[keep]


@public
def sigma_moving_range(values: ArrayLike, *, screened: bool = False) -> float:
    """Estimate sigma from the average moving range of consecutive values, ``MR-bar / d2(2)``.

    Parameters
    ----------
    values : array-like of float
        Individual values in time order. A missing value breaks the moving range: the two
        ranges touching it are not used.
    screened : bool, default False
        If True, first drop moving ranges above ``D4(2) * MR-bar`` (3.267 times the average),
        as Nelson (1982) recommends; this makes the estimate robust to isolated shifts.

    Returns
    -------
    float
        The sigma estimate.

    Examples
    --------
    >>> print(round(sigma_moving_range([10.0, 12.0, 11.0, 13.0]), 4))
    1.4771
    >>> shifted = [1.0, 1.1, 0.9, 1.0, 1.2, 1.0, 1.1, 9.0]
    >>> print(round(sigma_moving_range(shifted), 3))
    1.114
    >>> print(round(sigma_moving_range(shifted, screened=True), 3))
    0.133

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 6.4.
    .. [2] L. S. Nelson (1982), "Control charts for individual measurements", *Journal of
       Quality Technology* 14(3), 172-173.
    """
    array = _finite_values(values, name="values", minimum=2)
    if not np.isfinite(array[1:] - array[:-1]).any():
        raise ValueError(
            "sigma_moving_range needs two consecutive finite values to form a moving range; "
            "every pair has a missing value. Fill or remove the missing values."
        )
    return float(grouped_moving_range_sigma(array, _one_group(array), 1, screened=screened)[0])


@public
def sigma_range(ranges: ArrayLike, n: ArrayLike) -> float:
    """Estimate sigma from subgroup ranges: the average of ``R_i / d2(n_i)``.

    With a constant subgroup size this is ``R-bar / d2(n)``; with varying sizes each range
    is scaled by its own d2 first (qcc's "UWAVE-R").

    Parameters
    ----------
    ranges : array-like of float
        Range (max - min) of each subgroup. Missing values are ignored.
    n : int or array-like of int
        Size of each subgroup (at least 2), or one size for all.

    Returns
    -------
    float
        The sigma estimate.

    Examples
    --------
    >>> print(round(sigma_range([0.03, 0.02, 0.025], 5), 6))
    0.010748

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 6.2.
    .. [2] L. Scrucca, qcc R package, ``sd.xbar(std.dev = "UWAVE-R")``.
    """
    values, sizes = _subgroup_pairs(ranges, n, name="ranges")
    return float(grouped_range_sigma(values, sizes, _one_group(values), 1)[0])


@public
def sigma_sbar(sds: ArrayLike, n: ArrayLike) -> float:
    """Estimate sigma from subgroup standard deviations: the average of ``s_i / c4(n_i)``.

    With a constant subgroup size this is ``s-bar / c4(n)`` (qcc's "UWAVE-SD").

    Parameters
    ----------
    sds : array-like of float
        Sample standard deviation (ddof = 1) of each subgroup. Missing values are ignored.
    n : int or array-like of int
        Size of each subgroup (at least 2), or one size for all.

    Returns
    -------
    float
        The sigma estimate.

    Examples
    --------
    >>> print(round(sigma_sbar([0.010, 0.008, 0.012], 5), 6))
    0.010638

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 6.3.
    """
    values, sizes = _subgroup_pairs(sds, n, name="sds")
    return float(grouped_sbar_sigma(values, sizes, _one_group(values), 1)[0])


@public
def sigma_pooled(sds: ArrayLike, n: ArrayLike, *, unbiased: bool = True) -> float:
    """Estimate sigma by pooling subgroup variances with weights ``n_i - 1``.

    ``s_p = sqrt(sum((n_i - 1) s_i^2) / sum(n_i - 1))``. With ``unbiased=True`` the result is
    divided by ``c4(sum(n_i - 1) + 1)`` so that it is unbiased for normal data (qcc's "RMSDF").

    Parameters
    ----------
    sds : array-like of float
        Sample standard deviation (ddof = 1) of each subgroup. Missing values are ignored.
    n : int or array-like of int
        Size of each subgroup (at least 2), or one size for all.
    unbiased : bool, default True
        Divide by c4 of the pooled degrees of freedom plus one.

    Returns
    -------
    float
        The sigma estimate.

    Examples
    --------
    >>> print(round(sigma_pooled([0.010, 0.008, 0.012], 5, unbiased=False), 6))
    0.010132
    >>> print(round(sigma_pooled([0.010, 0.008, 0.012], 5), 6))
    0.010345

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 6.3.2.
    .. [2] L. Scrucca, qcc R package, ``sd.xbar(std.dev = "RMSDF")``.
    """
    values, sizes = _subgroup_pairs(sds, n, name="sds")
    return float(grouped_pooled_sigma(values, sizes, _one_group(values), 1, unbiased=unbiased)[0])


@public
def sigma_overall(values: ArrayLike) -> float:
    """Overall (long-term) sigma: the sample standard deviation (ddof = 1) of all values.

    Parameters
    ----------
    values : array-like of float
        All individual observations. Missing values are ignored.

    Returns
    -------
    float
        The sample standard deviation.

    Examples
    --------
    >>> print(round(sigma_overall([10.0, 12.0, 11.0, 13.0]), 4))
    1.291

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 8.2.
    """
    array = _finite_values(values, name="values", minimum=2)
    return float(np.nanstd(array, ddof=1))


def _one_group(values: np.ndarray) -> np.ndarray:
    """Group codes that put every value in one group."""
    return np.zeros(values.shape, dtype=np.int64)


def _group_mean(values: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Mean of ``values`` within each group code (NaN for an empty group), without warnings."""
    total = np.bincount(group, weights=values, minlength=n_groups)
    count = np.bincount(group, minlength=n_groups).astype(float)
    return np.divide(total, count, out=np.full(n_groups, np.nan), where=count > 0)


def moving_ranges(values: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Absolute differences of consecutive values within the same group, and their groups.

    Pairs that straddle two groups or touch a missing value are left out.
    """
    ranges = np.abs(values[1:] - values[:-1])
    keep = (group[1:] == group[:-1]) & np.isfinite(ranges)
    return ranges[keep], group[1:][keep]


def grouped_moving_range_sigma(
    values: np.ndarray, group: np.ndarray, n_groups: int, *, screened: bool = False
) -> np.ndarray:
    """``MR-bar / d2(2)`` within each group of time-ordered ``values`` (NaN if no pair)."""
    ranges, owner = moving_ranges(values, group)
    average = _group_mean(ranges, owner, n_groups)
    if screened:
        keep = ranges <= _D4_AT_2 * average[owner]
        average = _group_mean(ranges[keep], owner[keep], n_groups)
    return average / _D2_AT_2


def grouped_range_sigma(
    ranges: np.ndarray, n: np.ndarray, group: np.ndarray, n_groups: int
) -> np.ndarray:
    """Mean of ``R_i / d2(n_i)`` within each group."""
    return _group_mean(ranges / d2(n), group, n_groups)


def grouped_sbar_sigma(
    sds: np.ndarray, n: np.ndarray, group: np.ndarray, n_groups: int
) -> np.ndarray:
    """Mean of ``s_i / c4(n_i)`` within each group."""
    return _group_mean(sds / c4(n), group, n_groups)


def grouped_pooled_sigma(
    sds: np.ndarray, n: np.ndarray, group: np.ndarray, n_groups: int, *, unbiased: bool = True
) -> np.ndarray:
    """Pooled standard deviation within each group, optionally divided by c4(dof + 1)."""
    dof = np.bincount(group, weights=n - 1.0, minlength=n_groups)
    squares = np.bincount(group, weights=(n - 1.0) * sds**2, minlength=n_groups)
    pooled = np.sqrt(np.divide(squares, dof, out=np.full(n_groups, np.nan), where=dof > 0))
    if not unbiased:
        return pooled
    bias = np.full(n_groups, np.nan)
    bias[dof > 0] = c4(dof[dof > 0] + 1.0)
    return pooled / bias


# For two values the range is |X1 - X2| with X1 - X2 ~ N(0, 2): d2(2) = 2 / sqrt(pi) and
# d3(2) / d2(2) = sqrt(pi / 2 - 1), so D4(2) = 1 + 3 sqrt(pi / 2 - 1) = 3.266532.
_D2_AT_2 = 2.0 / np.sqrt(np.pi)
_D4_AT_2 = 1.0 + 3.0 * np.sqrt(np.pi / 2.0 - 1.0)
