"""The Monthly Quality Report as data: every section's result, its findings and the actions.

:func:`build_monthly_report` computes the sections from the canonical audit table (and,
optionally, a calibration session); the report notebook only displays them, so every number
in the rendered HTML is a number of this object. The input is read by
:func:`~qainsights.report.inputs.report_input`, the sections are computed by
:mod:`qainsights.report.parts` and judged by :mod:`qainsights.report.section_findings`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from .._caller import public
from .._validation import check_option
from .consistency import consistency_notes
from .engine_input import collect_report_rows
from .findings import Finding
from .inputs import report_input
from .parts import (
    MODERATOR_MONTHS,
    NOT_RECORDED,
    PART_OF,
    PART_TITLES,
    SECTION_PARTS,
    Context,
    Omitted,
)
from .result import MonthlyReport
from .sections import check_target

__all__ = [
    "MODERATOR_MONTHS",
    "NOT_RECORDED",
    "PART_TITLES",
    "SECTIONS",
    "MonthlyReport",
    "build_monthly_report",
    "check_sections",
]

#: The report's sections, in order.
SECTIONS = (
    "headline",
    "directions",
    "control_charts",
    "change",
    "root_causes",
    "comments",
    "segments",
    "sites",
    "vendors",
    "moderators",
    "calibration",
    "capability",
    "sampling",
    "actions",
)


@public(name="build_monthly_report")  # render_report checks its sections the same way
def check_sections(sections: Sequence[str] | None) -> tuple[str, ...]:
    """Return the chosen sections in report order, refusing unknown names."""
    if sections is None:
        return SECTIONS
    chosen = [sections] if isinstance(sections, str) else list(sections)
    for name in chosen:
        check_option(name, name="sections", options=SECTIONS)
    return tuple(s for s in SECTIONS if s in chosen)


@public
def build_monthly_report(
    audits: pd.DataFrame,
    *,
    month: str | None = None,
    target: float = 0.92,
    calibration: pd.DataFrame | None = None,
    calibration_standard: pd.DataFrame | None = None,
    sections: Sequence[str] | None = None,
    pseudonym_key: str | bytes | None = None,
) -> MonthlyReport:
    """Compute every section of the Monthly Quality Report.

    Parameters
    ----------
    audits : DataFrame, or a polars, DuckDB or PySpark frame
        The canonical audit table (from :func:`qainsights.load_audits`). Another engine's
        rows give the same report: only the columns and months the sections read are
        collected (:func:`~qainsights.report.engine_input.collect_report_rows`).
    month : str, optional
        'YYYY-MM'; the latest complete month of the data when omitted.
    target : float, default 0.92
        The accuracy target.
    calibration : DataFrame, optional
        Calibration ratings in long format (``item_id``, ``rater_id``, ``label``).
    calibration_standard : DataFrame, optional
        The expert standard (``item_id``, ``label``); without it raters are compared with the
        leave-one-out consensus.
    sections : list of str, optional
        The sections to compute (see :data:`SECTIONS`); all when omitted.
    pseudonym_key : str or bytes, optional
        Secret for the moderators' pseudonyms (HMAC, stable across reports). Without it the
        flagged moderators are labelled "moderator 1", "moderator 2", ... for this report only.

    Returns
    -------
    MonthlyReport
        Warnings raised by the statistics are collected in ``notes``, not emitted.

    Examples
    --------
    >>> from qainsights.datasets import simulate_audits
    >>> audits = simulate_audits(seed=3, start="2026-07-06", weeks=13).audits
    >>> report = build_monthly_report(audits, sections=["headline", "segments", "sampling"])
    >>> report.month, report.previous
    ('2026-09', '2026-08')
    >>> list(report.tables())
    ['Headline', 'Accuracy by site', 'Accuracy by queue', 'Actions']
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = _build(audits, month, target, calibration, calibration_standard, sections,
                        pseudonym_key)  # fmt: skip
    notes = tuple(dict.fromkeys(str(w.message) for w in caught))
    return replace(report, notes=notes, consistency=consistency_notes(report))


def _build(audits, month, target, calibration, calibration_standard, sections, pseudonym_key):
    """Compute the sections; see :func:`build_monthly_report`."""
    chosen = check_sections(sections)
    check_target(target)
    audits, month = collect_report_rows(audits, month=month)  # rows of another engine
    data = report_input(audits, month=month)
    ctx = Context(
        audits=data.audits, month=data.month, before=data.previous, target=target,
        weight=data.weight, strata=data.strata, cluster=data.cluster, calibration=calibration,
        calibration_standard=calibration_standard, pseudonym_key=pseudonym_key, chosen=chosen,
    )  # fmt: skip
    parts: dict[str, object] = {}
    findings: list[Finding] = []
    omitted: dict[str, str] = {}
    for name in chosen:
        for compute in SECTION_PARTS[name]:
            try:
                computed, found = compute(ctx)
            except Omitted as reason:
                part = PART_OF.get(compute, name)
                omitted[part] = str(reason)
                continue
            parts.update(computed)
            findings += found
    return MonthlyReport(
        month=data.month, previous=data.previous, target=target,
        weighted=data.weight is not None, clustered=data.cluster is not None, findings=tuple(findings), omitted=omitted, **parts,
    )  # fmt: skip
