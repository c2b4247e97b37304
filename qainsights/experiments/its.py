"""Interrupted time series: segmented regression of a period error rate around a start date."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import expit
from statsmodels.stats.stattools import durbin_watson

from .._caller import caller, public, user_stacklevel
from .._deprecation import renamed
from .._validation import check_integer, format_values
from ..intervals import proportion_ci
from ._aggregate import t_wald
from ._inputs import check_audits, check_has_errors, intervention_start, period_step
from ._logistic import fit_cells
from .result import InterruptedSeriesResult, assumption_row, effect_row

__all__ = ["interrupted_series"]

_TERMS = ("period", "level_change", "slope_change")
#: fewest periods on each side (hard limit) and recommended (Penfold & Zhang, 2013)
MIN_PERIODS, RECOMMENDED_PERIODS = 3, 8
#: Durbin-Watson range read as no first-order autocorrelation (rule of thumb)
DURBIN_WATSON_RANGE = (1.5, 2.5)
VARIANCES = ("ar1", "quasi", "hac")
#: Periods below which Newey-West intervals are not offered without a warning: the estimator's
#: lag rule, floor(4 (m/100)^(2/9)), is calibrated from 100 periods (Newey & West 1994).
HAC_MIN_PERIODS = 100
#: one-sided level of the upper bound on the AR(1) coefficient, and the largest coefficient used
AR1_UPPER_LEVEL, MAX_RHO = 0.2, 0.95


def _newey_west_lags(periods: int) -> int:
    """Newey & West's (1994) rule for the Bartlett kernel: ``floor(4 (m/100)^(2/9))``."""
    return int(np.floor(4 * (periods / 100) ** (2 / 9)))


def _hac_covariance(x, residual, bread, lags) -> np.ndarray:
    """Newey-West sandwich of a binomial GLM: Bartlett-weighted autocovariances of the scores.

    ``bread`` is the inverse Fisher information; the scores are ``x_t (k_t − n_t p_t)``.
    """
    scores = x * residual[:, None]
    meat = scores.T @ scores
    for lag in range(1, lags + 1):
        weight = 1 - lag / (lags + 1)
        gamma = scores[lag:].T @ scores[:-lag]
        meat += weight * (gamma + gamma.T)
    return bread @ meat @ bread


def _ar1_covariance(x, weight, pearson, bread, position) -> tuple[np.ndarray, float, float]:
    """Covariance of the quasi-binomial estimate when the residuals follow an AR(1) process.

    With ``X̃ = W^½ X`` (``W`` the binomial weights ``n p (1 − p)``), the residual maker
    ``M = I − X̃ (X̃'X̃)⁻¹ X̃'`` and ``Σ(ρ) = ρ^|t_i − t_j|`` over the periods' positions,
    the lag-1 autocorrelation ``r₁`` of the Pearson residuals has expectation about
    ``tr(M A M Σ) / tr(M Σ)`` (``A`` halves the lag-1 neighbours; the ratio of expectations
    of Durbin & Watson 1950). ``ρ`` solves that equation for the observed ``r₁`` (bias
    corrected: the fit's own residuals are negatively autocorrelated), is raised to its
    one-sided 80 % upper bound ``ρ + z₀.₂/√m`` and capped at 0.95; the dispersion is
    ``φ = max(1, r'r / tr(M Σ))`` and the covariance ``φ B X̃'ΣX̃ B`` with ``B = (X̃'X̃)⁻¹``
    (a sandwich with an AR(1) working correlation, Liang & Zeger 1986).

    Returns the covariance, the bias-corrected ``ρ`` and the ``ρ`` used.
    """
    m = len(pearson)
    scaled = x * np.sqrt(weight)[:, None]
    maker = np.eye(m) - scaled @ np.linalg.solve(scaled.T @ scaled, scaled.T)
    lag = np.zeros((m, m))
    lag[np.arange(m - 1), np.arange(1, m)] = lag[np.arange(1, m), np.arange(m - 1)] = 0.5
    numerator = maker @ lag @ maker
    gap = np.abs(position[:, None] - position[None, :])
    observed = float(pearson[1:] @ pearson[:-1] / (pearson @ pearson))

    def excess(rho: float) -> float:
        sigma = np.sign(rho) ** gap * np.abs(rho) ** gap
        return float((numerator * sigma).sum() / (maker * sigma).sum()) - observed

    if excess(-MAX_RHO) >= 0:
        rho = -MAX_RHO
    elif excess(MAX_RHO) <= 0:
        rho = MAX_RHO
    else:
        rho = optimize.brentq(excess, -MAX_RHO, MAX_RHO, xtol=1e-8)
    used = min(max(rho + stats.norm.isf(AR1_UPPER_LEVEL) / np.sqrt(m), 0.0), MAX_RHO)
    sigma = used**gap
    dispersion = max(float(pearson @ pearson / (maker * sigma).sum()), 1.0)
    cov = dispersion * bread @ (scaled.T @ sigma @ scaled) @ bread
    return cov, float(rho), float(used)


@public
@renamed(time="period")
def interrupted_series(
    audits, *, period="week", start, outcome="is_error", variance="ar1", maxlags=None, ci=0.95
):
    """Segmented logistic regression of the error rate per period around ``start``.

    The model, fitted to the errors and audits of each period, is
    ``logit p_t = β₀ + β₁ t + β₂ post_t + β₃ (t − t₀) post_t``, with ``t`` counted in
    periods (the smallest gap between periods), ``t₀`` the start and ``post_t = 1`` from
    the start on. ``exp(β₂)`` is the immediate change in the error odds (``level_change``)
    and ``exp(β₃)`` the change of the trend per period (``slope_change``), both against
    the pre-period trend carried on (``counterfactual`` in the series).

    Error rates vary more between periods than binomial sampling says, and a period's
    shock (a backlog, a staffing gap) persists into the next ones. The default
    ``variance="ar1"`` allows for both: the coefficients are the binomial (quasi-)likelihood
    estimates, and their covariance is the sandwich under an AR(1) correlation of the
    Pearson residuals, with the coefficient estimated by moments corrected for the bias of
    a regression's residuals and raised to its one-sided 80 % upper bound, and the
    dispersion estimated alongside (floored at 1); intervals and p-values use Student's t
    on ``m − 4`` degrees of freedom over ``m`` periods. Measured on 20 weekly periods
    (``benchmarks/calibration_experiments.py``) it keeps the false-positive rate at or
    below the nominal 5 % with independent or AR(0.5) shocks, where the two older choices
    reach 9-14 % and 25 %: ``variance="quasi"`` scales the variances by the Pearson
    dispersion ``φ = X²/(m − 4)`` (quasi-binomial, as statsmodels' ``scale="X2"`` for
    proportions with ``var_weights=n``), floored at 1, and assumes independent periods: it
    is not robust to autocorrelated weeks (8.5 % false positives at nominal 5 % on
    20 weeks with AR(0.5) shocks), so the function always warns with it and points to
    ``variance="ar1"``;
    ``variance="hac"`` uses the Newey-West covariance of the scores (Bartlett kernel,
    ``maxlags`` lags), which needs long series: below 100 periods it always warns (29 %
    false positives at nominal 5 % on 20 weeks with AR(0.5) shocks), and from 100 on it
    warns when the Durbin-Watson statistic is below 1.5. ``result.assumptions`` reports the
    autocorrelation estimated and the coefficient used. The series is the period totals
    of all audits: errors are not clustered by moderator (moderators recur across weeks,
    and the period residuals carry their share). There is no comparison group: a
    change elsewhere in the operation at the same time (a mix shift, a guideline) is part
    of the estimate, which is why :func:`diff_in_diff` is preferred when a comparison group
    exists. To find when a rate actually changed, rather than test a known date, use
    :func:`qainsights.trends.detect_changepoints`.

    Parameters
    ----------
    audits : pandas.DataFrame
        One row per audit.
    period : str, default "week"
        Period column (datetime64), evenly spaced.
    start : date-like
        First period of the intervention.
    outcome : str, default "is_error"
        True/False (or 1/0) column.
    variance : {"ar1", "quasi", "hac"}, default "ar1"
        AR(1)-robust quasi-binomial variances (above), quasi-binomial variances for
        independent periods (not robust to autocorrelated weeks: warns), or Newey-West
        (autocorrelation-robust for long series).
    maxlags : int, optional
        Lags of the Newey-West covariance; default ``floor(4 (m/100)^(2/9))`` (Newey & West
        1994).
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    InterruptedSeriesResult
        ``effects`` (``level_change``, ``slope_change`` as odds ratios with ``ci_low``,
        ``ci_high``, ``p_value``), ``series`` per period (``n``, ``errors``, ``rate``,
        Wilson ``ci_low``/``ci_high``, ``fitted``, ``counterfactual``), ``assumptions``
        (periods per side, binomial dispersion, Durbin-Watson autocorrelation) and
        ``dispersion``.

    Raises
    ------
    ValueError
        For missing columns or values, ``start`` outside the periods, fewer than three
        periods before or after it, no errors at all, or a bad ``variance``/``maxlags``.

    Warns
    -----
    UserWarning
        With ``"quasi"``, always (not robust to autocorrelated weeks; use ``"ar1"``); with
        ``"hac"``, below 100 periods, or when the Pearson residuals are positively
        autocorrelated (Durbin-Watson below 1.5); with ``"ar1"``, when the estimated AR(1)
        coefficient reaches its cap of 0.95 (the series cannot tell persistent shocks
        from a change, and the interval may still be too narrow).

    References
    ----------
    .. [1] Wagner, A. K., Soumerai, S. B., Zhang, F. & Ross-Degnan, D. (2002). Segmented
       regression analysis of interrupted time series studies in medication use research.
       Journal of Clinical Pharmacy and Therapeutics 27, 299-309.
    .. [2] Penfold, R. B. & Zhang, F. (2013). Use of interrupted time series analysis in
       evaluating health care quality improvements. Academic Pediatrics 13, S38-S44.
    .. [3] McCullagh, P. & Nelder, J. A. (1989). Generalized Linear Models, 2nd ed.
       Chapman & Hall, section 4.5 (over-dispersion).
    .. [4] Newey, W. K. & West, K. D. (1987, 1994). A simple, positive semi-definite,
       heteroskedasticity and autocorrelation consistent covariance matrix. Econometrica 55,
       703-708; Automatic lag selection in covariance matrix estimation. Review of Economic
       Studies 61, 631-653.
    .. [5] statsmodels ``GLM(rate, X, family=Binomial(), var_weights=n).fit(scale="X2")``
       and ``.fit(cov_type="HAC")``, the references the tests compare against.
    .. [6] Durbin, J. & Watson, G. S. (1950). Testing for serial correlation in least
       squares regression I. Biometrika 37, 409-428 (moments of residual autocorrelation).
    .. [7] Liang, K.-Y. & Zeger, S. L. (1986). Longitudinal data analysis using generalized
       linear models. Biometrika 73, 13-22 (working correlation, sandwich covariance).
    .. [8] Turner, S. L. et al. (2021). Evaluation of statistical methods used in the
       analysis of interrupted time series studies: a simulation study. BMC Medical
       Research Methodology 21, 181 (short autocorrelated series over-reject).

    Examples
    --------
    >>> weeks = pd.date_range("2026-01-05", periods=12, freq="7D")
    >>> errors = [40, 44, 36, 41, 47, 43, 24, 21, 25, 19, 23, 22]
    >>> audits = pd.DataFrame({
    ...     "week": np.repeat(weeks, 400),
    ...     "is_error": np.concatenate([np.arange(400) < k for k in errors]),
    ... })
    >>> result = interrupted_series(audits, start="2026-02-16")
    >>> result.effects[["effect", "estimate", "ci_low", "ci_high"]].round(3)
             effect  estimate  ci_low  ci_high
    0  level_change     0.485   0.294    0.799
    1  slope_change     0.965   0.830    1.121
    """
    func = caller()
    time = period
    if variance not in VARIANCES:
        raise ValueError(
            f"The 'variance' parameter of {func} must be one of {format_values(VARIANCES)}. "
            f"Got {variance!r} instead."
        )
    if maxlags is not None:
        check_integer(maxlags, name="maxlags", minimum=0, rule="an integer >= 0")
    y = check_audits(audits, columns=[time], outcome=outcome, ci=ci)
    when = intervention_start(audits, time=time, start=start)
    check_has_errors(y)
    level = float(ci)
    series = (
        pd.DataFrame({time: audits[time].to_numpy(), "_y": y})
        .groupby(time, sort=True)["_y"]
        .agg(n="size", errors="sum")
        .astype("int64")
        .reset_index()
    )
    after = (series[time] >= when).to_numpy()
    sides = np.array([(~after).sum(), after.sum()])
    if sides.min() < MIN_PERIODS:
        raise ValueError(
            f"{func} needs at least {MIN_PERIODS} periods before and after the start to fit a "
            f"level and a trend on each side. Got {sides[0]} before and {sides[1]} from "
            f"{when.date()} on. Move 'start' or use a finer 'period' column."
        )
    step = period_step(series[time])
    since_start = ((series[time] - when) / step).to_numpy(dtype=float)
    cells = series.assign(
        period=since_start - since_start[0],
        level_change=after.astype(float),
        slope_change=np.where(after, since_start, 0.0),
    )
    fit = fit_cells(cells, categorical=[], numeric=list(_TERMS), cluster=None)
    x = fit.design.to_numpy(dtype=float)
    beta = fit.params.to_numpy()
    fitted = expit(x @ beta)
    errors, n = cells["errors"].to_numpy(float), cells["n"].to_numpy(float)
    pearson = (errors - n * fitted) / np.sqrt(n * fitted * (1 - fitted))
    df_resid = len(cells) - len(beta)
    dispersion = float(pearson @ pearson / df_resid)
    rho = rho_used = np.nan
    if variance == "ar1":
        weight = n * fitted * (1 - fitted)
        cov, rho, rho_used = _ar1_covariance(
            x, weight, pearson, fit.cov.to_numpy(), cells["period"].to_numpy()
        )
    elif variance == "hac":
        lags = _newey_west_lags(len(cells)) if maxlags is None else maxlags
        cov = _hac_covariance(x, errors - n * fitted, fit.cov.to_numpy(), lags)
    else:
        cov = fit.cov.to_numpy() * max(dispersion, 1.0)
    rows = [
        effect_row(
            term,
            "ratio",
            t_wald(float(beta[j]), float(np.sqrt(cov[j, j])), df=df_resid, level=level),
            exponentiate=True,
        )
        for j, term in enumerate(fit.params.index)
        if term in ("level_change", "slope_change")
    ]
    low, high = proportion_ci(errors, n, ci=level)
    counterfactual = expit(beta[0] + beta[1] * cells["period"].to_numpy())
    table = series.assign(
        rate=errors / n,
        ci_low=low,
        ci_high=high,
        fitted=fitted,
        counterfactual=np.where(after, counterfactual, np.nan),
    )
    checks = _checks(sides, pearson, df_resid, dispersion)
    if variance == "ar1":
        checks.append(_ar1_check(rho, rho_used))
        _warn_ar1_cap(rho, len(cells))
    else:
        _warn_autocorrelation(checks[-1]["statistic"], len(cells), variance)
    return InterruptedSeriesResult(
        effects=pd.DataFrame(rows),
        series=table,
        assumptions=pd.DataFrame(checks),
        start=when,
        ci=level,
        dispersion=dispersion,
    )


def _ar1_check(rho: float, used: float) -> dict:
    return assumption_row(
        "AR(1) coefficient",
        rho,
        np.nan,
        bool(rho < MAX_RHO),
        f"lag-1 autocorrelation of the period residuals {rho:.2f} after the regression's bias; "
        f"the variances use {used:.2f}, its one-sided {1 - AR1_UPPER_LEVEL:.0%} upper bound "
        f"(capped at {MAX_RHO})",
    )


def _warn_ar1_cap(rho: float, periods: int) -> None:
    """Warn when the AR(1) estimate reaches its cap: the design cannot support inference."""
    func = caller()
    if rho >= MAX_RHO:
        warnings.warn(
            f"{func}: the period residuals are so persistent over {periods} periods that the "
            f"estimated AR(1) coefficient reaches its cap of {MAX_RHO}; the series cannot tell persistent "
            "shocks from a change, so the interval and p-value may be too optimistic. Prefer "
            "diff_in_diff with a comparison group.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def _warn_autocorrelation(dw: float, periods: int, variance: str) -> None:
    """Warn when the residuals are positively autocorrelated: the intervals are too narrow.

    ``variance="quasi"`` always warns: it is not robust to autocorrelated periods, and the
    Durbin-Watson check misses most series whose shocks persist.
    """
    func = caller()
    if variance == "quasi":
        seen = (
            f"the weekly residuals are positively autocorrelated (Durbin-Watson {dw:.2f} over "
            f"{periods} periods), and "
            if dw < DURBIN_WATSON_RANGE[0]
            else ""
        )
        warnings.warn(
            f"{func}: {seen}variance='quasi' assumes independent periods and is not robust to "
            "autocorrelated weeks: when a week's shock persists into the next ones its interval "
            "and p-value are too optimistic, even where the Durbin-Watson check does not see "
            "it. Use variance='ar1' (the default).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    elif periods < HAC_MIN_PERIODS:
        warnings.warn(
            f"{func}: variance='hac' on {periods} periods: the Newey-West covariance needs a "
            f"long series (at least {HAC_MIN_PERIODS} periods) and is too narrow on short ones "
            "(29 % false positives at nominal 5 % on 20 weekly periods with AR(0.5) shocks), "
            "whatever the Durbin-Watson check says. Use variance='ar1' (the default).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    elif dw < DURBIN_WATSON_RANGE[0]:
        remedy = (
            "the Newey-West covariance is itself too narrow with few periods; use variance='ar1'"
        )
        warnings.warn(
            f"{func}: the weekly residuals are positively autocorrelated (Durbin-Watson "
            f"{dw:.2f} over {periods} periods), so the interval and p-value are too optimistic "
            f"and the design cannot support them; {remedy}. Prefer diff_in_diff with a "
            "comparison group.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def _checks(sides, pearson, df_resid, dispersion) -> list[dict]:
    low, high = DURBIN_WATSON_RANGE
    dw = float(durbin_watson(pearson))
    x2_p = float(stats.chi2.sf(dispersion * df_resid, df_resid))
    return [
        assumption_row(
            "periods on each side",
            float(sides.min()),
            np.nan,
            bool(sides.min() >= RECOMMENDED_PERIODS),
            f"{sides[0]} before and {sides[1]} after (at least {RECOMMENDED_PERIODS} recommended)",
        ),
        assumption_row(
            "binomial dispersion",
            dispersion,
            x2_p,
            bool(x2_p >= 0.05),
            f"Pearson dispersion {dispersion:.2f}; intervals are scaled by it when above 1",
        ),
        assumption_row(
            "no autocorrelation",
            dw,
            np.nan,
            bool(low <= dw <= high),
            f"Durbin-Watson {dw:.2f} on Pearson residuals (about 2 when none; {low} to {high} "
            "accepted)",
        ),
    ]
