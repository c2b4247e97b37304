"""compare_periods over sides of several periods: the quasi-binomial test and intervals.

Sources (tests/reference/trends.md, section 1a): the dispersion is statsmodels' GLM
(Binomial, ``scale="X2"``) on the periods' counts with one rate per side; the test is the
pooled z (``proportions_ztest``) divided by the dispersion's square root against Student's t
on the GLM's residual degrees of freedom (McCullagh & Nelder 1989, section 4.5); the
intervals are statsmodels' Wilson and Newcombe intervals of the counts divided by the
dispersion at the level whose normal quantile is that t quantile. All evaluated at test time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference.trends import glm_dispersion
from scipy import stats
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

from qainsights.trends import compare_periods

#: Two sites, five weeks each: weeks 1-3 the baseline, weeks 4-5 the current side.
WEEKS = pd.DataFrame(
    {
        "site": ["a"] * 5 + ["b"] * 5,
        "week": [1, 2, 3, 4, 5] * 2,
        "errors": [12, 30, 18, 41, 25, 9, 11, 10, 14, 13],
        "audits": [400, 420, 390, 410, 400, 300, 310, 305, 295, 300],
    }
)
BASELINE, CURRENT = [1, 2, 3], [4, 5]


def compare(frame=WEEKS, **kwargs):
    arguments = {"by": "site", "period": "week", "current": CURRENT, "baseline": BASELINE}
    return compare_periods(frame, errors="errors", n="audits", **(arguments | kwargs))


def sides(site_weeks):
    side = site_weeks["week"].isin(CURRENT)
    current, baseline = site_weeks[side], site_weeks[~side]
    return (
        current["errors"].sum(), current["audits"].sum(),
        baseline["errors"].sum(), baseline["audits"].sum(),
    )  # fmt: skip


@pytest.mark.parametrize("site", ["a", "b"])
def test_dispersion_and_t_test_match_the_quasi_binomial_glm(site):
    site_weeks = WEEKS[WEEKS["site"] == site]
    scale, df = glm_dispersion(site_weeks, current=CURRENT, audits="audits")
    scale = max(scale, 1.0)  # a spread below binomial counts' is taken as 1
    row = compare().segments.set_index("site").loc[site]
    assert row["dispersion"] == pytest.approx(scale, rel=1e-10)
    assert row["dispersion_df"] == df == 3
    assert row["test"] == "t"
    e1, n1, e0, n0 = sides(site_weeks)
    z, _ = proportions_ztest([e1, e0], [n1, n0])
    expected = 2 * stats.t.sf(abs(z) / np.sqrt(scale), df)
    assert row["p_value"] == pytest.approx(expected, rel=1e-10)


def test_intervals_are_wilson_and_newcombe_of_the_counts_over_the_dispersion_at_t():
    site_weeks = WEEKS[WEEKS["site"] == "a"]
    scale, df = glm_dispersion(site_weeks, current=CURRENT, audits="audits")
    # The level whose normal quantile is t's 97.5 % quantile on df degrees of freedom.
    alpha = 2 * stats.norm.sf(stats.t.ppf(0.975, df))
    e1, n1, e0, n0 = (count / scale for count in sides(site_weeks))
    row = compare().segments.set_index("site").loc["a"]
    for part, k, n in (("current", e1, n1), ("baseline", e0, n0)):
        low, high = proportion_confint(k, n, alpha=alpha, method="wilson")
        assert row[f"ci_low_{part}"] == pytest.approx(low, rel=1e-9)
        assert row[f"ci_high_{part}"] == pytest.approx(high, rel=1e-9)
    low, high = confint_proportions_2indep(e1, n1, e0, n0, method="newcomb", alpha=alpha)
    assert row["ci_low"] == pytest.approx(low, rel=1e-9)
    assert row["ci_high"] == pytest.approx(high, rel=1e-9)


def test_the_overall_row_reads_the_spread_of_the_overall_weeks():
    result = compare()
    alone = compare(by=[]).segments
    columns = ["dispersion", "dispersion_df", "p_value", "ci_low", "ci_high"]
    pd.testing.assert_frame_equal(result.overall[columns], alone[columns])
    totals = WEEKS.groupby("week", as_index=False)[["errors", "audits"]].sum()
    scale, _ = glm_dispersion(totals, current=CURRENT, audits="audits")
    assert result.overall.loc[0, "dispersion"] == pytest.approx(scale, rel=1e-10)


def test_single_periods_and_binomial_keep_the_pooled_z_test():
    single = compare(current=5, baseline=4).segments
    assert single["test"].tolist() == ["z", "z"]  # one period a side: no spread to read
    assert single["dispersion"].tolist() == [1.0, 1.0]
    assert single["dispersion_df"].tolist() == [0.0, 0.0]
    binomial = compare(dispersion="binomial").segments
    assert "dispersion" not in binomial.columns
    e1, n1, e0, n0 = sides(WEEKS[WEEKS["site"] == "a"])
    assert binomial.loc[0, "p_value"] == pytest.approx(proportions_ztest([e1, e0], [n1, n0])[1])


def test_a_spread_below_binomial_is_taken_as_binomial():
    # Weeks of equal counts (X² = 0) and weeks that barely vary: the dispersion used is 1, so
    # the test is the pooled z statistic against t on the weeks' degrees of freedom (3).
    for errors in ([20, 20, 20, 20, 20], [20, 20, 20, 24, 24]):
        flat = WEEKS.assign(errors=errors * 2, audits=400)
        row = compare(flat).segments.iloc[0]
        assert (row["dispersion"], row["dispersion_df"], row["test"]) == (1.0, 3.0, "t")
        z, _ = proportions_ztest([sum(errors[3:]), sum(errors[:3])], [800, 1200])
        assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(z), 3), rel=1e-10)


def test_small_expected_counts_use_t_where_the_spread_is_estimated():
    # 3 errors in 160 audits against 8 in 80: an expected count below 5, so Fisher's test for
    # single periods; over weeks the quasi-binomial t test, which the interval agrees with.
    weeks = pd.DataFrame({"site": "a", "week": range(1, 13), "audits": 20,
                          "errors": [0] * 7 + [3] + [0, 0, 0, 8]})  # fmt: skip
    row = compare(weeks, current=[9, 10, 11, 12], baseline=list(range(1, 9)), min_n=0).segments
    row = row.iloc[0]
    assert row["test"] == "t"
    assert (row["p_value"] <= 0.05) == (row["ci_low"] > 0)


def test_a_side_without_errors_gives_no_degrees_of_freedom():
    # Site b's baseline weeks hold no error: only its two current weeks vary (df 1).
    kept = (WEEKS["site"] == "a") | WEEKS["week"].isin(CURRENT)
    frame = WEEKS.assign(errors=WEEKS["errors"].where(kept, 0))
    row = compare(frame, min_n=0).segments.set_index("site").loc["b"]
    assert row["dispersion_df"] == 1.0
    # 0 of 915 against 27 of 595: the smallest expected count 595 · 27 / 1510 = 10.6, so t.
    assert row["test"] == "t"


def weighted_week_rows():
    """Audit rows of two sites over five weeks whose weeks share shocks, half of the audits
    weighted 20 and erring more."""
    rng = np.random.default_rng(5)
    site = np.repeat(["a", "b"], 1000)
    week = np.tile(np.repeat([1, 2, 3, 4, 5], 200), 2)
    heavy = rng.random(2000) < 0.5
    shock = rng.normal(0, 0.4, (2, 5))[(site == "b").astype(int), week - 1]
    chance = 1 / (1 + np.exp(-(np.log(0.08 / 0.92) + shock + np.where(heavy, 0.5, -0.5))))
    return pd.DataFrame({"site": site, "week": week, "weight": np.where(heavy, 20.0, 1.0),
                         "is_error": rng.random(2000) < chance})  # fmt: skip


def test_weighted_spread_divides_by_each_sides_design_effect():
    # Derived by hand: a week's weighted rate r = Σ w y / Σ w, its Taylor variance
    # v = m / (m − 1) · Σ w² (y − r)² / (Σ w)² over its m audits, its audits n_t = Σ w rescaled
    # so that each week's weights add up to its audits; a side's design effect is
    # D = Σ n_t² v_t / (N p (1 − p)) (its weighted error count's variance over the binomial
    # one); the GLM with one rate per side and variance weights n_t / D gives the dispersion.
    rows = weighted_week_rows()
    result = compare_periods(rows, by="site", period="week", current=CURRENT, baseline=BASELINE,
                             weight="weight").segments.set_index("site")  # fmt: skip
    scale = rows.groupby("week")["weight"].transform(lambda w: len(w) / w.sum())
    for site, audits in rows.assign(scaled=rows["weight"] * scale).groupby("site"):
        weeks = []
        for week, part in audits.groupby("week"):
            w, y = part["weight"].to_numpy(), part["is_error"].to_numpy(dtype=float)
            rate, m = (w * y).sum() / w.sum(), len(w)
            variance = m / (m - 1) * (w**2 * (y - rate) ** 2).sum() / w.sum() ** 2
            weeks.append((week, rate, part["scaled"].sum(), variance))
        weekly = pd.DataFrame(weeks, columns=["week", "rate", "n", "v"])
        weekly["side"] = weekly["week"].isin(CURRENT)
        for _, side in weekly.groupby("side"):
            p = (side["n"] * side["rate"]).sum() / side["n"].sum()
            design = (side["n"] ** 2 * side["v"]).sum() / (side["n"].sum() * p * (1 - p))
            weekly.loc[side.index, "audits"] = side["n"] / design
        weekly["errors"] = weekly["rate"] * weekly["audits"]
        expected, df = glm_dispersion(weekly, current=CURRENT, audits="audits")
        row = result.loc[site]
        assert row["dispersion_df"] == df == 3
        assert row["dispersion"] == pytest.approx(max(expected, 1.0), rel=1e-9)
    assert (result["dispersion"] > 1).all()  # the weeks' shocks show


def test_within_reads_the_spread_of_the_weeks_inside_the_months():
    months = WEEKS.assign(month=np.where(WEEKS["week"].isin(CURRENT), "2026-02", "2026-01"))
    by_month = compare(months, period="month", current="2026-02", baseline="2026-01")
    assert by_month.segments["dispersion_df"].tolist() == [0.0, 0.0]
    inside = compare(months, period="month", current="2026-02", baseline="2026-01", within="week")
    columns = ["n_baseline", "dispersion", "dispersion_df", "p_value", "ci_low", "ci_high"]
    pd.testing.assert_frame_equal(inside.segments[columns], compare().segments[columns])
    pd.testing.assert_frame_equal(inside.overall[columns], compare().overall[columns])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"within": "site"},
            r"'within' parameter of compare_periods must name one column of finer",
        ),
        ({"within": "week", "period": "week"}, r"not the period, segment, .* Got 'week'"),
        ({"within": "week", "dispersion": "binomial"}, r"with dispersion='binomial' it would be"),
        ({"within": "day"}, r"compare_periods needs column 'day' in 'data'"),
        ({"within": "audits"}, r"not the period, segment, outcome, count or weight columns"),
    ],
)
def test_bad_within_is_named(kwargs, match):
    months = WEEKS.assign(month=np.where(WEEKS["week"].isin(CURRENT), "2026-02", "2026-01"))
    arguments = {"period": "month", "current": "2026-02", "baseline": "2026-01"} | kwargs
    if arguments["period"] == "week":
        arguments |= {"current": CURRENT, "baseline": BASELINE}
    with pytest.raises(ValueError, match=match):
        compare(months, **arguments)


def test_segment_columns_named_like_the_added_columns_are_refused():
    frame = WEEKS.rename(columns={"site": "dispersion"})
    with pytest.raises(ValueError, match=r"must not be named 'dispersion': with dispersion="):
        compare(frame, by="dispersion")
    assert len(compare(frame, by="dispersion", dispersion="binomial").segments) == 2


def test_unknown_dispersion_is_named():
    message = r"'dispersion' parameter of compare_periods must be one of 'periods', 'moderated', 'binomial'"
    with pytest.raises(ValueError, match=message + r"\. Got 'weeks'"):
        compare(dispersion="weeks")
