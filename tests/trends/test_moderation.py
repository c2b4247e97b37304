"""Moderated dispersions: Smyth's (2004) empirical Bayes, against limma's squeezeVar.

Sources (tests/reference/trends.md, section 1b): inmoose 0.9.1's port of limma's squeezeVar
(with three other ports and an mpmath evaluation in agreement) for the prior and posteriors;
statsmodels' quasi-binomial GLM (``scale="X2"``) for each segment's own dispersion; the
StratifiedTable Mantel-Haenszel statistic for the tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference.trends import glm_dispersion, shocked_weeks
from scipy import optimize, special, stats
from statsmodels.stats.contingency_tables import StratifiedTable

from qainsights.trends import compare_periods, explain_change
from qainsights.trends._moderation import moderate_dispersions, trigamma_inverse

A = [0.7169, 1.4352, 0.3296, 2.6074, 1.4701, 0.9152, 1.1996, 1.1066, 0.6487, 0.6806, 1.5256,
     2.0889]  # fmt: skip
A_POSTERIOR = [0.8227826422098257, 1.2896426133771794, 0.5710565293974685, 2.0515154495213705,
               1.3123259114333408, 0.9516679718527135, 1.1365141027172483, 1.076068637983065,
               0.7784559680714245, 0.7991894124264832, 1.3483982049037406,
               1.7145157348474556]  # fmt: skip
A_PRIOR_DF = 10.232962435984362
A_WITHOUT_3_POSTERIOR = [0.818383211915612, 1.2403621801531948, 0.5908564760135993,
                         1.2608648475505102, 0.9348783106229942, 1.1019544884968193,
                         1.0473198733693025, 0.7783178274887664, 0.7970580879464845,
                         1.2934693759330602, 1.6243906522914489]  # fmt: skip
A_WITHOUT_3_PRIOR_DF = 13.34213320393747
C = [0.7561, 1.4121, 0.8506, 0.5557, 3.9402, 0.754, 2.6381, 2.2703, 1.3103, 1.5587, 0.5065,
     1.2619, 0.377, 0.6624, 1.0429]  # fmt: skip
C_DF = [30, 18, 18, 9, 9, 30, 4, 9, 9, 18, 9, 9, 4, 9, 4]
C_POSTERIOR = [0.8743701254171756, 1.2905095101444737, 0.9725353686844429, 0.9042167183428721,
               2.2410476665105357, 0.8729312963297507, 1.4705277553952103, 1.5814601350154311,
               1.2022733392580203, 1.3735282263297641, 0.8847833950603048, 1.1831560049719174,
               0.9620041073821208, 0.946361750746326, 1.1117656823730175]  # fmt: skip
C_PRIOR_DF = 13.785603551257463
BASELINE, CURRENT = list(range(6)), list(range(6, 10))


def test_equal_degrees_of_freedom_match_limma():
    posterior, df = moderate_dispersions(A, np.full(12, 19.0), np.zeros(12))
    np.testing.assert_allclose(posterior, A_POSTERIOR, rtol=1e-12)
    # capped at the 12 x 19 = 228 the segments hold together, which A_PRIOR_DF + 19 is below
    np.testing.assert_allclose(df, A_PRIOR_DF + 19, rtol=1e-12)


def test_unequal_degrees_of_freedom_match_smyths_moments():
    posterior, df = moderate_dispersions(C, C_DF, np.zeros(15))
    np.testing.assert_allclose(posterior, C_POSTERIOR, rtol=1e-12)
    np.testing.assert_allclose(df, C_PRIOR_DF + np.array(C_DF), rtol=1e-12)


def test_dispersions_within_chance_take_their_mean_on_the_pooled_degrees_of_freedom():
    posterior, df = moderate_dispersions([0.9, 1.1, 1.3, 1.0], np.full(4, 19.0), np.zeros(4))
    np.testing.assert_allclose(posterior, 1.075, rtol=1e-15)  # limma: var.prior, the mean
    np.testing.assert_array_equal(df, 76.0)  # 4 x 19


def test_a_dispersion_the_prior_makes_unlikely_keeps_its_own():
    # limma's prior for A: s0² = (posterior (d0 + d) − d s²) / d0, the same for every segment;
    # the upper tail of F(19, d0) at s²/s0² is 0.063 for A[3] and above 0.1 for the others;
    # at 0.05 none is an outlier
    prior = (A_POSTERIOR[0] * (A_PRIOR_DF + 19) - 19 * A[0]) / A_PRIOR_DF
    tails = stats.f.sf(np.array(A) / prior, 19, A_PRIOR_DF)
    assert (tails < 0.1).tolist() == [i == 3 for i in range(12)]
    # at 0.1 A[3] keeps its own and the prior is fitted again without it: limma's squeezeVar
    # on the other 11 (inmoose 0.9.1, tests/reference/trends.md section 1b)
    posterior, df = moderate_dispersions(A, np.full(12, 19.0), np.zeros(12), outliers=0.1)
    np.testing.assert_allclose(posterior, np.insert(A_WITHOUT_3_POSTERIOR, 3, A[3]), rtol=1e-12)
    np.testing.assert_allclose(df, np.insert(np.full(11, A_WITHOUT_3_PRIOR_DF + 19), 3, 19),
                               rtol=1e-12)  # fmt: skip
    at_five = moderate_dispersions(A, np.full(12, 19.0), np.zeros(12), outliers=0.05)
    np.testing.assert_allclose(at_five[0], A_POSTERIOR, rtol=1e-12)


def test_an_outlier_among_dispersions_within_chance_is_judged_by_chi_square():
    # ten at 1 and one at 1.8 on 19 df vary less than chance makes log-dispersions vary, so
    # limma's prior is their mean on infinite df; 19 x 1.8 / mean is beyond chi2(19)'s 5 % tail;
    # the prior fitted again without it: ten equal dispersions, their value on 10 x 19 df
    values = [1.0] * 10 + [1.8]
    mean = np.mean(values)
    assert stats.chi2.sf(19 * 1.8 / mean, 19) < 0.05 < stats.chi2.sf(19 * 1.0 / mean, 19)
    posterior, df = moderate_dispersions(values, np.full(11, 19.0), np.zeros(11), outliers=0.05)
    np.testing.assert_allclose(posterior, [1.0] * 10 + [1.8], rtol=1e-14)
    np.testing.assert_array_equal(df, [190.0] * 10 + [19.0])


@pytest.mark.parametrize("value", [1e-8, 1e-3, 0.25, 3.0, 1e4, 1e9])
def test_trigamma_inverse_inverts_the_trigamma_function(value):
    root = trigamma_inverse(value)
    assert special.polygamma(1, root) == pytest.approx(value, rel=1e-6)


def test_trigamma_inverse_matches_limma():
    assert trigamma_inverse(0.25) == pytest.approx(4.479394211649118, rel=1e-14)


@settings(max_examples=40, deadline=None)
@given(
    factor=st.floats(0.05, 20.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_a_group_scaled_by_c_has_its_posteriors_scaled_by_c(factor, seed):
    rng = np.random.default_rng(seed)
    first = np.exp(rng.normal(0, 0.5, 8)) * rng.chisquare(12, 8) / 12
    second = np.exp(rng.normal(0, 0.5, 6)) * rng.chisquare(12, 6) / 12
    df = np.full(14, 12.0)
    groups = np.repeat(["sites", "queues"], [8, 6])
    base, base_df = moderate_dispersions(np.r_[first, second], df, groups)
    scaled, scaled_df = moderate_dispersions(np.r_[first, second * factor], df, groups)
    np.testing.assert_allclose(scaled[:8], base[:8], rtol=1e-9)
    np.testing.assert_allclose(scaled[8:], base[8:] * factor, rtol=1e-9)
    np.testing.assert_allclose(scaled_df, base_df, rtol=1e-9)


def test_one_group_with_a_spread_is_limmas_fit_and_segments_without_one_take_the_prior():
    groups = np.zeros(13)
    posterior, df = moderate_dispersions([*A, np.nan], [*np.full(12, 19.0), 0.0], groups)
    np.testing.assert_allclose(posterior[:12], A_POSTERIOR, rtol=1e-12)
    assert posterior[12] == pytest.approx(1.019379689699443, rel=1e-12)  # limma's var.prior
    assert df[12] == pytest.approx(A_PRIOR_DF, rel=1e-12)


def test_too_few_spreads_to_fit_are_returned_as_given():
    posterior, df = moderate_dispersions([2.0, 1.5, np.nan], [8.0, 8.0, 0.0], ["a", "b", "b"])
    np.testing.assert_array_equal(posterior[:2], [2.0, 1.5])
    np.testing.assert_array_equal(df, [8.0, 8.0, 0.0])


def test_a_group_of_one_keeps_its_own_dispersion():
    posterior, df = moderate_dispersions([*A, 5.0], [*np.full(12, 19.0), 4.0], [0] * 12 + [1])
    np.testing.assert_allclose(posterior[:12], A_POSTERIOR, rtol=1e-12)
    assert (posterior[12], df[12]) == (5.0, 4.0)


def test_a_zero_dispersion_is_moderated_without_entering_the_fit():
    posterior, df = moderate_dispersions([*A, 0.0], np.full(13, 19.0), np.zeros(13))
    np.testing.assert_allclose(posterior[:12], A_POSTERIOR, rtol=1e-12)
    # limma's prior for A alone: (d0 s0² + 19 · 0) / (d0 + 19)
    expected = A_PRIOR_DF * 1.019379689699443 / (A_PRIOR_DF + 19)
    assert posterior[12] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(df, A_PRIOR_DF + 19, rtol=1e-12)


def smyth_by_hand(values, df, groups):
    """Smyth's (2004) moments with one prior scale per group, written out from section 6
    (the chance part of each segment's spread about its group's mean weighted by
    (n_g − 1) / n_g), d0 found by bracketing rather than Newton's iteration."""
    frame = pd.DataFrame({"s2": values, "d": df, "g": groups})
    frame["e"] = np.log(frame["s2"]) - special.digamma(frame["d"] / 2) + np.log(frame["d"] / 2)
    by_group = frame.groupby("g")
    frame["centred"] = frame["e"] - by_group["e"].transform("mean")
    size = by_group["e"].transform("size")
    residual_df = len(frame) - frame["g"].nunique()
    chance = ((size - 1) / size * special.polygamma(1, frame["d"] / 2)).sum() / residual_df
    variance = (frame["centred"] ** 2).sum() / residual_df - chance
    half_d0 = optimize.brentq(lambda y: special.polygamma(1, y) - variance, 1e-8, 1e8, xtol=1e-14)
    d0 = 2 * half_d0
    scale = np.exp(by_group["e"].transform("mean") + special.digamma(half_d0) - np.log(half_d0))
    posterior = (d0 * scale + frame["d"] * frame["s2"]) / (d0 + frame["d"])
    return posterior.to_numpy(), np.minimum(d0 + frame["d"], by_group["d"].transform("sum"))


def test_groups_of_unequal_sizes_and_degrees_of_freedom_follow_smyths_moments():
    values = [*C, 1.9, 0.7, 2.8]
    df = [*C_DF, 3, 3, 3]
    groups = [0] * 15 + [1] * 3
    posterior, posterior_df = moderate_dispersions(values, df, groups)
    expected, expected_df = smyth_by_hand(values, df, groups)
    np.testing.assert_allclose(posterior, expected, rtol=1e-10)
    np.testing.assert_allclose(posterior_df, expected_df, rtol=1e-10)
    assert (posterior_df[15:] == 9).all()  # capped at the small group's 3 x 3


def own_dispersions(frame, segments):
    """Each segment's GLM dispersion (not floored) and residual degrees of freedom."""
    out = []
    for segment in segments:
        inside = np.ones(len(frame), dtype=bool)
        for part in segment.split(" & "):
            column, value = part.split("=")
            inside &= (frame[column] == value).to_numpy()
        weekly = frame[inside].groupby("week", as_index=False)[["errors", "n"]].sum()
        out.append(glm_dispersion(weekly, current=CURRENT))
    return np.array(out).T


def test_explain_change_moderates_each_segment_among_those_of_its_dimensions():
    frame = shocked_weeks()
    result = explain_change(frame, by=["site", "queue"], period="week", current=CURRENT,
                            baseline=BASELINE, errors="errors", n="n", dispersion="moderated",
                            serial=False).segments.set_index("segment")  # fmt: skip
    groups = {"site": ["site=a", "site=b"], "queue": ["queue=q1", "queue=q2"],
              "cell": [f"site={s} & queue={q}" for s in "ab" for q in ("q1", "q2")]}  # fmt: skip
    names = [name for members in groups.values() for name in members]
    scale, df = own_dispersions(frame, names)
    labels = np.repeat(list(groups), [len(m) for m in groups.values()])
    posterior, posterior_df = moderate_dispersions(scale, df, labels, outliers=0.05)
    rows = result.loc[names]
    np.testing.assert_allclose(rows["dispersion"], np.maximum(posterior, 1.0), rtol=1e-10)
    np.testing.assert_allclose(rows["dispersion_df"], posterior_df, rtol=1e-10)
    # the test of the cell that rose: Mantel-Haenszel over its one leaf, with the moderated scale
    cell = frame[(frame["site"] == "a") & (frame["queue"] == "q1")]
    sides = cell.assign(now=cell["week"].isin(CURRENT)).groupby("now")[["errors", "n"]].sum()
    table = np.array([[sides.loc[s, "errors"], sides.loc[s, "n"] - sides.loc[s, "errors"]]
                      for s in (True, False)], dtype=float)  # fmt: skip
    chi2 = StratifiedTable([table]).test_null_odds(correction=False).statistic
    row = result.loc["site=a & queue=q1"]
    expected = 2 * stats.t.sf(np.sqrt(chi2 / row["dispersion"]), row["dispersion_df"])
    assert row["p_value"] == pytest.approx(expected, rel=1e-9)


def test_compare_periods_moderates_its_segments_as_one_group():
    frame = shocked_weeks()
    frame["cell"] = frame["site"] + "/" + frame["queue"]
    result = compare_periods(frame, by="cell", period="week", current=CURRENT,
                             baseline=BASELINE, errors="errors", n="n",
                             dispersion="moderated", serial=False).segments  # fmt: skip
    weekly = frame.groupby(["cell", "week"], as_index=False)[["errors", "n"]].sum()
    scale, df = np.array([glm_dispersion(weekly[weekly["cell"] == cell], current=CURRENT)
                          for cell in result["cell"]]).T  # fmt: skip
    posterior, posterior_df = moderate_dispersions(scale, df, np.zeros(len(df)), outliers=0.05)
    np.testing.assert_allclose(result["dispersion"], np.maximum(posterior, 1.0), rtol=1e-10)
    np.testing.assert_allclose(result["dispersion_df"], posterior_df, rtol=1e-10)


def test_moderation_needs_several_periods_a_side_to_differ_from_binomial():
    frame = shocked_weeks()
    months = frame.assign(month=np.where(frame["week"].isin(CURRENT), "m2", "m1"))
    kwargs = {"by": ["site", "queue"], "period": "month", "current": "m2", "errors": "errors",
              "n": "n"}  # fmt: skip
    moderated = explain_change(months, dispersion="moderated", **kwargs).segments
    binomial = explain_change(months, dispersion="binomial", **kwargs).segments
    assert (moderated["dispersion_df"] == 0).all()
    pd.testing.assert_series_equal(moderated["p_value"], binomial["p_value"], rtol=1e-12)
