"""Tests of compare_periods.

Sources (tests/reference/trends.md, section 1): statsmodels 0.15 proportion_confint (Wilson),
confint_proportions_2indep(method="newcomb"), proportions_ztest, test_proportions_2indep and
multipletests(method="fdr_bh"), and scipy.stats.fisher_exact, all evaluated at test time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference.rates import modified_wilson
from scipy.stats import fisher_exact
from statsmodels.stats import proportion as sm_proportion
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportions_ztest,
)

from qainsights.trends import compare_periods


def aggregate_frame():
    """Six sites, two months; site f has small counts (Fisher), site e a big change."""
    return pd.DataFrame(
        {
            "site": list("abcdef") * 2,
            "month": ["2026-01"] * 6 + ["2026-02"] * 6,
            "errors": [40, 25, 60, 12, 30, 1, 44, 20, 61, 15, 70, 4],
            "audits": [500, 400, 800, 300, 450, 40, 520, 380, 790, 310, 460, 35],
        }
    )


def rows_from(aggregate):
    """Expand an aggregate frame into audit rows (one per audit)."""
    repeated = aggregate.loc[aggregate.index.repeat(aggregate["audits"])]
    rank = repeated.groupby(level=0).cumcount()
    rows = repeated.assign(is_error=rank < repeated["errors"])
    return rows[["site", "month", "is_error"]].reset_index(drop=True)


def test_rates_and_intervals_match_statsmodels():
    result = compare_periods(
        aggregate_frame(), by="site", period="month", current="2026-02", errors="errors", n="audits"
    ).segments
    agg = aggregate_frame()
    base, cur = agg.iloc[:6], agg.iloc[6:]
    for part, frame in (("baseline", base), ("current", cur)):
        low, high = modified_wilson(frame["errors"], frame["audits"])
        np.testing.assert_allclose(result[f"rate_{part}"], frame["errors"] / frame["audits"])
        np.testing.assert_allclose(result[f"ci_low_{part}"], low, rtol=1e-10)
        np.testing.assert_allclose(result[f"ci_high_{part}"], high, rtol=1e-10)
    low, high = confint_proportions_2indep(
        cur["errors"].to_numpy(),
        cur["audits"].to_numpy(),
        base["errors"].to_numpy(),
        base["audits"].to_numpy(),
        method="newcomb",
        compare="diff",
    )
    np.testing.assert_allclose(result["ci_low"], low, rtol=1e-9)
    np.testing.assert_allclose(result["ci_high"], high, rtol=1e-9)


def test_p_values_match_statsmodels_z_and_scipy_fisher():
    agg = aggregate_frame()
    result = compare_periods(
        agg, by="site", period="month", current="2026-02", errors="errors", n="audits", min_n=0
    ).segments
    # Site f: 5 errors in 75 audits, expected errors 35 * 5/75 = 2.3 < 5, so Fisher's test.
    assert result["test"].tolist() == ["z"] * 5 + ["fisher"]
    for i in range(5):
        e0, n0 = agg.loc[i, ["errors", "audits"]]
        e1, n1 = agg.loc[i + 6, ["errors", "audits"]]
        _, p_z = proportions_ztest([e1, e0], [n1, n0])
        score = sm_proportion.test_proportions_2indep(
            e1, n1, e0, n0, method="score", correction=False
        )
        assert result.loc[i, "p_value"] == pytest.approx(p_z, rel=1e-9)
        assert result.loc[i, "p_value"] == pytest.approx(score.pvalue, rel=1e-9)
    fisher = fisher_exact([[4, 31], [1, 39]]).pvalue
    assert result.loc[5, "p_value"] == pytest.approx(fisher, rel=1e-9)
    q = multipletests(result["p_value"], method="fdr_bh")[1]
    np.testing.assert_allclose(result["q_value"], q, rtol=1e-12)
    assert result["significant"].tolist() == list(q <= 0.05)


@pytest.mark.parametrize("table", [[[0, 12], [5, 9]], [[1, 30], [6, 25]], [[2, 50], [2, 48]]])
def test_fisher_matches_scipy_on_small_tables(table):
    (e1, c1), (e0, c0) = table
    agg = pd.DataFrame(
        {
            "g": ["x", "x"],
            "p": [0, 1],
            "errors": [e0, e1],
            "audits": [e0 + c0, e1 + c1],
        }
    )
    result = compare_periods(
        agg, by="g", period="p", current=1, errors="errors", n="audits", min_n=0
    ).segments
    assert result.loc[0, "test"] == "fisher"
    assert result.loc[0, "p_value"] == pytest.approx(fisher_exact(table).pvalue, rel=1e-9)


def test_audit_rows_give_the_same_answer_as_aggregates():
    agg = aggregate_frame()
    from_agg = compare_periods(
        agg, by="site", period="month", current="2026-02", errors="errors", n="audits"
    )
    from_rows = compare_periods(rows_from(agg), by="site", period="month", current="2026-02")
    pd.testing.assert_frame_equal(from_agg.segments, from_rows.segments)
    pd.testing.assert_frame_equal(from_agg.overall, from_rows.overall)
    assert from_rows.overall.loc[0, "n_current"] == agg["audits"].iloc[6:].sum()


def test_min_n_guard_keeps_small_segments_out_of_the_family():
    agg = aggregate_frame()
    result = compare_periods(
        agg, by="site", period="month", current="2026-02", errors="errors", n="audits", min_n=41
    ).segments
    assert result.loc[5, "test"] == "none"
    assert np.isnan(result.loc[5, "p_value"])
    assert np.isnan(result.loc[5, "q_value"])
    assert not result.loc[5, "significant"]
    q = multipletests(result["p_value"].iloc[:5], method="fdr_bh")[1]
    np.testing.assert_allclose(result["q_value"].iloc[:5], q, rtol=1e-12)


def test_baseline_defaults_to_the_previous_period_and_lists_pool():
    agg = pd.concat([aggregate_frame(), aggregate_frame().iloc[:6].assign(month="2025-12")])
    result = compare_periods(
        agg, by="site", period="month", current="2026-02", errors="errors", n="audits"
    )
    assert result.baseline == ("2026-01",)
    pooled = compare_periods(
        agg,
        by="site",
        period="month",
        current="2026-02",
        baseline=["2025-12", "2026-01"],
        errors="errors",
        n="audits",
    )
    np.testing.assert_allclose(pooled.segments["n_baseline"], 2 * agg["audits"].iloc[:6].to_numpy())


def test_datetime_periods_accept_strings():
    agg = aggregate_frame().assign(week=lambda d: pd.to_datetime(d["month"] + "-05"))
    result = compare_periods(
        agg, by="site", period="week", current="2026-02-05", errors="errors", n="audits"
    )
    assert result.baseline == (pd.Timestamp("2026-01-05"),)


def test_absent_segment_warns_and_is_not_tested():
    agg = aggregate_frame().drop(index=[2])
    with pytest.warns(
        UserWarning, match=r"1 segments have no audits in one of the periods \('c'\)"
    ):
        result = compare_periods(
            agg, by="site", period="month", current="2026-02", errors="errors", n="audits"
        )
    row = result.segments.set_index("site").loc["c"]
    assert row["n_baseline"] == 0
    assert np.isnan(row["rate_baseline"])
    assert row["test"] == "none"
    assert np.isnan(row["q_value"])


def test_input_is_not_modified_and_plot_draws_tested_segments():
    agg = aggregate_frame()
    copy = agg.copy()
    result = compare_periods(
        agg, by="site", period="month", current="2026-02", errors="errors", n="audits"
    )
    pd.testing.assert_frame_equal(agg, copy)
    ax = result.plot()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["a", "b", "c", "d", "e *", "f"]
    assert "Period comparison" in result._repr_html_()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"current": "2027-01"},
            ValueError,
            r"The 'current' parameter of compare_periods must name periods present in the data. Got '2027-01'",
        ),
        (
            {"current": "2026-01"},
            ValueError,
            r"compare_periods found no period before '2026-01' to compare with",
        ),
        (
            {"current": "2026-02", "baseline": "2026-02"},
            ValueError,
            r"must not overlap. Both contain '2026-02'",
        ),
        (
            {"current": "2026-02", "ci": 95},
            ValueError,
            r"The 'ci' parameter of compare_periods must be a confidence level",
        ),
        (
            {"current": "2026-02", "alpha": 0},
            ValueError,
            r"The 'alpha' parameter of compare_periods",
        ),
        (
            {"current": "2026-02", "min_n": -1},
            ValueError,
            r"The 'min_n' parameter of compare_periods must be a number of audits >= 0. Got -1",
        ),
        (
            {"current": "2026-02", "by": "region"},
            ValueError,
            r"compare_periods needs column 'region' in 'data'",
        ),
        (
            {"current": "2026-02", "n": None},
            ValueError,
            r"both 'errors' and 'n' name columns; got only errors",
        ),
    ],
)
def test_bad_arguments(kwargs, error, match):
    arguments = {"by": "site", "period": "month", "errors": "errors", "n": "audits"} | kwargs
    with pytest.raises(error, match=match):
        compare_periods(aggregate_frame(), **arguments)


def test_bad_data():
    agg = aggregate_frame()
    with pytest.raises(TypeError, match=r"must be a pandas DataFrame\. Got list instead"):
        compare_periods([1], by="site", period="month", current="2026-02")
    with pytest.raises(ValueError, match="compare_periods got no rows"):
        compare_periods(
            agg.iloc[:0], by="site", period="month", current="2026-02", errors="errors", n="audits"
        )
    bad = agg.assign(errors=agg["errors"].where(agg.index != 3, 999))
    with pytest.raises(
        ValueError, match=r"needs 0 <= errors <= audits in every row. Got 1 invalid rows: '999/300'"
    ):
        compare_periods(
            bad, by="site", period="month", current="2026-02", errors="errors", n="audits"
        )
    rows = rows_from(agg).astype({"is_error": "object"})
    rows.loc[3, "is_error"] = "yes"
    with pytest.raises(ValueError, match="must hold True/False"):
        compare_periods(rows, by="site", period="month", current="2026-02")
    rows = rows_from(agg)
    rows.loc[[1, 2], "site"] = None
    with pytest.raises(ValueError, match="found 2 rows with a missing value in column 'site'"):
        compare_periods(rows, by="site", period="month", current="2026-02")
    with pytest.raises(ValueError, match="must differ from the period column"):
        compare_periods(
            agg, by="month", period="month", current="2026-02", errors="errors", n="audits"
        )
