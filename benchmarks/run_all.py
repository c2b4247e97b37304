"""Run every benchmark in benchmarks/ and print one summary table.

Run: python benchmarks/run_all.py [--quick] [--only bench_rates bench_engines ...]

Each script runs in its own process. The table lists, per script, its wall time, its peak
resident memory (``ru_maxrss`` of the process and its children, from ``os.wait4``) and
whether it succeeded, followed by the script's own table of ratios (qainsights against its
peers and against the bare group-by floor), indented. The engine comparison
(``bench_engines.py``) gives one row per size and engine.

``--quick`` passes small sizes to every script (a smoke run of a few minutes); without it
the scripts run at the sizes recorded in benchmarks/README.md (1M to 100M rows: allow an
hour and about 10 GB of disk under /tmp for the Parquet files).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: Arguments of the scripts that need them: name -> (full-size arguments, quick arguments).
#: Every other ``bench_*.py`` (and ``riskloc_rs.py``) runs with its defaults.
ARGUMENTS = {
    "bench_rates": ([], ["--rows", "200000"]),
    "bench_load": ([], ["--rows", "200000", "--repeat", "1"]),
    "bench_agreement": ([], ["--items", "100000", "--no-peers"]),
    "bench_trends": ([], ["--rows", "1000000", "--seeds", "2"]),
    "bench_experiments_coverage": ([], ["--seeds", "3"]),
    "bench_capability_intervals": ([], ["--quick"]),
    "bench_engines": (
        ["--rows", "1000000", "10000000", "100000000"],
        ["--rows", "1000000", "--repeat", "1"],
    ),
    "bench_mart": ([], ["--rows", "1000000"]),
}


def scripts() -> list[str]:
    """The benchmark scripts in this folder, by name."""
    found = sorted(path.stem for path in HERE.glob("bench_*.py"))
    return [*found, *(["riskloc_rs"] if (HERE / "riskloc_rs.py").exists() else [])]


def run(name: str, quick: bool) -> dict:
    """Run one script; return its output, seconds, peak MB and exit status."""
    full, small = ARGUMENTS.get(name, ([], []))
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, str(HERE / f"{name}.py"), *(small if quick else full)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    return {
        "name": name,
        "output": output,
        "seconds": time.perf_counter() - start,
        "peak_mb": usage.ru_maxrss / 1024,
        "ok": os.waitstatus_to_exitcode(status) == 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--only", nargs="+", choices=scripts(), default=scripts())
    args = parser.parse_args()
    results = []
    for name in args.only:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.append(run(name, args.quick))
    print(f"{'benchmark':<28} {'status':<7} {'seconds':>8} {'peak MB':>8}")
    for result in results:
        status = "ok" if result["ok"] else "FAILED"
        print(
            f"{result['name']:<28} {status:<7} {result['seconds']:>8.1f} {result['peak_mb']:>8.0f}"
        )
        for line in result["output"].rstrip().splitlines():
            print(f"    {line}")


if __name__ == "__main__":
    main()
