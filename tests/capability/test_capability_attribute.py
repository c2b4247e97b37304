"""Attribute capability, DPMO and rolled throughput yield (tests/reference/capability.md §4-§5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference import capability as ref
from scipy.stats import chi2, norm
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from qainsights.capability import attribute_capability, dpmo, rolled_throughput_yield


def _measure(table: pd.DataFrame, name: str) -> pd.Series:
    return table.loc[table["measure"] == name].iloc[0]


def test_worked_qa_example():
    # capability.md §4: 27 defects, 1,500 items x 4 opportunities.
    example = ref.QA_EXAMPLE
    table = attribute_capability(
        pd.DataFrame({"errors": [27], "audits": [1500]}),
        defects="errors",
        units="audits",
        opportunities=4,
    )
    assert _measure(table, "DPO")["estimate"] == pytest.approx(example["dpo"])
    assert _measure(table, "DPMO")["estimate"] == pytest.approx(example["dpmo"])
    assert _measure(table, "DPU")["estimate"] == pytest.approx(27 / 1500)
    z_long_term = _measure(table, "z_long_term")["estimate"]
    assert z_long_term == pytest.approx(example["z_long_term"], abs=1e-6)
    assert _measure(table, "sigma_level_short_term")["estimate"] == pytest.approx(
        example["sigma_level"], abs=1e-6
    )
    # Probability that a unit of 4 opportunities is defect-free: (1 - 0.0045) ** 4.
    assert _measure(table, "yield")["estimate"] == pytest.approx(0.9955**4)
    assert table[["defects", "units", "total_opportunities"]].iloc[0].tolist() == [27, 1500, 6000]
    assert dpmo(27, 1500, opportunities=4) == pytest.approx(example["dpmo"])


@pytest.mark.parametrize("interval", ["wilson", "clopper_pearson"])
def test_binomial_interval_matches_statsmodels(interval):
    frame = pd.DataFrame({"errors": [27], "audits": [6000]})
    table = attribute_capability(frame, defects="errors", units="audits", interval=interval)
    low, high = proportion_confint(27, 6000, method={"wilson": "wilson"}.get(interval, "beta"))
    row = _measure(table, "DPO")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-9)
    dpmo_row = _measure(table, "DPMO")
    assert (dpmo_row["ci_low"], dpmo_row["ci_high"]) == pytest.approx((1e6 * low, 1e6 * high))
    # Z and sigma level are decreasing in the rate: their bounds swap.
    z_row = _measure(table, "z_long_term")
    assert (z_row["ci_low"], z_row["ci_high"]) == pytest.approx((norm.isf(high), norm.isf(low)))
    assert z_row["method"] == f"binomial, {interval} interval"


def test_clopper_pearson_at_the_boundaries():
    # Clopper & Pearson (1934): 0 of n -> upper bound 1 - (alpha/2)^(1/n); n of n -> lower (alpha/2)^(1/n).
    frame = pd.DataFrame({"errors": [0, 40], "audits": [40, 40], "queue": ["a", "b"]})
    table = attribute_capability(
        frame, defects="errors", units="audits", by="queue", interval="clopper_pearson"
    )
    dpo = table.loc[table["measure"] == "DPO"].set_index("queue")
    assert dpo.loc["a", "ci_low"] == 0.0
    assert dpo.loc["a", "ci_high"] == pytest.approx(1 - 0.025 ** (1 / 40))
    assert dpo.loc["b", "ci_low"] == pytest.approx(0.025 ** (1 / 40))
    assert dpo.loc["b", "ci_high"] == 1.0
    z = table.loc[table["measure"] == "z_long_term"].set_index("queue")
    assert z.loc["a", "estimate"] == np.inf
    assert z.loc["b", "estimate"] == -np.inf


@pytest.mark.parametrize(
    ("count", "low", "high"),
    # Garwood (1936) exact 95 % Poisson limits (capability.md §5).
    [(count, low, high) for count, (low, high) in ref.GARWOOD_95.items()],
)
def test_poisson_interval_matches_garwood_table(count, low, high):
    table = attribute_capability(
        pd.DataFrame({"defects": [count], "units": [1]}),
        defects="defects",
        units="units",
        opportunities=1000,
        model="poisson",
    )
    row = _measure(table, "DPU")
    assert row["ci_low"] == pytest.approx(low, abs=6e-4)
    assert row["ci_high"] == pytest.approx(high, abs=6e-3)


def test_poisson_interval_matches_chi_square_form_and_statsmodels():
    frame = pd.DataFrame({"defects": [17, 20], "units": [40, 60], "site": ["x", "x"]})
    table = attribute_capability(
        frame,
        defects="defects",
        units="units",
        by="site",
        model="poisson",
        ci=0.9,
        opportunities=3,
    )
    # Garwood in chi-square form: [chi2_{a/2}(2k) / 2, chi2_{1-a/2}(2k+2) / 2] / exposure.
    k, exposure = 37, 100
    expected = (chi2.ppf(0.05, 2 * k) / 2 / exposure, chi2.ppf(0.95, 2 * k + 2) / 2 / exposure)
    row = _measure(table, "DPU")
    assert row["estimate"] == pytest.approx(0.37)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(expected, rel=1e-9)
    statsmodels_bounds = confint_poisson(k, exposure, method="exact-c", alpha=0.1)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(statsmodels_bounds, rel=1e-9)
    # Poisson yield is exp(-DPU), decreasing in DPU; DPO = DPU / 3 opportunities.
    unit_yield = _measure(table, "yield")
    assert unit_yield["estimate"] == pytest.approx(np.exp(-0.37))
    assert unit_yield["ci_low"] == pytest.approx(np.exp(-expected[1]))
    assert _measure(table, "DPO")["estimate"] == pytest.approx(0.37 / 3)


def test_raw_audit_rows_and_groups():
    audits = pd.DataFrame(
        {"queue": ["b", "a", "a", "b", "a"], "is_error": [True, False, True, False, False]}
    )
    table = attribute_capability(audits, defects="is_error", by="queue")
    dpo = table.loc[table["measure"] == "DPO"].set_index("queue")["estimate"]
    assert dpo.to_dict() == pytest.approx({"a": 1 / 3, "b": 1 / 2})
    assert list(table.columns) == [
        "queue",
        "measure",
        "estimate",
        "ci_low",
        "ci_high",
        "defects",
        "units",
        "total_opportunities",
        "method",
    ]
    assert len(table) == 12


def test_groups_follow_rows_not_the_index():
    frame = pd.DataFrame({"d": [1, 0, 2], "u": [10, 10, 10], "q": ["a", "b", "a"]}, index=[7, 3, 5])
    table = attribute_capability(frame, defects="d", units="u", by="q")
    dpo = table.loc[table["measure"] == "DPO"].set_index("q")["estimate"]
    assert dpo.to_dict() == pytest.approx({"a": 3 / 20, "b": 0.0})
    with pytest.raises(
        ValueError,
        match=r"attribute_capability found 1 rows with a missing value in column 'q' \(index 3\)",
    ):
        attribute_capability(frame.assign(q=["a", None, "a"]), defects="d", units="u", by="q")


def test_opportunities_column_weights_units():
    frame = pd.DataFrame({"d": [3, 1], "u": [100, 50], "opp": [2, 4]})
    table = attribute_capability(frame, defects="d", units="u", opportunities="opp")
    # 4 defects over 100*2 + 50*4 = 400 opportunities.
    assert _measure(table, "DPMO")["estimate"] == pytest.approx(1e6 * 4 / 400)
    assert _measure(table, "DPU")["estimate"] == pytest.approx(4 / 150)


def test_shift_is_explicit():
    frame = pd.DataFrame({"d": [27], "u": [6000]})
    no_shift = attribute_capability(frame, defects="d", units="u", shift=0)
    row = _measure(no_shift, "sigma_level_short_term")
    assert row["estimate"] == pytest.approx(_measure(no_shift, "z_long_term")["estimate"])


def test_intervals_contain_estimates():
    frame = pd.DataFrame({"d": [0, 5, 50, 300], "u": [100, 100, 1000, 1000], "g": list("abcd")})
    for model in ("binomial", "poisson"):
        table = attribute_capability(frame, defects="d", units="u", by="g", model=model)
        finite = table[np.isfinite(table["estimate"])]
        low, estimate, high = (finite[c].to_numpy() for c in ("ci_low", "estimate", "ci_high"))
        # Wilson's lower bound at 0 errors is 0 up to rounding (about 1e-18 on the DPO scale).
        assert ((low <= estimate) | np.isclose(low, estimate, rtol=0, atol=1e-9)).all()
        assert ((estimate <= high) | np.isclose(high, estimate, rtol=0, atol=1e-9)).all()


def test_rolled_throughput_yield():
    # Product of step yields: 0.98 * 0.95 * 0.99 = 0.92169.
    assert rolled_throughput_yield([0.98, 0.95, 0.99]) == pytest.approx(0.92169)
    # Poisson steps: exp(-DPU1) * exp(-DPU2) = exp(-(DPU1 + DPU2)).
    assert rolled_throughput_yield(np.exp([-0.1, -0.2])) == pytest.approx(np.exp(-0.3))


@pytest.mark.parametrize("bad", [[], [0.9, 1.2], [0.9, np.nan], [-0.1]])
def test_rolled_throughput_yield_bad(bad):
    with pytest.raises(
        ValueError,
        match=r"The 'yields' parameter of rolled_throughput_yield must hold one yield per step",
    ):
        rolled_throughput_yield(bad)


def test_dpmo_bad_inputs():
    with pytest.raises(
        ValueError,
        match=r"The 'units' parameter of dpmo must hold finite positive numbers\. "
        r"Got 1 bad value\(s\): 0\.0",
    ):
        dpmo(1, [10, 0])
    with pytest.raises(ValueError, match=r"dpmo found 1 count\(s\) with more defects than"):
        dpmo(11, 10)
    with pytest.raises(
        ValueError, match=r"The 'defects' parameter of dpmo must hold finite non-neg"
    ):
        dpmo(-1, 10)


def test_attribute_capability_bad_inputs():
    frame = pd.DataFrame({"d": [1, 2], "u": [10, 10], "q": ["a", "b"]})
    with pytest.raises(
        ValueError,
        match=r"The 'model' parameter of attribute_capability must be one of 'binomial', "
        r"'poisson'\. Got 'binomal' instead\.",
    ):
        attribute_capability(frame, defects="d", units="u", model="binomal")
    with pytest.raises(
        ValueError,
        match=r"The 'interval' parameter of attribute_capability must be one of 'garwood'\. "
        r"Got 'wilson' instead\.",
    ):
        attribute_capability(frame, defects="d", units="u", model="poisson", interval="wilson")
    with pytest.raises(ValueError, match=r"attribute_capability needs column 'queue' in 'data'"):
        attribute_capability(frame, defects="d", units="u", by="queue")
    with pytest.raises(TypeError, match=r"The 'data' parameter of attribute_capability must be"):
        attribute_capability([1, 2], defects="d")
    with pytest.raises(ValueError, match=r"The 'ci' parameter of attribute_capability"):
        attribute_capability(frame, defects="d", units="u", ci=95)
    with pytest.raises(
        ValueError,
        match=r"attribute_capability found 1 rows with a missing value in column 'd' \(index 1\)",
    ):
        attribute_capability(frame.assign(d=[1, np.nan]), defects="d", units="u")
    with pytest.raises(
        ValueError,
        match=r"The 'defects' column 'd' of attribute_capability must hold finite non-negative "
        r"numbers\. Found 2 other values: -1\.0, inf\.",
    ):
        attribute_capability(frame.assign(d=[-1, np.inf]), defects="d", units="u")
    with pytest.raises(
        ValueError,
        match=r"The 'units' column 'u' of attribute_capability must be numeric\. Got dtype "
        r"\w+ instead; convert it with pd\.to_numeric first\.",
    ):
        attribute_capability(frame.assign(u=["10", "ten"]), defects="d", units="u")
    with pytest.raises(
        ValueError,
        match=r"The 'opportunities' column 'u' of attribute_capability must hold finite positive "
        r"numbers\. Found 1 other values: 0\. Check these counts",
    ):
        attribute_capability(frame.assign(u=[10, 0]), defects="d", opportunities="u")
    with pytest.raises(
        ValueError,
        match=r"The 'opportunities' parameter of attribute_capability must hold finite positive",
    ):
        attribute_capability(frame, defects="d", units="u", opportunities=0)
    with pytest.raises(
        ValueError, match=r"attribute_capability found 1 count\(s\) with more defects than opp"
    ):
        attribute_capability(frame.assign(d=[1, 11]), defects="d", units="u", by="q")
    with pytest.raises(TypeError, match=r"The 'opportunities' parameter of attribute_capability"):
        attribute_capability(frame, defects="d", units="u", opportunities=[1, 2])
    with pytest.raises(ValueError, match=r"attribute_capability got an empty 'data' frame"):
        attribute_capability(frame.iloc[:0], defects="d", units="u")


def test_frame_unchanged():
    frame = pd.DataFrame({"d": [1, 2, 0], "u": [10, 10, 5], "q": ["a", "b", "a"]})
    before = frame.copy()
    attribute_capability(frame, defects="d", units="u", by="q", model="poisson")
    pd.testing.assert_frame_equal(frame, before)


def _moderated_audits(seed: int = 3, spread: float = 0.6, each: int = 20) -> pd.DataFrame:
    """Audits by 30 moderators whose abilities differ by ``spread`` (logit sd)."""
    rng = np.random.default_rng(seed)
    moderator = np.repeat(np.arange(30), each)
    ability = rng.normal(0.0, spread, 30)
    chance = 1 / (1 + np.exp(3.0 - ability[moderator]))
    return pd.DataFrame({
        "moderator_id": moderator,
        "queue": np.tile(["a", "b"], 15 * each),
        "is_error": rng.random(30 * each) < chance,
    })  # fmt: skip


@pytest.mark.parametrize("nested", [False, True])
def test_clustered_dpo_interval_is_error_rates_with_the_same_clusters(nested):
    # error_rate's clustered interval is checked against R's survey package
    # (tests/reference/rates.md); on 0/1 audit rows the DPO is the same estimand. With
    # moderators nested in queues, each queue is a domain of the 30 moderators sampled.
    from qainsights import error_rate

    audits = _moderated_audits()
    if nested:
        audits["queue"] = np.where(audits["moderator_id"] < 12, "a", "b")
    before = audits.copy()
    table = attribute_capability(audits, defects="is_error", by="queue", cluster="moderator_id")
    pd.testing.assert_frame_equal(audits, before)
    dpo = table[table["measure"] == "DPO"].reset_index(drop=True)
    rates = error_rate(audits, by="queue", cluster="moderator_id")
    assert dpo["estimate"].to_numpy() == pytest.approx(rates["rate"].to_numpy())
    assert dpo["ci_low"].to_numpy() == pytest.approx(rates["ci_low"].to_numpy(), rel=1e-10)
    assert dpo["ci_high"].to_numpy() == pytest.approx(rates["ci_high"].to_numpy(), rel=1e-10)
    assert dpo["effective_exposure"].to_numpy() == pytest.approx(rates["n_eff"].to_numpy())
    assert dpo["clusters"].tolist() == ([12, 18] if nested else [30, 30])
    assert dpo["method"].str.endswith("clusters 'moderator_id'").all()


def test_clustered_poisson_counts_by_hand():
    # two clusters of 10 units with 1 and 5 defects: r = 0.3 per unit, residuals -2 and 2,
    # var = 2/1 x 8 / 20**2 = 0.04; Poisson variance r / var = 7.5 units, times Korn and
    # Graubard's (t_19 / t_1)**2; Garwood's interval on 0.3 x that many units' defects
    from scipy import stats

    counts = pd.DataFrame({"site": ["x", "y"], "defects": [1, 5], "units": [10, 10]})
    table = attribute_capability(counts, defects="defects", units="units", model="poisson",
                                 cluster="site")  # fmt: skip
    dpu = table[table["measure"] == "DPU"].iloc[0]
    factor = (stats.t.isf(0.025, 19) / stats.t.isf(0.025, 1)) ** 2
    units = 7.5 * factor
    assert dpu["effective_exposure"] == pytest.approx(units)
    assert dpu["ci_low"] == pytest.approx(stats.gamma.ppf(0.025, 0.3 * units) / units)
    assert dpu["ci_high"] == pytest.approx(stats.gamma.isf(0.025, 0.3 * units + 1) / units)


def test_one_cluster_gives_no_interval_and_a_missing_column_is_named():
    one = pd.DataFrame({"moderator_id": [1] * 5, "is_error": [0, 1, 0, 0, 0]})
    with pytest.warns(UserWarning, match="got a single cluster in all; no variance"):
        table = attribute_capability(one, defects="is_error", cluster="moderator_id")
    assert table[["ci_low", "ci_high"]].isna().all().all()
    with pytest.raises(ValueError, match="moderator"):
        attribute_capability(one.drop(columns="moderator_id"), defects="is_error",
                             cluster="moderator_id")  # fmt: skip


def test_rows_of_moderators_who_differ_are_warned_of_without_cluster():
    audits = _moderated_audits(spread=1.2, each=60)
    with pytest.warns(UserWarning, match=r"attribute_capability treats audits as independent.*"
                      r"cluster='moderator_id'"):  # fmt: skip
        attribute_capability(audits, defects="is_error", by="queue")
    # moderators of one ability: binomial variation only, no warning
    even = audits.assign(is_error=np.random.default_rng(0).random(len(audits)) < 0.05)
    attribute_capability(even, defects="is_error", by="queue")
