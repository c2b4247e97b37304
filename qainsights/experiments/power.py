"""Planning a check: audits needed to detect a change in error rate, and power, with clustering."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import check_option
from ._inputs import check_audits

__all__ = ["cluster_icc", "power", "sample_size_for_effect"]

METHODS = ("pooled", "arcsine")


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
        :func:`cluster_icc`).
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
    func = "sample_size_for_effect"
    _check_unit(power, "power", func)
    p0, p1, deff = _check_design(
        p_control, p_treatment, alpha, ratio, icc, cluster_size, method, func
    )
    effect, null_sd, alternative_sd = _spreads(p0, p1, ratio, method)
    z_alpha, z_beta = stats.norm.isf(alpha / 2), stats.norm.isf(1 - power)
    n0 = ((z_alpha * null_sd + z_beta * alternative_sd) / effect) ** 2
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
        _check_positive(audits_per_week, "audits_per_week", func)
        table["weeks"] = np.ceil(n_treatment / audits_per_week - 1e-9).astype("int64")
    return table


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
    func = "power"
    _check_positive(n_control, "n_control", func)
    p0, p1, deff = _check_design(
        p_control, p_treatment, alpha, ratio, icc, cluster_size, method, func
    )
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


def cluster_icc(audits, *, cluster="moderator_id", outcome="is_error"):
    """Intra-class correlation of errors within clusters (moderators), by one-way ANOVA.

    With ``k`` clusters of sizes ``nᵢ`` holding ``yᵢ`` errors among ``N`` audits,
    ``MSB = (Σ yᵢ²/nᵢ − (Σ yᵢ)²/N)/(k − 1)``, ``MSW = (Σ yᵢ − Σ yᵢ²/nᵢ)/(N − k)``,
    ``n₀ = (N − Σ nᵢ²/N)/(k − 1)`` and ``ρ = (MSB − MSW)/(MSB + (n₀ − 1) MSW)``, the ANOVA
    estimator that Ridout, Demétrio & Firth (1999) recommend for binary data. It can be
    negative when clusters vary less than chance; the design effect
    ``1 + (n̄ − 1) max(ρ, 0)`` uses the mean cluster size ``n̄``.

    Parameters
    ----------
    audits : pandas.DataFrame
        One row per audit.
    cluster : str, default "moderator_id"
        Cluster column.
    outcome : str, default "is_error"
        True/False (or 1/0) column.

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``n_clusters``, ``mean_cluster_size``, ``icc``, ``design_effect``.

    Raises
    ------
    ValueError
        For missing columns or values, fewer than two clusters, or clusters of one audit
        each (no within-cluster variation to compare with).

    References
    ----------
    .. [1] Ridout, M. S., Demétrio, C. G. B. & Firth, D. (1999). Estimating intraclass
       correlation for binary data. Biometrics 55, 137-148.
    .. [2] Donner, A. & Klar, N. (2000). Design and Analysis of Cluster Randomization
       Trials in Health Research. Arnold.

    Examples
    --------
    >>> audits = pd.DataFrame({"moderator_id": list("aaaabbbbcccc"),
    ...                        "is_error": [1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0]})
    >>> cluster_icc(audits).round(3)
        n  n_clusters  mean_cluster_size    icc  design_effect
    0  12           3                4.0  0.385          2.154
    """
    func = "cluster_icc"
    y = check_audits(audits, columns=[cluster], outcome=outcome, ci=0.95, func=func)
    codes, uniques = pd.factorize(audits[cluster])
    k, big_n = len(uniques), len(y)
    if k < 2 or big_n == k:
        raise ValueError(
            f"{func} needs at least two clusters and more audits than clusters. Got {big_n} "
            f"audits in {k} clusters of column {cluster!r}."
        )
    sizes = np.bincount(codes).astype(float)
    errors = np.bincount(codes, weights=y)
    between_sum = (errors**2 / sizes).sum()
    msb = (between_sum - errors.sum() ** 2 / big_n) / (k - 1)
    msw = (errors.sum() - between_sum) / (big_n - k)
    n0 = (big_n - (sizes**2).sum() / big_n) / (k - 1)
    denominator = msb + (n0 - 1) * msw
    icc = (msb - msw) / denominator if denominator > 0 else np.nan
    mean_size = big_n / k
    return pd.DataFrame(
        {
            "n": [big_n],
            "n_clusters": [k],
            "mean_cluster_size": [mean_size],
            "icc": [icc],
            "design_effect": [1 + (mean_size - 1) * max(icc, 0.0)],
        }
    )


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


def _check_design(p_control, p_treatment, alpha, ratio, icc, cluster_size, method, func):
    """Check the arguments shared by the planning functions; return p₀, p₁ and the design effect."""
    p0, p1 = _check_rates(p_control, p_treatment, func)
    _check_unit(alpha, "alpha", func)
    deff = _design_effect(ratio, icc, cluster_size, func)
    check_option(method, name="method", options=METHODS, func=func)
    return p0, p1, deff


def _is_number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float, np.number))


def _check_unit(value, name: str, func: str) -> None:
    if not (_is_number(value) and 0 < value < 1):
        raise ValueError(
            f"The {name!r} parameter of {func} must be a number strictly between 0 and 1. "
            f"Got {value!r} instead."
        )


def _check_positive(value, name: str, func: str) -> None:
    if not (_is_number(value) and 0 < value < np.inf):
        raise ValueError(
            f"The {name!r} parameter of {func} must be a finite number > 0. Got {value!r} instead."
        )


def _check_rates(p_control, p_treatment, func: str) -> tuple[float, np.ndarray]:
    _check_unit(p_control, "p_control", func)
    p1 = np.atleast_1d(np.asarray(p_treatment, dtype=float))
    bad = ~((p1 > 0) & (p1 < 1)) | (p1 == p_control)
    if p1.ndim != 1 or bad.any():
        raise ValueError(
            f"The 'p_treatment' parameter of {func} must hold rates strictly between 0 and 1 "
            f"that differ from p_control={p_control!r}. Got {p_treatment!r} instead."
        )
    return float(p_control), p1


def _design_effect(ratio, icc, cluster_size, func: str) -> float:
    _check_positive(ratio, "ratio", func)
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
