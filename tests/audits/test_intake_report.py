"""The mapping goes everywhere the data goes: the report reads an export as load_audits does."""

import pytest

from qainsights.cli import main
from qainsights.datasets import simulate_audits
from qainsights.report import render_report

ACTIONS = {"remove": "Delete", "no_action": "Approve", "label": "Label", "restrict": "Limit",
           "suspend": "Ban"}  # fmt: skip


@pytest.fixture(scope="module")
def own_export(tmp_path_factory):
    """An export in the team's own words: renamed columns, own actions, day-first dates."""
    audits = simulate_audits(seed=4, start="2026-08-03", weeks=9, audits_per_week=300).audits
    export = audits.drop(columns=["is_error", "error_type", "week", "month"])
    for column in ("moderator_action", "qa_action"):
        export[column] = export[column].map(ACTIONS)
    export = export.rename(columns={"auditor_id": "Reviewer", "qa_action": "QA verdict"})
    export = export.astype({"handle_time_s": "str", "decision_time": "str"})
    export["decision_time"] = audits["decision_time"].dt.strftime("%d/%m/%Y %H:%M:%S")
    export.loc[[3, 8], "decision_time"] = "yesterday"
    export.loc[[5, 9, 12], "handle_time_s"] = "fast"
    path = tmp_path_factory.mktemp("own") / "export.csv"
    export.to_csv(path, index=False)
    return path, len(export)


def test_report_reads_the_export_through_the_mapping(own_export, tmp_path, capsys):
    path, n_rows = own_export
    output = tmp_path / "report.html"
    args = ["report", "--data", str(path), "--output", str(output),
            "--sections", "headline,sampling", "--column", "Reviewer=auditor_id",
            "--column", "QA verdict=qa_action", "--date-format", "%d/%m/%Y %H:%M:%S"]  # fmt: skip
    for yours, canonical in ACTIONS.items():
        args += ["--action", f"{canonical}={yours}"]
    assert main(args) == 2  # five rows fail: the report stops by default
    stderr = capsys.readouterr().err
    assert f"found problems in 5 of {n_rows:,} rows" in stderr
    assert "pass --errors report to exclude them" in stderr
    assert main([*args, "--errors", "report"]) == 0
    html = output.read_text()
    assert "Headline accuracy" in html
    assert (
        f"5 of {n_rows:,} audit rows were excluded because they failed validation (rows by "
        "problem: decision_time unparseable_timestamp 2, handle_time_s not_a_number 3); "
        "validate_audits lists them."
    ) in html


def test_render_report_checks_errors(own_export, tmp_path):
    with pytest.raises(ValueError, match=r"'errors' parameter of render_report must be one of"):
        render_report(own_export[0], output=tmp_path / "r.html", errors="ignore")
