"""Argument checks shared by the planning functions."""

from __future__ import annotations

import numpy as np

from .._caller import caller
from .._validation import check_integer


def _check_positive_integer(value, *, name: str) -> None:
    check_integer(value, name=name, rule="a positive integer")


def _is_number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float, np.number))


def _check_unit(value, name: str) -> None:
    func = caller()
    if not (_is_number(value) and 0 < value < 1):
        raise ValueError(
            f"The {name!r} parameter of {func} must be a number strictly between 0 and 1. "
            f"Got {value!r} instead."
        )


def _check_positive(value, name: str) -> None:
    func = caller()
    if not (_is_number(value) and 0 < value < np.inf):
        raise ValueError(
            f"The {name!r} parameter of {func} must be a finite number > 0. Got {value!r} instead."
        )
