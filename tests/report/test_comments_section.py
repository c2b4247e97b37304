"""The report's "what the comments say": planted phrases found, hostile text made harmless."""

import sys

import pandas as pd
import pytest

from qainsights.datasets import load_sample
from qainsights.report.comments import MIN_COMMENTS, comments_section, why_no_comments
from qainsights.report.display import Table
from qainsights.report.exports import write_csv


def test_the_planted_guideline_phrases_are_the_rising_terms_of_their_month():
    audits = load_sample("audits")
    key = load_sample("answer_key").set_index("effect").loc["policy_change"]
    month = key["start"].strftime("%Y-%m")
    planted_words = set(key["phrases"].replace(";", " ").split())
    section = comments_section(audits, month=month)
    assert section.terms.previous == (key["start"] - pd.DateOffset(months=1)).strftime("%Y-%m")
    assert len(section.terms.rising) >= 3
    assert set(section.terms.rising["term"]) <= planted_words
    # the counts are counts of comments that say it: none of the planted words before the change
    before = audits[(audits["month"] == section.terms.previous) & audits["is_error"]]
    words = before["qa_comment"].str.lower().str.findall(r"\w+").explode()
    assert not set(words) & set(section.terms.rising["term"])
    for term, count in section.terms.rising.set_index("term")["comments"].items():
        said = audits[(audits["month"] == month) & audits["is_error"]]["qa_comment"]
        assert count == said.str.lower().str.contains(rf"\b{term}\b", regex=True).sum()
    # the wrong-policy errors the change adds make their theme the one that rose
    rising_themes = section.themes[section.themes["rising"]]
    assert rising_themes["name"].str.contains("policy").all()
    assert len(rising_themes) >= 1
    assert "slur" in section.summary()


def _hostile(n: int = 400) -> pd.DataFrame:
    """Two months of error comments; June's say "slur list" and carry hostile text."""
    june = [
        '=HYPERLINK("http://evil.example/x","slur list")',
        "slur list, ask @troll_99 or jo.doe@example.com",
        "slur list discussed with Ana Lima, M0042, +44 20 7946 0958",
        "<script>alert(1)</script> slur list " + "verylongword" * 20,
    ]
    june = [f"{comment} (with Ana Lima, M0042)" for comment in june] * (n // 4)
    may = ["missed the context"] * n
    return pd.DataFrame(
        {
            "month": ["2026-06"] * n + ["2026-05"] * n,
            "is_error": True,
            "qa_comment": june + may,
            "moderator_id": ["Ana Lima", "M0042"] * n,
        }
    )


def test_hostile_comments_are_masked_escaped_truncated_and_neutralised(tmp_path):
    audits = _hostile()
    before = audits.copy()
    section = comments_section(audits, month="2026-06", n_themes=2)
    pd.testing.assert_frame_equal(audits, before)
    rising = section.terms.rising.set_index("term")
    # each of the 400 June comments says "slur list" once; May's never do
    assert rising.loc[["slur", "list"], "count"].tolist() == [400, 400]
    assert rising.loc[["slur", "list"], "count_previous"].tolist() == [0, 0]
    shown = " ".join([*section.terms.rising["term"], *section.terms.rising["example"]])
    shown += " " + " ".join([*section.themes["name"], *section.themes["example"]])
    for secret in ("troll_99", "jo.doe", "example.com", "Ana", "Lima", "M0042", "7946"):
        assert secret.lower() not in shown.lower()
    # words of a moderator's name or an ID are never listed as terms either
    assert not {"ana", "lima", "m0042", "troll_99"} & set(section.terms.rising["term"])
    assert (section.terms.rising["example"].str.len() <= 120).all()
    assert (section.themes["example"].str.len() <= 120).all()
    page = "".join(Table(t)._repr_html_() for t in section.tables().values())
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    text_cells = []
    for path in write_csv(section.tables(), tmp_path):
        table = pd.read_csv(path, dtype=str, encoding="utf-8-sig").fillna("")
        text_cells += [*table.get("term", []), *table.get("name", []), *table["example"]]
    assert not [c for c in text_cells if c.startswith(("=", "+", "-", "@"))]
    assert any(c.startswith("'=HYPERLINK(") for c in text_cells)


def test_no_comment_column_or_too_few_comments_say_why_in_one_line():
    audits = _hostile()
    gone = audits.drop(columns="qa_comment")
    assert why_no_comments(gone, month="2026-06", previous="2026-05") == (
        "the audits have no 'qa_comment' column (the auditors' comments on errors)."
    )
    few = audits[audits["month"] == "2026-06"]
    reason = why_no_comments(few, month="2026-06", previous="2026-05")
    assert reason == (
        f"400 error comment(s) in 2026-06 and 0 in 2026-05: comparing their words needs at "
        f"least {MIN_COMMENTS} in each."
    )
    assert "\n" not in reason
    blank = audits.assign(qa_comment=audits["qa_comment"].where(audits["month"] == "2026-05", " "))
    assert why_no_comments(blank, month="2026-06", previous="2026-05").startswith("0 error")
    assert why_no_comments(audits, month="2026-06", previous="2026-05") is None
    with pytest.raises(
        ValueError, match="comments_section cannot describe the comments of 2026-06"
    ):
        comments_section(few, month="2026-06")


def test_without_the_text_extra_the_terms_stay_and_the_themes_say_why(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.decomposition", None)
    section = comments_section(_hostile(), month="2026-06", n_themes=2)
    assert section.themes is None
    assert "text extra" in section.themes_note
    assert list(section.tables()) == ["Comments: rising terms"]
    assert set(section.terms.rising["term"]) >= {"list", "slur"}


def test_bad_arguments_name_the_parameter():
    with pytest.raises(ValueError, match="'top' parameter of comments_section"):
        comments_section(_hostile(), month="2026-06", top=0)
    with pytest.raises(ValueError, match="is_error"):
        comments_section(_hostile().drop(columns="is_error"), month="2026-06")


def test_the_monthly_report_carries_the_section_and_says_why_when_it_cannot():
    from qainsights.report import build_monthly_report

    audits = load_sample("audits")
    key = load_sample("answer_key").set_index("effect").loc["policy_change"]
    month = key["start"].strftime("%Y-%m")
    planted_words = set(key["phrases"].replace(";", " ").split())
    report = build_monthly_report(audits, month=month, sections=["comments"])
    assert set(report.comments.terms.rising["term"]) <= planted_words
    assert "Comments: rising terms" in report.tables()
    gone = build_monthly_report(
        audits.drop(columns="qa_comment"), month=month, sections=["comments"]
    )
    assert gone.comments is None
    assert gone.omitted == {
        "comments": "the audits have no 'qa_comment' column (the auditors' comments on errors)."
    }


def test_the_section_does_not_depend_on_the_order_of_the_rows():
    # Spark and a folder of files return rows in no fixed order: examples and themes must not move.
    audits = load_sample("audits")
    first = comments_section(audits, month="2026-06", n_themes=3)
    shuffled = comments_section(
        audits.sample(frac=1.0, random_state=1), month="2026-06", n_themes=3
    )
    pd.testing.assert_frame_equal(first.terms.rising, shuffled.terms.rising)
    pd.testing.assert_frame_equal(first.themes, shuffled.themes)
