"""Which way the errors go: over- against under-enforcement per segment."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._caller import caller, public, user_stacklevel
from .._results import TidyResult, drawing
from .._validation import as_column_list, check_confidence, format_values
from ..intervals import proportion_ci
from ..rates import enforcement_rates

__all__ = ["EnforcementSplit", "enforcement_split"]

_OVER, _UNDER, _WRONG = "over_enforcement", "under_enforcement", "wrong_policy"


@dataclass(frozen=True, repr=False)
class EnforcementSplit(TidyResult):
    """Over- and under-enforcement per segment, and the direction the errors lean.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per segment, sorted by the ``by`` columns. Columns: the ``by`` columns,
        ``n`` (audits), ``over`` and ``under`` (errors of each direction), ``wrong_policy``,
        ``over_rate`` and ``under_rate`` (shares of all audits), ``over_share`` (``over /
        (over + under)``, NaN without any), ``ci_low`` and ``ci_high`` (its interval) and
        ``direction``: ``"over-enforcement"`` when the interval lies above ½,
        ``"under-enforcement"`` when below, ``"no clear direction"`` otherwise.
    rates : pandas.DataFrame
        :func:`qainsights.rates.enforcement_rates`'s long table (every error type's rate
        and interval per segment).
    by : list of str
        The segment columns.
    """

    table: pd.DataFrame
    rates: pd.DataFrame
    by: list

    _title = "Direction of errors"

    def to_frame(self) -> pd.DataFrame:
        """Return the per-segment table (a copy of :attr:`table`)."""
        return self.table.copy()

    plot = drawing(
        "rca", "plot_enforcement",
        "Diverging bars: over-enforcement to the right, under-enforcement to the left, with "
        "intervals.",
    )  # fmt: skip


@public
def enforcement_split(
    audits,
    *,
    by="policy",
    error_type="error_type",
    weight=None,
    strata=None,
    ci=0.95,
    method="modified_wilson",
):
    """Over- against under-enforcement errors per segment: which way the errors go.

    Two policies with the same error rate can fail in opposite directions: one removes
    too much (over-enforcement, a user-experience problem), the other leaves harmful content
    up (under-enforcement, a safety problem). This splits each segment's errors by
    direction and tests whether they lean one way: ``over_share = over / (over + under)``
    with :func:`qainsights.intervals.proportion_ci`'s interval, compared with ½. The rates per
    error type and their intervals are :func:`qainsights.rates.enforcement_rates`'.

    Parameters
    ----------
    audits : pandas.DataFrame
        One row per audit.
    by : str or list of str, default "policy"
        Segment columns.
    error_type : str, default "error_type"
        Column of error types (``"none"``, ``"over_enforcement"``, ``"under_enforcement"``,
        ``"wrong_policy"``).
    weight, strata, ci, method
        As in :func:`qainsights.rates.enforcement_rates`. The direction test uses the
        unweighted counts of the audited errors.

    Returns
    -------
    EnforcementSplit
        ``.table`` (also ``.to_frame()``), ``.rates`` and ``.plot()``.

    Raises
    ------
    ValueError
        As :func:`qainsights.rates.enforcement_rates`, and for ``by=None`` (name at least
        one segment column).

    Warns
    -----
    UserWarning
        When a segment has no over- or under-enforcement errors: its ``over_share`` and
        interval are NaN, and its direction ``"no clear direction"``.

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
       inference. JASA 22, 209-212 (the default interval of ``over_share``).

    Examples
    --------
    >>> audits = pd.DataFrame(
    ...     {
    ...         "policy": ["spam"] * 40 + ["violence"] * 40,
    ...         "error_type": ["over_enforcement"] * 12 + ["none"] * 28
    ...         + ["under_enforcement"] * 9 + ["over_enforcement"] + ["none"] * 30,
    ...     }
    ... )
    >>> split = enforcement_split(audits)
    >>> split.table[["policy", "over", "under", "over_share", "direction"]].round(2)
         policy  over  under  over_share          direction
    0      spam    12      0         1.0   over-enforcement
    1  violence     1      9         0.1  under-enforcement
    """
    keys = as_column_list(by)
    if not keys:
        raise ValueError(
            f"The 'by' parameter of {caller()} must name one or more segment columns, for "
            f"example by='policy'. Got {by!r} instead; use enforcement_rates for the total."
        )
    level = check_confidence(ci)
    rates = enforcement_rates(
        audits, by=keys, error_type=error_type, weight=weight, strata=strata, ci=ci, method=method
    )
    wide = rates.pivot_table(
        index=keys, columns="error_type", values=["errors", "rate"], observed=True
    )
    counts = wide["errors"].astype("int64")
    over, under = counts[_OVER].to_numpy(), counts[_UNDER].to_numpy()
    n = rates.groupby(keys, observed=True, sort=True)["n"].first().to_numpy()
    share, low, high = _over_share(over, over + under, wide.index, level=level, method=method)
    direction = np.select(
        [low > 0.5, high < 0.5], ["over-enforcement", "under-enforcement"], "no clear direction"
    )
    table = wide.index.to_frame(index=False).assign(
        n=n,
        over=over,
        under=under,
        wrong_policy=counts[_WRONG].to_numpy(),
        over_rate=wide[("rate", _OVER)].to_numpy(),
        under_rate=wide[("rate", _UNDER)].to_numpy(),
        over_share=share,
        ci_low=low,
        ci_high=high,
        direction=direction,
    )
    return EnforcementSplit(table=table, rates=rates, by=keys)


def _over_share(over, directed, segments, *, level, method):
    """Share of over-enforcement among directed errors, with its interval; NaN without any."""
    share = np.full(len(over), np.nan)
    low, high = share.copy(), share.copy()
    some = directed > 0
    if not some.all():
        warnings.warn(
            f"{caller()} found {int((~some).sum())} segments without over- or under-enforcement "
            f"errors ({format_values(segments[~some])}); their over_share is NaN because "
            "there is no direction to measure.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    share[some] = over[some] / directed[some]
    low[some], high[some] = proportion_ci(over[some], directed[some], ci=level, method=method)
    return share, low, high
