"""Agreement per session, site or any group, all groups at once, and group comparisons.

Items are keyed by (group, item), so the same item rated in two sessions counts once in
each. Every group's coefficient comes from one matrix of pattern multiplicities (groups x
patterns): one pass, no loop over groups.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._caller import caller, public, user_stacklevel
from .._multiple import q_values
from .._validation import (
    as_column_list,
    check_columns,
    check_confidence,
    check_frame,
    check_option,
    format_values,
)
from ._family import Patterns, family_estimate, family_variance, patterns_of
from ._inputs import read_ratings
from ._likelihood import family_likelihood_interval
from ._rare import (
    SHARE_CHANCE_KINDS,
    SKEWED_SHARE,
    THIN_FOR,
    interval_method,
    rare_agreement_notes,
    skew,
    warn_rare_agreement,
)
from ._weights import agreement_weights, krippendorff_weights
from .inference import t_intervals

__all__ = ["agreement_by", "compare_agreement"]

COEFFICIENTS = {
    "percent_agreement": "percent",
    "brennan_prediger": "brennan_prediger",
    "gwet_ac": "gwet",
    "fleiss_kappa": "fleiss",
    "krippendorff_alpha": "alpha",
}


@public
def agreement_by(
    data: pd.DataFrame,
    *,
    by: str | list[str],
    item: str,
    rater: str,
    label: str,
    coefficient: str = "gwet_ac",
    weights: Any = None,
    level: str = "nominal",
    categories: Any = None,
    ci: float = 0.95,
    method: str = "auto",
) -> pd.DataFrame:
    """One agreement coefficient for every group of long-format ratings.

    Parameters
    ----------
    data : pandas.DataFrame
        Long format, one row per rating.
    by : str or list of str
        Column(s) defining the groups (session, site, queue ...). No missing values.
    item, rater, label : str
        Column names of the item, the rater and the label.
    coefficient : {"gwet_ac", "fleiss_kappa", "krippendorff_alpha", "brennan_prediger", \
"percent_agreement"}, default "gwet_ac"
        The coefficient (Conger's and Cohen's need rater-specific margins and are not offered).
    weights : {None, "identity", "linear", "quadratic"} or array-like, default None
        Agreement weights (not for Krippendorff's alpha).
    level : {"nominal", "ordinal", "interval", "ratio"}, default "nominal"
        Krippendorff's alpha level; the ordinal metric uses the pooled category totals.
    categories : sequence, optional
        All categories, shared by every group.
    ci : float, default 0.95
        Confidence level.
    method : {"auto", "analytic", "likelihood"}, default "auto"
        The interval, as in the single-coefficient functions: ``"auto"`` takes the
        likelihood interval in the groups where the analytic one is known not to hold its
        level (for Fleiss' kappa and Krippendorff's alpha, groups whose most common category
        holds at least 70 % of ratings with fewer than 10 items agreeing on another
        category; for any coefficient, groups where every item agreed). Each likelihood
        interval takes one search of constrained fits, a fraction of a second to a few
        seconds, so such a group is fitted on its own.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, then ``coefficient``, ``estimate``, ``se``,
        ``ci_low``, ``ci_high``, ``p_value``, ``df``, ``pa``, ``pe``, ``n_items``, ``n_raters``,
        ``method`` (the interval used in the group), ``note`` (why a kappa-type interval
        may not hold its level, as the single coefficient's ``note``; ``""`` mostly); the
        same numbers as the single-coefficient function on each group. Groups where the
        coefficient is undefined (one category) or the standard error is (one item) get NaN,
        with one ``UserWarning`` naming them.

    References
    ----------
    Gwet, K. L. (2014). *Handbook of Inter-Rater Reliability*, 4th ed.

    Examples
    --------
    >>> ratings = pd.DataFrame({
    ...     "session": ["s1"] * 6 + ["s2"] * 6,
    ...     "item": [1, 1, 2, 2, 3, 3] * 2,
    ...     "rater": ["a", "b"] * 6,
    ...     "label": ["ok", "ok", "spam", "spam", "ok", "spam", "ok", "ok", "ok", "spam",
    ...               "spam", "ok"],
    ... })
    >>> table = agreement_by(ratings, by="session", item="item", rater="rater", label="label",
    ...                      coefficient="percent_agreement")
    >>> table[["session", "estimate", "n_items"]].round(3)
      session  estimate  n_items
    0      s1     0.667        3
    1      s2     0.333        3
    """
    return _coefficient_by_group(
        data, by=by, item=item, rater=rater, label=label, coefficient=coefficient,
        weights=weights, level=level, categories=categories, ci=ci, method=method,
    )  # fmt: skip


def _coefficient_by_group(
    data, *, by, item, rater, label, coefficient, weights, level, categories, ci, method
) -> pd.DataFrame:
    """:func:`agreement_by`, its messages naming the public function called (which may be
    :func:`compare_agreement`).
    """
    func = caller()
    check_frame(data)
    check_option(coefficient, name="coefficient", options=tuple(COEFFICIENTS))
    check_option(method, name="method", options=("auto", "analytic", "likelihood"))
    check_confidence(ci)
    keys = as_column_list(by)
    if not keys:
        raise ValueError(f"The 'by' parameter of {func} must name at least one column. Got {by!r}.")
    check_columns(data, [*keys, item, rater, label])
    missing = data[keys].isna().any(axis=1)
    if missing.any():
        raise ValueError(
            f"{func} found {int(missing.sum())} row(s) with a missing group in "
            f"{format_values(keys)}. Fill or drop them first (see DataFrame.dropna)."
        )
    grouped = data.groupby(keys, sort=True, observed=True)
    group = grouped.ngroup().to_numpy()
    group_keys = grouped.size().index.to_frame(index=False)
    keyed_item = data.groupby([*keys, item], sort=False, observed=True).ngroup().to_numpy()
    composite = pd.DataFrame({item: keyed_item, rater: data[rater].to_numpy(), label: data[label]})
    ratings = read_ratings(composite, item=item, rater=rater, label=label, categories=categories)
    group_of_item = np.zeros(keyed_item.max() + 1, dtype=np.int64)
    group_of_item[keyed_item] = group
    item_group = group_of_item[ratings.items.astype(np.int64)]
    kind = COEFFICIENTS[coefficient]
    patterns, per_group = _grouped_patterns(ratings.counts, item_group, len(group_keys))
    pairable = patterns.totals >= 2
    if kind == "alpha":
        totals = (patterns.multiplicity * pairable) @ patterns.counts
        matrix = krippendorff_weights(level, ratings.categories, totals)
    else:
        matrix = agreement_weights(weights, ratings.categories)
    estimate, pa, pe = family_estimate(kind, patterns, per_group, matrix)
    variance, df = family_variance(kind, patterns, per_group, matrix, estimate, pe)
    n_items = (per_group @ pairable if kind == "alpha" else per_group.sum(axis=1)).astype(int)
    se = np.where(n_items >= 2, np.sqrt(np.maximum(variance, 0.0)), np.nan)
    _warn_undefined_groups(group_keys, estimate, n_items)
    low, high, p_value = t_intervals(estimate, se, df, ci)
    _, share, agreed = skew(patterns.counts, per_group)
    chosen = interval_method(method, kind=kind, share=share, agreed=agreed, se=se)
    for g in np.flatnonzero((chosen == "likelihood") & np.isfinite(se)):  # one search each
        session = Patterns(patterns.counts, per_group[g])
        low[g], high[g], p_value[g] = family_likelihood_interval(
            kind, session, matrix, ci, step=se[g]
        )
    note = _rare_notes(group_keys, patterns, per_group, ratings.categories, kind, ci, chosen, se)
    group_rater = np.unique(item_group[ratings.item] * ratings.n_raters + ratings.rater)
    n_raters = np.bincount(group_rater // ratings.n_raters, minlength=len(group_keys))
    return group_keys.assign(
        coefficient=coefficient, estimate=estimate, se=se, ci_low=low, ci_high=high,
        p_value=p_value, df=df, pa=pa, pe=pe, n_items=n_items, n_raters=n_raters,
        method=chosen, note=note,
    )  # fmt: skip


@public
def compare_agreement(
    data: pd.DataFrame,
    *,
    by: str | list[str],
    item: str,
    rater: str,
    label: str,
    coefficient: str = "gwet_ac",
    baseline: Any = None,
    weights: Any = None,
    level: str = "nominal",
    categories: Any = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Did agreement change? Each group's coefficient against a baseline group.

    Groups are taken as independent samples of items (different items, or the same items
    re-rated by other raters in another session), so the difference has standard error
    ``sqrt(se_group**2 + se_baseline**2)``; intervals and two-sided p-values use Student's t
    on the Welch-Satterthwaite combination of the two groups' effective degrees of freedom
    (``df``, as each group's own interval: :func:`~qainsights.agreement.inference.effective_df`),
    ``(se_g² + se_b²)² / (se_g⁴/df_g + se_b⁴/df_b)``. The normal reference called 9.2 % of
    equal sessions different at 5 % (Fleiss' kappa, 30 items at 85/12/3 %); see
    ``benchmarks/calibration.py``. With more than one comparison, ``p_adjusted`` controls the
    false discovery rate (Benjamini-Hochberg).

    The comparison rests on each session's analytic standard error, so each session is
    judged as :func:`agreement_by` with ``method="analytic"`` judges it. A kappa-type
    comparison involving a skewed, thin session (the analytic interval's
    ``SkewedSessionWarning``: fewer than 4 items agreeing on a rarer category) is too eager:
    on pairs of equal 30-item sessions at 85/12/3 % (Fleiss' kappa) those pairs were called
    different in 10.7 % at 5 %, the others in 3.8 %.
    Such a row's ``note`` names the session; Gwet's AC1, the default, held 4.8-5.8 % there.

    Parameters
    ----------
    data, by, item, rater, label, coefficient, weights, level, categories, ci
        As in :func:`agreement_by`.
    baseline : scalar or tuple, optional
        The baseline group's value of ``by`` (a tuple for several columns). Default: the
        first group in sorted order.

    Returns
    -------
    pandas.DataFrame
        One row per non-baseline group: the ``by`` columns, ``coefficient``, ``estimate``,
        ``baseline_estimate``, ``difference`` (group minus baseline), ``se``, ``df``,
        ``ci_low``, ``ci_high`` (for the difference, within [-2, 2]), ``p_value``,
        ``p_adjusted`` and ``note`` (each of the two sessions' ``note`` from
        :func:`agreement_by` with ``method="analytic"``, prefixed by its group; ``""``
        mostly).

    References
    ----------
    Gwet, K. L. (2016). Testing the difference of correlated agreement coefficients for
    statistical significance. *Educational and Psychological Measurement*, 76, 609-637
    (the independent-samples case). Benjamini, Y., & Hochberg, Y. (1995). Controlling the
    false discovery rate. *JRSS B*, 57, 289-300.

    Examples
    --------
    >>> ratings = pd.DataFrame({
    ...     "session": ["before"] * 8 + ["after"] * 8,
    ...     "item": [1, 1, 2, 2, 3, 3, 4, 4] * 2,
    ...     "rater": ["a", "b"] * 8,
    ...     "label": ["ok", "ok", "spam", "spam", "ok", "spam", "ok", "ok",
    ...               "ok", "ok", "spam", "spam", "ok", "ok", "spam", "spam"],
    ... })
    >>> table = compare_agreement(ratings, by="session", item="item", rater="rater",
    ...                           label="label", baseline="before",
    ...                           coefficient="percent_agreement")
    >>> table[["session", "difference"]].round(3)
      session  difference
    0   after        0.25
    """
    func = caller()
    groups = _coefficient_by_group(
        data, by=by, item=item, rater=rater, label=label, coefficient=coefficient,
        weights=weights, level=level, categories=categories, ci=ci, method="analytic",
    )  # fmt: skip
    keys = as_column_list(by)
    labels = list(groups[keys].itertuples(index=False, name=None))
    wanted = labels[0] if baseline is None else (
        baseline if isinstance(baseline, tuple) else (baseline,)
    )  # fmt: skip
    if wanted not in labels:
        raise ValueError(
            f"The 'baseline' parameter of {func} must be one of the groups "
            f"{format_values(labels, limit=10)}. Got {baseline!r} instead."
        )
    if len(labels) < 2:
        raise ValueError(f"{func} needs at least two groups in {format_values(keys)}; got one.")
    base = groups.iloc[labels.index(wanted)]
    others = groups.drop(index=labels.index(wanted)).reset_index(drop=True)
    difference = others["estimate"] - base["estimate"]
    se = np.sqrt(others["se"] ** 2 + base["se"] ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = se**4 / (others["se"] ** 4 / others["df"] + base["se"] ** 4 / base["df"])
        half = stats.t.ppf(0.5 + ci / 2, df) * se
        p_value = 2 * stats.t.sf(np.abs(difference / se), df)
    adjusted = q_values(p_value)
    names = _group_names(groups[keys])
    noted = {label: f"{name}: {note}" for label, name, note in
             zip(labels, names, groups["note"], strict=True) if note}  # fmt: skip
    note = [
        "; ".join(noted[label] for label in (wanted, own) if label in noted)
        for own in labels if own != wanted
    ]  # fmt: skip
    return others[keys].assign(
        coefficient=coefficient, estimate=others["estimate"], baseline_estimate=base["estimate"],
        difference=difference, se=se, df=df, ci_low=np.clip(difference - half, -2, 2),
        ci_high=np.clip(difference + half, -2, 2), p_value=p_value, p_adjusted=adjusted,
        note=note,
    )  # fmt: skip


def _grouped_patterns(
    counts: np.ndarray, item_group: np.ndarray, n_groups: int
) -> tuple[Patterns, np.ndarray]:
    """Patterns pooled within groups, and the groups x patterns multiplicity matrix."""
    q = counts.shape[1]
    keyed = patterns_of(np.column_stack([counts, item_group]))
    group = keyed.counts[:, q].astype(np.int64)
    patterns = Patterns(keyed.counts[:, :q], keyed.multiplicity)
    per_group = np.zeros((n_groups, len(group)))
    per_group[group, np.arange(len(group))] = keyed.multiplicity
    return patterns, per_group


def _group_names(group_keys: pd.DataFrame) -> list:
    """The groups' labels for a message: the values of one key column, else tuples."""
    if group_keys.shape[1] == 1:
        return group_keys.iloc[:, 0].tolist()
    return list(group_keys.itertuples(index=False, name=None))


def _rare_notes(group_keys, patterns, per_group, categories, kind: str, ci: float, chosen, se):
    """Each group's note on a skewed session too thin for its ``chosen`` interval (kappa-type
    only, where the interval is defined), with one warning for each interval naming groups.
    """
    notes = np.full(len(group_keys), "", dtype=object)
    if kind in SHARE_CHANCE_KINDS:
        notes = rare_agreement_notes(patterns.counts, per_group, categories, method=chosen)
        notes[~np.isfinite(se)] = ""
    for method in np.unique(chosen[notes != ""]):
        named = (notes != "") & (chosen == method)
        names = _group_names(group_keys[named])
        warn_rare_agreement(
            f"in {int(named.sum())} group(s) ({format_values(names)}) the most common category "
            f"holds at least {SKEWED_SHARE:.0%} of ratings and fewer than {THIN_FOR[method]} "
            "items have two or more ratings agreeing on another category",
            ci=ci,
            method=method,
        )
    return notes


def _warn_undefined_groups(
    group_keys: pd.DataFrame, estimate: np.ndarray, n_items: np.ndarray
) -> None:
    func = caller()
    undefined = ~np.isfinite(estimate) | (n_items < 2)
    if undefined.any():
        names = _group_names(group_keys[undefined])
        warnings.warn(
            f"{func}: {int(undefined.sum())} group(s) have an undefined coefficient (all ratings "
            "in one category) or standard error (fewer than two items): "
            f"{format_values(names)}. Their values are NaN.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
