"""The report's one estimand: error rates of the decisions (weighted) or of the audits.

When every audit carries a sampling weight, every section of the Monthly Quality Report
estimates the error rate of the *decisions* the audits represent; without weights the audits
are taken as a simple random sample of the decisions and the two coincide. Control charts
then plot each subgroup's weighted rate on its Kish effective sample size, so a chart and the
headline describe the same quantity.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._caller import public
from .._validation import check_columns, check_frame

__all__ = ["effective_counts", "estimand_statement"]


@public
def effective_counts(
    audits: pd.DataFrame,
    *,
    by: str | Sequence[str],
    weight: str | None = None,
    outcome: str = "is_error",
) -> pd.DataFrame:
    """Error counts per group on the Kish effective sample size, for weighted control charts.

    Without ``weight`` the counts are the audits' (``errors`` errors of ``n`` audits). With it
    each group's rate is the weighted (Hajek) rate ``r = Σ w·y / Σ w``, its size the Kish
    effective sample size ``n = (Σ w)² / Σ w²`` and its count ``errors = r · n``, so
    ``errors / n`` is the decision-weighted rate and its binomial variance
    ``r (1 - r) / n`` is Kish's approximation of the weighted rate's variance.

    Parameters
    ----------
    audits : DataFrame
        Audit rows with the ``by`` columns and a boolean ``outcome``.
    by : str or list of str
        Group columns (a period, a segment and period ...).
    weight : str, optional
        Sampling-weight column (decisions each audit represents).
    outcome : str, default "is_error"
        Boolean error flag.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``audits`` (rows), ``errors`` and ``n`` (effective when weighted:
        not whole numbers).

    References
    ----------
    L. Kish (1965), *Survey Sampling*, Wiley, section 11.7 (effective sample size of a
    weighted mean, ``(Σ w)² / Σ w²``).

    Examples
    --------
    Two audits weighted 1 and 3, one of them (weight 3) an error: the weighted rate is 3/4,
    the effective size (1 + 3)² / (1 + 9) = 1.6 and the effective count 0.75 x 1.6 = 1.2.

    >>> audits = pd.DataFrame({"week": [1, 1], "is_error": [False, True], "w": [1.0, 3.0]})
    >>> effective_counts(audits, by="week", weight="w")
       week  audits  errors    n
    0     1       2     1.2  1.6
    >>> effective_counts(audits, by="week")
       week  audits  errors  n
    0     1       2       1  2
    """
    check_frame(audits, name="audits")
    keys = [by] if isinstance(by, str) else list(by)
    check_columns(
        audits, [*keys, outcome, *([weight] if weight else [])],
        param="audits",
    )  # fmt: skip
    y = audits[outcome].to_numpy(dtype="float64")
    if weight is None:
        frame = audits[keys].assign(_y=y, _one=1)
        sums = frame.groupby(keys, observed=True, sort=True).agg(
            audits=("_one", "size"), errors=("_y", "sum")
        )
        sums["errors"] = sums["errors"].astype("int64")
        return sums.assign(n=sums["audits"]).reset_index()
    w = audits[weight].to_numpy(dtype="float64")
    frame = audits[keys].assign(_w=w, _wy=w * y, _w2=w * w)
    sums = frame.groupby(keys, observed=True, sort=True).agg(
        audits=("_w", "size"), sum_w=("_w", "sum"), sum_wy=("_wy", "sum"), sum_w2=("_w2", "sum")
    )
    n_eff = sums["sum_w"] ** 2 / sums["sum_w2"]
    rate = np.clip(sums["sum_wy"] / sums["sum_w"], 0.0, 1.0)
    out = pd.DataFrame({"audits": sums["audits"], "errors": rate * n_eff, "n": n_eff})
    return out.reset_index()


@public
def estimand_statement(weighted: bool, *, clustered: bool = False) -> str:
    """One sentence saying what every rate of the report estimates, and which intervals allow
    for a moderator's audits being correlated (``clustered``: the audits name their moderators).

    Examples
    --------
    >>> estimand_statement(False)[:45]
    'Every rate in this report is the share of aud'
    >>> print(estimand_statement(False, clustered=True).split(". ")[-1])
    Intervals allow for a moderator's audits being correlated, except in the severity index, root causes, capability, the change's segments and the trend tests.
    """
    correlated = (
        " Intervals allow for a moderator's audits being correlated, except in the severity "
        "index, root causes, capability, the change's segments and the trend tests."
        if clustered
        else ""
    )
    if weighted:
        return (
            "Every rate in this report is the share of decisions in error: each audit counts "
            "for the decisions it represents (its sampling weight), in the headline, the "
            "control charts (plotted on Kish effective sample sizes), severity index, root "
            "causes, sites and vendors alike. Counts labelled 'audits' are the audits behind a "
            "rate. One section counts audits as sampled instead: the moderators (each person "
            "is judged on the audits of their own work)." + correlated
        )
    return (
        "Every rate in this report is the share of audited decisions in error: the audits carry "
        "no sampling weights, so they are taken as a simple random sample of the decisions."
        + correlated
    )
