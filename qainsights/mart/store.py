"""Publishing the quality mart: a DuckDB database, and optionally Parquet files and a Hyper extract.

The cubes are stored by month: publishing a month again replaces its rows (in one
transaction), so a re-run never counts an audit twice. The derived tables are then rebuilt
from the whole stored cube. ``docs/mart.md`` documents every table, column, grain and key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .._caller import caller, public
from .._compat import STR
from .._validation import format_values
from .cube import CLUSTER_KEYS, CUBE_KEYS, DAY_KEYS, SUMS, quality_cube
from .derived import derived_tables
from .source import audit_rows, row_columns

__all__ = ["CUBES", "Published", "publish", "read_mart"]

#: The cube tables (stored by month) and the cube each is read from.
CUBES = {
    "cube": "cube",
    "cube_moderator": "moderators",
    "cube_auditor": "auditors",
    "cube_cluster": "clusters",
    "cube_day": "days",
}
#: The keys each stored table is sorted by, so that the same cube gives the same tables.
ORDER = {
    "cube": CUBE_KEYS,
    "cube_moderator": ("month", "week", "site", "queue", "moderator_id"),
    "cube_auditor": ("month", "week", "site", "auditor_id"),
    "cube_cluster": CLUSTER_KEYS,
    "cube_day": DAY_KEYS,
    "rates": ("grain", "period", "dimension", "segment"),
    "control_chart": ("dimension", "segment", "week"),
    "control_signals": ("dimension", "segment", "week", "rule"),
    "changepoints": ("dimension", "segment", "week"),
    "dim_period": ("month", "week"),
    "dim_site": ("site", "site_type"),
    "mart_info": ("key",),
    "findings": ("month", "rank"),
}


#: Tables written by the report (:func:`~qainsights.mart.publish_findings`), exported too.
REPORTED = ("findings",)

#: Columns stored as dates (Mondays of weeks, days, first days of months and stretches).
DATE_COLUMNS = ("week", "day", "month_start", "start", "end")
#: The cubes' keys that are dates (timestamps in memory).
DATE_KEYS = ("week", "day")


@dataclass(frozen=True)
class Published:
    """What :func:`publish` wrote.

    Attributes
    ----------
    path : pathlib.Path
        The DuckDB database.
    months : tuple of str
        The months ("YYYY-MM") published (replaced) by this call.
    tables : dict of str to int
        Rows of every table of the mart after the call.
    """

    path: Path
    months: tuple[str, ...]
    tables: dict[str, int]

    def __repr__(self) -> str:
        return (
            f"Published(path={str(self.path)!r}, months={list(self.months)}, "
            f"cube_rows={self.tables.get('cube', 0)})"
        )


@public
def publish(
    data: Any,
    *,
    to: str | os.PathLike = "quality.duckdb",
    parquet: str | os.PathLike | None = None,
    hyper: str | os.PathLike | None = None,
    months: list[str] | None = None,
    table: str | None = None,
    weight: str | None = "weight",
    strata: str | None = "stratum",
    ci: float = 0.95,
    findings: bool = False,
    accuracy_target: float = 0.92,
) -> Published:
    """Reduce audit rows to the quality cube on their engine and publish the mart.

    Parameters
    ----------
    data : frame or path
        Audit rows: a pandas, polars, DuckDB or PySpark frame; a Parquet or CSV file or a
        folder of them (read by :func:`qainsights.aggregate.scan_audits`, streamed through
        DuckDB); or a DuckDB database file with ``table``.
    to : path, default "quality.duckdb"
        The mart's DuckDB database (created if absent).
    parquet : path, optional
        Also write every table of the mart to this folder, one ``TABLE.parquet`` each
        (rewritten whole: the DuckDB database is the store of record).
    hyper : path, optional
        Also write a Tableau Hyper extract with every table (needs the ``pantab`` package).
    months : list of str, optional
        Publish only these months ("YYYY-MM"); default every month in ``data``. Each
        published month replaces the mart's rows of that month.
    table : str, optional
        The table to read when ``data`` is a DuckDB database file.
    weight, strata : str or None, default "weight" and "stratum"
        Sampling weight and stratum columns; a column the rows lack is not used (every
        weight 1, one stratum). Rates are design-based when either is used.
    ci : float, default 0.95
        Confidence level of the derived rates.
    findings : bool, default False
        Also build the Monthly Quality Report from the same rows (the latest complete
        month, or each of ``months``) and store its findings in the ``findings`` table
        (:func:`~qainsights.mart.publish_findings`). Off by default: the report reads 14
        months of rows, which costs more than the cube.
    accuracy_target : float, default 0.92
        The accuracy target of that report (as ``qainsights report --target``).

    Returns
    -------
    Published
        The database path, the months replaced and the rows of every table.

    Raises
    ------
    ValueError
        As :func:`~qainsights.mart.quality_cube`, and when the rows' sampling design
        (weighted or not) differs from the months already in the mart.
    ImportError
        For ``hyper`` without pantab.

    Examples
    --------
    >>> import tempfile, qainsights as qi
    >>> audits = qi.simulate_audits(seed=1, weeks=6, audits_per_week=300).audits
    >>> path = tempfile.mkdtemp() + "/quality.duckdb"
    >>> first = publish(audits, to=path)
    >>> again = publish(audits, to=path)  # the same months again: replaced, not added
    >>> int(read_mart(path, "cube")["n"].sum()) == len(audits)
    True

    References
    ----------
    .. [1] Kimball, R. & Ross, M. (2013). The Data Warehouse Toolkit, 3rd ed. Wiley (star
       schemas, periodic snapshots).
    .. [2] DuckDB documentation, "Transaction management":
       https://duckdb.org/docs/sql/statements/transactions
    """
    import duckdb

    target = Path(to)
    rows = audit_rows(data, table=table, mart=target, func=caller())
    columns = row_columns(rows)
    weight = weight if weight in columns else None
    strata = strata if strata in columns else None
    cubes = quality_cube(rows, weight=weight, strata=strata, months=months)
    weighted = weight is not None or strata is not None
    replaced = tuple(sorted(cubes["cube"]["month"].unique()))
    target.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(target)) as con:
        con.begin()
        _check_design(con, weighted=weighted, target=target)
        # the whole cube after the replacement, from the months kept and the new rows (a
        # connection does not read back rows it has just written in bulk)
        stored = _kept(con, replaced, fresh=_typed(cubes["cube"]))
        clusters = _kept(con, replaced, fresh=_typed(cubes["clusters"]), name="cube_cluster")
        for name, cube in CUBES.items():
            _replace_months(con, name, cubes[cube], replaced)
        tables = derived_tables(
            stored, weighted=weighted, ci=ci, weights=weight is not None, clusters=clusters
        ) | _dimensions(stored)
        tables["mart_info"] = pd.DataFrame(
            {
                "key": ["weighted", "weight", "strata", "ci"],
                "value": [str(weighted).lower(), weight or "", strata or "", repr(ci)],
            }
        )
        for name, frame in tables.items():
            frame = frame.copy()
            select = _as_dates(frame)
            con.register("_frame", frame)
            _run(con, f"CREATE OR REPLACE TABLE {name} AS {select}")
            con.unregister("_frame")
        con.commit()
    if findings:
        _publish_findings(rows, months=months, target=accuracy_target, mart=target)
    with duckdb.connect(str(target), read_only=True) as con:
        counts = {
            name: con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
            for name in [*CUBES, *tables, *REPORTED]
            if name in _table_names(con)
        }
        if parquet is not None:
            _write_parquet(con, Path(parquet), list(counts))
        if hyper is not None:
            _write_hyper(
                {name: _sorted(con, name).to_arrow_table() for name in counts}, Path(hyper)
            )
    return Published(path=target, months=replaced, tables=counts)


@public
def read_mart(path: str | os.PathLike, name: str) -> pd.DataFrame:
    """Read one table of a published mart, sorted by its keys.

    Parameters
    ----------
    path : path
        The mart's DuckDB database.
    name : str
        A table of ``docs/mart.md`` (``"cube"``, ``"rates"``, ...).

    Returns
    -------
    pandas.DataFrame
        The table; ``week`` columns as timestamps.

    Examples
    --------
    >>> import tempfile, qainsights as qi
    >>> audits = qi.simulate_audits(seed=1, weeks=4, audits_per_week=300).audits
    >>> path = publish(audits, to=tempfile.mkdtemp() + "/q.duckdb").path
    >>> read_mart(path, "rates").columns[:4].tolist()
    ['grain', 'period', 'dimension', 'segment']
    """
    import duckdb

    if not Path(path).is_file():
        raise FileNotFoundError(
            f"read_mart found no mart at {str(path)!r}. Publish one first "
            "(qainsights publish --data ... --to PATH)."
        )
    with duckdb.connect(str(path), read_only=True) as con:
        present = _table_names(con)
        if name not in present:
            raise ValueError(
                f"The 'name' parameter of read_mart must be one of "
                f"{format_values(sorted(present), limit=len(present))}. Got {name!r} instead."
            )
        return _read(con, name)


# --- helpers -----------------------------------------------------------------------------------


def _publish_findings(rows: Any, *, months, target: float, mart: Path) -> None:
    """Build the report of each month (the latest complete one by default) from the rows and
    store its findings in the mart.
    """
    from ..report import build_monthly_report
    from ..report.sources import with_periods
    from .findings import publish_findings

    rows = with_periods(rows)
    for month in months or [None]:
        publish_findings(build_monthly_report(rows, month=month, target=target), to=mart)


def _table_names(con) -> list[str]:
    return [row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]


def _check_design(con, *, weighted: bool, target: Path) -> None:
    """Raise if the mart holds months published with another sampling design."""
    func = caller()
    if "mart_info" not in _table_names(con):
        return
    stored = con.execute("SELECT value FROM mart_info WHERE key = 'weighted'").fetchall()
    if stored and stored[0][0] != str(weighted).lower():
        raise ValueError(
            f"{func}: the mart {str(target)!r} holds months published "
            f"{'with' if stored[0][0] == 'true' else 'without'} sampling weights or strata, and "
            f"these rows have {'them' if weighted else 'none'}. Publish to a new mart, or "
            "give every month the same design."
        )


def _kept(con, months: tuple[str, ...], *, fresh: pd.DataFrame, name: str = "cube") -> pd.DataFrame:
    """The stored cube ``name`` without ``months``, with ``fresh`` added, sorted by its keys."""
    parts = [fresh]
    if name in _table_names(con):
        kept = con.execute(
            f"SELECT * FROM {name} WHERE month NOT IN (SELECT UNNEST(?::VARCHAR[]))",
            [list(months)],
        ).df()
        parts.insert(0, _typed(kept))
    cube = pd.concat([part for part in parts if len(part)] or parts, ignore_index=True)
    dates = {c: pd.to_datetime(cube[c]).astype("datetime64[us]") for c in DATE_KEYS if c in cube}
    cube = cube.assign(**dates)
    return cube.sort_values(list(ORDER[name]), kind="stable", ignore_index=True)


def _replace_months(con, name: str, cube: pd.DataFrame, months: tuple[str, ...]) -> None:
    """Delete ``months`` from table ``name`` and insert ``cube`` (creating the table)."""
    frame = _typed(cube)
    select = _as_dates(frame)
    con.register("_frame", frame)
    _run(con, f"CREATE TABLE IF NOT EXISTS {name} AS {select} LIMIT 0")
    _run(con, f"DELETE FROM {name} WHERE month IN (SELECT UNNEST(?::VARCHAR[]))", [list(months)])
    _run(con, f"INSERT INTO {name} BY NAME {select}")
    con.unregister("_frame")


def _run(con, statement: str, parameters: list | None = None) -> None:
    """Run a statement to its end: DuckDB streams results, and an unread one stops the work."""
    con.execute(statement, parameters).fetchall()


def _typed(cube: pd.DataFrame) -> pd.DataFrame:
    """Keys as text (``week`` and ``day`` timestamps) and sums as floats, also for an empty
    cube.
    """
    keys = [c for c in cube.columns if c not in SUMS and c not in DATE_KEYS]
    typed = cube.astype({**dict.fromkeys(keys, STR), **dict.fromkeys(SUMS, "float64")})
    return typed.assign(**{c: pd.to_datetime(cube[c]) for c in DATE_KEYS if c in cube})


def _as_dates(frame: pd.DataFrame) -> str:
    """A SELECT of the registered ``_frame`` with its week-like columns as SQL dates.

    Weeks and periods are midnight timestamps, which BI tools read best as dates; an empty
    column of them is typed too.
    """
    dated = [c for c in frame.columns if c in DATE_COLUMNS]
    for column in dated:
        frame[column] = pd.to_datetime(frame[column])
    casts = ", ".join(f'CAST("{c}" AS DATE) AS "{c}"' for c in dated)
    return f"SELECT * REPLACE ({casts}) FROM _frame" if casts else "SELECT * FROM _frame"


def _sorted(con, name: str):
    """Table ``name`` as a relation sorted by its keys."""
    keys = [k for k in ORDER.get(name, ()) if k in con.table(name).columns]
    order = f" ORDER BY {', '.join(keys)}" if keys else ""
    return con.sql(f"SELECT * FROM {name}{order}")


def _read(con, name: str) -> pd.DataFrame:
    frame = _sorted(con, name).df()
    dates = [c for c in frame.columns if c == "week"]
    return frame.assign(**{c: pd.to_datetime(frame[c]) for c in dates})


def _dimensions(cube: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The period and site dimension tables, from the cube."""
    period = cube[["month", "week"]].drop_duplicates().sort_values(["month", "week"])
    period = period.assign(
        month_start=pd.to_datetime(period["month"] + "-01"),
        iso_year=period["week"].dt.isocalendar()["year"].astype("int64"),
        iso_week=period["week"].dt.isocalendar()["week"].astype("int64"),
    )
    site = cube[["site", "site_type"]].drop_duplicates().sort_values(["site", "site_type"])
    return {"dim_period": period.reset_index(drop=True), "dim_site": site.reset_index(drop=True)}


def _write_parquet(con, folder: Path, names: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        _sorted(con, name).to_parquet((folder / f"{name}.parquet").as_posix())


def _write_hyper(tables: dict[str, Any], path: Path) -> None:
    try:
        import pantab
    except ImportError:
        raise ImportError(
            "publish writes a Tableau Hyper extract with the pantab package, which is not "
            "installed. Install it (pip install 'qainsights[hyper]') or leave out 'hyper'."
        ) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    pantab.frames_to_hyper(tables, path)
