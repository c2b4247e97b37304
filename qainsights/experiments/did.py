"""Difference-in-differences on error rates: treated vs comparison groups, before vs after."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.special import expit

from .._validation import as_column_list, format_values
from ..rates import proportion_ci
from ._checks import cluster_check, events_check
from ._inputs import (
    check_audits,
    check_has_errors,
    covariate_list,
    intervention_start,
    period_step,
)
from ._logistic import fit_cells, wald
from .result import DiffInDiffResult, assumption_row, effect_row

__all__ = ["diff_in_diff"]

_EFFECT = "treated_after"
_TREND = "treated_trend"


def diff_in_diff(
    audits,
    *,
    group="site",
    treated,
    comparison=None,
    time="week",
    start,
    outcome="is_error",
    covariates=None,
    cluster="moderator_id",
    ci=0.95,
):
    """Difference-in-differences of error rates, by logistic regression with fixed effects.

    The model is ``logit P(error) = α_group + γ_period + covariates + β · D`` with ``D = 1``
    for audits of the treated groups from ``start`` on: group and period fixed effects
    absorb stable differences between groups and shocks common to all groups (a guideline
    change, a seasonal mix), so ``exp(β)`` is the change in the treated groups' error odds
    beyond the comparison groups' change. Audits are grouped into binomial cells (group x
    period x covariates x cluster) before fitting. Standard errors are cluster-robust by
    ``cluster`` (audits of one moderator are not independent), with the small-sample factor
    of statsmodels and Stata, ``G/(G − 1) · (N − 1)/(N − K)`` with ``N`` audits.

    The odds ratio is conditional on the covariates and is not the ratio of the raw rates
    (odds ratios are non-collapsible): adjusting for queue, policy and market moves it
    away from 1 even without confounding. The ``rate_difference`` row translates it to
    the probability scale: the mean over the treated audits after ``start`` of the fitted
    error probability minus the probability with ``β`` removed (the average effect on the
    treated), with a delta-method interval.

    Parallel pre-period trends are checked by refitting the model on the audits before
    ``start`` with a linear trend for the treated groups in place of ``D``; a trend whose
    interval excludes 1 means the comparison groups are not a credible counterfactual
    (not rejecting it does not prove the trends parallel).

    Parameters
    ----------
    audits : pandas.DataFrame
        One row per audit.
    group : str, default "site"
        Column naming the units that were or were not treated.
    treated : str or list of str
        The treated value(s) of ``group``.
    comparison : str or list of str, optional
        The comparison value(s) of ``group``; default every other value. Audits of other
        groups are left out.
    time : str, default "week"
        Period column (datetime64); each distinct period gets a fixed effect.
    start : date-like
        First period of the intervention; audits with ``time >= start`` are "after".
    outcome : str, default "is_error"
        True/False (or 1/0) column.
    covariates : str or list of str, optional
        Categorical columns to adjust for, for example ``["queue", "policy", "market"]``.
    cluster : str or None, default "moderator_id"
        Column whose values are clusters of correlated audits; ``None`` treats audits as
        independent (model-based standard errors).
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    DiffInDiffResult
        ``effects``: rows ``odds_ratio`` and ``rate_difference`` with ``estimate``,
        ``ci_low``, ``ci_high`` and ``p_value``; ``series``: error rate per arm and period
        with Wilson intervals; ``assumptions``: the checks above with their verdicts.

    Raises
    ------
    ValueError
        For missing columns or values, a treated or comparison value absent from
        ``group`` (an empty arm), ``start`` outside the periods (no pre- or post-period),
        or no errors at all.

    Warns
    -----
    UserWarning
        When the pre-period has fewer than three periods (no trend check) or the model
        does not converge.

    See Also
    --------
    ab_test : two arms without a time dimension.
    interrupted_series : one group, before and after, without a comparison group.

    References
    ----------
    .. [1] Angrist, J. D. & Pischke, J.-S. (2009). Mostly Harmless Econometrics. Princeton
       University Press, chapter 5.
    .. [2] Puhani, P. A. (2012). The treatment effect, the cross difference, and the
       interaction term in nonlinear "difference-in-differences" models. Economics Letters
       115, 85-87.
    .. [3] Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to cluster-robust
       inference. Journal of Human Resources 50, 317-372.
    .. [4] statsmodels ``Logit(...).fit(cov_type="cluster")`` on the audit rows, the
       reference the tests compare coefficients and standard errors against.

    Examples
    --------
    >>> from qainsights.datasets import simulate_audits
    >>> audits = simulate_audits(seed=3, weeks=20, effects=["training_wave"]).audits
    >>> result = diff_in_diff(audits, treated="Lisbon", comparison=["Dublin", "Austin"],
    ...                       start="2026-02-16", covariates=["queue", "policy"])
    >>> result.effects[["effect", "estimate", "ci_low", "ci_high"]].round(3)
                effect  estimate  ci_low  ci_high
    0       odds_ratio     0.533   0.378    0.753
    1  rate_difference    -0.029  -0.044   -0.014
    """
    func = "diff_in_diff"
    covariates = covariate_list(covariates, reserved={group, time, cluster}, func=func)
    clusters = [] if cluster is None else [cluster]
    y = check_audits(
        audits, columns=[group, time, *covariates, *clusters], outcome=outcome, ci=ci, func=func
    )
    when = intervention_start(audits, time=time, start=start, func=func)
    treated_values = _group_values(audits, group, treated, "treated", func)
    if comparison is None:
        comparison_values = [v for v in audits[group].unique() if v not in treated_values]
    else:
        comparison_values = _group_values(audits, group, comparison, "comparison", func)
    overlap = set(treated_values) & set(comparison_values)
    if overlap or not comparison_values:
        raise ValueError(
            f"The 'comparison' parameter of {func} must name groups other than the treated ones "
            f"{format_values(treated_values)}. Got {format_values(comparison_values) or 'none'} "
            "instead."
        )
    keep = audits[group].isin([*treated_values, *comparison_values]).to_numpy()
    rows = audits.loc[keep, [group, time, *covariates, *clusters]].assign(_y=y[keep])
    rows["_treated"] = rows[group].isin(treated_values).to_numpy(dtype=float)
    rows["_after"] = (rows[time] >= when).to_numpy(dtype=float)
    _check_arms(rows, when, func)
    check_has_errors(rows["_y"].to_numpy(), func=func)

    cells = rows.groupby(
        [group, time, *covariates, *clusters, "_treated", "_after"], observed=True, sort=True
    ).agg(errors=("_y", "sum"), n=("_y", "size"))
    cells = cells.reset_index()
    level = float(ci)
    cells[_EFFECT] = cells["_treated"] * cells["_after"]
    categorical = [group, time, *covariates]
    fit = fit_cells(cells, categorical=categorical, numeric=[_EFFECT], cluster=cluster, func=func)
    odds = fit.wald(_EFFECT, level=level)
    effects = pd.DataFrame(
        [
            effect_row("odds_ratio", "ratio", odds, exponentiate=True),
            effect_row("rate_difference", "difference", _effect_on_treated(fit, level)),
        ]
    )
    pre = cells[cells["_after"] == 0]
    step = period_step(rows[time])
    trend = _pre_trend(pre, group, time, covariates, cluster, when, step, level, func)
    assumptions = pd.DataFrame(
        [
            _trend_check(trend, level),
            cluster_check(rows["_treated"], None if cluster is None else rows[cluster]),
            events_check(cells["errors"].sum(), fit.design.shape[1]),
        ]
    )
    return DiffInDiffResult(
        effects=effects,
        series=_arm_series(cells, time, level),
        assumptions=assumptions,
        treated=tuple(treated_values),
        comparison=tuple(comparison_values),
        start=when,
        ci=level,
        n_audits=fit.n_audits,
        n_clusters=fit.n_clusters,
    )


def _group_values(audits, group, values, name, func) -> list:
    chosen = as_column_list(values)
    present = set(audits[group].unique())
    absent = [v for v in chosen if v not in present]
    if absent or not chosen:
        raise ValueError(
            f"The {name!r} parameter of {func} must name values of column {group!r} that have "
            f"audits ({format_values(sorted(present, key=str))}). Got "
            f"{format_values(absent) if absent else 'none'} instead, so that arm would be empty."
        )
    return chosen


def _check_arms(rows: pd.DataFrame, when: pd.Timestamp, func: str) -> None:
    """Each arm needs audits before and after the start."""
    counts = rows.groupby(["_treated", "_after"]).size()
    for treated in (1.0, 0.0):
        for after in (0.0, 1.0):
            if counts.get((treated, after), 0) == 0:
                arm = "treated" if treated else "comparison"
                side = "on or after" if after else "before"
                raise ValueError(
                    f"{func} found no {arm} audits {side} {when.date()}: that arm cannot show "
                    "a change. Check 'start' and the groups."
                )


def _effect_on_treated(fit, level) -> dict[str, float]:
    """Mean fitted probability minus counterfactual over treated audits after the start."""
    on = (fit.patterns[_EFFECT] == 1).to_numpy()
    x = fit.design.to_numpy(dtype=float)[on]
    n = fit.patterns["n"].to_numpy(float)[on]
    beta = fit.params.to_numpy()
    column = list(fit.design.columns).index(_EFFECT)
    p1 = expit(x @ beta)
    p0 = expit(x @ beta - beta[column])
    total = n.sum()
    estimate = float(n @ (p1 - p0) / total)
    gradient = ((n * (p1 * (1 - p1) - p0 * (1 - p0))) @ x) / total
    gradient[column] = n @ (p1 * (1 - p1)) / total
    return wald(estimate, float(np.sqrt(gradient @ fit.cov.to_numpy() @ gradient)), level=level)


def _pre_trend(pre, group, time, covariates, cluster, when, step, level, func):
    """Odds ratio per period of the treated groups' extra linear trend before the start."""
    periods = pre[time].nunique()
    if periods < 3:
        warnings.warn(
            f"{func}: the pre-period has {periods} periods; at least 3 are needed to check "
            "parallel trends, so that check is NaN.",
            UserWarning,
            stacklevel=3,
        )
        return None
    pre = pre.assign(**{_TREND: pre["_treated"] * ((pre[time] - when) / step)})
    fit = fit_cells(
        pre, categorical=[group, time, *covariates], numeric=[_TREND], cluster=cluster, func=func
    )
    return fit.wald(_TREND, level=level)


def _trend_check(trend, level) -> dict:
    if trend is None:
        return assumption_row("parallel pre-trends", np.nan, np.nan, None, "too few pre-periods")
    ratio, low, high = np.exp([trend["estimate"], trend["ci_low"], trend["ci_high"]])
    passed = bool(trend["p_value"] >= 1 - level)
    return assumption_row(
        "parallel pre-trends",
        float(ratio),
        trend["p_value"],
        passed,
        f"treated vs comparison trend before the start: odds ratio {ratio:.3f} per period "
        f"({level:.0%} CI {low:.3f} to {high:.3f})",
    )


def _arm_series(cells, time, level) -> pd.DataFrame:
    """Error rate of each arm per period, with Wilson intervals."""
    arm = np.where(cells["_treated"] == 1, "treated", "comparison")
    series = (
        cells.assign(arm=arm).groupby(["arm", time], sort=True)[["n", "errors"]].sum().reset_index()
    )
    series[["n", "errors"]] = series[["n", "errors"]].astype("int64")
    low, high = proportion_ci(
        series["errors"].to_numpy(float), series["n"].to_numpy(float), ci=level
    )
    return series.assign(rate=series["errors"] / series["n"], ci_low=low, ci_high=high)
