"""qainsights: quality insights for Trust & Safety operations.

Audit data in (:func:`load_audits`), rates with intervals out (:func:`error_rate`), and the
Monthly Quality Report on top (:func:`render_report`). The analyses live in subpackages,
imported on first use: ``qainsights.aggregate`` (polars, DuckDB, Spark), ``qainsights.agreement``, ``qainsights.spc``,
``qainsights.capability``, ``qainsights.trends``, ``qainsights.rca``,
``qainsights.experiments``, ``qainsights.moderators``, ``qainsights.standardisation``,
``qainsights.text`` (auditors' comments).

Examples
--------
>>> import qainsights as qi
>>> audits = qi.simulate_audits(seed=1, weeks=4, audits_per_week=300).audits
>>> qi.spc.control_charts  # doctest: +ELLIPSIS
<function control_charts at ...>
"""

from importlib import import_module

from .audits import load_audits, pseudonymize, validate_audits
from .datasets import load_sample, simulate_audits, simulate_calibration
from .rates import allocate_sample, enforcement_rates, error_rate, proportion_ci, sample_size

__version__ = "0.1.0"

#: Subpackages loaded when first touched, so ``import qainsights`` stays quick.
SUBPACKAGES = (
    "aggregate",
    "agreement",
    "capability",
    "experiments",
    "moderators",
    "plotting",
    "rca",
    "spc",
    "standardisation",
    "trends",
    "report",
    "text",
)
#: Functions of the report subpackage, also loaded on first use.
_REPORT_FUNCTIONS = ("build_monthly_report", "render_report")

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
    if name in _REPORT_FUNCTIONS:
        return getattr(import_module(".report", __name__), name)
    raise AttributeError(f"module 'qainsights' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, *SUBPACKAGES])
