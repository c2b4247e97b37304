"""Difference-in-differences on error rates: treated vs comparison groups, before vs after."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._caller import caller, public
from .._deprecation import renamed
from .._validation import as_column_list, format_values
from ..intervals import proportion_ci
from ._did_fit import EFFECT, aggregate_inference, cluster_inference
from ._inputs import (
    check_audits,
    check_has_errors,
    covariate_list,
    intervention_start,
    period_step,
)
from .result import DiffInDiffResult, effect_row

__all__ = ["diff_in_diff"]

INFERENCES = ("auto", "aggregate", "collapsed", "randomization", "cluster")


@public
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
    func = caller()
    group, time = by, period
    if inference not in INFERENCES:
        raise ValueError(
            f"The 'inference' parameter of {func} must be one of "
            f"{format_values(INFERENCES)}. Got {inference!r} instead."
        )
    covariates = covariate_list(covariates, reserved={group, time, cluster})
    clusters = [] if cluster is None or inference != "cluster" else [cluster]
    y = check_audits(audits, columns=[group, time, *covariates, *clusters], outcome=outcome, ci=ci)
    when = intervention_start(audits, time=time, start=start)
    treated_values = _group_values(audits, group, treated, "treated")
    if comparison is None:
        comparison_values = [v for v in audits[group].unique() if v not in treated_values]
    else:
        comparison_values = _group_values(audits, group, comparison, "comparison")
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
    _check_arms(rows, when)
    check_has_errors(rows["_y"].to_numpy())

    cells = rows.groupby(
        [group, time, *covariates, *clusters, "_treated", "_after"], observed=True, sort=True
    ).agg(errors=("_y", "sum"), n=("_y", "size"))
    cells = cells.reset_index()
    level = float(ci)
    cells[EFFECT] = cells["_treated"] * cells["_after"]
    step = period_step(rows[time])
    design = {"group": group, "time": time, "covariates": covariates, "when": when,
              "step": step, "level": level}  # fmt: skip
    if inference == "cluster":
        fitted = cluster_inference(cells, cluster=cluster, **design)
    else:
        fitted = aggregate_inference(cells, inference=inference, **design)
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


def _group_values(audits, group, values, name) -> list:
    func = caller()
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


def _check_arms(rows: pd.DataFrame, when: pd.Timestamp) -> None:
    """Each arm needs audits before and after the start."""
    func = caller()
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
