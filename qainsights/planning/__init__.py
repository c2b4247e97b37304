"""Planning audits: how many to draw, how to spread them over strata, and the power to see a change.

- :func:`sample_size` and :func:`allocate_sample`: audits to estimate a rate within a margin,
  and their split among sampling strata (Cochran, 1977); :func:`allocation_margin`: the
  precision a split buys; :func:`clustered_sample_size`: audits for a margin when they fall
  on a few moderators.
- :func:`sample_size_for_effect` and :func:`power`: audits (and weeks) to detect a change
  of error rate, and the power of a given number, with moderator clustering.
- :func:`study_length`: the weeks a study must run when its design effect grows with its
  length (a longer study gives each moderator more audits).
"""

from ._effects import power, sample_size_for_effect, study_length
from ._precision import allocate_sample, allocation_margin, clustered_sample_size, sample_size

__all__ = [
    "allocate_sample",
    "allocation_margin",
    "clustered_sample_size",
    "power",
    "sample_size",
    "sample_size_for_effect",
    "study_length",
]
