"""error_rate warns when errors cluster by moderator and no ``cluster`` is given.

References: the chi-square statistic is Pearson's test of homogeneity of the moderators x
(error, correct) table, computed here by scipy's ``chi2_contingency(correction=False)``. With
``k`` moderators of ``m`` audits each, the moment estimate of the intra-class correlation
(Williams 1982) solves ``X² = Σ (1 + (m − 1) ρ)(1 − m/n) = (k − 1)(1 + (m − 1) ρ)``, so the
design effect ``1 + (Σ m²/n − 1) ρ = 1 + (m − 1) ρ`` equals ``X² / (k − 1)``: the warning's
figure is the chi-square over its degrees of freedom.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from qainsights.experiments import ab_test
from qainsights.rates import error_rate
from qainsights.rca import drill_down


def moderators_audits(seed, *, sd, moderators=40, per_moderator=50, rate=0.06):
    """Audits of moderators whose logit abilities have standard deviation ``sd``."""
    rng = np.random.default_rng(seed)
    moderator = np.repeat(np.arange(moderators), per_moderator)
    ability = rng.normal(0, sd, moderators)[moderator]
    p = 1 / (1 + np.exp(-(np.log(rate / (1 - rate)) + ability)))
    return pd.DataFrame(
        {
            "moderator_id": np.char.add("m", moderator.astype(str)),
            "site": np.where(moderator % 2 == 0, "dublin", "manila"),
            "arm": np.where(moderator < moderators // 2, "new", "old"),
            "is_error": rng.random(moderator.size) < p,
        }
    )


def warned(audits, **options) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        error_rate(audits, **options)
    return [str(w.message) for w in caught if "cluster by moderator" in str(w.message)]


def test_the_warning_reports_pearsons_chi_square_and_the_design_effect():
    audits = moderators_audits(1, sd=0.8)
    original = audits.copy()
    with pytest.warns(UserWarning, match=r"^error_rate treats audits as independent") as record:
        error_rate(audits)
    assert len(record) == 1  # once per call
    message = str(record[0].message)
    table = audits.groupby("moderator_id")["is_error"].agg(["sum", "count"])
    chi2, p_value, df, _ = stats.chi2_contingency(
        np.column_stack([table["sum"], table["count"] - table["sum"]]), correction=False
    )
    found = re.search(
        r"chi-square ([\d.]+) on (\d+) degrees of freedom .* p = ([\d.e-]+); estimated "
        r"design effect ([\d.]+)\)",
        message,
    )
    assert found is not None, message
    assert float(found[1]) == pytest.approx(chi2, abs=0.05)
    assert int(found[2]) == df == 39
    assert float(found[3]) == pytest.approx(p_value, rel=0.05)
    assert float(found[4]) == pytest.approx(chi2 / df, abs=0.005)
    assert "Pass cluster='moderator_id'" in message
    pd.testing.assert_frame_equal(audits, original)


def test_within_segments_the_expected_rate_is_the_segments():
    # Two sites with different rates but no moderator effect: a test against the overall
    # rate would see the sites' difference as clustering; within sites there is none.
    rng = np.random.default_rng(2)
    audits = moderators_audits(2, sd=0.0)
    audits["is_error"] = rng.random(len(audits)) < np.where(audits["site"] == "dublin", 0.02, 0.2)
    assert warned(audits)  # overall, the sites' difference is between moderators
    assert not warned(audits, by="site")


def test_segments_without_errors_count_for_nothing():
    # A site of 40 moderators without a single error adds 39 degrees of freedom and no
    # chi-square; left in, it would halve the evidence of the clustered site.
    clustered = moderators_audits(1, sd=0.8)
    quiet = moderators_audits(2, sd=0.0).assign(
        moderator_id=lambda d: "q" + d["moderator_id"], site="quiet", is_error=False
    )
    with pytest.warns(UserWarning, match="cluster by moderator") as record:
        error_rate(pd.concat([clustered.assign(site="busy"), quiet]), by="site")
    table = clustered.groupby("moderator_id")["is_error"].agg(["sum", "count"])
    chi2, _, df, _ = stats.chi2_contingency(
        np.column_stack([table["sum"], table["count"] - table["sum"]]), correction=False
    )
    assert f"chi-square {chi2:.1f} on {df} degrees of freedom" in str(record[0].message)


def test_warns_at_p_below_five_percent_with_a_design_effect_above_1_1():
    # 40 moderators x 25 audits: 17 without errors, 15 with 3 and 8 with 1 (53 errors).
    # By hand: p = 53/1000, each expected count 1.325, binomial variance 25 p (1 - p) =
    # 1.254775; X² = (17 * 1.325² + 15 * 1.675² + 8 * 0.325²) / 1.254775 = 58.00 on 39 df,
    # p = 0.026 (chi-square tail), and with equal caseloads the design effect is X² / 39 =
    # 1.49. Above 0.01 (no warning before) and below 0.05 (a warning now). A 95 % interval
    # whose true standard error is sqrt(1.49) times its own covers 2 Φ(1.96 / sqrt(1.49)) - 1
    # = 89 %.
    errors = np.repeat([0, 3, 1], [17, 15, 8])
    audits = pd.DataFrame(
        {
            "moderator_id": np.repeat(np.arange(40), 25),
            "is_error": (np.arange(25)[None, :] < errors[:, None]).ravel(),
        }
    )
    chi2 = (17 * 1.325**2 + 15 * 1.675**2 + 8 * 0.325**2) / (25 * 0.053 * 0.947)
    assert chi2 == pytest.approx(58.00, abs=0.005)
    assert 0.01 < stats.chi2.sf(chi2, 39) < 0.05
    assert 2 * stats.norm.cdf(1.959964 / np.sqrt(chi2 / 39)) - 1 == pytest.approx(0.89, abs=0.005)
    (message,) = warned(audits)
    assert "chi-square 58.0 on 39 degrees of freedom" in message
    assert "p = 0.026" in message
    assert "estimated design effect 1.49" in message
    assert "Pass cluster='moderator_id'" in message


def test_fires_on_clustered_errors_and_seldom_on_independent_ones():
    # Seeded; margins well away from the expected shares (about 5 % of independent worlds
    # at p < 0.05, nearly all at a latent moderator ICC of 0.16 with 50 audits each).
    runs = 60
    independent = np.mean([bool(warned(moderators_audits(s, sd=0.0))) for s in range(runs)])
    clustered = np.mean([bool(warned(moderators_audits(s, sd=0.8))) for s in range(runs)])
    assert independent <= 0.1
    assert clustered >= 0.8


def test_no_check_with_cluster_or_without_moderators():
    audits = moderators_audits(1, sd=0.8)
    assert not warned(audits, cluster="moderator_id")
    assert not warned(audits.drop(columns="moderator_id"))
    with_missing = audits.assign(moderator_id=audits["moderator_id"].where(audits.index > 0))
    assert not warned(with_missing)  # an incomplete moderator column is not checked


def test_the_rates_are_those_without_the_check():
    audits = moderators_audits(1, sd=0.8)
    with pytest.warns(UserWarning, match="cluster by moderator"):
        checked = error_rate(audits, by="site")
    pd.testing.assert_frame_equal(
        checked, error_rate(audits.drop(columns="moderator_id"), by="site"), check_exact=True
    )


def test_internal_callers_that_treat_audits_as_independent_stay_silent():
    audits = moderators_audits(1, sd=0.8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        drill_down(audits, path=["site"])
        ab_test(audits, arm="arm", treatment="new", cluster="moderator_id")


def test_engine_frames_are_not_checked():
    # Documented: other engines' frames are summed on their engine without the moderators.
    pl = pytest.importorskip("polars")
    audits = moderators_audits(1, sd=0.8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rates = error_rate(pl.from_pandas(audits), by="site")
    with pytest.warns(UserWarning, match="cluster by moderator"):
        expected = error_rate(audits, by="site")
    pd.testing.assert_frame_equal(rates, expected)
