"""What the report prints matches the level it judges at, and rankings are not claims of change."""

import re

import pandas as pd
import pytest

from qainsights.datasets import simulate_audits
from qainsights.report import build_monthly_report
from qainsights.report.findings import segment_evidence


@pytest.fixture(scope="module")
def report():
    audits = simulate_audits(seed=2, start="2026-05-04", weeks=22, audits_per_week=600).audits
    return build_monthly_report(audits, sections=["change", "root_causes"])


def test_change_interval_is_printed_at_the_claim_level(report):
    # A change claim is judged at 5 % shared by four families of claims (Bonferroni): the
    # interval printed beside it is the 1 - 0.05 / 4 = 98.75 % interval, not the 95 % one.
    sentence = report.change.summary()
    assert "98.75% CI" in sentence
    assert "95% CI" not in sentence
    low, high = (
        float(v) for v in re.search(r"CI ([+-][0-9.]+) to ([+-][0-9.]+)", sentence).groups()
    )
    overall = report.change.overall.iloc[0]
    assert low == pytest.approx(100 * overall["ci_low"], abs=0.051)
    assert high == pytest.approx(100 * overall["ci_high"], abs=0.051)


def test_vital_few_is_a_ranking_not_a_claim_of_change(report):
    vital = [f for f in report.findings if f.finding.startswith("The vital few root causes")]
    assert len(vital) == 1
    # high and medium findings are the report's claims (counted against the false-alarm budget)
    assert vital[0].priority == "low"


def test_segment_evidence_labels_by_the_rule_for_actions():
    # Rows by hand: errors = value x n.
    summary = pd.DataFrame(
        {
            "site": ["shift, q 1", "beyond, q small, 6 errors", "beyond, 2 errors", "calm"],
            "value": [0.10, 0.10, 0.05, 0.02],
            "n": [60, 60, 40, 50],
            "status": ["shift", "out of control", "out of control", "in control"],
            "q_value": [1.0, 0.001, 0.001, 0.9],
        }
    )
    labels = segment_evidence(summary).tolist()
    assert labels == [
        "lead (shift, q = 1)",  # a run-rule shift with q = 1.00 is no shift claim
        "claim",  # beyond the limits, q < 0.0125 and at least 3 errors
        "lead (out of control, q = 0.001)",  # 0.05 x 40 = 2 errors: below the minimum of 3
        "in control",
    ]


def test_change_tile_judges_and_prints_at_the_claim_level(report):
    from qainsights.report.display import first_screen

    page = first_screen(report).data
    tile = re.search(
        r"Change since [0-9-]+</div>.*?<div class=\"qi-note\">(.*?)</div>", page
    ).group(1)
    assert "98.75% CI" in tile  # 1 - 0.05 / 4, as in the change section
    p_value = report.change.overall["p_value"].iloc[0]
    assert ("within noise" in tile) == (p_value >= 0.05 / 4)
