"""Disputed calibration items summarised by their distinctive terms."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qainsights.agreement import disputed_terms
from qainsights.text import distinctive_terms

SAMPLES = Path(__file__).parents[2] / "data_samples"


def _session():
    """12 items, 3 raters; items 0-5 split (disputed) and say 'sarcasm', 6-11 unanimous."""
    labels = [["ok", "ok", "abuse"]] * 6 + [["ok"] * 3] * 3 + [["abuse"] * 3] * 3
    ratings = pd.DataFrame(
        {
            "item": np.repeat(np.arange(12), 3),
            "rater": ["a", "b", "c"] * 12,
            "label": np.ravel(labels),
        }
    )
    texts = {i: f"sarcasm or not, case {i}" for i in range(6)}
    texts |= {i: f"plain greeting, case {i}" for i in range(6, 9)}
    texts |= {i: f"plain insult, case {i}" for i in range(9, 12)}
    return ratings, texts


def test_disputed_items_are_compared_with_agreed_ones_by_hand_labels():
    ratings, texts = _session()
    found = disputed_terms(
        ratings, item="item", rater="rater", label="label", texts=texts, min_count=3
    )
    # by hand: items 0-5 have disagreeing pairs, 6-11 none
    by_hand = pd.DataFrame(
        {"side": ["disputed"] * 6 + ["agreed"] * 6, "text": [texts[i] for i in range(12)]}
    )
    expected = distinctive_terms(
        by_hand, text="text", by="side", target="disputed", reference="agreed",
        min_count=3, stop_words="english",
    )  # fmt: skip
    pd.testing.assert_frame_equal(found.terms, expected.terms)
    assert found.sides["comments"].tolist() == [6, 6]
    terms = found.terms.set_index("term")
    # 'sarcasm' is in each of the six disputed texts and in none of the agreed ones
    assert terms.loc["sarcasm", ["count_target", "count_reference"]].tolist() == [6, 0]
    assert terms.loc["plain", ["count_target", "count_reference"]].tolist() == [0, 6]


def test_agreed_label_narrows_the_reference():
    ratings, texts = _session()
    found = disputed_terms(
        ratings, item="item", rater="rater", label="label", texts=texts, agreed_label="ok",
        min_count=3,
    )  # fmt: skip
    assert found.sides["values"].tolist() == ["disputed", "agreed: ok"]
    assert found.sides["comments"].tolist() == [6, 3]
    assert "insult" not in set(found.terms["term"])


def test_convabuse_disputed_messages_against_agreed_benign_ones():
    ratings = pd.read_csv(SAMPLES / "convabuse_calibration.csv")
    texts = pd.read_csv(SAMPLES / "convabuse_texts.csv").set_index("item_id")["user"]
    first = ratings[ratings["repeat"] == 0]
    found = disputed_terms(
        first, item="item_id", rater="annotator", label="abusive", texts=texts, agreed_label=0,
        stop_words=None,
    )  # fmt: skip
    # the verdicts and the messages saying the word, counted from the data by hand
    votes = first.groupby("item_id")["abusive"].agg(["size", "sum"])
    votes = votes[votes["size"] >= 2]
    disputed = votes.index[(votes["sum"] > 0) & (votes["sum"] < votes["size"])]
    benign = votes.index[votes["sum"] == 0]
    assert found.sides["comments"].tolist() == [len(disputed), len(benign)]
    says = texts.str.lower().str.contains(r"\bfuck\b", regex=True)
    top = found.top(1)
    assert top["term"].tolist() == ["fuck"]
    assert top["comments_target"].iloc[0] == says.reindex(disputed).sum()
    assert top["comments_reference"].iloc[0] == says.reindex(benign).sum()


def test_bad_inputs_say_what_to_do():
    ratings, texts = _session()
    columns = {"item": "item", "rater": "rater", "label": "label"}
    with pytest.raises(ValueError, match="'texts' parameter of disputed_terms must be a Series"):
        disputed_terms(ratings, **columns, texts=list(texts.values()))
    with pytest.raises(ValueError, match="has no text for any rated item"):
        disputed_terms(ratings, **columns, texts={"x": "y"})
    with pytest.raises(ValueError, match="'agreed_label' parameter of disputed_terms is 'spam'"):
        disputed_terms(ratings, **columns, texts=texts, agreed_label="spam")
    unanimous = ratings[ratings["item"] >= 6]
    with pytest.raises(ValueError, match="found no disputed item among the 6 items"):
        disputed_terms(unanimous, **columns, texts=texts)
    twice = pd.Series(["a", "b"], index=[0, 0])
    with pytest.raises(ValueError, match="more than one text for 1 item"):
        disputed_terms(ratings, **columns, texts=twice)
