"""Text columns go through qainsights._compat.STR, so pandas 2.2 keeps missing values missing."""

import io
import tokenize
from pathlib import Path

import numpy as np
import pandas as pd

from qainsights._compat import STR

PACKAGE = Path(__file__).resolve().parent.parent / "qainsights"


def _str_literals(path):
    """Line numbers of the string literals that are exactly 'str' (a dtype, not a message)."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
    return [
        t.start[0] for t in tokens if t.type == tokenize.STRING and t.string in ('"str"', "'str'")
    ]


def test_text_dtype_is_spelled_through_compat():
    # pandas 2.2 reads astype("str") as NumPy text: None becomes 'None' and NaN becomes 'nan'.
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "_compat.py"
        for number in _str_literals(path)
    ]
    assert not offenders, (
        'write qainsights._compat.STR instead of "str" for text columns: ' + ", ".join(offenders)
    )


def test_missing_text_stays_missing():
    text = pd.Series(["a", None, np.nan, 3]).astype(STR)
    assert text.isna().tolist() == [False, True, True, False]
    assert text.iloc[3] == "3"
    assert (text == "a").tolist() == [True, False, False, False]
