"""Comment themes: TF-IDF + NMF through scikit-learn, shares with intervals, changes tested."""

import sys

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from qainsights.text import comment_themes

GROUPS = {
    "context": ["missed", "context", "thread", "sarcasm", "quoted", "reply"],
    "tool": ["media", "load", "video", "tool", "crashed", "blank"],
    "policy": ["slur", "list", "revised", "guidance", "updated", "wording"],
}


def _comments(seed=0, n=300, rising="policy"):
    """Comments from three disjoint vocabularies; ``rising`` goes from 20 % to 50 % of them in 2026-06."""
    rng = np.random.default_rng(seed)
    month = np.where(rng.random(n) < 0.5, "2026-05", "2026-06")
    share = np.where(month == "2026-06", 0.5, 0.2)
    others = np.array([g for g in GROUPS if g != rising], dtype=object)
    chosen = np.where(rng.random(n) < share, rising, others[rng.integers(0, 2, n)])
    words = np.array([GROUPS[g] for g in chosen], dtype=object)
    picks = rng.integers(0, 6, (n, 4))
    text = [" ".join(row[p]) for row, p in zip(words, picks, strict=True)]
    return pd.DataFrame({"qa_comment": text, "month": month, "truth": chosen})


@pytest.fixture(autouse=True)
def _needs_sklearn(request):
    if request.node.name != "test_a_clear_error_without_scikit_learn":
        pytest.importorskip("sklearn")


def test_themes_recover_the_three_vocabularies_and_name_them():
    data = _comments()
    before = data.copy()
    result = comment_themes(data, text="qa_comment", n_themes=3, ngram_range=(1, 1))
    pd.testing.assert_frame_equal(data, before)
    table = pd.crosstab(result.assignments, data["truth"])
    # each theme holds one vocabulary whole: a permutation matrix of counts
    assert ((table > 0).sum(axis=1) == 1).all()
    assert ((table > 0).sum(axis=0) == 1).all()
    for theme, words in zip(result.themes["theme"], result.themes["name"], strict=True):
        truth = table.loc[theme].idxmax()
        assert set(words.split(", ")) <= set(GROUPS[truth])
    assert result.themes["comments"].sum() == len(data)


def test_same_seed_same_themes():
    data = _comments(seed=4)
    a = comment_themes(data, text="qa_comment", n_themes=4, seed=7)
    b = comment_themes(data, text="qa_comment", n_themes=4, seed=7)
    pd.testing.assert_frame_equal(a.themes, b.themes)
    pd.testing.assert_series_equal(a.assignments, b.assignments)


def test_shares_have_wilson_intervals_and_the_rising_theme_is_significant():
    data = _comments(seed=1, n=600)
    result = comment_themes(data, text="qa_comment", n_themes=3, period="month", ngram_range=(1, 1))
    shares = result.shares
    assert np.allclose(shares.groupby("month")["share"].sum(), 1)
    low, high = proportion_confint(shares["comments"], shares["n"], method="wilson")
    np.testing.assert_allclose(shares["ci_low"], low, rtol=1e-10)
    np.testing.assert_allclose(shares["ci_high"], high, rtol=1e-10)
    change = result.change(current="2026-06", baseline="2026-05").to_frame().set_index("theme")
    policy = pd.crosstab(result.assignments, data["truth"])["policy"].idxmax()
    assert change.loc[policy, "significant"]
    assert change.loc[policy, "difference"] == pytest.approx(
        shares.set_index(["month", "theme"]).loc[("2026-06", policy), "share"]
        - shares.set_index(["month", "theme"]).loc[("2026-05", policy), "share"]
    )


def test_examples_are_masked():
    data = _comments(seed=2)
    data.loc[0, "qa_comment"] = "missed context thread sarcasm, ask @someone or M0042"
    result = comment_themes(data, text="qa_comment", n_themes=3, n_examples=300)
    assert not result.examples["snippet"].str.contains("@someone|M0042").any()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_themes": 1}, "n_themes"),
        ({"text": "nope"}, "nope"),
        ({"n_themes": 500}, "fewer than n_themes=500"),
    ],
)
def test_bad_input(kwargs, message):
    arguments = {"text": "qa_comment", **kwargs}
    with pytest.raises(ValueError, match=message):
        comment_themes(_comments(), **arguments)


def test_change_needs_a_period():
    result = comment_themes(_comments(), text="qa_comment", n_themes=3)
    with pytest.raises(ValueError, match="needs a period"):
        result.change(current="2026-06")


def test_a_clear_error_without_scikit_learn(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.decomposition", None)
    with pytest.raises(ImportError, match=r"pip install 'qainsights\[text\]'"):
        comment_themes(_comments(), text="qa_comment")
