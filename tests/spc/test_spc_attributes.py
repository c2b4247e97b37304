import math

import numpy as np
import pandas as pd
import pytest
from reference import spc
from reference.spc_data import (
    CIRCUIT_BOARDS,
    ORANGE_JUICE,
    ORANGE_JUICE_2,
    PC_MANUFACTURE,
    frame,
)

from qainsights.spc import c_chart, np_chart, p_chart, u_chart


def lowest_rule_per_point(signals):
    """qcc 3.0 prints one rule per point, the lowest-numbered one."""
    number = signals["rule"].str.extract(r"(\d+)$")[0].astype(int)
    return signals.assign(number=number).groupby("subgroup")["number"].min().to_dict()


@pytest.fixture
def juice():
    return frame(ORANGE_JUICE)


@pytest.fixture
def phase_one(juice):
    return juice[juice["trial"]]


def test_orange_juice_phase_one(phase_one):
    # tests/reference/spc.md 3.1 A (qcc 2.7 = qcc 3.0 = qicharts2 = shewhart).
    chart = p_chart(phase_one, defects="D", n="size", subgroup="sample")
    row = chart.table.iloc[0]
    assert row["center"] == pytest.approx(spc.JUICE_PHASE_ONE["center"], rel=1e-6)
    assert row["sigma"] == pytest.approx(spc.JUICE_PHASE_ONE["sigma"], rel=1e-6)
    assert row["lcl"] == pytest.approx(spc.JUICE_PHASE_ONE["lcl"], rel=1e-6)
    assert row["ucl"] == pytest.approx(spc.JUICE_PHASE_ONE["ucl"], rel=1e-6)
    # qcc 2.7 std.dev = sqrt(p-bar (1 - p-bar)) is the per-unit sigma.
    assert chart.limits["sigma"][0] == pytest.approx(spc.JUICE_QCC27_STD_DEV, rel=1e-6)
    assert chart.signals.query("rule == 'we1'")["subgroup"].tolist() == [15, 23]
    # qcc 3.0 Western Electric, one rule per point: 15:R1, 22:R2, 23:R1, 24:R3.
    assert lowest_rule_per_point(chart.signals) == {15: 1, 22: 2, 23: 1, 24: 3}
    nelson = p_chart(phase_one, defects="D", n="size", subgroup="sample", rules="nelson")
    assert lowest_rule_per_point(nelson.signals) == {15: 1, 22: 5, 23: 1, 24: 6}
    # qicharts2 Anhøj: 30 useful, longest run 4 (limit 8), crossings 15 (limit 10).
    runs = chart.runs.iloc[0]
    assert runs[
        ["n_useful", "longest_run", "longest_run_max", "crossings", "crossings_min"]
    ].tolist() == [30, 4, 8, 15, 10]
    assert not runs["runs_signal"]


def test_orange_juice_np_chart(phase_one):
    # 3.1 A, qcc 2.7 np chart: CL, sigma and limits.
    chart = np_chart(phase_one, defects="D", n="size", subgroup="sample", rules="limits")
    row = chart.table.iloc[0]
    assert row["center"] == pytest.approx(spc.JUICE_NP["center"], rel=1e-6)
    assert row["sigma"] == pytest.approx(spc.JUICE_NP["sigma"], rel=1e-6)
    assert row["lcl"] == pytest.approx(spc.JUICE_NP["lcl"], rel=1e-6)
    assert row["ucl"] == pytest.approx(spc.JUICE_NP["ucl"], rel=1e-6)
    assert chart.signals["subgroup"].tolist() == [15, 23]


def test_orange_juice_laney(phase_one):
    # 3.1 A: shewhart sigma_z and UCL (exact d2); qicharts2 `pp` (screened, d2 = 1.128) gives
    # its UCL = centre + (shewhart half-width) * exact d2(2) / 1.128.
    chart = p_chart(phase_one, defects="D", n="size", subgroup="sample", laney=True)
    assert chart.chart == "laney_p"
    assert chart.limits["sigma_z"][0] == pytest.approx(spc.JUICE_LANEY["sigma_z"], rel=1e-6)
    assert chart.table["ucl"][0] == pytest.approx(spc.JUICE_LANEY["ucl"], rel=1e-6)
    assert chart.table["lcl"][0] == 0.0
    center = chart.table["center"][0]
    d2_ratio = spc.chart_constant("d2", 2) / spc.QCC_D2[2]
    qicharts2 = center + (chart.table["ucl"][0] - center) * d2_ratio
    assert qicharts2 == pytest.approx(spc.JUICE_LANEY["ucl_qicharts2"], rel=1e-6)
    # No moving range of these z-scores exceeds 3.267 MR-bar, so screening changes nothing.
    screened = p_chart(
        phase_one, defects="D", n="size", subgroup="sample", laney=True, screened=True
    )
    assert screened.table["ucl"][0] == pytest.approx(spc.JUICE_LANEY["ucl"], rel=1e-6)
    assert not chart.table["signal"].any()


def test_revised_limits_and_phase_two(juice):
    # 3.1 B: 15 and 23 excluded -> revised p-bar, sigma and limits.
    revised = {"defects": "D", "n": "size", "subgroup": "sample", "baseline": "trial"}
    chart = p_chart(juice, **revised, exclude=[15, 23], rules="western_electric")
    row = chart.table.iloc[0]
    assert row["center"] == pytest.approx(spc.JUICE_REVISED["center"], rel=1e-9)
    assert row["sigma"] == pytest.approx(spc.JUICE_REVISED["sigma"], rel=1e-6)
    assert row["lcl"] == pytest.approx(spc.JUICE_REVISED["lcl"], rel=1e-6)
    assert row["ucl"] == pytest.approx(spc.JUICE_REVISED["ucl"], rel=1e-6)
    assert chart.limits["n_subgroups"][0] == 28
    # qicharts2 still plots and judges excluded points: 15, 21 and 23 beyond (phase I); qcc 2.7
    # phase II beyond = 41.
    beyond = chart.signals.query("rule == 'we1'")["subgroup"].tolist()
    assert beyond == [15, 21, 23, 41]
    # qcc 3.0 WE on phase I + phase II after dropping 15 and 23 (excluded points take part in
    # no run here): 21:R1, 22:R2, 36:R3, 37:R3, 38:R2, 39:R3, 40:R3, 41:R1, 42:R2, 43:R2,
    # 44-46:R3, 47:R4, 48-54:R3.
    expected = {
        21: 1,
        22: 2,
        36: 3,
        37: 3,
        38: 2,
        39: 3,
        40: 3,
        41: 1,
        42: 2,
        43: 2,
        44: 3,
        45: 3,
        46: 3,
        47: 4,
        **dict.fromkeys(range(48, 55), 3),
    }
    kept = chart.signals[~chart.signals["subgroup"].isin([15, 23])]
    assert lowest_rule_per_point(kept) == expected
    nelson = p_chart(juice, **revised, exclude=[15, 23], rules="nelson")
    kept = nelson.signals[~nelson.signals["subgroup"].isin([15, 23])]
    expected = {
        21: 1,
        22: 5,
        36: 6,
        37: 6,
        38: 5,
        39: 6,
        40: 6,
        41: 1,
        **dict.fromkeys(range(42, 55), 2),
    }
    assert lowest_rule_per_point(kept) == expected
    # 3.1 C phase-II p values.
    phase_two = chart.table.loc[chart.table["subgroup"] >= 31, "value"].round(2).tolist()
    assert phase_two[:6] == [0.18, 0.12, 0.24, 0.10, 0.12, 0.08]
    assert not chart.table.loc[chart.table["subgroup"] >= 31, "baseline"].any()


def test_anhoj_on_included_points(juice):
    # 3.1 B, qicharts2 exclude=c(15,23) on samples 1-30: longest 5 (limit 8), crossings 13 (9).
    phase_one = juice[juice["trial"]]
    chart = p_chart(phase_one, defects="D", n="size", subgroup="sample", exclude=[15, 23])
    runs = chart.runs.iloc[0]
    assert runs[
        ["n_useful", "longest_run", "longest_run_max", "crossings", "crossings_min"]
    ].tolist() == [28, 5, 8, 13, 9]


def test_new_limits_after_adjustment():
    # 3.1 D, qcc `orangejuice2`: phase I = 31-54: p-bar, LCL 0 (raw value negative), UCL;
    # nothing beyond in 55-94.
    data = frame(ORANGE_JUICE_2)
    chart = p_chart(
        data, defects="D", n="size", subgroup="sample", baseline="trial", rules="limits"
    )
    row = chart.table.iloc[0]
    assert row["center"] == pytest.approx(spc.JUICE_2["center"], rel=1e-6)
    assert row["lcl"] == 0.0
    assert row["center"] - 3 * row["sigma"] < 0
    assert row["ucl"] == pytest.approx(spc.JUICE_2["ucl"], rel=1e-6)
    assert chart.signals.empty


def test_stages_with_breaks(juice):
    # 3.1 D, qicharts2 `exclude=c(15,23), part=30` on all 94 samples: part 1 as 3.1 B; part 2
    # (31-94) p-bar, LCL 0, UCL; Anhøj longest 7 (9), crossings 30 (25).
    later = frame(ORANGE_JUICE_2).query("sample > 54")
    data = pd.concat([juice, later], ignore_index=True)
    chart = p_chart(data, defects="D", n="size", subgroup="sample", breaks=[31], exclude=[15, 23])
    assert chart.limits["stage"].tolist() == [1, 2]
    assert chart.limits["center"].tolist() == pytest.approx(
        [spc.JUICE_REVISED["center"], spc.JUICE_PART_2["center"]], rel=1e-6
    )
    last = chart.table.iloc[-1]
    assert (last["stage"], last["lcl"]) == (2, 0.0)
    assert last["ucl"] == pytest.approx(spc.JUICE_PART_2["ucl"], rel=1e-5)
    runs = chart.runs.iloc[1]
    assert runs[["longest_run", "longest_run_max", "crossings", "crossings_min"]].tolist() == [
        7,
        9,
        30,
        25,
    ]
    # The same stages from a column of labels.
    labelled = data.assign(part=np.where(data["sample"] <= 30, "before", "after"))
    same = p_chart(
        labelled, defects="D", n="size", subgroup="sample", stage="part", exclude=[15, 23]
    )
    pd.testing.assert_series_equal(same.table["ucl"], chart.table["ucl"])


def test_circuit_boards_c_chart():
    # 3.3 (qcc 2.7): c-bar and limits, beyond 6 and 20.
    boards = frame(CIRCUIT_BOARDS)
    chart = c_chart(boards[boards["trial"]], defects="x", subgroup="sample", rules="limits")
    row = chart.table.iloc[0]
    assert row["center"] == pytest.approx(spc.BOARDS_PHASE_ONE["center"], rel=1e-6)
    assert row["lcl"] == pytest.approx(spc.BOARDS_PHASE_ONE["lcl"], rel=1e-6)
    assert row["ucl"] == pytest.approx(spc.BOARDS_PHASE_ONE["ucl"], rel=1e-6)
    assert chart.signals["subgroup"].tolist() == [6, 20]
    # Revised (6, 20 excluded): centre and limits; phase II 27-46 nothing beyond;
    # qcc 3.0 WE: sample 30 fires R4 (8 below the CL, carried over from 23-26).
    revised = c_chart(boards, defects="x", subgroup="sample", baseline="trial", exclude=[6, 20])
    row = revised.table.iloc[0]
    assert [row["center"], row["lcl"], row["ucl"]] == pytest.approx(
        [spc.BOARDS_REVISED["center"], spc.BOARDS_REVISED["lcl"], spc.BOARDS_REVISED["ucl"]],
        rel=1e-6,
    )
    phase_two = revised.signals[revised.signals["subgroup"] >= 27]
    assert phase_two[["subgroup", "rule", "start"]].to_numpy().tolist() == [[30, "we4", 23]]
    # qicharts2 exclude=c(6,20), freeze=26: n.useful 44, longest 8 (8), crossings 14 < 16.
    runs = revised.runs.iloc[0]
    assert runs[
        ["n_useful", "longest_run", "longest_run_max", "crossings", "crossings_min"]
    ].tolist() == [44, 8, 8, 14, 16]
    assert runs["runs_signal"]
    # As a u chart with n = 100.
    as_u = u_chart(
        boards, defects="x", n="size", subgroup="sample", baseline="trial", exclude=[6, 20]
    )
    row = as_u.table.iloc[0]
    assert [row["center"], row["lcl"], row["ucl"]] == pytest.approx(
        [spc.BOARDS_AS_U["center"], spc.BOARDS_AS_U["lcl"], spc.BOARDS_AS_U["ucl"]], rel=1e-6
    )


def test_pc_manufacture_u_chart():
    # 3.4 (qcc 2.7 `pcmanufact`): u-bar and limits, none beyond.
    data = frame(PC_MANUFACTURE)
    chart = u_chart(data, defects="x", n="size", rules="limits")
    row = chart.table.iloc[0]
    assert [row["center"], row["lcl"], row["ucl"]] == pytest.approx(
        [spc.PC_MANUFACTURE["center"], spc.PC_MANUFACTURE["lcl"], spc.PC_MANUFACTURE["ucl"]],
        rel=1e-6,
    )
    assert chart.signals.empty


def test_stair_step_limits_by_hand():
    # Derivation (Montgomery 7.2.2): p-bar = 30 / 600 = 0.05, limits 0.05 ± 3 sqrt(.0475 / n_i),
    # the LCL truncated at 0.
    chart = p_chart(defects=[5, 10, 15], n=[100, 200, 300], rules=None)
    n = np.array([100, 200, 300])
    np.testing.assert_allclose(chart.table["ucl"], 0.05 + 3 * np.sqrt(0.0475 / n))
    np.testing.assert_allclose(chart.table["lcl"], np.maximum(0, 0.05 - 3 * np.sqrt(0.0475 / n)))
    assert chart.table["lcl"][0] == 0.0
    # Known standard and sigma multiplier: p0 = 0.1, 2-sigma limits.
    known = p_chart(defects=[5, 10, 15], n=[100, 200, 300], center=0.1, nsigmas=2)
    np.testing.assert_allclose(known.table["ucl"], 0.1 + 2 * np.sqrt(0.09 / n))
    np.testing.assert_allclose(known.table["lcl"], 0.1 - 2 * np.sqrt(0.09 / n))


def test_ucl_capped_at_one():
    chart = p_chart(defects=[1, 1, 2], n=[2, 2, 2], rules="limits")
    assert chart.table["ucl"].max() == 1.0
    # A point exactly at the capped UCL (2 of 2) is not beyond it: comparisons are strict.
    assert chart.signals.empty


def test_zero_rate_warns_and_signals_nothing():
    with pytest.warns(
        UserWarning,
        match=r"p_chart: no control limits for 1 stage\(s\) \(1\) "
        r"because the baseline rate is 0 or 1",
    ):
        chart = p_chart(defects=[0, 0, 0], n=[50, 60, 70])
    assert chart.table["z"].isna().all()
    assert not chart.table["signal"].any()
    assert chart.table["ucl"].eq(0).all()


def test_laney_with_one_subgroup_warns():
    with pytest.warns(UserWarning, match="fewer than two subgroups for sigma_z"):
        chart = p_chart(defects=[5], n=[100], laney=True)
    assert np.isnan(chart.table["ucl"][0])


def test_arrays_and_frame_agree(phase_one):
    by_frame = p_chart(phase_one, defects="D", n="size", subgroup="sample")
    by_array = p_chart(defects=phase_one["D"], n=phase_one["size"], subgroup=phase_one["sample"])
    pd.testing.assert_frame_equal(by_frame.table, by_array.table)


def test_dates_as_subgroups_sorted():
    weeks = pd.to_datetime(["2024-01-15", "2024-01-01", "2024-01-08"])
    data = pd.DataFrame({"week": weeks, "errors": [3, 1, 2], "audits": [100, 100, 100]})
    chart = p_chart(data, defects="errors", n="audits", subgroup="week")
    assert chart.table["subgroup"].is_monotonic_increasing
    assert chart.table["value"].tolist() == [0.01, 0.02, 0.03]


def test_input_not_mutated(juice):
    before = juice.copy()
    p_chart(juice, defects="D", n="size", subgroup="sample", baseline="trial", exclude=[15])
    u_chart(juice, defects="D", n="size", subgroup="sample", laney=True)
    pd.testing.assert_frame_equal(juice, before)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"defects": [5, 60], "n": [50, 50]},
            ValueError,
            r"p_chart found 1 subgroup\(s\) with more defectives than the sample size: 2\. Each "
            r"subgroup needs a count between 0 and its size",
        ),
        (
            {"defects": [5, 6], "n": [50, 0]},
            ValueError,
            r"p_chart found 1 subgroup\(s\) with sizes of 0 or less in 'n': 2\.",
        ),
        (
            {"defects": [-1, 6], "n": [50, 50]},
            ValueError,
            r"p_chart found 1 subgroup\(s\) with negative counts in 'defects': 1\.",
        ),
        (
            {"defects": [np.nan, 6], "n": [50, 50]},
            ValueError,
            r"p_chart found 1 missing or non-numeric value\(s\) in 'defects', at subgroup\(s\) 1\. "
            r"Drop those rows or fill them",
        ),
        (
            {"defects": [1, 2], "n": [50, 50], "subgroup": [1, 1]},
            ValueError,
            r"p_chart found 2 rows sharing a subgroup key: 1\. Aggregate to one row per subgroup",
        ),
        ({"defects": [1, 2], "n": [50, 50, 50]}, ValueError, r"p_chart needs arrays of one length"),
        (
            {"defects": [1, 2], "n": [50, 50], "nsigmas": 0},
            ValueError,
            r"The 'nsigmas' parameter of p_chart must be a positive number",
        ),
        (
            {"defects": [1, 2], "n": [50, 50], "center": 1.5},
            ValueError,
            r"The 'center' parameter of p_chart must be a known standard strictly between 0 and 1, "
            r"or None to estimate it from the baseline\. Got 1\.5 instead\.",
        ),
        (
            {"defects": [1, 2], "n": [50, 50], "stage": [1, 2], "breaks": [2]},
            ValueError,
            r"p_chart takes 'stage' \(a label per subgroup\) or 'breaks'",
        ),
        (
            {"defects": [1, 2], "n": [50, 50], "baseline": [1, 0]},
            TypeError,
            r"The 'baseline' parameter of p_chart must be a boolean column or array",
        ),
        ({"defects": [1, 2]}, TypeError, r"p_chart needs the 'n' argument\(s\)\."),
        (
            {"defects": "D", "n": [50, 50]},
            TypeError,
            r"The 'defects' parameter of p_chart is a column name \('D'\) but 'data' is None",
        ),
        ({"defects": [], "n": []}, ValueError, r"p_chart needs at least one subgroup"),
        (
            {"defects": [1, 2], "n": [50, 50], "subgroup": [1.0, np.nan]},
            ValueError,
            r"p_chart found 1 row\(s\) without a subgroup key\. Every row needs one",
        ),
    ],
)
def test_bad_inputs(kwargs, error, match):
    with pytest.raises(error, match=match):
        p_chart(**kwargs)


def test_known_np():
    # Known n p = 5 with n = 50 -> p0 = 0.1: limits 5 ± 3 sqrt(50 * 0.1 * 0.9) (Montgomery 7.2.3).
    chart = np_chart(defects=[4, 6, 5], n=[50, 50, 50], center=5)
    assert chart.table["ucl"][0] == pytest.approx(5 + 3 * np.sqrt(4.5))
    with pytest.raises(
        ValueError,
        match=r"The 'center' parameter of np_chart is a known n p, "
        r"which needs one subgroup size and a value below it\. Got 60 with sizes "
        r"50\.",
    ):
        np_chart(defects=[4, 6, 5], n=[50, 50, 50], center=60)


def test_bad_frame_inputs(juice):
    with pytest.raises(ValueError, match=r"c_chart needs column 'defects' in 'data', which has "):
        c_chart(juice, defects="defects")
    with pytest.raises(TypeError, match=r"The 'data' parameter of np_chart must be a pandas"):
        np_chart([1, 2], defects="D", n="size")
    with pytest.raises(TypeError, match=r"The 'n' parameter of u_chart must be a column name"):
        u_chart(juice, defects="D", n=[1] * 54)


def binomial_tail(k, n, p):
    """P(X >= k) for X ~ Binomial(n, p), summed exactly."""
    return sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(int(k), n + 1))


def test_exact_binomial_limits():
    # Definition (qcc 2.7 confidence.level idea, Montgomery 7.2.4): the UCL count u is the
    # smallest count with P(X > u) <= Phi(-3) = 0.001349898; the LCL count l the smallest with
    # P(X <= l) >= 0.001349898. Checked with exact binomial sums.
    tail = 0.001349898
    chart = p_chart(defects=[1, 0, 2, 1, 0, 1], n=[20, 20, 20, 20, 20, 20], limits="exact")
    p_bar = 5 / 120
    upper = chart.table["ucl"][0] * 20
    assert upper == round(upper)
    assert binomial_tail(upper + 1, 20, p_bar) <= tail < binomial_tail(upper, 20, p_bar)
    assert chart.table["lcl"][0] == 0.0
    normal = p_chart(defects=[1, 0, 2, 1, 0, 1], n=[20] * 6)
    assert chart.table["ucl"][0] != normal.table["ucl"][0]
    # Lower limit for a larger rate: P(X < l) <= tail < P(X <= l).
    big = p_chart(defects=[60, 50, 55, 45], n=[100] * 4, limits="exact")
    lower = big.table["lcl"][0] * 100
    assert 1 - binomial_tail(lower, 100, 0.525) <= tail < 1 - binomial_tail(lower + 1, 100, 0.525)


def test_exact_poisson_limits():
    # c-bar = 2: P(X > u) <= tail < P(X >= u) with exact Poisson sums.
    tail = 0.001349898
    chart = c_chart(defects=[2, 1, 3, 2], limits="exact")
    upper = int(chart.table["ucl"][0])

    def above(k):
        return 1 - sum(math.exp(-2) * 2**j / math.factorial(j) for j in range(k))

    assert above(upper + 1) <= tail < above(upper)


def test_exact_limit_options():
    with pytest.raises(
        ValueError,
        match=r"The 'limits' parameter of u_chart must be one of "
        r"'normal', 'exact'\. Got 'poisson' instead\.",
    ):
        u_chart(defects=[1, 2], n=[3, 3], limits="poisson")
    with pytest.raises(ValueError, match=r"p_chart takes laney=True or limits='exact', not both"):
        p_chart(defects=[1, 2], n=[30, 30], laney=True, limits="exact")
