"""Tables derived from the quality cubes alone: rates, control charts, changepoints.

Nothing here reads audit rows: every figure is a function of the cube's sums, computed by
the same code the row-level functions use (:func:`qainsights.error_rate`'s ratio estimate and
Taylor variance, :func:`qainsights.spc.control_charts`,
:func:`qainsights.trends.detect_changepoints`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .._caller import public
from .._validation import as_column_list, check_columns, check_confidence
from ..rates import rates_from_sums
from .cube import CLUSTER_KEYS, SUMS

__all__ = ["DIMENSIONS", "cube_rates", "derived_tables", "effective_weekly"]

#: The segment dimensions of the derived tables ("all" is the whole operation).
DIMENSIONS = ("all", "site_type", "site", "queue", "policy", "market")
#: Period grains of the derived tables.
GRAINS = ("month", "week")
#: The cluster cube's cluster column: monthly rates take its values as sampling clusters.
_MODERATOR = "moderator_id"


@public
def cube_rates(
    cube: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    cluster: str | None = None,
    weighted: bool = True,
    ci: float = 0.95,
    method: str = "modified_wilson",
) -> pd.DataFrame:
    """Error rates with intervals per segment (and period) from cube cells.

    For each period, the result equals :func:`qainsights.error_rate` of that period's audit
    rows with ``by``, the same ``ci`` and ``method`` and, when ``weighted``, the cube's
    weight and strata: segments are domains of the period's sample, so a stratum's audit
    count ``n_h`` counts the whole period (Cochran 1977, section 5A.14). With ``cluster``
    (cells of the cluster cube, ``cluster="moderator_id"``) it equals
    ``error_rate(..., cluster="moderator_id")``: each moderator's audits in a stratum are
    one sampling unit, ``m_h`` counts the stratum's moderators in the whole period, and the
    effective sample size takes Korn and Graubard's degrees-of-freedom factor.

    Parameters
    ----------
    cube : pandas.DataFrame
        Cells of :func:`~qainsights.mart.quality_cube` (any subset of them: the rates are
        those of the audits the cells hold), with a ``stratum`` column and the sums: the
        segment cube, or with ``cluster`` the cluster cube (``"clusters"``, the mart's
        ``cube_cluster``), which has no ``week``.
    by : str or list of str, optional
        Segment columns; None gives one row per period.
    period : str, optional
        A period column (``"month"`` or ``"week"``); None pools all cells.
    cluster : str, optional
        The cells' cluster column (``"moderator_id"``): intervals with its values as
        sampling clusters, always design-based (every weight 1 in a cube without weights).
    weighted : bool, default True
        The design-based rate and interval (as ``error_rate(weight=..., strata=...)``);
        False gives ``errors / n`` with ``method``'s interval (as ``error_rate`` without
        them). False with ``cluster`` raises.
    ci : float, default 0.95
        Confidence level.
    method : str, default "modified_wilson"
        Interval method, see :func:`qainsights.proportion_ci`.

    Returns
    -------
    pandas.DataFrame
        The ``period`` and ``by`` columns, then the columns of :func:`qainsights.error_rate`.

    Examples
    --------
    >>> import qainsights as qi
    >>> from qainsights.mart import quality_cube
    >>> audits = qi.simulate_audits(seed=1, weeks=4, audits_per_week=300).audits
    >>> cube = quality_cube(audits, weight="weight", strata="stratum")["cube"]
    >>> mine = cube_rates(cube, by="site")
    >>> theirs = qi.error_rate(audits, by="site", weight="weight", strata="stratum")
    >>> bool(abs(mine["ci_high"] - theirs["ci_high"]).max() < 1e-12)
    True

    Moderators as clusters, from the cluster cube:

    >>> clusters = quality_cube(audits, weight="weight", strata="stratum")["clusters"]
    >>> mine = cube_rates(clusters, by="site", cluster="moderator_id")
    >>> theirs = qi.error_rate(
    ...     audits, by="site", weight="weight", strata="stratum", cluster="moderator_id"
    ... )
    >>> bool(abs(mine["ci_high"] - theirs["ci_high"]).max() < 1e-12)
    True

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley, chapters 5 and 6.
    .. [2] Korn, E. L. & Graubard, B. I. (1998). Survey Methodology 24, 193-201.
    """
    check_confidence(ci)
    periods = as_column_list(period)
    keys = [*periods, *as_column_list(by)]
    design = ["stratum", *as_column_list(cluster)]
    check_columns(cube, [*keys, *design, *SUMS])
    cells = cube[[*keys, *design, *SUMS]]
    # a stratum of one period is a stratum of its own: n_h counts that period's audits only
    if periods:
        cells = cells.assign(stratum=cells[period].astype(str) + " " + cells["stratum"].astype(str))
    return rates_from_sums(
        cells, by=keys, strata="stratum", cluster=cluster, weighted=weighted, ci=ci, method=method
    )


@public
def derived_tables(
    cube: pd.DataFrame,
    *,
    weighted: bool,
    ci: float = 0.95,
    weights: bool | None = None,
    clusters: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """The mart's derived tables, computed from the segment and cluster cubes alone.

    Parameters
    ----------
    cube : pandas.DataFrame
        The whole segment cube (all published months).
    weighted : bool
        Whether rates are design-based (see :func:`cube_rates`).
    ci : float, default 0.95
        Confidence level of the rates.
    weights : bool, optional
        Whether the audits carry sampling weights (default: ``weighted``). The control
        charts then plot, as the report's do, each week's decision-weighted rate on its Kish
        effective sample size (:func:`effective_weekly`); otherwise ``errors / n`` of the
        audits.
    clusters : pandas.DataFrame, optional
        The cluster cube of the same months (``"clusters"`` of
        :func:`~qainsights.mart.quality_cube`, the mart's ``cube_cluster``). The monthly
        rates of each month it covers (all the month's audits, each site of one site type)
        then take each moderator's audits in a stratum as one sampling cluster, as
        ``error_rate(..., cluster="moderator_id")`` and the Monthly Quality Report do
        (design-based, every weight 1 without weights). Weekly rates, and the months it
        does not cover, treat audits as independent.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"rates"``: one row per grain ("month", "week"), period, dimension (of
        :data:`DIMENSIONS`) and segment, with the columns of :func:`qainsights.error_rate`
        and ``cluster`` (``"moderator_id"`` where the interval takes moderators as clusters,
        ``""`` where it treats audits as independent);
        ``"control_chart"``: Laney p' chart points per dimension, segment and week (the
        columns of :attr:`qainsights.spc.ControlChartSet.table`, ``subgroup`` named
        ``week``, and ``audits``); ``"control_signals"``: one row per rule firing (Nelson rules);
        ``"changepoints"``: :func:`qainsights.trends.detect_changepoints` cuts per segment.

    Examples
    --------
    >>> import qainsights as qi
    >>> from qainsights.mart import quality_cube
    >>> audits = qi.simulate_audits(seed=1, weeks=8, audits_per_week=400).audits
    >>> cubes = quality_cube(audits, weight="weight", strata="stratum")
    >>> tables = derived_tables(cubes["cube"], weighted=True, clusters=cubes["clusters"])
    >>> sorted(tables)
    ['changepoints', 'control_chart', 'control_signals', 'rates']
    >>> tables["rates"][["grain", "cluster"]].drop_duplicates().to_dict("records")
    [{'grain': 'month', 'cluster': 'moderator_id'}, {'grain': 'week', 'cluster': ''}]

    References
    ----------
    .. [1] Laney, D. B. (2002). Improved control charts for attributes. Quality
       Engineering 14, 531-537.
    .. [2] Jackson, B. et al. (2005). An algorithm for optimal partitioning of data on an
       interval. IEEE Signal Processing Letters 12, 105-108.
    """
    from ..spc import control_charts
    from ..trends import detect_changepoints

    cells = cube.groupby(["month", "week", *DIMENSIONS[1:], "stratum"], sort=True, observed=True)[
        list(SUMS)
    ].sum()
    cells = cells.reset_index().assign(all="all")
    units = _cluster_cells(cells, clusters)
    independent = cells[~cells["month"].isin(units["month"].unique())]
    # the months the cluster cube covers take moderators as clusters (design-based, every
    # weight 1 in a cube without weights); the other months and every week do not
    parts = [
        ("month", units, _MODERATOR),
        ("month", independent, None),
        ("week", cells, None),
    ]
    rates = pd.concat(
        [
            cube_rates(
                part,
                by=name,
                period=grain,
                cluster=cluster,
                ci=ci,
                weighted=weighted or cluster is not None,
            )
            .rename(columns={grain: "period", name: "segment"})
            .pipe(_period_text)
            .assign(grain=grain, dimension=name, cluster=cluster or "")
            for grain, part, cluster in parts
            if len(part)
            for name in DIMENSIONS
        ],
        ignore_index=True,
    )
    rates["segment"] = rates["segment"].astype(str)
    first = ["grain", "period", "dimension", "segment"]
    rates = rates[
        [*first, *[c for c in rates.columns if c not in first and c != "cluster"], "cluster"]
    ]
    order = rates.assign(_dimension=rates["dimension"].map(DIMENSIONS.index))
    order = order.sort_values(["grain", "_dimension", "period", "segment"], kind="stable")
    rates = rates.loc[order.index].reset_index(drop=True)
    long = pd.concat(
        [cells.assign(dimension=name, segment=cells[name].astype(str)) for name in DIMENSIONS],
        ignore_index=True,
    )
    weekly = long.groupby(["dimension", "segment", "week"], sort=True, observed=True)[
        list(SUMS)
    ].sum()
    weekly = weekly.reset_index()
    points = effective_weekly(weekly) if (weighted if weights is None else weights) else weekly
    charts = control_charts(
        points,
        by=["dimension", "segment"],
        chart="laney_p",
        subgroup="week",
        defects="errors",
        n="n",
        rules="nelson",
        simulate=False,  # the mart keeps points and signals, not the expected false alarms
    )
    found = detect_changepoints(
        weekly, period="week", by=["dimension", "segment"], errors="errors", n="n"
    )
    table = charts.table.rename(columns={"subgroup": "week"})
    audits = weekly[["dimension", "segment", "week", "n"]].rename(columns={"n": "audits"})
    table = table.merge(audits, on=["dimension", "segment", "week"], how="left", validate="1:1")
    table["audits"] = table["audits"].astype("int64")
    return {
        "rates": rates,
        "control_chart": table,
        "control_signals": charts.signals.rename(columns={"subgroup": "week"}),
        "changepoints": found.changepoints,
    }


def _cluster_cells(cells: pd.DataFrame, clusters: pd.DataFrame | None) -> pd.DataFrame:
    """The cluster cube's cells of the months it covers, with ``site_type`` and ``all``.

    A month is covered when its cluster cells hold all its audits (the rows carried
    moderator IDs) and each of its sites has one site type (the cluster cube has no
    ``site_type``; it is taken from the segment cube's cells of the same month and site).
    """
    keys = [*CLUSTER_KEYS, *SUMS]
    if clusters is None or clusters.empty:
        return pd.DataFrame(columns=[*keys, "site_type", "all"])
    clusters = clusters[keys]
    audits = cells.groupby("month", observed=True)["n"].sum()
    held = clusters.groupby("month", observed=True)["n"].sum()
    types = cells[["month", "site", "site_type"]].drop_duplicates()
    mixed = types.groupby(["month", "site"], observed=True).size().gt(1)
    mixed = mixed[mixed].index.get_level_values("month").unique()
    covered = held.index[(held == audits.reindex(held.index)).to_numpy()].difference(mixed)
    chosen = clusters[clusters["month"].isin(covered)]
    return chosen.merge(types, on=["month", "site"], how="left", validate="m:1").assign(all="all")


@public
def effective_weekly(sums: pd.DataFrame) -> pd.DataFrame:
    """Weekly sums as counts on the Kish effective sample size, for weighted p charts.

    Each row's weighted (Hajek) rate ``r = Σ w·y / Σ w`` is kept and its size becomes
    ``n = (Σ w)² / Σ w²``, with ``errors = r · n``: the report's estimand
    (:func:`qainsights.report.estimand.effective_counts`) from the cube's sums.

    Parameters
    ----------
    sums : pandas.DataFrame
        Rows with the cube's ``sum_w``, ``sum_w2`` and ``sum_wy``.

    Returns
    -------
    pandas.DataFrame
        ``sums`` with ``n`` and ``errors`` replaced.

    Examples
    --------
    Two audits weighted 1 and 3, the one weighted 3 an error: rate 3/4, effective size
    (1 + 3)² / (1 + 9) = 1.6, effective errors 1.2.

    >>> sums = pd.DataFrame({"n": [2], "errors": [1], "sum_w": [4.0], "sum_w2": [10.0],
    ...                      "sum_wy": [3.0]})
    >>> effective_weekly(sums)[["n", "errors"]].round(12)
         n  errors
    0  1.6     1.2

    References
    ----------
    .. [1] Kish, L. (1965). Survey Sampling. Wiley, section 11.7.
    """
    n_eff = sums["sum_w"] ** 2 / sums["sum_w2"]
    rate = (sums["sum_wy"] / sums["sum_w"]).clip(0.0, 1.0)
    return sums.assign(n=n_eff, errors=rate * n_eff)


def _period_text(table: pd.DataFrame) -> pd.DataFrame:
    """``period`` as text: months stay "YYYY-MM", weeks become "YYYY-MM-DD" (their Monday)."""
    period = table["period"]
    if pd.api.types.is_datetime64_any_dtype(period):
        return table.assign(period=period.dt.strftime("%Y-%m-%d"))
    return table.assign(period=period.astype(str))
