"""agreement_summary, benchmark bands and the one-way ICC."""

import re

import numpy as np
import pandas as pd
import pytest
from reference import agreement as ref
from reference.agreement_data import FLEISS_1971, IRRCAC_RAW4RATERS, SHROUT_FLEISS
from scipy import stats

from qainsights.agreement import (
    ICC_FORMS,
    AgreementResult,
    agreement_summary,
    benchmark_bands,
    benchmark_label,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac,
    icc,
)


def test_summary_rows_match_irrcac_and_the_single_functions():
    summary = agreement_summary(IRRCAC_RAW4RATERS).set_index("coefficient")
    # irrCAC on cac.raw4raters (tests/reference/agreement.md K1)
    expected = {name: value.estimate for name, value in ref.K1_IRRCAC.items()}
    expected["krippendorff_alpha"] = ref.K1_ALPHA["nominal"]
    assert summary["estimate"].to_dict() == pytest.approx(expected, abs=5e-7)
    assert list(summary.columns[:5]) == ["estimate", "se", "ci_low", "ci_high", "p_value"]
    assert summary.loc["gwet_ac"].to_dict() == {
        k: v for k, v in gwet_ac(IRRCAC_RAW4RATERS).to_frame().iloc[0].items() if k != "coefficient"
    }


def test_summary_for_two_raters_adds_cohen_and_benchmarks():
    summary = agreement_summary(table=[[20, 5], [10, 15]], benchmark="landis-koch")
    assert list(summary["coefficient"]) == [
        "percent_agreement", "brennan_prediger", "gwet_ac", "fleiss_kappa",
        "krippendorff_alpha", "conger_kappa", "cohen_kappa",
    ]  # fmt: skip
    cohen = summary.set_index("coefficient").loc["cohen_kappa"]
    assert cohen["estimate"] == pytest.approx(0.4)  # Wikipedia 2x2
    assert cohen["benchmark"] == benchmark_label(cohen_kappa(table=[[20, 5], [10, 15]]))


def test_summary_from_counts_has_no_rater_rows():
    summary = agreement_summary(counts=[[3, 0], [1, 2], [0, 3], [2, 1]])
    assert "conger_kappa" not in set(summary["coefficient"])
    assert "cohen_kappa" not in set(summary["coefficient"])


def test_summary_bootstrap_keeps_conger_analytic():
    summary = agreement_summary(FLEISS_1971, method="bootstrap", seed=3, n_boot=200)
    methods = summary.set_index("coefficient")["method"]
    assert methods["conger_kappa"] == "analytic"
    assert methods["fleiss_kappa"] == "bootstrap"


def test_summary_bad_benchmark():
    with pytest.raises(
        ValueError,
        match=re.escape(
            "The 'benchmark' parameter of agreement_summary must be one of 'landis-koch', "
            "'altman', 'fleiss'. Got 'landis' instead."
        ),
    ):
        agreement_summary(FLEISS_1971, benchmark="landis")


def test_summary_leaves_input_unchanged():
    frame = pd.DataFrame(FLEISS_1971)
    copy = frame.copy()
    agreement_summary(frame)
    pd.testing.assert_frame_equal(frame, copy)


def result_with(estimate, se):
    return AgreementResult(
        "gwet_ac", estimate, se, 0, 1, 0, 11, 0, 0, 12, 4, "identity", "", 0.95, ""
    )


def test_benchmark_bands_match_irrcac():
    # irrCAC landis.koch.bf for K1's AC1 and SE: cumulative probabilities
    given = ref.K1_LANDIS_KOCH_INPUT
    bands = benchmark_bands(result_with(given.estimate, given.se)).set_index("band")
    for band, cumulative in ref.K1_LANDIS_KOCH.items():
        assert bands.loc[band, "cumulative_probability"] == pytest.approx(cumulative, abs=5e-6)
    assert bands.index[bands["selected"]].tolist() == ["Moderate"]
    assert bands["probability"].sum() == pytest.approx(1.0)


def test_benchmark_altman_and_fleiss_bands():
    # a tight interval inside one band selects that band
    assert benchmark_label(result_with(0.7, 0.01), scale="altman") == "Good"
    assert benchmark_label(result_with(0.9, 0.01), scale="fleiss") == "Excellent"
    assert benchmark_label(result_with(np.nan, np.nan)) == ""


def test_benchmark_errors():
    with pytest.raises(ValueError, match="must be one of 'landis-koch', 'altman', 'fleiss'"):
        benchmark_bands(result_with(0.5, 0.1), scale="cicchetti")
    with pytest.raises(ValueError, match="needs a finite estimate and a positive standard error"):
        benchmark_bands(result_with(0.5, np.nan))


def test_icc_shrout_fleiss_table_2():
    result = icc(SHROUT_FLEISS)
    assert round(result.estimate, 2) == ref.K7_ICC_PUBLISHED["ICC1"]  # published ICC(1,1)
    # scipy's one-way ANOVA over targets: ICC(1) = (F - 1) / (F + k - 1)
    f_ratio, p_value = stats.f_oneway(*SHROUT_FLEISS)
    assert result.estimate == pytest.approx((f_ratio - 1) / (f_ratio + 3), abs=1e-12)
    assert result.p_value == pytest.approx(p_value, abs=1e-12)
    # Shrout & Fleiss (1979) interval: F_L = F / F(.975; 5, 18), F_U = F * F(.975; 18, 5)
    f_low, f_high = f_ratio / stats.f.ppf(0.975, 5, 18), f_ratio * stats.f.ppf(0.975, 18, 5)
    assert result.ci_low == pytest.approx((f_low - 1) / (f_low + 3), abs=1e-12)
    assert result.ci_high == pytest.approx((f_high - 1) / (f_high + 3), abs=1e-12)
    assert np.isnan(result.pa)
    assert np.isnan(result.pe)


@pytest.mark.parametrize("form", list(ref.K7_ICC_PUBLISHED))
def test_icc_six_forms_match_shrout_fleiss_table_2(form):
    # Shrout & Fleiss (1979), Table 4 on Table 2's data (published to two decimals); the result
    # names its form.
    result = icc(SHROUT_FLEISS, form=form)
    assert round(result.estimate, 2) == ref.K7_ICC_PUBLISHED[form]
    assert result.coefficient == form
    assert result.method == ICC_FORMS[form]


@pytest.mark.parametrize("form", list(ref.K7_ICC_PINGOUIN))
def test_icc_six_forms_match_pingouin(form):
    # pingouin 0.7.0 intraclass_corr on the Shrout & Fleiss table (tests/reference/agreement.md
    # K7); pingouin prints the interval to two decimals.
    expected = ref.K7_ICC_PINGOUIN[form]
    result = icc(SHROUT_FLEISS, form=form)
    assert result.estimate == pytest.approx(expected.estimate, abs=1e-9)
    assert result.p_value == pytest.approx(expected.p_value, abs=1e-9)
    assert (round(result.ci_low, 2), round(result.ci_high, 2)) == (
        expected.ci_low,
        expected.ci_high,
    )


def test_icc_two_way_mean_squares_and_intervals_by_hand():
    # Derivation: two-way ANOVA of the 6 x 4 table written out here; McGraw & Wong (1996)
    # intervals: ICC3 from F = MSR/MSE on (5, 15) df; ICC2 with Satterthwaite's df.
    x = SHROUT_FLEISS.astype(float)
    n, k = x.shape
    g = x.mean()
    msr = k * ((x.mean(1) - g) ** 2).sum() / (n - 1)
    msc = n * ((x.mean(0) - g) ** 2).sum() / (k - 1)
    mse = ((x - x.mean(1, keepdims=True) - x.mean(0) + g) ** 2).sum() / ((n - 1) * (k - 1))
    f = msr / mse
    low3 = f / stats.f.ppf(0.975, 5, 15)
    result = icc(SHROUT_FLEISS, form="ICC3")
    assert result.estimate == pytest.approx((msr - mse) / (msr + 3 * mse), rel=1e-12)
    assert result.ci_low == pytest.approx((low3 - 1) / (low3 + 3), rel=1e-12)
    assert result.p_value == pytest.approx(stats.f.sf(f, 5, 15), rel=1e-12)
    icc2 = (msr - mse) / (msr + 3 * mse + 4 * (msc - mse) / 6)
    a, b = 4 * icc2 / (6 * (1 - icc2)), 1 + 4 * icc2 * 5 / (6 * (1 - icc2))
    v = (a * msc + b * mse) ** 2 / ((a * msc) ** 2 / 3 + (b * mse) ** 2 / 15)
    fs = stats.f.ppf(0.975, 5, v)
    low2 = 6 * (msr - fs * mse) / (fs * (4 * msc + (24 - 4 - 6) * mse) + 6 * msr)
    result = icc(SHROUT_FLEISS, form="ICC2")
    assert result.ci_low == pytest.approx(low2, rel=1e-12)
    assert icc(SHROUT_FLEISS, form="ICC2k").ci_low == pytest.approx(
        4 * low2 / (1 + 3 * low2), rel=1e-12
    )


def test_icc_two_way_forms_leave_incomplete_items_out_with_a_warning():
    scores = np.vstack([SHROUT_FLEISS, [[1, 2, np.nan, 3]]])
    with pytest.warns(UserWarning, match=r"1 of 7 items miss a score and are left out"):
        result = icc(scores, form="ICC3")
    assert result.n_items == 6
    assert result.estimate == pytest.approx(icc(SHROUT_FLEISS, form="ICC3").estimate)
    with pytest.raises(ValueError, match=r"The 'form' parameter of icc must be one of 'ICC1'"):
        icc(SHROUT_FLEISS, form="ICC(2,1)")


def test_icc_long_format_with_unequal_raters_matches_anova():
    rng = np.random.default_rng(5)
    item_effect = rng.normal(size=40)
    sizes = rng.integers(2, 6, size=40)
    rows = [
        {"item": i, "rater": f"r{j}", "score": item_effect[i] + rng.normal()}
        for i in range(40)
        for j in range(sizes[i])
    ]
    long = pd.DataFrame(rows)
    result = icc(long, item="item", rater="rater", label="score")
    groups = [g["score"].to_numpy() for _, g in long.groupby("item")]
    f_ratio, p_value = stats.f_oneway(*groups)
    n, total = len(groups), len(long)
    k0 = (total - (sizes**2).sum() / total) / (n - 1)  # Shrout & Fleiss / McGraw & Wong
    assert result.estimate == pytest.approx((f_ratio - 1) / (f_ratio + k0 - 1), abs=1e-12)
    assert result.p_value == pytest.approx(p_value, abs=1e-12)


def test_icc_standard_error_matches_simulation():
    # one-way random effects model, rho = 0.5, 60 items x 4 raters, 400 replicates
    rng = np.random.default_rng(11)
    rho, n, k = 0.5, 60, 4
    items = rng.normal(scale=np.sqrt(rho), size=(400, n, 1))
    scores = items + rng.normal(scale=np.sqrt(1 - rho), size=(400, n, k))
    means = scores.mean(axis=2)
    between = k * means.var(axis=1, ddof=1)
    within = ((scores - means[..., None]) ** 2).sum(axis=(1, 2)) / (n * (k - 1))
    simulated = (between - within) / (between + (k - 1) * within)
    se = icc(scores[0]).se
    assert se == pytest.approx(simulated.std(ddof=1), rel=0.2)


def test_icc_edge_cases_and_errors():
    assert icc([[1, 1], [3, 3], [5, 5]]).estimate == 1.0
    with pytest.warns(UserWarning, match="every score is the same"):
        assert np.isnan(icc([[2, 2], [2, 2]]).estimate)
    with pytest.raises(ValueError, match="icc needs numeric scores"):
        icc([["a", "b"], ["b", "b"]])
    with pytest.raises(
        ValueError, match="icc needs at least two items scored twice or more; got 1"
    ):
        icc([[1, 2], [3, np.nan]])
    with pytest.raises(ValueError, match="The 'ci' parameter of icc must be a confidence level"):
        icc(SHROUT_FLEISS, ci=1.5)


def test_icc_leaves_input_unchanged():
    frame = pd.DataFrame(SHROUT_FLEISS.astype(float))
    copy = frame.copy()
    icc(frame)
    pd.testing.assert_frame_equal(frame, copy)


def test_results_are_frozen():
    result = fleiss_kappa(FLEISS_1971)
    with pytest.raises(AttributeError):
        result.estimate = 0.0
