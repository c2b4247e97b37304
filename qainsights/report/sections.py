"""Building blocks of the Monthly Quality Report: accuracy against target, the headline, and
the sampling statement. Each is a plain function of the canonical audit table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .._caller import caller, public
from .._results import TidyResult
from .._validation import check_columns, check_frame, format_values
from ..capability import target_status
from ..rates import RATE_COLUMNS, enforcement_rates, error_rate

__all__ = [
    "Headline",
    "accuracy_table",
    "design_of",
    "enforcement_table",
    "headline",
    "latest_complete_month",
    "previous_month",
    "sampling_statement",
]


@public
def design_of(audits: pd.DataFrame) -> dict[str, str | None]:
    """Return the design arguments for rates: weights and strata when every audit has them,
    and the moderators as clusters when every audit names its moderator and there are at
    least two (the audits of one moderator hold no variation between moderators to measure).

    A moderator's decisions share the moderator, so they are not independent: with
    ``cluster="moderator_id"`` :func:`qainsights.rates.error_rate` takes the moderators as the
    sampling units (a 95 % interval that ignores them covered 91.9 % at a moderator ICC of
    0.05 in ``benchmarks/README.md``, 93.7-94.5 % with them).

    Examples
    --------
    >>> design_of(pd.DataFrame({"weight": [2.0, 3.0], "stratum": ["a", "b"]}))
    {'weight': 'weight', 'strata': 'stratum', 'cluster': None}
    >>> design_of(pd.DataFrame({"weight": [2.0, None], "stratum": ["a", "b"]}))
    {'weight': None, 'strata': None, 'cluster': None}
    >>> design_of(pd.DataFrame({"weight": [2.0, 3.0], "moderator_id": ["m1", "m2"]}))
    {'weight': 'weight', 'strata': None, 'cluster': 'moderator_id'}
    >>> design_of(pd.DataFrame({"moderator_id": ["m1", "m1"]}))["cluster"] is None
    True
    """
    weighted = "weight" in audits and audits["weight"].notna().all() and len(audits) > 0
    stratified = weighted and "stratum" in audits and audits["stratum"].notna().all()
    clustered = (
        "moderator_id" in audits
        and audits["moderator_id"].notna().all()
        and audits["moderator_id"].nunique() >= 2
    )
    return {
        "weight": "weight" if weighted else None,
        "strata": "stratum" if stratified else None,
        "cluster": "moderator_id" if clustered else None,
    }


@public
def latest_complete_month(audits: pd.DataFrame) -> str:
    """Return the last calendar month ('YYYY-MM') whose final day the data reaches.

    Examples
    --------
    >>> times = pd.to_datetime(["2026-09-03 10:00", "2026-10-31 18:00", "2026-11-01 09:00"])
    >>> latest_complete_month(pd.DataFrame({"decision_time": times}))
    '2026-10'
    """
    check_columns(audits, ["decision_time"], param="audits")
    last = audits["decision_time"].max()
    if pd.isna(last):
        raise ValueError(
            "latest_complete_month needs at least one decision_time; the table is empty."
        )
    complete = last.to_period("M") if last.is_month_end else last.to_period("M") - 1
    return str(complete)


@public
def previous_month(month: str) -> str:
    """Return the month before ``month`` ('YYYY-MM').

    Examples
    --------
    >>> previous_month("2026-01")
    '2025-12'
    """
    return str(pd.Period(month, freq="M") - 1)


@public
def accuracy_table(
    audits: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    target: float | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Accuracy (one minus the error rate) per segment, with its interval and target status.

    Uses the sampling weights and strata when every audit has them, and the moderators as
    clusters when every audit names one (see :func:`design_of`), so accuracy describes the
    decisions, not just the audited sample, and its interval allows for a moderator's audits
    being correlated.

    Parameters
    ----------
    audits : DataFrame
        The canonical audit table.
    by : str or list of str, optional
        Segment columns; one overall row when omitted.
    target : float, optional
        Accuracy target; adds ``target`` and ``status``: ``"meets target"`` when the whole
        interval is at or above it, ``"below target"`` when the whole interval is below it,
        else ``"not separable from target"``.
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n`` (audits), ``errors`` (audited errors), [with weights
        ``decisions`` and ``decisions_in_error``, the weighted counts whose ratio is one
        minus ``accuracy``,] ``accuracy``, ``ci_low``, ``ci_high`` [, ``target``,
        ``status``].

    References
    ----------
    The rates and intervals are :func:`qainsights.rates.error_rate`'s (modified Wilson: Brown,
    Cai & DasGupta, 2001; with weights or clusters, Korn & Graubard, 1998, on the effective
    sample size).

    Examples
    --------
    >>> audits = pd.DataFrame({"site": ["a"] * 50 + ["b"] * 50,
    ...                        "is_error": [False] * 49 + [True] + [False] * 40 + [True] * 10})
    >>> accuracy_table(audits, by="site", target=0.9).round(3)
      site   n  errors  accuracy  ci_low  ci_high  target                     status
    0    a  50       1      0.98   0.895    0.999     0.9  not separable from target
    1    b  50      10      0.80   0.670    0.888     0.9               below target
    """
    check_frame(audits, name="audits")
    design = design_of(audits)
    rates = error_rate(audits, by=by, ci=ci, **design)
    keys = [c for c in rates.columns if c not in _RATE_COLUMNS]
    table = rates[keys].assign(n=rates["n"], errors=rates["errors"])
    if design["weight"] is not None:  # the counts that reconcile with the weighted accuracy
        table = table.assign(
            decisions=rates["weighted_n"], decisions_in_error=rates["weighted_errors"]
        )
    table = table.assign(
        accuracy=1 - rates["rate"],
        ci_low=1 - rates["ci_high"],
        ci_high=1 - rates["ci_low"],
    )
    if target is not None:
        check_target(target)
        table = table.assign(
            target=target, status=target_status(table["ci_low"], table["ci_high"], target=target)
        )
    return table


_RATE_COLUMNS = frozenset(RATE_COLUMNS)


def check_target(target: float) -> None:
    """Raise unless ``target`` is a proportion strictly between 0 and 1."""
    func = caller()
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not 0 < target < 1:
        raise ValueError(
            f"The 'target' parameter of {func} must be a proportion strictly between 0 "
            f"and 1 (for example 0.95). Got {target!r} instead."
        )


@public
def enforcement_table(
    audits: pd.DataFrame, *, by: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """Error rate by direction: over-enforcement, under-enforcement and wrong policy.

    A thin wrapper of :func:`qainsights.rates.enforcement_rates` with the design of
    :func:`design_of`; columns: the ``by`` columns, ``error_type``, ``n``, ``errors``,
    ``rate``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> audits = pd.DataFrame({"error_type": ["none"] * 8 + ["over_enforcement", "wrong_policy"]})
    >>> enforcement_table(audits)[["error_type", "n", "errors", "rate"]]
              error_type   n  errors  rate
    0   over_enforcement  10       1   0.1
    1  under_enforcement  10       0   0.0
    2       wrong_policy  10       1   0.1
    """
    rates = enforcement_rates(audits, by=by, **design_of(audits))
    keep = [c for c in rates.columns if c not in _RATE_COLUMNS] + [
        "n",
        "errors",
        "rate",
        "ci_low",
        "ci_high",
    ]
    return rates[keep]


@dataclass(frozen=True, repr=False)
class Headline(TidyResult):
    """Accuracy of the report month against target and against the month before.

    Attributes
    ----------
    table : DataFrame
        Two rows (``month``: this month, last month) with ``n``, ``errors``, ``accuracy``,
        ``ci_low``, ``ci_high``, ``target``, ``status``.
    month, previous : str
        The months compared.
    """

    table: pd.DataFrame
    month: str
    previous: str
    _title = "Headline accuracy"

    def to_frame(self) -> pd.DataFrame:
        """The two-row table."""
        return self.table

    def summary(self) -> str:
        """The headline in plain language (:meth:`sentence`)."""
        return self.sentence()

    def sentence(self) -> str:
        """The headline in one sentence, with n and interval."""
        now = self.table.set_index("month").loc[self.month]
        text = (
            f"Accuracy in {self.month} was {now['accuracy']:.1%} "
            f"(95% CI {now['ci_low']:.1%} to {now['ci_high']:.1%}, n = {now['n']:,} audits) "
            f"against a target of {now['target']:.1%}: {now['status']}."
        )
        if self.previous in set(self.table["month"]):
            before = self.table.set_index("month").loc[self.previous]
            change = 100 * (now["accuracy"] - before["accuracy"])
            text += (
                f" In {self.previous} it was {before['accuracy']:.1%} "
                f"({change:+.1f} points this month)."
            )
        return text


@public
def headline(audits: pd.DataFrame, *, month: str, target: float) -> Headline:
    """Accuracy of ``month`` and the month before, against ``target``.

    Examples
    --------
    >>> audits = pd.DataFrame({
    ...     "month": ["2026-09"] * 100 + ["2026-10"] * 100,
    ...     "is_error": [True] * 5 + [False] * 95 + [True] * 12 + [False] * 88})
    >>> result = headline(audits, month="2026-10", target=0.9)
    >>> result.table[["month", "n", "accuracy", "status"]]
         month    n  accuracy                     status
    0  2026-10  100      0.88  not separable from target
    1  2026-09  100      0.95  not separable from target
    """
    check_columns(audits, ["month"], param="audits")
    before = previous_month(month)
    if not (audits["month"] == month).any():
        raise ValueError(
            f"The 'month' parameter of headline is {month!r}, which has no audits. Months present: "
            f"{format_values(sorted(audits['month'].unique()), 24)}."
        )
    chosen = audits[audits["month"].isin([month, before])]
    table = accuracy_table(chosen, by="month", target=target)
    table = table.sort_values("month", ascending=False, ignore_index=True)
    return Headline(table=table, month=month, previous=before)


@public
def sampling_statement(audits: pd.DataFrame, *, ci: float = 0.95) -> str:
    """Describe how the audits were sampled and how precise the overall rate is.

    The design effect and effective sample size are Kish's (1965), from the Taylor-linearised
    variance of :func:`qainsights.rates.error_rate` in the design of :func:`design_of` (the
    moderators as clusters when every audit names one).

    Examples
    --------
    >>> audits = pd.DataFrame({"is_error": [True, False, False, False] * 25,
    ...                        "weight": [10.0] * 100, "stratum": ["a", "b"] * 50})
    >>> print(sampling_statement(audits))
    These figures come from 100 audits in 2 sampling strata, weighted to the 1,000 decisions they represent (sampling weights from 10 to 10). The design effect of the overall error rate is 0.68, an effective sample size of 147 audits, so its 95% interval is 18.7% to 32.6%.

    Stratum "a" holds every error (half its audits), "b" none: stratification explains part of
    the variance, so the design effect is below 1 (by hand: var = (50/49)·50·0.005² = 0.001276
    against 0.25·0.75/100 = 0.001875).
    """
    design = design_of(audits)
    overall = error_rate(audits, ci=ci, **design).iloc[0]
    n = int(overall["n"])
    moderators = f" of {audits['moderator_id'].nunique():,} moderators" if design["cluster"] else ""
    if design["weight"] is None and not design["cluster"]:
        precision = (
            f"The {ci:.0%} interval of the overall error rate is {overall['ci_low']:.1%} to "
            f"{overall['ci_high']:.1%}"
        )
    else:
        precision = (
            f"The design effect of the overall error rate is {overall['deff']:.2f}, an "
            f"effective sample size of {overall['n_eff']:,.0f} audits, so its {ci:.0%} "
            f"interval is {overall['ci_low']:.1%} to {overall['ci_high']:.1%}"
        )
    if design["cluster"]:
        precision += ": audits of one moderator are correlated, so moderators are the sampled units"
    if design["weight"] is None:
        return (
            f"These figures come from {n:,} audits{moderators}, taken as a simple random sample "
            f"of the decisions (no sampling weights supplied). {precision}."
        )
    weights = audits["weight"]
    strata = audits["stratum"].nunique() if design["strata"] else 1
    return (
        f"These figures come from {n:,} audits{moderators} in {strata:,} sampling strata, "
        f"weighted to the {weights.sum():,.0f} decisions they represent (sampling weights from "
        f"{weights.min():,.0f} to {weights.max():,.0f}). {precision}."
    )
