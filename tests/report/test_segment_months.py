"""The segment scan's second question: did a segment's weeks of the month move off its earlier weeks?"""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from qainsights.datasets import simulate_audits
from qainsights.report import build_monthly_report
from qainsights.report.findings import (
    CLAIM_ALPHA,
    SEGMENT_ALPHA,
    month_weeks,
    segment_month_shifts,
)
from qainsights.report.section_findings import month_shift_findings
from qainsights.trends import compare_periods

WEEKS = pd.date_range("2026-04-06", periods=26, freq="W-MON")


def _cells(seed: int = 0, *, shifted: str = "C", odds: float = 2.5) -> pd.DataFrame:
    """Eight sites x 26 weeks of 150 audits at a 5 % error rate; ``shifted`` has ``odds``
    times the odds of an error in its weeks of September (found, and alone, in 58 of seeds
    0-59)."""
    rng = np.random.default_rng(seed)
    sites = list("ABCDEFGH")
    september = np.isin(WEEKS, month_weeks(WEEKS, "2026-09"))
    odds_base = 0.05 / 0.95
    rate = np.full((len(sites), len(WEEKS)), 0.05)
    boosted = odds_base * odds
    rate[sites.index(shifted), september] = boosted / (1 + boosted)
    return pd.DataFrame({
        "site": np.repeat(sites, len(WEEKS)),
        "week": np.tile(WEEKS, len(sites)),
        "errors": rng.binomial(150, rate).ravel(),
        "n": 150,
    })  # fmt: skip


def test_a_week_belongs_to_the_month_it_starts_in():
    # 2026-08-31 is a Monday whose week runs to 6 September; 2026-09-28's runs to 4 October.
    weeks = pd.to_datetime(["2026-08-24", "2026-08-31", "2026-09-21", "2026-09-28"])
    assert list(month_weeks(weeks, "2026-08")) == list(pd.to_datetime(["2026-08-24", "2026-08-31"]))
    assert list(month_weeks(weeks, "2026-09")) == list(pd.to_datetime(["2026-09-21", "2026-09-28"]))
    assert list(month_weeks(weeks, "2026-10")) == []


def test_the_comparison_is_compare_periods_of_the_months_weeks_against_the_earlier_ones():
    cells = _cells()
    shifts = segment_month_shifts(cells, by=["site"], month="2026-09")
    current = [w for w in WEEKS if w.month == 9]
    baseline = [w for w in WEEKS if w < current[0]]
    assert len(current) == 4  # 7, 14, 21 and 28 September
    assert len(baseline) == 22  # 6 April to 31 August
    direct = compare_periods(cells, by="site", period="week", errors="errors", n="n",
                             current=current, baseline=baseline,
                             dispersion="moderated").segments  # fmt: skip
    np.testing.assert_allclose(shifts["p_value"], direct["p_value"], rtol=1e-12)
    # q-values: Benjamini-Hochberg across the segments (statsmodels)
    bh = multipletests(direct["p_value"], method="fdr_bh")[1]
    np.testing.assert_allclose(shifts["q_value"], bh, rtol=1e-12)
    assert (shifts[["weeks_current", "weeks_baseline"]] == [4, 22]).all(axis=None)
    # the claim level is half the segment scan's share of the 5 % budget
    assert SEGMENT_ALPHA == 0.05 / 4 / 2 == CLAIM_ALPHA / 2
    assert shifts.loc[shifts["claim"], "site"].tolist() == ["C"]
    assert (shifts.loc[shifts["claim"], "q_value"] < SEGMENT_ALPHA).all()


def test_a_rise_needs_the_minimum_of_errors_a_fall_does_not():
    rise = _cells(shifted="C", odds=2.5)
    assert segment_month_shifts(rise, by=["site"], month="2026-09", min_errors=10_000)[
        "claim"
    ].sum() == 0  # fmt: skip
    fall = _cells(seed=4, shifted="E", odds=0.2)
    shifts = segment_month_shifts(fall, by=["site"], month="2026-09", min_errors=10_000)
    assert shifts.loc[shifts["claim"], "site"].tolist() == ["E"]
    (finding,) = month_shift_findings(shifts, ["site"])
    assert finding.priority == "medium"
    assert finding.finding.startswith("E: its error rate fell")


def test_no_comparison_without_weeks_before_the_month_or_in_it():
    cells = _cells()
    september = cells[cells["week"].isin(month_weeks(WEEKS, "2026-09"))]
    assert segment_month_shifts(september, by=["site"], month="2026-09") is None
    assert segment_month_shifts(cells, by=["site"], month="2027-01") is None


def test_the_report_claims_the_planted_degradation_that_lasts_the_month():
    # simulate_audits' answer key: Hyderabad x user_reports' error odds x 2.3 from 7 September
    audits = simulate_audits(seed=5, effects=["site_queue_degradation"],
                             audits_per_week=2000).audits  # fmt: skip
    report = build_monthly_report(audits, month="2026-09", sections=["control_charts"])
    shifts = report.segment_months
    claimed = shifts[shifts["claim"]]
    assert claimed[["site", "queue"]].values.tolist() == [["Hyderabad", "user_reports"]]
    (finding,) = [f for f in report.findings if f.finding.startswith("Hyderabad x user_reports")]
    assert finding.priority == "high"
    # impact: the month's decisions in error in the segment beyond its earlier weeks' rate
    month = audits[(audits["month"] == "2026-09") & (audits["site"] == "Hyderabad")
                   & (audits["queue"] == "user_reports")]  # fmt: skip
    rate = claimed["rate_baseline"].iloc[0]
    excess = (month["weight"] * (month["is_error"] - rate)).sum()
    assert finding.impact.errors == pytest.approx(excess, rel=1e-12)
    assert "Segment months" in report.tables()
    # its latest week signals a run-rule shift, a lead on its own; claimed over the month, the
    # segment is a finding, and the notes do not call it a lead as well
    latest = report.segment_charts.segments.set_index(["site", "queue"])
    assert latest.loc[("Hyderabad", "user_reports"), "status"] == "shift"
    assert not any("Hyderabad x user_reports: shift" in note for note in report.consistency)


def test_bad_input_names_the_parameter_and_leaves_the_cells_alone():
    cells = _cells()
    before = cells.copy()
    with pytest.raises(ValueError, match=r"needs column 'week' in 'cells'.*Did you mean 'weeks'"):
        segment_month_shifts(cells.rename(columns={"week": "weeks"}), by="site", month="2026-09")
    with pytest.raises(
        ValueError, match=r"'month' parameter of segment_month_shifts .*'YYYY-MM'.*'Sept'"
    ):
        segment_month_shifts(cells, by="site", month="Sept")
    with pytest.raises(
        TypeError, match=r"'cells' parameter of segment_month_shifts must be a pandas"
    ):
        segment_month_shifts(cells.to_dict(), by="site", month="2026-09")
    with pytest.raises(ValueError, match=r"'month' parameter of month_weeks .*Got '2026-9'"):
        month_weeks(WEEKS, "2026-9")
    # a single column name is the list of one
    one = segment_month_shifts(cells, by="site", month="2026-09")
    listed = segment_month_shifts(cells, by=["site"], month="2026-09")
    pd.testing.assert_frame_equal(one, listed)
    pd.testing.assert_frame_equal(cells, before)
