"""Experiments: the published values of tests/reference/experiments.md.

Values computed at test time by statsmodels or scipy, and derivations worked in the tests, are
not here.
"""

NEWCOMBE_TABLE_II = {
    (56, 70, 48, 80): (0.0524, 0.3339),
    (9, 10, 3, 10): (0.1705, 0.8090),
    (6, 7, 2, 7): (0.0582, 0.8062),
    (5, 56, 0, 29): (-0.0381, 0.1926),
    (0, 10, 0, 20): (-0.1611, 0.2775),
    (0, 10, 0, 10): (-0.2775, 0.2775),
    (10, 10, 0, 20): (0.6791, 1.0),
    (10, 10, 0, 10): (0.6075, 1.0),
}
"""Newcombe, R. G. (1998), Interval estimation for the difference between independent
proportions, *Statistics in Medicine* 17, 873-890, Table II, method 10 (hybrid score interval,
no continuity correction), 95 %, four decimals, by (k1, n1, k0, n0), examples (a)-(h)."""

R_POWER_PROP_TEST = {
    "n": ({"p1": 0.50, "p2": 0.75, "power": 0.90}, 76.7),
    "power": ({"n": 50, "p1": 0.50, "p2": 0.75}, 0.740),
    "p2": ({"n": 50, "p1": 0.50, "power": 0.90}, 0.8026),
}
"""R ``stats::power.prop.test`` documented examples (``?power.prop.test``): the arguments and the
printed result (n per group, power, p2)."""

COHEN_TABLE_6_4_1 = {0.2: 392, 0.5: 63, 0.8: 25}
"""Cohen (1988), *Statistical Power Analysis for the Behavioral Sciences*, Table 6.4.1: n per
sample by effect size h, two-sided alpha = .05, power = .80 (rounded to nearest)."""
