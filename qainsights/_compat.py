"""What differs between the supported pandas releases (2.2 and 3.x), kept in one place.

pandas 3 makes text columns with its ``str`` dtype: every value a Python string, a missing value
kept as NaN. pandas 2.2 has the same dtype under another name, ``string[pyarrow_numpy]``, while
its ``"str"`` means NumPy text, which turns a missing value into the string ``'nan'``. Code that
makes a text column uses :data:`STR` instead of ``"str"``, and gets pandas 3's behaviour on both.

Examples
--------
>>> import pandas as pd
>>> pd.Series(["a", None]).astype(STR).isna().tolist()
[False, True]
"""

from __future__ import annotations

import pandas as pd

__all__ = ["CSV_ENGINE", "PANDAS_3", "STR"]

#: Whether the installed pandas is 3 or newer.
PANDAS_3 = int(pd.__version__.split(".", 1)[0]) >= 3

#: The text dtype with NaN for missing values: ``"str"`` on pandas 3, ``string[pyarrow_numpy]`` on 2.2.
STR = "str" if PANDAS_3 else pd.StringDtype("pyarrow_numpy")

#: The CSV reader that keeps text as written: pandas 2.2's pyarrow reader infers types first and
#: converts them to the requested dtype after, so an identifier ``000`` comes back as ``0``.
CSV_ENGINE = "pyarrow" if PANDAS_3 else "c"
