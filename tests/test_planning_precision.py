"""Tests of allocation_margin and clustered_sample_size (derivations in tests/reference/rates.md, 5)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from qainsights.planning import allocation_margin, clustered_sample_size, sample_size

Z95 = stats.norm.isf(0.025)  # 1.959964


# --- allocation_margin ---------------------------------------------------------------------


def test_one_stratum_is_simple_random_sampling_with_fpc():
    # Cochran (1977) eq. 3.8: V(p) = (N - n)/(N - 1) · pq/n; N = 1000, n = 100, p = 0.1:
    # 900/999 · 0.09/100 = 0.000810811, se = 0.0284747.
    sizes = pd.Series({"all": 1000})
    result = allocation_margin(
        pd.Series({"all": 100}, name="srs"), sizes=sizes, p=pd.Series({"all": 0.1})
    )
    assert result.index.tolist() == ["srs"]
    assert result.loc["srs", "se"] == pytest.approx(0.0284747, rel=1e-5)
    assert result.loc["srs", "margin"] == pytest.approx(Z95 * 0.0284747, rel=1e-5)
    assert result.loc["srs", "n_effective"] == pytest.approx(0.09 / 0.000810811, rel=1e-5)


def test_neyman_and_proportional_variances_of_cochran_chapter_5():
    # W = (0.2, 0.4, 0.4), p = (0.5, 0.1, 0.2), sqrt(pq) = (0.5, 0.3, 0.4), n = 380.
    # Neyman (eq. 5.28 without fpc): V = (Σ W_h sqrt(p_h q_h))² / n = 0.38² / 380 = 0.00038,
    # with n_h = n W_h s_h / 0.38 = (100, 120, 160).
    # Proportional (eq. 5.27 without fpc): V = Σ W_h p_h q_h / n = (0.05 + 0.036 + 0.064) / 380
    # = 0.15 / 380 = 0.000394737, with n_h = (76, 152, 152).
    # Populations of millions make the finite population correction 1 - O(1e-4).
    sizes = pd.Series({"a": 2_000_000, "b": 4_000_000, "c": 4_000_000})
    p = pd.Series({"a": 0.5, "b": 0.1, "c": 0.2})
    plans = pd.DataFrame(
        {"neyman": [100, 120, 160], "proportional": [76, 152, 152]}, index=sizes.index
    )
    result = allocation_margin(plans, sizes=sizes, p=p)
    assert result.loc["neyman", "se"] ** 2 == pytest.approx(0.00038, rel=1e-4)
    assert result.loc["proportional", "se"] ** 2 == pytest.approx(0.15 / 380, rel=1e-4)
    assert result["rate"].tolist() == pytest.approx([0.22, 0.22])  # 0.1 + 0.04 + 0.08
    assert result["n"].tolist() == [380, 380]


def test_hand_computed_example_with_fpc():
    # sizes (5000, 3000, 2000), p (0.01, 0.05, 0.2), n (25, 34, 41):
    # 0.25·0.0099/25·4975/4999 + 0.09·0.0475/34·2966/2999 + 0.04·0.16/41·1959/1999
    # = 0.0000985247 + 0.0001243517 + 0.0001529740 = 0.0003758504.
    sizes = pd.Series([5000, 3000, 2000])
    p = pd.Series([0.01, 0.05, 0.2])
    result = allocation_margin(pd.Series([25, 34, 41]), sizes=sizes, p=p)
    assert result["se"].iloc[0] ** 2 == pytest.approx(0.0003758504, rel=1e-6)


def test_design_effect_multiplies_each_stratum_variance():
    sizes = pd.Series([5000, 3000, 2000])
    p = pd.Series([0.01, 0.05, 0.2])
    n = pd.Series([25, 34, 41])
    base = allocation_margin(n, sizes=sizes, p=p)["se"].iloc[0] ** 2
    assert allocation_margin(n, sizes=sizes, p=p, design_effect=2.0)["se"].iloc[0] ** 2 == (
        pytest.approx(2 * base)
    )
    # One stratum inflated: only its term (0.0001529740, see above) doubles.
    deff = pd.Series([1.0, 1.0, 2.0])
    inflated = allocation_margin(n, sizes=sizes, p=p, design_effect=deff)["se"].iloc[0] ** 2
    assert inflated == pytest.approx(base + 0.0001529740, rel=1e-6)


def test_a_census_stratum_adds_no_variance():
    sizes = pd.Series([10, 1000])
    p = pd.Series([0.3, 0.1])
    full = allocation_margin(pd.Series([10, 100]), sizes=sizes, p=p)["se"].iloc[0] ** 2
    # (1000/1010)² · 0.09/100 · 900/999
    assert full == pytest.approx((1000 / 1010) ** 2 * 0.0009 * 900 / 999, rel=1e-9)


def test_allocation_margin_leaves_inputs_unchanged():
    sizes, p, n = pd.Series([50, 60]), pd.Series([0.1, 0.2]), pd.Series([5, 6])
    copies = sizes.copy(), p.copy(), n.copy()
    allocation_margin(n, sizes=sizes, p=p)
    for before, after in zip(copies, (sizes, p, n), strict=True):
        pd.testing.assert_series_equal(before, after)


@pytest.mark.parametrize(
    ("allocation", "kwargs", "match"),
    [
        (
            pd.Series([5, 6], index=["x", "y"]),
            {},
            r"'allocation' parameter .* same index as 'sizes'",
        ),
        (pd.Series([0, 6]), {}, r"between 1 and N_h audits per stratum. Found 1 other values: 0"),
        (pd.Series([5, 61]), {}, r"Found 1 other values: 61"),
        (
            pd.Series([5, 6]),
            {"p": pd.Series([0.1, 1.5])},
            r"'p' parameter .* 1 values out of range: 1.5",
        ),
        (pd.Series([5, 6]), {"design_effect": 0}, r"'design_effect' parameter .* out of range: 0"),
        (
            pd.Series([5, 6]),
            {"design_effect": "big"},
            r"'design_effect' parameter .* a number or a",
        ),
    ],
)
def test_allocation_margin_bad_input(allocation, kwargs, match):
    arguments = {"sizes": pd.Series([50, 60]), "p": pd.Series([0.1, 0.2])} | kwargs
    with pytest.raises(ValueError, match=match):
        allocation_margin(allocation, **arguments)


# --- clustered_sample_size -----------------------------------------------------------------


def test_no_clustering_is_cochrans_sample_size():
    # ICC 0: n = n0 rounded up, the classic 385 for ±5 points at p = 0.5.
    table = clustered_sample_size(0.05, p=0.5, icc=0.0, clusters=50)
    assert table["n"].iloc[0] == 385 == sample_size(0.05)
    assert table["design_effect"].iloc[0] == pytest.approx(1.0)


def test_hand_derived_clustered_sample_size():
    # p = 0.07, margin 0.02: n0 = 1.959964² · 0.0651 / 0.0004 = 625.197.
    # M = 80, ICC 0.02: n = n0 (1 - 0.02) / (1 - n0 · 0.02 / 80) = 612.693 / 0.843701 = 726.2 → 727.
    table = clustered_sample_size(0.02, p=0.07, icc=0.02, clusters=80)
    assert table["n0"].iloc[0] == pytest.approx(625.197, abs=1e-3)
    assert table["n"].iloc[0] == 727
    assert table["design_effect"].iloc[0] == pytest.approx(1 + (727 / 80 - 1) * 0.02)


@pytest.mark.parametrize(
    ("p", "icc", "clusters", "margin"),
    [(0.07, 0.02, 80, 0.02), (0.2, 0.05, 300, 0.03), (0.01, 0.005, 40, 0.004)],
)
def test_the_answer_is_the_smallest_n_reaching_the_margin(p, icc, clusters, margin):
    # Independently of the closed form: the margin z·sqrt(pq/n · (1 + (n/M - 1)ρ)) at n is
    # within the target and at n - 1 it is not.
    n = int(clustered_sample_size(margin, p=p, icc=icc, clusters=clusters)["n"].iloc[0])

    def reached(k):
        return Z95 * np.sqrt(p * (1 - p) / k * (1 + (k / clusters - 1) * icc))

    assert reached(n) <= margin < reached(n - 1)


def test_unreachable_margin_is_missing_with_its_floor():
    # n0 ρ / M = 625.197 · 0.02 / 10 = 1.25 ≥ 1: the moderators' own spread, 1.959964 ·
    # sqrt(0.0651 · 0.02 / 10) = 0.022364, is wider than ±0.02.
    table = clustered_sample_size(0.02, p=0.07, icc=0.02, clusters=[10, 80])
    assert pd.isna(table["n"].iloc[0])
    assert table["margin_floor"].iloc[0] == pytest.approx(0.022364, abs=1e-6)
    assert table["n"].iloc[1] == 727


@pytest.mark.parametrize(
    ("margin", "kwargs", "match"),
    [
        (0.0, {}, r"'margin' parameter of clustered_sample_size must be a number strictly between"),
        (0.02, {"p": 0.0}, r"'p' parameter .* in \(0, 1\). Found 1 other values: 0.0"),
        (0.02, {"icc": 1.0}, r"'icc' parameter .* in \[0, 1\)"),
        (0.02, {"clusters": -3}, r"'clusters' parameter .* finite and > 0"),
    ],
)
def test_clustered_sample_size_bad_input(margin, kwargs, match):
    arguments = {"p": 0.07, "icc": 0.02, "clusters": 80} | kwargs
    with pytest.raises(ValueError, match=match):
        clustered_sample_size(margin, **arguments)
