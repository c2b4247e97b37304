import numpy as np
import pandas as pd
import pytest
from experiments_data import TRAINING_START, row_design, small_audits
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
        audits, treated="Lisbon", comparison=COMPARISON, start=TRAINING_START, cluster=None
    )
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
        audits, treated="Lisbon", comparison=COMPARISON, start=TRAINING_START, cluster=None
    )
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
        result = diff_in_diff(audits, treated="Lisbon", comparison=COMPARISON, start=start)
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
        ({"cluster": "moderator"}, r"diff_in_diff needs column 'moderator' in 'audits'"),
        ({"ci": 95}, r"The 'ci' parameter of diff_in_diff must be a confidence level"),
        ({"time": "decision_day"}, r"needs column 'decision_day'"),
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
