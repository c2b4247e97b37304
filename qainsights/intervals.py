"""Confidence intervals for a binomial proportion: the methods every rate in the package uses.

The foundation below the rates, agreement, control charts, capability and experiments: one
vectorised function, :func:`proportion_ci`, with six methods.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

from ._caller import caller, public, user_stacklevel
from ._validation import check_confidence, check_option, format_values

__all__ = ["INTERVAL_METHODS", "proportion_ci"]

#: The interval methods of :func:`proportion_ci`.
INTERVAL_METHODS = (
    "modified_wilson", "wilson", "agresti_coull", "clopper_pearson", "jeffreys", "normal"
)  # fmt: skip


@public
def proportion_ci(k, n, *, ci=0.95, method="modified_wilson"):
    """Confidence interval for a binomial proportion ``k / n``.

    Parameters
    ----------
    k, n : float or array_like
        Number of errors and number of audits. Arrays broadcast against each other.
        Counts need not be integers: every method below is defined for real-valued
        counts, which is how the effective counts of weighted samples are used
        (Korn & Graubard, 1998).
    ci : float, default 0.95
        Confidence level, strictly between 0 and 1.
    method : str, default "modified_wilson"
        One of :data:`INTERVAL_METHODS`.
        ``"modified_wilson"`` (the default): the Wilson interval with Brown, Cai & DasGupta's
        (2001, section 4.1.1) one-sided Poisson bound near the boundaries. Wilson's interval
        covers well below its level where ``n p < 1`` (92 % at ``n = 2, p = 0.04``), so for
        ``0 < k <= k*`` the lower bound becomes ``χ²(α; 2k) / (2n)`` (``α = 1 − ci``), and
        likewise the upper bound ``1 − χ²(α; 2(n − k)) / (2n)`` for ``0 < n − k <= k*``;
        ``k* = 2`` for ``n <= 50`` and ``3`` above. Brown, Cai & DasGupta state
        ``k* = 3`` for ``50 < n <= 100``; the larger samples follow DescTools' ``BinomCI``
        (since 2017), because the dip at ``n p < 1`` does not end at ``n = 100``. Real-valued
        (effective) counts use the same rule with ``k <= k*``.
        ``"wilson"``: score interval (Wilson, 1927). ``"agresti_coull"``: Wald interval
        around ``(k + z²/2) / (n + z²)`` (Agresti & Coull, 1998). ``"clopper_pearson"``:
        exact interval from beta quantiles, lower bound 0 at ``k = 0`` and upper bound 1 at
        ``k = n``. ``"jeffreys"``: equal-tailed interval of the Beta(k + ½, n − k + ½)
        posterior, with Brown, Cai & DasGupta's (2001, section 4.1.2) boundary convention:
        lower bound 0 at ``k = 0`` and upper bound 1 at ``k = n``, so that the interval
        always contains ``k / n``. statsmodels' ``proportion_confint(method="jeffreys")``
        omits that convention; the two agree everywhere else. ``"normal"``: Wald interval
        ``p ± z·sqrt(p(1 − p)/n)``.

    Returns
    -------
    ci_low, ci_high : float or numpy.ndarray
        Bounds clipped to [0, 1]; floats when both ``k`` and ``n`` are scalars, else
        arrays of the broadcast shape. Entries with ``n = 0`` are NaN, with a
        ``UserWarning`` counting them.

    Raises
    ------
    ValueError
        For an unknown ``method``, ``ci`` outside (0, 1), counts that are not finite,
        ``n < 0``, ``k < 0``, ``k > n`` or shapes that do not broadcast.
    TypeError
        For counts that are not numbers.

    See Also
    --------
    error_rate : error rates per segment, with these intervals.

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
       inference. JASA 22, 209-212.
    .. [2] Clopper, C. J. & Pearson, E. S. (1934). The use of confidence or fiducial limits
       illustrated in the case of the binomial. Biometrika 26, 404-413.
    .. [3] Agresti, A. & Coull, B. A. (1998). Approximate is better than "exact" for
       interval estimation of binomial proportions. The American Statistician 52, 119-126.
    .. [4] Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
       comparison of seven methods. Statistics in Medicine 17, 857-872 (Table I).
    .. [5] Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a
       binomial proportion. Statistical Science 16, 101-133.
    .. [6] statsmodels ``statsmodels.stats.proportion.proportion_confint`` and DescTools'
       ``BinomCI(method = "modified wilson")``, the reference implementations the tests
       compare against.

    Examples
    --------
    Newcombe's (1998) example of 81 events in 263 trials:

    >>> low, high = proportion_ci(81, 263, method="wilson")
    >>> round(low, 4), round(high, 4)
    (0.2553, 0.3662)

    Away from the boundaries the default is Wilson's interval; with one error in 20 audits
    its lower bound is the Poisson one, ``−ln(0.95) / 20``:

    >>> low, high = proportion_ci(1, 20)
    >>> round(low, 5), round(high, 4)
    (0.00256, 0.2361)
    >>> low, high = proportion_ci([0, 1], [20, 29], method="clopper_pearson")
    >>> low.round(4).tolist(), high.round(4).tolist()
    ([0.0, 0.0009], [0.1684, 0.1776])
    """
    func = caller()
    check_option(method, name="method", options=INTERVAL_METHODS)
    level = check_confidence(ci)
    k_arr, n_arr = _check_counts(k, n)
    empty = n_arr == 0
    if empty.any():
        warnings.warn(
            f"{func} got n = 0 in {int(empty.sum())} entries; their bounds are NaN "
            "because a proportion of no audits is undefined.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    low, high = _interval(k_arr, n_arr, level=level, method=method)
    if np.ndim(k) == 0 and np.ndim(n) == 0:
        return float(low), float(high)
    return low, high


def _check_counts(k, n) -> tuple[np.ndarray, np.ndarray]:
    """Return ``k`` and ``n`` as broadcast float arrays after checking they are valid counts."""
    func = caller()
    arrays = []
    for name, value in (("k", k), ("n", n)):
        array = np.asarray(value)
        if array.dtype.kind not in "iuf":
            raise TypeError(
                f"The {name!r} parameter of {func} must be a number or an array of numbers. "
                f"Got {value!r} instead."
            )
        array = array.astype(float)
        if not np.isfinite(array).all():
            raise ValueError(
                f"The {name!r} parameter of {func} must hold finite counts. Got "
                f"{format_values(array[~np.isfinite(array)])} instead; drop or fill them first."
            )
        arrays.append(array)
    try:
        k_arr, n_arr = np.broadcast_arrays(*arrays)
    except ValueError:
        raise ValueError(
            f"The 'k' and 'n' parameters of {func} must have shapes that broadcast together. "
            f"Got shapes {arrays[0].shape} and {arrays[1].shape} instead."
        ) from None
    bad = (n_arr < 0) | (k_arr < 0) | (k_arr > n_arr)
    if bad.any():
        pairs = [f"{a:g}/{b:g}" for a, b in zip(k_arr[bad], n_arr[bad], strict=True)]
        raise ValueError(
            f"{func} needs 0 <= k <= n for every count. Got {int(bad.sum())} invalid k/n "
            f"pairs: {format_values(pairs)}. Check that k counts errors and n counts audits."
        )
    return k_arr, n_arr


def _interval(k: np.ndarray, n: np.ndarray, *, level: float, method: str):
    """Return the bounds of ``method`` for checked arrays; NaN where ``n = 0``."""
    alpha = 1.0 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "modified_wilson":
            low, high = _modified_wilson_bounds(k, n, alpha=alpha)
        elif method in ("clopper_pearson", "jeffreys"):
            low, high = _beta_bounds(k, n, alpha=alpha, jeffreys=method == "jeffreys")
        else:
            low, high = _normal_bounds(k, n, z=stats.norm.isf(alpha / 2), method=method)
        empty = n == 0
        low = np.where(empty, np.nan, np.clip(low, 0.0, 1.0))
        high = np.where(empty, np.nan, np.clip(high, 0.0, 1.0))
    return low, high


def _modified_wilson_bounds(k, n, *, alpha: float):
    """Wilson bounds with the one-sided Poisson bound for ``k`` or ``n − k`` up to ``k*``."""
    low, high = _normal_bounds(k, n, z=stats.norm.isf(alpha / 2), method="wilson")
    boundary = np.where(n <= 50, 2.0, 3.0)
    few_errors = (k > 0) & (k <= boundary)
    few_correct = (n - k > 0) & (n - k <= boundary)
    poisson_low = stats.chi2.ppf(alpha, 2 * np.where(few_errors, k, 1.0)) / (2 * n)
    poisson_high = 1 - stats.chi2.ppf(alpha, 2 * np.where(few_correct, n - k, 1.0)) / (2 * n)
    return np.where(few_errors, poisson_low, low), np.where(few_correct, poisson_high, high)


def _beta_bounds(k, n, *, alpha: float, jeffreys: bool):
    """Equal-tailed beta quantile bounds, 0 at ``k = 0`` and 1 at ``k = n``.

    Clopper-Pearson takes the lower bound from Beta(k, n − k + 1) and the upper from
    Beta(k + 1, n − k); Jeffreys takes both from Beta(k + ½, n − k + ½).
    """
    shift, step = (0.5, 0.0) if jeffreys else (0.0, 1.0)
    a, b = k + shift, n - k + shift
    low = stats.beta.ppf(alpha / 2, np.where(k > 0, a, 1.0), b + step)
    high = stats.beta.isf(alpha / 2, a + step, np.where(k < n, b, 1.0))
    return np.where(k > 0, low, 0.0), np.where(k < n, high, 1.0)


def _normal_bounds(k, n, *, z: float, method: str):
    """Wilson, Agresti-Coull and Wald bounds: a centre plus or minus a half-width."""
    p = k / n
    if method == "wilson":
        denom = 1.0 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    elif method == "agresti_coull":
        n_tilde = n + z**2
        centre = (k + z**2 / 2) / n_tilde
        half = z * np.sqrt(centre * (1 - centre) / n_tilde)
    else:
        centre, half = p, z * np.sqrt(p * (1 - p) / n)
    low, high = centre - half, centre + half
    if method == "wilson":  # exact at the boundaries, where rounding leaves ~1e-18
        low, high = np.where(k == 0, 0.0, low), np.where(k == n, 1.0, high)
    return low, high
