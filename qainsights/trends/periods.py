"""Compare error rates between two periods, segment by segment, with false discovery control."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._caller import caller, public, user_stacklevel
from .._compat import STR
from .._multiple import q_values
from .._results import TidyResult, drawing
from .._validation import as_column_list, check_confidence, format_values
from ._aggregate import (
    DISPERSION_COLUMNS,
    EFFECTIVE_COLUMNS,
    LAG_COLUMNS,
    PERIOD_COLUMNS,
    choose_periods,
    counts_by_period,
    effective_counts,
    side_by_side,
)
from ._inference import difference_ci, rate_with_ci, two_proportion_test
from ._moderation import moderate_spread
from ._serial import SERIAL_COLUMNS, allow_for_persistence

__all__ = ["DISPERSIONS", "PeriodComparison", "compare_periods"]

#: How :func:`compare_periods` sets the variance of a side's rate: from the spread of the
#: periods within each side where a side holds several, that spread moderated toward its
#: peers' (Smyth 2004), or from binomial audits alone.
DISPERSIONS = ("periods", "moderated", "binomial")


@dataclass(frozen=True, repr=False)
class PeriodComparison(TidyResult):
    """Error rates of two periods compared per segment.

    Attributes
    ----------
    segments : DataFrame
        One row per segment, see :func:`compare_periods`.
    overall : DataFrame
        The same columns for all audits together (no segment columns, no ``q_value``).
    by : tuple of str
        The segment columns.
    current, baseline : tuple
        The periods compared.
    alpha : float
        The false discovery rate used for ``significant``.
    """

    segments: pd.DataFrame
    overall: pd.DataFrame
    by: tuple[str, ...]
    current: tuple
    baseline: tuple
    alpha: float
    _title = "Period comparison"

    def to_frame(self) -> pd.DataFrame:
        """The per-segment table."""
        return self.segments

    plot = drawing(
        "trends", "plot_period_comparison",
        "Forest plot: each segment's change with its interval; significant ones marked ``*``.",
    )  # fmt: skip


@public
def compare_periods(
    data,
    *,
    by,
    period,
    current,
    baseline=None,
    outcome="is_error",
    errors=None,
    n=None,
    weight=None,
    ci=0.95,
    alpha=0.05,
    min_n=30,
    dispersion="periods",
    within=None,
    serial=True,
):
    """Compare each segment's error rate in a current period with a baseline period.

    For every segment (combination of the ``by`` columns) the function gives both rates with
    Wilson intervals, the difference ``current − baseline`` with Newcombe's hybrid score
    interval, a two-sided test of equal rates (the pooled z test, or Fisher's exact test
    when an expected count of the 2 x 2 table is below 5) and Benjamini-Hochberg q-values
    across the tested segments, so that scanning many segments keeps the expected share of
    false discoveries at ``alpha``.

    Where ``current`` or ``baseline`` holds several periods (weeks, say), the periods of a
    side may share shocks (a backlog, a tooling outage) that binomial audits do not show. By
    default (``dispersion="periods"``) each segment's dispersion is then estimated from the
    spread of its periods (or, with ``within``, of the finer periods inside them) around
    their side's rate: Pearson's ``X² / df``, ``df`` the number of periods less one per
    side, reported as ``dispersion`` and ``dispersion_df``; a spread below binomial counts'
    is taken as 1, so a comparison is never surer than its audits alone make it. The z
    statistic is divided by its square root and referred to Student's t on ``df`` (the test
    ``"t"``, Fisher's test having no dispersion to allow for), and the intervals use the
    audits divided by the dispersion and the t quantile in place of the normal's: a
    quasi-binomial model (McCullagh & Nelder 1989; Rao & Scott 1992). On 12 stable segments
    compared over 13 weeks against 7 this calls a change 1.8-3.2 % of the time at a nominal
    5 %, with week shocks of sd 0 to 0.3 on the logit scale (independent or AR(0.5)), where
    audits taken as independent called it 19.7 % of the time at sd 0.3 and 400 audits a week
    (``benchmarks/README.md``, calibration). The price is power where the weeks do vary:
    31 % against 68 % for pooled audits at an odds ratio of 1.35 in that world, the pooled
    test's extra calls being mostly noise. The spread is read as noise around one rate per
    side: a side whose periods step or trend (a change inside the baseline) inflates it.
    Shocks shared by the audits of a single period are not seen: compare several periods a
    side, or pass ``within``, to let the spread speak.

    Shocks often outlast a week: a backlog drains over several. Such a side's periods vary
    less among themselves than its rate varies, and a test that takes them as independent is
    too sure (7.7 % and 15.7 % at a nominal 5 % with AR(1) shocks of coefficient 0.5 and sd
    0.3). By default (``serial=True``) the periods are read in their order within each side
    (their sort order, which must be time order: dates or numbers, not labels such as "W2"
    and "W10"): the lag-1 autocorrelation of their Pearson residuals, pooled over the
    segments and corrected for the removal of each side's mean (Kendall 1954), gives the
    shocks' persistence ``ρ`` from period to period, of which the one-sided 80 % upper bound
    is used. Each side's variance is multiplied by the factor ``c`` that ``ρ`` implies for
    its ``k`` periods (``serial_baseline`` and ``serial_current``, 1 for independent
    periods, at most ``k``), X² is divided by its expectation ``Σ (k − c)`` in place of
    ``Σ (k − 1)``, and the t reference takes Satterthwaite's degrees of freedom for X² under
    that correlation. In that world this calls a change 3.0 % and 2.7 % of the time (80 and
    400 audits a week) with 12 segments compared, at a cost of a few points of power where
    the weeks are independent. ``ρ`` needs sides of at least 4 periods and is read better
    from several segments than from one (a single segment: 5.3 % and 3.8 %). The factors
    assume periods of equal size, without gaps; missing periods are skipped.

    Parameters
    ----------
    data : pandas.DataFrame, or a polars, DuckDB or PySpark frame
        Audit rows (one per audited decision) or an aggregate frame with ``errors`` and
        ``n`` columns per segment and period. Other engines' audit rows are counted per
        segment and period on their engine (:func:`qainsights.aggregate.error_counts`).
    by : str or list of str
        Segment columns.
    period : str
        Column naming each row's period (for example ``"month"`` or ``"week"``).
    current : scalar or list
        The period(s) of interest.
    baseline : scalar or list, optional
        The period(s) to compare with; by default the period just before ``current``.
    outcome : str, default "is_error"
        True/False column of audit rows (ignored for aggregate frames).
    errors, n : str, optional
        Columns of errors and audits, naming an aggregate frame; give both or neither.
    weight : str, optional
        Sampling-weight column of audit rows (decisions each audit represents). Rates are the
        design-based ratios ``Σ w·y / Σ w``; each period's weights are rescaled to add up to
        its number of audits, so segments count by the decisions they represent (a queue
        audited three times as densely no longer weighs three times as much in the mix).
        Intervals and tests use each segment's effective sample size from the
        Taylor-linearised variance of its rate (Kish 1965; as
        :func:`qainsights.rates.error_rate`), reported as ``n_eff_baseline`` and
        ``n_eff_current``: unequal weights cost precision, and weighted counts are not
        binomial counts.
    ci : float, default 0.95
        Confidence level of the intervals.
    alpha : float, default 0.05
        False discovery rate: ``significant`` is ``q_value <= alpha``.
    min_n : int, default 30
        Segments with fewer audits than this in either period are listed but not tested
        (``test`` is ``"none"``) and stay out of the false discovery rate family.
    dispersion : {"periods", "moderated", "binomial"}, default "periods"
        ``"periods"``: where a side holds several periods, the dispersion estimated from
        their spread (above); ``"moderated"``: each segment's dispersion moderated toward
        the others' by Smyth's (2004) empirical Bayes, on the degrees of freedom they lend
        it (the overall row keeps its own), which returns power where there are many
        segments whose spreads are alike (the default of :func:`explain_change`); a segment
        whose spread the others' prior makes unlikely (F tail below 0.05) keeps its own, so
        that one cell whose weeks alone share shocks (sd 0.5) among 11 calm ones is called
        changed in 5.2 % of null comparisons (13 % of 200 without that rule);
        ``"binomial"``: audits taken as independent throughout (the test before this option,
        too liberal where periods share shocks).
    within : str, optional
        Column of finer periods (``"week"`` within months, say) whose spread within each side
        gives the dispersion, in place of the ``period`` values themselves. A month against
        the three before has 2 degrees of freedom for the spread of months, and a test on
        them has little power; their weeks give some 15 to 20. Periods are the combinations of
        ``period`` and ``within`` (a week that straddles two months counts once in each).
    serial : bool, default True
        Allow for shocks that persist from one period to the next within a side (above).
        ``False`` takes the periods as independent. Ignored with ``dispersion="binomial"``.

    Returns
    -------
    PeriodComparison
        ``segments`` has one row per segment, sorted by the ``by`` columns, with columns:
        the ``by`` columns, ``n_baseline``, ``errors_baseline``, ``rate_baseline``,
        ``ci_low_baseline``, ``ci_high_baseline``, the same five for ``current`` (with
        ``weight``, ``n_eff_baseline`` and ``n_eff_current`` before the intervals),
        ``difference``, ``ci_low``, ``ci_high`` (of the difference), ``test`` (``"z"``,
        ``"t"``, ``"fisher"`` or ``"none"``), ``dispersion`` and ``dispersion_df`` (the
        dispersion used, at least 1, and its degrees of freedom; 1 and 0 where each side is
        one period; absent with ``dispersion="binomial"``), ``serial_baseline`` and
        ``serial_current`` (each side's variance factor from shocks that persist; absent
        with ``serial=False`` or ``dispersion="binomial"``), then ``p_value``, ``q_value``
        and ``significant``.

    Raises
    ------
    ValueError
        For missing columns or values, periods absent from the data, overlapping or
        missing baseline periods, invalid counts, or a bad ``ci``/``alpha``/``min_n``.

    Warns
    -----
    UserWarning
        When segments are absent from one of the periods: their rate there is NaN.

    See Also
    --------
    explain_change : which segments explain the change of the overall rate.

    References
    ----------
    .. [1] Newcombe, R. G. (1998). Interval estimation for the difference between
       independent proportions: comparison of eleven methods. Statistics in Medicine 17,
       873-890 (method 10).
    .. [2] Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B
       57, 289-300.
    .. [3] Kish, L. (1965). Survey Sampling. Wiley (design effect, effective sample size).
    .. [4] McCullagh, P. & Nelder, J. A. (1989). Generalized Linear Models, 2nd ed. Chapman
       & Hall, section 4.5 (dispersion from Pearson's X², t references).
    .. [5] Rao, J. N. K. & Scott, A. J. (1992). A simple method for the analysis of clustered
       binary data. Biometrics 48, 577-585 (counts divided by the design effect).
    .. [6] Smyth, G. K. (2004). Linear models and empirical Bayes methods for assessing
       differential expression in microarray experiments. Statistical Applications in
       Genetics and Molecular Biology 3(1), article 3 (moderated variances).
    .. [7] Phipson, B., Lee, S., Majewski, I. J., Alexander, W. S. & Smyth, G. K. (2016).
       Robust hyperparameter estimation protects against hypervariable genes and improves
       power to detect differential expression. Annals of Applied Statistics 10, 946-963
       (outlying dispersions).
    .. [8] Kendall, M. G. (1954). Note on bias in the estimation of autocorrelation.
       Biometrika 41, 403-404 (the lag-1 autocorrelation about a sample mean).
    .. [9] statsmodels ``proportions_ztest``, ``test_proportions_2indep``,
       ``confint_proportions_2indep(method="newcomb")`` and ``multipletests(method="fdr_bh")``;
       scipy ``fisher_exact``: the reference implementations the tests compare against.

    Examples
    --------
    >>> data = pd.DataFrame({
    ...     "site": ["a", "a", "b", "b"], "month": ["2026-01", "2026-02"] * 2,
    ...     "errors": [10, 30, 12, 11], "audits": [200, 200, 150, 150]})
    >>> result = compare_periods(data, by="site", period="month", current="2026-02",
    ...                          errors="errors", n="audits")
    >>> result.segments[["site", "rate_baseline", "rate_current", "q_value"]].round(4)
      site  rate_baseline  rate_current  q_value
    0    a           0.05        0.1500   0.0017
    1    b           0.08        0.0733   0.8282
    """
    keys = as_column_list(by)
    level = check_confidence(ci)
    check_confidence(alpha, name="alpha")
    _check_min_n(min_n)
    _check_dispersion(dispersion, within, serial, keys=keys, period=period,
                      read=(outcome if errors is None else None, errors, n, weight))  # fmt: skip
    finer = [within] if within is not None else []
    table = counts_by_period(
        data, keys=[*keys, *finer], period=period, outcome=outcome, errors=errors, n=n,
        weight=weight,
    )  # fmt: skip
    current, baseline = choose_periods(table[period], current=current, baseline=baseline)
    sides = {"period": period, "current": current, "baseline": baseline, "within": within}
    spread = dispersion != "binomial"
    counts = side_by_side(table, keys=keys, dispersion=spread, **sides)
    totals = side_by_side(table, keys=[], dispersion=spread, **sides)
    if spread and serial:
        counts, rho = allow_for_persistence(counts, groups=np.zeros(len(counts)))
        totals, _ = allow_for_persistence(totals, groups=[0], rho=rho)
    if dispersion == "moderated":
        counts = moderate_spread(counts, groups=np.zeros(len(counts)))
    _warn_absent(counts, keys)
    segments = compare_counts(counts, ci=level, min_n=min_n)
    segments["q_value"] = q_values(segments["p_value"])
    segments["significant"] = segments["q_value"] <= alpha
    overall = compare_counts(totals, ci=level, min_n=0)
    return PeriodComparison(
        segments=segments,
        overall=overall,
        by=tuple(keys),
        current=tuple(current),
        baseline=tuple(baseline),
        alpha=float(alpha),
    )


def compare_counts(counts: pd.DataFrame, *, ci: float, min_n: float) -> pd.DataFrame:
    """Rates, difference and test for each row of two-period counts (see compare_periods).

    With the error-count variances of weighted rows (:data:`EFFECTIVE_COLUMNS`) the
    intervals and tests use the effective counts, and the output gains ``n_eff_baseline``
    and ``n_eff_current``. With :data:`DISPERSION_COLUMNS` the output gains ``dispersion``
    and ``dispersion_df``, and rows with ``dispersion_df > 0`` are quasi-binomial: the test
    is ``"t"`` and the intervals use counts divided by ``dispersion · (t / z)²``, which turns
    the Wilson and Newcombe intervals' normal quantile ``z`` into Student's ``t`` on
    ``dispersion_df`` degrees of freedom (Wilson's interval depends on ``n`` and ``z`` only
    through ``z² / n``). With :data:`SERIAL_COLUMNS` each side's counts are further divided
    by its factor (``n_eff`` is reported before that division).
    """
    e0, n0 = counts["errors_baseline"].to_numpy(), counts["n_baseline"].to_numpy()
    e1, n1 = counts["errors_current"].to_numpy(), counts["n_current"].to_numpy()
    weighted = set(EFFECTIVE_COLUMNS) <= set(counts.columns)
    (f0, m0), (f1, m1) = (
        (effective_counts(e0, n0, counts[EFFECTIVE_COLUMNS[0]]),
         effective_counts(e1, n1, counts[EFFECTIVE_COLUMNS[1]]))
        if weighted else ((e0, n0), (e1, n1))
    )  # fmt: skip
    spread = set(DISPERSION_COLUMNS) <= set(counts.columns)
    dispersion, df, shrink = _quasi_binomial(counts, ci=ci) if spread else (1.0, 0.0, 1.0)
    serial = set(SERIAL_COLUMNS) <= set(counts.columns)
    # each side's counts over its variance factor from persistent shocks, as over a design effect
    c0, c1 = (counts[c].to_numpy(dtype=float) for c in SERIAL_COLUMNS) if serial else (1.0, 1.0)
    dropped = [*PERIOD_COLUMNS, *(EFFECTIVE_COLUMNS if weighted else [])]
    spread_columns = [*DISPERSION_COLUMNS, *LAG_COLUMNS, *SERIAL_COLUMNS]
    out = counts.drop(columns=[*dropped, *(c for c in spread_columns if c in counts.columns)])
    sides = (("baseline", e0, n0, f0, m0, c0), ("current", e1, n1, f1, m1, c1))
    for part, k, total, k_eff, n_eff, factor in sides:
        _, low, high = rate_with_ci(k_eff * shrink / factor, n_eff * shrink / factor, ci=ci)
        out[f"n_{part}"], out[f"errors_{part}"] = total, k
        out[f"rate_{part}"] = rate_with_ci(k, total, ci=ci)[0]
        if weighted:
            out[f"n_eff_{part}"] = n_eff
        out[f"ci_low_{part}"], out[f"ci_high_{part}"] = low, high
    out["difference"] = out["rate_current"] - out["rate_baseline"]
    (g0, w0), (g1, w1) = (f0 / c0, m0 / c0), (f1 / c1, m1 / c1)
    interval = difference_ci(g1 * shrink, w1 * shrink, g0 * shrink, w0 * shrink, ci=ci)
    _, out["ci_low"], out["ci_high"] = interval
    p_value, test = two_proportion_test(g1, w1, g0, w0, dispersion=dispersion, df=df)
    enough = (n0 >= min_n) & (n1 >= min_n)
    out["test"] = pd.Series(test, index=out.index).where(enough, "none")
    if spread:
        out["dispersion"], out["dispersion_df"] = dispersion, df
    if serial:
        out["serial_baseline"], out["serial_current"] = c0, c1
    out["p_value"] = pd.Series(p_value, index=out.index).where(enough)
    return out.reset_index(drop=True)


def _quasi_binomial(counts: pd.DataFrame, *, ci: float):
    """Dispersion, its degrees of freedom and the factor on the counts for the intervals.

    The dispersion is ``X² / df``, at least 1: periods that vary less than binomial audits
    would do not make a change more certain than the audits themselves say (a spread near 0,
    weeks of equal counts, would otherwise make any difference significant). The factor is
    ``(z / t)² / dispersion`` where ``dispersion_df > 0``, else 1.
    """
    pearson, df = (counts[column].to_numpy(dtype=float) for column in DISPERSION_COLUMNS)
    quasi = df > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        dispersion = np.where(quasi, np.maximum(pearson / df, 1.0), 1.0)
        quantile = stats.t.ppf((1 + ci) / 2, np.where(quasi, df, np.inf))
        shrink = (stats.norm.ppf((1 + ci) / 2) / quantile) ** 2 / dispersion
    return dispersion, df, shrink


def _check_dispersion(dispersion, within, serial, *, keys: list, period: str, read=()) -> None:
    """Check ``dispersion``, ``within`` and ``serial``; ``read`` are the other columns read
    (outcome, counts, weight; None where unused), which ``within`` must not name.
    """
    func = caller()
    if dispersion not in DISPERSIONS:
        raise ValueError(
            f"The 'dispersion' parameter of {func} must be one of "
            f"{format_values(DISPERSIONS)}. Got {dispersion!r} instead."
        )
    if not isinstance(serial, (bool, np.bool_)):
        raise ValueError(
            f"The 'serial' parameter of {func} must be True or False. Got {serial!r} instead."
        )
    used = [period, *keys, *(name for name in read if name is not None)]
    if within is not None and (not isinstance(within, str) or within in used):
        raise ValueError(
            f"The 'within' parameter of {func} must name one column of finer periods, not the "
            f"period, segment, outcome, count or weight columns ({format_values(used)}). Got "
            f"{within!r}."
        )
    added = [name for name in ("dispersion", "dispersion_df", *SERIAL_COLUMNS) if name in keys]
    if dispersion != "binomial" and added:
        raise ValueError(
            f"The segment columns of {func} must not be named {format_values(added)}: with "
            f"dispersion={dispersion!r} its result adds columns of those names. Rename them "
            "first."
        )
    if within is not None and dispersion == "binomial":
        raise ValueError(
            f"The 'within' parameter of {func} gives the spread that dispersion='periods' "
            "and 'moderated' read; with dispersion='binomial' it would be ignored. Drop one "
            "of them."
        )


def _check_min_n(min_n) -> None:
    func = caller()
    if isinstance(min_n, bool) or not isinstance(min_n, (int, float)) or not min_n >= 0:
        raise ValueError(
            f"The 'min_n' parameter of {func} must be a number of audits >= 0. Got "
            f"{min_n!r} instead."
        )


def _warn_absent(counts: pd.DataFrame, keys: list[str]) -> None:
    absent = (counts["n_baseline"] == 0) | (counts["n_current"] == 0)
    if absent.any():
        names = counts.loc[absent, keys].astype(STR).agg(" / ".join, axis=1)
        warnings.warn(
            f"{int(absent.sum())} segments have no audits in one of the periods "
            f"({format_values(names)}); their rate there is NaN and they are not tested.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
