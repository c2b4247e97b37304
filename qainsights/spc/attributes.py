"""Attribute control charts: p, np, c and u, with Laney's p' and u' for over-dispersed data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binom, norm
from scipy.stats import poisson as poisson_dist

from .._caller import caller, public
from .._docstrings import fill_docstring
from .._validation import check_option, format_values
from ._assemble import Limits, assemble, group_mean, ratio, used_mask
from ._inputs import build_frame
from .betabinomial import (
    beta_binomial_limits,
    intraclass_correlation,
    laney_applies,
)
from .result import ControlChart
from .rules import resolve_rules
from .sigma import grouped_moving_range_sigma

__all__ = ["c_chart", "np_chart", "p_chart", "u_chart"]


def _check_nsigmas(nsigmas: float) -> float:
    func = caller()
    if isinstance(nsigmas, bool) or not isinstance(nsigmas, (int, float)) or not nsigmas > 0:
        raise ValueError(
            f"The 'nsigmas' parameter of {func} must be a positive number (3 for the usual "
            f"3-sigma limits). Got {nsigmas!r} instead."
        )
    return float(nsigmas)


def _check_counts(frame: pd.DataFrame, *, names: dict, bounded: bool) -> None:
    """Raise on negative counts, non-positive sizes, or (for proportions) counts above n."""
    func = caller()
    checks = [(frame["defects"] < 0, f"negative counts in {names['defects']!r}")]
    if "n" in frame:
        checks.append((frame["n"] <= 0, f"sizes of 0 or less in {names['n']!r}"))
        if bounded:
            checks.append((frame["defects"] > frame["n"], "more defectives than the sample size"))
    for bad, what in checks:
        if bad.any():
            raise ValueError(
                f"{func} found {int(bad.sum())} subgroup(s) with {what}: "
                f"{format_values(frame.loc[bad, 'subgroup'])}. Each subgroup needs a count "
                "between 0 and its size, and a size of at least 1; fix or drop those rows."
            )


def _laney_sigma_z(
    frame: pd.DataFrame, value: np.ndarray, center: np.ndarray, sigma: np.ndarray, screened: bool
) -> np.ndarray:
    """Laney's sigma_z per group: MR-bar / d2(2) of the baseline z-scores, in time order."""
    used = used_mask(frame) & (sigma > 0)
    z = ratio(value - center, sigma)
    group = frame["_group"].to_numpy()
    return grouped_moving_range_sigma(z[used], group[used], int(group.max()) + 1, screened=screened)


def _proportion_limits(
    frame: pd.DataFrame,
    *,
    scale: np.ndarray,
    known: float | None,
    laney: bool,
    screened: bool,
    poisson: bool,
    exact_tail: float | None = None,
    nsigmas: float = 3.0,
) -> Limits:
    """Limits of a rate ``defects / n`` (binomial or Poisson), optionally Laney-adjusted.

    ``scale`` multiplies the rate to give the charted value (1 for p and u, n for np). The
    stage sigma is the per-unit sigma ``sqrt(p (1 - p))`` or ``sqrt(u)`` times Laney's sigma_z
    (1 without the adjustment). With ``exact_tail`` the limits are the binomial (Poisson)
    quantiles leaving at most that probability beyond each limit. Laney's p' keeps Laney's
    limits only in stages whose subgroups are large enough (:func:`laney_applies`); the others
    get beta-binomial quantile limits (:func:`_small_stage_limits`).
    """
    group = frame["_group"].to_numpy()
    defects, n = frame["defects"].to_numpy(), frame["n"].to_numpy()
    rate = (
        np.full(group.max() + 1, known, dtype=float)
        if known is not None
        else group_mean(defects / n, frame, weights=n)
    )
    point_rate = rate[group]
    variance = point_rate if poisson else point_rate * (1.0 - point_rate)
    sigma = np.sqrt(variance / n)
    sigma_z = np.ones_like(rate)
    extra = {"sigma_z": sigma_z}
    bounds = {}
    if exact_tail is not None:
        model = poisson_dist(point_rate * n) if poisson else binom(np.round(n), point_rate)
        bounds = {
            "lower": model.ppf(exact_tail) / n * scale,
            "upper": model.ppf(1.0 - exact_tail) / n * scale,
        }
    if laney:
        sigma_z = _laney_sigma_z(frame, defects / n, point_rate, sigma, screened)
        sigma = sigma * sigma_z[group]
        extra = {"sigma_z": sigma_z}
        if not poisson:
            bounds, extra = _small_stage_limits(frame, rate, sigma, scale, nsigmas, sigma_z)
            sigma = bounds.pop("sigma")
    return Limits(
        value=defects / n * scale,
        center=point_rate * scale,
        sigma=sigma * scale,
        stage_center=rate,
        stage_sigma=np.sqrt(rate if poisson else rate * (1.0 - rate)) * sigma_z,
        stage_extra=extra,
        sigma_method=(
            ("laney sigma_z, screened MR" if screened else "laney sigma_z (MR-bar/d2)")
            if laney
            else ("poisson" if poisson else "binomial")
        ),
        floor=0.0,
        ceiling=np.inf if poisson else scale,
        **bounds,
    )


def _small_stage_limits(
    frame: pd.DataFrame,
    rate: np.ndarray,
    sigma: np.ndarray,
    scale: np.ndarray,
    nsigmas: float,
    sigma_z: np.ndarray,
) -> tuple[dict, dict]:
    """Limits of a Laney p' chart whose small stages get beta-binomial quantiles instead.

    In a stage where Laney's normal approximation fails (:func:`laney_applies`), the limits
    are the ``Phi(-nsigmas)`` and ``1 - Phi(-nsigmas)`` quantiles of the beta-binomial count
    with the stage's rate and its over-dispersion ``rho`` estimated from its own subgroups
    (:func:`intraclass_correlation`), and the point's sigma is that beta-binomial's standard
    deviation; large stages keep ``center ± nsigmas sigma`` with Laney's sigma.
    """
    group = frame["_group"].to_numpy()
    defects, n = frame["defects"].to_numpy(), frame["n"].to_numpy()
    used = used_mask(frame)
    n_groups = len(rate)
    rho = intraclass_correlation(defects[used], n[used], group[used], n_groups)
    small = ~laney_applies(n, rate, group, used, n_groups)
    point_rate, point_rho, exact = rate[group], rho[group], small[group]
    spread = nsigmas * sigma
    lower, upper = point_rate - spread, point_rate + spread
    low, high = beta_binomial_limits(
        n[exact], point_rate[exact], point_rho[exact], float(norm.sf(nsigmas))
    )
    lower[exact], upper[exact] = low / n[exact], high / n[exact]
    beta_sigma = np.sqrt(point_rate * (1.0 - point_rate) * (1.0 + (n - 1.0) * point_rho) / n)
    bounds = {
        "lower": lower * scale,
        "upper": upper * scale,
        "sigma": np.where(exact, beta_sigma, sigma),
    }
    extra = {"sigma_z": sigma_z, "rho": rho, "limits": np.where(small, "beta-binomial", "laney")}
    return bounds, extra


def _attribute_chart(
    data: pd.DataFrame | None,
    *,
    chart: str,
    defects: Any,
    subgroup: Any,
    stage: Any,
    breaks: Sequence[Any] | None,
    baseline: Any,
    exclude: Sequence[Any] | None,
    center: float | None,
    nsigmas: float,
    rules: str | Sequence[str] | None,
    n: Any = None,
    laney: bool = False,
    screened: bool = False,
    limits: str = "normal",
    by: Sequence[str] = (),
) -> ControlChart:
    """Shared body of the four attribute charts (of one series, or one per ``by`` segment)."""
    func = caller()
    nsigmas = _check_nsigmas(nsigmas)
    check_option(limits, name="limits", options=["normal", "exact"])
    if laney and limits == "exact":
        raise ValueError(
            f"{func} takes laney=True or limits='exact', not both: Laney's limits widen the "
            "normal approximation. Use exact limits for small subgroups, Laney's for large ones."
        )
    rule_names = resolve_rules(rules, func=caller())
    stats = {"defects": defects} if chart == "c" else {"defects": defects, "n": n}
    frame = build_frame(
        data,
        stats=stats,
        by=by,
        subgroup=subgroup,
        stage=stage,
        breaks=breaks,
        baseline=baseline,
        exclude=exclude,
    )
    if chart == "c":
        frame["n"] = 1.0
    names = {"defects": defects if isinstance(defects, str) else "defects"}
    names["n"] = n if isinstance(n, str) else "n"
    _check_counts(frame, names=names, bounded=chart in ("p", "np"))
    _check_known_center(center, proportion=chart == "p")
    poisson = chart in ("c", "u")
    scale = frame["n"].to_numpy() if chart == "np" else np.ones(len(frame))
    known = _known_np_rate(frame, center) if chart == "np" else center
    bounds = _proportion_limits(
        frame,
        scale=scale,
        known=known,
        laney=laney,
        screened=screened,
        poisson=poisson,
        exact_tail=norm.sf(nsigmas) if limits == "exact" else None,
        nsigmas=nsigmas,
    )
    name = f"laney_{chart}" if laney else chart
    return assemble(
        frame,
        bounds,
        chart=name,
        nsigmas=nsigmas,
        rules=rule_names,
        by=by,
        proportion=chart == "p",
        degenerate=(
            "the baseline rate is 0 or 1, or has no subgroups"
            + (", or fewer than two subgroups for sigma_z" if laney else "")
        ),
    )


def _known_np_rate(frame: pd.DataFrame, center: float | None) -> float | None:
    """Turn a known ``n p`` into ``p``; it needs one subgroup size and ``0 < n p < n``."""
    func = caller()
    if center is None:
        return None
    sizes = frame["n"].unique()
    if sizes.size > 1 or not center < sizes[0]:
        raise ValueError(
            f"The 'center' parameter of {func} is a known n p, which needs one subgroup size and "
            f"a value below it. Got {center!r} with sizes {format_values(sizes)}. Use p_chart "
            "with the known proportion for varying sizes."
        )
    return center / sizes[0]


def _check_known_center(center: float | None, *, proportion: bool) -> None:
    """Raise unless ``center`` is None or a valid known rate (a proportion for p charts)."""
    func = caller()
    if center is None:
        return
    number = isinstance(center, (int, float)) and not isinstance(center, bool)
    if not number or not (0 < center < (1 if proportion else np.inf)):
        bound = "strictly between 0 and 1" if proportion else "greater than 0"
        raise ValueError(
            f"The 'center' parameter of {func} must be a known standard {bound}, or None to "
            f"estimate it from the baseline. Got {center!r} instead."
        )


_PHASE_DOC = """
    subgroup : str or array-like, optional
        Column (or values) identifying each subgroup: a week, a date, a sample number. Rows
        are sorted by it; a key may appear only once. Defaults to 1, 2, ... in row order.
    stage : str or array-like, optional
        Column (or values) labelling stages; limits are recomputed within each contiguous
        block of one label (for example before and after a policy change). Run rules restart
        at each stage (their windows never cross a stage boundary), so a rule that needs a
        window of ``k`` points cannot fire in the first ``k - 1`` points of a stage: no
        Western Electric run of 8 in a stage's first 7 points (no Nelson run of 9 in its
        first 8), no trend of 6 in its first 5, no "4 of 5" in its first 4. A short stage
        is quiet for that reason, not because it is in control.
    breaks : sequence, optional
        Subgroup keys at which a new stage starts (an alternative to ``stage``).
    baseline : str, array-like of bool or slice, optional
        The subgroups each stage's limits are computed from (a boolean column or array, or a
        slice of subgroup keys, inclusive); later points are judged against those limits
        (phase II). Default: all subgroups.
    exclude : sequence, optional
        Subgroup keys left out of the limit computation and of the run rules; they are still
        shown and judged against the limits (beyond-limits rule only).
    nsigmas : float, default 3
        Width of the limits in sigmas; zone rules use ``nsigmas / 3``-scaled zones.
    rules : str, sequence of str or None, default "western_electric"
        Rule sets (``"western_electric"``, ``"nelson"``, ``"anhoj"``, ``"limits"``) and/or single
        rules (``"we1"`` ... ``"we4"``, ``"nelson1"`` ... ``"nelson8"``, ``"anhoj_runs"``,
        ``"anhoj_crossings"``); see :mod:`qainsights.spc.rules`."""

_LANEY_DOC = """
    laney : bool, default False
        Laney's adjustment for over-dispersion: the binomial/Poisson sigma of each point is
        multiplied by sigma_z, the moving-range sigma (``MR-bar / d2(2)``) of the baseline
        z-scores of the same stage. Use it when the subgroups are large (hundreds or more);
        see :func:`overdispersion_test`. sigma_z is not floored at 1 (as in Minitab).
    screened : bool, default False
        For Laney's sigma_z, drop moving ranges above 3.267 MR-bar first (Nelson 1982), as
        qicharts2 does when attached. Screening narrows the limits when a few points jump."""

_EXACT_DOC = """
    limits : {"normal", "exact"}, default "normal"
        ``"exact"`` uses binomial (Poisson) quantiles instead of ``center ± nsigmas sigma``,
        leaving at most ``Phi(-nsigmas)`` (0.135 %) beyond each limit: better for rare errors
        in small subgroups (``n p-bar`` below about 5). Zone rules still use the normal z."""


@public
def p_chart(
    data: pd.DataFrame | None = None,
    *,
    defects: Any = None,
    n: Any = None,
    subgroup: Any = None,
    stage: Any = None,
    breaks: Sequence[Any] | None = None,
    baseline: Any = None,
    exclude: Sequence[Any] | None = None,
    center: float | None = None,
    nsigmas: float = 3.0,
    rules: str | Sequence[str] | None = "western_electric",
    laney: bool = False,
    screened: bool = False,
    limits: str = "normal",
) -> ControlChart:
    """Proportion (p) chart of defectives per subgroup, or Laney's p' chart.

    Centre ``p-bar = sum(defects) / sum(n)`` over the baseline of each stage; each point has
    its own limits ``p-bar ± nsigmas * sqrt(p-bar (1 - p-bar) / n_i)`` (stair-step for varying
    sizes), with the LCL truncated at 0 and the UCL capped at 1 after the zone bounds are set.
    A point exactly on a truncated limit is not beyond it (comparisons are strict).

    Parameters
    ----------
    data : pandas.DataFrame, optional
        One row per subgroup. If None, pass the values as arrays.
    defects : str or array-like
        Column (or values) with the number of defectives (errors) in each subgroup.
    n : str or array-like
        Column (or values) with the subgroup size (items audited).
    center : float, optional
        Known standard proportion; the limits then use it instead of p-bar.
    {phases}
    {laney}
    {exact}

    Returns
    -------
    ControlChart
        ``.table`` (one row per subgroup), ``.signals``, ``.limits``, ``.runs``, ``.plot()``.

    Raises
    ------
    ValueError
        If a count is negative or above its size, a size is 0, a value is missing, or a
        subgroup key is duplicated.

    Warns
    -----
    UserWarning
        If a stage has no limits (baseline rate of 0 or 1, no baseline subgroups, or for
        Laney fewer than two): its limits and z are NaN and no rules fire there.

    See Also
    --------
    np_chart, u_chart, overdispersion_test

    Examples
    --------
    >>> chart = p_chart(defects=[12, 15, 8, 10, 4, 7, 16, 9, 14, 10], n=[50] * 10)
    >>> print(round(chart.limits["center"][0], 3), round(chart.table["ucl"][0], 4))
    0.21 0.3828
    >>> chart.table.columns.tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['subgroup', 'stage', 'value', 'n', 'center', 'lcl', 'ucl', 'sigma', 'z', 'baseline',
     'excluded', 'signal']

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 7.2.
    .. [2] D. B. Laney (2002), "Improved control charts for attributes", *Quality
       Engineering* 14(4), 531-537.
    .. [3] Validated against R's qcc (``qcc(type="p")``) and qicharts2 (``qic(chart="pp")``).
    """
    return _attribute_chart(chart="p", **locals())


@public
def np_chart(
    data: pd.DataFrame | None = None,
    *,
    defects: Any = None,
    n: Any = None,
    subgroup: Any = None,
    stage: Any = None,
    breaks: Sequence[Any] | None = None,
    baseline: Any = None,
    exclude: Sequence[Any] | None = None,
    center: float | None = None,
    nsigmas: float = 3.0,
    rules: str | Sequence[str] | None = "western_electric",
    limits: str = "normal",
) -> ControlChart:
    """Number-defective (np) chart: counts of defectives, centre ``n_i p-bar``.

    Limits ``n_i p-bar ± nsigmas * sqrt(n_i p-bar (1 - p-bar))``, truncated to [0, n_i].

    Parameters
    ----------
    data : pandas.DataFrame, optional
        One row per subgroup. If None, pass the values as arrays.
    defects : str or array-like
        Number of defectives in each subgroup.
    n : str or array-like
        Subgroup sizes.
    center : float, optional
        Known standard for ``n p`` (with a constant subgroup size).
    {phases}
    {exact}

    Returns
    -------
    ControlChart

    Examples
    --------
    >>> chart = np_chart(defects=[12, 15, 8, 10, 4, 7, 16, 9, 14, 10], n=[50] * 10)
    >>> print(round(chart.table["center"][0], 2), round(chart.table["ucl"][0], 3))
    10.5 19.14

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 7.2.3.
    .. [2] Validated against R's qcc (``qcc(type="np")``).
    """
    return _attribute_chart(chart="np", **locals())


@public
def c_chart(
    data: pd.DataFrame | None = None,
    *,
    defects: Any = None,
    subgroup: Any = None,
    stage: Any = None,
    breaks: Sequence[Any] | None = None,
    baseline: Any = None,
    exclude: Sequence[Any] | None = None,
    center: float | None = None,
    nsigmas: float = 3.0,
    rules: str | Sequence[str] | None = "western_electric",
    limits: str = "normal",
) -> ControlChart:
    """Count (c) chart of defects per inspection unit of constant size.

    Centre ``c-bar`` (mean count over the baseline), limits ``c-bar ± nsigmas * sqrt(c-bar)``
    with the LCL truncated at 0.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        One row per subgroup. If None, pass the values as arrays.
    defects : str or array-like
        Number of defects (nonconformities) in each subgroup.
    center : float, optional
        Known standard for the mean count.
    {phases}
    {exact}

    Returns
    -------
    ControlChart

    Examples
    --------
    >>> chart = c_chart(defects=[21, 24, 16, 12, 15, 5, 28, 20, 31, 25])
    >>> print(round(chart.table["center"][0], 1), round(chart.table["ucl"][0], 3))
    19.7 33.015

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 7.3.
    .. [2] Validated against R's qcc (``qcc(type="c")``).
    """
    return _attribute_chart(chart="c", **locals())


@public
def u_chart(
    data: pd.DataFrame | None = None,
    *,
    defects: Any = None,
    n: Any = None,
    subgroup: Any = None,
    stage: Any = None,
    breaks: Sequence[Any] | None = None,
    baseline: Any = None,
    exclude: Sequence[Any] | None = None,
    center: float | None = None,
    nsigmas: float = 3.0,
    rules: str | Sequence[str] | None = "western_electric",
    laney: bool = False,
    screened: bool = False,
    limits: str = "normal",
) -> ControlChart:
    """Defects-per-unit (u) chart, or Laney's u' chart.

    Centre ``u-bar = sum(defects) / sum(n)``, limits ``u-bar ± nsigmas * sqrt(u-bar / n_i)``
    with the LCL truncated at 0.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        One row per subgroup. If None, pass the values as arrays.
    defects : str or array-like
        Number of defects in each subgroup.
    n : str or array-like
        Number of inspection units (exposure) in each subgroup.
    center : float, optional
        Known standard rate per unit.
    {phases}
    {laney}
    {exact}

    Returns
    -------
    ControlChart

    Examples
    --------
    >>> chart = u_chart(defects=[10, 12, 8, 14, 10, 16, 11, 7, 10, 15], n=[5] * 10)
    >>> print(round(chart.table["center"][0], 2), round(chart.table["ucl"][0], 4))
    2.26 4.277

    References
    ----------
    .. [1] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 7.3.3.
    .. [2] D. B. Laney (2002), "Improved control charts for attributes", *Quality
       Engineering* 14(4), 531-537.
    .. [3] Validated against R's qcc (``qcc(type="u")``) and qicharts2 (``qic(chart="u")``).
    """
    return _attribute_chart(chart="u", **locals())


for _chart in (p_chart, np_chart, c_chart, u_chart):
    fill_docstring(_chart, phases=_PHASE_DOC, laney=_LANEY_DOC, exact=_EXACT_DOC)
