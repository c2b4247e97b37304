"""Tables derived from the quality cube alone: rates, control charts, changepoints.

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
from .cube import SUMS

__all__ = ["DIMENSIONS", "cube_rates", "derived_tables", "effective_weekly"]

#: The segment dimensions of the derived tables ("all" is the whole operation).
DIMENSIONS = ("all", "site_type", "site", "queue", "policy", "market")
#: Period grains of the derived tables.
GRAINS = ("month", "week")


@public
def cube_rates(
    cube: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    weighted: bool = True,
    ci: float = 0.95,
    method: str = "wilson",
) -> pd.DataFrame:
    """Error rates with intervals per segment (and period) from cube cells.

    For each period, the result equals :func:`qainsights.error_rate` of that period's audit
    rows with ``by``, the same ``ci`` and ``method`` and, when ``weighted``, the cube's
    weight and strata: segments are domains of the period's sample, so a stratum's audit
    count ``n_h`` counts the whole period (Cochran 1977, section 5A.14).

    Parameters
    ----------
    cube : pandas.DataFrame
        Cells of :func:`~qainsights.mart.quality_cube` (any subset of them: the rates are
        those of the audits the cells hold), with a ``stratum`` column and the sums.
    by : str or list of str, optional
        Segment columns; None gives one row per period.
    period : str, optional
        A period column (``"month"`` or ``"week"``); None pools all cells.
    weighted : bool, default True
        The design-based rate and interval (as ``error_rate(weight=..., strata=...)``);
        False gives ``errors / n`` with ``method``'s interval (as ``error_rate`` without
        them).
    ci : float, default 0.95
        Confidence level.
    method : str, default "wilson"
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

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley, chapters 5 and 6.
    .. [2] Korn, E. L. & Graubard, B. I. (1998). Survey Methodology 24, 193-201.
    """
    check_confidence(ci)
    periods = as_column_list(period)
    keys = [*periods, *as_column_list(by)]
    check_columns(cube, [*keys, "stratum", *SUMS])
    cells = cube[[*keys, "stratum", *SUMS]]
    # a stratum of one period is a stratum of its own: n_h counts that period's audits only
    if periods:
        cells = cells.assign(stratum=cells[period].astype(str) + " " + cells["stratum"].astype(str))
    return rates_from_sums(
        cells, by=keys, strata="stratum", weighted=weighted, ci=ci, method=method
    )


@public
def derived_tables(
    cube: pd.DataFrame, *, weighted: bool, ci: float = 0.95, weights: bool | None = None
) -> dict[str, pd.DataFrame]:
    """The mart's derived tables, computed from the segment cube alone.

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

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"rates"``: one row per grain ("month", "week"), period, dimension (of
        :data:`DIMENSIONS`) and segment, with the columns of :func:`qainsights.error_rate`;
        ``"control_chart"``: Laney p' chart points per dimension, segment and week (the
        columns of :attr:`qainsights.spc.ControlChartSet.table`, ``subgroup`` named
        ``week``, and ``audits``); ``"control_signals"``: one row per rule firing (Nelson rules);
        ``"changepoints"``: :func:`qainsights.trends.detect_changepoints` cuts per segment.

    Examples
    --------
    >>> import qainsights as qi
    >>> from qainsights.mart import quality_cube
    >>> audits = qi.simulate_audits(seed=1, weeks=8, audits_per_week=400).audits
    >>> cube = quality_cube(audits, weight="weight", strata="stratum")["cube"]
    >>> sorted(derived_tables(cube, weighted=True))
    ['changepoints', 'control_chart', 'control_signals', 'rates']

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
    rates = pd.concat(
        [
            cube_rates(cells, by=name, period=grain, weighted=weighted, ci=ci)
            .rename(columns={grain: "period", name: "segment"})
            .pipe(_period_text)
            .assign(grain=grain, dimension=name)
            for grain in GRAINS
            for name in DIMENSIONS
        ],
        ignore_index=True,
    )
    rates["segment"] = rates["segment"].astype(str)
    rates = rates[["grain", "period", "dimension", "segment", *rates.columns[2:-2]]]
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
