"""Type coercion for the canonical audit columns: each coercer returns the typed column and a mask
of the values present in the input that could not be read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._compat import STR
from .schema import SEVERITIES, Column

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}


def on_distinct(values: pd.Series, transform) -> pd.Series:
    """Apply a string ``transform`` once per distinct value (labels repeat a few values)."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    if len(distinct) == 0:
        return pd.Series(np.nan, index=values.index, dtype=STR)
    mapped = transform(pd.Series(distinct, dtype=STR)).to_numpy(dtype=object)
    out = mapped[np.where(codes < 0, 0, codes)]
    out[codes < 0] = np.nan
    return pd.Series(out, index=values.index, dtype=STR)


def normalise_labels(values: pd.Series) -> pd.Series:
    """Lower-case, strip and join words with underscores: ``' No Action'`` -> ``'no_action'``."""
    return on_distinct(
        values, lambda text: text.str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True)
    )


def as_text(values: pd.Series) -> pd.Series:
    """Identifiers and labels as strings; missing stays missing, blank strings become missing."""
    text = values.astype(STR).str.strip()
    return text.where(text != "")


def as_datetime(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Timestamps as timezone-naive UTC; ISO 8601 first, other formats for the rest."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        parsed = values.dt.tz_convert("UTC").dt.tz_localize(None)
    elif pd.api.types.is_datetime64_any_dtype(values.dtype):
        parsed = values
    else:
        parsed = pd.to_datetime(values, errors="coerce", format="ISO8601", utc=True)
        retry = parsed.isna() & values.notna()
        if retry.any():
            parsed = parsed.copy()
            parsed[retry] = pd.to_datetime(values[retry], errors="coerce", format="mixed", utc=True)
        parsed = parsed.dt.tz_localize(None)
    parsed = parsed.astype("datetime64[ns]")
    return parsed, (values.notna() & parsed.isna()).to_numpy()


def as_number(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Numbers as float64; text that is not a number is flagged."""
    number = pd.to_numeric(values, errors="coerce").astype("float64")
    return number, (values.notna() & number.isna()).to_numpy()


def as_bool(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Booleans from True/False, 1/0, yes/no (any case)."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean"), np.zeros(len(values), dtype=bool)
    text = normalise_labels(values)
    parsed = pd.Series(pd.NA, index=values.index, dtype="boolean")
    parsed[text.isin(_TRUE)] = True
    parsed[text.isin(_FALSE)] = False
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
    text = text.replace({normalise_labels(pd.Series([k])).iloc[0]: v for k, v in mapping.items()})
    return as_category(text.where(values.notna()), column)
