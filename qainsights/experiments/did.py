"""Difference-in-differences on error rates: treated vs comparison groups, before vs after."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from .._deprecation import renamed
from .._validation import as_column_list, format_values
from ..intervals import proportion_ci
from ._aggregate import (
    cell_logits,
    collapsed_test,
    fit_aggregate,
    rate_difference,
    serial_correlation,
    t_wald,
    unit_changes,
)
from ._checks import cluster_check, events_check
from ._inputs import (
    check_audits,
    check_has_errors,
    covariate_list,
    intervention_start,
    period_step,
)
from ._logistic import design_matrix, fit_cells, wald
from ._randomization import MAX_ASSIGNMENTS, assignment_count, randomization_test
from .result import DiffInDiffResult, assumption_row, effect_row

__all__ = ["diff_in_diff"]

_EFFECT = "treated_after"
_TREND = "treated_trend"
INFERENCES = ("auto", "aggregate", "collapsed", "randomization", "cluster")
#: one-sided level of the serial-correlation check that switches "auto" to the collapse
SERIAL_ALPHA = 0.10
#: the largest lag-1 autocorrelation the AR(1) variance factor uses
_MAX_RHO = 0.95


@renamed(group="by", time="period")
def diff_in_diff(
    audits,
    *,
    by="site",
    treated,
    comparison=None,
    period="week",
    start,
    outcome="is_error",
    covariates=None,
    cluster="moderator_id",
    inference="auto",
    ci=0.95,
):
    """Difference-in-differences of error rates, with inference where the treatment varies.

    The model is ``logit P(error) = α_group + γ_period + covariates + β · D`` with ``D = 1``
    for audits of the treated groups from ``start`` on: group and period effects absorb
    stable differences between groups and shocks common to all groups (a guideline change,
    a seasonal mix), so ``exp(β)`` is the change in the treated groups' error odds beyond
    the comparison groups' change.

    A treatment given to whole sites is evidence at the site x period level: every audit
    of a site in a week shares that week's shocks (an outage, a backlog), so audits or
    moderators are not independent replications of it, and a moderator-clustered test
    calls noise significant far more often than its nominal level. The default
    ``inference="auto"`` therefore works on the group x period cells (Donald & Lang 2007):

    - each cell's empirical logit ``log((k + ½)/(n − k + ½))``, minus the cell's mean
      covariate log-odds (from the audit-level logistic model) when ``covariates`` are
      given, is regressed by weighted least squares on group and period effects and ``D``,
      with weights ``1/(v + τ²)`` (binomial variance of the logit plus the shock variance,
      estimated by moments); the dispersion is estimated and the reference is Student's t
      on the residual degrees of freedom (``"aggregate"``). The variance of ``β`` is
      multiplied by the AR(1) factor ``c'Σc/c'c`` of the before/after contrast at an 80 %
      upper bound of the comparison cells' lag-1 residual autocorrelation, so persistent
      shocks widen the interval;
    - when that autocorrelation is significant (one-sided p below 0.10), each group's
      change from before to after is computed instead and treated groups are compared with
      comparison groups by a two-sample t test on ``G − 2`` degrees of freedom
      (``"collapsed"``, Bertrand, Duflo & Mullainathan 2004).

    ``inference="randomization"`` is the tool for few treated groups among many comparison
    groups (Conley & Taber 2011): each group's pre/post change as in ``"collapsed"``, and
    the treated groups' mean change minus the others' ranked among every assignment of as
    many treated groups (a Fisher randomisation test, exact when the groups are
    exchangeable, whatever the serial correlation), with the interval from inverting it
    for a constant effect; ``df`` is then NaN. It needs enough assignments: with one
    treated group of four no p-value can fall below 0.25, and the function warns. (A wild
    cluster bootstrap is not offered: with one treated cluster its restricted form
    under-rejects and its unrestricted form over-rejects, MacKinnon & Webb 2017.)

    ``inference="cluster"`` fits the audit-level logistic model with standard errors
    clustered by ``cluster`` (normal reference): right when the treatment was assigned to
    many clusters (moderators randomised), wrong for site-level programmes. The result's
    ``inference`` and ``inference_detail`` say which was used and why. With one treated
    group the interval assumes its shocks vary like the comparison groups' (Conley & Taber
    2011); with one treated group and serially correlated shocks, or too few periods to
    check, or no degrees of freedom left, the function warns and says so in
    ``inference_detail``. The ``rate_difference`` row translates the odds ratio to the
    probability scale over the treated cells after ``start``: their error rate minus the
    rate with ``β`` removed (the average effect on the treated); its interval maps the
    ends of ``β``'s interval (the ``"cluster"`` inference uses the delta method on the
    fitted audit-level model).

    Odds ratios are non-collapsible: adjusting for queue, policy and market moves them away
    from 1 even without confounding.

    Parallel pre-period trends are checked by refitting the model (on the pre-period cells,
    or on the audits for ``"cluster"``) with a linear trend for the treated groups in
    place of ``D``; a trend whose
    interval excludes 1 means the comparison groups are not a credible counterfactual
    (not rejecting it does not prove the trends parallel).

    Parameters
    ----------
    audits : pandas.DataFrame
        One row per audit.
    by : str, default "site"
        Column naming the units (groups) that were or were not treated.
    treated : str or list of str
        The treated value(s) of ``by``.
    comparison : str or list of str, optional
        The comparison value(s) of ``by``; default every other value. Audits of other
        groups are left out.
    period : str, default "week"
        Period column (datetime64); each distinct period gets a fixed effect.
    start : date-like
        First period of the intervention; audits with ``period >= start`` are "after".
    outcome : str, default "is_error"
        True/False (or 1/0) column.
    covariates : str or list of str, optional
        Categorical columns to adjust for, for example ``["queue", "policy", "market"]``.
    cluster : str or None, default "moderator_id"
        Column of clusters for ``inference="cluster"``; ``None`` treats audits as
        independent there (model-based standard errors). Ignored by the other inferences.
    inference : {"auto", "aggregate", "collapsed", "randomization", "cluster"}, default "auto"
        How the interval and p-value are made; see above.
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    DiffInDiffResult
        ``effects``: rows ``odds_ratio`` and ``rate_difference`` with ``estimate``,
        ``ci_low``, ``ci_high`` and ``p_value``; ``series``: error rate per arm and period
        with Wilson intervals; ``assumptions``: the checks above with their verdicts;
        ``inference``, ``inference_detail`` and ``df`` as described above.

    Raises
    ------
    ValueError
        For missing columns or values, a treated or comparison value absent from
        ``group`` (an empty arm), ``start`` outside the periods (no pre- or post-period),
        or no errors at all.

    Warns
    -----
    UserWarning
        When the design cannot support the inference (see above), when the pre-period has
        fewer than three periods (no trend check) for ``"cluster"``, or when a logistic
        model does not converge.

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
    .. [4] Donald, S. G. & Lang, K. (2007). Inference with difference-in-differences and
       other panel data. Review of Economics and Statistics 89, 221-233.
    .. [5] Bertrand, M., Duflo, E. & Mullainathan, S. (2004). How much should we trust
       differences-in-differences estimates? Quarterly Journal of Economics 119, 249-275.
    .. [6] Conley, T. G. & Taber, C. R. (2011). Inference with "difference in differences"
       with a small number of policy changes. Review of Economics and Statistics 93, 113-125.
    .. [7] MacKinnon, J. G. & Webb, M. D. (2017). Wild bootstrap inference for wildly
       different cluster sizes. Journal of Applied Econometrics 32, 233-254.
    .. [8] statsmodels ``WLS`` on the cells and ``Logit(...).fit(cov_type="cluster")`` on
       the audit rows, the references the tests compare against.

    Examples
    --------
    >>> from qainsights.datasets import simulate_audits
    >>> audits = simulate_audits(seed=3, weeks=20, effects=["training_wave"]).audits
    >>> result = diff_in_diff(audits, treated="Lisbon", comparison=["Dublin", "Austin"],
    ...                       start="2026-02-16", covariates=["queue", "policy"])
    >>> result.effects[["effect", "estimate", "ci_low", "ci_high"]].round(3)
                effect  estimate  ci_low  ci_high
    0       odds_ratio     0.594   0.426    0.828
    1  rate_difference    -0.023  -0.045   -0.007
    >>> result.inference, result.df
    ('aggregate', 37.0)
    """
    func = "diff_in_diff"
    group, time = by, period
    if inference not in INFERENCES:
        raise ValueError(
            f"The 'inference' parameter of {func} must be one of "
            f"{format_values(INFERENCES)}. Got {inference!r} instead."
        )
    covariates = covariate_list(covariates, reserved={group, time, cluster}, func=func)
    clusters = [] if cluster is None or inference != "cluster" else [cluster]
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
    step = period_step(rows[time])
    design = {"group": group, "time": time, "covariates": covariates, "when": when,
              "step": step, "level": level, "func": func}  # fmt: skip
    if inference == "cluster":
        fitted = _cluster_inference(cells, cluster=cluster, **design)
    else:
        fitted = _aggregate_inference(cells, inference=inference, **design)
    return DiffInDiffResult(
        effects=pd.DataFrame(
            [
                effect_row("odds_ratio", "ratio", fitted.log_odds, exponentiate=True),
                effect_row("rate_difference", "difference", fitted.difference),
            ]
        ),
        series=_arm_series(cells, time, level),
        assumptions=pd.DataFrame(fitted.assumptions),
        treated=tuple(treated_values),
        comparison=tuple(comparison_values),
        start=when,
        ci=level,
        n_audits=int(cells["n"].sum()),
        n_clusters=fitted.n_units,
        inference=fitted.inference,
        inference_detail=fitted.detail,
        df=fitted.df,
    )


@dataclass(frozen=True)
class _Fitted:
    """The effect on the log-odds and rate scales, the checks, and how it was inferred."""

    log_odds: dict
    difference: dict
    assumptions: list
    inference: str
    detail: str
    df: float
    n_units: int | None


def _cluster_inference(cells, *, group, time, covariates, cluster, when, step, level, func):
    """The audit-level logistic model with standard errors clustered by ``cluster``."""
    categorical = [group, time, *covariates]
    fit = fit_cells(cells, categorical=categorical, numeric=[_EFFECT], cluster=cluster, func=func)
    pre = cells[cells["_after"] == 0]
    trend = _pre_trend(pre, group, time, covariates, cluster, when, step, level, func)
    unit = "audits" if cluster is None else f"clusters of {cluster!r}"
    return _Fitted(
        log_odds=fit.wald(_EFFECT, level=level),
        difference=_effect_on_treated(fit, level),
        assumptions=[
            _trend_check(trend, level),
            cluster_check(cells["_treated"], None if cluster is None else cells[cluster]),
            events_check(cells["errors"].sum(), fit.design.shape[1]),
        ],
        inference="cluster",
        detail=f"audit-level logistic model, normal reference, standard errors from {unit}: "
        "valid when the treatment varies across those clusters and there are many of them, "
        "not for a treatment given to whole groups with shared period shocks",
        df=np.inf,
        n_units=fit.n_clusters,
    )


def _aggregate_inference(cells, *, group, time, covariates, inference, when, step, level, func):
    """Inference on the group x period cells: aggregate t test or pre/post collapse."""
    offset = _covariate_offset(cells, group, time, covariates, func)
    table = cells.groupby([group, time], observed=True, sort=True).agg(
        errors=("errors", "sum"), n=("n", "sum"), _treated=("_treated", "first"),
        _after=("_after", "first"), **{_EFFECT: (_EFFECT, "first")},
    )  # fmt: skip
    table = table.reset_index()
    y, v = cell_logits(table["errors"].to_numpy(float), table["n"].to_numpy(float))
    y = y - offset.reindex(pd.MultiIndex.from_frame(table[[group, time]])).to_numpy()
    fit = fit_aggregate(table, y, v, categorical=[group, time], numeric=[_EFFECT])
    unit = table[group].to_numpy()
    rho, p_serial, rho_upper = serial_correlation(
        fit, pd.factorize(unit)[0], table[time].to_numpy(), (table["_treated"] == 0).to_numpy()
    )
    serial = bool(p_serial < SERIAL_ALPHA)
    chosen = inference if inference != "auto" else ("collapsed" if serial else "aggregate")
    n_groups = table[group].nunique()
    n_treated = int(table.loc[table["_treated"] == 1, group].nunique())
    if chosen == "aggregate":
        factor = _serial_factor(table[time], table["_after"] == 1, rho_upper, step)
        estimate = fit.t_test(_EFFECT, level=level)
        log_odds = t_wald(estimate["estimate"], estimate["se"] * np.sqrt(factor), df=fit.df,
                          level=level)  # fmt: skip
        df, n_units = float(fit.df), len(table)
        inflation = f"; variance x {factor:.2f} for serial correlation" if factor > 1 else ""
    else:
        periods = design_matrix(table, categorical=[time], numeric=[]).iloc[:, 1:]
        units = {"unit": unit, "after": table["_after"].to_numpy() == 1,
                 "treated_unit": table["_treated"].to_numpy(),
                 "period_effect": periods.to_numpy() @ fit.params[periods.columns].to_numpy()}  # fmt: skip
        if chosen == "randomization":
            _check_assignments(n_groups, n_treated, group, func)
            log_odds = randomization_test(*unit_changes(fit, y, **units), level=level)
            df = float(log_odds.pop("assignments"))
        else:
            log_odds = collapsed_test(fit, y, level=level, **units)
            df = float(log_odds.pop("df"))
        n_units = n_groups
        inflation = ""
    detail = _inference_detail(chosen, inference, rho, p_serial, df, group) + inflation
    _warn_design(detail, df, serial, n_treated, rho, group, func, chosen, level)
    if chosen == "randomization":
        df = np.nan
    after = table[_EFFECT].to_numpy() == 1
    difference = rate_difference(
        table["errors"].to_numpy(float)[after], table["n"].to_numpy(float)[after], log_odds
    )
    return _Fitted(
        log_odds=log_odds,
        difference=difference,
        assumptions=[
            _trend_check(_aggregate_trend(table, y, v, group, time, when, step, level), level),
            _serial_check(rho, p_serial),
            _groups_check(n_treated, n_groups - n_treated, group),
        ],
        inference=chosen,
        detail=detail,
        df=df,
        n_units=n_units,
    )


def _serial_factor(times, after, rho, step) -> float:
    """Variance inflation of the before/after contrast under AR(1) shocks of correlation ``rho``.

    With the contrast ``c`` (``1/m₁`` on the ``m₁`` periods after the start, ``−1/m₀`` on
    the ``m₀`` before) and ``Σ_ij = ρ^|t_i − t_j|`` in periods, the factor is
    ``c'Σc / c'c``: 1 without serial correlation, above 1 when shocks persist. Negative or
    undefined ``rho`` counts as 0.
    """
    if not rho > 0:
        return 1.0
    distinct = pd.DataFrame({"t": times, "a": after}).drop_duplicates("t").sort_values("t")
    position = ((distinct["t"] - distinct["t"].iloc[0]) / step).to_numpy(dtype=float)
    side = distinct["a"].to_numpy()
    c = np.where(side, 1 / side.sum(), -1 / (~side).sum())
    sigma = min(rho, _MAX_RHO) ** np.abs(position[:, None] - position[None, :])
    return float(c @ sigma @ c / (c @ c))


def _covariate_offset(cells, group, time, covariates, func) -> pd.Series:
    """Each group x period cell's mean covariate log-odds (0 without covariates).

    The covariate coefficients come from the audit-level logistic model with group and
    period effects and the treatment term; a cell's offset is the audit-weighted mean of
    its audits' covariate part of the linear predictor, so a cell with a harder queue mix
    is not read as a worse cell.
    """
    keys = [group, time]
    if not covariates:
        return pd.Series(0.0, index=pd.MultiIndex.from_frame(cells[keys].drop_duplicates()))
    fit = fit_cells(
        cells, categorical=[*keys, *covariates], numeric=[_EFFECT], cluster=None, func=func
    )
    x = design_matrix(cells, categorical=covariates, numeric=[]).iloc[:, 1:]
    score = x.to_numpy() @ fit.params[x.columns].to_numpy()
    n = cells["n"].to_numpy(float)
    sums = pd.DataFrame({"s": n * score, "n": n}).groupby([cells[k] for k in keys]).sum()
    return sums["s"] / sums["n"]


def _aggregate_trend(table, y, v, group, time, when, step, level):
    """Treated-vs-comparison linear trend before the start, on the pre-period cells."""
    pre = (table["_after"] == 0).to_numpy()
    if table.loc[pre, time].nunique() < 3:
        return None
    frame = table[pre].assign(
        **{_TREND: table.loc[pre, "_treated"] * ((table.loc[pre, time] - when) / step)}
    )
    fit = fit_aggregate(frame, y[pre], v[pre], categorical=[group, time], numeric=[_TREND])
    return fit.t_test(_TREND, level=level)


def _inference_detail(chosen, asked, rho, p_serial, df, group) -> str:
    what = {
        "aggregate": f"{group} x period cells (adjusted empirical logits, weighted least squares "
        f"with {group} and period effects), t reference on {df:.0f} residual degrees of freedom",
        "collapsed": f"pre/post change of each {group}, treated against comparison {group}s by a "
        f"two-sample t test on {df:.0f} degrees of freedom (robust to serial correlation)",
        "randomization": f"randomisation inference: the treated {group}s' mean pre/post change "
        f"against the comparison {group}s', ranked among all {df:,.0f} assignments of as many "
        f"treated {group}s (exact p-value when {group}s are exchangeable, robust to serial "
        "correlation; interval by inverting the test for a constant effect)",
    }[chosen]
    if asked != "auto":
        return f"{what}; chosen by the caller"
    if np.isnan(rho):
        return f"{what}; too few periods to check for serially correlated shocks"
    verdict = "evidence of" if chosen == "collapsed" else "no evidence of"
    return (
        f"{what}; chosen because there is {verdict} serially correlated shocks (lag-1 "
        f"autocorrelation {rho:.2f}, one-sided p {p_serial:.3f})"
    )


def _check_assignments(n_groups, n_treated, group, func) -> None:
    """Raise when randomisation inference would enumerate too many assignments."""
    count = assignment_count(n_groups, n_treated)
    if count > MAX_ASSIGNMENTS:
        raise ValueError(
            f"inference='randomization' of {func} enumerates every assignment of {n_treated} "
            f"treated {group}s among {n_groups}: {count:,}, more than {MAX_ASSIGNMENTS:,}. With "
            "that many treated groups use inference='aggregate' or 'collapsed'."
        )


def _warn_design(detail, df, serial, n_treated, rho, group, func, chosen, level) -> None:
    """Warn when the design cannot support the inference it reports."""
    problems = []
    if chosen == "randomization":
        if 1 / df >= 1 - level:
            problems.append(
                f"only {df:,.0f} assignments of the treated {group}s exist, so no p-value can "
                f"fall below {1 / df:.3f} and the {level:.0%} interval may be unbounded"
            )
    elif df < 1:
        problems.append(
            f"no degrees of freedom are left ({detail}), so the interval and p-value are NaN"
        )
    elif serial and n_treated == 1 and chosen != "randomization":
        problems.append(
            f"one treated {group} with serially correlated shocks (lag-1 autocorrelation "
            f"{rho:.2f}): the interval rests on the treated {group}'s shocks being like the "
            f"comparison {group}s' (Conley & Taber 2011), which the data cannot check, and "
            "its false-positive rate may exceed the nominal level"
        )
    elif np.isnan(rho) and chosen != "randomization":
        problems.append(
            "too few periods to check for serially correlated shocks, which would make the "
            "interval too narrow"
        )
    if problems:
        warnings.warn(
            f"{func}: the design cannot fully support inference: {problems[0]}. Add treated "
            f"{group}s or periods, or read the estimate without its p-value.",
            UserWarning,
            stacklevel=4,
        )


def _serial_check(rho, p_serial) -> dict:
    if np.isnan(rho):
        return assumption_row("no serial correlation", np.nan, np.nan, None, "too few periods")
    return assumption_row(
        "no serial correlation",
        rho,
        p_serial,
        bool(p_serial >= SERIAL_ALPHA),
        f"lag-1 autocorrelation of the cell residuals {rho:.2f} (corrected for the fixed "
        f"effects); below p {SERIAL_ALPHA} the pre/post collapse is used",
    )


def _groups_check(n_treated, n_comparison, group) -> dict:
    return assumption_row(
        "treated groups",
        float(n_treated),
        np.nan,
        n_treated >= 2,
        f"{n_treated} treated and {n_comparison} comparison {group}s: with one treated "
        f"{group} the inference assumes its period shocks vary like the comparison {group}s'",
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
