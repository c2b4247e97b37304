"""Result objects of the control charts: the per-point table, the fired rules and the limits."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .._results import TidyResult, drawing

__all__ = ["ControlChart", "ControlChartPair"]


@dataclass(frozen=True, repr=False)
class ControlChart(TidyResult):
    """One control chart: points, limits, signals and the runs analysis.

    Attributes
    ----------
    chart : str
        Chart type, for example ``"p"``, ``"laney_p"``, ``"xbar"`` or ``"mr"``.
    table : pandas.DataFrame
        One row per subgroup, in time order: ``subgroup``, ``stage``, ``value`` (the charted
        statistic), ``n`` (subgroup size; 1 for counts and individuals), ``center``, ``lcl``,
        ``ucl``, ``sigma`` (standard deviation of the statistic at that point, so
        ``ucl = center + nsigmas * sigma`` before truncation), ``z`` (``(value - center) /
        sigma``), ``baseline`` (used for the limits of its stage unless excluded),
        ``excluded`` and ``signal`` (any rule fired at the point).
    signals : pandas.DataFrame
        One row per rule firing at a point: ``subgroup`` (where the pattern completes or
        extends), ``rule``, ``start`` and ``end`` (the subgroups the window covers),
        ``direction`` (``"up"``, ``"down"`` or ``"none"``) and ``description``.
    limits : pandas.DataFrame
        One row per stage: ``stage``, ``center`` (the centre of the statistic: p-bar, c-bar,
        x-double-bar, ...), ``sigma`` (the process sigma the limits use, for example
        ``MR-bar / d2`` or Laney's sigma_z), ``sigma_method``, ``n_subgroups`` (subgroups the
        limits were computed from).
    runs : pandas.DataFrame
        Anhøj runs analysis per stage: ``n_useful``, ``longest_run``, ``longest_run_max``,
        ``crossings``, ``crossings_min``, ``runs_signal``.
    nsigmas : float
        Width of the limits in sigmas.
    rules : tuple of str
        The run rules evaluated.
    proportion : bool
        Whether the statistic is a proportion (drawn on a percent axis).
    """

    chart: str
    table: pd.DataFrame
    signals: pd.DataFrame
    limits: pd.DataFrame
    runs: pd.DataFrame
    nsigmas: float
    rules: tuple[str, ...]
    proportion: bool = False

    _title = "Control chart"

    def to_frame(self) -> pd.DataFrame:
        """Return the per-subgroup table."""
        return self.table

    def _key_figures(self) -> dict:
        return {
            "chart": self.chart,
            "subgroups": len(self.table),
            "stages": len(self.limits),
            "signals": int(self.table["signal"].sum()),
        }

    def summary(self) -> str:
        """The chart's limits per stage and the points where a rule fired, in words."""
        fired = self.signals
        lines = [
            f"{self.chart} chart of {len(self.table)} subgroups in {len(self.limits)} "
            f"stage(s), limits at {self.nsigmas:g} sigma; rules: {', '.join(self.rules)}."
        ]
        lines += [
            f"Stage {row.stage}: centre {row.center:.4g}, sigma {row.sigma:.4g} "
            f"({row.sigma_method}, from {row.n_subgroups} subgroups)."
            for row in self.limits.itertuples()
        ]
        lines.append(_signals_sentence(fired))
        return "\n".join(lines)

    plot = drawing(
        "spc", "plot_control_chart",
        "Draw the values, stepped limits, centre line, stage breaks and signals.",
    )  # fmt: skip


@dataclass(frozen=True, repr=False)
class ControlChartPair(TidyResult):
    """A location chart and its spread chart (I-MR, Xbar-R, Xbar-S).

    Attributes
    ----------
    location : ControlChart
        The chart of individuals or subgroup means.
    spread : ControlChart
        The chart of moving ranges, ranges or standard deviations.
    """

    location: ControlChart
    spread: ControlChart

    _title = "Control charts"

    @property
    def table(self) -> pd.DataFrame:
        """Both charts' tables stacked, with a leading ``chart`` column."""
        return _stack(self.location.table, self.spread.table, self)

    @property
    def signals(self) -> pd.DataFrame:
        """Both charts' signals stacked, with a leading ``chart`` column."""
        return _stack(self.location.signals, self.spread.signals, self)

    def to_frame(self) -> pd.DataFrame:
        """Return both per-subgroup tables stacked."""
        return self.table

    def _key_figures(self) -> dict:
        return {
            "charts": f"{self.location.chart}-{self.spread.chart}",
            "subgroups": len(self.location.table),
            "signals": int(self.location.table["signal"].sum() + self.spread.table["signal"].sum()),
        }

    def summary(self) -> str:
        """Both charts' summaries, the location chart first."""
        return f"{self.location.summary()}\n{self.spread.summary()}"

    plot = drawing(
        "spc", "plot_chart_pair", "Draw the two charts one above the other.",
        ax="pair of matplotlib.axes.Axes, optional",
        returns="matplotlib.figure.Figure\n        The figure of the two axes (``figure.axes[0]`` "
        "the location chart).",
    )  # fmt: skip


def _signals_sentence(signals: pd.DataFrame, *, limit: int = 5) -> str:
    """The rule firings in one sentence: how many, and the first ``limit`` (subgroup: rule).

    Examples
    --------
    >>> signals = pd.DataFrame({"subgroup": pd.to_datetime(["2026-03-02"]), "rule": ["we1"]})
    >>> _signals_sentence(signals)
    '1 rule firing(s) at 1 subgroup(s): 2026-03-02: we1.'
    """
    if signals.empty:
        return "No rule fired."
    subgroups = signals["subgroup"]
    if pd.api.types.is_datetime64_any_dtype(subgroups):
        subgroups = subgroups.dt.strftime("%Y-%m-%d")
    shown = "; ".join(
        f"{where}: {rule}"
        for where, rule in zip(subgroups[:limit], signals["rule"][:limit], strict=True)
    )
    more = "; ..." if len(signals) > limit else ""
    return (
        f"{len(signals)} rule firing(s) at {signals['subgroup'].nunique()} subgroup(s): "
        f"{shown}{more}."
    )


def _stack(first: pd.DataFrame, second: pd.DataFrame, pair: ControlChartPair) -> pd.DataFrame:
    frames = [
        frame.assign(chart=chart.chart)
        for frame, chart in ((first, pair.location), (second, pair.spread))
    ]
    stacked = pd.concat(frames, ignore_index=True)
    return stacked[["chart", *first.columns]]
