"""Strip what changes on every run from executed notebooks, keeping their outputs.

The committed notebooks are regression tests (nbval compares their outputs), so re-executing
them after a deliberate change must leave a diff only where a number changed. Executing a
notebook also records things that differ on every run: execution timings (nbclient), papermill's
start and end times, durations and paths, the Python patch version and a fresh random id for the
cell papermill injects. This removes them, as ``nbstripout --keep-output --keep-count --keep-id``
with the extra keys of ``.pre-commit-config.yaml`` does, and gives the injected cell a fixed id.
It also joins a cell's consecutive outputs to the same stream, which the kernel splits where its
buffer happened to be flushed (one print can arrive as one output on one run and two on the next).

Run it on files (``make notebooks`` does)::

    python tests/notebook_metadata.py notebooks/*.ipynb
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

#: Notebook metadata keys that change from run to run (or machine to machine).
NOTEBOOK_KEYS = ("papermill", "widgets", "signature")
#: Cell metadata keys that change from run to run.
CELL_KEYS = ("execution", "papermill", "ExecuteTime", "collapsed", "scrolled")
#: The id given to the cell papermill injects (tagged ``injected-parameters``).
INJECTED_ID = "injected-parameters"


def volatile(notebook) -> list[str]:
    """Where ``notebook`` (an nbformat node) holds run-specific metadata, as readable paths.

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook(metadata={"papermill": {"duration": 8.3}})
    >>> nb.cells.append(nbformat.v4.new_code_cell("1", metadata={"execution": {}}))
    >>> volatile(nb)
    ['metadata.papermill', 'cells[0].metadata.execution']
    >>> volatile(strip(nb))
    []
    """
    found = [f"metadata.{key}" for key in NOTEBOOK_KEYS if key in notebook.metadata]
    if "version" in notebook.metadata.get("language_info", {}):
        found.append("metadata.language_info.version")
    for index, cell in enumerate(notebook.cells):
        found += [f"cells[{index}].metadata.{key}" for key in CELL_KEYS if key in cell.metadata]
        injected = "injected-parameters" in cell.metadata.get("tags", [])
        if injected and cell.get("id") != INJECTED_ID:
            found.append(f"cells[{index}].id")
        if len(_joined_streams(cell.get("outputs", []))) < len(cell.get("outputs", [])):
            found.append(f"cells[{index}].outputs")
    return found


def _joined_streams(outputs: list) -> list:
    """``outputs`` with each run of consecutive outputs to one stream joined into one (a copy)."""
    joined = []
    for output in outputs:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and output.get("output_type") == "stream" == previous.get("output_type")
            and output.get("name") == previous.get("name")
        ):
            text = "".join(previous["text"]) + "".join(output["text"])
            joined[-1] = nbformat.NotebookNode({**previous, "text": text})
        else:
            joined.append(output)
    return joined


def strip(notebook):
    """``notebook`` without run-specific metadata (changed in place and returned)."""
    for key in NOTEBOOK_KEYS:
        notebook.metadata.pop(key, None)
    notebook.metadata.get("language_info", {}).pop("version", None)
    for cell in notebook.cells:
        for key in CELL_KEYS:
            cell.metadata.pop(key, None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = INJECTED_ID
        if "outputs" in cell:
            cell["outputs"] = _joined_streams(cell["outputs"])
    return notebook


def main(paths: list[str]) -> int:
    """Strip each notebook file in place; rewrite only those that change."""
    for path in map(Path, paths):
        notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        if volatile(notebook):
            nbformat.write(strip(notebook), path)
            print(f"stripped {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
