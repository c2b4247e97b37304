"""qainsights: quality insights for Trust & Safety operations.

Audit data in (:func:`load_audits`), rates with intervals out (:func:`error_rate`), and the
Monthly Quality Report on top (:func:`render_report`).
"""

from .audits import load_audits, pseudonymize, validate_audits
from .datasets import load_sample, simulate_audits, simulate_calibration
from .rates import allocate_sample, enforcement_rates, error_rate, proportion_ci, sample_size
from .report import render_report

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "allocate_sample",
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
