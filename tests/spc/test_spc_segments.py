import numpy as np
import pandas as pd
import pytest
from matplotlib.ticker import PercentFormatter
from reference.spc_data import ORANGE_JUICE, frame
from scipy.stats import betabinom, norm

from qainsights import spc
from qainsights.spc import ControlChartSet, control_charts, i_mr_chart, p_chart


@pytest.fixture
def weekly():
    """Three sites x 40 weeks of error counts; site C drifts upward in the last weeks."""
    rng = np.random.default_rng(11)
    sites = np.repeat(["A", "B", "C"], 40)
    week = np.tile(np.arange(1, 41), 3)
    n = rng.integers(800, 1200, size=120)
    rate = np.where((sites == "C") & (week > 34), 0.08, 0.05) * rng.gamma(50, 1 / 50, size=120)
    return pd.DataFrame({"site": sites, "week": week, "errors": rng.binomial(n, rate), "n": n})


@pytest.mark.parametrize("chart", ["p", "laney_p", "u", "laney_u", "np", "c"])
def test_each_segment_equals_its_own_chart(weekly, chart):
    charts = control_charts(
        weekly, by="site", chart=chart, subgroup="week", defects="errors", n="n"
    )
    kind = chart.removeprefix("laney_")
    for site, rows in weekly.groupby("site"):
        single_func = getattr(spc, f"{kind}_chart")
        kwargs = {"defects": "errors", "subgroup": "week"}  # both with their default rules
        if kind != "c":
            kwargs["n"] = "n"
        if chart.startswith("laney_"):
            kwargs["laney"] = True
        single = single_func(rows, **kwargs)
        segment = charts.table[charts.table["site"] == site].drop(columns="site")
        pd.testing.assert_frame_equal(segment.reset_index(drop=True), single.table)
        signals = charts.signals[charts.signals["site"] == site].drop(columns="site")
        pd.testing.assert_frame_equal(signals.reset_index(drop=True), single.signals)


def test_exact_limits_by_segment(weekly):
    small = weekly.assign(n=weekly["n"] // 40, errors=weekly["errors"] // 40)
    charts = control_charts(
        small, by="site", chart="p", subgroup="week", defects="errors", n="n", limits="exact"
    )
    single = p_chart(
        small[small["site"] == "A"],
        defects="errors",
        n="n",
        subgroup="week",
        limits="exact",
    )
    segment = charts.table[charts.table["site"] == "A"].drop(columns="site")
    pd.testing.assert_frame_equal(segment.reset_index(drop=True), single.table)
    with pytest.raises(ValueError, match=r"control_charts: limits='exact' applies to the p, np"):
        control_charts(weekly, by="site", chart="i", subgroup="week", values="n", limits="exact")


def test_individuals_by_segment(weekly):
    rates = weekly.assign(rate=weekly["errors"] / weekly["n"])
    charts = control_charts(
        rates, by=["site"], chart="i", subgroup="week", values="rate", rules="western_electric"
    )
    single = i_mr_chart(rates[rates["site"] == "B"], values="rate", subgroup="week")
    segment = charts.table[charts.table["site"] == "B"].drop(columns="site")
    pd.testing.assert_frame_equal(segment.reset_index(drop=True), single.location.table)


def test_audit_rows_are_counted_by_week():
    # Derivation: 3 audits in ISO week of 2024-01-01 (1 error), 2 in the next week (2 errors).
    audits = pd.DataFrame(
        {
            "queue": ["q1"] * 5 + ["q2"] * 4,
            "decision_time": pd.to_datetime(
                [
                    "2024-01-01",
                    "2024-01-03",
                    "2024-01-07",
                    "2024-01-08",
                    "2024-01-10",
                    "2024-01-01",
                    "2024-01-02",
                    "2024-01-09",
                    "2024-01-12",
                ]
            ),
            "is_error": [True, False, False, True, True, False, False, True, False],
        }
    )
    charts = control_charts(
        audits,
        by="queue",
        chart="p",
        subgroup="decision_time",
        freq="W",
        outcome="is_error",
        rules=None,
    )
    table = charts.table
    assert table["subgroup"].tolist() == list(pd.to_datetime(["2024-01-01", "2024-01-08"] * 2))
    assert table["n"].tolist() == [3, 2, 2, 2]
    assert table["value"].tolist() == pytest.approx([1 / 3, 1.0, 0.0, 0.5])
    assert table.loc[0, "center"] == pytest.approx(3 / 5)
    assert audits["decision_time"].dtype.kind == "M"


def test_summary_and_status():
    # Site A's last week (30 of 100) is far above p-bar = 56/600 (limit 0.18); B is stable.
    data = pd.DataFrame(
        {
            "site": ["A"] * 6 + ["B"] * 6,
            "week": list(range(1, 7)) * 2,
            "errors": [5, 6, 4, 5, 6, 30, 8, 7, 9, 8, 7, 8],
            "audits": [100] * 12,
        }
    )
    charts = control_charts(
        data, by="site", chart="p", subgroup="week", defects="errors", n="audits", rules="limits"
    )
    summary = charts.segments.set_index("site")
    assert summary.loc["A", "center"] == pytest.approx(56 / 600)
    assert summary.loc["A", "ucl"] == pytest.approx(
        56 / 600 + 3 * np.sqrt(56 / 600 * (544 / 600) / 100)
    )
    assert summary.loc["A", "status"] == "out of control"
    assert summary.loc["A", "latest_rules"] == "we1"
    assert summary.loc["B", "status"] == "in control"
    assert summary["n_subgroups"].tolist() == [6, 6]
    assert summary["n_signals"].tolist() == [1, 0]
    # Latest-point p-values of the p chart: the latest count against the Jeffreys predictive
    # BetaBinomial(n, X + 1/2, N - X + 1/2) of the five earlier weeks (A: X = 26, B: X = 39,
    # N = 500), two-sided as twice the smaller tail; then Benjamini-Hochberg q-values by hand:
    # with m = 2, q_(2) = p_(2) and q_(1) = min(2 p_(1), q_(2)).
    a = 2 * betabinom.sf(29, 100, 26.5, 474.5)
    b = min(1.0, 2 * min(betabinom.sf(7, 100, 39.5, 461.5), betabinom.cdf(8, 100, 39.5, 461.5)))
    p = np.array([a, b])
    assert summary["p_value"].tolist() == pytest.approx(p.tolist(), rel=1e-9)
    low, high = sorted(p)
    assert sorted(summary["q_value"]) == pytest.approx([min(2 * low, high), high])
    assert isinstance(charts, ControlChartSet)
    assert charts.to_frame() is charts.segments
    assert "<h4>" in charts._repr_html_()
    # Site B: p-bar = 32/600, sigma = 0.02247; weeks 5 and 6 (0.12) lie beyond 2 sigma (0.098)
    # but inside the UCL (0.1207): WE rule 2 without a point beyond the limits gives "shift".
    shifted = data.assign(errors=[5, 6, 4, 5, 6, 7, 2, 2, 2, 2, 12, 12])
    shifted = control_charts(
        shifted,
        by="site",
        chart="p",
        subgroup="week",
        defects="errors",
        n="audits",
        rules=["we1", "we2"],
    )
    assert shifted.segments.set_index("site").loc["B", "status"] == "shift"


def test_expected_false_alarms_matches_normal_rate():
    # With only the beyond-limits rule, each point alarms with probability 2 Phi(-3) = 0.0027:
    # 200 segments x 100 weeks -> about 54 false alarms.
    rng = np.random.default_rng(5)
    data = pd.DataFrame(
        {
            "segment": np.repeat(np.arange(200), 100),
            "week": np.tile(np.arange(100), 200),
            "errors": rng.poisson(50, size=20_000),
        }
    )
    charts = control_charts(
        data, by="segment", chart="c", subgroup="week", defects="errors", rules="limits"
    )
    expected = 20_000 * 2 * norm.cdf(-3)
    assert charts.expected_false_alarms == pytest.approx(expected, rel=0.2)
    nelson = control_charts(
        data, by="segment", chart="c", subgroup="week", defects="errors", rules="nelson"
    )
    assert nelson.expected_false_alarms > charts.expected_false_alarms


def test_reordering_rows_changes_nothing(weekly):
    first = control_charts(weekly, by="site", subgroup="week", defects="errors", n="n")
    second = control_charts(
        weekly.sample(frac=1, random_state=2), by="site", subgroup="week", defects="errors", n="n"
    )
    pd.testing.assert_frame_equal(first.table, second.table)
    pd.testing.assert_frame_equal(first.segments, second.segments)


def test_input_not_mutated(weekly):
    before = weekly.copy()
    control_charts(weekly, by="site", subgroup="week", defects="errors", n="n", freq=None)
    pd.testing.assert_frame_equal(weekly, before)


def test_a_zero_one_outcome_counts_like_a_boolean(weekly):
    rows = weekly.loc[weekly.index.repeat(20)]
    rows = rows.assign(flag=(np.random.default_rng(4).random(len(rows)) < 0.3).astype(int))
    as_int = control_charts(rows, by="site", subgroup="week", outcome="flag")
    as_bool = control_charts(
        rows.assign(flag=rows["flag"] == 1), by="site", subgroup="week", outcome="flag"
    )
    pd.testing.assert_frame_equal(as_int.table, as_bool.table)


def test_bad_inputs(weekly):
    with pytest.raises(
        ValueError,
        match=r"The 'chart' parameter of control_charts must be one of "
        r"'p', 'laney_p', 'np', 'c', 'u', 'laney_u', 'i'\. Got 'xbar' instead\.",
    ):
        control_charts(weekly, by="site", chart="xbar", subgroup="week")
    with pytest.raises(ValueError, match=r"control_charts needs column 'market' in 'data'"):
        control_charts(weekly, by="market", subgroup="week", defects="errors", n="n")
    with pytest.raises(
        ValueError, match=r"The outcome column 'errors' of control_charts must hold True/False"
    ):
        control_charts(weekly, by="site", subgroup="week", outcome="errors")
    with pytest.raises(
        ValueError,
        match=r"control_charts found 2 rows sharing a subgroup key "
        r"within a segment: 1\.",
    ):
        control_charts(
            pd.concat([weekly.head(1)] * 2), by="site", subgroup="week", defects="errors", n="n"
        )


def test_plot_draws_flagged_segments(weekly):
    charts = control_charts(
        weekly, by="site", chart="p", subgroup="week", defects="errors", n="n", rules="limits"
    )
    flagged = charts.segments[charts.segments["status"] != "in control"]
    figure = charts.plot()
    visible = [axis for axis in figure.axes if axis.get_visible()]
    assert len(flagged) > 0
    assert len(visible) == len(flagged)
    assert type(figure.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"
    for axis, site in zip(visible, flagged["site"], strict=True):
        assert axis.get_title() == site


def test_single_chart_plot_draws_table():
    juice = frame(ORANGE_JUICE)
    chart = p_chart(juice, defects="D", n="size", subgroup="sample", breaks=[31], exclude=[15, 23])
    ax = chart.plot()
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_allclose(lines["value"].get_ydata(), chart.table["value"])
    np.testing.assert_allclose(
        lines["signal"].get_ydata(), chart.table.loc[chart.table["signal"], "value"]
    )
    assert isinstance(ax.yaxis.get_major_formatter(), PercentFormatter)
    breaks = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert [line.get_xdata()[0] for line in breaks] == [31]
    pair = i_mr_chart(values=[1.0, 2.0, 1.5, 3.0])
    axes = pair.plot().axes
    assert len(axes) == 2
    assert axes[1].get_title() == "mr chart"
    # Stacked and small-multiple charts use constrained layout, so that the upper chart's axis
    # label does not overlap the title of the chart below it.
    assert type(axes[0].figure.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"


def test_plot_with_dates_and_html():
    weeks = pd.date_range("2024-01-01", periods=8, freq="W-MON")
    data = pd.DataFrame({"week": weeks, "errors": [3, 4, 2, 5, 3, 4, 12, 3], "n": [100] * 8})
    chart = p_chart(data, defects="errors", n="n", subgroup="week")
    ax = chart.plot()
    values = next(line for line in ax.get_lines() if line.get_label() == "value")
    assert pd.to_datetime(values.get_xdata()).equals(pd.DatetimeIndex(weeks))
    # Dates get matplotlib's concise formatter (a year label once, then months), so that the
    # 4-inch small-multiple panels of control_charts do not overlap their tick labels.
    assert type(ax.xaxis.get_major_formatter()).__name__ == "ConciseDateFormatter"
    assert type(
        p_chart(defects=[1, 2], n=[10, 10]).plot().xaxis.get_major_formatter()
    ).__name__ != ("ConciseDateFormatter")
    html = chart._repr_html_()
    assert html.startswith("<h4>Control chart</h4>")
    assert "<table" in html
    pair = i_mr_chart(values=[1.0, 2.0, 1.5, 3.0])
    assert pair._repr_html_().startswith("<h4>Control charts</h4>")
    assert pair.to_frame()["chart"].unique().tolist() == ["i", "mr"]


def test_segment_without_limits_is_reported():
    # Segment "a" has no errors at all (p-bar = 0): no limits, a warning, status "no limits".
    data = pd.DataFrame(
        {
            "site": ["a", "a", "b", "b"],
            "week": [1, 2, 1, 2],
            "errors": [0, 0, 1, 3],
            "n": [50, 50, 50, 50],
        }
    )
    with pytest.warns(
        UserWarning,
        match=r"control_charts: no control limits for 1 "
        r"segment/stage\(s\) \(\('a', 1\)\)",
    ):
        charts = control_charts(
            data, by="site", chart="p", subgroup="week", defects="errors", n="n"
        )
    assert charts.segments["status"].tolist() == ["no limits", "in control"]


def test_all_points_excluded_does_not_crash():
    with pytest.warns(UserWarning, match="has no subgroups"):
        chart = p_chart(
            defects=[1, 2, 3], n=[10, 10, 10], exclude=[1, 2, 3], rules=["nelson", "anhoj"]
        )
    assert chart.signals.empty
    assert chart.table["ucl"].isna().all()
