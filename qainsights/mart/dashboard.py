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
        ``weighted``, ``ci``, ``z`` (the normal quantile of ``ci``), ``title`` and
        ``subtitle``.

    Examples
    --------
    >>> import qainsights as qi
    >>> from qainsights.mart import quality_cube
    >>> audits = qi.simulate_audits(seed=1, weeks=4, audits_per_week=300).audits
    >>> data = dashboard_data(quality_cube(audits)["cube"], weighted=False)
    >>> sum(data["cells"]["n"]) == len(audits)
    True

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
            f"{independence}"
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
    }


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
        clusters = _stored_clusters(source)
    else:
        rows = audit_rows(source, mart=output, func=caller())
        present = row_columns(rows)
        weight = weight if weight in present else None
        strata = strata if strata in present else None
        cubes = quality_cube(rows, weight=weight, strata=strata)
        cube, clusters = cubes["cube"], cubes["clusters"]
        weighted = weight is not None or strata is not None
    payload = dashboard_data(cube, weighted=weighted, ci=ci, title=title, clusters=clusters)
    page = _page(payload)
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def _stored_clusters(path) -> pd.DataFrame | None:
    """The mart's cluster cube, or None for a mart published before it was kept."""
    from .store import read_mart

    try:
        return read_mart(path, "cube_cluster")
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
