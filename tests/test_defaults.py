"""One default per idea: the same knob has the same default in every public function."""

from __future__ import annotations

import importlib
import inspect

import pytest

import qainsights

#: knob -> its one default. Run charts (Anhøj) and the g chart (limits and Anhøj: zone rules
#: mean nothing on its skewed scale) judge other kinds of charts and are left out.
DEFAULTS = {"rules": "western_electric", "n_boot": 1000, "seed": 0, "ci": 0.95, "nsigmas": 3.0}
OTHER_CHART_KINDS = {"run_chart", "g_chart"}


def _public_functions():
    for package in qainsights.SUBPACKAGES:
        module = importlib.import_module(f"qainsights.{package}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isfunction(obj) and name not in OTHER_CHART_KINDS:
                yield f"{package}.{name}", obj


@pytest.mark.parametrize("knob", sorted(DEFAULTS))
def test_one_default_per_knob(knob):
    found = {
        name: func_signature.parameters[knob].default
        for name, func in _public_functions()
        if knob in (func_signature := inspect.signature(func)).parameters
        and func_signature.parameters[knob].default is not inspect.Parameter.empty
    }
    assert found, knob
    assert {name: value for name, value in found.items() if value != DEFAULTS[knob]} == {}
