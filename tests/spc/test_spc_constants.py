import numpy as np
import pytest
from scipy import integrate, stats

from qainsights.spc.constants import c4, chart_constants, d2, d3

# tests/reference/spc.md section 3.17: constants computed by integrating the range distribution
# (R `ptukey`) and c4 from the gamma function, printed to 7 significant digits.
TABLE_3_17 = {
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
SIZES = np.array(list(TABLE_3_17))
EXPECTED = np.array(list(TABLE_3_17.values()))
COLUMNS = ["d2", "d3", "c4", "A2", "A3", "D3", "D4", "B3", "B4", "E2"]


def test_d2_d3_c4_match_table_3_17():
    np.testing.assert_allclose(d2(SIZES), EXPECTED[:, 0], rtol=5e-7)
    np.testing.assert_allclose(d3(SIZES), EXPECTED[:, 1], rtol=5e-7)
    np.testing.assert_allclose(c4(SIZES), EXPECTED[:, 2], rtol=5e-7)


def test_chart_factors_match_table_3_17():
    table = chart_constants(SIZES)
    assert list(table.columns) == ["n", *COLUMNS]
    np.testing.assert_array_equal(table["n"], SIZES)
    np.testing.assert_allclose(table[COLUMNS].to_numpy(), EXPECTED, rtol=5e-7, atol=1e-12)


def test_rounded_textbook_values():
    # Montgomery, Appendix Table VI (3 decimals): d2(2) = 1.128, d2(5) = 2.326, d3(2) = 0.853,
    # A2(5) = 0.577, D4(5) = 2.114, D4(2) = 3.267, E2(2) = 2.660 (printed as 2.66).
    table = chart_constants([2, 5]).set_index("n")
    assert round(table.loc[2, "d2"], 3) == 1.128
    assert round(table.loc[5, "d2"], 3) == 2.326
    assert round(table.loc[2, "d3"], 3) == 0.853
    assert round(table.loc[5, "A2"], 3) == 0.577
    assert round(table.loc[5, "D4"], 3) == 2.114
    assert round(table.loc[2, "D4"], 3) == 3.267
    assert round(table.loc[2, "E2"], 2) == 2.66


@pytest.mark.parametrize("n", [2, 3, 7, 12, 40, 150])
def test_d2_d3_against_scipy_range_distribution(n):
    # Second source: scipy's studentized range with infinite df is the distribution of the range
    # of n standard normals; E[R] and E[R^2] by adaptive quadrature of its survival function.
    mean = integrate.quad(lambda r: stats.studentized_range.sf(r, n, np.inf), 0, np.inf)[0]
    second = integrate.quad(lambda r: 2 * r * stats.studentized_range.sf(r, n, np.inf), 0, np.inf)
    assert d2(n) == pytest.approx(mean, rel=1e-8)
    assert d3(n) == pytest.approx(np.sqrt(second[0] - mean**2), rel=1e-7)


def test_closed_forms_for_two_values():
    # |X1 - X2| with X1 - X2 ~ N(0, 2): E = 2 / sqrt(pi), Var = 2 - 4 / pi; c4(2) = sqrt(2 / pi).
    assert d2(2) == pytest.approx(2 / np.sqrt(np.pi), rel=1e-12)
    assert d3(2) == pytest.approx(np.sqrt(2 - 4 / np.pi), rel=1e-10)
    assert c4(2) == pytest.approx(np.sqrt(2 / np.pi), rel=1e-14)


def test_c4_large_n_is_stable_and_tends_to_one():
    # c4(n) ~ 1 - 1/(4n) - 7/(32 n^2) - 19/(128 n^3) (asymptotic expansion); the plain gamma
    # ratio would overflow here.
    n = np.array([500, 10_000, 1_000_000])
    expansion = 1 - 1 / (4 * n) - 7 / (32 * n**2) - 19 / (128 * n**3)
    np.testing.assert_allclose(c4(n), expansion, rtol=1e-9)


def test_shapes_and_scalars():
    assert isinstance(d2(5), float)
    assert isinstance(c4(5), float)
    assert d2([[2, 3], [4, 5]]).shape == (2, 2)
    assert d2(np.array([5, 2, 5]))[0] == d2(np.array([5, 2, 5]))[2]


@pytest.mark.parametrize("func", [d2, d3, c4, chart_constants])
@pytest.mark.parametrize("bad", [1, 0, 2.5, np.nan, [2, 1]])
def test_bad_sizes(func, bad):
    match = (
        rf"The 'n' parameter of {func.__name__} must be subgroup sizes that are whole numbers "
        r"of at least 2\. Got 1 bad value\(s\): .*individuals \(I-MR\) chart"
    )
    with pytest.raises(ValueError, match=match):
        func(bad)


def test_input_not_mutated():
    sizes = np.array([5, 3, 5])
    d2(sizes)
    chart_constants(sizes)
    np.testing.assert_array_equal(sizes, [5, 3, 5])
