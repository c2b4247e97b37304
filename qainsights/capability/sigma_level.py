"""Conversions between defects per million opportunities (DPMO) and the Six Sigma sigma level.

The sigma level is the long-term normal quantile ``Z_LT = Φ⁻¹(1 − DPMO / 10⁶)`` plus a shift.
The customary shift of 1.5 (Motorola's allowance for drift of the process mean between the
short and the long term) is a convention, not a law: it is an explicit argument here, and
``shift=0`` gives the long-term Z itself. Both directions use one tail of the normal
distribution, the usual sigma table; the two-tailed variant differs only below 3 sigma.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtr, ndtri

from .._caller import caller, public
from .._validation import format_values

__all__ = ["dpmo_to_sigma", "sigma_to_dpmo"]

MILLION = 1_000_000.0


def check_shift(shift: float) -> float:
    """Return ``shift`` as a float if it is a finite real number, else raise a ``ValueError``."""
    func = caller()
    if (
        isinstance(shift, bool)
        or not isinstance(shift, numbers.Real)
        or not np.isfinite(float(shift))
    ):
        raise ValueError(
            f"The 'shift' parameter of {func} must be a finite number of standard deviations "
            f"(1.5 by convention, 0 for the long-term Z). Got {shift!r} instead."
        )
    return float(shift)


def _as_float_or_array(values: np.ndarray) -> np.ndarray | float:
    """Return a 0-d array as a Python float and any other array unchanged."""
    return float(values) if values.ndim == 0 else values


@public
def dpmo_to_sigma(dpmo: ArrayLike, *, shift: float = 1.5) -> np.ndarray | float:
    """Convert defects per million opportunities to the sigma level.

    ``sigma level = Φ⁻¹(1 − DPMO / 10⁶) + shift`` (one-tailed). With ``shift=0`` the result
    is the long-term Z (Z_LT); with the conventional ``shift=1.5`` it is the short-term sigma
    level of Six Sigma tables (3.4 DPMO is "six sigma").

    Parameters
    ----------
    dpmo : float or array-like of float
        Defects per million opportunities, each between 0 and 1,000,000. 0 DPMO gives an
        infinite sigma level and 1,000,000 gives minus infinity.
    shift : float, default 1.5
        Shift in standard deviations added to the long-term Z.

    Returns
    -------
    float or numpy.ndarray
        The sigma level, with the shape of ``dpmo`` (a float for a scalar).

    See Also
    --------
    sigma_to_dpmo : The inverse conversion.

    Examples
    --------
    >>> print(round(dpmo_to_sigma(3.4), 4), round(dpmo_to_sigma(66807), 4))
    5.9999 3.0
    >>> print(round(dpmo_to_sigma(4500, shift=0), 6))
    2.612054
    >>> dpmo_to_sigma([6210, 500000]).round(3)
    array([4. , 1.5])

    References
    ----------
    .. [1] M. J. Harry (1988), *The Nature of Six Sigma Quality*, Motorola University Press.
    .. [2] D. C. Montgomery, *Introduction to Statistical Quality Control*, section 1.4
       (the Six Sigma concept and the 1.5-sigma shift).
    """
    shift = check_shift(shift)
    values = np.asarray(dpmo, dtype=float)
    bad = ~((values >= 0) & (values <= MILLION))
    if bad.any():
        raise ValueError(
            "The 'dpmo' parameter of dpmo_to_sigma must hold defects per million "
            f"opportunities between 0 and 1,000,000. Got {int(bad.sum())} bad value(s): "
            f"{format_values(values[bad].ravel())}. Divide defects by opportunities and "
            "multiply by 1,000,000."
        )
    # Φ⁻¹(1 − p) = −Φ⁻¹(p) keeps full precision for the small tail probabilities of interest.
    return _as_float_or_array(-ndtri(values / MILLION) + shift)


@public
def sigma_to_dpmo(sigma: ArrayLike, *, shift: float = 1.5) -> np.ndarray | float:
    """Convert a sigma level to defects per million opportunities.

    ``DPMO = 10⁶ · Φ(−(sigma − shift))`` (one-tailed), the inverse of :func:`dpmo_to_sigma`.

    Parameters
    ----------
    sigma : float or array-like of float
        Sigma level(s). Infinite values are allowed (+inf gives 0 DPMO).
    shift : float, default 1.5
        Shift in standard deviations that the sigma level includes; 0 when ``sigma`` is a
        long-term Z.

    Returns
    -------
    float or numpy.ndarray
        DPMO, with the shape of ``sigma`` (a float for a scalar).

    See Also
    --------
    dpmo_to_sigma : The inverse conversion.

    Examples
    --------
    >>> print(round(sigma_to_dpmo(6), 6), round(sigma_to_dpmo(3), 1))
    3.397673 66807.2
    >>> sigma_to_dpmo([1, 2], shift=0).round(1)
    array([158655.3,  22750.1])

    References
    ----------
    .. [1] M. J. Harry (1988), *The Nature of Six Sigma Quality*, Motorola University Press.
    """
    shift = check_shift(shift)
    values = np.asarray(sigma, dtype=float)
    if np.isnan(values).any():
        raise ValueError(
            "The 'sigma' parameter of sigma_to_dpmo must not contain missing values. Got "
            f"{int(np.isnan(values).sum())} NaN value(s). Remove or fill them first."
        )
    return _as_float_or_array(MILLION * ndtr(shift - values))
