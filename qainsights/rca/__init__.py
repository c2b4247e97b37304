"""Root-cause analysis: Pareto of error reasons, error drivers, the error-rate tree,
the direction of errors, the severity-weighted error rate, and the cause-and-effect diagram.
"""

from .drill_down import drill_down
from .drivers import DriversResult, error_drivers
from .enforcement import EnforcementSplit, enforcement_split
from .fishbone import fishbone
from .pareto import SEVERITY_WEIGHTS, ParetoResult, pareto
from .severity import severity_index

__all__ = [
    "SEVERITY_WEIGHTS",
    "DriversResult",
    "EnforcementSplit",
    "ParetoResult",
    "drill_down",
    "enforcement_split",
    "error_drivers",
    "fishbone",
    "pareto",
    "severity_index",
]
