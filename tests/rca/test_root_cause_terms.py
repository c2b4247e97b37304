"""Root-cause terms: what the comments say about each root cause."""

import sys

import pandas as pd
import pytest

from qainsights.rca import root_cause_terms, root_cause_themes


def _errors():
    return pd.DataFrame(
        {
            "root_cause": ["tool_issue"] * 10 + ["missed_context"] * 10 + [None] * 3,
            "qa_comment": ["the media did not load"] * 10
            + ["sarcasm in the thread missed"] * 10
            + ["no cause given"] * 3,
        }
    )


def test_each_cause_gets_the_words_of_its_comments():
    data = _errors()
    before = data.copy()
    terms = root_cause_terms(data, top=3)
    pd.testing.assert_frame_equal(data, before)
    by_cause = terms.groupby("root_cause")["term"].agg(set).to_dict()
    assert by_cause == {
        "missed_context": {"missed", "sarcasm", "thread"},
        "tool_issue": {"load", "media"},
    }
    assert (terms["count_rest"] == 0).all()
    assert terms["comments"].eq(10).all()


def test_bad_input():
    with pytest.raises(ValueError, match="qa_comment"):
        root_cause_terms(_errors().drop(columns="qa_comment"))
    with pytest.raises(ValueError, match="'top' parameter of root_cause_terms"):
        root_cause_terms(_errors(), top=0)


def test_each_cause_gets_its_theme_with_a_wilson_interval():
    pytest.importorskip("sklearn")
    data = _errors().assign(is_error=True)
    wrong = pd.DataFrame(
        {"root_cause": ["tool_issue"] * 5, "qa_comment": ["sarcasm missed"] * 5, "is_error": False}
    )
    data = pd.concat([data, wrong], ignore_index=True)
    before = data.copy()
    themes = root_cause_themes(data, n_themes=2)
    pd.testing.assert_frame_equal(data, before)
    # the correct decisions' comments and the errors without a cause are left out
    assert themes.assignments.notna().sum() == 20
    dominant = themes.shares[themes.shares["share"] > 0]
    assert dominant.groupby("root_cause")["theme"].nunique().tolist() == [1, 1]
    assert dominant["theme"].nunique() == 2
    # 10 of 10 comments: Wilson's lower bound is n / (n + z^2), z = 1.959964
    assert dominant["comments"].tolist() == [10, 10]
    assert dominant["ci_low"].round(6).tolist() == [round(10 / (10 + 1.959964**2), 6)] * 2
    names = themes.themes.set_index("theme")["name"]
    tool = dominant.loc[dominant["root_cause"] == "tool_issue", "theme"].iloc[0]
    assert set(names[tool].split(", ")) <= {"media", "load", "media load"}


def test_root_cause_themes_names_the_extra_without_scikit_learn(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.decomposition", None)
    with pytest.raises(
        ImportError, match=r"root_cause_themes needs scikit-learn.*qainsights\[text\]"
    ):
        root_cause_themes(_errors())
