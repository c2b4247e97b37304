"""Each auditor against the other auditors on the same moderators: a paired comparison."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from .._multiple import q_values
from .._validation import (
    check_columns,
    check_complete,
    check_confidence,
    check_frame,
    outcome_indicator,
)

__all__ = ["auditor_differences"]


def auditor_differences(
    audits: pd.DataFrame,
    *,
    auditor: str = "auditor_id",
    pair_by: str = "moderator_id",
    outcome: str = "is_error",
    ci: float = 0.95,
) -> pd.DataFrame:
    """How many more errors each auditor finds than the other auditors, in the same work.

    An auditor who finds more errors may be stricter, or may audit weaker moderators. To
    tell the two apart, each auditor is compared with the other auditors on the same units
    (moderators, by default): for every unit audited both by this auditor and by someone
    else, the difference between the unit's error rate in this auditor's audits and in the
    other auditors' audits. The mean of those differences over units estimates the
    auditor's effect at a fixed mix of moderators; its interval and test are the paired t
    on the units' differences (Student, 1908), with one degree of freedom fewer than the
    units. Each unit contributes one difference, so the units must be independent, but the
    audits within a unit need not be (a moderator's audits share the moderator): the
    analysis is at the level of the unit, as in cluster-level analyses of cluster trials
    (Donner & Klar, 2000, section 6.2). The p-values of all auditors are adjusted together
    for the false discovery rate (Benjamini & Hochberg, 1995).

    Units audited by this auditor only have no comparison and are left out (counted in
    ``unpaired``). The comparison assumes that the audits a unit gets from each auditor are
    alike (audits assigned to auditors at random, as in a QA queue); an auditor given a
    unit's harder items would look stricter.

    Parameters
    ----------
    audits : DataFrame
        One row per audit, with the ``auditor``, ``pair_by`` and ``outcome`` columns.
    auditor : str, default "auditor_id"
        Column naming who audited.
    pair_by : str, default "moderator_id"
        Column naming the units compared within (each unit is one pair).
    outcome : str, default "is_error"
        True/False (or 1/0) column: the auditor found an error.
    ci : float, default 0.95
        Confidence level of the interval on the difference.

    Returns
    -------
    DataFrame
        One row per auditor, largest difference first: the ``auditor`` column, ``pairs``
        (units audited by this auditor and by others), ``unpaired`` (units left out),
        ``n`` (this auditor's audits of the paired units), ``n_others`` (the other
        auditors' audits of them), ``rate`` and ``rate_others`` (the mean over pairs of the
        unit's error rate in this auditor's and in the others' audits), ``difference``
        (``rate - rate_others``), ``ci_low``, ``ci_high``, ``t``, ``df``, ``p_value``
        (two-sided) and ``q_value``. An auditor with fewer than two pairs, or whose
        differences are all equal, has no interval or test (NaN, with a warning).

    Raises
    ------
    ValueError
        A missing column, a missing value in one of the three columns, an outcome that is
        not True/False, or a bad ``ci``.

    See Also
    --------
    qainsights.agreement.rater_accuracy : Raters against an expert standard on the same items.

    References
    ----------
    .. [1] Student (1908). The probable error of a mean. Biometrika 6, 1-25.
    .. [2] Donner, A. & Klar, N. (2000). *Design and Analysis of Cluster Randomization
       Trials in Health Research*. Arnold, London.
    .. [3] Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate.
       JRSS B 57, 289-300.

    Examples
    --------
    Three moderators, each audited four times by auditor A and four times by auditor B;
    A finds one, one and two errors more than B in their four audits:

    >>> audits = pd.DataFrame({
    ...     "moderator_id": np.repeat(["m1", "m2", "m3"], 8),
    ...     "auditor_id": np.tile(np.repeat(["A", "B"], 4), 3),
    ...     "is_error": [1, 0, 0, 0, 0, 0, 0, 0,  1, 1, 0, 0, 1, 0, 0, 0,
    ...                  1, 1, 1, 0, 1, 0, 0, 0]})
    >>> found = auditor_differences(audits)
    >>> found[["auditor_id", "pairs", "rate", "rate_others", "difference", "ci_low"]].round(3)
      auditor_id  pairs   rate  rate_others  difference  ci_low
    0          A      3  0.500        0.167       0.333  -0.025
    1          B      3  0.167        0.500      -0.333  -0.692
    """
    func = "auditor_differences"
    check_frame(audits, func=func, name="audits")
    check_columns(audits, [auditor, pair_by, outcome], func=func, param="audits")
    check_complete(audits, [auditor, pair_by, outcome], func)
    level = check_confidence(ci, func=func)
    found = outcome_indicator(audits[outcome], outcome, func)[outcome].to_numpy()
    cells = (
        pd.DataFrame({"unit": audits[pair_by].to_numpy(), "who": audits[auditor].to_numpy()})
        .assign(errors=found)
        .groupby(["who", "unit"], observed=True, sort=True)["errors"]
        .agg(n="size", errors="sum")
        .reset_index()
    )
    unit_n = cells.groupby("unit")["n"].transform("sum")
    unit_errors = cells.groupby("unit")["errors"].transform("sum")
    cells = cells.assign(
        n_others=unit_n - cells["n"],
        rate=cells["errors"] / cells["n"],
        rate_others=(unit_errors - cells["errors"])
        / (unit_n - cells["n"]).where(unit_n > cells["n"]),
    )
    paired = cells["n_others"] > 0
    unpaired = (~paired).groupby(cells["who"]).sum()
    cells = cells[paired].assign(difference=lambda d: d["rate"] - d["rate_others"])
    table = cells.groupby("who").agg(
        pairs=("difference", "size"),
        n=("n", "sum"),
        n_others=("n_others", "sum"),
        rate=("rate", "mean"),
        rate_others=("rate_others", "mean"),
        difference=("difference", "mean"),
        sd=("difference", "std"),
    )
    table = table.reindex(unpaired.index)
    table.insert(1, "unpaired", unpaired)
    table["pairs"] = table["pairs"].fillna(0).astype(int)
    se = table.pop("sd") / np.sqrt(table["pairs"])
    df = (table["pairs"] - 1).astype(float)
    testable = (table["pairs"] >= 2) & (se > 0)
    if not testable.all():
        warnings.warn(
            f"{func}: no interval or test for {int((~testable).sum())} auditor(s) with fewer "
            "than two moderators in common with other auditors, or whose differences are all "
            f"equal ({', '.join(map(str, table.index[~testable][:5]))}).",
            UserWarning,
            stacklevel=2,
        )
    se = se.where(testable)
    half = stats.t.ppf(0.5 + level / 2, df.where(testable)) * se
    t = table["difference"] / se
    p = 2 * stats.t.sf(np.abs(t), df.where(testable))
    table = table.assign(
        ci_low=table["difference"] - half,
        ci_high=table["difference"] + half,
        t=t,
        df=df.where(testable),
        p_value=p,
        q_value=q_values(p),
    )
    return (
        table.rename_axis(auditor)
        .reset_index()
        .sort_values("difference", ascending=False, kind="stable", na_position="last")
        .reset_index(drop=True)
    )
