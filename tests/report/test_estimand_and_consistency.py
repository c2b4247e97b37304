"""One estimand in every section, and one sentence wherever two sections seem to disagree."""

import numpy as np
import pandas as pd
import pytest

from qainsights.datasets import simulate_audits
from qainsights.report import build_monthly_report
from qainsights.report.consistency import chart_and_change, segment_leads, weeks_and_month
from qainsights.report.estimand import effective_counts
from qainsights.spc import p_chart


@pytest.fixture(scope="module")
def weighted():
    audits = simulate_audits(seed=8, start="2026-05-04", weeks=26, audits_per_week=600).audits
    sections = ["headline", "control_charts", "change", "root_causes", "capability"]
    return audits, build_monthly_report(audits, sections=sections)


def test_counts_beside_the_weighted_accuracy_reconcile(weighted):
    _, report = weighted
    table = report.headline.table
    np.testing.assert_allclose(1 - table["decisions_in_error"] / table["decisions"],
                               table["accuracy"])  # fmt: skip
    assert report.weighted


def test_charts_plot_the_headline_rate_on_kish_effective_sizes(weighted):
    audits, report = weighted
    month = audits[audits["month"] == report.month]
    w, y = month["weight"].to_numpy(), month["is_error"].to_numpy(dtype=float)
    point = report.monthly_chart.table.set_index("subgroup").loc[report.month]
    accuracy = report.headline.table.set_index("month").loc[report.month, "accuracy"]
    assert point["value"] == pytest.approx(1 - accuracy)
    assert point["value"] == pytest.approx((w * y).sum() / w.sum())
    assert point["n"] == pytest.approx(w.sum() ** 2 / (w**2).sum())


def test_the_change_states_each_months_interval_as_the_headline_does(weighted):
    # the waterfall's bars and the change's overall row carry each month's interval in the
    # report's design (weights, strata, moderators as clusters): the headline's, mirrored
    _, report = weighted
    headline = report.headline.table.set_index("month")
    row = report.change.overall.iloc[0]
    assert report.clustered
    for side, month in (("baseline", report.previous), ("current", report.month)):
        assert row[f"rate_{side}"] == pytest.approx(1 - headline.loc[month, "accuracy"])
        assert row[f"ci_low_{side}"] == pytest.approx(1 - headline.loc[month, "ci_high"])
        assert row[f"ci_high_{side}"] == pytest.approx(1 - headline.loc[month, "ci_low"])


def test_root_cause_shares_count_decisions(weighted):
    audits, report = weighted
    errors = audits[(audits["month"] == report.month) & audits["is_error"]]
    shares = errors.groupby("root_cause")["weight"].sum() / errors["weight"].sum()
    table = report.root_causes.table.set_index("root_cause")["share"]
    # The index's text dtype is left out: object or str, as the pandas release infers it.
    pd.testing.assert_series_equal(
        table.sort_index(), shares.sort_index(), check_names=False, check_index_type=False
    )


def test_capability_is_the_decision_weighted_rate_per_million(weighted):
    audits, report = weighted
    month = audits[audits["month"] == report.month]
    rates = month.groupby("queue").apply(
        lambda q: (q["weight"] * q["is_error"]).sum() / q["weight"].sum(), include_groups=False
    )
    table = report.capability.set_index("queue")
    np.testing.assert_allclose(table["dpmo"], 1e6 * rates.reindex(table.index))
    assert (table["audits"] == month.groupby("queue").size().reindex(table.index)).all()


def test_without_weights_the_counts_are_the_audits():
    audits = pd.DataFrame({"week": [1, 1, 2, 2, 2], "is_error": [True, False, False, False, True]})
    counts = effective_counts(audits, by="week")
    assert counts["errors"].tolist() == [1, 1]
    assert counts["n"].tolist() == [2, 3]


def test_equal_weights_give_the_audit_counts():
    audits = pd.DataFrame({"week": [1, 1, 2, 2, 2], "is_error": [True, False, False, False, True]})
    weighted = effective_counts(audits.assign(w=4.0), by="week", weight="w")
    np.testing.assert_allclose(weighted["n"], [2, 3])
    np.testing.assert_allclose(weighted["errors"], [1, 1])


def _monthly(errors):
    months = [f"2026-{m:02d}" for m in range(1, len(errors) + 1)]
    frame = pd.DataFrame({"month": months, "errors": errors, "n": 1000})
    return p_chart(frame, defects="errors", n="n", subgroup="month")


def test_a_significant_change_inside_the_limits_is_explained():
    # Centre 0.0601 with n = 1000: limits 0.0601 +/- 3 x 0.00752 = 0.0375 to 0.0827.
    chart = _monthly([60, 62, 58, 61, 59, 50, 71])
    note = chart_and_change(chart, pd.DataFrame({"p_value": [0.004]}), month="2026-07",
                            previous="2026-06")  # fmt: skip
    assert note.startswith("The change from 2026-06 is beyond sampling error (p = 0.004)")
    # p = 0.03 is no claim at the report's level 0.05 / 4 = 0.0125: nothing to reconcile
    for p_value in (0.03, 0.4):
        assert chart_and_change(chart, pd.DataFrame({"p_value": [p_value]}), month="2026-07",
                                previous="2026-06") is None  # fmt: skip


def test_a_single_month_beyond_the_limit_after_an_ordinary_one():
    chart = _monthly([60, 62, 58, 61, 59, 55, 90])  # 2026-06 below the centre, 2026-07 above UCL
    note = chart_and_change(chart, pd.DataFrame({"p_value": [0.2]}), month="2026-07",
                            previous="2026-06")  # fmt: skip
    assert "above its upper control limit" in note
    assert "a month that stands out from the year" in note


def test_weekly_signals_the_month_shows_are_not_repeated():
    weeks = pd.date_range("2026-08-03", periods=9, freq="W-MON")
    weekly = p_chart(pd.DataFrame({"week": weeks, "errors": [10] * 7 + [40, 9], "n": 200}),
                     defects="errors", n="n", subgroup="week")  # fmt: skip
    monthly = _monthly([60, 61, 59, 60, 62, 60, 58, 120, 70])  # 2026-08 signals itself
    assert weeks_and_month(weekly, monthly, month="2026-08") is None


def test_claims_are_findings_not_leads():
    # 0.1 x 60 = 6 errors, beyond the limits, q = 0.005 < 0.05 / 4 / 2 (the latest week's
    # half of the segment scan's share): a claim, not a lead
    summary = pd.DataFrame({"site": ["a", "b"], "value": [0.1, 0.02], "n": [60, 60],
                            "status": ["out of control", "in control"],
                            "q_value": [0.005, 0.5]})  # fmt: skip
    assert segment_leads(summary, by=["site"], expected=2.0) is None


def test_a_segment_between_the_claim_level_and_five_percent_is_a_lead():
    # Beyond its limits with 6 errors (0.1 x 60) and q = 0.03: significant at 0.05 but not
    # at the latest week's claim level 0.05 / 4 / 2 = 0.00625, so neither an action nor a claim.
    from qainsights.report.findings import chart_action_segments, segment_evidence

    summary = pd.DataFrame({"site": ["a", "b"], "value": [0.1, 0.02], "n": [60, 60],
                            "status": ["out of control", "in control"],
                            "q_value": [0.03, 0.5]})  # fmt: skip
    assert chart_action_segments(summary).empty
    assert segment_evidence(summary).tolist() == ["lead (out of control, q = 0.03)", "in control"]
    note = segment_leads(summary, by=["site"], expected=2.0)
    assert note.startswith("1 segment(s) signal in their latest week without the evidence")
    assert "(a: out of control, q = 0.03)" in note
    assert "q < 0.00625" in note
    assert "across 2 charts about 2 rule firings" in note
    # the report leaves out a segment it claims over the month; the chance count covers all
    note = segment_leads(summary, by=["site"], expected=2.0, charts=25)
    assert "across 25 charts about 2 rule firings" in note


def test_a_month_beyond_its_limit_with_p_between_levels_is_within_noise():
    # 2026-07 above the limit of 0.0827 (see above) while the change test gives p = 0.03:
    # at the claim level 0.0125 the change is within noise, as the change tile says.
    chart = _monthly([60, 62, 58, 61, 59, 55, 90])
    note = chart_and_change(chart, pd.DataFrame({"p_value": [0.03]}), month="2026-07",
                            previous="2026-06")  # fmt: skip
    assert "is within noise (p = 0.03)" in note


def test_the_sample_months_contradiction_is_explained(weighted):
    _, report = weighted
    for note in report.consistency:
        assert note.endswith(".")
    point = report.monthly_chart.table.set_index("subgroup").loc[report.month]
    p_value = report.change.overall["p_value"].item()
    beyond = point["value"] > point["ucl"] or point["value"] < point["lcl"]
    disagree = beyond != (p_value < 0.05 / 4)  # the report's claim level
    assert any(n.startswith(("The monthly chart", "The change from")) for n in report.consistency) \
        == disagree  # fmt: skip


def test_the_waterfall_judges_at_the_level_it_is_given():
    import matplotlib.pyplot as plt

    from qainsights.plotting.report import plot_change_waterfall

    overall = pd.DataFrame({"rate_baseline": [0.06], "rate_current": [0.07],
                            "ci_low_baseline": [0.055], "ci_high_baseline": [0.065],
                            "ci_low_current": [0.064], "ci_high_current": [0.076],
                            "difference": [0.01], "p_value": [0.03]})  # fmt: skip
    explanation = pd.DataFrame({"segment": ["site = a"], "explained": [0.006], "q_value": [0.03]})
    change = type("Change", (), {"overall": overall, "explanation": explanation})()
    ax = plot_change_waterfall(change, alpha=0.05 / 4)
    assert "within noise (p = 0.03)" in ax.get_title(loc="left")
    # the segment's step (q = 0.03) is grey, not coloured as a claim
    steps = [bar for bar in ax.patches if bar.get_y() > 0.5 and bar.get_y() < 2]
    assert {tuple(round(c, 3) for c in bar.get_facecolor()[:3]) for bar in steps} == {(0.749,) * 3}
    plt.close(ax.figure)
