"""rater_drift: the trend of each rater's excess over the other raters, and comparisons by hand.

The trend statistic is Mantel's (1963) score test for a linear trend of the log odds ratio
across strata (Breslow & Day 1980, chapter 4): with each period a 2 x 2 stratum (this rater
or the others), ``(sum (x - xbar)(O - E))^2 / sum (x - xbar)^2 V``, ``E = n K / N``, ``V`` the
hypergeometric variance ``n (N - n) K (N - K) / (N^2 (N - 1))`` and ``xbar = sum x V / sum V``.
The values below are derived by hand from that formula.
"""

import numpy as np
import pandas as pd
import pytest

from qainsights.agreement import rater_drift


def test_trend_ignores_what_all_raters_share_in_a_period():
    # Every rater's rate rises from 2/20 to 10/20: the pool of work got harder, nobody drifted
    # against the others (O - E = 0 in every period), so every trend statistic is 0.
    shared = pd.DataFrame({
        "rater": np.repeat(["a", "b", "c"], 40),
        "month": np.tile(np.repeat([1, 2], 20), 3),
        "error": np.tile([0] * 18 + [1] * 2 + [0] * 10 + [1] * 10, 3)})  # fmt: skip
    raters = rater_drift(shared, rater="rater", period="month", outcome="error").raters
    assert raters["trend_statistic"].tolist() == pytest.approx([0.0, 0.0, 0.0], abs=1e-12)
    assert raters["trend"].tolist() == ["no clear trend"] * 3


def _two_raters() -> pd.DataFrame:
    # a: 2/20 then 10/20; b: 2/20 in both months.
    return pd.DataFrame(
        {
            "rater": ["a"] * 40 + ["b"] * 40,
            "month": (["2026-01"] * 20 + ["2026-02"] * 20) * 2,
            "error": [0] * 18 + [1] * 2 + [0] * 10 + [1] * 10 + ([0] * 18 + [1] * 2) * 2,
        }
    )


def test_rates_and_differences_against_the_other_raters_by_hand():
    result = rater_drift(_two_raters(), rater="rater", period="month", outcome="error")
    by_period = result.by_period.set_index(["rater", "period"])
    # February: a 10/20 = 0.5 against b 2/20 = 0.1, difference 0.4.
    assert by_period.loc[("a", "2026-02"), "rate"] == pytest.approx(0.5)
    assert by_period.loc[("a", "2026-02"), "others_rate"] == pytest.approx(0.1)
    assert by_period.loc[("a", "2026-02"), "difference"] == pytest.approx(0.4)
    raters = result.raters.set_index("rater")
    # Pooled: a 12/40 = 0.3, b 4/40 = 0.1.
    assert raters.loc["a", "rate"] == pytest.approx(0.3)
    assert raters.loc["b", "others_rate"] == pytest.approx(0.3)
    # a's trend against b: January K = 4 of N = 40, O - E = 2 - 20·4/40 = 0,
    # V = 20·20·4·36/(40²·39) = 12/13; February K = 12, O - E = 10 - 6 = 4,
    # V = 20·20·12·28/(40²·39) = 28/13. Scores 0, 1: xbar = (28/13)/(40/13) = 0.7,
    # U = 4 - 0.7·4 = 1.2, var = 28/13 - (28/13)²/(40/13) = 8.4/13: statistic 1.44·13/8.4.
    # b is a's mirror image (O - E = 0 and -4): the same statistic, falling.
    assert raters.loc["a", "trend_statistic"] == pytest.approx(1.44 * 13 / 8.4)
    assert raters.loc["b", "trend_statistic"] == pytest.approx(1.44 * 13 / 8.4)
    assert raters.loc["a", "trend_p_value"] == pytest.approx(
        0.1354792, abs=1e-6
    )  # 1 - pchisq(2.228571, 1)
    assert raters["trend"].tolist() == ["no clear trend", "no clear trend"]
    assert result.periods == ("2026-01", "2026-02")


def test_newcombe_interval_of_the_difference():
    # a against b in February, 10/20 − 2/20: statsmodels' Newcombe interval.
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(10, 20, 2, 20, method="newcomb")
    row = rater_drift(_two_raters(), rater="rater", period="month", outcome="error").by_period
    row = row.set_index(["rater", "period"]).loc[("a", "2026-02")]
    assert (row["difference_ci_low"], row["difference_ci_high"]) == pytest.approx((low, high))


def test_one_period_has_no_trend_and_rows_order_does_not_matter():
    data = _two_raters()
    data = data[data["month"] == "2026-01"]
    result = rater_drift(data, rater="rater", period="month", outcome="error")
    assert result.raters["trend"].tolist() == ["one period", "one period"]
    shuffled = _two_raters().sample(frac=1, random_state=0)
    pd.testing.assert_frame_equal(
        rater_drift(shuffled, rater="rater", period="month", outcome="error").raters,
        rater_drift(_two_raters(), rater="rater", period="month", outcome="error").raters,
    )


def test_input_is_unchanged():
    data = _two_raters()
    before = data.copy()
    rater_drift(data, rater="rater", period="month", outcome="error")
    pd.testing.assert_frame_equal(data, before)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda d: d.drop(columns="month"), r"month"),
        (lambda d: d.assign(error=np.where(d.index == 0, 2, d["error"])), r"True/False"),
        (lambda d: d.assign(rater="a"), r"needs at least two raters in column 'rater'. Got 1"),
        (
            lambda d: d.assign(month=d["month"].where(d.index > 0)),
            r"missing value in column 'month'",
        ),
    ],
)
def test_bad_input(change, match):
    with pytest.raises(ValueError, match=match):
        rater_drift(change(_two_raters()), rater="rater", period="month", outcome="error")
