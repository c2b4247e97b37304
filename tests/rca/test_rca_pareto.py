import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rca_data import random_audits
from reference import experiments
from statsmodels.stats.proportion import confint_proportions_2indep

from qainsights.rca import SEVERITY_WEIGHTS, pareto


def _errors(causes, **columns):
    return pd.DataFrame({"is_error": True, "root_cause": causes, **columns})


def test_counts_shares_and_vital_few_by_hand():
    # 6 + 3 + 1 errors: shares 0.6, 0.3, 0.1; the top two reach 0.9 >= 0.8.
    audits = _errors(["b"] * 3 + ["a"] * 6 + ["c"])
    table = pareto(audits).table
    assert table["root_cause"].tolist() == ["a", "b", "c"]
    assert table["count"].tolist() == [6, 3, 1]
    np.testing.assert_allclose(table["share"], [0.6, 0.3, 0.1])
    np.testing.assert_allclose(table["cum_share"], [0.6, 0.9, 1.0])
    assert table["vital"].tolist() == [True, True, False]


def test_vital_few_stops_once_the_cutoff_is_reached():
    # With cutoff 0.6 the first reason alone holds 0.6: the second is not needed.
    audits = _errors(["a"] * 6 + ["b"] * 3 + ["c"])
    assert pareto(audits, cutoff=0.6).vital_few == ["a"]
    assert pareto(audits, cutoff=0.61).vital_few == ["a", "b"]


def test_ties_are_ordered_by_name_and_correct_rows_are_not_counted():
    audits = pd.DataFrame(
        {"is_error": [True, True, False, False], "root_cause": ["z", "y", None, "x"]}
    )
    table = pareto(audits).table
    assert table["root_cause"].tolist() == ["y", "z"]


def test_severity_weighting_uses_the_documented_points():
    # Two low errors (1 point each) against one critical (8 points): 2 vs 8.
    audits = _errors(["fatigue", "fatigue", "tool"], severity=["low", "low", "critical"])
    table = pareto(audits, weight="severity").table
    assert SEVERITY_WEIGHTS == {"low": 1.0, "medium": 2.0, "high": 4.0, "critical": 8.0}
    assert table["root_cause"].tolist() == ["tool", "fatigue"]
    np.testing.assert_allclose(table["total"], [8.0, 2.0])
    np.testing.assert_allclose(table["share"], [0.8, 0.2])
    custom = pareto(
        audits,
        weight="severity",
        severity_weights={"low": 5, "medium": 6, "high": 7, "critical": 1},
    ).table
    np.testing.assert_allclose(custom.set_index("root_cause")["total"], [10.0, 1.0])


def test_weight_column_totals_match_a_pandas_group_by():
    audits = random_audits()
    table = pareto(audits, weight="weight").table.set_index("root_cause")
    errors = audits[audits["is_error"]]
    expected = errors.groupby("root_cause")["weight"].sum()
    np.testing.assert_allclose(table["total"], expected.reindex(table.index))
    assert table["share"].sum() == pytest.approx(1.0)


def test_comparison_matches_newcombes_published_example():
    # Newcombe (1998, Table II, example a): 56/70 - 48/80 = 0.2, method 10.
    low, high = experiments.NEWCOMBE_TABLE_II[56, 70, 48, 80]
    audits = pd.concat(
        [
            _errors(["a"] * 56 + ["b"] * 14, month="2026-09"),
            _errors(["a"] * 48 + ["b"] * 32, month="2026-08"),
        ]
    )
    result = pareto(audits, by_period="month")
    row = result.comparison.set_index("root_cause").loc["a"]
    assert result.periods == ("2026-08", "2026-09")
    assert row["change"] == pytest.approx(0.2)
    assert row["ci_low"] == pytest.approx(low, abs=5e-5)
    assert row["ci_high"] == pytest.approx(high, abs=5e-5)


def test_comparison_matches_statsmodels_newcombe_for_every_reason():
    audits = random_audits()
    comparison = pareto(audits, by_period="month", periods=("2026-08", "2026-09")).comparison
    n_before = comparison["count_before"].sum()
    n_after = comparison["count_after"].sum()
    for row in comparison.itertuples():
        low, high = confint_proportions_2indep(
            row.count_after, n_after, row.count_before, n_before, method="newcomb"
        )
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high), abs=1e-9)
    assert comparison["share_before"].sum() == pytest.approx(1.0)
    assert comparison["change"].sum() == pytest.approx(0.0, abs=1e-12)


def test_comparison_lists_reasons_missing_from_one_period_with_zero():
    audits = pd.concat([_errors(["a", "a", "b"], month="1"), _errors(["a", "c"], month="2")])
    comparison = pareto(audits, by_period="month").comparison.set_index("root_cause")
    assert comparison.index.tolist() == ["a", "c", "b"]
    assert comparison.loc["b", "count_after"] == 0
    assert comparison.loc["c", "count_before"] == 0
    assert comparison.loc["b", "change"] == pytest.approx(-1 / 3)


def test_the_table_describes_the_later_period():
    audits = pd.concat([_errors(["a"] * 5, month="1"), _errors(["b"] * 2, month="2")])
    result = pareto(audits, by_period="month")
    assert result.table["root_cause"].tolist() == ["b"]


def test_weighted_comparison_has_no_interval_and_says_why():
    audits = random_audits()
    with pytest.warns(UserWarning, match="Newcombe's interval needs counts or sampling weights"):
        comparison = pareto(audits, weight="severity", by_period="month").comparison
    assert comparison[["ci_low", "ci_high"]].isna().all().all()


def test_equal_sampling_weights_give_the_count_interval():
    # Kish's effective size of n equal weights is n, so the comparison is the count one.
    audits = random_audits()
    counted = pareto(audits, by_period="month").comparison
    weighted = pareto(audits.assign(w=7.5), weight="w", by_period="month").comparison
    pd.testing.assert_frame_equal(
        weighted[["change", "ci_low", "ci_high"]], counted[["change", "ci_low", "ci_high"]]
    )


def test_sampling_weights_give_newcombe_on_kish_effective_sizes():
    # Period 1: weights 1, 1, 4 on causes a, a, b; period 2: 2, 2 on a, b.
    # Kish sizes (6^2 / 18 = 2, 4^2 / 8 = 2); shares of a 2/6 then 2/4.
    audits = pd.concat([
        _errors(["a", "a", "b"], month="1", w=[1.0, 1.0, 4.0]),
        _errors(["a", "b"], month="2", w=[2.0, 2.0]),
    ])  # fmt: skip
    row = pareto(audits, weight="w", by_period="month").comparison.set_index("root_cause").loc["a"]
    low, high = confint_proportions_2indep(0.5 * 2, 2, (2 / 6) * 2, 2, method="newcomb")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-9)
    assert row["change"] == pytest.approx(0.5 - 2 / 6)


def test_clusters_of_one_error_each_have_the_design_effect_g_over_g_minus_one():
    # Derivation: with every error its own cluster, the linearised variance of a period's
    # share is Σ_i (1{reason_i} − p)² / E² = p (1 − p) / E, so the clustered variance of the
    # change is G/(G − 1) times the variance of independent errors, G the errors of both
    # periods; the interval is Newcombe's on the counts over that factor.
    audits = random_audits()
    audits = audits.assign(moderator_id=np.arange(len(audits)))
    options = {"by_period": "month", "periods": ("2026-08", "2026-09")}
    comparison = pareto(audits, cluster="moderator_id", **options).comparison
    g = int(comparison["count_before"].sum() + comparison["count_after"].sum())
    assert comparison["design_effect"].to_numpy() == pytest.approx(g / (g - 1), rel=1e-9)
    n_before, n_after = (comparison[f"count_{side}"].sum() / (g / (g - 1)) for side in ("before", "after"))  # fmt: skip
    for row in comparison.itertuples():
        low, high = confint_proportions_2indep(
            row.share_after * n_after, n_after, row.share_before * n_before, n_before,
            method="newcomb",
        )  # fmt: skip
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high), abs=1e-9)


def test_moderators_whose_errors_share_reasons_widen_the_comparison_by_hand():
    # Two moderators per period, each with its own reasons; m1 works in both periods.
    # Period 1: m1 a, a; m2 b, b. Period 2: m1 a, a, a; m3 b.  Shares of a: 1/2, then 3/4.
    # z of a (cluster total of a − share × cluster errors, over the period's errors):
    #   period 1: m1 (2 − 1)/4 = 0.25, m2 (0 − 1)/4 = −0.25
    #   period 2: m1 (3 − 2.25)/4 = 0.1875, m3 (0 − 0.75)/4 = −0.1875
    # Σ_g (z2 − z1)² over m1, m2, m3 = 0.0625² + 0.25² + 0.1875² = 0.10156 (and times
    # G/(G − 1) = 3/2); independent: 0.5·0.5/4 + 0.75·0.25/4 = 0.109375.
    audits = pd.concat([
        _errors(["a", "a", "b", "b"], month="1", moderator_id=["m1", "m1", "m2", "m2"]),
        _errors(["a", "a", "a", "b"], month="2", moderator_id=["m1", "m1", "m1", "m3"]),
    ])  # fmt: skip
    original = audits.copy()
    comparison = pareto(audits, by_period="month", cluster="moderator_id").comparison
    row = comparison.set_index("root_cause").loc["a"]
    effect = 1.5 * (0.0625**2 + 0.25**2 + 0.1875**2) / 0.109375
    assert row["design_effect"] == pytest.approx(effect, rel=1e-12)
    low, high = confint_proportions_2indep(0.75 * 4 / effect, 4 / effect, 0.5 * 4 / effect,
                                           4 / effect, method="newcomb")  # fmt: skip
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-9)
    pd.testing.assert_frame_equal(audits, original)
    # the default finds the moderators; with one error naming none it takes errors as independent
    default = pareto(audits, by_period="month").comparison
    pd.testing.assert_frame_equal(default, comparison)
    one_missing = audits.assign(moderator_id=[None, *audits["moderator_id"].iloc[1:]])
    with pytest.warns(UserWarning, match=r"pareto takes the audits as independent: 1 of 8 audits "
                                         r"have no 'moderator_id'"):  # fmt: skip
        independent = pareto(one_missing, by_period="month").comparison
    assert "design_effect" not in independent
    with pytest.raises(ValueError, match="pareto needs column 'moderator'"):
        pareto(audits, by_period="month", cluster="moderator")
    gaps = audits.assign(moderator_id=audits["moderator_id"].where(audits["root_cause"] == "a"))
    with pytest.raises(ValueError, match="missing value in column 'moderator_id'"):
        pareto(gaps, by_period="month", cluster="moderator_id")


def test_plot_draws_the_shares_and_the_cumulative_line():
    audits = random_audits()
    result = pareto(audits, by_period="month")
    ax = result.plot()
    heights = [bar.get_height() for bar in ax.patches]
    np.testing.assert_allclose(heights, result.table["share"])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), result.table["cum_share"])
    assert ax.lines[1].get_ydata()[0] == pytest.approx(0.8)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == result.table["root_cause"].tolist()
    before = result.comparison.set_index("root_cause")["share_before"]
    np.testing.assert_allclose(
        ax.collections[0].get_offsets()[:, 1], before.reindex(labels).to_numpy()
    )


def test_to_frame_and_html():
    result = pareto(random_audits())
    pd.testing.assert_frame_equal(result.to_frame(), result.table)
    assert "<h4>Pareto of error reasons</h4>" in result._repr_html_()


def test_input_is_not_modified():
    audits = random_audits()
    before = audits.copy()
    pareto(audits, weight="severity")
    pareto(audits, by_period="month")
    pd.testing.assert_frame_equal(audits, before)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=40),
    st.randoms(use_true_random=False),
)
def test_shares_sum_to_one_and_do_not_depend_on_row_order(causes, random):
    audits = _errors(causes)
    table = pareto(audits).table
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["cum_share"].iloc[-1] == pytest.approx(1.0)
    assert table["vital"].iloc[0]
    shuffled = list(causes)
    random.shuffle(shuffled)
    pd.testing.assert_frame_equal(pareto(_errors(shuffled)).table, table)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cutoff": 80}, "The 'cutoff' parameter of pareto must be a cumulative share"),
        ({"ci": 95}, "The 'ci' parameter of pareto must be a confidence level"),
        ({"category": "reason"}, "pareto needs column 'reason' in 'audits'"),
        ({"by_period": "month", "periods": ("2026-01", "2026-09")}, "names '2026-01', which"),
        ({"by_period": "month", "periods": "2026-09"}, "must be a pair"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        pareto(random_audits(200), **kwargs)


def test_errors_without_a_reason_are_refused():
    audits = _errors(["a", None, None])
    with pytest.raises(
        ValueError,
        match=r"pareto found 2 rows with a missing value in column 'root_cause' \(index 1, 2\)",
    ):
        pareto(audits)


def test_unknown_or_missing_severity_is_refused():
    audits = _errors(["a", "b", "c"], severity=["low", "huge", None])
    with pytest.raises(
        ValueError, match=r"2 errors whose 'severity' is missing or not one of .*'huge', (nan|None)"
    ):
        pareto(audits, weight="severity")


def test_one_period_only_cannot_be_compared():
    with pytest.raises(
        ValueError, match=r"at least two periods to compare; the errors fall in 1 period"
    ):
        pareto(_errors(["a"], month="2026-09"), by_period="month")


def test_no_errors_is_refused():
    audits = pd.DataFrame({"is_error": [False, False], "root_cause": [None, None]})
    with pytest.raises(ValueError, match="pareto has nothing to rank"):
        pareto(audits)


def test_outcome_must_be_true_false():
    audits = pd.DataFrame({"is_error": ["yes", "no"], "root_cause": ["a", None]})
    with pytest.raises(
        ValueError, match="The outcome column 'is_error' of pareto must hold True/False"
    ):
        pareto(audits)


def test_negative_weights_are_refused():
    audits = _errors(["a", "b"], w=[1.0, -2.0])
    with pytest.raises(
        ValueError, match=r"must hold finite weights >= 0. Found 1 other values: -2.0"
    ):
        pareto(audits, weight="w")


def test_not_a_frame():
    with pytest.raises(
        TypeError, match="The 'audits' parameter of pareto must be a pandas DataFrame"
    ):
        pareto([1, 2])


def test_one_reason_holds_everything():
    table = pareto(_errors(["a"] * 4)).table
    assert table[["count", "share", "cum_share", "vital"]].to_numpy().tolist() == [
        [4, 1.0, 1.0, True]
    ]


def test_empty_frame_has_nothing_to_rank():
    with pytest.raises(ValueError, match="pareto has nothing to rank: 0 errors"):
        pareto(_errors([]))
