import numpy as np
import pandas as pd
import pytest
from experiments_data import TRAINING_START, row_design, site_weeks, small_audits
from scipy import stats
from scipy.special import expit
from statsmodels.discrete.discrete_model import Logit

from qainsights.datasets import load_sample
from qainsights.experiments import DiffInDiffResult, diff_in_diff

COMPARISON = ["Dublin", "Austin"]


def _rows(audits):
    """The DiD rows built by hand: treated, after and their product, as the model defines them."""
    rows = audits[audits["site"].isin(["Lisbon", *COMPARISON])].copy()
    rows["treated_after"] = ((rows["site"] == "Lisbon") & (rows["week"] >= TRAINING_START)).astype(
        float
    )
    rows["week"] = rows["week"].dt.strftime("%Y-%m-%d")
    return rows


@pytest.fixture(scope="module")
def fitted():
    audits = small_audits()
    result = diff_in_diff(
        audits,
        treated="Lisbon",
        comparison=COMPARISON,
        start=TRAINING_START,
        covariates=["queue", "policy"],
        inference="cluster",
    )
    rows = _rows(audits)
    x = row_design(rows, ["site", "week", "queue", "policy"], ["treated_after"])
    reference = Logit(rows["is_error"].astype(float), x).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": pd.factorize(rows["moderator_id"])[0]}
    )
    return result, reference, x


def test_odds_ratio_matches_statsmodels_logit_on_rows_with_clustered_errors(fitted):
    # Reference: statsmodels Logit fitted on the audit rows (not cells), cov_type="cluster" by
    # moderator (statsmodels' default small-sample factor G/(G-1)·(N-1)/(N-K)).
    result, reference, _ = fitted
    row = result.effects.set_index("effect").loc["odds_ratio"]
    beta, se = reference.params["treated_after"], reference.bse["treated_after"]
    assert row["estimate"] == pytest.approx(np.exp(beta), rel=1e-7)
    ci = reference.conf_int(alpha=0.05).loc["treated_after"]
    assert row["ci_low"] == pytest.approx(np.exp(ci[0]), rel=1e-6)
    assert row["ci_high"] == pytest.approx(np.exp(ci[1]), rel=1e-6)
    assert row["p_value"] == pytest.approx(reference.pvalues["treated_after"], rel=1e-5)
    assert np.log(row["ci_high"] / row["estimate"]) == pytest.approx(1.959964 * se, rel=1e-6)


def test_rate_difference_is_the_delta_method_effect_on_the_treated(fitted):
    # Derivation: mean over treated-after rows of expit(x·b) − expit(x·b − b_D), with b from
    # statsmodels; its standard error by a numerical gradient (central differences) and the
    # statsmodels cluster covariance.
    result, reference, x = fitted
    on = x["treated_after"].to_numpy() == 1
    xs = x.to_numpy()[on]
    j = list(x.columns).index("treated_after")

    def effect(b):
        return np.mean(expit(xs @ b) - expit(xs @ b - b[j]))

    b = reference.params.to_numpy()
    h = 1e-6
    gradient = np.array([(effect(b + h * e) - effect(b - h * e)) / (2 * h) for e in np.eye(len(b))])
    se = np.sqrt(gradient @ reference.cov_params().to_numpy() @ gradient)
    row = result.effects.set_index("effect").loc["rate_difference"]
    assert row["estimate"] == pytest.approx(effect(b), rel=1e-6)
    assert row["ci_high"] - row["estimate"] == pytest.approx(1.959964 * se, rel=1e-4)


def test_pre_trend_check_matches_statsmodels_on_the_pre_period():
    # Reference: statsmodels Logit on the pre-period rows with a treated x weeks-to-start term.
    audits = small_audits()
    result = diff_in_diff(
        audits, treated="Lisbon", comparison=COMPARISON, start=TRAINING_START, cluster=None,
        inference="cluster",
    )  # fmt: skip
    rows = _rows(audits[audits["week"] < TRAINING_START])
    weeks_to_start = (pd.to_datetime(rows["week"]) - TRAINING_START).dt.days.to_numpy() / 7
    rows["trend"] = (rows["site"] == "Lisbon").to_numpy() * weeks_to_start
    x = row_design(rows, ["site", "week"], ["trend"])
    reference = Logit(rows["is_error"].astype(float), x).fit(disp=0)
    check = result.assumptions.set_index("check").loc["parallel pre-trends"]
    assert check["statistic"] == pytest.approx(np.exp(reference.params["trend"]), rel=1e-6)
    assert check["p_value"] == pytest.approx(reference.pvalues["trend"], rel=1e-5)


def test_without_cluster_the_errors_are_model_based():
    # Reference: statsmodels Logit on rows with its default (inverse information) covariance.
    audits = small_audits()
    result = diff_in_diff(
        audits, treated="Lisbon", comparison=COMPARISON, start=TRAINING_START, cluster=None,
        inference="cluster",
    )  # fmt: skip
    rows = _rows(audits)
    reference = Logit(
        rows["is_error"].astype(float), row_design(rows, ["site", "week"], ["treated_after"])
    ).fit(disp=0)
    row = result.effects.set_index("effect").loc["odds_ratio"]
    low, high = np.exp(reference.conf_int().loc["treated_after"])
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-6)
    assert result.n_clusters is None


def test_recovers_the_planted_training_effect_in_the_sample_data():
    # Source: the simulator's answer key, training_wave odds ratio 0.6 from 2026-08-03 at
    # Lisbon (data_samples/answer_key.csv). Coverage across seeds is measured in
    # benchmarks/bench_experiments_coverage.py.
    audits = load_sample("audits")
    result = diff_in_diff(
        audits,
        treated="Lisbon",
        comparison=["Dublin", "Austin"],
        start="2026-08-03",
        covariates=["queue", "policy", "market"],
    )
    row = result.effects.set_index("effect").loc["odds_ratio"]
    assert row["ci_low"] < 0.6 < row["ci_high"]
    assert row["ci_high"] < 1
    assert result.assumptions.set_index("check").loc["parallel pre-trends", "passed"]


def test_result_shape_summary_and_frame(fitted):
    result = fitted[0]
    assert isinstance(result, DiffInDiffResult)
    assert list(result.to_frame().columns) == [
        "effect",
        "scale",
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
    ]
    columns = list(result.series.columns)
    assert columns == ["arm", "week", "n", "errors", "rate", "ci_low", "ci_high"]
    assert set(result.series["arm"]) == {"treated", "comparison"}
    assert "the error odds at Lisbon were" in result.summary()
    assert "the change at Dublin, Austin" in result.summary()
    assert "<h4>Difference-in-differences</h4>" in result._repr_html_()
    with pytest.raises(AttributeError):
        result.ci = 0.9


def test_series_counts_each_arm_and_week(fitted):
    # Derivation: a direct group-by of the rows.
    audits = small_audits()
    rows = audits[audits["site"].isin(["Lisbon", *COMPARISON])]
    treated = rows[rows["site"] == "Lisbon"].groupby("week")["is_error"].agg(["size", "sum"])
    series = fitted[0].series.query("arm == 'treated'").set_index("week")
    np.testing.assert_array_equal(series["n"], treated["size"])
    np.testing.assert_array_equal(series["errors"], treated["sum"])


def test_plot_draws_each_arm_series(fitted):
    result = fitted[0]
    ax = result.plot()
    lines = {line.get_label(): line for line in ax.get_lines()}
    treated = result.series.query("arm == 'treated'")
    np.testing.assert_allclose(lines["treated"].get_ydata(), treated["rate"])
    start_line = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(start_line) == 1


def test_input_frame_unchanged():
    audits = small_audits()
    before = audits.copy()
    diff_in_diff(audits, treated="Lisbon", start=TRAINING_START, covariates="queue")
    pd.testing.assert_frame_equal(audits, before)


def test_fewer_than_three_pre_periods_warns_and_gives_nan_check():
    audits = small_audits()
    start = pd.Timestamp("2025-11-17")  # two weeks before it
    with pytest.warns(UserWarning, match="the pre-period has 2 periods; at least 3"):
        result = diff_in_diff(
            audits, treated="Lisbon", comparison=COMPARISON, start=start, inference="cluster"
        )
    assert np.isnan(result.assumptions.set_index("check").loc["parallel pre-trends", "statistic"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"start": "2025-11-03"},
            r"The 'start' parameter of diff_in_diff must fall after the first period .*"
            r"\(2025-11-03 to 2026-02-16\).* Got 2025-11-03 instead",
        ),
        ({"start": "2027-01-01"}, r"Got 2027-01-01 instead"),
        ({"start": "soon"}, r"The 'start' parameter of diff_in_diff must be a date"),
        (
            {"treated": "Paris"},
            r"The 'treated' parameter of diff_in_diff must name values of column 'site' that "
            r"have audits .* Got 'Paris' instead, so that arm would be empty",
        ),
        (
            {"comparison": ["Lisbon"]},
            r"The 'comparison' parameter of diff_in_diff must name groups other than",
        ),
        ({"covariates": ["site"]}, r"names 'site', which the design already uses"),
        (
            {"cluster": "moderator", "inference": "cluster"},
            r"diff_in_diff needs column 'moderator' in 'audits'",
        ),
        (
            {"inference": "wild"},
            r"The 'inference' parameter of diff_in_diff must be one of 'auto', 'aggregate', "
            r"'collapsed', 'randomization', 'cluster'. Got 'wild' instead",
        ),
        ({"ci": 95}, r"The 'ci' parameter of diff_in_diff must be a confidence level"),
        ({"period": "decision_day"}, r"needs column 'decision_day'"),
    ],
)
def test_bad_input_messages(kwargs, message):
    options = {"treated": "Lisbon", "start": TRAINING_START} | kwargs
    with pytest.raises(ValueError, match=message):
        diff_in_diff(small_audits(), **options)


def test_time_column_must_hold_dates():
    audits = small_audits().assign(week=lambda a: a["week"].dt.strftime("%Y-%m-%d"))
    with pytest.raises(ValueError, match=r"The 'week' column of diff_in_diff must hold dates"):
        diff_in_diff(audits, treated="Lisbon", start=TRAINING_START)


def test_all_zero_errors_is_a_clear_error():
    audits = small_audits().assign(is_error=False)
    with pytest.raises(ValueError, match=r"diff_in_diff found no errors in the audits"):
        diff_in_diff(audits, treated="Lisbon", start=TRAINING_START)


def test_an_arm_without_audits_after_the_start_is_a_clear_error():
    audits = small_audits()
    audits = audits[~((audits["site"] == "Lisbon") & (audits["week"] >= TRAINING_START))]
    with pytest.raises(ValueError, match=r"found no treated audits on or after 2026-01-26"):
        diff_in_diff(audits, treated="Lisbon", start=TRAINING_START)


def test_missing_values_are_refused_with_their_count():
    audits = small_audits()
    audits.loc[audits.index[:3], "queue"] = None
    with pytest.raises(ValueError, match=r"found 3 rows with a missing value in column 'queue'"):
        diff_in_diff(audits, treated="Lisbon", start=TRAINING_START, covariates="queue")


def test_data_must_be_a_frame():
    with pytest.raises(TypeError, match=r"The 'audits' parameter of diff_in_diff must be a pandas"):
        diff_in_diff([1, 2], treated="Lisbon", start=TRAINING_START)


@pytest.fixture(scope="module")
def aggregate_reference():
    # Reference: statsmodels OLS then WLS on the site x week empirical logits, weights
    # 1 / (v + tau2) with tau2 = max(0, RSS/df - mean v) from the OLS pass (Donald & Lang
    # 2007's two-step aggregation).
    from statsmodels.regression.linear_model import OLS, WLS

    rows = site_weeks()
    start = rows["week"].unique()[6]
    cells = rows.groupby(["site", "week"])["is_error"].agg(["sum", "size"]).reset_index()
    k, n = cells["sum"].to_numpy(float), cells["size"].to_numpy(float)
    y = np.log((k + 0.5) / (n - k + 0.5))
    v = 1 / (k + 0.5) + 1 / (n - k + 0.5)
    cells["treated_after"] = ((cells["site"] == "s0") & (cells["week"] >= start)).astype(float)
    x = row_design(
        cells.assign(week=cells["week"].astype(str)), ["site", "week"], ["treated_after"]
    )
    ols = OLS(y, x).fit()
    tau2 = max(0.0, ols.ssr / ols.df_resid - v.mean())
    wls = WLS(y, x, weights=1 / (v + tau2)).fit()
    return rows, start, cells, y, x, wls


def test_aggregate_inference_is_weighted_least_squares_on_the_cells(aggregate_reference):
    rows, start, *_, wls = aggregate_reference
    result = diff_in_diff(rows, treated="s0", start=start, inference="aggregate")
    row = result.effects.set_index("effect").loc["odds_ratio"]
    assert result.inference == "aggregate"
    assert row["estimate"] == pytest.approx(np.exp(wls.params["treated_after"]), rel=1e-9)
    assert result.df == wls.df_resid == 4 * 12 - (1 + 3 + 11 + 1)
    # Derivation of the serial-correlation factor: lag-1 autocorrelation of the standardised
    # residuals of the comparison sites, + 1/(T - 1) (fixed-effects bias), + z_0.8/sqrt(pairs)
    # (80 % upper bound); c = +1/6 after, -1/6 before; factor = c' rho^|i-j| c / c'c.
    r = (wls.resid.to_numpy() * np.sqrt(wls.model.weights)).reshape(4, 12)[1:]
    rho = (r[:, 1:] * r[:, :-1]).sum() / (r**2).sum() + 1 / 11 + 0.8416212 / np.sqrt(33)
    c = np.where(np.arange(12) >= 6, 1 / 6, -1 / 6)
    sigma = max(rho, 0) ** np.abs(np.subtract.outer(np.arange(12), np.arange(12)))
    factor = max(1.0, c @ sigma @ c / (c @ c))
    se = wls.bse["treated_after"] * np.sqrt(factor)
    half = np.log(row["ci_high"] / row["estimate"])
    assert half == pytest.approx(stats.t.isf(0.025, wls.df_resid) * se, rel=1e-7)
    t = wls.params["treated_after"] / se
    assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(t), wls.df_resid), rel=1e-7)


def test_collapsed_inference_is_a_two_sample_t_test_of_site_changes(aggregate_reference):
    # Derivation (Bertrand, Duflo & Mullainathan 2004): each site's weighted mean of the
    # period-adjusted logit after minus before; scipy's pooled two-sample t test of the
    # treated site against the three comparison sites (df = 2).
    rows, start, cells, y, x, wls = aggregate_reference
    result = diff_in_diff(rows, treated="s0", start=start, inference="collapsed")
    gamma = x.filter(like="week_").to_numpy() @ wls.params.filter(like="week_").to_numpy()
    w = wls.model.weights
    frame = pd.DataFrame({"site": cells["site"], "after": cells["week"] >= start,
                          "wy": w * (y - gamma), "w": w})  # fmt: skip
    means = frame.groupby(["site", "after"])[["wy", "w"]].sum()
    change = (means["wy"] / means["w"]).unstack()
    change = (change[True] - change[False]).to_numpy()
    reference = stats.ttest_ind(change[:1], change[1:], equal_var=True)
    row = result.effects.set_index("effect").loc["odds_ratio"]
    assert result.inference == "collapsed"
    assert result.df == 2
    assert np.log(row["estimate"]) == pytest.approx(change[0] - change[1:].mean(), rel=1e-9)
    assert row["p_value"] == pytest.approx(reference.pvalue, rel=1e-7)


def test_rate_difference_maps_the_odds_ratio_interval_to_the_treated_cells(aggregate_reference):
    # Derivation: g(b) = sum n (p - expit(logit p - b)) / sum n over the treated cells after
    # the start, at b and at the ends of b's interval.
    rows, start, cells, _, _, _ = aggregate_reference
    result = diff_in_diff(rows, treated="s0", start=start, inference="aggregate")
    on = cells["treated_after"].to_numpy() == 1
    k, n = cells["sum"].to_numpy(float)[on], cells["size"].to_numpy(float)[on]
    p = k / n

    def g(b):
        return (n * (p - expit(np.log(p / (1 - p)) - b))).sum() / n.sum()

    odds, diff = result.effects.set_index("effect").loc[["odds_ratio", "rate_difference"]].iloc
    for column in ("estimate", "ci_low", "ci_high"):
        assert diff[column] == pytest.approx(g(np.log(odds[column])), rel=1e-9)
    assert diff["p_value"] == odds["p_value"]


def test_auto_says_which_inference_it_used_and_why(aggregate_reference):
    rows, start = aggregate_reference[:2]
    result = diff_in_diff(rows, treated="s0", start=start)
    assert result.inference in {"aggregate", "collapsed"}
    assert "chosen because there is" in result.inference_detail
    assert "serially correlated shocks" in result.inference_detail
    assert "Inference: " in result.summary()


def test_serially_correlated_shocks_with_one_treated_site_warn_and_collapse():
    # A random walk of shocks per site (strong persistence) and one treated site.
    rng = np.random.default_rng(3)
    rows = site_weeks(seed=4, weeks=30, shock_sd=0.0)
    walk = np.cumsum(rng.normal(0, 0.25, (4, 30)), axis=1)
    site = rows["site"].str[1:].astype(int).to_numpy()
    week = ((rows["week"] - rows["week"].min()).dt.days // 7).to_numpy()
    p = expit(-2.4 + walk[site, week])
    rows["is_error"] = rng.random(len(rows)) < p
    with pytest.warns(UserWarning, match=r"one treated site with serially correlated shocks"):
        result = diff_in_diff(rows, treated="s0", start=rows["week"].unique()[15])
    assert result.inference == "collapsed"
    checks = result.assumptions.set_index("check")
    assert not checks.loc["no serial correlation", "passed"]


def test_two_groups_collapsed_leave_no_degrees_of_freedom_and_warn():
    rows = site_weeks(sites=2)
    with pytest.warns(UserWarning, match=r"no degrees of freedom are left"):
        result = diff_in_diff(rows, treated="s0", start=rows["week"].unique()[6],
                              inference="collapsed")  # fmt: skip
    assert result.effects[["ci_low", "ci_high", "p_value"]].isna().all().all()
