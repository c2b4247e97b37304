"""Invariants of the capability indices (hypothesis), derived from their definitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qainsights.capability import capability

INDEX_NAMES = ["Cp", "Cpl", "Cpu", "Cpk", "Cpm", "Pp", "Ppl", "Ppu", "Ppk", "Ppm"]


def _quiet_capability(*args, **kwargs):
    """capability() without the data-dependent stability and normality warnings (not under test)."""
    return capability(*args, stability="ignore", normality="ignore", **kwargs)


samples = st.builds(
    lambda seed, n, size, loc, scale: (
        np.random.default_rng(seed).normal(loc, scale, (n, size)).round(6),
        loc,
        scale,
    ),
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(5, 30),
    size=st.integers(2, 6),
    loc=st.floats(-100, 100),
    scale=st.floats(0.1, 10),
)
spec_offsets = st.tuples(st.floats(-4, 6), st.floats(-4, 6), st.floats(-1, 1))


def _frame(matrix: np.ndarray) -> pd.DataFrame:
    n, size = matrix.shape
    return pd.DataFrame({"sample": np.repeat(np.arange(n), size), "x": matrix.ravel()})


def _specs(loc, scale, offsets):
    low, high, target = offsets
    return (
        loc - abs(low) * scale - 0.1 * scale,
        loc + abs(high) * scale + 0.1 * scale,
        loc + target * scale,
    )


@settings(max_examples=60, deadline=None)
@given(samples, spec_offsets)
def test_cpk_at_most_cp_and_ppk_at_most_pp(sample, offsets):
    matrix, loc, scale = sample
    lsl, usl, target = _specs(loc, scale, offsets)
    result = _quiet_capability(
        _frame(matrix), value="x", subgroup="sample", lsl=lsl, usl=usl, target=target
    )
    # Cpk = Cp - |mean - mid| / (3 sigma) and Cpm = Cp / sqrt(1 + delta^2), on the same sigma.
    assert result.cpk <= result.cp + 1e-12
    assert result.ppk <= result.pp + 1e-12
    assert result.cpm <= result.cp + 1e-12
    assert result.ppm <= result.pp + 1e-12
    assert result.cpk == pytest.approx(min(result.cpl, result.cpu))
    frame = result.to_frame()
    assert list(frame["index"]) == INDEX_NAMES
    assert ((frame["ci_low"] <= frame["estimate"]) & (frame["estimate"] <= frame["ci_high"])).all()


@settings(max_examples=40, deadline=None)
@given(samples, spec_offsets, st.floats(-1e3, 1e3), st.floats(0.01, 100))
def test_invariant_to_shifting_and_scaling_data_and_specs_together(sample, offsets, shift, factor):
    matrix, loc, scale = sample
    lsl, usl, target = _specs(loc, scale, offsets)
    base = _quiet_capability(
        _frame(matrix), value="x", subgroup="sample", lsl=lsl, usl=usl, target=target
    )
    moved = _quiet_capability(
        _frame(matrix * factor + shift),
        value="x",
        subgroup="sample",
        lsl=lsl * factor + shift,
        usl=usl * factor + shift,
        target=target * factor + shift,
    )
    columns = ["estimate", "ci_low", "ci_high"]
    np.testing.assert_allclose(
        moved.to_frame()[columns], base.to_frame()[columns], rtol=1e-6, atol=1e-9
    )
    assert moved.sigma_within == pytest.approx(base.sigma_within * factor, rel=1e-6)


@settings(max_examples=40, deadline=None)
@given(samples, st.floats(0.2, 5))
def test_individuals_one_sided_and_row_order_of_subgroups(sample, margin):
    matrix, loc, scale = sample
    values = matrix.ravel()
    upper = _quiet_capability(values, usl=loc + margin * scale)
    # With only a USL the index is Cpu; Cp is undefined.
    assert upper.cpk == upper.cpu
    assert np.isnan(upper.cp)
    # Overall indices do not depend on the order of the values; the subgroup summaries do not
    # depend on the order of rows either.
    frame = _frame(matrix)
    shuffled = frame.sample(frac=1.0, random_state=0)
    a = _quiet_capability(frame, value="x", subgroup="sample", usl=loc + margin * scale)
    b = _quiet_capability(shuffled, value="x", subgroup="sample", usl=loc + margin * scale)
    assert b.ppk == pytest.approx(a.ppk)
    assert b.cpk == pytest.approx(a.cpk)
