"""What the disputed items of a calibration session have in common: their distinctive terms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._caller import caller, public
from .._validation import format_values
from ..text import distinctive_terms
from .calibration import disputed_items

__all__ = ["disputed_terms"]


def _item_texts(texts: Any, items: np.ndarray) -> pd.Series:
    """The text of each rated item (missing where ``texts`` has none)."""
    if not isinstance(texts, pd.Series | Mapping):
        raise ValueError(
            f"The 'texts' parameter of {caller()} must be a Series or a mapping from item "
            f"identifier to text. Got {type(texts).__name__} instead. For a table of items, "
            "pass table.set_index('item_id')['text']."
        )
    series = pd.Series(texts, dtype=object)
    if series.index.has_duplicates:
        repeated = series.index[series.index.duplicated()].unique()
        raise ValueError(
            f"The 'texts' parameter of {caller()} has more than one text for "
            f"{len(repeated)} item(s), e.g. {format_values(repeated)}. Keep one text per item."
        )
    found = series.reindex(items)
    if found.isna().all():
        raise ValueError(
            f"The 'texts' parameter of {caller()} has no text for any rated item. Index it by the "
            f"ratings' item identifiers (for example {format_values(items[:3])})."
        )
    return found


@public
def disputed_terms(
    data: Any = None,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    texts: Any,
    agreed_label: Any = None,
    categories: Any = None,
    prior: str | float = "pooled",
    prior_scale: float | None = None,
    alpha: float = 0.05,
    min_count: int = 5,
    ngram_range: tuple[int, int] = (1, 1),
    stop_words: str | Iterable[str] | None = "english",
    snippet_width: int = 160,
):
    """The words and phrases that set the disputed items' texts apart from the agreed ones'.

    An item is *disputed* when at least one pair of its ratings disagrees
    (:func:`~qainsights.agreement.disputed_items` agreement below 1) and *agreed* when all
    its ratings match; items rated once are left out. The texts of the disputed items are
    compared with those of the agreed items by the weighted log-odds ratio with an
    informative Dirichlet prior (:func:`qainsights.text.distinctive_terms`), with z-scores,
    the false discovery rate controlled over the terms, counts and a masked example per term.

    Parameters
    ----------
    data, item, rater, label, categories
        The ratings, as in :func:`~qainsights.agreement.disputed_items`.
    texts : Series or mapping
        The text of each item, indexed by item identifier. Items without text are not
        counted (``sides`` says how many).
    agreed_label : label, optional
        Compare with the items agreed on this label only (say the benign label, or the
        violation); default every agreed item.
    prior, prior_scale, alpha, min_count, ngram_range, stop_words, snippet_width
        As in :func:`qainsights.text.distinctive_terms` (English stop words removed by
        default).

    Returns
    -------
    DistinctiveTerms
        Target side ``"disputed"``, reference ``"agreed"`` (or ``"agreed: <label>"``);
        ``.top(k)`` lists the terms of the disputed items.

    Examples
    --------
    >>> ratings = pd.DataFrame({
    ...     "item": [1, 1, 2, 2, 3, 3, 4, 4],
    ...     "rater": ["a", "b"] * 4,
    ...     "label": ["ok", "abuse", "ok", "abuse", "ok", "ok", "abuse", "abuse"],
    ... })
    >>> texts = {1: "just a joke mate", 2: "joke or threat", 3: "hello there", 4: "you idiot"}
    >>> found = disputed_terms(ratings, item="item", rater="rater", label="label",
    ...                        texts=texts, min_count=2)
    >>> found.terms[["term", "count_target", "count_reference"]]
       term  count_target  count_reference
    0  joke             2                0

    References
    ----------
    Monroe, B. L., Colaresi, M. P. & Quinn, K. M. (2008). Fightin' words. Political Analysis
    16(4), 372-403. Fleiss, J. L. (1971). Psychological Bulletin 76, 378-382 (agreement of
    an item's rating pairs).
    """
    items = disputed_items(data, item=item, rater=rater, label=label, categories=categories)
    disputed = items["agreement"].to_numpy() < 1
    agreed = ~disputed
    reference = "agreed"
    if agreed_label is not None:
        labels = items["modal_label"].to_numpy(dtype=object)
        if not (labels == agreed_label).any():
            raise ValueError(
                f"The 'agreed_label' parameter of {caller()} is {agreed_label!r}, which is not a "
                f"label of the ratings. Labels: {format_values(pd.unique(labels))}."
            )
        agreed &= labels == agreed_label
        reference = f"agreed: {agreed_label}"
    for side, mask in (("disputed", disputed), (reference, agreed)):
        if not mask.any():
            raise ValueError(
                f"{caller()} found no {side} item among the {len(items)} items rated more than "
                "once: there is nothing to compare the other side with."
            )
    frame = pd.DataFrame(
        {
            "item": items["item"].to_numpy(),
            "side": np.where(disputed, "disputed", np.where(agreed, reference, None)),
            "text": _item_texts(texts, items["item"].to_numpy()).to_numpy(),
        }
    )
    return distinctive_terms(
        frame, text="text", by="side", target="disputed", reference=reference,
        prior=prior, prior_scale=prior_scale, alpha=alpha, min_count=min_count,
        ngram_range=ngram_range, stop_words=stop_words, snippet_width=snippet_width,
    )  # fmt: skip
