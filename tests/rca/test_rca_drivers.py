import numpy as np
import pandas as pd
import pytest
from rca_data import azt_rows, random_audits, ucb_rows
from reference import rca as ref
from scipy import stats
from statsmodels.discrete.discrete_model import Logit
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.stats.proportion import proportion_confint

from qainsights.rca import error_drivers

Z95 = stats.norm.isf(0.025)


def test_ucb_admissions_match_rs_glm():
    # tests/reference/rca.md section 1: R glm(cbind(Admitted, Rejected) ~ Gender + Dept, binomial).
    published = ref.UCB_GLM
    result = error_drivers(
        ucb_rows(),
        outcome="admitted",
        factors=["gender", "dept"],
        reference={"gender": "Male", "dept": "A"},
        min_n=1,
    )
    table = result.table.set_index(["factor", "level"])
    for key, (beta, se) in published.items():
        row = table.loc[key]
        assert np.log(row["odds_ratio"]) == pytest.approx(beta, abs=5e-6)
        assert row["ci_low"] == pytest.approx(np.exp(beta - Z95 * se), rel=2e-4)
        assert row["ci_high"] == pytest.approx(np.exp(beta + Z95 * se), rel=2e-4)
    assert result.n_audits == 4526
    assert result.n_cells == 12


def test_agresti_azt_example():
    # tests/reference/rca.md section 2: logit of symptoms on AZT use and white race; the AZT odds
    # ratio and its interval. Published to three decimals, so the tolerance is one unit of the
    # last digit.
    published = ref.AGRESTI_AZT
    result = error_drivers(
        azt_rows(),
        outcome="symptoms",
        factors=["azt", "race"],
        reference={"azt": "no", "race": "black"},
    )
    table = result.table.set_index(["factor", "level"])
    azt = table.loc[("azt", "yes")]
    assert np.log(azt["odds_ratio"]) == pytest.approx(published["azt"], abs=1e-3)
    white = np.log(table.loc[("race", "white"), "odds_ratio"])
    assert white == pytest.approx(published["white"], abs=1e-3)
    low, high = published["odds_ratio_azt_ci"]
    assert azt["ci_low"] == pytest.approx(low, abs=5e-3)
    assert azt["ci_high"] == pytest.approx(high, abs=5e-3)


def test_cells_fit_equals_row_level_logit():
    audits = random_audits()
    result = error_drivers(audits, factors=["site", "queue", "policy"])
    references = result.table[result.table["reference"]].set_index("factor")["level"]
    # Default reference: the level with the most audits.
    for factor in ["site", "queue", "policy"]:
        assert references[factor] == audits[factor].value_counts().idxmax()
    dummies = [
        pd.get_dummies(audits[f], dtype=float).drop(columns=references[f]).add_prefix(f"{f}=")
        for f in ["site", "queue", "policy"]
    ]
    exog = pd.concat(dummies, axis=1).assign(const=1.0)
    logit = Logit(audits["is_error"].astype(float), exog).fit(disp=0)
    estimates = result.table[~result.table["reference"]]
    names = estimates["factor"] + "=" + estimates["level"]
    np.testing.assert_allclose(np.log(estimates["odds_ratio"]), logit.params[names], rtol=1e-6)
    np.testing.assert_allclose(estimates["p_value"], logit.pvalues[names], rtol=1e-5)
    ci = np.exp(logit.conf_int().loc[names])
    np.testing.assert_allclose(estimates["ci_low"], ci[0], rtol=1e-6)
    np.testing.assert_allclose(estimates["ci_high"], ci[1], rtol=1e-6)
    # The likelihood-ratio test of 'site' is twice the log-likelihood gain over the fit without it.
    reduced = Logit(
        audits["is_error"].astype(float),
        exog.drop(columns=[c for c in exog.columns if c.startswith("site=")]),
    ).fit(disp=0)
    factors = result.factors.set_index("factor")
    assert factors.loc["site", "lr_stat"] == pytest.approx(2 * (logit.llf - reduced.llf), rel=1e-6)
    assert factors.loc["site", "df"] == 2


def test_cluster_robust_intervals_equal_row_level_logit_clustered():
    # Reference: statsmodels Logit on the audit rows with cov_type="cluster" (CR1 factor
    # G/(G - 1) (N - 1)/(N - p)) and use_t=True (t on G - 1 = 39 degrees of freedom);
    # moderators' abilities make audits of a moderator alike.
    audits = random_audits()
    rng = np.random.default_rng(11)
    audits["moderator_id"] = rng.integers(0, 40, len(audits))
    ability = rng.normal(0, 0.6, 40)[audits["moderator_id"]]
    audits["is_error"] = rng.random(len(audits)) < 1 / (1 + np.exp(2.3 - ability))
    # with cluster=None, the fit says its intervals treat clustered audits as independent
    with pytest.warns(UserWarning, match=r"error_drivers treats audits as independent.*"
                                         r"cluster='moderator_id'"):  # fmt: skip
        plain = error_drivers(audits, factors=["site", "queue"], cluster=None)
    assert plain.cluster is None
    assert plain.n_clusters is None
    # ... and the result carries the same finding
    assert plain.note.startswith("errors cluster by moderator beyond binomial variation")
    assert "Caution: errors cluster by moderator" in plain.summary()
    result = error_drivers(audits, factors=["site", "queue"], cluster="moderator_id")
    assert result.note == ""
    assert result.cluster == "moderator_id"
    assert "cluster-robust over 40 clusters (moderator_id)" in result.summary()
    references = result.table[result.table["reference"]].set_index("factor")["level"]
    dummies = [
        pd.get_dummies(audits[f], dtype=float).drop(columns=references[f]).add_prefix(f"{f}=")
        for f in ["site", "queue"]
    ]
    exog = pd.concat(dummies, axis=1).assign(const=1.0)
    logit = Logit(audits["is_error"].astype(float), exog).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": audits["moderator_id"]}, use_t=True
    )
    assert result.n_clusters == 40
    assert result.reference_df == logit.df_resid_inference == 39
    estimates = result.table[~result.table["reference"]]
    names = estimates["factor"] + "=" + estimates["level"]
    np.testing.assert_allclose(np.log(estimates["odds_ratio"]), logit.params[names], rtol=1e-6)
    np.testing.assert_allclose(estimates["p_value"], logit.pvalues[names], rtol=1e-5)
    ci = np.exp(logit.conf_int().loc[names])
    np.testing.assert_allclose(estimates["ci_low"], ci[0], rtol=1e-6)
    np.testing.assert_allclose(estimates["ci_high"], ci[1], rtol=1e-6)
    # the estimates and the factor tests are those of the fit without clusters
    pd.testing.assert_series_equal(plain.table["odds_ratio"], result.table["odds_ratio"],
                                   rtol=1e-9)  # fmt: skip
    pd.testing.assert_frame_equal(plain.factors, result.factors, rtol=1e-9)
    with pytest.raises(ValueError, match="The 'cluster' parameter of error_drivers"):
        error_drivers(audits, factors=["site", "queue"], cluster="site")


def test_few_clusters_t_interval_equals_statsmodels_glm_use_t():
    # Reference: statsmodels GLM (binomial) on the audit rows with cov_type="cluster" and
    # use_t=True: CR1 covariance and t on G - 1 degrees of freedom. Six moderators make the
    # t quantile (2.571 on 5 df) visibly wider than the normal's 1.960.
    rng = np.random.default_rng(5)
    n = 240
    moderator = np.repeat(np.arange(6), n // 6)
    queue, shift = rng.choice(["x", "y"], n), rng.choice(["day", "night"], n)
    logit_p = -1.5 + np.where(queue == "y", 0.6, 0.0) + rng.normal(0, 0.5, 6)[moderator]
    audits = pd.DataFrame(
        {"queue": queue, "shift": shift, "moderator_id": moderator,
         "is_error": rng.random(n) < 1 / (1 + np.exp(-logit_p))}
    )  # fmt: skip
    original = audits.copy()
    reference = {"queue": "x", "shift": "day"}
    result = error_drivers(audits, factors=["queue", "shift"], reference=reference,
                           cluster="moderator_id")  # fmt: skip
    exog = np.column_stack([np.ones(n), queue == "y", shift == "night"]).astype(float)
    glm = GLM(audits["is_error"].to_numpy(float), exog, family=Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": moderator}, use_t=True
    )
    table = result.table[~result.table["reference"]]
    ci = np.exp(glm.conf_int(alpha=0.05)[1:])
    np.testing.assert_allclose(table["odds_ratio"], np.exp(glm.params[1:]), rtol=1e-6)
    np.testing.assert_allclose(table["ci_low"], ci[:, 0], rtol=1e-6)
    np.testing.assert_allclose(table["ci_high"], ci[:, 1], rtol=1e-6)
    np.testing.assert_allclose(table["p_value"], glm.pvalues[1:], rtol=1e-5)
    assert result.reference_df == glm.df_resid_inference == 5
    assert "t reference on 5 degrees of freedom" in result.summary()
    pd.testing.assert_frame_equal(audits, original)
    # the default finds the moderators: the same fit
    default = error_drivers(audits, factors=["queue", "shift"], reference=reference)
    pd.testing.assert_frame_equal(default.table, result.table)
    assert default.cluster == "moderator_id"
    # without clusters the reference stays the normal
    assert error_drivers(audits, factors=["queue", "shift"], cluster=None).reference_df == np.inf


def test_default_takes_audits_as_independent_without_two_named_moderators():
    # The oracle of each case is the fit with cluster=None on the same rows: the default
    # clusters only when every audit names one of at least two moderators it does not model.
    audits = random_audits(1500)
    independent = error_drivers(audits, factors=["site", "queue"], cluster=None)
    one = error_drivers(audits.assign(moderator_id="m1"), factors=["site", "queue"])
    pd.testing.assert_frame_equal(one.table, independent.table)
    assert one.cluster is None
    assert one.reference_df == np.inf
    modelled = audits.assign(moderator_id=np.arange(len(audits)) % 3)
    as_factor = error_drivers(modelled, factors=["site", "moderator_id"], cluster=None)
    pd.testing.assert_frame_equal(
        error_drivers(modelled, factors=["site", "moderator_id"]).table, as_factor.table
    )
    gaps = audits.assign(moderator_id=np.where(np.arange(len(audits)) < 7, None, "m2"))
    gaps.loc[7::2, "moderator_id"] = "m3"
    original = gaps.copy()
    with pytest.warns(UserWarning, match=r"error_drivers takes the audits as independent: 7 of "
                                         r"1,500 audits have no 'moderator_id'.*cluster=None"):  # fmt: skip
        incomplete = error_drivers(gaps, factors=["site", "queue"])
    pd.testing.assert_frame_equal(incomplete.table, independent.table)
    pd.testing.assert_frame_equal(gaps, original)
    with pytest.raises(ValueError, match=r"The 'cluster' parameter of error_drivers names "
                                         r"'team', which holds a single value.*cluster=None"):  # fmt: skip
        error_drivers(audits.assign(team="a"), factors=["site", "queue"], cluster="team")


def test_level_counts_and_reference_rows():
    audits = random_audits()
    table = error_drivers(audits, factors=["site", "queue"]).table
    counts = audits.groupby("site")["is_error"].agg(["size", "sum"])
    site = table[table["factor"] == "site"].set_index("level")
    np.testing.assert_array_equal(site["n"], counts["size"].reindex(site.index))
    np.testing.assert_array_equal(site["errors"], counts["sum"].reindex(site.index))
    low, high = proportion_confint(site["errors"], site["n"], method="wilson")
    np.testing.assert_allclose(site["rate_ci_low"], low, atol=1e-12)
    np.testing.assert_allclose(site["rate_ci_high"], high, atol=1e-12)
    reference = table[table["reference"]]
    assert (reference["odds_ratio"] == 1.0).all()
    assert reference[["ci_low", "ci_high", "p_value", "p_adjusted"]].isna().all().all()
    assert table["level"].iloc[0] == "Dublin"


def test_findings_name_the_planted_effects_in_words():
    # The simulation raises the log odds of Manila by 0.6 and appeals by 0.5.
    result = error_drivers(random_audits(), factors=["site", "queue"])
    text = " ".join(result.findings)
    assert "site = Manila: the odds of an error are" in text
    assert "those at site = Dublin, the other factors held fixed." in text
    assert "queue = appeals" in text
    assert result.factors["factor"].tolist()[0] in {"site", "queue"}
    assert (np.diff(result.factors["lr_stat"]) <= 0).all()


def test_rare_levels_are_pooled_with_a_warning():
    audits = random_audits(1000)
    audits.loc[:4, "site"] = "Lisbon"
    audits.loc[5:7, "site"] = "Porto"
    audits.loc[[0, 5], "is_error"] = [True, False]
    with pytest.warns(
        UserWarning,
        match=r"pooled rare levels into '\(other\)': 2 levels \(8 rows\) have fewer than 30 audits: 'site=Lisbon', 'site=Porto'",
    ):
        result = error_drivers(audits, factors=["site", "queue"])
    assert result.pooled["n"].tolist() == [5, 3]
    site = result.table[result.table["factor"] == "site"].set_index("level")
    assert site.loc["(other)", "n"] == 8
    assert site.loc["(other)", "errors"] == audits.loc[:7, "is_error"].sum()
    assert site["n"].sum() == len(audits)


def test_row_order_does_not_matter():
    audits = random_audits(1500)
    result = error_drivers(audits, factors=["site", "queue"])
    shuffled = error_drivers(audits.sample(frac=1.0, random_state=3), factors=["site", "queue"])
    pd.testing.assert_frame_equal(result.table, shuffled.table, rtol=1e-9)
    assert result.findings == shuffled.findings


def test_rare_levels_can_be_refused():
    audits = random_audits(1000)
    audits.loc[:4, "site"] = "Lisbon"
    with pytest.raises(
        ValueError,
        match=r"found rare levels: 1 levels \(5 rows\) have fewer than 30 audits: 'site=Lisbon'",
    ):
        error_drivers(audits, factors=["site"], rare="raise")


def test_a_level_without_errors_is_separation():
    audits = random_audits(1000)
    audits.loc[audits["site"] == "Austin", "is_error"] = False
    n = int((audits["site"] == "Austin").sum())
    with pytest.raises(
        ValueError,
        match=rf"found separation: 1 levels have only errors or no errors.*'site=Austin \(0 errors in {n} audits\)'",
    ):
        error_drivers(audits, factors=["site", "queue"])


def test_separation_by_a_combination_of_levels():
    # Cells (x,u) 0/10 and (y,v) 10/10 with (x,v), (y,u) at 5/10: every level has both
    # outcomes, but beta_a = beta_b = c, beta_0 = -c raises the likelihood for ever as c grows.
    cells = pd.DataFrame(
        {
            "a": ["x", "x", "y", "y"] * 2,
            "b": ["u", "v", "u", "v"] * 2,
            "is_error": [True] * 4 + [False] * 4,
            "count": [0, 5, 5, 10, 10, 5, 5, 0],
        }
    )
    audits = cells.loc[cells.index.repeat(cells["count"])].drop(columns="count")
    with pytest.raises(ValueError, match="found quasi-complete separation"):
        error_drivers(audits, factors=["a", "b"], min_n=1)


def test_one_factor_is_the_two_by_two_table():
    # A saturated model of one two-level factor: the odds ratio is the table's cross-product
    # ratio and its Wald interval Woolf's, log OR +- z sqrt(1/a + 1/b + 1/c + 1/d).
    cells = pd.DataFrame(
        {
            "site": ["a", "a", "b", "b"],
            "is_error": [True, False, True, False],
            "count": [83, 903, 85, 929],
        }
    )
    audits = cells.loc[cells.index.repeat(cells["count"])].drop(columns="count")
    row = (
        error_drivers(audits, factors=["site"], reference={"site": "b"})
        .table.set_index("level")
        .loc["a"]
    )
    log_or = np.log((83 / 903) / (85 / 929))
    half = Z95 * np.sqrt(1 / 83 + 1 / 903 + 1 / 85 + 1 / 929)
    assert row["odds_ratio"] == pytest.approx(np.exp(log_or), rel=1e-9)
    assert [row["ci_low"], row["ci_high"]] == pytest.approx(
        np.exp([log_or - half, log_or + half]), rel=1e-6
    )


def test_plot_draws_the_odds_ratios_on_a_log_scale():
    result = error_drivers(random_audits(), factors=["site", "queue"])
    ax = result.plot()
    rows = result.table[~result.table["reference"]]
    np.testing.assert_allclose(ax.collections[-1].get_offsets()[:, 0], rows["odds_ratio"])
    assert ax.get_xscale() == "log"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == (rows["factor"] + " = " + rows["level"]).tolist()


def test_to_frame_and_input_unchanged():
    audits = random_audits()
    before = audits.copy()
    result = error_drivers(audits)
    pd.testing.assert_frame_equal(audits, before)
    pd.testing.assert_frame_equal(result.to_frame(), result.table)
    assert "Error drivers" in result._repr_html_()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"factors": []}, ValueError, "The 'factors' parameter of error_drivers must name one"),
        (
            {"factors": ["site", "site"]},
            ValueError,
            "The .factors. parameter of error_drivers must name distinct columns",
        ),
        ({"factors": ["vendor"]}, ValueError, "error_drivers needs column 'vendor' in 'audits'"),
        (
            {"rare": "drop"},
            ValueError,
            "The 'rare' parameter of error_drivers must be one of 'pool', 'raise'. Got 'drop' instead.",
        ),
        (
            {"min_n": 0},
            ValueError,
            "The 'min_n' parameter of error_drivers must be a positive integer",
        ),
        ({"ci": 1.5}, ValueError, "The 'ci' parameter of error_drivers must be a confidence level"),
        (
            {"reference": {"site": "Paris"}},
            ValueError,
            "The 'reference' level 'Paris' of factor 'site'",
        ),
        ({"reference": {"vendor": "x"}}, ValueError, "names 'vendor', which are not factors"),
        (
            {"factors": ["weight"]},
            ValueError,
            "The factor 'weight' of error_drivers holds fractional numbers",
        ),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        error_drivers(random_audits(500), **kwargs)


def test_outcome_without_errors_is_refused():
    audits = random_audits(200).assign(is_error=False)
    with pytest.raises(ValueError, match="the 200 audits hold no errors in 'is_error'"):
        error_drivers(audits)


def test_single_level_factor_is_refused():
    audits = random_audits(200).assign(market="en-US")
    with pytest.raises(ValueError, match="'market' has a single level"):
        error_drivers(audits, factors=["site", "market"])


def test_missing_values_are_refused():
    audits = random_audits(200)
    audits.loc[3, "site"] = None
    with pytest.raises(
        ValueError,
        match=r"error_drivers found 1 rows with a missing value in column 'site' \(index 3\)",
    ):
        error_drivers(audits)


def test_empty_frame_is_refused():
    with pytest.raises(ValueError, match="error_drivers got no audits: 'audits' has 0 rows"):
        error_drivers(random_audits(10).iloc[:0])
