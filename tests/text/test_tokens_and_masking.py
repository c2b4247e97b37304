"""Tokenisation across scripts, the sparse count matrix, and masking of untrusted text."""

import numpy as np
import pandas as pd
import pytest

from qainsights.report.exports import neutralize_formulas
from qainsights.text import mask_text, snippet, term_matrix, tokenize


def test_words_of_many_scripts_stay_whole():
    # Devanagari vowel signs are combining marks (Unicode category Mc/Mn): Python's re \w
    # splits "नमस्ते" at them; Unicode word boundaries do not.
    texts = ["नमस्ते दुनिया", "Ça va? ÇA VA!", "東京 tower", "ﬁne Ｆｕｌｌ"]
    terms = tokenize(texts)
    assert terms.loc[terms["document"] == 0, "term"].tolist() == ["नमस्ते", "दुनिया"]
    # case folding and NFKC: "Ça"/"ÇA" one term; the ligature and full-width letters fold
    assert terms.loc[terms["document"] == 1, "term"].tolist() == ["ça", "va", "ça", "va"]
    assert terms.loc[terms["document"] == 3, "term"].tolist() == ["fine", "full"]
    assert "strasse" in set(tokenize(["STRASSE Straße"])["term"])


def test_ngrams_never_span_two_comments():
    terms = tokenize(["a b", "c"], ngram_range=(2, 2))["term"].tolist()
    assert terms == ["a b"]


def test_term_matrix_counts_duplicates_and_missing_rows():
    texts = ["late, late queue", None, "late, late queue", "Queue"]
    m = term_matrix(texts)
    dense = pd.DataFrame(m.counts.toarray(), columns=m.terms)
    assert dense.to_dict("list") == {"late": [2, 0, 2, 0], "queue": [1, 0, 1, 1]}


def test_term_matrix_matches_a_counter_on_random_text():
    from collections import Counter

    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(["a", "b", "c", "dé"], rng.integers(0, 6))) for _ in range(50)]
    m = term_matrix(texts)
    for row, text in enumerate(texts):
        counts = Counter(text.split())
        got = dict(zip(m.terms, m.counts[row].toarray().ravel(), strict=True))
        assert {k: v for k, v in got.items() if v} == dict(counts)


def test_bad_ngram_range_and_stop_words():
    with pytest.raises(ValueError, match="'ngram_range' parameter of tokenize"):
        tokenize(["a"], ngram_range=(2, 1))
    with pytest.raises(ValueError, match="'stop_words' parameter of tokenize"):
        tokenize(["a"], stop_words="french")
    with pytest.raises(ValueError, match="'texts' parameter of term_matrix must hold strings"):
        term_matrix(["a", 3])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail jane.doe+qa@corp.example.co.uk now", "mail [email] now"),
        ("cc @Ana_B and @x.y", "cc [user] and [user]"),
        ("see https://evil.example/x?y=<script>", "see [url]"),
        ("phone 0151 496 0000 or 555-0100-22", "phone [number] or [number]"),
        ("moderator M0042 and auditor QA-07", "moderator [id] and auditor [id]"),
        ("2 items in 2026 were fine", "2 items in 2026 were fine"),
    ],
)
def test_mask_text(text, expected):
    assert mask_text(text) == expected


def test_mask_text_known_identifiers_and_index():
    values = pd.Series(["Priya said ok", "priyanka ok", None], index=[5, 6, 7])
    masked = mask_text(values, identifiers=["Priya"])
    assert masked.index.tolist() == [5, 6, 7]
    assert masked.tolist() == ["[id] said ok", "priyanka ok", None]


def test_snippet_truncates_on_a_word_and_flattens_lines():
    text = "first line\n\nsecond   line with more words than fit"
    out = snippet(text, width=25)
    assert out == "first line second line…"
    assert len(out) <= 25


def test_comments_are_escaped_in_html_and_neutralised_in_exports():
    table = pd.DataFrame({"snippet": snippet(["<img src=x onerror=alert(1)>", "=HYPERLINK(1)"])})
    html = table._repr_html_()
    assert "<img" not in html
    assert "&lt;img" in html
    assert neutralize_formulas(table)["snippet"].tolist()[1] == "'=HYPERLINK(1)"
