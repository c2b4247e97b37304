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
    note = chart_and_change(chart, pd.DataFrame({"p_value": [0.03]}), month="2026-07",
                            previous="2026-06")  # fmt: skip
    assert note.startswith("The change from 2026-06 is beyond sampling error (p = 0.03)")
    assert chart_and_change(chart, pd.DataFrame({"p_value": [0.4]}), month="2026-07",
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


def test_significant_shifts_are_findings_not_leads():
    summary = pd.DataFrame({"site": ["a", "b"], "status": ["shift", "in control"],
                            "q_value": [0.01, 0.5]})  # fmt: skip
    assert segment_leads(summary, by=["site"], expected=2.0) is None


def test_the_sample_months_contradiction_is_explained(weighted):
    _, report = weighted
    for note in report.consistency:
        assert note.endswith(".")
    point = report.monthly_chart.table.set_index("subgroup").loc[report.month]
    p_value = report.change.overall["p_value"].item()
    beyond = point["value"] > point["ucl"] or point["value"] < point["lcl"]
    disagree = beyond != (p_value < 0.05)
    assert any(n.startswith(("The monthly chart", "The change from")) for n in report.consistency) \
        == disagree  # fmt: skip
