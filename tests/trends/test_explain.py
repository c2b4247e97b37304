"""Tests of explain_change.

Sources (tests/reference/trends.md, section 3): statsmodels StratifiedTable.test_null_odds
(the Cochran-Mantel-Haenszel test) at test time; planted effects whose explained share is
derived by hand below; the answer key of simulate_audits.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.contingency_tables import StratifiedTable

from qainsights.trends import explain_change
from qainsights.trends._inference import mantel_haenszel_terms, mantel_haenszel_test
from qainsights.trends.explain import _points

SITES, QUEUES, POLICIES = ["s1", "s2", "s3", "s4"], ["q1", "q2", "q3"], ["p1", "p2"]


def planted(rate_of, n=2000, shares=None):
    """Aggregate frame over site x queue x policy; errors = rate x audits exactly."""
    rows = []
    for month, (site, queue, policy) in itertools.product(
        ["m1", "m2"], itertools.product(SITES, QUEUES, POLICIES)
    ):
        audits = n * (shares or {}).get((month, queue), 1.0)
        rows.append(
            (site, queue, policy, month, rate_of(month, site, queue, policy) * audits, audits)
        )
    return pd.DataFrame(rows, columns=["site", "queue", "policy", "month", "errors", "n"])


def explain(data, **kwargs):
    return explain_change(
        data,
        by=["site", "queue", "policy"],
        period="month",
        current="m2",
        errors="errors",
        n="n",
        **kwargs,
    )


def test_mantel_haenszel_matches_statsmodels():
    rng = np.random.default_rng(5)
    n1, n0 = rng.integers(20, 200, 6), rng.integers(20, 200, 6)
    e1, e0 = rng.binomial(n1, 0.2), rng.binomial(n0, 0.15)
    excess, variance = mantel_haenszel_terms(e1, n1, e0, n0)
    tables = np.stack([[e1, n1 - e1], [e0, n0 - e0]]).transpose(2, 0, 1)
    oracle = StratifiedTable(list(tables)).test_null_odds(correction=False)
    assert excess.sum() ** 2 / variance.sum() == pytest.approx(oracle.statistic, rel=1e-10)
    assert mantel_haenszel_test(excess.sum(), variance.sum()) == pytest.approx(
        oracle.pvalue, rel=1e-9
    )


def test_finds_a_planted_two_way_segment_and_its_share():
    def rate(month, site, queue, policy):
        return 0.15 if (month, site, queue) == ("m2", "s2", "q1") else 0.05

    result = explain(planted(rate))
    assert result.explanation["segment"].tolist() == ["site=s2 & queue=q1"]
    row = result.explanation.iloc[0]
    assert (row["site"], row["queue"], row["policy"]) == ("s2", "q1", None)
    # 2 of the 24 leaves (s2 x q1 x {p1, p2}) move from 5% to 15%, with equal audits:
    # explained = (0.15 - 0.05) * 2/24 = 0.0083333 = the whole change of the overall rate.
    assert row["explained"] == pytest.approx(0.1 * 2 / 24, rel=1e-12)
    assert row["cumulative_share"] == pytest.approx(1.0, rel=1e-12)
    assert result.overall.loc[0, "difference"] == pytest.approx(0.1 * 2 / 24, rel=1e-12)
    assert "1 segment accounts for +0.8 points (100% of the change)" in result.summary()
    assert "site=s2 & queue=q1 (+0.8 points, from 5.0% to 15.0%)" in result.summary()


def test_prefers_the_parent_when_all_its_children_moved():
    def rate(month, site, queue, policy):
        return 0.09 if (month, site) == ("m2", "s3") else 0.05

    result = explain(planted(rate))
    assert result.explanation["segment"].tolist() == ["site=s3"]
    assert result.explanation["explained"].iloc[0] == pytest.approx(0.04 / 4, rel=1e-12)


def test_two_separate_causes_are_both_found():
    def rate(month, site, queue, policy):
        if month == "m2" and site == "s1":
            return 0.10
        if month == "m2" and queue == "q3" and policy == "p2":
            return 0.09
        return 0.05

    result = explain(planted(rate))
    # policy=p2 moves most of all (excess 0.27/24: s1's three p2 leaves and q3 x p2), but it
    # is no single explanation: within it only s1 and q3 moved, so it is heterogeneous.
    assert result.explanation["segment"].tolist() == ["site=s1", "queue=q3 & policy=p2"]
    # Explained: site s1 = 6 of 24 leaves x 0.05; then q3 x p2 outside s1 = 3 leaves x 0.04;
    # the total change is the same (s1 x q3 x p2 is at 0.10).
    explained = result.explanation["explained"].to_numpy()
    np.testing.assert_allclose(explained, [6 * 0.05 / 24, 3 * 0.04 / 24], rtol=1e-12)
    assert result.overall.loc[0, "difference"] == pytest.approx((6 * 0.05 + 3 * 0.04) / 24)


def test_pure_mix_shift_explains_nothing_and_says_mix():
    def rate(month, site, queue, policy):
        return {"q1": 0.03, "q2": 0.05, "q3": 0.15}[queue]

    shares = {("m2", "q3"): 3.0}
    result = explain(planted(rate, shares=shares))
    assert result.explanation.empty
    mix = result.mix.set_index("dimension")
    assert mix.loc["queue", "mix_share"] == pytest.approx(1.0, rel=1e-12)
    assert mix.loc["site", "mix_effect"] == pytest.approx(0.0, abs=1e-15)
    assert "No segment's error rate moved significantly" in result.summary()
    assert "The largest mix effect, across queue" in result.summary()
    # q3's audits triple in m2: its share goes from 16,000 of 48,000 to 48,000 of 80,000.
    assert "from queue=q3, whose share of decisions went from 33.3% to 60.0%." in result.summary()


def test_points_that_round_to_zero_carry_no_minus_sign():
    # -0.04 points prints as -0.0 with Python's sign option; a sentence should say +0.0
    assert _points(-0.0004) == "+0.0 points"
    assert _points(-0.0006) == "-0.1 points"
    assert _points(0.013) == "+1.3 points"


def test_rows_and_aggregates_agree_and_input_is_unchanged():
    rng = np.random.default_rng(1)
    rows = pd.DataFrame(
        {
            "site": rng.choice(SITES, 6000),
            "queue": rng.choice(QUEUES, 6000),
            "month": rng.choice(["m1", "m2"], 6000),
        }
    )
    rows["is_error"] = rng.random(6000) < np.where(
        (rows["month"] == "m2") & (rows["site"] == "s4"), 0.2, 0.05
    )
    copy = rows.copy()
    from_rows = explain_change(rows, by=["site", "queue"], period="month", current="m2")
    pd.testing.assert_frame_equal(rows, copy)
    aggregate = rows.groupby(["site", "queue", "month"], as_index=False)["is_error"].agg(
        errors="sum", n="count"
    )
    from_aggregate = explain_change(
        aggregate, by=["site", "queue"], period="month", current="m2", errors="errors", n="n"
    )
    pd.testing.assert_frame_equal(from_rows.explanation, from_aggregate.explanation)
    assert from_rows.explanation["segment"].tolist() == ["site=s4"]
    ax = from_rows.plot()
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "baseline rate",
        "site=s4",
        "everything else (incl. mix)",
        "current rate",
    ]


def test_segments_table_is_ranked_by_contribution_and_partitions_add_up():
    def rate(month, site, queue, policy):
        return 0.15 if (month, site, queue) == ("m2", "s2", "q1") else 0.05

    result = explain(planted(rate))
    contribution = result.segments["contribution"].to_numpy()
    assert (np.diff(contribution) <= 1e-15).all()
    one_way = result.segments[result.segments["order"] == 1]
    change = result.overall.loc[0, "difference"]
    for dim in ["site", "queue", "policy"]:
        assert one_way.loc[one_way[dim].notna(), "contribution"].sum() == pytest.approx(change)
    assert len(result.segments) == 4 + 3 + 2 + 4 * 3 + 4 * 2 + 3 * 2


def test_recovers_the_planted_site_queue_degradation(simulated):
    # The weeks since the planted start against the 13 before it, as a dated shift is compared:
    # each side's weeks then share one rate, and their spread is the process's noise.
    key = simulated.answer_key.set_index("effect").loc["site_queue_degradation"]
    audits = simulated.audits[simulated.audits["week"] < "2026-11-01"]
    weeks = sorted(audits["week"].unique())
    start = pd.Timestamp(key["start"])
    result = explain_change(
        audits,
        by=["site", "queue", "policy", "market"],
        period="week",
        current=[week for week in weeks if week >= start],
        baseline=[week for week in weeks if week < start][-13:],
        dispersion="periods",
    )
    first = result.explanation.iloc[0]
    assert (first["site"], first["queue"]) == (key["site"], key["queue"])
    assert first["dispersion_df"] > 10
    # The planted mix shift toward high_risk shows as the largest mix effect, across queue.
    mix = result.mix.set_index("dimension")["mix_effect"]
    assert mix.abs().idxmax() == "queue"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"by": []}, r"The 'by' parameter of explain_change must name at least one column"),
        (
            {"max_order": 4},
            r"The 'max_order' parameter of explain_change must be between 1 and 3 \(the number of 'by' columns\)\. Got 4",
        ),
        (
            {"max_segments": 0},
            r"The 'max_segments' parameter of explain_change must be an integer >= 1\. Got 0",
        ),
        ({"alpha": 1.5}, r"The 'alpha' parameter of explain_change"),
        (
            {"coverage": 0},
            r"The 'coverage' parameter of explain_change must be a share of the change in \(0, 1\]",
        ),
        ({"current": "m3"}, r"The 'current' parameter of explain_change must name periods present"),
    ],
)
def test_bad_arguments(kwargs, match):
    data = planted(lambda *args: 0.05)
    arguments = {"by": ["site", "queue", "policy"], "current": "m2"} | kwargs
    with pytest.raises(ValueError, match=match):
        explain_change(data, period="month", errors="errors", n="n", **arguments)


def test_no_audits_in_a_period():
    data = planted(lambda *args: 0.05)
    data.loc[data["month"] == "m1", ["errors", "n"]] = 0.0
    with pytest.raises(ValueError, match="explain_change found no audits in the baseline period"):
        explain(data)
