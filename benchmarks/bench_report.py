"""The Monthly Quality Report end to end on a million audits: build, then `qainsights report`.

Simulates a year of audits (seeded), writes them as Parquet, then times

1. ``validate_audits`` (read and check the file) and ``build_monthly_report`` (every section,
   calibration included) in this process, best of 3 each;
2. ``qainsights report`` as a user runs it: load and validate the file, build the report, draw
   its charts and write the self-contained HTML page (the template runs in the command's own
   process): one warm-up run, then ``--runs`` runs, median wall-clock and CPU seconds (user +
   system, of the whole process). Wall-clock time on a shared machine depends on the other jobs
   (the load average is printed at the start and the end), so CPU time is printed beside it;
3. with ``--before REF``, the same command on the library as it was at git revision REF,
   run in turn with it (A B A B ...): the ratio of each pair is the figure that survives a
   noisy machine;
4. the command with ``--notebook`` (the executed notebook kept, so the template runs in a
   kernel), one run.

The commands run with Python's bytecode cache on (in a folder of the benchmark), as an installed
package has it: where the environment forbids writing bytecode (``PYTHONDONTWRITEBYTECODE``),
every run would otherwise compile pandas, scipy and matplotlib from source again, several
CPU-seconds that no user pays.

Usage: ``python benchmarks/bench_report.py [--rows 1000000] [--runs 3] [--before REF]
[--folder DIR]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qainsights import validate_audits
from qainsights.datasets import simulate_audits, simulate_calibration
from qainsights.report import build_monthly_report

ROOT = Path(__file__).resolve().parent.parent


def _best_of(runs: int, call) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def _library_at(ref: str, folder: Path) -> Path:
    """The package as it was at git revision ``ref``, unpacked into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "qainsights"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def _environment(folder: Path, library: Path) -> dict[str, str]:
    """The command's environment: ``library`` first on the path, bytecode cached in ``folder``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    (folder / "pycache").mkdir(exist_ok=True)
    env["PYTHONPATH"] = os.pathsep.join([str(library), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    env.setdefault("MPLBACKEND", "Agg")
    return env


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of the command")
    parser.add_argument("--before", default=None, help="git revision to compare with, in turn")
    parser.add_argument("--folder", default=None, help="where to keep the data and the page")
    args = parser.parse_args(argv)
    folder = Path(args.folder or tempfile.mkdtemp(prefix="bench_report_"))
    folder.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()
    audits = simulate_audits(seed=5, weeks=52, audits_per_week=args.rows // 52).audits
    calibration = simulate_calibration(seed=5, n_items=200)
    data = folder / "audits.parquet"
    audits.to_parquet(data)
    calibration.ratings.to_csv(folder / "calibration.csv", index=False)
    calibration.standard.to_csv(folder / "standard.csv", index=False)
    validate = _best_of(3, lambda: validate_audits(data))
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
    now = _environment(folder, ROOT)
    envs = {"now": now}
    if args.before:
        envs["before"] = _environment(folder, _library_at(args.before, folder / "before"))
    for env in envs.values():  # warm-up: the bytecode cache, the fonts, the file
        _timed(command, env, folder)
    runs = {name: [] for name in envs}
    for _ in range(args.runs):
        for name, env in envs.items():
            runs[name].append(_timed(command, env, folder))
    kernel = _timed([*command, "--notebook", str(folder / "report.ipynb")], now, folder)
    print(f"{len(audits):,} audit rows, {audits['month'].nunique()} months, every section")
    print(f"load average (1, 5, 15 min): start {load_start}, end {os.getloadavg()}, "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    print(f"{'step':<60}{'wall s':>8}{'CPU s':>8}")
    print(f"{'validate_audits in process (best of 3)':<60}{validate:>8.2f}")
    print(f"{'build_monthly_report in process (best of 3)':<60}{build:>8.2f}")
    for name, timed in runs.items():
        label = "qainsights report" + (f" at {args.before}" if name == "before" else "")
        wall, cpu = (statistics.median(t[i] for t in timed) for i in (0, 1))
        print(f"{label + f' (median of {args.runs})':<60}{wall:>8.2f}{cpu:>8.2f}")
    if args.before:
        pairs = list(zip(runs["now"], runs["before"], strict=True))
        wall, cpu = (statistics.median(a[i] / b[i] for a, b in pairs) for i in (0, 1))
        print(f"{f'ratio to {args.before} (median of the pairs)':<60}{wall:>8.2f}{cpu:>8.2f}")
    print(f"{'qainsights report --notebook (template in a kernel)':<60}{kernel[0]:>8.2f}"
          f"{kernel[1]:>8.2f}")  # fmt: skip


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, kernel processes included) of a command."""
    cpu, start = _children_cpu(), time.perf_counter()
    # from the data's folder, not the repository's: ``python -m`` puts the working folder
    # first on the path, ahead of the library chosen in PYTHONPATH
    subprocess.run(command, check=True, capture_output=True, env=env, cwd=cwd)
    return time.perf_counter() - start, _children_cpu() - cpu


if __name__ == "__main__":
    main()
