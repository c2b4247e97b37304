"""Severity-weighted error rate: how costly the errors are, not only how many."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import (
    as_column_list,
    check_columns,
    check_complete,
    check_confidence,
    check_frame,
    outcome_indicator,
)
from .pareto import _severity_points

__all__ = ["severity_index"]

_FUNC = "severity_index"


def severity_index(
    audits,
    *,
    by=None,
    outcome="is_error",
    severity="severity",
    severity_weights=None,
    ci=0.95,
):
    """Severity points of the errors per 100 audits, per segment, with a confidence interval.

    Each audit scores the points of its error's severity (default
    :data:`~qainsights.rca.SEVERITY_WEIGHTS`: low 1, medium 2, high 4, critical 8) and 0
    when correct; the index is the mean score times 100. Two segments with the same error
    rate can then differ in how much harm their errors do. The interval is the normal one
    for a mean, ``index ± z·s/√n`` (s the standard deviation of the scores), with the lower
    bound kept at 0.

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
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``n``, ``errors``, ``points`` (the errors' total), ``index``
        (points per 100 audits), ``ci_low``, ``ci_high``.

    Raises
    ------
    ValueError
        For missing columns or values, an error whose severity is missing or unknown, or a
        bad ``ci``.

    Warns
    -----
    UserWarning
        When a segment has a single audit (its interval is NaN) or no error (its interval is
        [0, 0], which understates the uncertainty: the normal interval needs some errors).

    References
    ----------
    The points follow :data:`~qainsights.rca.SEVERITY_WEIGHTS`; the interval is the
    large-sample normal interval for a mean (e.g. Cochran, 1977, Sampling Techniques, 2.15).

    Examples
    --------
    >>> audits = pd.DataFrame({"is_error": [True, True, False, False],
    ...                        "severity": ["low", "critical", None, None]})
    >>> severity_index(audits)[["n", "errors", "points", "index"]]
       n  errors  points  index
    0  4       2     9.0  225.0
    """
    check_frame(audits, func=_FUNC, name="audits")
    keys = as_column_list(by)
    check_columns(audits, [*keys, outcome, severity], func=_FUNC, param="audits")
    level = check_confidence(ci, func=_FUNC)
    check_complete(audits, [*keys, outcome], _FUNC)
    errors = outcome_indicator(audits[outcome], outcome, _FUNC)[outcome].to_numpy() == 1
    scores = np.zeros(len(audits))
    scores[errors] = _severity_points(
        audits.loc[errors, severity], severity, severity_weights, _FUNC
    )
    frame = audits[keys].assign(_error=errors, _score=scores, _square=scores**2)
    grouped = frame.groupby(keys, sort=True) if keys else frame.assign(_all=0).groupby("_all")
    sums = grouped[["_error", "_score", "_square"]].sum()
    n = grouped.size().to_numpy()
    mean = sums["_score"].to_numpy() / n
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = (sums["_square"].to_numpy() - n * mean**2) / (n - 1)
    half = stats.norm.isf((1 - level) / 2) * np.sqrt(np.clip(variance, 0, None) / n)
    _warn_degenerate(n, sums["_score"].to_numpy())
    table = sums.reset_index(drop=not keys)
    return pd.DataFrame(
        {
            **{k: table[k].to_numpy() for k in keys},
            "n": n,
            "errors": sums["_error"].to_numpy().astype(int),
            "points": sums["_score"].to_numpy(),
            "index": 100 * mean,
            "ci_low": 100 * np.clip(mean - half, 0, None),
            "ci_high": 100 * (mean + half),
        }
    )


def _warn_degenerate(n: np.ndarray, points: np.ndarray) -> None:
    single, clean = int((n == 1).sum()), int(((n > 1) & (points == 0)).sum())
    if single or clean:
        warnings.warn(
            f"{_FUNC}: {single} segment(s) with one audit have no interval (NaN) and {clean} "
            "segment(s) without errors have the interval [0, 0]; read them as too small to "
            "measure, or pool them with similar segments.",
            UserWarning,
            stacklevel=3,
        )
