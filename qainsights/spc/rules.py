"""Run rules as a registry, evaluated on standardised values of many series at once.

Every rule works on ``z = (value - center) / sigma`` (so zone rules hold with stepped limits)
and on the beyond-limits flags. Series are rows of one array split by a group code (a segment
and stage); windows never cross a group boundary. A rule returns, for each point, whether the
pattern completes or extends there, the first point of the window it covers and its direction.

Semantics follow qcc 3.0 (``R/rules.R``): a point is flagged when the pattern is complete and
every later point that extends it is flagged too; comparisons are strict, so a point on the
centre line breaks a run; "2 of 3" and "4 of 5" require the flagged point itself to be in the
zone; Nelson's trend rule means 6 points (5 monotone steps) and the alternating rule 14 points
(13 alternating steps). The window reported for a run rule is the whole run up to the
flagged point; for "m of k" rules it is the last k points. Zones are scaled by ``nsigmas / 3``. Anhøj's runs and crossings rules
(Anhøj & Olesen 2014, as in qicharts2) ignore points on the centre line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy.stats import binom

from .._caller import public
from .._validation import format_values

__all__ = ["RULES", "RULE_SETS", "Rule", "anhoj_limits", "resolve_rules"]


@dataclass(frozen=True)
class Series:
    """Standardised values of one or more series laid end to end (internal)."""

    z: np.ndarray
    above: np.ndarray
    below: np.ndarray
    group: np.ndarray
    zone: float

    @cached_property
    def position(self) -> np.ndarray:
        """0-based position of each point."""
        return np.arange(self.z.size)

    @cached_property
    def group_start(self) -> np.ndarray:
        """Position of the first point of each point's group."""
        starts = np.r_[True, self.group[1:] != self.group[:-1]]
        return np.maximum.accumulate(np.where(starts, self.position, 0))


@dataclass(frozen=True)
class Firing:
    """Where a rule fires: flagged points, window starts and directions (+1, -1 or 0)."""

    flag: np.ndarray
    start: np.ndarray
    direction: np.ndarray


@dataclass(frozen=True)
class Rule:
    """A named run rule: ``detect(series)`` returns where it fires."""

    name: str
    description: str
    detect: Callable[[Series], Firing]


def _run_start(condition: np.ndarray, series: Series) -> np.ndarray:
    """First position of the run of True ending at each point (within its group)."""
    position = series.position
    last_false = np.maximum.accumulate(np.where(condition, -1, position))
    return np.maximum(last_false + 1, series.group_start)


def _runs(length: int, up: np.ndarray, down: np.ndarray, series: Series, lead: int = 0) -> Firing:
    """Fire where ``length`` consecutive points satisfy ``up`` (or ``down``).

    ``lead`` widens the reported window to the left (a run of steps starts one point early).
    """
    start_up, start_down = _run_start(up, series), _run_start(down, series)
    fire_up = up & (series.position - start_up + 1 >= length)
    fire_down = down & (series.position - start_down + 1 >= length)
    start = np.where(fire_up, start_up, start_down) - lead
    return Firing(fire_up | fire_down, start, fire_up.astype(int) - fire_down.astype(int))


def _rolling_count(indicator: np.ndarray, width: int, series: Series) -> np.ndarray:
    """Number of True values in the window of ``width`` points ending at each point.

    Windows that would reach before the start of the group count as -1 (incomplete).
    """
    total = np.r_[0, np.cumsum(indicator)]
    position = series.position
    begin = position - width + 1
    count = total[position + 1] - total[np.maximum(begin, 0)]
    return np.where(begin >= series.group_start, count, -1)


def _m_of_k(m: int, k: int, level: float, series: Series) -> Firing:
    """Fire where ``m`` of the last ``k`` points lie beyond ``level`` zones on one side."""
    up = series.z > level * series.zone
    down = series.z < -level * series.zone
    fire_up = up & (_rolling_count(up, k, series) >= m)
    fire_down = down & (_rolling_count(down, k, series) >= m)
    return Firing(
        fire_up | fire_down, series.position - k + 1, fire_up.astype(int) - fire_down.astype(int)
    )


def _beyond(series: Series) -> Firing:
    return Firing(
        series.above | series.below, series.position, series.above.astype(int) - series.below
    )


def _same_side(length: int) -> Callable[[Series], Firing]:
    return lambda s: _runs(length, s.z > 0, s.z < 0, s)


def _steps(series: Series) -> np.ndarray:
    """Sign of the step from the previous point in the same group (0 at a group start)."""
    step = np.r_[0.0, np.sign(np.diff(series.z))]
    step[series.group_start == series.position] = 0.0
    return np.nan_to_num(step)


def _trend(series: Series) -> Firing:
    step = _steps(series)
    return _runs(5, step > 0, step < 0, series, lead=1)


def _alternating(series: Series) -> Firing:
    step = _steps(series)
    turns = np.r_[False, step[1:] * step[:-1] < 0]
    firing = _runs(12, turns, np.zeros_like(turns), series, lead=2)
    return Firing(firing.flag, firing.start, np.zeros_like(firing.direction))


def _hugging(series: Series) -> Firing:
    inside = np.abs(series.z) < series.zone
    firing = _runs(15, inside, np.zeros_like(inside), series)
    return Firing(firing.flag, firing.start, np.zeros_like(firing.direction))


def _mixture(series: Series) -> Firing:
    outside = np.abs(series.z) > series.zone
    firing = _runs(8, outside, np.zeros_like(outside), series)
    both_sides = (_rolling_count(series.z > series.zone, 8, series) > 0) & (
        _rolling_count(series.z < -series.zone, 8, series) > 0
    )
    flag = firing.flag & both_sides
    return Firing(flag, firing.start, np.zeros_like(firing.direction))


@dataclass(frozen=True)
class _SideRuns:
    """Runs of useful points (off the centre line) on one side, within each group."""

    index: np.ndarray  # position of each useful point
    side: np.ndarray  # +1 above, -1 below
    group: np.ndarray
    new_run: np.ndarray  # True where a run starts
    crossing: np.ndarray  # True where the side changes within a group (from the 2nd point)

    @classmethod
    def of(cls, series: Series) -> _SideRuns:
        index = np.flatnonzero(np.isfinite(series.z) & (series.z != 0))
        side = np.sign(series.z[index]).astype(int)
        group = series.group[index]
        same_group = group[1:] == group[:-1]
        crossing = same_group & (side[1:] != side[:-1])
        new_run = np.r_[True, ~same_group | crossing][: index.size]
        return cls(index, side, group, new_run, crossing)

    @property
    def length(self) -> np.ndarray:
        """Length of each run, in run order."""
        return np.bincount(np.cumsum(self.new_run) - 1)


def _anhoj_runs(series: Series) -> Firing:
    """Flag the last point of every run (ignoring points on the centre line) over the limit."""
    runs = _SideRuns.of(series)
    flag = np.zeros(series.z.size, dtype=bool)
    start = series.position.copy()
    direction = np.zeros(series.z.size, dtype=int)
    if runs.index.size == 0:
        return Firing(flag, start, direction)
    n_groups = int(series.group.max(initial=-1)) + 1
    limit = anhoj_limits(np.bincount(runs.group, minlength=n_groups))["longest_run_max"]
    run_group = runs.group[runs.new_run]
    too_long = runs.length > limit.to_numpy(dtype=float, na_value=np.inf)[run_group]
    first = runs.index[runs.new_run][too_long]
    last = runs.index[np.r_[runs.new_run[1:], True]][too_long]
    flag[last] = True
    start[last] = first
    direction[last] = runs.side[runs.new_run][too_long]
    return Firing(flag, start, direction)


def _anhoj_crossings(series: Series) -> Firing:
    """Flag the last point of each group whose centre-line crossings are too few."""
    stats = runs_analysis(series)
    flag = np.zeros(series.z.size, dtype=bool)
    start = series.position.copy()
    few = (stats["crossings"] < stats["crossings_min"]).fillna(False).to_numpy(dtype=bool)
    last = stats["last"].to_numpy()[few]
    flag[last] = True
    start[last] = stats["first"].to_numpy()[few]
    return Firing(flag, start, np.zeros(series.z.size, dtype=int))


@public
def anhoj_limits(n_useful: np.ndarray | Sequence[int]) -> pd.DataFrame:
    """Anhøj's limits for the longest run and the number of crossings.

    Parameters
    ----------
    n_useful : array-like of int
        Number of useful observations (those not on the centre line) in each series.

    Returns
    -------
    pandas.DataFrame
        Columns ``n_useful``, ``longest_run_max = round(log2(n)) + 3`` and
        ``crossings_min``, the 5th percentile of Binomial(n - 1, 0.5). A series signals if its
        longest run exceeds the maximum or its crossings fall below the minimum.

    Examples
    --------
    >>> anhoj_limits([10, 30, 100])
       n_useful  longest_run_max  crossings_min
    0        10                6              2
    1        30                8             10
    2       100               10             41

    References
    ----------
    .. [1] J. Anhøj and A. V. Olesen (2014), "Run charts revisited: a simulation study of run
       chart rules for detection of non-random variation in health care processes",
       *PLoS ONE* 9(11), e113825.
    """
    n = np.asarray(n_useful, dtype=np.int64)
    with np.errstate(divide="ignore"):
        longest = np.where(n > 0, np.round(np.log2(np.maximum(n, 1))) + 3, np.nan)
    crossings = np.where(n > 1, binom.ppf(0.05, np.maximum(n - 1, 1), 0.5), np.nan)
    return pd.DataFrame(
        {
            "n_useful": n,
            "longest_run_max": pd.array(longest, dtype="Float64").astype("Int64"),
            "crossings_min": pd.array(crossings, dtype="Float64").astype("Int64"),
        }
    )


def runs_analysis(series: Series) -> pd.DataFrame:
    """Anhøj runs analysis of each group: useful points, longest run, crossings and limits.

    Also returns the positions of the group's ``first`` and ``last`` points.
    """
    n_groups = int(series.group.max(initial=-1)) + 1
    runs = _SideRuns.of(series)
    longest = np.zeros(n_groups, dtype=np.int64)
    np.maximum.at(longest, runs.group[runs.new_run], runs.length)
    first = np.full(n_groups, series.z.size)
    last = np.full(n_groups, -1)
    np.minimum.at(first, series.group, series.position)
    np.maximum.at(last, series.group, series.position)
    limits = anhoj_limits(np.bincount(runs.group, minlength=n_groups))
    limits.insert(1, "longest_run", longest)
    crossings = np.bincount(runs.group[1:][runs.crossing], minlength=n_groups)
    limits.insert(3, "crossings", crossings)
    limits["runs_signal"] = (
        (
            (limits["longest_run"] > limits["longest_run_max"])
            | (limits["crossings"] < limits["crossings_min"])
        )
        .fillna(False)
        .astype(bool)
    )
    limits["first"] = first
    limits["last"] = last
    return limits


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in [
        Rule("we1", "1 point beyond the control limits", _beyond),
        Rule("we2", "2 of 3 points beyond 2 sigma on one side", lambda s: _m_of_k(2, 3, 2, s)),
        Rule("we3", "4 of 5 points beyond 1 sigma on one side", lambda s: _m_of_k(4, 5, 1, s)),
        Rule("we4", "8 points in a row on one side of the centre line", _same_side(8)),
        Rule("nelson1", "1 point beyond the control limits", _beyond),
        Rule("nelson2", "9 points in a row on one side of the centre line", _same_side(9)),
        Rule("nelson3", "6 points in a row steadily increasing or decreasing", _trend),
        Rule("nelson4", "14 points in a row alternating up and down", _alternating),
        Rule("nelson5", "2 of 3 points beyond 2 sigma on one side", lambda s: _m_of_k(2, 3, 2, s)),
        Rule("nelson6", "4 of 5 points beyond 1 sigma on one side", lambda s: _m_of_k(4, 5, 1, s)),
        Rule("nelson7", "15 points in a row within 1 sigma of the centre line", _hugging),
        Rule("nelson8", "8 points in a row beyond 1 sigma, on both sides", _mixture),
        Rule("anhoj_runs", "a run on one side longer than Anhøj's limit", _anhoj_runs),
        Rule("anhoj_crossings", "fewer centre-line crossings than Anhøj's limit", _anhoj_crossings),
    ]
}
"""Every run rule by name."""

RULE_SETS: dict[str, list[str]] = {
    "western_electric": ["we1", "we2", "we3", "we4"],
    "nelson": [f"nelson{i}" for i in range(1, 9)],
    "anhoj": ["anhoj_runs", "anhoj_crossings"],
    "limits": ["we1"],
}
"""Named rule sets; ``"limits"`` is the beyond-limits rule alone."""


@public
def resolve_rules(rules: str | Sequence[str] | None, *, func: str) -> list[str]:
    """Expand rule-set names and single rule names into a list of rule names (no repeats).

    Examples
    --------
    >>> resolve_rules(["western_electric", "anhoj_runs"], func="p_chart")
    ['we1', 'we2', 'we3', 'we4', 'anhoj_runs']
    """
    names = [] if rules is None else [rules] if isinstance(rules, str) else list(rules)
    unknown = [name for name in names if name not in RULE_SETS and name not in RULES]
    if unknown:
        raise ValueError(
            f"The 'rules' parameter of {func} must be rule-set names "
            f"({format_values(RULE_SETS, limit=len(RULE_SETS))}) or rule names "
            f"({format_values(RULES, limit=len(RULES))}), or None. Got "
            f"{format_values(unknown)} instead."
        )
    expanded = [rule for name in names for rule in RULE_SETS.get(name, [name])]
    return list(dict.fromkeys(expanded))


def evaluate(series: Series, rule_names: Sequence[str]) -> pd.DataFrame:
    """Every firing of the named rules: one row per (point, rule), in point order.

    Returns positions (``point``, ``start``) rather than subgroup keys, with ``rule``,
    ``direction`` ("up", "down" or "none") and ``description``. Within a point, rules keep
    the registry's order.
    """
    names = list(RULES)
    firings = [RULES[name].detect(series) for name in rule_names]
    points = [np.flatnonzero(firing.flag) for firing in firings]
    point = np.concatenate([np.zeros(0, dtype=np.int64), *points])
    rank = np.concatenate(
        [np.zeros(0, dtype=np.int64)]
        + [np.full(p.size, names.index(name)) for name, p in zip(rule_names, points, strict=True)]
    )
    start = np.concatenate(
        [np.zeros(0, dtype=np.int64)]
        + [firing.start[p] for firing, p in zip(firings, points, strict=True)]
    )
    direction = np.concatenate(
        [np.zeros(0, dtype=np.int64)]
        + [firing.direction[p] for firing, p in zip(firings, points, strict=True)]
    )
    order = np.lexsort((rank, point))
    rule = np.array(names, dtype=object)[rank[order]]
    descriptions = np.array([RULES[name].description for name in names], dtype=object)
    return pd.DataFrame(
        {
            "point": point[order],
            "rule": rule,
            "start": start[order],
            "direction": np.array(["down", "none", "up"], dtype=object)[direction[order] + 1],
            "description": descriptions[rank[order]],
        }
    )
