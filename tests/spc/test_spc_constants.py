import numpy as np
import pytest
from reference import spc
from scipy import integrate, stats

from qainsights.spc.constants import c4, chart_constants, d2, d3

# tests/reference/spc.md section 3.17: constants computed by integrating the range distribution
# (R `ptukey`) and c4 from the gamma function, printed to 7 significant digits.
SIZES = np.array(list(spc.CHART_CONSTANTS))
EXPECTED = np.array(list(spc.CHART_CONSTANTS.values()), dtype=float)
COLUMNS = list(spc.CHART_CONSTANT_COLUMNS)


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
    # Montgomery, Appendix Table VI (3 decimals; E2 printed to 2).
    table = chart_constants([2, 5]).set_index("n")
    for (n, name), printed in spc.MONTGOMERY_APPENDIX_VI.items():
        digits = 2 if name == "E2" else 3
        assert round(table.loc[n, name], digits) == printed


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
