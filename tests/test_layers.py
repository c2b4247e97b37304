"""The package's layers: statistics and results import no matplotlib, drawing sits on top."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import qainsights

#: The output layer: drawing, the report, the command line and the published mart.
OUTPUTS = ("qainsights.plotting", "qainsights.report", "qainsights.cli", "qainsights.mart")


def run(script: str) -> str:
    """Run ``script`` in a fresh interpreter that imports this checkout's package."""
    root = str(Path(qainsights.__file__).parents[1])
    path = os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    return done.stdout.strip()


def statistics_modules() -> list[str]:
    """Every module of the package below the output layer."""
    names = [info.name for info in pkgutil.walk_packages(qainsights.__path__, prefix="qainsights.")]
    return sorted(
        name for name in names if not name.startswith(OUTPUTS) and not name.endswith("__main__")
    )


def test_statistics_modules_import_no_matplotlib():
    modules = statistics_modules()
    assert "qainsights.spc.segments" in modules
    assert "qainsights.trends.changepoints" in modules
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'seaborn')))\n"
    )
    assert run(script) == "[]"


def test_plot_loads_matplotlib_on_first_call():
    script = (
        "import sys\n"
        "from qainsights.rca import fishbone\n"
        "assert 'matplotlib' not in sys.modules\n"
        "import matplotlib\n"
        "matplotlib.use('Agg')\n"
        "ax = fishbone({'People': ['training gap']})\n"
        "print(type(ax).__module__)\n"
    )
    assert run(script).startswith("matplotlib.axes")
