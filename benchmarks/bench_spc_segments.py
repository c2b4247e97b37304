"""Time control_charts on 2,000 segments x 104 weeks of Laney p' charts with Nelson rules.

Builds 10 million audit rows (seeded), then prints one table comparing:
  * a bare pandas group-by count of the rows (the floor any approach must pay),
  * control_charts from the audit rows (count + every segment's chart in one pass),
  * control_charts from the weekly aggregates,
  * a Python loop calling p_chart once per segment (how one-series-per-call tools are used).

Run: .venv/bin/python benchmarks/bench_spc_segments.py
Peers such as pyqicharts or shewhart are not project dependencies; install one in a separate
environment and add it to PEERS below to compare.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from qainsights.spc import control_charts, p_chart

SEGMENTS, WEEKS, ROWS = 2_000, 104, 10_000_000


def audit_rows(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    segment = rng.integers(0, SEGMENTS, ROWS, dtype=np.int32)
    week = rng.integers(0, WEEKS, ROWS, dtype=np.int16)
    base = rng.gamma(30, 0.05 / 30, size=(SEGMENTS, WEEKS))  # over-dispersed weekly rates
    is_error = rng.random(ROWS) < base[segment, week]
    return pd.DataFrame({"segment": segment, "week": week, "is_error": is_error})


def timed(func):
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def main() -> None:
    rows = audit_rows()
    options = {"by": "segment", "chart": "laney_p", "subgroup": "week", "rules": "nelson"}
    bare, counts = timed(
        lambda: rows.groupby(["segment", "week"])["is_error"].agg(["sum", "size"]).reset_index()
    )
    weekly = counts.rename(columns={"sum": "errors", "size": "n"})
    from_rows, charts = timed(lambda: control_charts(rows, outcome="is_error", **options))
    from_aggregates, _ = timed(lambda: control_charts(weekly, defects="errors", n="n", **options))
    groups = list(weekly.groupby("segment"))
    loop, _ = timed(
        lambda: [
            p_chart(frame, defects="errors", n="n", subgroup="week", laney=True, rules="nelson")
            for _, frame in groups
        ]
    )
    table = pd.DataFrame(
        {
            "approach": [
                "pandas group-by count of the rows (floor)",
                "control_charts from audit rows",
                "control_charts from weekly aggregates",
                "loop of p_chart over segments (aggregates)",
            ],
            "seconds": [bare, from_rows, from_aggregates, loop],
        }
    )
    table["x floor"] = table["seconds"] / bare
    table["loop / this"] = loop / table["seconds"]
    print(f"{ROWS:,} audit rows, {SEGMENTS:,} segments x {WEEKS} weeks, Laney p' + Nelson 1-8")
    print(table.round(3).to_string(index=False))
    print(
        f"signals: {len(charts.signals):,}; expected false alarms: "
        f"{charts.expected_false_alarms:,.0f}"
    )


if __name__ == "__main__":
    main()
