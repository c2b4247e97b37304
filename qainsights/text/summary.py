"""What this month's error comments say that last month's did not: the report's section data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .._caller import public
from .._results import TidyResult
from .._validation import check_columns, check_frame, check_integer
from .logodds import distinctive_terms
from .redact import identifier_values, identifying_terms

__all__ = ["CommentSummary", "comment_summary"]


@dataclass(frozen=True, repr=False)
class CommentSummary(TidyResult):
    """The terms rising in one month's error comments against the month before.

    Attributes
    ----------
    month, previous : str
        The month reported and the month it is compared with.
    comments, comments_previous : int
        Error comments (with text) in each.
    rising : DataFrame
        At most ``top`` distinctive terms of ``month`` (false discovery rate ``alpha``),
        strongest first: ``term``, ``count``, ``count_previous``, ``comments`` (comments
        containing it), ``z``, ``q_value`` and ``example`` (a masked, one-line comment).
    """

    month: str
    previous: str
    comments: int
    comments_previous: int
    rising: pd.DataFrame
    _title = "What the comments say"

    def to_frame(self) -> pd.DataFrame:
        """The rising terms."""
        return self.rising


@public
def comment_summary(
    audits: pd.DataFrame,
    *,
    month: str,
    previous: str | None = None,
    text: str = "qa_comment",
    top: int = 5,
    alpha: float = 0.05,
    stop_words: str | Iterable[str] | None = "english",
    identifiers: Iterable[str] = (),
    snippet_width: int = 160,
) -> CommentSummary:
    """The data of the report's "what the comments say" section: this month's rising terms.

    The comments on this month's errors are compared with those on the previous month's by
    :func:`~qainsights.text.distinctive_terms`; the distinctive terms of this month come with
    their counts and one example comment, pseudonymised: e-mail addresses, handles, links,
    long numbers, ID-like tokens and every value of the table's ``moderator_id`` and
    ``auditor_id`` columns are masked, and a term that would identify someone (a word of
    those values, an ID-like token, a word found only inside masked text) is not listed.

    Parameters
    ----------
    audits : DataFrame
        The canonical audit table, with ``month``, ``is_error`` and the comment column.
    month : str
        The month reported, ``'YYYY-MM'``.
    previous : str, optional
        The month compared with; default the calendar month before ``month``.
    text : str, default "qa_comment"
        The comment column.
    top : int, default 5
        Most terms listed.
    alpha : float, default 0.05
        False discovery rate of the terms listed.
    stop_words : default "english"
        As in :func:`~qainsights.text.tokenize`.
    identifiers : list of str, optional
        More values to mask (auditors' names, say).
    snippet_width : int, default 160
        Length of the example comments.

    Returns
    -------
    CommentSummary

    Examples
    --------
    >>> from qainsights.datasets import load_sample
    >>> summary = comment_summary(load_sample("audits"), month="2026-06")
    >>> summary.rising["term"].tolist()
    ['slur', 'list', 'guidance', 'revised']

    References
    ----------
    Monroe, B. L., Colaresi, M. P. & Quinn, K. M. (2008). Fightin' words. Political Analysis
    16(4), 372-403.
    """
    frame = check_frame(audits, name="audits")
    check_columns(frame, [text, "month", "is_error"], param="audits")
    check_integer(top, name="top", minimum=1)
    if previous is None:
        previous = (pd.Period(month, freq="M") - 1).strftime("%Y-%m")
    errors = frame.loc[frame["is_error"].astype(bool), [text, "month"]]
    masked = identifier_values(frame, identifiers)
    result = distinctive_terms(
        errors,
        text=text,
        by="month",
        target=month,
        reference=previous,
        alpha=alpha,
        stop_words=stop_words,
        identifiers=masked,
        snippet_width=snippet_width,
    )
    compared = errors.loc[errors["month"].isin([month, previous]), text]
    hidden = identifying_terms(result.terms["term"], identifiers=masked, texts=compared)
    shown = replace(result, terms=result.terms[~hidden])
    rising = shown.top(top).rename(
        columns={
            "count_target": "count",
            "count_reference": "count_previous",
            "comments_target": "comments",
            "snippet": "example",
        }
    )
    columns = ["term", "count", "count_previous", "comments", "z", "q_value", "example"]
    sides = result.sides.set_index("side")["comments"]
    return CommentSummary(
        month=month,
        previous=previous,
        comments=int(sides["target"]),
        comments_previous=int(sides["reference"]),
        rising=rising[columns].reset_index(drop=True).astype({"comments": np.int64}),
    )
