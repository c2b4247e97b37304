"""The report rendered in this process is the page a kernel renders, and leaves no trace."""

import gc
import re
import sys

import matplotlib
import pytest
from IPython.core.interactiveshell import InteractiveShell

from qainsights.datasets import simulate_audits
from qainsights.report import render_report


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "audits.parquet"
    simulate_audits(seed=4, start="2026-08-03", weeks=9, audits_per_week=300).audits.to_parquet(
        path
    )
    return path


def _page(path):
    # papermill gives its injected cell a fresh random id in every run
    return re.sub(r'id="cell-id=[0-9a-f-]+"', 'id="cell-id"', path.read_text())


def test_in_process_page_is_the_kernel_page(export, tmp_path):
    sections = ["headline", "control_charts", "segments", "actions"]
    here = render_report(export, output=tmp_path / "here.html", sections=sections)
    kernel = render_report(export, output=tmp_path / "kernel.html", sections=sections,
                           notebook=tmp_path / "kept.ipynb")  # fmt: skip
    again = render_report(export, output=tmp_path / "again.html", sections=sections)
    assert (tmp_path / "kept.ipynb").exists()
    assert len(re.findall(r'src="data:image/png;base64,', _page(here))) >= 3
    assert _page(here) == _page(kernel)
    # a second shell in the same process draws its figures exactly as the first
    assert _page(again) == _page(kernel)


def test_in_process_render_restores_this_process(export, tmp_path):
    backend = matplotlib.get_backend()
    dpi = matplotlib.rcParams["figure.dpi"]
    main = sys.modules["__main__"]
    render_report(export, output=tmp_path / "page.html", sections=["control_charts"])
    assert matplotlib.get_backend() == backend
    assert matplotlib.rcParams["figure.dpi"] == dpi
    assert not InteractiveShell.initialized()
    assert sys.modules["__main__"] is main
    gc.collect()
    kept = [
        o for o in gc.get_objects() if isinstance(o, InteractiveShell) and "data_path" in o.user_ns
    ]
    assert kept == [], "a shell still holds the report's variables"


def test_a_failing_cell_stops_the_in_process_run(export, tmp_path):
    with pytest.raises(ValueError, match="'month' parameter of build_monthly_report"):
        render_report(export, output=tmp_path / "page.html", month="2020-01")
