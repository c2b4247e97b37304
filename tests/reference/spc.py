"""Control charts: the printed reference values of tests/reference/spc.md, by case.

Tools, as in the note: R qcc 2.7 (CRAN) and 3.0 (GitHub luca-scr/qcc), qicharts2 0.8.1, R ``spc``
0.6.7, the ``shewhart`` Python package; D. C. Montgomery, *Introduction to Statistical Quality
Control* (5th edition unless stated). Case numbers follow the note (3.1 orange juice, 3.2 piston
rings, ...). The data sets are in ``reference.spc_data``.
"""

# --- 3.2 Piston rings, Xbar-R / Xbar-S (Montgomery Table 6.3; qcc ``pistonrings``), phase I 1-25 ---

PISTON_CENTER = 74.00118
"""Grand mean of phase I (samples 1-25): qcc 2.7 and 3.0 ``qcc(diameter[1:25, ], type = "xbar")``
(3.2 A)."""

PISTON_R_BAR = 0.02276
"""Mean range of phase I: qcc 2.7 ``qcc(..., type = "R")`` (3.2 A)."""

QCC_D2 = {2: 1.128, 3: 1.693, 4: 2.059, 5: 2.326}
"""qcc's three-decimal d2 table (``R/utilities.R`` in qcc 2.7 and 3.0), which its R-bar/d2 sigma
divides by (3.2 A, pitfall 1). qicharts2 hard-codes the same d2(2) = 1.128 for moving ranges."""

PISTON_SIGMA_WITHIN_QCC = 0.009785039
"""R-bar/d2 with qcc's d2(5) = 2.326: qcc 2.7 / 3.0 ``std.dev = "UWAVE-R"`` (3.2 A, C)."""

PISTON_SIGMA_WITHIN_EXACT_D2 = 0.009785338
"""R-bar/d2 with the exact d2(5) (R ``ptukey`` integral, 3.17), as in 3.2 A."""

PISTON_SIGMA = {
    "UWAVE-R": PISTON_SIGMA_WITHIN_QCC,
    "MVLUE-R": PISTON_SIGMA_WITHIN_QCC,
    "UWAVE-SD": 0.009829977,
    "MVLUE-SD": 0.009829977,
    "RMSDF": 0.009887547,
}
"""Sigma by qcc ``std.dev`` method on phase I: qcc 2.7 ``qcc(..., type = "xbar", std.dev = m)``
(3.2 C; UWAVE-SD = s-bar/c4, RMSDF = pooled SD / c4)."""

PISTON_XBAR_LIMITS = {
    "UWAVE-R": (73.98805, 74.01430),
    "MVLUE-R": (73.98805, 74.01430),
    "UWAVE-SD": (73.98799, 74.01436),
    "MVLUE-SD": (73.98799, 74.01436),
    "RMSDF": (73.98791, 74.01444),
}
"""x-bar chart (LCL, UCL) by qcc ``std.dev`` method, phase I: qcc 2.7 (3.2 A, C)."""

PISTON_S_CHART = {"center": 0.009240037, "lcl": 0.0, "ucl": 0.01930242}
"""S chart of phase I, sigma s-bar/c4: qcc 2.7 ``qcc(..., type = "S")`` (3.2 C)."""

PISTON_SIGMA_OVERALL = 0.01006997
"""Sample SD of the 125 phase-I values: qcc 3.0 ``processCapability`` (3.2 G)."""

PISTON_LATER_EDITION = {"r_bar": 0.02324, "sigma_within_qcc": 0.009991402}
"""Montgomery's later-edition Table 6.3 (qicharts2 ``tbl_06.03``; sample 21 has x1 = 73.982 and
x3 = 74.015): R-bar and R-bar/2.326 as qcc 2.7 prints them (3.2 E)."""

# --- 3.17 Control-chart constants ---------------------------------------------------------------

CHART_CONSTANT_COLUMNS = ("d2", "d3", "c4", "A2", "A3", "D3", "D4", "B3", "B4", "E2")
"""The columns of ``CHART_CONSTANTS``, as in the note's table 3.17 (E2 = 3/d2)."""

CHART_CONSTANTS = {
    # n: (d2, d3, c4, A2, A3, D3, D4, B3, B4, E2)
    2: (1.128379, 0.8525025, 0.7978846, 1.879971, 2.658681, 0, 3.266532, 0, 3.266532, 2.658681),
    3: (1.692569, 0.8883680, 0.8862269, 1.023327, 1.954410, 0, 2.574591, 0, 2.568170, 1.772454),
    4: (2.058751, 0.8798082, 0.9213177, 0.7285972, 1.628103, 0, 2.282052, 0, 2.266047, 1.457194),
    5: (2.325929, 0.8640819, 0.9399856, 0.5768193, 1.427299, 0, 2.114499, 0, 2.088998, 1.289807),
    6: (
        2.534413,
        0.8480397,
        0.9515329,
        0.4832460,
        1.287128,
        0,
        2.003830,
        0.03036321,
        1.969637,
        1.183706,
    ),
    7: (
        2.704357,
        0.8332053,
        0.9593688,
        0.4192840,
        1.181916,
        0.07570774,
        1.924292,
        0.1176850,
        1.882315,
        1.109321,
    ),
    8: (
        2.847201,
        0.8198315,
        0.9650305,
        0.3725274,
        1.099095,
        0.1361710,
        1.863829,
        0.1850896,
        1.814910,
        1.053667,
    ),
    9: (
        2.970026,
        0.8078343,
        0.9693107,
        0.3366974,
        1.031661,
        0.1840130,
        1.815987,
        0.2391328,
        1.760867,
        1.010092,
    ),
    10: (
        3.077505,
        0.7970507,
        0.9726593,
        0.3082637,
        0.9753501,
        0.2230227,
        1.776977,
        0.2837056,
        1.716294,
        0.9748155,
    ),
    15: (
        3.471827,
        0.7562114,
        0.9823162,
        0.2231092,
        0.7885411,
        0.3465589,
        1.653441,
        0.4281995,
        1.571800,
        0.8640984,
    ),
    20: (
        3.734950,
        0.7286863,
        0.9869343,
        0.1796063,
        0.6797012,
        0.4147020,
        1.585298,
        0.5102306,
        1.489769,
        0.8032236,
    ),
    25: (
        3.930629,
        0.7084408,
        0.9896404,
        0.1526473,
        0.6062808,
        0.4592920,
        1.540708,
        0.5647857,
        1.435214,
        0.7632366,
    ),
}
"""Control-chart constants by subgroup size n, in the order of ``CHART_CONSTANT_COLUMNS``: d2 and
d3 by numerical integration of the range distribution (R ``ptukey``), c4 from the gamma function,
the chart factors from them; printed to 7 significant digits (3.17)."""

MONTGOMERY_APPENDIX_VI = {
    (2, "d2"): 1.128,
    (5, "d2"): 2.326,
    (2, "d3"): 0.853,
    (5, "A2"): 0.577,
    (5, "D4"): 2.114,
    (2, "D4"): 3.267,
    (2, "E2"): 2.66,
}
"""Montgomery, Appendix Table VI, as printed (3 decimals; E2(2) printed as 2.66)."""


# --- 3.15 Synthetic Nelson and Western Electric series -------------------------------------------

SYNTHETIC_RULE_SERIES = {
    "R1": ([0, 0.5, -0.5, 3.2, 0, -3.1, 0], {4: 1, 6: 1}, {4: 1, 6: 1}),
    "R2": ([-0.2, *[0.4] * 9, -0.3], {10: 2}, {9: 4, 10: 4}),
    "R3": ([0, -1, -0.8, -0.6, -0.4, -0.2, 0, -0.5], {7: 3}, {}),
    "R4": ([0.3, -0.3] * 7 + [0.2], {14: 4, 15: 4}, {}),
    "R5": ([0, 2.2, 0.5, 2.4, 0], {4: 5}, {4: 2}),
    "R6": ([0, 1.2, 1.5, 0.2, 1.1, 1.3, 0], {6: 6}, {6: 3}),
    "R7": (([0.1, 0.2, -0.1, -0.2] * 4)[:15], {15: 7}, {}),
    "R8": ([1.5, -1.5, 1.6, -1.4, 1.2, -1.3, 1.1, -1.2], {8: 8}, {}),
}
"""Synthetic series on an I chart with known CL = 0 and sigma = 1: (values, Nelson result, Western
Electric result), each result {1-based index: lowest rule number firing there}; qcc 3.0
(``R/rules.R``), hand-checked (3.15)."""

# --- 3.16 Anhøj limits ------------------------------------------------------------------------------

ANHOJ_LIMITS = {
    10: (6, 2),
    11: (6, 2),
    12: (7, 3),
    13: (7, 3),
    14: (7, 4),
    15: (7, 4),
    16: (7, 4),
    17: (7, 5),
    18: (7, 5),
    19: (7, 6),
    20: (7, 6),
    21: (7, 6),
    22: (7, 7),
    23: (8, 7),
    24: (8, 8),
    25: (8, 8),
    26: (8, 8),
    27: (8, 9),
    28: (8, 9),
    29: (8, 10),
    30: (8, 10),
    40: (8, 14),
    50: (9, 19),
    60: (9, 23),
    80: (9, 32),
    100: (10, 41),
}
"""Anhøj runs limits by the number of useful observations n: (longest-run maximum = round(log2 n)
+ 3, minimum crossings = qbinom(0.05, n - 1, 0.5)), qicharts2 ``runs.analysis`` (3.16)."""


def chart_constant(name: str, n: int) -> float:
    """Return the constant ``name`` (a column of ``CHART_CONSTANTS``) for subgroup size ``n``."""
    return CHART_CONSTANTS[n][CHART_CONSTANT_COLUMNS.index(name)]


# --- 3.1 Orange-juice cans, p chart (Montgomery Ex. 7.1; qcc ``orangejuice``, ``orangejuice2``) ---

JUICE_PHASE_ONE = {"center": 0.2313333, "sigma": 0.05963526, "lcl": 0.05242755, "ucl": 0.4102391}
"""p chart of samples 1-30, 3 sigma, normal approximation; sigma is sqrt(p-bar (1 - p-bar)/50):
qcc 2.7 = qcc 3.0 = qicharts2 = shewhart (3.1 A)."""

JUICE_QCC27_STD_DEV = 0.421685
"""qcc 2.7's ``std.dev`` of the same chart, sqrt(p-bar (1 - p-bar)), the per-unit sigma (qcc#29)
(3.1 A)."""

JUICE_NP = {"center": 11.56667, "sigma": 2.981763, "lcl": 2.621377, "ucl": 20.51196}
"""np chart of samples 1-30: qcc 2.7 ``qcc(D, sizes = size, type = "np")`` (3.1 A)."""

JUICE_OVERDISPERSION = {"ratio": 2.945149, "statistic": 85.40932, "p_value": 1.8211e-07}
"""Over-dispersion test of samples 1-30, binomial: qcc 2.7 ``qcc.overdispersion.test``
(Obs.Var/Theor.Var, statistic, p-value) (3.1 A)."""

JUICE_LANEY = {"sigma_z": 1.660309, "ucl": 0.5283722, "lcl": 0.0, "ucl_qicharts2": 0.528472}
"""Laney p' of samples 1-30: shewhart (sigma_z and UCL, exact d2) and qicharts2 ``chart = "pp"``
(screened, d2 = 1.128) (3.1 A)."""

JUICE_REVISED = {"center": 0.215, "sigma": 0.05809905, "lcl": 0.04070284, "ucl": 0.3892972}
"""Revised limits with samples 15 and 23 excluded (28 points): qcc 2.7, and qicharts2
``exclude = c(15, 23)`` (3.1 B)."""

JUICE_2 = {"center": 0.1108333, "lcl": 0.0, "ucl": 0.2440207}
"""New limits after the adjustment, qcc ``orangejuice2`` (phase I = samples 31-54): qcc 2.7; the
raw LCL is negative and truncated (3.1 D)."""

JUICE_PART_2 = {"center": 0.1096875, "lcl": 0.0, "ucl": 0.24227}
"""Part 2 (samples 31-94) of qicharts2 ``exclude = c(15, 23), part = 30`` on all 94 samples
(3.1 D)."""

# --- 3.2 Piston rings, other charts --------------------------------------------------------------

PISTON_R_CHART_UCL = {"qcc": 0.04812533, "exact": 0.04812600}
"""R chart UCL of phase I: qcc 2.7 (its rounded d2 table) and D4 R-bar with exact constants
(3.2 A)."""

PISTON_PHASE_TWO_MEANS = (
    74.0086, 74.0022, 73.9922, 74.0036, 73.9974, 74.0072, 74.0056, 73.9978,
    74.0112, 74.0126, 74.0040, 74.0166, 74.0196, 74.0234, 74.0128,
)  # fmt: skip
"""x-bar of samples 26-40 (phase II): qcc 2.7 ``qcc(..., newdata = diameter[26:40, ])`` (3.2 B)."""

PISTON_VARIABLE_N = {
    "center": 74.0015,
    "sigma": 0.01020895,
    "xbar_limits": {5: (73.98780, 74.01519), 3: (73.98381, 74.01918)},
    "s_center": 0.009284683,
    "s_ucl": {5: 0.01987128, 3: 0.02365763},
}
"""Variable n (x4 and x5 of samples 3, 6 and 14 set to NA): qcc 2.7 x-bar chart (n-weighted
centre, mean R_i/d2(n_i) with qcc's d2 table, limits by n) and S chart (n-weighted s-bar, UCL by
n, LCL 0) (3.2 D)."""

PISTON_TABLE_6_4 = {"center": 74.00075, "pooled_s": 0.01029118}
"""Variable-n Xbar-S, Montgomery Table 6.4 (qicharts2 ``tbl_06.04``): n-weighted grand mean and
pooled (uncorrected) s, qicharts2 (3.2 F)."""

# --- 3.3 Printed-circuit boards, c chart (Montgomery Ex. 7.3; qcc ``circuit``) ------------------

BOARDS_PHASE_ONE = {"center": 19.84615, "lcl": 6.481447, "ucl": 33.21086}
"""c chart of samples 1-26: qcc 2.7 (3.3)."""

BOARDS_REVISED = {"center": 19.66667, "lcl": 6.362532, "ucl": 32.97080}
"""Revised c chart, samples 6 and 20 excluded: qcc 2.7; qicharts2 ``exclude = c(6, 20),
freeze = 26`` gives the same (3.3)."""

BOARDS_AS_U = {"center": 0.1966667, "lcl": 0.06362532, "ucl": 0.329708}
"""The revised chart as a u chart with n = 100: qcc 2.7 (3.3)."""

# --- 3.4 Personal-computer nonconformities, u chart (qcc ``pcmanufact``) ------------------------

PC_MANUFACTURE = {"center": 1.93, "lcl": 0.06613305, "ucl": 3.793867}
"""u chart of the 20 samples of n = 5: qcc 2.7 (3.4)."""

# --- 3.9 CUSUM and EWMA (Montgomery Table 9.1; qicharts2 ``tbl_09.01``) --------------------------

CUSUM_UPPER = (
    0, 0, 0, 1.16, 2.82, 2.5, 0.04, 1, 0, 0, 0, 0.97, 0.98, 0, 0,
    0, 0.12, 0, 0, 0.34, 0.74, 0, 1.79, 2.79, 2.89, 3.47, 3.35, 4.47, 5.28, 5.30,
)  # fmt: skip
"""Tabular CUSUM C+ in sigma units, k = 0.5, h = 5: qcc 2.7 ``cusum(x, center = 10, std.dev = 1,
decision.interval = 5, se.shift = 1)``; Montgomery Table 9.2 has C+_29 = 5.28 (3.9)."""

CUSUM_LOWER = (
    -0.05, -1.56, -1.77, 0, 0, 0, -1.46, 0, -0.3, 0, -0.47, 0, 0, -0.1, 0,
    -0.13, 0, 0, -0.98, 0, 0, -0.17, 0, 0, 0, 0, 0, 0, 0, 0,
)  # fmt: skip
"""Tabular CUSUM C- (reported negative) of the same qcc 2.7 call (3.9)."""

EWMA = (
    9.945, 9.7495, 9.70355, 9.899195, 10.12528, 10.13075, 9.921673, 10.07551, 9.987955,
    10.02316, 9.923844, 10.07846, 10.12161, 10.04945, 10.05251, 9.984256, 10.04783, 10.07405,
    9.918643, 10.01078, 10.0997, 10.02273, 10.24946, 10.37451, 10.39706, 10.46535, 10.45682,
    10.57314, 10.64682, 10.63414,
)  # fmt: skip
"""EWMA statistic z, lambda = 0.1: qcc 2.7 ``ewma(x, center = 10, std.dev = 1, lambda = 0.1,
nsigmas = 2.7)`` (3.9)."""

EWMA_UCL = (
    10.27, 10.36325, 10.424, 10.46746, 10.4999, 10.52471, 10.54398, 10.55909, 10.57105,
    10.58055, 10.58813, 10.5942, 10.59908, 10.603, 10.60615, 10.6087, 10.61075, 10.61241,
    10.61374, 10.61483, 10.6157, 10.61641, 10.61698, 10.61745, 10.61782, 10.61813, 10.61837,
    10.61857, 10.61873, 10.61887,
)  # fmt: skip
"""Exact time-varying EWMA UCL of the same qcc 2.7 call; LCL = 20 - UCL (3.9)."""

EWMA_ASYMPTOTIC_UCL = 10.6194
"""Asymptotic EWMA UCL, 10 + 2.7 sqrt(0.1 / 1.9) (3.9)."""

TABLE_9_1_I_CHART = {"center": 10.315, "lcl": 6.715404, "ucl": 13.9146}
"""Table 9.1 as an I chart: qicharts2 (screened moving ranges, d2 = 1.128) (3.9)."""

# --- 3.11 Rare-event g and t charts (qicharts2 ``cabg``) ----------------------------------------

CABG_G_UCL = 128.1749
"""g chart UCL, g-bar + 3 sqrt(g-bar (g-bar + 1)) with the mean g-bar: qicharts2 (3.11)."""

CABG_T_CHART = {"center": 11.20506, "lcl": 0.02212888, "ucl": 97.26802}
"""t chart: qicharts2 ``qic(dt, chart = "t")`` (screened moving ranges, d2 = 1.128) (3.11)."""
