import re
from html import escape as html_escape

import openpyxl
import pandas as pd
import pytest

from qainsights import load_audits
from qainsights.cli import main
from qainsights.datasets import simulate_audits
from qainsights.report import build_monthly_report


@pytest.fixture(scope="module")
def small_export(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    audits = simulate_audits(seed=4, start="2026-08-03", weeks=9, audits_per_week=400).audits
    path = folder / "audits.csv"
    audits.to_csv(path, index=False)
    return path


def test_cli_renders_a_self_contained_report(small_export, tmp_path, capfd):
    output = tmp_path / "out" / "report.html"
    exports = tmp_path / "tables"
    args = ["report", "--data", str(small_export), "--output", str(output), "--target", "0.9"]
    assert main([*args, "--exports", str(exports)]) == 0
    console = capfd.readouterr()
    assert f"Wrote {output}" in console.out
    assert "without encryption" not in console.err  # the kernel talks over local IPC
    html = output.read_text()
    assert "<title>Monthly Quality Report - 2026-09</title>" in html
    assert "Report month: 2026-09" in html  # the data end on 2026-10-04: September is complete
    assert str(tmp_path) not in html  # no local paths
    assert "@media print" in html
    images = re.findall(r"<img[^>]*>", html)
    assert len(images) >= 6
    assert all('src="data:image/png;base64,' in tag for tag in images)  # embedded
    assert not re.search(r'src="https?://', html)  # opens offline
    assert "import qainsights" not in html  # code hidden
    assert "from qainsights" not in html
    for heading in ("Headline accuracy", "over- and under-enforcement", "Control charts",
                    "What changed since 2026-08", "Accuracy by site", "common content mix",
                    "In-house and vendor sites", "Moderators", "Capability",
                    "Sampling statement", "Actions", "What matters this month"):  # fmt: skip
        assert heading in html
    assert "Calibration</h2>" not in html  # no calibration data given, and it says so:
    assert "Calibration: not shown, no calibration ratings were given." in html
    assert 'href="#section-segments"' in html  # the first screen links to the evidence
    # the numbers are the library's
    report = build_monthly_report(load_audits(small_export), target=0.9)
    assert html_escape(report.headline.sentence()) in html
    assert html_escape(report.sampling) in html
    book = openpyxl.load_workbook(exports / "monthly_quality_report.xlsx")
    assert "Actions" in book.sheetnames
    assert "Accuracy by site" in book.sheetnames
    assert (exports / "actions.csv").exists()


def test_sections_can_be_chosen(small_export, tmp_path):
    output = tmp_path / "report.html"
    assert main(["report", "--data", str(small_export), "--output", str(output),
                 "--sections", "headline,sampling"]) == 0  # fmt: skip
    html = output.read_text()
    assert "Headline accuracy" in html
    assert "Sampling statement" in html
    assert "Control charts" not in html
    assert main(["report", "--data", str(small_export), "--output", str(output),
                 "--sections", "headline,charts"]) == 2  # fmt: skip


def test_executed_notebook_names_no_path_of_this_machine(small_export, tmp_path):
    notebook = tmp_path / "executed.ipynb"
    assert main(["report", "--data", str(small_export), "--output", str(tmp_path / "r.html"),
                 "--sections", "headline", "--notebook", str(notebook)]) == 0  # fmt: skip
    text = notebook.read_text()
    assert '"input_path": "qainsights/report/monthly_quality_report.ipynb"' in text
    assert str(tmp_path) not in text


def test_cli_writes_the_samples(tmp_path):
    assert main(["samples", "--output", str(tmp_path)]) == 0
    standard = pd.read_csv(tmp_path / "calibration_standard.csv")
    assert list(standard.columns) == ["item_id", "label"]


def test_cli_requires_data(capsys):
    with pytest.raises(SystemExit):
        main(["report"])
    assert "--data" in capsys.readouterr().err


def test_hostile_labels_render_as_text(tmp_path):
    audits = simulate_audits(seed=4, start="2026-08-03", weeks=9, audits_per_week=300).audits
    audits["queue"] = audits["queue"].replace({"ads": "<script>alert(1)</script>"})
    audits["site"] = audits["site"].replace({"Lisbon": "<b>Lisbon</b>"})
    audits["queue"] = audits["queue"].replace({"appeals": "طعون 😀"})  # Arabic and an emoji
    path = tmp_path / "hostile.parquet"
    audits.to_parquet(path)
    output = tmp_path / "report.html"
    assert main(["report", "--data", str(path), "--output", str(output)]) == 0
    html = output.read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>Lisbon</b>" not in html
    assert "طعون 😀" in html  # tables keep the label; charts draw what the fonts can
    assert "missing from font" not in html
    assert "vnd.jupyter.stderr" not in html.split("</style>")[-1]  # no warning printed


def test_a_thin_valid_export_renders_and_says_what_it_leaves_out(tmp_path):
    audits = simulate_audits(seed=4, start="2026-08-03", weeks=9, audits_per_week=200).audits
    thin = audits[audits["site"] == "Manila"].drop(
        columns=["severity", "root_cause", "weight", "stratum", "site_type"]
    )
    thin = thin.assign(moderator_id=thin["moderator_id"].where(thin.index % 2 == 0, "m2"))
    thin = thin.assign(moderator_id=thin["moderator_id"].where(thin.index % 2 == 1, "m1"))
    path = tmp_path / "thin.csv"
    thin.to_csv(path, index=False)
    output = tmp_path / "report.html"
    assert main(["report", "--data", str(path), "--output", str(output)]) == 0
    html = output.read_text()
    assert "Root causes: not shown, no root cause is recorded" in html
    assert "Moderators: not shown, 2 moderator(s) in the last 3 months" in html
    assert "Sites on a common mix: not shown, one site only" in html
    assert "share of audited decisions in error" in html  # no weights: the audits' rate


def test_cli_validate_reports_problems_and_exit_status(small_export, tmp_path, capsys):
    assert main(["validate", "--data", str(small_export)]) == 0
    assert "all" in capsys.readouterr().out
    broken = pd.read_csv(small_export, dtype="str")
    broken.loc[[3, 8], "decision_time"] = "=cmd|' /C calc'!A0"
    path = tmp_path / "broken.csv"
    broken.to_csv(path, index=False)
    problems = tmp_path / "problems.csv"
    assert main(["validate", "--data", str(path), "--problems", str(problems)]) == 1
    out = capsys.readouterr().out
    assert "validate_audits found problems in 2 of" in out
    listed = pd.read_csv(problems)
    assert listed["row"].tolist() == [3, 8]
    assert listed["value"].str.startswith("'=").all()  # neutralised for spreadsheets


def test_cli_validate_mappings_and_file_errors(small_export, tmp_path, capsys):
    renamed = pd.read_csv(small_export, dtype="str").rename(columns={"auditor_id": "Reviewer"})
    renamed["qa_action"] = renamed["qa_action"].replace({"remove": "Take down"})
    path = tmp_path / "renamed.csv"
    renamed.to_csv(path, index=False)
    args = ["validate", "--data", str(path), "--column", "Reviewer=auditor_id"]
    assert main([*args, "--action", "Take down=remove"]) == 0
    assert main(args) == 1
    assert main(["validate", "--data", str(tmp_path / "missing.csv")]) == 2
    assert "qainsights validate: validate_audits: no file at" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*args, "--action", "no-equals-sign"])
