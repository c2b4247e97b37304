"""Distinctive terms: the weighted log-odds ratio of Monroe, Colaresi & Quinn (2008)."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from reference import fightin_words as ref

from qainsights.text import (
    comment_summary,
    distinctive_terms,
    log_odds_z,
    rising_terms,
    terms_by_group,
)

QUICK = "the quick brown fox jumps over the lazy pig"
LAZY = "the lazy purple pig jumps over the lazier donkey"


def _two_sides(target, reference):
    return pd.DataFrame(
        {"text": [*target, *reference], "side": ["t"] * len(target) + ["r"] * len(reference)}
    )


def test_z_matches_the_hand_computation():
    # Flat prior alpha_w = 0.05 over the V = 11 words of both sentences, alpha_0 = 0.55; each
    # sentence has n = 9 words. "donkey": y_t = 0, y_r = 1 (target = the quick sentence):
    #   delta = log(0.05 / (9 + 0.55 - 0.05)) - log(1.05 / (9 + 0.55 - 1.05))
    #         = log(0.05 / 9.5) - log(1.05 / 8.5) = -5.24702 - (-2.09128) = -3.15575
    #   sigma^2 = 1 / 0.05 + 1 / 1.05 = 20.95238, sigma = 4.57738, z = -0.68943
    # "the": 2 and 2 -> delta = 0, z = 0.
    result = distinctive_terms(
        _two_sides([QUICK], [LAZY]),
        text="text",
        by="side",
        target="t",
        prior=0.05,
        min_count=1,
    )
    z = result.terms.set_index("term")["z"]
    assert z["donkey"] == pytest.approx(-0.68943, abs=1e-5)
    assert z["the"] == 0
    delta = result.terms.set_index("term")["log_odds"]
    assert delta["donkey"] == pytest.approx(-3.15575, abs=1e-5)


def test_z_matches_the_published_fightin_words_output():
    # tests/reference/fightin_words.md: the fightin_words package's README outputs.
    first = distinctive_terms(
        _two_sides([QUICK], [LAZY]),
        text="text",
        by="side",
        target="t",
        prior=0.05,
        min_count=1,
    ).terms.set_index("term")["z"]
    for word, value in ref.UNINFORMED_EXAMPLE.items():
        assert first[word] == pytest.approx(value, rel=1e-12, abs=1e-12)
    long = "the lazy purple pig jumps over the " + 1000 * "very " + "sleepy donkey"
    second = distinctive_terms(
        _two_sides([QUICK], [long]),
        text="text",
        by="side",
        target="t",
        prior=0.05,
        min_count=1,
    ).terms.set_index("term")["z"]
    for word, value in ref.INFORMED_EXAMPLE.items():
        assert second[word] == pytest.approx(value, rel=1e-12)


def _dense_reference(target_texts, reference_texts, prior_scale=None):
    """Straight from the paper: counts by str.split, informative prior from pooled counts."""
    y_t = Counter(w for t in target_texts for w in t.lower().split())
    y_r = Counter(w for t in reference_texts for w in t.lower().split())
    vocab = sorted(set(y_t) | set(y_r))
    yt = np.array([y_t[w] for w in vocab], float)
    yr = np.array([y_r[w] for w in vocab], float)
    pooled = yt + yr
    a0 = pooled.sum() if prior_scale is None else prior_scale
    a = a0 * pooled / pooled.sum()
    nt, nr = yt.sum(), yr.sum()
    omega_t = (yt + a) / (nt + a0 - yt - a)
    omega_r = (yr + a) / (nr + a0 - yr - a)
    delta = np.log(omega_t) - np.log(omega_r)
    var = 1 / (yt + a) + 1 / (yr + a)
    return pd.Series(delta / np.sqrt(var), index=vocab)


@pytest.mark.parametrize("prior_scale", [None, 50.0])
def test_z_matches_an_independent_dense_implementation(prior_scale):
    rng = np.random.default_rng(3)
    words = np.array(["late", "context", "queue", "slur", "policy", "missed", "ok", "tool"])
    target = [
        " ".join(rng.choice(words, 6, p=[0.1, 0.2, 0.1, 0.2, 0.1, 0.1, 0.1, 0.1]))
        for _ in range(60)
    ]
    reference = [" ".join(rng.choice(words, 5)) for _ in range(80)]
    ours = distinctive_terms(
        _two_sides(target, reference),
        text="text",
        by="side",
        target="t",
        min_count=1,
        prior_scale=prior_scale,
    ).terms.set_index("term")["z"]
    expected = _dense_reference(target, reference, prior_scale)
    pd.testing.assert_series_equal(
        ours.sort_index(), expected.sort_index(), check_names=False, rtol=1e-12
    )


def _null_comments(rng, n_comments=300, planted=()):
    vocab = np.array([f"w{i}" for i in range(200)], dtype=object)
    share = 1 / np.arange(1, 201) ** 1.1
    share /= share.sum()
    side = rng.random(2 * n_comments) < 0.5
    words = rng.choice(vocab, size=(2 * n_comments, 8), p=share)
    for term in planted:
        # A fifth of target comments say the planted term where a fifth of reference comments
        # say a decoy of its own: both sides lose the same share of ordinary words, so only
        # the planted terms and their decoys differ between the sides.
        chosen = rng.random(2 * n_comments) < 0.2
        words[chosen & side, 0] = term
        words[chosen & ~side, 0] = "decoy" + term
    texts = pd.Series(words.tolist()).str.join(" ")
    return pd.DataFrame({"text": texts, "side": np.where(side, "t", "r")})


def test_false_discovery_rate_holds_on_comments_without_a_planted_phrase():
    # With no planted phrase every flag is false, so the false discovery rate is the chance
    # of flagging anything; BH at 5 % keeps it at or below 5 %. Over 60 seeds the count of
    # runs with a flag is Binomial(60, <= 0.05): 9 or more has probability < 0.5 %.
    flagged = [
        distinctive_terms(
            _null_comments(np.random.default_rng(seed)), text="text", by="side", target="t"
        )
        .terms["distinctive"]
        .any()
        for seed in range(60)
    ]
    assert sum(flagged) <= 8


def test_false_discovery_proportion_with_planted_terms_stays_at_alpha():
    planted = ("slur", "nesting", "backlog")
    proportions, found = [], []
    for seed in range(40):
        terms = distinctive_terms(
            _null_comments(np.random.default_rng(100 + seed), planted=planted),
            text="text",
            by="side",
            target="t",
        ).terms
        flagged = terms.loc[terms["distinctive"], "term"]
        true = flagged.isin(planted) | flagged.isin(["decoy" + t for t in planted])
        proportions.append((~true).sum() / max(len(flagged), 1))
        found.append(flagged.isin(planted).sum())
    # mean false discovery proportion <= 5 % plus two standard errors of 40 runs
    assert np.mean(proportions) <= 0.05 + 2 * np.std(proportions) / np.sqrt(40) + 0.01
    assert np.mean(found) >= 2.5  # and the planted terms are found


def test_sides_report_missing_text_and_snippets_are_masked():
    data = pd.DataFrame(
        {
            "c": ["ask @bob about M0042", None, "  ", "late late", "late queue", "queue"],
            "g": ["a", "a", "a", "b", "b", "b"],
        }
    )
    before = data.copy()
    result = distinctive_terms(data, text="c", by="g", target="a", min_count=1)
    pd.testing.assert_frame_equal(data, before)
    sides = result.sides.set_index("side")
    assert sides.loc["target", "comments"] == 1
    assert sides.loc["target", "without_text"] == 2
    assert sides.loc["reference", "terms"] == 5
    snippets = result.terms.set_index("term")["snippet"]
    assert snippets["ask"] == "ask [user] about [id]"
    assert snippets["late"] == "late late"


def test_bigrams_and_stop_words():
    data = _two_sides(["the new slur list", "new slur list"], ["the old list", "old list"])
    terms = distinctive_terms(
        data,
        text="text",
        by="side",
        target="t",
        min_count=1,
        ngram_range=(1, 2),
        stop_words="english",
    ).terms
    assert "slur list" in set(terms["term"])
    assert "the" not in set(terms["term"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "nope"}, "nope"),
        ({"target": "zz"}, "'target' parameter of distinctive_terms names 'zz'"),
        ({"prior": -1}, "'prior' parameter of distinctive_terms must be 'pooled'"),
        ({"alpha": 1.5}, "'alpha' parameter of distinctive_terms"),
        ({"reference": "t"}, "share values"),
        ({"min_count": 0}, "min_count"),
    ],
)
def test_bad_input(kwargs, message):
    data = _two_sides(["a b"], ["c d"])
    arguments = {"text": "text", "by": "side", "target": "t", **kwargs}
    with pytest.raises(ValueError, match=message):
        distinctive_terms(data, **arguments)


def test_a_side_without_text_is_an_error():
    data = pd.DataFrame({"text": [None, "a"], "side": ["t", "r"]})
    with pytest.raises(ValueError, match="target side of distinctive_terms has no comment"):
        distinctive_terms(data, text="text", by="side", target="t")


def test_log_odds_z_refuses_a_zero_prior():
    with pytest.raises(ValueError, match="prior count must be > 0"):
        log_odds_z([1, 2], [2, 1], prior=0)


def test_rising_terms_equal_distinctive_terms_of_each_pair_of_periods():
    rng = np.random.default_rng(9)
    words = np.array(["late", "context", "queue", "slur", "policy", "missed", "ok"], dtype=object)
    data = pd.DataFrame(
        {
            "period": np.repeat(["2026-04", "2026-05", "2026-06"], 40),
            "text": [" ".join(rng.choice(words, 5)) for _ in range(120)],
        }
    )
    data.loc[5, "text"] = None
    scan = rising_terms(data, text="text", period="period", min_count=3)
    for later, earlier in (("2026-05", "2026-04"), ("2026-06", "2026-05")):
        pair = distinctive_terms(
            data, text="text", by="period", target=later, reference=earlier, min_count=3
        ).terms.set_index("term")
        mine = scan[scan["period"] == later].set_index("term")
        assert set(mine.index) == set(pair.index)
        np.testing.assert_allclose(mine["z"], pair.loc[mine.index, "z"], rtol=1e-12)
        assert (mine["count"] == pair.loc[mine.index, "count_target"]).all()
    assert scan.groupby("period")["rank"].min().eq(1).all()


def test_terms_by_group_equal_distinctive_terms_of_each_group_against_the_rest():
    rng = np.random.default_rng(12)
    words = np.array(["late", "context", "queue", "slur", "policy", "missed", "ok"], dtype=object)
    data = pd.DataFrame(
        {
            "cause": rng.choice(["a", "b", "c"], 150),
            "text": [" ".join(rng.choice(words, 4)) for _ in range(150)],
        }
    )
    table = terms_by_group(data, text="text", by="cause", min_count=3)
    for cause in ("a", "b", "c"):
        alone = distinctive_terms(
            data, text="text", by="cause", target=cause, min_count=3
        ).terms.set_index("term")
        mine = table[table["cause"] == cause].set_index("term")
        assert set(mine.index) == set(alone.index)
        np.testing.assert_allclose(mine["z"], alone.loc[mine.index, "z"], rtol=1e-12)
        assert (mine["count_rest"] == alone.loc[mine.index, "count_reference"]).all()


def test_comment_summary_masks_identifiers_and_defaults_to_the_month_before():
    comments = ["new slur list applied", "slur list, with M0042 and Ana Lima"] * 20
    data = pd.DataFrame(
        {
            "month": ["2026-06"] * 40 + ["2026-05"] * 40,
            "is_error": True,
            "qa_comment": comments + ["missed context"] * 40,
            "moderator_id": ["Ana Lima"] * 80,
        }
    )
    summary = comment_summary(data, month="2026-06")
    assert summary.previous == "2026-05"
    assert (summary.comments, summary.comments_previous) == (40, 40)
    assert summary.rising["term"].tolist()[:2] == ["list", "slur"]
    joined = " ".join(summary.rising["example"])
    assert "Ana Lima" not in joined
    assert "M0042" not in joined
    # the words of a moderator's name, and ID-like tokens, are not listed as terms either
    assert not {"ana", "lima", "m0042"} & set(summary.rising["term"])
