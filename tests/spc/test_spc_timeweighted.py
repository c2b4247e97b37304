import numpy as np
import pandas as pd
import pytest
from reference import spc
from reference.spc_data import TABLE_9_1, frame

from qainsights.spc import CusumChart, cusum_chart, ewma_chart

# tests/reference/spc.md 3.9: Montgomery Table 9.1, target 10, sigma 1.
# qcc 2.7 cusum(x, center=10, std.dev=1, decision.interval=5, se.shift=1), sigma units:
UPPER = list(spc.CUSUM_UPPER)
LOWER = list(spc.CUSUM_LOWER)
# qcc 2.7 ewma(x, center=10, std.dev=1, lambda=0.1, nsigmas=2.7), exact limits:
EWMA = list(spc.EWMA)
EWMA_UCL = list(spc.EWMA_UCL)


@pytest.fixture
def table_9_1():
    return frame(TABLE_9_1)


def test_cusum_matches_qcc_and_montgomery(table_9_1):
    chart = cusum_chart(table_9_1, values="x", subgroup="sample", center=10, sigma=1)
    assert isinstance(chart, CusumChart)
    np.testing.assert_allclose(chart.table["upper"], UPPER, atol=0.006)
    np.testing.assert_allclose(chart.table["lower"], LOWER, atol=0.006)
    # Upper signals at 29 and 30 (Montgomery Table 9.2: C+_29 = 5.28); none below.
    assert chart.signals[["subgroup", "rule", "direction"]].to_numpy().tolist() == [
        [29, "cusum_upper", "up"],
        [30, "cusum_upper", "up"],
    ]
    # By hand: C+ last left 0 after sample 22 (C+_22 = 0), so the excursion starts at 23.
    assert chart.signals["start"].tolist() == [23, 23]
    assert chart.table["signal"].sum() == 2


def test_cusum_recursion_by_hand():
    # Derivation of the recursion with a head start: C0 = 2, k = 0.5, z = [1, -3, 0.5, 2].
    # C+: max(0, 2 + 1 - .5) = 2.5, max(0, 2.5 - 3 - .5) = 0, 0, 1.5;
    # C-: max(0, 2 - 1 - .5) = 0.5, 0.5 + 3 - .5 = 3.0, 3 - .5 - .5 = 2.0, 0. Only C-_2 > 2.9.
    chart = cusum_chart(values=[1, -3, 0.5, 2], center=0, sigma=1, head_start=2, h=2.9)
    assert chart.table["upper"].tolist() == pytest.approx([2.5, 0, 0, 1.5])
    assert chart.table["lower"].tolist() == pytest.approx([-0.5, -3.0, -2.0, 0])
    assert chart.signals[["subgroup", "rule", "start"]].to_numpy().tolist() == [
        [2, "cusum_lower", 1]
    ]


def test_cusum_restarts_at_stages():
    chart = cusum_chart(values=[3.0, 3.0, 3.0, 3.0], center=0, sigma=1, breaks=[3])
    assert chart.table["upper"].tolist() == pytest.approx([2.5, 5.0, 2.5, 5.0])


def test_ewma_matches_qcc(table_9_1):
    chart = ewma_chart(
        table_9_1, values="x", subgroup="sample", center=10, sigma=1, smoothing=0.1, nsigmas=2.7
    )
    np.testing.assert_allclose(chart.table["value"], EWMA, rtol=1e-6)
    np.testing.assert_allclose(chart.table["ucl"], EWMA_UCL, rtol=1e-6)
    np.testing.assert_allclose(chart.table["lcl"], 20 - np.array(EWMA_UCL), rtol=1e-6)
    assert chart.signals["subgroup"].tolist() == [29, 30]
    assert chart.table["observation"].tolist() == table_9_1["x"].tolist()
    # Asymptotic limit 10 + 2.7 sqrt(0.1 / 1.9) (3.9).
    steady = ewma_chart(
        table_9_1, values="x", center=10, sigma=1, smoothing=0.1, nsigmas=2.7, limits="asymptotic"
    )
    assert steady.table["ucl"].unique() == pytest.approx([spc.EWMA_ASYMPTOTIC_UCL], abs=5e-5)


def test_ewma_restarts_at_stages_like_separate_series(table_9_1):
    whole = ewma_chart(table_9_1, values="x", subgroup="sample", breaks=[16])
    first = ewma_chart(table_9_1.head(15), values="x", subgroup="sample")
    second = ewma_chart(table_9_1.tail(15), values="x", subgroup="sample")
    np.testing.assert_allclose(
        whole.table["value"], np.r_[first.table["value"], second.table["value"]]
    )
    np.testing.assert_allclose(whole.table["ucl"], np.r_[first.table["ucl"], second.table["ucl"]])


def test_estimated_standards(table_9_1):
    # Without known standards: mean of the data and MR-bar / d2(2) (derivation).
    x = table_9_1["x"].to_numpy()
    sigma = np.abs(np.diff(x)).mean() * np.sqrt(np.pi) / 2
    chart = cusum_chart(table_9_1, values="x")
    assert chart.table["center"][0] == pytest.approx(x.mean())
    assert chart.table["sigma"][0] == pytest.approx(sigma)
    assert chart.to_frame() is chart.table
    ax = chart.plot()
    assert [line.get_label() for line in ax.get_lines()][:2] == ["upper", "lower"]


def test_bad_inputs_and_no_mutation(table_9_1):
    before = table_9_1.copy()
    ewma_chart(table_9_1, values="x")
    cusum_chart(table_9_1, values="x")
    pd.testing.assert_frame_equal(table_9_1, before)
    with pytest.raises(
        ValueError,
        match=r"The 'smoothing' parameter of ewma_chart must be a "
        r"number in \(0, 1\]\. Got 1.5 instead\.",
    ):
        ewma_chart(values=[1.0, 2.0], smoothing=1.5)
    with pytest.raises(
        ValueError,
        match=r"The 'limits' parameter of ewma_chart must be one of "
        r"'exact', 'asymptotic'\. Got 'steady' instead\.",
    ):
        ewma_chart(values=[1.0, 2.0], limits="steady")
    with pytest.raises(
        ValueError,
        match=r"The 'h' parameter of cusum_chart must be a number "
        r"> 0\. Got -1 instead\.",
    ):
        cusum_chart(values=[1.0, 2.0], h=-1)
    with pytest.raises(
        ValueError,
        match=r"The 'head_start' parameter of cusum_chart must be a "
        r"number from 0 up to \(not including\) h = 5",
    ):
        cusum_chart(values=[1.0, 2.0], head_start=5)


def test_cusum_without_variation_warns():
    with pytest.warns(
        UserWarning,
        match=r"cusum_chart: no control limits for 1 stage\(s\) "
        r"\(1\) because fewer than two baseline points, or no variation",
    ):
        chart = cusum_chart(values=[2.0, 2.0, 2.0])
    assert chart.table["z"].isna().all()
    assert chart.signals.empty
