"""The quality cube: audit rows reduced once, on their engine, to the sums every output reads.

One pass over the rows through :mod:`qainsights.aggregate` (one ``GROUPING SETS`` query on
DuckDB, one group-by per cube on pandas, polars or Spark) gives the three cubes: the
segment cube (month x week x site x site type x queue x policy x market x error type x
severity x root cause x sampling stratum), the moderator cube, the auditor cube and the day
cube (the calendar days the data cover, so that a month cut short is known). Each cell
holds ``n`` (audits), ``errors`` and the design sums Σw, Σw², Σw·y and Σw²·y from which
:func:`qainsights.error_rate`'s design-based rate and Taylor variance follow for any union of
cells (the outcome is 0/1, so Σw²·y² = Σw²·y).
"""

from __future__ import annotations

import re
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from .._caller import caller, public
from .._validation import check_columns, format_values
from ..aggregate import engine_frame, error_sum_sets

__all__ = ["CLUSTER_KEYS", "CUBE_KEYS", "DAY_KEYS", "SUMS", "quality_cube"]

#: The dimensions of the segment cube, in the order its rows are sorted.
CUBE_KEYS = (
    "month",
    "week",
    "site",
    "site_type",
    "queue",
    "policy",
    "market",
    "error_type",
    "severity",
    "root_cause",
    "stratum",
)
#: The dimensions of the cluster cube: the segment cube's filters, the stratum and the
#: moderator, so that a moderator's audits in any filtered slice are one sampling cluster.
CLUSTER_KEYS = ("month", "site", "queue", "policy", "market", "stratum", "moderator_id")
#: The dimensions of the day cube: the calendar day of the decision, within its month.
DAY_KEYS = ("month", "day")
#: The dimensions of the moderator and auditor cubes (after ``month`` and ``week``).
PEOPLE_KEYS = {"moderators": ("site", "queue", "moderator_id"), "auditors": ("site", "auditor_id")}
#: The sums in every cell.
SUMS = ("n", "errors", "sum_w", "sum_w2", "sum_wy", "sum_w2y")
#: Columns a cube needs in the audit rows.
REQUIRED = ("decision_time", "week", "site", "queue", "policy", "market", "is_error")
#: Columns that must be complete although no cube groups by them (counted in the same pass).
IDENTIFIERS = ("audit_id",)
#: Optional dimensions and the value they take where missing (or absent from the rows).
FILLED = {"site_type": "unknown", "error_type": None, "severity": "none", "root_cause": "none"}


@public
def quality_cube(
    data: Any,
    *,
    weight: str | None = None,
    strata: str | None = None,
    months: list[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Reduce audit rows to the segment, moderator and auditor cubes on the data's engine.

    Parameters
    ----------
    data : pandas, polars (eager or lazy), DuckDB or PySpark frame
        Canonical audit rows (:func:`qainsights.load_audits`, or
        :func:`qainsights.aggregate.scan_audits` for files): at least ``decision_time``,
        ``week``, ``site``, ``queue``, ``policy``, ``market`` and ``is_error``. Missing
        optional columns become one value: ``site_type`` "unknown", ``severity`` and
        ``root_cause`` "none" (also where a row has none, as correct decisions do), and
        ``error_type`` "error" or "none" from ``is_error``. Without ``moderator_id`` or
        ``auditor_id`` that cube is empty.
    weight : str, optional
        Sampling weight column (finite, > 0); every weight is 1 without it.
    strata : str, optional
        Sampling stratum column; one stratum ("all") without it.
    months : list of str, optional
        Only these months ("YYYY-MM", of ``decision_time``); the filter runs on the engine.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"cube"``: the :data:`CUBE_KEYS` columns, then :data:`SUMS`; ``"moderators"``:
        month, week, site, queue, moderator_id and the sums; ``"auditors"``: month, week,
        site, auditor_id and the sums; ``"clusters"``: the :data:`CLUSTER_KEYS` columns and
        the sums (the moderators' sums per stratum behind
        ``error_rate(..., cluster="moderator_id")``); ``"days"``: month, day (midnight of the
        decision's calendar day) and the sums. ``month`` is text "YYYY-MM", ``week`` the
        Monday of the decision's week; rows sorted by the keys.

    Raises
    ------
    ValueError
        As :func:`qainsights.aggregate.error_counts`: missing columns or values (no row is
        dropped; ``audit_id``, where present, is checked too), outcomes other than
        True/False, bad weights, no audits (also when ``months`` matches none).

    Examples
    --------
    >>> import qainsights as qi
    >>> audits = qi.simulate_audits(seed=1, weeks=4, audits_per_week=300).audits
    >>> cubes = quality_cube(audits, weight="weight", strata="stratum")
    >>> int(cubes["cube"]["n"].sum()) == len(audits), int(cubes["cube"]["errors"].sum()) == int(audits["is_error"].sum())
    (True, True)

    References
    ----------
    .. [1] Gray, J. et al. (1997). Data cube: a relational aggregation operator generalizing
       group-by, cross-tab, and sub-totals. Data Mining and Knowledge Discovery 1, 29-53.
    .. [2] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley, chapter 5: the stratum
       sums behind the variance of a stratified ratio estimate.
    """
    frame = engine_frame(data)
    if isinstance(data, pd.DataFrame) and "week" not in data.columns and "decision_time" in data:
        frame = engine_frame(data.assign(week=_monday(data["decision_time"])))
    check_columns(frame, list(REQUIRED))
    schema = frame.collect_schema()
    rows = frame.with_columns(
        month=nw.col("decision_time").dt.truncate("1mo"),
        day=nw.col("decision_time").dt.truncate("1d"),
        stratum=nw.lit("all") if strata is None else nw.col(strata).cast(nw.String),
        **_filled(schema),
    )
    if months is not None:
        rows = rows.filter(nw.col("month").is_in(_month_starts(months)))
    keys = {"cube": list(CUBE_KEYS), "days": list(DAY_KEYS)} | {
        name: ["month", "week", *people]
        for name, people in PEOPLE_KEYS.items()
        if people[-1] in schema
    }
    if "moderator_id" in schema:
        keys["clusters"] = list(CLUSTER_KEYS)
    # one pass over the rows: on DuckDB the three cubes are one GROUPING SETS query
    sums = error_sum_sets(
        rows,
        key_sets=keys,
        outcome="is_error",
        weight=weight,
        complete=[c for c in IDENTIFIERS if c in schema],
    )
    cubes = {name: _month_text(table) for name, table in sums.items()}
    for name, people in PEOPLE_KEYS.items():
        cubes.setdefault(name, pd.DataFrame(columns=["month", "week", *people, *SUMS]))
    cubes.setdefault("clusters", pd.DataFrame(columns=[*CLUSTER_KEYS, *SUMS]))
    return cubes


def _filled(schema) -> dict[str, nw.Expr]:
    """The optional dimensions as text, with their fill value where missing or absent."""
    exprs = {}
    for name, fill in FILLED.items():
        if name not in schema:
            exprs[name] = (
                nw.lit(fill)
                if fill is not None
                else nw.when(nw.col("is_error")).then(nw.lit("error")).otherwise(nw.lit("none"))
            )
        else:
            # Missing values are tested before the cast: pandas 2.2 casts a missing category to "nan".
            text = nw.col(name).cast(nw.String)
            exprs[name] = (
                text
                if fill is None
                else nw.when(nw.col(name).is_null()).then(nw.lit(fill)).otherwise(text)
            )
    return exprs


def _monday(times: pd.Series) -> pd.Series:
    """Monday 00:00 of each timestamp's week (as :func:`qainsights.load_audits` derives it)."""
    return times.dt.to_period("W-SUN").dt.start_time


def _month_starts(months: list[str]) -> list[pd.Timestamp]:
    """The first instants of ``months`` ("YYYY-MM"), after checking their format."""
    func = caller()
    text = [str(month) for month in months]
    bad = [month for month in text if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month)]
    if bad or not text:
        raise ValueError(
            f"The 'months' parameter of {func} must list months as 'YYYY-MM'. Got "
            f"{format_values(bad or text)} instead."
        )
    return [pd.Timestamp(f"{month}-01") for month in text]


def _month_text(table: pd.DataFrame) -> pd.DataFrame:
    """``month`` as "YYYY-MM" text and ``week`` and ``day`` (where the cube has them) as
    timestamps without time zone.
    """
    month = pd.to_datetime(table["month"]).dt.strftime("%Y-%m")
    dates = {c: pd.to_datetime(table[c]) for c in ("week", "day") if c in table}
    return table.assign(month=month, **dates)
