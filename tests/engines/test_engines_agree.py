"""The same analyses give the same numbers on pandas, polars (eager and lazy) and DuckDB.

Oracles: the aggregates are checked against a pandas group-by written out in the test
(and a DuckDB SQL query for the weighted sums); the statistics against the pandas path of
the same function, whose values are validated against published references in
tests/reference/ (rates.md, spc.md, agreement.md, trends.md). See tests/reference/engines.md.
"""

import numpy as np
import pandas as pd
import pytest

from qainsights.aggregate import error_counts, label_counts, subgroup_moments
from qainsights.agreement import agreement_summary, cohen_kappa, krippendorff_alpha
from qainsights.rates import error_rate
from qainsights.spc import control_charts
from qainsights.trends import explain_change

from .engine_data import audit_rows, ratings_rows

TOLERANCE = {"check_dtype": False, "check_exact": False, "rtol": 1e-12, "atol": 1e-15}


def assert_same(left, right):
    pd.testing.assert_frame_equal(
        left.reset_index(drop=True), right.reset_index(drop=True), **TOLERANCE
    )


def test_error_counts_equal_a_bare_pandas_group_by(engine):
    rows = audit_rows()
    got = error_counts(engine(rows), by=["site", "queue"], weight="weight", strata="stratum")
    w, y = rows["weight"], rows["is_error"].astype(float)
    expected = (
        rows.assign(n=1.0, errors=y, sum_w=w, sum_w2=w * w, sum_wy=w * y, sum_w2y=w * w * y)
        .groupby(["site", "queue", "stratum"], as_index=False)[
            ["n", "errors", "sum_w", "sum_w2", "sum_wy", "sum_w2y"]
        ]
        .sum()
    )
    assert_same(got, expected)


def test_weighted_sums_equal_duckdb_sql():
    duckdb = pytest.importorskip("duckdb")
    rows = audit_rows()
    expected = duckdb.sql(
        "SELECT site, week, count(*)::DOUBLE AS n, sum(is_error::INT)::DOUBLE AS errors, "
        "sum(weight) AS sum_w, sum(weight * weight) AS sum_w2, "
        "sum(weight * is_error::INT) AS sum_wy, sum(weight * weight * is_error::INT) AS sum_w2y "
        "FROM rows GROUP BY ALL ORDER BY site, week"
    ).df()
    assert_same(error_counts(rows, by="site", period="week", weight="weight"), expected)


def test_label_counts_equal_pandas_value_counts(engine):
    ratings = ratings_rows()
    got = label_counts(engine(ratings), item="item", label="label", rater="rater")
    expected = ratings.dropna().groupby(["item", "label"]).size().rename("n").reset_index()
    assert_same(got, expected)


def test_subgroup_moments_give_pandas_means_and_variances(engine):
    rows = audit_rows()
    got = subgroup_moments(engine(rows), value="weight", subgroup="week", by="site")
    expected = rows.groupby(["site", "week"])["weight"].agg(["mean", "var"]).reset_index()
    mean = got["sum"] / got["n"]
    variance = (got["sum_sq"] - got["sum"] ** 2 / got["n"]) / (got["n"] - 1)
    np.testing.assert_allclose(mean, expected["mean"], rtol=1e-12)
    np.testing.assert_allclose(variance, expected["var"], rtol=1e-9)


@pytest.mark.parametrize(
    "design", [{}, {"weight": "weight", "strata": "stratum"}], ids=["simple", "weighted"]
)
def test_error_rate_is_the_same_on_every_engine(engine, design):
    rows = audit_rows()
    expected = error_rate(rows, by=["site", "queue"], **design)
    assert_same(error_rate(engine(rows), by=["site", "queue"], **design), expected)
    overall = error_rate(engine(rows), **design)
    assert_same(overall, error_rate(rows, **design))


def test_laney_p_charts_are_the_same_on_every_engine(engine):
    rows = audit_rows()
    options = {"by": ["site", "queue"], "chart": "laney_p", "subgroup": "week"}
    expected = control_charts(rows, outcome="is_error", **options)
    got = control_charts(engine(rows), outcome="is_error", **options)
    for part in ("table", "signals", "segments"):
        assert_same(getattr(got, part), getattr(expected, part))
    assert got.expected_false_alarms == expected.expected_false_alarms


def test_charts_of_engine_aggregates_are_the_same(engine):
    counts = (
        audit_rows()
        .groupby(["site", "week"], as_index=False)
        .agg(errors=("is_error", "sum"), audits=("is_error", "size"))
    )
    options = {"by": "site", "chart": "laney_p", "subgroup": "week"}
    expected = control_charts(counts, defects="errors", n="audits", **options)
    got = control_charts(engine(counts), defects="errors", n="audits", **options)
    assert_same(got.table, expected.table)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_krippendorff_alpha_is_the_same_on_every_engine(engine, level):
    ratings = ratings_rows()
    names = {"item": "item", "rater": "rater", "label": "label"}
    expected = krippendorff_alpha(ratings, level=level, **names)
    got = krippendorff_alpha(engine(ratings), level=level, **names)
    assert_same(got.to_frame(), expected.to_frame())
    boot = {"method": "bootstrap", "n_boot": 200, "seed": 3}
    expected = krippendorff_alpha(ratings, level=level, **names, **boot)
    assert_same(
        krippendorff_alpha(engine(ratings), level=level, **names, **boot).to_frame(),
        expected.to_frame(),
    )


def test_rater_coefficients_read_rater_identities_on_every_engine(engine):
    ratings = ratings_rows()
    names = {"item": "item", "rater": "rater", "label": "label"}
    # Conger's kappa and the per-rater statistics of the summary need who rated what
    assert_same(agreement_summary(engine(ratings), **names), agreement_summary(ratings, **names))
    pair = ratings.loc[ratings["rater"].isin(["r1", "r3"])].reset_index(drop=True)
    assert_same(
        cohen_kappa(engine(pair), **names).to_frame(), cohen_kappa(pair, **names).to_frame()
    )
    # rows in another order on the engine: the same ratings, the same numbers
    shuffled = ratings.sample(frac=1.0, random_state=4).reset_index(drop=True)
    assert_same(agreement_summary(engine(shuffled), **names), agreement_summary(ratings, **names))


def test_explain_change_is_the_same_on_every_engine(engine):
    rows = audit_rows()
    options = {"by": ["site", "queue"], "period": "week", "current": 8, "baseline": [6, 7]}
    expected = explain_change(rows, **options)
    got = explain_change(engine(rows), **options)
    for part in ("explanation", "segments", "overall", "mix"):
        assert_same(getattr(got, part), getattr(expected, part))
    assert got.summary() == expected.summary()


def test_every_trends_function_is_the_same_on_every_engine(engine):
    from qainsights.trends import (
        compare_periods,
        decompose_change,
        detect_changepoints,
        trend_test,
    )

    rows = audit_rows()
    periods = {"period": "week", "current": 8}
    assert_same(
        compare_periods(engine(rows), by="site", **periods).to_frame(),
        compare_periods(rows, by="site", **periods).to_frame(),
    )
    got = decompose_change(engine(rows), by="queue", n_boot=100, **periods)
    expected = decompose_change(rows, by="queue", n_boot=100, **periods)
    assert_same(got.to_frame(), expected.to_frame())
    assert_same(
        compare_periods(engine(rows), by="site", weight="weight", **periods).to_frame(),
        compare_periods(rows, by="site", weight="weight", **periods).to_frame(),
    )
    got = decompose_change(engine(rows), by="queue", weight="weight", **periods)
    expected = decompose_change(rows, by="queue", weight="weight", **periods)
    assert_same(got.to_frame(), expected.to_frame())
    got = detect_changepoints(engine(rows), period="week", by="site")
    expected = detect_changepoints(rows, period="week", by="site")
    assert_same(got.to_frame(), expected.to_frame())
    assert_same(
        trend_test(engine(rows), period="week", by="site"),
        trend_test(rows, period="week", by="site"),
    )
