"""Severity-weighted error rate: how costly the errors are, not only how many."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from .._caller import caller, public, user_stacklevel
from .._validation import (
    as_column_list,
    check_columns,
    check_complete,
    check_confidence,
    check_frame,
    check_option,
    check_weights,
    outcome_indicator,
)
from .pareto import SEVERITY_WEIGHTS, _severity_points

__all__ = ["severity_index"]


@public
def severity_index(
    audits,
    *,
    by=None,
    outcome="is_error",
    severity="severity",
    severity_weights=None,
    weight=None,
    strata=None,
    ci=0.95,
    method="gamma",
):
    """Severity points of the errors per 100 audits, per segment, with a confidence interval.

    Each audit scores the points of its error's severity (default
    :data:`~qainsights.rca.SEVERITY_WEIGHTS`: low 1, medium 2, high 4, critical 8) and 0
    when correct; the index is the mean score times 100. Two segments with the same error
    rate can then differ in how much harm their errors do. With sampling ``weight`` the
    index is the decisions' mean score, ``100 Σ w·s / Σ w`` (points per 100 decisions).

    The scores are mostly zero with a long tail (a critical error scores 8), so the normal
    interval of a mean covers too rarely: 87 % at 200 audits and 93 % at 1,000 at nominal
    95 % (``benchmarks/README.md``). The default ``method="gamma"`` is Fay & Feuer's (1997)
    interval for a weighted sum of Poisson counts, each error counting
    ``c_i = 100 w_i s_i / Σ w``: with ``y = Σ c_i`` (the index), ``v = Σ c_i²`` and ``c_M``
    the largest contribution an error could make (the largest weight times the largest
    points), the bounds are the α/2 quantile of Gamma(y²/v, scale v/y) and the 1 − α/2
    quantile of Gamma((y + c_M)²/(v + c_M²), scale (v + c_M²)/(y + c_M)). It reduces to the
    exact Poisson (Garwood) interval when every error counts the same, gives an upper bound
    when a segment has no error, and is conservative (97-99 % in the benchmark).
    ``method="normal"`` is ``index ± z·se`` (lower bound kept at 0) with the Taylor-linearised
    variance of the ratio, with replacement within ``strata``: with
    ``z_i = w_i (s_i − R) / Σ w``, the sum over strata of ``n_h / (n_h − 1) Σ_h (z_i − z̄_h)²``
    (Woodruff, 1971), which is ``s²/n`` without weights.

    Parameters
    ----------
    audits : pandas.DataFrame
        One row per audit.
    by : str or list of str, optional
        Segment columns; one overall row when omitted.
    outcome : str, default "is_error"
        True/False column of errors.
    severity : str, default "severity"
        Severity level of each error (ignored on correct audits).
    severity_weights : mapping, optional
        Points per severity level.
    weight : str, optional
        Sampling-weight column (the decisions each audit represents): the index is then
        per 100 decisions.
    strata : str, optional
        Sampling-stratum column, with ``weight`` (used by ``method="normal"``).
    ci : float, default 0.95
        Confidence level.
    method : {"gamma", "normal"}, default "gamma"
        The interval (above).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``n``, ``errors``, ``points`` (the audited errors' total),
        ``index`` (points per 100 audits, or per 100 decisions with ``weight``), ``ci_low``,
        ``ci_high``.

    Raises
    ------
    ValueError
        For missing columns or values, an error whose severity is missing or unknown, or a
        bad ``ci``.

    Warns
    -----
    UserWarning
        With ``method="normal"``, always (its intervals are too narrow on these scores: use
        the default ``"gamma"``), and when a segment has a single audit (its interval is NaN)
        or no error (its interval is [0, 0], which understates the uncertainty).

    References
    ----------
    The points follow :data:`~qainsights.rca.SEVERITY_WEIGHTS`. M. P. Fay & E. J. Feuer
    (1997), Confidence intervals for directly standardized rates: a method based on the gamma
    distribution, Statistics in Medicine 16, 791-801. The normal interval: Cochran (1977),
    Sampling Techniques, 2.15; Woodruff (1971), JASA 66, 411-414.

    Examples
    --------
    >>> audits = pd.DataFrame({"is_error": [True, True, False, False],
    ...                        "severity": ["low", "critical", None, None]})
    >>> severity_index(audits)[["n", "errors", "points", "index"]]
       n  errors  points  index
    0  4       2     9.0  225.0
    """
    check_frame(audits, name="audits")
    keys = as_column_list(by)
    design = [c for c in (weight, strata) if c is not None]
    check_columns(audits, [*keys, outcome, severity, *design], param="audits")
    if strata is not None and weight is None:
        raise ValueError(f"The 'strata' parameter of {caller()} needs 'weight' as well.")
    level = check_confidence(ci)
    check_option(method, name="method", options=("gamma", "normal"))
    check_complete(audits, [*keys, outcome, *design])
    errors = outcome_indicator(audits[outcome], outcome)[outcome].to_numpy() == 1
    scores = np.zeros(len(audits))
    scores[errors] = _severity_points(audits.loc[errors, severity], severity, severity_weights)
    most_points = max((SEVERITY_WEIGHTS if severity_weights is None else severity_weights).values())
    w = np.ones(len(audits)) if weight is None else check_weights(audits, weight)
    frame = audits[keys].assign(
        _error=errors, _score=scores, _one=1.0, _w=w, _ws=w * scores, _w2=w * w,
        _w2s=w * w * scores, _w2s2=(w * scores) ** 2,
        _stratum=0 if strata is None else audits[strata].to_numpy(),
    )  # fmt: skip
    keys_or_all = keys or ["_all"]
    frame = frame if keys else frame.assign(_all=0)
    strata_sums = frame.groupby([*keys_or_all, "_stratum"], sort=True, observed=True).sum(
        numeric_only=True
    )
    sums = strata_sums.groupby(level=keys_or_all, sort=True, observed=True).sum()
    n = sums["_one"].to_numpy()
    mean = sums["_ws"].to_numpy() / sums["_w"].to_numpy()
    if method == "normal":
        half = stats.norm.isf((1 - level) / 2) * np.sqrt(
            _ratio_variance(strata_sums, sums, keys_or_all)
        )
        low, high = np.clip(mean - half, 0, None), mean + half
        warnings.warn(
            f"{caller()}: method='normal' is too narrow on severity scores, which are mostly zero "
            "with a long tail: its 95 % intervals covered 85-93 % on 200 to 1,000 audits "
            "(benchmarks/README.md). Use method='gamma' (the default), which holds its level.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        _warn_degenerate(n, sums["_score"].to_numpy())
    else:
        largest_w = frame.groupby(keys_or_all, sort=True, observed=True)["_w"].max().to_numpy()
        low, high = _gamma_interval(sums, largest_w * most_points, level)
    table = sums.reset_index(drop=not keys)
    return pd.DataFrame(
        {
            **{k: table[k].to_numpy() for k in keys},
            "n": n.astype(int),
            "errors": sums["_error"].to_numpy().astype(int),
            "points": sums["_score"].to_numpy(),
            "index": 100 * mean,
            "ci_low": 100 * low,
            "ci_high": 100 * high,
        }
    )


def _gamma_interval(sums: pd.DataFrame, largest: np.ndarray, level: float):
    """Fay & Feuer's (1997) gamma interval of ``Σ w·s / Σ w`` per segment (as a mean score).

    Each audit contributes ``c_i = w_i s_i / Σ w``; ``largest`` is the largest ``w·s`` an
    error of the segment could have.
    """
    total_w = sums["_w"].to_numpy()
    y = sums["_ws"].to_numpy() / total_w
    v = sums["_w2s2"].to_numpy() / total_w**2
    c_max = largest / total_w
    tail = (1 - level) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(y > 0, stats.gamma.ppf(tail, y**2 / v, scale=v / y), 0.0)
    high = stats.gamma.ppf(
        1 - tail, (y + c_max) ** 2 / (v + c_max**2), scale=(v + c_max**2) / (y + c_max)
    )
    return low, high


def _ratio_variance(strata_sums: pd.DataFrame, sums: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Linearised variance of ``Σ w·s / Σ w`` per segment, with replacement within strata.

    Per stratum, ``Σ z`` and ``Σ z²`` of ``z_i = w_i (s_i − R) / Σ w`` follow from the sums
    of w, w·s, w², w²·s and w²·s²; a stratum of one audit adds nothing (NaN for a
    segment of one audit).
    """
    segment = sums.reindex(strata_sums.index.droplevel("_stratum"))
    total_w = segment["_w"].to_numpy()
    r = segment["_ws"].to_numpy() / total_w
    n_h = strata_sums["_one"].to_numpy()
    sum_z = (strata_sums["_ws"].to_numpy() - r * strata_sums["_w"].to_numpy()) / total_w
    sum_z2 = (
        strata_sums["_w2s2"].to_numpy()
        - 2 * r * strata_sums["_w2s"].to_numpy()
        + r**2 * strata_sums["_w2"].to_numpy()
    ) / total_w**2
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.where(n_h > 1, n_h / (n_h - 1) * (sum_z2 - sum_z**2 / n_h), 0.0)
    variance = pd.Series(np.maximum(spread, 0.0), index=strata_sums.index)
    variance = variance.groupby(level=keys, sort=True, observed=True).sum().to_numpy()
    return np.where(sums["_one"].to_numpy() > 1, variance, np.nan)


def _warn_degenerate(n: np.ndarray, points: np.ndarray) -> None:
    single, clean = int((n == 1).sum()), int(((n > 1) & (points == 0)).sum())
    if single or clean:
        warnings.warn(
            f"{caller()}: {single} segment(s) with one audit have no interval (NaN) and {clean} "
            "segment(s) without errors have the interval [0, 0]; read them as too small to "
            "measure, or pool them with similar segments.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
