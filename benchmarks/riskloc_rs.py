"""Exact-match F1 of explain_change on the RS root-cause benchmark (135 real cases).

Data: the RS cases of github.com/shaido987/riskloc (data/RS, MIT licence), one CSV per case with
rows ``min, <dimensions>, value, cnt`` (``value`` events out of ``cnt`` per minute and
combination of the dimensions) and ``anomaly.yaml`` giving each case's anomalous minute and root
cause (one segment or a list of them).

Protocol (as in the root-cause localisation literature): compare the anomalous minute with the
minutes before it, return the set of segments that explains the change, and count a predicted
segment as a hit only when it equals a true one exactly (same dimensions, same values). F1 is
computed from the true positives, false positives and false negatives summed over all cases.

Run: python benchmarks/riskloc_rs.py [--data ../shared/datasets/riskloc_rs] [--max-order 3]
[--dispersion moderated|periods|binomial] (``explain_change``'s; by default its own default,
``moderated``: each segment's spread of the minutes before, moderated toward its peers';
``periods`` its own spread alone; ``binomial`` the minutes pooled as independent).
"""

from __future__ import annotations

import argparse
import ast
import time
from pathlib import Path

import pandas as pd

from qainsights.trends import explain_change
from qainsights.trends.periods import DISPERSIONS

#: Exact-match F1 of the published methods at their default settings, measured on the same
#: 135 cases (figures from the data set's README).
PUBLISHED = {
    "RobustSpot": 0.41,
    "Adtributor": 0.27,
    "AutoRoot": 0.26,
    "R-Adtributor": 0.10,
    "HotSpot": 0.04,
    "Squeeze": 0.04,
    "RiskLoc": 0.02,
}
DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "riskloc_rs"


def read_cases(folder: Path) -> list[dict]:
    """The cases of ``anomaly.yaml``: file name, anomalous minute and true segments.

    The file is a flat list of ``- data: / timestamp: / cause:`` entries, read without a YAML
    library; ``cause`` is a Python literal (a dict or a list of dicts).
    """
    cases, case = [], {}
    for line in (folder / "anomaly.yaml").read_text().splitlines():
        key, _, value = line.strip().lstrip("- ").partition(":")
        if key == "data":
            case = {"data": value.strip()}
            cases.append(case)
        elif key == "timestamp":
            case["timestamp"] = int(value)
        elif key == "cause":
            cause = ast.literal_eval(value.strip())
            case["cause"] = cause if isinstance(cause, list) else [cause]
    return cases


def as_key(segment: dict) -> frozenset:
    return frozenset((str(k), str(v)) for k, v in segment.items())


def localise(
    frame, timestamp: int, *, max_order: int, alpha: float, coverage: float, dispersion: str
) -> list[dict]:
    """explain_change of the anomalous minute against all minutes before it."""
    dims = [c for c in frame.columns if c not in ("min", "value", "cnt")]
    frame = frame[frame["min"] <= timestamp].astype(dict.fromkeys(dims, "str"))
    before = sorted(m for m in frame["min"].unique() if m < timestamp)
    result = explain_change(
        frame,
        by=dims,
        period="min",
        current=timestamp,
        baseline=before,
        errors="value",
        n="cnt",
        max_order=min(max_order, len(dims)),
        alpha=alpha,
        coverage=coverage,
        min_n=0,
        dispersion=dispersion,
    )
    rows = result.explanation[dims].to_dict("records")
    return [{k: v for k, v in row.items() if v is not None} for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--max-order", type=int, default=3)
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--coverage", type=float, default=0.8)
    parser.add_argument("--dispersion", choices=DISPERSIONS, default="moderated")
    args = parser.parse_args()
    tp = fp = fn = exact = 0
    started = time.perf_counter()
    cases = read_cases(args.data)
    for case in cases:
        frame = pd.read_csv(args.data / f"{case['data']}.csv")
        found = {
            as_key(s)
            for s in localise(
                frame,
                case["timestamp"],
                max_order=args.max_order,
                alpha=args.alpha,
                coverage=args.coverage,
                dispersion=args.dispersion,
            )
        }
        truth = {as_key(s) for s in case["cause"]}
        tp, fp, fn = tp + len(found & truth), fp + len(found - truth), fn + len(truth - found)
        exact += found == truth
    seconds = time.perf_counter() - started
    f1 = 2 * tp / (2 * tp + fp + fn)
    print(f"RS benchmark: {len(cases)} cases in {seconds:.1f} s (dispersion={args.dispersion!r})")
    print(f"{'method':<24}{'exact-match F1':>16}")
    print(
        f"{'qainsights explain_change':<24}{f1:>16.2f}   (TP {tp}, FP {fp}, FN {fn}; "
        f"{exact} cases exactly right)"
    )
    for name, score in PUBLISHED.items():
        print(f"{name:<24}{score:>16.2f}")


if __name__ == "__main__":
    main()
