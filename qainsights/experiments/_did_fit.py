"""Difference-in-differences fits: the group x period cells, or the audits with clustered errors."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from .._caller import caller, user_stacklevel
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
from ._did_checks import (
    SERIAL_ALPHA,
    groups_check,
    inference_detail,
    serial_check,
    trend_check,
    warn_design,
)
from ._logistic import design_matrix, fit_cells, wald
from ._randomization import MAX_ASSIGNMENTS, assignment_count, randomization_test

#: the treatment term ``D`` of the model, 1 for treated audits from the start on
EFFECT = "treated_after"
_TREND = "treated_trend"
#: the largest lag-1 autocorrelation the AR(1) variance factor uses
_MAX_RHO = 0.95


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


def cluster_inference(cells, *, group, time, covariates, cluster, when, step, level):
    """The audit-level logistic model with standard errors clustered by ``cluster``."""
    categorical = [group, time, *covariates]
    fit = fit_cells(cells, categorical=categorical, numeric=[EFFECT], cluster=cluster)
    pre = cells[cells["_after"] == 0]
    trend = _pre_trend(pre, group, time, covariates, cluster, when, step, level)
    unit = "audits" if cluster is None else f"clusters of {cluster!r}"
    return _Fitted(
        log_odds=fit.wald(EFFECT, level=level),
        difference=_effect_on_treated(fit, level),
        assumptions=[
            trend_check(trend, level),
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


def aggregate_inference(cells, *, group, time, covariates, inference, when, step, level):
    """Inference on the group x period cells: aggregate t test or pre/post collapse."""
    offset = _covariate_offset(cells, group, time, covariates)
    table = cells.groupby([group, time], observed=True, sort=True).agg(
        errors=("errors", "sum"), n=("n", "sum"), _treated=("_treated", "first"),
        _after=("_after", "first"), **{EFFECT: (EFFECT, "first")},
    )  # fmt: skip
    table = table.reset_index()
    y, v = cell_logits(table["errors"].to_numpy(float), table["n"].to_numpy(float))
    y = y - offset.reindex(pd.MultiIndex.from_frame(table[[group, time]])).to_numpy()
    fit = fit_aggregate(table, y, v, categorical=[group, time], numeric=[EFFECT])
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
        estimate = fit.t_test(EFFECT, level=level)
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
            _check_assignments(n_groups, n_treated, group)
            log_odds = randomization_test(*unit_changes(fit, y, **units), level=level)
            df = float(log_odds.pop("assignments"))
        else:
            log_odds = collapsed_test(fit, y, level=level, **units)
            df = float(log_odds.pop("df"))
        n_units = n_groups
        inflation = ""
    detail = inference_detail(chosen, inference, rho, p_serial, df, group) + inflation
    warn_design(detail, df, serial, n_treated, rho, group, chosen, level)
    if chosen == "randomization":
        df = np.nan
    after = table[EFFECT].to_numpy() == 1
    difference = rate_difference(
        table["errors"].to_numpy(float)[after], table["n"].to_numpy(float)[after], log_odds
    )
    return _Fitted(
        log_odds=log_odds,
        difference=difference,
        assumptions=[
            trend_check(_aggregate_trend(table, y, v, group, time, when, step, level), level),
            serial_check(rho, p_serial),
            groups_check(n_treated, n_groups - n_treated, group),
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


def _covariate_offset(cells, group, time, covariates) -> pd.Series:
    """Each group x period cell's mean covariate log-odds (0 without covariates).

    The covariate coefficients come from the audit-level logistic model with group and
    period effects and the treatment term; a cell's offset is the audit-weighted mean of
    its audits' covariate part of the linear predictor, so a cell with a harder queue mix
    is not read as a worse cell.
    """
    keys = [group, time]
    if not covariates:
        return pd.Series(0.0, index=pd.MultiIndex.from_frame(cells[keys].drop_duplicates()))
    fit = fit_cells(cells, categorical=[*keys, *covariates], numeric=[EFFECT], cluster=None)
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


def _check_assignments(n_groups, n_treated, group) -> None:
    """Raise when randomisation inference would enumerate too many assignments."""
    func = caller()
    count = assignment_count(n_groups, n_treated)
    if count > MAX_ASSIGNMENTS:
        raise ValueError(
            f"inference='randomization' of {func} enumerates every assignment of {n_treated} "
            f"treated {group}s among {n_groups}: {count:,}, more than {MAX_ASSIGNMENTS:,}. With "
            "that many treated groups use inference='aggregate' or 'collapsed'."
        )


def _effect_on_treated(fit, level) -> dict[str, float]:
    """Mean fitted probability minus counterfactual over treated audits after the start."""
    on = (fit.patterns[EFFECT] == 1).to_numpy()
    x = fit.design.to_numpy(dtype=float)[on]
    n = fit.patterns["n"].to_numpy(float)[on]
    beta = fit.params.to_numpy()
    column = list(fit.design.columns).index(EFFECT)
    p1 = expit(x @ beta)
    p0 = expit(x @ beta - beta[column])
    total = n.sum()
    estimate = float(n @ (p1 - p0) / total)
    gradient = ((n * (p1 * (1 - p1) - p0 * (1 - p0))) @ x) / total
    gradient[column] = n @ (p1 * (1 - p1)) / total
    return wald(estimate, float(np.sqrt(gradient @ fit.cov.to_numpy() @ gradient)), level=level)


def _pre_trend(pre, group, time, covariates, cluster, when, step, level):
    """Odds ratio per period of the treated groups' extra linear trend before the start."""
    func = caller()
    periods = pre[time].nunique()
    if periods < 3:
        warnings.warn(
            f"{func}: the pre-period has {periods} periods; at least 3 are needed to check "
            "parallel trends, so that check is NaN.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return None
    pre = pre.assign(**{_TREND: pre["_treated"] * ((pre[time] - when) / step)})
    fit = fit_cells(pre, categorical=[group, time, *covariates], numeric=[_TREND], cluster=cluster)
    return fit.wald(_TREND, level=level)
