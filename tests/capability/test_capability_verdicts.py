"""Capability bands and the target status.

The bands are the convention of Montgomery (2009, section 8.3): an index of 1 puts the nearest
specification limit 3 standard deviations from the mean, 1.33 puts it 3.99 standard deviations
away, the usual minimum for an existing process. Normal tail beyond 3 sigma: 0.0013499 (1,350 ppm),
beyond 3.99 sigma: 0.0000330 (33 ppm), from any normal table (Montgomery, Appendix II).
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qainsights.capability import (
    CAPABILITY_BANDS,
    capability_band,
    sigma_to_dpmo,
    target_status,
)


def test_bands_are_three_and_four_sigma_to_the_nearest_limit():
    # A one-sided index of 1 (1.33) leaves 1,350 (33) ppm beyond the limit: normal tables.
    ppm = [sigma_to_dpmo(3 * b, shift=0) for b in CAPABILITY_BANDS]
    assert ppm == pytest.approx([1349.9, 33.0], abs=0.1)


def test_band_edges_belong_to_the_band_above():
    values = [0.0, 0.999, 1.0, 1.2, 1.329, 1.33, 2.5]
    expected = [
        "not capable",
        "not capable",
        "marginal",
        "marginal",
        "marginal",
        "capable",
        "capable",
    ]
    assert capability_band(values).tolist() == expected


def test_band_keeps_pandas_labels_and_marks_undefined():
    frame = pd.DataFrame({"normal": [2.1, np.nan], "lognormal": [0.9, 1.1]}, index=["x", "y"])
    bands = capability_band(frame)
    assert bands.index.tolist() == ["x", "y"]
    assert bands.columns.tolist() == ["normal", "lognormal"]
    assert bands.loc["y", "normal"] == "undefined"
    assert bands.loc["x", "lognormal"] == "not capable"
    assert frame.loc["y", "normal"] != frame.loc["y", "normal"]  # the input is unchanged


def test_custom_bands():
    assert capability_band([1.4, 1.7], bands=(1.33, 1.67)).tolist() == ["marginal", "capable"]


@pytest.mark.parametrize("bands", [(1.33, 1.0), (1.0,), (0, 1.33), ("1", 2), (1.0, np.inf)])
def test_bad_bands_are_named(bands):
    with pytest.raises(ValueError, match="'bands' parameter of capability_band"):
        capability_band(1.0, bands=bands)


def test_non_numeric_index_is_named():
    with pytest.raises(ValueError, match="'index' parameter of capability_band must hold numbers"):
        capability_band(["high"])


def test_target_status_rule_is_inclusive_at_the_target():
    # The whole interval at or above the target meets it; a lower bound equal to the target
    # cannot be told from it being below, so it meets (the report's and scorecards' rule).
    status = target_status([0.92, 0.90, 0.91, 0.80], [0.95, 0.9199, 0.92, 0.95], target=0.92)
    assert status.tolist() == [
        "meets target",
        "below target",
        "not separable from target",
        "not separable from target",
    ]


def test_target_status_keeps_the_series_index():
    low = pd.Series([2.9, 3.0], index=["appeals", "ads"])
    high = pd.Series([3.1, 3.2], index=["appeals", "ads"])
    status = target_status(low, high, target=3.0)
    assert status.to_dict() == {"appeals": "not separable from target", "ads": "meets target"}


def test_target_status_bad_input():
    with pytest.raises(ValueError, match="'target' parameter of target_status"):
        target_status(0.9, 0.95, target=None)
    with pytest.raises(ValueError, match="same shape"):
        target_status([0.9, 0.91], [0.95], target=0.92)
    with pytest.raises(ValueError, match="ci_low is above its ci_high"):
        target_status([0.95], [0.90], target=0.92)


@given(
    st.floats(0, 1),
    st.floats(0, 1),
    st.floats(0, 1),
)
def test_target_status_agrees_with_where_the_interval_lies(a, b, target):
    low, high = min(a, b), max(a, b)
    status = target_status(low, high, target=target)
    assert (status == "meets target") == (low >= target)
    assert (status == "below target") == (high < target)
