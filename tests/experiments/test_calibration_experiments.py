"""A reduced run of the experiments' calibration benchmark, with generous bands."""

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).parents[2] / "benchmarks" / "calibration_experiments.py"


@pytest.mark.slow
def test_reduced_calibration_keeps_false_positives_near_nominal():
    # The full table is in benchmarks/README.md; with 20 to 100 replicates per row a rate at
    # the nominal 5 % stays below 0.25 with probability above 0.99 (binomial(20, 0.05):
    # P(X >= 5) = 0.016), while the old moderator-clustered DiD rejected 26 to 45 % of null
    # replicates with site x week shocks of sd 0.3.
    spec = importlib.util.spec_from_file_location("calibration_experiments", _PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = module.rows(quick=True)
    assert list(table.columns) == module.COLUMNS
    # the older interrupted_series variances (quasi, hac) are shown for their failure
    calibrated = table[~table["function"].str.contains(r"\((?:quasi|hac)\)")]
    assert calibrated["function"].str.contains("interrupted_series").any()
    assert (calibrated["false_positive_rate"] <= 0.25).all()
    assert (calibrated["fpr_ci_low"] <= calibrated["false_positive_rate"]).all()
    did = table[table["function"] == "diff_in_diff"].iloc[0]
    assert 0 < did["power"] <= 1
    trend = table[table["function"] == "trend_test p_value_quasi"].iloc[0]
    assert trend["false_positive_rate"] <= 0.12  # binomial(100, 0.05): P(X >= 13) < 0.001


@pytest.mark.slow
def test_reduced_calibration_of_trends_agreement_and_scan_claims():
    # 100 to 300 replicates per row: a 95 % interval that covers at its nominal rate covers at
    # least 85 % of 100 replicates with probability above 0.999 (binomial(100, 0.95):
    # P(X < 85) < 1e-4), and a 5 % rate stays below 0.12 of 200 (P(X >= 24) < 1e-4).
    import sys

    sys.path.insert(0, str(_PATH.parent))
    try:
        from calibration_trends_agreement import rows
    finally:
        sys.path.remove(str(_PATH.parent))
    table = rows(quick=True)
    assert (table["coverage"].dropna() >= 0.85).all()
    assert (table["false_positive_rate"].dropna() <= 0.12).all()


@pytest.mark.slow
def test_reduced_calibration_of_auditor_differences():
    # 200 replicates in one vectorised call (about 10 s): the bands as above, binomial(200, 0.95):
    # P(X < 180) = 0.001 and binomial(200, 0.05): P(X >= 24) < 1e-4.
    import sys

    import numpy as np

    sys.path.insert(0, str(_PATH.parent))
    try:
        from calibration_auditors_drivers import auditor_rows
    finally:
        sys.path.remove(str(_PATH.parent))
    table = auditor_rows(np.random.default_rng([2028, 0]), quick=True)
    assert len(table) == 4
    assert all(r["coverage"] >= 0.90 for r in table if r["coverage"] == r["coverage"])
    assert all(r["false_positive_rate"] <= 0.12 for r in table)
