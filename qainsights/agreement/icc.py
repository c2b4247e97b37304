"""The one-way intraclass correlation for numeric scores (raters differ from item to item)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import stats

from .._validation import check_confidence
from ._inputs import read_ratings
from .results import AgreementResult

__all__ = ["icc"]


def icc(
    data: Any = None,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    ci: float = 0.95,
) -> AgreementResult:
    """One-way random-effects ICC(1) of single ratings, Shrout & Fleiss (1979) case 1.

    Suits moderation data, where each item is scored by a different set of raters.
    Unequal numbers of ratings per item use the ANOVA estimator with the effective group
    size ``k0 = (N - sum k_i**2 / N) / (n - 1)``.

    Parameters
    ----------
    data : pandas.DataFrame or array-like
        Long format (with ``item``, ``rater`` and ``label`` naming the columns; ``label``
        holds the numeric score) or wide (items x raters, NaN for a missing score).
    item, rater, label : str, optional
        Column names of long-format ``data``.
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    AgreementResult
        ``estimate`` = ``(MSB - MSW) / (MSB + (k0 - 1) MSW)``; ``ci_low``/``ci_high`` from the
        F distribution (Shrout & Fleiss 1979), clipped to [-1, 1]; ``p_value`` of the F test of
        no item effect (one-sided); ``se`` the large-sample standard error
        ``sqrt(2 (1 - rho)**2 (1 + (k0 - 1) rho)**2 / (k0 (k0 - 1) (n - 1)))`` (Fisher 1925);
        ``pa`` and ``pe`` are not defined for the ICC and are NaN; ``method`` is ``"anova"``.

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
    Shrout & Fleiss (1979), Table 2: six targets, four judges; published ICC(1,1) = 0.17.

    >>> scores = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9],
    ...           [6, 2, 4, 7]]
    >>> round(icc(scores).estimate, 2)
    0.17
    """
    check_confidence(ci, func="icc")
    ratings = read_ratings(data, item=item, rater=rater, label=label, func="icc")
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
    means = np.bincount(groups, weights=values) / sizes
    between = (sizes * (means - values.mean()) ** 2).sum() / (n - 1)
    within = ((values - means[groups]) ** 2).sum() / (total - n)
    k0 = (total - (sizes**2).sum() / total) / (n - 1)
    df_between, df_within = n - 1, total - n
    if within == 0:
        return _no_within_variation(between, n, k0, ratings.n_raters, ci)
    f_ratio = between / within
    estimate = (f_ratio - 1) / (f_ratio + k0 - 1)
    upper_q = stats.f.ppf(0.5 + ci / 2, df_between, df_within)
    lower_q = stats.f.ppf(0.5 + ci / 2, df_within, df_between)
    f_low, f_high = f_ratio / upper_q, f_ratio * lower_q
    low, high = np.clip([(f_low - 1) / (f_low + k0 - 1), (f_high - 1) / (f_high + k0 - 1)], -1, 1)
    se = np.sqrt(
        2 * (1 - estimate) ** 2 * (1 + (k0 - 1) * estimate) ** 2 / (k0 * (k0 - 1) * (n - 1))
    )
    p_value = stats.f.sf(f_ratio, df_between, df_within)
    return AgreementResult(
        "icc", float(estimate), float(se), float(low), float(high), float(p_value), np.nan,
        np.nan, n, ratings.n_raters, "none", "anova", ci,
    )  # fmt: skip


def _no_within_variation(
    between: float, n: int, k0: float, n_raters: int, ci: float
) -> AgreementResult:
    if between == 0:
        warnings.warn(
            "icc is undefined here: every score is the same, so there is no variance to "
            "split between and within items. It is returned as NaN.",
            UserWarning,
            stacklevel=3,
        )
        estimate = np.nan
    else:
        estimate = 1.0
    return AgreementResult(
        "icc", estimate, 0.0 if estimate == 1 else np.nan, estimate, estimate,
        0.0 if estimate == 1 else np.nan, np.nan, np.nan, n, n_raters, "none", "anova", ci,
    )  # fmt: skip
