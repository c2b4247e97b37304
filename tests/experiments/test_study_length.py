"""Tests of study_length: the weeks a study needs when its design effect grows with its length.

Sources in tests/reference/experiments.md, section 4: R's power.prop.test documented example
(n = 76.7 for 0.50 vs 0.75 at 90 % power) and the inequality r n0 (1 + (w a / K - 1) icc) <= w a,
solved by hand below.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qainsights.experiments import sample_size_for_effect, study_length


def test_five_weeks_derived_by_hand():
    # power.prop.test(p1 = .50, p2 = .75, power = .90) => n = 76.65 per arm (independent).
    # a = 20 audits a week, K = 10 moderators, icc = 0.01:
    #   w >= 76.65 * 0.99 / (20 * (1 - 76.65 * 0.01 / 10)) = 75.88 / 18.467 = 4.11  -> 5 weeks.
    #   5 weeks: m = 5 * 20 / 10 = 10, deff = 1 + 9 * 0.01 = 1.09, n = ceil(83.55) = 84 <= 100.
    #   4 weeks: m = 8, deff = 1.07, n = ceil(82.02) = 83 > 80: too short.
    plan = study_length(0.50, 0.75, power=0.90, audits_per_week=20, moderators=10, icc=0.01)
    row = plan.iloc[0]
    assert row["weeks"] == 5
    assert row["audits_per_moderator"] == pytest.approx(10.0)
    assert row["design_effect"] == pytest.approx(1.09)
    assert (row["n_control"], row["n_treatment"], row["n_total"]) == (84, 84, 168)
    assert plan.columns.tolist() == [
        "p_control", "p_treatment", "weeks", "audits_per_moderator", "design_effect",
        "n_control", "n_treatment", "n_total",
    ]  # fmt: skip
    assert np.issubdtype(plan["weeks"].dtype, np.integer)


def test_independent_audits_need_the_plain_sample():
    # icc = 0: 77 audits (R's 76.7 rounded up) at 20 a week -> ceil(3.85) = 4 weeks.
    plan = study_length(0.50, 0.75, power=0.90, audits_per_week=20, moderators=10)
    assert plan.loc[0, "weeks"] == 4
    assert plan.loc[0, "n_treatment"] == 77
    assert plan.loc[0, "design_effect"] == 1.0


def test_fewer_audits_than_moderators_leave_the_design_effect_at_one():
    # 20 audits a week over 1,000 moderators: 4 weeks give 80 audits, under one per moderator,
    # so m is held at 1 and the design effect is 1 whatever the icc.
    plan = study_length(0.50, 0.75, power=0.90, audits_per_week=20, moderators=1000, icc=0.2)
    assert plan.loc[0, "weeks"] == 4
    assert plan.loc[0, "audits_per_moderator"] == 1.0
    assert plan.loc[0, "design_effect"] == 1.0


def test_one_row_per_effect_and_unequal_arms():
    plan = study_length(0.09, [0.05, 0.06], audits_per_week=250, moderators=50, icc=0.01, ratio=2)
    assert plan["p_treatment"].tolist() == [0.05, 0.06]
    # The larger change needs the shorter study.
    assert plan.loc[0, "weeks"] < plan.loc[1, "weeks"]
    # Each row is sample_size_for_effect's plan at the study's own audits per moderator.
    for row in plan.itertuples():
        same = sample_size_for_effect(
            0.09,
            row.p_treatment,
            icc=0.01,
            ratio=2,
            cluster_size=row.audits_per_moderator,
            audits_per_week=250,
        ).iloc[0]
        assert (same["n_control"], same["n_treatment"]) == (row.n_control, row.n_treatment)
        assert same["weeks"] <= row.weeks


@settings(max_examples=60, deadline=None)
@given(
    p0=st.floats(0.03, 0.3),
    odds_ratio=st.floats(0.3, 0.85),
    audits_per_week=st.floats(20, 2000),
    moderators=st.integers(5, 400),
    icc=st.floats(0.0, 0.03),
)
def test_shortest_length_at_which_the_plan_fits(p0, odds_ratio, audits_per_week, moderators, icc):
    p1 = p0 * odds_ratio / (1 - p0 + p0 * odds_ratio)
    try:
        plan = study_length(
            p0, p1, audits_per_week=audits_per_week, moderators=moderators, icc=icc
        ).iloc[0]
    except ValueError:
        return  # no length is enough (checked in its own test)
    weeks = int(plan["weeks"])

    def fits(w):
        m = max(w * audits_per_week / moderators, 1.0)
        needed = sample_size_for_effect(
            p0, p1, icc=icc, cluster_size=m, audits_per_week=audits_per_week
        )
        return needed.loc[0, "weeks"] <= w

    assert fits(weeks)
    assert weeks == 1 or not fits(weeks - 1)


def test_no_length_is_enough_when_each_week_adds_more_design_effect_than_audits():
    # 0.09 vs 0.08: n0 = 12,000 or so; 12,000 * 0.01 / 100 moderators = 1.2 >= 1.
    with pytest.raises(
        ValueError,
        match=r"study_length: p_treatment=0\.08 cannot be detected at "
        r"any study length with moderators=100 and icc=0\.01",
    ):
        study_length(0.09, 0.08, audits_per_week=500, moderators=100, icc=0.01)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"moderators": 0},
            r"The 'moderators' parameter of study_length must be a positive "
            r"integer. Got 0 instead.",
        ),
        ({"moderators": 2.5}, r"The 'moderators' parameter of study_length"),
        (
            {"audits_per_week": 0},
            r"The 'audits_per_week' parameter of study_length must be a "
            r"finite number > 0. Got 0 instead.",
        ),
        ({"icc": 1.0}, r"The 'icc' parameter of study_length must be a number in \[0, 1\)"),
        ({"power": 1.2}, r"The 'power' parameter of study_length must be a number strictly"),
        ({"method": "exact"}, r"The 'method' parameter of study_length must be one of"),
    ],
)
def test_bad_arguments(kwargs, match):
    arguments = {"audits_per_week": 100, "moderators": 20} | kwargs
    with pytest.raises(ValueError, match=match):
        study_length(0.10, 0.05, **arguments)
