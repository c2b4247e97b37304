"""Where the report's audits come from: an export file, or rows kept on an engine.

An export (CSV, Parquet or Excel file) is read and validated by
:func:`qainsights.validate_audits`, as always. A folder of Parquet or CSV files and a table of a
DuckDB database (what ``qainsights publish --data`` reads) are opened lazily through the
mart's reader (:func:`qainsights.mart.source.audit_rows`) and only the columns and months the
report's sections read are collected (:func:`~qainsights.report.engine_input.collect_report_rows`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .._caller import caller, public

__all__ = [
    "TABLE_SEPARATOR",
    "ReportAudits",
    "read_report_audits",
    "with_periods",
    "with_table",
]

#: Joins a DuckDB database and its table in one ``data`` string: ``raw.duckdb::audits``.
TABLE_SEPARATOR = "::"


@dataclass(frozen=True)
class ReportAudits:
    """The audits a report is built from.

    Attributes
    ----------
    audits : pandas.DataFrame
        Canonical audit rows (all columns for an export; the report's columns and months for
        rows read on an engine).
    month : str or None
        The report month to pass on (as given, or chosen on the engine).
    notes : tuple of str
        Notes on the data for the report (rows left out by validation, merged labels).
    """

    audits: pd.DataFrame
    month: str | None
    notes: tuple[str, ...]


@public
def with_table(data: str | os.PathLike, table: str | None) -> str | os.PathLike:
    """``data`` with ``table`` joined to it (``raw.duckdb::audits``), or ``data`` alone.

    Examples
    --------
    >>> with_table("raw.duckdb", "audits"), with_table("audits/", None)
    ('raw.duckdb::audits', 'audits/')
    """
    return data if table is None else f"{os.fspath(data)}{TABLE_SEPARATOR}{table}"


@public
def read_report_audits(
    data: str | os.PathLike,
    *,
    month: str | None = None,
    columns: dict[str, str] | None = None,
    actions: dict[str, str] | None = None,
    date_format: str | None = None,
    errors: str = "raise",
) -> ReportAudits:
    """Read the audits the Monthly Quality Report needs, from an export or from an engine.

    Parameters
    ----------
    data : path
        An export file :func:`qainsights.validate_audits` reads (CSV, Parquet, Excel); a
        folder of Parquet or CSV files of canonical audit rows; or a DuckDB database and its
        table joined as ``DATABASE.duckdb::TABLE`` (:func:`with_table`).
    month : str, optional
        'YYYY-MM'; when omitted on an engine, the latest complete month found there.
    columns, actions, date_format
        How to read an export, as in :func:`qainsights.load_audits`. Rows on an engine must
        already have the canonical columns; these (and ``errors="report"``) are refused
        for them.
    errors : {"raise", "report"}, default "raise"
        An export's rows that fail validation stop the report, or are left out and noted.
        Rows on an engine are checked there: missing required values stop the report.

    Returns
    -------
    ReportAudits

    Raises
    ------
    ValueError
        Mappings given for rows on an engine; a database without a table; missing required
        values on the engine.

    Examples
    --------
    >>> import tempfile
    >>> from qainsights.datasets import simulate_audits
    >>> folder = tempfile.mkdtemp()
    >>> simulate_audits(seed=3, start="2026-07-06", weeks=13).audits.to_parquet(f"{folder}/a.parquet")
    >>> read = read_report_audits(folder)
    >>> read.month, "audit_time" in read.audits, read.notes
    ('2026-09', False, ())
    """
    from .. import validate_audits

    text = os.fspath(data)
    path, table = Path(text), None
    if TABLE_SEPARATOR in text:
        base, table = text.rsplit(TABLE_SEPARATOR, 1)
        path = Path(base)
    from ..mart.source import is_database

    if not (path.is_dir() or is_database(path)):
        if table is not None:
            raise ValueError(
                f"read_report_audits reads a table ({table!r}) only from a DuckDB database "
                f"(.duckdb or .db); {str(path)!r} is not one. Leave out the table (--table)."
            )
        intake = validate_audits(data, columns=columns, actions=actions, date_format=date_format)
        return ReportAudits(intake.accepted(errors), month, tuple(intake.notes))
    options = {"columns": columns, "actions": actions, "date_format": date_format}
    given = [name for name, value in options.items() if value]
    if errors != "raise":
        given.append("errors")
    if given:
        raise ValueError(
            f"read_report_audits applies {', '.join(map(repr, given))} to an export file; the "
            f"rows in {str(path)!r} are read as they are and must have the canonical columns "
            "(docs/data_dictionary.md). Leave them out, or load the export with load_audits."
        )
    from ..mart.source import audit_rows
    from .engine_input import collect_report_rows

    rows = audit_rows(path, table=table, validate=True, func=caller())
    audits, month = collect_report_rows(with_periods(rows), month=month)
    return ReportAudits(audits, month, ())


@public
def with_periods(rows: Any) -> Any:
    """A DuckDB relation of audit rows with the report's ``week`` and ``month`` columns.

    The Monday of the decision's week and its month as "YYYY-MM" text (as
    :func:`qainsights.load_audits` derives them) are added where the relation lacks them;
    other frames are returned as they are.

    Examples
    --------
    >>> import duckdb
    >>> rows = duckdb.sql("SELECT TIMESTAMP '2026-10-01 09:30' AS decision_time")
    >>> with_periods(rows).fetchall()
    [(datetime.datetime(2026, 10, 1, 9, 30), datetime.datetime(2026, 9, 28, 0, 0), '2026-10')]
    """
    columns = getattr(rows, "columns", None)
    # DuckDB's relation class lives in "duckdb" or, in some releases, "_duckdb"
    if (
        type(rows).__module__.lstrip("_").split(".")[0] != "duckdb"
        or "decision_time" not in columns
    ):
        return rows
    derived = []
    if "week" not in columns:
        derived.append("date_trunc('week', decision_time) AS week")
    if "month" not in columns:
        derived.append("strftime(decision_time, '%Y-%m') AS month")
    return rows.select(", ".join(["*", *derived])) if derived else rows
