"""Exports that stakeholders open: Excel workbooks and CSV files, safe to send.

Every text cell that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is prefixed with an apostrophe, and statistics of cells with
fewer than ``min_n`` audits are suppressed, so that no individual can be singled out by accident.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .._compat import STR
from .._validation import check_frame, check_integer

__all__ = ["neutralise_formulas", "suppress_small_cells", "write_csv", "write_excel"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_PERCENT_COLUMNS = ("rate", "accuracy", "ci_low", "ci_high", "target", "share", "cumulative_share")


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    r"""Return a copy whose text cells cannot run as spreadsheet formulas.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
    apostrophe (OWASP's advice on CSV injection); numbers are left alone. Column names are
    treated the same way.

    Examples
    --------
    >>> table = pd.DataFrame({"queue": ['=HYPERLINK("x")', "spam"], "n": [-3, 4]})
    >>> neutralise_formulas(table)
                     queue  n
    0  '=HYPERLINK("x")  -3
    1                 spam  4
    """
    check_frame(table, func="neutralise_formulas", name="table")
    safe = table.copy()
    for name in safe.columns:
        column = safe[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            text = column.astype(STR)
            risky = text.str.startswith(_FORMULA_START, na=False).to_numpy(dtype=bool)
            if risky.any():
                safe[name] = text.where(~risky, "'" + text)
        elif isinstance(column.dtype, pd.CategoricalDtype):
            safe[name] = column.cat.rename_categories(lambda c: _neutral(str(c)))
    return safe.rename(columns=lambda c: _neutral(str(c)))


def _neutral(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def suppress_small_cells(
    table: pd.DataFrame, *, min_n: int = 10, n: str = "n", columns: list[str] | None = None
) -> pd.DataFrame:
    """Blank the statistics of rows based on fewer than ``min_n`` audits.

    Parameters
    ----------
    table : DataFrame
        A result table with a count column.
    min_n : int, default 10
        Smallest count whose statistics are shown.
    n : str, default "n"
        The count column (kept, so readers see why a row is blank).
    columns : list of str, optional
        Columns to blank; by default every numeric column except ``n``.

    Returns
    -------
    DataFrame
        A copy with a boolean ``suppressed`` column; a ``UserWarning`` says how many rows were
        suppressed.

    Examples
    --------
    >>> table = pd.DataFrame({"moderator": ["a", "b"], "n": [40, 3], "rate": [0.1, 0.33]})
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     suppress_small_cells(table, min_n=10)
      moderator   n  rate  suppressed
    0         a  40   0.1       False
    1         b   3   NaN        True
    """
    check_frame(table, func="suppress_small_cells", name="table")
    if n not in table:
        raise ValueError(
            f"suppress_small_cells needs the count column {n!r}; the table has "
            f"{list(table.columns)}. Pass n='your_count_column'."
        )
    check_integer(min_n, name="min_n", func="suppress_small_cells", rule="a positive integer")
    small = (table[n] < min_n).to_numpy()
    targets = columns or [c for c in table.select_dtypes("number").columns if c != n]
    out = table.copy()
    out[targets] = (
        out[targets].astype("float64").mask(small[:, None] & np.ones((1, len(targets)), dtype=bool))
    )
    out["suppressed"] = small
    if small.any():
        warnings.warn(
            f"suppress_small_cells blanked {int(small.sum())} of {len(table)} rows with fewer than "
            f"{min_n} audits in {n!r}.",
            UserWarning,
            stacklevel=2,
        )
    return out


def _sheet_name(name: str, used: set[str]) -> str:
    base = " ".join(_SHEET_FORBIDDEN.sub(" ", name).strip("'").split())[:31] or "Sheet"
    candidate, k = base, 2
    while candidate.lower() in used:
        suffix = f" ({k})"
        candidate, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(candidate.lower())
    return candidate


def write_excel(tables: Mapping[str, pd.DataFrame], path: str | os.PathLike) -> Path:
    """Write one formatted sheet per table: bold frozen header, fitted widths, percentages.

    Text is neutralised against formula injection first (:func:`neutralise_formulas`).

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_excel({"By site": pd.DataFrame({"site": ["a"], "rate": [0.05]})},
    ...                        f"{folder}/report.xlsx")
    ...     sheet = openpyxl.load_workbook(path)["By site"]
    ...     sheet["B2"].value, sheet["B2"].number_format
    (0.05, '0.0%')
    """
    from openpyxl.styles import Font

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for title, table in tables.items():
            check_frame(table, func="write_excel", name=f"tables[{title!r}]")
            name = _sheet_name(str(title), used)
            neutralise_formulas(table).to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for position, column in enumerate(table.columns, start=1):
                letter = sheet.cell(row=1, column=position).column_letter
                width = max(
                    [len(str(column)), *table[column].astype(STR).str.len().head(500).tolist()]
                )
                sheet.column_dimensions[letter].width = min(60, width + 2)
                if str(column) in _PERCENT_COLUMNS:
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
                        cell.number_format = "0.0%"
    return path


def write_csv(tables: Mapping[str, pd.DataFrame], folder: str | os.PathLike) -> list[Path]:
    """Write one CSV per table (file names from the titles), neutralised against formulas.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [p.name for p in write_csv({"By site": pd.DataFrame({"site": ["a"]})}, folder)]
    ['by_site.csv']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for title, table in tables.items():
        check_frame(table, func="write_csv", name=f"tables[{title!r}]")
        stem = re.sub(r"[^0-9a-z]+", "_", str(title).lower()).strip("_") or "table"
        path = folder / f"{stem}.csv"
        neutralise_formulas(table).to_csv(path, index=False)
        written.append(path)
    return written
