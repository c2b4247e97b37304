"""Simulated comments: their own random stream, vocabulary that follows the planted effects."""

import pandas as pd

import qainsights.datasets.audits_sim as audits_sim
from qainsights.datasets import simulate_audits
from qainsights.datasets.comments_sim import PHRASES


def test_comments_leave_every_other_column_unchanged(monkeypatch):
    with_text = simulate_audits(seed=5, weeks=20, audits_per_week=300)
    monkeypatch.setattr(
        audits_sim,
        "simulate_comments",
        lambda seed, **kw: pd.DataFrame(index=range(len(kw["error_type"]))),
    )
    without = simulate_audits(seed=5, weeks=20, audits_per_week=300)
    pd.testing.assert_frame_equal(
        with_text.audits.drop(columns=["qa_comment", "appeal_reason"]),
        without.audits.drop(columns=["qa_comment", "appeal_reason"]),
    )
    assert without.audits["qa_comment"].isna().all()


def test_every_error_has_a_comment_and_change_phrases_start_with_the_change():
    sim = simulate_audits(seed=11, weeks=30, audits_per_week=600)
    audits = sim.audits
    assert audits.loc[audits["is_error"], "qa_comment"].notna().all()
    start = sim.answer_key.set_index("effect").loc["policy_change", "start"]
    says = audits["qa_comment"].str.contains("|".join(PHRASES["policy_change"]), na=False)
    assert says.any()
    assert (audits.loc[says, "decision_time"] >= start).all()
    assert (audits.loc[says, "policy"] == "hate_speech").all()
    phrases = sim.answer_key.set_index("effect").loc["policy_change", "phrases"]
    assert phrases.split("; ") == list(PHRASES["policy_change"])
    assert audits.loc[audits["queue"] == "appeals", "appeal_reason"].notna().all()
    assert audits.loc[audits["queue"] != "appeals", "appeal_reason"].isna().all()
