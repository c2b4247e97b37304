"""explain_change over sides of several periods: each segment's dispersion and its test.

Sources (tests/reference/trends.md, sections 1a and 3): statsmodels' quasi-binomial GLM
(``scale="X2"``) on a segment's weekly counts with one rate per side gives the dispersion;
statsmodels' StratifiedTable.test_null_odds (Cochran-Mantel-Haenszel, no continuity
correction) over the segment's leaves gives the statistic, referred with the dispersion to
Student's t on the GLM's residual degrees of freedom (McCullagh & Nelder 1989, section 4.5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference.trends import glm_dispersion, shocked_weeks
from scipy import stats
from statsmodels.stats.contingency_tables import StratifiedTable

from qainsights.trends import explain_change

BASELINE, CURRENT = list(range(6)), list(range(6, 10))


def explain(frame, **kwargs):
    arguments = {"dispersion": "periods", "serial": False} | kwargs
    return explain_change(frame, by=["site", "queue"], period="week", current=CURRENT,
                          baseline=BASELINE, errors="errors", n="n", **arguments)  # fmt: skip


@pytest.mark.parametrize("segment", ["site=a", "site=b", "queue=q1", "site=a & queue=q1"])
def test_segment_dispersion_and_test_match_the_glm_and_mantel_haenszel(segment):
    frame = shocked_weeks()
    row = explain(frame).segments.set_index("segment").loc[segment]
    inside = np.ones(len(frame), dtype=bool)
    for part in segment.split(" & "):
        column, value = part.split("=")
        inside &= (frame[column] == value).to_numpy()
    weekly = frame[inside].groupby("week", as_index=False)[["errors", "n"]].sum()
    scale, df = glm_dispersion(weekly, current=CURRENT)
    scale = max(scale, 1.0)  # a spread below binomial counts' is taken as 1
    assert row["dispersion"] == pytest.approx(scale, rel=1e-10)
    assert row["dispersion_df"] == df == 8
    leaves = frame[inside].assign(side=frame["week"].isin(CURRENT))
    leaves = leaves.groupby(["site", "queue", "side"])[["errors", "n"]].sum()
    tables = []
    for _, counts in leaves.groupby(level=["site", "queue"]):
        e1, n1, e0, n0 = (counts.droplevel(["site", "queue"]).loc[side, column]
                          for side in (True, False) for column in ("errors", "n"))  # fmt: skip
        tables.append(np.array([[e1, n1 - e1], [e0, n0 - e0]], dtype=float))
    chi2 = StratifiedTable(tables).test_null_odds(correction=False)
    expected = 2 * stats.t.sf(np.sqrt(chi2.statistic / scale), df)
    assert row["p_value"] == pytest.approx(expected, rel=1e-9)


def test_the_overall_row_reads_the_overall_weeks():
    frame = shocked_weeks()
    overall = explain(frame).overall.iloc[0]
    weekly = frame.groupby("week", as_index=False)[["errors", "n"]].sum()
    scale, df = glm_dispersion(weekly, current=CURRENT)
    assert (overall["dispersion"], overall["dispersion_df"]) == (pytest.approx(scale), df)


def test_moderated_is_the_default_and_single_periods_are_unchanged():
    frame = shocked_weeks()
    default = explain_change(frame, by=["site", "queue"], period="week", current=CURRENT,
                             baseline=BASELINE, errors="errors", n="n").segments  # fmt: skip
    pd.testing.assert_frame_equal(
        default, explain(frame, dispersion="moderated", serial=True).segments
    )
    months = frame.assign(month=np.where(frame["week"].isin(CURRENT), "m2", "m1"))
    single = explain_change(months, by=["site", "queue"], period="month", current="m2",
                            errors="errors", n="n", dispersion="periods").segments  # fmt: skip
    pooled = months.groupby(["site", "queue", "month"], as_index=False)[["errors", "n"]].sum()
    again = explain_change(pooled, by=["site", "queue"], period="month", current="m2",
                           errors="errors", n="n", dispersion="binomial").segments  # fmt: skip
    assert (single["dispersion_df"] == 0).all()
    np.testing.assert_allclose(single["p_value"], again["p_value"], rtol=1e-12)


def test_within_equals_the_weeks_as_periods():
    frame = shocked_weeks()
    months = frame.assign(month=np.where(frame["week"].isin(CURRENT), "m2", "m1"))
    inside = explain_change(months, by=["site", "queue"], period="month", current="m2",
                            baseline="m1", errors="errors", n="n", dispersion="periods",
                            within="week")  # fmt: skip
    weeks = explain(frame, serial=True)
    columns = ["segment", "dispersion", "dispersion_df", "serial_baseline", "serial_current",
               "p_value", "q_value"]  # fmt: skip
    pd.testing.assert_frame_equal(inside.segments[columns], weeks.segments[columns])
    assert inside.explanation["segment"].tolist() == weeks.explanation["segment"].tolist()
