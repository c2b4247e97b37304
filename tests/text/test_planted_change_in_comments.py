"""The guideline change planted in the sample data is found from the comments alone."""

import pandas as pd

from qainsights.datasets import load_sample
from qainsights.text import distinctive_terms


def test_change_phrases_are_the_top_rising_terms_of_their_month():
    audits = load_sample("audits")
    key = load_sample("answer_key").set_index("effect").loc["policy_change"]
    month = key["start"].strftime("%Y-%m")
    before = (key["start"] - pd.DateOffset(months=1)).strftime("%Y-%m")
    planted_words = set(" ".join(key["phrases"].split("; ")).split())
    result = distinctive_terms(
        audits[audits["is_error"]],
        text="qa_comment",
        by="month",
        target=month,
        reference=before,
        stop_words="english",
    )
    top = result.terms.head(5)
    assert set(top["term"]) <= planted_words
    assert top["distinctive"].sum() >= 3
