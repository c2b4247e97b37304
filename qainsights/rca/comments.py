"""What the auditors' comments say about each root cause: distinctive terms and themes."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .._caller import public
from .._validation import check_columns, check_frame, check_integer
from ..text import CommentThemes, comment_themes, terms_by_group
from ..text.redact import identifier_values
from ..text.themes import require_sklearn

__all__ = ["root_cause_terms", "root_cause_themes"]


@public
def root_cause_terms(
    audits: pd.DataFrame,
    *,
    text: str = "qa_comment",
    root_cause: str = "root_cause",
    top: int = 5,
    alpha: float = 0.05,
    min_count: int = 5,
    stop_words: str | Iterable[str] | None = "english",
) -> pd.DataFrame:
    """The words of the comments that set each root cause apart from the others.

    The comments of the errors with a root cause are compared, cause by cause, with the
    comments of the other causes' errors (:func:`qainsights.text.terms_by_group`: weighted
    log-odds with an informative Dirichlet prior, false discovery rate controlled over every
    cause x term). A cause whose comments do not say what its code says, or say what another
    code says, is a coding problem worth a look before its Pareto bar is trusted.

    Parameters
    ----------
    audits : DataFrame
        The canonical audit table (or any table with the two columns).
    text, root_cause : str, default "qa_comment" and "root_cause"
        The comment and the root-cause columns; rows missing either are not counted.
    top : int, default 5
        Terms kept per root cause (the most distinctive first).
    alpha, min_count, stop_words
        As in :func:`qainsights.text.terms_by_group` (English stop words removed by default).

    Returns
    -------
    DataFrame
        The columns of :func:`~qainsights.text.terms_by_group`, at most ``top`` rows per root
        cause, only terms over-represented in that cause (``z > 0``).

    Examples
    --------
    >>> from qainsights.datasets import simulate_audits
    >>> audits = simulate_audits(seed=3, weeks=20, audits_per_week=400).audits
    >>> terms = root_cause_terms(audits, top=2)
    >>> terms.loc[terms["root_cause"] == "tool_issue", "term"].tolist()
    ['post', 'showed']

    References
    ----------
    Monroe, B. L., Colaresi, M. P. & Quinn, K. M. (2008). Fightin' words. Political Analysis
    16(4), 372-403.
    """
    frame = check_frame(audits, name="audits")
    check_columns(frame, [text, root_cause], param="audits")
    check_integer(top, name="top", minimum=1)
    table = terms_by_group(
        frame[[text, root_cause]],
        text=text,
        by=root_cause,
        alpha=alpha,
        min_count=min_count,
        stop_words=stop_words,
    )
    return table[(table["z"] > 0) & (table["rank"] <= top)].reset_index(drop=True)


@public
def root_cause_themes(
    audits: pd.DataFrame,
    *,
    text: str = "qa_comment",
    root_cause: str = "root_cause",
    n_themes: int = 6,
    seed: int = 0,
    min_comments: int = 5,
    stop_words: str | Iterable[str] | None = "english",
) -> CommentThemes:
    """The themes of the errors' comments and how much of each root cause each theme makes.

    The comments of the errors with a root cause are split into ``n_themes`` themes (TF-IDF
    and non-negative matrix factorisation, :func:`qainsights.text.comment_themes`; needs the
    ``text`` extra), each named by its top terms and shown through masked example comments;
    ``shares`` gives, per root cause, the share of its comments in each theme with a Wilson
    interval. A cause spread over many themes, or a theme shared by causes that should
    differ, is a coding question to settle before the Pareto of causes is trusted. The same
    ``seed`` gives the same themes.

    Parameters
    ----------
    audits : DataFrame
        The canonical audit table (or any table with the two columns). Rows with an
        ``is_error`` column set to False are left out, as are rows missing either column.
    text, root_cause : str, default "qa_comment" and "root_cause"
        The comment and the root-cause columns.
    n_themes : int, default 6
        Number of themes.
    seed : int, default 0
        Seed of the factorisation.
    min_comments, stop_words
        As in :func:`qainsights.text.comment_themes`.

    Returns
    -------
    CommentThemes
        ``themes``, ``examples`` (masked, with the table's moderator and auditor IDs),
        ``shares`` by root cause, ``assignments``.

    Raises
    ------
    ImportError
        Without scikit-learn: install the ``text`` extra.

    Examples
    --------
    >>> from qainsights.datasets import simulate_audits
    >>> audits = simulate_audits(seed=3, weeks=20, audits_per_week=400).audits
    >>> themes = root_cause_themes(audits, n_themes=6)
    >>> tool = themes.shares[themes.shares["root_cause"] == "tool_issue"]
    >>> themes.themes.set_index("theme").loc[tool.sort_values("share")["theme"].iloc[-1], "name"]
    'old, old version, version'

    References
    ----------
    Lee, D. D. & Seung, H. S. (1999). Learning the parts of objects by non-negative matrix
    factorization. Nature 401, 788-791.
    """
    require_sklearn()
    frame = check_frame(audits, name="audits")
    check_columns(frame, [text, root_cause], param="audits")
    rows = frame[root_cause].notna().to_numpy().copy()
    if "is_error" in frame:
        rows &= frame["is_error"].fillna(False).to_numpy(dtype=bool)
    return comment_themes(
        frame.loc[rows, [text, root_cause]],
        text=text,
        n_themes=n_themes,
        by=root_cause,
        seed=seed,
        min_comments=min_comments,
        stop_words=stop_words,
        identifiers=identifier_values(frame),
    )
