"""Percentile-based capability indices for non-normal data (Clements; ISO 22514-2).

The normal 6σ spread is replaced by the distance between the 0.135 % and 99.865 % quantiles,
and the mean by the median:

- ``Pp  = (USL − LSL) / (X_0.99865 − X_0.00135)``
- ``Ppl = (X_0.5 − LSL) / (X_0.5 − X_0.00135)``
- ``Ppu = (USL − X_0.5) / (X_0.99865 − X_0.5)``
- ``Ppk = min(Ppl, Ppu)``

The quantiles come from a fitted distribution (lognormal, Weibull) or from the data
(the percentile method). For a normal distribution these equal the usual Pp, Ppl, Ppu.
"""

from __future__ import annotations

import warnings

import numpy as np

from qainsights.capability.indices import Specs, complete_family, make_row

__all__ = ["PERCENTILE_PROBABILITIES", "empirical_quantiles", "percentile_indices"]

PERCENTILE_PROBABILITIES = np.array([0.00135, 0.5, 0.99865])
_MIN_EMPIRICAL = 1000


def empirical_quantiles(values: np.ndarray) -> np.ndarray:
    """Return the sample 0.135 %, 50 % and 99.865 % quantiles (Hyndman-Fan type 7).

    Type 7 is numpy's and R's default: linear interpolation between order statistics at
    position ``1 + (n − 1) p``. Below 1,000 values these extreme quantiles are close to the
    sample minimum and maximum; a ``UserWarning`` says so.
    """
    if values.size < _MIN_EMPIRICAL:
        warnings.warn(
            f"The percentile method estimates the 0.135 % and 99.865 % quantiles from only "
            f"{values.size} values; below {_MIN_EMPIRICAL} they are essentially the sample "
            "minimum and maximum, so the indices are unstable. Use method='lognormal', "
            "'weibull' or 'box-cox' for smaller samples.",
            UserWarning,
            stacklevel=4,
        )
    return np.quantile(values, PERCENTILE_PROBABILITIES, method="linear")


def percentile_indices(quantiles: np.ndarray, specs: Specs, *, method: str) -> list[dict]:
    """Return the five P-family rows from the three quantiles (no intervals; Ppm undefined)."""
    low, median, high = (float(q) for q in quantiles)
    rows = []
    one_sided = {}
    if specs.lsl is not None:
        one_sided["Ppl"] = (median - specs.lsl) / (median - low)
    if specs.usl is not None:
        one_sided["Ppu"] = (specs.usl - median) / (high - median)
    if specs.two_sided:
        rows.append(make_row("Pp", (specs.usl - specs.lsl) / (high - low), np.nan, np.nan, method))
    rows += [make_row(name, value, np.nan, np.nan, method) for name, value in one_sided.items()]
    rows.append(make_row("Ppk", min(one_sided.values()), np.nan, np.nan, method))
    return complete_family("P", rows, specs)
