"""Control charts for many segments at once: one vectorised pass, a summary, expected alarms."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from .._caller import caller, public
from .._multiple import q_values
from .._results import TidyResult, drawing
from .._validation import (
    as_column_list,
    check_columns,
    check_frame,
    check_option,
)
from ..aggregate import collect, engine_frame, error_sums, is_engine_frame
from ._inputs import phase_arguments
from .attributes import _attribute_chart
from .betabinomial import intraclass_correlation, predictive_p_value
from .gammapoisson import poisson_predictive_p_value
from .rules import Series, evaluate, resolve_rules
from .variables import _individuals

__all__ = ["ControlChartSet", "control_charts", "latest_p_values"]

_CHARTS = ["p", "laney_p", "np", "c", "u", "laney_u", "i"]


@dataclass(frozen=True, repr=False)
class ControlChartSet(TidyResult):
    """Control charts of many segments computed together.

    Attributes
    ----------
    chart : str
        The chart type of every segment.
    by : tuple of str
        The segment columns.
    table : pandas.DataFrame
        One row per segment and subgroup: the segment columns, then the columns of
        :attr:`ControlChart.table`.
    signals : pandas.DataFrame
        One row per rule firing: the segment columns, then the columns of
        :attr:`ControlChart.signals`.
    segments : pandas.DataFrame
        One row per segment: ``n_subgroups``, the latest ``subgroup``, ``value``, ``n`` (its
        size), ``center``,
        ``lcl``, ``ucl``, ``n_signals`` (firings over the whole series), ``latest_rules`` (rules
        firing at the latest point, comma-separated) and ``status``: ``"out of control"`` if
        the latest point is beyond its limits, ``"shift"`` if another rule fires there,
        ``"no limits"`` if its stage has none (see the warning), else ``"in control"``;
        ``p_value``, the two-sided normal tail ``2 Phi(-|z|)`` of the latest point, and
        ``q_value``, its Benjamini-Hochberg adjustment across segments: screening hundreds of
        segments is multiple testing, so rank by ``q_value`` rather than by raw signals.
    expected_false_alarms : float
        Rule firings expected across all segments if every process were stable and normal
        with the charted limits (simulated on the same layout of segments and stages).
    """

    chart: str
    by: tuple[str, ...]
    table: pd.DataFrame
    signals: pd.DataFrame
    segments: pd.DataFrame
    expected_false_alarms: float
    false_alarm_rate: float = 0.0
    proportion: bool = False

    _title = "Control charts by segment"

    def to_frame(self) -> pd.DataFrame:
        """Return the per-segment table (:attr:`segments`)."""
        return self.segments

    def _key_figures(self) -> dict:
        status = self.segments["status"].value_counts()
        return {
            "chart": self.chart,
            "segments": len(self.segments),
            **{name.replace(" ", "_"): int(count) for name, count in status.items()},
            "expected_false_alarms": round(self.expected_false_alarms, 1),
        }

    def summary(self) -> str:
        """Segments by status, the expected false alarms, and the signalling segments by q-value."""
        table = self.segments
        status = table["status"].value_counts()
        counts = ", ".join(f"{count} {name}" for name, count in status.items())
        lines = [
            f"{self.chart} charts of {len(table)} segments by {', '.join(self.by)}: {counts}.",
            f"{len(self.signals)} rule firings over all points, against "
            f"{self.expected_false_alarms:.1f} expected if every segment were stable.",
        ]
        flagged = table[table["status"].isin(["out of control", "shift"])]
        flagged = flagged.sort_values("q_value", kind="stable").head(5)
        lines += [
            f"{' / '.join(map(str, row[: len(self.by)]))}: {row[-1]} (q = {row[-2]:.3g})"
            for row in flagged[[*self.by, "q_value", "status"]].itertuples(index=False)
        ]
        return "\n".join(lines)

    plot = drawing(
        "spc", "plot_chart_set",
        "Small multiples of the segments whose latest point signals (at most ``max_panels``).",
        ax="sequence of matplotlib.axes.Axes, optional",
        options="    max_panels : int, default 12\n        The most segments drawn, out-of-control "
        "ones first.\n",
        returns="matplotlib.figure.Figure",
    )  # fmt: skip


@public
def control_charts(
    data: pd.DataFrame,
    *,
    by: str | Sequence[str],
    chart: str = "laney_p",
    subgroup: str,
    defects: str | None = None,
    n: str | None = None,
    outcome: str | None = None,
    values: str | None = None,
    freq: str | None = None,
    stage: str | None = None,
    breaks: Sequence[Any] | None = None,
    baseline: str | slice | None = None,
    exclude: Sequence[Any] | None = None,
    nsigmas: float = 3.0,
    rules: str | Sequence[str] | None = "western_electric",
    screened: bool = False,
    limits: str = "normal",
    seed: int = 0,
    simulate: bool = True,
) -> ControlChartSet:
    """Chart every segment (site x queue x policy ...) in one vectorised pass.

    Limits, Laney's sigma_z and run rules are computed for all segments and stages together
    with group-by sums, never a loop over segments, so hundreds of segments take about as
    long as one long series. Each segment's chart equals the single-series chart of its rows.

    Parameters
    ----------
    data : pandas.DataFrame, or a polars, DuckDB or PySpark frame
        Aggregates (one row per segment and subgroup, with ``defects`` and ``n`` or
        ``values``), or audit rows (one per audited decision) with a boolean ``outcome``
        column, which are first counted per segment and subgroup. Other engines' audit rows
        are counted on their engine (``freq`` then takes "D", "M", "Q" or "Y"), their
        aggregates collected; the charts are the same.
    by : str or list of str
        Segment columns.
    chart : {"p", "laney_p", "np", "c", "u", "laney_u", "i"}, default "laney_p"
        Chart type; ``"i"`` is the individuals chart of ``values`` (sigma from MR-bar/d2).
    subgroup : str
        Column with the subgroup key (week, date, ...).
    defects, n : str, optional
        Count and size columns of aggregated data.
    outcome : str, optional
        Boolean column of audit rows (for example ``"is_error"``): ``defects`` is its sum
        and ``n`` the row count per segment and subgroup.
    values : str, optional
        Measurement column for ``chart="i"`` (one row per segment and subgroup).
    freq : str, optional
        A pandas period alias (``"W"``, ``"M"``): datetime subgroups are floored to the start
        of their period before counting, so ``decision_time`` becomes weeks.
    stage, breaks, baseline, exclude, nsigmas, rules, screened, limits
        As for :func:`p_chart` (``screened`` applies to Laney's sigma_z and the I chart,
        ``limits="exact"`` to the p, np, c and u charts).
    seed : int, default 0
        Seed of the simulation behind ``expected_false_alarms``.
    simulate : bool, default True
        False leaves that simulation out (``expected_false_alarms`` and
        ``false_alarm_rate`` are then NaN), for a caller that keeps only the points and
        signals: its cost grows with the subgroup sizes (exact tails over 0 .. n).

    Returns
    -------
    ControlChartSet
        ``.table``, ``.signals``, ``.segments``, ``.expected_false_alarms``, ``.plot()``.

    Examples
    --------
    >>> audits = pd.DataFrame({
    ...     "site": ["A"] * 6 + ["B"] * 6,
    ...     "week": list(range(1, 7)) * 2,
    ...     "errors": [5, 6, 4, 5, 6, 30, 8, 7, 9, 8, 7, 8],
    ...     "audits": [100] * 12,
    ... })
    >>> charts = control_charts(audits, by="site", chart="p", subgroup="week",
    ...                         defects="errors", n="audits", rules="limits")
    >>> charts.segments[["site", "value", "status"]]
      site  value          status
    0    A   0.30  out of control
    1    B   0.08      in control

    References
    ----------
    .. [1] D. B. Laney (2002), "Improved control charts for attributes", *Quality
       Engineering* 14(4), 531-537.
    .. [2] Validated against qicharts2 facets (``qic(..., facets=~infection, chart="u")``).
    """
    func = caller()
    engine = is_engine_frame(data)
    if not engine:
        check_frame(data)
    elif outcome is None:  # aggregates: small, read them into pandas
        data, engine = collect(engine_frame(data)), False
    check_option(chart, name="chart", options=_CHARTS)
    segments = as_column_list(by)
    check_columns(engine_frame(data), [*segments, subgroup])
    if outcome is None and freq is not None:
        data = data.assign(**{subgroup: _floor(data[subgroup], freq)})
    elif outcome is not None:
        data = _count_outcomes(
            data,
            by=segments,
            subgroup=subgroup,
            outcome=outcome,
            freq=freq,
            carried=[c for c in (stage, baseline) if isinstance(c, str)],
        )
        defects, n = "defects", "n"
    phases = phase_arguments(locals()) | {"nsigmas": nsigmas, "rules": rules, "by": segments}
    if chart == "i":
        if limits != "normal":
            raise ValueError(
                f"{func}: limits={limits!r} applies to the p, np, c and u charts; the "
                "individuals chart has normal limits. Leave 'limits' at 'normal'."
            )
        result = _individuals(
            data, values=values, center=None, sigma=None, screened=screened, **phases
        ).location
    else:
        kind = chart.removeprefix("laney_")
        result = _attribute_chart(
            data,
            chart=kind,
            defects=defects,
            n=None if kind == "c" else n,
            center=None,
            laney=chart.startswith("laney_"),
            screened=screened,
            limits=limits,
            **phases,
        )
    expected, rate = np.nan, np.nan
    if simulate:
        expected, rate = _simulated_null(
            result,
            by=segments,
            laney=chart.startswith("laney_"),
            screened=screened,
            limits=limits,
            exclude=exclude,
            seed=seed,
        )
    return ControlChartSet(
        chart=result.chart,
        by=tuple(segments),
        table=result.table,
        signals=result.signals,
        segments=_summary(result.table, result.signals, segments, result.chart),
        expected_false_alarms=expected,
        false_alarm_rate=rate,
        proportion=result.proportion,
    )


def _count_outcomes(data, *, by, subgroup, outcome, freq, carried) -> pd.DataFrame:
    """Audit rows counted per segment and subgroup on their engine: ``defects`` and ``n``.

    The ``stage`` and ``baseline`` columns are further keys: a subgroup appearing twice then
    means they vary within it, which the chart reports. A pandas frame's subgroups are
    floored with pandas, which knows every period alias (the engines: "D", "M", "Q", "Y").
    """
    if freq is not None and not is_engine_frame(data):
        check_columns(data, [subgroup])
        data, freq = data.assign(**{subgroup: _floor(data[subgroup], freq)}), None
    counts = error_sums(
        data,
        keys=[*by, subgroup, *carried],
        outcome=outcome,
        weight=None,
        floor={subgroup: freq},
    )
    counts = counts.rename(columns={"errors": "defects"})[[*by, subgroup, *carried, "defects", "n"]]
    return counts.astype({"defects": np.int64, "n": np.int64})


def _floor(values: pd.Series, freq: str) -> pd.Series:
    return pd.to_datetime(values).dt.to_period(freq).dt.start_time


def _summary(table: pd.DataFrame, signals: pd.DataFrame, by: list[str], chart: str) -> pd.DataFrame:
    """One row per segment: latest point, limits, counts of signals, a status and its test."""
    latest = table.groupby(by, sort=False).tail(1)
    columns = [*by, "subgroup", "value", "n", "center", "lcl", "ucl"]
    summary = latest[columns].reset_index(drop=True)
    summary.insert(len(by), "n_subgroups", table.groupby(by, sort=False).size().to_numpy())
    counts = signals.groupby(by, sort=False).size().rename("n_signals")
    summary = summary.merge(counts.reset_index(), on=by, how="left")
    summary["n_signals"] = summary["n_signals"].fillna(0).astype(np.int64)
    at_latest = signals.merge(latest[[*by, "subgroup"]], on=[*by, "subgroup"])
    rules_now = at_latest.groupby(by, sort=False)["rule"].agg(", ".join).rename("latest_rules")
    summary = summary.merge(rules_now.reset_index(), on=by, how="left")
    summary["latest_rules"] = summary["latest_rules"].fillna("")
    beyond = summary["latest_rules"].str.contains("we1|nelson1", regex=True)
    status = np.where(summary["latest_rules"] != "", "shift", "in control")
    status = np.where(beyond, "out of control", status)
    summary["p_value"] = latest_p_values(table, by, chart)
    summary["q_value"] = q_values(summary["p_value"].to_numpy())
    without_limits = ~(latest["sigma"].to_numpy() > 0)
    summary["status"] = np.where(without_limits, "no limits", status)
    return summary


@public
def latest_p_values(table: pd.DataFrame, by: Sequence[str], chart: str) -> np.ndarray:
    """Two-sided p-value of each segment's latest point against the rest of its stage.

    For the p, np and Laney p' charts the test is exact at any subgroup size: the latest count
    against the beta-binomial predictive distribution of its stage's other baseline subgroups
    (:func:`~qainsights.spc.betabinomial.predictive_p_value`), with the over-dispersion
    estimated from those subgroups for Laney's p' (and then at least the t tail on their
    number less one degrees of freedom) and none for p and np. The c and u charts use the
    exact gamma-Poisson predictive tail of the latest count of defects given the stage's
    other baseline subgroups (:func:`~qainsights.spc.gammapoisson.poisson_predictive_p_value`).
    Laney's u' and the individuals chart keep the normal tail ``2 Phi(-|z|)`` (measured at 5-6 %
    false positives on stable series in ``benchmarks/calibration.py``).
    """
    by = list(by)
    segment = table.groupby(by, sort=False).ngroup().to_numpy()
    last = np.r_[segment[1:] != segment[:-1], True]
    if chart not in (*_EXACT_CHARTS, *_POISSON_CHARTS):
        return 2.0 * norm.sf(np.abs(table["z"].to_numpy()[last]))
    keys = table[[*by, "stage"]]
    block = np.cumsum((keys != keys.shift()).any(axis=1).to_numpy())
    n = table["n"].to_numpy(dtype=float)
    value = table["value"].to_numpy(dtype=float)
    defects = value if chart == "np" else value * n
    n_segments = int(segment[-1]) + 1
    history = (
        table["baseline"].to_numpy()
        & ~table["excluded"].to_numpy()
        & ~last
        & (block == block[last][segment])
    )
    code, x, size = segment[history], defects[history], n[history]
    if chart in _POISSON_CHARTS:
        exposure = np.ones_like(n) if chart == "c" else n
        return poisson_predictive_p_value(
            value[last] * exposure[last],
            exposure[last],
            np.bincount(code, weights=value[history] * exposure[history], minlength=n_segments),
            np.bincount(code, weights=exposure[history], minlength=n_segments),
        )
    rho = (
        intraclass_correlation(x, size, code, n_segments)
        if chart == "laney_p"
        else np.zeros(n_segments)
    )
    return predictive_p_value(
        defects[last],
        n[last],
        np.bincount(code, weights=x, minlength=n_segments),
        np.bincount(code, weights=size, minlength=n_segments),
        np.bincount(code, weights=size * (size - 1.0), minlength=n_segments),
        rho,
        df=np.bincount(code, minlength=n_segments) - 1.0,
    )


def _simulated_null(
    result, *, by: list[str], laney: bool, screened: bool, limits: str, exclude, seed: int
) -> tuple[float, float]:
    """Rule firings and the scan's false-alarm rate expected on stable processes like these.

    Attribute charts of proportions (p, np, Laney p') are re-charted on counts drawn from
    the null the flags are tested against: each segment and stage keeps its sizes, its rate
    and (Laney p') its over-dispersion ``rho``, counts are beta-binomial (binomial where
    ``rho`` is 0), and the same limits, rules and latest-point tests are applied. Other charts
    draw independent N(0, 1) z-values for their charted points. Replicates are added until
    about 50,000 points are simulated (2 to 200 replicates).

    Returns
    -------
    expected : float
        Mean number of rule firings per replicate.
    rate : float
        Share of replicates in which some segment's latest point is "out of control" with a
        q-value below 0.05.
    """
    table = result.table
    replicates = int(np.clip(np.ceil(_SIMULATED_POINTS / max(len(table), 1)), 2, 200))
    rng = np.random.default_rng(seed)
    if result.chart in _EXACT_CHARTS:
        sim = _count_replicates(result, replicates, rng, by=by, laney=laney,
                                screened=screened, limits=limits, exclude=exclude)  # fmt: skip
        keys = ["_replicate", *by]
        latest = sim.table.groupby(keys, sort=False).tail(1)
        replicate = latest["_replicate"].to_numpy()
        p = latest_p_values(sim.table, keys, result.chart)
        value, lcl, ucl = (latest[c].to_numpy() for c in ("value", "lcl", "ucl"))
        beyond = (latest["sigma"].to_numpy() > 0) & ((value > ucl) | (value < lcl))
        firings = len(sim.signals)
    else:
        usable = table["z"].notna().to_numpy() & ~table["excluded"].to_numpy()
        keys = table.loc[usable, [*by, "stage"]]
        group = np.cumsum((keys != keys.shift()).any(axis=1).to_numpy()) - 1
        segment = np.cumsum((keys[by] != keys[by].shift()).any(axis=1).to_numpy()) - 1
        size = group.size
        if size == 0:
            return 0.0, 0.0
        stacked = np.concatenate([group + r * (group[-1] + 1) for r in range(replicates)])
        z = rng.standard_normal(size * replicates)
        series = Series(z, z > result.nsigmas, z < -result.nsigmas, stacked,
                        zone=result.nsigmas / 3.0)  # fmt: skip
        firings = len(evaluate(series, resolve_rules(list(result.rules), func=caller())))
        copies = np.concatenate([segment + r * (segment[-1] + 1) for r in range(replicates)])
        ends = np.r_[copies[1:] != copies[:-1], True]
        replicate = np.repeat(np.arange(replicates), size)[ends]
        p = 2.0 * norm.sf(np.abs(z[ends]))
        beyond = np.abs(z[ends]) > result.nsigmas
    if not {"we1", "nelson1"} & set(result.rules):
        beyond = np.zeros_like(beyond)
    flagged = beyond & bh_rejected(p, replicate, alpha=0.05)
    rate = np.bincount(replicate, weights=flagged, minlength=replicates) > 0
    return firings / replicates, float(rate.mean())


def _count_replicates(result, replicates, rng, *, by, laney, screened, limits, exclude):
    """The chart recomputed on ``replicates`` copies of its layout with null counts."""
    table = result.table
    keys = table[[*by, "stage"]]
    block = np.cumsum((keys != keys.shift()).any(axis=1).to_numpy()) - 1
    stages = result.limits
    rate = stages["center"].to_numpy(dtype=float)[block]
    rho = stages["rho"].to_numpy(dtype=float)[block] if "rho" in stages else np.zeros(len(table))
    rows = np.tile(np.arange(len(table)), replicates)
    rate, rho = np.nan_to_num(rate[rows]), rho[rows]
    n = np.round(table["n"].to_numpy(dtype=float))[rows]
    spread = (rho > 0) & (rate > 0) & (rate < 1)
    total = (1.0 - rho[spread]) / rho[spread]
    rate[spread] = rng.beta(rate[spread] * total, (1.0 - rate[spread]) * total)
    frame = table.iloc[rows][[*by, "subgroup", "stage", "baseline"]].reset_index(drop=True)
    frame.insert(0, "_replicate", np.repeat(np.arange(replicates), len(table)))
    frame["defects"], frame["n"] = rng.binomial(n.astype(np.int64), rate), n
    with warnings.catch_warnings():  # stages without limits were reported on the real data
        warnings.filterwarnings("ignore", message="control_charts: no control limits")
        return _attribute_chart(
            frame, chart=result.chart.removeprefix("laney_"),
            defects="defects", n="n", subgroup="subgroup", stage="stage", breaks=None,
            baseline="baseline", exclude=exclude, center=None, nsigmas=result.nsigmas,
            rules=list(result.rules), laney=laney, screened=screened, limits=limits,
            by=["_replicate", *by],
        )  # fmt: skip


def bh_rejected(p_values: np.ndarray, group: np.ndarray, *, alpha: float) -> np.ndarray:
    """Whether Benjamini-Hochberg at ``alpha`` rejects each p-value, within each group.

    Within a group of ``m`` finite p-values sorted as ``p_(1) <= ... <= p_(m)``, BH rejects
    every ``p <= p_(k*)`` with ``k*`` the largest ``k`` such that ``p_(k) <= k alpha / m``;
    this is the same as ``q_value < alpha`` per group, computed for all groups at once.

    Examples
    --------
    >>> bh_rejected(np.array([0.01, 0.04, 0.03, 0.2]), np.array([0, 0, 0, 1]), alpha=0.05)
    array([ True,  True,  True, False])
    """
    finite = np.isfinite(p_values)
    order = np.lexsort((np.where(finite, p_values, np.inf), group))
    sorted_group, sorted_p = group[order], np.where(finite, p_values, np.inf)[order]
    m = np.bincount(group, weights=finite)
    first = np.r_[True, sorted_group[1:] != sorted_group[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(order.size), 0))
    rank = np.arange(order.size) - start + 1
    passes = sorted_p <= rank * alpha / m[sorted_group]
    threshold = pd.Series(np.where(passes, sorted_p, -np.inf)).groupby(sorted_group).max()
    limit = threshold.reindex(np.arange(m.size), fill_value=-np.inf).to_numpy()
    return finite & (np.where(finite, p_values, np.inf) <= limit[group])


_SIMULATED_POINTS = 50_000
_EXACT_CHARTS = ("p", "np", "laney_p")
#: count charts whose latest point has the exact gamma-Poisson tail
_POISSON_CHARTS = ("c", "u")
