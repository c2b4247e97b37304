"""Reading an audit export as text, and naming its rows the way the user sees them.

CSV and TSV files are read with every value as a string and without pandas' list of missing-value
tokens (``keep_default_na=False``), so that the missing-value policy of ``_missing``, not the
reader, decides what is missing. Rows are named by what the user can find: the line of a text
file (the header is line 1), the row of a worksheet, the index label of a DataFrame or Parquet
file.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._caller import caller
from .._compat import CSV_ENGINE, STR

_TEXT = {".csv": ",", ".csv.gz": ",", ".txt": ",", ".tsv": "\t", ".tsv.gz": "\t"}


@dataclass(frozen=True)
class Source:
    """An export read into a frame, with how to name its rows in messages.

    ``kind`` is ``"line"`` (text files), ``"row"`` (worksheets) or ``"index"`` (frames and
    Parquet files); ``path`` and ``delimiter`` locate the lines of a text file.
    """

    frame: pd.DataFrame
    kind: str = "index"
    path: Path | None = None
    delimiter: str = ","

    def locations(self, rows: np.ndarray) -> np.ndarray:
        """Name the rows at 0-based positions ``rows``: line numbers, sheet rows or index labels."""
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return rows
        if self.kind == "row":
            return rows + 2  # a worksheet's header is row 1
        if self.kind == "line":
            return _line_numbers(self.path, self.delimiter, len(self.frame))[rows]
        return self.frame.index.to_numpy()[rows]


def _line_numbers(path: Path, delimiter: str, n_rows: int) -> np.ndarray:
    """The line on which each record of a text file starts (the header is line 1).

    One record a line is the common case (header plus ``n_rows`` lines, counted in binary);
    otherwise (quoted values spanning lines, blank lines) the file is walked once with the
    ``csv`` module, which counts the lines each record takes.
    """
    opener = _open_text(path)
    newlines, last = 0, b"\n"
    with opener(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 24), b""):
            newlines, last = newlines + chunk.count(b"\n"), chunk[-1:]
    if newlines == n_rows + (last == b"\n"):  # the header and one line a record
        return np.arange(n_rows, dtype=np.int64) + 2
    starts = []
    with opener(path, "rt", newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        next(reader, None)
        line = reader.line_num
        for record in reader:
            if record:
                starts.append(line + 1)
            line = reader.line_num
    return np.asarray(starts[:n_rows], dtype=np.int64)


def _open_text(path: Path):
    if path.suffix.lower() == ".gz":
        import gzip

        return gzip.open
    return open


def read_source(source: str | os.PathLike | pd.DataFrame, *, sheet_name: str | int = 0) -> Source:
    """Read a CSV/TSV, Parquet or Excel file, or pass a DataFrame through (never modified)."""
    func = caller()
    if isinstance(source, pd.DataFrame):
        return Source(source)
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(
            f"The 'source' parameter of {func} must be a file path or a pandas DataFrame. "
            f"Got {type(source).__name__} instead."
        )
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"{func}: no file at {str(path)!r}. Check the path.")
    suffix = "".join(path.suffixes[-2:]).lower() if path.suffix == ".gz" else path.suffix.lower()
    if suffix in _TEXT:
        return Source(_read_text(path, _TEXT[suffix]), "line", path, _TEXT[suffix])
    if suffix in (".parquet", ".pq"):
        return Source(pd.read_parquet(path))
    if suffix in (".xlsx", ".xlsm", ".xls"):
        try:
            frame = pd.read_excel(path, sheet_name=sheet_name, dtype="object", na_filter=False)
        except ImportError as err:
            raise ImportError(
                "Reading Excel files needs openpyxl: pip install 'qainsights[excel]'."
            ) from err
        return Source(frame, "row")
    raise ValueError(
        f"{func} cannot read {path.name!r}: the file type {suffix!r} is not one of "
        "'.csv', '.tsv', '.parquet', '.xlsx'. Export as one of these, or read it with pandas "
        "and pass the DataFrame."
    )


def _read_text(path: Path, delimiter: str) -> pd.DataFrame:
    """Every value as a string, nothing read as missing: the missing-value policy decides."""
    options = {"sep": delimiter, "dtype": STR, "keep_default_na": False}
    try:
        return pd.read_csv(path, engine=CSV_ENGINE, **options)
    except (ValueError, OSError):  # what the pyarrow reader cannot parse, the C reader explains
        return pd.read_csv(path, **options)
