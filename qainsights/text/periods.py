"""Rising and falling terms: every period's comments against the period before, in one pass."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import ndtr

from .._compat import STR
from .._multiple import q_values
from .._validation import check_columns, check_frame, check_integer
from .logodds import log_odds
from .tokens import term_matrix

__all__ = ["rising_terms"]

_FUNC = "rising_terms"


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
    frame = check_frame(data, func=_FUNC)
    check_columns(frame, [text, period], func=_FUNC)
    check_integer(min_count, name="min_count", func=_FUNC, minimum=1)
    if not (isinstance(alpha, float | int) and 0 < alpha < 1):
        raise ValueError(
            f"The 'alpha' parameter of {_FUNC} must be a number strictly between 0 and 1. "
            f"Got {alpha!r} instead."
        )
    flat = isinstance(prior, int | float) and not isinstance(prior, bool) and prior > 0
    if not (flat or (isinstance(prior, str) and prior == "pooled")):
        raise ValueError(
            f"The 'prior' parameter of {_FUNC} must be 'pooled' or a positive number. Got "
            f"{prior!r} instead."
        )
    raw = frame[text]
    usable = raw.notna().to_numpy() & frame[period].notna().to_numpy()
    usable &= (raw.astype(STR).str.strip() != "").to_numpy()
    codes, periods = pd.factorize(frame.loc[usable, period], sort=True)
    if len(periods) < 2:
        raise ValueError(
            f"The {period!r} column of {_FUNC} must hold at least two periods with comments in "
            f"{text!r}. Got {len(periods)}."
        )
    matrix = term_matrix(
        raw[usable].astype(STR).to_numpy(), ngram_range=ngram_range, stop_words=stop_words
    )
    indicator = sparse.csr_matrix(
        (np.ones(len(codes), dtype=np.int64), (codes, np.arange(len(codes)))),
        shape=(len(periods), len(codes)),
    )
    counts = (indicator @ matrix.counts).toarray()
    comments = np.bincount(codes, minlength=len(periods))
    y_t, y_r = counts[1:], counts[:-1]
    pooled = y_t + y_r
    pair, term = np.nonzero(pooled >= min_count)
    totals_t, totals_r = y_t.sum(axis=1), y_r.sum(axis=1)
    if flat:  # a flat prior spans the vocabulary of the two periods compared
        prior_counts = np.full(len(pair), float(prior))
        a0 = float(prior) * (pooled > 0).sum(axis=1)[pair]
    else:  # each term's pooled count: the prior weighs as much as the two periods' data
        prior_counts = pooled[pair, term].astype(float)
        a0 = pooled.sum(axis=1)[pair]
    delta, se = log_odds(
        y_t[pair, term],
        y_r[pair, term],
        prior_counts,
        totals=(totals_t[pair], totals_r[pair], a0),
    )
    z = delta / se
    p = 2 * ndtr(-np.abs(z))
    q = q_values(p)
    table = pd.DataFrame(
        {
            "period": np.asarray(periods)[pair + 1],
            "previous": np.asarray(periods)[pair],
            "term": matrix.terms[term],
            "count": y_t[pair, term],
            "count_previous": y_r[pair, term],
            "comments": comments[pair + 1],
            "comments_previous": comments[pair],
            "log_odds": delta,
            "se": se,
            "z": z,
            "p_value": p,
            "q_value": q,
            "rising": (q <= alpha) & (z > 0),
            "falling": (q <= alpha) & (z < 0),
        }
    )
    table = table.sort_values(["period", "z", "term"], ascending=[True, False, True], kind="stable")
    table["rank"] = table.groupby("period", sort=False).cumcount() + 1
    return table.reset_index(drop=True)
