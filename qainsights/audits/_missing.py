"""The missing-value policy: which values of an export count as missing, by column type.

- Missing everywhere: a null (``None``, ``NaN``, ``NaT``, ``pd.NA``) and a string that is empty
  or holds only blanks.
- Missing only in numbers, timestamps, booleans, actions and categories: the tokens of
  :data:`MISSING_TOKENS`, matched after stripping blanks and ignoring case, unless the token is
  one of the column's allowed values.
- Never missing in ids and text: a market coded ``NA`` (Namibia), an id ``null`` or a root cause
  ``None`` are values like any other.

Text read from files is Arrow-backed; the policy then runs as Arrow compute kernels.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd

__all__ = ["MISSING_TOKENS", "TOKEN_KINDS", "present_values"]

#: Text that means "no value" in typed columns (matched case-insensitively, blanks stripped).
MISSING_TOKENS: tuple[str, ...] = (
    "NA",
    "N/A",
    "#N/A",
    "<NA>",
    "NULL",
    "None",
    "NaN",
    "NaT",
    "-",
)
#: Column types in which :data:`MISSING_TOKENS` count as missing.
TOKEN_KINDS: frozenset[str] = frozenset({"number", "datetime", "bool", "action", "category"})


def present_values(values: pd.Series, kind: str, allowed: tuple[str, ...] = ()) -> pd.Series:
    """Return ``values`` with strings stripped and every missing value (by the policy) as NA.

    Columns that hold no strings (numbers, datetimes, booleans) only lose their nulls.

    Examples
    --------
    >>> values = pd.Series(["NA", " n/a ", "", "12"])
    >>> present_values(values, "text").tolist()
    ['NA', 'n/a', nan, '12']
    >>> present_values(values, "number").tolist()
    [nan, nan, nan, '12']
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = pd.Series(np.asarray(values, dtype=object), index=values.index)
    tokens = _tokens(kind, allowed)
    if isinstance(values.array, pd.arrays.ArrowStringArray):
        return _present_arrow(values, tokens)
    if not _may_hold_text(values):
        return values
    text = values.str.strip()  # non-strings in an object column become NaN here
    missing = text.eq("") | text.isin(tokens)
    missing = missing.fillna(False).to_numpy(dtype=bool)
    if values.dtype == object:
        is_text = text.notna().to_numpy()
        kept = np.where(is_text, text.to_numpy(dtype=object), values.to_numpy(dtype=object))
        return pd.Series(kept, index=values.index, dtype=object).mask(missing)
    return text.mask(missing)


def _tokens(kind: str, allowed: tuple[str, ...]) -> list[str]:
    """The tokens in every mix of upper and lower case (matched without lower-casing a column)."""
    if kind not in TOKEN_KINDS:
        return []
    allowed_lower = {a.lower() for a in allowed}
    tokens = [t.lower() for t in MISSING_TOKENS if t.lower() not in allowed_lower]
    return ["".join(chars) for t in tokens for chars in product(*({c, c.upper()} for c in t))]


def _present_arrow(values: pd.Series, tokens: list[str]) -> pd.Series:
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(pa.array(values.array))
    missing = pc.equal(text, "")
    if tokens:
        missing = pc.or_(missing, pc.is_in(text, value_set=pa.array(tokens)))
    if pc.any(missing).as_py():
        text = pc.if_else(missing, pa.scalar(None, text.type), text)
    return pd.Series(pd.array(text, dtype=values.dtype), index=values.index)


def _may_hold_text(values: pd.Series) -> bool:
    if values.dtype == object:
        return pd.api.types.infer_dtype(values, skipna=True) in ("string", "mixed", "mixed-integer")
    return pd.api.types.is_string_dtype(values.dtype)
