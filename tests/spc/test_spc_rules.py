import math

import numpy as np
import pandas as pd
import pytest
from reference import spc

from qainsights.spc import RULE_SETS, RULES, anhoj_limits, i_mr_chart
from qainsights.spc.rules import resolve_rules

# tests/reference/spc.md 3.15: synthetic series on an I chart with known CL = 0 and sigma = 1,
# results of qcc 3.0 (R/rules.R), hand-checked. Result: {index: rule number}.
SYNTHETIC = spc.SYNTHETIC_RULE_SERIES


def lowest_rule_per_point(signals):
    """qcc 3.0 reports one rule per point, the lowest-numbered one."""
    number = signals["rule"].str.extract(r"(\d+)$")[0].astype(int)
    return signals.assign(number=number).groupby("subgroup")["number"].min().to_dict()


@pytest.mark.parametrize("name", list(SYNTHETIC))
def test_synthetic_series_match_qcc_3(name):
    x, nelson, western = SYNTHETIC[name]
    for rules, expected in (("nelson", nelson), ("western_electric", western)):
        chart = i_mr_chart(values=x, center=0.0, sigma=1.0, rules=rules).location
        assert lowest_rule_per_point(chart.signals) == expected
        np.testing.assert_array_equal(
            chart.table.loc[chart.table["signal"], "subgroup"], sorted(expected)
        )


def test_windows_and_directions():
    # R2: nine points above the CL complete at 10 (points 2-10, 9 points); the WE 8-run
    # completes at 9 (points 2-9) and extends to 10 with the window starting at 2.
    x, _, _ = SYNTHETIC["R2"]
    chart = i_mr_chart(values=x, center=0.0, sigma=1.0, rules=["nelson2", "we4"]).location
    got = chart.signals[["subgroup", "rule", "start", "end", "direction"]].to_numpy().tolist()
    assert got == [[9, "we4", 2, 9, "up"], [10, "we4", 2, 10, "up"], [10, "nelson2", 2, 10, "up"]]
    # R3: a 6-point increasing trend covers points 2-7. R4: 14 alternating points complete at
    # 14 (window 1-14); point 15 extends the same run, whose window is then 1-15.
    trend = i_mr_chart(values=SYNTHETIC["R3"][0], center=0.0, sigma=1.0, rules="nelson3")
    assert trend.location.signals[["start", "end", "direction"]].to_numpy().tolist() == [
        [2, 7, "up"]
    ]
    alternating = i_mr_chart(values=SYNTHETIC["R4"][0], center=0.0, sigma=1.0, rules="nelson4")
    assert alternating.location.signals[["start", "end", "direction"]].to_numpy().tolist() == [
        [1, 14, "none"],
        [1, 15, "none"],
    ]
    low = i_mr_chart(values=[0, -3.5, 0], center=0.0, sigma=1.0, rules="we1").location
    assert low.signals["direction"].tolist() == ["down"]


def test_point_on_centre_line_breaks_run():
    # Strict comparisons: a point exactly on the CL is on neither side (qcc 3.0, 3.15).
    x = [0.4] * 4 + [0.0] + [0.4] * 4
    assert i_mr_chart(values=x, center=0.0, sigma=1.0, rules="we4").location.signals.empty
    assert len(i_mr_chart(values=[0.4] * 8, center=0.0, sigma=1.0, rules="we4").signals) == 1


def test_nsigmas_scales_zones():
    # With 2-sigma limits the zone unit is 2/3 sigma: 2 of 3 beyond 4/3 sigma fires WE2.
    x = [0, 1.4, 0, 1.5]
    chart = i_mr_chart(values=x, center=0.0, sigma=1.0, rules="we2", nsigmas=2).location
    assert chart.signals["subgroup"].tolist() == [4]
    assert i_mr_chart(values=x, center=0.0, sigma=1.0, rules="we2").location.signals.empty


# 3.16 (qicharts2 runs.analysis): n -> (longest run max, min crossings).
ANHOJ = spc.ANHOJ_LIMITS


def test_anhoj_limits_match_qicharts2_table():
    table = anhoj_limits(list(ANHOJ))
    assert table["longest_run_max"].tolist() == [v[0] for v in ANHOJ.values()]
    assert table["crossings_min"].tolist() == [v[1] for v in ANHOJ.values()]


@pytest.mark.parametrize("n", [10, 37, 100, 333])
def test_anhoj_crossings_is_binomial_fifth_percentile(n):
    # Derivation: the smallest c with P(Binomial(n - 1, 1/2) <= c) >= 0.05, summed exactly.
    cdf = np.cumsum([math.comb(n - 1, k) for k in range(n)]) / 2 ** (n - 1)
    assert anhoj_limits([n])["crossings_min"][0] == int(np.argmax(cdf >= 0.05))


def test_anhoj_rules_fire_on_long_run_and_few_crossings():
    # 12 useful points, limit round(log2 12) + 3 = 7: a run of 8 above fires anhoj_runs with
    # its window; 1 crossing < 3 fires anhoj_crossings on the last point.
    x = [-1, -1, -1, -1, 1, 1, 1, 1, 1, 1, 1, 1]
    chart = i_mr_chart(values=x, center=0.0, sigma=1.0, rules="anhoj").location
    got = chart.signals[["subgroup", "rule", "start", "end", "direction"]].to_numpy().tolist()
    assert got == [[12, "anhoj_runs", 5, 12, "up"], [12, "anhoj_crossings", 1, 12, "none"]]
    runs = chart.runs.iloc[0]
    assert (runs["n_useful"], runs["longest_run"], runs["crossings"]) == (12, 8, 1)
    assert bool(runs["runs_signal"])


def test_stable_process_false_alarm_rate():
    # A 3-sigma beyond-limits rule on N(0, 1) fires with probability 2 * Phi(-3) = 0.0027.
    rng = np.random.default_rng(20240601)
    x = rng.normal(size=40_000)
    chart = i_mr_chart(values=x, center=0.0, sigma=1.0, rules="we1").location
    rate = chart.table["signal"].mean()
    se = np.sqrt(0.0027 * (1 - 0.0027) / x.size)
    assert abs(rate - 0.0027) < 4 * se


def test_registry_and_sets():
    assert set(RULE_SETS["nelson"]) <= set(RULES)
    assert resolve_rules(["nelson1", "nelson", "anhoj_runs"], func="p_chart")[:2] == [
        "nelson1",
        "nelson2",
    ]
    assert resolve_rules(None, func="p_chart") == []
    chart = i_mr_chart(values=[0, 5, 0], center=0.0, sigma=1.0, rules=None).location
    assert chart.signals.empty
    assert not chart.table["signal"].any()
    assert list(chart.signals.columns) == [
        "subgroup",
        "rule",
        "start",
        "end",
        "direction",
        "description",
    ]


def test_unknown_rule_message():
    with pytest.raises(
        ValueError,
        match=r"The 'rules' parameter of i_mr_chart must be rule-set names \('western_electric', "
        r"'nelson', 'anhoj', 'limits'\) or rule names \('we1', .*Got 'nelson9' instead\.",
    ):
        i_mr_chart(values=[1.0, 2.0, 3.0], rules=["nelson", "nelson9"])


def test_flags_unchanged_when_rows_reordered():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"week": np.arange(60), "x": rng.normal(size=60)})
    frame.loc[40:, "x"] += 1.5
    ordered = i_mr_chart(frame, values="x", subgroup="week", rules="nelson")
    shuffled = i_mr_chart(
        frame.sample(frac=1, random_state=4), values="x", subgroup="week", rules="nelson"
    )
    pd.testing.assert_frame_equal(ordered.table, shuffled.table)
    pd.testing.assert_frame_equal(ordered.signals, shuffled.signals)
    assert ordered.location.table["signal"].any()
