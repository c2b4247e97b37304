"""Shared test settings: the Agg backend, wide pandas display for doctests, figures closed after each test."""

import os

import matplotlib

matplotlib.use("Agg")
# The tests draw with Agg (set above, whatever MPLBACKEND says); the notebook kernels that nbval
# and papermill start inherit this environment and must draw inline, as Jupyter does by default,
# or every figure output is missing when MPLBACKEND=Agg is exported (common in CI).
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"

import matplotlib.pyplot as plt
import pandas as pd
import pytest


@pytest.fixture(autouse=True)
def _doctest_display(doctest_namespace):
    doctest_namespace["pd"] = pd
    with pd.option_context("display.width", 120, "display.max_columns", 30):
        yield
    plt.close("all")


# The report template is executed by render_report, not by nbval: only notebooks/ are regression tests.
collect_ignore_glob = ["qainsights/report/*.ipynb"]

# Comment themes need the optional scikit-learn (the text extra): without it, their doctest is skipped.
try:
    import sklearn  # noqa: F401
except ImportError:
    collect_ignore_glob.append("qainsights/text/themes.py")
