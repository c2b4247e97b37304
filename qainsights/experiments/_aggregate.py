"""Inference at the level where a treatment varies: the group x period aggregate.

Audits of one site and week share that week's shocks (an outage, a backlog, a difficult
news cycle), so the information about a site-level intervention is in the site x period
cells, not in the audits. Each cell's error rate becomes an empirical logit, adjusted for
the cell's covariate mix, and a weighted least-squares regression with group and period
effects estimates the intervention effect with a t reference on the residual degrees of
freedom (Donald & Lang 2007). The weights are ``1 / (v + τ²)``: the binomial sampling
variance ``v`` of each cell's logit plus the between-cell shock variance ``τ²``, estimated
by moments from an unweighted first pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit, logit

from ._logistic import design_matrix

#: the empirical logit's continuity correction (Cox 1970; Haldane 1955)
_HALF = 0.5
#: one-sided level of the upper bound on the residual autocorrelation
UPPER_LEVEL = 0.2


@dataclass(frozen=True)
class AggregateFit:
    """A weighted least-squares fit on group x period cells."""

    params: pd.Series
    cov: pd.DataFrame
    df: int
    tau2: float
    weights: np.ndarray
    residuals: np.ndarray

    def t_test(self, term: str, *, level: float) -> dict[str, float]:
        """Coefficient ``term`` with its t interval and p-value on ``df`` degrees of freedom."""
        return t_wald(float(self.params[term]), float(np.sqrt(self.cov.loc[term, term])),
                      df=self.df, level=level)  # fmt: skip


def t_wald(estimate: float, se: float, *, df: float, level: float) -> dict[str, float]:
    """``estimate ± t·se`` with the two-sided p-value against 0, on ``df`` degrees of freedom.

    NaN when there are no residual degrees of freedom.
    """
    if not df >= 1 or not np.isfinite(se):
        return {"estimate": estimate, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                "p_value": np.nan}  # fmt: skip
    q = stats.t.isf((1 - level) / 2, df)
    return {
        "estimate": estimate,
        "se": se,
        "ci_low": estimate - q * se,
        "ci_high": estimate + q * se,
        "p_value": float(2 * stats.t.sf(abs(estimate) / se, df)) if se > 0 else np.nan,
    }


def cell_logits(errors: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Empirical logits ``log((k + ½)/(n − k + ½))`` and their sampling variances."""
    y = np.log((errors + _HALF) / (n - errors + _HALF))
    return y, 1 / (errors + _HALF) + 1 / (n - errors + _HALF)


def fit_aggregate(
    cells: pd.DataFrame, y: np.ndarray, v: np.ndarray, *, categorical, numeric
) -> AggregateFit:
    """Weighted least squares of ``y`` on the design, weights ``1 / (v + τ²)``.

    ``τ²`` is the moment estimate ``max(0, RSS/df − mean(v))`` of an unweighted first
    pass; the residual variance of the weighted fit is estimated (a dispersion) and the
    covariance is ``σ² (X'WX)⁻¹``.
    """
    x = design_matrix(cells, categorical=categorical, numeric=numeric)
    names = list(x.columns)
    x = x.to_numpy(dtype=float)
    rank = np.linalg.matrix_rank(x)
    df = len(y) - rank
    first = np.linalg.lstsq(x, y, rcond=None)[0]
    rss = float(((y - x @ first) ** 2).sum())
    tau2 = max(0.0, rss / df - float(v.mean())) if df > 0 else 0.0
    w = 1 / (v + tau2)
    bread = np.linalg.pinv(x.T @ (x * w[:, None]))
    params = bread @ (x.T @ (w * y))
    residuals = y - x @ params
    sigma2 = float(w @ residuals**2 / df) if df > 0 else np.nan
    return AggregateFit(
        params=pd.Series(params, index=names),
        cov=pd.DataFrame(sigma2 * bread, index=names, columns=names),
        df=int(df),
        tau2=tau2,
        weights=w,
        residuals=residuals,
    )


def serial_correlation(
    fit: AggregateFit, unit: np.ndarray, order: np.ndarray, use: np.ndarray
) -> tuple[float, float, float]:
    """Lag-1 autocorrelation of the standardised residuals within units, p-value, upper bound.

    Only the cells in ``use`` count: the comparison units, because the treatment term fits
    a treated unit's shift at the start exactly, and with it the persistence that matters.

    Residuals of a fit with unit effects over ``T`` periods are negatively autocorrelated
    by about ``−1/(T − 1)`` even without serial correlation (Nickell 1981); the estimate is
    corrected by that amount. The p-value is one-sided (positive autocorrelation, the kind
    that makes the aggregate t test too optimistic; Bertrand, Duflo & Mullainathan 2004),
    with the normal approximation ``z = ρ √pairs``; the upper bound is
    ``ρ + z_{0.2}/√pairs``, a one-sided 80 % bound.
    """
    r = (fit.residuals * np.sqrt(fit.weights))[use]
    unit, order = unit[use], order[use]
    sort = np.lexsort((order, unit))
    r, unit = r[sort], unit[sort]
    same = unit[1:] == unit[:-1]
    pairs = int(same.sum())
    periods = len(r) / len(np.unique(unit))
    if pairs < 3 or periods < 3:
        return np.nan, np.nan, np.nan
    rho = float((r[1:] * r[:-1])[same].sum() / (r**2).sum()) + 1 / (periods - 1)
    upper = rho + stats.norm.isf(UPPER_LEVEL) / np.sqrt(pairs)
    return rho, float(stats.norm.sf(rho * np.sqrt(pairs))), upper


def unit_changes(fit, y, *, unit, after, treated_unit, period_effect):
    """Each unit's weighted mean period-adjusted logit after the start minus before, and
    whether the unit is treated (both in the sorted order of the units).
    """
    codes, _ = pd.factorize(unit, sort=True)
    adjusted = y - period_effect
    change = np.zeros(codes.max() + 1)
    for side, sign in ((after, 1.0), (~after, -1.0)):
        w = np.where(side, fit.weights, 0.0)
        change += sign * np.bincount(codes, w * adjusted) / np.bincount(codes, w)
    return change, np.bincount(codes, treated_unit) > 0


def collapsed_test(
    fit: AggregateFit,
    y: np.ndarray,
    *,
    unit: np.ndarray,
    after: np.ndarray,
    treated_unit: np.ndarray,
    period_effect: np.ndarray,
    level: float,
) -> dict[str, float]:
    """Pre/post collapse per unit (Bertrand, Duflo & Mullainathan 2004).

    Each unit's period-adjusted logits ``y − γ_t`` are averaged (with the fit's weights)
    before and after the start; the effect is the mean change of the treated units minus
    that of the comparison units, tested by the pooled two-sample t on ``G − 2`` degrees of
    freedom, so serial correlation within a unit cannot shrink the standard error.
    """
    change, is_treated = unit_changes(
        fit, y, unit=unit, after=after, treated_unit=treated_unit, period_effect=period_effect
    )
    g1, g0 = int(is_treated.sum()), int((~is_treated).sum())
    estimate = float(change[is_treated].mean() - change[~is_treated].mean())
    df = g1 + g0 - 2
    if df < 1:
        return t_wald(estimate, np.nan, df=0, level=level) | {"df": 0}
    pooled = (
        ((change[is_treated] - change[is_treated].mean()) ** 2).sum()
        + ((change[~is_treated] - change[~is_treated].mean()) ** 2).sum()
    ) / df
    se = float(np.sqrt(pooled * (1 / g1 + 1 / g0)))
    return t_wald(estimate, se, df=df, level=level) | {"df": df}


def rate_difference(errors: np.ndarray, n: np.ndarray, log_odds: dict) -> dict[str, float]:
    """The odds-ratio effect on the probability scale, over the treated cells after the start.

    ``g(b) = Σ n (p − expit(logit p − b)) / Σ n`` over those cells (observed rates ``p``):
    the error rate they had minus the rate they would have had without the effect. ``g``
    is increasing in ``b``, so the interval is ``g`` at the ends of ``b``'s interval and
    the p-value is ``b``'s.
    """
    p = errors / n

    def g(b: float) -> float:
        with np.errstate(divide="ignore"):
            return float(n @ (p - expit(logit(p) - b)) / n.sum())

    return {
        "estimate": g(log_odds["estimate"]),
        "ci_low": g(log_odds["ci_low"]) if np.isfinite(log_odds["ci_low"]) else np.nan,
        "ci_high": g(log_odds["ci_high"]) if np.isfinite(log_odds["ci_high"]) else np.nan,
        "p_value": log_odds["p_value"],
    }
