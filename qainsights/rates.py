"""Proportions with confidence intervals, audit error rates and audit sample sizes.

Error rates are estimated from audit rows (one row per re-reviewed decision). Segment
statistics come from one group-by to sufficient statistics per segment and sampling
stratum (counts, sums of weights, weighted errors and their squares); everything after
that works on the small aggregate.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from qainsights._validation import (
    as_column_list,
    check_columns,
    check_complete,
    check_confidence,
    check_frame,
    check_integer,
    check_option,
    check_weights,
    format_values,
    outcome_indicator,
)
from qainsights.aggregate import error_sums, is_engine_frame
from qainsights.audits.schema import ERROR_TYPES as AUDIT_ERROR_TYPES

__all__ = [
    "ERROR_TYPES",
    "INTERVAL_METHODS",
    "allocate_sample",
    "enforcement_rates",
    "error_rate",
    "proportion_ci",
    "sample_size",
]

INTERVAL_METHODS = ("wilson", "agresti_coull", "clopper_pearson", "jeffreys", "normal")
_NO_ERROR, *_KINDS = AUDIT_ERROR_TYPES
#: The error types whose rates :func:`enforcement_rates` reports.
ERROR_TYPES: tuple[str, ...] = tuple(_KINDS)
_OUTCOME = "_outcome"
_STRATUM = "_stratum"
#: The columns a weighted :func:`error_rate` returns after the segment columns.
RATE_COLUMNS = (
    "n",
    "errors",
    "weighted_errors",
    "weighted_n",
    "rate",
    "se",
    "n_eff",
    "deff",
    "ci_low",
    "ci_high",
)
_RESERVED_NAMES = frozenset(
    (*RATE_COLUMNS, "sum_w", "sum_wy", "sum_w2", "sum_w2y", _OUTCOME, _STRATUM)
)


# --- intervals for one proportion -------------------------------------------------------------


def proportion_ci(k, n, *, ci=0.95, method="wilson"):
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
    method : {"wilson", "agresti_coull", "clopper_pearson", "jeffreys", "normal"}
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
    .. [6] statsmodels ``statsmodels.stats.proportion.proportion_confint``, the reference
       implementation the tests compare against.

    Examples
    --------
    Newcombe's (1998) example of 81 events in 263 trials:

    >>> low, high = proportion_ci(81, 263)
    >>> round(low, 4), round(high, 4)
    (0.2553, 0.3662)
    >>> low, high = proportion_ci([0, 1], [20, 29], method="clopper_pearson")
    >>> low.round(4).tolist(), high.round(4).tolist()
    ([0.0, 0.0009], [0.1684, 0.1776])
    """
    func = "proportion_ci"
    check_option(method, name="method", options=INTERVAL_METHODS, func=func)
    level = check_confidence(ci, func=func)
    k_arr, n_arr = _check_counts(k, n, func=func)
    empty = n_arr == 0
    if empty.any():
        warnings.warn(
            f"{func} got n = 0 in {int(empty.sum())} entries; their bounds are NaN "
            "because a proportion of no audits is undefined.",
            UserWarning,
            stacklevel=2,
        )
    low, high = _interval(k_arr, n_arr, level=level, method=method)
    if np.ndim(k) == 0 and np.ndim(n) == 0:
        return float(low), float(high)
    return low, high


def _check_counts(k, n, *, func: str) -> tuple[np.ndarray, np.ndarray]:
    """Return ``k`` and ``n`` as broadcast float arrays after checking they are valid counts."""
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
        if method in ("clopper_pearson", "jeffreys"):
            low, high = _beta_bounds(k, n, alpha=alpha, jeffreys=method == "jeffreys")
        else:
            low, high = _normal_bounds(k, n, z=stats.norm.isf(alpha / 2), method=method)
        empty = n == 0
        low = np.where(empty, np.nan, np.clip(low, 0.0, 1.0))
        high = np.where(empty, np.nan, np.clip(high, 0.0, 1.0))
    return low, high


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


# --- error rates per segment ------------------------------------------------------------------


def error_rate(
    audits,
    *,
    by=None,
    outcome="is_error",
    weight=None,
    strata=None,
    ci=0.95,
    method="wilson",
):
    """Error rate per segment, with a confidence interval.

    Without ``weight`` and ``strata`` the rate is ``errors / n`` and the interval is
    :func:`proportion_ci` of ``(errors, n)``. With them the rate is the design-based ratio
    estimate ``r = Σ w·y / Σ w`` and its Taylor-linearised standard error for a stratified
    sample drawn with replacement,
    ``var = Σ_h n_h/(n_h − 1) Σ_i (z_i − z̄_h)²`` with ``z_i = w_i (y_i − r) / Σ w``.
    Segments are domains of the whole sample: ``n_h`` counts all audits of stratum ``h``
    and ``z_i = 0`` for audits outside the segment (as R's ``survey::svyby`` does). The
    interval is ``method`` applied to ``(r·n_eff, n_eff)`` with the effective sample size
    ``n_eff = r(1 − r)/se²`` (Korn & Graubard, 1998, without their degrees-of-freedom
    factor).

    Parameters
    ----------
    audits : pandas.DataFrame, or a polars, DuckDB or PySpark frame
        One row per audited decision. Other engines' frames are summed per segment and
        stratum on their engine (:func:`qainsights.aggregate.error_counts`); the result is
        the same.
    by : str or list of str, optional
        Segment columns. ``None`` gives one overall row.
    outcome : str, default "is_error"
        A column of True/False (or 1/0) values; the rate is the share of True.
    weight : str, optional
        Column of sampling weights (decisions each audit represents), finite and > 0.
    strata : str, optional
        Column naming each audit's sampling stratum. Given without ``weight``, the sample
        is taken as self-weighting (every weight 1).
    ci : float, default 0.95
        Confidence level.
    method : str, default "wilson"
        Interval method, see :func:`proportion_ci`.

    Returns
    -------
    pandas.DataFrame
        One row per segment, sorted as pandas' group-by sorts the ``by`` columns (segments
        without audits are not listed). Columns: the ``by`` columns, ``n`` (audits),
        ``errors`` (audits with the outcome), then, with ``weight`` or ``strata``,
        ``weighted_errors`` (Σ w·y), ``weighted_n`` (Σ w), then ``rate``, then, with
        ``weight`` or ``strata``, ``se``, ``n_eff`` and ``deff`` (Kish design effect
        ``se² / (r(1 − r)/n)``), and last ``ci_low`` and ``ci_high``.

    Raises
    ------
    ValueError
        For missing columns, missing values in the ``by``, ``outcome``, ``strata`` or
        ``weight`` columns (drop or fill them first: no row is dropped silently), outcome
        values other than True/False, weights that are not positive, no audits at all, a
        ``by`` column named like a result column (``n``, ``rate``, ...), an unknown
        ``method`` or a bad ``ci``.

    Warns
    -----
    UserWarning
        When a stratum holds a single audit: it cannot show variation, adds nothing to the
        variance (R survey's ``lonely.psu = "certainty"``), and the standard error is too
        small. Merge it with a similar stratum.

    Notes
    -----
    Where the variance estimate is zero (``r`` is 0 or 1, or the strata separate errors
    from correct decisions perfectly), ``n_eff`` falls back to ``n``, the number of audits
    (the convention of SAS PROC SURVEYFREQ for Korn-Graubard intervals), and ``deff`` is NaN
    when ``r`` is 0 or 1. With constant weights and no strata, ``n_eff = n − 1``.

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley, chapters 5
       (stratified sampling) and 6 (ratio estimates).
    .. [2] Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with
       small expected number of positive counts estimated from survey data. Survey
       Methodology 24, 193-201.
    .. [3] Kish, L. (1965). Survey Sampling. Wiley (design effect).
    .. [4] Lumley, T. R package ``survey``: ``svyby(~y, ~segment, design, svymean)``.

    Examples
    --------
    >>> audits = pd.DataFrame(
    ...     {
    ...         "site": ["a", "a", "a", "a", "b", "b", "b"],
    ...         "is_error": [True, False, False, False, True, True, False],
    ...         "stratum": ["x", "x", "y", "y", "x", "y", "y"],
    ...         "weight": [10.0, 10.0, 30.0, 30.0, 10.0, 30.0, 30.0],
    ...     }
    ... )
    >>> error_rate(audits, by="site").round(3)
      site  n  errors   rate  ci_low  ci_high
    0    a  4       1  0.250   0.046    0.699
    1    b  3       2  0.667   0.208    0.939
    >>> weighted = error_rate(audits, by="site", weight="weight", strata="stratum")
    >>> weighted[["site", "weighted_n", "rate", "se"]].round(3)
      site  weighted_n   rate     se
    0    a        80.0  0.125  0.130
    1    b        70.0  0.571  0.357
    """
    table = segment_rates(
        audits, outcome_indicator, "error_rate", outcome, by, weight, strata, ci, method
    )
    return table.drop(columns=_OUTCOME)


def enforcement_rates(
    audits,
    *,
    by=None,
    error_type="error_type",
    weight=None,
    strata=None,
    ci=0.95,
    method="wilson",
):
    """Error rate split by error type: over-enforcement, under-enforcement, wrong policy.

    Each type's rate is the share of all audits with that error type, estimated and
    given an interval exactly as :func:`error_rate` does (the three rates add up to the
    overall error rate).

    Parameters
    ----------
    audits : pandas.DataFrame
        One row per audited decision.
    by : str or list of str, optional
        Segment columns.
    error_type : str, default "error_type"
        Column with values ``"none"``, ``"over_enforcement"``, ``"under_enforcement"`` and
        ``"wrong_policy"`` (strings or a Categorical).
    weight, strata, ci, method
        As in :func:`error_rate`.

    Returns
    -------
    pandas.DataFrame
        Long format: one row per segment and error type, sorted by the ``by`` columns and
        then ``error_type`` (a Categorical in the order above). Columns: the ``by``
        columns, ``error_type``, then the columns of :func:`error_rate`.

    Raises
    ------
    ValueError
        As :func:`error_rate`, and for error types outside the four above.

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley.
    .. [2] Korn, E. L. & Graubard, B. I. (1998). Survey Methodology 24, 193-201.

    Examples
    --------
    >>> audits = pd.DataFrame(
    ...     {"error_type": ["none"] * 6 + ["over_enforcement", "over_enforcement", "wrong_policy"]}
    ... )
    >>> enforcement_rates(audits)[["error_type", "n", "errors", "rate"]].round(3)
              error_type  n  errors   rate
    0   over_enforcement  9       2  0.222
    1  under_enforcement  9       0  0.000
    2       wrong_policy  9       1  0.111
    """
    table = segment_rates(
        audits,
        _error_type_indicators,
        "enforcement_rates",
        error_type,
        by,
        weight,
        strata,
        ci,
        method,
    )
    keys = as_column_list(by)
    kinds = pd.Categorical(table[_OUTCOME], categories=list(ERROR_TYPES))
    return table.drop(columns=_OUTCOME).assign(error_type=kinds)[
        [*keys, "error_type", *table.columns[len(keys) + 1 :]]
    ]


def segment_rates(audits, indicators_of, func, column, by, weight, strata, ci, method, /):
    """Check the arguments, then rate each indicator that ``indicators_of`` makes of ``column``.

    ``indicators_of(values, column, func)`` returns a frame of 0/1 columns, one per outcome;
    the result is :func:`_rate_table`'s long table with an ``_outcome`` column.
    """
    keys = as_column_list(by)
    check_option(method, name="method", options=INTERVAL_METHODS, func=func)
    check_confidence(ci, func=func)
    _check_segment_names(keys, func)
    weighted = weight is not None or strata is not None
    if indicators_of is outcome_indicator and is_engine_frame(audits):
        sums = _engine_sums(audits, keys, column, weight, strata, func)
        return _rate_table(sums, keys, weighted=weighted, level=ci, method=method)
    check_frame(audits, func=func, name="audits")
    design = [c for c in (weight, strata) if c is not None]
    check_columns(audits, [*keys, column, *design], func=func, param="audits")
    if audits.empty:
        raise ValueError(f"{func} got no audits: 'audits' has 0 rows. Check the filter upstream.")
    check_complete(audits, [*keys, column, *([strata] if strata is not None else [])], func)
    weights = None if weight is None else check_weights(audits, weight, func=func)
    if weights is None and strata is not None:
        weights = np.ones(len(audits))
    stratum = None if strata is None else audits[strata].to_numpy()
    indicators = indicators_of(audits[column], column, func)
    sums = _stratum_sums(audits[keys], indicators, weights, stratum)
    return _rate_table(sums, keys, weighted=weighted, level=ci, method=method)


def _engine_sums(audits, keys, outcome, weight, strata, func) -> pd.DataFrame:
    """:func:`_stratum_sums` of a polars, DuckDB or Spark frame, grouped on its engine."""
    sums = error_sums(
        audits,
        keys=[*keys, *as_column_list(strata)],
        outcome=outcome,
        weight=weight,
        floor={},
        func=func,
    )
    sums = sums.rename(columns={strata: _STRATUM}) if strata is not None else sums
    sums = sums.assign(**{_OUTCOME: outcome, _STRATUM: sums.get(_STRATUM, 0)})
    return sums.set_index([*keys, _OUTCOME, _STRATUM])[
        ["n", "sum_w", "sum_w2", "errors", "sum_wy", "sum_w2y"]
    ]


def _error_type_indicators(values: pd.Series, column: str, func: str) -> pd.DataFrame:
    """One True/False column per error type, after checking the values are known types."""
    unknown = ~values.isin([_NO_ERROR, *ERROR_TYPES])
    if unknown.any():
        raise ValueError(
            f"The {column!r} column of {func} must hold only "
            f"{format_values([_NO_ERROR, *ERROR_TYPES])}. Found {int(unknown.sum())} other "
            f"values: {format_values(values[unknown].unique())}. Map them to these types first."
        )
    return pd.DataFrame({kind: (values == kind).to_numpy() for kind in ERROR_TYPES})


def _check_segment_names(keys: list[str], func: str) -> None:
    """Raise if a segment column would collide with a column the computation uses."""
    clash = [k for k in keys if k in _RESERVED_NAMES]
    if clash:
        raise ValueError(
            f"The 'by' parameter of {func} names {format_values(clash)}, which the result "
            f"uses for its own columns. Rename it first, for example "
            f"audits.rename(columns={{{clash[0]!r}: 'segment_{clash[0]}'}})."
        )


def _rate_table(sums, keys, *, weighted, level, method) -> pd.DataFrame:
    """Rates per segment and outcome from the sums of :func:`_stratum_sums`, in long format."""
    segment = sums.groupby(level=[*keys, _OUTCOME], sort=True, observed=True)
    table = segment[["n", "errors", "sum_w", "sum_wy"]].sum()
    table[["n", "errors"]] = table[["n", "errors"]].astype("int64")
    if not weighted:
        rate = table["errors"] / table["n"]
        low, high = _interval(
            table["errors"].to_numpy(float), table["n"].to_numpy(float), level=level, method=method
        )
        table = table[["n", "errors"]].assign(rate=rate, ci_low=low, ci_high=high)
        return table.reset_index()
    rate = table["sum_wy"] / table["sum_w"]
    variance = _ratio_variance(sums, table, keys=[*keys, _OUTCOME])
    r, var, n = rate.to_numpy(), variance.to_numpy(), table["n"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(var > 0, r * (1 - r) / var, n)
        deff = var / (r * (1 - r) / n)
    low, high = _interval(r * n_eff, n_eff, level=level, method=method)
    table = table.rename(columns={"sum_wy": "weighted_errors", "sum_w": "weighted_n"}).assign(
        rate=r, se=np.sqrt(var), n_eff=n_eff, deff=deff, ci_low=low, ci_high=high
    )
    return table[list(RATE_COLUMNS)].reset_index()


def _stratum_sums(keys_frame, indicators, weights, stratum) -> pd.DataFrame:
    """Sufficient statistics per segment, outcome and stratum, from one group-by over the rows.

    Returns a frame indexed by the segment keys, ``_outcome`` and ``_stratum`` with columns
    ``n``, ``sum_w``, ``sum_w2`` (shared by all outcomes) and ``errors``, ``sum_wy``,
    ``sum_w2y``.
    """
    keys = list(keys_frame.columns)
    w = np.ones(len(keys_frame)) if weights is None else weights
    y = indicators.to_numpy(dtype=float)
    per_outcome = np.hstack([y, y * w[:, None], y * (w * w)[:, None]])
    names = [f"{stat}{j}" for stat in ("errors", "sum_wy", "sum_w2y") for j in range(y.shape[1])]
    rows = pd.DataFrame(per_outcome, columns=names, index=keys_frame.index).assign(
        n=1.0, sum_w=w, sum_w2=w * w
    )
    rows[keys] = keys_frame
    rows[_STRATUM] = 0 if stratum is None else stratum
    grouped = rows.groupby([*keys, _STRATUM], sort=True, observed=True).sum()
    shared = grouped[["n", "sum_w", "sum_w2"]]
    parts = {
        name: shared.assign(
            errors=grouped[f"errors{j}"],
            sum_wy=grouped[f"sum_wy{j}"],
            sum_w2y=grouped[f"sum_w2y{j}"],
        )
        for j, name in enumerate(indicators.columns)
    }
    long = pd.concat(parts, names=[_OUTCOME])
    return long.reorder_levels([*keys, _OUTCOME, _STRATUM])


def _ratio_variance(sums: pd.DataFrame, table: pd.DataFrame, *, keys: list[str]) -> pd.Series:
    """Taylor-linearised with-replacement variance of the ratio ``Σ w·y / Σ w`` per segment."""
    segment = table.reindex(sums.index.droplevel(_STRATUM))
    total_w = segment["sum_w"].to_numpy()
    r = segment["sum_wy"].to_numpy() / total_w
    n_h = sums.groupby(level=[_OUTCOME, _STRATUM], observed=True)["n"].transform("sum").to_numpy()
    _warn_lonely_strata(sums.index.get_level_values(_STRATUM)[n_h == 1])
    # z_i = w_i (y_i - r) / Σw: with y binary, Σ z and Σ z² per stratum follow from the sums
    # of w, w·y, w² and w²·y.
    sum_z = (sums["sum_wy"].to_numpy() - r * sums["sum_w"].to_numpy()) / total_w
    sum_w2y = sums["sum_w2y"].to_numpy()
    sum_z2 = (sum_w2y * (1 - r) ** 2 + (sums["sum_w2"].to_numpy() - sum_w2y) * r**2) / total_w**2
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.where(n_h > 1, n_h / (n_h - 1) * (sum_z2 - sum_z**2 / n_h), 0.0)
    variance = pd.Series(np.maximum(spread, 0.0), index=sums.index)
    return variance.groupby(level=keys, sort=True, observed=True).sum().reindex(table.index)


def _warn_lonely_strata(lonely) -> None:
    """Warn once about strata holding a single audit."""
    lonely = pd.unique(np.asarray(lonely))
    if len(lonely):
        warnings.warn(
            f"{len(lonely)} strata hold a single audit ({format_values(lonely)}); they add "
            "nothing to the variance, so the standard error is too small. Merge each with a "
            "similar stratum.",
            UserWarning,
            stacklevel=5,
        )


# --- planning audits --------------------------------------------------------------------------


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
    func = "sample_size"
    _check_open_unit(margin, name="margin", func=func)
    _check_open_unit(p, name="p", func=func)
    z = stats.norm.isf((1 - check_confidence(ci, func=func)) / 2)
    if isinstance(design_effect, bool) or not (
        isinstance(design_effect, (int, float, np.number)) and 0 < design_effect < np.inf
    ):
        raise ValueError(
            f"The 'design_effect' parameter of {func} must be a finite number > 0 (1 for simple "
            f"random sampling). Got {design_effect!r} instead."
        )
    n0 = design_effect * z**2 * p * (1 - p) / margin**2
    if population is not None:
        _check_positive_integer(population, name="population", func=func)
        n0 = n0 / (1 + (n0 - 1) / population)
    # Round up, ignoring floating-point dust above an exact integer.
    return int(np.ceil(n0 - 1e-9))


def _check_open_unit(value, *, name: str, func: str) -> None:
    if isinstance(value, bool) or not (
        isinstance(value, (int, float, np.number)) and 0 < value < 1
    ):
        raise ValueError(
            f"The {name!r} parameter of {func} must be a number strictly between 0 and 1. "
            f"Got {value!r} instead."
        )


def _check_positive_integer(value, *, name: str, func: str) -> None:
    check_integer(value, name=name, func=func, rule="a positive integer")


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
    func = "allocate_sample"
    check_option(method, name="method", options=("proportional", "neyman"), func=func)
    sizes = _check_sizes(sizes, func=func)
    _check_positive_integer(total, name="total", func=func)
    if not len(sizes) <= total <= sizes.sum():
        raise ValueError(
            f"The 'total' parameter of {func} must lie between the number of strata "
            f"({len(sizes)}) and the population size ({int(sizes.sum())}). Got {total!r} instead."
        )
    share = sizes.to_numpy(dtype=float)
    if method == "neyman":
        rates = _check_rates(p, sizes, func=func)
        share = share * np.sqrt(rates * (1 - rates))
    elif p is not None:
        raise ValueError(
            f"The 'p' parameter of {func} is used only by method='neyman'. Got method="
            f"{method!r}; drop 'p' or choose method='neyman'."
        )
    quota = _bounded_shares(total, share, upper=sizes.to_numpy(dtype=float))
    return pd.Series(_largest_remainder(quota, total), index=sizes.index, name="n")


def _check_sizes(sizes, *, func: str) -> pd.Series:
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


def _check_rates(p, sizes: pd.Series, *, func: str) -> np.ndarray:
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
