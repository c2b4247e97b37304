"""Error trends: which segments moved, how much is mix, and when a shift started.

- :func:`compare_periods`: every segment's rate in two periods, tested, with false
  discovery rate control.
- :func:`decompose_change`: the change of the overall rate split into mix and rate effects.
- :func:`explain_change`: the few segments that explain the change, in one sentence.
- :func:`detect_changepoints` and :func:`trend_test`: when a rate shifted, and whether it
  drifts.
"""

from .changepoints import Changepoints, detect_changepoints, trend_test
from .decomposition import ChangeDecomposition, decompose_change
from .explain import ChangeExplanation, explain_change
from .periods import PeriodComparison, compare_periods

__all__ = [
    "ChangeDecomposition",
    "ChangeExplanation",
    "Changepoints",
    "PeriodComparison",
    "compare_periods",
    "decompose_change",
    "detect_changepoints",
    "explain_change",
    "trend_test",
]
