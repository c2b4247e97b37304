"""Process capability: Cp/Cpk/Pp/Ppk/Cpm, non-normal methods, DPMO and sigma level.

- :func:`capability`: indices of a measured characteristic (handle time against an SLA),
  with intervals, expected and observed ppm, a stability gate, a normality check and
  non-normal methods (Box-Cox, percentile, lognormal, Weibull).
- :func:`attribute_capability`: DPU, DPO, DPMO, yield and sigma level of counted defects
  (errors found in audits), with exact intervals.
- :func:`dpmo`, :func:`dpmo_to_sigma`, :func:`sigma_to_dpmo`, :func:`rolled_throughput_yield`.
"""

from .attribute import attribute_capability, dpmo, rolled_throughput_yield
from .process import capability
from .result import CapabilityResult
from .sigma_level import dpmo_to_sigma, sigma_to_dpmo

__all__ = [
    "CapabilityResult",
    "attribute_capability",
    "capability",
    "dpmo",
    "dpmo_to_sigma",
    "rolled_throughput_yield",
    "sigma_to_dpmo",
]
