"""Many comparisons of term counts at once: per-group counts from one matrix, one test pass."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import ndtr

from .._caller import caller
from .._compat import STR
from .._multiple import q_values
from .logodds import log_odds
from .tokens import term_matrix


def check_prior_and_alpha(prior, alpha) -> bool:
    """Validate ``prior`` and ``alpha``; return whether the prior is flat (a number)."""
    func = caller()
    if not (isinstance(alpha, float | int) and 0 < alpha < 1):
        raise ValueError(
            f"The 'alpha' parameter of {func} must be a number strictly between 0 and 1. "
            f"Got {alpha!r} instead."
        )
    flat = isinstance(prior, int | float) and not isinstance(prior, bool) and prior > 0
    if not (flat or (isinstance(prior, str) and prior == "pooled")):
        raise ValueError(
            f"The 'prior' parameter of {func} must be 'pooled' or a positive number. Got "
            f"{prior!r} instead."
        )
    return flat


def group_counts(frame: pd.DataFrame, text: str, group: str, *, ngram_range, stop_words):
    """Term counts per value of ``group`` (sorted): counts (groups x terms), comments, labels, terms.

    Rows with a missing group or missing or blank text are not counted.
    """
    raw = frame[text]
    usable = raw.notna().to_numpy() & frame[group].notna().to_numpy()
    usable &= (raw.astype(STR).str.strip() != "").to_numpy()
    codes, labels = pd.factorize(frame.loc[usable, group], sort=True)
    matrix = term_matrix(
        raw[usable].astype(STR).to_numpy(), ngram_range=ngram_range, stop_words=stop_words
    )
    indicator = sparse.csr_matrix(
        (np.ones(len(codes), dtype=np.int64), (codes, np.arange(len(codes)))),
        shape=(len(labels), len(codes)),
    )
    counts = (indicator @ matrix.counts).toarray()
    return counts, np.bincount(codes, minlength=len(labels)), np.asarray(labels), matrix.terms


def compare_rows(y_t: np.ndarray, y_r: np.ndarray, *, flat: bool, prior, min_count: int):
    """Log-odds z-scores of each row of ``y_t`` against the same row of ``y_r``, one BH family.

    Only cells counted at least ``min_count`` times on both sides together are tested. The
    pooled prior gives each term its pooled count (the prior weighs as much as the two sides'
    data); a flat prior spans the terms present on either side.
    """
    pooled = y_t + y_r
    row, term = np.nonzero(pooled >= min_count)
    if flat:
        prior_counts = np.full(len(row), float(prior))
        a0 = float(prior) * (pooled > 0).sum(axis=1)[row]
    else:
        prior_counts = pooled[row, term].astype(float)
        a0 = pooled.sum(axis=1)[row]
    delta, se = log_odds(
        y_t[row, term],
        y_r[row, term],
        prior_counts,
        totals=(y_t.sum(axis=1)[row], y_r.sum(axis=1)[row], a0),
    )
    z = delta / se
    p = 2 * ndtr(-np.abs(z))
    return {
        "row": row,
        "term": term,
        "log_odds": delta,
        "se": se,
        "z": z,
        "p_value": p,
        "q_value": q_values(p),
    }
