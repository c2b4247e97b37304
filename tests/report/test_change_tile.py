"""The change tile and the change finding are one claim, judged against process noise."""

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from qainsights.datasets import simulate_audits
from qainsights.report import build_monthly_report
from qainsights.report.change_test import (
    consecutive_changes,
    dispersed_change_test,
    overall_change,
)
from qainsights.report.display import first_screen, ranked_findings

LEVEL = 0.05 / 4  # the report's claim level: 5 % shared by four families (Bonferroni)


def test_the_decision_rule_by_hand():
    # Past changes of 1, -2, 1 and 2 standard errors: mean square (1 + 4 + 1 + 4) / 4 = 2.5.
    # m = 4 past changes: nu = 4^2 / (1.5 x 4 - 0.5) = 16 / 5.5. A change of 0.02 with design
    # variance 0.00004: se = sqrt(2.5 x 0.00004) = 0.01, T = 2.
    found = dispersed_change_test(0.02, 0.00004, [1.0, -2.0, 1.0, 2.0, np.nan], alpha=LEVEL)
    df = 16 / 5.5
    assert found["history"] == 4  # the NaN is dropped
    assert found["dispersion"] == pytest.approx(2.5)
    assert found["df"] == pytest.approx(df)
    assert found["se"] == pytest.approx(0.01)
    assert found["statistic"] == pytest.approx(2.0)
    # scipy's t distribution as the reference for the tail and the quantile
    assert found["p_value"] == pytest.approx(2 * stats.t.sf(2.0, df))
    half = stats.t.isf(LEVEL / 2, df) * 0.01
    assert (found["ci_low"], found["ci_high"]) == pytest.approx((0.02 - half, 0.02 + half))
    assert not found["significant"]
    assert found["ci_low"] < 0 < found["ci_high"]


def test_the_dispersion_is_never_below_sampling_error():
    # Past changes of +-0.5 standard errors: mean square 0.25, floored at 1.
    found = dispersed_change_test(0.03, 0.0001, [0.5, -0.5, 0.5, -0.5], alpha=LEVEL)
    assert found["dispersion"] == 1.0
    assert found["se"] == pytest.approx(0.01)
    assert found["statistic"] == pytest.approx(3.0)


def test_without_history_the_reference_is_normal():
    # No past changes: T = 0.03 / 0.01 = 3 on the normal, two-sided p = 0.0027 (normal table),
    # below 0.0125; the 98.75 % interval is 0.03 +- 2.4977 x 0.01 (z at 0.99375 = 2.4977).
    found = dispersed_change_test(0.03, 0.0001, [], alpha=LEVEL)
    assert np.isinf(found["df"])
    assert found["dispersion"] == 1.0
    assert found["p_value"] == pytest.approx(0.0027, abs=5e-5)
    assert found["significant"]
    assert found["ci_low"] == pytest.approx(0.03 - 0.024977, abs=1e-5)
    assert found["ci_high"] == pytest.approx(0.03 + 0.024977, abs=1e-5)


def test_few_clusters_take_their_degrees_of_freedom():
    # The design variance of three moderators has g = 2 degrees of freedom, the history's
    # mean square nu = 16 / 5.5: the product of the two estimates has variance
    # (1 + 2/nu)(1 + 2/g) - 1, which one chi-square matches at df = nu g / (nu + g + 2).
    nu = 16 / 5.5
    df = 1 / ((1 + 2 / nu) * (1 + 2 / 2) - 1) * 2
    assert df == pytest.approx(nu * 2 / (nu + 4))
    found = dispersed_change_test(0.02, 0.00004, [1.0, -2.0, 1.0, 2.0], design_df=2,
                                  alpha=LEVEL)  # fmt: skip
    assert found["df"] == pytest.approx(df)
    assert found["p_value"] == pytest.approx(2 * stats.t.sf(2.0, df))
    # without history the design's own df is the reference: t on 2 df for T = 3
    alone = dispersed_change_test(0.03, 0.0001, [], design_df=2, alpha=LEVEL)
    assert alone["df"] == 2
    assert alone["p_value"] == pytest.approx(2 * stats.t.sf(3.0, 2))
    # the interval is cut at the -1 to 1 a difference of rates can take: with se 0.2 the
    # half-width t(2, 0.99375) x 0.2 = 8.86 x 0.2 is beyond it on both sides
    wide = dispersed_change_test(0.03, 0.04, [], design_df=2, alpha=LEVEL)
    assert stats.t.isf(LEVEL / 2, 2) * 0.2 > 1.03
    assert (wide["ci_low"], wide["ci_high"]) == (-1.0, 1.0)


def test_one_cluster_cannot_judge_a_change():
    found = dispersed_change_test(0.03, np.nan, [1.0, -1.0], design_df=0, alpha=LEVEL)
    assert np.isnan(found["p_value"])
    assert np.isnan(found["ci_low"])
    assert not found["significant"]


def test_the_report_test_reads_the_clusters_of_the_two_months():
    # The by-hand example below in two one-week months: no earlier weekly change, so the
    # reference is t on G - 1 = 1 degree of freedom for T = 0.25 / sqrt(0.5625) = 1/3
    # (before, a normal reference).
    audits = pd.DataFrame({"month": ["2026-01"] * 4 + ["2026-02"] * 4,
                           "week": ["w1"] * 4 + ["w5"] * 4,
                           "moderator_id": list("AABB" * 2),
                           "is_error": [1, 1, 0, 0, 1, 0, 1, 1]})  # fmt: skip
    found = overall_change(audits, month="2026-02", previous="2026-01", cluster="moderator_id")
    assert found["df"] == 1
    assert found["p_value"] == pytest.approx(2 * stats.t.sf(1 / 3, 1))


def test_the_change_variance_by_hand():
    # Two moderators, two audits each a month: A errs 2 of 2 then 1 of 2, B 0 of 2 then 2 of 2.
    audits = pd.DataFrame({"month": ["m1"] * 4 + ["m2"] * 4,
                           "moderator_id": list("AABB" * 2),
                           "is_error": [1, 1, 0, 0, 1, 0, 1, 1]})  # fmt: skip
    clustered = consecutive_changes(audits, period="month", cluster="moderator_id").iloc[0]
    # rates 1/2 and 3/4; scores s_A = 0.25, s_B = -0.25, then -0.125 and 0.125:
    # u = -0.375 and 0.375, variance 2 / 1 x 2 x 0.375^2 = 0.5625
    assert clustered["difference"] == pytest.approx(0.25)
    assert clustered["variance"] == pytest.approx(0.5625)
    # audits as clusters: (4 x 0.125^2 + 3 x 0.0625^2 + 0.1875^2) x 8 / 7 = 0.109375 x 8 / 7
    alone = consecutive_changes(audits, period="month").iloc[0]
    assert alone["variance"] == pytest.approx(0.125)
    assert alone["clusters"] == 8


def test_the_weighted_change_variance_by_hand():
    # Month a: errors 1, 0 weighted 1, 3 (rate 1/4); month b: 1, 1, 0 weighted 2, 1, 1 (3/4).
    # Scores w (y - r) / W: 0.1875, -0.1875; 0.125, 0.0625, -0.1875. Sum of squares
    # 0.0703125 + 0.0546875 = 0.125, times G / (G - 1) = 5 / 4: 0.15625.
    audits = pd.DataFrame({"month": ["a", "a", "b", "b", "b"], "is_error": [1, 0, 1, 1, 0],
                           "w": [1.0, 3.0, 2.0, 1.0, 1.0]})  # fmt: skip
    found = consecutive_changes(audits, period="month", weight="w").iloc[0]
    assert (found["rate_from"], found["rate_to"]) == pytest.approx((0.25, 0.75))
    assert found["variance"] == pytest.approx(0.15625)


@pytest.fixture(scope="module")
def seven():
    # The simulated year of seed 7: in 2026-10 the high-risk queue grows from 8 % to 20 % of
    # decisions (the planted mix shift), so the overall error rate rises with no segment's
    # rate moving: the tile said "beyond sampling error" while the change finding stayed low.
    return build_monthly_report(simulate_audits(seed=7).audits)


def _tile(report) -> str:
    page = first_screen(report).data
    return re.search(r"Change since [0-9-]+</div>.*?<div class=\"qi-note\">(.*?)</div>",
                     page).group(1)  # fmt: skip


def test_seed_seven_tells_one_story(seven):
    (change,) = [f for f in seven.findings if f.section == "change"]
    tile = _tile(seven)
    claimed = change.priority in ("high", "medium")
    assert ("beyond sampling error" in tile) == claimed
    assert ("within noise" in tile) == (not claimed)
    assert ("beyond sampling error" in change.finding) == claimed
    # the planted mix shift is a real change: claimed, named on the first screen, as mix
    assert claimed
    assert change in ranked_findings(seven.findings)
    assert "mostly a change in the mix of queues" in change.finding
    assert "mostly a change in the mix of queues" in tile


def test_one_number_one_interval_one_verdict(seven):
    overall = seven.change.overall.iloc[0]
    tile = _tile(seven)
    sentence = seven.change.summary()
    change_points = re.search(r"accuracy ([+-][0-9.]+) points", tile).group(1)
    assert float(change_points) == pytest.approx(-100 * overall["difference"], abs=0.051)
    tile_low, tile_high = (float(v) for v in re.search(
        r"CI ([+-][0-9.]+) to ([+-][0-9.]+)", tile).groups())  # fmt: skip
    low, high = (float(v) for v in re.search(r"CI ([+-][0-9.]+) to ([+-][0-9.]+)",
                                             sentence).groups())  # fmt: skip
    assert (tile_low, tile_high) == (-high, -low)  # accuracy mirrors the error rate
    assert low == pytest.approx(100 * overall["ci_low"], abs=0.051)
    # the interval excludes 0 exactly when the test claims the change
    assert (overall["ci_low"] > 0 or overall["ci_high"] < 0) == (overall["p_value"] < LEVEL)
    # the change test is not the binomial one: it allows for process noise (dispersion >= 1)
    assert overall["dispersion"] >= 1.0
    assert overall["test"].startswith("t, dispersion")
