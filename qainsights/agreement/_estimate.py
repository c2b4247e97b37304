"""The one path from ratings to a result: weights, estimate, then analytic or bootstrap inference."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._caller import caller, calling, public, user_stacklevel
from .._validation import check_confidence, check_option, format_values
from ._cohen import cohen_estimate, cohen_variance, prevalence_and_bias
from ._conger import conger_estimate
from ._family import family_estimate, family_variance, patterns_of
from ._inputs import Ratings, read_ratings
from ._likelihood import family_likelihood_interval, likelihood_interval
from ._rare import (
    SHARE_CHANCE_KINDS,
    interval_method,
    rare_agreement_notes,
    skew,
    warn_rare_agreement,
)
from ._weights import agreement_weights, krippendorff_weights, weights_name
from .inference import bootstrap_summary, redraw, t_interval
from .results import AgreementResult, CohenKappaResult

__all__ = ["cohen_result", "conger_result", "family_result", "read_checked"]

METHODS = ("auto", "analytic", "likelihood", "bootstrap")


def read_checked(
    inputs: dict[str, Any], *, ci: float, method: str, raters: int | None = None
) -> Ratings:
    """Validate the common options, read the ratings and check they can be compared."""
    func = caller()
    check_confidence(ci)
    check_option(method, name="method", options=METHODS)
    ratings = read_ratings(**inputs)
    if raters is not None and ratings.has_raters and ratings.n_raters != raters:
        raise ValueError(
            f"{func} compares exactly {raters} raters. Got {ratings.n_raters}. Use "
            "fleiss_kappa, conger_kappa, gwet_ac or krippendorff_alpha for more raters, or "
            "select two raters first."
        )
    if not (ratings.counts.sum(axis=1) >= 2).any():
        raise ValueError(
            f"{func} needs at least one item rated by two or more raters; every item here "
            "has a single rating. Check the item and rater columns."
        )
    return ratings


def family_result(
    kind: str, ratings: Ratings, *, coefficient: str, **options: Any
) -> AgreementResult:
    """Estimate a coefficient of Gwet's family (see ``_family``) with its interval.

    ``coefficient`` names it in the result and in messages: the public function of that
    coefficient, also when :func:`~qainsights.agreement.agreement_summary` computes it.
    """
    with calling(coefficient):
        return _family_result(kind, ratings, coefficient=coefficient, **options)


def _family_result(
    kind: str,
    ratings: Ratings,
    *,
    coefficient: str,
    weights: Any = None,
    level: str | None = None,
    ci: float,
    method: str,
    n_boot: int,
    seed: int | None,
) -> AgreementResult:
    """:func:`family_result`, under the coefficient's name."""
    patterns = patterns_of(ratings.counts)
    pairable = patterns.totals >= 2
    if level is None:
        matrix = agreement_weights(weights, ratings.categories)
    else:
        totals = (patterns.multiplicity * pairable) @ patterns.counts
        matrix = krippendorff_weights(level, ratings.categories, totals)
    estimate, pa, pe = (
        float(v) for v in family_estimate(kind, patterns, patterns.multiplicity, matrix)
    )
    n_items = int(
        patterns.multiplicity[pairable].sum() if kind == "alpha" else patterns.multiplicity.sum()
    )
    _warn_if_undefined(estimate, ratings)
    variance, df = (
        float(v)
        for v in family_variance(kind, patterns, patterns.multiplicity, matrix, estimate, pe)
    )
    se = _standard_error(variance, n_items) if method != "bootstrap" else np.nan
    method = _chosen(method, kind, patterns.counts, patterns.multiplicity, se)
    if method == "bootstrap":
        draws = redraw(patterns.multiplicity, n_boot, seed)
        replicates = family_estimate(kind, patterns, draws, matrix)[0]
        se, low, high = bootstrap_summary(replicates, ci, func=caller())
        p_value = t_interval(estimate, se, df, ci)[2]
    elif method == "likelihood" and np.isfinite(se):
        low, high, p_value = family_likelihood_interval(kind, patterns, matrix, ci, step=se)
    else:
        low, high, p_value = t_interval(estimate, se, df, ci)
    note = (
        _rare_note(patterns.counts, patterns.multiplicity, ratings, ci, method, se)
        if kind in SHARE_CHANCE_KINDS
        else ""
    )
    return AgreementResult(
        coefficient=coefficient,
        estimate=estimate,
        se=se,
        ci_low=low,
        ci_high=high,
        p_value=p_value,
        df=df,
        pa=pa,
        pe=pe,
        n_items=n_items,
        n_raters=ratings.n_raters,
        weights=level or weights_name(weights),
        method=method,
        ci=ci,
        note=note,
    )


@public(name="conger_kappa")  # also within agreement_summary
def conger_result(ratings: Ratings, *, weights: Any, ci: float, method: str) -> AgreementResult:
    """Conger's kappa with Gwet's analytic interval."""
    func = caller()
    if not ratings.has_raters:
        raise ValueError(
            f"{func} needs to know which rater gave each rating; a 'counts=' table does not "
            "say. Pass long or wide data, or use fleiss_kappa for counts."
        )
    if method not in ("auto", "analytic"):
        raise ValueError(
            f"{func} offers method='analytic' only: a bootstrap or a likelihood over "
            "rater-specific margins would have to resample or weigh items, not rating "
            f"patterns. Got {method!r}."
        )
    matrix = agreement_weights(weights, ratings.categories)
    estimate, pa, pe, variance, df = conger_estimate(ratings, matrix)
    _warn_if_undefined(estimate, ratings)
    n_items = len(ratings.counts)
    se = _standard_error(variance, n_items)
    low, high, p_value = t_interval(estimate, se, df, ci)
    patterns = patterns_of(ratings.counts)
    note = _rare_note(patterns.counts, patterns.multiplicity, ratings, ci, "analytic", se)
    return AgreementResult(
        coefficient="conger_kappa",
        estimate=estimate,
        se=se,
        ci_low=low,
        ci_high=high,
        p_value=p_value,
        df=df,
        pa=pa,
        pe=pe,
        n_items=n_items,
        n_raters=ratings.n_raters,
        weights=weights_name(weights),
        method="analytic",
        ci=ci,
        note=note,
    )


@public(name="cohen_kappa")  # also within agreement_summary
def cohen_result(
    ratings: Ratings,
    *,
    weights: Any,
    ci: float,
    method: str,
    n_boot: int,
    seed: int | None,
) -> CohenKappaResult:
    """Cohen's kappa from the two-rater table of the items both raters rated."""
    table = _pair_table(ratings)
    matrix = agreement_weights(weights, ratings.categories)
    estimate, pa, pe = (float(v) for v in cohen_estimate(table, matrix))
    _warn_if_undefined(estimate, ratings)
    n_items = int(table.sum())
    variance, df = cohen_variance(table, matrix, estimate, pe)
    q = ratings.n_categories
    se = _standard_error(variance, n_items) if method != "bootstrap" else np.nan
    # each cell (i, j) of the two-rater table as a rating pattern: one rating of i, one of j
    eye = np.eye(ratings.n_categories, dtype=np.int64)
    pairs = np.repeat(eye, len(eye), axis=0) + np.tile(eye, (len(eye), 1))
    method = _chosen(method, "cohen", pairs, table.ravel(), se)
    if method == "bootstrap":
        draws = redraw(table.ravel(), n_boot, seed).reshape(n_boot, q, q)
        se, low, high = bootstrap_summary(cohen_estimate(draws, matrix)[0], ci, func=caller())
        p_value = t_interval(estimate, se, df, ci)[2]
    elif method == "likelihood" and np.isfinite(se):
        low, high, p_value = likelihood_interval(
            lambda m: cohen_estimate(m.reshape(-1, q, q), matrix)[0], table.ravel(), ci, step=se
        )
    else:
        low, high, p_value = t_interval(estimate, se, df, ci)
    pabak, prevalence, bias = prevalence_and_bias(table)
    note = _rare_note(pairs, table.ravel(), ratings, ci, method, se)
    return CohenKappaResult(
        coefficient="cohen_kappa",
        estimate=estimate,
        se=se,
        ci_low=low,
        ci_high=high,
        p_value=p_value,
        df=df,
        pa=pa,
        pe=pe,
        n_items=n_items,
        n_raters=2,
        weights=weights_name(weights),
        method=method,
        ci=ci,
        note=note,
        pabak=pabak,
        prevalence_index=prevalence,
        bias_index=bias,
    )


def _pair_table(ratings: Ratings) -> np.ndarray:
    func = caller()
    if not ratings.has_raters:
        raise ValueError(
            f"{func} needs to know which rater gave each rating; a 'counts=' table does not "
            "say. Pass two label vectors, a k x k 'table=', or long or wide data."
        )
    q, n = ratings.n_categories, len(ratings.counts)
    labels = np.full((2, n), -1)
    labels[ratings.rater, ratings.item] = ratings.label
    both = (labels >= 0).all(axis=0)
    if not both.any():
        raise ValueError(
            f"{func} found no item rated by both raters. Check the item and rater columns."
        )
    first, second = labels[:, both]
    return np.bincount(first * q + second, minlength=q * q).reshape(q, q)


def _chosen(method: str, kind: str, pattern_counts, multiplicity, se: float) -> str:
    """The interval ``method`` stands for on this session (see ``_rare.interval_method``)."""
    _, share, agreed = skew(pattern_counts, multiplicity)
    return str(interval_method(method, kind=kind, share=share, agreed=agreed, se=se)[0])


def _rare_note(pattern_counts, multiplicity, ratings: Ratings, ci: float, method: str, se) -> str:
    """The note (and warning) of a skewed session too thin for its ``method`` interval; none
    where the standard error, and so the interval, is undefined.
    """
    if not np.isfinite(se):
        return ""
    note = rare_agreement_notes(pattern_counts, multiplicity, ratings.categories, method=method)
    if note[0]:
        warn_rare_agreement(note[0], ci=ci, method=method)
    return str(note[0])


def _standard_error(variance: float, n_items: int) -> float:
    func = caller()
    if n_items < 2:
        warnings.warn(
            f"{func}: a standard error needs at least two items; got one, so se, the interval "
            "and the p-value are NaN.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return np.nan
    return float(np.sqrt(max(variance, 0.0)))


def _warn_if_undefined(estimate: float, ratings: Ratings) -> None:
    func = caller()
    if np.isfinite(estimate):
        return
    pairable = ratings.counts[ratings.counts.sum(axis=1) >= 2]
    used = ratings.categories[pairable.sum(axis=0) > 0]
    warnings.warn(
        f"{func} is undefined here: all ratings of items rated more than once fall in one "
        "category "
        f"({format_values(used[:1])}), so chance agreement leaves nothing to correct. It is returned as "
        "NaN; percent_agreement (or gwet_ac with 'categories=' listing every category) still "
        "describes these ratings.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
