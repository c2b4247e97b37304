"""Error rates standardised to a common mix of work, so segments with harder content compare fairly.

A vendor site that gets more of the hard queues and policies has a higher crude error rate
even when its moderators are as accurate as everyone else's. Direct standardisation answers
"what would each site's error rate be on the same mix of work?": the site's rate in each mix
cell (queue x policy, say), averaged with one common set of cell shares.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from ._caller import caller, public, user_stacklevel
from ._compat import STR
from ._deprecation import renamed_function
from ._validation import as_column_list, check_frame, format_values, outcome_indicator
from .intervals import proportion_ci
from .rates import _segment_rates

__all__ = ["standardized_rates"]


@public
def standardized_rates(
    audits,
    *,
    by="site",
    mix=("queue", "policy"),
    outcome="is_error",
    standard=None,
    weight=None,
    strata=None,
    cluster=None,
    ci=0.95,
    method="modified_wilson",
):
    """Error rate of each segment directly standardised to a common mix, beside its crude rate.

    Each segment ``s`` (a site, a vendor) has an error rate ``r_sc`` in each mix cell ``c``
    (a queue x policy combination). Its standardised rate is ``R_s = Σ_c w_c r_sc``, where the
    standard shares ``w_c`` (summing to 1) are the same for every segment, so that differences
    in ``R_s`` are not differences in the mix of work. By default ``w_c`` is the share of all
    audits in cell ``c`` or, with ``weight``, the share of all weighted decisions (the
    operation's own mix). The variance treats cells as independent,
    ``var(R_s) = Σ_c w_c² var(r_sc)``: ``var(r_sc) = r_sc (1 − r_sc) / n_sc`` for simple random
    audits (the binomial variance of Breslow & Day, 1987), else the squared design-based
    standard error of :func:`qainsights.rates.error_rate` for the cell. The interval is
    ``method`` applied to ``(R_s n_eff, n_eff)`` with the effective sample size
    ``n_eff = R_s (1 − R_s) / var(R_s)``, as :func:`~qainsights.rates.error_rate` does for
    weighted rates (Korn & Graubard, 1998).

    With ``cluster`` (``"moderator_id"``) a moderator's audits are correlated across the cells
    they work in, so the cells are not independent: ``R_s`` is linearised as a whole, with
    ``z_i = w_c w_i (y_i − r_sc) / Σ_{sc} w`` for audit ``i`` of cell ``c``, summed per cluster
    over the segment's cells, and ``var(R_s) = Σ_h m_h/(m_h − 1) Σ_k (z_k − z̄_h)²`` over the
    ``m_h`` clusters of each stratum (the variance of :func:`~qainsights.rates.error_rate`
    with ``cluster``, which it equals when there is one cell), with the same Korn-Graubard
    degrees-of-freedom factor on ``n_eff`` (clusters minus strata of the segment).

    Parameters
    ----------
    audits : pandas.DataFrame
        One row per audited decision.
    by : str or list of str, default "site"
        Segment columns: the units compared.
    mix : str or list of str, default ("queue", "policy")
        Columns whose combinations (cells) make up the mix of work to standardise for.
        They must differ from ``by``.
    outcome : str, default "is_error"
        A column of True/False (or 1/0) values.
    standard : pandas.Series, optional
        Explicit standard shares, indexed by mix cell (a plain index for one ``mix`` column,
        a MultiIndex with one level per ``mix`` column, in ``mix`` order, for several).
        Non-negative and finite; rescaled to sum to 1. Cells of the data that the standard
        leaves out get share 0. By default the overall mix of the audits (or of the weighted
        decisions) is used.
    weight : str, optional
        Column of sampling weights, as in :func:`~qainsights.rates.error_rate`.
    strata : str, optional
        Column of sampling strata, as in :func:`~qainsights.rates.error_rate`.
    cluster : str, optional
        Column of clusters whose audits are correlated (``"moderator_id"``), as in
        :func:`~qainsights.rates.error_rate`; the crude and standardised intervals both take
        the clusters as the sampling units.
    ci : float, default 0.95
        Confidence level of both intervals.
    method : str, default "modified_wilson"
        Interval method, see :func:`qainsights.intervals.proportion_ci`.

    Returns
    -------
    pandas.DataFrame
        One row per segment, in group-by order. Columns: the ``by`` columns, ``n`` (audits),
        ``errors``, ``crude_rate`` with ``crude_ci_low`` and ``crude_ci_high`` (exactly
        :func:`~qainsights.rates.error_rate`'s rate and interval), ``coverage`` (the share of
        the standard mix in cells where the segment has audits; 1 when it covers them all),
        ``standardized_rate``, ``se``, ``n_eff``, and ``ci_low`` and ``ci_high`` (the interval
        of the standardised rate).

    Raises
    ------
    ValueError
        As :func:`~qainsights.rates.error_rate` (missing columns or values, outcome values
        other than True/False, bad weights, no audits, bad ``ci`` or ``method``); for empty
        ``by`` or ``mix``, or columns in both; for a ``standard`` that is not a Series of
        non-negative finite shares with a positive sum, whose index does not match ``mix``,
        repeats a cell or gives weight to cells without any audit.

    Warns
    -----
    UserWarning
        When a segment has no audits in a cell the standard weights: its standardised rate
        (with ``se``, ``n_eff`` and the interval) is NaN, and the warning names the segment
        and its missing cells. Rates are not renormalised over the cells a segment happens
        to have, because that would compare segments on different mixes again. Pass a
        ``standard`` restricted to shared cells, or standardise over fewer ``mix`` columns.

    Notes
    -----
    When ``var(R_s)`` is 0 (every cell rate of the segment is 0 or 1) ``n_eff`` falls back
    to ``n``, as in :func:`~qainsights.rates.error_rate`. With simple random audits the
    standardised rate equals the average prediction over the standard mix of a saturated
    logistic model (segment x cell), and its standard error the delta-method one (marginal
    standardisation); the tests check both against statsmodels. Without ``cluster``,
    covariances between cells that share a sampling stratum are ignored, as the variance
    formula above says.

    References
    ----------
    .. [1] Breslow, N. E. & Day, N. E. (1987). Statistical Methods in Cancer Research, vol. II.
       IARC, chapter 2 (direct standardisation and its variance).
    .. [2] Fleiss, J. L., Levin, B. & Paik, M. C. (2003). Statistical Methods for Rates and
       Proportions, 3rd ed. Wiley, chapter 19 (standardisation of rates).
    .. [3] Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with
       small expected number of positive counts estimated from survey data. Survey
       Methodology 24, 193-201.
    .. [4] Muller, C. J. & MacLehose, R. F. (2014). Estimating predicted probabilities from
       logistic regression: different methods correspond to different target populations.
       International Journal of Epidemiology 43, 962-970 (marginal standardisation).

    Examples
    --------
    Site ``b`` gets mostly the hard queue; on the common mix it is no worse than ``a``:

    >>> audits = pd.DataFrame(
    ...     {
    ...         "site": ["a"] * 10 + ["b"] * 10,
    ...         "queue": ["easy"] * 8 + ["hard"] * 2 + ["easy"] * 2 + ["hard"] * 8,
    ...         "is_error": [True] + [False] * 7 + [True, False] + [False] * 2 + [True] * 3
    ...         + [False] * 5,
    ...     }
    ... )
    >>> table = standardized_rates(audits, by="site", mix="queue")
    >>> table[["site", "crude_rate", "standardized_rate", "se"]].round(4)
      site  crude_rate  standardized_rate      se
    0    a         0.2             0.3125  0.1862
    1    b         0.3             0.1875  0.0856
    """
    keys, cells = _check_layout(audits, by, mix)
    design = {"column": outcome, "weight": weight, "strata": strata, "ci": ci,
              "cluster": cluster}  # fmt: skip
    cell_rates = _segment_rates(audits, by=[*keys, *cells], method=method, **design)
    crude = _segment_rates(audits, by=keys, method=method, **design)
    cell_rates, crude = cell_rates.drop(columns="_outcome"), crude.drop(columns="_outcome")
    design = "se" in cell_rates.columns
    size = "weighted_n" if design else "n"
    observed = cell_rates.groupby(cells, sort=True, observed=True)[size].sum()
    shares = observed / observed.sum() if standard is None else _check_standard(standard, observed)
    cell_rates["variance"] = (
        cell_rates["se"] ** 2
        if design
        else cell_rates["rate"] * (1 - cell_rates["rate"]) / cell_rates["n"]
    )
    summed = _weighted_sums(crude[keys], cell_rates, shares, keys=keys, cells=cells)
    if cluster is not None:
        clustered = _clustered_variance(
            audits,
            cell_rates,
            shares,
            keys=keys,
            cells=cells,
            outcome=outcome,
            weight=weight,
            strata=strata,
            cluster=cluster,
        ).reindex(pd.MultiIndex.from_frame(crude[keys]) if len(keys) > 1 else crude[keys[0]])
        variance = clustered["variance"].to_numpy()
        summed["variance"] = np.where(summed["rate"].isna(), np.nan, variance)
        summed["df"] = clustered["df"].to_numpy()
    table = crude[[*keys, "n", "errors"]].assign(
        crude_rate=crude["rate"].to_numpy(),
        crude_ci_low=crude["ci_low"].to_numpy(),
        crude_ci_high=crude["ci_high"].to_numpy(),
    )
    return _with_interval(table, summed, level=ci, method=method)


def _check_layout(audits, by, mix) -> tuple[list[str], list[str]]:
    """Return the segment and mix columns after checking they are non-empty and disjoint."""
    check_frame(audits, name="audits")
    keys, cells = as_column_list(by), as_column_list(mix)
    for name, columns in (("by", keys), ("mix", cells)):
        if not columns:
            raise ValueError(
                f"The {name!r} parameter of {caller()} must name at least one column. Got "
                f"{columns!r} instead."
            )
    both = [c for c in keys if c in cells]
    if both:
        raise ValueError(
            f"The 'by' and 'mix' parameters of {caller()} must not share columns. Got "
            f"{format_values(both)} in both; a segment cannot be standardised for itself."
        )
    return keys, cells


def _check_standard(standard, observed: pd.Series) -> pd.Series:
    """Return explicit standard shares aligned with the mix cells, rescaled to sum to 1."""
    cells = list(observed.index.names)
    if not isinstance(standard, pd.Series):
        raise TypeError(
            f"The 'standard' parameter of {caller()} must be a pandas Series of shares indexed by "
            f"mix cell. Got {type(standard).__name__} instead."
        )
    if standard.index.nlevels != len(cells):
        raise ValueError(
            f"The 'standard' parameter of {caller()} must be indexed by {len(cells)} level(s), "
            f"one per 'mix' column ({format_values(cells)}). Got {standard.index.nlevels} "
            "instead."
        )
    numeric = pd.api.types.is_numeric_dtype(standard) and not pd.api.types.is_bool_dtype(standard)
    values = standard.to_numpy(dtype=float) if numeric else None
    if values is None or not (np.isfinite(values) & (values >= 0)).all() or values.sum() <= 0:
        raise ValueError(
            f"The 'standard' parameter of {caller()} must hold finite shares >= 0 with a positive "
            f"sum. Got values {format_values(standard.to_numpy())} instead."
        )
    repeated = standard.index[standard.index.duplicated()]
    if len(repeated):
        raise ValueError(
            f"The 'standard' parameter of {caller()} lists {len(repeated)} cells more than once: "
            f"{format_values(repeated)}. Give each mix cell one share."
        )
    shares = pd.Series(values / values.sum(), index=standard.index.set_names(cells))
    unseen = shares.index[(shares > 0).to_numpy() & ~shares.index.isin(observed.index)]
    if len(unseen):
        raise ValueError(
            f"The 'standard' parameter of {caller()} gives weight to {len(unseen)} mix cells "
            f"without any audit: {format_values(unseen)}. Drop them from the standard or "
            "check their spelling."
        )
    return shares


def _weighted_sums(segments, cell_rates, shares, *, keys, cells) -> pd.DataFrame:
    """Per segment: Σ w_c r_sc, Σ w_c² var(r_sc) and coverage; NaN (with a warning) if incomplete.

    Every segment is crossed with every cell of positive share, so that the cells a segment
    lacks show up as rows without a rate.
    """
    weighted = shares[shares > 0].rename("share").reset_index()
    grid = segments.merge(weighted, how="cross").merge(
        cell_rates[[*keys, *cells, "rate", "variance"]], on=[*keys, *cells], how="left"
    )
    present = grid["rate"].notna()
    grid = grid.assign(
        term=grid["share"] * grid["rate"],
        spread=grid["share"] ** 2 * grid["variance"],
        covered=grid["share"].where(present, 0.0),
        lacking=~present,
    )
    summed = grid.groupby(keys, sort=True, observed=True)[
        ["term", "spread", "covered", "lacking"]
    ].sum()
    summed = summed.reindex(
        pd.MultiIndex.from_frame(segments) if len(keys) > 1 else segments[keys[0]]
    )
    incomplete = summed["lacking"].to_numpy() > 0
    if incomplete.any():
        _warn_missing_cells(grid[~present], keys=keys, cells=cells, count=int(incomplete.sum()))
    return pd.DataFrame(
        {
            "coverage": summed["covered"].to_numpy(),
            "rate": np.where(incomplete, np.nan, summed["term"].to_numpy()),
            "variance": np.where(incomplete, np.nan, summed["spread"].to_numpy()),
        }
    )


def _clustered_variance(
    audits, cell_rates, shares, *, keys, cells, outcome, weight, strata, cluster
) -> pd.DataFrame:
    """Per segment, the Taylor variance of ``Σ_c w_c r_sc`` with the clusters as the units,
    and its degrees of freedom (the segment's clusters minus its strata).

    Segments are domains: a stratum's ``m_h`` counts its clusters in all segments, and a
    cluster without audits in the segment adds ``z = 0``.
    """
    y = outcome_indicator(audits[outcome], outcome)[outcome].to_numpy(dtype=float)
    w = np.ones(len(audits)) if weight is None else audits[weight].to_numpy(dtype=float)
    rows = audits[[*keys, *cells]].assign(
        _w=w, _wy=w * y, _h=0 if strata is None else audits[strata].to_numpy(),
        _k=audits[cluster].to_numpy(),
    )  # fmt: skip
    units = ["_h", "_k"]
    sums = rows.groupby([*keys, *cells, *units], observed=True, sort=False)[["_w", "_wy"]].sum()
    sums = sums.reset_index().merge(
        cell_rates[[*keys, *cells, "rate", "weighted_n"]], on=[*keys, *cells], how="left"
    )
    share = sums[cells].merge(shares.rename("_share").reset_index(), on=cells, how="left")
    # z of a cluster in a cell: w_c (Σ w·y − r_sc Σ w) / Σ_sc w; cells out of the standard: 0
    z = (
        share["_share"].fillna(0.0).to_numpy()
        * (sums["_wy"] - sums["rate"] * sums["_w"]).to_numpy()
        / sums["weighted_n"].to_numpy()
    )
    per_unit = sums[[*keys, *units]].assign(_z=z)
    per_unit = per_unit.groupby([*keys, *units], observed=True, sort=False)["_z"].sum()
    per_unit = per_unit.reset_index().assign(_z2=lambda t: t["_z"] ** 2, _one=1.0)
    m_h = rows.groupby("_h", observed=True, sort=False)["_k"].nunique()
    moments = per_unit.groupby([*keys, "_h"], observed=True, sort=False)[["_z", "_z2", "_one"]]
    moments = moments.sum().reset_index()
    m = moments["_h"].map(m_h).to_numpy(dtype=float)
    sum_z, sum_z2 = moments["_z"].to_numpy(), moments["_z2"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.where(m > 1, m / (m - 1) * (sum_z2 - sum_z**2 / m), 0.0)
    moments = moments.assign(variance=np.maximum(spread, 0.0), strata=1.0)
    out = moments.groupby(keys, observed=True, sort=True)[["variance", "_one", "strata"]].sum()
    return pd.DataFrame({"variance": out["variance"], "df": out["_one"] - out["strata"]})


def _warn_missing_cells(missing: pd.DataFrame, *, keys, cells, count: int) -> None:
    """Warn that ``count`` segments lack cells of the standard, naming the first few."""
    label = missing[keys].astype(STR).agg(" / ".join, axis=1)
    cell = missing[cells].astype(STR).agg(" / ".join, axis=1)
    listed = cell.groupby(label, sort=False).agg(lambda s: format_values(s, limit=3))
    examples = [f"{segment!r} lacks {lacks}" for segment, lacks in listed.head(3).items()]
    warnings.warn(
        f"{caller()}: {count} segments have no audits in mix cells that the standard weights, "
        f"so their standardised rate is NaN: {'; '.join(examples)}"
        f"{' (and more)' if count > 3 else ''}. Pass a 'standard' restricted to the cells every "
        "segment has, or standardise over fewer 'mix' columns.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _with_interval(table: pd.DataFrame, summed: pd.DataFrame, *, level, method) -> pd.DataFrame:
    """Add the standardised rate, its standard error, effective sample size and interval."""
    rate, variance = summed["rate"].to_numpy(), summed["variance"].to_numpy()
    n = table["n"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(variance > 0, rate * (1 - rate) / variance, n)
        if "df" in summed:  # clusters: Korn & Graubard's (t_{n-1} / t_df)², as error_rate
            df, tail = summed["df"].to_numpy(dtype=float), (1 - level) / 2
            factor = (stats.t.isf(tail, np.maximum(n - 1, 1)) / stats.t.isf(tail, df)) ** 2
            n_eff = n_eff * np.where(df >= 1, factor, np.nan)
    n_eff = np.where(np.isnan(rate), np.nan, n_eff)
    low, high = np.full(len(rate), np.nan), np.full(len(rate), np.nan)
    known = ~np.isnan(rate) & ~np.isnan(n_eff)  # n_eff is NaN with a single cluster a stratum
    if known.any():
        low[known], high[known] = proportion_ci(
            rate[known] * n_eff[known], n_eff[known], ci=level, method=method
        )
    return table.assign(
        coverage=summed["coverage"].to_numpy(),
        standardized_rate=rate,
        se=np.sqrt(variance),
        n_eff=n_eff,
        ci_low=low,
        ci_high=high,
    )


@functools.wraps(standardized_rates)  # its name and documentation, for the warning and help()
def _former_columns(audits, **kwargs) -> pd.DataFrame:
    # the column the former name returned, ``standardised_rate``, for code written against it
    table = standardized_rates(audits, **kwargs)
    return table.rename(columns={"standardized_rate": "standardised_rate"})


#: Former name of :func:`standardized_rates`; calling it warns. Code written for it reads the
#: rate from the column ``standardised_rate``, which it keeps returning.
standardised_rates = renamed_function(_former_columns, "standardised_rates")
