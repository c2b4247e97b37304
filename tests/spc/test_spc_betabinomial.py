"""Small-cell tests of the segment scan: exact tails, over-dispersion, limits and the null."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import betabinom, binom
from scipy.stats import t as student_t

from qainsights._multiple import q_values
from qainsights.spc import control_charts, p_chart
from qainsights.spc.betabinomial import (
    beta_binomial_limits,
    intraclass_correlation,
    laney_applies,
    predictive_p_value,
)
from qainsights.spc.segments import bh_rejected, latest_p_values


def test_williams_rho_by_hand():
    # x = 0, 4, 1, 5, 0, 6 of n = 20: p = 16/120, X2 = 35.333 / (20 p (1 - p)) = 15.288 on
    # k - 1 = 5; B = 6 (5/6)^2 19 + 6 (1/6)/120 (2280 - 380) = 79.167 + 15.833 = 95.
    x = np.array([0, 4, 1, 5, 0, 6])
    n = np.full(6, 20.0)
    p = 16 / 120
    chi2 = ((x - 20 * p) ** 2).sum() / (20 * p * (1 - p))
    expected = (chi2 - 5) / 95.0
    rho = intraclass_correlation(x, n, np.zeros(6, dtype=int), 1)
    assert rho == pytest.approx([expected], rel=1e-12)


def test_williams_rho_recovers_the_beta_binomial_rho():
    # The moment equation E[X2] = (k - 1) + rho B is exact for known p: draws from scipy's
    # beta-binomial with rho = 1 / (a + b + 1) = 0.05 return about 0.05.
    rng = np.random.default_rng(3)
    rho, p = 0.05, 0.1
    total = (1 - rho) / rho
    n = rng.integers(5, 60, size=20 * 300).astype(float)
    x = betabinom.rvs(n.astype(int), p * total, (1 - p) * total, random_state=rng)
    estimate = intraclass_correlation(x, n, np.repeat(np.arange(300), 20), 300)
    assert estimate.mean() == pytest.approx(rho, abs=0.01)
    binomial = binom.rvs(n.astype(int), p, random_state=rng)
    assert intraclass_correlation(binomial, n, np.repeat(np.arange(300), 20), 300).mean() < 0.01


def test_williams_rho_is_zero_where_not_identified():
    # One unit per subgroup (B = 0), or no errors at all (p = 0).
    group = np.zeros(4, dtype=int)
    assert intraclass_correlation(np.array([0, 1, 1, 0]), np.ones(4), group, 1).tolist() == [0]
    assert intraclass_correlation(np.zeros(4), np.full(4, 9.0), group, 1).tolist() == [0]


def test_limits_are_scipy_quantiles():
    rng = np.random.default_rng(8)
    n = rng.integers(1, 40, 50).astype(float)
    rate = rng.uniform(0.01, 0.3, 50)
    rho = np.where(np.arange(50) % 2 == 0, 0.0, rng.uniform(0.01, 0.2, 50))
    lower, upper = beta_binomial_limits(n, rate, rho, 0.00135)
    total = (1 - rho) / np.where(rho > 0, rho, 1)
    a, b = rate * total, (1 - rate) * total
    expect_low = np.where(rho > 0, betabinom.ppf(0.00135, n, a, b), binom.ppf(0.00135, n, rate))
    expect_high = np.where(
        rho > 0, betabinom.ppf(1 - 0.00135, n, a, b), binom.ppf(1 - 0.00135, n, rate)
    )
    assert lower.tolist() == expect_low.tolist()
    assert upper.tolist() == expect_high.tolist()


def test_predictive_p_value_matches_scipy():
    # rho = 0: Jeffreys' predictive BetaBinomial(n, X + 1/2, N - X + 1/2).
    # rho > 0: mean (X + 1/2) / (N + 1), rho_eff = rho + (1 - rho) / (N_e + 2) with
    # N_e = N^2 / (N + rho S); two-sided p = min(1, 2 min(P(>= x), P(<= x))).
    x, n = np.array([1.0, 2.0, 0.0, 9.0]), np.array([2.0, 2.0, 7.0, 30.0])
    hx, hn = np.array([3.0, 3.0, 10.0, 40.0]), np.array([100.0, 100.0, 90.0, 800.0])
    hs = np.array([100.0, 100.0, 450.0, 30_000.0])
    rho = np.array([0.0, 0.0, 0.0, 0.02])
    got = predictive_p_value(x, n, hx, hn, hs, rho)
    expected = []
    for xi, ni, X, N, S, r in zip(x, n, hx, hn, hs, rho, strict=True):
        mean = (X + 0.5) / (N + 1)
        r_eff = r + (1 - r) / (N**2 / (N + r * S) + 2)
        total = (1 - r_eff) / r_eff
        dist = betabinom(int(ni), mean * total, (1 - mean) * total)
        expected.append(min(1.0, 2 * min(dist.sf(xi - 1), dist.cdf(xi))))
    assert got == pytest.approx(expected, rel=1e-9)
    jeffreys = betabinom(2, 3.5, 97.5)
    assert got[0] == pytest.approx(2 * jeffreys.sf(0), rel=1e-12)


def test_predictive_p_value_is_valid_on_small_binomial_cells():
    # Null: 26 weeks of 2-6 audits at 4 %; the latest week is tested against the other 25.
    # A valid test rejects at 5 % in at most 5 % of draws (plus Monte Carlo error).
    rng = np.random.default_rng(12)
    draws = 20_000
    n = rng.integers(2, 7, size=(draws, 26)).astype(float)
    x = rng.binomial(n.astype(int), 0.04).astype(float)
    history_n = n[:, :-1].sum(axis=1)
    p = predictive_p_value(
        x[:, -1],
        n[:, -1],
        x[:, :-1].sum(axis=1),
        history_n,
        (n[:, :-1] * (n[:, :-1] - 1)).sum(axis=1),
        np.zeros(draws),
    )
    assert np.mean(p < 0.05) <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / draws)


def test_laney_rule():
    # median n times min(p, 1 - p) at least 5: 100 x 0.05 = 5 passes, 99 x 0.05 does not.
    n = np.array([100.0, 100.0, 100.0, 99.0, 99.0, 500.0])
    group = np.array([0, 0, 0, 1, 1, 1])
    got = laney_applies(n, np.array([0.05, 0.05]), group, np.ones(6, bool), 2)
    assert got.tolist() == [True, False]


@pytest.fixture
def small_cells():
    """Four segments x 26 weeks of 2-5 audits at 5 %; segment 0 ends with 1 error in 2 audits."""
    rng = np.random.default_rng(4)
    data = pd.DataFrame({"segment": np.repeat(np.arange(4), 26), "week": np.tile(np.arange(26), 4)})
    data["n"] = rng.integers(2, 6, len(data))
    data["errors"] = rng.binomial(data["n"], 0.05)
    last = (data["segment"] == 0) & (data["week"] == 25)
    data.loc[last, ["n", "errors"]] = [2, 1]
    return data


def test_one_error_in_two_audits_is_not_out_of_control(small_cells):
    charts = control_charts(
        small_cells, by="segment", chart="laney_p", subgroup="week", defects="errors", n="n"
    )
    row = charts.segments.set_index("segment").loc[0]
    assert row["status"] != "out of control"
    assert row["p_value"] > 0.05
    limits = charts.table[charts.table["segment"] == 0]
    assert limits["ucl"].iloc[-1] >= 0.5


def test_small_laney_stage_uses_beta_binomial_limits(small_cells):
    rows = small_cells[small_cells["segment"] == 1]
    chart = p_chart(rows, defects="errors", n="n", subgroup="week", laney=True)
    stage = chart.limits.iloc[0]
    assert stage["limits"] == "beta-binomial"
    rate, rho = stage["center"], stage["rho"]
    expected_rho = intraclass_correlation(
        rows["errors"].to_numpy(), rows["n"].to_numpy(float), np.zeros(26, int), 1
    )[0]
    assert rho == pytest.approx(expected_rho)
    n = rows["n"].to_numpy()
    if rho > 0:
        total = (1 - rho) / rho
        upper = betabinom.ppf(1 - 0.00135, n, rate * total, (1 - rate) * total)
    else:
        upper = binom.ppf(1 - 0.00135, n, rate)
    assert chart.table["ucl"].to_numpy() == pytest.approx(np.minimum(upper / n, 1.0))


def test_large_laney_stage_keeps_laney_limits():
    n = np.full(20, 1000)
    x = np.random.default_rng(2).binomial(n, 0.05)
    chart = p_chart(defects=x, n=n, laney=True)
    assert chart.limits["limits"].tolist() == ["laney"]
    sigma = np.sqrt(x.sum() / n.sum() * (1 - x.sum() / n.sum()) / 1000)
    sigma_z = chart.limits["sigma_z"].iloc[0]
    assert chart.table["ucl"].iloc[0] == pytest.approx(x.sum() / n.sum() + 3 * sigma * sigma_z)


def test_latest_p_values_use_the_history_of_the_stage(small_cells):
    charts = control_charts(
        small_cells, by="segment", chart="p", subgroup="week", defects="errors", n="n"
    )
    p = latest_p_values(charts.table, ["segment"], "p")
    rows = small_cells[small_cells["segment"] == 2]
    history, latest = rows.iloc[:-1], rows.iloc[-1]
    dist = betabinom(
        int(latest["n"]),
        history["errors"].sum() + 0.5,
        history["n"].sum() - history["errors"].sum() + 0.5,
    )
    expected = min(1.0, 2 * min(dist.sf(latest["errors"] - 1), dist.cdf(latest["errors"])))
    assert p[2] == pytest.approx(expected, rel=1e-9)


def test_bh_rejected_matches_q_values_per_group():
    rng = np.random.default_rng(1)
    p = rng.uniform(0, 0.2, 300) ** 2
    p[::17] = np.nan
    group = np.repeat(np.arange(30), 10)
    got = bh_rejected(p, group, alpha=0.05)
    expected = np.concatenate(
        [q_values(p[group == g]) < 0.05 for g in range(30)]  # statsmodels per group
    )
    assert got.tolist() == expected.tolist()


def test_null_false_alarm_rate_is_measured(small_cells):
    charts = control_charts(
        small_cells, by="segment", chart="laney_p", subgroup="week", defects="errors", n="n"
    )
    assert 0.0 <= charts.false_alarm_rate <= 0.05
    assert charts.expected_false_alarms > 0


@pytest.mark.filterwarnings("ignore:control_charts. no control limits:UserWarning")
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), shuffle=st.integers(0, 10_000))
def test_flags_unchanged_when_rows_are_reordered(seed, shuffle):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"segment": np.repeat(np.arange(3), 12), "week": np.tile(np.arange(12), 3)})
    data["n"] = rng.integers(1, 8, len(data))
    data["errors"] = rng.binomial(data["n"], 0.1)
    kwargs = {"by": "segment", "chart": "laney_p", "subgroup": "week", "defects": "errors"}
    first = control_charts(data, n="n", **kwargs)
    second = control_charts(data.sample(frac=1, random_state=shuffle), n="n", **kwargs)
    pd.testing.assert_frame_equal(first.segments, second.segments)
    assert first.false_alarm_rate == second.false_alarm_rate


def test_estimated_over_dispersion_takes_at_least_the_t_tail():
    # Large cell, rho estimated from 25 subgroups: p = max(exact tail, 2 t_24.sf(|z|)), with
    # z the count's distance from the predictive mean in predictive standard deviations.
    x, n, hx, hn, hs, rho = 130.0, 2000.0, 2000.0, 50_000.0, 25 * 2000 * 1999.0, 0.0005
    got = predictive_p_value(*(np.array([v]) for v in (x, n, hx, hn, hs, rho)), df=np.array([24.0]))
    mean = (hx + 0.5) / (hn + 1)
    r_eff = rho + (1 - rho) / (hn**2 / (hn + rho * hs) + 2)
    total = (1 - r_eff) / r_eff
    dist = betabinom(int(n), mean * total, (1 - mean) * total)
    exact = min(1.0, 2 * min(dist.sf(x - 1), dist.cdf(x)))
    z = (x - n * mean) / np.sqrt(n * mean * (1 - mean) * (1 + (n - 1) * r_eff))
    assert got[0] == pytest.approx(max(exact, 2 * student_t.sf(abs(z), 24)), rel=1e-9)
    assert 2 * student_t.sf(abs(z), 24) > exact
