"""Time error rates by segment against a bare pandas group-by (the floor) and statsmodels.

Run: python benchmarks/bench_rates.py [--rows 1000000]
Prints one table: seconds per call and the ratio to the floor, peak extra memory per call.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from qainsights.rates import error_rate


def make_audits(rows: int, seed: int = 0) -> pd.DataFrame:
    """Audit-like rows: 200 site x queue segments, 20 strata, 5 % errors."""
    rng = np.random.default_rng(seed)
    segment = rng.integers(0, 200, rows)
    return pd.DataFrame(
        {
            "site": (segment // 20).astype("str"),
            "queue": (segment % 20).astype("str"),
            "stratum": (segment % 20).astype("str"),
            "weight": rng.uniform(10, 100, rows),
            "is_error": rng.random(rows) < 0.05,
        }
    )


def floor(audits):
    """The least any implementation must do: count errors and audits per segment."""
    return audits.groupby(["site", "queue"])["is_error"].agg(["sum", "count"])


def statsmodels_wilson(audits):
    """Group-by then statsmodels' Wilson interval: the usual hand-rolled way."""
    counts = floor(audits)
    low, high = proportion_confint(counts["sum"], counts["count"], method="wilson")
    return counts.assign(ci_low=low, ci_high=high)


def measure(func, audits, repeats=3):
    """Best time of ``repeats`` calls and the peak memory traced during one call (MB)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        func(audits)
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    func(audits)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return min(times), peak


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    audits = make_audits(args.rows)
    cases = {
        "bare group-by (floor)": floor,
        "group-by + statsmodels Wilson": statsmodels_wilson,
        "qainsights error_rate": lambda a: error_rate(a, by=["site", "queue"]),
        "qainsights error_rate, weighted + strata": lambda a: error_rate(
            a, by=["site", "queue"], weight="weight", strata="stratum"
        ),
    }
    results = {name: measure(func, audits) for name, func in cases.items()}
    base = results["bare group-by (floor)"][0]
    print(f"{args.rows:,} rows, 200 segments")
    print(f"{'case':45s} {'seconds':>8s} {'x floor':>8s} {'peak MB':>8s}")
    for name, (seconds, peak) in results.items():
        print(f"{name:45s} {seconds:8.3f} {seconds / base:8.1f} {peak:8.1f}")


if __name__ == "__main__":
    main()
