"""Rates, intervals and sample sizes: the published values of tests/reference/rates.md.

Derived values (Cochran's stratified variance, the allocations, the precision of a plan) are
worked by hand in the note and the tests; statsmodels' values are computed at test time.
"""

NEWCOMBE_TABLE_I = {
    (81, 263): {"wilson": (0.2553, 0.3662), "clopper_pearson": (0.2527, 0.3676)},
    (15, 148): {"wilson": (0.0624, 0.1605), "clopper_pearson": (0.0578, 0.1617)},
    (0, 20): {"wilson": (0.0, 0.1611), "clopper_pearson": (0.0, 0.1684)},
    (1, 29): {"wilson": (0.0061, 0.1718), "clopper_pearson": (0.0009, 0.1776)},
    (29, 29): {"wilson": (0.8830, 1.0), "clopper_pearson": (0.8806, 1.0)},
}
"""Newcombe, R. G. (1998), Two-sided confidence intervals for the single proportion, *Statistics
in Medicine* 17, 857-872, Table I: 95 % limits by (k, n), four decimals; method 3 (score, Wilson,
no continuity correction) and method 5 ("exact", Clopper-Pearson)."""

KREJCIE_MORGAN_TABLE_1 = {100: 80, 1000: 278, 10_000: 370}
"""Krejcie, R. V. & Morgan, D. W. (1970), *Educational and Psychological Measurement* 30,
607-610, Table 1: sample size by population N (margin 0.05, P = 0.5, 95 %)."""


def modified_wilson(k, n, alpha=0.05):
    """Brown, Cai & DasGupta's (2001, section 4.1.1) modified Wilson interval, as DescTools'
    ``BinomCI(method = "modified wilson")`` (R, since 2017) computes it: statsmodels' Wilson
    bounds, with the lower bound ``qchisq(alpha, 2k) / (2n)`` for ``k`` in 1..k* and the upper
    bound ``1 - qchisq(alpha, 2(n - k)) / (2n)`` for ``n - k`` in 1..k*; ``k* = 2`` for
    ``n <= 50``, else 3. DescTools takes whole counts; real-valued (effective) counts in
    (0, k*] get the same bounds, the rule's continuous extension documented in proportion_ci."""
    import numpy as np
    from scipy.stats import chi2
    from statsmodels.stats.proportion import proportion_confint

    k, n = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(n, dtype=float))
    low, high = (np.asarray(b, dtype=float) for b in proportion_confint(k, n, alpha, "wilson"))
    cut = np.where(n <= 50, 2, 3)
    low = np.where((k > 0) & (k <= cut), chi2.ppf(alpha, 2 * np.where(k > 0, k, 1)) / (2 * n), low)
    rest = n - k
    high = np.where(
        (rest > 0) & (rest <= cut),
        1 - chi2.ppf(alpha, 2 * np.where(rest > 0, rest, 1)) / (2 * n),
        high,
    )
    return (float(low), float(high)) if low.ndim == 0 else (low, high)
