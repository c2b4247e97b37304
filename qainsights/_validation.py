"""Argument and column checks shared by every public function, with one message format.

Messages follow scikit-learn's wording ("The 'x' parameter of f must be ... Got ... instead.")
and end with what to do next. The function they name is the public one being called
(:func:`qainsights._caller.caller`); the examples set it with ``calling``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._caller import (
    caller,
    calling,  # noqa: F401 (the examples name their caller with it)
)

__all__ = [
    "as_column_list",
    "check_columns",
    "check_complete",
    "check_confidence",
    "check_frame",
    "check_integer",
    "check_option",
    "check_weights",
    "format_values",
    "outcome_indicator",
    "raise_missing",
    "raise_other_values",
]


def format_values(values: Iterable[Any], limit: int = 5) -> str:
    """Return the first ``limit`` values as a readable, quoted list.

    Examples
    --------
    >>> format_values(["a", "b", "c"], limit=2)
    "'a', 'b' (and 1 more)"
    """
    values = list(values)
    shown = ", ".join(repr(v.item() if isinstance(v, np.generic) else v) for v in values[:limit])
    rest = len(values) - limit
    return f"{shown} (and {rest} more)" if rest > 0 else shown


def check_option(value: Any, *, name: str, options: Sequence[Any]) -> Any:
    """Return ``value`` if it is one of ``options``, else raise a ``ValueError`` naming them.

    Examples
    --------
    >>> check_option("wilson", name="method", options=["wilson", "jeffreys"])
    'wilson'
    >>> with calling("proportion_ci"):
    ...     check_option("wilsn", name="method", options=["wilson", "jeffreys"])
    Traceback (most recent call last):
    ...
    ValueError: The 'method' parameter of proportion_ci must be one of 'wilson', 'jeffreys'. Got 'wilsn' instead.
    """
    if value not in options:
        raise ValueError(
            f"The {name!r} parameter of {caller()} must be one of "
            f"{format_values(options, limit=len(options))}. Got {value!r} instead."
        )
    return value


def check_confidence(ci: float, *, name: str = "ci") -> float:
    """Return ``ci`` as a float if it lies strictly between 0 and 1.

    Examples
    --------
    >>> check_confidence(0.95)
    0.95
    >>> with calling("error_rate"):
    ...     check_confidence(95)
    Traceback (most recent call last):
    ...
    ValueError: The 'ci' parameter of error_rate must be a confidence level strictly between 0 and 1 (for example 0.95). Got 95 instead.
    """
    if isinstance(ci, bool) or not isinstance(ci, (int, float, np.floating)) or not 0 < ci < 1:
        raise ValueError(
            f"The {name!r} parameter of {caller()} must be a confidence level strictly between "
            f"0 and 1 (for example 0.95). Got {ci!r} instead."
        )
    return float(ci)


def check_frame(data: Any, *, name: str = "data") -> pd.DataFrame:
    """Return ``data`` if it is a pandas DataFrame, else raise a ``TypeError``.

    Examples
    --------
    >>> with calling("error_rate"):
    ...     check_frame([1, 2])
    Traceback (most recent call last):
    ...
    TypeError: The 'data' parameter of error_rate must be a pandas DataFrame. Got list instead.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"The {name!r} parameter of {caller()} must be a pandas DataFrame. "
            f"Got {type(data).__name__} instead."
        )
    return data


def check_integer(
    value: Any, *, name: str, minimum: int = 1, rule: str | None = None, note: str = ""
) -> int:
    """Return ``value`` if it is an integer (not a bool) of at least ``minimum``, else raise.

    The message reads "The 'name' parameter of <caller> must be <rule>. Got <value> instead<note>.",
    with ``rule`` "an integer >= minimum" unless given.

    Examples
    --------
    >>> check_integer(3, name="weeks", minimum=2)
    3
    >>> with calling("f"):
    ...     check_integer(0, name="n", rule="a positive integer")
    Traceback (most recent call last):
    ...
    ValueError: The 'n' parameter of f must be a positive integer. Got 0 instead.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        rule = rule or f"an integer >= {minimum}"
        raise ValueError(
            f"The {name!r} parameter of {caller()} must be {rule}. Got {value!r} instead{note}."
        )
    return int(value)


def as_column_list(columns: str | Sequence[str] | None, *, name: str | None = None) -> list[str]:
    """Normalise a column argument (one name, a list of names or None) to a list.

    Examples
    --------
    >>> as_column_list("site"), as_column_list(["site", "queue"]), as_column_list(None)
    (['site'], ['site', 'queue'], [])
    >>> as_column_list(["site", "site"])
    Traceback (most recent call last):
    ...
    ValueError: A list of columns must name distinct columns; 'site' appears more than once in ['site', 'site']. Name each column once.
    """
    if columns is None:
        return []
    if isinstance(columns, str):
        return [columns]
    names = list(columns)
    repeated = [c for c in dict.fromkeys(names) if names.count(c) > 1]
    if repeated:
        where = f"The {name!r} parameter of {caller()}" if name else "A list of columns"
        raise ValueError(
            f"{where} must name distinct columns; {format_values(repeated)} appears more than "
            f"once in {names!r}. Name each column once."
        )
    return names


def check_columns(data: pd.DataFrame, columns: Iterable[str], *, param: str = "data") -> None:
    """Raise a ``ValueError`` naming the columns of ``columns`` that ``data`` lacks.

    Examples
    --------
    >>> frame = pd.DataFrame({"site": ["a"], "is_error": [True]})
    >>> with calling("error_rate"):
    ...     check_columns(frame, ["site", "queue"])
    Traceback (most recent call last):
    ...
    ValueError: error_rate needs column 'queue' in 'data', which has columns 'site', 'is_error'. Check the spelling, or rename your column to 'queue'.
    >>> with calling("error_rate"):
    ...     check_columns(frame, ["is_eror"])
    Traceback (most recent call last):
    ...
    ValueError: error_rate needs column 'is_eror' in 'data', which has columns 'site', 'is_error'. Did you mean 'is_error'?
    """
    # A lazy frame's schema is resolved once (its ``columns`` attribute warns on polars).
    present = data.collect_schema().names() if hasattr(data, "collect_schema") else data.columns
    missing = [c for c in dict.fromkeys(columns) if c not in present]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        names = [str(c) for c in present]
        near = difflib.get_close_matches(str(missing[0]), names, n=1, cutoff=0.75)
        advice = (
            f"Did you mean {near[0]!r}?"
            if near
            else f"Check the spelling, or rename your column to {missing[0]!r}."
        )
        raise ValueError(
            f"{caller()} needs {noun} {format_values(missing, limit=len(missing))} in {param!r}, "
            f"which has columns {format_values(present, limit=30)}. {advice}"
        )


def check_complete(audits: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise if any of ``columns`` has missing values, naming the first offending rows."""
    for column in dict.fromkeys(columns):
        missing = audits[column].isna()
        if missing.any():
            raise_missing(column, int(missing.sum()), index=audits.index[missing])


def raise_missing(column: str, count: int, *, index: Iterable[Any] | None = None) -> None:
    """Raise for ``count`` missing values in ``column``, naming the first rows' ``index``.

    Without ``index`` (a frame of another engine, whose rows have no labels) the advice is
    a filter on that engine.

    Examples
    --------
    >>> with calling("error_rate"):
    ...     raise_missing("site", 2, index=[3, 8])
    Traceback (most recent call last):
    ...
    ValueError: error_rate found 2 rows with a missing value in column 'site' (index 3, 8). Drop or fill them first, for example audits.dropna(subset=['site']).
    """
    if index is not None:
        raise ValueError(
            f"{caller()} found {count} rows with a missing value in column {column!r} (index "
            f"{format_values(index)}). Drop or fill them first, for example "
            f"audits.dropna(subset=[{column!r}])."
        )
    raise ValueError(
        f"{caller()} found {count} rows with a missing value in column {column!r}. Drop or fill "
        f"them first (on your engine, for example frame.filter(col({column!r}).is_not_null()))."
    )


def outcome_indicator(values: pd.Series, column: str) -> pd.DataFrame:
    """Return a True/False (or 1/0) column as a one-column 0/1 frame."""
    if not pd.api.types.is_bool_dtype(values):
        # 0/1 numbers, or Python/NumPy booleans in an object column (True == 1 in isin)
        readable = pd.api.types.is_numeric_dtype(values) or values.dtype == object
        bad = ~values.isin([0, 1]) if readable else values.notna()
        if bad.any():
            raise_other_values(
                f"The outcome column {column!r} of {caller()} must hold True/False (or 1/0) values.",
                int(bad.sum()),
                values[bad].unique(),
                f"Convert it first, for example audits[{column!r}] == 'error'.",
            )
    return pd.DataFrame({column: values.to_numpy(dtype=float)})


def check_weights(audits: pd.DataFrame, column: str) -> np.ndarray:
    """Return the sampling weights as floats after checking they are finite and positive."""
    values = audits[column]
    if len(values) and values.isna().all():
        raise ValueError(
            f"The weight column {column!r} of {caller()} is empty (all missing). For a "
            "self-weighting sample pass weight=None."
        )
    check_complete(audits, [column])
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise ValueError(
            f"The weight column {column!r} of {caller()} must be numeric. Got dtype "
            f"{values.dtype} instead; convert it with pd.to_numeric first."
        )
    weights = values.to_numpy(dtype=float)
    bad = ~(np.isfinite(weights) & (weights > 0))
    if bad.any():
        raise_other_values(
            f"The weight column {column!r} of {caller()} must hold finite weights > 0.",
            int(bad.sum()),
            weights[bad],
            "Fix or drop them.",
        )
    return weights


def raise_other_values(what: str, count: int, examples: Iterable[Any], then: str) -> None:
    """Raise ``what``, the ``count`` values found against it with ``examples``, and ``then``.

    Examples
    --------
    >>> raise_other_values("The outcome must hold True/False.", 2, ["yes"], "Convert it first.")
    Traceback (most recent call last):
    ...
    ValueError: The outcome must hold True/False. Found 2 other values: 'yes'. Convert it first.
    """
    raise ValueError(f"{what} Found {count} other values: {format_values(examples)}. {then}")
