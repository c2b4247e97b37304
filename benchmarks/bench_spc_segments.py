"""Time control_charts on 2,000 segments x 104 weeks of Laney p' charts with Nelson rules.

Builds 10 million audit rows (seeded), then prints one table comparing:
  * a bare pandas group-by count of the rows (the floor any approach must pay),
  * control_charts from the audit rows (count + every segment's chart in one pass),
  * control_charts from the weekly aggregates,
  * a Python loop calling p_chart once per segment (how one-series-per-call tools are used),
  * the best installable Python peer, pyqicharts, looped over the segments (if installed).

pyqicharts (MIT) has p charts and Nelson rules 1-8 but no Laney chart (its "p_prime" is a
risk-adjusted observed/expected chart), so the peer's p' is built the way a user would: its p
chart table, Laney's sigma_z from the moving ranges of the z-scores, then its Nelson rules on
the widened sigma. The peer takes tens of milliseconds per segment, so it is timed on the
first PEER_SEGMENTS segments and extrapolated per segment to all of them (the output says so).

Run: .venv/bin/python benchmarks/bench_spc_segments.py
The peer is not a project dependency; to include it, use a separate environment:
    python3 -m venv /tmp/benchvenv
    /tmp/benchvenv/bin/pip install -e . pyqicharts
    /tmp/benchvenv/bin/python benchmarks/bench_spc_segments.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from qainsights.spc import control_charts, d2, p_chart

try:
    import pyqicharts
except ImportError:  # optional peer
    pyqicharts = None

SEGMENTS, WEEKS, ROWS = 2_000, 104, 10_000_000
PEER_SEGMENTS = 100


def audit_rows(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    segment = rng.integers(0, SEGMENTS, ROWS, dtype=np.int32)
    week = rng.integers(0, WEEKS, ROWS, dtype=np.int16)
    base = rng.gamma(30, 0.05 / 30, size=(SEGMENTS, WEEKS))  # over-dispersed weekly rates
    is_error = rng.random(ROWS) < base[segment, week]
    return pd.DataFrame({"segment": segment, "week": week, "is_error": is_error})


def timed(func, repeat: int = 1):
    """Best wall-clock seconds of ``repeat`` calls, and the result of the last one."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def peer_laney_p(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One segment's Laney p' chart with Nelson rules 1-8 from pyqicharts' building blocks."""
    table = pyqicharts.qic_table(frame, x="week", y="errors", chart="p", denominator="n")
    z = (table["plot_value"] - table["centre"]) / table["sigma"]
    sigma = table["sigma"] * z.diff().abs().mean() / 1.128  # Laney's sigma_z, d2 as pyqicharts
    signals = pyqicharts.nelson_rule_signals(
        table["plot_value"],
        centre=table["centre"],
        sigma=sigma,
        chart_type="p",
        x_values=table["week"],
    )
    limits = pd.DataFrame(
        {"subgroup": table["week"], "ucl": np.minimum(table["centre"] + 3 * sigma, 1)}
    )
    return limits, signals


def peer_agreement(peer: list, charts, segments: list) -> str:
    """Compare the peer's upper limits and beyond-limits firings with control_charts'."""
    ours = charts.table[charts.table["segment"].isin(segments)]
    theirs = pd.concat(
        [limits.assign(segment=key) for key, (limits, _) in zip(segments, peer, strict=True)]
    )
    both = ours.merge(theirs, on=["segment", "subgroup"], suffixes=("", "_peer"))
    beyond_ours = int(
        (charts.signals["segment"].isin(segments) & (charts.signals["rule"] == "nelson1")).sum()
    )
    beyond_peer = sum(int((signals["rule_id"] == "N1").sum()) for _, signals in peer)
    return (
        f"check on those {len(segments)} segments: max |UCL difference| = "
        f"{(both['ucl'] - both['ucl_peer']).abs().max():.1e} (the peer rounds d2 = "
        f"{d2(2):.6f} to 1.128); points beyond the limits: {beyond_ours} here, {beyond_peer} "
        "in the peer"
    )


def main() -> None:
    rows = audit_rows()
    options = {"by": "segment", "chart": "laney_p", "subgroup": "week", "rules": "nelson"}
    bare, counts = timed(
        lambda: (
            rows.groupby(["segment", "week"], sort=False)["is_error"]
            .agg(["sum", "size"])
            .reset_index()
        ),
        repeat=3,
    )
    # Weeks in time order within each segment, as one-series tools expect (outside the timings).
    weekly = counts.rename(columns={"sum": "errors", "size": "n"}).sort_values(
        ["segment", "week"], ignore_index=True
    )
    from_rows, charts = timed(lambda: control_charts(rows, outcome="is_error", **options), repeat=3)
    from_aggregates, _ = timed(
        lambda: control_charts(weekly, defects="errors", n="n", **options), repeat=3
    )
    groups = list(weekly.groupby("segment"))
    loop, _ = timed(
        lambda: [
            p_chart(frame, defects="errors", n="n", subgroup="week", laney=True, rules="nelson")
            for _, frame in groups
        ]
    )
    approaches = {
        "pandas group-by count of the rows, unsorted (floor)": bare,
        "control_charts from audit rows": from_rows,
        "control_charts from weekly aggregates": from_aggregates,
        "loop of p_chart over segments (aggregates)": loop,
    }
    notes = []
    if pyqicharts is None:
        notes.append("pyqicharts is not installed: the peer is skipped (see the module docstring).")
    else:
        subset = groups[:PEER_SEGMENTS]
        seconds, peer = timed(lambda: [peer_laney_p(frame) for _, frame in subset])
        peer_loop = seconds / len(subset) * len(groups)
        approaches["loop of pyqicharts over segments (aggregates)*"] = peer_loop
        approaches["group-by count + loop of pyqicharts (from rows)*"] = bare + peer_loop
        notes.append(
            f"* pyqicharts {pyqicharts.__version__} timed on {len(subset)} segments "
            f"({seconds:.2f} s, {seconds / len(subset) * 1000:.1f} ms a segment) and "
            f"extrapolated per segment to {len(groups):,}."
        )
        notes.append(peer_agreement(peer, charts, [key for key, _ in subset]))
        notes.append(
            f"control_charts from rows is {(bare + peer_loop) / from_rows:.0f}x faster than the "
            f"peer's path from rows (target: at least 20x) and takes {from_rows / bare:.2f}x the "
            "bare group-by count (target: at most 3x)."
        )
    table = pd.DataFrame({"approach": list(approaches), "seconds": list(approaches.values())})
    table["x floor"] = table["seconds"] / bare
    print(f"{ROWS:,} audit rows, {SEGMENTS:,} segments x {WEEKS} weeks, Laney p' + Nelson 1-8")
    print("best of 3 for the floor and control_charts, one run for the loops")
    print(table.round(3).to_string(index=False))
    print(
        f"signals: {len(charts.signals):,}; expected false alarms: "
        f"{charts.expected_false_alarms:,.0f}"
    )
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
