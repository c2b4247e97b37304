"""The curated report notebook is the package template, executed: their code must not drift."""

from pathlib import Path

import nbformat

from qainsights.report.render import _template_path

ROOT = Path(__file__).resolve().parents[2]
EXECUTED = ROOT / "notebooks" / "01_monthly_quality_report.ipynb"


def _cells(notebook):
    return [
        (cell.cell_type, cell.source)
        for cell in notebook.cells
        if "injected-parameters" not in cell.metadata.get("tags", [])
    ]


def test_executed_notebook_matches_the_template():
    template = nbformat.read(_template_path(), as_version=4)
    executed = nbformat.read(EXECUTED, as_version=4)
    assert _cells(executed) == _cells(template)


def test_template_has_a_parameters_cell_with_the_report_arguments():
    template = nbformat.read(_template_path(), as_version=4)
    tagged = [c for c in template.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    source = tagged[0].source
    for name in ("data_path", "month", "accuracy_target"):
        assert f"{name} = " in source
