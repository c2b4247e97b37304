from contextlib import nullcontext

import numpy as np
import pandas as pd
import pytest
from experiments_data import row_design, small_audits
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import experiments as ref
from reference import rates
from scipy import stats
from statsmodels.discrete.discrete_model import Logit
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from qainsights.experiments import ABTestResult, ab_test


def _two_arms(k1, n1, k0, n0):
    return pd.DataFrame(
        {
            "arm": ["b"] * n1 + ["a"] * n0,
            "is_error": [True] * k1 + [False] * (n1 - k1) + [True] * k0 + [False] * (n0 - k0),
        }
    )


# Newcombe (1998), Statistics in Medicine 17, 873-890, Table II, method 10 (hybrid score
# interval without continuity correction), 95%: examples (a)-(h). statsmodels'
# confint_proportions_2indep(method="newcomb") gives the same numbers.
NEWCOMBE_TABLE_II = [(*counts, *limits) for counts, limits in ref.NEWCOMBE_TABLE_II.items()]


@pytest.mark.parametrize(("k1", "n1", "k0", "n0", "low", "high"), NEWCOMBE_TABLE_II)
def test_rate_difference_matches_newcombe_table_ii(k1, n1, k0, n0, low, high):
    data = _two_arms(k1, n1, k0, n0)
    if k1 + k0 == 0:
        with pytest.raises(ValueError, match="ab_test found no errors"):
            ab_test(data, arm="arm", treatment="b", cluster=None)
        return
    degenerate = 0 in (k1, k0) or k1 == n1
    expected = (
        pytest.warns(UserWarning, match="an arm has no errors") if degenerate else nullcontext()
    )
    with expected:
        result = ab_test(data, arm="arm", treatment="b", cluster=None)
    row = result.effects.set_index("effect").loc["rate_difference"]
    assert row["estimate"] == pytest.approx(k1 / n1 - k0 / n0)
    assert (round(row["ci_low"], 4), round(row["ci_high"], 4)) == (low, high)
    sm_low, sm_high = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((sm_low, sm_high), abs=1e-10)


def test_rate_ratio_is_the_katz_log_interval():
    # Reference: statsmodels confint_proportions_2indep(compare="ratio", method="log") and the
    # Katz et al. (1978) formula log RR ± z·sqrt(1/k1 − 1/n1 + 1/k0 − 1/n0) written out here.
    result = ab_test(_two_arms(56, 70, 48, 80), arm="arm", treatment="b", cluster=None)
    row = result.effects.set_index("effect").loc["rate_ratio"]
    sm = confint_proportions_2indep(56, 70, 48, 80, compare="ratio", method="log")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(sm, rel=1e-10)
    half = 1.959964 * np.sqrt(1 / 56 - 1 / 70 + 1 / 48 - 1 / 80)
    assert row["ci_high"] == pytest.approx((0.8 / 0.6) * np.exp(half), rel=1e-6)


def test_large_counts_use_the_pooled_z_test():
    # References: statsmodels proportions_ztest and scipy's Pearson chi-square without
    # continuity correction (the same test, z² = X²).
    result = ab_test(_two_arms(56, 70, 48, 80), arm="arm", treatment="b", cluster=None)
    _, p_z = proportions_ztest([56, 48], [70, 80])
    chi2 = stats.chi2_contingency([[56, 14], [48, 32]], correction=False)
    row = result.effects.set_index("effect").loc["rate_difference"]
    assert row["p_value"] == pytest.approx(p_z, rel=1e-10)
    assert row["p_value"] == pytest.approx(chi2.pvalue, rel=1e-10)
    assert result.test == "two-proportion z-test"


def test_small_counts_use_fishers_exact_test():
    # Fisher (1935), the lady tasting tea: 3 of 4 right against 1 of 4, two-sided p = 34/70.
    result = ab_test(_two_arms(3, 4, 1, 4), arm="arm", treatment="b", cluster=None)
    row = result.effects.set_index("effect").loc["rate_ratio"]
    assert row["p_value"] == pytest.approx(34 / 70, rel=1e-12)
    assert result.test == "Fisher's exact test"
    assert not result.assumptions.set_index("check").loc["large-sample z-test", "passed"]


def test_unadjusted_odds_ratio_is_the_cross_product_ratio():
    # Derivation: without covariates the logistic odds ratio is (56·32)/(14·48) = 2.6667 and
    # its Woolf standard error sqrt(1/56 + 1/14 + 1/48 + 1/32).
    result = ab_test(_two_arms(56, 70, 48, 80), arm="arm", treatment="b", cluster=None)
    row = result.effects.set_index("effect").loc["odds_ratio"]
    assert row["estimate"] == pytest.approx(56 * 32 / (14 * 48), rel=1e-9)
    se = np.sqrt(1 / 56 + 1 / 14 + 1 / 48 + 1 / 32)
    assert row["ci_low"] == pytest.approx(row["estimate"] * np.exp(-1.959964 * se), rel=1e-6)


def test_adjusted_clustered_odds_ratio_matches_statsmodels_on_rows():
    # Reference: statsmodels Logit on the audit rows, cov_type="cluster" by moderator.
    audits = small_audits()
    audits = audits[audits["site"].isin(["Lisbon", "Manila"])]
    result = ab_test(audits, arm="site", treatment="Lisbon", covariates=["queue", "policy"])
    rows = audits.assign(treatment=(audits["site"] == "Lisbon").astype(float))
    reference = Logit(
        rows["is_error"].astype(float), row_design(rows, ["queue", "policy"], ["treatment"])
    ).fit(disp=0, cov_type="cluster", cov_kwds={"groups": pd.factorize(rows["moderator_id"])[0]})
    row = result.effects.set_index("effect").loc["odds_ratio"]
    assert row["estimate"] == pytest.approx(np.exp(reference.params["treatment"]), rel=1e-7)
    low, high = np.exp(reference.conf_int().loc["treatment"])
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-6)
    assert row["p_value"] == pytest.approx(reference.pvalues["treatment"], rel=1e-5)
    assert result.control == "Manila"


def test_rates_per_arm_come_from_error_rate():
    # Wilson intervals of each arm: Newcombe (1998, single proportion paper, Table I) for 81/263.
    result = ab_test(_two_arms(81, 263, 15, 148), arm="arm", treatment="b", cluster=None)
    treated = result.rates.set_index("arm").loc["b"]
    wilson = rates.NEWCOMBE_TABLE_I[81, 263]["wilson"]
    assert (round(treated["ci_low"], 4), round(treated["ci_high"], 4)) == wilson
    assert list(result.rates["arm"]) == ["b", "a"]


def test_control_defaults_to_all_other_audits_and_is_named_rest():
    data = pd.concat([_two_arms(10, 50, 20, 50), _two_arms(0, 0, 5, 50).assign(arm="c")])
    result = ab_test(data, arm="arm", treatment="b", cluster=None)
    rest = result.rates.set_index("arm").loc["rest"]
    assert (rest["n"], rest["errors"]) == (100, 25)
    only_a = ab_test(data, arm="arm", treatment="b", control="a", cluster=None)
    assert only_a.rates.set_index("arm").loc["a", "n"] == 50


def test_an_arm_without_errors_gives_nan_ratio_with_a_warning():
    with pytest.warns(
        UserWarning, match=r"no errors \(or only errors\), so the rate ratio and the odds"
    ):
        result = ab_test(_two_arms(0, 400, 12, 400), arm="arm", treatment="b", cluster=None)
    assert np.isnan(result.effects.set_index("effect").loc["rate_ratio", "estimate"])
    assert np.isnan(result.effects.set_index("effect").loc["odds_ratio", "ci_high"])
    assert "The odds ratio is undefined (an arm has no errors or only errors)." in result.summary()


@settings(max_examples=50, deadline=None)
@given(
    k1=st.integers(1, 60),
    extra1=st.integers(1, 200),
    k0=st.integers(1, 60),
    extra0=st.integers(1, 200),
)
def test_swapping_arms_mirrors_the_effects(k1, extra1, k0, extra0):
    # Invariants: the difference changes sign and its interval mirrors; ratios invert; each
    # interval contains its estimate.
    data = _two_arms(k1, k1 + extra1, k0, k0 + extra0)
    forward = ab_test(data, arm="arm", treatment="b", cluster=None).effects.set_index("effect")
    backward = ab_test(data, arm="arm", treatment="a", cluster=None).effects.set_index("effect")
    diff, mirror = forward.loc["rate_difference"], backward.loc["rate_difference"]
    assert diff["estimate"] == pytest.approx(-mirror["estimate"], abs=1e-12)
    assert (diff["ci_low"], diff["ci_high"]) == pytest.approx(
        (-mirror["ci_high"], -mirror["ci_low"]), abs=1e-9
    )
    for effect in ("rate_ratio", "odds_ratio"):
        assert forward.loc[effect, "estimate"] == pytest.approx(
            1 / backward.loc[effect, "estimate"], rel=1e-7
        )
    assert (forward["ci_low"] <= forward["estimate"]).all()
    assert (forward["estimate"] <= forward["ci_high"]).all()


def test_result_summary_and_plot():
    result = ab_test(_two_arms(56, 70, 48, 80), arm="arm", treatment="b", cluster=None)
    assert isinstance(result, ABTestResult)
    text = result.summary()
    assert "The error rate of b was 80.00% against 60.00% for a" in text
    # pooled p = 104/150; se = sqrt(p(1 - p)(1/70 + 1/80)) = 0.07547; z = 0.2/0.07547 = 2.650;
    # two-sided p = 2 * Phi(-2.650) = 0.00805
    assert "two-proportion z-test, p = 0.008" in text
    ax = result.plot()
    np.testing.assert_allclose(ax.collections[-1].get_offsets()[:, 0], result.rates["rate"])


def test_input_frame_unchanged():
    data = _two_arms(56, 70, 48, 80)
    before = data.copy()
    ab_test(data, arm="arm", treatment="b", cluster=None)
    pd.testing.assert_frame_equal(data, before)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"treatment": "z"},
            ValueError,
            r"ab_test found no audits in arm 'z': column 'arm' holds 'b', 'a'",
        ),
        ({"control": "z"}, ValueError, r"ab_test found no audits in arm 'z'"),
        ({"arm": "group"}, ValueError, r"ab_test needs column 'group' in 'audits'"),
        ({"cluster": "moderator_id"}, ValueError, r"needs column 'moderator_id'"),
        ({"covariates": "arm"}, ValueError, r"names 'arm', which the design already uses"),
        ({"ci": 1.5}, ValueError, r"The 'ci' parameter of ab_test must be a confidence level"),
    ],
)
def test_bad_input_messages(kwargs, error, message):
    options = {"arm": "arm", "treatment": "b", "cluster": None} | kwargs
    with pytest.raises(error, match=message):
        ab_test(_two_arms(5, 20, 3, 20), **options)


def test_all_zero_errors_and_bad_outcomes_are_clear_errors():
    with pytest.raises(ValueError, match=r"ab_test found no errors in the audits \(40 audits\)"):
        ab_test(_two_arms(0, 20, 0, 20), arm="arm", treatment="b", cluster=None)
    with pytest.raises(ValueError, match=r"found only errors"):
        ab_test(_two_arms(20, 20, 20, 20), arm="arm", treatment="b", cluster=None)
    bad = _two_arms(5, 20, 3, 20).assign(is_error="yes")
    with pytest.raises(ValueError, match=r"The outcome column 'is_error' of ab_test must hold"):
        ab_test(bad, arm="arm", treatment="b", cluster=None)


def test_clustered_difference_and_ratio_use_each_arms_design_effect():
    # Reference: statsmodels OLS of the 0/1 outcome on a constant, per arm, with
    # cov_type="cluster" by moderator (factor G/(G - 1) for one coefficient): its variance
    # over p(1 - p)/n is the design effect; Newcombe's interval, the Katz ratio and the
    # pooled z test on the effective counts n/deff, p n/deff (Kish 1965) come from
    # statsmodels' confint_proportions_2indep and proportions_ztest.
    from statsmodels.regression.linear_model import OLS

    audits = small_audits()
    audits = audits[audits["site"].isin(["Lisbon", "Manila"])]
    result = ab_test(audits, arm="site", treatment="Lisbon", control="Manila")
    effective = {}
    for site in ("Lisbon", "Manila"):
        part = audits[audits["site"] == site]
        y = part["is_error"].to_numpy(float)
        fit = OLS(y, np.ones((len(y), 1))).fit(
            cov_type="cluster", cov_kwds={"groups": pd.factorize(part["moderator_id"])[0]}
        )
        p, n = y.mean(), len(y)
        deff = max(1.0, fit.bse[0] ** 2 / (p * (1 - p) / n))
        effective[site] = (p * n / deff, n / deff, deff)
    (k1, n1, d1), (k0, n0, _) = effective["Lisbon"], effective["Manila"]
    rates = result.rates.set_index("arm")
    assert rates.loc["Lisbon", "deff"] == pytest.approx(d1, rel=1e-9)
    assert rates.loc["Manila", "n_eff"] == pytest.approx(n0, rel=1e-9)
    effects = result.effects.set_index("effect")
    low, high = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb")
    assert effects.loc["rate_difference", ["ci_low", "ci_high"]].tolist() == pytest.approx(
        [low, high], rel=1e-9
    )
    low, high = confint_proportions_2indep(k1, n1, k0, n0, compare="ratio", method="log")
    assert effects.loc["rate_ratio", ["ci_low", "ci_high"]].tolist() == pytest.approx(
        [low, high], rel=1e-9
    )
    _, p_value = proportions_ztest([k1, k0], [n1, n0])
    assert effects.loc["rate_difference", "p_value"] == pytest.approx(p_value, rel=1e-9)


def test_one_cluster_in_an_arm_is_a_clear_error():
    audits = pd.DataFrame(
        {"arm": ["a"] * 4 + ["b"] * 4, "is_error": [1, 0, 0, 0, 1, 1, 0, 0],
         "moderator_id": ["m1"] * 4 + ["m2", "m3", "m2", "m3"]}
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"at least 2 values of the cluster column"):
        ab_test(audits, arm="arm", treatment="a")
