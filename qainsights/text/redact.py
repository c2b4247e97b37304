"""Untrusted text made safe to show: personal data masked, length bounded.

Comments and appeal reasons are free text written about people: they can hold e-mail
addresses, user handles, links, phone or account numbers and the identifiers of moderators.
Mask them before a comment reaches a table, a chart or a report. (HTML escaping is the
display's job: pandas' ``_repr_html_`` and the report escape cell text; CSV and Excel exports
neutralise formulas with :func:`qainsights.report.exports.neutralize_formulas`.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._caller import caller, public
from .._compat import STR
from .._validation import check_integer
from .tokens import tokenize

__all__ = ["MASKS", "identifier_values", "identifying_terms", "mask_text", "snippet"]

#: What is masked, in order, and its placeholder (RE2 patterns).
MASKS: tuple[tuple[str, str, str], ...] = (
    ("email", r"[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)+", "[email]"),
    ("url", r"(?i)(?:https?://|www\.)\S+", "[url]"),
    ("handle", r"(^|[^\p{L}\p{N}_@])@[\p{L}\p{N}_][\p{L}\p{N}_.]*", r"\1[user]"),
    ("number", r"\+?\d(?:[\d \-]{4,}\d)", "[number]"),
    ("identifier", r"(^|[^\p{L}\p{N}_])\p{L}{1,4}[-_]?\d{2,}([^\p{L}\p{N}_]|$)", r"\1[id]\2"),
)


#: Columns of the audit table whose values identify people.
IDENTIFIER_COLUMNS = ("moderator_id", "auditor_id")


@public
def identifier_values(frame: pd.DataFrame, extra: Iterable[str] = ()) -> list[str]:
    """The values to mask in a table's free text: ``extra`` and every moderator and auditor ID.

    Examples
    --------
    >>> identifier_values(pd.DataFrame({"moderator_id": ["M1", "M1", None]}), ["Ana"])
    ['Ana', 'M1']
    """
    values = [str(v) for v in extra]
    for name in IDENTIFIER_COLUMNS:
        if name in frame:
            values += pd.unique(frame[name].dropna().astype(STR)).tolist()
    return values


@public
def identifying_terms(terms, *, identifiers: Iterable[str] = (), texts=None) -> np.ndarray:
    """Which terms would identify someone: a word of an identifier, or text that is masked.

    A term list shown in a report must not name people either: ``ana`` and ``lima`` of the
    identifier "Ana Lima" are each harmless-looking, ``m0042`` is an ID, and ``example``
    may occur only inside the e-mail address ``jo@example.com``.

    Parameters
    ----------
    terms : sequence of str
        Terms as :func:`~qainsights.text.tokenize` makes them (normalised, case-folded).
    identifiers : list of str, optional
        Known identifiers, as in :func:`mask_text`.
    texts : sequence of str, optional
        The comments the terms come from: a term that occurs in them only inside a masked
        span (an e-mail address, a link, a handle, an identifier) identifies too.

    Returns
    -------
    ndarray of bool

    Examples
    --------
    >>> identifying_terms(["ana", "slur list", "m0042", "user@x.org"], identifiers=["Ana Lima"])
    array([ True, False,  True,  True])
    >>> identifying_terms(["example", "list"], texts=["list, ask jo@example.com"])
    array([ True, False])
    """
    values = pd.Series(list(terms), dtype=object)
    names = [str(v) for v in identifiers]
    words = set(tokenize(pd.Series(names, dtype=object))["term"])
    if texts is not None:
        raw, _ = _as_series(texts)
        words |= set(tokenize(raw)["term"]) - set(tokenize(_masked(raw, names, blank=True))["term"])
    parts = tokenize(values)
    named = parts.loc[parts["term"].isin(words), "document"].unique()
    masked = mask_text(values).to_numpy(dtype=object) != values.to_numpy(dtype=object)
    return masked | np.isin(np.arange(len(values)), named)


def _array(texts: pd.Series) -> pa.Array:
    return pa.array(texts.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)


def _as_series(texts) -> tuple[pd.Series, bool]:
    func = caller()
    if isinstance(texts, str):
        return pd.Series([texts], dtype=object), True
    values = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    present = values.dropna()
    bad = present[~present.map(lambda v: isinstance(v, str))]
    if len(bad):
        raise ValueError(
            f"The 'texts' parameter of {func} must hold strings (or missing values). Got "
            f"{len(bad)} other values, e.g. {bad.iloc[0]!r}. Convert them with .astype('str')."
        )
    return values, False


def _present(names: list[str], values: pd.Series, size: int = 500) -> list[list[str]]:
    """The identifiers whose every word occurs in the texts, longest first, in chunks.

    A table can list hundreds of thousands of identifiers; only those that can occur in the
    texts go into the (size-limited) regular expression.
    """
    if not names:
        return []
    present = set(tokenize(values.dropna())["term"])
    unique = pd.Series(sorted(set(names), key=len, reverse=True), dtype=object)
    pieces = tokenize(unique)
    absent = pieces.loc[~pieces["term"].isin(present), "document"].unique()
    kept = unique.drop(index=absent).loc[lambda s: s.index.isin(pieces["document"])].tolist()
    return [kept[i : i + size] for i in range(0, len(kept), size)]


@public
def mask_text(texts, *, identifiers: Iterable[str] = ()):
    """Mask e-mail addresses, links, user handles, long numbers and identifiers in free text.

    Replaced, in this order: e-mail addresses by ``[email]``; links (``http://``,
    ``https://``, ``www.``) by ``[url]``; ``@handles`` by ``[user]``; runs of six or more
    digits, possibly with spaces or hyphens (phone and account numbers), by ``[number]``;
    identifier-like tokens (one to four letters, an optional ``-`` or ``_``, two or more
    digits, such as ``M0042`` or ``QA-07``) by ``[id]``; and every value listed in
    ``identifiers`` (matched as a whole word, case-insensitively) by ``[id]``.

    Parameters
    ----------
    texts : str or sequence of str
        The text; missing values stay missing.
    identifiers : list of str, optional
        Known identifiers to mask wherever they occur (moderator or auditor IDs, names).

    Returns
    -------
    str or Series
        A string for a string; otherwise a Series (with the input's index for a Series).

    Examples
    --------
    >>> mask_text("Ask @jane_doe or jane.doe@example.com; M0042 said https://x.io/a?b=1")
    'Ask [user] or [email]; [id] said [url]'
    >>> mask_text(["Call +44 20 7946 0958", "Rui agreed", None], identifiers=["rui"]).tolist()
    ['Call [number]', '[id] agreed', None]

    References
    ----------
    OWASP Logging Cheat Sheet, "Data to exclude" (personal data and identifiers in free text);
    RE2 syntax for the patterns.
    """
    values, scalar = _as_series(texts)
    masked = _masked(values, [str(v) for v in identifiers], blank=False)
    return masked.iloc[0] if scalar else masked


def _masked(values: pd.Series, names: list[str], *, blank: bool) -> pd.Series:
    """The texts with every masked span replaced by its placeholder, or by a space (``blank``)."""
    arr = _array(values)
    for _, pattern, placeholder in (*MASKS, ("name", None, r"\1[id]\2")):
        replacement = re.sub(r"\[\w+\]", " ", placeholder) if blank else placeholder
        chunks = [None] if pattern else _present(names, values)
        for chunk in chunks:
            if chunk is not None:
                words = "|".join(re.escape(n) for n in chunk)
                pattern = rf"(?i)(^|[^\p{{L}}\p{{N}}_])(?:{words})([^\p{{L}}\p{{N}}_]|$)"
            arr = pc.replace_substring_regex(arr, pattern, replacement)
    masked = pd.Series(arr.to_numpy(zero_copy_only=False), index=values.index, dtype=object)
    return masked.where(values.notna(), None)


@public
def snippet(texts, *, width: int = 160, identifiers: Iterable[str] = ()):
    r"""Masked, single-line text cut to ``width`` characters, for tables and reports.

    :func:`mask_text` first; then runs of white space (new lines included) become one space
    and text longer than ``width`` is cut at the last space before it and ends with ``…``.

    Parameters
    ----------
    texts : str or sequence of str
    width : int, default 160
        Longest result, in characters (at least 10).
    identifiers : list of str, optional
        As in :func:`mask_text`.

    Returns
    -------
    str or Series

    Examples
    --------
    >>> snippet("Context missed:\n the post quoted @someone to condemn it, not to endorse", width=40)
    'Context missed: the post quoted [user]…'

    References
    ----------
    OWASP Logging Cheat Sheet (as :func:`mask_text`).
    """
    check_integer(width, name="width", minimum=10)
    masked = mask_text(texts, identifiers=identifiers)
    values = pd.Series([masked], dtype=object) if isinstance(masked, str) else masked
    flat = values.str.replace(r"\s+", " ", regex=True).str.strip()
    long = flat.str.len().to_numpy(dtype=float) > width
    cut = flat.str.slice(0, width - 1).str.replace(r"\s+\S*$", "", regex=True) + "…"
    out = flat.where(~np.asarray(long, dtype=bool), cut)
    return out.iloc[0] if isinstance(masked, str) else out
