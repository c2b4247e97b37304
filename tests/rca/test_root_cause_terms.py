"""Root-cause terms: what the comments say about each root cause."""

import pandas as pd
import pytest

from qainsights.rca import root_cause_terms


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
