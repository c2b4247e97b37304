"""The report's audits from another engine: only the columns and months the sections read.

:func:`build_monthly_report` computes its sections from audit rows in pandas. Rows held by
polars, DuckDB or Spark are not read whole: :func:`collect_report_rows` chooses the report
month on the engine (from the latest decision time), then collects through Arrow only the
columns the sections read (:data:`REPORT_COLUMNS`), only for the 13 months the longest section
looks back over (:data:`LOOKBACK_MONTHS`) and the month after (whose first days belong to the
report month's last week), and the comment text only on the errors of the
report month and the month before (the comments section reads no other). The sections then
give the numbers they give on the same rows in pandas.

This is the rows the report needs, not the quality cube: the sections that rest on sums
(rates, charts, the change explanation) could read the cube instead, but the moderator
distribution, the root-cause comparison and the comments need the rows' values.
"""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from .._caller import public
from ..aggregate import collect, engine_frame, is_engine_frame
from ..text.redact import IDENTIFIER_COLUMNS
from .sections import latest_complete_month, previous_month

__all__ = ["LOOKBACK_MONTHS", "REPORT_COLUMNS", "TEXT_COLUMNS", "collect_report_rows"]

#: The columns the report's sections read, where the rows have them.
REPORT_COLUMNS = (
    "decision_time",
    "week",
    "month",
    "is_error",
    "site",
    "site_type",
    "queue",
    "policy",
    "market",
    "moderator_id",
    "error_type",
    "severity",
    "root_cause",
    "weight",
    "stratum",
)
#: Free text read only on the errors of the report month and the month before.
TEXT_COLUMNS = ("qa_comment",)
#: Months up to and including the report month that any section reads (the 13-month chart
#: and direction; the weekly charts' 26 weeks, the vendors' six months and the moderators'
#: three months fall inside them).
LOOKBACK_MONTHS = 13


@public(name="build_monthly_report")  # its messages speak for the report, as they did
def collect_report_rows(data: Any, *, month: str | None = None) -> tuple[pd.DataFrame, str | None]:
    """The audit rows the report reads, collected from their engine, and the report month.

    Parameters
    ----------
    data : pandas, polars (eager or lazy), DuckDB or PySpark frame
        Canonical audit rows (as :func:`qainsights.load_audits` gives them, with ``month``
        "YYYY-MM" text and ``week``). A pandas DataFrame is returned as it is.
    month : str, optional
        'YYYY-MM'; when omitted, the latest complete month of ``decision_time`` (found on
        the engine), as :func:`~qainsights.report.latest_complete_month` chooses it.

    Returns
    -------
    rows : pandas.DataFrame
        The :data:`REPORT_COLUMNS` present, rows of the :data:`LOOKBACK_MONTHS` months to the
        report month and of the month after, and the :data:`TEXT_COLUMNS` present, blank except on the errors of
        the report month and the month before.
    month : str or None
        The report month to pass on (None when the data hold no audits of it: the report's
        own checks then say so).

    Examples
    --------
    >>> import polars as pl
    >>> from qainsights.datasets import simulate_audits
    >>> audits = simulate_audits(seed=3, start="2026-07-06", weeks=13).audits
    >>> rows, month = collect_report_rows(pl.from_pandas(audits))
    >>> month, len(rows) == len(audits), "audit_time" in rows
    ('2026-09', True, False)

    References
    ----------
    .. [1] narwhals documentation, "Lazy-only and eager-only support":
       https://narwhals-dev.github.io/narwhals/
    """
    if not is_engine_frame(data):
        return data, month
    frame = engine_frame(data, name="audits")
    present = frame.collect_schema().names()
    if month is None and "decision_time" in present:
        last = _naive(collect(frame.select(nw.col("decision_time").max())))
        month = latest_complete_month(last)
    schema = frame.collect_schema()
    # a numeric weight of another type (DuckDB's DECIMAL) comes to pandas as float
    columns = [
        nw.col(c).cast(nw.Float64) if c == "weight" and schema[c].is_numeric() else nw.col(c)
        for c in dict.fromkeys([*REPORT_COLUMNS, *IDENTIFIER_COLUMNS])  # IDs masked in comments
        if c in present
    ]
    if month is not None and "month" in present:
        # and the month after: the week that straddles the report month's end is charted whole
        window = _months_to(str(pd.Period(month, freq="M") + 1), LOOKBACK_MONTHS + 1)
        if not collect(frame.filter(nw.col("month") == month).select(nw.len()))["len"].iloc[0]:
            month = None  # the report's own checks name the months present
        else:
            frame = frame.filter(nw.col("month").is_in(window))
    texts = {c: nw.col(c) for c in TEXT_COLUMNS if c in present}
    if month is not None and {"is_error", "month"} <= set(present):
        recent = nw.col("is_error") & nw.col("month").is_in([previous_month(month), month])
        texts = {
            c: nw.when(recent).then(nw.col(c)).otherwise(nw.lit(None, dtype=nw.String))
            for c in TEXT_COLUMNS
            if c in present
        }
    return _naive(collect(frame.select(*columns, **texts))), month


def _naive(rows: pd.DataFrame) -> pd.DataFrame:
    """Timestamps in UTC without a time zone, as the canonical table holds them (Spark hands
    them back in its session's time zone).
    """
    zoned = [c for c in rows.columns if isinstance(rows[c].dtype, pd.DatetimeTZDtype)]
    return rows.assign(**{c: rows[c].dt.tz_convert("UTC").dt.tz_localize(None) for c in zoned})


def _months_to(month: str, count: int) -> list[str]:
    """``count`` months ('YYYY-MM') ending with ``month``."""
    end = pd.Period(month, freq="M")
    return [str(end - k) for k in range(count - 1, -1, -1)]
