"""Parts per million outside the specifications: observed, and expected under a fitted model.

No truncation: tiny tail probabilities are kept (qcc rounds expected values below 0.01 % to 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._distributions import Fit
from ._indices import Specs

__all__ = ["fitted_ppm", "observed_ppm", "ppm_table"]

_MILLION = 1_000_000.0


def observed_ppm(values: np.ndarray, specs: Specs) -> tuple[float, float]:
    """Return the observed parts per million strictly below the LSL and above the USL."""
    below = np.mean(values < specs.lsl) if specs.lsl is not None else 0.0
    above = np.mean(values > specs.usl) if specs.usl is not None else 0.0
    return _MILLION * float(below), _MILLION * float(above)


def fitted_ppm(fit: Fit, specs: Specs) -> tuple[float, float]:
    """Return the parts per million of ``fit`` below the LSL and above the USL (0 if absent).

    Upper tails use the survival function, so values far below 1 ppm keep full precision.
    """
    below = fit.cdf(specs.lsl) if specs.lsl is not None else 0.0
    above = fit.sf(specs.usl) if specs.usl is not None else 0.0
    return _MILLION * below, _MILLION * above


def ppm_table(rows: list[tuple[str, tuple[float, float]]]) -> pd.DataFrame:
    """Return the ppm rows as a frame with columns source, below_lsl, above_usl, total."""
    table = pd.DataFrame(
        [(source, below, above) for source, (below, above) in rows],
        columns=["source", "below_lsl", "above_usl"],
    )
    table["total"] = table["below_lsl"] + table["above_usl"]
    return table
