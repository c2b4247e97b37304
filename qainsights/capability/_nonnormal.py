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

from .._caller import user_stacklevel
from ._bootstrap_intervals import replicate_intervals
from ._indices import Specs, complete_family, make_row

__all__ = [
    "PERCENTILE_PROBABILITIES",
    "empirical_quantiles",
    "percentile_indices",
]

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
            "minimum and maximum, so the indices are unstable and their intervals too narrow. "
            "Use method='lognormal', 'weibull' or 'box-cox' for smaller samples.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return np.quantile(values, PERCENTILE_PROBABILITIES, method="linear")


def _index_values(quantiles: np.ndarray, specs: Specs) -> dict[str, np.ndarray]:
    """Return Pp, Ppl, Ppu and Ppk (those the specifications define) from quantile rows.

    ``quantiles`` has the 0.135 %, 50 % and 99.865 % quantiles in its last axis; bootstrap
    replicates where a denominator is 0 give an infinite or NaN index, without a warning.
    """
    low, median, high = np.moveaxis(np.asarray(quantiles, dtype=float), -1, 0)
    indices = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        if specs.two_sided:
            indices["Pp"] = (specs.usl - specs.lsl) / (high - low)
        if specs.lsl is not None:
            indices["Ppl"] = (median - specs.lsl) / (median - low)
        if specs.usl is not None:
            indices["Ppu"] = (specs.usl - median) / (high - median)
    one_sided = [indices[name] for name in ("Ppl", "Ppu") if name in indices]
    indices["Ppk"] = np.minimum.reduce(one_sided)
    return indices


def percentile_indices(
    quantiles: np.ndarray, replicates: np.ndarray, specs: Specs, *, ci: float, method: str
) -> list[dict]:
    """Return the five P-family rows (Ppm undefined) with bias-corrected bootstrap intervals.

    ``quantiles`` holds the three estimated quantiles and ``replicates`` their bootstrap
    replicates (shape ``(n_boot, 3)``); see :func:`replicate_intervals`.
    """
    estimates = _index_values(quantiles, specs)
    intervals = replicate_intervals(
        estimates, _index_values(replicates, specs), ci, bias_corrected=True
    )
    rows = [
        make_row(name, float(value), *intervals[name], method) for name, value in estimates.items()
    ]
    return complete_family("P", rows, specs)
