"""Label hygiene: spellings of one label that differ only in case, blanks or Unicode form.

``MANILA``, ``Manila`` and ``Manila `` are one site. The spellings of a label are grouped by a
key (Unicode NFKC, case-folded, blanks collapsed) and all become the group's most frequent
spelling (ties: the first in sorted order, so the choice does not depend on row order). Columns
that share a vocabulary are unified together: the policy a decision was reviewed under and the
policies the moderator and the auditor cited, so that ``Spam`` and ``spam`` cannot make a
"wrong policy" error. The work is done once per distinct value.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._compat import STR
from .._validation import format_values
from ._missing import present_values

__all__ = [
    "LABEL_COLUMNS",
    "LABEL_GROUPS",
    "describe_merges",
    "no_merges",
    "read_labels",
    "unify_labels",
]

#: Text columns whose spellings are unified; the columns of one tuple share one vocabulary.
LABEL_GROUPS: tuple[tuple[str, ...], ...] = (
    ("site",),
    ("queue",),
    ("policy", "moderator_policy", "qa_policy"),
    ("market",),
    ("root_cause",),
    ("stratum",),
)
#: Every column whose spellings are unified.
LABEL_COLUMNS: frozenset[str] = frozenset(name for group in LABEL_GROUPS for name in group)
_MERGES = {"column": STR, "spelling": STR, "label": STR, "rows": "int64"}


def read_labels(values: pd.Series) -> tuple[pd.Series, tuple[np.ndarray, np.ndarray]]:
    """A label column read once per distinct spelling: stripped, blanks missing.

    Returns the text column and its factorisation (codes, spellings), which
    :func:`unify_labels` reuses.

    Examples
    --------
    >>> text, (codes, spellings) = read_labels(pd.Series(["Manila ", "Dublin", "", "Manila "]))
    >>> text.tolist(), codes.tolist(), spellings.tolist()
    (['Manila', 'Dublin', nan, 'Manila'], [0, 1, 2, 0], ['Manila', 'Dublin', nan])
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    spellings = present_values(pd.Series(uniques, dtype=object), "text").to_numpy(dtype=object)
    unchanged = not pd.isna(spellings).any() and np.array_equal(spellings, uniques)
    if unchanged and values.dtype == STR:
        return values, (codes, spellings)
    text = pd.array(spellings, dtype=STR).take(codes, allow_fill=True)
    return pd.Series(text, index=values.index), (codes, spellings)


def unify_labels(
    typed: dict[str, pd.Series],
    factorized: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> tuple[dict[str, pd.Series], pd.DataFrame]:
    """Return the columns with one spelling per label, and one row per spelling replaced.

    The frame of merges has ``column``, ``spelling`` (as found), ``label`` (what it became)
    and ``rows`` (how many rows of that column had the spelling). ``factorized`` holds the
    columns' factorisations when :func:`read_labels` already made them.

    Examples
    --------
    >>> sites = pd.Series(["Manila", "MANILA", "Manila", "Dublin", " manila"])
    >>> unified, merges = unify_labels({"site": sites})
    >>> unified["site"].tolist()
    ['Manila', 'Manila', 'Manila', 'Dublin', 'Manila']
    >>> merges.values.tolist()
    [['site', 'MANILA', 'Manila', 1], ['site', ' manila', 'Manila', 1]]
    """
    unified = dict(typed)
    found = []
    for group in LABEL_GROUPS:
        names = [name for name in group if name in typed]
        if not names:
            continue
        coded = [(factorized or {}).get(name) or pd.factorize(typed[name]) for name in names]
        spellings = (
            pd.Index(np.concatenate([np.asarray(uniques, dtype=object) for _, uniques in coded]))
            .dropna()
            .unique()
        )
        if len(spellings) < 2:
            continue
        texts = spellings.to_numpy(dtype=object)
        keys = pd.Series(texts, dtype=STR).str.normalize("NFKC").str.casefold()
        key_codes, _ = pd.factorize(keys.str.split().str.join(" "))
        if key_codes.max() + 1 == len(spellings):
            continue
        own = []  # each column's rows as positions in ``spellings`` (-1: missing)
        for codes, uniques in coded:
            position = spellings.get_indexer(np.asarray(uniques, dtype=object))
            own.append(np.where(codes >= 0, position[np.maximum(codes, 0)], -1))
        counts = sum(np.bincount(c[c >= 0], minlength=len(texts)) for c in own)
        order = np.lexsort((np.argsort(np.argsort(texts)), -counts, key_codes))
        first = order[np.r_[True, key_codes[order][1:] != key_codes[order][:-1]]]
        label_of_key = np.empty(key_codes.max() + 1, dtype=np.int64)
        label_of_key[key_codes[first]] = first
        target = label_of_key[key_codes]
        if (target == np.arange(len(spellings))).all():
            continue
        for name, codes in zip(names, own, strict=True):
            mapped = texts[target][np.maximum(codes, 0)]
            mapped[codes < 0] = np.nan
            unified[name] = pd.Series(mapped, index=typed[name].index, dtype=STR)
            rows = np.bincount(codes[codes >= 0], minlength=len(texts))
            changed = np.flatnonzero((target != np.arange(len(spellings))) & (rows > 0))
            found.append(
                pd.DataFrame(
                    {
                        "column": name,
                        "spelling": texts[changed],
                        "label": texts[target[changed]],
                        "rows": rows[changed],
                    }
                )
            )
    if not found:
        return unified, no_merges()
    return unified, pd.concat(found, ignore_index=True).astype(_MERGES)


def no_merges() -> pd.DataFrame:
    """The empty frame of merges, with its columns."""
    return pd.DataFrame({k: pd.Series(dtype=v) for k, v in _MERGES.items()})


def describe_merges(merges: pd.DataFrame) -> str:
    """One line per column: each spelling replaced, with its rows, and what it became.

    Examples
    --------
    >>> merges = pd.DataFrame({"column": ["site"], "spelling": ["MANILA"], "label": ["Manila"],
    ...                        "rows": [30]})
    >>> print(describe_merges(merges))
    - site: 'MANILA' (30 rows) -> 'Manila'
    """
    lines = []
    for column, group in merges.groupby("column", sort=False):
        pairs = [
            f"{format_values([s])} ({n:,} row{'s' if n != 1 else ''}) -> {format_values([label])}"
            for s, n, label in zip(group["spelling"], group["rows"], group["label"], strict=True)
        ]
        lines.append(f"- {column}: " + "; ".join(pairs))
    return "\n".join(lines)
