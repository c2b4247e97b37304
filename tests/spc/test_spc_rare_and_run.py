import numpy as np
import pandas as pd
import pytest
from reference import spc
from reference.spc_data import CABG_DAYS_BETWEEN_DEATHS, CABG_SURGERIES_BETWEEN_DEATHS

from qainsights.spc import g_chart, run_chart, t_chart

# tests/reference/spc.md 3.11 (qicharts2 `cabg`): surgeries (dd) and days (dt) between deaths;
# the first value is NA, so the 67 gaps are points 2-68.
SURGERIES = list(CABG_SURGERIES_BETWEEN_DEATHS)
DAYS = list(CABG_DAYS_BETWEEN_DEATHS)
POINTS = range(2, 69)


def test_g_chart_matches_qicharts2():
    # CL = median 24; LCL 0; UCL = g-bar + 3 sqrt(g-bar (g-bar + 1)); signal at 25;
    # Anhøj on 65 useful points: longest 4 (limit 9), crossings 34 (limit 25).
    chart = g_chart(values=SURGERIES, subgroup=POINTS)
    row = chart.table.iloc[0]
    assert row["center"] == 24
    assert row["lcl"] == 0.0
    assert row["ucl"] == pytest.approx(spc.CABG_G_UCL, rel=1e-6)
    assert chart.signals[["subgroup", "rule"]].to_numpy().tolist() == [[25, "we1"]]
    runs = chart.runs.iloc[0]
    assert runs[
        ["n_useful", "longest_run", "longest_run_max", "crossings", "crossings_min"]
    ].tolist() == [65, 4, 9, 34, 25]
    # Second source, by hand: the mean gap is 2122 / 67.
    g_bar = np.mean(SURGERIES)
    assert chart.limits["center"][0] == pytest.approx(g_bar)
    assert row["ucl"] == pytest.approx(g_bar + 3 * np.sqrt(g_bar * (g_bar + 1)))


def test_t_chart_matches_qicharts2():
    # qicharts2 (screened MR, d2 = 1.128): CL, LCL and UCL, signal 25. On the transformed scale
    # y = t^(1/3.6) the half-width scales by 1.128 / exact d2(2).
    chart = t_chart(values=DAYS, subgroup=POINTS, rules="limits")
    row = chart.table.iloc[0]
    assert row["center"] == pytest.approx(spc.CABG_T_CHART["center"], rel=1e-6)
    y_bar = spc.CABG_T_CHART["center"] ** (1 / 3.6)
    ratio = spc.QCC_D2[2] / spc.chart_constant("d2", 2)
    upper = (y_bar + (spc.CABG_T_CHART["ucl"] ** (1 / 3.6) - y_bar) * ratio) ** 3.6
    lower = (y_bar - (y_bar - spc.CABG_T_CHART["lcl"] ** (1 / 3.6)) * ratio) ** 3.6
    assert row["ucl"] == pytest.approx(upper, rel=1e-5)
    assert row["lcl"] == pytest.approx(lower, rel=1e-4)
    assert chart.signals["subgroup"].tolist() == [25]


def test_run_chart_reference_and_semantics():
    # Derivation with Anhøj's limits (3.16, n = 20: longest run max 7, min crossings 6): an
    # increasing series has 10 points below its median and 10 above, one crossing. Both runs
    # exceed 7 and each is reported; the crossings rule fires at the last point.
    chart = run_chart(values=np.arange(1.0, 21.0))
    runs = chart.runs.iloc[0]
    assert runs[
        ["n_useful", "longest_run", "longest_run_max", "crossings", "crossings_min"]
    ].tolist() == [20, 10, 7, 1, 6]
    assert chart.signals[["subgroup", "rule", "start"]].to_numpy().tolist() == [
        [10, "anhoj_runs", 1],
        [20, "anhoj_runs", 11],
        [20, "anhoj_crossings", 1],
    ]
    assert chart.table[["lcl", "ucl", "sigma", "z"]].isna().all().all()
    assert chart.table["center"].unique().tolist() == [10.5]


def test_bad_inputs_and_no_mutation():
    data = pd.DataFrame({"gap": SURGERIES})
    before = data.copy()
    g_chart(data, values="gap")
    t_chart(data, values="gap")
    run_chart(data, values="gap")
    pd.testing.assert_frame_equal(data, before)
    with pytest.raises(
        ValueError,
        match=r"g_chart found 1 negative gap\(s\) between events, at "
        r"subgroup\(s\) 2\. Pass counts or times since the previous event",
    ):
        g_chart(values=[3, -1, 4])
    with pytest.raises(
        ValueError,
        match=r"The 'rules' parameter of run_chart must name Anhøj's "
        r"rules .* Got 'we1' instead\.",
    ):
        run_chart(values=[1.0, 2.0, 3.0], rules="limits")
