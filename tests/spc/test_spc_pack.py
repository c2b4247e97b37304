"""Tests of the chart pack's building blocks: latest_complete_week, chart_choice, rule_firings.

chart_choice is checked against Montgomery's Example 7.1 (orange-juice cans, samples 1-30) as
recorded in tests/reference/spc.md, section 3.1 A (values in tests/reference/spc.py): p chart
limits with samples 15 and 23 beyond them; qcc's over-dispersion test; Laney's sigma_z and UCL
(LCL 0), which no sample reaches (the largest is 24/50).
"""

from __future__ import annotations

import pandas as pd
import pytest
from reference import spc
from reference.spc_data import ORANGE_JUICE, frame

from qainsights.spc import chart_choice, latest_complete_week, rule_firings


@pytest.fixture
def cans():
    juice = frame(ORANGE_JUICE)
    return juice[juice["trial"]].reset_index(drop=True)


def test_chart_choice_on_montgomery_orange_juice(cans):
    choice = chart_choice(cans, defects="D", n="size", subgroup="sample")
    assert len(choice) == 1
    row = choice.iloc[0]
    assert row["n_subgroups"] == 30
    assert row["dispersion_ratio"] == pytest.approx(spc.JUICE_OVERDISPERSION["ratio"], rel=1e-6)
    assert row["p_value"] == pytest.approx(spc.JUICE_OVERDISPERSION["p_value"], rel=1e-4)
    assert row["recommended_chart"] == "laney_p"
    assert row["sigma_z"] == pytest.approx(spc.JUICE_LANEY["sigma_z"], rel=1e-6)
    assert row["flagged_p"] == pytest.approx(2 / 30)  # samples 15 and 23
    assert row["flagged_laney_p"] == 0.0  # 24/50 = 0.48 < UCL 0.528
    assert choice.columns.tolist() == [
        "n_subgroups", "dispersion_ratio", "p_value", "recommended_chart", "sigma_z",
        "flagged_p", "flagged_laney_p",
    ]  # fmt: skip


def test_chart_choice_by_segment_equals_each_segment_alone():
    # Segment "before": samples 1-30; "after": samples 31-54, taken after the machine was
    # adjusted (Montgomery Ex. 7.1, phase II).
    juice = frame(ORANGE_JUICE)
    juice["phase"] = juice["trial"].map({True: "before", False: "after"})
    before = juice.copy()
    choice = chart_choice(juice, defects="D", n="size", subgroup="sample", by="phase")
    pd.testing.assert_frame_equal(juice, before)  # the caller's frame is unchanged
    assert sorted(choice["phase"]) == ["after", "before"]
    for phase, rows in juice.groupby("phase"):
        alone = chart_choice(rows, defects="D", n="size", subgroup="sample")
        segment = choice[choice["phase"] == phase].drop(columns="phase")
        pd.testing.assert_frame_equal(segment.reset_index(drop=True), alone)


def test_chart_choice_names_a_missing_column(cans):
    with pytest.raises(ValueError, match=r"chart_choice needs column 'errors' in 'data'"):
        chart_choice(cans, defects="errors", n="size", subgroup="sample")


@pytest.mark.parametrize(
    ("last", "monday"),
    [
        ("2026-11-01 23:59", "2026-10-26"),  # a Sunday: its week is complete
        ("2026-11-01 00:00", "2026-10-26"),
        ("2026-11-02 00:00", "2026-10-26"),  # Monday: the new week has just begun
        ("2026-11-07 12:00", "2026-10-26"),  # Saturday: still incomplete
        ("2026-11-08 06:00", "2026-11-02"),
    ],
)
def test_latest_complete_week(last, monday):
    times = pd.to_datetime(["2026-09-30 10:00", last])
    assert latest_complete_week(pd.DataFrame({"t": times}), time="t") == pd.Timestamp(monday)


def test_latest_complete_week_bad_input():
    with pytest.raises(
        ValueError,
        match=r"The 't' column of latest_complete_week must hold "
        r"datetimes. Got dtype",
    ):
        latest_complete_week(pd.DataFrame({"t": ["2026-11-01"]}), time="t")
    with pytest.raises(ValueError, match=r"latest_complete_week needs at least one t"):
        latest_complete_week(pd.DataFrame({"t": pd.to_datetime([None])}), time="t")
    with pytest.raises(ValueError, match=r"latest_complete_week needs column 'decision_time'"):
        latest_complete_week(pd.DataFrame({"t": pd.to_datetime(["2026-11-01"])}))
    with pytest.raises(TypeError, match=r"The 'data' parameter of latest_complete_week must be"):
        latest_complete_week([1, 2])


def test_rule_firings_counts_first_and_last():
    signals = pd.DataFrame(
        {
            "site": ["A", "A", "B", "A"],
            "rule": ["nelson1", "nelson2", "nelson1", "nelson1"],
            "subgroup": pd.to_datetime(["2026-09-07", "2026-09-14", "2026-10-05", "2026-10-26"]),
        }
    )
    table = rule_firings(signals, by=["site", "rule"])
    assert table.to_dict("list") == {
        "site": ["A", "A", "B"],
        "rule": ["nelson1", "nelson2", "nelson1"],
        "firings": [2, 1, 1],
        "first": pd.to_datetime(["2026-09-07", "2026-09-14", "2026-10-05"]).tolist(),
        "last": pd.to_datetime(["2026-10-26", "2026-09-14", "2026-10-05"]).tolist(),
    }


def test_rule_firings_when_nothing_fired():
    empty = pd.DataFrame(
        {"rule": pd.Series([], dtype=object), "subgroup": pd.Series([], dtype=int)}
    )
    table = rule_firings(empty, by="rule")
    assert table.empty
    assert table.columns.tolist() == ["rule", "firings", "first", "last"]


def test_rule_firings_names_a_missing_column():
    with pytest.raises(ValueError, match=r"rule_firings needs column 'direction' in 'signals'"):
        rule_firings(pd.DataFrame({"subgroup": [1]}), by="direction")
