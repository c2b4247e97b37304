"""Run chart: values around their median, judged by Anhøj's runs and crossings rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from .._caller import caller, public
from .._validation import format_values
from ._assemble import Limits, assemble
from ._inputs import build_frame, phase_arguments
from .rare import _baseline_medians
from .result import ControlChart
from .rules import RULE_SETS, resolve_rules

__all__ = ["run_chart"]


@public
def run_chart(
    data: pd.DataFrame | None = None,
    *,
    values: Any = None,
    subgroup: Any = None,
    stage: Any = None,
    breaks: Sequence[Any] | None = None,
    baseline: Any = None,
    exclude: Sequence[Any] | None = None,
    rules: str | Sequence[str] | None = "anhoj",
) -> ControlChart:
    """Run chart: the series and its median, with Anhøj's rules for non-random variation.

    No control limits: a signal is an unusually long run on one side of the median
    (longer than ``round(log2(n)) + 3`` useful points) or too few crossings of it (below
    the 5th percentile of Binomial(n - 1, 0.5)), where points on the median are not useful.
    Works for any measure, including rates with varying denominators. The table's ``lcl``,
    ``ucl``, ``sigma`` and ``z`` are NaN.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        One row per subgroup. If None, pass the values as an array.
    values : str or array-like
        The measurements or rates.
    subgroup, stage, breaks, baseline, exclude
        As for :func:`p_chart`; the median is taken over each stage's baseline.
    rules : str, sequence of str or None, default "anhoj"
        Rules on the sign of ``value - median``; rules based on sigma zones or limits do
        not apply.

    Returns
    -------
    ControlChart
        Chart ``"run"``; ``.runs`` holds the longest run, crossings and their limits.

    Examples
    --------
    >>> chart = run_chart(values=[3, 5, 4, 6, 7, 6, 8, 9, 8, 9, 10, 9])
    >>> chart.runs[["n_useful", "longest_run", "longest_run_max", "crossings"]]
       n_useful  longest_run  longest_run_max  crossings
    0        12            6                7          1

    References
    ----------
    .. [1] J. Anhøj and A. V. Olesen (2014), "Run charts revisited", *PLoS ONE* 9(11),
       e113825.
    .. [2] Validated against qicharts2 (``qic(chart="run")``).
    """
    func = caller()
    rule_names = resolve_rules(rules, func=caller())
    if not set(rule_names) <= set(RULE_SETS["anhoj"]):
        raise ValueError(
            f"The 'rules' parameter of {func} must name Anhøj's rules ('anhoj', 'anhoj_runs', "
            f"'anhoj_crossings') or be None; a run chart has no limits or sigma zones. Got "
            f"{format_values(rule_names)} instead. Use i_mr_chart for limit-based rules."
        )
    frame = build_frame(data, stats={"value": values}, **phase_arguments(locals()))
    x = frame["value"].to_numpy()
    median = _baseline_medians(frame, x)
    group = frame["_group"].to_numpy()
    unit = np.ones(median.size)
    limits = Limits(x, median[group], unit[group], median, unit * np.nan, "none")
    chart = assemble(
        frame, limits, chart="run", nsigmas=3.0, rules=rule_names, n=np.ones(len(frame))
    )
    blank = dict.fromkeys(["lcl", "ucl", "sigma", "z"], np.nan)
    return replace(chart, table=chart.table.assign(**blank))
