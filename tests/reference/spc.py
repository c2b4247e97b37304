"""Control charts: the printed reference values of tests/reference/spc.md, by case.

Tools, as in the note: R qcc 2.7 (CRAN) and 3.0 (GitHub luca-scr/qcc), qicharts2 0.8.1, R ``spc``
0.6.7, the ``shewhart`` Python package; D. C. Montgomery, *Introduction to Statistical Quality
Control* (5th edition unless stated). Case numbers follow the note (3.1 orange juice, 3.2 piston
rings, ...). The data sets are in tests/spc/spc_reference_data.py.
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


def chart_constant(name: str, n: int) -> float:
    """Return the constant ``name`` (a column of ``CHART_CONSTANTS``) for subgroup size ``n``."""
    return CHART_CONSTANTS[n][CHART_CONSTANT_COLUMNS.index(name)]
