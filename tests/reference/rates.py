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
