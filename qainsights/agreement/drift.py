"""QA of QA over time: each rater's rate against the other raters', period by period, and its trend."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._caller import caller, public
from .._multiple import q_values
from .._results import TidyResult
from .._validation import (
    check_columns,
    check_complete,
    check_confidence,
    check_frame,
    outcome_indicator,
)
from ..trends._inference import difference_ci, rate_with_ci

__all__ = ["RaterDrift", "rater_drift"]


@dataclass(frozen=True, repr=False)
class RaterDrift(TidyResult):
    """Each rater against the others, per period and overall, with a test of drift.

    Attributes
    ----------
    by_period : DataFrame
        One row per rater and period: ``rater``, ``period``, ``n``, ``rate`` with ``ci_low``
        and ``ci_high`` (Wilson), ``others_rate`` (the other raters' rate in that period),
        ``difference`` (rate minus ``others_rate``) with ``difference_ci_low`` and
        ``difference_ci_high`` (Newcombe).
    raters : DataFrame
        One row per rater: ``rater``, ``n``, ``rate``, ``others_rate``, ``difference`` with
        its interval, ``difference_q`` (Benjamini-Hochberg q-value of the pooled
        two-proportion test across raters), ``trend_statistic`` (the score statistic for a
        linear trend of the rater's excess over the other raters' rate in the same periods),
        ``trend_p_value``, ``trend_q`` and
        ``trend`` ("rising", "falling" or "no clear trend" at q < 0.05; "one period" when
        there is nothing to trend).
    periods : tuple
        The periods, in the order that scores the trend.
    """

    by_period: pd.DataFrame
    raters: pd.DataFrame
    periods: tuple
    _title = "Rater drift"

    def to_frame(self) -> pd.DataFrame:
        """The per-rater table."""
        return self.raters


def _trend(cells: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """Trend of each rater's excess over the others' rate in the same periods, and its sign.

    ``cells`` holds ``rater``, ``period`` (scores 0, 1, ...), ``k`` and ``n`` per rater and
    period; ``totals`` the period's ``k`` and ``n`` over all raters, row for row. Each period
    is a 2 x 2 stratum (this rater or the others, outcome or not): ``O − E`` with
    ``E = n K / N`` and the hypergeometric ``V``; the statistic is
    ``(Σ (x − x̄) (O − E))² / Σ (x − x̄)² V`` with ``x̄ = Σ x V / Σ V``.
    """
    k, n = cells["k"].to_numpy(float), cells["n"].to_numpy(float)
    big_k, big_n = totals["k"].to_numpy(float), totals["n"].to_numpy(float)
    x = cells["period"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = n * (big_n - n) * big_k * (big_n - big_k) / (big_n**2 * (big_n - 1))
    v = np.where(big_n > 1, v, 0.0)
    excess = k - n * big_k / np.where(big_n > 0, big_n, 1.0)
    frame = pd.DataFrame({"g": cells["rater"].to_numpy(), "v": v, "xv": x * v,
                          "xxv": x * x * v, "e": excess, "xe": x * excess, "x": x,
                          "xx": x * x, "m": 1.0})  # fmt: skip
    sums = frame.groupby("g", sort=False).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = sums["xv"] / sums["v"]
        score = sums["xe"] - centre * sums["e"]
        variance = sums["xxv"] - sums["xv"] ** 2 / sums["v"]
        statistic = score**2 / variance
    spread = sums["xx"] - sums["x"] ** 2 / sums["m"]  # 0 for a rater seen in one period
    statistic = statistic.where(variance > 1e-12, np.where(spread > 0, 0.0, np.nan))
    return pd.DataFrame(
        {
            "trend_statistic": statistic,
            "trend_p_value": stats.chi2.sf(statistic, 1),
            "_slope": np.sign(score.fillna(0.0)),
            "_spread": spread,
        }
    )


@public
def rater_drift(
    data: pd.DataFrame,
    *,
    rater: str,
    period: str,
    outcome: str,
    ci: float = 0.95,
) -> RaterDrift:
    """Each rater's rate of ``outcome`` against the other raters', by period, and its drift.

    The outcome is whatever QA of QA compares: an auditor's calls of error on audits of the
    same pool of work (raters assigned at random, so the others' rate is the consensus), or a
    calibration rater's agreement with the expert standard or with the other raters' majority.
    For each rater and period, the rate with its Wilson interval and its difference from the
    rate of all other raters in the same period, with Newcombe's interval; the same pooled
    over the periods, with a two-proportion test whose p-values are turned into
    Benjamini-Hochberg q-values across raters. Drift is a linear trend, over the periods
    (scored 0, 1, 2, ... in sorted order), of the rater's rate *against the other raters'
    in the same periods*: each period is a 2 x 2 stratum (this rater or the others, outcome
    or not), and the statistic is Mantel's (1963) one-degree-of-freedom score test for a
    linear trend of the log odds ratio across strata, ``(Σ (x − x̄)(O − E))² /
    Σ (x − x̄)² V``, with ``O − E`` the rater's excess over the period's pooled rate, ``V``
    its hypergeometric variance and ``x̄ = Σ x V / Σ V`` (so a rater who is constantly
    stricter shows no drift; Breslow & Day 1980, chapter 4), again with q-values across
    raters. Conditioning on each period's pooled rate makes the test immune to what all
    raters share in a period (a harder pool of work that month): a trend of the rater's own
    rate (Mantel's M² over its ratings alone) called 7 % of stable raters drifting at
    nominal 5 % when the month's pool shifts (benchmarks/README.md).

    Parameters
    ----------
    data : DataFrame
        One row per rating.
    rater, period : str
        Columns of the rater and of the period (anything sortable: months, sessions).
    outcome : str
        True/False (or 1/0) column: the call or the agreement compared.
    ci : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    RaterDrift
        ``by_period``, ``raters`` and ``periods`` (see the class).

    Raises
    ------
    ValueError
        For a missing column or value, an outcome that is not True/False, or fewer than two
        raters.

    References
    ----------
    .. [1] Mantel, N. (1963). Chi-square tests with one degree of freedom; extensions of the
       Mantel-Haenszel procedure. JASA 58, 690-700.
    .. [2] Breslow, N. E. & Day, N. E. (1980). Statistical Methods in Cancer Research, Vol.
       1: The Analysis of Case-Control Studies. IARC, chapter 4 (trend in odds ratios
       across strata).
    .. [3] Newcombe, R. G. (1998). Interval estimation for the difference between independent
       proportions. Statistics in Medicine 17, 873-890.
    .. [4] Benjamini, Y. & Hochberg, Y. (1995). JRSS B 57, 289-300.

    Examples
    --------
    >>> data = pd.DataFrame({
    ...     "rater": ["a"] * 40 + ["b"] * 40,
    ...     "month": (["2026-01"] * 20 + ["2026-02"] * 20) * 2,
    ...     "error": [0] * 18 + [1] * 2 + [0] * 10 + [1] * 10 + ([0] * 18 + [1] * 2) * 2,
    ... })
    >>> result = rater_drift(data, rater="rater", period="month", outcome="error")
    >>> result.raters[["rater", "rate", "others_rate", "trend_p_value", "trend"]].round(3)
      rater  rate  others_rate  trend_p_value           trend
    0     a   0.3          0.1          0.135  no clear trend
    1     b   0.1          0.3          0.135  no clear trend
    """
    func = caller()
    check_frame(data, name="data")
    check_columns(data, [rater, period, outcome], param="data")
    check_complete(data, [rater, period, outcome])
    check_confidence(ci)
    y = outcome_indicator(data[outcome], outcome)[outcome].to_numpy()
    raters, codes = np.unique(data[rater].to_numpy(), return_inverse=True)
    if len(raters) < 2:
        raise ValueError(
            f"{func} compares each rater with the others and needs at least two raters in "
            f"column {rater!r}. Got {len(raters)}."
        )
    periods, period_codes = np.unique(data[period].to_numpy(), return_inverse=True)
    cells = pd.DataFrame({"rater": codes, "period": period_codes, "k": y, "n": 1.0})
    cells = cells.groupby(["rater", "period"], sort=True).sum().reset_index()
    period_totals = cells.groupby("period")[["k", "n"]].transform("sum")
    by_period = _compared(cells, period_totals, ci)
    by_period["rater"] = raters[cells["rater"].to_numpy()]
    by_period["period"] = periods[cells["period"].to_numpy()]
    pooled = cells.groupby("rater")[["k", "n"]].sum()
    totals = pd.DataFrame({"k": pooled["k"].sum(), "n": pooled["n"].sum()}, index=pooled.index)
    overall = _compared(pooled, totals, ci)
    k1, n1 = pooled["k"].to_numpy(), pooled["n"].to_numpy()
    k0, n0 = totals["k"].to_numpy() - k1, totals["n"].to_numpy() - n1
    with np.errstate(divide="ignore", invalid="ignore"):
        p = (k1 + k0) / (n1 + n0)
        z = (k1 / n1 - k0 / n0) / np.sqrt(p * (1 - p) * (1 / n1 + 1 / n0))
    overall["difference_q"] = q_values(2 * stats.norm.sf(np.abs(z)))
    trend = _trend(cells, period_totals).reindex(np.arange(len(raters)))
    overall["trend_statistic"] = trend["trend_statistic"].to_numpy()
    overall["trend_p_value"] = trend["trend_p_value"].to_numpy()
    overall["trend_q"] = q_values(overall["trend_p_value"])
    overall["trend"] = np.select(
        [trend["_spread"].to_numpy() == 0, overall["trend_q"] < 0.05],
        ["one period", np.where(trend["_slope"].to_numpy() > 0, "rising", "falling")],
        default="no clear trend",
    )
    overall.insert(0, "rater", raters)
    columns = ["rater", "period", *[c for c in by_period.columns if c not in ("rater", "period")]]
    return RaterDrift(
        by_period=by_period[columns].reset_index(drop=True),
        raters=overall.reset_index(drop=True),
        periods=tuple(periods.tolist()),
    )


def _compared(cells: pd.DataFrame, totals: pd.DataFrame, ci: float) -> pd.DataFrame:
    """Rate, Wilson interval and Newcombe difference from everyone else in the same group."""
    k1, n1 = cells["k"].to_numpy(float), cells["n"].to_numpy(float)
    k0, n0 = totals["k"].to_numpy(float) - k1, totals["n"].to_numpy(float) - n1
    rate, low, high = rate_with_ci(k1, n1, ci=ci)
    others, _, _ = rate_with_ci(k0, n0, ci=ci)
    difference, d_low, d_high = difference_ci(k1, n1, k0, n0, ci=ci)
    return pd.DataFrame(
        {
            "n": n1.astype("int64"),
            "rate": rate,
            "ci_low": low,
            "ci_high": high,
            "others_rate": others,
            "difference": difference,
            "difference_ci_low": d_low,
            "difference_ci_high": d_high,
        }
    )
