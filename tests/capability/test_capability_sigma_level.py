"""DPMO <-> sigma level conversions, against R qnorm/pnorm tables (tests/reference/capability.md §4)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from qainsights.capability import dpmo_to_sigma, sigma_to_dpmo

# R: qnorm(1 - dpmo / 1e6) and the same plus 1.5 (capability.md §4).
DPMO_TABLE = [
    (3.4, 4.499854, 5.999854),
    (233, 3.499575, 4.999575),
    (6210, 2.499981, 3.999981),
    (66807, 1.500002, 3.000002),
    (308538, 0.4999987, 1.999999),
    (691462, -0.4999987, 1.000001),
    (500000, 0.0, 1.5),
]
# R: 1e6 * pnorm(-(k - 1.5)) (capability.md §4).
SIGMA_TABLE = [
    (1, 691462.5),
    (2, 308537.5),
    (3, 66807.2),
    (4, 6209.665),
    (5, 232.6291),
    (6, 3.397673),
]


@pytest.mark.parametrize(("dpmo", "z_long_term", "sigma_level"), DPMO_TABLE)
def test_dpmo_to_sigma_matches_r_table(dpmo, z_long_term, sigma_level):
    assert dpmo_to_sigma(dpmo, shift=0) == pytest.approx(z_long_term, abs=2e-6)
    assert dpmo_to_sigma(dpmo) == pytest.approx(sigma_level, abs=2e-6)


@pytest.mark.parametrize(("sigma", "expected"), SIGMA_TABLE)
def test_sigma_to_dpmo_matches_r_table(sigma, expected):
    assert sigma_to_dpmo(sigma) == pytest.approx(expected, rel=1e-6)


def test_worked_qa_example():
    # capability.md §4: DPMO 4500 -> Z_LT 2.612054, sigma level 4.112054.
    assert dpmo_to_sigma(4500, shift=0) == pytest.approx(2.612054, abs=1e-6)
    assert dpmo_to_sigma(4500, shift=1.5) == pytest.approx(4.112054, abs=1e-6)


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
