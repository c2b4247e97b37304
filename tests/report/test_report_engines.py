"""The report on polars, DuckDB and Spark rows gives the numbers it gives on the same rows in pandas."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from engines.test_spark import spark, to_spark  # noqa: F401  (the module's Spark session)

from qainsights.datasets import simulate_audits
from qainsights.report import build_monthly_report
from qainsights.report.engine_input import collect_report_rows


@pytest.fixture(scope="module")
def audits():
    # 64 weeks: more than the 13 months the report looks back over, so the window is exercised
    return simulate_audits(seed=5, start="2025-07-07", weeks=64, audits_per_week=700).audits


@pytest.fixture(scope="module")
def pandas_report(audits):
    return build_monthly_report(audits)


def _polars(audits):
    import polars as pl

    return pl.from_pandas(audits)


def _duckdb(audits):
    return duckdb.connect().from_arrow(_polars(audits).to_arrow())


def assert_same_report(theirs, mine):
    assert (theirs.month, theirs.previous, theirs.weighted) == (mine.month, mine.previous, True)
    assert theirs.omitted == mine.omitted
    assert [f.finding for f in theirs.findings] == [f.finding for f in mine.findings]
    assert theirs.notes == mine.notes
    theirs_tables, mine_tables = theirs.tables(), mine.tables()
    assert list(theirs_tables) == list(mine_tables)
    for title, table in mine_tables.items():
        other = theirs_tables[title]
        assert other.shape == table.shape, title
        for column in table.columns:
            left, right = other[column], table[column]
            if pd.api.types.is_numeric_dtype(right) and not pd.api.types.is_bool_dtype(right):
                np.testing.assert_allclose(
                    left.to_numpy(float), right.to_numpy(float), rtol=1e-12, atol=1e-12,
                    equal_nan=True, err_msg=f"{title}: {column}",
                )  # fmt: skip
            else:
                assert left.astype(str).tolist() == right.astype(str).tolist(), (title, column)


@pytest.mark.parametrize("engine", [_polars, _duckdb], ids=["polars", "duckdb"])
def test_the_report_on_an_engine_equals_the_report_on_pandas(audits, pandas_report, engine):
    assert_same_report(build_monthly_report(engine(audits)), pandas_report)


def test_only_the_report_window_and_columns_are_collected(audits):
    rows, month = collect_report_rows(_duckdb(audits))
    # the latest complete month of the decisions, the 12 months before it and the month after
    # (the last week of August runs into September), by hand
    assert month == "2026-08"
    window = pd.period_range(end="2026-09", periods=14, freq="M").astype(str)
    assert sorted(rows["month"].unique()) == list(window)
    assert len(rows) == audits["month"].isin(window).sum()
    assert "audit_time" not in rows
    # the IDs the comments section masks in the text come along with it
    assert {"moderator_id", "auditor_id"} <= set(rows.columns)
    assert "item_id" not in rows
    comments = rows["qa_comment"].notna()
    errors_recent = rows["is_error"] & rows["month"].isin(["2026-07", "2026-08"])
    assert not (comments & ~errors_recent).any()
    assert (
        comments.sum()
        == audits.loc[
            audits["is_error"] & audits["month"].isin(["2026-07", "2026-08"]), "qa_comment"
        ]
        .notna()
        .sum()
    )


@pytest.mark.spark
@pytest.mark.slow
def test_the_report_on_spark_equals_the_report_on_pandas(audits, pandas_report, spark):  # noqa: F811
    assert_same_report(build_monthly_report(to_spark(spark, audits)), pandas_report)


def test_decimal_weights_are_read_as_floats(audits):
    # SQL sources often type weights as DECIMAL, which reaches pandas as Python objects
    relation = _duckdb(audits).select("* REPLACE (CAST(weight AS DECIMAL(18, 6)) AS weight)")
    rows, _ = collect_report_rows(relation)
    assert rows["weight"].dtype == np.float64
    window = rows["month"].unique()
    expected = audits.loc[audits["month"].isin(window), "weight"].round(6)
    np.testing.assert_allclose(np.sort(rows["weight"]), np.sort(expected), rtol=1e-15)
