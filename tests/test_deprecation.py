"""Former keyword and function names: they still work for one release, with a FutureWarning.

The expected result of a call under a former name is the same call under the current name: a
rename must not change a number.
"""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

from qainsights._deprecation import renamed
from qainsights.experiments import diff_in_diff, interrupted_series
from qainsights.plotting import plot_funnel
from qainsights.rca import error_drivers
from qainsights.report import render_report
from qainsights.text import distinctive_terms, terms_by_group
from qainsights.trends import detect_changepoints, explain_change, trend_test

#: (function, former keyword, current keyword): every rename of this release.
RENAMES = [
    (explain_change, "dims", "by"),
    (diff_in_diff, "group", "by"),
    (diff_in_diff, "time", "period"),
    (interrupted_series, "time", "period"),
    (detect_changepoints, "time", "period"),
    (trend_test, "time", "period"),
    (distinctive_terms, "group", "by"),
    (terms_by_group, "group", "by"),
    (error_drivers, "min_count", "min_n"),
    (render_report, "min_cell_n", "min_n"),
    (plot_funnel, "centre", "center"),
]


@pytest.mark.parametrize(("func", "old", "new"), RENAMES, ids=lambda v: getattr(v, "__name__", v))
def test_signature_shows_only_the_current_name(func, old, new):
    parameters = inspect.signature(func).parameters
    assert new in parameters
    assert old not in parameters


def _weeks():
    weeks = pd.date_range("2026-01-05", periods=8, freq="W-MON")
    errors = [5, 6, 4, 5, 15, 16, 14, 15]
    return pd.DataFrame({"week": weeks, "errors": errors, "n": [100] * 8})


def test_former_keyword_warns_and_gives_the_same_result():
    data = _weeks()
    current = trend_test(data, period="week", errors="errors", n="n")
    with pytest.warns(FutureWarning, match=r"The 'time' parameter of trend_test was renamed "
                      r"'period'.*Write trend_test\(\.\.\., period=\.\.\.\) instead"):  # fmt: skip
        former = trend_test(data, time="week", errors="errors", n="n")
    pd.testing.assert_frame_equal(former, current)


def test_both_names_is_an_error():
    with pytest.raises(TypeError, match=r"got both 'time' and its new name 'period'"):
        trend_test(_weeks(), time="week", period="week", errors="errors", n="n")


def test_decorator_keeps_name_doc_and_positional_arguments():
    @renamed(old="new")
    def f(a, *, new=1):
        """Doc."""
        return a + new

    assert (f.__name__, f.__doc__, f(1), f(1, new=2)) == ("f", "Doc.", 2, 3)
    with pytest.warns(FutureWarning, match="'old' parameter of f was renamed 'new'"):
        assert f(1, old=5) == 6
