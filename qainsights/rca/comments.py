"""What the auditors' comments say about each root cause."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .._validation import check_columns, check_frame, check_integer
from ..text import terms_by_group

__all__ = ["root_cause_terms"]

_FUNC = "root_cause_terms"


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
    frame = check_frame(audits, func=_FUNC, name="audits")
    check_columns(frame, [text, root_cause], func=_FUNC, param="audits")
    check_integer(top, name="top", func=_FUNC, minimum=1)
    table = terms_by_group(
        frame[[text, root_cause]],
        text=text,
        by=root_cause,
        alpha=alpha,
        min_count=min_count,
        stop_words=stop_words,
    )
    return table[(table["z"] > 0) & (table["rank"] <= top)].reset_index(drop=True)
