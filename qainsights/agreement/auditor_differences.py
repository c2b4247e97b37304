"""Each auditor against the other auditors on the same moderators: a paired comparison."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from .._caller import caller, public, user_stacklevel
from .._multiple import q_values
from .._validation import (
    check_columns,
    check_complete,
    check_confidence,
    check_frame,
    outcome_indicator,
)

__all__ = ["auditor_differences"]


@public
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
    (moderators, by default): every unit audited both by this auditor and by someone else is
    a stratum with a 2 x 2 table (this auditor or the others, error or not). The difference
    is the Mantel-Haenszel risk difference over those strata (Greenland & Robins 1985): the
    units' differences ``p_a − p_o`` weighted by ``n_a n_o / N``, so a unit with one audit by
    this auditor counts less than one with twenty. The p-value is the Cochran-Mantel-Haenszel
    test of no difference (Mantel & Haenszel 1959, no continuity correction): its ``O − E``
    summed over units is ``W`` times the difference, and its variance ``Σ V`` the exact
    permutation variance of the units' tables. The interval (normal reference) uses the
    larger of Sato's (1989) variance, valid both for many sparse units (a moderator's work
    audited once or twice by each auditor) and for few large ones, and the test-based
    variance ``Σ V / W²`` (Miettinen 1976): Sato's alone counts an auditor's zero errors as
    zero variance, and the larger one keeps an interval that excludes 0 in step with a
    p-value below ``1 − ci``.
    Units are the level of analysis, so a moderator's audits need not be independent of
    each other. The p-values of all auditors are adjusted together for the false discovery
    rate (Benjamini & Hochberg, 1995). Measured on auditors given audits at random
    (benchmarks/README.md), this holds 5 % where a paired t on the units' differences gave
    8 % false positives (and 19 % of months with some auditor at q < 0.05) with 1-2 audits
    per moderator and auditor.

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
        auditors' audits of them), ``rate`` and ``rate_others`` (the units' error rates in
        this auditor's and in the others' audits, averaged with the Mantel-Haenszel weights
        ``n_a n_o / N``), ``difference`` (``rate - rate_others``, the Mantel-Haenszel risk
        difference), ``ci_low``, ``ci_high``, ``z`` (the Cochran-Mantel-Haenszel
        statistic), ``p_value`` (two-sided) and ``q_value``. An auditor with fewer than two
        pairs, or without an error in any of its units (no variance), has no interval or
        test (NaN, with a warning).

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
    .. [1] Greenland, S. & Robins, J. M. (1985). Estimation of a common effect parameter
       from sparse follow-up data. Biometrics 41, 55-68.
    .. [2] Sato, T. (1989). On the variance estimator for the Mantel-Haenszel risk
       difference. Biometrics 45, 1323-1324.
    .. [3] Mantel, N. & Haenszel, W. (1959). Statistical aspects of the analysis of data
       from retrospective studies of disease. JNCI 22, 719-748.
    .. [4] Miettinen, O. S. (1976). Estimability and estimation in case-referent studies.
       American Journal of Epidemiology 103, 226-235 (test-based intervals).
    .. [5] Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate.
       JRSS B 57, 289-300.

    Examples
    --------
    Three moderators, each audited four times by auditor A and four times by auditor B
    (equal weights); A finds one, one and two errors more than B in their four audits:

    >>> audits = pd.DataFrame({
    ...     "moderator_id": np.repeat(["m1", "m2", "m3"], 8),
    ...     "auditor_id": np.tile(np.repeat(["A", "B"], 4), 3),
    ...     "is_error": [1, 0, 0, 0, 0, 0, 0, 0,  1, 1, 0, 0, 1, 0, 0, 0,
    ...                  1, 1, 1, 0, 1, 0, 0, 0]})
    >>> found = auditor_differences(audits)
    >>> found[["auditor_id", "pairs", "rate", "rate_others", "difference", "p_value"]].round(3)
      auditor_id  pairs   rate  rate_others  difference  p_value
    0          A      3  0.500        0.167       0.333    0.086
    1          B      3  0.167        0.500      -0.333    0.086
    """
    func = caller()
    check_frame(audits, name="audits")
    check_columns(audits, [auditor, pair_by, outcome], param="audits")
    check_complete(audits, [auditor, pair_by, outcome])
    level = check_confidence(ci)
    found = outcome_indicator(audits[outcome], outcome)[outcome].to_numpy()
    cells = (
        pd.DataFrame({"unit": audits[pair_by].to_numpy(), "who": audits[auditor].to_numpy()})
        .assign(errors=found)
        .groupby(["who", "unit"], observed=True, sort=True)["errors"]
        .agg(n="size", errors="sum")
        .reset_index()
    )
    unit_n = cells.groupby("unit")["n"].transform("sum").to_numpy(float)
    unit_errors = cells.groupby("unit")["errors"].transform("sum").to_numpy(float)
    n_a, k_a = cells["n"].to_numpy(float), cells["errors"].to_numpy(float)
    n_o, k_o = unit_n - n_a, unit_errors - k_a
    paired = n_o > 0
    unpaired = pd.Series(~paired).groupby(cells["who"].to_numpy()).sum()
    n_a, k_a, n_o, k_o, total = n_a[paired], k_a[paired], n_o[paired], k_o[paired], unit_n[paired]
    weight = n_a * n_o / total
    terms = pd.DataFrame({
        "pairs": 1.0, "n": n_a, "n_others": n_o, "w": weight,
        "wa": weight * k_a / n_a, "wo": weight * k_o / n_o,
        # Sato's P and Q, and the Cochran-Mantel-Haenszel O - E and V, of each unit
        "sato_p": (n_a**2 * k_o - n_o**2 * k_a + n_a * n_o * (n_o - n_a) / 2) / total**2,
        "sato_q": (k_a * (n_o - k_o) + k_o * (n_a - k_a)) / (2 * total),
        "excess": k_a - n_a * (k_a + k_o) / total,
        "v": n_a * n_o * (k_a + k_o) * (total - k_a - k_o) / (total**2 * (total - 1)),
    })  # fmt: skip
    table = terms.groupby(cells["who"].to_numpy()[paired]).sum().reindex(unpaired.index)
    rate, others = table["wa"] / table["w"], table["wo"] / table["w"]
    difference = rate - others
    sato = (difference * table["sato_p"] + table["sato_q"]) / table["w"] ** 2
    variance = np.fmax(sato, table["v"] / table["w"] ** 2)  # the wider: Sato or test-based
    pairs = table["pairs"].fillna(0).astype(int)
    testable = (pairs >= 2) & (variance > 0) & (table["v"] > 0)
    if not testable.all():
        warnings.warn(
            f"{func}: no interval or test for {int((~testable).sum())} auditor(s) with fewer "
            "than two moderators in common with other auditors, or without an error in their "
            f"work ({', '.join(map(str, table.index[~testable][:5]))}).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    half = stats.norm.ppf(0.5 + level / 2) * np.sqrt(variance.where(testable))
    z = (table["excess"] / np.sqrt(table["v"])).where(testable)
    p = 2 * stats.norm.sf(np.abs(z))
    table = pd.DataFrame(
        {
            "pairs": pairs,
            "unpaired": unpaired.astype(int),
            "n": table["n"].fillna(0).astype(int),
            "n_others": table["n_others"].fillna(0).astype(int),
            "rate": rate,
            "rate_others": others,
            "difference": difference,
            "ci_low": difference - half,
            "ci_high": difference + half,
            "z": z,
            "p_value": p,
            "q_value": q_values(p),
        }
    )
    return (
        table.rename_axis(auditor)
        .reset_index()
        .sort_values("difference", ascending=False, kind="stable", na_position="last")
        .reset_index(drop=True)
    )
