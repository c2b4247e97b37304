"""Time-weighted charts for small sustained shifts: EWMA and the tabular CUSUM."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from .._caller import caller, public
from .._docstrings import fill_docstring
from .._results import TidyResult, drawing
from .._validation import check_option
from ._assemble import Limits, assemble, ratio, warn_degenerate
from ._inputs import build_frame, phase_arguments
from .attributes import _PHASE_DOC, _check_nsigmas
from .result import ControlChart, _signals_sentence
from .variables import _check_known, individual_standards

__all__ = ["CusumChart", "cusum_chart", "ewma_chart"]


def _positive(value: float, *, name: str, upper: float = np.inf) -> float:
    func = caller()
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or not 0 < value <= upper:
        bound = f"in (0, {upper:g}]" if np.isfinite(upper) else "> 0"
        raise ValueError(
            f"The {name!r} parameter of {func} must be a number {bound}. Got {value!r} instead."
        )
    return float(value)


def _position_in_group(group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """1-based position of each row within its group, and the row where the group starts."""
    position = np.arange(group.size)
    start = np.maximum.accumulate(np.where(np.r_[True, group[1:] != group[:-1]], position, 0))
    return position - start + 1, start


@public
def ewma_chart(
    data: pd.DataFrame | None = None,
    *,
    values: Any = None,
    subgroup: Any = None,
    stage: Any = None,
    breaks: Sequence[Any] | None = None,
    baseline: Any = None,
    exclude: Sequence[Any] | None = None,
    center: float | None = None,
    sigma: float | None = None,
    smoothing: float = 0.2,
    nsigmas: float = 3.0,
    limits: str = "exact",
    screened: bool = False,
) -> ControlChart:
    """Exponentially weighted moving average (EWMA) chart of individual values.

    ``z_i = smoothing * x_i + (1 - smoothing) * z_(i-1)``, starting from the centre at each
    stage. Exact limits are ``center ± nsigmas * sigma * sqrt(smoothing / (2 - smoothing) *
    (1 - (1 - smoothing)^(2i)))``; asymptotic limits drop the last factor. Only the
    beyond-limits rule is evaluated (successive EWMA values are correlated). Sigma is
    ``MR-bar / d2(2)`` of the baseline unless known.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        One row per observation. If None, pass the values as an array.
    values : str or array-like
        The measurements.
    center, sigma : float, optional
        Known process mean and standard deviation (target and sigma of a designed chart).
    smoothing : float, default 0.2
        Weight of the newest observation (lambda), in (0, 1].
    {phases}
    nsigmas : float, default 3
        Width of the limits (with ``smoothing=0.1``, 2.7 gives an in-control ARL near 370).
    limits : {{"exact", "asymptotic"}}, default "exact"
        Time-varying limits (narrow at the start) or their steady-state value.
    screened : bool, default False
        Screen moving ranges when estimating sigma (Nelson 1982).

    Returns
    -------
    ControlChart
        Chart ``"ewma"``; ``value`` is the EWMA statistic and ``observation`` the raw value.

    Examples
    --------
    >>> chart = ewma_chart(values=[9.45, 7.99, 9.29, 11.66, 12.16], center=10, sigma=1,
    ...                    smoothing=0.1, nsigmas=2.7)
    >>> chart.table["value"].round(4).tolist()
    [9.945, 9.7495, 9.7036, 9.8992, 10.1253]

    References
    ----------
    .. [1] J. M. Lucas and M. S. Saccucci (1990), "Exponentially weighted moving average
       control schemes", *Technometrics* 32(1), 1-12.
    .. [2] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 9.2.
    .. [3] Validated against R's qcc (``ewma``).
    """
    nsigmas = _check_nsigmas(nsigmas)
    smoothing = _positive(smoothing, name="smoothing", upper=1.0)
    check_option(limits, name="limits", options=["exact", "asymptotic"])
    _check_known(center, name="center", positive=False)
    _check_known(sigma, name="sigma", positive=True)
    phases = phase_arguments(locals())
    frame = build_frame(data, stats={"value": values}, **phases)
    mean, spread, method = individual_standards(
        frame["value"].to_numpy(), frame, center=center, sigma=sigma, screened=screened
    )
    group = frame["_group"].to_numpy()
    position, start = _position_in_group(group)
    deviation = frame["value"].to_numpy() - mean[group]
    from scipy.signal import lfilter  # here: scipy.signal is slow to import and only EWMA needs it

    carried = lfilter([smoothing], [1.0, smoothing - 1.0], deviation)
    before = np.where(start > 0, carried[np.maximum(start - 1, 0)], 0.0)
    ewma = carried - (1.0 - smoothing) ** position * before
    steady = smoothing / (2.0 - smoothing)
    factor = steady * (1.0 - (1.0 - smoothing) ** (2 * position)) if limits == "exact" else steady
    result = assemble(
        frame,
        Limits(
            mean[group] + ewma, mean[group], spread[group] * np.sqrt(factor), mean, spread, method
        ),
        chart="ewma",
        nsigmas=nsigmas,
        rules=["we1"],
        n=np.ones(len(frame)),
        degenerate="fewer than two baseline points, or no variation",
    )
    table = result.table.copy()
    table.insert(table.columns.get_loc("value") + 1, "observation", frame["value"].to_numpy())
    return replace(result, table=table)


@dataclass(frozen=True, repr=False)
class CusumChart(TidyResult):
    """Tabular CUSUM, in units of sigma.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per subgroup: ``subgroup``, ``stage``, ``value``, ``center``, ``sigma``,
        ``z`` (``(value - center) / sigma``), ``upper`` (C+, at least 0), ``lower`` (C-,
        reported as a value at most 0 as qcc does), ``h`` and ``signal``.
    signals : pandas.DataFrame
        One row per point where C+ or C- exceeds ``h``: ``subgroup``, ``rule``
        (``"cusum_upper"``/``"cusum_lower"``), ``start`` (the subgroup after the sum last
        left 0: an estimate of when the shift began), ``end``, ``direction``,
        ``description``.
    k, h, head_start : float
        Reference value, decision interval and starting value, in sigmas.
    """

    table: pd.DataFrame
    signals: pd.DataFrame
    k: float
    h: float
    head_start: float

    _title = "CUSUM chart"

    def to_frame(self) -> pd.DataFrame:
        """Return the per-subgroup table."""
        return self.table

    def _key_figures(self) -> dict:
        return {
            "subgroups": len(self.table),
            "k": self.k,
            "h": self.h,
            "signals": int(self.table["signal"].sum()),
        }

    def summary(self) -> str:
        """The CUSUM's parameters and where it signalled, in words."""
        return (
            f"Tabular CUSUM of {len(self.table)} subgroups: k = {self.k:g}, h = {self.h:g}, "
            f"head start {self.head_start:g} (sigmas). {_signals_sentence(self.signals)}"
        )

    plot = drawing(
        "spc", "plot_cusum", "Draw C+ and C- with the decision interval ±h and the signals."
    )


def _lindley(steps: np.ndarray, group: np.ndarray, head_start: float) -> np.ndarray:
    """``C_i = max(0, C_(i-1) + step_i)`` within each group, from ``C_0 = head_start``.

    Vectorised through ``C_i = S_i - min(-head_start, min_(j <= i) S_j)`` with ``S`` the
    running sum of the steps in the group.
    """
    running = pd.Series(steps).groupby(group).cumsum()
    lowest = running.groupby(group).cummin()
    return (running - np.minimum(-head_start, lowest)).to_numpy()


@public
def cusum_chart(
    data: pd.DataFrame | None = None,
    *,
    values: Any = None,
    subgroup: Any = None,
    stage: Any = None,
    breaks: Sequence[Any] | None = None,
    baseline: Any = None,
    exclude: Sequence[Any] | None = None,
    center: float | None = None,
    sigma: float | None = None,
    k: float = 0.5,
    h: float = 5.0,
    head_start: float = 0.0,
    screened: bool = False,
) -> CusumChart:
    """Tabular CUSUM of individual values (in sigma units, as qcc reports it).

    With ``z_i = (x_i - center) / sigma``: ``C+_i = max(0, C+_(i-1) + z_i - k)`` and
    ``C-_i = max(0, C-_(i-1) - z_i - k)``; a point signals when either exceeds ``h``. The
    sums restart at each stage and do not reset after a signal. Multiply by sigma for the
    textbook's data-unit CUSUM.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        One row per observation. If None, pass the values as an array.
    values : str or array-like
        The measurements.
    center, sigma : float, optional
        Target and known sigma; otherwise the baseline mean and ``MR-bar / d2(2)``.
    k : float, default 0.5
        Reference value (allowance), in sigmas: half the shift to detect.
    h : float, default 5
        Decision interval, in sigmas.
    head_start : float, default 0
        Starting value of both sums (fast initial response, often ``h / 2``).
    {phases}
    screened : bool, default False
        Screen moving ranges when estimating sigma (Nelson 1982).

    Returns
    -------
    CusumChart

    Examples
    --------
    >>> chart = cusum_chart(values=[9.45, 7.99, 9.29, 11.66, 12.16], center=10, sigma=1)
    >>> chart.table["upper"].round(2).tolist(), chart.table["lower"].round(2).tolist()
    ([0.0, 0.0, 0.0, 1.16, 2.82], [-0.05, -1.56, -1.77, 0.0, 0.0])

    References
    ----------
    .. [1] E. S. Page (1954), "Continuous inspection schemes", *Biometrika* 41, 100-115.
    .. [2] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 9.1.
    .. [3] Validated against R's qcc (``cusum``) and Montgomery Table 9.2.
    """
    func = caller()
    k = _positive(k, name="k") if k != 0 else 0.0
    h = _positive(h, name="h")
    if not isinstance(head_start, (int, float)) or not 0 <= head_start < h:
        raise ValueError(
            f"The 'head_start' parameter of {func} must be a number from 0 up to (not "
            f"including) h = {h:g}. Got {head_start!r} instead."
        )
    _check_known(center, name="center", positive=False)
    _check_known(sigma, name="sigma", positive=True)
    phases = phase_arguments(locals())
    frame = build_frame(data, stats={"value": values}, **phases)
    mean, spread, _ = individual_standards(
        frame["value"].to_numpy(), frame, center=center, sigma=sigma, screened=screened
    )
    group = frame["_group"].to_numpy()
    usable = np.isfinite(spread[group]) & (spread[group] > 0)
    warn_degenerate(
        frame,
        usable,
        by=(),
        reason="fewer than two baseline points, or no variation",
    )
    z = ratio(frame["value"].to_numpy() - mean[group], np.where(usable, spread[group], np.nan))
    upper = _lindley(z - k, group, head_start)
    lower = _lindley(-z - k, group, head_start)
    table = frame[["subgroup", "stage"]].copy()
    table["value"] = frame["value"].to_numpy()
    table["center"], table["sigma"], table["z"] = mean[group], spread[group], z
    table["upper"], table["lower"], table["h"] = upper, -lower, h
    table["signal"] = (upper > h) | (lower > h)
    return CusumChart(
        table=table,
        signals=_cusum_signals(table, upper > h, lower > h, upper, lower, group),
        k=float(k),
        h=h,
        head_start=float(head_start),
    )


def _cusum_signals(
    table: pd.DataFrame,
    up: np.ndarray,
    down: np.ndarray,
    upper: np.ndarray,
    lower: np.ndarray,
    group: np.ndarray,
) -> pd.DataFrame:
    """One row per signalling point and side, with the start of the current excursion."""
    position = np.arange(group.size)
    group_start = _position_in_group(group)[1]
    frames = []
    for name, fired, sums, direction in (
        ("cusum_upper", up, upper, "up"),
        ("cusum_lower", down, lower, "down"),
    ):
        left_zero = np.maximum.accumulate(np.where(sums <= 0, position + 1, group_start))
        point = np.flatnonzero(fired)
        frames.append(
            pd.DataFrame(
                {
                    "point": point,
                    "rule": name,
                    "start": np.maximum(left_zero, group_start)[point],
                    "direction": direction,
                }
            )
        )
    fired = pd.concat(frames, ignore_index=True).sort_values("point", kind="stable")
    key = table["subgroup"].to_numpy()
    start = np.minimum(fired["start"].to_numpy(dtype=np.int64), fired["point"].to_numpy())
    return pd.DataFrame(
        {
            "subgroup": key[fired["point"].to_numpy(dtype=np.int64)],
            "rule": fired["rule"].to_numpy(),
            "start": key[start],
            "end": key[fired["point"].to_numpy(dtype=np.int64)],
            "direction": fired["direction"].to_numpy(),
            "description": "cumulative sum beyond the decision interval h",
        }
    )


_PHASES = _PHASE_DOC[: _PHASE_DOC.index("    nsigmas :")]
for _chart in (ewma_chart, cusum_chart):
    fill_docstring(_chart, phases=_PHASES)
