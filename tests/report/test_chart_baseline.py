"""The report's control charts shade the subgroups their limits were computed from."""

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.colors import to_rgb

from qainsights.plotting.report import BASELINE_LABEL, annotate_control_chart, shade_baseline
from qainsights.plotting.style import OKABE_ITO, PALETTE
from qainsights.spc import p_chart


def _chart(baseline):
    weeks = pd.date_range("2026-01-05", periods=len(baseline), freq="W-MON")
    frame = pd.DataFrame({"week": weeks, "errors": [10, 12, 9, 11, 10, 12, 30, 12][: len(weeks)],
                          "n": 200, "baseline": baseline})  # fmt: skip
    return p_chart(frame, defects="errors", n="n", subgroup="week", baseline="baseline")


def test_the_baseline_weeks_are_shaded_with_a_legend_entry():
    chart = _chart([True] * 5 + [False] * 3)
    ax = annotate_control_chart(chart.plot(), chart, title="t", xlabel="week")
    (band,) = [p for p in ax.patches if p.get_label() == "baseline"]
    # weekly points a step of 7 days apart: the band runs from half a week before the first
    # baseline week (5 Jan) to half a week after the fifth (2 Feb), 28 + 7 = 35 days wide
    assert band.get_width() == pytest.approx(35.0)
    assert [t.get_text() for t in ax.get_legend().get_texts()][-1] == BASELINE_LABEL
    # a light grey: a shade, not a hue, so it reads the same under colour blindness
    assert len(set(to_rgb(band.get_facecolor()))) == 1
    plt.close(ax.figure)


def test_a_chart_whose_limits_use_every_point_is_shaded_throughout():
    chart = _chart([True] * 8)  # the report's charts: limits from all the months shown
    ax = chart.plot()
    (band,) = shade_baseline(ax, chart.table)
    assert band.get_width() == pytest.approx(8 * 7.0)
    plt.close(ax.figure)


def test_interrupted_baselines_get_one_band_per_run():
    chart = _chart([True, True, False, True, True, True, False, False])
    ax = chart.plot()
    widths = [b.get_width() for b in shade_baseline(ax, chart.table)]
    assert widths == pytest.approx([14.0, 21.0])
    plt.close(ax.figure)


def test_the_chart_colours_are_okabe_ito():
    # series, signal and worse/better are Okabe & Ito's colour-blind-safe colours
    for role in ("series", "signal", "worse", "better", "second series"):
        assert PALETTE[role] in OKABE_ITO.values()


def test_the_title_names_a_week_of_the_month_beyond_the_limits_behind_a_calm_latest_week():
    # Limits from the first five weeks: p = 52 / 1,000, UCL = 0.052 + 3 sqrt(0.052 x 0.948 /
    # 200) = 0.099; 16 Feb (30 / 200 = 0.15) is above it, 23 Feb (12 / 200) is not
    from qainsights.plotting.report import chart_finding

    chart = _chart([True] * 5 + [False] * 3)
    assert (
        chart_finding(chart, period="week")
        == "Error rate by week: 2026-02-23 within its control limits"
    )
    titled = chart_finding(chart, period="week", since=pd.Timestamp("2026-02-09"))
    assert titled.startswith("Error rate by week: 2026-02-16 above its upper control limit (")
    calm = chart_finding(chart, period="week", since="2026-02-23")
    assert calm == "Error rate by week: 2026-02-23 within its control limits"
