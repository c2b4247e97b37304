"""The report's one test of the overall change since last month, against process noise.

The change tile, the change section's sentence and waterfall, its finding and the
consistency notes all read one test (:func:`overall_change`): the difference of the two
months' rates in the report's estimand, its design-based variance (the moderators as clusters
when every audit names one, as the headline's intervals do), widened by the dispersion of the
week-to-week changes of the twelve months before (:func:`dispersed_change_test`): a month's
rate moves for real reasons that are not sampling error (queue-week shocks, volumes), and a
test of independent audits takes those moves for changes.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats

from .._caller import public
from ..trends import ChangeExplanation
from ..trends.explain import _segments_and_mix
from .findings import CLAIM_ALPHA

__all__ = [
    "HISTORY_MONTHS",
    "MIX_SHARE",
    "change_story",
    "change_verdict",
    "consecutive_changes",
    "dispersed_change_test",
    "overall_change",
    "with_overall_test",
]

#: Months before the report month whose week-to-week changes measure the process noise.
HISTORY_MONTHS = 12
#: A significant change is "mostly a change in the mix" of a dimension when that dimension's
#: mix effect is at least this share of it.
MIX_SHARE = 0.5
_PLURALS = {"site": "sites", "queue": "queues", "policy": "policies", "market": "markets"}


@public
def consecutive_changes(
    audits: pd.DataFrame,
    *,
    period: str,
    weight: str | None = None,
    cluster: str | None = None,
    outcome: str = "is_error",
) -> pd.DataFrame:
    """Each change of the error rate between consecutive periods, with its design variance.

    The rate of period ``t`` is ``r_t = Σ w·y / Σ w`` (``w = 1`` without weights). The
    difference ``d = r_b − r_a`` of consecutive periods ``a``, ``b`` has the Taylor-linearised
    with-replacement variance ``G/(G − 1) Σ_c u_c²`` over the ``G`` clusters present in
    either period, where ``u_c = s_{c,b} − s_{c,a}`` and ``s_{c,t} = Σ_{i in c, t}
    w_i (y_i − r_t) / Σ_t w`` (each audit its own cluster without ``cluster``). A cluster
    seen in both periods (a moderator) carries its covariance into the variance.

    Parameters
    ----------
    audits : DataFrame
        Audit rows with ``period``, ``outcome`` and, when named, ``weight`` and ``cluster``.
    period : str
        The period column (sortable: months 'YYYY-MM', week starts).
    weight, cluster : str, optional
        Sampling-weight and cluster columns.
    outcome : str, default "is_error"
        Boolean error flag.

    Returns
    -------
    DataFrame
        One row per consecutive pair of the periods present: ``period_from``, ``period_to``,
        ``rate_from``, ``rate_to``, ``difference``, ``variance``, ``clusters``.

    Examples
    --------
    Two moderators, two audits each a month: A errs 2 of 2 then 1 of 2, B 0 of 2 then 2 of 2.
    The rates are 1/2 and 3/4; the scores are ``s_A = (0.5 + 0.5)/4 = 0.25``, ``s_B = −0.25``
    in the first month, ``−0.125`` and ``0.125`` in the second, so ``u = ∓0.375`` and the
    variance is ``2/1 × 2 × 0.375² = 0.5625``.

    >>> audits = pd.DataFrame({"month": ["m1"] * 4 + ["m2"] * 4,
    ...                        "moderator_id": list("AABB" * 2),
    ...                        "is_error": [1, 1, 0, 0, 1, 0, 1, 1]})
    >>> consecutive_changes(audits, period="month", cluster="moderator_id")
      period_from period_to  rate_from  rate_to  difference  variance  clusters
    0          m1        m2        0.5     0.75        0.25    0.5625         2
    """
    codes, periods = pd.factorize(audits[period], sort=True)
    if len(periods) < 2:
        return pd.DataFrame(columns=["period_from", "period_to", "rate_from", "rate_to",
                                     "difference", "variance", "clusters"])  # fmt: skip
    y = audits[outcome].to_numpy(dtype="float64")
    w = np.ones(len(y)) if weight is None else audits[weight].to_numpy(dtype="float64")
    k = len(periods)
    total = np.bincount(codes, w, minlength=k)
    rate = np.bincount(codes, w * y, minlength=k) / total
    score = w * (y - rate[codes]) / total[codes]
    if cluster is None:  # every audit its own cluster: no audit is in two periods
        squares = np.bincount(codes, score**2, minlength=k)
        present = np.bincount(codes, minlength=k).astype("float64")
        cross, both = np.zeros(k - 1), np.zeros(k - 1)
    else:
        units = pd.factorize(audits[cluster])[0]
        sums = (
            pd.DataFrame({"unit": units, "k": codes, "s": score})
            .groupby(["unit", "k"], sort=False)["s"].sum().reset_index()
        )  # fmt: skip
        squares = np.bincount(sums["k"], sums["s"] ** 2, minlength=k)
        present = np.bincount(sums["k"], minlength=k).astype("float64")
        following = sums.assign(k=sums["k"] - 1)
        pairs = sums.merge(following, on=["unit", "k"], suffixes=("", "_next"))
        cross = np.bincount(pairs["k"], pairs["s"] * pairs["s_next"], minlength=k)[: k - 1]
        both = np.bincount(pairs["k"], minlength=k)[: k - 1].astype("float64")
    clusters = present[:-1] + present[1:] - both
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(clusters > 1, clusters / (clusters - 1), np.nan)
    variance = factor * np.maximum(squares[:-1] + squares[1:] - 2 * cross, 0.0)  # rounding
    return pd.DataFrame({
        "period_from": periods[:-1], "period_to": periods[1:], "rate_from": rate[:-1],
        "rate_to": rate[1:], "difference": rate[1:] - rate[:-1], "variance": variance,
        "clusters": clusters.astype("int64"),
    })  # fmt: skip


@public
def dispersed_change_test(
    difference: float,
    variance: float,
    history,
    *,
    design_df: float = np.inf,
    alpha: float = CLAIM_ALPHA,
) -> dict[str, float | bool]:
    """Judge a change against its sampling variance widened by the spread of past changes.

    ``history`` holds earlier changes of the same process, each divided by its own standard
    error (:func:`consecutive_changes`). Under a stable process with only sampling error
    each is about N(0, 1); real moves of the rate make their mean square ``φ`` exceed 1.
    The change ``d`` is judged with ``T = d / sqrt(φ̂ · V)``, ``φ̂ = max(1, mean of the
    squared history)`` (never narrower than sampling error), on Student's t with
    ``ν = m² / (1.5 m − 0.5)`` degrees of freedom for ``m`` past changes: the variance of a
    mean of squared successive differences, which are correlated (−0.5) because neighbours
    share a period (von Neumann's mean square successive difference; the squared-scale form
    of Laney's p' moving ranges). With fewer than two past changes ``φ̂ = 1``.

    The design variance ``V`` is itself an estimate: from ``G`` clusters (moderators) it
    carries about ``g = G − 1`` degrees of freedom (``design_df``), few when few moderators
    audited the two months. ``φ̂ V`` is then a product of two independent variance
    estimates, ``a ~ χ²_ν/ν`` and ``b ~ χ²_g/g``; matching the variance of their product,
    ``(1 + 2/ν)(1 + 2/g) − 1``, to the ``2/df`` of one scaled chi-square (Satterthwaite)
    gives the reference's degrees of freedom ``df = ν g / (ν + g + 2)``, which is ``g``
    without history, ``ν`` with a design variance of many clusters, and normal when both
    are infinite. The interval is ``d ± t(df, 1 − α/2) · sqrt(φ̂ V)``, within the −1 to 1 a
    difference of rates can take: it excludes 0 exactly when ``p < alpha``. Without a
    variance to judge the change by (one cluster: ``variance`` is NaN or ``design_df`` is 0)
    the statistic, p-value and interval are NaN and the change is not significant.

    Parameters
    ----------
    difference, variance : float
        The change and its design-based variance.
    history : array-like
        Past standardised changes (non-finite values are dropped).
    design_df : float, default inf
        Degrees of freedom of ``variance``: the clusters it was estimated from, minus one.
    alpha : float, default :data:`~qainsights.report.findings.CLAIM_ALPHA`
        The level of the claim, and ``1 − alpha`` the level of the interval.

    Returns
    -------
    dict
        ``difference``, ``se`` (``sqrt(φ̂ V)``), ``dispersion`` (``φ̂``), ``df`` (inf for the
        normal reference), ``history`` (``m``), ``statistic``, ``p_value``, ``ci_low``,
        ``ci_high`` and ``significant`` (``p_value < alpha``).

    Examples
    --------
    Past changes 1, −2, 1 and 2 standard errors: ``φ̂ = (1 + 4 + 1 + 4) / 4 = 2.5`` and
    ``ν = 16 / 5.5``; a change of 0.02 with variance 0.00004 has ``se = sqrt(2.5 × 0.00004)
    = 0.01`` and ``T = 2``.

    >>> found = dispersed_change_test(0.02, 0.00004, [1, -2, 1, 2])
    >>> round(found["dispersion"], 6), round(found["se"], 6), round(found["statistic"], 6)
    (2.5, 0.01, 2.0)
    >>> round(found["df"], 4), found["significant"]
    (2.9091, False)

    The same change from the audits of three moderators (``g = 2``): ``df = ν·2 / (ν + 4)``.

    >>> round(dispersed_change_test(0.02, 0.00004, [1, -2, 1, 2], design_df=2)["df"], 4)
    0.8421
    """
    past = np.asarray(history, dtype="float64")
    past = past[np.isfinite(past)]
    m = len(past)
    dispersion = max(1.0, float(np.mean(past**2))) if m >= 2 else 1.0
    history_df = m**2 / (1.5 * m - 0.5) if m >= 2 else np.inf
    df = _product_df(history_df, float(design_df))
    se = float(np.sqrt(dispersion * variance))
    if not (np.isfinite(se) and df > 0):  # one cluster: no variance to judge the change by
        statistic = p_value = half = np.nan
    else:
        statistic = difference / se if se > 0 else (0.0 if difference == 0 else np.inf)
        reference = stats.norm if np.isinf(df) else stats.t(df)
        p_value = float(min(1.0, 2 * reference.sf(abs(statistic))))
        half = float(reference.isf(alpha / 2)) * se
    return {
        "difference": float(difference), "se": se, "dispersion": dispersion, "df": float(df),
        "history": m, "statistic": float(statistic), "p_value": p_value,
        "ci_low": max(difference - half, -1.0), "ci_high": min(difference + half, 1.0),
        "significant": bool(p_value < alpha),
    }  # fmt: skip


def _product_df(first: float, second: float) -> float:
    """Satterthwaite's df of a product of two independent variance estimates on these df."""
    if np.isinf(first) or np.isinf(second):
        return min(first, second)
    return first * second / (first + second + 2)


@public
def overall_change(
    audits: pd.DataFrame,
    *,
    month: str,
    previous: str,
    weight: str | None = None,
    cluster: str | None = None,
    alpha: float = CLAIM_ALPHA,
    history_months: int = HISTORY_MONTHS,
) -> dict[str, float | bool]:
    """The report's test of the change of the overall error rate from ``previous`` to ``month``.

    The change and its variance are :func:`consecutive_changes` of the two months (weights
    and moderator clusters as the report's design, :func:`~qainsights.report.design_of`);
    the history is every week-to-week change in the ``history_months`` months before
    ``month``, each standardised by its own design variance; :func:`dispersed_change_test`
    judges the change against both, on the degrees of freedom of both (the design variance's
    are the clusters of the two months minus one). Weeks are the right scale for the noise
    when it comes in shocks to weeks (as a queue's bad week): the dispersion ``φ`` of weekly
    changes is then that of monthly ones, measured on some fifty changes instead of eleven.

    Returns
    -------
    dict
        As :func:`dispersed_change_test`, with ``variance`` (the design variance) added.
    """
    months = audits["month"]
    both = audits[months.isin([previous, month])]
    change = consecutive_changes(both, period="month", weight=weight, cluster=cluster)
    first = str(pd.Period(month, freq="M") - history_months)
    earlier = audits[((months >= first) & (months < month)).to_numpy()]
    weekly = consecutive_changes(earlier, period="week", weight=weight, cluster=cluster)
    with np.errstate(divide="ignore", invalid="ignore"):
        standardised = weekly["difference"] / np.sqrt(weekly["variance"])
    row = change.iloc[-1]
    found = dispersed_change_test(
        row["difference"], row["variance"], standardised, design_df=row["clusters"] - 1,
        alpha=alpha,
    )  # fmt: skip
    return {**found, "variance": float(row["variance"])}


@public
def change_verdict(overall: pd.DataFrame, *, alpha: float = CLAIM_ALPHA) -> str:
    """The words of the overall change's verdict, the same wherever the report states it.

    Examples
    --------
    >>> change_verdict(pd.DataFrame({"p_value": [0.001]}))
    'beyond sampling error and week-to-week variation'
    >>> change_verdict(pd.DataFrame({"p_value": [0.2]}))
    'within noise'
    """
    p_value = float(overall["p_value"].iloc[0])
    return "beyond sampling error and week-to-week variation" if p_value < alpha else "within noise"


@public
def change_story(change) -> str:
    """What a change is mostly made of: named segments, the mix of one dimension, or neither.

    Segments named by the explanation come first (``"mostly higher error rates in the
    segments named"``); else a dimension whose mix effect is at least :data:`MIX_SHARE` of
    the change (``"mostly a change in the mix of queues"``); else the change is spread
    thinly.

    Examples
    --------
    >>> mix = pd.DataFrame({"dimension": ["site", "queue"], "mix_effect": [0.0, 0.008],
    ...                     "rate_effect": [0.013, 0.005], "mix_share": [0.0, 0.62]})
    >>> change = type("Change", (), {"explanation": pd.DataFrame(), "mix": mix,
    ...                              "overall": pd.DataFrame({"difference": [0.013]})})()
    >>> change_story(change)
    'mostly a change in the mix of queues (+0.8 of the +1.3 points)'
    """
    difference = float(change.overall["difference"].iloc[0])
    direction = "higher" if difference > 0 else "lower"
    if len(change.explanation):
        return f"mostly {direction} error rates in the segments named"
    mix = change.mix
    shares = mix["mix_share"].to_numpy(dtype="float64")
    if len(shares) and np.nanmax(shares, initial=-np.inf) >= MIX_SHARE:
        row = mix.iloc[int(np.nanargmax(shares))]
        plural = _PLURALS.get(row["dimension"], f"{row['dimension']} values")
        return (
            f"mostly a change in the mix of {plural} ({100 * row['mix_effect']:+.1f} of the "
            f"{100 * difference:+.1f} points)"
        )
    return "spread thinly: no segment and no mix accounts for it"


@public
def with_overall_test(
    change: ChangeExplanation,
    test: dict,
    *,
    months: pd.DataFrame | None = None,
    alpha: float = CLAIM_ALPHA,
) -> ChangeExplanation:
    """``change`` with its overall row and sentence set to the report's one test of it.

    The overall row keeps the rates and the difference and takes the test's interval
    (``ci_low``, ``ci_high``, at ``1 − alpha``), ``p_value``, ``se``, ``dispersion`` and
    ``df``; ``test`` names it. ``months``, the two months' error rates in the report's
    design (:func:`qainsights.rates.error_rate` by ``month``, as the headline's accuracy;
    months as ``'YYYY-MM'``), gives each month's interval (``ci_low_baseline`` ...
    ``ci_high_current``), which otherwise take the audits as independent. The sentence states the change, the verdict and, when the
    change is a claim, what it is mostly made of (:func:`change_story`), then the segments
    and the mix as :func:`~qainsights.trends.explain_change` words them.
    """
    overall = change.overall.copy()
    overall["ci_low"], overall["ci_high"] = test["ci_low"], test["ci_high"]
    overall["test"] = "t, dispersion of week-to-week changes" if test["history"] >= 2 else "z"
    overall["p_value"] = test["p_value"]
    overall["se"], overall["dispersion"], overall["df"] = test["se"], test["dispersion"], test["df"]
    if months is not None:
        bounds = months.sort_values("month")[["ci_low", "ci_high"]].to_numpy()
        for side, (low, high) in zip(("baseline", "current"), bounds, strict=True):
            overall[f"ci_low_{side}"], overall[f"ci_high_{side}"] = low, high
    difference = float(overall["difference"].iloc[0])
    row = overall.iloc[0]
    verdict = change_verdict(overall, alpha=alpha)
    head = (
        f"The error rate {'rose' if difference > 0 else 'fell'} from {row['rate_baseline']:.1%} "
        f"to {row['rate_current']:.1%} ({100 * difference:+.1f} points, "
        f"{100 * (1 - alpha):g}% CI {100 * row['ci_low']:+.1f} to {100 * row['ci_high']:+.1f}): "
        f"{verdict} (p = {row['p_value']:.2g}"
        + (f", against the spread of {test['history']} week-to-week changes" if test["history"]
           >= 2 else "") + ")"
    )  # fmt: skip
    updated = replace(change, overall=overall)
    if test["significant"]:
        head += f", {change_story(updated)}"
    body = _segments_and_mix(row, change.explanation, change.mix, change.segments, alpha=alpha)
    return replace(updated, sentence=f"{head}. {body}")
