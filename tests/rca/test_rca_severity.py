import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.weightstats import DescrStatsW

from qainsights import error_rate, load_sample
from qainsights.rca import SEVERITY_WEIGHTS, severity_index

#: method='normal' always warns that it is too narrow (its own test checks the warning).
NORMAL_WARNS = pytest.mark.filterwarnings("ignore:severity_index. method='normal':UserWarning")


def frame():
    return pd.DataFrame(
        {
            "site": ["a"] * 5 + ["b"] * 4,
            "is_error": [True, True, False, False, False, True, False, False, False],
            "severity": ["low", "high", None, None, None, "critical", None, None, None],
        }
    )


@NORMAL_WARNS
def test_hand_worked_index_and_statsmodels_interval():
    audits = frame()
    table = severity_index(audits, by="site", method="normal").set_index("site")
    # site a: points 1 + 4 over 5 audits = 1.0 per audit = 100 per 100; b: 8 / 4 = 200
    assert table.loc["a", "points"] == 5.0
    assert table.loc["a", "index"] == pytest.approx(100.0)
    assert table.loc["b", "index"] == pytest.approx(200.0)
    for site, scores in (("a", [1, 4, 0, 0, 0]), ("b", [8, 0, 0, 0])):
        low, high = DescrStatsW(np.array(scores, float)).zconfint_mean(alpha=0.05)
        assert table.loc[site, "ci_high"] == pytest.approx(100 * high)
        assert table.loc[site, "ci_low"] == pytest.approx(max(0.0, 100 * low))


def test_custom_weights_and_overall_row():
    table = severity_index(
        frame(), severity_weights={"low": 1, "medium": 1, "high": 1, "critical": 1}
    )
    assert table[["n", "errors", "points"]].values.tolist() == [[9, 3, 3.0]]
    assert table["index"].item() == pytest.approx(100 * 3 / 9)


def test_unknown_severity_on_an_error_is_refused_and_input_untouched():
    audits = frame()
    audits.loc[0, "severity"] = "catastrophic"
    before = audits.copy()
    with pytest.raises(
        ValueError, match=r"severity_index found 1 errors whose 'severity' is missing or not"
    ):
        severity_index(audits)
    pd.testing.assert_frame_equal(audits, before)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"severity_index needs column 'queue' in 'audits'"):
        severity_index(frame(), by="queue")
    with pytest.raises(ValueError, match=r"'ci' parameter of severity_index"):
        severity_index(frame(), ci=1.5)


def test_normal_method_always_warns_that_it_is_too_narrow():
    with pytest.warns(UserWarning, match=r"method='normal' is too narrow .* Use method='gamma'"):
        severity_index(frame(), by="site", method="normal")


@NORMAL_WARNS
def test_degenerate_segments_warn():
    audits = frame().assign(site=["a"] * 5 + ["b"] * 3 + ["c"])
    audits.loc[8, "is_error"] = False
    audits.loc[5, "is_error"] = False
    audits.loc[5, "severity"] = None
    with pytest.warns(
        UserWarning, match=r"1 segment\(s\) with one audit have no interval \(NaN\) and 1 segment"
    ):
        table = severity_index(audits, by="site", method="normal").set_index("site")
    assert np.isnan(table.loc["c", "ci_low"])
    assert table.loc["b", ["ci_low", "ci_high"]].tolist() == [0.0, 0.0]


@NORMAL_WARNS
def test_weighted_index_follows_the_linearised_variance_by_hand():
    # Stratum A: two audits of weight 1 scoring 1 (a low error) and 0; stratum B: two of
    # weight 3 scoring 4 (a high error) and 0. R = (1 + 12) / 8 = 1.625 points a decision.
    # z_i = w (s - R) / 8: A -0.078125, -0.203125; B 0.890625, -0.609375. Within each
    # stratum n/(n-1) sum (z - mean)^2: A 2 x 2 x 0.0625^2 = 0.015625, B 2 x 2 x 0.75^2 = 2.25;
    # variance 2.265625 (Woodruff 1971, with replacement within strata).
    audits = pd.DataFrame(
        {"is_error": [True, False, True, False], "severity": ["low", None, "high", None],
         "weight": [1.0, 1.0, 3.0, 3.0], "stratum": ["A", "A", "B", "B"]}
    )  # fmt: skip
    row = severity_index(audits, weight="weight", strata="stratum", method="normal").iloc[0]
    half = 1.959963984540054 * np.sqrt(2.265625)
    assert row["index"] == pytest.approx(162.5)
    assert row["ci_high"] == pytest.approx(100 * (1.625 + half))
    assert row["ci_low"] == 0  # 1.625 - 2.95 < 0, kept at 0
    assert (row["n"], row["errors"], row["points"]) == (4, 2, 5.0)


@NORMAL_WARNS
def test_weighted_index_of_one_point_an_error_is_the_weighted_error_rate():
    # Every error worth one point: the index / 100 is the design-weighted error rate, and its
    # standard error the one error_rate computes (itself checked against R's survey package).
    audits = load_sample("audits")
    audits = audits[audits["month"] == "2026-10"]
    ones = dict.fromkeys(SEVERITY_WEIGHTS, 1)
    index = severity_index(audits, by="site", weight="weight", strata="stratum",
                           severity_weights=ones, method="normal")  # fmt: skip
    rates = error_rate(audits, by="site", weight="weight", strata="stratum")
    np.testing.assert_allclose(index["index"] / 100, rates["rate"], rtol=1e-12)
    se = (index["ci_high"] - index["index"]) / 100 / 1.959963984540054
    np.testing.assert_allclose(se, rates["se"], rtol=1e-9)


def test_equal_weights_in_one_stratum_give_the_unweighted_index():
    audits = load_sample("audits")
    audits = audits[audits["month"] == "2026-10"]
    plain = severity_index(audits, by="queue")
    weighted = severity_index(audits.assign(w=2.5), by="queue", weight="w")
    pd.testing.assert_frame_equal(plain, weighted, rtol=1e-12)


def test_strata_without_weight_are_refused():
    audits = pd.DataFrame({"is_error": [True], "severity": ["low"], "stratum": ["A"]})
    with pytest.raises(ValueError, match=r"'strata' parameter of severity_index needs 'weight'"):
        severity_index(audits, strata="stratum")


def test_gamma_interval_is_garwoods_when_every_error_scores_the_same():
    # Every level worth 4 points, no weights: the index is 4 x (errors / n) x 100 and Fay &
    # Feuer's interval reduces to the exact Poisson one (Garwood 1936):
    # [chi2(0.025; 2x) / 2, chi2(0.975; 2x + 2) / 2] x 4 / n x 100.
    audits = frame()  # site a: 2 errors of 5, site b: 1 of 4
    fours = dict.fromkeys(SEVERITY_WEIGHTS, 4)
    table = severity_index(audits, by="site", severity_weights=fours).set_index("site")
    for site, x, n in (("a", 2, 5), ("b", 1, 4)):
        low = stats.chi2.ppf(0.025, 2 * x) / 2 * 4 / n * 100
        high = stats.chi2.ppf(0.975, 2 * x + 2) / 2 * 4 / n * 100
        assert table.loc[site, "index"] == pytest.approx(100 * 4 * x / n)
        assert table.loc[site, ["ci_low", "ci_high"]].tolist() == pytest.approx([low, high])


def _fay_feuer(y, v, w_max, alpha=0.05):
    """Fay & Feuer (1997), equations as printed: chi-square quantiles with scaled df."""
    low = v / (2 * y) * stats.chi2.ppf(alpha / 2, 2 * y**2 / v) if y > 0 else 0.0
    high = (
        (v + w_max**2)
        / (2 * (y + w_max))
        * stats.chi2.ppf(1 - alpha / 2, 2 * (y + w_max) ** 2 / (v + w_max**2))
    )
    return low, high


def test_gamma_interval_follows_fay_and_feuer_with_weights():
    # Four audits weighted 1, 1, 3, 3 (sum 8); a low error (1 point) at weight 1 and a high
    # one (4 points) at weight 3: contributions 1/8 and 12/8 points a decision, so
    # y = 13/8, v = (1 + 144)/64, and the largest contribution an error could make is a
    # critical (8 points) at weight 3: 24/8.
    audits = pd.DataFrame(
        {"is_error": [True, False, True, False], "severity": ["low", None, "high", None],
         "weight": [1.0, 1.0, 3.0, 3.0]}
    )  # fmt: skip
    row = severity_index(audits, weight="weight").iloc[0]
    low, high = _fay_feuer(13 / 8, 145 / 64, 24 / 8)
    assert row["index"] == pytest.approx(162.5)
    assert [row["ci_low"], row["ci_high"]] == pytest.approx([100 * low, 100 * high])


def test_gamma_interval_of_a_segment_without_errors_has_an_upper_bound():
    # No error in 4 audits: y = v = 0 and the upper bound is the 97.5 % quantile of an
    # exponential with mean 8/4 points (the largest contribution), -2 ln(0.025) per audit.
    audits = pd.DataFrame({"is_error": [False] * 4, "severity": [None] * 4})
    row = severity_index(audits).iloc[0]
    assert row["ci_low"] == 0
    assert row["ci_high"] == pytest.approx(100 * 2 * -np.log(0.025))
