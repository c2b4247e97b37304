"""Messages name the public function the user called, set once by ``qainsights._caller.public``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import threading
from pathlib import Path

import pandas as pd
import pytest

import qainsights
from qainsights._caller import caller, public

#: Public functions that took a ``func`` argument before messages read the caller.
_HAD_FUNC = {"resolve_rules", "audit_rows", "bootstrap_summary"}
#: Public functions whose messages speak for another one.
_SPEAKS_FOR = {
    "collect_report_rows": "build_monthly_report",
    "check_sections": "build_monthly_report",
}


def _public_functions():
    modules = [qainsights]
    for info in pkgutil.walk_packages(qainsights.__path__, "qainsights."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            modules.append(importlib.import_module(info.name))
    found = {}
    for module in modules:
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            # a former name (qainsights._deprecation) calls the public function it wraps
            if (
                inspect.isfunction(obj)
                and obj.__module__.startswith("qainsights")
                and inspect.unwrap(obj).__name__ == name
            ):
                found[f"{module.__name__}.{name}"] = obj
    return found


PUBLIC = _public_functions()


@pytest.mark.parametrize("path", sorted(PUBLIC))
def test_public_functions_keep_their_signature_and_name_the_caller(path):
    function = PUBLIC[path]
    original = inspect.unwrap(function)
    name = _SPEAKS_FOR.get(original.__name__, original.__qualname__.split(".")[-1])
    assert getattr(function, "__public_name__", None) == name
    assert function.__name__ == original.__name__
    assert function.__doc__ == original.__doc__
    assert inspect.signature(function) == inspect.signature(original)
    if original.__name__ not in _HAD_FUNC:
        assert "func" not in inspect.signature(function).parameters


def test_innermost_public_call_wins_and_is_reset():
    @public
    def inner():
        return caller()

    @public
    def outer():
        return inner(), caller()

    @public
    def failing():
        raise ValueError(f"{caller()} failed")

    assert inner() == "inner"
    assert outer() == ("inner", "outer")
    with pytest.raises(ValueError, match=r"^failing failed$"):
        failing()
    assert caller() == "qainsights"


def test_each_thread_sees_its_own_caller():
    barrier = threading.Barrier(2)
    seen = {}

    def make(label):
        @public(name=label)
        def run():
            barrier.wait()
            seen[label] = caller()

        return run

    threads = [threading.Thread(target=make(label)) for label in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"first": "first", "second": "second"}


def test_generators_are_refused():
    def rows():
        yield 1

    with pytest.raises(TypeError, match="cannot decorate"):
        public(rows)


@pytest.fixture
def audits():
    return pd.DataFrame({"site": ["a", "b"], "is_error": [True, False]})


def test_bad_calls_name_the_public_function(audits):
    from qainsights.intervals import proportion_ci
    from qainsights.rates import error_rate
    from qainsights.spc import p_chart
    from qainsights.trends import compare_periods

    with pytest.raises(ValueError, match=r"^error_rate needs column 'is_eror'"):
        error_rate(audits, outcome="is_eror")
    with pytest.raises(ValueError, match=r"^The 'ci' parameter of error_rate must"):
        error_rate(audits, ci=95)
    with pytest.raises(ValueError, match=r"^The 'method' parameter of proportion_ci must"):
        proportion_ci(1, 10, method="wilsn")
    with pytest.raises(ValueError, match=r"^p_chart needs column"):
        p_chart(audits, defects="errors", n="audits")
    with pytest.raises(ValueError, match=r"^compare_periods needs column"):
        compare_periods(audits, by="site", period="week", current="2026-01-05")


def _severity_normal():
    from qainsights.rca import severity_index

    audits = pd.DataFrame(
        {"is_error": [True, False] * 50, "severity": ["low", None] * 50, "queue": "a"}
    )
    severity_index(audits, method="normal")


def _skewed_kappa():
    from qainsights.agreement import cohen_kappa

    cohen_kappa(table=[[118, 5], [2, 0]])


def _renamed_parameter():
    from qainsights.trends import explain_change

    audits = pd.DataFrame(
        {"month": ["m1"] * 4 + ["m2"] * 4, "site": list("abab") * 2,
         "is_error": [True, False, False, False, True, True, False, False]}
    )  # fmt: skip
    explain_change(audits, dims=["site"], period="month", current="m2")


@pytest.mark.parametrize(
    ("call", "category", "match"),
    [
        (_severity_normal, UserWarning, "severity_index: method='normal' is too narrow"),
        (_skewed_kappa, UserWarning, "cohen_kappa: 97% of ratings are 0"),
        (_renamed_parameter, FutureWarning, "dims"),
    ],
)
def test_warnings_point_at_the_callers_line(call, category, match):
    # through @public, @renamed and helpers at any depth, a warning's location is the line
    # outside the package that made the call (here, this file)
    with pytest.warns(category, match=match) as record:
        call()
    assert {Path(w.filename).resolve() for w in record} == {Path(__file__).resolve()}
