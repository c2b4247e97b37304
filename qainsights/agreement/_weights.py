"""Agreement weight matrices: 1 for identical categories, less for distant ones.

Linear and quadratic weights use the category values when all are numbers and the category
positions otherwise (as Gwet's irrCAC does). Krippendorff's metrics become weights
``1 - delta**2 / max(delta**2)``, which leaves alpha unchanged (alpha is a ratio of
disagreements) and lets every coefficient share one formula.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._caller import caller
from .._validation import check_option

__all__ = ["agreement_weights", "krippendorff_weights", "weights_name"]

WEIGHT_OPTIONS = ("identity", "linear", "quadratic")
LEVELS = ("nominal", "ordinal", "interval", "ratio")


def weights_name(weights: Any) -> str:
    """Describe ``weights`` for result tables: a scheme's name, or ``'custom'``."""
    if weights is None:
        return "identity"
    return weights if isinstance(weights, str) else "custom"


def agreement_weights(weights: Any, categories: np.ndarray) -> np.ndarray:
    """Return the q x q agreement weight matrix for ``weights``.

    Examples
    --------
    >>> agreement_weights("linear", np.array([1, 2, 3]))
    array([[1. , 0.5, 0. ],
           [0.5, 1. , 0.5],
           [0. , 0.5, 1. ]])
    """
    func = caller()
    q = len(categories)
    if weights is None:
        return np.eye(q)
    if isinstance(weights, str):
        check_option(weights, name="weights", options=WEIGHT_OPTIONS)
        if weights == "identity":
            return np.eye(q)
        power = 1 if weights == "linear" else 2
        distance = np.abs(np.subtract.outer(*[_scores(categories)] * 2)) ** power
        return 1.0 - distance / max(distance.max(), 1e-300)
    matrix = np.asarray(weights, dtype=float)
    if (
        matrix.shape != (q, q)
        or not np.isfinite(matrix).all()
        or (matrix < 0).any()
        or (matrix > 1).any()
        or not np.allclose(np.diag(matrix), 1.0)
    ):
        raise ValueError(
            f"The 'weights' parameter of {func} must be None, one of "
            f"{', '.join(repr(w) for w in WEIGHT_OPTIONS)}, or a {q} x {q} matrix of agreement "
            f"weights in [0, 1] with 1 on the diagonal. Got an array of shape {matrix.shape} "
            "instead. To use disagreement weights d, pass 1 - d / d.max()."
        )
    return matrix


def krippendorff_weights(level: str, categories: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Return Krippendorff's metric for ``level`` as agreement weights.

    ``totals`` are the numbers of pairable values per category, used by the ordinal metric.

    Examples
    --------
    >>> krippendorff_weights("interval", np.array([1, 2, 3]), np.ones(3))
    array([[1.  , 0.75, 0.  ],
           [0.75, 1.  , 0.75],
           [0.  , 0.75, 1.  ]])
    """
    func = caller()
    check_option(level, name="level", options=LEVELS)
    q = len(categories)
    if level == "nominal" or q == 1:
        return np.eye(q)
    if level == "ordinal":
        cumulative = np.concatenate([[0.0], np.cumsum(totals)])
        low, high = (
            np.minimum.outer(np.arange(q), np.arange(q)),
            np.maximum.outer(np.arange(q), np.arange(q)),
        )
        between = cumulative[high + 1] - cumulative[low]
        squared = (between - (totals[low] + totals[high]) / 2) ** 2
        squared[np.diag_indices(q)] = 0.0
    else:
        values = _numeric(categories, level)
        if level == "interval":
            squared = np.subtract.outer(values, values) ** 2
        else:
            if (values < 0).any():
                raise ValueError(
                    f"{func} with level='ratio' needs non-negative category values. Got "
                    f"{values.min()!r}. Use level='interval' for values below zero."
                )
            total = np.add.outer(values, values)
            safe = np.where(total > 0, total, 1.0)
            squared = (np.subtract.outer(values, values) / safe) ** 2
    return 1.0 - squared / max(squared.max(), 1e-300)


def _scores(categories: np.ndarray) -> np.ndarray:
    try:
        return np.asarray(categories, dtype=float)
    except (TypeError, ValueError):
        return np.arange(len(categories), dtype=float)


def _numeric(categories: np.ndarray, level: str) -> np.ndarray:
    func = caller()
    try:
        return np.asarray(categories, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"{func} with level={level!r} needs numeric category values. Got "
            f"{categories[:5].tolist()!r}. Use level='nominal' or 'ordinal', or map the labels "
            "to numbers first."
        ) from None
