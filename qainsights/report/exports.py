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

from .._caller import public, user_stacklevel
from .._compat import STR
from .._deprecation import renamed_function
from .._validation import check_frame, check_integer, format_values

__all__ = ["neutralize_formulas", "suppress_small_cells", "write_csv", "write_excel"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@public
def neutralize_formulas(table: pd.DataFrame) -> pd.DataFrame:
    r"""Return a copy whose text cells cannot run as spreadsheet formulas.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
    apostrophe (OWASP's advice on CSV injection); numbers are left alone, also in a column
    that mixes text and numbers. Column names are treated the same way.

    Examples
    --------
    >>> table = pd.DataFrame({"queue": ['=HYPERLINK("x")', "spam"], "n": [-3, 4],
    ...                       "mixed": ["-x", -0.03]})
    >>> safe = neutralize_formulas(table)
    >>> safe
                     queue  n  mixed
    0  '=HYPERLINK("x")  -3    '-x
    1                 spam  4  -0.03
    >>> type(safe["mixed"].iloc[1])
    <class 'float'>
    """
    check_frame(table, name="table")
    safe = table.copy()
    for name in safe.columns:
        column = safe[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            safe[name] = column.cat.rename_categories(lambda c: _neutral(str(c)))
        elif column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            values = column.to_numpy(dtype=object)
            text = np.fromiter((isinstance(v, str) for v in values), bool, len(values))
            risky = text & np.fromiter(
                (isinstance(v, str) and v.startswith(_FORMULA_START) for v in values),
                bool,
                len(values),
            )
            if risky.any():
                values = values.copy()
                values[risky] = ["'" + v for v in values[risky]]
                safe[name] = pd.Series(values, index=column.index, dtype=column.dtype)
    return safe.rename(columns=lambda c: _neutral(str(c)))


def _neutral(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


@public
def suppress_small_cells(
    table: pd.DataFrame,
    *,
    min_n: int = 10,
    n: str | list[str] = "n",
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Blank the statistics of rows based on fewer than ``min_n`` audits.

    Parameters
    ----------
    table : DataFrame
        A result table with a count column.
    min_n : int, default 10
        Smallest count whose statistics are shown.
    n : str or list of str, default "n"
        The count column, or several (a row is small when any of them is below ``min_n``,
        for example the audits of each of two months compared). Kept, so readers see why a
        row is blank.
    columns : list of str, optional
        Columns to blank; by default every numeric column except the count columns.

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
    check_frame(table, name="table")
    counts = [n] if isinstance(n, str) else list(n)
    missing = [c for c in counts if c not in table]
    if missing or not counts:
        raise ValueError(
            f"suppress_small_cells needs the count column {n!r}; the table has "
            f"{list(table.columns)}. Pass n='your_count_column'."
        )
    check_integer(min_n, name="min_n", rule="a positive integer")
    small = (table[counts] < min_n).any(axis=1).to_numpy()
    targets = columns or [c for c in table.select_dtypes("number").columns if c not in counts]
    out = table.copy()
    out[targets] = (
        out[targets].astype("float64").mask(small[:, None] & np.ones((1, len(targets)), dtype=bool))
    )
    out["suppressed"] = small
    if small.any():
        warnings.warn(
            f"suppress_small_cells blanked {int(small.sum())} of {len(table)} rows with fewer than "
            f"{min_n} audits in {format_values(counts)}.",
            UserWarning,
            stacklevel=user_stacklevel(),
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


#: Spreadsheet number formats by column kind (:func:`~qainsights.report.formatting.column_kinds`).
EXCEL_FORMATS = {
    "percent": "0.0%",
    "points": "+0.0%;-0.0%;0.0%",  # a difference of proportions, signed
    "count": "#,##0",
    "p_value": "0.000",
    "number": "#,##0.000",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
#: Text longer than this many characters is wrapped in a column of this width.
_WRAP = 60
#: The row an empty table gets, so a sheet never shows headers alone.
EMPTY_ROW = "none this month"


def _with_placeholder(table: pd.DataFrame) -> pd.DataFrame:
    """An empty table with one row saying so in its first column (other cells empty)."""
    if len(table) or not len(table.columns):
        return table
    row = {c: [EMPTY_ROW if i == 0 else None] for i, c in enumerate(table.columns)}
    return pd.DataFrame(row).astype({table.columns[0]: "object"})


@public
def write_excel(tables: Mapping[str, pd.DataFrame], path: str | os.PathLike) -> Path:
    """Write one formatted sheet per table, every number a number.

    Each column's format follows what it holds (:func:`~qainsights.report.formatting.column_kinds`,
    :data:`EXCEL_FORMATS`): proportions as percentages, counts with thousands separators,
    p-values with three decimals, dates as dates. The header is bold and frozen, with an
    autofilter; long text wraps; an empty table gets one row saying "none this month". Text
    is neutralised against formula injection first (:func:`neutralize_formulas`).

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_excel({"By site": pd.DataFrame({"site": ["a"], "rate": [0.05]})},
    ...                        f"{folder}/report.xlsx")
    ...     sheet = openpyxl.load_workbook(path)["By site"]
    ...     sheet["B2"].value, sheet["B2"].number_format, sheet.auto_filter.ref
    (0.05, '0.0%', 'A1:B2')
    """
    from openpyxl.styles import Alignment, Font

    from .formatting import column_kinds

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for title, table in tables.items():
            check_frame(table, name=f"tables[{title!r}]")
            name = _sheet_name(str(title), used)
            shown = _with_placeholder(table)
            kinds = column_kinds(table) if len(table) else {}
            neutralize_formulas(shown).to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            sheet.auto_filter.ref = sheet.dimensions
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for position, column in enumerate(shown.columns, start=1):
                letter = sheet.cell(row=1, column=position).column_letter
                lengths = shown[column].astype(STR).str.len().head(500)
                width = max([len(str(column)), *lengths.tolist()])
                sheet.column_dimensions[letter].width = min(_WRAP, width + 2)
                fmt = EXCEL_FORMATS.get(kinds.get(column, "text"))
                wrap = width > _WRAP
                if fmt is None and not wrap:
                    continue
                for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
                    if fmt is not None:
                        cell.number_format = fmt
                    if wrap:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return path


@public
def write_csv(tables: Mapping[str, pd.DataFrame], folder: str | os.PathLike) -> list[Path]:
    """Write one CSV per table (file names from the titles), neutralised against formulas.

    UTF-8 with a byte-order mark, so that Excel opens non-Latin labels correctly; an empty
    table gets one row saying "none this month".

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
        check_frame(table, name=f"tables[{title!r}]")
        stem = re.sub(r"[^0-9a-z]+", "_", str(title).lower()).strip("_") or "table"
        path = folder / f"{stem}.csv"
        neutralize_formulas(_with_placeholder(table)).to_csv(
            path, index=False, encoding="utf-8-sig"
        )
        written.append(path)
    return written


#: Former name of :func:`neutralize_formulas`; calling it warns.
neutralise_formulas = renamed_function(neutralize_formulas, "neutralise_formulas")
