"""Capability on polars and DuckDB frames gives the pandas numbers."""

import numpy as np
import pandas as pd
import pytest

from qainsights.capability import attribute_capability, capability

from .engine_data import audit_rows


def handle_times(size=600, seed=5):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {"week": np.repeat(np.arange(size // 5), 5), "seconds": rng.lognormal(3.5, 0.4, size)}
    )


def test_capability_reads_the_values_of_any_engine(engine):
    data = handle_times()
    options = {"usl": 90.0, "method": "lognormal", "stability": "ignore"}
    expected = capability(data, value="seconds", subgroup="week", **options)
    got = capability(engine(data), value="seconds", subgroup="week", **options)
    pd.testing.assert_frame_equal(got.to_frame(), expected.to_frame(), rtol=1e-12)


def test_attribute_capability_sums_on_the_engine(engine):
    rows = audit_rows()
    expected = attribute_capability(rows, defects="is_error", by="site")
    got = attribute_capability(engine(rows), defects="is_error", by="site")
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-12)


def test_attribute_capability_with_units_and_opportunities(engine):
    counts = pd.DataFrame(
        {"step": ["a", "a", "b"], "defects": [3, 1, 2], "units": [100, 50, 80], "opps": [4, 4, 2]}
    )
    expected = attribute_capability(
        counts, defects="defects", units="units", opportunities="opps", by="step"
    )
    got = attribute_capability(
        engine(counts), defects="defects", units="units", opportunities="opps", by="step"
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-12)


def test_missing_counts_on_the_engine_are_refused(engine):
    rows = audit_rows().astype({"is_error": "float"})
    rows.loc[3, "is_error"] = np.nan
    with pytest.raises(ValueError, match=r"attribute_capability found 1 rows with a missing value"):
        attribute_capability(engine(rows), defects="is_error", by="site")
