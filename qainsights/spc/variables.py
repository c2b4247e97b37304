"""Variables control charts: individuals and moving range (I-MR), Xbar-R and Xbar-S."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._caller import caller, public
from .._docstrings import fill_docstring
from .._validation import check_columns, check_frame, check_option, format_values
from ._assemble import Limits, assemble, group_mean, used_mask
from ._inputs import build_frame
from .attributes import _PHASE_DOC, _check_nsigmas
from .constants import c4, d2, d3
from .result import ControlChartPair
from .rules import resolve_rules
from .sigma import (
    grouped_moving_range_sigma,
    grouped_pooled_sigma,
    grouped_range_sigma,
    grouped_sbar_sigma,
)

__all__ = ["i_mr_chart", "xbar_r_chart", "xbar_s_chart"]

_SPREAD_RULES = ["we1"]  # spread charts are judged on their limits only


def _check_known(value: float | None, *, name: str, positive: bool) -> None:
    func = caller()
    if value is None:
        return
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value)
    if not ok or (positive and value <= 0):
        kind = "a positive number" if positive else "a finite number"
        raise ValueError(
            f"The {name!r} parameter of {func} must be {kind} (a known standard), or None to "
            f"estimate it from the baseline. Got {value!r} instead."
        )


def _known_or(value: float | None, estimate: np.ndarray) -> np.ndarray:
    return estimate if value is None else np.full_like(estimate, value, dtype=float)


@public
def i_mr_chart(
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
    nsigmas: float = 3.0,
    rules: str | Sequence[str] | None = "western_electric",
    screened: bool = False,
) -> ControlChartPair:
    """Individuals chart with its moving-range chart (I-MR).

    Sigma is ``MR-bar / d2(2)`` from consecutive baseline points of each stage, in subgroup
    order (never the overall standard deviation, which a shift inflates). Moving ranges do
    not cross stage boundaries; excluded points are skipped, so the range bridges them.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        One row per observation. If None, pass ``values`` (and ``subgroup``) as arrays.
    values : str or array-like
        Column (or values) with the measurements, for example handle times.
    center, sigma : float, optional
        Known standards for the process mean and standard deviation.
    {phases}
    screened : bool, default False
        Drop moving ranges above 3.267 MR-bar before estimating sigma (Nelson 1982).

    Returns
    -------
    ControlChartPair
        ``.location`` (chart ``"i"``) and ``.spread`` (chart ``"mr"``, beyond-limits rule
        only); ``.table`` and ``.signals`` stack both with a ``chart`` column.

    Examples
    --------
    >>> chart = i_mr_chart(values=[9.45, 7.99, 9.29, 11.66, 12.16, 10.18, 8.04, 11.46])
    >>> print(round(chart.location.limits["center"][0], 4),
    ...       round(chart.location.limits["sigma"][0], 4))
    10.0287 1.6674

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 6.4.
    .. [2] Validated against qicharts2 (``qic(chart="i")``).
    """
    return _individuals(**locals())


def individual_standards(
    values: np.ndarray,
    frame: pd.DataFrame,
    *,
    center: float | None,
    sigma: float | None,
    screened: bool,
) -> tuple[np.ndarray, np.ndarray, str]:
    """Per-group baseline mean and ``MR-bar / d2(2)`` sigma of time-ordered ``values``.

    Known standards replace the estimates. Returns the means, sigmas and the method's name.
    """
    used = used_mask(frame)
    group = frame["_group"].to_numpy()
    n_groups = int(group.max()) + 1
    mean = _known_or(center, group_mean(values, frame))
    spread = _known_or(
        sigma, grouped_moving_range_sigma(values[used], group[used], n_groups, screened=screened)
    )
    method = "known" if sigma is not None else "MR-bar/d2" + (" (screened)" if screened else "")
    return mean, spread, method


def _individuals(
    data: pd.DataFrame | None,
    *,
    values: Any,
    subgroup: Any,
    stage: Any,
    breaks: Sequence[Any] | None,
    baseline: Any,
    exclude: Sequence[Any] | None,
    center: float | None,
    sigma: float | None,
    nsigmas: float,
    rules: str | Sequence[str] | None,
    screened: bool,
    by: Sequence[str] = (),
) -> ControlChartPair:
    """Shared body of the I-MR chart (of one series, or one per ``by`` segment)."""
    nsigmas = _check_nsigmas(nsigmas)
    _check_known(center, name="center", positive=False)
    _check_known(sigma, name="sigma", positive=True)
    rule_names = resolve_rules(rules, func=caller())
    frame = build_frame(
        data,
        stats={"value": values},
        by=by,
        subgroup=subgroup,
        stage=stage,
        breaks=breaks,
        baseline=baseline,
        exclude=exclude,
    )
    x = frame["value"].to_numpy()
    group = frame["_group"].to_numpy()
    mean, spread, method = individual_standards(
        x, frame, center=center, sigma=sigma, screened=screened
    )
    ones = np.ones(len(frame))
    location = assemble(
        frame,
        Limits(x, mean[group], spread[group], mean, spread, method),
        chart="i",
        nsigmas=nsigmas,
        rules=rule_names,
        by=by,
        n=ones,
        degenerate="fewer than two baseline points, or no variation between consecutive points",
    )
    moving = np.r_[np.nan, np.abs(np.diff(x))]
    moving[np.r_[True, group[1:] != group[:-1]]] = np.nan
    ranges = Limits(
        moving,
        (d2(2) * spread)[group],
        (d3(2) * spread)[group],
        d2(2) * spread,
        spread,
        method,
        floor=0.0,
    )
    spread_chart = assemble(
        frame,
        ranges,
        chart="mr",
        nsigmas=nsigmas,
        rules=_SPREAD_RULES,
        by=by,
        n=2 * ones,
        degenerate="fewer than two baseline points, or no variation between consecutive points",
    )
    return ControlChartPair(location=location, spread=spread_chart)


def _subgroup_stats(
    data: pd.DataFrame | None,
    *,
    values: Any,
    subgroup: Any,
    carried: Sequence[str],
) -> tuple[pd.DataFrame, str]:
    """Aggregate observations to one row per subgroup: n, mean, standard deviation, range.

    ``carried`` are column names (stage, baseline) taken from each subgroup's first row.
    Returns the aggregate frame (columns ``_n``, ``_mean``, ``_sd``, ``_range``) and the name
    of its subgroup column.
    """
    func = caller()
    if data is None:
        if values is None or subgroup is None:
            raise TypeError(f"{func} needs 'values' and 'subgroup' (columns, or arrays).")
        data = pd.DataFrame({"_value": np.asarray(values), "_subgroup": np.asarray(subgroup)})
        values, subgroup = "_value", "_subgroup"
    else:
        check_frame(data)
        check_columns(data, [values, subgroup, *carried])
    numbers = pd.to_numeric(data[values], errors="coerce")
    if numbers.isna().any():
        keys = data.loc[numbers.isna(), subgroup]
        raise ValueError(
            f"{func} found {int(numbers.isna().sum())} missing or non-numeric value(s) in "
            f"{values!r}, in subgroup(s) {format_values(keys)}. Drop those observations or fill "
            "them; a subgroup with fewer observations simply has a smaller n."
        )
    grouped = numbers.groupby(data[subgroup], sort=False)
    stats = grouped.agg(["size", "mean", "std", "min", "max"])
    stats["range"] = stats.pop("max") - stats.pop("min")
    frame = stats.rename(columns={"size": "_n", "mean": "_mean", "std": "_sd", "range": "_range"})
    if carried:
        frame = frame.join(data.groupby(subgroup, sort=False)[list(carried)].first())
    frame = frame.reset_index()
    small = frame["_n"] < 2
    if small.any():
        raise ValueError(
            f"{func} needs at least 2 observations per subgroup; {int(small.sum())} subgroup(s) "
            f"have 1: {format_values(frame.loc[small, subgroup])}. Use i_mr_chart for single "
            "observations, or merge those subgroups."
        )
    return frame, subgroup


def _xbar_pair(
    data: pd.DataFrame | None,
    *,
    spread_kind: str,
    values: Any,
    subgroup: Any,
    stage: Any,
    breaks: Sequence[Any] | None,
    baseline: Any,
    exclude: Sequence[Any] | None,
    center: float | None,
    sigma: float | None,
    nsigmas: float,
    rules: str | Sequence[str] | None,
    method: str,
) -> ControlChartPair:
    """Shared body of the Xbar-R and Xbar-S charts."""
    func = caller()
    nsigmas = _check_nsigmas(nsigmas)
    _check_known(center, name="center", positive=False)
    _check_known(sigma, name="sigma", positive=True)
    rule_names = resolve_rules(rules, func=caller())
    for name, spec, allowed in (("stage", stage, str), ("baseline", baseline, (str, slice))):
        if spec is not None and not isinstance(spec, allowed):
            raise TypeError(
                f"The {name!r} parameter of {func} must be a column name of 'data'"
                f"{' or a slice of subgroup keys' if name == 'baseline' else ''}, since it "
                f"applies to whole subgroups. Got {type(spec).__name__} instead."
            )
    carried = [spec for spec in (stage, baseline) if isinstance(spec, str)]
    stats, key = _subgroup_stats(data, values=values, subgroup=subgroup, carried=carried)
    frame = build_frame(
        stats,
        stats={"n": "_n", "mean": "_mean", "sd": "_sd", "range": "_range"},
        subgroup=key,
        stage=stage,
        breaks=breaks,
        baseline=baseline,
        exclude=exclude,
    )
    group = frame["_group"].to_numpy()
    used = used_mask(frame)
    n_groups = int(group.max()) + 1
    n, mean = frame["n"].to_numpy(), frame["mean"].to_numpy()
    grand = _known_or(center, group_mean(mean, frame, weights=n))
    estimators = {
        "range": lambda: grouped_range_sigma(
            frame["range"].to_numpy()[used], n[used], group[used], n_groups
        ),
        "sbar": lambda: grouped_sbar_sigma(
            frame["sd"].to_numpy()[used], n[used], group[used], n_groups
        ),
        "pooled": lambda: grouped_pooled_sigma(
            frame["sd"].to_numpy()[used], n[used], group[used], n_groups
        ),
    }
    process = _known_or(sigma, estimators[method]())
    label = (
        "known"
        if sigma is not None
        else {"range": "R-bar/d2", "sbar": "s-bar/c4", "pooled": "pooled s/c4"}[method]
    )
    location = assemble(
        frame,
        Limits(mean, grand[group], process[group] / np.sqrt(n), grand, process, label),
        chart="xbar",
        nsigmas=nsigmas,
        rules=rule_names,
        degenerate="the baseline has no within-subgroup variation or no subgroups",
    )
    if spread_kind == "r":
        value, factor, spread_factor = frame["range"].to_numpy(), d2(n), d3(n)
    else:
        factor = c4(n)
        value, spread_factor = frame["sd"].to_numpy(), np.sqrt(1.0 - factor**2)
    spread = Limits(
        value,
        factor * process[group],
        spread_factor * process[group],
        process,
        process,
        label,
        floor=0.0,
    )
    spread_chart = assemble(
        frame,
        spread,
        chart=spread_kind,
        nsigmas=nsigmas,
        rules=_SPREAD_RULES,
        degenerate="the baseline has no within-subgroup variation or no subgroups",
    )
    return ControlChartPair(location=location, spread=spread_chart)


_XBAR_DOC = """
    data : pandas.DataFrame, optional
        One row per observation (long format). If None, pass ``values`` and ``subgroup`` as
        arrays.
    values : str or array-like
        Column (or values) with the measurements.
    subgroup : str or array-like
        Column (or values) with each observation's subgroup key; subgroups may differ in size
        (at least 2 each). ``stage`` and ``baseline`` columns are read from the first row of
        each subgroup.
    center, sigma : float, optional
        Known standards for the process mean and standard deviation."""


@public
def xbar_r_chart(
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
    nsigmas: float = 3.0,
    rules: str | Sequence[str] | None = "western_electric",
) -> ControlChartPair:
    """Xbar chart of subgroup means with the range (R) chart.

    Sigma is the average of ``R_i / d2(n_i)`` over the baseline (``R-bar / d2`` for a
    constant size), with exact d2 and d3 rather than qcc's 3-decimal table (limits then
    agree with qcc to 7 significant digits for the mean chart and 6 for the R chart). The
    centre is the n-weighted grand mean; the mean chart uses ``sigma / sqrt(n_i)``; the R
    chart has centre ``d2(n_i) sigma`` and sigma ``d3(n_i) sigma``, LCL truncated at 0.

    Parameters
    ----------
    {xbar}
    {phases}

    Returns
    -------
    ControlChartPair
        ``.location`` (chart ``"xbar"``) and ``.spread`` (chart ``"r"``, beyond-limits only).

    Examples
    --------
    >>> chart = xbar_r_chart(values=[1.0, 1.2, 0.9, 1.1, 1.4, 1.3, 0.8, 1.0, 0.9],
    ...                      subgroup=[1, 1, 1, 2, 2, 2, 3, 3, 3])
    >>> print(round(chart.location.limits["sigma"][0], 4))
    0.1576

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 6.2.
    .. [2] Validated against R's qcc (``qcc(type="xbar")``, ``qcc(type="R")``).
    """
    return _xbar_pair(spread_kind="r", method="range", **locals())


@public
def xbar_s_chart(
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
    nsigmas: float = 3.0,
    rules: str | Sequence[str] | None = "western_electric",
    method: str = "sbar",
) -> ControlChartPair:
    """Xbar chart of subgroup means with the standard-deviation (S) chart.

    One process sigma per stage: ``method="sbar"`` averages ``s_i / c4(n_i)`` (qcc's
    UWAVE-SD), ``"pooled"`` pools the variances and divides by ``c4(sum(n_i - 1) + 1)`` (qcc's
    RMSDF). The S chart has centre ``c4(n_i) sigma`` and sigma ``sqrt(1 - c4(n_i)^2) sigma``,
    LCL truncated at 0. With constant n this is Montgomery's s-bar chart. With varying n,
    qcc centres the S chart on the n-weighted mean of s and qicharts2 uses
    ``s-bar / c4(n_i)`` with the uncorrected pooled s-bar; both keep the same ``3 sigma
    sqrt(1 - c4^2)`` half-widths as here but a different centre.

    Parameters
    ----------
    {xbar}
    {phases}
    method : {{"sbar", "pooled"}}, default "sbar"
        Within-subgroup sigma estimator.

    Returns
    -------
    ControlChartPair
        ``.location`` (chart ``"xbar"``) and ``.spread`` (chart ``"s"``, beyond-limits only).

    Examples
    --------
    >>> chart = xbar_s_chart(values=[1.0, 1.2, 0.9, 1.1, 1.4, 1.3, 0.8, 1.0, 0.9],
    ...                      subgroup=[1, 1, 1, 2, 2, 2, 3, 3, 3])
    >>> print(round(chart.location.limits["sigma"][0], 4))
    0.1525

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 6.3.
    .. [2] Validated against R's qcc (``qcc(type="xbar", std.dev=...)``, ``qcc(type="S")``).
    """
    check_option(method, name="method", options=["sbar", "pooled"])
    return _xbar_pair(spread_kind="s", **locals())


fill_docstring(i_mr_chart, phases=_PHASE_DOC)
for _chart in (xbar_r_chart, xbar_s_chart):
    fill_docstring(_chart, xbar=_XBAR_DOC, phases=_PHASE_DOC)
