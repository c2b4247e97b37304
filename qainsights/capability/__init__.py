"""Process capability: Cp/Cpk/Pp/Ppk/Cpm, non-normal methods, DPMO and sigma level.

- :func:`capability`: indices of a measured characteristic (handle time against an SLA),
  with intervals, expected and observed ppm, a stability gate, a normality check and
  non-normal methods (Box-Cox, percentile, lognormal, Weibull).
- :func:`attribute_capability`: DPU, DPO, DPMO, yield and sigma level of counted defects
  (errors found in audits), with exact intervals.
- :func:`dpmo`, :func:`dpmo_to_sigma`, :func:`sigma_to_dpmo`, :func:`rolled_throughput_yield`.
- :func:`capability_band` (not capable, marginal, capable) and :func:`target_status` (an
  interval against a target).
"""

from .attribute import attribute_capability, dpmo, rolled_throughput_yield
from .process import capability
from .result import CapabilityResult
from .sigma_level import dpmo_to_sigma, sigma_to_dpmo
from .verdicts import CAPABILITY_BANDS, capability_band, target_status

__all__ = [
    "CAPABILITY_BANDS",
    "CapabilityResult",
    "attribute_capability",
    "capability",
    "capability_band",
    "dpmo",
    "dpmo_to_sigma",
    "rolled_throughput_yield",
    "sigma_to_dpmo",
    "target_status",
]
