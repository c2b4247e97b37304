"""Attribute capability: defect rates, DPU, DPMO, yield and sigma level for counted defects.

Two models. ``"binomial"``: every opportunity (an audited decision, a checked field) is either
defective or not, so the defect rate per opportunity (DPO) has a binomial interval.
``"poisson"``: defects are counted per unit and a unit can carry several, so the defects per
unit (DPU) has a Poisson interval. Every other measure is a monotone function of that one
rate, and its interval is the rate's interval carried through the same function.
"""

from __future__ import annotations

import numbers

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import ndtri
from scipy.stats import gamma

from .._caller import caller, public
from .._design import MODERATOR, warn_clustering
from .._validation import (
    as_column_list,
    check_columns,
    check_confidence,
    check_option,
    format_values,
)
from ..aggregate import (
    check_complete,
    collect,
    engine_frame,
    on_engine,
    raise_on_bad_values,
)
from ..intervals import INTERVAL_METHODS, proportion_ci
from ._clustered import cluster_sums, effective_counts
from .sigma_level import MILLION, check_shift

__all__ = ["attribute_capability", "dpmo", "rolled_throughput_yield"]

MEASURES = ("DPU", "DPO", "DPMO", "yield", "z_long_term", "sigma_level_short_term")
_INTERVALS = {"binomial": list(INTERVAL_METHODS), "poisson": ["garwood"]}


def _check_counts(values: np.ndarray, *, name: str, positive: bool) -> None:
    """Raise a ``ValueError`` listing the values that are missing, infinite or out of range."""
    func = caller()
    bad = ~np.isfinite(values) | ((values <= 0) if positive else (values < 0))
    if bad.any():
        kind = "positive" if positive else "non-negative"
        raise ValueError(
            f"The {name!r} parameter of {func} must hold finite {kind} numbers. Got "
            f"{int(bad.sum())} bad value(s): {format_values(values[bad].ravel())}. Check these "
            "counts, and remove or fill missing ones before calling."
        )


def _check_not_more_defects(defects: np.ndarray, opportunities: np.ndarray):
    """Raise a ``ValueError`` when some counts have more defects than opportunities."""
    func = caller()
    bad = defects > opportunities
    if bad.any():
        raise ValueError(
            f"{func} found {int(bad.sum())} count(s) with more defects than opportunities "
            f"(defects {format_values(np.broadcast_to(defects, bad.shape)[bad])}). Count "
            "every opportunity for a defect: raise 'opportunities', or check the columns."
        )


@public
def dpmo(
    defects: ArrayLike, units: ArrayLike, *, opportunities: ArrayLike = 1
) -> np.ndarray | float:
    """Defects per million opportunities: ``10⁶ · defects / (units · opportunities)``.

    Parameters
    ----------
    defects : float or array-like of float
        Number of defects found (non-negative).
    units : float or array-like of float
        Number of units inspected (positive), for example audited decisions.
    opportunities : float or array-like of float, default 1
        Opportunities for a defect per unit (positive), for example the fields an auditor
        checks on each decision.

    Returns
    -------
    float or numpy.ndarray
        DPMO, broadcast over the inputs (a float when all are scalars).

    Examples
    --------
    >>> print(dpmo(27, 1500, opportunities=4))
    4500.0
    >>> dpmo([0, 3], [1000, 1000])
    array([   0., 3000.])

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 1.4.
    """
    counts = {
        name: np.asarray(value, dtype=float)
        for name, value in {
            "defects": defects,
            "units": units,
            "opportunities": opportunities,
        }.items()
    }
    for name, value in counts.items():
        _check_counts(value, name=name, positive=name != "defects")
    total = counts["units"] * counts["opportunities"]
    _check_not_more_defects(counts["defects"], total)
    result = MILLION * counts["defects"] / total
    return float(result) if result.ndim == 0 else result


@public
def rolled_throughput_yield(yields: ArrayLike) -> float:
    """Rolled throughput yield: the product of the first-pass yields of the process steps.

    It is the probability that a unit passes every step without a defect (for example a
    decision that survives first review, appeal and QA audit).

    Parameters
    ----------
    yields : array-like of float
        First-pass yield of each step, each between 0 and 1. For defect counts per unit use
        ``exp(-DPU)`` per step (the Poisson probability of no defect), or take the ``yield``
        rows of :func:`attribute_capability`.

    Returns
    -------
    float
        The rolled throughput yield.

    Examples
    --------
    >>> print(round(rolled_throughput_yield([0.98, 0.95, 0.99]), 6))
    0.92169

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 1.4
       (rolled throughput yield of a multi-step process).
    """
    values = np.asarray(yields, dtype=float).ravel()
    bad = ~((values >= 0) & (values <= 1))
    if values.size == 0 or bad.any():
        raise ValueError(
            "The 'yields' parameter of rolled_throughput_yield must hold one yield per step, "
            f"each between 0 and 1. Got {values.size} value(s), {int(bad.sum())} bad: "
            f"{format_values(values[bad])}. Pass proportions such as 0.98, not percentages."
        )
    return float(np.prod(values))


def _count_spec(spec, *, name: str) -> str | float | None:
    """Check that ``spec`` names a column or is a positive number, and return it."""
    if spec is None or isinstance(spec, str):
        return spec
    if isinstance(spec, bool) or not isinstance(spec, numbers.Real):
        raise TypeError(
            f"The {name!r} parameter of {caller()} must be a column name or a positive number. "
            f"Got {type(spec).__name__} instead."
        )
    _check_counts(np.asarray(float(spec)), name=name, positive=True)
    return float(spec)


def _count_values(frame: nw.LazyFrame, column: str, *, name: str, positive: bool) -> nw.Expr:
    """The count ``column`` as floats (booleans as 0/1), after checking its type and values."""
    func = caller()
    dtype = frame.collect_schema()[column]
    if not (dtype.is_numeric() or dtype == nw.Boolean):
        advice = on_engine(frame, "convert it with pd.to_numeric", "cast it on your engine")
        raise ValueError(
            f"The {name!r} column {column!r} of {func} must be numeric. Got dtype {dtype} "
            f"instead; {advice} first."
        )
    values = nw.col(column).cast(nw.Float64)
    kind = "positive" if positive else "non-negative"
    raise_on_bad_values(
        frame,
        column,
        ~(values.is_finite() & ((values > 0) if positive else (values >= 0))),
        f"The {name!r} column {column!r} of {func} must hold finite {kind} numbers.",
        "Check these counts, and remove or correct them before calling.",
    )
    return values


def _group_totals(
    data, *, defects: str, units, opportunities, groups: list[str], cluster: str | None = None
) -> pd.DataFrame:
    """Sum defects, units and opportunities (units × opportunities per unit) per group (and
    per ``cluster`` within it, when given).

    One group-by on the data's own engine (pandas included), after the checks of columns,
    missing values and count values, which name the rows at fault.
    """
    frame = engine_frame(data)
    named = [c for c in (defects, units, opportunities) if isinstance(c, str)]
    keys = [*groups, *([cluster] if cluster is not None else [])]
    check_columns(frame, [*named, *keys])
    check_complete(frame, [*named, *keys])

    def count(spec, name):
        if isinstance(spec, str):
            return _count_values(frame, spec, name=name, positive=True)
        return nw.lit(1.0 if spec is None else spec)

    unit = count(units, "units")
    rows = frame.with_columns(
        _defects=_count_values(frame, defects, name="defects", positive=False),
        _units=unit,
        _opportunities=unit * count(opportunities, "opportunities"),
    )
    sums = [nw.col(c).sum().alias(c[1:]) for c in ("_defects", "_units", "_opportunities")]
    if keys:
        table = collect(rows.group_by(*keys).agg(*sums)).sort_values(keys, ignore_index=True)
    else:
        table = collect(rows.select(nw.len().alias("_rows"), *sums))
        table = table.loc[table.pop("_rows") > 0].reset_index(drop=True)
    if table.empty:
        raise ValueError(f"{caller()} got an empty 'data' frame. Pass at least one row of counts.")
    return table


def _names_every_moderator(data, groups: list[str]) -> bool:
    """Whether ``data`` is a pandas frame of audit rows naming every row's moderator (outside
    the groups), so that :func:`qainsights.error_rate`'s clustering check applies.
    """
    return (
        isinstance(data, pd.DataFrame)
        and MODERATOR in data.columns
        and MODERATOR not in groups
        and not data[MODERATOR].isna().any()
    )


def _warn_if_moderators_cluster(by_moderator: pd.DataFrame, groups: list[str]) -> None:
    """Warn, naming ``cluster="moderator_id"``, when the moderators' defect rates vary beyond
    binomial within the groups (the totals per group and moderator of :func:`_group_totals`).
    """
    warn_clustering(cluster_sums(by_moderator, groups, MODERATOR, exposure="opportunities"), groups)


def _sum_over_clusters(by_cluster: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    """The totals per group from the totals per group and cluster."""
    columns = ["defects", "units", "opportunities"]
    if not groups:
        return by_cluster[columns].sum().to_frame().T
    return by_cluster.groupby(groups, sort=True)[columns].sum().reset_index()


def _rate_interval(defects, exposure, *, model: str, interval: str, ci: float):
    """Return the interval for the rate ``defects / exposure`` under ``model``.

    Binomial: :func:`qainsights.intervals.proportion_ci` with ``interval``. Poisson: Garwood's
    exact interval from gamma quantiles of the count, divided by the exposure. Counts may be
    effective (not whole) ones; missing counts (a group of one cluster) give NaN bounds.
    """
    defects, exposure = np.asarray(defects, float), np.asarray(exposure, float)
    known = np.isfinite(defects) & np.isfinite(exposure)
    low, high = np.full(defects.shape, np.nan), np.full(defects.shape, np.nan)
    d, e = defects[known], exposure[known]
    if model == "binomial":
        low[known], high[known] = proportion_ci(d, e, ci=ci, method=interval)
        return low, high
    tail = (1.0 - ci) / 2.0
    low[known] = np.where(d > 0, gamma.ppf(tail, np.where(d > 0, d, 1.0)), 0.0) / e
    high[known] = gamma.isf(tail, d + 1.0) / e
    return low, high


def _measures(rate: np.ndarray, per_unit: np.ndarray, *, model: str, shift: float) -> np.ndarray:
    """Return the six measures (rows of ``MEASURES``) for each group, from its base rate.

    ``rate`` is DPO under the binomial model and DPU under the Poisson model; ``per_unit``
    is the number of opportunities per unit. Each measure is monotone in the rate.
    """
    if model == "binomial":
        dpo, dpu = rate, rate * per_unit
        unit_yield = (1.0 - dpo) ** per_unit
    else:
        dpu, dpo = rate, np.minimum(rate / per_unit, 1.0)
        unit_yield = np.exp(-dpu)
    z_long_term = -ndtri(dpo)
    return np.stack([dpu, dpo, MILLION * dpo, unit_yield, z_long_term, z_long_term + shift])


@public
def attribute_capability(
    data: pd.DataFrame,
    *,
    defects: str,
    units: str | None = None,
    opportunities: str | float = 1,
    by: str | list[str] | None = None,
    model: str = "binomial",
    interval: str | None = None,
    ci: float = 0.95,
    shift: float = 1.5,
    cluster: str | None = None,
) -> pd.DataFrame:
    """Attribute capability of counted defects: DPU, DPO, DPMO, yield and sigma level.

    Rows are summed within each ``by`` group (one group-by), so ``data`` may be raw audit
    rows (one decision per row, ``defects`` a 0/1 or boolean error flag and ``units``
    left out) or counts already aggregated per day, queue or site.

    Parameters
    ----------
    data : pandas.DataFrame, or a polars, DuckDB or PySpark frame
        Audit rows or aggregated counts. The counts are checked and summed per group on
        the data's own engine; only the per-group totals are collected.
    defects : str
        Column with the number of defects of each row (booleans count as 0/1).
    units : str, optional
        Column with the number of units each row covers. If omitted, each row is one unit.
    opportunities : str or float, default 1
        Opportunities for a defect per unit: a number, or a column holding it per row. The
        total opportunities of a group is the sum of ``units × opportunities``.
    by : str or list of str, optional
        Columns defining the groups (for example ``"queue"``). Without it, one overall row
        set is returned.
    model : {"binomial", "poisson"}, default "binomial"
        ``"binomial"`` treats each opportunity as defective or not (error rates of audits);
        the interval is a binomial interval for DPO. ``"poisson"`` counts
        defects per unit; the interval is Garwood's exact Poisson interval for DPU.
    interval : str, optional
        Interval method for the base rate. Binomial: any method of
        :func:`qainsights.intervals.proportion_ci` (default ``"modified_wilson"``; ``"clopper_pearson"``
        for the exact interval). Poisson: ``"garwood"`` (the default and only choice).
    ci : float, default 0.95
        Confidence level of the intervals.
    shift : float, default 1.5
        The shift in standard deviations between the long-term Z and the short-term sigma
        level (the Six Sigma convention is 1.5; 0 reports the long-term Z twice).
    cluster : str, optional
        Column of clusters whose rows are correlated, ``"moderator_id"`` for audits: the
        clusters, not the rows, are then the independent units of the base rate's variance,
        and the interval applies to the effective counts (``_clustered``). Without it rows
        are independent (a pandas frame of audits with a ``moderator_id`` column is checked,
        and a ``UserWarning`` names ``cluster`` when the moderators' error rates vary beyond
        binomial, as :func:`~qainsights.rates.error_rate` does), and on audits whose errors
        cluster by moderator the intervals hold for these moderators' decisions only: measured on 40 moderators of one process
        (latent ICC 0.05), 92 % coverage of the process's DPO at 25 audits a moderator and
        86 % at 100, against 94-95 % with ``cluster`` (``benchmarks/README.md``).

    Returns
    -------
    pandas.DataFrame
        Six rows per group, tidy, with the ``by`` columns then:

        - ``measure``: ``"DPU"`` (defects per unit), ``"DPO"`` (defects per opportunity,
          the defect rate), ``"DPMO"`` (10⁶ · DPO), ``"yield"`` (probability that a unit
          has no defect: ``(1 − DPO)^m`` for the binomial model with ``m`` opportunities
          per unit, ``exp(−DPU)`` for the Poisson model), ``"z_long_term"``
          (``Φ⁻¹(1 − DPO)``) and ``"sigma_level_short_term"`` (``z_long_term + shift``).
        - ``estimate``, ``ci_low``, ``ci_high``: the value and its interval. The interval
          of the base rate is carried through each monotone measure, so the bounds of
          yield and Z come from the opposite bounds of the rate; DPO bounds are clipped to
          [0, 1].
        - ``defects``, ``units``, ``total_opportunities``: the group's totals (the last is
          the sum of ``units × opportunities``, not the opportunities per unit).
        - with ``cluster``: ``clusters`` and ``effective_exposure`` (the opportunities, or
          units for the Poisson model, that the interval counts).
        - ``method``: the model and interval used.

    Raises
    ------
    ValueError
        For unknown options, missing columns, missing values in any column used (the
        message names their index on pandas; no row is dropped), count columns that are not
        numeric, negative or non-finite counts, non-positive units or opportunities, no
        rows, or a group with more defects than opportunities.
    TypeError
        When ``units`` or ``opportunities`` is neither a column name nor a number.

    See Also
    --------
    dpmo_to_sigma, sigma_to_dpmo, rolled_throughput_yield

    Examples
    --------
    27 errors in 1,500 audited decisions with 4 checked fields each:

    >>> counts = pd.DataFrame({"errors": [27], "audits": [1500]})
    >>> table = attribute_capability(counts, defects="errors", units="audits", opportunities=4)
    >>> table[["measure", "estimate"]].round(6)
                      measure     estimate
    0                     DPU     0.018000
    1                     DPO     0.004500
    2                    DPMO  4500.000000
    3                   yield     0.982121
    4             z_long_term     2.612054
    5  sigma_level_short_term     4.112054

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 1.4
       (DPMO, sigma level, rolled throughput yield).
    .. [2] E. B. Wilson (1927), "Probable inference, the law of succession, and statistical
       inference", *JASA* 22, 209-212.
    .. [3] F. Garwood (1936), "Fiducial limits for the Poisson distribution", *Biometrika*
       28, 437-442.
    """
    model = check_option(model, name="model", options=list(_INTERVALS))
    interval = check_option(
        _INTERVALS[model][0] if interval is None else interval,
        name="interval",
        options=_INTERVALS[model],
    )
    ci = check_confidence(ci)
    shift = check_shift(shift)
    groups = as_column_list(by)
    counts = {
        "defects": defects,
        "units": _count_spec(units, name="units"),
        "opportunities": _count_spec(opportunities, name="opportunities"),
    }
    by_cluster = None
    if cluster is not None:
        by_cluster = _group_totals(data, **counts, groups=groups, cluster=cluster)
        sums = _sum_over_clusters(by_cluster, groups)
    elif model == "binomial" and _names_every_moderator(data, groups):
        by_moderator = _group_totals(data, **counts, groups=groups, cluster=MODERATOR)
        _warn_if_moderators_cluster(by_moderator, groups)
        sums = _sum_over_clusters(by_moderator, groups)
    else:
        sums = _group_totals(data, **counts, groups=groups)
    total_defects = sums["defects"].to_numpy()
    total_units = sums["units"].to_numpy()
    total_opportunities = sums["opportunities"].to_numpy()
    _check_not_more_defects(total_defects, total_opportunities)

    exposure = total_opportunities if model == "binomial" else total_units
    per_unit = total_opportunities / total_units
    counted = (total_defects, exposure)
    if by_cluster is not None:
        column = "opportunities" if model == "binomial" else "units"
        *counted, clusters = effective_counts(
            by_cluster, groups, cluster, exposure=column, model=model, ci=ci
        )
    low, high = _rate_interval(*counted, model=model, interval=interval, ci=ci)
    estimate = _measures(total_defects / exposure, per_unit, model=model, shift=shift)
    bound_low = _measures(low, per_unit, model=model, shift=shift)
    bound_high = _measures(high, per_unit, model=model, shift=shift)
    decreasing = np.isin(MEASURES, ["yield", "z_long_term", "sigma_level_short_term"])[:, None]

    n_groups, n_measures = len(sums), len(MEASURES)
    table = sums.loc[np.repeat(np.arange(n_groups), n_measures), groups].reset_index(drop=True)
    table["measure"] = np.tile(MEASURES, n_groups)
    table["estimate"] = estimate.T.ravel()
    table["ci_low"] = np.where(decreasing, bound_high, bound_low).T.ravel()
    table["ci_high"] = np.where(decreasing, bound_low, bound_high).T.ravel()
    for column, name in (("defects", "defects"), ("units", "units"),
                         ("opportunities", "total_opportunities")):  # fmt: skip
        table[name] = np.repeat(sums[column].to_numpy(), n_measures)
    table["method"] = f"{model}, {interval} interval"
    if by_cluster is not None:
        table["clusters"] = np.repeat(clusters, n_measures)
        table["effective_exposure"] = np.repeat(counted[1], n_measures)
        table["method"] += f", clusters {cluster!r}"
    return table
