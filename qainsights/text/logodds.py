"""Distinctive terms: the weighted log-odds ratio with an informative Dirichlet prior.

Which words and phrases are over-represented in one group of comments (this month, a site,
errors, disputed items) against another, with a z-score per term and the false discovery rate
controlled over the vocabulary (Monroe, Colaresi & Quinn 2008).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import ndtr

from .._caller import caller, public
from .._compat import STR
from .._deprecation import renamed
from .._multiple import q_values
from .._results import TidyResult
from .._validation import check_columns, check_frame, check_integer, format_values
from .redact import snippet
from .tokens import term_matrix

__all__ = ["DistinctiveTerms", "distinctive_terms", "log_odds", "log_odds_z"]


@public
def log_odds_z(target_counts, reference_counts, prior) -> pd.DataFrame:
    r"""Log-odds ratio of each term between two corpora, with its z-score (Monroe et al. 2008).

    With :math:`y_w` the count of term *w* in a corpus of :math:`n` terms and a Dirichlet
    prior :math:`\alpha_w` (:math:`\alpha_0 = \sum_w \alpha_w`), the estimate is

    .. math:: \hat\delta_w = \log\frac{y^t_w + \alpha_w}{n^t + \alpha_0 - y^t_w - \alpha_w}
              - \log\frac{y^r_w + \alpha_w}{n^r + \alpha_0 - y^r_w - \alpha_w},

    its variance :math:`\sigma^2 \approx 1/(y^t_w + \alpha_w) + 1/(y^r_w + \alpha_w)` (their
    equations 16, 20 and 21), and :math:`z = \hat\delta_w / \sigma`.

    Parameters
    ----------
    target_counts, reference_counts : array of int
        Count of each term in the target and the reference corpus.
    prior : float or array of float
        The prior counts :math:`\alpha_w` (> 0): one number for a flat prior, or one per term.

    Returns
    -------
    DataFrame
        ``log_odds`` (:math:`\hat\delta_w`), ``se`` (:math:`\sigma`) and ``z``.

    Examples
    --------
    >>> log_odds_z([1, 0, 2], [0, 1, 2], prior=0.05).round(4)
       log_odds      se       z
    0     3.434  4.5774  0.7502
    1    -3.434  4.5774 -0.7502
    2     0.000  0.9877  0.0000

    References
    ----------
    Monroe, B. L., Colaresi, M. P. & Quinn, K. M. (2008). Fightin' words: lexical feature
    selection and evaluation for identifying the content of political conflict. Political
    Analysis 16(4), 372-403.
    """
    y_t = np.asarray(target_counts, dtype=float)
    y_r = np.asarray(reference_counts, dtype=float)
    alpha = np.broadcast_to(np.asarray(prior, dtype=float), y_t.shape)
    if y_t.shape != y_r.shape or not (alpha > 0).all():
        raise ValueError(
            "The counts of log_odds_z must have one shape and every prior count must be > 0. "
            f"Got shapes {y_t.shape} and {y_r.shape} and a smallest prior of "
            f"{alpha.min() if alpha.size else np.nan!r} instead."
        )
    delta, se = log_odds(y_t, y_r, alpha, totals=(y_t.sum(), y_r.sum(), alpha.sum()))
    return pd.DataFrame({"log_odds": delta, "se": se, "z": delta / se})


@public
def log_odds(y_t, y_r, alpha, *, totals) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`\hat\delta_w` and its standard error, elementwise (see :func:`log_odds_z`).

    ``totals`` is :math:`(n^t, n^r, \alpha_0)`, numbers or arrays broadcast against the counts,
    so many comparisons (one per period, say) go through in one call.
    """
    n_t, n_r, a0 = totals
    delta = np.log((y_t + alpha) / (n_t + a0 - y_t - alpha)) - np.log(
        (y_r + alpha) / (n_r + a0 - y_r - alpha)
    )
    return delta, np.sqrt(1 / (y_t + alpha) + 1 / (y_r + alpha))


@dataclass(frozen=True, repr=False)
class DistinctiveTerms(TidyResult):
    """Terms over- and under-represented in the target comments against the reference.

    Attributes
    ----------
    terms : DataFrame
        One row per term counted at least ``min_count`` times on both sides together, by
        descending ``z``: ``term``; ``count_target``, ``count_reference`` (occurrences);
        ``comments_target``, ``comments_reference`` (comments containing it);
        ``per_1000_target``, ``per_1000_reference`` (occurrences per 1,000 terms of the side);
        ``log_odds``, ``se``, ``z`` (:func:`log_odds_z`); ``p_value`` (two-sided, normal);
        ``q_value`` (Benjamini-Hochberg over every row); ``distinctive`` (``q_value <=
        alpha``); ``side`` (``'target'`` when ``z > 0``, else ``'reference'``); ``snippet``
        (the first comment of that side containing the term, masked and cut by
        :func:`~qainsights.text.snippet`).
    sides : DataFrame
        ``side``, ``values`` (the group values on that side), ``comments`` (with text),
        ``without_text`` (rows of the side whose text is missing or blank, not counted) and
        ``terms`` (occurrences counted).
    alpha : float
        The false discovery rate of ``distinctive``.
    prior : str
        The prior used, in words.
    """

    terms: pd.DataFrame
    sides: pd.DataFrame
    alpha: float
    prior: str
    _title = "Distinctive terms"

    def to_frame(self) -> pd.DataFrame:
        """The per-term table."""
        return self.terms

    @public
    def top(self, k: int = 10, *, side: str = "target") -> pd.DataFrame:
        """The ``k`` distinctive terms of ``side`` (``'target'`` or ``'reference'``), strongest first."""
        check_integer(k, name="k", minimum=1)
        if side not in ("target", "reference"):
            raise ValueError(
                "The 'side' parameter of DistinctiveTerms.top must be one of 'target', "
                f"'reference'. Got {side!r} instead."
            )
        chosen = self.terms[self.terms["distinctive"] & (self.terms["side"] == side)]
        return chosen.sort_values("z", ascending=side == "reference", kind="stable").head(k)


def _side_mask(values: pd.Series, chosen, name: str) -> np.ndarray:
    wanted = list(chosen) if isinstance(chosen, list | tuple | set | frozenset) else [chosen]
    mask = values.isin(wanted).to_numpy(dtype=bool)
    missing = [v for v in wanted if not (values == v).any()]
    if missing:
        present = pd.unique(values.dropna())
        raise ValueError(
            f"The {name!r} parameter of {caller()} names {format_values(missing)}, which "
            f"{values.name!r} does not hold. Its values include {format_values(present)}."
        )
    return mask


def _prior(prior: Any, pooled: np.ndarray, prior_scale: float | None) -> tuple[np.ndarray, str]:
    if isinstance(prior, str) and prior == "pooled":
        total = pooled.sum()
        scale = total if prior_scale is None else float(prior_scale)
        if not scale > 0:
            raise ValueError(
                f"The 'prior_scale' parameter of {caller()} must be a positive number or None. "
                f"Got {prior_scale!r} instead."
            )
        return scale * pooled / total, f"informative Dirichlet, pooled term shares x {scale:g}"
    number = isinstance(prior, int | float | np.integer | np.floating) and not isinstance(
        prior, bool
    )
    if number and prior > 0:
        return np.full(pooled.shape, float(prior)), f"flat Dirichlet, {float(prior):g} per term"
    raise ValueError(
        f"The 'prior' parameter of {caller()} must be 'pooled' or a positive number. Got "
        f"{prior!r} instead."
    )


def _first_comment(presence: sparse.csr_matrix, rows: np.ndarray) -> np.ndarray:
    """Row (into ``rows``) of the first comment containing each term; -1 where none does.

    The column-major copy lists each term's comments in order, so the first is at the start
    of its column.
    """
    by_term = presence[rows].tocsc()
    by_term.sort_indices()
    starts, ends = by_term.indptr[:-1], by_term.indptr[1:]
    first = np.full(len(starts), -1, dtype=np.int64)
    some = ends > starts
    first[some] = by_term.indices[starts[some]]
    return first


@public
@renamed(group="by")
def distinctive_terms(
    data: pd.DataFrame,
    *,
    text: str,
    by: str,
    target: Any,
    reference: Any = None,
    prior: str | float = "pooled",
    prior_scale: float | None = None,
    alpha: float = 0.05,
    min_count: int = 5,
    ngram_range: tuple[int, int] = (1, 1),
    stop_words: str | Iterable[str] | None = None,
    snippet_width: int = 160,
    identifiers: Iterable[str] = (),
) -> DistinctiveTerms:
    r"""Words and phrases over-represented in one group of comments against another, with a test.

    The comments of rows whose ``by`` value is ``target`` are compared with those whose
    ``by`` value is ``reference`` (all other rows by default) by the weighted log-odds ratio with
    an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008): each term's log-odds in
    the target minus its log-odds in the reference, both shrunk towards the prior, divided by
    its standard error. Terms are tested two-sided; ``distinctive`` controls the false
    discovery rate at ``alpha`` over every term kept (Benjamini & Hochberg 1995). Comments
    are counted as bags of terms: the test treats terms as independent draws, so a phrase
    that one auditor pastes into many comments counts many times (look at
    ``comments_target``).

    Parameters
    ----------
    data : DataFrame
        One row per comment (an audit, an appeal, a calibration item).
    text : str
        Column of free text. Rows with missing or blank text are not counted (``sides``
        says how many).
    by : str
        Column whose values define the two sides.
    target : value or list of values
        Values of ``by`` on the target side (a month, a site, ``True`` for errors).
    reference : value or list of values, optional
        Values on the reference side; default every row not in the target.
    prior : "pooled" or float, default "pooled"
        ``"pooled"``: the informative prior, each term's prior count proportional to its
        count in both sides together, scaled so the counts sum to ``prior_scale``; a number:
        a flat (uninformative) prior of that many counts per term.
    prior_scale : float, optional
        Total prior count :math:`\alpha_0` of the pooled prior; default the number of terms
        counted (the prior weighs as much as the data).
    alpha : float, default 0.05
        False discovery rate of the ``distinctive`` flag.
    min_count : int, default 5
        Terms counted fewer times on both sides together are left out (and out of the
        multiple-testing correction).
    ngram_range, stop_words
        Tokenisation, as in :func:`~qainsights.text.tokenize`.
    snippet_width : int, default 160
        Length of the example comment shown per term.
    identifiers : list of str, optional
        Values masked in the snippets besides e-mails, handles, links, numbers and ID-like
        tokens (see :func:`~qainsights.text.mask_text`).

    Returns
    -------
    DistinctiveTerms
        ``terms`` (one row per term), ``sides``, ``alpha``, ``prior``; ``.top(k)``.

    Examples
    --------
    >>> comments = pd.DataFrame({
    ...     "month": ["2026-05"] * 4 + ["2026-06"] * 4,
    ...     "qa_comment": ["missed context", "wrong queue", "missed context", "late",
    ...                    "new guideline unclear", "new guideline unclear", "missed context",
    ...                    "guideline wording"],
    ... })
    >>> result = distinctive_terms(comments, text="qa_comment", by="month",
    ...                            target="2026-06", min_count=2)
    >>> result.terms[["term", "count_target", "count_reference", "z"]].round(2)
           term  count_target  count_reference     z
    0  guideline             3                0  0.98
    1        new             2                0  0.75
    2    unclear             2                0  0.75
    3    context             1                2 -0.62
    4     missed             1                2 -0.62

    References
    ----------
    Monroe, B. L., Colaresi, M. P. & Quinn, K. M. (2008). Fightin' words: lexical feature
    selection and evaluation for identifying the content of political conflict. Political
    Analysis 16(4), 372-403. Benjamini, Y. & Hochberg, Y. (1995). JRSS B 57, 289-300.
    """
    group = by
    frame = check_frame(data)
    check_columns(frame, [text, group])
    check_integer(min_count, name="min_count", minimum=1)
    check_integer(snippet_width, name="snippet_width", minimum=10)
    if not (isinstance(alpha, float | int) and 0 < alpha < 1):
        raise ValueError(
            f"The 'alpha' parameter of {caller()} must be a number strictly between 0 and 1. "
            f"Got {alpha!r} instead."
        )
    values = frame[group]
    in_target = _side_mask(values, target, "target")
    in_reference = (
        ~in_target & values.notna().to_numpy()
        if reference is None
        else _side_mask(values, reference, "reference")
    )
    if (in_target & in_reference).any():
        raise ValueError(
            f"The 'target' and 'reference' parameters of {caller()} share values of {group!r}; "
            "give two disjoint sets of values."
        )
    raw = frame[text]
    has_text = raw.notna().to_numpy() & (raw.astype(STR).str.strip() != "").to_numpy()
    rows = {
        "target": np.flatnonzero(in_target & has_text),
        "reference": np.flatnonzero(in_reference & has_text),
    }
    for side, chosen in rows.items():
        if not len(chosen):
            raise ValueError(
                f"The {side} side of {caller()} has no comment with text in {text!r}. Check the "
                f"'{side}' values and that {text!r} holds the comments."
            )
    used = np.concatenate([rows["target"], rows["reference"]])
    matrix = term_matrix(
        raw.iloc[used].astype(STR).to_numpy(), ngram_range=ngram_range, stop_words=stop_words
    )
    n_t = len(rows["target"])
    sides = np.repeat([0, 1], [n_t, len(used) - n_t])
    indicator = sparse.csr_matrix(
        (np.ones(len(used), dtype=np.int64), (sides, np.arange(len(used))))
    )
    counts = np.asarray((indicator @ matrix.counts).todense())
    presence = (matrix.counts > 0).astype(np.int64)
    comments = np.asarray((indicator @ presence).todense())
    keep = counts.sum(axis=0) >= min_count
    alphas, prior_text = _prior(prior, counts.sum(axis=0).astype(float), prior_scale)
    stats = log_odds_z(counts[0], counts[1], alphas)[keep]
    p = 2 * ndtr(-np.abs(stats["z"].to_numpy()))
    q = q_values(p)
    totals = counts.sum(axis=1)
    per_1000 = 1000 * counts[:, keep] / np.maximum(totals, 1)[:, None]
    side = np.where(stats["z"].to_numpy() > 0, "target", "reference")
    kept = np.flatnonzero(keep)
    first_t = _first_comment(presence, np.arange(n_t))[kept]
    first_r = _first_comment(presence, np.arange(n_t, len(used)))[kept]
    which = np.where(side == "target", first_t, np.where(first_r >= 0, first_r + n_t, -1))
    shown = np.unique(which[which >= 0])
    examples = np.full(len(which), None, dtype=object)
    if len(shown):
        texts = raw.iloc[used[shown]].astype(STR).reset_index(drop=True)
        masked = snippet(texts, width=snippet_width, identifiers=identifiers).to_numpy()
        found = which >= 0
        examples[found] = masked[np.searchsorted(shown, which[found])]
    table = pd.DataFrame(
        {
            "term": matrix.terms[keep],
            "count_target": counts[0, keep],
            "count_reference": counts[1, keep],
            "comments_target": comments[0, keep],
            "comments_reference": comments[1, keep],
            "per_1000_target": per_1000[0],
            "per_1000_reference": per_1000[1],
            **{c: stats[c].to_numpy() for c in ("log_odds", "se", "z")},
            "p_value": p,
            "q_value": q,
            "distinctive": q <= alpha,
            "side": side,
            "snippet": examples,
        }
    )
    table = table.sort_values(["z", "term"], ascending=[False, True], kind="stable")
    summary = pd.DataFrame(
        {
            "side": ["target", "reference"],
            "values": [target, "all other rows" if reference is None else reference],
            "comments": [n_t, len(used) - n_t],
            "without_text": [
                int((in_target & ~has_text).sum()),
                int((in_reference & ~has_text).sum()),
            ],
            "terms": totals,
        }
    )
    return DistinctiveTerms(
        terms=table.reset_index(drop=True), sides=summary, alpha=float(alpha), prior=prior_text
    )
