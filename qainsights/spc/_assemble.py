"""From per-point centre and sigma to a finished chart: limits, z, run rules and tables."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._caller import caller, user_stacklevel
from .._validation import format_values
from .result import ControlChart
from .rules import RULES, Series, evaluate, runs_analysis

_BEYOND_RULES = ("we1", "nelson1")


@dataclass(frozen=True)
class Limits:
    """What a chart type computes for each point and for each stage (group)."""

    value: np.ndarray
    center: np.ndarray  # per point
    sigma: np.ndarray  # per point: standard deviation of the statistic
    stage_center: np.ndarray  # per group
    stage_sigma: np.ndarray  # per group: the process sigma behind the limits
    sigma_method: str
    floor: float | np.ndarray = -np.inf
    ceiling: float | np.ndarray = np.inf
    stage_extra: dict[str, np.ndarray] = field(default_factory=dict)  # more per-group columns
    # Charts whose limits are not centre ± nsigmas * sigma (g, t) give them, and z, directly.
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None
    z: np.ndarray | None = None


def used_mask(frame: pd.DataFrame) -> np.ndarray:
    """Rows that the limits are computed from: baseline and not excluded."""
    return (frame["baseline"] & ~frame["excluded"]).to_numpy()


def group_sum(values: np.ndarray, frame: pd.DataFrame, used: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over the used rows of each group."""
    group = frame["_group"].to_numpy()
    n_groups = int(group.max()) + 1
    return np.bincount(group[used], weights=values[used], minlength=n_groups)


def group_mean(
    values: np.ndarray, frame: pd.DataFrame, weights: np.ndarray | None = None
) -> np.ndarray:
    """(Weighted) mean of ``values`` over the used rows of each group; NaN for an empty group."""
    used = used_mask(frame)
    weights = np.ones(len(frame)) if weights is None else weights
    return ratio(group_sum(weights * values, frame, used), group_sum(weights, frame, used))


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Elementwise ratio that is NaN (without a warning) where the denominator is 0."""
    return np.divide(
        numerator, denominator, out=np.full(np.shape(numerator), np.nan), where=denominator != 0
    )


def assemble(
    frame: pd.DataFrame,
    limits: Limits,
    *,
    chart: str,
    nsigmas: float,
    rules: Sequence[str],
    by: Sequence[str] = (),
    n: np.ndarray | None = None,
    proportion: bool = False,
    degenerate: str = "the baseline has no variation or too few subgroups",
) -> ControlChart:
    """Compute limits, z and rule firings, warn about stages without limits, and build the chart."""
    group = frame["_group"].to_numpy()
    center, sigma = limits.center, limits.sigma
    spread = nsigmas * sigma
    lower = center - spread if limits.lower is None else limits.lower
    upper = center + spread if limits.upper is None else limits.upper
    lcl = np.maximum(lower, limits.floor)
    ucl = np.minimum(upper, limits.ceiling)
    usable = np.isfinite(sigma) & (sigma > 0)
    warn_degenerate(frame, usable, by=by, reason=degenerate)
    z = np.where(usable, ratio(limits.value - center, np.where(usable, sigma, 1.0)), np.nan)
    if limits.z is not None:
        z = np.where(usable, limits.z, np.nan)
    with np.errstate(invalid="ignore"):
        above = usable & (limits.value > ucl)
        below = usable & (limits.value < lcl)
    table = frame[[*by, "subgroup", "stage"]].copy()
    table["value"] = limits.value
    table["n"] = frame["n"].to_numpy() if n is None else n
    table["center"], table["lcl"], table["ucl"] = center, lcl, ucl
    table["sigma"], table["z"] = sigma, z
    table["baseline"] = frame["baseline"].to_numpy()
    table["excluded"] = frame["excluded"].to_numpy()

    kept = ~frame["excluded"].to_numpy()
    series = Series(z[kept], above[kept], below[kept], group[kept], zone=nsigmas / 3.0)
    fired = evaluate(series, rules)
    rows = np.flatnonzero(kept)
    fired["point"], fired["start"] = rows[fired["point"]], rows[fired["start"]]
    excluded = _excluded_beyond(above, below, kept, rules)
    if len(excluded):
        fired = pd.concat([fired, excluded], ignore_index=True)
    fired = fired.sort_values("point", kind="stable", ignore_index=True)
    key = table["subgroup"].to_numpy()
    point = fired["point"].to_numpy(dtype=np.int64)
    signals = frame[list(by)].iloc[point].reset_index(drop=True)
    signals["subgroup"] = key[point]
    signals["rule"] = fired["rule"].to_numpy()
    signals["start"] = key[fired["start"].to_numpy(dtype=np.int64)]
    signals["end"] = key[point]
    signals["direction"] = fired["direction"].to_numpy()
    signals["description"] = fired["description"].to_numpy()
    flag = np.zeros(len(table), dtype=bool)
    flag[point] = True
    table["signal"] = flag

    stages = frame.drop_duplicates("_group")[[*by, "stage"]].reset_index(drop=True)
    used = used_mask(frame)
    summary = stages.assign(
        center=limits.stage_center,
        sigma=limits.stage_sigma,
        sigma_method=limits.sigma_method,
        n_subgroups=np.bincount(group[used], minlength=len(stages)),
        **limits.stage_extra,
    )
    runs = runs_analysis(series).drop(columns=["first", "last"])
    runs = pd.concat([stages, runs.reindex(range(len(stages)))], axis=1)
    return ControlChart(
        chart=chart,
        table=table,
        signals=signals,
        limits=summary,
        runs=runs,
        nsigmas=float(nsigmas),
        rules=tuple(rules),
        proportion=proportion,
    )


def _excluded_beyond(
    above: np.ndarray, below: np.ndarray, kept: np.ndarray, rules: Sequence[str]
) -> pd.DataFrame:
    """Beyond-limits firings of excluded points: they are judged, but not part of any run."""
    beyond = [name for name in _BEYOND_RULES if name in rules]
    point = np.flatnonzero(~kept & (above | below))
    if not beyond:
        point = point[:0]
    return pd.DataFrame(
        {
            "point": np.repeat(point, len(beyond)),
            "rule": np.tile(beyond, point.size),
            "start": np.repeat(point, len(beyond)),
            "direction": np.repeat(np.where(above[point], "up", "down"), len(beyond)),
            "description": RULES["we1"].description,
        }
    )


def warn_degenerate(
    frame: pd.DataFrame,
    usable: np.ndarray,
    *,
    by: Sequence[str],
    reason: str,
) -> None:
    """Warn once, naming the stages (and segments) whose limits are undefined."""
    func = caller()
    if usable.all():
        return
    bad = frame.loc[~usable, [*by, "stage"]].drop_duplicates()
    labels = [tuple(row) if len(row) > 1 else row[0] for row in bad.itertuples(index=False)]
    where = "segment/stage" if by else "stage"
    warnings.warn(
        f"{func}: no control limits for {len(labels)} {where}(s) ({format_values(labels)}) "
        f"because {reason}. Their limits and z are NaN and no run rules are evaluated there; "
        "check the data, or give the centre and sigma as known standards.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
