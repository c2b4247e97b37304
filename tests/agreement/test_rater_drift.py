"""rater_drift: Mantel's trend test against Agresti's published example, comparisons by hand.

Agresti, A. (2002). Categorical Data Analysis, 2nd ed., section 3.4.6, Table 3.7: infant
malformation (present / absent) by mother's alcohol consumption (0, <1, 1-2, 3-5, >=6 drinks a
day): present 48, 38, 5, 1, 1; absent 17066, 14464, 788, 126, 37. With equally spaced scores
Agresti reports M² = 1.83, P = 0.18 (statsmodels' Table.test_ordinal_association gives
1.8278, P = 0.1764, checked here too). The function scores periods 0, 1, 2, ... in sorted
order, and M² does not change under a linear change of scores.
"""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.contingency_tables import Table

from qainsights.agreement import rater_drift

PRESENT = [48, 38, 5, 1, 1]
ABSENT = [17066, 14464, 788, 126, 37]


def _malformation() -> pd.DataFrame:
    level = np.repeat(np.arange(5), np.add(PRESENT, ABSENT))
    outcome = np.concatenate([[1] * p + [0] * a for p, a in zip(PRESENT, ABSENT, strict=True)])
    studied = pd.DataFrame({"rater": "x", "period": level, "outcome": outcome})
    other = pd.DataFrame({"rater": "y", "period": [0, 1] * 5, "outcome": [0, 1] * 5})
    return pd.concat([studied, other], ignore_index=True)


def test_trend_statistic_is_agrestis_m2():
    raters = rater_drift(_malformation(), rater="rater", period="period", outcome="outcome").raters
    x = raters.set_index("rater").loc["x"]
    assert x["trend_statistic"] == pytest.approx(1.83, abs=0.005)
    assert x["trend_p_value"] == pytest.approx(0.18, abs=0.005)
    table = np.array([ABSENT, PRESENT]).T
    reference = Table(table).test_ordinal_association(
        row_scores=np.arange(5.0), col_scores=np.array([0.0, 1.0])
    )
    assert x["trend_statistic"] == pytest.approx(reference.zscore**2, rel=1e-9)
    assert x["trend_p_value"] == pytest.approx(reference.pvalue, rel=1e-9)
    # y: 0/1 alternating over periods 0 and 1, so the outcome is the period: r = 1,
    # M² = (N − 1) = 9.
    assert raters.set_index("rater").loc["y", "trend_statistic"] == pytest.approx(9.0)


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
    # a's trend: Sxx = 10, Syy = 12 − 144/40 = 8.4, Sxy = 10 − 20·12/40 = 4,
    # M² = 39 · 16/84 = 7.428571; b's: Sxy = 2 − 20·4/40 = 0, M² = 0.
    assert raters.loc["a", "trend_statistic"] == pytest.approx(39 * 16 / 84)
    assert raters.loc["b", "trend_statistic"] == pytest.approx(0.0)
    assert raters["trend"].tolist() == ["rising", "no clear trend"]
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
