"""Distinctive terms of every group at once: each group's comments against all the others'."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .._caller import caller, public
from .._deprecation import renamed
from .._validation import check_columns, check_frame, check_integer
from ._many import check_prior_and_alpha, compare_rows, group_counts

__all__ = ["terms_by_group"]


@public
@renamed(group="by")
def terms_by_group(
    data: pd.DataFrame,
    *,
    text: str,
    by: str,
    prior: str | float = "pooled",
    alpha: float = 0.05,
    min_count: int = 5,
    ngram_range: tuple[int, int] = (1, 1),
    stop_words: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """The terms that set each group's comments apart from all the other groups' comments.

    For every value of ``by`` (a root cause, a site, a queue), its comments are compared
    with the comments of every other value by the weighted log-odds ratio of
    :func:`~qainsights.text.distinctive_terms`; all groups come from one sparse count matrix
    and one matrix product, and the false discovery rate is controlled over every group x
    term tested.

    Parameters
    ----------
    data : DataFrame
        One row per comment.
    text : str
        Column of free text; rows with missing or blank text, or a missing group, are not
        counted.
    by : str
        Column whose values are compared, each against the rest (at least two values).
    prior, alpha, min_count, ngram_range, stop_words
        As in :func:`~qainsights.text.rising_terms`.

    Returns
    -------
    DataFrame
        One row per group and term tested, by group and descending ``z``: the group column,
        ``term``, ``count``, ``count_rest`` (occurrences), ``comments``, ``comments_rest``,
        ``log_odds``, ``se``, ``z``, ``p_value``, ``q_value``, ``distinctive`` (``q_value <=
        alpha`` and ``z > 0``) and ``rank`` (1 for the largest ``z`` of the group).

    Examples
    --------
    >>> errors = pd.DataFrame({
    ...     "root_cause": ["tool_issue"] * 3 + ["missed_context"] * 3,
    ...     "qa_comment": ["media did not load", "video did not load", "tool crashed",
    ...                    "missed the sarcasm", "missed context", "context of the thread"],
    ... })
    >>> table = terms_by_group(errors, text="qa_comment", by="root_cause", min_count=2)
    >>> table.loc[table["rank"] == 1, ["root_cause", "term", "count", "count_rest"]]
           root_cause     term  count  count_rest
    0  missed_context  context      2           0
    6      tool_issue      did      2           0

    References
    ----------
    Monroe, B. L., Colaresi, M. P. & Quinn, K. M. (2008). Fightin' words. Political Analysis
    16(4), 372-403. Benjamini, Y. & Hochberg, Y. (1995). JRSS B 57, 289-300.
    """
    group = by
    frame = check_frame(data)
    check_columns(frame, [text, group])
    check_integer(min_count, name="min_count", minimum=1)
    flat = check_prior_and_alpha(prior, alpha)
    counts, comments, labels, terms = group_counts(
        frame, text, group, ngram_range=ngram_range, stop_words=stop_words
    )
    if len(labels) < 2:
        raise ValueError(
            f"The {group!r} column of {caller()} must hold at least two values with comments in "
            f"{text!r}. Got {len(labels)}."
        )
    rest = counts.sum(axis=0, keepdims=True) - counts
    stats = compare_rows(counts, rest, flat=flat, prior=prior, min_count=min_count)
    row, term, z, q = stats["row"], stats["term"], stats["z"], stats["q_value"]
    table = pd.DataFrame(
        {
            group: labels[row],
            "term": terms[term],
            "count": counts[row, term],
            "count_rest": rest[row, term],
            "comments": comments[row],
            "comments_rest": comments.sum() - comments[row],
            **{c: stats[c] for c in ("log_odds", "se", "z", "p_value", "q_value")},
            "distinctive": (q <= alpha) & (z > 0),
        }
    )
    table = table.sort_values([group, "z", "term"], ascending=[True, False, True], kind="stable")
    table["rank"] = table.groupby(group, sort=False).cumcount() + 1
    return table.reset_index(drop=True)
