"""Which levels' odds ratios moved between two fits of the error-drivers model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._caller import caller, public
from .._validation import format_values
from .drivers import DriversResult, _reference

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
    ICC 0.05), and fits with ``cluster="moderator_id"`` 5.0 % (benchmarks/README.md, 2,000
    replicates). With the same few moderators in both fits (10 a site) the ratio
    over-states a little either way: 6.1 % without clusters, 6.5 % with (7.1 % when the
    clustered fits took the normal reference). Fit both with ``cluster`` when the
    moderators differ between the fits.

    Fits with ``cluster`` give t intervals on ``G − 1`` degrees of freedom
    (:attr:`DriversResult.reference_df`): each standard error is recovered with its own
    fit's t quantile, and the ratio's interval and test take t on the smaller of the two
    fits' degrees of freedom. The Welch-Satterthwaite degrees of freedom of a sum of two
    variance estimates lie between the smaller of theirs and their sum (Satterthwaite,
    1946; Welch, 1947), so the smaller is the conservative end; with moderators nested in
    the levels compared, the clusters that inform one level's ratio are fewer than
    ``G``, which a larger df would ignore. Fits without ``cluster`` keep the normal.

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
        at the fits' level), ``p_value`` (two-sided, ratio of 1) and ``apart`` (True when
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
    fits = {"before": before, "after": after}
    se = {
        when: (np.log(both[f"ci_high_{when}"]) - np.log(both[f"ci_low_{when}"]))
        / (2 * _reference(fit.reference_df).isf((1 - fit.ci) / 2))
        for when, fit in fits.items()
    }
    reference = _reference(min(before.reference_df, after.reference_df))
    z = reference.isf((1 - before.ci) / 2)
    log_ratio = np.log(both["odds_ratio_after"]) - np.log(both["odds_ratio_before"])
    se_ratio = np.sqrt(se["before"] ** 2 + se["after"] ** 2)
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
