"""DPMO <-> sigma level conversions, against R qnorm/pnorm tables (tests/reference/capability.md §4)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import capability as ref
from scipy.stats import norm

from qainsights.capability import dpmo_to_sigma, sigma_to_dpmo

# R: qnorm(1 - dpmo / 1e6) and the same plus 1.5 (capability.md §4).
DPMO_TABLE = [(dpmo, z, level) for dpmo, (z, level) in ref.DPMO_TO_SIGMA.items()]
# R: 1e6 * pnorm(-(k - 1.5)) (capability.md §4).
SIGMA_TABLE = list(ref.SIGMA_TO_DPMO.items())


@pytest.mark.parametrize(("dpmo", "z_long_term", "sigma_level"), DPMO_TABLE)
def test_dpmo_to_sigma_matches_r_table(dpmo, z_long_term, sigma_level):
    assert dpmo_to_sigma(dpmo, shift=0) == pytest.approx(z_long_term, abs=2e-6)
    assert dpmo_to_sigma(dpmo) == pytest.approx(sigma_level, abs=2e-6)


@pytest.mark.parametrize(("sigma", "expected"), SIGMA_TABLE)
def test_sigma_to_dpmo_matches_r_table(sigma, expected):
    assert sigma_to_dpmo(sigma) == pytest.approx(expected, rel=1e-6)


def test_worked_qa_example():
    # capability.md §4: DPMO 4500 -> Z_LT and sigma level.
    example = ref.QA_EXAMPLE
    z_long_term = dpmo_to_sigma(example["dpmo"], shift=0)
    assert z_long_term == pytest.approx(example["z_long_term"], abs=1e-6)
    sigma_level = dpmo_to_sigma(example["dpmo"], shift=1.5)
    assert sigma_level == pytest.approx(example["sigma_level"], abs=1e-6)


def test_arrays_keep_shape_and_scalars_give_float():
    table = np.array([[3.4, 233.0], [6210.0, 66807.0]])
    result = dpmo_to_sigma(table)
    assert result.shape == (2, 2)
    assert isinstance(dpmo_to_sigma(3.4), float)
    assert isinstance(sigma_to_dpmo(6), float)


def test_boundaries_are_infinite():
    # 0 defects per million is an infinite sigma level; all defective is minus infinity.
    assert dpmo_to_sigma(0) == np.inf
    assert dpmo_to_sigma(1_000_000) == -np.inf
    assert sigma_to_dpmo(np.inf) == 0.0


@settings(max_examples=60, deadline=None)
@given(
    st.floats(min_value=1e-6, max_value=999_999.0),
    st.floats(min_value=-3.0, max_value=3.0),
)
def test_round_trip_and_agrees_with_scipy(dpmo, shift):
    sigma = dpmo_to_sigma(dpmo, shift=shift)
    assert sigma == pytest.approx(norm.isf(dpmo / 1e6) + shift, rel=1e-9, abs=1e-9)
    assert sigma_to_dpmo(sigma, shift=shift) == pytest.approx(dpmo, rel=1e-7)


@pytest.mark.parametrize("bad", [-1.0, 1_000_001.0, np.nan])
def test_dpmo_out_of_range(bad):
    with pytest.raises(
        ValueError,
        match=r"The 'dpmo' parameter of dpmo_to_sigma must hold defects per million "
        r"opportunities between 0 and 1,000,000\. Got 1 bad value\(s\)",
    ):
        dpmo_to_sigma([10.0, bad])


@pytest.mark.parametrize("bad", [np.nan, "1.5", True, np.inf])
def test_bad_shift(bad):
    with pytest.raises(
        ValueError, match=r"The 'shift' parameter of dpmo_to_sigma must be a finite"
    ):
        dpmo_to_sigma(10.0, shift=bad)
    with pytest.raises(
        ValueError, match=r"The 'shift' parameter of sigma_to_dpmo must be a finite"
    ):
        sigma_to_dpmo(3.0, shift=bad)


def test_sigma_nan():
    with pytest.raises(
        ValueError, match=r"The 'sigma' parameter of sigma_to_dpmo must not contain missing"
    ):
        sigma_to_dpmo([3.0, np.nan])


def test_inputs_unchanged():
    table = np.array([3.4, 233.0])
    dpmo_to_sigma(table)
    sigma_to_dpmo(table)
    np.testing.assert_array_equal(table, [3.4, 233.0])
