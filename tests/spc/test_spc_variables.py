import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import spc
from reference.spc_data import PISTON_RINGS, PISTON_RINGS_VARIABLE_N, TABLE_9_1, frame

from qainsights.spc import i_mr_chart, xbar_r_chart, xbar_s_chart

OBS = ["x1", "x2", "x3", "x4", "x5"]


@pytest.fixture
def rings():
    """Montgomery Table 6.3 (qcc `pistonrings`) in long format: one row per measurement."""
    wide = frame(PISTON_RINGS)
    long = wide.melt(id_vars=["sample", "trial"], value_vars=OBS, value_name="diameter")
    return long.sort_values(["sample", "variable"], ignore_index=True)


def by_rule(signals):
    return {rule: group["subgroup"].tolist() for rule, group in signals.groupby("rule")}


def test_xbar_r_phase_one(rings):
    # tests/reference/spc.md 3.2 A (qcc 2.7): x-double-bar, R-bar; with exact d2 sigma, x-bar
    # limits as qcc's (7 digits), R chart LCL 0 and UCL = D4 R-bar (qcc's rounded d2 gives a
    # slightly different UCL).
    chart = xbar_r_chart(rings[rings["trial"]], values="diameter", subgroup="sample")
    mean, spread = chart.location, chart.spread
    assert mean.limits["center"][0] == pytest.approx(spc.PISTON_CENTER, abs=5e-6)
    assert mean.limits["sigma"][0] == pytest.approx(spc.PISTON_SIGMA_WITHIN_EXACT_D2, rel=1e-6)
    assert mean.limits["sigma_method"][0] == "R-bar/d2"
    assert [mean.table["lcl"][0], mean.table["ucl"][0]] == pytest.approx(
        spc.PISTON_XBAR_LIMITS["UWAVE-R"], rel=1e-9, abs=5e-6
    )
    assert spread.table["center"][0] == pytest.approx(spc.PISTON_R_BAR, rel=1e-9)
    assert spread.table["lcl"][0] == 0.0
    assert spread.table["ucl"][0] == pytest.approx(spc.PISTON_R_CHART_UCL["exact"], rel=1e-6)
    assert spread.table["ucl"][0] == pytest.approx(spc.PISTON_R_CHART_UCL["qcc"], rel=2e-5)
    assert chart.signals.empty
    assert list(chart.table.columns[:3]) == ["chart", "subgroup", "stage"]
    assert chart.table["chart"].unique().tolist() == ["xbar", "r"]


def test_xbar_phase_two_rules(rings):
    # 3.2 B: samples 26-40 judged against the phase-I limits. qcc 3.0 rule by rule:
    # WE R1 = 37, 38, 39; R2 = 35, 37-40; R3 = 35, 38, 39, 40; R4 none.
    # Nelson N1 = 37-39; N5 = 35, 37-40; N6 = 35, 38-40; the rest none. R chart: none beyond.
    we = xbar_r_chart(rings, values="diameter", subgroup="sample", baseline="trial")
    assert by_rule(we.location.signals) == {
        "we1": [37, 38, 39],
        "we2": [35, 37, 38, 39, 40],
        "we3": [35, 38, 39, 40],
    }
    assert we.spread.signals.empty
    nelson = xbar_r_chart(
        rings, values="diameter", subgroup="sample", baseline="trial", rules="nelson"
    )
    assert by_rule(nelson.location.signals) == {
        "nelson1": [37, 38, 39],
        "nelson5": [35, 37, 38, 39, 40],
        "nelson6": [35, 38, 39, 40],
    }
    means = nelson.location.table.query("subgroup >= 26")["value"].round(4).tolist()
    assert means == list(spc.PISTON_PHASE_TWO_MEANS)
    # qcc 2.7 (run length 7): beyond 37, 38, 39 and a run of 7 above the CL at 40.
    run = xbar_r_chart(
        rings, values="diameter", subgroup="sample", baseline="trial", rules=["we1"]
    ).location
    assert run.signals["subgroup"].tolist() == [37, 38, 39]
    assert (run.table.query("subgroup >= 34")["z"] > 0).all()


def test_xbar_s_estimators(rings):
    # 3.2 C (qcc 2.7): UWAVE-SD and RMSDF sigma and x-bar limits; S chart (s-bar/c4).
    phase_one = rings[rings["trial"]]
    sbar = xbar_s_chart(phase_one, values="diameter", subgroup="sample")
    assert sbar.location.limits["sigma"][0] == pytest.approx(spc.PISTON_SIGMA["UWAVE-SD"], rel=1e-6)
    assert [sbar.location.table["lcl"][0], sbar.location.table["ucl"][0]] == pytest.approx(
        spc.PISTON_XBAR_LIMITS["UWAVE-SD"], abs=5e-6
    )
    s_chart = spc.PISTON_S_CHART
    assert sbar.spread.table["center"][0] == pytest.approx(s_chart["center"], rel=1e-6)
    assert sbar.spread.table["lcl"][0] == s_chart["lcl"]
    assert sbar.spread.table["ucl"][0] == pytest.approx(s_chart["ucl"], rel=1e-6)
    pooled = xbar_s_chart(phase_one, values="diameter", subgroup="sample", method="pooled")
    assert pooled.location.limits["sigma"][0] == pytest.approx(spc.PISTON_SIGMA["RMSDF"], rel=1e-6)
    assert [pooled.location.table["lcl"][0], pooled.location.table["ucl"][0]] == pytest.approx(
        spc.PISTON_XBAR_LIMITS["RMSDF"], abs=5e-6
    )


def test_variable_subgroup_sizes(rings):
    # 3.2 D (qcc 2.7): x4, x5 of samples 3, 6, 14 missing -> n = 3 there. x-double-bar
    # (n-weighted); sigma (mean R_i/d2(n_i), qcc's d2 table); limits for n = 5 and n = 3. S chart
    # (UWAVE-SD sigma): qcc centres at the n-weighted s-bar and has a UCL per n, so its
    # half-widths 3 sigma sqrt(1 - c4^2) are UCL - CL.
    expected = spc.PISTON_VARIABLE_N
    drop = rings["sample"].isin([3, 6, 14]) & rings["variable"].isin(["x4", "x5"])
    data = rings[~drop & rings["trial"]]
    chart = xbar_r_chart(data, values="diameter", subgroup="sample")
    table = chart.location.table.set_index("subgroup")
    assert chart.location.limits["center"][0] == pytest.approx(expected["center"], abs=5e-5)
    assert table.loc[1, "n"] == 5
    assert table.loc[3, "n"] == 3
    assert [table.loc[1, "lcl"], table.loc[1, "ucl"]] == pytest.approx(
        expected["xbar_limits"][5], abs=2e-5
    )
    assert [table.loc[3, "lcl"], table.loc[3, "ucl"]] == pytest.approx(
        expected["xbar_limits"][3], abs=2e-5
    )
    s_chart = xbar_s_chart(data, values="diameter", subgroup="sample").spread.table
    s_chart = s_chart.set_index("subgroup")
    half_width = s_chart["ucl"] - s_chart["center"]
    for n, subgroup in ((5, 1), (3, 3)):
        qcc_half_width = expected["s_ucl"][n] - expected["s_center"]
        assert half_width[subgroup] == pytest.approx(qcc_half_width, rel=1e-6)


def test_table_6_4_grand_mean():
    # 3.2 F (qicharts2 tbl_06.04): the n-weighted grand mean.
    obs = frame(PISTON_RINGS_VARIABLE_N)
    long = obs.assign(x=obs["obs"].str.split(";")).explode("x")
    chart = xbar_s_chart(long, values="x", subgroup="sample", rules="nelson")
    assert chart.location.limits["center"][0] == pytest.approx(
        spc.PISTON_TABLE_6_4["center"], abs=5e-6
    )
    assert sorted(chart.location.table["n"].unique()) == [3, 4, 5]
    assert chart.signals.empty  # qicharts2: no signals


def test_individuals_table_9_1():
    # 3.9: Montgomery Table 9.1 as an I chart (qicharts2, screened, d2 = 1.128): CL 10.315,
    # limits; exact d2 scales the half-width by 1.128 / exact d2(2).
    # Anhøj: longest run 8 (limit 8), crossings 13 (limit 10), no runs signal.
    data = frame(TABLE_9_1)
    chart = i_mr_chart(data, values="x", subgroup="sample", screened=True)
    row = chart.location.table.iloc[0]
    assert row["center"] == pytest.approx(spc.TABLE_9_1_I_CHART["center"], rel=1e-9)
    half_width = (
        (spc.TABLE_9_1_I_CHART["ucl"] - spc.TABLE_9_1_I_CHART["center"])
        * spc.QCC_D2[2]
        / spc.chart_constant("d2", 2)
    )
    assert row["ucl"] == pytest.approx(spc.TABLE_9_1_I_CHART["center"] + half_width, rel=1e-6)
    assert row["lcl"] == pytest.approx(spc.TABLE_9_1_I_CHART["center"] - half_width, rel=1e-5)
    # qicharts2 finds no point beyond the limits; Western Electric rule 4 does see the shift:
    # samples 23-30 (12.29, 11.5, 10.6, 11.08, 10.38, 11.62, 11.31, 10.52) all exceed 10.315.
    assert chart.location.signals[["subgroup", "rule", "start"]].to_numpy().tolist() == [
        [30, "we4", 23]
    ]
    runs = chart.location.runs.iloc[0]
    assert runs[["longest_run", "longest_run_max", "crossings", "crossings_min"]].tolist() == [
        8,
        8,
        13,
        10,
    ]
    # MR chart: centre MR-bar, UCL = D4(2) MR-bar (3.17), LCL 0.
    moving = chart.spread.table
    mr_bar = np.abs(np.diff(data["x"])).mean()
    assert np.isnan(moving["value"][0])
    d4 = spc.chart_constant("D4", 2)
    assert moving["ucl"][1] == pytest.approx(d4 * chart.spread.table["center"][1], rel=1e-6)
    assert moving["lcl"][1] == 0.0
    unscreened = i_mr_chart(data, values="x", subgroup="sample")
    assert unscreened.spread.table["center"][1] == pytest.approx(mr_bar, rel=1e-12)


def test_moving_range_stops_at_stage_breaks():
    x = [1.0, 2.0, 1.0, 11.0, 12.0, 11.0]
    chart = i_mr_chart(values=x, breaks=[4], rules=None)
    assert np.isnan(chart.spread.table["value"][3])
    assert chart.location.limits["sigma"].tolist() == pytest.approx([np.sqrt(np.pi) / 2] * 2)


@settings(max_examples=25, deadline=None)
@given(
    scale=st.floats(0.01, 100),
    shift=st.floats(-1e3, 1e3),
    seed=st.integers(0, 1000),
)
def test_limits_scale_and_shift_with_data(scale, shift, seed):
    x = np.random.default_rng(seed).normal(size=20)
    base = i_mr_chart(values=x, rules="nelson").location
    moved = i_mr_chart(values=x * scale + shift, rules="nelson").location
    np.testing.assert_allclose(
        moved.table["center"],
        base.table["center"] * scale + shift,
        rtol=1e-9,
        atol=1e-9 * (abs(shift) + 1),
    )
    np.testing.assert_allclose(moved.table["sigma"], base.table["sigma"] * scale, rtol=1e-9)
    np.testing.assert_allclose(moved.table["z"], base.table["z"], rtol=1e-6, atol=1e-6)


def test_input_not_mutated(rings):
    before = rings.copy()
    xbar_r_chart(rings, values="diameter", subgroup="sample", baseline="trial", exclude=[3])
    xbar_s_chart(rings, values="diameter", subgroup="sample", method="pooled")
    i_mr_chart(rings.drop_duplicates("sample"), values="diameter", subgroup="sample")
    pd.testing.assert_frame_equal(rings, before)


def test_bad_inputs(rings):
    with pytest.raises(
        ValueError,
        match=r"xbar_r_chart needs at least 2 observations per subgroup; "
        r"1 subgroup\(s\) have 1: 41\. Use i_mr_chart",
    ):
        xbar_r_chart(values=[1.0, 2.0, 3.0], subgroup=[1, 1, 41])
    with pytest.raises(
        ValueError,
        match=r"The 'method' parameter of xbar_s_chart must be one of "
        r"'sbar', 'pooled'\. Got 'range' instead\.",
    ):
        xbar_s_chart(rings, values="diameter", subgroup="sample", method="range")
    with pytest.raises(ValueError, match=r"The 'sigma' parameter of i_mr_chart must be a positive"):
        i_mr_chart(values=[1.0, 2.0], sigma=0.0)
    with pytest.raises(
        ValueError,
        match=r"xbar_s_chart found 1 missing or non-numeric value\(s\) "
        r"in 'diameter', in subgroup\(s\) 1\.",
    ):
        xbar_s_chart(
            rings.assign(diameter=rings["diameter"].mask(rings.index == 0)),
            values="diameter",
            subgroup="sample",
        )
    with pytest.raises(TypeError, match=r"The 'stage' parameter of xbar_r_chart must be a column"):
        xbar_r_chart(rings, values="diameter", subgroup="sample", stage=[1, 2])
    with pytest.raises(ValueError, match=r"i_mr_chart found 2 rows sharing a subgroup key: 1\."):
        i_mr_chart(values=[1.0, 2.0, 3.0], subgroup=[1, 1, 2])


def test_single_point_warns():
    with pytest.warns(
        UserWarning,
        match=r"i_mr_chart: no control limits for 1 stage\(s\) "
        r"\(1\) because fewer than two baseline points",
    ):
        chart = i_mr_chart(values=[5.0])
    assert np.isnan(chart.location.table["ucl"][0])


def test_constant_series_warns_and_never_signals():
    with pytest.warns(UserWarning, match="no variation between consecutive points"):
        chart = i_mr_chart(values=[1.0] * 12, rules="nelson")
    assert chart.signals.empty
