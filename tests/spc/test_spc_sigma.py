import numpy as np
import pytest
from reference import spc
from reference.spc_data import PISTON_RINGS, TABLE_9_1, frame

from qainsights.spc.sigma import (
    sigma_moving_range,
    sigma_overall,
    sigma_pooled,
    sigma_range,
    sigma_sbar,
)

OBS = ["x1", "x2", "x3", "x4", "x5"]


@pytest.fixture
def phase_one():
    return frame(PISTON_RINGS).iloc[:25][OBS].to_numpy()


def test_piston_rings_estimators(phase_one):
    # tests/reference/spc.md 3.2 A and C (qcc 2.7 `qcc(type="xbar", std.dev=...)`):
    # R-bar/d2 with exact constants (qcc's 3-decimal d2 table gives UWAVE-R), UWAVE-SD s-bar/c4,
    # RMSDF (pooled, unbiased).
    ranges = np.ptp(phase_one, axis=1)
    sds = phase_one.std(axis=1, ddof=1)
    assert ranges.mean() == pytest.approx(spc.PISTON_R_BAR, rel=1e-9)
    assert sigma_range(ranges, 5) == pytest.approx(spc.PISTON_SIGMA_WITHIN_EXACT_D2, rel=1e-6)
    qcc_sigma = sigma_range(ranges, 5) * spc.chart_constant("d2", 5) / spc.QCC_D2[5]
    assert qcc_sigma == pytest.approx(spc.PISTON_SIGMA["UWAVE-R"], rel=2e-7)
    assert sigma_sbar(sds, 5) == pytest.approx(spc.PISTON_SIGMA["UWAVE-SD"], rel=1e-6)
    assert sds.mean() == pytest.approx(spc.PISTON_S_CHART["center"], rel=1e-6)
    assert sigma_pooled(sds, 5) == pytest.approx(spc.PISTON_SIGMA["RMSDF"], rel=1e-6)
    # qcc 3.0 processCapability: sigma_overall = sd(x) over the 125 values.
    assert sigma_overall(phase_one) == pytest.approx(spc.PISTON_SIGMA_OVERALL, rel=1e-6)


def test_variable_n_range(phase_one):
    # 3.2 D (qcc 2.7): x4 and x5 of samples 3, 6, 14 missing -> mean of R_i/d2(n_i)
    # with qcc's d2 table (d2(3) = 1.693, d2(5) = 2.326); rescaled here to exact constants.
    data = phase_one.copy()
    data[[2, 5, 13], 3:] = np.nan
    n = np.isfinite(data).sum(axis=1)
    ranges = np.nanmax(data, axis=1) - np.nanmin(data, axis=1)
    qcc_table = np.where(n == 5, spc.QCC_D2[5], spc.QCC_D2[3])
    qcc_sigma = np.mean(ranges / qcc_table)
    assert qcc_sigma == pytest.approx(
        spc.PISTON_VARIABLE_N["sigma"], rel=1e-6
    )  # reproduces qcc from its own table
    assert sigma_range(ranges, n) == pytest.approx(spc.PISTON_VARIABLE_N["sigma"], rel=2e-4)
    exact_d2 = np.where(n == 5, spc.chart_constant("d2", 5), spc.chart_constant("d2", 3))
    exact = np.mean(ranges / exact_d2)
    assert sigma_range(ranges, n) == pytest.approx(exact, rel=1e-6)


def test_pooled_variable_n_matches_qicharts2():
    # 3.2 F (qicharts2 tbl_06.04): pooled s (uncorrected).
    from reference.spc_data import PISTON_RINGS_VARIABLE_N

    obs = frame(PISTON_RINGS_VARIABLE_N)["obs"].str.split(";")
    values = [np.array(v, dtype=float) for v in obs]
    sds = np.array([v.std(ddof=1) for v in values])
    n = np.array([v.size for v in values])
    assert sigma_pooled(sds, n, unbiased=False) == pytest.approx(
        spc.PISTON_TABLE_6_4["pooled_s"], rel=1e-6
    )


def test_moving_range_table_9_1():
    # Montgomery Table 9.1 as an I chart (qicharts2, screened MR, d2 = 1.128): CL 10.315,
    # limits -> sigma = (UCL - CL) / 3 with d2 = 1.128.
    x = frame(TABLE_9_1)["x"].to_numpy()
    qicharts2_sigma = (spc.TABLE_9_1_I_CHART["ucl"] - spc.TABLE_9_1_I_CHART["center"]) / 3
    assert sigma_moving_range(x, screened=True) == pytest.approx(
        qicharts2_sigma * spc.QCC_D2[2] / spc.chart_constant("d2", 2), rel=2e-5
    )
    # By hand: MR-bar / (2 / sqrt(pi)).
    assert sigma_moving_range(x) == pytest.approx(np.abs(np.diff(x)).mean() * np.sqrt(np.pi) / 2)


def test_moving_range_screening_drops_large_ranges():
    # Nelson (1982): ranges above 3.267 MR-bar are dropped before averaging.
    x = np.array([1.0, 1.1, 0.9, 1.0, 1.2, 1.0, 1.1, 9.0])
    kept = np.array([0.1, 0.2, 0.1, 0.2, 0.2, 0.1])
    assert sigma_moving_range(x, screened=True) == pytest.approx(kept.mean() * np.sqrt(np.pi) / 2)


def test_missing_value_breaks_moving_range():
    # Ranges touching a gap are not formed: [1, 3, nan, 10, 11] -> ranges 2 and 1.
    x = [1.0, 3.0, np.nan, 10.0, 11.0]
    assert sigma_moving_range(x) == pytest.approx(1.5 * np.sqrt(np.pi) / 2)


def test_overall_is_numpy_std():
    rng = np.random.default_rng(1)
    x = rng.normal(size=50)
    assert sigma_overall(x) == pytest.approx(np.std(x, ddof=1))


def test_constant_n_forms():
    # With equal n, the averaged forms reduce to R-bar/d2 and s-bar/c4 (Montgomery 6.2, 6.3).
    ranges = np.array([0.03, 0.02, 0.025])
    d2, c4 = spc.chart_constant("d2", 5), spc.chart_constant("c4", 5)
    assert sigma_range(ranges, [5, 5, 5]) == pytest.approx(ranges.mean() / d2, rel=1e-6)
    sds = np.array([0.01, 0.008, 0.012])
    assert sigma_sbar(sds, 5) == pytest.approx(sds.mean() / c4, rel=1e-6)
    pooled = np.sqrt(np.mean(sds**2))
    assert sigma_pooled(sds, 5, unbiased=False) == pytest.approx(pooled)


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"sigma_moving_range needs at least 2 finite value\(s\)"):
        sigma_moving_range([1.0])
    with pytest.raises(ValueError, match="every pair has a missing value"):
        sigma_moving_range([1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match=r"sigma_overall needs at least 2 finite value\(s\) in "):
        sigma_overall([np.nan, 3.0])
    with pytest.raises(
        ValueError, match=r"sigma_range needs at least 1 finite value\(s\) in 'ranges'"
    ):
        sigma_range([], 5)
    with pytest.raises(
        ValueError, match=r"The 'sds' parameter of sigma_sbar must hold non-negative"
    ):
        sigma_sbar([0.1, -0.2], 5)
    with pytest.raises(ValueError, match=r"The 'n' parameter of d2 must be subgroup sizes"):
        sigma_range([0.1, 0.2], [5, 1])


def test_inputs_not_mutated(phase_one):
    before = phase_one.copy()
    sigma_overall(phase_one)
    sigma_moving_range(phase_one[:, 0])
    np.testing.assert_array_equal(phase_one, before)
