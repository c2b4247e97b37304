"""Rare-event charts: g (events between failures) and t (time between failures)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._caller import caller, public
from .._docstrings import fill_docstring
from .._validation import format_values
from ._assemble import Limits, assemble, group_mean, ratio, used_mask
from ._inputs import build_frame, phase_arguments
from .attributes import _PHASE_DOC, _check_nsigmas
from .result import ControlChart
from .rules import resolve_rules
from .variables import individual_standards

__all__ = ["g_chart", "t_chart"]

_T_POWER = 3.6  # Nelson (1994): t ** (1 / 3.6) of exponential times is close to normal


def _gaps(data: pd.DataFrame | None, *, values: Any, phases: dict[str, Any]) -> pd.DataFrame:
    """Frame of the gaps between events, checked to be non-negative."""
    func = caller()
    frame = build_frame(data, stats={"value": values}, **phases)
    negative = frame["value"] < 0
    if negative.any():
        raise ValueError(
            f"{func} found {int(negative.sum())} negative gap(s) between events, at subgroup(s) "
            f"{format_values(frame.loc[negative, 'subgroup'])}. Pass counts or times since the "
            "previous event, which cannot be negative."
        )
    return frame


def _baseline_medians(frame: pd.DataFrame, values: np.ndarray) -> np.ndarray:
    """Median of ``values`` over the used rows of each group (NaN for an empty group)."""
    used = used_mask(frame)
    n_groups = int(frame["_group"].max()) + 1
    medians = pd.Series(values[used]).groupby(frame["_group"].to_numpy()[used]).median()
    return medians.reindex(range(n_groups)).to_numpy()


@public
def g_chart(
    data: pd.DataFrame | None = None,
    *,
    values: Any = None,
    subgroup: Any = None,
    stage: Any = None,
    breaks: Sequence[Any] | None = None,
    baseline: Any = None,
    exclude: Sequence[Any] | None = None,
    nsigmas: float = 3.0,
    rules: str | Sequence[str] | None = ("limits", "anhoj"),
) -> ControlChart:
    """Chart the number of units (audits, decisions) between rare events (g chart).

    Geometric model: with mean gap ``g-bar`` the limits are
    ``g-bar ± nsigmas * sqrt(g-bar (g-bar + 1))``, LCL truncated at 0; the centre line is
    the median gap (as in qicharts2), so runs are judged around the median. ``z`` is
    ``(value - median) / sqrt(g-bar (g-bar + 1))``: zone rules are not meaningful on this
    skewed scale, hence the default rules (beyond limits and Anhøj). A large gap is good news:
    a point above the UCL means events became rarer.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        One row per event. If None, pass the values as an array.
    values : str or array-like
        Units since the previous event (count the first event's gap from the start).
    {phases}

    Returns
    -------
    ControlChart

    Examples
    --------
    >>> chart = g_chart(values=[23, 39, 15, 34, 1, 49, 98, 29, 27, 13, 45, 7])
    >>> print(chart.table["center"][0], round(chart.table["ucl"][0], 2))
    28.0 128.16

    References
    ----------
    .. [1] J. C. Benneyan (2001), "Number-between g-type statistical quality control charts
       for monitoring adverse events", *Health Care Management Science* 4, 305-318.
    .. [2] Validated against qicharts2 (``qic(chart="g")``).
    """
    nsigmas = _check_nsigmas(nsigmas)
    rule_names = resolve_rules(rules, func=caller())
    phases = phase_arguments(locals())
    frame = _gaps(data, values=values, phases=phases)
    x = frame["value"].to_numpy()
    group = frame["_group"].to_numpy()
    mean = group_mean(x, frame)
    spread = np.sqrt(mean * (mean + 1.0))
    median = _baseline_medians(frame, x)
    limits = Limits(
        x,
        median[group],
        spread[group],
        mean,
        spread,
        "geometric sqrt(g-bar (g-bar + 1))",
        floor=0.0,
        lower=(mean - nsigmas * spread)[group],
        upper=(mean + nsigmas * spread)[group],
        stage_extra={"median": median},
    )
    return assemble(
        frame,
        limits,
        chart="g",
        nsigmas=nsigmas,
        rules=rule_names,
        n=np.ones(len(frame)),
        degenerate="the baseline has no gaps, or every gap is 0",
    )


@public
def t_chart(
    data: pd.DataFrame | None = None,
    *,
    values: Any = None,
    subgroup: Any = None,
    stage: Any = None,
    breaks: Sequence[Any] | None = None,
    baseline: Any = None,
    exclude: Sequence[Any] | None = None,
    nsigmas: float = 3.0,
    rules: str | Sequence[str] | None = "western_electric",
    screened: bool = True,
) -> ControlChart:
    """Chart the time between rare events (t chart).

    The times are transformed by ``y = t ** (1 / 3.6)`` (near-normal for exponential times),
    charted as individuals (sigma ``MR-bar / d2(2)`` of ``y``, screened by default as in
    qicharts2) and the centre and limits are transformed back: ``center = y-bar ** 3.6``,
    limits ``(y-bar ± nsigmas sigma) ** 3.6`` with a negative lower value truncated at 0.
    ``z`` and the run rules use the transformed scale.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        One row per event. If None, pass the values as an array.
    values : str or array-like
        Time since the previous event (days, hours), at least 0.
    {phases}
    screened : bool, default True
        Drop moving ranges above 3.267 MR-bar before estimating sigma (Nelson 1982).

    Returns
    -------
    ControlChart

    Examples
    --------
    >>> chart = t_chart(values=[16, 20, 5, 13, 1, 26, 46, 12, 12, 5, 19, 4, 3, 15])
    >>> print(round(chart.table["center"][0], 2), round(chart.table["ucl"][0], 1))
    10.92 98.3

    References
    ----------
    .. [1] L. S. Nelson (1994), "A control chart for parts-per-million nonconforming items",
       *Journal of Quality Technology* 26(3), 239-240.
    .. [2] Validated against qicharts2 (``qic(chart="t")``).
    """
    nsigmas = _check_nsigmas(nsigmas)
    rule_names = resolve_rules(rules, func=caller())
    phases = phase_arguments(locals())
    frame = _gaps(data, values=values, phases=phases)
    y = frame["value"].to_numpy() ** (1.0 / _T_POWER)
    group = frame["_group"].to_numpy()
    mean, sigma, method = individual_standards(y, frame, center=None, sigma=None, screened=screened)
    back = {side: np.maximum(mean + side * nsigmas * sigma, 0.0) ** _T_POWER for side in (-1, 1)}
    limits = Limits(
        frame["value"].to_numpy(),
        (mean**_T_POWER)[group],
        sigma[group],
        mean**_T_POWER,
        sigma,
        f"{method} of t^(1/3.6)",
        lower=back[-1][group],
        upper=back[1][group],
        z=ratio(y - mean[group], sigma[group]),
    )
    return assemble(
        frame,
        limits,
        chart="t",
        nsigmas=nsigmas,
        rules=rule_names,
        n=np.ones(len(frame)),
        degenerate="fewer than two baseline events, or no variation",
    )


fill_docstring(g_chart, phases=_PHASE_DOC)
fill_docstring(t_chart, phases=_PHASE_DOC)
