"""Bad inputs of the engine boundary, the caller's frames unchanged, and scan_audits."""

import re

import numpy as np
import pandas as pd
import pytest

from qainsights.aggregate import (
    error_counts,
    is_engine_frame,
    label_counts,
    scan_audits,
    subgroup_moments,
)
from qainsights.agreement import krippendorff_alpha
from qainsights.audits import load_audits
from qainsights.rates import error_rate

from .engine_data import audit_rows, ratings_rows, to_duckdb, to_polars

pl = pytest.importorskip("polars")
duckdb = pytest.importorskip("duckdb")


def test_engine_frames_are_recognised():
    rows = audit_rows(size=10)
    assert not is_engine_frame(rows)
    assert not is_engine_frame(rows.to_numpy())
    assert is_engine_frame(to_polars(rows))
    assert is_engine_frame(to_duckdb(rows))


def test_not_a_frame():
    with pytest.raises(
        TypeError,
        match=re.escape(
            "The 'data' parameter of error_counts must be a pandas, polars, DuckDB or PySpark "
            "frame. Got list instead."
        ),
    ):
        error_counts([1, 2], by="site")


def test_missing_column_names_the_columns_present():
    with pytest.raises(
        ValueError, match="error_counts needs column 'tier' in 'data', which has columns 'site'"
    ):
        error_counts(to_polars(audit_rows(size=10)), by="tier")


@pytest.mark.parametrize("column", ["site", "is_error", "weight"])
def test_missing_values_are_counted_on_the_engine(engine, column):
    rows = audit_rows(size=50).astype({column: object})
    rows.loc[[3, 7, 9], column] = None
    frame = engine(rows.astype({"is_error": "boolean", "weight": "Float64"}))
    with pytest.raises(
        ValueError, match=f"error_rate found 3 rows with a missing value in column '{column}'"
    ):
        error_rate(frame, by="site", weight="weight")


def test_outcome_values_other_than_true_false():
    frame = pl.DataFrame({"site": ["a", "a", "b"], "is_error": [0, 2, 1]})
    with pytest.raises(
        ValueError, match=r"must hold True/False \(or 1/0\) values. Found 1 other values: 2\."
    ):
        error_counts(frame, by="site")
    text = pl.DataFrame({"site": ["a"], "is_error": ["yes"]})
    with pytest.raises(ValueError, match="Found 1 other values: 'yes'"):
        error_counts(text, by="site")


def test_integer_outcomes_count_like_booleans():
    # 0/1 integers are the same outcome as False/True: errors = 2 of 3 in site a, counted by hand.
    frame = pl.DataFrame({"site": ["a", "a", "a"], "is_error": [1, 0, 1]})
    counts = error_counts(frame, by="site")
    assert counts[["n", "errors"]].to_numpy().tolist() == [[3.0, 2.0]]


def test_bad_weights():
    frame = pl.DataFrame(
        {"site": ["a", "b", "b"], "is_error": [True, False, True], "w": [1.0, -2.0, 0.0]}
    )
    with pytest.raises(
        ValueError, match=r"must hold finite weights > 0. Found 2 other values: -2.0, 0.0"
    ):
        error_rate(frame, by="site", weight="w")
    named = frame.with_columns(w=pl.lit("x"))
    with pytest.raises(ValueError, match="The weight column 'w' of error_rate must be numeric"):
        error_rate(named, by="site", weight="w")


def test_no_rows():
    empty = to_duckdb(audit_rows(size=10)).filter("site = 'nowhere'")
    with pytest.raises(ValueError, match="error_rate got no audits: the frame has 0 rows"):
        error_rate(empty, by="site")


def test_freq_the_engines_cannot_floor():
    frame = pl.DataFrame({"site": ["a"], "day": [pd.Timestamp("2025-01-02")], "is_error": [True]})
    with pytest.raises(
        ValueError,
        match=re.escape(
            "The 'freq' parameter of error_counts must be one of 'D', 'M', 'Q', 'Y' for a "
            "polars, DuckDB or Spark frame. Got 'W' instead."
        ),
    ):
        error_counts(frame, by="site", period="day", freq="W")
    with pytest.raises(ValueError, match="needs a date or datetime column"):
        error_counts(frame, by="day", period="site", freq="M")


def test_monthly_floor_matches_pandas_periods():
    days = pd.to_datetime(["2025-01-02", "2025-01-31", "2025-02-01", "2025-03-15"])
    rows = pd.DataFrame({"day": days, "is_error": [True, False, True, True]})
    got = error_counts(to_polars(rows), period="day", freq="M")
    months = rows["day"].dt.to_period("M").dt.start_time  # pandas' own period start
    expected = rows.groupby(months)["is_error"].agg(["size", "sum"])
    assert list(got["day"]) == list(expected.index)
    assert got["n"].tolist() == expected["size"].astype(float).tolist()


def test_repeated_ratings_are_reported():
    ratings = pd.DataFrame({"item": [1, 1, 2], "rater": ["a", "a", "a"], "label": [1, 2, 1]})
    with pytest.raises(
        ValueError,
        match=r"krippendorff_alpha found 1 \(item, rater\) pair\(s\) rated more than once, for example items 1\.",
    ):
        krippendorff_alpha(to_polars(ratings), item="item", rater="rater", label="label")


def test_subgroup_moments_needs_numbers():
    frame = pl.DataFrame({"week": [1], "score": ["high"]})
    with pytest.raises(ValueError, match="The 'score' column of subgroup_moments must be numeric"):
        subgroup_moments(frame, value="score", subgroup="week")


def test_inputs_are_not_changed():
    rows, ratings = audit_rows(size=200), ratings_rows(items=30)
    frames = {"rows": to_polars(rows), "ratings": to_polars(ratings)}
    copies = {name: frame.clone() for name, frame in frames.items()}
    error_counts(frames["rows"], by="site", weight="weight", strata="stratum", period="week")
    label_counts(frames["ratings"], item="item", label="label", rater="rater")
    error_rate(rows, by="site")
    pd.testing.assert_frame_equal(rows, audit_rows(size=200))
    for name, frame in frames.items():
        assert frame.equals(copies[name])


@pytest.fixture
def audit_folder(tmp_path):
    table = load_audits("data_samples/audits.parquet")
    parts = np.array_split(np.arange(len(table)), 3)
    for number, rows in enumerate(parts):
        table.iloc[rows].to_parquet(tmp_path / f"part-{number}.parquet")
    return table, tmp_path


def test_scan_audits_aggregates_the_files_like_the_loaded_table(audit_folder):
    table, folder = audit_folder
    relation = scan_audits(folder)
    # moderators as clusters on both paths (the sample's errors cluster by moderator)
    got = error_rate(
        relation, by=["site", "queue"], weight="weight", strata="stratum", cluster="moderator_id"
    )
    expected = error_rate(
        table, by=["site", "queue"], weight="weight", strata="stratum", cluster="moderator_id"
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-12)


def test_scan_audits_derives_the_week_like_load_audits(audit_folder):
    table, folder = audit_folder
    path = folder / "part-0.parquet"
    without_week = pd.read_parquet(path).drop(columns="week")
    without_week.to_parquet(folder / "part-0.parquet")
    got = scan_audits(path).order("audit_id").select("audit_id, week").df()
    expected = table.set_index("audit_id").loc[got["audit_id"], "week"]
    assert (got["week"].to_numpy() == expected.to_numpy()).all()


def test_scan_audits_reports_problems_in_sql(tmp_path):
    rows = pd.DataFrame(
        {
            "audit_id": ["A1", "A2", None],
            "decision_time": pd.to_datetime(["2025-01-01"] * 3),
            "site": ["x", None, None],
            "queue": "q",
            "policy": "p",
            "market": "m",
            "is_error": [1, 0, 1],
        }
    )
    rows.to_csv(tmp_path / "audits.csv", index=False)
    with pytest.raises(
        ValueError,
        match=r"scan_audits found problems in the audit files: 1 missing 'audit_id'; 2 missing 'site'; 'is_error' of type BIGINT instead of BOOLEAN",
    ):
        scan_audits(tmp_path)
    rows.drop(columns="site").to_parquet(tmp_path / "only.parquet")
    with pytest.raises(ValueError, match=r"scan_audits needs column\(s\) 'site'"):
        scan_audits(tmp_path / "only.parquet")
    with pytest.raises(FileNotFoundError, match=r"scan_audits found no \.parquet or \.csv file"):
        scan_audits(tmp_path / "missing")
