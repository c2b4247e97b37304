"""Calibration benchmark: false-positive rates and coverage of every p-value, q-value and interval.

Gathers the rows of ``calibration_experiments.py`` (experiments, trend tests, weighted trends),
``calibration_trends_agreement.py`` (change decomposition and explanation, ICC, the segment
scan's claims at the report's level, changepoints), ``calibration_auditors_drivers.py``
(auditor differences, rater drift, the change of error drivers' odds ratios),
``calibration_flags_agreement.py`` (error drivers' own odds ratios, moderator outlier flags,
the trend of vendor sites' gap to in-house, the intervals of Cohen's and Fleiss' kappa,
Krippendorff's alpha and Gwet's AC1, the change of root causes' shares, the raters the
calibration finding names), ``calibration_spc_report.py`` (segment scans,
over-dispersion test, rates, period comparison, the report's null months) and
``calibration_planning.py`` (the power and margin the audit planners promise), each a ``rows(quick) -> DataFrame`` with the
columns of :data:`calibration_spc_report.COLUMNS`, and prints them as one table. Each rate has
its Wilson 95 % interval; ``power`` and ``power_before`` give the power at a planted effect
now and with the method used before, so the price of honest inference is visible.

Done when every row at nominal 5 % has a false-positive rate of at most 6.5 % and every 95 %
interval covers at least 93.5 % (the ``meets`` column), or says in its note why the design
cannot; "warned" in ``meets``: the thresholds hold in the replicates where the function did
not warn that its answer is unreliable.

Run: python benchmarks/calibration.py [--quick] [--before REF] [--write-readme]

``--write-readme`` replaces the table between the calibration markers of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import importlib
import time
from pathlib import Path

import numpy as np
import pandas as pd
from calibration_auditors_drivers import rows as auditors_drivers_rows
from calibration_flags_agreement import rows as flags_agreement_rows
from calibration_planning import rows as planning_rows
from calibration_spc_report import COLUMNS
from calibration_spc_report import rows as spc_report_rows
from calibration_trends_agreement import rows as trends_agreement_rows

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
BEGIN, END = "<!-- calibration table begin -->", "<!-- calibration table end -->"
#: The done-when thresholds: false-positive rate at nominal 5 %, coverage at nominal 95 %.
MAX_FALSE_POSITIVE, MIN_COVERAGE = 0.065, 0.935


def experiment_rows(quick: bool) -> pd.DataFrame:
    """The rows of ``calibration_experiments.py``, or one row saying it is not there yet."""
    try:
        module = importlib.import_module("calibration_experiments")
    except ModuleNotFoundError:
        note = "calibration_experiments.py is not in this checkout: its rows are missing"
        return pd.DataFrame(
            [dict.fromkeys(COLUMNS, np.nan) | {"function": "(experiments)", "note": note}]
        )
    return module.rows(quick=quick)


def table(quick: bool, before: str | None) -> pd.DataFrame:
    """All rows, with ``meets`` (the done-when thresholds) and the seconds each part took."""
    parts = []
    for name, make in (
        ("experiments", lambda: experiment_rows(quick)),
        ("trends, agreement and scan claims", lambda: trends_agreement_rows(quick=quick)),
        ("auditors, rater drift and drivers' change", lambda: auditors_drivers_rows(quick=quick)),
        ("drivers, moderator flags and agreement", lambda: flags_agreement_rows(quick=quick)),
        ("spc and report", lambda: spc_report_rows(quick=quick, before=before)),
        ("audit planners", lambda: planning_rows(quick=quick)),
    ):
        start = time.perf_counter()
        part = make()
        print(f"{name}: {time.perf_counter() - start:.0f} s")
        parts.append(part)
    return assess(pd.concat(parts, ignore_index=True))


def assess(result: pd.DataFrame) -> pd.DataFrame:
    """The rows in :data:`COLUMNS` order with ``meets``: "yes" where the done-when thresholds
    hold; "warned" where they hold only in the replicates without the function's warning that
    its answer is unreliable (the design cannot reach them, and the function says so); else
    "no"."""
    result = result.reindex(columns=COLUMNS)
    fpr_ok = ~(result["false_positive_rate"] > MAX_FALSE_POSITIVE)
    cov_ok = ~(result["coverage"] < MIN_COVERAGE)
    unwarned_ok = np.where(
        result["coverage"].notna(),
        result["unwarned_rate"] >= MIN_COVERAGE,
        result["unwarned_rate"] <= MAX_FALSE_POSITIVE,
    )
    measured = result["false_positive_rate"].notna() | result["coverage"].notna()
    before_rows = result["function"].str.contains(", before", regex=False)
    verdict = np.select([fpr_ok & cov_ok, unwarned_ok], ["yes", "warned"], "no")
    result["meets"] = np.where(measured & ~before_rows, verdict, "")
    return result


def percent(value: float) -> str:
    return "" if pd.isna(value) else f"{100 * value:.1f}"


def markdown(result: pd.DataFrame) -> str:
    """The table as Markdown: rates in percent with their Wilson intervals."""
    lines = [
        "| function | world | n | false-positive % (Wilson 95 %) | coverage % (Wilson 95 %) "
        "| power % | power before % | meets | note |",
        "|---|---|---:|---|---|---:|---:|---|---|",
    ]
    for r in result.itertuples():
        fpr = (
            f"{percent(r.false_positive_rate)} ({percent(r.fpr_ci_low)}-{percent(r.fpr_ci_high)})"
            if pd.notna(r.false_positive_rate)
            else ""
        )
        cov = (
            f"{percent(r.coverage)} ({percent(r.cov_ci_low)}-{percent(r.cov_ci_high)})"
            if pd.notna(r.coverage)
            else ""
        )
        replicates = "" if pd.isna(r.replicates) else f"{int(r.replicates):,}"
        lines.append(
            f"| {r.function} | {r.world if pd.notna(r.world) else ''} | {replicates} | {fpr} "
            f"| {cov} | {percent(r.power)} | {percent(r.power_before)} | {r.meets} "
            f"| {r.note if pd.notna(r.note) else ''} |"
        )
    return "\n".join(lines)


def write_readme(text: str) -> None:
    """Replace the table between the calibration markers of benchmarks/README.md."""
    readme = README.read_text()
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"{README} has no calibration markers ({BEGIN} ... {END}).")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer replicates (a smoke run)")
    parser.add_argument("--before", help="git revision for the report's before rows")
    parser.add_argument("--write-readme", action="store_true", help="update benchmarks/README.md")
    args = parser.parse_args()
    result = table(args.quick, args.before)
    text = markdown(result)
    print(text)
    if args.write_readme:
        write_readme(text)


if __name__ == "__main__":
    main()
