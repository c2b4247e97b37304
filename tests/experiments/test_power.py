import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import experiments as ref
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from qainsights.experiments import cluster_icc, power, sample_size_for_effect


def _fleiss_n(p0, p1, *, r=1.0, alpha=0.05, target=0.8):
    """Fleiss, Tytun & Ury (1980), written out: n0 = [z_a sqrt(pbar qbar (1 + 1/r)) +
    z_b sqrt(p0 q0 + p1 q1 / r)]² / d², pbar = (p0 + r p1)/(1 + r)."""
    za, zb = stats.norm.isf(alpha / 2), stats.norm.isf(1 - target)
    pbar = (p0 + r * p1) / (1 + r)
    spread = za * np.sqrt(pbar * (1 - pbar) * (1 + 1 / r)) + zb * np.sqrt(
        p0 * (1 - p0) + p1 * (1 - p1) / r
    )
    return (spread / (p1 - p0)) ** 2


def test_pooled_sample_size_matches_r_power_prop_test():
    # R's documented examples of power.prop.test (stats package, ?power.prop.test):
    #   power.prop.test(p1 = .50, p2 = .75, power = .90)  # =>  n = 76.7
    #   power.prop.test(n = 50, p1 = .50, p2 = .75)       # =>  power = 0.740
    #   power.prop.test(n = 50, p1 = .5, power = .90)     # =>  p2 = 0.8026
    r_n, r_power, r_p2 = (ref.R_POWER_PROP_TEST[key][1] for key in ("n", "power", "p2"))
    plan = sample_size_for_effect(0.50, 0.75, power=0.90)
    assert plan[["n_control", "n_treatment", "n_total"]].iloc[0].tolist() == [77, 77, 154]
    assert round(_fleiss_n(0.50, 0.75, target=0.90), 1) == r_n
    assert power(0.50, 0.75, n_control=r_n)["power"].iloc[0] == pytest.approx(0.90, abs=1e-4)
    assert round(power(0.50, 0.75, n_control=50)["power"].iloc[0], 3) == r_power
    assert power(0.50, r_p2, n_control=50)["power"].iloc[0] == pytest.approx(0.90, abs=1e-4)


@pytest.mark.parametrize(
    ("p0", "p1", "ratio", "target"),
    [
        (0.09, 0.054, 1.0, 0.8),
        (0.05, 0.08, 2.0, 0.9),
        (0.12, 0.10, 0.5, 0.8),
        (0.3, 0.2, 1.0, 0.95),
    ],
)
def test_arcsine_matches_statsmodels_normal_ind_power(p0, p1, ratio, target):
    # Reference: statsmodels NormalIndPower with proportion_effectsize (Cohen's h); nobs1 is
    # the control arm and nobs2 = ratio * nobs1.
    h = proportion_effectsize(p1, p0)
    nobs1 = NormalIndPower().solve_power(effect_size=h, alpha=0.05, power=target, ratio=ratio)
    plan = sample_size_for_effect(p0, p1, power=target, ratio=ratio, method="arcsine")
    assert plan["n_control"].iloc[0] == int(np.ceil(nobs1))
    assert plan["n_treatment"].iloc[0] == int(np.ceil(nobs1 * ratio - 1e-9))
    reference = NormalIndPower().power(effect_size=h, nobs1=500, alpha=0.05, ratio=ratio)
    ours = power(p0, p1, n_control=500, ratio=ratio, method="arcsine")["power"].iloc[0]
    # statsmodels adds the far tail Φ(−z_a − |h|·sqrt(n_eff)) = Φ(−2 z_a − Φ⁻¹(ours)).
    far_tail = stats.norm.cdf(-2 * stats.norm.isf(0.025) - stats.norm.ppf(ours))
    assert ours + far_tail == pytest.approx(reference, rel=1e-9)


@pytest.mark.parametrize(("h", "cohen_n"), list(ref.COHEN_TABLE_6_4_1.items()))
def test_arcsine_against_cohens_table(h, cohen_n):
    # Cohen (1988), Table 6.4.1: n per sample for h at two-sided alpha = .05, power = .80.
    # Cohen rounds to the nearest integer; sample_size_for_effect rounds up.
    p0 = 0.5
    p1 = np.sin(np.arcsin(np.sqrt(p0)) + h / 2) ** 2
    n = sample_size_for_effect(p0, p1, method="arcsine")["n_control"].iloc[0]
    assert n - 1 <= cohen_n <= n


def test_pooled_unequal_allocation_is_fleiss_tytun_ury():
    # Fleiss, Tytun & Ury (1980), the formula written out in _fleiss_n.
    p0, p1, r = 0.08, 0.05, 3.0
    n0 = _fleiss_n(p0, p1, r=r)
    plan = sample_size_for_effect(p0, p1, ratio=r).iloc[0]
    assert plan["n_control"] == int(np.ceil(n0))
    assert plan["n_treatment"] == int(np.ceil(r * n0))


def test_design_effect_inflates_the_sample_size():
    # Donner & Klar (2000): deff = 1 + (m - 1) ICC; 30 audits per moderator, ICC 0.02 -> 1.58.
    plain = sample_size_for_effect(0.50, 0.75, power=0.90)
    clustered = sample_size_for_effect(0.50, 0.75, power=0.90, icc=0.02, cluster_size=30)
    assert clustered["design_effect"].iloc[0] == pytest.approx(1.58)
    n = _fleiss_n(0.50, 0.75, target=0.90)
    assert clustered["n_control"].iloc[0] == int(np.ceil(n * 1.58))
    assert plain["design_effect"].iloc[0] == 1.0
    effective = power(0.5, 0.75, n_control=n * 1.58, icc=0.02, cluster_size=30)
    assert effective["power"].iloc[0] == pytest.approx(0.90, abs=1e-6)


def test_weeks_and_several_effects():
    plan = sample_size_for_effect(0.09, [0.06, 0.07, 0.12], audits_per_week=100)
    assert plan["p_treatment"].tolist() == [0.06, 0.07, 0.12]
    np.testing.assert_array_equal(plan["weeks"], np.ceil(plan["n_treatment"] / 100))
    assert plan["n_control"].is_monotonic_increasing is False  # 0.07 is the hardest to detect


@settings(max_examples=60, deadline=None)
@given(
    p0=st.floats(0.02, 0.5),
    shift=st.floats(0.01, 0.2),
    target=st.floats(0.5, 0.95),
    ratio=st.sampled_from([0.5, 1.0, 2.0]),
    method=st.sampled_from(["pooled", "arcsine"]),
)
def test_the_planned_sample_reaches_the_planned_power(p0, shift, target, ratio, method):
    p1 = min(p0 + shift, 0.99)
    plan = sample_size_for_effect(p0, p1, power=target, ratio=ratio, method=method).iloc[0]
    reached = power(p0, p1, n_control=float(plan["n_control"]), ratio=ratio, method=method)
    assert reached["power"].iloc[0] >= target - 1e-9
    fewer = power(p0, p1, n_control=float(plan["n_control"]) - 1, ratio=ratio, method=method)
    assert fewer["power"].iloc[0] < reached["power"].iloc[0]


def test_cluster_icc_matches_one_way_anova():
    # Reference: scipy.stats.f_oneway gives F = MSB/MSW; the ANOVA ICC is
    # (F - 1)/(F + n0 - 1) with n0 = (N - sum n_i^2 / N)/(k - 1).
    rng = np.random.default_rng(3)
    sizes = rng.integers(5, 40, 25)
    cluster = np.repeat(np.arange(25), sizes)
    p = 1 / (1 + np.exp(-(-2 + rng.normal(0, 0.8, 25))))
    y = rng.random(len(cluster)) < p[cluster]
    audits = pd.DataFrame({"moderator_id": cluster, "is_error": y})
    f = stats.f_oneway(*[y[cluster == c].astype(float) for c in range(25)]).statistic
    big_n = len(y)
    n0 = (big_n - (sizes**2).sum() / big_n) / 24
    table = cluster_icc(audits)
    assert table["icc"].iloc[0] == pytest.approx((f - 1) / (f + n0 - 1), rel=1e-10)
    assert table["mean_cluster_size"].iloc[0] == pytest.approx(big_n / 25)


def test_cluster_icc_by_hand():
    # Derivation: clusters 3/4, 0/4, 1/4: MSB = (2.5 - 16/12)/2, MSW = (4 - 2.5)/9, n0 = 4,
    # ICC = (MSB - MSW)/(MSB + 3 MSW) = 0.41667/1.08333 = 0.384615.
    audits = pd.DataFrame(
        {"moderator_id": list("aaaabbbbcccc"), "is_error": [1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0]}
    )
    before = audits.copy()
    table = cluster_icc(audits)
    assert table["icc"].iloc[0] == pytest.approx(5 / 13)
    assert table["design_effect"].iloc[0] == pytest.approx(1 + 3 * 5 / 13)
    pd.testing.assert_frame_equal(audits, before)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"p_control": 0.0},
            r"The 'p_control' parameter of sample_size_for_effect must be a number strictly between 0 and 1. Got 0.0 instead",
        ),
        (
            {"p_treatment": 0.09},
            r"must hold rates strictly between 0 and 1 that differ from p_control=0.09",
        ),
        ({"p_treatment": [0.05, 1.2]}, r"Got \[0.05, 1.2\] instead"),
        ({"alpha": 5}, r"The 'alpha' parameter of sample_size_for_effect"),
        ({"power": 1.0}, r"The 'power' parameter of sample_size_for_effect"),
        (
            {"ratio": 0},
            r"The 'ratio' parameter of sample_size_for_effect must be a finite number > 0",
        ),
        (
            {"icc": 1.0},
            r"The 'icc' parameter of sample_size_for_effect must be a number in \[0, 1\)",
        ),
        ({"cluster_size": 0.5}, r"The 'cluster_size' parameter .* >= 1"),
        (
            {"method": "exact"},
            r"The 'method' parameter of sample_size_for_effect must be one of 'pooled', 'arcsine'. Got 'exact' instead.",
        ),
        ({"audits_per_week": -1}, r"The 'audits_per_week' parameter"),
    ],
)
def test_sample_size_bad_inputs(kwargs, message):
    options = {"p_control": 0.09, "p_treatment": 0.06} | kwargs
    with pytest.raises(ValueError, match=message):
        sample_size_for_effect(options.pop("p_control"), options.pop("p_treatment"), **options)


def test_power_and_icc_bad_inputs():
    with pytest.raises(
        ValueError, match=r"The 'n_control' parameter of power must be a finite number > 0"
    ):
        power(0.09, 0.06, n_control=0)
    with pytest.raises(
        ValueError, match=r"cluster_icc needs at least two clusters .* Got 3 audits in 3"
    ):
        cluster_icc(pd.DataFrame({"moderator_id": [1, 2, 3], "is_error": [True, False, True]}))
    with pytest.raises(ValueError, match=r"cluster_icc needs column 'moderator_id'"):
        cluster_icc(pd.DataFrame({"is_error": [True]}))
