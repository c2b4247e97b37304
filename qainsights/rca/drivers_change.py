"""Which levels' odds ratios moved between two fits of the error-drivers model."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .._caller import caller, public
from .._validation import format_values
from ._cluster_robust import ClusterTerms, reference_distribution
from .drivers import DriversResult

__all__ = ["odds_ratio_change"]


def _levels(result: DriversResult, factor: str, name: str) -> pd.DataFrame:
    if not isinstance(result, DriversResult):
        raise TypeError(
            f"The {name!r} parameter of {caller()} must be the result of error_drivers. Got "
            f"{type(result).__name__} instead."
        )
    rows = result.table[result.table["factor"] == factor]
    if rows.empty:
        raise ValueError(
            f"The 'factor' parameter of {caller()} must be a factor of both fits, such as "
            f"{format_values(result.factors['factor'])}. Got {factor!r} instead."
        )
    return rows.set_index("level")


def _omega_pieces(terms: ClusterTerms, columns: np.ndarray):
    """Per level (last axis): ``d``, ``a = m' B m`` per cluster, ``m``, and the trace and
    squared Frobenius norm of the fit's ``Ω = diag(d) − M' B M``.
    """
    d = terms.d[:, columns]
    m = terms.m[:, :, columns]
    a = np.einsum("gil,ij,gjl->gl", m, terms.bread, m)
    q = np.einsum("gil,gjl->lij", m, m)
    norm = (
        np.sum(d * d, axis=0)
        - 2 * np.sum(d * a, axis=0)
        + np.einsum("ij,ljk,km,lmi->l", terms.bread, q, terms.bread, q)
    )
    return d, a, m, np.sum(d - a, axis=0), norm


def _shared_cluster_variance(first: ClusterTerms, second: ClusterTerms, factor, levels):
    """CR2 variance of ``β_after − β_before`` and its Bell-McCaffrey degrees of freedom.

    The two fits are the blocks of one stacked model whose clusters are the union of both
    fits' clusters (the same label is the same cluster). Its CR2 variance of the contrast is
    ``Σ_g (i2_g − i1_g)²`` over the clusters' adjusted influences, so clusters present in
    both fits add the covariance ``−2 Σ_g i1_g i2_g``. Its ``Ω`` is the sum of the fits'
    ``Ω`` placed on the union, so ``tr Ω = tr Ω1 + tr Ω2`` and ``‖Ω‖² = ‖Ω1‖² + ‖Ω2‖² +
    2 tr(Ω1 Ω2)``, the last over the shared clusters; the degrees of freedom are
    ``(tr Ω)² / ‖Ω‖²``.
    """
    j1 = np.array([first.columns.index((factor, level)) for level in levels], dtype=int)
    j2 = np.array([second.columns.index((factor, level)) for level in levels], dtype=int)
    i1, i2 = first.influence[:, j1], second.influence[:, j2]
    d1, a1, m1, trace1, norm1 = _omega_pieces(first, j1)
    d2, a2, m2, trace2, norm2 = _omega_pieces(second, j2)
    shared = first.labels.intersection(second.labels)
    s1, s2 = first.labels.get_indexer(shared), second.labels.get_indexer(shared)
    covariance = np.sum(i1[s1] * i2[s2], axis=0)
    variance = np.sum(i1 * i1, axis=0) + np.sum(i2 * i2, axis=0) - 2 * covariance
    r = np.einsum("gil,gjl->lij", m1[s1], m2[s2])
    cross = (
        np.sum(d1[s1] * d2[s2], axis=0)
        - np.sum(d1[s1] * a2[s2], axis=0)
        - np.sum(d2[s2] * a1[s1], axis=0)
        + np.einsum("ij,ljk,km,lim->l", first.bread, r, second.bread, r)
    )
    df = (trace1 + trace2) ** 2 / (norm1 + norm2 + 2 * cross)
    return variance, df


@public
def odds_ratio_change(before: DriversResult, after: DriversResult, *, factor: str) -> pd.DataFrame:
    """How much each level's odds ratio changed between two fits on separate audits.

    Given :func:`error_drivers` fitted twice with the same factors and reference level, on
    audits that do not overlap (before and after a date, for example), the change of a
    level's odds ratio is the ratio ``OR_after / OR_before``. Its interval and test come from
    the log scale: the two estimates are independent (separate audits), so the variance of
    the difference of the log odds ratios is the sum of their variances, each recovered
    from its Wald interval (Altman & Bland, 2003). This equals the interaction term of one
    logistic regression in which every coefficient may differ between the two sets of
    audits.

    The ratio's interval is as good as the two fits' intervals. With moderators nested in
    the levels compared (a site's moderators) and other moderators in the second fit
    (turnover, rotation, a new sample of moderators), each level's odds ratio also carries
    which moderators were audited: fits of independent audits called 10.7 % of stable sites
    changed at nominal 5 % on two months of 3,000 audits with 15 moderators a site (latent
    ICC 0.05) (benchmarks/README.md, 2,000 replicates). Fit both with the moderators as
    clusters: :func:`error_drivers`' default when every audit names its moderator.

    When both fits have clusters, the change is the contrast of one stacked model whose
    two blocks are the fits and whose clusters are the union of both fits' clusters (a
    cluster label present in both fits is the same moderator; as Stata's ``suest``,
    Weesie 1999). Its variance is the bias-reduced cluster-robust (CR2) sandwich of Bell &
    McCaffrey (2002) on each fit's working linear model, ``Σ_g (i_g,after − i_g,before)²``
    over the clusters' adjusted influences, so a moderator audited in both months adds the
    covariance of the two estimates it drives; its reference is Student's t on the
    Bell-McCaffrey (Satterthwaite) degrees of freedom of that contrast (Imbens & Kolesár
    2016; Pustejovsky & Tipton 2018, working independence), which count the clusters that
    inform the level and its reference, not all ``G``. On two months of 800 audits with
    the same 10 moderators a site this holds 5.5 % at nominal 5 % (coverage 94.5 %), where
    the former reading of the fits (each CR1 standard error, the change on t of the smaller
    ``G − 1``) called 6.5 % of stable sites changed; with other moderators 4.6 % either way
    (benchmarks/README.md, 2,000 replicates each). Measured over 6,000 such pairs of months, the CR1 variance of
    a month's log odds ratio fell about 12 % short of its variance over replicates (CR2:
    4 %), the CR1 variance was about as variable as a chi-square on 24 degrees of freedom,
    not 39 (Bell-McCaffrey: 17 for the change), and the months' estimates, sharing
    moderators, were positively correlated (0.04-0.09), which the sum of variances ignored;
    the first two made the test liberal, the last conservative.

    When one fit has no clusters (or comes from an older version), each fit's standard
    error is recovered from its interval (Wald; with clusters, CR1 on t(``G − 1``),
    :attr:`DriversResult.reference_df`) and the change takes t on the smaller of the two
    fits' degrees of freedom (the conservative end of the Welch-Satterthwaite range;
    Satterthwaite 1946, Welch 1947); two fits without clusters take the normal.

    Parameters
    ----------
    before, after : DriversResult
        The two fits, with the same confidence level and reference level of ``factor``.
    factor : str
        The factor whose levels are compared (for example ``"segment"``).

    Returns
    -------
    DataFrame
        One row per non-reference level present in both fits, the largest increase first:
        ``level``, ``odds_ratio_before``, ``ci_low_before``, ``ci_high_before``,
        ``odds_ratio_after``, ``ci_low_after``, ``ci_high_after``, ``ratio``
        (``odds_ratio_after / odds_ratio_before``), ``ci_low``, ``ci_high`` (its interval,
        at the fits' level), ``p_value`` (two-sided, ratio of 1; with two clustered fits on
        t with the level's own degrees of freedom, see above) and ``apart`` (True when
        the after interval lies entirely above or below the before interval).

    Raises
    ------
    TypeError
        If ``before`` or ``after`` is not an :func:`error_drivers` result.
    ValueError
        If ``factor`` is not in both fits, or the fits differ in reference level or
        confidence level.

    References
    ----------
    .. [1] Altman, D. G. & Bland, J. M. (2003). Interaction revisited: the difference
       between two estimates. BMJ 326, 219.
    .. [2] Satterthwaite, F. E. (1946). An approximate distribution of estimates of variance
       components. Biometrics Bulletin 2, 110-114.
    .. [3] Welch, B. L. (1947). The generalization of "Student's" problem when several
       different population variances are involved. Biometrika 34, 28-35.
    .. [4] Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to cluster-robust
       inference. Journal of Human Resources 50, 317-372, section VI.
    .. [5] Bell, R. M. & McCaffrey, D. F. (2002). Bias reduction in standard errors for linear
       regression with multi-stage samples. Survey Methodology 28, 169-181.
    .. [6] Imbens, G. W. & Kolesár, M. (2016). Robust standard errors in small samples: some
       practical advice. Review of Economics and Statistics 98, 701-712.
    .. [7] Pustejovsky, J. E. & Tipton, E. (2018). Small-sample methods for cluster-robust
       variance estimation and hypothesis testing in fixed effects models. Journal of
       Business & Economic Statistics 36, 672-683.
    .. [8] Weesie, J. (1999). Seemingly unrelated estimation and the cluster-adjusted
       sandwich estimator. Stata Technical Bulletin 52, sg121.

    Examples
    --------
    >>> from qainsights.rca import error_drivers
    >>> rng = np.random.default_rng(0)
    >>> def audits(odds_b):
    ...     team, shift = rng.choice(["a", "b", "c"], 6000), rng.choice(["day", "night"], 6000)
    ...     odds = np.where(team == "b", 0.1 * odds_b, 0.1) * np.where(shift == "night", 1.5, 1)
    ...     return pd.DataFrame({"team": team, "shift": shift,
    ...                          "is_error": rng.random(6000) < odds / (1 + odds)})
    >>> fits = [error_drivers(audits(b), factors=["team", "shift"], reference={"team": "a"})
    ...         for b in (1, 3)]
    >>> moved = odds_ratio_change(*fits, factor="team")
    >>> moved[["level", "ratio", "ci_low", "ci_high", "apart"]].round(2)
      level  ratio  ci_low  ci_high  apart
    0     b   3.71    2.85     4.83   True
    1     c   1.15    0.87     1.52  False
    """
    first = _levels(before, factor, "before")
    second = _levels(after, factor, "after")
    if before.ci != after.ci:
        raise ValueError(
            f"{caller()} needs two fits at the same confidence level. Got {before.ci} and "
            f"{after.ci}; refit with the same ci."
        )
    ref_before = first.index[first["reference"]].tolist()
    ref_after = second.index[second["reference"]].tolist()
    if ref_before != ref_after:
        raise ValueError(
            f"{caller()} needs the same reference level of {factor!r} in both fits. Got "
            f"{format_values(ref_before)} and {format_values(ref_after)}; pass "
            f"reference={{{factor!r}: ...}} to error_drivers."
        )
    columns = ["odds_ratio", "ci_low", "ci_high"]
    both = (
        first.loc[~first["reference"], columns]
        .add_suffix("_before")
        .join(second.loc[~second["reference"], columns].add_suffix("_after"), how="inner")
    )
    log_ratio = np.log(both["odds_ratio_after"]) - np.log(both["odds_ratio_before"])
    if before._clusters is not None and after._clusters is not None:
        variance, df = _shared_cluster_variance(
            before._clusters, after._clusters, factor, both.index
        )
        reference = stats.t(df)
    else:
        fits = {"before": before, "after": after}
        se = {
            when: (np.log(both[f"ci_high_{when}"]) - np.log(both[f"ci_low_{when}"]))
            / (2 * reference_distribution(fit.reference_df).isf((1 - fit.ci) / 2))
            for when, fit in fits.items()
        }
        variance = se["before"] ** 2 + se["after"] ** 2
        reference = reference_distribution(min(before.reference_df, after.reference_df))
    z = reference.isf((1 - before.ci) / 2)
    se_ratio = np.sqrt(np.asarray(variance, dtype=float))
    both = both.assign(
        ratio=np.exp(log_ratio),
        ci_low=np.exp(log_ratio - z * se_ratio),
        ci_high=np.exp(log_ratio + z * se_ratio),
        p_value=2 * reference.sf(np.abs(log_ratio / se_ratio)),
        apart=(both["ci_low_after"] > both["ci_high_before"])
        | (both["ci_high_after"] < both["ci_low_before"]),
    )
    return (
        both.rename_axis("level")
        .reset_index()
        .sort_values("ratio", ascending=False, kind="stable")
        .reset_index(drop=True)
    )
