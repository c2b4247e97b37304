"""Audit rows where they are kept: a frame, a Parquet or CSV file or folder, a DuckDB table.

One reader for every command that takes ``--data`` rows on an engine (``publish``,
``dashboard``, ``report``): paths are opened lazily with DuckDB, so nothing is read until an
aggregate or a collection asks for the columns it needs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .._caller import calling, public
from ..aggregate import SCAN_REQUIRED, check_complete, engine_frame, scan_audits

__all__ = ["DATABASE_SUFFIXES", "audit_rows", "is_database", "row_columns"]

#: File suffixes read as DuckDB databases (with a table of audit rows).
DATABASE_SUFFIXES = (".duckdb", ".db")


@public
def is_database(path: str | os.PathLike) -> bool:
    """Whether ``path`` names a DuckDB database (by its suffix)."""
    return Path(path).suffix in DATABASE_SUFFIXES


@public
def audit_rows(
    data: Any,
    *,
    table: str | None = None,
    func: str,
    mart: str | os.PathLike | None = None,
    validate: bool = False,
) -> Any:
    """The audit rows as a frame: paths are opened lazily with DuckDB, frames pass through.

    Parameters
    ----------
    data : frame or path
        A pandas, polars, DuckDB or PySpark frame (returned as it is); a Parquet or CSV file
        or a folder of them (:func:`qainsights.aggregate.scan_audits`); or a DuckDB database
        file (``.duckdb``, ``.db``) with ``table``.
    table : str, optional
        The table of audit rows in a DuckDB database.
    func : str
        The calling function, named in error messages.
    mart : path, optional
        The database being written, which ``data`` must not be.
    validate : bool, default False
        Count missing values of the required columns (and, for files, check ``is_error``)
        on the engine before returning; False for a caller whose own pass counts them.

    Returns
    -------
    frame
        ``data`` itself, or a lazy DuckDB relation.

    Raises
    ------
    ValueError
        A database without ``table``, ``data`` naming the ``mart``, missing required values
        (with ``validate``).
    FileNotFoundError
        A path that holds no Parquet or CSV file.

    Examples
    --------
    >>> import tempfile, duckdb
    >>> path = tempfile.mkdtemp() + "/raw.duckdb"
    >>> with duckdb.connect(path) as con:
    ...     _ = con.execute("CREATE TABLE audits AS SELECT 'A' || i AS audit_id, i % 3 = 0 AS is_error "
    ...                     "FROM range(6) t(i)")
    >>> audit_rows(path, table="audits", func="example").aggregate("sum(is_error::INT)").fetchall()
    [(2,)]
    """
    if not isinstance(data, (str, os.PathLike)):
        return data
    import duckdb

    path = Path(data)
    if not is_database(path):
        # the cube's one pass counts the missing values that scan_audits' own pass would
        return scan_audits(path, connection=duckdb.connect(), validate=validate)
    if mart is not None and path.resolve() == Path(mart).resolve():
        raise ValueError(
            f"The 'data' parameter of {func} names the mart itself ({str(path)!r}). "
            "Read the audit rows from another database."
        )
    if table is None:
        raise ValueError(
            f"{func} reads a DuckDB database ({str(path)!r}) only with 'table' (--table "
            "on the command line): the table holding the audit rows."
        )
    if not path.is_file():
        raise FileNotFoundError(f"{func} found no DuckDB database at {str(path)!r}.")
    # attached read-only to an in-memory database, so queries can still create their temporary
    # views (some DuckDB releases refuse to, in a database opened read-only)
    connection = duckdb.connect()
    connection.execute(f"ATTACH '{_quoted(str(path), chr(39))}' AS source (READ_ONLY)")
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'source' "
            "ORDER BY table_name"
        ).fetchall()
    ]
    if table not in tables:
        raise ValueError(
            f"The 'table' parameter of {func} must name a table of {str(path)!r}, which holds "
            f"{', '.join(map(repr, tables)) or 'no table'}. Got {table!r} instead."
        )
    rows = connection.sql(f'SELECT * FROM source."{_quoted(table, chr(34))}"')
    if validate:
        with calling(func):
            frame = engine_frame(rows)
            check_complete(frame, [c for c in SCAN_REQUIRED if c in rows.columns])
    return rows


def _quoted(text: str, quote: str) -> str:
    """``text`` with ``quote`` doubled, to sit inside that quote in SQL."""
    return text.replace(quote, quote * 2)


@public
def row_columns(rows: Any) -> list[str]:
    """The column names of a frame of any engine (empty when narwhals cannot read it)."""
    import narwhals.stable.v2 as nw

    try:
        return list(nw.from_native(rows).collect_schema().names())
    except TypeError:
        return []
