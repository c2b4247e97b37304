"""The weekly chart pack's building blocks: which week to judge, which chart, where rules fired.

- :func:`latest_complete_week`: the week a Monday pack reports when no week is given.
- :func:`chart_choice`: the over-dispersion test beside what the p and Laney p' charts flag.
- :func:`rule_firings`: rule firings summarised per segment, rule or direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from .._caller import caller, public
from .._validation import as_column_list, check_columns, check_frame
from .dispersion import overdispersion_test
from .segments import control_charts

__all__ = ["chart_choice", "latest_complete_week", "rule_firings"]

_ALL = "_all_subgroups"


@public
def latest_complete_week(data: pd.DataFrame, *, time: str = "decision_time") -> pd.Timestamp:
    """Return the Monday that starts the last week (Monday to Sunday) whose Sunday the data reaches.

    A pack run on a Wednesday reports the week that ended on Sunday, not the three days
    since. Weeks start on Monday, as the audit table's ``week`` column does.

    Parameters
    ----------
    data : pandas.DataFrame
        Audit rows.
    time : str, default "decision_time"
        The datetime column that dates each row.

    Returns
    -------
    pandas.Timestamp
        Midnight of the Monday that starts the latest complete week.

    Raises
    ------
    ValueError
        For a missing or non-datetime ``time`` column, or a table with no dates.

    References
    ----------
    .. [1] ISO 8601 weeks (Monday to Sunday), the weeks of the audit table's ``week`` column.

    Examples
    --------
    >>> times = pd.to_datetime(["2026-10-20 09:00", "2026-11-01 23:00", "2026-11-04 10:00"])
    >>> latest_complete_week(pd.DataFrame({"decision_time": times}))
    Timestamp('2026-10-26 00:00:00')
    >>> latest_complete_week(pd.DataFrame({"decision_time": times[:2]}))
    Timestamp('2026-10-26 00:00:00')
    """
    func = caller()
    check_frame(data)
    check_columns(data, [time])
    if not pd.api.types.is_datetime64_any_dtype(data[time]):
        raise ValueError(
            f"The {time!r} column of {func} must hold datetimes. Got dtype {data[time].dtype} "
            f"instead; convert it with pd.to_datetime first."
        )
    last = data[time].max()
    if pd.isna(last):
        raise ValueError(f"{func} needs at least one {time}; the column has no dates.")
    monday = last.normalize() - pd.Timedelta(days=last.weekday())
    return monday if last.weekday() == 6 else monday - pd.Timedelta(weeks=1)


@public
def chart_choice(
    data: pd.DataFrame,
    *,
    defects: str,
    n: str,
    subgroup: str,
    by: str | Sequence[str] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Which chart: the over-dispersion test beside the share of points each p chart flags.

    For each segment, :func:`overdispersion_test` says whether the counts vary more than
    binomial sampling allows, and the plain p chart and Laney's p' chart (limits only,
    every subgroup in the baseline) show what that means in practice: the share of
    subgroups beyond each chart's limits. ``sigma_z`` is Laney's ratio of the p' sigma to
    the binomial sigma. All segments are charted together.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subgroup (and segment) with counts and sizes.
    defects, n : str
        Error and audit count columns.
    subgroup : str
        The subgroup column (a week).
    by : str or list of str, optional
        Segment columns; one row each.
    alpha : float, default 0.05
        Level of the over-dispersion test behind ``recommended_chart``.

    Returns
    -------
    pandas.DataFrame
        One row per segment: the ``by`` columns, ``n_subgroups``, ``dispersion_ratio``,
        ``p_value`` and ``recommended_chart`` (from :func:`overdispersion_test`),
        ``sigma_z``, ``flagged_p`` and ``flagged_laney_p`` (shares of subgroups beyond the
        limits of each chart).

    Raises
    ------
    ValueError
        As :func:`overdispersion_test` and :func:`control_charts`.

    References
    ----------
    .. [1] Laney, D. B. (2002). Improved control charts for attributes. Quality Engineering
       14(4), 531-537.
    .. [2] Montgomery, D. C. (2019). Introduction to Statistical Quality Control, 8th ed.,
       Example 7.1 (the orange-juice cans the tests check against, with qcc's over-dispersion
       test and qicharts2's p' limits).

    Examples
    --------
    Montgomery's orange-juice cans (30 samples of 50): the p chart flags samples 15 and 23,
    the data over-disperse, and Laney's wider limits flag none:

    >>> defects = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
    ...            8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]
    >>> cans = pd.DataFrame({"sample": range(1, 31), "D": defects, "size": 50})
    >>> choice = chart_choice(cans, defects="D", n="size", subgroup="sample")
    >>> choice[["recommended_chart", "sigma_z", "flagged_p", "flagged_laney_p"]].round(4)
      recommended_chart  sigma_z  flagged_p  flagged_laney_p
    0           laney_p   1.6603   0.0667              0.0
    """
    check_frame(data)
    segments = as_column_list(by)
    check_columns(data, [*segments, subgroup, defects, n])
    keys = segments or [_ALL]
    frame = data if segments else data.assign(**{_ALL: 0})
    counts: dict[str, Any] = {"defects": defects, "n": n, "subgroup": subgroup}
    test = overdispersion_test(frame, **counts, by=keys, alpha=alpha)
    charts = {"by": keys, **counts, "rules": "limits"}
    plain = control_charts(frame, chart="p", **charts).table
    laney = control_charts(frame, chart="laney_p", **charts).table
    points = plain[[*keys, "subgroup", "sigma", "signal"]].merge(
        laney[[*keys, "subgroup", "sigma", "signal"]],
        on=[*keys, "subgroup"],
        suffixes=("_p", "_laney_p"),
    )
    points["sigma_z"] = points["sigma_laney_p"] / points["sigma_p"]
    shares = points.groupby(keys, sort=False).agg(
        sigma_z=("sigma_z", "median"),
        flagged_p=("signal_p", "mean"),
        flagged_laney_p=("signal_laney_p", "mean"),
    )
    columns = [*keys, "n_subgroups", "dispersion_ratio", "p_value", "recommended_chart"]
    table = test[columns].merge(shares.reset_index(), on=keys, how="left")
    return table.drop(columns=[_ALL]) if not segments else table


@public
def rule_firings(signals: pd.DataFrame, *, by: str | Sequence[str]) -> pd.DataFrame:
    """Rule firings grouped by ``by``: how many, and the first and last subgroup they fired at.

    Parameters
    ----------
    signals : pandas.DataFrame
        The ``.signals`` of a control chart or chart set (one row per firing, with a
        ``subgroup`` column).
    by : str or list of str
        Columns of ``signals`` to group by (segment columns, ``rule``, ``direction`` ...).

    Returns
    -------
    pandas.DataFrame
        One row per group that fired, sorted by ``by``: the ``by`` columns, ``firings``,
        ``first`` and ``last``. Empty (with those columns) when nothing fired.

    Raises
    ------
    ValueError
        When ``signals`` lacks ``subgroup`` or a ``by`` column.

    References
    ----------
    .. [1] Nelson, L. S. (1984). The Shewhart control chart: tests for special causes.
       Journal of Quality Technology 16(4), 237-239 (the rules whose firings are counted).

    Examples
    --------
    >>> signals = pd.DataFrame({"rule": ["nelson1", "nelson2", "nelson1"],
    ...                         "subgroup": [3, 9, 7]})
    >>> rule_firings(signals, by="rule")
          rule  firings  first  last
    0  nelson1        2      3     7
    1  nelson2        1      9     9
    """
    check_frame(signals, name="signals")
    keys = as_column_list(by)
    check_columns(signals, [*keys, "subgroup"], param="signals")
    summary = signals.groupby(keys, observed=True)["subgroup"].agg(
        firings="size", first="min", last="max"
    )
    return summary.reset_index()
