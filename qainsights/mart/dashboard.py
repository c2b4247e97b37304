"""The interactive quality dashboard: one self-contained HTML file over the quality cube.

The page carries the cube's sums (not rows, not precomputed figures) as JSON, and a small
hand-written script recomputes every figure for the chosen filters with the formulas of
:func:`qainsights.error_rate` and :func:`qainsights.spc.p_chart`, drawing SVG. When the rows
name their moderators the page also carries each moderator's sums per stratum and month cell
(under codes, not the moderators' IDs), so its intervals take a moderator's audits as one
sampling cluster, as ``error_rate(..., cluster="moderator_id")`` and the Monthly Quality
Report do. Nothing is
fetched: the script, the styles and the data are inlined, and the page's content security
policy forbids any request.
"""

from __future__ import annotations

import html
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._caller import caller, public
from .._validation import check_confidence
from .cube import CLUSTER_KEYS, SUMS, quality_cube

__all__ = ["dashboard_data", "write_dashboard"]

#: The dimensions the dashboard filters on, in the order of its controls.
FILTERS = ("site_type", "site", "queue", "policy", "market")
#: Months of the default period range, ending with the latest complete month: those of the
#: Monthly Quality Report's monthly control chart.
REPORT_MONTHS = 13
#: Student t quantiles are embedded up to at least this many degrees of freedom; beyond, the
#: page uses the expansion of Abramowitz & Stegun 26.7.5 (within 3e-14 of scipy's there).
T_TABLE = 1000


@public
def dashboard_data(
    cube: pd.DataFrame,
    *,
    weighted: bool,
    ci: float = 0.95,
    title: str = "Quality dashboard",
    clusters: pd.DataFrame | None = None,
    days: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The dashboard's payload: dictionaries of labels and the cube's cells as code columns.

    Parameters
    ----------
    cube : pandas.DataFrame
        The segment cube (:func:`~qainsights.mart.quality_cube`, or the mart's ``cube``
        table).
    weighted : bool
        Whether the page shows design-based rates (see :func:`~qainsights.mart.cube_rates`).
    ci : float, default 0.95
        Confidence level of the intervals.
    title : str, default "Quality dashboard"
        The page's heading.
    clusters : pandas.DataFrame, optional
        The cluster cube (the ``"clusters"`` cube of :func:`~qainsights.mart.quality_cube`,
        or the mart's ``cube_cluster`` table) of the same rows: the page's intervals then take
        each moderator's audits as one cluster. Without it (or empty) they take the audits as
        independent, and the subtitle says so.
    days : pandas.DataFrame, optional
        The day cube (``"days"`` of :func:`~qainsights.mart.quality_cube`, the mart's
        ``cube_day``) of the same rows: the months after the latest complete one (the data
        do not reach their last day, as :func:`~qainsights.report.latest_complete_month`
        reads them) are then left out of the default period range, marked ``(partial)`` and
        named in the subtitle. Without it every month counts as complete.

    Returns
    -------
    dict
        ``dims`` (labels of every dimension; codes index them), ``site_type_of_site``,
        ``cells`` (month, week, site, queue, policy, market and stratum codes with the sums,
        one entry per cell of the cube summed over error type, severity and root cause),
        ``causes`` (errors per root cause and cell), ``clusters`` (None, or ``cells``: the
        month x site x queue x policy x market x stratum codes, and per moderator and such
        cell its ``cell``, ``unit`` (the moderator's code), ``sum_w`` and ``sum_wy``),
        ``t`` (the Student t quantiles of ``ci`` for 1, 2, ... degrees of freedom),
        ``weighted``, ``ci``, ``z`` (the normal quantile of ``ci``), ``partial`` (the codes of
        the months after the latest complete one), ``range`` (the month codes of the default
        period range: the :data:`REPORT_MONTHS` months up to the latest complete one, those
        of the report's monthly chart), ``title`` and ``subtitle``.

    Examples
    --------
    >>> import qainsights as qi
    >>> from qainsights.mart import quality_cube
    >>> audits = qi.simulate_audits(seed=1, weeks=5, audits_per_week=300).audits
    >>> cubes = quality_cube(audits)
    >>> data = dashboard_data(cubes["cube"], weighted=False, days=cubes["days"])
    >>> sum(data["cells"]["n"]) == len(audits)
    True
    >>> [data["dims"]["month"][k] for k in data["partial"]]  # 3 Nov to 7 Dec 2025
    ['2025-12']
    >>> data["range"]  # the default period range: the months up to November
    [0, 0]

    References
    ----------
    .. [1] Few, S. (2006). Information Dashboard Design. O'Reilly (one screen, KPI tiles
       with context, sparing decoration).
    """
    level = check_confidence(ci)
    cube = cube.assign(week=pd.to_datetime(cube["week"]).dt.strftime("%Y-%m-%d"))
    dims = {
        name: sorted(cube[name].astype(str).unique())
        for name in ("month", "week", *FILTERS, "stratum", "root_cause")
    }
    codes = {name: {value: k for k, value in enumerate(values)} for name, values in dims.items()}
    sites = cube[["site", "site_type"]].drop_duplicates("site").set_index("site")["site_type"]
    keys = ["month", "week", "site", "queue", "policy", "market", "stratum"]
    cells = cube.groupby(keys, sort=True, observed=True)[list(SUMS)].sum().reset_index()
    errors = cube[cube["errors"] > 0]
    causes = errors.groupby([*keys[:-1], "root_cause"], sort=True, observed=True)["errors"].sum()
    causes = causes.reset_index()
    months = dims["month"]
    partial, cover = _partial_months(days, months)
    complete = [k for k in range(len(months)) if k not in partial]
    latest = complete[-1] if complete else len(months) - 1
    units = _cluster_payload(clusters, codes)
    tail = (1 - level) / 2
    if units is None:
        design = "design-based (sampling weights and strata), " if weighted else ""
        independence = " The intervals treat audits as independent (no moderator IDs)."
        pairs = 0
    else:
        sampling = "sampling weights and strata, " if weighted else ""
        design = f"design-based ({sampling}each moderator's audits one cluster), "
        independence = ""
        pairs = len(clusters[["stratum", "moderator_id"]].drop_duplicates())
    return {
        "title": title,
        "subtitle": (
            f"{len(months)} months, {months[0]} to {months[-1]}: {int(cells['n'].sum()):,} "
            f"audits. Rates are {design}with {round(100 * level)}% modified Wilson intervals."
            f"{independence}{cover}"
        ),
        "weighted": bool(weighted),
        "ci": level,
        "z": float(stats.norm.isf(tail)),
        "t": stats.t.isf(tail, np.arange(1, max(T_TABLE, pairs) + 1)).tolist(),
        "dims": dims,
        "site_type_of_site": [codes["site_type"][sites[s]] for s in dims["site"]],
        "cells": _columns(cells, codes, [*keys, *SUMS]),
        "causes": _columns(causes, codes, [*keys[:-1], "root_cause", "errors"]),
        "clusters": units,
        "partial": partial,
        "range": [max(latest - REPORT_MONTHS + 1, 0), latest],
    }


def _partial_months(days: pd.DataFrame | None, months: list[str]) -> tuple[list[int], str]:
    """The codes of the months after the latest complete one (the data do not reach their
    last day), and a sentence naming them.
    """
    if days is None or days.empty:
        return [], ""
    last = pd.to_datetime(days["day"]).max().normalize()
    ends = pd.PeriodIndex(months, freq="M").end_time.normalize()
    partial = [k for k in range(len(months)) if ends[k] > last]
    if not partial:
        return [], ""
    named = " and ".join(months[k] for k in partial)
    verb = "is a partial month" if len(partial) == 1 else "are partial months"
    return partial, (
        f" {named} {verb} (decisions through {last:%d %b %Y}), left out of the default period "
        f"range: up to {REPORT_MONTHS} months, ending with the latest complete one, as the "
        "Monthly Quality Report charts them."
    )


def _cluster_payload(clusters: pd.DataFrame | None, codes: dict) -> dict[str, Any] | None:
    """Each moderator's Σw and Σw·y per month cell and stratum, the moderators as codes."""
    if clusters is None or clusters.empty:
        return None
    cell_keys = list(CLUSTER_KEYS[:-1])
    table = clusters.assign(**{k: clusters[k].astype(str) for k in cell_keys})
    table = table.groupby([*CLUSTER_KEYS], sort=True, observed=True)[["sum_w", "sum_wy"]].sum()
    table = table.reset_index()
    moderators = table["moderator_id"].astype(str)
    cell = table.groupby(cell_keys, sort=True, observed=True).ngroup()
    cells = table[cell_keys].drop_duplicates().reset_index(drop=True)
    unit = pd.Categorical(moderators, categories=sorted(moderators.unique())).codes
    return {
        "cells": _columns(cells, codes, cell_keys),
        "cell": cell.to_numpy(np.int64).tolist(),
        "unit": unit.astype(np.int64).tolist(),
        # whole sums (no error: Σw·y = 0) are written without a decimal point
        "sum_w": _compact(table["sum_w"]),
        "sum_wy": _compact(table["sum_wy"]),
    }


def _compact(values: pd.Series) -> list:
    """Floats as JSON numbers, whole ones as integers (the same number, fewer characters)."""
    x = values.to_numpy(float)
    return [int(v) if v.is_integer() and abs(v) < 2**53 else v for v in x.tolist()]


@public
def write_dashboard(
    source: Any,
    *,
    output: str | os.PathLike = "dashboard.html",
    title: str = "Quality dashboard",
    weight: str | None = "weight",
    strata: str | None = "stratum",
    ci: float = 0.95,
) -> Path:
    """Write the interactive dashboard, from a published mart or from audit rows.

    Parameters
    ----------
    source : path or frame
        A mart's DuckDB database (``.duckdb``, see :func:`~qainsights.mart.publish`), or
        audit rows as :func:`~qainsights.mart.publish` takes them (a frame, a Parquet or CSV
        file or folder), reduced to the cube first.
    output : path, default "dashboard.html"
        The HTML file to write.
    title : str, default "Quality dashboard"
        The page's heading.
    weight, strata : str or None
        For audit rows, as in :func:`~qainsights.mart.publish`; a mart keeps its own design.
    ci : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, qainsights as qi
    >>> audits = qi.simulate_audits(seed=1, weeks=4, audits_per_week=300).audits
    >>> path = write_dashboard(audits, output=tempfile.mkdtemp() + "/dashboard.html")
    >>> "<script src" in path.read_text()  # everything is inlined
    False

    References
    ----------
    .. [1] W3C, Content Security Policy Level 3: ``default-src 'none'`` forbids every fetch.
    """
    from .source import audit_rows, row_columns
    from .store import read_mart

    if isinstance(source, (str, os.PathLike)) and Path(source).suffix in (".duckdb", ".db"):
        cube = read_mart(source, "cube")
        info = read_mart(source, "mart_info").set_index("key")["value"]
        weighted = info["weighted"] == "true"
        clusters, days = _stored(source, "cube_cluster"), _stored(source, "cube_day")
    else:
        rows = audit_rows(source, mart=output, func=caller())
        present = row_columns(rows)
        weight = weight if weight in present else None
        strata = strata if strata in present else None
        cubes = quality_cube(rows, weight=weight, strata=strata)
        cube, clusters, days = cubes["cube"], cubes["clusters"], cubes["days"]
        weighted = weight is not None or strata is not None
    payload = dashboard_data(
        cube, weighted=weighted, ci=ci, title=title, clusters=clusters, days=days
    )
    page = _page(payload)
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def _stored(path, name: str) -> pd.DataFrame | None:
    """The mart's table ``name``, or None for a mart published before it was kept."""
    from .store import read_mart

    try:
        return read_mart(path, name)
    except ValueError:  # not among the mart's tables
        return None


def _columns(table: pd.DataFrame, codes: dict, names: list[str]) -> dict[str, list]:
    """Columns as lists: dimensions as integer codes, sums as floats (exact in JSON)."""
    out = {}
    for name in names:
        if name in codes:
            values = table[name].astype(str).map(codes[name])
            out[name] = values.to_numpy(np.int64).tolist()
        else:
            out[name] = table[name].to_numpy(float).tolist()
    return out


def _page(payload: dict[str, Any]) -> str:
    """The HTML page with the styles, the script and the payload inlined."""
    folder = resources.files("qainsights.mart")
    template = (folder / "dashboard.html").read_text(encoding="utf-8")
    data = json.dumps(payload, separators=(",", ":"), allow_nan=False)
    # the payload sits in a <script> element: no "<" (only ever inside strings) may close it
    data = data.replace("<", "\\u003c")
    return (
        template.replace("QI_TITLE", html.escape(payload["title"]))
        .replace("/*QI_CSS*/", (folder / "dashboard.css").read_text(encoding="utf-8"))
        .replace("/*QI_SCRIPT*/", (folder / "dashboard.js").read_text(encoding="utf-8"))
        .replace("QI_DATA", data)
    )
