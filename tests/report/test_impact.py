"""Findings ranked by what they account for: the month's errors beyond their reference."""

import pandas as pd
import pytest

from qainsights.report.display import first_screen, ranked_findings
from qainsights.report.findings import Finding
from qainsights.report.impact import Impact, MonthErrors
from qainsights.report.section_findings import (
    _beyond_centre,
    change_findings,
    target_findings,
)

# Ten audits of one month, by hand:
#   site A: 4 audits, 2 errors (50 %);  site B: 6 audits, 1 error (16.7 %);  3 errors in all.
ROWS = pd.DataFrame(
    {
        "site": list("AAAABBBBBB"),
        "week": pd.to_datetime(["2026-10-05"] * 2 + ["2026-10-12"] * 2 + ["2026-10-05"] * 6),
        "is_error": [True, True, False, False, True, False, False, False, False, False],
    }
)


def test_a_segment_accounts_for_its_excess_over_the_target():
    # Target accuracy 90 %: an error rate of 10 % is allowed. Site A's excess:
    # 2 errors - 4 audits x 0.10 = 1.6 errors = share 0.4 x (0.50 - 0.10) = 16 points of the
    # month's error rate (1.6 / 10 audits).
    table = pd.DataFrame({"site": ["A", "B"], "status": ["below target", "meets target"]})
    (found,) = target_findings(table, "site", 0.90, MonthErrors(ROWS))
    assert found.impact.errors == pytest.approx(1.6)
    assert found.impact.points == pytest.approx(16.0)
    assert found.impact.total == 3
    # 1.6 errors written as about 2
    assert found.impact.sentence() == (
        "accounts for ~2 of 3 errors (16.0 points of the error rate) beyond the 90.0% "
        "accuracy target"
    )


def test_weighted_impact_counts_decisions():
    # A's audits stand for 2 decisions each, B's for 1: the month has 4 x 2 + 6 = 14
    # decisions, 2 x 2 + 1 = 5 of them in error. A's excess over a 10 % rate:
    # 4 - 8 x 0.10 = 3.2 decisions in error, 3.2 / 14 = 22.857 points.
    rows = ROWS.assign(w=[2.0] * 4 + [1.0] * 6)
    month = MonthErrors(rows, weight="w")
    impact = month.excess(rows["site"] == "A", 0.10, reference="the target")
    assert (month.decisions, month.total) == (14.0, 5.0)
    assert impact.errors == pytest.approx(3.2)
    assert impact.points == pytest.approx(100 * 3.2 / 14)
    assert impact.noun == "decisions in error"


def test_chart_points_account_for_their_excess_over_the_centre_line():
    # The week of 5 Oct is beyond its limits with a centre line of 5 %: its 8 audits hold
    # 3 errors, 3 - 8 x 0.05 = 2.6 errors beyond the centre; the week of 12 Oct is not claimed.
    claimed = pd.DataFrame({"subgroup": pd.to_datetime(["2026-10-05"]), "center": [0.05]})
    impact = _beyond_centre(MonthErrors(ROWS), claimed, ["week"], ["subgroup"], "the centre")
    assert impact.errors == pytest.approx(2.6)
    assert impact.points == pytest.approx(26.0)


def test_a_change_accounts_for_its_points():
    # The overall rate rose by 0.5 points: on the month's 10 audits that is 0.05 errors.
    change = type(
        "Change", (), {"overall": pd.DataFrame({"difference": [0.005]}),
                       "explanation": pd.DataFrame(), "summary": lambda self: "rose"},
    )()  # fmt: skip
    (found,) = change_findings(change, MonthErrors(ROWS))
    assert found.impact.points == pytest.approx(0.5)
    assert found.impact.errors == pytest.approx(0.05)


def _made(section, priority, errors, reference="the target"):
    impact = None if errors is None else Impact(errors, 800.0, 9000.0, reference)
    return Finding(section, priority, f"{section} finding", "act", impact=impact)


def test_claims_rank_by_priority_then_impact_and_a_ranking_stays_below_them():
    found = [
        _made("headline", "high", 20.0),
        _made("root_causes", "low", 600.0),  # the vital few: most errors, but no claim
        _made("vendors", "medium", 120.0),
        _made("calibration", "medium", None),
        _made("segments", "high", 45.0),
        _made("capability", "medium", 45.0),  # the same queue's errors, seen again
        _made("change", "medium", -70.0),  # an improvement weighs as much as a loss
    ]
    assert [f.section for f in ranked_findings(found)] == [
        "segments", "headline", "vendors", "change", "calibration",
    ]  # fmt: skip
    few = [_made("vendors", "medium", 10.0), _made("root_causes", "low", 600.0),
           _made("moderators", "low", None)]  # fmt: skip
    assert [f.section for f in ranked_findings(few)] == ["vendors", "root_causes", "moderators"]


def test_the_first_screen_prints_each_findings_impact():
    report = type(
        "Report", (), {"headline": None, "change": None, "direction": None, "consistency": (),
                       "omitted": {}, "previous": "2026-09", "month": "2026-10",
                       "findings": (_made("segments", "high", 45.0), _made("vendors", "high", 80.0),
                                    _made("sites", "medium", None))},
    )()  # fmt: skip
    page = first_screen(report).data
    assert page.index("vendors finding") < page.index("segments finding") < page.index("sites")
    # 80 of 800 errors, 100 x 80 / 9,000 decisions = 0.89 points
    assert "accounts for ~80 of 800 errors (0.9 points of the error rate) beyond the target" in page


def test_the_first_screen_words_a_finding_as_the_actions_table_does():
    from qainsights.report.display import Table
    from qainsights.report.findings import actions_table

    found = Finding("capability", "high", "Queue(s) 'high_risk' are below the target.",
                    "Agree a recovery plan with 'high_risk''s lead.")  # fmt: skip
    report = type(
        "Report", (), {"headline": None, "change": None, "direction": None,
                       "consistency": ("1 segment(s) signal (Lisbon x high_risk: shift).",),
                       "omitted": {}, "previous": "2026-09", "month": "2026-10",
                       "findings": (found,)},
    )()  # fmt: skip
    page = first_screen(report).data
    assert "(Lisbon x high risk: shift)" in page  # the notes that reconcile sections too
    table = Table(actions_table([found]))._repr_html_()
    for words in ("Queue(s) &#x27;high risk&#x27; are below the target.", "high risk"):
        assert words in page
        assert words in table
    assert "high_risk" not in page


def test_the_first_screen_says_at_what_levels_it_claims_a_change():
    # a 5 % budget shared by four kinds of claim: 1.25 % each, 98.75 % intervals, and the
    # segment scan's two questions at 0.625 % each
    report = type(
        "Report", (), {"headline": None, "change": None, "direction": None, "consistency": (),
                       "omitted": {}, "previous": "2026-09", "month": "2026-10", "findings": ()},
    )()  # fmt: skip
    page = first_screen(report).data
    for words in ("at most 5% of months without any real change", "tested at 1.25%",
                  "98.75% intervals", "two questions at 0.625% each"):  # fmt: skip
        assert words in page


def test_the_actions_table_is_in_the_first_screens_order():
    from qainsights.report.findings import actions_table

    found = [_made("vendors", "medium", 120.0), _made("segments", "high", 45.0),
             _made("calibration", "medium", None), _made("capability", "high", -300.0),
             _made("root_causes", "low", 600.0), _made("change", "medium", -70.0)]  # fmt: skip
    table = actions_table(found)
    assert table["section"].tolist() == [
        "capability", "segments", "vendors", "change", "calibration", "root_causes"
    ]  # fmt: skip


def test_the_headlines_impact_reconciles_with_its_table():
    from qainsights.datasets import simulate_audits
    from qainsights.report import build_monthly_report

    audits = simulate_audits(seed=8, start="2026-07-06", weeks=13, audits_per_week=400).audits
    report = build_monthly_report(audits, sections=["headline"], target=0.97)
    row = report.headline.table.set_index("month").loc[report.month]
    (found,) = report.findings
    # decisions in error beyond the 3 % the target allows, from the headline's own table
    assert found.impact.errors == pytest.approx(row["decisions_in_error"] - 0.03 * row["decisions"])
    assert found.impact.total == pytest.approx(row["decisions_in_error"])


def test_a_segments_latest_week_accounts_for_its_excess_over_its_centre():
    # Site A in the week of 5 Oct: 2 audits, both errors, against a centre of 25 %:
    # 2 - 2 x 0.25 = 1.5 errors; site B's week of 5 Oct (centre 10 %): 6 audits, 1 error,
    # 1 - 6 x 0.10 = 0.4; together 1.9 errors, whether the site column is text or categorical.
    points = pd.DataFrame({"site": ["A", "B"], "subgroup": pd.to_datetime(["2026-10-05"] * 2),
                           "center": [0.25, 0.10]})  # fmt: skip
    for rows in (ROWS, ROWS.astype({"site": "category"})):
        impact = _beyond_centre(MonthErrors(rows), points, ["site", "week"],
                                ["site", "subgroup"], "its centre")  # fmt: skip
        assert impact.errors == pytest.approx(1.9)
