"""Type coercion for the canonical audit columns.

Each coercer takes a column whose missing values are already NA (see ``_missing``) and returns
the typed column and the mask of present values that could not be read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._compat import STR
from .schema import SEVERITIES, Column

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}


def by_distinct(values: pd.Series, coercer) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Run ``coercer`` once per distinct value (labels and flags repeat a few values).

    ``coercer`` maps a Series of distinct values to (typed values, unreadable mask, missing
    mask). Returns the typed column, and per row the unreadable and missing masks.
    """
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    typed, bad, missing = coercer(pd.Series(np.asarray(distinct, dtype=object), dtype=object))
    typed = pd.concat(
        [typed.reset_index(drop=True), pd.Series([None], dtype=typed.dtype)], ignore_index=True
    )
    rows = np.where(codes >= 0, codes, len(distinct))
    out = typed.take(rows).set_axis(values.index)
    return out, np.r_[bad, False][rows], np.r_[missing, True][rows]


def normalise_labels(values: pd.Series) -> pd.Series:
    """Unicode NFKC, lower case, words joined by underscores: ``' No Action'`` -> ``'no_action'``.

    Examples
    --------
    >>> normalise_labels(pd.Series([" No Action", "Take-Down", None])).tolist()
    ['no_action', 'take_down', nan]
    """
    text = pd.Series(values.to_numpy(dtype=object), index=values.index).where(values.notna())
    text = text.astype(STR)
    return (
        text.str.normalize("NFKC").str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True)
    )


def as_text(values: pd.Series) -> pd.Series:
    """Identifiers and labels as strings (missing values stay missing)."""
    if values.dtype == STR:
        return values
    text = values.astype(STR)
    return text.where(values.notna())


def as_number(values: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Numbers as float64; returns the numbers, text that is not a number, and non-finite values."""
    if pd.api.types.is_bool_dtype(values.dtype):
        number = pd.Series(np.nan, index=values.index, dtype="float64")
        return number, values.notna().to_numpy(), np.zeros(len(values), dtype=bool)
    number = _arrow_numbers(values)
    if number is None:
        number = pd.to_numeric(values, errors="coerce").astype("float64")
    present = values.notna().to_numpy()
    array = number.to_numpy()
    read = ~np.isnan(array)
    infinite = read & ~np.isfinite(array)
    return number.where(~infinite), present & ~read, infinite


def _arrow_numbers(values: pd.Series) -> pd.Series | None:
    """Arrow text cast to float64 in one kernel; None when some value is not a number."""
    if not isinstance(values.array, pd.arrays.ArrowStringArray):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        number = pc.cast(pa.array(values.array), pa.float64())
    except pa.ArrowInvalid:
        return None
    return pd.Series(number.to_numpy(zero_copy_only=False), index=values.index, dtype="float64")


def as_bool(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Booleans from bool dtypes, True/False objects, 1/0, yes/no, y/n, t/f (any case)."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean"), np.zeros(len(values), dtype=bool)
    text = normalise_labels(values)
    parsed = pd.Series(pd.NA, index=values.index, dtype="boolean")
    parsed[text.isin(_TRUE).to_numpy()] = True
    parsed[text.isin(_FALSE).to_numpy()] = False
    return parsed, (values.notna() & parsed.isna()).to_numpy()


def as_category(values: pd.Series, column: Column) -> tuple[pd.Series, np.ndarray]:
    """Fixed-value columns as ordered categoricals; severities 1-4 are read as low..critical."""
    text = normalise_labels(values)
    if column.allowed == SEVERITIES:
        ranks = {str(i + 1): s for i, s in enumerate(SEVERITIES)}
        ranks |= {f"{i + 1}.0": s for i, s in enumerate(SEVERITIES)}
        text = text.where(~text.isin(list(ranks)), text.map(ranks))
    dtype = pd.CategoricalDtype(list(column.allowed), ordered=True)
    parsed = text.where(text.isin(column.allowed)).astype(dtype)
    return parsed, (values.notna() & parsed.isna()).to_numpy()


def as_action(
    values: pd.Series, column: Column, mapping: dict[str, str]
) -> tuple[pd.Series, np.ndarray]:
    """Actions through the user's mapping (matched after normalising), then as canonical actions."""
    text = normalise_labels(values)
    keys = normalise_labels(pd.Series(list(mapping), dtype=object)) if mapping else []
    text = text.replace(dict(zip(keys, mapping.values(), strict=True)))
    return as_category(text.where(values.notna()), column)
