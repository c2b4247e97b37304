"""Did the intervention work? Experiments and before/after analysis of error rates.

- :func:`ab_test`: two arms, with difference, ratio and an adjusted, clustered odds ratio.
- :func:`diff_in_diff`: treated vs comparison groups, before vs after, with the
  parallel-trends check.
- :func:`interrupted_series`: one series, segmented regression around a start date.
- :func:`sample_size_for_effect`, :func:`power`, :func:`study_length` and
  :func:`cluster_icc`: how many audits, for how many weeks, with moderators' clustering.
"""

from ..planning import power, sample_size_for_effect, study_length
from .ab import ab_test
from .clusters import cluster_icc
from .did import diff_in_diff
from .its import interrupted_series
from .result import ABTestResult, DiffInDiffResult, InterruptedSeriesResult

__all__ = [
    "ABTestResult",
    "DiffInDiffResult",
    "InterruptedSeriesResult",
    "ab_test",
    "cluster_icc",
    "diff_in_diff",
    "interrupted_series",
    "power",
    "sample_size_for_effect",
    "study_length",
]
