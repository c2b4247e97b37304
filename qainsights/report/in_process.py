"""Execute the report template in this process, without starting a Jupyter kernel.

A kernel costs seconds before the first cell runs (its own interpreter, its own imports of
pandas, matplotlib and qainsights). When nobody keeps the executed notebook, the template's
cells can run in an IPython shell of this process instead: the same cells, the same rich
outputs (HTML tables, inline PNG figures), recorded into the notebook that nbconvert turns
into the page.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping
from contextlib import contextmanager, suppress

from .._caller import public

__all__ = ["execute_in_process"]

_IPYTHON_BACKEND_TABLE = r"(backends|backend2gui) is deprecated since IPython 8\.24"


@contextmanager
def _inline_shell():
    """A fresh IPython shell that draws figures inline, as the notebook's kernel does.

    On leaving, this process is as it was: matplotlib's backend, settings and pyplot hooks (so
    that the next shell draws exactly as this one), ``sys.modules["__main__"]`` (which a shell
    replaces by its own namespace), and no shell left alive with the cells' variables (IPython
    keeps each shell for its exit handler).
    """
    import atexit
    import sys

    import matplotlib
    import matplotlib.pyplot as plt
    from IPython.core.displayhook import DisplayHook
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.pylabtools import select_figure_formats
    from matplotlib_inline.backend_inline import InlineBackend
    from traitlets import Type
    from traitlets.config import Config

    class QuietHook(DisplayHook):
        """Keep a cell's value for the notebook instead of printing it."""

        def write_output_prompt(self):
            """No prompt: the value becomes the cell's result."""

        def write_format_data(self, format_dict, md_dict=None):
            """No printing: the value becomes the cell's result."""

    class Shell(InteractiveShell):
        displayhook_class = Type(QuietHook)

        def enable_gui(self, gui=None):
            """No event loop to integrate: figures are drawn inline."""

    backend = matplotlib.get_backend()
    main = sys.modules.get("__main__")
    draw_if_interactive = plt.draw_if_interactive
    try:
        with matplotlib.rc_context(), warnings.catch_warnings():
            # IPython 8.24+ beside matplotlib before 3.9 warns, on enabling the inline
            # backend and on each new figure, that its own backend table is deprecated
            warnings.filterwarnings("ignore", _IPYTHON_BACKEND_TABLE, DeprecationWarning)
            # history in memory: it tells a cell ending in ';' (no result), and stays here
            config = Config({"HistoryManager": {"hist_file": ":memory:"}})
            shell = Shell.instance(config=config)  # display() finds the shell recording outputs
            try:
                shell.enable_matplotlib("inline")
                # the inline backend sets the figure formats on the first shell of a process only
                inline = InlineBackend.instance(parent=shell)
                select_figure_formats(shell, inline.figure_formats, **inline.print_figure_kwargs)
                yield shell
            finally:
                plt.close("all")
                # pyplot hooks its redraw into the first shell of a process only: unhooked,
                # the next shell gets it too, and draws its figures as a kernel does
                with suppress(ValueError):  # a hook left on an earlier shell is not this one's
                    plt.uninstall_repl_displayhook()
                atexit.unregister(shell.atexit_operations)
                shell.atexit_operations()  # releases the cells' namespace and the history
                Shell.clear_instance()
    finally:
        if main is not None:
            sys.modules["__main__"] = main
        plt.draw_if_interactive = draw_if_interactive
        plt.switch_backend(backend)


def _output(data: Mapping, metadata: Mapping, *, result: int | None = None):
    from nbformat.v4 import new_output

    if result is None:
        return new_output("display_data", data=dict(data), metadata=dict(metadata))
    return new_output("execute_result", data=dict(data), metadata=dict(metadata),
                      execution_count=result)  # fmt: skip


def _run(shell, cell, count: int) -> None:
    """Run one code cell in ``shell`` and record its outputs on the cell, as a kernel would."""
    from IPython.utils.capture import capture_output
    from nbformat.v4 import new_output

    with capture_output() as captured:
        outcome = shell.run_cell(cell.source, store_history=True)
        shell.events.trigger("post_execute")  # the inline backend shows open figures here
    outputs = []
    if captured.stdout:
        outputs.append(new_output("stream", name="stdout", text=captured.stdout))
    if captured.stderr:
        outputs.append(new_output("stream", name="stderr", text=captured.stderr))
    outputs += [_output(shown.data, shown.metadata) for shown in captured.outputs]
    if outcome.result is not None:
        data, metadata = shell.display_formatter.format(outcome.result)
        outputs.append(_output(data, metadata, result=count))
    outcome.raise_error()
    cell.outputs = outputs
    cell.execution_count = count


@public
def execute_in_process(notebook, parameters: Mapping[str, object]):
    """Run ``notebook`` with ``parameters`` injected, in a fresh IPython shell of this process.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The template (a notebook with a cell tagged ``parameters``); not modified.
    parameters : mapping
        Values for the template's parameters; papermill writes them as the cell tagged
        ``injected-parameters`` after the ``parameters`` cell, as a kernel run would.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook, its cells with their outputs. Matplotlib's backend and
        settings are restored afterwards; a cell that raises stops the run with its error.

    Examples
    --------
    >>> import nbformat
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> book = new_notebook(cells=[new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
    ...                            new_code_cell("x * 21")])
    >>> done = execute_in_process(book, {"x": 2})
    >>> done.cells[-1].outputs[0]["data"]["text/plain"]
    '42'

    References
    ----------
    .. [1] papermill, *Parameterize*: https://papermill.readthedocs.io/en/latest/usage-parameterize.html
    """
    from papermill.parameterize import parameterize_notebook

    template = copy.deepcopy(notebook)
    template.metadata.setdefault("papermill", {})
    for cell in template.cells:  # papermill reads every cell's tags
        cell.metadata.setdefault("tags", [])
    executed = parameterize_notebook(template, dict(parameters), kernel_name="python3",
                                     language="python")  # fmt: skip
    with _inline_shell() as shell:
        code = [cell for cell in executed.cells if cell.cell_type == "code"]
        for count, cell in enumerate(code, start=1):
            _run(shell, cell, count)
    return executed
