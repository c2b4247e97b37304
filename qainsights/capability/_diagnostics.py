"""The checks of a capability analysis: the stability gate, normality, and the method choice."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._inputs import Subgroups

__all__ = ["ALPHA", "NORMALITY_TEST", "choose_method", "normality_pvalue", "stability_gate"]

NORMALITY_TEST = "Anderson-Darling"
ALPHA = 0.05
_MIN_NORMALITY_N = 8


def stability_gate(groups: Subgroups, center: float, sigma: float) -> tuple[bool, tuple]:
    """Return whether every subgroup mean lies within ``center ± 3 sigma / sqrt(n_i)``.

    This is rule 1 of the x-bar chart (the individuals chart when every subgroup has one
    value), with limits from the within sigma. The subgroups beyond are returned as their
    labels (Python scalars, or ``pandas.Timestamp`` for dates such as weeks).
    """
    beyond = np.abs(groups.means - center) > 3.0 * sigma / np.sqrt(groups.sizes)
    return not beyond.any(), tuple(pd.Index(groups.keys[beyond]).tolist())


def normality_pvalue(values: np.ndarray) -> float:
    """Anderson-Darling normality p-value (Stephens' formula); NaN below 8 values."""
    if values.size < _MIN_NORMALITY_N:
        return float("nan")
    # imported here: statsmodels' regression modules cost a fraction of a second to import,
    # which the attribute charts and the report never need
    from statsmodels.stats.diagnostic import normal_ad

    return float(normal_ad(values)[1])


def choose_method(method: str, values: np.ndarray, pvalue: float) -> tuple[str, str]:
    """Return the method to use and a sentence saying why."""
    test = (
        f"{NORMALITY_TEST} p = {pvalue:.3g}"
        if np.isfinite(pvalue)
        else f"too few values for the {NORMALITY_TEST} test"
    )
    rejected = np.isfinite(pvalue) and pvalue < ALPHA
    if method != "auto":
        verdict = " rejects normality at 5 %" if rejected else ""
        return method, f"method={method!r} requested; {test}{verdict}"
    if not rejected:
        return "normal", f"auto: {test} does not reject normality at 5 %"
    if (values > 0).all():
        return "box-cox", f"auto: {test} rejects normality; positive values, so Box-Cox"
    return "percentile", f"auto: {test} rejects normality; non-positive values, so percentile"
