"""The simulated moderator-randomised pilot: randomisation, planted effect and clustering.

Expected values are derived here from the model stated in the docstring:

- odds ratio psi moves p0 to p1 = p0 psi / (1 - p0 + p0 psi); for p0 = 0.06 and psi = 0.75,
  p1 = 0.045 / 0.985 = 0.0456853 (by hand).
- In the beta-binomial model with intra-class correlation rho, a cluster of m audits has
  Var(errors) = m p (1 - p) (1 + (m - 1) rho) (Donner & Klar 2000, chapter 2); the one-way
  ANOVA estimator of rho (``cluster_icc``) is consistent for it.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from qainsights.datasets import simulate_pilot
from qainsights.experiments import cluster_icc


def test_same_seed_same_pilot_and_columns():
    a = simulate_pilot(seed=3, n_moderators=30)
    b = simulate_pilot(seed=3, n_moderators=30)
    pd.testing.assert_frame_equal(a.audits, b.audits)
    assert list(a.audits.columns) == ["audit_id", "moderator_id", "arm", "week", "is_error"]
    assert not a.audits.equals(simulate_pilot(seed=4, n_moderators=30).audits)


def test_moderators_are_randomised_whole_to_one_arm():
    audits = simulate_pilot(seed=5, n_moderators=41, weeks=3, audits_per_week=0.2).audits
    arms_per_moderator = audits.groupby("moderator_id")["arm"].nunique()
    assert arms_per_moderator.eq(1).all()
    # 41 moderators: floor(41 / 2) = 20 in control, 21 in treatment, each audited at least once.
    per_arm = audits.groupby("arm")["moderator_id"].nunique()
    assert per_arm.to_dict() == {"control": 20, "treatment": 21}
    assert set(audits["week"]) <= {1, 2, 3}


def test_answer_key_is_the_stated_odds_ratio_transform():
    key = simulate_pilot(seed=0, p_control=0.06, odds_ratio=0.75).answer_key.iloc[0]
    assert key["p_treatment"] == pytest.approx(0.045 / 0.985, rel=1e-12)
    assert key["rate_difference"] == pytest.approx(0.045 / 0.985 - 0.06, rel=1e-12)
    assert key["rate_ratio"] == pytest.approx(0.045 / 0.985 / 0.06, rel=1e-12)


def test_arm_rates_and_audit_volume_match_the_plan():
    # 4,000 moderators x 4 weeks x 5 audits: 80,000 audits, 40,000 per arm (Poisson totals).
    pilot = simulate_pilot(seed=11, n_moderators=4000, weeks=4, audits_per_week=5, icc=0.02)
    audits = pilot.audits
    assert len(audits) == pytest.approx(80_000, abs=4 * np.sqrt(80_000))
    rates = audits.groupby("arm")["is_error"].mean()
    # Standard error of an arm's rate with 2,000 moderators of about 20 audits:
    # sqrt(p (1 - p) (1 + 19 rho) / 40,000).
    for arm, p in (("control", 0.06), ("treatment", 0.045 / 0.985)):
        se = np.sqrt(p * (1 - p) * (1 + 19 * 0.02) / 40_000)
        assert rates[arm] == pytest.approx(p, abs=4 * se)


def test_planted_icc_is_recovered_by_the_anova_estimator():
    audits = simulate_pilot(seed=2, n_moderators=3000, weeks=4, audits_per_week=5, icc=0.05).audits
    control = audits[audits["arm"] == "control"]
    estimate = float(cluster_icc(control)["icc"].iloc[0])
    assert estimate == pytest.approx(0.05, abs=0.015)


def test_no_clustering_gives_binomial_moderators():
    # icc = 0: every moderator has the arm's rate, so moderators' error counts are binomial
    # and their dispersion statistic is chi-square with G - 1 degrees of freedom.
    audits = simulate_pilot(seed=8, n_moderators=2000, icc=0.0, odds_ratio=1.0).audits
    per = audits.groupby("moderator_id")["is_error"].agg(["sum", "size"])
    p = per["sum"].sum() / per["size"].sum()
    dispersion = (((per["sum"] - p * per["size"]) ** 2) / (per["size"] * p * (1 - p))).sum()
    assert stats.chi2.sf(dispersion, len(per) - 1) > 0.001


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"n_moderators": 3},
            r"'n_moderators' parameter of simulate_pilot must be an integer >= 4",
        ),
        (
            {"p_control": 1.2},
            r"'p_control' parameter of simulate_pilot must be a number in \(0, 1\)",
        ),
        ({"icc": 1.0}, r"'icc' parameter of simulate_pilot must be a number in \[0, 1\)"),
        (
            {"odds_ratio": 0},
            r"'odds_ratio' parameter of simulate_pilot must be a finite number > 0",
        ),
        ({"audits_per_week": -1}, r"'audits_per_week' parameter .* > 0"),
        ({"weeks": 0}, r"'weeks' parameter of simulate_pilot must be an integer >= 1"),
        ({"seed": -1}, r"'seed' parameter of simulate_pilot must be a non-negative integer"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate_pilot(**kwargs)
