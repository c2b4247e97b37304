"""Audits and weeks to detect a change of error rate, and the power of a given design."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .._caller import caller, public
from .._validation import check_option, format_values
from ._checks import _check_positive, _check_positive_integer, _check_unit, _is_number

#: The formulas of :func:`sample_size_for_effect` and :func:`power`.
METHODS = ("pooled", "arcsine")


@public
def sample_size_for_effect(
    p_control,
    p_treatment,
    *,
    alpha=0.05,
    power=0.8,
    ratio=1.0,
    icc=0.0,
    cluster_size=1.0,
    method="pooled",
    audits_per_week=None,
):
    """Audits per arm to detect a change of error rate from ``p_control`` to ``p_treatment``.

    Two-sided test at level ``alpha``; the far tail is ignored, as in R's
    ``power.prop.test`` and Cohen's tables. With ``n₁ = ratio · n₀`` audits in the
    treatment arm:

    - ``"pooled"`` (Fleiss, Tytun & Ury, 1980; R's ``power.prop.test`` for ``ratio = 1``):
      ``n₀ = [z₁₋α/₂ sqrt(p̄ q̄ (1 + 1/r)) + z₁₋β sqrt(p₀q₀ + p₁q₁/r)]² / (p₁ − p₀)²`` with
      ``p̄ = (p₀ + r p₁)/(1 + r)``, no continuity correction.
    - ``"arcsine"`` (Cohen, 1988): ``n₀ = (z₁₋α/₂ + z₁₋β)² (1 + 1/r) / h²`` with Cohen's
      ``h = 2 asin√p₁ − 2 asin√p₀`` (statsmodels' ``NormalIndPower`` with
      ``proportion_effectsize``).

    Audits of one moderator are correlated: both are multiplied by the design effect
    ``1 + (m − 1) ρ`` for ``m`` audits per moderator and intra-class correlation ``ρ``
    (Donner & Klar, 2000), then rounded up.

    Parameters
    ----------
    p_control : float
        Error rate without the change, in (0, 1).
    p_treatment : float or array_like
        Error rate(s) to detect, in (0, 1) and different from ``p_control``; one row each.
    alpha : float, default 0.05
        Two-sided significance level.
    power : float, default 0.8
        Probability of detecting the change.
    ratio : float, default 1.0
        Treatment audits per control audit.
    icc : float, default 0.0
        Intra-class correlation of errors within a moderator, in [0, 1) (see
        :func:`qainsights.experiments.cluster_icc`).
    cluster_size : float, default 1.0
        Mean audits per moderator in each arm, >= 1.
    method : {"pooled", "arcsine"}
        Formula, see above.
    audits_per_week : float, optional
        Audits the treatment arm gets per week; adds a ``weeks`` column.

    Returns
    -------
    pandas.DataFrame
        One row per ``p_treatment``: ``p_control``, ``p_treatment``, ``design_effect``,
        ``n_control``, ``n_treatment``, ``n_total`` (integers) and, with
        ``audits_per_week``, ``weeks`` (the treatment arm's audits over its weekly audits,
        rounded up).

    Raises
    ------
    ValueError
        For rates outside (0, 1), equal rates, ``alpha`` or ``power`` outside (0, 1), a
        ``ratio``, ``cluster_size`` or ``audits_per_week`` that is not positive, an ``icc``
        outside [0, 1), or an unknown ``method``.

    References
    ----------
    .. [1] Fleiss, J. L., Tytun, A. & Ury, H. K. (1980). A simple approximation for
       calculating sample sizes for comparing independent proportions. Biometrics 36,
       343-346.
    .. [2] Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd
       ed. Erlbaum, chapter 6 (Table 6.4.1).
    .. [3] Donner, A. & Klar, N. (2000). Design and Analysis of Cluster Randomization
       Trials in Health Research. Arnold, chapter 5.
    .. [4] R ``stats::power.prop.test`` and statsmodels ``NormalIndPower``, the references
       the tests compare against.

    Examples
    --------
    R's ``power.prop.test(p1 = 0.50, p2 = 0.75, power = 0.90)`` gives n = 76.7 per group:

    >>> sample_size_for_effect(0.50, 0.75, power=0.90)[["n_control", "n_treatment"]]
       n_control  n_treatment
    0         77           77

    Halving a 9 % error rate to 6 %, with 30 audits per moderator and an ICC of 0.01:

    >>> plan = sample_size_for_effect(0.09, [0.06, 0.07], icc=0.01, cluster_size=30,
    ...                               audits_per_week=250)
    >>> plan[["p_treatment", "design_effect", "n_control", "n_treatment", "weeks"]].round(2)
       p_treatment  design_effect  n_control  n_treatment  weeks
    0         0.06           1.29       1560         1560      7
    1         0.07           1.29       3725         3725     15
    """
    _check_unit(power, "power")
    p0, p1, deff = _check_design(p_control, p_treatment, alpha, ratio, icc, cluster_size, method)
    n0 = _independent_sample_size(p0, p1, alpha=alpha, power=power, ratio=ratio, method=method)
    # Round up, ignoring floating-point dust above an exact integer.
    n_control = np.ceil(n0 * deff - 1e-9).astype("int64")
    n_treatment = np.ceil(n0 * ratio * deff - 1e-9).astype("int64")
    table = pd.DataFrame(
        {
            "p_control": np.full(len(p1), p0),
            "p_treatment": p1,
            "design_effect": np.full(len(p1), deff),
            "n_control": n_control,
            "n_treatment": n_treatment,
            "n_total": n_control + n_treatment,
        }
    )
    if audits_per_week is not None:
        _check_positive(audits_per_week, "audits_per_week")
        table["weeks"] = np.ceil(n_treatment / audits_per_week - 1e-9).astype("int64")
    return table


@public
def study_length(
    p_control,
    p_treatment,
    *,
    audits_per_week,
    moderators,
    alpha=0.05,
    power=0.8,
    ratio=1.0,
    icc=0.0,
    method="pooled",
):
    """Weeks a study must run to detect a change of error rate, with the design effect it implies.

    The design effect ``1 + (m − 1) ρ`` of :func:`sample_size_for_effect` depends on the
    study's own length: over ``w`` weeks, ``K`` moderators sharing ``a`` audits a week
    contribute ``m = w a / K`` audits each (at least 1). The study is long enough when the
    treatment arm's audits cover what that design effect requires,
    ``r n₀ (1 + (w a / K − 1) ρ) <= w a``, where ``n₀`` is the audits per arm for
    independent audits. Solved for ``w``:

    ``w >= r n₀ (1 − ρ) / (a (1 − r n₀ ρ / K))``,

    and the answer is the smallest whole number of weeks for which the rounded plan of
    :func:`sample_size_for_effect` fits. When ``r n₀ ρ >= K`` no length is enough: every
    week adds as much to the design effect as it adds audits, so only more moderators (or a
    larger effect) help.

    Parameters
    ----------
    p_control : float
        Error rate without the change, in (0, 1).
    p_treatment : float or array_like
        Error rate(s) to detect, in (0, 1) and different from ``p_control``; one row each.
    audits_per_week : float
        Audits the treatment arm gets per week, > 0.
    moderators : int
        Moderators sharing those audits (the clusters), a positive integer.
    alpha, power, ratio, icc, method
        As in :func:`sample_size_for_effect`.

    Returns
    -------
    pandas.DataFrame
        One row per ``p_treatment``: ``p_control``, ``p_treatment``, ``weeks``,
        ``audits_per_moderator`` (``m`` over those weeks), ``design_effect``, ``n_control``,
        ``n_treatment`` and ``n_total``: the plan of :func:`sample_size_for_effect` for
        ``m`` audits per moderator.

    Raises
    ------
    ValueError
        As :func:`sample_size_for_effect`; for ``moderators`` that is not a positive
        integer; and when an effect cannot be detected at any length (naming it, with
        ``r n₀ ρ / K``).

    References
    ----------
    .. [1] Donner, A. & Klar, N. (2000). Design and Analysis of Cluster Randomization
       Trials in Health Research. Arnold, chapter 5 (the design effect of cluster size).
    .. [2] Hemming, K., Girling, A. J., Sitch, A. J., Marsh, J. & Lilford, R. J. (2011).
       Sample size calculations for cluster randomised controlled trials with a fixed
       number of clusters. BMC Medical Research Methodology 11, 102 (the same inequality
       solved for the cluster size; no solution when ``n₀ ρ >= K``).

    Examples
    --------
    R's ``power.prop.test(p1 = 0.50, p2 = 0.75, power = 0.90)`` needs 76.7 independent
    audits per arm; 20 audits a week from 10 moderators with an ICC of 0.01 need five weeks
    (ten audits per moderator, design effect 1.09, 84 audits):

    >>> plan = study_length(0.50, 0.75, power=0.90, audits_per_week=20, moderators=10,
    ...                     icc=0.01)
    >>> plan[["weeks", "audits_per_moderator", "design_effect", "n_treatment"]]
       weeks  audits_per_moderator  design_effect  n_treatment
    0      5                  10.0           1.09           84
    """
    func = caller()
    _check_unit(power, "power")
    p0, p1, _ = _check_design(p_control, p_treatment, alpha, ratio, icc, 1.0, method)
    _check_positive(audits_per_week, "audits_per_week")
    _check_positive_integer(moderators, name="moderators")
    n0 = _independent_sample_size(p0, p1, alpha=alpha, power=power, ratio=ratio, method=method)
    needed = n0 * ratio
    growth = needed * icc / moderators  # design effect each week adds, per week of audits
    if (growth >= 1).any():
        bad = growth >= 1
        raise ValueError(
            f"{func}: p_treatment={format_values(p1[bad])} cannot be detected at any study "
            f"length with moderators={moderators} and icc={icc}: each week adds as much to "
            f"the design effect as it adds audits (r n0 icc / moderators = "
            f"{format_values(np.round(growth[bad], 3))}, must be < 1). Spread the audits over "
            f"more moderators, or plan for a larger effect."
        )
    # Independent audits first: if they need at most one audit per moderator, deff is 1.
    weeks = np.ceil(needed / audits_per_week - 1e-9)
    clustered = weeks * audits_per_week / moderators > 1
    solved = needed * (1 - icc) / (audits_per_week * (1 - growth))
    weeks = np.where(clustered, np.maximum(np.ceil(solved - 1e-9), 1), weeks)
    # Rounding the audits up can push the plan past the solved length: lengthen those plans.
    while (short := _plan(needed, weeks, audits_per_week, moderators, icc)[2] > weeks).any():
        weeks = weeks + short
    per_moderator, deff, _ = _plan(needed, weeks, audits_per_week, moderators, icc)
    n_treatment = np.ceil(needed * deff - 1e-9).astype("int64")
    n_control = np.ceil(n0 * deff - 1e-9).astype("int64")
    return pd.DataFrame(
        {
            "p_control": np.full(len(p1), p0),
            "p_treatment": p1,
            "weeks": weeks.astype("int64"),
            "audits_per_moderator": per_moderator,
            "design_effect": deff,
            "n_control": n_control,
            "n_treatment": n_treatment,
            "n_total": n_control + n_treatment,
        }
    )


def _plan(needed, weeks, audits_per_week, moderators, icc):
    """Audits per moderator, design effect and weeks needed for a study of ``weeks`` weeks."""
    per_moderator = np.maximum(weeks * audits_per_week / moderators, 1.0)
    deff = 1 + (per_moderator - 1) * icc
    n_treatment = np.ceil(needed * deff - 1e-9)
    return per_moderator, deff, np.ceil(n_treatment / audits_per_week - 1e-9)


@public
def power(
    p_control,
    p_treatment,
    *,
    n_control,
    alpha=0.05,
    ratio=1.0,
    icc=0.0,
    cluster_size=1.0,
    method="pooled",
):
    """Probability of detecting a change of error rate with ``n_control`` audits per arm.

    The inverse of :func:`sample_size_for_effect`: the audits are divided by the design
    effect ``1 + (m − 1) ρ``, and the power is ``Φ((|δ| sqrt(n₀) − z₁₋α/₂ sqrt(p̄ q̄
    (1 + 1/r))) / sqrt(p₀q₀ + p₁q₁/r))`` for ``"pooled"`` (R's ``power.prop.test``) or
    ``Φ(|h| sqrt(n₀/(1 + 1/r)) − z₁₋α/₂)`` for ``"arcsine"``, the far tail ignored.

    Parameters
    ----------
    p_control, p_treatment : float or array_like
        As in :func:`sample_size_for_effect`.
    n_control : float
        Audits in the control arm (the treatment arm has ``ratio · n_control``), > 0.
    alpha, ratio, icc, cluster_size, method
        As in :func:`sample_size_for_effect`.

    Returns
    -------
    pandas.DataFrame
        One row per ``p_treatment``: ``p_control``, ``p_treatment``, ``n_control``,
        ``n_treatment``, ``design_effect``, ``n_effective`` (control audits over the
        design effect) and ``power``.

    Raises
    ------
    ValueError
        As :func:`sample_size_for_effect`, and for ``n_control`` that is not positive.

    References
    ----------
    .. [1] Fleiss, J. L., Tytun, A. & Ury, H. K. (1980). Biometrics 36, 343-346.
    .. [2] Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed.
    .. [3] R ``stats::power.prop.test`` and statsmodels ``NormalIndPower``.

    Examples
    --------
    R's ``power.prop.test(n = 50, p1 = 0.50, p2 = 0.75)`` gives power = 0.740:

    >>> round(float(power(0.50, 0.75, n_control=50)["power"].iloc[0]), 4)
    0.7402
    """
    _check_positive(n_control, "n_control")
    p0, p1, deff = _check_design(p_control, p_treatment, alpha, ratio, icc, cluster_size, method)
    effect, null_sd, alternative_sd = _spreads(p0, p1, ratio, method)
    n0 = n_control / deff
    z = (effect * np.sqrt(n0) - stats.norm.isf(alpha / 2) * null_sd) / alternative_sd
    return pd.DataFrame(
        {
            "p_control": np.full(len(p1), p0),
            "p_treatment": p1,
            "n_control": np.full(len(p1), float(n_control)),
            "n_treatment": np.full(len(p1), float(n_control) * ratio),
            "design_effect": np.full(len(p1), deff),
            "n_effective": np.full(len(p1), n0),
            "power": stats.norm.cdf(z),
        }
    )


def _independent_sample_size(p0, p1, *, alpha, power, ratio, method) -> np.ndarray:
    """Control-arm audits for independent audits, before rounding (see :func:`_spreads`)."""
    effect, null_sd, alternative_sd = _spreads(p0, p1, ratio, method)
    z_alpha, z_beta = stats.norm.isf(alpha / 2), stats.norm.isf(1 - power)
    return ((z_alpha * null_sd + z_beta * alternative_sd) / effect) ** 2


def _spreads(p0: float, p1: np.ndarray, ratio: float, method: str):
    """Effect size and the standard deviations of its estimate under the null and alternative.

    Per control audit: the sample size is ``((z_α/2 σ₀ + z_β σ₁)/effect)²`` and the power
    ``Φ((effect·sqrt(n) − z_α/2 σ₀)/σ₁)``. ``"pooled"``: effect ``|p₁ − p₀|``,
    ``σ₀ = sqrt(p̄ q̄ (1 + 1/r))``, ``σ₁ = sqrt(p₀q₀ + p₁q₁/r)``; ``"arcsine"``: effect
    ``|h|`` (Cohen's h) and ``σ₀ = σ₁ = sqrt(1 + 1/r)``.
    """
    if method == "arcsine":
        h = 2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p0))
        spread = np.full(len(p1), np.sqrt(1 + 1 / ratio))
        return np.abs(h), spread, spread
    pooled = (p0 + ratio * p1) / (1 + ratio)
    null_sd = np.sqrt(pooled * (1 - pooled) * (1 + 1 / ratio))
    return np.abs(p1 - p0), null_sd, np.sqrt(p0 * (1 - p0) + p1 * (1 - p1) / ratio)


def _check_design(p_control, p_treatment, alpha, ratio, icc, cluster_size, method):
    """Check the arguments shared by the planning functions; return p₀, p₁ and the design effect."""
    p0, p1 = _check_rates(p_control, p_treatment)
    _check_unit(alpha, "alpha")
    deff = _design_effect(ratio, icc, cluster_size)
    check_option(method, name="method", options=METHODS)
    return p0, p1, deff


def _check_rates(p_control, p_treatment) -> tuple[float, np.ndarray]:
    func = caller()
    _check_unit(p_control, "p_control")
    p1 = np.atleast_1d(np.asarray(p_treatment, dtype=float))
    bad = ~((p1 > 0) & (p1 < 1)) | (p1 == p_control)
    if p1.ndim != 1 or bad.any():
        raise ValueError(
            f"The 'p_treatment' parameter of {func} must hold rates strictly between 0 and 1 "
            f"that differ from p_control={p_control!r}. Got {p_treatment!r} instead."
        )
    return float(p_control), p1


def _design_effect(ratio, icc, cluster_size) -> float:
    func = caller()
    _check_positive(ratio, "ratio")
    if not (_is_number(icc) and 0 <= icc < 1):
        raise ValueError(
            f"The 'icc' parameter of {func} must be a number in [0, 1) (0 for independent "
            f"audits). Got {icc!r} instead."
        )
    if not (_is_number(cluster_size) and 1 <= cluster_size < np.inf):
        raise ValueError(
            f"The 'cluster_size' parameter of {func} must be a finite number >= 1 (mean audits "
            f"per moderator). Got {cluster_size!r} instead."
        )
    return float(1 + (cluster_size - 1) * icc)
