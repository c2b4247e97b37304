"""Verdicts on capability figures: the band of an index, and an interval against a target."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .._caller import caller, public
from .._validation import format_values

__all__ = ["CAPABILITY_BANDS", "capability_band", "target_status"]

#: Where "marginal" and "capable" begin: an index of 1 puts the nearest specification limit
#: three standard deviations from the centre, 1.33 four.
CAPABILITY_BANDS = (1.0, 1.33)
BAND_LABELS = ("not capable", "marginal", "capable")
TARGET_LABELS = ("meets target", "below target", "not separable from target")


def _check_bands(bands) -> tuple[float, float]:
    ok = (
        isinstance(bands, tuple | list)
        and len(bands) == 2
        and all(isinstance(b, numbers.Real) and not isinstance(b, bool) for b in bands)
        and all(np.isfinite(bands))
        and 0 < bands[0] < bands[1]
    )
    if not ok:
        raise ValueError(
            "The 'bands' parameter of capability_band must be two increasing positive "
            f"numbers (where 'marginal' and 'capable' begin), such as (1.0, 1.33). Got {bands!r} "
            "instead."
        )
    return float(bands[0]), float(bands[1])


def _numeric(values, *, name: str) -> np.ndarray:
    func = caller()
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        try:
            array = array.astype(float)
        except (TypeError, ValueError):
            raise ValueError(
                f"The '{name}' parameter of {func} must hold numbers. Got "
                f"{format_values(np.ravel(array))} instead."
            ) from None
    return array.astype(float)


def _like(values, labels: np.ndarray):
    """``labels`` in the shape and pandas type of ``values`` (a str for a scalar)."""
    if isinstance(values, pd.DataFrame):
        return pd.DataFrame(labels, index=values.index, columns=values.columns)
    if isinstance(values, pd.Series):
        return pd.Series(labels, index=values.index, name=values.name)
    return str(labels) if labels.ndim == 0 else labels


@public
def capability_band(
    index: ArrayLike | pd.Series | pd.DataFrame, *, bands: tuple[float, float] = CAPABILITY_BANDS
):
    """Band of capability indices: "not capable", "marginal" or "capable".

    An index below ``bands[0]`` is "not capable", from ``bands[0]`` up to (not including)
    ``bands[1]`` "marginal", and from ``bands[1]`` on "capable". A missing index (an index
    that is undefined, such as Cp without both specification limits) is "undefined".

    Parameters
    ----------
    index : float, array-like, Series or DataFrame
        Capability indices (Cp, Cpk, Ppu, ...).
    bands : tuple of two floats, default (1.0, 1.33)
        Where "marginal" and "capable" begin. An index of 1 places the nearest specification
        limit three standard deviations from the centre (1,350 ppm beyond a one-sided limit
        for a normal process), 1.33 about four (33 ppm); 1.33 is the usual
        minimum for an existing process [1]_. Customers may require more (1.67 for a new
        process in [2]_).

    Returns
    -------
    str, numpy.ndarray, Series or DataFrame
        The band of each index, in the shape of ``index`` (with its labels for pandas input).

    See Also
    --------
    target_status : An interval against a target.

    Examples
    --------
    >>> capability_band(1.2)
    'marginal'
    >>> capability_band(pd.Series([0.83, 1.0, 1.33, float("nan")], index=list("abcd")))
    a    not capable
    b       marginal
    c        capable
    d      undefined
    dtype: ...

    References
    ----------
    .. [1] D. C. Montgomery (2009), *Introduction to Statistical Quality Control*, 6th ed.,
       Wiley, section 8.3 (recommended minimum values of the process capability ratio).
    .. [2] AIAG (2006), *Production Part Approval Process (PPAP)*, 4th ed.
    """
    low, high = _check_bands(bands)
    values = _numeric(index, name="index")
    # side="right": an index equal to a band's lower end belongs to that band.
    position = np.searchsorted([low, high], values, side="right")
    labels = np.where(np.isnan(values), "undefined", np.asarray(BAND_LABELS)[position])
    return _like(index, labels.astype(object))


@public
def target_status(ci_low: ArrayLike | pd.Series, ci_high: ArrayLike | pd.Series, *, target: float):
    """Status of intervals against a target that a higher value meets (accuracy, sigma level).

    "meets target" when the whole interval is at or above the target (``ci_low >= target``),
    "below target" when the whole interval is below it (``ci_high < target``), else "not
    separable from target": the data cannot tell the two apart at the interval's level. For a
    quantity that a lower value meets (an error rate against a ceiling), pass the intervals of
    its complement (accuracy) or its negative.

    Parameters
    ----------
    ci_low, ci_high : float, array-like or Series
        The interval bounds.
    target : float
        The target.

    Returns
    -------
    str, numpy.ndarray or Series
        The status of each interval, in the shape of ``ci_low`` (with its index for a Series).

    See Also
    --------
    capability_band : The band of a capability index.

    Examples
    --------
    >>> target_status([0.93, 0.90, 0.91], [0.95, 0.91, 0.93], target=0.92)
    array(['meets target', 'below target', 'not separable from target'], dtype=object)
    >>> target_status(0.92, 0.95, target=0.92)
    'meets target'

    References
    ----------
    .. [1] D. C. Montgomery (2009), *Introduction to Statistical Quality Control*, 6th ed.,
       Wiley, chapter 4 (confidence intervals and tests: an interval entirely on one side of
       a value rejects that value at the interval's level).
    """
    if isinstance(target, bool) or not isinstance(target, numbers.Real) or np.isnan(target):
        raise ValueError(
            f"The 'target' parameter of target_status must be a number. Got {target!r} instead."
        )
    low = _numeric(ci_low, name="ci_low")
    high = _numeric(ci_high, name="ci_high")
    if low.shape != high.shape:
        raise ValueError(
            "The 'ci_low' and 'ci_high' parameters of target_status must have the same shape. "
            f"Got {low.shape} and {high.shape} instead."
        )
    reversed_ = low > high
    if reversed_.any():
        raise ValueError(
            f"target_status got {int(np.sum(reversed_))} interval(s) whose ci_low is above its "
            f"ci_high (first: {format_values(low[reversed_].ravel(), limit=3)}). Pass the lower "
            "bound as ci_low."
        )
    labels = np.select([low >= target, high < target], TARGET_LABELS[:2], TARGET_LABELS[2])
    return _like(ci_low, labels.astype(object))
