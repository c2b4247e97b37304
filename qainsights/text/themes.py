"""Themes of a comment set: TF-IDF and non-negative matrix factorisation (scikit-learn).

Needs the ``text`` extra (``pip install 'qainsights[text]'``, which brings scikit-learn).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._caller import caller, public
from .._compat import STR
from .._results import TidyResult
from .._validation import as_column_list, check_columns, check_frame, check_integer
from ..rates import proportion_ci
from .redact import identifying_terms, snippet
from .tokens import term_matrix

__all__ = ["CommentThemes", "comment_themes"]


def require_sklearn():
    """scikit-learn's NMF and TfidfTransformer, or an ImportError naming the caller and the extra."""
    func = caller()
    try:
        from sklearn.decomposition import NMF
        from sklearn.feature_extraction.text import TfidfTransformer
    except ImportError as error:  # an optional extra
        raise ImportError(
            f"{func} needs scikit-learn. Install the text extra: pip install 'qainsights[text]'."
        ) from error
    return NMF, TfidfTransformer


@dataclass(frozen=True, repr=False)
class CommentThemes(TidyResult):
    """Themes of a set of comments, their examples and their share per segment and period.

    Attributes
    ----------
    themes : DataFrame
        One row per theme: ``theme`` (1, 2, ...), ``name`` (its top three terms),
        ``top_terms`` (its ``n_terms`` heaviest terms, comma-separated), ``comments``
        (comments whose heaviest theme it is) and ``share`` (of the comments with a theme).
    examples : DataFrame
        ``theme``, ``rank`` and ``snippet``: the comments that weigh most on each theme,
        masked and cut by :func:`~qainsights.text.snippet`.
    shares : DataFrame
        One row per segment (``by``), period and theme: ``comments`` (of the theme), ``n``
        (comments with a theme in the segment and period), ``share``, ``ci_low``, ``ci_high``
        (Wilson interval).
    assignments : Series
        The theme of each row of the input (index kept); missing where the comment has no
        text or none of the kept terms.
    by : list of str
        Segment columns of ``shares``.
    period : str or None
        Period column of ``shares``.
    """

    themes: pd.DataFrame
    examples: pd.DataFrame
    shares: pd.DataFrame
    assignments: pd.Series
    by: list[str]
    period: str | None
    _title = "Comment themes"

    def to_frame(self) -> pd.DataFrame:
        """The themes table."""
        return self.themes

    def change(self, *, current, baseline=None, alpha: float = 0.05, min_n: int = 30):
        """Test each theme's change of share between two periods, as any other rate.

        Runs :func:`qainsights.trends.compare_periods` on the theme counts: per theme (and
        segment), both shares with Wilson intervals, the difference with Newcombe's
        interval, a two-sided test and Benjamini-Hochberg q-values over the themes.

        Parameters
        ----------
        current, baseline
            Periods to compare (``baseline`` default: the period before ``current``).
        alpha, min_n
            As in :func:`~qainsights.trends.compare_periods`.
        """
        if self.period is None:
            raise ValueError(
                "CommentThemes.change needs a period: call comment_themes with period=... ."
            )
        from ..trends import compare_periods

        counts = self.shares.rename(columns={"comments": "in_theme"})
        return compare_periods(
            counts,
            by=["theme", *self.by],
            period=self.period,
            current=current,
            baseline=baseline,
            errors="in_theme",
            n="n",
            alpha=alpha,
            min_n=min_n,
        )


@public
def comment_themes(
    data: pd.DataFrame,
    *,
    text: str,
    n_themes: int = 6,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    seed: int = 0,
    min_comments: int = 5,
    max_terms: int = 5000,
    n_terms: int = 8,
    n_examples: int = 3,
    ngram_range: tuple[int, int] = (1, 2),
    stop_words: str | Iterable[str] | None = "english",
    snippet_width: int = 160,
    identifiers: Iterable[str] = (),
) -> CommentThemes:
    """Find the themes of a set of comments, name them and count them per segment and period.

    Comments become TF-IDF vectors over the terms of :func:`~qainsights.text.term_matrix`
    (kept when they occur in at least ``min_comments`` comments, the ``max_terms`` most
    frequent), and non-negative matrix factorisation splits them into ``n_themes`` themes.
    Each theme is named by its heaviest terms and shown through the comments that weigh most
    on it; each comment belongs to its heaviest theme. The share of each theme among the
    comments of each segment and period comes with a Wilson interval, and
    :meth:`CommentThemes.change` tests its change between periods like any other rate. The
    same ``seed`` gives the same themes.

    Parameters
    ----------
    data : DataFrame
        One row per comment.
    text : str
        Column of free text; rows with missing or blank text get no theme.
    n_themes : int, default 6
        Number of themes (at least 2).
    by : str or list of str, optional
        Segment columns for ``shares``.
    period : str, optional
        Period column for ``shares`` and :meth:`CommentThemes.change`.
    seed : int, default 0
        Seed of the factorisation's initialisation.
    min_comments : int, default 5
        A term must occur in at least this many comments.
    max_terms : int, default 5000
        Most terms kept (the most frequent).
    n_terms, n_examples : int, default 8 and 3
        Terms listed and example comments shown per theme.
    ngram_range, stop_words
        Tokenisation, as in :func:`~qainsights.text.tokenize` (default: words and pairs of
        words, English stop words removed).
    snippet_width : int, default 160
        Length of the examples.
    identifiers : list of str, optional
        Values masked in the examples (see :func:`~qainsights.text.mask_text`); terms that
        would identify someone (their words, ID-like tokens) are left out of the themes.

    Returns
    -------
    CommentThemes

    Examples
    --------
    >>> comments = pd.DataFrame({
    ...     "qa_comment": ["missed the context of the thread"] * 6 + ["media did not load"] * 6,
    ...     "month": ["2026-05", "2026-06"] * 6,
    ... })
    >>> themes = comment_themes(comments, text="qa_comment", n_themes=2, period="month")
    >>> sorted(themes.themes["name"])
    ['context, missed, thread', 'load, media, media load']

    References
    ----------
    Lee, D. D. & Seung, H. S. (1999). Learning the parts of objects by non-negative matrix
    factorization. Nature 401, 788-791. Salton, G. & Buckley, C. (1988). Term-weighting
    approaches in automatic text retrieval. Information Processing & Management 24(5),
    513-523. Implementation: scikit-learn's ``TfidfTransformer`` and ``NMF`` (Pedregosa et
    al. 2011, JMLR 12, 2825-2830).
    """
    nmf_class, tfidf_class = require_sklearn()
    frame = check_frame(data)
    segments = as_column_list(by, name="by") if by is not None else []
    check_columns(frame, [text, *segments, *([period] if period else [])])
    check_integer(n_themes, name="n_themes", minimum=2)
    for name, value in (
        ("min_comments", min_comments),
        ("max_terms", max_terms),
        ("n_terms", n_terms),
        ("n_examples", n_examples),
    ):
        check_integer(value, name=name, minimum=1)
    check_integer(seed, name="seed", minimum=0)
    raw = frame[text]
    usable = np.flatnonzero(raw.notna().to_numpy() & (raw.astype(STR).str.strip() != "").to_numpy())
    matrix = term_matrix(
        raw.iloc[usable].astype(STR).to_numpy(), ngram_range=ngram_range, stop_words=stop_words
    )
    presence = np.asarray((matrix.counts > 0).sum(axis=0)).ravel()
    frequent = np.flatnonzero(presence >= min_comments)
    frequent = frequent[~identifying_terms(matrix.terms[frequent], identifiers=identifiers)]
    keep = frequent[np.argsort(-presence[frequent], kind="stable")[:max_terms]]
    keep.sort()
    if len(keep) < n_themes:
        raise ValueError(
            f"The comments of {caller()} have {len(keep)} terms in at least {min_comments} "
            f"comments, fewer than n_themes={n_themes}. Lower 'n_themes' or 'min_comments'."
        )
    tfidf = tfidf_class().fit_transform(matrix.counts[:, keep])
    model = nmf_class(n_components=n_themes, init="nndsvda", random_state=seed, max_iter=500)
    weights = model.fit_transform(tfidf)
    loadings = model.components_
    order = np.argsort(-loadings, axis=1)[:, :n_terms]
    terms = matrix.terms[keep][order]
    has_theme = weights.max(axis=1) > 0
    dominant = np.where(has_theme, weights.argmax(axis=1) + 1, 0)
    sizes = np.bincount(dominant, minlength=n_themes + 1)[1:]
    themes = pd.DataFrame(
        {
            "theme": np.arange(1, n_themes + 1),
            "name": [", ".join(sorted(t[:3])) for t in terms],
            "top_terms": [", ".join(t) for t in terms],
            "comments": sizes,
            "share": sizes / max(sizes.sum(), 1),
        }
    )
    best = np.argsort(-weights, axis=0, kind="stable")[:n_examples].T  # themes x examples
    shown = usable[best.ravel()]
    examples = pd.DataFrame(
        {
            "theme": np.repeat(np.arange(1, n_themes + 1), best.shape[1]),
            "rank": np.tile(np.arange(1, best.shape[1] + 1), n_themes),
            "snippet": snippet(
                raw.iloc[shown].astype(STR).reset_index(drop=True),
                width=snippet_width,
                identifiers=identifiers,
            ).to_numpy(),
        }
    )
    assigned = pd.Series(np.nan, index=frame.index, dtype="Float64")
    assigned.iloc[usable[has_theme]] = dominant[has_theme]
    assignments = assigned.astype("Int64").rename("theme")
    shares = _shares(frame, assignments, segments, period, n_themes)
    return CommentThemes(
        themes=themes,
        examples=examples,
        shares=shares,
        assignments=assignments,
        by=segments,
        period=period,
    )


def _shares(frame, assignments, segments, period, n_themes) -> pd.DataFrame:
    """Comments per segment, period and theme, with the theme's share and Wilson interval."""
    keys = [*segments, *([period] if period else [])]
    rows = assignments.notna().to_numpy()
    theme = assignments[rows].to_numpy(dtype=np.int64) - 1
    if keys:
        cells = frame.loc[rows, keys]
        group = cells.groupby(keys, observed=True, sort=True, dropna=False).ngroup().to_numpy()
        labels = cells.drop_duplicates().sort_values(keys).reset_index(drop=True)
    else:
        group, labels = np.zeros(len(theme), dtype=np.int64), pd.DataFrame(index=[0])
    n_groups = len(labels)
    counts = np.bincount(group * n_themes + theme, minlength=n_groups * n_themes)
    n = np.repeat(np.bincount(group, minlength=n_groups), n_themes)
    table = labels.loc[np.repeat(np.arange(n_groups), n_themes)].reset_index(drop=True)
    table["theme"] = np.tile(np.arange(1, n_themes + 1), n_groups)
    table["comments"] = counts
    table["n"] = n
    table["share"] = counts / n
    table["ci_low"], table["ci_high"] = proportion_ci(counts, n)
    return table
