"""Render the Monthly Quality Report: execute the parameterised notebook, write HTML."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

from .._caller import public
from .._deprecation import renamed
from .._validation import check_option

__all__ = ["TEMPLATE", "render_report"]

#: The report template shipped with the package (a notebook with a ``parameters`` cell).
TEMPLATE = "monthly_quality_report.ipynb"
#: Script tags that load from the network (nbconvert adds require.js and MathJax); the report
#: uses neither, and must open offline.
_REMOTE_SCRIPT = re.compile(r'<script[^>]*src="https?://[^"]*"[^>]*>\s*</script>')
#: The heading the template writes first; its text becomes the page title.
_TITLE = re.compile(r"<h1>(Monthly Quality Report - [0-9]{4}-[0-9]{2})</h1>")


def _page_title(notebook) -> str:
    """The report's own heading ("Monthly Quality Report - YYYY-MM"), found in its outputs."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            found = _TITLE.search(str(output.get("data", {}).get("text/html", "")))
            if found:
                return found.group(1)
    return "Monthly Quality Report"


def _kernel_manager():
    """A kernel manager whose kernel listens on local IPC sockets, not TCP ports.

    The report's kernel talks only to this process: IPC keeps its traffic off the network
    (and the kernel then has no reason to warn about unencrypted TCP on the console).
    """
    from jupyter_client.manager import KernelManager
    from traitlets import default

    class LocalKernelManager(KernelManager):
        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

    return LocalKernelManager


def _relative(path: str | os.PathLike | None, workdir: Path) -> str | None:
    """A path as the notebook sees it from ``workdir``, so the notebook can be re-run in place."""
    return None if path is None else os.path.relpath(Path(path).resolve(), workdir)


def _inside_ipython() -> bool:
    """True when this process already runs an IPython shell (a notebook or a console)."""
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.initialized()


def _template_path() -> Path:
    return Path(str(resources.files("qainsights.report") / TEMPLATE))


@public
@renamed(min_cell_n="min_n")
def render_report(
    data: str | os.PathLike,
    *,
    output: str | os.PathLike,
    month: str | None = None,
    accuracy_target: float = 0.92,
    calibration: str | os.PathLike | None = None,
    calibration_standard: str | os.PathLike | None = None,
    sections: Sequence[str] | None = None,
    exports: str | os.PathLike | None = None,
    min_n: int = 10,
    notebook: str | os.PathLike | None = None,
    timeout: int = 600,
    progress: bool = False,
    columns: Mapping[str, str] | None = None,
    actions: Mapping[str, str] | None = None,
    errors: str = "raise",
    date_format: str | None = None,
) -> Path:
    """Execute the Monthly Quality Report for an audit file and write it as one HTML file.

    The template notebook runs with its ``parameters`` cell overridden (papermill): in an
    IPython shell of this process (:func:`~qainsights.report.in_process.execute_in_process`,
    no kernel to start), or in a fresh kernel when the executed ``notebook`` is kept or this
    process is itself a notebook. The executed notebook becomes a self-contained HTML page with the code
    hidden, the figures embedded and nothing loaded from the network (nbconvert).

    Parameters
    ----------
    data : path
        An audit export that :func:`qainsights.load_audits` reads (CSV, Parquet, Excel).
    output : path
        The HTML file to write (folders are created).
    month : str, optional
        The month to report, 'YYYY-MM'; the latest complete month in the data when omitted.
    accuracy_target : float, default 0.92
        The accuracy target the report compares against.
    calibration, calibration_standard : path, optional
        CSV files of a calibration session: long-format ratings (``item_id``, ``rater_id``,
        ``label``) and the expert standard (``item_id``, ``label``). Without ratings the
        calibration section is left out; without a standard raters are compared with the
        leave-one-out consensus.
    sections : list of str, optional
        The sections to include (:data:`qainsights.report.SECTIONS`); all when omitted.
    exports : path, optional
        A folder that also receives the report's tables as an Excel workbook and CSV files.
    min_n : int, default 10
        Exported rows resting on fewer audits have their statistics blanked.
    notebook : path, optional
        Also keep the executed notebook here. The notebook runs from this file's folder,
        with ``data`` given relative to it, so the notebook can be re-run where it lies.
    timeout : int, default 600
        Seconds a cell may run in a kernel.
    progress : bool, default False
        Show a progress bar of the cells executed in a kernel.
    columns, actions, date_format
        How to read ``data``, as in :func:`qainsights.load_audits`: your column names and
        action values to canonical ones, and the strftime format of the timestamps.
    errors : {"raise", "report"}, default "raise"
        Rows that fail validation stop the report (``"raise"``), or are left out and stated,
        with their counts by rule, in the report's notes on the data (``"report"``).

    Returns
    -------
    Path
        The HTML file written.

    Examples
    --------
    >>> import tempfile
    >>> from qainsights.datasets import simulate_audits
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     simulate_audits(seed=3, start="2026-07-06", weeks=13).audits.to_parquet(f"{folder}/a.parquet")
    ...     page = render_report(f"{folder}/a.parquet", output=f"{folder}/report.html",
    ...                          sections=["headline", "sampling"])
    ...     "Headline accuracy" in page.read_text()
    True
    """
    import nbformat
    from nbconvert import HTMLExporter

    from .in_process import execute_in_process
    from .monthly import check_sections

    check_sections(sections)
    check_option(errors, name="errors", options=("raise", "report"))
    output = Path(output)
    with tempfile.TemporaryDirectory() as scratch:
        executed = Path(notebook) if notebook else Path(scratch) / TEMPLATE
        executed.parent.mkdir(parents=True, exist_ok=True)
        in_process = notebook is None and not _inside_ipython()
        workdir = Path.cwd().resolve() if in_process else executed.parent.resolve()
        parameters = {
            "data_path": _relative(data, workdir),
            "calibration_path": _relative(calibration, workdir),
            "calibration_standard_path": _relative(calibration_standard, workdir),
            "month": month,
            "accuracy_target": accuracy_target,
            "sections": None if sections is None else list(sections),
            "export_dir": None if exports is None else str(Path(exports).resolve()),
            "min_n": min_n,
            "columns": None if columns is None else dict(columns),
            "actions": None if actions is None else dict(actions),
            "errors": errors,
            "date_format": date_format,
        }
        if in_process:
            template = nbformat.read(_template_path(), as_version=4)
            nbformat.write(execute_in_process(template, parameters), executed)
        else:
            import papermill

            papermill.execute_notebook(
                str(_template_path()),
                str(executed),
                parameters=parameters,
                cwd=str(workdir),
                kernel_name="python3",
                progress_bar=progress,
                execution_timeout=timeout,
                kernel_manager_class=_kernel_manager(),
            )
        exporter = HTMLExporter(
            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
        )
        page = nbformat.read(executed, as_version=4)
        # The template by its place in the package and the output by its name, not by paths
        # of this machine.
        page.metadata.papermill["input_path"] = f"qainsights/report/{TEMPLATE}"
        page.metadata.papermill["output_path"] = executed.name
        if notebook:
            nbformat.write(page, executed)
        page.metadata["title"] = _page_title(page)
        body, _ = exporter.from_notebook_node(page)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(_REMOTE_SCRIPT.sub("", body), encoding="utf-8")
    return output
