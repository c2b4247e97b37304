"""The Monthly Quality Report's findings and actions in the mart, for BI tools to show.

The ``findings`` table holds one row per finding of each published report month, so a
Tableau or Power BI page beside the mart's rates tells the same story as the HTML report.
Publishing a month's findings again replaces that month's rows.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .._caller import public

__all__ = ["FINDINGS_COLUMNS", "findings_frame", "publish_findings"]

#: The columns of the mart's ``findings`` table, in order.
FINDINGS_COLUMNS = (
    "month",
    "rank",
    "priority",
    "section",
    "finding",
    "action",
    "owner",
    "evidence",
)


@public
def findings_frame(report) -> pd.DataFrame:
    """The report's findings as the rows of the mart's ``findings`` table.

    Parameters
    ----------
    report : MonthlyReport
        From :func:`qainsights.report.build_monthly_report`.

    Returns
    -------
    pandas.DataFrame
        :data:`FINDINGS_COLUMNS`: the report ``month``, ``rank`` (1 = most urgent, the
        order of the report's actions table), ``priority``, ``section``, ``finding``,
        ``action``, ``owner`` and ``evidence`` (the report section whose tables hold the
        numbers behind the finding).

    Examples
    --------
    >>> from qainsights.datasets import simulate_audits
    >>> from qainsights.report import build_monthly_report
    >>> audits = simulate_audits(seed=3, start="2026-07-06", weeks=13).audits
    >>> report = build_monthly_report(audits, sections=["headline", "segments"])
    >>> findings_frame(report).columns.tolist()[:4]
    ['month', 'rank', 'priority', 'section']

    References
    ----------
    .. [1] Kimball, R. & Ross, M. (2013). The Data Warehouse Toolkit, 3rd ed. Wiley
       (a fact table at the grain of one finding per month).
    """
    from ..report.parts import PART_TITLES

    table = report.to_frame()
    evidence = table["section"].map(lambda s: f"{PART_TITLES.get(s, s)}, report of {report.month}")
    table = table.assign(month=report.month, rank=range(1, len(table) + 1), evidence=evidence)
    return table[list(FINDINGS_COLUMNS)]


@public
def publish_findings(report, *, to: str | os.PathLike = "quality.duckdb") -> int:
    """Store the report's findings in the mart's ``findings`` table, replacing its month.

    Parameters
    ----------
    report : MonthlyReport
        From :func:`qainsights.report.build_monthly_report`.
    to : path, default "quality.duckdb"
        The mart (a DuckDB database, created if absent).

    Returns
    -------
    int
        Rows of the ``findings`` table after the call (every month published).

    Examples
    --------
    >>> import tempfile
    >>> from qainsights.datasets import simulate_audits
    >>> from qainsights.report import build_monthly_report
    >>> audits = simulate_audits(seed=3, start="2026-07-06", weeks=13).audits
    >>> report = build_monthly_report(audits, sections=["headline", "segments"])
    >>> path = tempfile.mkdtemp() + "/quality.duckdb"
    >>> publish_findings(report, to=path) == publish_findings(report, to=path)  # replaced
    True

    References
    ----------
    .. [1] DuckDB documentation, "Transaction management":
       https://duckdb.org/docs/sql/statements/transactions
    """
    import duckdb

    frame = findings_frame(report)
    Path(to).parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(to)) as con:
        con.begin()
        con.register("_findings", frame)
        con.execute("CREATE TABLE IF NOT EXISTS findings AS SELECT * FROM _findings LIMIT 0")
        con.execute("DELETE FROM findings WHERE month = ?", [report.month])
        con.execute("INSERT INTO findings BY NAME SELECT * FROM _findings")
        con.unregister("_findings")
        con.commit()
        return con.execute("SELECT count(*) FROM findings").fetchall()[0][0]
