"""The report's "what the comments say": rising terms and themes of this month's error comments.

The auditors' comments on this month's errors against last month's: the terms that rose
(:func:`qainsights.text.comment_summary`) and the themes of the two months' comments with the
change of each theme's share (:func:`qainsights.text.comment_themes`, with the ``text``
extra). Comments are untrusted text: every example is masked and cut to one line, a term or
theme word that would identify someone is not shown, the rendered report escapes the rest
and the exports neutralise formulas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._caller import caller, public
from .._compat import STR
from .._results import TidyResult
from .._validation import check_columns, check_frame, check_integer
from ..text import CommentSummary, comment_summary, comment_themes
from ..text.redact import identifier_values

__all__ = ["MIN_COMMENTS", "CommentsSection", "comments_section", "why_no_comments"]

#: Error comments needed in each of the two months before their words are compared.
MIN_COMMENTS = 30
#: Length of the example comments shown, in characters.
SNIPPET_WIDTH = 120


@dataclass(frozen=True, repr=False)
class CommentsSection(TidyResult):
    """What this month's error comments say that last month's did not.

    Attributes
    ----------
    terms : CommentSummary
        The months compared, their numbers of error comments and the terms that rose
        (:func:`~qainsights.text.comment_summary`; ``terms.rising`` is the table).
    themes : DataFrame or None
        One row per theme of the two months' error comments: ``theme``, ``name`` (its top
        terms), ``comments`` (this month's comments of the theme), ``share``,
        ``share_previous``, ``difference``, ``q_value`` (of the change of share,
        Benjamini-Hochberg over the themes), ``rising`` and ``example``; None when themes
        could not be found (``themes_note`` says why).
    themes_note : str or None
        Why there are no themes, in one sentence.
    alpha : float
        The false discovery rate of the terms and the themes' changes.
    """

    terms: CommentSummary
    themes: pd.DataFrame | None
    themes_note: str | None
    alpha: float
    _title = "What the comments say"

    def to_frame(self) -> pd.DataFrame:
        """The rising terms."""
        return self.terms.rising

    def summary(self) -> str:
        """The section's finding in one sentence."""
        found = self.terms
        counts = (
            f"{found.comments:,} error comments in {found.month} against "
            f"{found.comments_previous:,} in {found.previous}"
        )
        if not len(found.rising):
            return f"{counts}: no term rose beyond chance (false discovery rate {self.alpha:.0%})."
        terms = ", ".join(f"'{t}'" for t in found.rising["term"])
        return (
            f"{counts}: {len(found.rising)} term(s) rose beyond chance (false discovery rate "
            f"{self.alpha:.0%}), strongest first: {terms}."
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """The section's tables by title, for the report's exports."""
        tables = {"Comments: rising terms": self.terms.rising}
        if self.themes is not None:
            tables["Comments: themes"] = self.themes
        return tables


def _error_comments(audits: pd.DataFrame, text: str) -> pd.Series:
    """The month of every error whose comment has text."""
    raw = audits[text]
    has_text = raw.notna().to_numpy() & (raw.astype(STR).str.strip() != "").to_numpy()
    return audits.loc[audits["is_error"].to_numpy(dtype=bool) & has_text, "month"]


@public
def why_no_comments(
    audits: pd.DataFrame,
    *,
    month: str,
    previous: str,
    text: str = "qa_comment",
    min_comments: int = MIN_COMMENTS,
) -> str | None:
    """Why the comments section cannot be computed, in one sentence; None when it can.

    Parameters
    ----------
    audits : DataFrame
        The canonical audit table.
    month, previous : str
        The report month and the month before, ``'YYYY-MM'``.
    text : str, default "qa_comment"
        The comment column.
    min_comments : int, default :data:`MIN_COMMENTS`
        Error comments needed in each month.

    Returns
    -------
    str or None

    Examples
    --------
    >>> audits = pd.DataFrame({"month": ["2026-06"], "is_error": [True], "qa_comment": ["x"]})
    >>> why_no_comments(audits, month="2026-06", previous="2026-05")
    '1 error comment(s) in 2026-06 and 0 in 2026-05: comparing their words needs at least 30 in each.'
    >>> why_no_comments(audits.drop(columns="qa_comment"), month="2026-06", previous="2026-05")
    "the audits have no 'qa_comment' column (the auditors' comments on errors)."
    """
    if text not in audits:
        return f"the audits have no {text!r} column (the auditors' comments on errors)."
    months = _error_comments(audits, text)
    now, before = int((months == month).sum()), int((months == previous).sum())
    if min(now, before) < min_comments:
        return (
            f"{now:,} error comment(s) in {month} and {before:,} in {previous}: comparing their "
            f"words needs at least {min_comments} in each."
        )
    return None


def _themes(errors, *, text, month, previous, n_themes, alpha, seed, identifiers):
    """Themes of the two months' comments with their change of share; or None and why."""
    try:
        found = comment_themes(
            errors, text=text, n_themes=n_themes, period="month", seed=seed,
            snippet_width=SNIPPET_WIDTH, identifiers=identifiers, n_examples=1,
        )  # fmt: skip
    except ImportError as error:
        return None, str(error)
    except ValueError as error:  # too few distinct terms for the themes asked for
        return None, str(error)
    change = found.change(current=month, baseline=previous, alpha=alpha, min_n=1).to_frame()
    change = change.set_index("theme")
    named = found.themes.set_index("theme")
    examples = found.examples.set_index("theme")["snippet"]
    table = pd.DataFrame(
        {
            "theme": named.index.to_numpy(),
            "name": named["name"].to_numpy(),
            "comments": change.loc[named.index, "errors_current"].to_numpy(dtype=np.int64),
            "share": change.loc[named.index, "rate_current"].to_numpy(),
            "share_previous": change.loc[named.index, "rate_baseline"].to_numpy(),
            "difference": change.loc[named.index, "difference"].to_numpy(),
            "q_value": change.loc[named.index, "q_value"].to_numpy(),
        }
    )
    table["rising"] = (table["q_value"] <= alpha) & (table["difference"] > 0)
    table["example"] = examples.loc[table["theme"]].to_numpy()
    table = table.sort_values(["share", "theme"], ascending=[False, True], kind="stable")
    return table.reset_index(drop=True), None


@public
def comments_section(
    audits: pd.DataFrame,
    *,
    month: str,
    previous: str | None = None,
    text: str = "qa_comment",
    top: int = 5,
    n_themes: int = 5,
    alpha: float = 0.05,
    seed: int = 0,
    min_comments: int = MIN_COMMENTS,
) -> CommentsSection:
    """The report's "what the comments say": this month's error comments against last month's.

    The terms of this month's error comments are compared with last month's by the weighted
    log-odds ratio with an informative Dirichlet prior
    (:func:`~qainsights.text.comment_summary`, English stop words removed); the rising ones
    are listed with their counts and one example comment. The two months' comments are split
    into ``n_themes`` themes (TF-IDF and NMF, :func:`~qainsights.text.comment_themes`; needs
    the ``text`` extra), each with this month's count and share, last month's share and the
    test of the change (:meth:`~qainsights.text.CommentThemes.change`). Every example is
    masked (e-mail addresses, handles, links, long numbers, ID-like tokens and the table's
    moderator and auditor IDs) and cut to :data:`SNIPPET_WIDTH` characters, and terms that
    would identify someone are not listed.

    Parameters
    ----------
    audits : DataFrame
        The canonical audit table with ``month``, ``is_error`` and the comment column.
    month : str
        The report month, ``'YYYY-MM'``.
    previous : str, optional
        The month compared with; default the calendar month before.
    text : str, default "qa_comment"
        The comment column.
    top : int, default 5
        Most rising terms listed.
    n_themes : int, default 5
        Themes sought (at least 2).
    alpha : float, default 0.05
        False discovery rate of the rising terms and of the themes' changes.
    seed : int, default 0
        Seed of the themes' factorisation.
    min_comments : int, default :data:`MIN_COMMENTS`
        Error comments needed in each month (:func:`why_no_comments`).

    Returns
    -------
    CommentsSection

    Raises
    ------
    ValueError
        When :func:`why_no_comments` gives a reason.

    Examples
    --------
    >>> from qainsights.datasets import load_sample
    >>> section = comments_section(load_sample("audits"), month="2026-06")
    >>> section.terms.rising["term"].tolist()
    ['slur', 'list', 'guidance', 'revised']
    >>> len(section.themes)
    5

    References
    ----------
    Monroe, B. L., Colaresi, M. P. & Quinn, K. M. (2008). Fightin' words. Political Analysis
    16(4), 372-403. Lee, D. D. & Seung, H. S. (1999). Nature 401, 788-791.
    """
    frame = check_frame(audits, name="audits")
    check_columns(frame, ["month", "is_error"], param="audits")
    check_integer(top, name="top", minimum=1)
    check_integer(min_comments, name="min_comments", minimum=1)
    if previous is None:
        previous = (pd.Period(month, freq="M") - 1).strftime("%Y-%m")
    reason = why_no_comments(
        frame, month=month, previous=previous, text=text, min_comments=min_comments
    )
    if reason is not None:
        raise ValueError(f"{caller()} cannot describe the comments of {month}: {reason}")
    identifiers = sorted(set(identifier_values(frame)))
    # The two months' errors in an order of their own (month, then text), so the examples
    # and themes do not depend on the order an engine returned the rows in.
    in_months = frame["month"].isin([month, previous]).to_numpy()
    errors = frame.loc[
        in_months & frame["is_error"].to_numpy(dtype=bool), [text, "month", "is_error"]
    ].sort_values(["month", text], kind="stable", na_position="last")
    summary = comment_summary(
        errors, month=month, previous=previous, text=text, top=top, alpha=alpha,
        identifiers=identifiers, snippet_width=SNIPPET_WIDTH,
    )  # fmt: skip
    themes, note = _themes(
        errors, text=text, month=month, previous=previous, n_themes=n_themes, alpha=alpha,
        seed=seed, identifiers=identifiers,
    )  # fmt: skip
    return CommentsSection(terms=summary, themes=themes, themes_note=note, alpha=float(alpha))
