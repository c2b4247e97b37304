"""Trends: speed of explain_change at scale, and how often it finds planted effects.

1. Speed: explain_change over 5 dimensions (all one- and two-way segments) on 10 million
   audit rows, against a bare pandas group-by of the same rows to the same leaves (the least
   any implementation must do), in one run. Prints seconds and the ratio.
2. Accuracy on simulate_audits over several seeds: recall of the planted effects and the
   false-discovery proportion of explain_change and compare_periods at q = 0.05, and whether
   detect_changepoints dates the site x queue degradation within two weeks.

Run: python benchmarks/bench_trends.py [--rows 10000000] [--seeds 5]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from qainsights.datasets import simulate_audits
from qainsights.trends import compare_periods, detect_changepoints, explain_change

DIMS = ["site", "queue", "policy", "market", "auditor_id"]
LEVELS = {"site": 8, "queue": 6, "policy": 8, "market": 10, "auditor_id": 60}


def make_rows(rows: int, seed: int = 0) -> pd.DataFrame:
    """Audit-like rows over 5 categorical dimensions and 2 months; one segment degrades."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            dim: pd.Categorical.from_codes(
                rng.integers(0, size, rows), [f"{dim}{i}" for i in range(size)]
            )
            for dim, size in LEVELS.items()
        }
    )
    frame["month"] = pd.Categorical.from_codes(rng.integers(0, 2, rows), ["2026-09", "2026-10"])
    hot = (frame["site"] == "site1") & (frame["queue"] == "queue2") & (frame["month"] == "2026-10")
    frame["is_error"] = rng.random(rows) < np.where(hot, 0.12, 0.06)
    return frame


def best_of(func, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times)


def speed(rows: int) -> None:
    audits = make_rows(rows)

    def floor():
        return audits.groupby([*DIMS, "month"], observed=True)["is_error"].agg(["sum", "count"])

    def explain():
        return explain_change(audits, by=DIMS, period="month", current="2026-10")

    floor_s, explain_s = best_of(floor), best_of(explain)
    found = explain().explanation["segment"].tolist()
    print(f"Speed, {rows:,} rows, {len(DIMS)} dimensions (best of 3)")
    print(f"{'':<36}{'seconds':>9}{'ratio':>8}")
    print(f"{'pandas group-by to the leaves':<36}{floor_s:>9.2f}{1.0:>8.1f}")
    print(f"{'explain_change (1- and 2-way)':<36}{explain_s:>9.2f}{explain_s / floor_s:>8.1f}")
    print(f"found: {found} (planted: site=site1 & queue=queue2)\n")


def overlaps(found: pd.DataFrame, truth: dict) -> pd.Series:
    """Whether each found segment shares its audits with the planted segment ``truth``.

    A found segment overlaps unless it names a different value on a dimension of ``truth``.
    """
    clash = pd.Series(False, index=found.index)
    for dim, value in truth.items():
        if dim in found:
            clash |= found[dim].notna() & (found[dim] != value)
    return ~clash


def accuracy(seeds: int) -> None:
    windows = {
        "site_queue_degradation": ("2026-10", ["2026-06", "2026-07", "2026-08"]),
        "policy_change": (["2026-06", "2026-07"], ["2026-03", "2026-04", "2026-05"]),
    }
    rows = []
    for seed in range(seeds):
        sim = simulate_audits(seed=seed)
        key = sim.answer_key.set_index("effect")
        for effect, (current, baseline) in windows.items():
            truth = {
                c: key.loc[effect, c]
                for c in ("site", "queue", "policy")
                if pd.notna(key.loc[effect, c])
            }
            real = [truth]
            if "training_wave" in key.index:  # a planted improvement that overlaps the windows
                real.append({"site": key.loc["training_wave", "site"]})
            why = explain_change(
                sim.audits,
                by=["site", "queue", "policy", "market"],
                period="month",
                current=current,
                baseline=baseline,
            ).explanation
            exact = why[list(truth)].eq(pd.Series(truth)).all(axis=1) & (why["order"] == len(truth))
            hits = overlaps(why, truth)
            scan = compare_periods(
                sim.audits,
                by=["site", "queue", "policy"],
                period="month",
                current=current,
                baseline=baseline,
                within="week",
            ).segments
            found = scan[scan["significant"]]
            true_found = (
                np.logical_or.reduce([overlaps(found, r) for r in real]) if len(found) else []
            )
            rows.append(
                {
                    "seed": seed,
                    "effect": effect,
                    "explain exact": bool(exact.any()),
                    "explain overlaps": bool(hits.any()),
                    "explain FDP": float((~hits).mean()) if len(why) else 0.0,
                    "scan hits": int(np.sum(true_found)),
                    "scan FDP": float(1 - np.mean(true_found)) if len(found) else 0.0,
                }
            )
        start = pd.Timestamp(key.loc["site_queue_degradation", "start"])
        series = sim.audits[
            (sim.audits["site"] == key.loc["site_queue_degradation", "site"])
            & (sim.audits["queue"] == key.loc["site_queue_degradation", "queue"])
        ]
        cuts = detect_changepoints(series, period="week").changepoints["week"]
        rows[-2]["changepoint within 2 weeks"] = bool(
            (abs(cuts - start) <= pd.Timedelta(weeks=2)).any()
        )
    table = pd.DataFrame(rows)
    print(f"Accuracy on simulate_audits, seeds 0-{seeds - 1} (q = 0.05)")
    summary = table.groupby("effect").agg(
        explain_exact=("explain exact", "mean"),
        explain_overlap=("explain overlaps", "mean"),
        explain_fdp=("explain FDP", "mean"),
        scan_fdp=("scan FDP", "mean"),
        changepoint=("changepoint within 2 weeks", "mean"),
    )
    print(summary.round(2).to_string())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    speed(args.rows)
    accuracy(args.seeds)


if __name__ == "__main__":
    main()
