"""qainsights: quality insights for Trust & Safety operations.

Audit data in (:func:`load_audits`), rates with intervals out (:func:`error_rate`), and the
Monthly Quality Report on top (:func:`render_report`). The analyses live in subpackages:
``qainsights.aggregate`` (polars, DuckDB, Spark), ``qainsights.agreement``, ``qainsights.spc``,
``qainsights.capability``, ``qainsights.trends``, ``qainsights.rca``,
``qainsights.experiments``, ``qainsights.moderators``, ``qainsights.standardization``,
``qainsights.text`` (auditors' comments).
Every name, top-level function or subpackage, is imported when first touched, so
``import qainsights`` and the ``qainsights`` command start quickly.

Examples
--------
>>> import qainsights as qi
>>> audits = qi.simulate_audits(seed=1, weeks=4, audits_per_week=300).audits
>>> qi.spc.control_charts  # doctest: +ELLIPSIS
<function control_charts at ...>
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

#: Subpackages and modules loaded when first touched, so ``import qainsights`` stays quick.
SUBPACKAGES = (
    "aggregate",
    "audits",
    "datasets",
    "intervals",
    "rates",
    "planning",
    "agreement",
    "capability",
    "experiments",
    "moderators",
    "plotting",
    "rca",
    "spc",
    "standardization",
    "trends",
    "report",
    "text",
)
#: Top-level functions and the subpackage each is loaded from on first use.
_FUNCTIONS = {
    "load_audits": "audits",
    "pseudonymize": "audits",
    "validate_audits": "audits",
    "load_sample": "datasets",
    "simulate_audits": "datasets",
    "simulate_calibration": "datasets",
    "allocate_sample": "planning",
    "enforcement_rates": "rates",
    "error_rate": "rates",
    "proportion_ci": "intervals",
    "sample_size": "planning",
    "build_monthly_report": "report",
    "render_report": "report",
}

if TYPE_CHECKING:  # what static tools see; at run time the names load on first use
    from .audits import load_audits, pseudonymize, validate_audits
    from .datasets import load_sample, simulate_audits, simulate_calibration
    from .intervals import proportion_ci
    from .planning import allocate_sample, sample_size
    from .rates import enforcement_rates, error_rate
    from .report import build_monthly_report, render_report

__all__ = [
    "SUBPACKAGES",
    "__version__",
    "allocate_sample",
    "build_monthly_report",
    "enforcement_rates",
    "error_rate",
    "load_audits",
    "load_sample",
    "proportion_ci",
    "pseudonymize",
    "render_report",
    "sample_size",
    "simulate_audits",
    "simulate_calibration",
    "validate_audits",
]


def __getattr__(name: str):
    if name in SUBPACKAGES:
        return import_module(f".{name}", __name__)
    if name in _FUNCTIONS:
        value = getattr(import_module(f".{_FUNCTIONS[name]}", __name__), name)
        globals()[name] = value  # later look-ups skip this hook
        return value
    raise AttributeError(f"module 'qainsights' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, *SUBPACKAGES])
