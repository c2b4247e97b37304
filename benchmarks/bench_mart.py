"""Publishing the quality mart from a Parquet folder through DuckDB, beside a bare DuckDB group-by.

Run: python benchmarks/bench_mart.py [--rows 10000000 100000000] [--repeat 1]
       [--folder /tmp/qainsights_bench_mart] [--cases floor collect report] [--by-section]

For each size DuckDB SQL writes a folder of canonical audit rows as Parquet (once; kept for
reruns): 10 sites (in-house and vendor) with two markets each, 5 queues, 6 policies, 52 weeks
from 2025-11-03, 2,000 moderators, 100 auditors, sampling strata (site x queue) with weights,
about 6 % errors with an error type, a severity and one of 6 root causes. Each case then runs
in its own process, so its peak resident memory (``ru_maxrss`` from ``os.wait4``) is its own:

- floor: DuckDB's bare ``GROUP BY`` of the segment cube's eleven keys with the six sums
  (count, errors, sum w, sum w^2, sum w*y, sum w^2*y), fetched to pandas;
- publish: ``qainsights.mart.publish(folder, to=...)``: one pass over the files (the segment,
  moderator and auditor cubes as one DuckDB ``GROUPING SETS`` query, with the validation
  counts in it), the month replacement in the DuckDB mart, and the derived tables (rates per
  month and week for six dimensions, Laney p' charts and changepoints for every segment);
- dashboard: ``write_dashboard`` from the published mart;
- collect: what ``qainsights report --data FOLDER`` reads: the report's columns and 14 months
  collected from the files through DuckDB into pandas
  (:func:`qainsights.report.sources.read_report_audits`);
- report: collect, then ``build_monthly_report`` on those rows (every section the rows allow:
  the files have no comments or handle times), without drawing or writing HTML. With
  ``--by-section`` the child also times each section alone on the same rows.

Prints one table: seconds (best of ``--repeat`` runs), ratio to the floor, CPU seconds of the
child process (imports included), peak memory (MB),
and the result (cube rows, page bytes, rows collected). ``--cases`` picks cases (``floor``
first, for the ratio).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES = ("floor", "publish", "dashboard", "collect", "report")
SITES = ["Austin", "Dublin", "Lisbon", "Manila", "Hyderabad", "Nairobi", "Warsaw", "Bogota",
         "Manchester", "Singapore"]  # fmt: skip
KEYS = ("month, week, site, site_type, queue, policy, market, error_type, severity, root_cause, "
        "stratum")  # fmt: skip


def write_audits(folder: Path, rows: int) -> Path:
    """Write ``rows`` audit rows as Parquet files into ``folder / str(rows)`` with DuckDB SQL."""
    import duckdb

    target = folder / str(rows)
    if target.exists() and any(target.glob("*.parquet")):
        return target
    target.mkdir(parents=True, exist_ok=True)
    sites = "[" + ", ".join(f"'{s}'" for s in SITES) + "]"
    con = duckdb.connect()
    con.execute("SELECT setseed(0.42)")
    con.execute(
        f"""
        COPY (
            WITH base AS (
                SELECT i, i % 10 AS s, (i // 10) % 5 AS q, random() AS u, random() AS v,
                       TIMESTAMP '2025-11-03' + INTERVAL (i % 364) DAY
                           + INTERVAL ((i * 7919) % 86400) SECOND AS decision_time
                FROM range({rows}) t(i)
            ), rows AS (
                SELECT *, u < 0.04 + 0.004 * s + 0.01 * q AS is_error FROM base
            )
            SELECT 'A' || i AS audit_id,
                   decision_time,
                   date_trunc('week', decision_time) AS week,
                   strftime(decision_time, '%Y-%m') AS month,
                   {sites}[s + 1] AS site,
                   CASE WHEN s < 4 THEN 'in_house' ELSE 'vendor' END AS site_type,
                   ['ads', 'appeals', 'proactive', 'user_reports', 'escalations'][q + 1] AS queue,
                   ['spam', 'hate_speech', 'violence', 'harassment', 'adult_nudity',
                    'misinformation'][(i // 50) % 6 + 1] AS policy,
                   ['en-US', 'es-MX', 'pt-BR', 'de-DE', 'hi-IN', 'en-GB', 'pl-PL', 'fr-FR',
                    'sw-KE', 'en-SG', 'es-CO', 'tl-PH'][(s + (i // 300) % 2) % 12 + 1] AS market,
                   'M' || (s * 200 + (i // 7) % 200) AS moderator_id,
                   'QA-' || (i // 13) % 100 AS auditor_id,
                   is_error,
                   CASE WHEN NOT is_error THEN 'none'
                        ELSE ['over_enforcement', 'under_enforcement', 'wrong_policy'][
                            floor(v * 3)::INT + 1] END AS error_type,
                   CASE WHEN is_error THEN ['low', 'medium', 'high', 'critical'][
                            floor(v * 12)::INT % 4 + 1] END AS severity,
                   CASE WHEN is_error THEN ['guideline_misread', 'missed_context', 'training_gap',
                            'policy_ambiguity', 'fatigue', 'tool_issue'][
                            floor(v * 36)::INT % 6 + 1] END AS root_cause,
                   {sites}[s + 1] || '|' || q AS stratum,
                   20.0 + 15.0 * s + 7.5 * q AS weight
            FROM rows
        ) TO '{target.as_posix()}' (FORMAT parquet, PER_THREAD_OUTPUT true)
        """
    )
    return target


def run_case(case: str, folder: Path, mart: Path, by_section: bool = False) -> tuple:
    """Run one case on the files in ``folder``; return its seconds, its result's size and
    any further timings.
    """
    import duckdb

    start = time.perf_counter()
    if case == "floor":
        cube = duckdb.sql(
            f"SELECT date_trunc('month', decision_time) AS month, {KEYS.split(', ', 1)[1]}, "
            "count(*) AS n, sum(is_error::DOUBLE) AS errors, sum(weight) AS sum_w, "
            "sum(weight * weight) AS sum_w2, sum(weight * is_error::DOUBLE) AS sum_wy, "
            "sum(weight * weight * is_error::DOUBLE) AS sum_w2y "
            f"FROM read_parquet('{folder.as_posix()}/*.parquet') GROUP BY ALL"
        ).df()
        return time.perf_counter() - start, len(cube), {}
    if case in ("collect", "report"):
        return run_report(case, folder, start, by_section)
    if case == "publish":
        from qainsights.mart import publish

        published = publish(folder, to=mart)
        return time.perf_counter() - start, published.tables["cube"], {}
    from qainsights.mart import write_dashboard

    path = write_dashboard(mart, output=mart.with_suffix(".html"))
    return time.perf_counter() - start, path.stat().st_size, {}


def run_report(case: str, folder: Path, start: float, by_section: bool) -> tuple:
    """Collect the report's rows from the files (and build the report from them)."""
    from qainsights.report import SECTIONS, build_monthly_report
    from qainsights.report.sources import read_report_audits

    start = time.perf_counter()  # the imports are not the report's work (nor the floor's)
    read = read_report_audits(folder)
    collected = time.perf_counter() - start
    if case == "collect":
        return collected, len(read.audits), {}
    report = build_monthly_report(read.audits, month=read.month)
    seconds = time.perf_counter() - start
    extra = {"collect": collected, "build": seconds - collected, "omitted": sorted(report.omitted)}
    if by_section:
        for name in SECTIONS:
            if name in report.omitted or name in ("calibration", "actions"):
                continue
            began = time.perf_counter()
            build_monthly_report(read.audits, month=read.month, sections=[name])
            extra[name] = time.perf_counter() - began
    return seconds, len(read.audits), extra


def measure(case: str, folder: Path, mart: Path, by_section: bool = False) -> dict:
    """Run ``case`` in a child process; return its seconds, result size and peak memory."""
    command = [sys.executable, __file__, "--child", case, str(folder), str(mart)]
    command += ["--by-section"] if by_section else []
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"{case} failed with status {status}")
    seconds, size, extra = json.loads(out)
    cpu = usage.ru_utime + usage.ru_stime  # the whole child, imports included
    return {"seconds": seconds, "size": size, "extra": extra, "peak_mb": usage.ru_maxrss / 1024,
            "cpu": cpu}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000_000, 100_000_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/qainsights_bench_mart"))
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--by-section", action="store_true", help="time each report section")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case, folder, mart = args.child
        print(json.dumps(run_case(case, Path(folder), Path(mart), args.by_section)))
        return
    print(
        f"{'rows':>12} {'case':>10} {'seconds':>8} {'x floor':>8} {'cpu s':>8} {'peak MB':>8}  "
        "result"
    )
    for rows in args.rows:
        started = time.perf_counter()
        folder = write_audits(args.folder, rows)
        print(
            f"# {rows:,} rows written or found in {time.perf_counter() - started:.0f} s", flush=True
        )
        with tempfile.TemporaryDirectory() as scratch:
            mart = Path(scratch) / "quality.duckdb"
            floor = None
            for case in args.cases:
                runs = [measure(case, folder, mart, args.by_section) for _ in range(args.repeat)]
                best = min(runs, key=lambda r: r["seconds"])
                floor = floor or best["seconds"]
                unit = {"dashboard": "bytes", "collect": "rows", "report": "rows"}
                print(
                    f"{rows:>12,} {case:>10} {best['seconds']:>8.2f} "
                    f"{best['seconds'] / floor:>8.2f} {best['cpu']:>8.1f} "
                    f"{max(r['peak_mb'] for r in runs):>8.0f}  "
                    f"{best['size']:,} {unit.get(case, 'cube rows')}",
                    flush=True,
                )
                for name, value in best["extra"].items():
                    shown = f"{value:.2f} s" if isinstance(value, float) else ", ".join(value)
                    print(f"{'':>12} {'':>10}   {name}: {shown}", flush=True)


if __name__ == "__main__":
    main()
