"""Root-cause analysis: Pareto of error reasons, error drivers, the error-rate tree,
the direction of errors, the severity-weighted error rate, the cause-and-effect diagram, and
what the auditors' comments say about each root cause.
"""

from .comments import root_cause_terms, root_cause_themes
from .drill_down import drill_down
from .drivers import DriversResult, error_drivers
from .drivers_change import odds_ratio_change
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
    "odds_ratio_change",
    "pareto",
    "root_cause_terms",
    "root_cause_themes",
    "severity_index",
]
