"""Two-arm comparison of error rates: difference, ratio and adjusted odds ratio."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from .._caller import public, user_stacklevel
from .._validation import format_values
from ..intervals import proportion_ci
from ..rates import _error_rate
from ..trends._inference import difference_ci
from ._checks import cluster_check, events_check
from ._inputs import check_audits, check_has_errors, covariate_list
from ._logistic import fit_cells
from .result import ABTestResult, assumption_row, effect_row

__all__ = ["ab_test"]

_TREATMENT = "treatment"
#: smallest expected count per cell of the 2 x 2 table for the z-test (Cochran, 1954)
MIN_EXPECTED = 5


@public
def ab_test(
    audits,
    *,
    arm,
    treatment,
    control=None,
    outcome="is_error",
    covariates=None,
    cluster="moderator_id",
    ci=0.95,
):
    """Compare the error rates of two arms: difference, ratio and adjusted odds ratio.

    - ``rate_difference`` (treatment − control) with Newcombe's hybrid score interval
      (his method 10), built from each arm's Wilson interval.
    - ``rate_ratio`` (treatment / control) with the Katz log interval,
      ``log RR ± z·sqrt(1/k₁ − 1/n₁ + 1/k₀ − 1/n₀)``; NaN with a warning when an arm has
      no errors.
    - Their p-value: Fisher's exact test when an expected count of the 2 x 2 table is below
      5, else the pooled two-proportion z-test (Pearson's chi-square without continuity
      correction).
    - ``odds_ratio`` of the treatment arm from a logistic regression on binomial cells,
      adjusted for ``covariates`` (queue, policy, market mix), with standard errors
      clustered by ``cluster``; its p-value is the Wald test. Odds ratios are
      non-collapsible: adjusting moves them away from 1 even without confounding. NaN with
      a warning when an arm has no errors or only errors.

    With ``cluster`` (the default: a moderator's audits share the moderator), the counts
    behind the difference, the ratio and their test are each arm's effective counts: the
    arm's cluster-robust variance of its rate, ``G/(G − 1) · Σ_c (k_c − p n_c)² / N²`` over
    its ``G`` clusters, gives a design effect ``deff`` (floored at 1) and the arm's ``n``
    and errors are divided by it (Kish 1965), so the intervals and p-values carry the
    clustering as the odds ratio's do. ``cluster=None`` treats audits as independent.

    Parameters
    ----------
    audits : pandas.DataFrame
        One row per audit.
    arm : str
        Column naming each audit's arm.
    treatment : str
        Value of ``arm`` of the treatment arm.
    control : str, optional
        Value of ``arm`` of the control arm; default all other audits.
    outcome : str, default "is_error"
        True/False (or 1/0) column.
    covariates : str or list of str, optional
        Categorical columns the odds ratio is adjusted for.
    cluster : str or None, default "moderator_id"
        Column of clusters (the unit of randomisation or of shared errors) behind every
        interval and p-value; ``None`` for independent audits.
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    ABTestResult
        ``rates`` per arm (from :func:`qainsights.error_rate`; with ``cluster`` also
        ``deff`` and ``n_eff``, and Wilson intervals on the effective counts), ``effects``
        (the three rows above with ``estimate``, ``ci_low``, ``ci_high``, ``p_value``) and
        ``assumptions``.

    Raises
    ------
    ValueError
        For missing columns or values, an empty arm, no errors in either arm (or only
        errors), or fewer than two clusters in an arm.

    References
    ----------
    .. [1] Newcombe, R. G. (1998). Interval estimation for the difference between
       independent proportions: comparison of eleven methods. Statistics in Medicine 17,
       873-890.
    .. [2] Katz, D., Baptista, J., Azen, S. P. & Pike, M. C. (1978). Obtaining confidence
       intervals for the risk ratio in cohort studies. Biometrics 34, 469-474.
    .. [3] Fisher, R. A. (1935). The Design of Experiments. Oliver & Boyd.
    .. [4] Kish, L. (1965). Survey Sampling. Wiley (design effect).
    .. [5] statsmodels ``confint_proportions_2indep``, ``OLS(...).fit(cov_type="cluster")``
       and ``Logit(...).fit(cov_type="cluster")``, scipy ``fisher_exact`` and
       ``chi2_contingency``: the references the tests compare against.

    Examples
    --------
    Newcombe's (1998) example 56/70 against 48/80:

    >>> audits = pd.DataFrame({
    ...     "arm": ["new"] * 70 + ["old"] * 80,
    ...     "is_error": [True] * 56 + [False] * 14 + [True] * 48 + [False] * 32,
    ... })
    >>> result = ab_test(audits, arm="arm", treatment="new", cluster=None)
    >>> result.effects[["effect", "estimate", "ci_low", "ci_high"]].round(4)
                effect  estimate  ci_low  ci_high
    0  rate_difference    0.2000  0.0524   0.3339
    1       rate_ratio    1.3333  1.0766   1.6512
    2       odds_ratio    2.6667  1.2762   5.5720
    """
    covariates = covariate_list(covariates, reserved={arm, cluster})
    clusters = [] if cluster is None else [cluster]
    y = check_audits(audits, columns=[arm, *covariates, *clusters], outcome=outcome, ci=ci)
    level = float(ci)
    is_treatment = (audits[arm] == treatment).to_numpy()
    is_control = ~is_treatment if control is None else (audits[arm] == control).to_numpy()
    control_label = _control_label(audits[arm], treatment, control)
    for label, mask in ((treatment, is_treatment), (control_label, is_control)):
        if not mask.any():
            raise ValueError(
                f"ab_test found no audits in arm {label!r}: column {arm!r} holds "
                f"{format_values(pd.unique(audits[arm]))}. Check 'treatment' and 'control'."
            )
    keep = is_treatment | is_control
    labels = np.where(is_treatment[keep], str(treatment), control_label)
    rows = audits.loc[keep, [*covariates, *clusters]].assign(
        _arm=labels, _y=y[keep], **{_TREATMENT: is_treatment[keep].astype(float)}
    )
    check_has_errors(rows["_y"].to_numpy())
    rates = _error_rate(rows, by="_arm", outcome="_y", ci=level).rename(columns={"_arm": "arm"})
    rates = rates.set_index("arm").loc[[str(treatment), control_label]].reset_index()
    (n1, n0), (k1, k0) = rates["n"].to_numpy(float), rates["errors"].to_numpy(float)
    degenerate = _degenerate(k1, n1, k0, n0)
    if cluster is not None:
        rates = _clustered_rates(rows, rates, cluster, level)
        (n1, n0), (k1, k0) = rates["n_eff"].to_numpy(), rates["errors_eff"].to_numpy()
        rates = rates.drop(columns="errors_eff")
    p_value, test = _two_proportion_test(k1, n1, k0, n0)
    cells = rows.groupby([_TREATMENT, *covariates, *clusters], observed=True).agg(
        errors=("_y", "sum"), n=("_y", "size")
    )
    n_params = 2 + sum(rows[c].nunique() - 1 for c in covariates)
    odds = dict.fromkeys(["estimate", "ci_low", "ci_high", "p_value"], np.nan)
    if not degenerate:
        fit = fit_cells(
            cells.reset_index(),
            categorical=covariates,
            numeric=[_TREATMENT],
            cluster=cluster,
        )
        odds = fit.wald(_TREATMENT, level=level)
    estimate, low, high = difference_ci(k1, n1, k0, n0, ci=level)
    difference = {"estimate": estimate, "ci_low": low, "ci_high": high, "p_value": p_value}
    ratio = _katz_ratio(k1, n1, k0, n0, level) | {"p_value": p_value}
    effects = pd.DataFrame(
        [
            effect_row("rate_difference", "difference", difference),
            effect_row("rate_ratio", "ratio", ratio, exponentiate=True),
            effect_row("odds_ratio", "ratio", odds, exponentiate=True),
        ]
    )
    expected = _expected_counts(k1, n1, k0, n0).min()
    assumptions = [
        assumption_row(
            "large-sample z-test",
            expected,
            np.nan,
            bool(expected >= MIN_EXPECTED),
            f"smallest expected count {expected:.1f}; below {MIN_EXPECTED} Fisher's exact test "
            "is used instead",
        ),
        events_check(cells["errors"].sum(), n_params),
        cluster_check(rows[_TREATMENT], None if cluster is None else rows[cluster]),
    ]
    return ABTestResult(
        rates=rates,
        effects=effects,
        assumptions=pd.DataFrame(assumptions),
        control=control_label,
        treatment=str(treatment),
        test=test,
        ci=level,
    )


def _clustered_rates(rows, rates, cluster, level) -> pd.DataFrame:
    """Each arm's design effect from its cluster-robust variance, and effective counts.

    For an arm with clusters ``c`` holding ``k_c`` errors in ``n_c`` audits, rate
    ``p = K/N``, the cluster-robust (ratio-estimator) variance is
    ``G/(G − 1) · Σ (k_c − p n_c)² / N²``; the design effect is that over ``p(1 − p)/N``,
    floored at 1, and the effective counts are ``n/deff`` and ``p·n/deff`` (Kish 1965).
    """
    sums = rows.groupby(["_arm", cluster], observed=True)["_y"].agg(["sum", "size"])
    arm = sums.index.get_level_values("_arm")
    k, n = sums["sum"].to_numpy(float), sums["size"].to_numpy(float)
    table = rates.set_index("arm")
    p = table["rate"].reindex(arm).to_numpy()
    squares = pd.Series((k - p * n) ** 2, index=arm).groupby(level=0).sum()
    groups = pd.Series(1, index=arm).groupby(level=0).sum().reindex(table.index)
    if groups.min() < 2:
        raise ValueError(
            f"ab_test needs at least 2 values of the cluster column {cluster!r} in each arm for "
            f"cluster-robust intervals; arm {groups.idxmin()!r} has {groups.min()}. Pass "
            "cluster=None to treat audits as independent."
        )
    total = table["n"].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = groups / (groups - 1) * squares.reindex(table.index) / total**2
        deff = np.maximum(variance / (table["rate"] * (1 - table["rate"]) / total), 1.0)
    deff = deff.where(np.isfinite(deff), 1.0)
    n_eff = total / deff
    low, high = proportion_ci((table["rate"] * n_eff).to_numpy(), n_eff.to_numpy(), ci=level)
    return table.assign(
        deff=deff, n_eff=n_eff, errors_eff=table["rate"] * n_eff, ci_low=low, ci_high=high
    ).reset_index()


def _control_label(arms: pd.Series, treatment, control) -> str:
    """The control arm's name: ``control``, the one other value, or "rest" for several."""
    if control is not None:
        return str(control)
    others = [v for v in pd.unique(arms) if v != treatment]
    return str(others[0]) if len(others) == 1 else "rest"


def _expected_counts(k1, n1, k0, n0) -> np.ndarray:
    """Expected counts of the 2 x 2 table under equal rates."""
    pooled = (k1 + k0) / (n1 + n0)
    return np.array([n1 * pooled, n1 * (1 - pooled), n0 * pooled, n0 * (1 - pooled)])


def _two_proportion_test(k1, n1, k0, n0) -> tuple[float, str]:
    """Fisher's exact test for small expected counts, else the pooled z-test."""
    if _expected_counts(k1, n1, k0, n0).min() < MIN_EXPECTED:
        table = np.rint([[k1, n1 - k1], [k0, n0 - k0]]).astype(np.int64)
        return float(stats.fisher_exact(table).pvalue), "Fisher's exact test"
    pooled = (k1 + k0) / (n1 + n0)
    z = (k1 / n1 - k0 / n0) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    return float(2 * stats.norm.sf(abs(z))), "two-proportion z-test"


def _degenerate(k1, n1, k0, n0) -> bool:
    """Whether the odds ratio is undefined (and perhaps the rate ratio); warn if so."""
    no_ratio = k1 == 0 or k0 == 0
    if no_ratio or k1 == n1 or k0 == n0:
        which = "the rate ratio and the odds ratio are" if no_ratio else "the odds ratio is"
        warnings.warn(
            f"ab_test: an arm has no errors (or only errors), so {which} NaN (a ratio to or of "
            "zero). Use the rate difference, or audit more.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return True
    return False


def _katz_ratio(k1, n1, k0, n0, level) -> dict[str, float]:
    """Log of ``(k1/n1) / (k0/n0)`` with the Katz interval; NaN when an arm has no errors."""
    if k1 == 0 or k0 == 0:
        return dict.fromkeys(["estimate", "ci_low", "ci_high"], np.nan)
    log_ratio = np.log(k1 / n1) - np.log(k0 / n0)
    se = np.sqrt(1 / k1 - 1 / n1 + 1 / k0 - 1 / n0)
    z = stats.norm.isf((1 - level) / 2)
    return {"estimate": log_ratio, "ci_low": log_ratio - z * se, "ci_high": log_ratio + z * se}
