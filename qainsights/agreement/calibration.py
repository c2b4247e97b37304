"""Calibration diagnostics: which rater, which category, which item to talk about.

Two reference models are supported. With an expert ``standard`` (one label per item) a
rater's accuracy is the share of their ratings that match it. Without one, each rating is
compared with the *leave-one-out consensus*: the modal label of the other raters of the
same item (ties share the credit), so nobody is scored against themselves.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from .._caller import caller, public
from .._validation import check_confidence, format_values
from ..intervals import proportion_ci
from ._family import agreeing_pairs, item_agreement
from ._inputs import Ratings, read_ratings

__all__ = [
    "category_agreement",
    "disputed_items",
    "pairwise_agreement",
    "rater_accuracy",
    "rater_confusion",
    "rater_enforcement",
]


@public
def rater_accuracy(
    data: Any,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    standard: Any = None,
    categories: Any = None,
    ci: float = 0.95,
    method: str = "modified_wilson",
) -> pd.DataFrame:
    """Per-rater accuracy against an expert standard or the leave-one-out consensus.

    Parameters
    ----------
    data : pandas.DataFrame or array-like
        Long format (name the columns with ``item``, ``rater``, ``label``) or wide
        (items x raters, NaN for a missing rating).
    item, rater, label : str, optional
        Column names of long-format ``data``.
    standard : pandas.Series or mapping, optional
        The expert label of each item, indexed by item identifier (for wide data: the
        frame's index). Ratings of items without a standard are left out. Default: compare
        with the leave-one-out consensus.
    categories : sequence, optional
        All categories (see :func:`~qainsights.agreement.fleiss_kappa`).
    ci : float, default 0.95
        Confidence level of the intervals.
    method : str, default "modified_wilson"
        Interval method of :func:`qainsights.intervals.proportion_ci`.

    Returns
    -------
    pandas.DataFrame
        One row per rater: ``rater``, ``n_items`` (ratings scored), ``agreements`` (may be
        fractional under consensus ties), ``accuracy``, ``ci_low``, ``ci_high``,
        ``shrunk_accuracy`` and ``reference`` (``"standard"`` or ``"consensus"``).

    Notes
    -----
    ``shrunk_accuracy`` is the empirical-Bayes (beta-binomial) estimate
    ``(agreements + a) / (n_items + a + b)``: the prior's mean is the pooled accuracy and its
    variance the between-rater variance estimated by the method of moments,
    ``tau2 = max(0, (sum n_g (p_g - p)**2 - (G - 1) p (1 - p)) / (N - sum n_g**2 / N))``.
    Raters with few items are pulled most towards the pooled accuracy; with ``tau2 = 0``
    everyone gets the pooled value. Under the consensus model a rating counts only when
    the item has at least one other rating.

    References
    ----------
    Efron, B., & Morris, C. (1975). Data analysis using Stein's estimator and its
    generalizations. *JASA*, 70, 311-319. Fleiss, J. L., Levin, B., & Paik, M. C. (2003).
    *Statistical Methods for Rates and Proportions*, 3rd ed., section 10.

    Examples
    --------
    >>> ratings = pd.DataFrame({
    ...     "item": [1, 1, 1, 2, 2, 2, 3, 3, 3],
    ...     "rater": ["ana", "ben", "cy"] * 3,
    ...     "label": ["ok", "ok", "spam", "spam", "spam", "spam", "ok", "ok", "ok"],
    ... })
    >>> table = rater_accuracy(ratings, item="item", rater="rater", label="label")
    >>> table[["rater", "n_items", "accuracy"]].round(3)
      rater  n_items  accuracy
    0   ana        3     0.833
    1   ben        3     0.833
    2    cy        3     0.667

    On item 1 the others of ``ana`` split between "ok" and "spam", so the tie earns half a
    point; ``cy`` disagrees with both others.
    """
    check_confidence(ci)
    ratings = _rater_coded(data, item, rater, label, categories)
    shares = _reference_shares(ratings, standard)
    scored = shares.sum(axis=1) > 0
    score = shares[np.arange(len(shares)), ratings.label]
    n = np.bincount(ratings.rater, weights=scored, minlength=ratings.n_raters)
    k = np.bincount(ratings.rater, weights=score, minlength=ratings.n_raters)
    has = n > 0
    low, high = proportion_ci(k[has], n[has], ci=ci, method=method)
    return pd.DataFrame(
        {
            "rater": ratings.raters[has],
            "n_items": n[has].astype(int),
            "agreements": k[has],
            "accuracy": k[has] / n[has],
            "ci_low": low,
            "ci_high": high,
            "shrunk_accuracy": _beta_binomial_shrinkage(k[has], n[has]),
            "reference": "consensus" if standard is None else "standard",
        }
    )


@public
def rater_confusion(
    data: Any,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    standard: Any = None,
    categories: Any = None,
) -> pd.DataFrame:
    """Each rater's confusion table against the expert standard or the consensus, in long form.

    Over-enforcement shows as rows with ``standard`` a benign label and ``label`` a
    violation; under-enforcement the reverse.

    Parameters
    ----------
    data, item, rater, label, standard, categories
        As in :func:`rater_accuracy`. Without ``standard`` each rating is compared with the
        leave-one-out consensus, the modal label of the item's other ratings: a tie splits
        the rating between the tied labels (so counts can be fractional), and ratings of
        items nobody else rated are left out.

    Returns
    -------
    pandas.DataFrame
        One row per rater x reference label x given label (all combinations, zeros
        included): ``rater``, ``standard`` (named ``consensus`` without a standard),
        ``label``, ``count``, and ``share`` (of the rater's items with that reference label;
        NaN when the rater rated none). Counts are integers against a standard, floats
        against the consensus.

    Examples
    --------
    >>> ratings = pd.DataFrame({"item": [1, 2, 1, 2], "rater": ["a", "a", "b", "b"],
    ...                         "label": ["ok", "spam", "spam", "spam"]})
    >>> table = rater_confusion(ratings, item="item", rater="rater", label="label",
    ...                         standard={1: "ok", 2: "spam"})
    >>> table[table["rater"] == "b"][["standard", "label", "count"]]
      standard label  count
    4       ok    ok      0
    5       ok  spam      1
    6     spam    ok      0
    7     spam  spam      1

    Against the consensus: on the second item the others of ``a`` tie between "spam" and
    "ok", so its "spam" counts half under each.

    >>> wide = pd.DataFrame({"a": ["ok", "spam"], "b": ["spam", "spam"], "c": ["spam", "ok"]})
    >>> table = rater_confusion(wide)
    >>> table[table["rater"] == "a"][["consensus", "label", "count"]]
      consensus label  count
    0        ok    ok    0.0
    1        ok  spam    0.5
    2      spam    ok    1.0
    3      spam  spam    0.5
    """
    ratings, counts = _confusion_counts(data, item, rater, label, standard, categories)  # fmt: skip
    q, r = ratings.n_categories, ratings.n_raters
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = counts / counts.sum(axis=2, keepdims=True)
    rater_idx, standard_idx, label_idx = np.indices((r, q, q)).reshape(3, -1)
    return pd.DataFrame(
        {
            "rater": ratings.raters[rater_idx],
            "consensus" if standard is None else "standard": ratings.categories[standard_idx],
            "label": ratings.categories[label_idx],
            "count": counts.ravel(),
            "share": shares.ravel(),
        }
    )


@public
def rater_enforcement(
    data: Any,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    standard: Any = None,
    benign: Any,
    categories: Any = None,
    ci: float = 0.95,
    method: str = "modified_wilson",
) -> pd.DataFrame:
    """Per-rater over- and under-enforcement against the expert standard, with intervals.

    Parameters
    ----------
    data, item, rater, label, standard, categories
        As in :func:`rater_confusion`: without ``standard`` the reference is the leave-one-out
        consensus, and ``n_items`` and ``errors`` can be fractional (ties).
    benign : label or list of labels
        The label(s) meaning "no violation" (e.g. ``"no_violation"``); every other label is
        a violation.
    ci : float, default 0.95
        Confidence level.
    method : str, default "modified_wilson"
        Interval method of :func:`qainsights.intervals.proportion_ci`.

    Returns
    -------
    pandas.DataFrame
        One row per rater and error type: ``rater``, ``error`` (``"over_enforcement"``: a
        violation label on an item the reference calls benign; ``"under_enforcement"``: a
        benign label on a violating item; ``"wrong_policy"``: another violation label on a
        violating item), ``n_items`` (the rater's items the rate is out of), ``errors``,
        ``rate``, ``ci_low`` and ``ci_high`` (NaN with a ``UserWarning`` where ``n_items`` is
        0).

    Examples
    --------
    >>> ratings = pd.DataFrame({"item": [1, 2, 3, 1, 2, 3], "rater": list("aaabbb"),
    ...                         "label": ["ok", "spam", "hate", "spam", "ok", "spam"]})
    >>> table = rater_enforcement(ratings, item="item", rater="rater", label="label",
    ...                           standard={1: "ok", 2: "spam", 3: "spam"}, benign="ok")
    >>> table[table["rater"] == "b"][["error", "n_items", "errors"]]
                   error  n_items  errors
    3   over_enforcement        1       1
    4  under_enforcement        2       1
    5       wrong_policy        2       0
    """
    func = caller()
    check_confidence(ci)
    ratings, counts = _confusion_counts(data, item, rater, label, standard, categories)
    is_benign = np.isin(ratings.categories, np.asarray(benign, dtype=object).ravel())
    if not is_benign.any():
        raise ValueError(
            f"The 'benign' parameter of {func} must name a category. Got {benign!r}; the "
            f"categories are {format_values(ratings.categories, limit=10)}."
        )
    diagonal = np.eye(ratings.n_categories, dtype=bool)
    violating = ~is_benign
    # rater x standard x label counts summed over the cells of each error type
    over = counts[:, is_benign][:, :, violating].sum(axis=(1, 2))
    under = counts[:, violating][:, :, is_benign].sum(axis=(1, 2))
    wrong = (counts * (np.outer(violating, violating) & ~diagonal)).sum(axis=(1, 2))
    n_benign = counts[:, is_benign].sum(axis=(1, 2))
    n_violating = counts[:, violating].sum(axis=(1, 2))
    errors = np.column_stack([over, under, wrong]).ravel()
    n = np.column_stack([n_benign, n_violating, n_violating]).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = errors / n
    low, high = proportion_ci(errors, n, ci=ci, method=method)
    return pd.DataFrame(
        {
            "rater": np.repeat(ratings.raters, 3),
            "error": np.tile(["over_enforcement", "under_enforcement", "wrong_policy"], len(over)),
            "n_items": n,
            "errors": errors,
            "rate": rate,
            "ci_low": low,
            "ci_high": high,
        }
    )


@public
def category_agreement(
    data: Any = None,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    counts: Any = None,
    categories: Any = None,
) -> pd.DataFrame:
    """Agreement on each category: specific agreement and Fleiss' per-category kappa.

    Parameters
    ----------
    data, item, rater, label, counts, categories
        The ratings, as in :func:`~qainsights.agreement.fleiss_kappa`.

    Returns
    -------
    pandas.DataFrame
        One row per category: ``category``, ``n_ratings``, ``share`` (of all pairable
        ratings), ``specific_agreement`` (given one rater chose the category, the share of the
        item's other ratings that chose it too: ``sum c_ik (c_ik - 1) / sum c_ik (r_i - 1)``)
        and ``kappa`` (Fleiss 1971's kappa of the category against all others,
        ``1 - sum_i c_ik (r_i - c_ik) / (r_i - 1) / (sum_i r_i p_k (1 - p_k))``, which reduces
        to Fleiss' formula with equal numbers of raters). Only items with two or more
        ratings count. Categories nobody used get NaN.

    References
    ----------
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
    *Psychological Bulletin*, 76, 378-382. Uebersax, J. S. (1982). A design-independent
    method for measuring the reliability of psychiatric diagnosis. *Journal of Psychiatric
    Research*, 17, 335-342.

    Examples
    --------
    >>> table = category_agreement(counts=[[2, 0], [1, 1], [0, 2], [2, 0]])
    >>> table["specific_agreement"].round(3).tolist()
    [0.8, 0.667]
    """
    ratings = read_ratings(
        data, item=item, rater=rater, label=label, counts=counts, categories=categories,
    )  # fmt: skip
    counts_ = ratings.counts[ratings.counts.sum(axis=1) >= 2].astype(float)
    totals = counts_.sum(axis=1)
    n_ratings = counts_.sum(axis=0)
    share = n_ratings / totals.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        specific = (counts_ * (counts_ - 1)).sum(axis=0) / (counts_ * (totals - 1)[:, None]).sum(
            axis=0
        )
        disagreement = (counts_ * (totals[:, None] - counts_) / (totals - 1)[:, None]).sum(axis=0)
        kappa = 1 - disagreement / (totals.sum() * share * (1 - share))
    used = n_ratings > 0
    return pd.DataFrame(
        {
            "category": ratings.categories,
            "n_ratings": n_ratings.astype(int),
            "share": share,
            "specific_agreement": np.where(used, specific, np.nan),
            "kappa": np.where(used & (share < 1), kappa, np.nan),
        }
    )


@public
def disputed_items(
    data: Any = None,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    counts: Any = None,
    categories: Any = None,
    top: int | None = None,
) -> pd.DataFrame:
    """Items ranked from most to least disputed, for guideline review.

    Parameters
    ----------
    data, item, rater, label, counts, categories
        The ratings, as in :func:`~qainsights.agreement.fleiss_kappa`.
    top : int, optional
        Keep only the ``top`` most disputed items.

    Returns
    -------
    pandas.DataFrame
        One row per item with two or more ratings: ``item``, ``n_ratings``, ``agreement``
        (share of agreeing rating pairs), ``modal_label``, ``modal_share``,
        ``runner_up_label`` and ``runner_up_share``; sorted by ``agreement`` then
        ``modal_share`` (ascending), ties in item order.

    Examples
    --------
    >>> wide = pd.DataFrame({"r1": ["ok", "spam", "ok"], "r2": ["ok", "ok", "ok"],
    ...                      "r3": ["ok", "hate", "spam"]}, index=["a", "b", "c"])
    >>> disputed_items(wide)[["item", "agreement", "modal_label"]]
      item  agreement modal_label
    0    b   0.000000        hate
    1    c   0.333333          ok
    2    a   1.000000          ok
    """
    ratings = read_ratings(
        data, item=item, rater=rater, label=label, counts=counts, categories=categories,
    )  # fmt: skip
    keep = ratings.counts.sum(axis=1) >= 2
    counts_ = ratings.counts[keep]
    totals = counts_.sum(axis=1)
    order = np.argsort(-counts_, axis=1, kind="stable")
    rows = np.arange(len(counts_))
    first, second = order[:, 0], order[:, 1] if counts_.shape[1] > 1 else order[:, 0]
    weights = np.eye(ratings.n_categories)
    table = pd.DataFrame(
        {
            "item": ratings.items[keep],
            "n_ratings": totals,
            "agreement": item_agreement(agreeing_pairs(counts_, weights), totals),
            "modal_label": ratings.categories[first],
            "modal_share": counts_[rows, first] / totals,
            "runner_up_label": ratings.categories[second],
            "runner_up_share": counts_[rows, second] / totals,
        }
    )
    table = table.sort_values(["agreement", "modal_share"], kind="stable").reset_index(drop=True)
    return table if top is None else table.head(top)


@public
def pairwise_agreement(
    data: Any,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    categories: Any = None,
) -> pd.DataFrame:
    """Percent agreement and Cohen's kappa for every pair of raters, on items both rated.

    Computed with sparse items x raters indicator matrices, one product per category, so
    hundreds of raters are cheap.

    Parameters
    ----------
    data, item, rater, label, categories
        The ratings, as in :func:`rater_accuracy`.

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair of distinct raters who share at least one item:
        ``rater_a``, ``rater_b``, ``n_items``, ``agreement`` and ``kappa`` (NaN with no
        chance-corrected signal, i.e. chance agreement of 1). Pivot on ``rater_a`` and
        ``rater_b`` for a matrix.

    Examples
    --------
    >>> wide = pd.DataFrame({"r1": [1, 1, 2, 2], "r2": [1, 1, 2, 1], "r3": [1, 2, 2, 2]})
    >>> pairs = pairwise_agreement(wide)
    >>> pairs.pivot(index="rater_a", columns="rater_b", values="agreement")
    rater_b    r1    r2    r3
    rater_a
    r1        NaN  0.75  0.75
    r2       0.75   NaN  0.50
    r3       0.75  0.50   NaN
    """
    ratings = _rater_coded(data, item, rater, label, categories)
    n_items, r, q = len(ratings.counts), ratings.n_raters, ratings.n_categories
    ones = np.ones(len(ratings.item))
    rated = sparse.csr_matrix((ones, (ratings.item, ratings.rater)), shape=(n_items, r))
    shared = (rated.T @ rated).toarray()
    agree = np.zeros((r, r))
    chance = np.zeros((r, r))
    for k in range(q):  # one sparse product per category, not per rater or item
        chose = ratings.label == k
        picks = sparse.csr_matrix(
            (ones[chose], (ratings.item[chose], ratings.rater[chose])), shape=(n_items, r)
        )
        agree += (picks.T @ picks).toarray()
        first_marginal = (picks.T @ rated).toarray()  # rater a chose k, b rated the item
        chance += first_marginal * first_marginal.T
    a_idx, b_idx = np.nonzero((shared > 0) & ~np.eye(r, dtype=bool))
    n = shared[a_idx, b_idx]
    pa = agree[a_idx, b_idx] / n
    pe = chance[a_idx, b_idx] / n**2
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(pe < 1, (pa - pe) / (1 - pe), np.nan)
    return pd.DataFrame(
        {
            "rater_a": ratings.raters[a_idx],
            "rater_b": ratings.raters[b_idx],
            "n_items": n.astype(int),
            "agreement": pa,
            "kappa": kappa,
        }
    )


def _rater_coded(
    data: Any, item: str | None, rater: str | None, label: str | None, categories: Any
) -> Ratings:
    return read_ratings(data, item=item, rater=rater, label=label, categories=categories)


def _standard_codes(standard: Any, ratings: Ratings) -> np.ndarray:
    """Category code of each item's standard label (-1 where there is none)."""
    func = caller()
    expected = pd.Series(standard, dtype=object).reindex(ratings.items)
    present = expected.notna().to_numpy()
    codes = np.full(len(expected), -1)
    codes[present] = pd.Index(ratings.categories).get_indexer(expected[present].to_numpy())
    unknown = present & (codes < 0)
    if unknown.any():
        raise ValueError(
            f"{func} found {int(unknown.sum())} standard label(s) that are not categories of "
            f"the ratings: {format_values(pd.unique(expected[unknown]))}. Pass 'categories=' "
            "listing every label."
        )
    if not present.any():
        raise ValueError(
            f"{func} found no rated item in 'standard'. Index the standard by the same item "
            f"identifiers as the ratings (for example {format_values(ratings.items[:3])})."
        )
    return codes


def _confusion_counts(
    data: Any,
    item: str | None,
    rater: str | None,
    label: str | None,
    standard: Any,
    categories: Any,
) -> tuple[Ratings, np.ndarray]:
    """Rater x reference label x given label counts (fractional under consensus ties)."""
    ratings = _rater_coded(data, item, rater, label, categories)
    shares = _reference_shares(ratings, standard)
    q, r = ratings.n_categories, ratings.n_raters
    given = ratings.rater * q + ratings.label
    # one bincount per reference category, not per rater or rating
    counts = np.stack(
        [np.bincount(given, weights=shares[:, k], minlength=r * q) for k in range(q)], axis=1
    ).reshape(r, q, q)  # rater x given label x reference label
    counts = counts.transpose(0, 2, 1)
    return ratings, counts if standard is None else np.rint(counts).astype(np.int64)


def _reference_shares(ratings: Ratings, standard: Any) -> np.ndarray:
    """Per rating, the reference label as shares over the categories (ratings x categories).

    With a ``standard``: 1 on the item's standard label (a zero row where there is none).
    Without: the modal label(s) of the item's other ratings, ties sharing the unit (a zero row
    when nobody else rated the item), so nobody is compared with themselves.
    """
    rows = np.arange(len(ratings.label))
    if standard is not None:
        expected = _standard_codes(standard, ratings)[ratings.item]
        shares = np.zeros((len(rows), ratings.n_categories))
        shares[rows[expected >= 0], expected[expected >= 0]] = 1.0
        return shares
    others = ratings.counts[ratings.item].astype(float)
    others[rows, ratings.label] -= 1
    modal = (others == others.max(axis=1, keepdims=True)) & (others.sum(axis=1) > 0)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(modal, modal / modal.sum(axis=1, keepdims=True), 0.0)


def _beta_binomial_shrinkage(k: np.ndarray, n: np.ndarray) -> np.ndarray:
    total = n.sum()
    pooled = k.sum() / total
    spread = (n * (k / n - pooled) ** 2).sum() - (len(n) - 1) * pooled * (1 - pooled)
    effective = total - (n**2).sum() / total
    tau2 = max(spread / effective, 0.0) if effective > 0 else 0.0
    if tau2 == 0 or pooled in (0.0, 1.0):
        return np.full(len(n), pooled)
    prior = max(pooled * (1 - pooled) / tau2 - 1, 0.0)  # a + b
    return (k + pooled * prior) / (n + prior)
