"""Audit files too big for pandas, opened as a lazy DuckDB relation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .._caller import public
from .._validation import format_values

#: Columns every audit file read by :func:`scan_audits` must have.
SCAN_REQUIRED = ("audit_id", "decision_time", "site", "queue", "policy", "market", "is_error")


@public
def scan_audits(path: str | os.PathLike, *, connection: Any = None, validate: bool = True) -> Any:
    """Open a Parquet or CSV audit file, or a folder of them, as a lazy DuckDB relation.

    Nothing is read into memory: DuckDB streams the files when an aggregate asks for them,
    so every qainsights function that accepts a DuckDB relation (``error_rate``,
    ``control_charts``, ``explain_change``, ...) runs on files larger than memory. The
    checks that need whole columns run in SQL before the relation is returned.

    Parameters
    ----------
    path : str or path-like
        A ``.parquet`` or ``.csv`` file, or a folder holding such files (searched
        recursively; Parquet is preferred when both are present). The files hold canonical
        audit tables (as :func:`qainsights.load_audits` writes them): at least the columns
        in :data:`SCAN_REQUIRED`.
    connection : duckdb.DuckDBPyConnection, optional
        The connection to read with (its memory limit and threads apply). Default: a new
        in-memory connection.
    validate : bool, default True
        Count missing required values and check the type of ``is_error`` in one pass over
        the files before returning. False leaves that pass out, for a caller whose next
        query counts them anyway (:func:`qainsights.mart.publish` counts them in its one
        pass); the required columns are checked in both cases.

    Returns
    -------
    duckdb.DuckDBPyRelation
        The audit rows, with a ``week`` column (Monday 00:00 of the decision's ISO week)
        added when the files have none.

    Raises
    ------
    FileNotFoundError
        When ``path`` holds no Parquet or CSV file.
    ValueError
        When a required column is absent, or when required values are missing or
        ``is_error`` is not True/False: the message counts the rows per column.

    Examples
    --------
    >>> import tempfile, duckdb
    >>> folder = tempfile.mkdtemp()
    >>> _ = duckdb.sql(
    ...     "COPY (SELECT 'A' || i AS audit_id, TIMESTAMP '2025-01-01' + i * INTERVAL 1 DAY "
    ...     "AS decision_time, 'Dublin' AS site, 'q1' AS queue, 'spam' AS policy, "
    ...     "'en-US' AS market, i % 4 = 0 AS is_error FROM range(20) t(i)) "
    ...     f"TO '{folder}/part-0.parquet' (FORMAT parquet)"
    ... )
    >>> from qainsights.aggregate import error_counts
    >>> audits = scan_audits(folder)
    >>> error_counts(audits, by="site")[["site", "n", "errors"]]
         site     n  errors
    0  Dublin  20.0     5.0

    References
    ----------
    .. [1] DuckDB documentation, "Reading multiple files":
       https://duckdb.org/docs/data/multiple_files/overview
    """
    import duckdb

    con = connection if connection is not None else duckdb.connect()
    relation = con.sql(f"SELECT * FROM {_file_reader(Path(path))}")
    absent = [c for c in SCAN_REQUIRED if c not in relation.columns]
    if absent:
        raise ValueError(
            f"scan_audits needs column(s) {format_values(absent, limit=len(absent))} in "
            f"{str(path)!r}, which has columns {format_values(relation.columns, limit=30)}. "
            "Write the files from qainsights.load_audits, or rename the columns."
        )
    if validate:
        _check_scanned(relation)
    if "week" not in relation.columns:
        relation = relation.select("*, date_trunc('week', decision_time) AS week")
    return relation


def _file_reader(path: Path) -> str:
    """The DuckDB table function that reads ``path``."""
    if path.is_dir():
        for suffix, reader in ((".parquet", "read_parquet"), (".csv", "read_csv")):
            if any(path.rglob(f"*{suffix}")):
                pattern = (path / "**" / f"*{suffix}").as_posix()
                return f"{reader}('{_quoted(pattern)}', union_by_name = true)"
    elif path.suffix in (".parquet", ".csv") and path.is_file():
        reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
        return f"{reader}('{_quoted(path.as_posix())}')"
    raise FileNotFoundError(
        f"scan_audits found no .parquet or .csv file at {str(path)!r}. Check the path."
    )


def _quoted(text: str) -> str:
    return text.replace("'", "''")


def _check_scanned(relation: Any) -> None:
    """Count missing required values and non-boolean ``is_error`` in one SQL pass."""
    counts = ", ".join(f'count(*) FILTER (WHERE "{c}" IS NULL) AS "{c}"' for c in SCAN_REQUIRED)
    missing = relation.aggregate(counts).fetchall()[0]
    problems = [f"{n} missing {c!r}" for c, n in zip(SCAN_REQUIRED, missing, strict=True) if n]
    dtype = str(dict(zip(relation.columns, relation.dtypes, strict=True))["is_error"])
    if dtype != "BOOLEAN":
        problems.append(f"'is_error' of type {dtype} instead of BOOLEAN")
    if problems:
        raise ValueError(
            f"scan_audits found problems in the audit files: {'; '.join(problems)}. Fix the "
            "files (load_audits validates and writes canonical tables), or filter the "
            "relation and pass it on."
        )
