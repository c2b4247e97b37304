"""Error rates and Laney p' charts of every segment from a Parquet folder, on each engine.

Run: python benchmarks/bench_engines.py [--rows 1000000 10000000] [--repeat 3]
       [--folder /tmp/qainsights_bench]

For each size DuckDB writes a folder of Parquet audit files (seeded: 2,000 site x queue
segments, 104 weeks, 5 % errors with a skewed rate per segment). Each case then runs in its
own process, so its peak resident memory (``ru_maxrss`` from ``os.wait4``) is its own:

- floor: DuckDB's bare ``GROUP BY site, queue, week`` count and sum over the files;
- duckdb: ``scan_audits`` + ``error_rate`` by segment + ``control_charts(chart="laney_p")``;
- polars: the same two calls on ``polars.scan_parquet`` (lazy);
- pandas: ``pandas.read_parquet`` of the five columns + the same calls (up to 10M rows).

Prints one table: seconds (best of ``--repeat`` runs), ratio to the floor, peak memory (MB).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

SEGMENTS = 2000
WEEKS = 104
CASES = ("floor", "duckdb", "polars", "pandas")
PANDAS_LIMIT = 10_000_000


def write_audits(folder: Path, rows: int) -> Path:
    """Write ``rows`` seeded audit rows as Parquet files into ``folder / str(rows)``."""
    import duckdb

    target = folder / str(rows)
    if target.exists() and any(target.glob("*.parquet")):
        return target
    target.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SELECT setseed(0.42)")
    con.execute(
        f"""
        COPY (
            SELECT 'A' || i AS audit_id,
                   TIMESTAMP '2024-01-01' + (i % {WEEKS}) * INTERVAL 7 DAY AS decision_time,
                   's' || (i % {SEGMENTS} // 20) AS site,
                   'q' || (i % 20) AS queue,
                   'spam' AS policy,
                   'en-US' AS market,
                   random() < 0.02 + 0.06 * ((i % {SEGMENTS}) / {SEGMENTS}) AS is_error
            FROM range({rows}) t(i)
        ) TO '{target.as_posix()}' (FORMAT parquet, PER_THREAD_OUTPUT true)
        """
    )
    return target


def run_case(case: str, folder: Path) -> float:
    """Run one case on the files in ``folder``; return its seconds."""
    import duckdb

    from qainsights.aggregate import scan_audits
    from qainsights.rates import error_rate
    from qainsights.spc import control_charts

    start = time.perf_counter()
    if case == "floor":
        duckdb.sql(
            f"SELECT site, queue, date_trunc('week', decision_time) AS week, count(*), "
            f"sum(is_error::INT) FROM read_parquet('{folder.as_posix()}/*.parquet') "
            "GROUP BY ALL"
        ).fetchall()
        return time.perf_counter() - start
    if case == "duckdb":
        audits = scan_audits(folder)
    elif case == "polars":
        import polars as pl

        audits = pl.scan_parquet(folder / "*.parquet").with_columns(
            week=pl.col("decision_time").dt.truncate("1w")
        )
    else:
        import pandas as pd

        columns = ["site", "queue", "decision_time", "is_error"]
        audits = pd.read_parquet(folder, columns=columns)
        audits["week"] = audits["decision_time"].dt.to_period("W").dt.start_time
    error_rate(audits, by=["site", "queue"])
    control_charts(
        audits, by=["site", "queue"], chart="laney_p", subgroup="week", outcome="is_error"
    )
    return time.perf_counter() - start


def measure(case: str, folder: Path) -> tuple[float, float]:
    """Seconds and peak resident MB of ``case`` in a fresh process."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--case", case, "--folder", str(folder)],
        stdout=subprocess.PIPE,
        text=True,
    )
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise RuntimeError(f"case {case} failed with status {status}")
    return json.loads(output)["seconds"], usage.ru_maxrss / 1024


def table(rows_list: list[int], folder: Path, repeat: int) -> list[dict]:
    """One record per size and case: the best time of ``repeat`` runs, the largest peak."""
    records = []
    for rows in rows_list:
        files = write_audits(folder, rows)
        floor_seconds = None
        for case in CASES:
            if case == "pandas" and rows > PANDAS_LIMIT:
                continue
            runs = [measure(case, files) for _ in range(repeat)]
            seconds, peak = min(r[0] for r in runs), max(r[1] for r in runs)
            floor_seconds = floor_seconds or seconds
            records.append(
                {
                    "benchmark": "engines",
                    "rows": rows,
                    "case": case,
                    "seconds": seconds,
                    "x_floor": seconds / floor_seconds,
                    "peak_mb": peak,
                }
            )
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--folder", type=Path, default=Path("/tmp/qainsights_bench"))
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (best time)")
    parser.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps({"seconds": run_case(args.case, args.folder)}))
        return
    print(f"{'rows':>12} {'case':>8} {'seconds':>8} {'x floor':>8} {'peak MB':>8}")
    for record in table(args.rows, args.folder, args.repeat):
        print(
            f"{record['rows']:>12,} {record['case']:>8} {record['seconds']:>8.2f} "
            f"{record['x_floor']:>8.2f} {record['peak_mb']:>8.0f}"
        )


if __name__ == "__main__":
    main()
