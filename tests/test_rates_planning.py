"""Tests of sample_size and allocate_sample.

Sources are listed in tests/reference/rates.md, sections 3 and 4: Cochran (1977) chapter 4,
Krejcie & Morgan (1970) Table 1, and allocations derived by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import rates as ref
from scipy import stats

from qainsights.planning import allocate_sample, sample_size


def test_classic_385():
    # Cochran (1977), ch. 4: n0 = 1.959964^2 * 0.25 / 0.05^2 = 384.15, rounded up.
    assert sample_size(0.05) == 385
    assert isinstance(sample_size(0.05), int)


@pytest.mark.parametrize(("population", "expected"), list(ref.KREJCIE_MORGAN_TABLE_1.items()))
def test_krejcie_morgan_table(population, expected):
    # Krejcie & Morgan (1970), Table 1 (margin 0.05, P = 0.5, 95%).
    assert sample_size(0.05, population=population) == expected


def test_finite_population_correction_derivation():
    # n = n0 / (1 + (n0 - 1)/N) with n0 = 384.146: N = 2000 gives 322.38 -> 323.
    n0 = stats.norm.ppf(0.975) ** 2 * 0.25 / 0.05**2
    assert n0 / (1 + (n0 - 1) / 2000) == pytest.approx(322.38, abs=0.01)
    assert sample_size(0.05, population=2000) == 323


def test_small_error_rate_and_design_effect():
    # 1.959964^2 * 0.02 * 0.98 / 0.005^2 = 3011.70 -> 3012; times 1.5 = 4517.56 -> 4518.
    assert sample_size(0.005, p=0.02) == 3012
    assert sample_size(0.005, p=0.02, design_effect=1.5) == 4518
    # 99%: z = 2.575829, 2.575829^2 * 0.02 * 0.98 / 0.005^2 = 5201.76 -> 5202.
    assert sample_size(0.005, p=0.02, ci=0.99) == 5202


def test_population_of_one_needs_one_audit():
    assert sample_size(0.01, population=1) == 1


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((0,), {}, r"The 'margin' parameter of sample_size must be a number strictly between 0 "
                   r"and 1. Got 0 instead."),
        ((5,), {}, r"The 'margin' parameter of sample_size must be .* Got 5 instead."),
        ((0.05,), {"p": 1.0}, r"The 'p' parameter of sample_size must be a number strictly"),
        ((0.05,), {"p": True}, r"The 'p' parameter of sample_size .* Got True instead."),
        ((0.05,), {"ci": 1.5}, r"The 'ci' parameter of sample_size must be a confidence level"),
        ((0.05,), {"population": 0}, r"The 'population' parameter of sample_size must be a "
                                     r"positive integer. Got 0 instead."),
        ((0.05,), {"population": 10.5}, r"must be a positive integer. Got 10.5 instead."),
        ((0.05,), {"design_effect": 0}, r"The 'design_effect' parameter of sample_size must be a "
                                        r"finite number > 0 \(1 for simple random sampling\)."),
    ],
)  # fmt: skip
def test_sample_size_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sample_size(*args, **kwargs)


SIZES = pd.Series({"a": 5000, "b": 3000, "c": 2000})


def test_proportional_allocation():
    result = allocate_sample(100, sizes=SIZES)
    pd.testing.assert_series_equal(
        result, pd.Series({"a": 50, "b": 30, "c": 20}, dtype="int64", name="n")
    )


def test_largest_remainder_rounding():
    # Quotas 7 * (10, 20, 30)/60 = (1.167, 2.333, 3.5): floors (1, 2, 3), one audit left
    # goes to the largest remainder, 0.5.
    assert allocate_sample(7, sizes=pd.Series([10, 20, 30])).tolist() == [1, 2, 4]


def test_neyman_allocation():
    # N_h sqrt(p_h q_h) = (497.49, 653.83, 800.00); quotas (25.495, 33.507, 40.998):
    # floors (25, 33, 40), two leftovers to the remainders 0.998 and 0.507.
    p = pd.Series({"a": 0.01, "b": 0.05, "c": 0.2})
    assert allocate_sample(100, sizes=SIZES, p=p, method="neyman").tolist() == [25, 34, 41]


def test_at_least_one_audit_per_stratum():
    # Quotas (19.8, 0.2): the small stratum is raised to 1, the other gets 19.
    assert allocate_sample(20, sizes=pd.Series([9900, 100])).tolist() == [19, 1]
    p = pd.Series([0.01, 0.5])
    # Neyman quotas (29.27, 0.735): raised to 1.
    assert allocate_sample(30, sizes=pd.Series([1000, 5]), p=p, method="neyman").tolist() == [
        29,
        1,
    ]


def test_neyman_over_allocation_is_capped_at_stratum_size():
    # Quotas (11.17, 8.83) but the second stratum has only 5 decisions: (15, 5).
    p = pd.Series([0.001, 0.5])
    assert allocate_sample(20, sizes=pd.Series([100, 5]), p=p, method="neyman").tolist() == [
        15,
        5,
    ]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=12),
    st.floats(min_value=0.0, max_value=1.0),
    st.data(),
)
def test_allocation_sums_to_total_within_bounds(sizes, fraction, data):
    sizes = pd.Series(sizes)
    total = int(len(sizes) + fraction * (sizes.sum() - len(sizes)))
    rates = data.draw(st.lists(st.floats(0.001, 0.999), min_size=len(sizes), max_size=len(sizes)))
    for kwargs in ({}, {"p": pd.Series(rates), "method": "neyman"}):
        result = allocate_sample(total, sizes=sizes, **kwargs)
        assert result.sum() == total
        assert (result >= 1).all()
        assert (result <= sizes).all()


def test_allocation_inputs_are_unchanged():
    sizes, p = SIZES.copy(), pd.Series({"a": 0.01, "b": 0.05, "c": 0.2})
    allocate_sample(100, sizes=sizes, p=p, method="neyman")
    pd.testing.assert_series_equal(sizes, SIZES)
    pd.testing.assert_series_equal(p, pd.Series({"a": 0.01, "b": 0.05, "c": 0.2}))


@pytest.mark.parametrize(
    ("total", "kwargs", "error", "match"),
    [
        (10, {"sizes": [1, 2]}, TypeError,
         r"The 'sizes' parameter of allocate_sample must be a non-empty pandas Series"),
        (10, {"sizes": pd.Series([5, 0, 2.5])}, ValueError,
         r"The 'sizes' parameter of allocate_sample must hold positive integers. Found 2 other "
         r"values: 0.0, 2.5."),
        (2, {"sizes": SIZES}, ValueError,
         r"The 'total' parameter of allocate_sample must lie between the number of strata \(3\) "
         r"and the population size \(10000\). Got 2 instead."),
        (10_001, {"sizes": SIZES}, ValueError, r"Got 10001 instead."),
        (10.5, {"sizes": SIZES}, ValueError,
         r"The 'total' parameter of allocate_sample must be a positive integer."),
        (10, {"sizes": SIZES, "method": "optimal"}, ValueError,
         r"The 'method' parameter of allocate_sample must be one of 'proportional', 'neyman'. "
         r"Got 'optimal' instead."),
        (10, {"sizes": SIZES, "method": "neyman"}, ValueError,
         r"The 'p' parameter of allocate_sample must be a pandas Series of anticipated error "
         r"rates with the same index as 'sizes' for method='neyman'. Got NoneType instead"),
        (10, {"sizes": SIZES, "method": "neyman", "p": pd.Series([0.1, 0.2, 0.3])}, ValueError,
         r"with the same index as 'sizes'"),
        (10, {"sizes": SIZES, "method": "neyman", "p": SIZES * 0.0}, ValueError,
         r"The 'p' parameter of allocate_sample must hold rates strictly between 0 and 1. "
         r"Found 3 other values: 0.0, 0.0, 0.0."),
        (10, {"sizes": SIZES, "p": SIZES * 0.01}, ValueError,
         r"The 'p' parameter of allocate_sample is used only by method='neyman'."),
    ],
)  # fmt: skip
def test_allocate_sample_bad_input(total, kwargs, error, match):
    with pytest.raises(error, match=match):
        allocate_sample(total, **kwargs)


def test_allocation_is_deterministic():
    # Same input, same output; ties go to the stratum listed first.
    sizes = pd.Series([10, 10, 10])
    assert allocate_sample(4, sizes=sizes).tolist() == [2, 1, 1]
    np.testing.assert_array_equal(allocate_sample(4, sizes=sizes), allocate_sample(4, sizes=sizes))
