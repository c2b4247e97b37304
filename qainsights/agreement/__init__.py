"""Agreement statistics and calibration analysis for ratings of the same items.

Coefficients take long (``data, item=, rater=, label=``), wide (items x raters, NaN for a
missing rating), counts (``counts=``, items x categories) or, for two raters, two label
vectors or a k x k ``table=``; each returns a result with an estimate, standard error,
confidence interval and p-value.
"""

from .calibration import (
    category_agreement,
    disputed_items,
    pairwise_agreement,
    rater_accuracy,
    rater_confusion,
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
from .icc import icc
from .interpretation import benchmark_bands, benchmark_label
from .results import AgreementResult, CohenKappaResult
from .summary import agreement_summary

__all__ = [
    "AgreementResult",
    "CohenKappaResult",
    "agreement_summary",
    "benchmark_bands",
    "benchmark_label",
    "brennan_prediger",
    "category_agreement",
    "cohen_kappa",
    "conger_kappa",
    "disputed_items",
    "fleiss_kappa",
    "gwet_ac",
    "icc",
    "krippendorff_alpha",
    "pairwise_agreement",
    "percent_agreement",
    "rater_accuracy",
    "rater_confusion",
    "scott_pi",
]
