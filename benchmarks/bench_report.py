"""The Monthly Quality Report end to end on a million audits: build, then `qainsights report`.

Simulates a year of audits (seeded), writes them as Parquet, then times

1. ``build_monthly_report`` in this process (every section, calibration included), best of 3;
2. ``qainsights report`` as a user runs it: load and validate the file, build the report, draw
   its charts and write the self-contained HTML page (the template runs in the command's own
   process), one run: it is the wall-clock time a user waits; its CPU time beside it, since
   wall-clock time on a shared machine depends on the other jobs (the load average is printed);
3. the same with ``--notebook`` (the executed notebook kept, so the template runs in a kernel).

Usage: ``python benchmarks/bench_report.py [--rows 1000000] [--folder DIR]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qainsights.datasets import simulate_audits, simulate_calibration
from qainsights.report import build_monthly_report


def _best_of(runs: int, call) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--folder", default=None, help="where to keep the data and the page")
    args = parser.parse_args(argv)
    folder = Path(args.folder or tempfile.mkdtemp(prefix="bench_report_"))
    folder.mkdir(parents=True, exist_ok=True)
    audits = simulate_audits(seed=5, weeks=52, audits_per_week=args.rows // 52).audits
    calibration = simulate_calibration(seed=5, n_items=200)
    data = folder / "audits.parquet"
    audits.to_parquet(data)
    calibration.ratings.to_csv(folder / "calibration.csv", index=False)
    calibration.standard.to_csv(folder / "standard.csv", index=False)
    build = _best_of(
        3,
        lambda: build_monthly_report(
            audits, calibration=calibration.ratings, calibration_standard=calibration.standard
        ),
    )
    command = [
        sys.executable, "-m", "qainsights.cli", "report", "--data", str(data),
        "--calibration", str(folder / "calibration.csv"),
        "--calibration-standard", str(folder / "standard.csv"),
        "--output", str(folder / "report.html"),
    ]  # fmt: skip
    in_process = _timed(command)
    kernel = _timed([*command, "--notebook", str(folder / "report.ipynb")])
    print(f"{len(audits):,} audit rows, {audits['month'].nunique()} months, every section")
    print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}, {os.cpu_count()} CPUs")
    print(f"{'step':<56}{'wall s':>8}{'CPU s':>8}")
    print(f"{'build_monthly_report in process (best of 3)':<56}{build:>8.2f}")
    print(
        f"{'qainsights report: load, build, draw, write HTML':<56}{in_process[0]:>8.2f}"
        f"{in_process[1]:>8.2f}"
    )
    print(
        f"{'qainsights report --notebook (template in a kernel)':<56}{kernel[0]:>8.2f}"
        f"{kernel[1]:>8.2f}"
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, kernel processes included) of a command."""
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start, _children_cpu() - cpu


if __name__ == "__main__":
    main()
