"""Audits to estimate a rate within a margin, their split among strata, and clustering."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .._caller import caller, public
from .._validation import check_confidence, check_option, format_values
from ._checks import _check_positive_integer, _check_unit, _is_number

# --- estimating a rate ------------------------------------------------------------------------


@public
def sample_size(margin, *, p=0.5, ci=0.95, population=None, design_effect=1.0):
    """Number of audits needed to estimate a rate within ``± margin``.

    Uses Cochran's (1977, chapter 4) normal approximation
    ``n0 = deff · z² p(1 − p) / margin²`` and, when ``population`` ``N`` is given, the finite
    population correction ``n = n0 / (1 + (n0 − 1)/N)``; the result is rounded up.

    Parameters
    ----------
    margin : float
        Target half-width of the interval, in (0, 1).
    p : float, default 0.5
        Anticipated rate, in (0, 1); 0.5 is the conservative choice.
    ci : float, default 0.95
        Confidence level.
    population : int, optional
        Number of decisions in the population sampled from (a positive integer).
    design_effect : float, default 1.0
        Variance inflation of the sampling design (for example from :func:`error_rate`'s
        ``deff``), > 0; it multiplies ``n0`` before the finite population correction.

    Returns
    -------
    int
        Audits needed.

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley, chapter 4 (sample size for
       proportions).
    .. [2] Krejcie, R. V. & Morgan, D. W. (1970). Determining sample size for research
       activities. Educational and Psychological Measurement 30, 607-610 (Table 1, the same
       formula).

    Examples
    --------
    >>> sample_size(0.05)
    385
    >>> sample_size(0.05, population=1000)
    278
    """
    func = caller()
    _check_unit(margin, "margin")
    _check_unit(p, "p")
    z = stats.norm.isf((1 - check_confidence(ci)) / 2)
    if isinstance(design_effect, bool) or not (
        isinstance(design_effect, (int, float, np.number)) and 0 < design_effect < np.inf
    ):
        raise ValueError(
            f"The 'design_effect' parameter of {func} must be a finite number > 0 (1 for simple "
            f"random sampling). Got {design_effect!r} instead."
        )
    n0 = design_effect * z**2 * p * (1 - p) / margin**2
    if population is not None:
        _check_positive_integer(population, name="population")
        n0 = n0 / (1 + (n0 - 1) / population)
    # Round up, ignoring floating-point dust above an exact integer.
    return int(np.ceil(n0 - 1e-9))


@public
def allocate_sample(total, *, sizes, p=None, method="proportional"):
    """Split ``total`` audits among strata.

    Proportional allocation gives stratum ``h`` a share ``N_h / N``; Neyman allocation
    (optimal for a stratified rate, Cochran 1977, chapter 5) a share proportional to
    ``N_h · sqrt(p_h (1 − p_h))``. Every stratum gets at least one audit and at most ``N_h``
    (strata pushed past a bound are fixed at it and the rest shared again); the shares
    are then rounded by the largest-remainder method, so the result sums to ``total``
    (ties go to the stratum listed first).

    Parameters
    ----------
    total : int
        Audits to allocate, between the number of strata and ``sizes.sum()``.
    sizes : pandas.Series
        Population size ``N_h`` of each stratum (positive integers), indexed by stratum.
    p : pandas.Series, optional
        Anticipated error rate of each stratum, in (0, 1), indexed like ``sizes``.
        Required by, and only used by, ``method="neyman"``.
    method : {"proportional", "neyman"}
        Allocation rule.

    Returns
    -------
    pandas.Series
        Integer audits per stratum, indexed like ``sizes``, named ``"n"``.

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley, chapter 5 (optimum
       allocation, stratified sampling for proportions).

    Examples
    --------
    >>> sizes = pd.Series({"a": 5000, "b": 3000, "c": 2000})
    >>> allocate_sample(100, sizes=sizes).tolist()
    [50, 30, 20]
    >>> p = pd.Series({"a": 0.01, "b": 0.05, "c": 0.2})
    >>> allocate_sample(100, sizes=sizes, p=p, method="neyman").tolist()
    [25, 34, 41]
    """
    func = caller()
    check_option(method, name="method", options=("proportional", "neyman"))
    sizes = _check_sizes(sizes)
    _check_positive_integer(total, name="total")
    if not len(sizes) <= total <= sizes.sum():
        raise ValueError(
            f"The 'total' parameter of {func} must lie between the number of strata "
            f"({len(sizes)}) and the population size ({int(sizes.sum())}). Got {total!r} instead."
        )
    share = sizes.to_numpy(dtype=float)
    if method == "neyman":
        rates = _check_stratum_rates(p, sizes)
        share = share * np.sqrt(rates * (1 - rates))
    elif p is not None:
        raise ValueError(
            f"The 'p' parameter of {func} is used only by method='neyman'. Got method="
            f"{method!r}; drop 'p' or choose method='neyman'."
        )
    quota = _bounded_shares(total, share, upper=sizes.to_numpy(dtype=float))
    return pd.Series(_largest_remainder(quota, total), index=sizes.index, name="n")


def _check_sizes(sizes) -> pd.Series:
    func = caller()
    if not isinstance(sizes, pd.Series) or not len(sizes):
        raise TypeError(
            f"The 'sizes' parameter of {func} must be a non-empty pandas Series of stratum "
            f"sizes indexed by stratum. Got {type(sizes).__name__} instead."
        )
    values = sizes.to_numpy()
    integral = pd.api.types.is_numeric_dtype(sizes) and not pd.api.types.is_bool_dtype(sizes)
    bad = ~(values >= 1) | (values % 1 != 0) if integral else np.ones(len(values), bool)
    if bad.any():
        raise ValueError(
            f"The 'sizes' parameter of {func} must hold positive integers. Found "
            f"{int(bad.sum())} other values: {format_values(values[bad])}."
        )
    return sizes


def _check_stratum_rates(p, sizes: pd.Series) -> np.ndarray:
    func = caller()
    if not isinstance(p, pd.Series) or not p.index.equals(sizes.index):
        raise ValueError(
            f"The 'p' parameter of {func} must be a pandas Series of anticipated error rates "
            f"with the same index as 'sizes' for method='neyman'. Got {type(p).__name__} "
            "instead; build it with p.reindex(sizes.index)."
        )
    rates = p.to_numpy(dtype=float)
    bad = ~((rates > 0) & (rates < 1))
    if bad.any():
        raise ValueError(
            f"The 'p' parameter of {func} must hold rates strictly between 0 and 1. Found "
            f"{int(bad.sum())} other values: {format_values(rates[bad])}."
        )
    return rates


def _bounded_shares(total: int, share: np.ndarray, *, upper: np.ndarray) -> np.ndarray:
    """Real quotas proportional to ``share`` that sum to ``total`` and lie in [1, upper].

    Strata whose quota falls outside the bounds are fixed at the bound and the remaining
    audits are shared again among the others; each pass fixes at least one stratum.
    """
    quota = np.zeros_like(share)
    free = np.ones(len(share), dtype=bool)
    while free.any():
        left = total - quota[~free].sum()
        quota[free] = left * share[free] / share[free].sum()
        clipped = np.clip(quota, 1.0, upper)
        moved = free & (clipped != quota)
        if not moved.any():
            break
        quota[moved] = clipped[moved]
        free &= ~moved
    return quota


def _largest_remainder(quota: np.ndarray, total: int) -> np.ndarray:
    """Round quotas down, then give the leftover units to the largest remainders."""
    counts = np.floor(quota + 1e-9).astype("int64")
    leftover = total - counts.sum()
    order = np.argsort(-(quota - counts), kind="stable")
    counts[order[:leftover]] += 1
    return counts


@public
def allocation_margin(allocation, *, sizes, p, ci=0.95, design_effect=1.0):
    """Precision of the stratified error rate that an allocation of audits buys.

    For ``n_h`` audits drawn from stratum ``h`` of ``N_h`` decisions (``W_h = N_h / N``) with
    error rate ``p_h``, the stratified estimate ``p_st = Σ W_h p_h`` has variance (Cochran
    1977, equation 5.48, with ``(N_h − n_h)/(N_h − 1)`` the finite population correction)
    ``V = Σ_h W_h² · d_h · p_h q_h / n_h · (N_h − n_h)/(N_h − 1)``, where ``d_h`` is the
    design effect of the audits within the stratum (1 for simple random sampling, more when
    a moderator's audits are correlated). The margin is ``z · sqrt(V)``.

    Parameters
    ----------
    allocation : pandas.Series or pandas.DataFrame
        Audits per stratum (positive, at most ``N_h``), indexed like ``sizes``; a DataFrame
        compares several allocations, one per column.
    sizes : pandas.Series
        Population size ``N_h`` of each stratum (positive integers), indexed by stratum.
    p : pandas.Series
        Error rate of each stratum, in [0, 1], indexed like ``sizes``.
    ci : float, default 0.95
        Confidence level of the margin.
    design_effect : float or pandas.Series, default 1.0
        Variance inflation within each stratum (one number, or one per stratum), > 0.

    Returns
    -------
    pandas.DataFrame
        One row per allocation (named by the column, or ``allocation.name``): ``n`` (audits),
        ``rate`` (``p_st``), ``se``, ``margin`` and ``n_effective`` (the simple random sample
        with the same variance, ``p_st (1 − p_st) / V``).

    Raises
    ------
    ValueError
        For sizes that are not positive integers, rates outside [0, 1], an allocation not
        indexed like ``sizes`` or outside [1, N_h], or a design effect that is not positive.

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley, chapter 5 (section 5.12,
       stratified sampling for proportions; equations 5.27 and 5.28 for proportional and
       optimum allocation).

    Examples
    --------
    Proportional and Neyman allocations of 100 audits among three strata:

    >>> sizes = pd.Series({"a": 5000, "b": 3000, "c": 2000})
    >>> p = pd.Series({"a": 0.01, "b": 0.05, "c": 0.2})
    >>> plans = pd.DataFrame({
    ...     "proportional": allocate_sample(100, sizes=sizes),
    ...     "neyman": allocate_sample(100, sizes=sizes, p=p, method="neyman"),
    ... })
    >>> allocation_margin(plans, sizes=sizes, p=p).round(4)
                    n  rate      se  margin  n_effective
    proportional  100  0.06  0.0225  0.0441     111.2217
    neyman        100  0.06  0.0194  0.0380     150.0597
    """
    func = caller()
    sizes = _check_sizes(sizes)
    plans = allocation.to_frame() if isinstance(allocation, pd.Series) else allocation
    if not isinstance(plans, pd.DataFrame) or not plans.index.equals(sizes.index):
        raise ValueError(
            f"The 'allocation' parameter of {func} must be a pandas Series or DataFrame of "
            f"audits per stratum with the same index as 'sizes'. Got {type(allocation).__name__} "
            "instead; build it with allocation.reindex(sizes.index)."
        )
    big_n = sizes.to_numpy(dtype=float)[:, None]
    audits = plans.to_numpy(dtype=float)
    bad = ~((audits >= 1) & (audits <= big_n))
    if bad.any():
        raise ValueError(
            f"The 'allocation' parameter of {func} must hold between 1 and N_h audits per "
            f"stratum. Found {int(bad.sum())} other values: {format_values(audits[bad])}."
        )
    rates = _series_like(p, sizes, name="p", check=lambda v: (v >= 0) & (v <= 1))
    deff = _series_like(design_effect, sizes, name="design_effect", check=lambda v: v > 0)
    z = stats.norm.isf((1 - check_confidence(ci)) / 2)
    share = big_n / big_n.sum()
    fpc = np.where(big_n > 1, (big_n - audits) / np.maximum(big_n - 1, 1), 0.0)
    variance = (share**2 * (deff * rates * (1 - rates))[:, None] / audits * fpc).sum(axis=0)
    rate = float((share[:, 0] * rates).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        n_effective = rate * (1 - rate) / variance
    return pd.DataFrame(
        {
            "n": audits.sum(axis=0).astype("int64"),
            "rate": rate,
            "se": np.sqrt(variance),
            "margin": z * np.sqrt(variance),
            "n_effective": n_effective,
        },
        index=plans.columns,
    )


def _series_like(value, sizes: pd.Series, *, name: str, check) -> np.ndarray:
    """A number or a Series indexed like ``sizes``, as an array, checked by ``check``."""
    func = caller()
    if isinstance(value, pd.Series):
        if not value.index.equals(sizes.index):
            raise ValueError(
                f"The {name!r} parameter of {func} must have the same index as 'sizes'. "
                f"Build it with {name}.reindex(sizes.index)."
            )
        values = value.to_numpy(dtype=float)
    elif _is_number(value):
        values = np.full(len(sizes), float(value))
    else:
        raise ValueError(
            f"The {name!r} parameter of {func} must be a number or a pandas Series indexed "
            f"like 'sizes'. Got {type(value).__name__} instead."
        )
    bad = ~check(values)
    if bad.any():
        raise ValueError(
            f"The {name!r} parameter of {func} holds {int(bad.sum())} values out of range: "
            f"{format_values(values[bad])}."
        )
    return values


@public
def clustered_sample_size(margin, *, p, icc, clusters, ci=0.95):
    """Audits needed to estimate a rate within ``± margin`` when they fall on a few moderators.

    ``n`` audits spread evenly over ``M`` moderators (clusters) whose errors have intra-class
    correlation ``ρ`` estimate a rate ``p`` with variance ``p q (1 + (n/M − 1) ρ) / n =
    p q (1 − ρ)/n + p q ρ / M`` (Kish 1965; Donner & Klar 2000). The design effect grows with
    ``n``, so the audits needed are solved from ``z² V = margin²``:
    ``n = n₀ (1 − ρ) / (1 − n₀ ρ / M)`` with ``n₀ = z² p q / margin²`` (Cochran's sample
    size for independent audits), rounded up. When ``n₀ ρ ≥ M`` no number of audits of these
    moderators reaches the margin: the moderators' own differences
    (``z · sqrt(p q ρ / M)``, the ``margin_floor``) are larger; ``n`` is then missing.

    Parameters
    ----------
    margin : float
        Target half-width of the interval, in (0, 1).
    p : float or array_like
        Anticipated error rate(s), in (0, 1).
    icc : float or array_like
        Intra-class correlation of errors within a moderator, in [0, 1).
    clusters : float or array_like
        Moderators the audits are spread over, > 0.
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per ``p``, ``icc`` and ``clusters`` (broadcast): ``p``, ``icc``,
        ``clusters``, ``n0`` (audits if they were independent), ``n`` (nullable integer:
        audits needed, missing when unreachable), ``per_cluster`` (``n / M``),
        ``design_effect`` (``1 + (n/M − 1) ρ``) and ``margin_floor``.

    References
    ----------
    .. [1] Kish, L. (1965). Survey Sampling. Wiley, section 5.4 (the design effect of
       cluster samples, ``1 + (m − 1) ρ``).
    .. [2] Donner, A. & Klar, N. (2000). Design and Analysis of Cluster Randomization Trials
       in Health Research. Arnold, chapter 5.
    .. [3] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley, chapter 4.

    Examples
    --------
    A 7 % error rate within ±2 points: 626 independent audits. Spread over 80 moderators with
    an ICC of 0.02 they need to be 727; over 10 moderators, no number is enough (their own
    differences alone leave ±2.2 points):

    >>> clustered_sample_size(0.02, p=0.07, icc=0.02, clusters=[80, 10])[
    ...     ["clusters", "n0", "n", "design_effect", "margin_floor"]].round(3)
       clusters       n0     n  design_effect  margin_floor
    0      80.0  625.197   727          1.162         0.008
    1      10.0  625.197  <NA>            NaN         0.022
    """
    func = caller()
    _check_unit(margin, "margin")
    z = stats.norm.isf((1 - check_confidence(ci)) / 2)
    p, icc, clusters = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(v, dtype=float)) for v in (p, icc, clusters))
    )
    for name, values, ok in (
        ("p", p, (p > 0) & (p < 1)),
        ("icc", icc, (icc >= 0) & (icc < 1)),
        ("clusters", clusters, (clusters > 0) & np.isfinite(clusters)),
    ):
        if not ok.all():
            rule = {"p": "in (0, 1)", "icc": "in [0, 1)", "clusters": "finite and > 0"}[name]
            raise ValueError(
                f"The {name!r} parameter of {func} must hold values {rule}. Found "
                f"{int((~ok).sum())} other values: {format_values(values[~ok])}."
            )
    variance = p * (1 - p)
    n0 = z**2 * variance / margin**2
    room = 1 - n0 * icc / clusters
    reachable = room > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = np.where(reachable, np.ceil(n0 * (1 - icc) / room - 1e-9), np.nan)
    per_cluster = needed / clusters
    return pd.DataFrame(
        {
            "p": p,
            "icc": icc,
            "clusters": clusters,
            "n0": n0,
            "n": pd.array(np.where(reachable, needed, np.nan), dtype="Int64"),
            "per_cluster": per_cluster,
            "design_effect": 1 + (per_cluster - 1) * icc,
            "margin_floor": z * np.sqrt(variance * icc / clusters),
        }
    )


# --- detecting a change ----------------------------------------------------------------------
