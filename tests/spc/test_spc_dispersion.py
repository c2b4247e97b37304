import numpy as np
import pandas as pd
import pytest
from reference import spc
from reference.spc_data import CIRCUIT_BOARDS, ORANGE_JUICE, frame
from scipy.stats import chi2_contingency

from qainsights.spc import overdispersion_test


@pytest.fixture
def phase_one():
    juice = frame(ORANGE_JUICE)
    return juice[juice["trial"]]


def test_orange_juice_matches_qcc(phase_one):
    # tests/reference/spc.md 3.1 A, qcc 2.7 qcc.overdispersion.test(D, size, "binomial"):
    # Obs.Var/Theor.Var, statistic and p-value.
    result = overdispersion_test(phase_one, defects="D", n="size", subgroup="sample")
    row = result.iloc[0]
    assert row["dispersion_ratio"] == pytest.approx(spc.JUICE_OVERDISPERSION["ratio"], rel=1e-6)
    assert row["statistic"] == pytest.approx(spc.JUICE_OVERDISPERSION["statistic"], rel=1e-6)
    assert row["p_value"] == pytest.approx(spc.JUICE_OVERDISPERSION["p_value"], rel=1e-4)
    assert row["df"] == 29
    assert row["recommended_chart"] == "laney_p"


def test_binomial_statistic_is_chi_square_homogeneity(phase_one):
    # Second source: Pearson's chi-square test of the 2 x 30 table (defective, conforming).
    table = np.vstack([phase_one["D"], phase_one["size"] - phase_one["D"]])
    expected = chi2_contingency(table, correction=False)
    result = overdispersion_test(phase_one, defects="D", n="size").iloc[0]
    assert result["statistic"] == pytest.approx(expected.statistic, rel=1e-10)
    assert result["p_value"] == pytest.approx(expected.pvalue, rel=1e-8)


def test_poisson_dispersion_index():
    # Derivation: with equal units the Poisson statistic is sum((c - c-bar)^2) / c-bar, the
    # dispersion index, and the ratio is var(c) / c-bar.
    boards = frame(CIRCUIT_BOARDS)
    counts = boards["x"].to_numpy(float)
    result = overdispersion_test(boards, defects="x", distribution="poisson").iloc[0]
    assert result["statistic"] == pytest.approx(
        ((counts - counts.mean()) ** 2).sum() / counts.mean()
    )
    assert result["dispersion_ratio"] == pytest.approx(counts.var(ddof=1) / counts.mean())
    assert result["recommended_chart"] in {"u", "laney_u"}


def test_segments_tested_together():
    # Site A has identical proportions (statistic 0 by definition, no over-dispersion); site B
    # varies widely. Each segment's row equals the test run on that segment alone.
    data = pd.DataFrame(
        {
            "site": ["A"] * 4 + ["B"] * 4,
            "errors": [10, 10, 10, 10, 2, 30, 5, 25],
            "n": [100] * 8,
        }
    )
    result = overdispersion_test(data, defects="errors", n="n", by="site").set_index("site")
    assert result.loc["A", "statistic"] == 0.0
    assert result.loc["A", "recommended_chart"] == "p"
    assert result.loc["B", "recommended_chart"] == "laney_p"
    single = overdispersion_test(data[data["site"] == "B"], defects="errors", n="n")
    assert result.loc["B", "statistic"] == pytest.approx(single["statistic"][0])


def test_bad_inputs_and_no_mutation(phase_one):
    before = phase_one.copy()
    overdispersion_test(phase_one, defects="D", n="size")
    pd.testing.assert_frame_equal(phase_one, before)
    with pytest.raises(
        ValueError,
        match=r"The 'distribution' parameter of overdispersion_test "
        r"must be one of 'binomial', 'poisson'\. Got 'normal' instead\.",
    ):
        overdispersion_test(phase_one, defects="D", n="size", distribution="normal")
    with pytest.raises(
        ValueError,
        match=r"overdispersion_test found 1 subgroup\(s\) with more "
        r"defectives than the sample size",
    ):
        overdispersion_test(defects=[3, 9], n=[5, 5])
