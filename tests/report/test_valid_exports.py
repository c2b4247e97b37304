"""Every audit table that validate_audits accepts gives a report: computed sections, or a reason."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qainsights.audits import ACTIONS, validate_audits
from qainsights.datasets import simulate_audits
from qainsights.report import SECTIONS, build_monthly_report
from qainsights.report.monthly import NOT_RECORDED, PART_TITLES

DERIVED = ["is_error", "error_type", "week", "month"]


@pytest.fixture(scope="module")
def export():
    audits = simulate_audits(seed=4, start="2026-08-03", weeks=9, audits_per_week=300).audits
    return audits.drop(columns=DERIVED)


def _report(raw: pd.DataFrame, **kwargs):
    checked = validate_audits(raw)
    assert checked.ok, checked.summary()
    return build_monthly_report(checked.audits, **kwargs)


def _accounted_for(report) -> None:
    """Each section is computed or says in one line why not."""
    fields = {
        "headline": "headline", "direction": "direction", "directions": "directions", "severity": "severity",
        "control_charts": "monthly_chart", "change": "change", "root_causes": "root_causes",
        "segments": "by_site", "sites": "standardised", "vendors": "vendors", "moderators": "moderators",
        "calibration": "calibration", "capability": "capability", "sampling": "sampling",
    }  # fmt: skip
    for part, name in fields.items():
        computed = getattr(report, name) is not None
        reason = report.omitted.get(part)
        assert computed != (reason is not None), (part, reason)
        if reason is not None:
            assert "\n" not in reason
            assert reason.endswith(".")
    assert set(report.omitted) <= set(PART_TITLES)


def _errors_in(raw: pd.DataFrame, month: str) -> pd.Series:
    in_month = raw["decision_time"].dt.strftime("%Y-%m") == month
    return in_month & (raw["moderator_action"] != raw["qa_action"])


def test_an_error_of_the_month_without_severity_or_root_cause(export):
    raw = export.copy()
    first = _errors_in(raw, "2026-09").idxmax()
    raw.loc[first, ["severity", "root_cause"]] = None
    report = _report(raw)
    _accounted_for(report)
    assert report.omitted["severity"].startswith("1 of the ")
    assert NOT_RECORDED in set(report.root_causes.table["root_cause"])
    assert export.loc[first, "root_cause"] is not None  # the caller's frame is unchanged


def test_without_the_optional_columns(export):
    report = _report(export.drop(columns=["severity", "root_cause", "weight", "stratum"]))
    _accounted_for(report)
    assert "severity" in report.omitted
    assert report.omitted["root_causes"] == (
        "no root cause is recorded on the errors of these months."
    )
    assert not report.weighted


@pytest.mark.parametrize("count", [1, 2])
def test_fewer_than_three_moderators(export, count):
    raw = export.assign(moderator_id=np.arange(len(export)) % count)
    report = _report(raw.astype({"moderator_id": "str"}))
    _accounted_for(report)
    assert report.omitted["moderators"].startswith(f"{count} moderator(s) in the last 3 months")


@pytest.mark.parametrize("month", ["2026-08", "2026-09"])
def test_a_month_without_errors(export, month):
    raw = export.copy()
    in_month = raw["decision_time"].dt.strftime("%Y-%m") == month
    raw.loc[in_month, "qa_action"] = raw.loc[in_month, "moderator_action"]
    raw.loc[in_month, "qa_policy"] = raw.loc[in_month, "moderator_policy"]
    raw.loc[in_month, ["severity", "root_cause"]] = None
    report = _report(raw)
    _accounted_for(report)
    if month == "2026-09":
        assert report.omitted["root_causes"] == "no errors in 2026-09, so no root causes to rank."
    else:  # last month had none: this month's causes, without a comparison
        assert report.root_causes.comparison is None


def test_one_site_one_queue_and_one_week(export):
    raw = export[(export["site"] == "Manila") & (export["queue"] == "user_reports")]
    week = raw["decision_time"].dt.to_period("W").astype("str") == "2026-09-14/2026-09-20"
    report = _report(raw[week])
    _accounted_for(report)
    assert report.month == "2026-09"  # no complete month: the partial one, said in the notes
    assert any("partial month 2026-09" in note for note in report.notes)
    assert report.omitted["sites"] == "one site only: there is no other site to compare it with."
    assert report.omitted["change"] == "no audits in 2026-08, the month before, to compare with."


@st.composite
def audit_exports(draw):
    """Valid audit exports: few sites, queues and moderators, short history, optional gaps."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(1, 400))
    days = draw(st.integers(1, 120))
    pick = lambda prefix, k: np.char.add(prefix, rng.integers(0, k, n).astype("str"))  # noqa: E731
    decided = pd.Timestamp("2026-06-29") + pd.to_timedelta(rng.uniform(0, days, n), unit="D")
    moderator = rng.integers(0, len(ACTIONS), n)
    wrong = rng.random(n) < draw(st.sampled_from([0.0, 0.05, 0.3]))
    qa = np.where(wrong, (moderator + rng.integers(1, len(ACTIONS), n)) % len(ACTIONS), moderator)
    raw = pd.DataFrame({
        "audit_id": np.char.add("a", np.arange(n).astype("str")),
        "item_id": np.char.add("i", np.arange(n).astype("str")),
        "decision_time": decided.floor("s"),
        "site": pick("site", draw(st.integers(1, 3))),
        "queue": pick("queue", draw(st.integers(1, 2))),
        "policy": pick("policy", draw(st.integers(1, 3))),
        "market": pick("market", draw(st.integers(1, 2))),
        "moderator_id": pick("m", draw(st.integers(1, 4))),
        "auditor_id": pick("qa", 2),
        "moderator_action": np.asarray(ACTIONS)[moderator],
        "qa_action": np.asarray(ACTIONS)[qa],
    })  # fmt: skip
    errors = raw["moderator_action"] != raw["qa_action"]
    for column, values in (("severity", ["low", "high"]), ("root_cause", ["rc1", "rc2"])):
        mode = draw(st.sampled_from(["absent", "empty", "partial", "full"]))
        if mode != "absent":
            filled = errors & (rng.random(n) < {"empty": 0.0, "partial": 0.5, "full": 1.0}[mode])
            raw[column] = np.where(filled, rng.choice(values, n), None)
    if draw(st.booleans()):
        raw["site_type"] = np.where(raw["site"] == "site0", "in_house", "vendor")
    if draw(st.booleans()):
        raw["weight"] = rng.uniform(1, 50, n).round(1)
        raw["stratum"] = raw["queue"]
    return raw


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=audit_exports())
def test_every_valid_export_builds(raw):
    checked = validate_audits(raw)
    assert checked.ok, checked.summary()
    report = build_monthly_report(checked.audits)
    _accounted_for(report)
    tables = report.tables()
    assert "Actions" in tables
    assert set(PART_TITLES) == {*SECTIONS, "severity", "direction"} - {"actions"}
