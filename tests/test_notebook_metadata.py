"""The committed notebooks carry nothing that changes from run to run or machine to machine."""

import json
import re
from pathlib import Path

import nbformat
import pytest
from notebook_metadata import INJECTED_ID, strip, volatile

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
#: An absolute path of a POSIX or Windows machine inside a JSON string.
ABSOLUTE_PATH = re.compile(r'"(/(home|Users|tmp|work|root|var|private)/|[A-Za-z]:\\\\)')


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_has_no_volatile_metadata(path):
    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    found = volatile(notebook)
    assert not found, f"strip them with `python tests/notebook_metadata.py {path.name}`: {found}"
    metadata = json.dumps([notebook.metadata] + [cell.metadata for cell in notebook.cells])
    assert not ABSOLUTE_PATH.search(metadata)


def test_strip_removes_timings_and_keeps_outputs():
    # The shape of a cell after `jupyter nbconvert --execute` (nbclient's record_timing) and
    # `papermill`, as both write it.
    cell = nbformat.v4.new_code_cell(
        "1 + 1",
        execution_count=1,
        outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)],
        metadata={
            "tags": ["keep"],
            "execution": {"iopub.status.busy": "2026-12-04T17:34:52.1Z"},
            "papermill": {"duration": 0.1, "status": "completed"},
        },
    )
    injected = nbformat.v4.new_code_cell(
        'DATA = "a.parquet"', metadata={"tags": ["injected-parameters"]}
    )
    notebook = nbformat.v4.new_notebook(
        cells=[injected, cell],
        metadata={
            "papermill": {"start_time": "2026-12-04T17:34:52.1Z", "input_path": "/tmp/x"},
            "language_info": {"name": "python", "version": "3.11.7"},
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        },
    )
    stripped = strip(notebook)
    assert set(stripped.metadata) == {"language_info", "kernelspec"}
    assert stripped.metadata.language_info == {"name": "python"}
    assert stripped.cells[1].metadata == {"tags": ["keep"]}
    assert stripped.cells[1].outputs[0]["data"] == {"text/plain": "2"}
    assert stripped.cells[1].execution_count == 1
    assert stripped.cells[0].id == INJECTED_ID
    nbformat.validate(stripped)


def test_readme_lists_every_notebook():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"\(notebooks/([0-9]{2}_\w+)\.ipynb\)", readme))
    assert listed == {path.stem for path in NOTEBOOKS}


def test_strip_joins_a_print_the_kernel_split_into_two_outputs():
    # One print(f"...") arrives as one stream output on one run and as "text" + "\n" on
    # another, depending on when the kernel's buffer was flushed.
    split = [
        nbformat.v4.new_output("stream", name="stdout", text="2026-06 against 2026-05."),
        nbformat.v4.new_output("stream", name="stdout", text="\n"),
        nbformat.v4.new_output("stream", name="stderr", text="a warning\n"),
        nbformat.v4.new_output("stream", name="stdout", text="after\n"),
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print()", outputs=split)])
    assert volatile(notebook) == ["cells[0].outputs"]
    outputs = strip(notebook).cells[0].outputs
    assert [(o["name"], o["text"]) for o in outputs] == [
        ("stdout", "2026-06 against 2026-05.\n"),
        ("stderr", "a warning\n"),
        ("stdout", "after\n"),
    ]
    assert volatile(notebook) == []
    nbformat.validate(notebook)
