"""The report from a folder of Parquet files or a DuckDB table equals the report from one file.

The reference is the report as it has always been built: one Parquet export read and validated
in pandas (validate_audits). The same rows split over a folder, or loaded into a DuckDB table,
are read on DuckDB, collecting only the columns and months the report reads.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from qainsights.cli import main
from qainsights.datasets import simulate_audits
from qainsights.report import build_monthly_report
from qainsights.report.sources import read_report_audits, with_table
from report.test_report_engines import assert_same_report


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("sources")
    # 60 weeks: more than the 13 months the report reads, so the window is exercised
    audits = simulate_audits(seed=11, start="2025-07-07", weeks=60, audits_per_week=250).audits
    audits.to_parquet(root / "export.parquet")
    folder = root / "audits"
    folder.mkdir()
    # four files in the export's row order (DuckDB reads them in name order): the comments'
    # examples are the first of equals, so the order of the rows is part of "the same rows"
    for number, start in enumerate(range(0, len(audits), 4000)):
        audits.iloc[start : start + 4000].to_parquet(folder / f"part-{number}.parquet")
    database = root / "raw.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute(f"CREATE TABLE audits AS SELECT * FROM read_parquet('{root}/export.parquet')")
    return root


@pytest.fixture(scope="module")
def file_report(files):
    read = read_report_audits(files / "export.parquet")
    assert read.month is None
    assert len(read.audits) == len(pd.read_parquet(files / "export.parquet"))
    return build_monthly_report(read.audits, month=read.month)


@pytest.mark.parametrize(
    "source", ["audits", "raw.duckdb::audits"], ids=["parquet-folder", "duckdb-table"]
)
def test_the_report_from_an_engine_source_equals_the_report_from_one_file(
    files, file_report, source
):
    read = read_report_audits(files / source)
    assert read.month == file_report.month
    assert "audit_time" not in read.audits  # only the report's columns were collected
    assert_same_report(build_monthly_report(read.audits, month=read.month), file_report)


def test_a_database_needs_its_table_and_mappings_apply_to_exports_only(files):
    with pytest.raises(ValueError, match="only with 'table'"):
        read_report_audits(files / "raw.duckdb")
    with pytest.raises(ValueError, match=r"must name a table of .* 'audits'"):
        read_report_audits(with_table(files / "raw.duckdb", "audit"))
    with pytest.raises(ValueError, match="only from a DuckDB database"):
        read_report_audits(with_table(files / "export.parquet", "audits"))
    with pytest.raises(ValueError, match="'columns' to an export file"):
        read_report_audits(files / "audits", columns={"Reviewer": "auditor_id"})
    with pytest.raises(ValueError, match="'errors' to an export file"):
        read_report_audits(files / "audits", errors="report")


def test_the_command_renders_a_report_from_a_duckdb_table(files, tmp_path, capsys):
    output = tmp_path / "report.html"
    arguments = ["report", "--data", str(files / "raw.duckdb"), "--output", str(output)]
    assert main([*arguments, "--sections", "headline"]) == 2
    assert "--table" in capsys.readouterr().err
    assert main([*arguments, "--table", "audits", "--sections", "headline"]) == 0
    assert "Headline accuracy" in output.read_text()
