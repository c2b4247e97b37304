"""Tests of detect_changepoints and trend_test.

Sources (tests/reference/trends.md, section 4): Agresti (2002), Categorical Data Analysis, 2nd
ed., section 3.4.6 (alcohol consumption and malformation, M² = 6.57) and statsmodels
Table.test_ordinal_association at test time for the trend test; brute-force enumeration of
every segmentation for the changepoint optimum; the simulator's answer key.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.contingency_tables import Table

from qainsights.trends import detect_changepoints, trend_test

MALFORMED = [48, 38, 5, 1, 1]
NOT_MALFORMED = [17066, 14464, 788, 126, 37]
ALCOHOL_SCORES = [0.0, 0.5, 1.5, 4.0, 7.0]


def alcohol():
    return pd.DataFrame(
        {
            "drinks": ALCOHOL_SCORES,
            "errors": MALFORMED,
            "n": np.add(MALFORMED, NOT_MALFORMED),
        }
    )


def test_cochran_armitage_reproduces_agresti():
    result = trend_test(
        alcohol(),
        period="drinks",
        errors="errors",
        n="n",
        scores=dict(zip(ALCOHOL_SCORES, ALCOHOL_SCORES, strict=True)),
    )
    z = result.loc[0, "z"]
    total = sum(MALFORMED) + sum(NOT_MALFORMED)
    # Agresti (2002, section 3.4.6): M² = (n − 1) r² = 6.57, P = 0.01. The Cochran-Armitage
    # statistic uses n instead of n − 1: z² = M² · n / (n − 1).
    assert round(z**2 * (total - 1) / total, 2) == 6.57
    oracle = Table(np.array([NOT_MALFORMED, MALFORMED]).T).test_ordinal_association(
        row_scores=np.array(ALCOHOL_SCORES), col_scores=np.array([0.0, 1.0])
    )
    assert z * np.sqrt((total - 1) / total) == pytest.approx(oracle.zscore, rel=1e-10)
    assert result.loc[0, "p_value"] == pytest.approx(2 * (1 - _phi(abs(z))), rel=1e-9)


def _phi(x):
    from scipy.stats import norm

    return norm.cdf(x)


def test_slope_is_weighted_least_squares_and_dispersion_is_pearson():
    data = pd.DataFrame(
        {"month": range(6), "errors": [10, 14, 13, 19, 22, 20], "n": [200, 210, 190, 205, 220, 180]}
    )
    result = trend_test(data, period="month", errors="errors", n="n")
    rate = data["errors"] / data["n"]
    slope, intercept = np.polyfit(data["month"], rate, 1, w=np.sqrt(data["n"]))
    assert result.loc[0, "slope"] == pytest.approx(slope, rel=1e-10)
    fitted = intercept + slope * data["month"]
    pearson = (
        (data["errors"] - data["n"] * fitted) ** 2 / (data["n"] * fitted * (1 - fitted))
    ).sum()
    assert result.loc[0, "dispersion"] == pytest.approx(pearson / (6 - 2), rel=1e-10)


def test_quasi_p_value_uses_t_on_periods_minus_two_degrees_of_freedom():
    # Derivation (McCullagh & Nelder 1989, section 4.5: an estimated dispersion means a t
    # reference): z / sqrt(max(phi, 1)) against t with 6 - 2 = 4 degrees of freedom.
    from scipy.stats import t

    data = pd.DataFrame(
        {"month": range(6), "errors": [10, 24, 13, 29, 22, 30], "n": [200, 210, 190, 205, 220, 180]}
    )
    row = trend_test(data, period="month", errors="errors", n="n").iloc[0]
    assert row["dispersion"] > 1
    expected = 2 * t.sf(abs(row["z"]) / np.sqrt(row["dispersion"]), 4)
    assert row["p_value_quasi"] == pytest.approx(expected, rel=1e-10)


def test_trend_test_per_series_matches_one_call_per_series():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"site": np.repeat(["a", "b", "c"], 8), "week": np.tile(range(8), 3)})
    frame["n"] = rng.integers(100, 300, len(frame))
    frame["errors"] = rng.binomial(frame["n"], 0.05 + 0.004 * frame["week"])
    copy = frame.copy()
    together = trend_test(frame, period="week", by="site", errors="errors", n="n")
    pd.testing.assert_frame_equal(frame, copy)
    for i, site in enumerate(["a", "b", "c"]):
        alone = trend_test(frame[frame["site"] == site], period="week", errors="errors", n="n")
        for column in ["z", "p_value", "slope", "dispersion", "residual_autocorrelation"]:
            assert together.loc[i, column] == pytest.approx(alone.loc[0, column], rel=1e-10)


def test_trend_test_warns_on_too_few_periods():
    data = pd.DataFrame(
        {
            "site": ["a", "a", "b", "b", "b"],
            "month": [1, 2, 1, 2, 3],
            "errors": [1, 2, 3, 4, 5],
            "n": [50] * 5,
        }
    )
    with pytest.warns(UserWarning, match=r"trend_test cannot test 1 series \(\['a'\]\)"):
        result = trend_test(data, period="month", by="site", errors="errors", n="n")
    assert np.isnan(result.loc[0, "z"])
    assert np.isfinite(result.loc[1, "z"])


def brute_force(errors, n, penalty, min_size):
    """Best segmentation by enumerating every set of cuts (the oracle)."""
    periods = len(errors)
    best, best_cuts = np.inf, None
    for k in range(periods):
        for cuts in itertools.combinations(range(1, periods), k):
            bounds = [0, *cuts, periods]
            if min(np.diff(bounds)) < min_size:
                continue
            cost = penalty * k
            for a, b in itertools.pairwise(bounds):
                e, m = sum(errors[a:b]), sum(n[a:b])
                p = e / m
                cost -= (e * np.log(p) if e else 0) + ((m - e) * np.log1p(-p) if m > e else 0)
            if cost < best - 1e-9:
                best, best_cuts = cost, cuts
    return list(best_cuts)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("min_size", [1, 2])
def test_segmentation_is_the_exact_optimum(seed, min_size):
    rng = np.random.default_rng(seed)
    n = rng.integers(50, 150, 8)
    p = np.where(np.arange(8) < rng.integers(2, 7), 0.05, 0.12)
    errors = rng.binomial(n, p)
    frame = pd.DataFrame({"week": range(8), "errors": errors, "n": n})
    options = {"period": "week", "errors": "errors", "n": "n", "min_size": min_size}
    found = detect_changepoints(frame, penalty=2.0, dispersion="binomial", **options)
    assert found.changepoints["week"].tolist() == brute_force(errors, n, 2.0, min_size)
    bic = detect_changepoints(frame, dispersion="binomial", **options)
    assert bic.changepoints["week"].tolist() == brute_force(errors, n, np.log(n.sum()), min_size)
    # the default's quasi-likelihood: the binomial cost with the penalty times the dispersion,
    # first from successive differences, then at least the Pearson dispersion around the
    # stretches that penalty finds
    first = max(_difference_dispersion(errors, n), 1.0)
    cuts = brute_force(errors, n, first * np.log(n.sum()), min_size)
    phi = max(first, _pearson_dispersion(errors, n, cuts))
    quasi = detect_changepoints(frame, **options)
    expected = brute_force(errors, n, phi * np.log(n.sum()), min_size)
    assert quasi.changepoints["week"].tolist() == expected
    assert quasi.segments["dispersion"].tolist() == pytest.approx([phi] * len(quasi.segments))


def _difference_dispersion(errors, n):
    """Mean over adjacent weeks of (r_t - r_{t-1})² / (p (1 - p) (1/n_t + 1/n_{t-1})), one
    pair at a time (the definition in the docstring of detect_changepoints)."""
    p = sum(errors) / sum(n)
    terms = [
        (errors[t] / n[t] - errors[t - 1] / n[t - 1]) ** 2
        / (p * (1 - p) * (1 / n[t] + 1 / n[t - 1]))
        for t in range(1, len(n))
    ]
    return sum(terms) / len(terms)


def _pearson_dispersion(errors, n, cuts):
    """Pearson chi-square of the weeks around their stretch's rate, over weeks - stretches."""
    bounds = [0, *cuts, len(n)]
    chi2 = 0.0
    for a, b in itertools.pairwise(bounds):
        r = sum(errors[a:b]) / sum(n[a:b])
        chi2 += sum((errors[t] - n[t] * r) ** 2 / (n[t] * r * (1 - r)) for t in range(a, b))
    return chi2 / (len(n) - (len(bounds) - 1))


def test_over_dispersed_weeks_widen_the_stretches_intervals_and_the_cut_price():
    # Weeks alternating 2 % and 8 % at 1,000 audits a week: r_t - r_{t-1} = ±0.06 each week,
    # p = 0.05, so d² = 0.0036 / (0.0475 · 0.002) = 37.9 for every pair: φ = 37.9. Each week
    # alone gains 1,000 · KL about 10.1 over the pooled rate (KL(0.02 || 0.05) = 0.0121,
    # KL(0.08 || 0.05) = 0.0081), more than a cut's price log(10,000) = 9.2, so the binomial
    # likelihood cuts this stable alternation; at 37.9 times the price the quasi-likelihood
    # does not, and its one stretch's interval is Wilson's on 500 / φ errors of 10,000 / φ.
    from statsmodels.stats.proportion import proportion_confint

    frame = pd.DataFrame({"week": range(10), "errors": [20, 80] * 5, "n": [1000] * 10})
    binomial = detect_changepoints(frame, period="week", errors="errors", n="n",
                                   dispersion="binomial", min_size=1)  # fmt: skip
    assert len(binomial.changepoints) > 0
    found = detect_changepoints(frame, period="week", errors="errors", n="n", min_size=1)
    phi = 0.06**2 / (0.05 * 0.95 * 0.002)
    assert found.changepoints.empty
    stretch = found.segments.iloc[0]
    assert stretch["dispersion"] == pytest.approx(phi, rel=1e-12)
    assert stretch["rate"] == pytest.approx(0.05)
    low, high = proportion_confint(500 / phi, 10_000 / phi, method="wilson")
    assert (stretch["ci_low"], stretch["ci_high"]) == pytest.approx((low, high), rel=1e-10)


def test_a_series_without_informative_pairs_takes_dispersion_one():
    # no errors at all: every pair's binomial spread is 0, so nothing estimates φ
    frame = pd.DataFrame({"week": range(6), "errors": [0] * 6, "n": [50] * 6})
    found = detect_changepoints(frame, period="week", errors="errors", n="n")
    assert found.segments["dispersion"].tolist() == [1.0]


def test_before_after_rates_and_intervals():
    frame = pd.DataFrame({"week": range(8), "errors": [5, 4, 6, 5, 15, 14, 16, 15], "n": [100] * 8})
    found = detect_changepoints(frame, period="week", errors="errors", n="n")
    row = found.changepoints.iloc[0]
    assert row["week"] == 4
    assert row["rate_before"] == pytest.approx(20 / 400)
    assert row["rate_after"] == pytest.approx(60 / 400)
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(20, 400, method="wilson")
    assert (row["ci_low_before"], row["ci_high_before"]) == pytest.approx((low, high), rel=1e-10)
    assert found.segments["periods"].tolist() == [4, 4]
    ax = found.plot()
    assert len(ax.lines) == 1
    assert len(ax.collections) == 1


def test_constant_rate_has_no_changepoint():
    frame = pd.DataFrame({"week": range(10), "errors": [5] * 10, "n": [100] * 10})
    found = detect_changepoints(frame, period="week", errors="errors", n="n")
    assert found.changepoints.empty
    assert found.segments["periods"].tolist() == [10]


def test_finds_the_planted_degradation_week(simulated):
    audits = simulated.audits
    key = simulated.answer_key.set_index("effect").loc["site_queue_degradation"]
    series = audits[(audits["site"] == key["site"]) & (audits["queue"] == key["queue"])]
    found = detect_changepoints(series, period="week")
    # Tolerance: within two weeks of the planted start.
    gap = abs(found.changepoints["week"] - pd.Timestamp(key["start"])).min()
    assert gap <= pd.Timedelta(weeks=2)
    assert found.changepoints["difference"].iloc[-1] > 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"penalty": "aic"},
            r"The 'penalty' parameter of detect_changepoints must be 'bic' or a number >= 0\. Got 'aic'",
        ),
        (
            {"min_size": 0},
            r"The 'min_size' parameter of detect_changepoints must be an integer >= 1\. Got 0",
        ),
        ({"ci": 2}, r"The 'ci' parameter of detect_changepoints"),
        (
            {"dispersion": "quasi"},
            r"The 'dispersion' parameter of detect_changepoints must be one of 'estimated', "
            r"'binomial'\. Got 'quasi'",
        ),
        ({"by": "region"}, r"detect_changepoints needs column 'region'"),
    ],
)
def test_bad_arguments(kwargs, match):
    frame = pd.DataFrame({"week": range(4), "errors": [1, 2, 3, 4], "n": [10] * 4})
    with pytest.raises(ValueError, match=match):
        detect_changepoints(frame, period="week", errors="errors", n="n", **kwargs)


def test_trend_test_bad_columns():
    with pytest.raises(ValueError, match=r"trend_test needs column 'month' in 'data'"):
        trend_test(alcohol(), period="month", errors="errors", n="n")
    with pytest.raises(ValueError, match=r"trend_test needs 0 <= errors <= n in every row"):
        trend_test(alcohol().assign(errors=-1), period="drinks", errors="errors", n="n")


def test_trend_test_bad_scores():
    with pytest.raises(
        ValueError,
        match=r"The 'scores' parameter of trend_test must give a number for every period",
    ):
        trend_test(alcohol(), period="drinks", errors="errors", n="n", scores={0.0: 0})


def test_many_series_at_once_match_one_call_each():
    rng = np.random.default_rng(11)
    frame = pd.DataFrame({"site": np.repeat(["a", "b", "c"], 10), "week": np.tile(range(10), 3)})
    frame["n"] = rng.integers(80, 200, len(frame))
    shift = np.where((frame["site"] == "b") & (frame["week"] >= 6), 0.15, 0.05)
    frame["errors"] = rng.binomial(frame["n"], shift)
    copy = frame.copy()
    together = detect_changepoints(frame, period="week", by="site", errors="errors", n="n")
    pd.testing.assert_frame_equal(frame, copy)
    for site in ["a", "b", "c"]:
        alone = detect_changepoints(
            frame[frame["site"] == site], period="week", errors="errors", n="n"
        )
        mine = together.changepoints[together.changepoints["site"] == site]
        assert mine["week"].tolist() == alone.changepoints["week"].tolist()
    assert together.changepoints["site"].tolist() == ["b"]
    ax = together.plot()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "c"]


def test_trend_test_q_values_control_the_false_discovery_rate_across_series():
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "series": np.repeat(list("abcdef"), 8),
            "week": np.tile(np.arange(8), 6),
            "n": 400,
        }
    )
    trend = np.where(frame["series"].isin(["a", "b"]), 0.004 * frame["week"], 0.0)
    frame["errors"] = rng.binomial(400, 0.05 + trend)
    result = trend_test(frame, period="week", by="series", errors="errors", n="n")
    expected = multipletests(result["p_value_quasi"], method="fdr_bh")[1]
    np.testing.assert_allclose(result["q_value"], expected)
    assert (result["p_value_quasi"] >= result["p_value"] - 1e-15).all()
