"""Comments to terms: Unicode tokenisation, n-grams and a sparse document-term count matrix.

The work happens on Arrow arrays (RE2 regular expressions, dictionary encoding) and in
``scipy.sparse``: there is no Python loop over comments. Identical comments are tokenised once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from .._caller import caller, public
from .._validation import format_values

__all__ = ["ENGLISH_STOP_WORDS", "TermMatrix", "term_matrix", "tokenize"]

#: Runs of characters that are not part of a word: a word is letters (any script), combining
#: marks (so Devanagari or Thai words stay whole), digits and the underscore.
_NOT_WORD = r"[^\p{L}\p{M}\p{N}_]+"

#: A short list of English function words, for ``stop_words="english"``.
ENGLISH_STOP_WORDS: frozenset[str] = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ]
)


@dataclass(frozen=True)
class TermMatrix:
    """Term counts of a set of comments.

    Attributes
    ----------
    counts : scipy.sparse.csr_matrix
        Comments x terms, int64: how often each term occurs in each comment (a missing
        comment is an empty row).
    terms : ndarray of str
        The term of each column: words in order of first appearance, then longer n-grams.
    """

    counts: sparse.csr_matrix
    terms: np.ndarray


def _normalise(texts: pa.Array) -> pa.Array:
    """NFKC, then Unicode case folding (``str.casefold``; the ASCII majority through Arrow)."""
    normal = pc.utf8_normalize(texts, "NFKC")
    folded = pc.utf8_lower(normal)
    ascii_only = pc.fill_null(pc.string_is_ascii(normal), True)
    wide = np.flatnonzero(~ascii_only.to_numpy(zero_copy_only=False))
    if len(wide):
        # Python's NFKC for these: older pyarrow releases (14, 18) leave some decomposed.
        exact = pd.Series(texts.take(pa.array(wide)).to_pandas(), dtype=object)
        exact = exact.str.normalize("NFKC").str.casefold()
        folded = pc.replace_with_mask(
            folded,
            pa.array(np.isin(np.arange(len(texts)), wide)),
            pa.array(exact.to_numpy(), type=folded.type),  # string or large_string
        )
    return folded


def _expand(lengths: np.ndarray, starts: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Positions ``starts[c] .. starts[c] + lengths[c] - 1`` for every code ``c``, in order."""
    sizes = lengths[codes]
    total = int(sizes.sum())
    ends = np.cumsum(sizes)
    offset = np.repeat(starts[codes] - (ends - sizes), sizes)
    return np.arange(total, dtype=np.int64) + offset


def _words(texts: pa.Array, stop_words: frozenset[str]):
    """Every word of every text as a code into ``vocabulary``, with the text it came from.

    The texts are cut at ASCII white space (a fast split), the pieces dictionary-encoded,
    and only the distinct pieces are normalised and split into words at Unicode word
    boundaries; the words of each piece are then laid out again for every occurrence with
    index arithmetic. Empty pieces and stop words are dropped by their codes, so no string
    is copied after the split.
    """
    pieces = pc.ascii_split_whitespace(texts)
    encoded = pc.dictionary_encode(pc.list_flatten(pieces))
    piece_code = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    piece_text = pc.list_parent_indices(pieces).to_numpy(zero_copy_only=False).astype(np.int64)
    split = pc.split_pattern_regex(_normalise(encoded.dictionary), _NOT_WORD)
    words = pc.dictionary_encode(pc.list_flatten(split))
    vocabulary = words.dictionary.to_numpy(zero_copy_only=False).astype(object)
    usable = (vocabulary != "") & ~pd.Index(vocabulary).isin(list(stop_words))
    word_code = words.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    offsets = split.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
    at = _expand(np.diff(offsets), offsets[:-1] - offsets[0], piece_code)
    codes = word_code[at]
    parent = np.repeat(piece_text, np.diff(offsets)[piece_code])
    keep = usable[codes]
    return codes[keep], parent[keep], vocabulary


def _ngrams(texts: pa.Array, stop_words: frozenset[str], ngram_range: tuple[int, int]):
    """Term ids, owning text and term names of the n-grams for n in ``ngram_range``.

    An n-gram is coded from the (n-1)-gram before it and its last word (one ``np.unique``
    per length); only the distinct n-grams are turned into strings. Unused codes (empty
    pieces, stop words) are dropped from the names at the end.
    """
    codes, parent, vocabulary = _words(texts, stop_words)
    low, high = ngram_range
    size = len(vocabulary)
    key, valid, names = codes, np.ones(len(codes), dtype=bool), vocabulary
    ids, owners, terms, offset = [], [], [], 0
    for n in range(1, high + 1):  # one vectorised pass per n-gram length
        if n > 1:
            m = max(len(codes) - n + 1, 0)
            valid = valid[:m] & (parent[n - 1 : n - 1 + m] == parent[:m])
            joined, inverse = np.unique(
                key[:m][valid] * size + codes[n - 1 : n - 1 + m][valid], return_inverse=True
            )
            key = np.full(m, -1, dtype=np.int64)
            key[valid] = inverse
            names = names[joined // size] + " " + vocabulary[joined % size]
        if n >= low:
            ids.append(key + offset if n == 1 else key[valid] + offset)
            owners.append(parent if n == 1 else parent[: len(valid)][valid])
            terms.append(names)
            offset += len(names)
    ids, owners = np.concatenate(ids), np.concatenate(owners)
    used = np.bincount(ids, minlength=offset) > 0
    if used.all():
        return ids, owners, np.concatenate(terms)
    remap = np.cumsum(used) - 1
    return remap[ids], owners, np.concatenate(terms)[used]


def _check_options(ngram_range, stop_words) -> tuple[tuple[int, int], frozenset[str]]:
    func = caller()
    if not (
        isinstance(ngram_range, tuple)
        and len(ngram_range) == 2
        and all(isinstance(n, int | np.integer) for n in ngram_range)
        and 1 <= ngram_range[0] <= ngram_range[1] <= 5
    ):
        raise ValueError(
            f"The 'ngram_range' parameter of {func} must be a tuple (low, high) of integers with "
            f"1 <= low <= high <= 5. Got {ngram_range!r} instead."
        )
    if stop_words is None:
        return ngram_range, frozenset()
    if isinstance(stop_words, str):
        if stop_words != "english":
            raise ValueError(
                f"The 'stop_words' parameter of {func} must be None, 'english' or a list of "
                f"words. Got {stop_words!r} instead."
            )
        return ngram_range, ENGLISH_STOP_WORDS
    words = list(stop_words)
    if not all(isinstance(w, str) for w in words):
        bad = [w for w in words if not isinstance(w, str)]
        raise ValueError(
            f"The 'stop_words' parameter of {func} must hold strings. Got {format_values(bad)} "
            "instead."
        )
    folded = _normalise(pa.array(words, type=pa.large_string())).to_pylist()
    return ngram_range, frozenset(folded)


def _as_text_array(texts: Iterable[str | None]) -> pd.Series:
    func = caller()
    values = pd.Series(texts) if not isinstance(texts, pd.Series) else texts
    present = values.dropna()
    not_text = present[~present.map(type).isin([str])] if values.dtype == object else None
    if not_text is not None and len(not_text):
        raise ValueError(
            f"The 'texts' parameter of {func} must hold strings (or missing values). Got "
            f"{len(not_text)} other values, e.g. {format_values(not_text.head(3).tolist())}. "
            "Convert them with .astype('str') first."
        )
    return values


@public
def tokenize(
    texts: Iterable[str | None],
    *,
    ngram_range: tuple[int, int] = (1, 1),
    stop_words: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    r"""Split comments into terms, one row per occurrence.

    Text is normalised to Unicode NFKC and case-folded; a word is a run of letters (of any
    script), combining marks, digits and underscores, so words are found by Unicode word
    boundaries without language-specific rules (no stemming). Stop words are removed before
    n-grams are formed; an n-gram never spans two comments.

    Parameters
    ----------
    texts : sequence of str
        The comments; missing values give no terms.
    ngram_range : tuple (low, high), default (1, 1)
        Lengths of the n-grams to form, as in scikit-learn's ``CountVectorizer``.
    stop_words : None, "english" or list of str, default None
        Words to drop: none, :data:`ENGLISH_STOP_WORDS` or your own list (normalised the same
        way as the text).

    Returns
    -------
    DataFrame
        ``document`` (position of the comment in ``texts``) and ``term``.

    Examples
    --------
    >>> tokenize(["Straße CLOSED!", "नमस्ते दुनिया", None], ngram_range=(1, 2))
       document           term
    0         0         strasse
    1         0          closed
    2         1          नमस्ते
    3         1          दुनिया
    4         0  strasse closed
    5         1   नमस्ते दुनिया

    References
    ----------
    Unicode Standard Annex #15 (normalisation forms) and the Unicode case-folding rules of
    Python's ``str.casefold``; RE2 character classes ``\p{L}``, ``\p{M}``, ``\p{N}``.
    """
    ngram_range, stops = _check_options(ngram_range, stop_words)
    values = _as_text_array(texts)
    arr = pa.array(values.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
    ids, owners, terms = _ngrams(arr, stops, ngram_range)
    return pd.DataFrame({"document": owners, "term": terms[ids]})


@public
def term_matrix(
    texts: Iterable[str | None],
    *,
    ngram_range: tuple[int, int] = (1, 1),
    stop_words: str | Iterable[str] | None = None,
) -> TermMatrix:
    """Count every term of every comment into a sparse comments x terms matrix.

    Tokenisation as in :func:`tokenize`. Identical comments are tokenised once and their
    row repeated, so templated comments cost nothing extra.

    Parameters
    ----------
    texts : sequence of str
        The comments; a missing value is an empty row.
    ngram_range, stop_words
        As in :func:`tokenize`.

    Returns
    -------
    TermMatrix
        ``counts`` (CSR, comments x terms) and ``terms``.

    Examples
    --------
    >>> m = term_matrix(["late queue", "Late, late!", None])
    >>> m.terms.tolist(), m.counts.toarray().tolist()
    (['late', 'queue'], [[1, 1], [2, 0], [0, 0]])

    References
    ----------
    scikit-learn's ``CountVectorizer`` defines the same matrix (with an ASCII-leaning default
    token pattern); Pedregosa et al. (2011), JMLR 12, 2825-2830.
    """
    ngram_range, stops = _check_options(ngram_range, stop_words)
    values = _as_text_array(texts)
    code, unique = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    arr = pa.array(np.asarray(unique, dtype=object), type=pa.large_string(), from_pandas=True)
    term_code, owners, terms = _ngrams(arr, stops, ngram_range)
    shape = (len(unique), len(terms))
    by_unique = sparse.csr_matrix(
        (np.ones(len(term_code), dtype=np.int64), (owners, term_code)), shape=shape
    )
    by_unique.sum_duplicates()
    blank = sparse.csr_matrix((1, len(terms)), dtype=np.int64)
    rows = np.where(code < 0, len(unique), code)
    counts = sparse.vstack([by_unique, blank], format="csr")[rows]
    return TermMatrix(counts=counts.astype(np.int64), terms=terms)
