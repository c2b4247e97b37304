"""Rising and falling terms: every period's comments against the period before, in one pass."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .._caller import caller, public
from .._validation import check_columns, check_frame, check_integer
from ._many import check_prior_and_alpha, compare_rows, group_counts

__all__ = ["rising_terms"]


@public
def rising_terms(
    data: pd.DataFrame,
    *,
    text: str,
    period: str,
    prior: str | float = "pooled",
    alpha: float = 0.05,
    min_count: int = 5,
    ngram_range: tuple[int, int] = (1, 1),
    stop_words: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Terms whose share of the comments rose or fell from each period to the next.

    Every period's comments are compared with the previous period's (in sorted order of
    ``period``) by the weighted log-odds ratio of :func:`~qainsights.text.distinctive_terms`,
    all periods from one sparse count matrix and one matrix product. The false discovery rate
    is controlled over every period x term tested, so scanning a year of months is one family.

    Parameters
    ----------
    data : DataFrame
        One row per comment.
    text : str
        Column of free text; rows with missing or blank text are not counted.
    period : str
        Column of the period (``"month"``, ``"week"``); at least two distinct values.
    prior : "pooled" or float, default "pooled"
        As in :func:`~qainsights.text.distinctive_terms`: the pooled counts of the two
        periods compared (the prior weighs as much as the data), or a flat prior count.
    alpha : float, default 0.05
        False discovery rate of ``rising``.
    min_count : int, default 5
        Period x term pairs counted fewer times in the two periods together are not tested.
    ngram_range, stop_words
        Tokenisation, as in :func:`~qainsights.text.tokenize`.

    Returns
    -------
    DataFrame
        One row per period (after the first) and term tested, by period and descending ``z``:
        ``period``, ``previous``, ``term``, ``count``, ``count_previous`` (occurrences),
        ``comments``, ``comments_previous`` (comments with text), ``log_odds``, ``se``, ``z``,
        ``p_value``, ``q_value``, ``rising`` (``q_value <= alpha`` and ``z > 0``), ``falling``
        (``q_value <= alpha`` and ``z < 0``), ``rank`` (1 for the largest ``z`` of the period).

    Examples
    --------
    >>> comments = pd.DataFrame({
    ...     "month": ["2026-04"] * 3 + ["2026-05"] * 3 + ["2026-06"] * 3,
    ...     "qa_comment": ["late", "late queue", "late", "late", "queue late", "late",
    ...                    "new slur list", "slur list", "late"],
    ... })
    >>> table = rising_terms(comments, text="qa_comment", period="month", min_count=2)
    >>> table.loc[table["rank"] == 1, ["period", "term", "count", "count_previous"]]
        period  term  count  count_previous
    0  2026-05  late      3               3
    2  2026-06  list      2               0

    References
    ----------
    Monroe, B. L., Colaresi, M. P. & Quinn, K. M. (2008). Fightin' words. Political Analysis
    16(4), 372-403. Benjamini, Y. & Hochberg, Y. (1995). JRSS B 57, 289-300.
    """
    frame = check_frame(data)
    check_columns(frame, [text, period])
    check_integer(min_count, name="min_count", minimum=1)
    flat = check_prior_and_alpha(prior, alpha)
    counts, comments, periods, terms = group_counts(
        frame, text, period, ngram_range=ngram_range, stop_words=stop_words
    )
    if len(periods) < 2:
        raise ValueError(
            f"The {period!r} column of {caller()} must hold at least two periods with comments in "
            f"{text!r}. Got {len(periods)}."
        )
    y_t, y_r = counts[1:], counts[:-1]
    stats = compare_rows(y_t, y_r, flat=flat, prior=prior, min_count=min_count)
    pair, term, z, q = stats["row"], stats["term"], stats["z"], stats["q_value"]
    table = pd.DataFrame(
        {
            "period": periods[pair + 1],
            "previous": periods[pair],
            "term": terms[term],
            "count": y_t[pair, term],
            "count_previous": y_r[pair, term],
            "comments": comments[pair + 1],
            "comments_previous": comments[pair],
            **{c: stats[c] for c in ("log_odds", "se", "z", "p_value", "q_value")},
            "rising": (q <= alpha) & (z > 0),
            "falling": (q <= alpha) & (z < 0),
        }
    )
    table = table.sort_values(["period", "z", "term"], ascending=[True, False, True], kind="stable")
    table["rank"] = table.groupby("period", sort=False).cumcount() + 1
    return table.reset_index(drop=True)
