"""Design-based variance of error rates from per-stratum sums (the engine of ``rates``).

The rates of :mod:`qainsights.rates` reduce audit rows to sums per segment, outcome and
sampling stratum (and cluster); the functions here turn those sums into the Taylor-linearised
with-replacement variance of the ratio ``Σ w·y / Σ w`` (Cochran 1977; Woodruff 1971), Korn and
Graubard's degrees-of-freedom factor for clustered rates, and the warnings that say when the
design cannot be read from the data (lonely strata, errors clustering by moderator).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from ._caller import caller, user_stacklevel
from ._validation import format_values

OUTCOME = "_outcome"
STRATUM = "_stratum"
CLUSTER = "_cluster"
#: The audit schema's moderator column, which :func:`qainsights.error_rate` checks for clustering.
MODERATOR = "moderator_id"
#: Evidence the clustering warning needs: the over-dispersion test's p-value below
#: ``CLUSTERING_P`` and an estimated design effect above ``CLUSTERING_DEFF``. A 95 % interval
#: whose true standard error is ``sqrt(deff)`` times its own covers ``2 Φ(1.96 / sqrt(deff)) − 1``:
#: 93.8 % at a design effect of 1.1, below the 93.5 % the calibration targets from about 1.13.
#: The test's level is the share of calls warned when audits are independent: 0.05 gives
#: the most power a false-alarm rate of about 5 % allows (5.1 % of independent 40-moderator
#: months warned, 1.3 % at 0.01; benchmarks/README.md).
CLUSTERING_P = 0.05
CLUSTERING_DEFF = 1.1


def ratio_variance(sums: pd.DataFrame, table: pd.DataFrame, *, keys: list[str]) -> pd.Series:
    """Taylor-linearised with-replacement variance of the ratio ``Σ w·y / Σ w`` per segment.

    The sampling units are the audits, or the clusters when ``sums`` has a ``_cluster``
    level (the rows of ``sums`` are then one per cluster and stratum).
    """
    clustered = CLUSTER in sums.index.names
    design = [STRATUM, CLUSTER] if clustered else [STRATUM]
    segment = table.reindex(sums.index.droplevel(design))
    total_w = segment["sum_w"].to_numpy()
    r = segment["sum_wy"].to_numpy() / total_w
    # z_i = w_i (y_i - r) / Σw: per cluster, z_c = (Σ_c w·y − r Σ_c w) / Σw; per audit, with
    # y binary, Σ z and Σ z² per stratum follow from the sums of w, w·y, w² and w²·y.
    z = (sums["sum_wy"].to_numpy() - r * sums["sum_w"].to_numpy()) / total_w
    if clustered:
        moments = pd.DataFrame({"sum_z": z, "sum_z2": z * z}, index=sums.index)
        moments = moments.groupby(level=[*keys, STRATUM], sort=False, observed=True).sum()
        # a stratum's units are its distinct clusters, over all segments (domains)
        units = sums.index.droplevel(keys[:-1]).unique().to_frame(index=False)
        units = units.groupby([OUTCOME, STRATUM], observed=True).size()
        n_h = units.reindex(moments.index.droplevel(keys[:-1])).to_numpy(float)
    else:
        sum_w2y = sums["sum_w2y"].to_numpy()
        sum_z2 = (
            sum_w2y * (1 - r) ** 2 + (sums["sum_w2"].to_numpy() - sum_w2y) * r**2
        ) / total_w**2
        moments = pd.DataFrame({"sum_z": z, "sum_z2": sum_z2, "units": sums["n"].to_numpy()},
                               index=sums.index)  # fmt: skip
        n_h = moments.groupby(level=[OUTCOME, STRATUM], observed=True)["units"]
        n_h = n_h.transform("sum").to_numpy()
    strata = moments.index.get_level_values(STRATUM)
    stratified = len(strata) > 0 and bool((strata != strata[0]).any())
    warn_lonely_strata(strata[n_h == 1], clustered, stratified=stratified)
    sum_z, sum_z2 = moments["sum_z"].to_numpy(), moments["sum_z2"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.where(n_h > 1, n_h / (n_h - 1) * (sum_z2 - sum_z**2 / n_h), 0.0)
    variance = pd.Series(np.maximum(spread, 0.0), index=moments.index)
    return variance.groupby(level=keys, sort=True, observed=True).sum().reindex(table.index)


def degrees_of_freedom_factor(sums, table, n, level) -> np.ndarray:
    """Korn & Graubard's ``(t_{n−1}/t_df)²`` with ``df`` = clusters − strata of each segment."""
    levels = list(table.index.names)
    units = sums.groupby(level=levels, sort=True, observed=True).size()
    strata = (
        sums.index.droplevel(CLUSTER).to_frame(index=False).drop_duplicates()
        .groupby(levels, sort=True, observed=True).size()
    )  # fmt: skip
    df = (units - strata).reindex(table.index).to_numpy(float)
    tail = (1 - level) / 2
    with np.errstate(invalid="ignore"):
        factor = (stats.t.isf(tail, np.maximum(n - 1, 1)) / stats.t.isf(tail, df)) ** 2
    return np.where(df >= 1, factor, np.nan)


def warn_lonely_strata(lonely, clustered: bool = False, *, stratified: bool = True) -> None:
    """Warn once about strata holding a single audit (or cluster); without ``stratified``
    (one stratum in all) the whole sample is that single unit.
    """
    lonely = pd.unique(np.asarray(lonely))
    unit = "cluster" if clustered else "audit"
    if len(lonely) and not stratified:
        warnings.warn(
            f"{caller()} got a single {unit} in all; no variance can be estimated from one, so "
            f"the interval is missing (NaN). Rate at least two {unit}s.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    elif len(lonely):
        warnings.warn(
            f"{len(lonely)} strata hold a single {unit} ({format_values(lonely)}); they add "
            "nothing to the variance, so the standard error is too small. Merge each with a "
            "similar stratum.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def warn_clustering(sums: pd.DataFrame, keys: list[str]) -> str:
    """Warn when errors vary between moderators (the ``_cluster`` level) beyond binomial.

    Pearson's chi-square of each segment and stratum's moderators
    (:func:`qainsights.spc.overdispersion_test`), summed over the segments and strata, with
    the moment estimate of the intra-class correlation (Williams, 1982) and the design
    effect of the rates it implies; warns when p < ``CLUSTERING_P`` and the design effect
    exceeds ``CLUSTERING_DEFF``. Returns the warning's finding (``""`` without one), for a
    result to carry.
    """
    func = caller()
    from .spc.dispersion import overdispersion_test

    groups = [*keys, OUTCOME, STRATUM]
    cells = sums[["errors", "n"]].reset_index(CLUSTER, drop=True).reset_index()
    tests = overdispersion_test(cells, defects="errors", n="n", by=groups)
    # segments without errors (or only errors) show no variation: they count for nothing
    informative = tests["expected_variance"].to_numpy() > 0
    statistic = float(tests["statistic"].to_numpy()[informative].sum())
    df = int(tests["df"].to_numpy()[informative].sum())
    totals = cells.groupby(groups, sort=False, observed=True)[["errors", "n"]].transform("sum")
    mixed = (totals["errors"] > 0).to_numpy() & (totals["errors"] < totals["n"]).to_numpy()
    m, segment_n = cells["n"].to_numpy()[mixed], totals["n"].to_numpy()[mixed]
    spread = float(np.sum((m - 1) * (1 - m / segment_n)))
    if df < 1 or spread <= 0:
        return ""
    p_value = float(stats.chi2.sf(statistic, df))
    icc = max((statistic - float(np.sum(1 - m / segment_n))) / spread, 0.0)
    deff = 1 + icc * (float(np.sum(m * m)) / float(m.sum()) - 1)
    if not (p_value < CLUSTERING_P and deff > CLUSTERING_DEFF):
        return ""
    finding = (
        "errors cluster by moderator beyond binomial variation (chi-square "
        f"{statistic:.1f} on {df} degrees of freedom across moderators within segments, "
        f"p = {p_value:.2g}; estimated design effect {deff:.2f})"
    )
    warnings.warn(
        f"{func} treats audits as independent, but {finding}, so its intervals are too "
        "narrow for the process, which moderators drawn afresh would show (they hold for the "
        f"decisions of these moderators only). Pass cluster={MODERATOR!r} for intervals with "
        "moderators as clusters, as comparisons and trends need.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return finding


def chosen_cluster(audits: pd.DataFrame, cluster, modelled: list) -> str | None:
    """The cluster column of a function's ``cluster="auto"`` default: ``cluster`` itself, or
    for ``"auto"`` ``moderator_id`` when every row names one of at least two moderators (and
    it is not one of the ``modelled`` columns), else None, with a warning when some rows name
    none.
    """
    if not (isinstance(cluster, str) and cluster == "auto"):
        return cluster
    if MODERATOR not in audits.columns or MODERATOR in modelled:
        return None
    missing = int(audits[MODERATOR].isna().sum())
    if missing:
        warnings.warn(
            f"{caller()} takes the audits as independent: {missing:,} of {len(audits):,} "
            f"audits have no {MODERATOR!r}, so the moderators cannot be the clusters of the "
            f"intervals, which are then too narrow if errors cluster by moderator. Fill "
            f"{MODERATOR!r}, or pass cluster=None to choose independent audits.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return None
    moderators = audits[MODERATOR].to_numpy()
    return MODERATOR if (moderators != moderators[0]).any() else None
