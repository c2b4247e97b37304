"""Multiple testing: one Benjamini-Hochberg implementation for every scan of many segments."""

from __future__ import annotations

import numpy as np
from statsmodels.stats.multitest import multipletests

__all__ = ["q_values"]


def q_values(p_values, *, eligible=None) -> np.ndarray:
    """Benjamini-Hochberg (1995) q-values of the finite, eligible p-values; NaN for the rest.

    Examples
    --------
    >>> q_values([0.01, 0.04, np.nan, 0.03]).round(3).tolist()
    [0.03, 0.04, nan, 0.04]
    >>> q_values([0.01, 0.04, 0.03], eligible=[True, False, True]).round(3).tolist()
    [0.02, nan, 0.03]

    References
    ----------
    Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B 57,
    289-300; computed by statsmodels' ``multipletests(method="fdr_bh")``.
    """
    p = np.asarray(p_values, dtype=float)
    use = np.isfinite(p) if eligible is None else np.isfinite(p) & np.asarray(eligible, bool)
    q = np.full(p.shape, np.nan)
    if use.any():
        q[use] = multipletests(p[use], method="fdr_bh")[1]
    return q
