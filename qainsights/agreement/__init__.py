"""Agreement statistics and calibration analysis for ratings of the same items.

Coefficients take long (``data, item=, rater=, label=``), wide (items x raters, NaN for a
missing rating), counts (``counts=``, items x categories) or, for two raters, two label
vectors or a k x k ``table=``; each returns a result with an estimate, standard error,
confidence interval and p-value.
"""

from ._rare import SkewedSessionWarning
from .auditor_differences import auditor_differences
from .calibration import (
    category_agreement,
    disputed_items,
    pairwise_agreement,
    rater_accuracy,
    rater_confusion,
    rater_enforcement,
)
from .coefficients import (
    brennan_prediger,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from .disputes import disputed_terms
from .drift import RaterDrift, rater_drift
from .groups import agreement_by, compare_agreement
from .icc import ICC_FORMS, icc
from .interpretation import benchmark_bands, benchmark_label
from .results import AgreementResult, CohenKappaResult
from .session import CalibrationResult, calibration_session
from .summary import agreement_summary

__all__ = [
    "ICC_FORMS",
    "AgreementResult",
    "CalibrationResult",
    "CohenKappaResult",
    "RaterDrift",
    "SkewedSessionWarning",
    "agreement_by",
    "agreement_summary",
    "auditor_differences",
    "benchmark_bands",
    "benchmark_label",
    "brennan_prediger",
    "calibration_session",
    "category_agreement",
    "cohen_kappa",
    "compare_agreement",
    "conger_kappa",
    "disputed_items",
    "disputed_terms",
    "fleiss_kappa",
    "gwet_ac",
    "icc",
    "krippendorff_alpha",
    "pairwise_agreement",
    "percent_agreement",
    "rater_accuracy",
    "rater_confusion",
    "rater_drift",
    "rater_enforcement",
    "scott_pi",
]
