"""Tests of proportion_ci against published tables, closed forms and statsmodels.

Sources are listed in tests/reference/rates.md, section 1.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import rates as ref
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from qainsights.intervals import INTERVAL_METHODS, proportion_ci

# qainsights method -> statsmodels proportion_confint method
STATSMODELS_NAMES = {
    "wilson": "wilson",
    "agresti_coull": "agresti_coull",
    "clopper_pearson": "beta",
    "jeffreys": "jeffreys",
    "normal": "normal",
}

# Newcombe (1998), Statistics in Medicine 17, 857-872, Table I: methods 3 (Wilson) and
# 5 (Clopper-Pearson), 95% limits to four decimals.
NEWCOMBE_TABLE_I = [
    (k, n, limits["wilson"], limits["clopper_pearson"])
    for (k, n), limits in ref.NEWCOMBE_TABLE_I.items()
]

# Counts including both boundaries, tiny and large samples, and small error rates.
K = np.array([0, 1, 2, 5, 10, 0, 1, 3, 15, 81, 0, 7, 29, 12, 50, 999, 1000, 3, 250, 0])
N = np.array([1, 1, 10, 10, 10, 29, 29, 29, 148, 263, 500, 500, 29, 40, 100, 1000, 1000, 10**6,
              10**5, 10**6])  # fmt: skip


@pytest.mark.parametrize(("k", "n", "wilson", "exact"), NEWCOMBE_TABLE_I)
def test_newcombe_table_i(k, n, wilson, exact):
    # Published to four decimals: agree within half a unit in the last place.
    assert proportion_ci(k, n, method="wilson") == pytest.approx(wilson, abs=5e-5)
    assert proportion_ci(k, n, method="clopper_pearson") == pytest.approx(exact, abs=5e-5)


@pytest.mark.parametrize("method", list(STATSMODELS_NAMES))
@pytest.mark.parametrize("ci", [0.8, 0.95, 0.99])
def test_matches_statsmodels(method, ci):
    low, high = proportion_ci(K, N, ci=ci, method=method)
    ref_low, ref_high = proportion_confint(K, N, alpha=1 - ci, method=STATSMODELS_NAMES[method])
    if method == "jeffreys":
        # Brown, Cai & DasGupta's boundary convention, which statsmodels does not apply.
        ref_low = np.where(K == 0, 0.0, ref_low)
        ref_high = np.where(K == N, 1.0, ref_high)
    np.testing.assert_allclose(low, ref_low, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("ci", [0.8, 0.95, 0.99])
def test_modified_wilson_matches_the_desctools_rule(ci):
    low, high = proportion_ci(K, N, ci=ci)
    ref_low, ref_high = ref.modified_wilson(K, N, alpha=1 - ci)
    np.testing.assert_allclose(low, ref_low, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("k", "poisson_lower"), [(1, 0.0513), (2, 0.355), (3, 0.818)])
def test_modified_wilson_lower_bound_is_the_one_sided_poisson_limit(k, poisson_lower):
    # One-sided 95 % lower Poisson limits for 1, 2, 3 events (Garwood 1936; the classic
    # table, e.g. Ulm 1990): lambda with P(Poisson(lambda) >= k) = 0.05, here divided by n.
    n = 80  # k* = 3 above n = 50
    low, _ = proportion_ci(k, n)
    assert low * n == pytest.approx(poisson_lower, abs=6e-4)
    assert proportion_ci(n - k, n)[1] == pytest.approx(1 - low, abs=1e-15)


def test_modified_wilson_covers_where_wilson_dips():
    # Exact coverage at n = 2, p = 0.04: P(k = 0) = 0.9216, P(k = 1) = 0.0768. Wilson's lower
    # bound at 1/2 is 0.0945 > 0.04, so only k = 0 covers; the modified bound -ln(0.95)/2 covers.
    k = np.arange(3)
    probability = stats.binom.pmf(k, 2, 0.04)
    for method, expected in (("wilson", 0.9216), ("modified_wilson", 0.9216 + 0.0768)):
        low, high = proportion_ci(k, 2, method=method)
        assert probability[(low <= 0.04) & (high >= 0.04)].sum() == pytest.approx(expected)


def test_jeffreys_boundary_convention_differs_from_statsmodels_only_at_the_bound():
    # statsmodels keeps the raw beta quantile: its lower bound at k = 0 is above 0 = k/n.
    sm_low, sm_high = proportion_confint(0, 20, method="jeffreys")
    assert sm_low > 0
    low, high = proportion_ci(0, 20, method="jeffreys")
    assert low == 0.0
    assert high == pytest.approx(sm_high, rel=1e-12)
    sm_low, sm_high = proportion_confint(20, 20, method="jeffreys")
    low, high = proportion_ci(20, 20, method="jeffreys")
    assert (low, high) == (pytest.approx(sm_low, rel=1e-12), 1.0)


def test_jeffreys_is_beta_posterior_quantiles():
    # Brown, Cai & DasGupta (2001), section 4.1.2: Beta(k + 1/2, n - k + 1/2) quantiles.
    k, n = 7, 50
    expected = stats.beta.ppf([0.05, 0.95], k + 0.5, n - k + 0.5)
    assert proportion_ci(k, n, ci=0.9, method="jeffreys") == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("n", [1, 10, 20, 1000])
def test_clopper_pearson_closed_form_at_boundaries(n):
    # (1 - U)^n = alpha/2 at k = 0 and L^n = alpha/2 at k = n (Clopper & Pearson, 1934).
    assert proportion_ci(0, n, method="clopper_pearson") == pytest.approx(
        (0.0, 1 - 0.025 ** (1 / n)), rel=1e-10
    )
    assert proportion_ci(n, n, method="clopper_pearson") == pytest.approx(
        (0.025 ** (1 / n), 1.0), rel=1e-10
    )


def test_wilson_and_agresti_coull_closed_forms():
    k, n, z = 15, 148, stats.norm.ppf(0.975)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert proportion_ci(k, n) == pytest.approx((centre - half, centre + half), rel=1e-12)
    n_tilde = n + z**2
    p_tilde = (k + z**2 / 2) / n_tilde
    half = z * np.sqrt(p_tilde * (1 - p_tilde) / n_tilde)
    assert proportion_ci(k, n, method="agresti_coull") == pytest.approx(
        (p_tilde - half, p_tilde + half), rel=1e-12
    )


def test_wald_is_clipped_to_unit_interval():
    # 1/29: p - 1.96 sd = -0.0321 (Newcombe 1998, Table I, method 1), clipped to 0.
    low, high = proportion_ci(1, 29, method="normal")
    p = 1 / 29
    assert low == 0.0
    assert high == pytest.approx(p + stats.norm.ppf(0.975) * np.sqrt(p * (1 - p) / 29))


def test_scalars_give_floats_and_arrays_broadcast():
    low, high = proportion_ci(3, 10)
    assert type(low) is float
    assert type(high) is float
    low, high = proportion_ci(np.array([[0], [5]]), np.array([10, 20, 40]))
    assert low.shape == high.shape == (2, 3)
    ref_low, _ = proportion_confint(np.array([[0], [5]]), np.array([10, 20, 40]), method="wilson")
    np.testing.assert_allclose(low, ref_low, rtol=1e-9)


def test_non_integer_effective_counts_are_accepted():
    # Effective counts of weighted samples (Korn & Graubard 1998) are real numbers.
    low, high = proportion_ci(2.5, 40.7, method="clopper_pearson")
    expected = (stats.beta.ppf(0.025, 2.5, 39.2), stats.beta.isf(0.025, 3.5, 38.2))
    assert (low, high) == pytest.approx(expected, rel=1e-10)


def test_zero_audits_give_nan_with_a_warning():
    with pytest.warns(UserWarning, match=r"n = 0 in 2 entries; their bounds are NaN"):
        low, high = proportion_ci([0, 3, 0], [0, 10, 0])
    assert np.isnan(low[[0, 2]]).all()
    assert np.isnan(high[[0, 2]]).all()
    assert np.isfinite([low[1], high[1]]).all()


@pytest.mark.parametrize(
    ("k", "n", "kwargs", "error", "match"),
    [
        (1, 10, {"method": "wald"}, ValueError,
         r"The 'method' parameter of proportion_ci must be one of 'modified_wilson', 'wilson', "
         r"'agresti_coull', "
         r"'clopper_pearson', 'jeffreys', 'normal'. Got 'wald' instead."),
        (1, 10, {"ci": 95}, ValueError,
         r"The 'ci' parameter of proportion_ci must be a confidence level strictly between 0 "
         r"and 1 \(for example 0.95\). Got 95 instead."),
        (1, 10, {"ci": 1.0}, ValueError, r"strictly between 0 and 1"),
        ([-1, 2, 12], [10, 10, 10], {}, ValueError,
         r"proportion_ci needs 0 <= k <= n for every count. Got 2 invalid k/n pairs: "
         r"'-1/10', '12/10'. Check that k counts errors"),
        (0, -5, {}, ValueError, r"Got 1 invalid k/n pairs: '0/-5'"),
        ([1, np.nan], 10, {}, ValueError,
         r"The 'k' parameter of proportion_ci must hold finite counts. Got nan instead"),
        (1, np.inf, {}, ValueError, r"The 'n' parameter of proportion_ci must hold finite"),
        ("3", 10, {}, TypeError,
         r"The 'k' parameter of proportion_ci must be a number or an array of numbers. "
         r"Got '3' instead."),
        ([1, 2], [10, 10, 10], {}, ValueError,
         r"must have shapes that broadcast together. Got shapes \(2,\) and \(3,\) instead."),
    ],
)  # fmt: skip
def test_bad_input(k, n, kwargs, error, match):
    with pytest.raises(error, match=match):
        proportion_ci(k, n, **kwargs)


def test_inputs_are_not_modified():
    k, n = np.array([1, 5]), np.array([10, 20])
    proportion_ci(k, n, method="clopper_pearson")
    np.testing.assert_array_equal(k, [1, 5])
    np.testing.assert_array_equal(n, [10, 20])


counts = st.integers(min_value=1, max_value=5000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)
methods = st.sampled_from(INTERVAL_METHODS)
levels = st.sampled_from([0.8, 0.9, 0.95, 0.99])


@settings(max_examples=100, deadline=None)
@given(counts, methods, levels)
def test_interval_contains_estimate_within_unit_interval(kn, method, ci):
    k, n = kn
    low, high = proportion_ci(k, n, ci=ci, method=method)
    assert 0.0 <= low <= k / n + 1e-12
    assert k / n - 1e-12 <= high <= 1.0


@settings(max_examples=100, deadline=None)
@given(counts, methods, st.integers(min_value=2, max_value=50))
def test_interval_narrows_as_n_grows_at_fixed_rate(kn, method, factor):
    k, n = kn
    low, high = proportion_ci(k, n, method=method)
    big_low, big_high = proportion_ci(k * factor, n * factor, method=method)
    assert big_high - big_low <= high - low + 1e-12


@settings(max_examples=100, deadline=None)
@given(counts, methods, levels)
def test_interval_is_symmetric_in_errors_and_non_errors(kn, method, ci):
    k, n = kn
    low, high = proportion_ci(k, n, ci=ci, method=method)
    mirror_low, mirror_high = proportion_ci(n - k, n, ci=ci, method=method)
    assert low == pytest.approx(1 - mirror_high, abs=1e-10)
    assert high == pytest.approx(1 - mirror_low, abs=1e-10)
