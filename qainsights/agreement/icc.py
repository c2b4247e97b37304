"""Intraclass correlations for numeric scores: the six Shrout & Fleiss / McGraw & Wong forms."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import stats

from .._caller import public, user_stacklevel
from .._validation import check_confidence, format_values
from ._inputs import read_ratings
from .results import AgreementResult

__all__ = ["ICC_FORMS", "icc"]

#: The six forms: name -> (model, unit), Shrout & Fleiss (1979) and McGraw & Wong (1996).
ICC_FORMS = {
    "ICC1": "one-way random effects, absolute agreement, single rater",
    "ICC2": "two-way random effects, absolute agreement, single rater",
    "ICC3": "two-way mixed effects, consistency, single rater",
    "ICC1k": "one-way random effects, absolute agreement, mean of k raters",
    "ICC2k": "two-way random effects, absolute agreement, mean of k raters",
    "ICC3k": "two-way mixed effects, consistency, mean of k raters",
}


@public
def icc(
    data: Any = None,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    form: str = "ICC1",
    ci: float = 0.95,
) -> AgreementResult:
    """Intraclass correlation of numeric scores, in one of the six Shrout & Fleiss forms.

    ``form`` names the model and the unit (Shrout & Fleiss 1979; McGraw & Wong 1996, whose
    names are given in brackets):

    - ``"ICC1"`` (ICC(1,1); one-way random, absolute agreement, single rater) and
      ``"ICC1k"`` (ICC(1,k); the mean of k raters): each item scored by its own raters,
      which suits moderation data, where items are spread over many reviewers. Unequal
      numbers of ratings per item use the ANOVA estimator with the effective group size
      ``k0 = (N - sum k_i**2 / N) / (n - 1)``.
    - ``"ICC2"`` (ICC(2,1); two-way random, absolute agreement, single rater) and
      ``"ICC2k"`` (ICC(2,k)): the same k raters score every item and stand for a population
      of raters; rater biases count as disagreement.
    - ``"ICC3"`` (ICC(3,1); two-way mixed, consistency, single rater) and ``"ICC3k"``
      (ICC(3,k)): the same k raters, and only they, matter; a constant rater bias does not
      count.

    The two-way forms need every item scored by every rater: items with a missing score
    are left out with a ``UserWarning`` that says how many. With mean squares ``MSR``
    (items), ``MSC`` (raters), ``MSE`` (two-way residual) and ``MSW`` (within items):
    ICC1 ``(MSR - MSW)/(MSR + (k-1) MSW)``, ICC2
    ``(MSR - MSE)/(MSR + (k-1) MSE + k (MSC - MSE)/n)``, ICC3
    ``(MSR - MSE)/(MSR + (k-1) MSE)``, ICC1k ``(MSR - MSW)/MSR``, ICC2k
    ``(MSR - MSE)/(MSR + (MSC - MSE)/n)``, ICC3k ``(MSR - MSE)/MSR``. Intervals are
    McGraw & Wong's F intervals (Satterthwaite's degrees of freedom for the ICC2 forms).

    Parameters
    ----------
    data : pandas.DataFrame or array-like
        Long format (with ``item``, ``rater`` and ``label`` naming the columns; ``label``
        holds the numeric score) or wide (items x raters, NaN for a missing score).
    item, rater, label : str, optional
        Column names of long-format ``data``.
    form : {"ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"}, default "ICC1"
        Which intraclass correlation; see above.
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    AgreementResult
        ``coefficient`` is the form (``"ICC1"``, ...) and ``method`` its description (from
        :data:`ICC_FORMS`); ``ci_low``/``ci_high`` from the F distribution, clipped to
        [-1, 1]; ``p_value`` of the F test of no item effect (one-sided); ``se`` for ICC1 the
        large-sample standard error
        ``sqrt(2 (1 - rho)**2 (1 + (k0 - 1) rho)**2 / (k0 (k0 - 1) (n - 1)))`` (Fisher 1925),
        NaN for the other forms (use the interval); ``pa`` and ``pe`` are not defined for
        the ICC and are NaN.

    Notes
    -----
    Items with a single score carry no within-item information and are left out.
    With no within-item variation (every item's scores identical) MSW is 0: the ICC is 1 when
    items differ, and NaN with a ``UserWarning`` when all scores are equal.

    References
    ----------
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
    reliability. *Psychological Bulletin*, 86, 420-428.
    McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass
    correlation coefficients. *Psychological Methods*, 1, 30-46.

    Examples
    --------
    Shrout & Fleiss (1979), Table 2: six targets, four judges; published ICC(1,1) = 0.17,
    ICC(2,1) = 0.29, ICC(3,1) = 0.71, ICC(1,4) = 0.44, ICC(2,4) = 0.62, ICC(3,4) = 0.91.

    >>> scores = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9],
    ...           [6, 2, 4, 7]]
    >>> [round(icc(scores, form=f).estimate, 2) for f in ICC_FORMS]
    [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]
    >>> icc(scores, form="ICC2").method
    'two-way random effects, absolute agreement, single rater'
    """
    if form not in ICC_FORMS:
        raise ValueError(
            f"The 'form' parameter of icc must be one of {format_values(list(ICC_FORMS))}. "
            f"Got {form!r} instead."
        )
    check_confidence(ci)
    ratings = read_ratings(data, item=item, rater=rater, label=label)
    try:
        values = np.asarray(ratings.categories, dtype=float)[ratings.label]
    except (TypeError, ValueError):
        raise ValueError(
            "icc needs numeric scores. Got labels such as "
            f"{ratings.categories[:3].tolist()!r}. Use a chance-corrected coefficient "
            "(fleiss_kappa, gwet_ac, krippendorff_alpha) for categorical labels."
        ) from None
    sizes = np.bincount(ratings.item)
    keep = sizes[ratings.item] >= 2
    _, groups = np.unique(ratings.item[keep], return_inverse=True)
    values = values[keep]
    sizes = np.bincount(groups)
    n, total = len(sizes), len(values)
    if n < 2:
        raise ValueError(
            f"icc needs at least two items scored twice or more; got {n}. Check the item and "
            "rater columns."
        )
    if form not in ("ICC1", "ICC1k"):
        return _two_way(ratings, values, keep, form, ci)
    means = np.bincount(groups, weights=values) / sizes
    between = (sizes * (means - values.mean()) ** 2).sum() / (n - 1)
    within = ((values - means[groups]) ** 2).sum() / (total - n)
    k0 = (total - (sizes**2).sum() / total) / (n - 1)
    df_between, df_within = n - 1, total - n
    if within == 0:
        return _no_within_variation(between, n, ratings.n_raters, form, ci)
    f_ratio = between / within
    upper_q = stats.f.ppf(0.5 + ci / 2, df_between, df_within)
    lower_q = stats.f.ppf(0.5 + ci / 2, df_within, df_between)
    f_low, f_high = f_ratio / upper_q, f_ratio * lower_q
    if form == "ICC1k":
        estimate, low, high = 1 - 1 / f_ratio, 1 - 1 / f_low, 1 - 1 / f_high
        se = np.nan
    else:
        estimate = (f_ratio - 1) / (f_ratio + k0 - 1)
        low, high = (f_low - 1) / (f_low + k0 - 1), (f_high - 1) / (f_high + k0 - 1)
        se = np.sqrt(
            2 * (1 - estimate) ** 2 * (1 + (k0 - 1) * estimate) ** 2 / (k0 * (k0 - 1) * (n - 1))
        )
    p_value = stats.f.sf(f_ratio, df_between, df_within)
    return _result(form, estimate, se, low, high, p_value, n, ratings.n_raters, ci)


def _result(form, estimate, se, low, high, p_value, n, n_raters, ci) -> AgreementResult:
    low, high = np.clip([low, high], -1, 1)
    return AgreementResult(
        form, float(estimate), float(se), float(low), float(high), float(p_value), np.nan,
        np.nan, np.nan, n, n_raters, "none", ICC_FORMS[form], ci, "",
    )  # fmt: skip


def _two_way(ratings, values, keep, form, ci) -> AgreementResult:
    """The ICC2 and ICC3 forms from the complete items x raters table (McGraw & Wong 1996)."""
    _, item = np.unique(ratings.item[keep], return_inverse=True)
    _, rater = np.unique(ratings.rater[keep], return_inverse=True)
    n_items, k = item.max() + 1, rater.max() + 1
    table = np.full((n_items, k), np.nan)
    table[item, rater] = values
    complete = ~np.isnan(table).any(axis=1)
    if not complete.all():
        warnings.warn(
            f"icc {form} needs every item scored by every rater; {int((~complete).sum())} of "
            f"{n_items} items miss a score and are left out. Use form='ICC1' for items scored "
            "by different raters.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    table = table[complete]
    n = len(table)
    if n < 2 or k < 2:
        raise ValueError(
            f"icc {form} needs at least two items scored by the same two or more raters; got "
            f"{n} complete items and {k} raters. Use form='ICC1'."
        )
    grand = table.mean()
    msr = k * ((table.mean(axis=1) - grand) ** 2).sum() / (n - 1)
    msc = n * ((table.mean(axis=0) - grand) ** 2).sum() / (k - 1)
    residual = table - table.mean(axis=1, keepdims=True) - table.mean(axis=0) + grand
    df_error = (n - 1) * (k - 1)
    mse = (residual**2).sum() / df_error
    if mse == 0:
        return _no_within_variation(msr, n, k, form, ci)
    f_ratio = msr / mse
    q = 0.5 + ci / 2
    p_value = stats.f.sf(f_ratio, n - 1, df_error)
    if form in ("ICC3", "ICC3k"):
        f_low = f_ratio / stats.f.ppf(q, n - 1, df_error)
        f_high = f_ratio * stats.f.ppf(q, df_error, n - 1)
        if form == "ICC3k":
            return _result(form, 1 - 1 / f_ratio, np.nan, 1 - 1 / f_low, 1 - 1 / f_high,
                           p_value, n, k, ci)  # fmt: skip
        return _result(form, (f_ratio - 1) / (f_ratio + k - 1), np.nan,
                       (f_low - 1) / (f_low + k - 1), (f_high - 1) / (f_high + k - 1),
                       p_value, n, k, ci)  # fmt: skip
    single = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    a = k * single / (n * (1 - single))
    b = 1 + k * single * (n - 1) / (n * (1 - single))
    v = (a * msc + b * mse) ** 2 / ((a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / df_error)
    f_star, f_inv = stats.f.ppf(q, n - 1, v), stats.f.ppf(q, v, n - 1)
    spread = k * msc + (k * n - k - n) * mse
    low = n * (msr - f_star * mse) / (f_star * spread + n * msr)
    high = n * (f_inv * msr - mse) / (spread + n * f_inv * msr)
    if form == "ICC2k":
        average = (msr - mse) / (msr + (msc - mse) / n)
        low, high = (b_ * k / (1 + b_ * (k - 1)) for b_ in (low, high))
        return _result(form, average, np.nan, low, high, p_value, n, k, ci)
    return _result(form, single, np.nan, low, high, p_value, n, k, ci)


def _no_within_variation(between: float, n: int, n_raters: int, form: str, ci: float):
    if between == 0:
        warnings.warn(
            "icc is undefined here: every score is the same, so there is no variance to "
            "split between and within items. It is returned as NaN.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        estimate = np.nan
    else:
        estimate = 1.0
    return AgreementResult(
        form, estimate, 0.0 if estimate == 1 else np.nan, estimate, estimate,
        0.0 if estimate == 1 else np.nan, np.nan, np.nan, np.nan, n, n_raters, "none",
        ICC_FORMS[form],
        ci,
        "",
    )  # fmt: skip
