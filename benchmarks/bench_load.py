"""Time load_audits on a CSV export against pandas.read_csv + pandas.to_datetime on the same file.

Run: python benchmarks/bench_load.py [--rows 1000000] [--repeat 3] [--folder /tmp/qainsights_bench]

The export is the simulated audit table (seed 0), repeated to ``--rows`` rows with unique
audit ids, without the derived columns, written once as CSV with ISO 8601 timestamps and once
with day-first timestamps ('%d/%m/%Y %H:%M:%S'). For each file:

- peer: ``pandas.read_csv`` with its defaults, then ``pandas.to_datetime`` of the two timestamp
  columns (with the day-first format spelled out for the day-first file): the least a user
  does to get typed timestamps, with no checks at all;
- qainsights: ``load_audits`` (reading every value as text, the missing-value policy, one
  inferred format per timestamp column, types, label hygiene, derived columns and every
  row check).

Prints one table: seconds (best of ``--repeat``) and the ratio to the peer. Target: within 2.5x.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from qainsights import load_audits
from qainsights.datasets import simulate_audits

DAY_FIRST = "%d/%m/%Y %H:%M:%S"
TIMES = ("decision_time", "audit_time")


def write_exports(folder: Path, rows: int) -> dict[str, Path]:
    """Write the ISO and day-first CSV exports of ``rows`` audits (kept for later runs)."""
    paths = {"ISO 8601": folder / f"audits_{rows}_iso.csv",
             "day-first": folder / f"audits_{rows}_dayfirst.csv"}  # fmt: skip
    if all(path.exists() for path in paths.values()):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    one = simulate_audits(seed=0).audits.drop(columns=["is_error", "error_type", "week", "month"])
    table = pd.concat([one] * -(-rows // len(one)), ignore_index=True).iloc[:rows]
    table["audit_id"] = pd.Series(range(rows)).map("A{:08d}".format)
    table.to_csv(paths["ISO 8601"], index=False)
    table.to_csv(paths["day-first"], index=False, date_format=DAY_FIRST)
    return paths


def peer(path: Path, fmt: str | None) -> pd.DataFrame:
    """pandas.read_csv with its defaults, then the two timestamp columns parsed."""
    frame = pd.read_csv(path)
    for column in TIMES:
        frame[column] = pd.to_datetime(frame[column], format=fmt)
    return frame


def best(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/qainsights_bench"))
    args = parser.parse_args()
    paths = write_exports(args.folder, args.rows)
    table = []
    for layout, path in paths.items():
        fmt = DAY_FIRST if layout == "day-first" else None
        peer_s, expected = best(lambda: peer(path, fmt), args.repeat)  # noqa: B023
        ours_s, audits = best(lambda: load_audits(path), args.repeat)  # noqa: B023
        assert len(audits) == len(expected) == args.rows
        assert (audits["decision_time"] == expected["decision_time"]).all()
        table.append(
            {
                "timestamps": layout,
                "read_csv + to_datetime s": round(peer_s, 3),
                "load_audits s": round(ours_s, 3),
                "x peer": round(ours_s / peer_s, 2),
            }
        )
    result = pd.DataFrame(table).set_index("timestamps")
    print(f"{args.rows:,} audit rows of CSV ({paths['ISO 8601'].stat().st_size / 1e6:.0f} MB), "
          f"best of {args.repeat}")  # fmt: skip
    print(result.to_string())
    worst = result["x peer"].max()
    verdict = "within" if worst <= 2.5 else "over"
    print(f"load_audits takes at most {worst:.2f}x the peer: {verdict} the 2.5x target.")


if __name__ == "__main__":
    main()
