"""Tests of moderator_outliers (beta-binomial empirical Bayes, funnel limits, FDR flags).

Sources, in tests/reference/standardisation_and_shrinkage.md, part 2: an independent maximum-
likelihood fit of the beta-binomial (scipy.optimize over scipy.stats.betabinom.logpmf, another
parametrisation and optimiser) computed at test time; the conjugate beta posterior (Gelman et
al., Bayesian Data Analysis, ch. 2 and 5) through scipy.stats.beta; prior-predictive tails and
quantiles from scipy.stats.betabinom; Benjamini-Hochberg q-values from statsmodels
multipletests; Spiegelhalter's (2005) 95 % and 99.8 % funnel levels.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, special, stats
from statsmodels.stats.multitest import multipletests

from qainsights.datasets import simulate_audits
from qainsights.moderators import moderator_outliers
from qainsights.plotting import PALETTE, plot_funnel


def audits_from_counts(errors, n, prefix="m"):
    """One row per audit: moderator i has errors[i] errors in n[i] audits."""
    errors, n = np.asarray(errors), np.asarray(n)
    ids = np.array([f"{prefix}{i:03d}" for i in range(len(n))])
    position = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    return pd.DataFrame(
        {"moderator_id": np.repeat(ids, n), "is_error": position < np.repeat(errors, n)}
    )


def beta_binomial_counts(seed, moderators=300, alpha=6.0, beta=114.0, low=40, high=300):
    """Counts drawn from a known beta-binomial: the null model with no outliers."""
    rng = np.random.default_rng(seed)
    n = rng.integers(low, high, moderators)
    errors = rng.binomial(n, rng.beta(alpha, beta, moderators))
    return errors, n


# --- the prior -------------------------------------------------------------------------------


def independent_fit(errors, n):
    """Maximum likelihood on (log α, log β) with Nelder-Mead and scipy's betabinom.logpmf."""

    def negative_log_likelihood(theta):
        return -stats.betabinom.logpmf(errors, n, *np.exp(theta)).sum()

    fit = optimize.minimize(
        negative_log_likelihood,
        x0=np.log([1.0, 10.0]),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20_000, "maxfev": 40_000},
    )
    return np.exp(fit.x), -fit.fun


@pytest.mark.parametrize("seed", [1, 2])
def test_prior_matches_an_independent_maximum_likelihood_fit(seed):
    errors, n = beta_binomial_counts(seed)
    result = moderator_outliers(audits_from_counts(errors, n))
    (alpha, beta), log_likelihood = independent_fit(errors, n)
    prior = result.prior
    assert prior.log_likelihood == pytest.approx(log_likelihood, abs=1e-6)
    assert prior.alpha == pytest.approx(alpha, rel=1e-3)
    assert prior.beta == pytest.approx(beta, rel=1e-3)
    assert prior.log_likelihood == pytest.approx(
        stats.betabinom.logpmf(errors, n, prior.alpha, prior.beta).sum(), rel=1e-12
    )
    assert prior.moderators == len(n)
    # Derived quantities: mean α/(α+β), ρ = 1/(α+β+1), sd² = μ(1−μ)ρ = var of Beta(α, β).
    assert prior.mean == pytest.approx(prior.alpha / (prior.alpha + prior.beta))
    assert prior.sd == pytest.approx(stats.beta(prior.alpha, prior.beta).std())


def test_no_overdispersion_collapses_to_the_pooled_rate():
    # Every moderator has exactly 5 errors in 100 audits: no spread beyond binomial, so the
    # fitted precision α + β runs to its bound, every shrunken rate is the pooled 5 % and the
    # p-values are binomial two-sided (doubled smaller tail) ones.
    result = moderator_outliers(audits_from_counts([5] * 8 + [9, 1], [100] * 10))
    prior = result.prior
    assert prior.alpha + prior.beta > 1e6
    assert prior.mean == pytest.approx(0.05, rel=1e-5)
    np.testing.assert_allclose(result.table["shrunken_rate"], 0.05, rtol=1e-4)
    k = result.table["errors"].to_numpy()
    binomial = np.minimum(
        1, 2 * np.minimum(stats.binom.cdf(k, 100, 0.05), stats.binom.sf(k - 1, 100, 0.05))
    )
    np.testing.assert_allclose(result.table["p_value"], binomial, rtol=1e-4)


# --- posterior, p-values, q-values --------------------------------------------------------------


def test_posterior_is_the_conjugate_beta():
    errors, n = beta_binomial_counts(3, moderators=60)
    result = moderator_outliers(audits_from_counts(errors, n), ci=0.9)
    a, b = result.prior.alpha, result.prior.beta
    table = result.table
    # Posterior Beta(α + k, β + n − k): its mean, and the same mean written as shrinkage
    # B μ + (1 − B) k/n with B = (α + β)/(α + β + n).
    posterior = stats.beta(a + errors, b + n - errors)
    np.testing.assert_allclose(table["shrunken_rate"], posterior.mean(), rtol=1e-12)
    shrink = (a + b) / (a + b + n)
    np.testing.assert_allclose(
        table["shrunken_rate"], shrink * result.prior.mean + (1 - shrink) * errors / n, rtol=1e-12
    )
    np.testing.assert_allclose(table["shrunken_ci_low"], posterior.ppf(0.05), rtol=1e-10)
    np.testing.assert_allclose(table["shrunken_ci_high"], posterior.ppf(0.95), rtol=1e-10)


def test_raw_rates_are_modified_wilson_intervals():
    from reference.rates import modified_wilson

    errors, n = beta_binomial_counts(4, moderators=30)
    table = moderator_outliers(audits_from_counts(errors, n)).table
    low, high = modified_wilson(errors, n)
    np.testing.assert_allclose(table["rate"], errors / n)
    np.testing.assert_allclose(table["ci_low"], low, atol=1e-12)
    np.testing.assert_allclose(table["ci_high"], high, atol=1e-12)


def test_p_values_and_expected_range_from_the_prior_predictive():
    errors, n = beta_binomial_counts(5, moderators=80)
    errors[:3] = [0, n[1] // 3, n[2] // 2]  # a few extreme moderators
    result = moderator_outliers(audits_from_counts(errors, n))
    a, b = result.prior.alpha, result.prior.beta
    predictive = stats.betabinom(n, a, b)
    expected = np.minimum(1, 2 * np.minimum(predictive.cdf(errors), predictive.sf(errors - 1)))
    # scipy's sf is 1 - cdf, exact to about 1e-13 in absolute terms ...
    np.testing.assert_allclose(result.table["p_value"], expected, rtol=1e-9, atol=1e-12)
    # ... so the two small upper tails are also checked summed in log space from logpmf.
    for i in (1, 2):
        support = np.arange(errors[i], n[i] + 1)
        tail = np.exp(special.logsumexp(stats.betabinom.logpmf(support, n[i], a, b)))
        assert result.table["p_value"].iloc[i] == pytest.approx(2 * tail, rel=1e-10)
    np.testing.assert_allclose(result.table["expected_low"], predictive.ppf(0.025) / n)
    np.testing.assert_allclose(result.table["expected_high"], predictive.ppf(0.975) / n)


def test_q_values_are_benjamini_hochberg_over_eligible_moderators():
    errors, n = beta_binomial_counts(6, moderators=120, low=5, high=200)
    errors[:4] = [n[0] // 2, n[1] // 2, 0, n[3] // 3]
    result = moderator_outliers(audits_from_counts(errors, n), min_n=30, q=0.1)
    table = result.table
    eligible = table["n"] >= 30
    expected = multipletests(table.loc[eligible, "p_value"], method="fdr_bh")[1]
    np.testing.assert_allclose(table.loc[eligible, "q_value"], expected)
    assert table.loc[~eligible, "q_value"].isna().all()
    flagged = eligible & (table["q_value"] <= 0.1)
    assert flagged.sum() >= 2
    high = flagged & (table["rate"] > result.prior.mean)
    assert (table.loc[high, "status"] == "separable high").all()
    assert (table.loc[flagged & ~high, "status"] == "separable low").all()
    assert (table.loc[eligible & ~flagged, "status"] == "within expected range").all()
    assert (table.loc[~eligible, "status"] == "too few audits").all()


def test_moderators_below_min_n_are_never_flagged():
    errors, n = beta_binomial_counts(7, moderators=50)
    audits = audits_from_counts([*errors, 12], [*n, 12])  # 12 errors in 12 audits
    table = moderator_outliers(audits, min_n=30).table
    last = table.iloc[-1]
    assert last["p_value"] < 1e-6  # extreme ...
    assert last["status"] == "too few audits"  # ... but kept and never flagged
    assert np.isnan(last["q_value"])


# --- calibration: false flags stay rare, planted outliers are found ----------------------------


def test_null_beta_binomial_rarely_flags_anyone():
    # Under the global null (every moderator drawn from one beta-binomial) BH keeps the chance
    # of any flag at or below q = 0.05. Of 30 data sets, allow 5 with a flag:
    # P(Binomial(30, 0.05) >= 6) = 0.003. (Observed: 1 of 30.)
    runs_with_flags = sum(
        moderator_outliers(audits_from_counts(*beta_binomial_counts(seed, moderators=150)))
        .table["status"]
        .str.startswith("separable")
        .any()
        for seed in range(100, 130)
    )
    assert runs_with_flags <= 5


def test_simulated_operation_without_effects_flags_almost_nobody():
    # simulate_audits(effects=False): moderators differ (ability sd 0.35 on the logit scale,
    # sites, mixes) but none is an outlier from that spread. Over three 26-week operations of
    # 400 moderators, the share flagged stays far below q (observed: 0 of 1200).
    flagged = [
        moderator_outliers(simulate_audits(seed=seed, weeks=26, effects=False).audits)
        .table["status"]
        .str.startswith("separable")
        .sum()
        for seed in range(3)
    ]
    assert sum(flagged) / 1200 <= 0.05 / 10


def test_planted_outliers_are_found():
    sim = simulate_audits(seed=4, weeks=26, effects=False)
    audits = sim.audits
    rng = np.random.default_rng(0)
    planted = ["M0010", "M0200", "M0333"]
    # These three (about 130 audits each) make an extra quarter of their decisions wrong: about
    # 30 % errors against an expected 7 %. (With an extra 15 %, only one of the three is
    # separable at q = 0.05 among 400 moderators: the price of controlling false flags.)
    extra = audits["moderator_id"].isin(planted).to_numpy() & (rng.random(len(audits)) < 0.25)
    result = moderator_outliers(audits.assign(is_error=audits["is_error"].to_numpy() | extra))
    flagged = result.flagged
    assert set(planted) <= set(flagged["moderator"])
    assert (flagged.set_index("moderator").loc[planted, "status"] == "separable high").all()
    assert len(flagged) <= len(planted) + 1


def test_moderators_flagged_high_in_the_simulation_are_truly_among_the_worst():
    # The roster's log-odds abilities are the truth: a moderator flagged "separable high" on a
    # full simulated year must be among the worst tenth of the 440, for every seed tried.
    for seed in range(3):
        sim = simulate_audits(seed=seed)
        result = moderator_outliers(sim.audits)
        high = result.flagged.loc[result.flagged["status"] == "separable high", "moderator"]
        ability = sim.moderators.set_index("moderator_id")["ability"]
        assert (ability[high.tolist()] >= ability.quantile(0.9)).all()


# --- the result ---------------------------------------------------------------------------------


def make_result():
    errors, n = beta_binomial_counts(8, moderators=40, low=10, high=150)
    errors[:2] = [n[0] // 2, 0]
    n[1] = max(n[1], 120)
    return moderator_outliers(audits_from_counts(errors, n))


def test_summary_names_only_flagged_moderators():
    result = make_result()
    text = result.summary()
    flagged = set(result.flagged["moderator"])
    assert flagged  # the test needs at least one
    for moderator in result.table["moderator"]:
        assert (moderator in text) == (moderator in flagged)
    assert f"{len(result.table)} moderators audited" in text
    assert "not named" in text
    assert "m0" not in repr(result)


def test_result_is_frozen_and_tidy():
    result = make_result()
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.q = 0.5
    assert result.to_frame() is result.table
    assert list(result.table.columns) == [
        "moderator", "n", "errors", "rate", "ci_low", "ci_high", "shrunken_rate",
        "shrunken_ci_low", "shrunken_ci_high", "expected_low", "expected_high", "p_value",
        "q_value", "status",
    ]  # fmt: skip
    assert "<h4>Moderator error rates</h4>" in result._repr_html_()
    assert result.flagged["q_value"].is_monotonic_increasing


def test_funnel_limits_are_beta_binomial_quantiles():
    result = make_result()
    limits = result.limits
    assert sorted(limits["level"].unique()) == [0.95, 0.998]
    for level, block in limits.groupby("level"):  # two levels
        predictive = stats.betabinom(block["n"], result.prior.alpha, result.prior.beta)
        tail = (1 - level) / 2
        np.testing.assert_allclose(block["lower"], predictive.ppf(tail) / block["n"])
        np.testing.assert_allclose(block["upper"], predictive.ppf(1 - tail) / block["n"])
        assert block["n"].min() == 1
        assert block["n"].max() == result.table["n"].max()


def test_plot_draws_the_result():
    result = make_result()
    ax = result.plot()
    table = result.table
    points = {c.get_label(): c.get_offsets() for c in ax.collections}
    for status, rows in table.groupby("status"):
        np.testing.assert_allclose(points[status], rows[["n", "rate"]].to_numpy())
    colours = {c.get_label(): c.get_facecolor()[0][:3] for c in ax.collections}
    high = tuple(int(PALETTE["separable high"][i : i + 2], 16) / 255 for i in (1, 3, 5))
    np.testing.assert_allclose(colours["separable high"], high)
    lines = {line.get_label(): line for line in ax.get_lines()}
    inner = result.limits[result.limits["level"] == 0.95]
    np.testing.assert_allclose(lines["95.0% limits"].get_ydata(), inner["lower"])
    np.testing.assert_allclose(lines["expected"].get_ydata(), [result.prior.mean] * 2)
    counts = table["status"].value_counts()  # the title counts the coloured points
    high, low = counts.get("separable high", 0), counts.get("separable low", 0)
    assert ax.get_title(loc="left") == f"{high} moderator(s) separably high, {low} separably low"


def test_input_not_mutated():
    audits = audits_from_counts(*beta_binomial_counts(9, moderators=20))
    before = audits.copy()
    moderator_outliers(audits)
    pd.testing.assert_frame_equal(audits, before)


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_n": 0}, r"The 'min_n' parameter of moderator_outliers must be a positive integer \(for example 30\). Got 0 instead."),
        ({"min_n": 2.5}, r"The 'min_n' parameter .* Got 2.5 instead."),
        ({"q": 1.5}, r"The 'q' parameter of moderator_outliers must be a false discovery rate strictly between 0 and 1 \(for example 0.05\). Got 1.5 instead."),
        ({"ci": 0}, r"The 'ci' parameter of moderator_outliers must be a confidence level"),
        ({"moderator": "rater"}, r"moderator_outliers needs column 'rater' in 'audits', which has columns 'moderator_id', 'is_error'"),
        ({"moderator": ["moderator_id"]}, r"The 'moderator' parameter of moderator_outliers must be one column name \(a string\). Got \['moderator_id'\] instead."),
    ],
)  # fmt: skip
def test_bad_arguments(kwargs, message):
    audits = audits_from_counts(*beta_binomial_counts(10, moderators=10))
    with pytest.raises(ValueError, match=message):
        moderator_outliers(audits, **kwargs)


def test_bad_data():
    with pytest.raises(
        TypeError, match="The 'audits' parameter of moderator_outliers must be a pandas DataFrame"
    ):
        moderator_outliers({"moderator_id": []})
    with pytest.raises(
        ValueError, match=r"needs at least three moderators .* Got 2: 50, 60 audits"
    ):
        moderator_outliers(audits_from_counts([3, 4], [50, 60]))
    with pytest.raises(
        ValueError, match=r"found no errors in all 150 audits, so moderators cannot be told apart"
    ):
        moderator_outliers(audits_from_counts([0, 0, 0], [50, 50, 50]))
    with pytest.raises(ValueError, match=r"found only errors in all 6 audits"):
        moderator_outliers(audits_from_counts([2, 2, 2], [2, 2, 2]))
    audits = audits_from_counts([3, 4, 5], [50, 50, 50])
    audits.loc[7, "moderator_id"] = None
    with pytest.raises(
        ValueError,
        match=r"moderator_outliers found 1 rows with a missing value in column 'moderator_id' \(index 7\)",
    ):
        moderator_outliers(audits)
    with pytest.raises(
        ValueError,
        match=r"The outcome column 'is_error' of moderator_outliers must hold True/False",
    ):
        moderator_outliers(audits_from_counts([3, 4, 5], [50, 50, 50]).assign(is_error="no"))


def test_nobody_reaching_min_n_warns():
    audits = audits_from_counts([1, 2, 3], [10, 10, 10])
    with pytest.warns(
        UserWarning,
        match=r"no moderator has min_n = 30 audits \(the most is 10\), so none can be flagged",
    ):
        result = moderator_outliers(audits, min_n=30)
    assert (result.table["status"] == "too few audits").all()


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_properties(seed):
    errors, n = beta_binomial_counts(seed, moderators=30, low=5, high=120)
    audits = audits_from_counts(errors, n)
    result = moderator_outliers(audits)
    shuffled = moderator_outliers(audits.sample(frac=1.0, random_state=seed))
    pd.testing.assert_frame_equal(result.table, shuffled.table)
    table, mean = result.table, result.prior.mean
    # The shrunken rate lies between the raw rate and the prior mean, and inside its interval.
    low, high = np.minimum(table["rate"], mean), np.maximum(table["rate"], mean)
    assert (table["shrunken_rate"].between(low - 1e-12, high + 1e-12)).all()
    assert (table["shrunken_ci_low"] <= table["shrunken_rate"]).all()
    assert (table["shrunken_rate"] <= table["shrunken_ci_high"]).all()
    assert table["p_value"].between(0, 1).all()
    assert (table["expected_low"] <= table["expected_high"]).all()


def test_the_funnel_axis_ends_above_the_points_not_at_the_limits_of_one_audit():
    # 20 units of 100 to 1,000 audits at 3-9 %; the 99.8 % limits reach 100 % at one audit
    # and 3 % + 3 sqrt(0.03 x 0.97 / n) at n: 0.072 at the units' 5th percentile (n = 145),
    # below the highest unit's 9 %, so the axis ends 10 % above that
    n = np.linspace(100, 1000, 20)
    units = pd.DataFrame({"n": n, "rate": np.linspace(0.03, 0.09, 20)})
    grid = np.arange(1, 1001)
    limits = pd.DataFrame({"n": grid, "level": 0.998, "lower": 0.0,
                           "upper": np.minimum(0.03 + 3 * np.sqrt(0.0291 / grid), 1.0)})  # fmt: skip
    ax = plot_funnel(units, limits=limits)
    assert ax.get_ylim() == pytest.approx((0.0, 1.1 * 0.09))
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_plot_funnel_without_status_and_bad_columns():
    units = pd.DataFrame({"n": [50, 200], "rate": [0.2, 0.05]})
    limits = pd.DataFrame(
        {"n": [1, 200], "level": 0.95, "lower": [0.0, 0.04], "upper": [1.0, 0.16]}
    )
    ax = plot_funnel(units, limits=limits, title="Moderators")
    assert len(ax.collections) == 1
    assert ax.get_title(loc="left") == "Moderators"
    with pytest.raises(ValueError, match=r"plot_funnel needs column 'errors' in 'table'"):
        plot_funnel(units, limits=limits, rate="errors")
    with pytest.raises(ValueError, match=r"plot_funnel needs column 'level' in 'limits'"):
        plot_funnel(units, limits=limits.drop(columns="level"))
