"""The publish and dashboard subcommands."""

from __future__ import annotations

import pandas as pd

import qainsights as qi
from qainsights.cli import main
from qainsights.mart import findings_frame, read_mart
from qainsights.report import build_monthly_report


def test_publish_then_dashboard_from_the_mart(tmp_path, capsys):
    audits = qi.simulate_audits(seed=4, weeks=6, audits_per_week=300).audits
    folder = tmp_path / "audits"
    folder.mkdir()
    audits.to_parquet(folder / "part-0.parquet")
    mart = tmp_path / "quality.duckdb"
    status = main(
        ["publish", "--data", str(folder), "--to", str(mart), "--parquet", str(tmp_path / "pq")]
    )
    assert status == 0
    assert "Published 2 month(s)" in capsys.readouterr().out
    assert read_mart(mart, "cube")["n"].sum() == len(audits)
    assert (tmp_path / "pq" / "rates.parquet").is_file()
    assert main(["publish", "--data", str(folder), "--to", str(mart), "--months", "2025-12"]) == 0
    assert read_mart(mart, "cube")["n"].sum() == len(audits)
    output = tmp_path / "dashboard.html"
    assert main(["dashboard", "--mart", str(mart), "--output", str(output)]) == 0
    assert "qi-data" in output.read_text()


def test_bad_input_gives_a_message_and_status_2(tmp_path, capsys):
    assert (
        main(["publish", "--data", str(tmp_path / "none"), "--to", str(tmp_path / "q.duckdb")]) == 2
    )
    assert (
        "qainsights publish: scan_audits found no .parquet or .csv file" in capsys.readouterr().err
    )
    audits = qi.simulate_audits(seed=4, weeks=2, audits_per_week=100).audits
    audits.to_parquet(tmp_path / "audits.parquet")
    assert main(["publish", "--data", str(tmp_path / "audits.parquet"), "--months", "2025/12"]) == 2
    assert "must list months as 'YYYY-MM'" in capsys.readouterr().err


def test_publish_with_findings_stores_the_report_of_the_same_rows(tmp_path, capsys):
    # the reference: the report built in pandas on the same rows, at the same target
    audits = qi.simulate_audits(seed=6, start="2026-03-02", weeks=30, audits_per_week=200).audits
    expected = findings_frame(build_monthly_report(audits, target=0.95))
    assert expected["month"].iloc[0] == "2026-08"
    assert len(expected) > 0
    folder = tmp_path / "audits"
    folder.mkdir()
    audits.to_parquet(folder / "part-0.parquet")
    mart = tmp_path / "quality.duckdb"
    arguments = ["publish", "--data", str(folder), "--to", str(mart), "--findings"]
    assert main([*arguments, "--target", "0.95"]) == 0
    assert f", {len(expected)} findings, in" in capsys.readouterr().out
    stored = read_mart(mart, "findings")
    pd.testing.assert_frame_equal(stored, expected, check_dtype=False)
    # without --findings the table is kept as it is; a month's findings again replace its own
    assert main(["publish", "--data", str(folder), "--to", str(mart)]) == 0
    assert main([*arguments, "--target", "0.95", "--months", "2026-08"]) == 0
    pd.testing.assert_frame_equal(read_mart(mart, "findings"), expected, check_dtype=False)
