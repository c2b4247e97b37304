"""Time qainsights.agreement against peers on a moderation-shaped calibration set.

Shape: a moderation calibration at scale, 1,000,000 items, 500 raters, 3 ratings per item, 5 labels at
90/4/3/2/1 %, long format. Peers: the `krippendorff` package (its dense raters x units
matrix, built as its documentation shows) and statsmodels' `fleiss_kappa` (complete data
only, from `aggregate_raters`). Peak memory is traced with tracemalloc (NumPy allocations
included).

    python benchmarks/bench_agreement.py [--items 1000000] [--no-peers]

`krippendorff` is GPL and not a dependency: install it outside the project, e.g.
`pip install --target /tmp/benchpeers krippendorff` and run with PYTHONPATH=/tmp/benchpeers.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd

from qainsights.agreement import fleiss_kappa, gwet_ac, krippendorff_alpha

SHARES = [0.90, 0.04, 0.03, 0.02, 0.01]
N_RATERS, PER_ITEM, ACCURACY = 500, 3, 0.9


def moderation_ratings(n_items: int, seed: int = 0) -> pd.DataFrame:
    """Long ratings: each item gets 3 distinct raters; raters are 90 % accurate."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(len(SHARES), size=n_items, p=SHARES)
    # three distinct raters: steps of 1..249 between them never wrap around to the first
    steps = rng.integers(1, N_RATERS // 2, size=(n_items, PER_ITEM))
    steps[:, 0] = rng.integers(0, N_RATERS, size=n_items)
    raters = np.cumsum(steps, axis=1) % N_RATERS
    correct = rng.random((n_items, PER_ITEM)) < ACCURACY
    wrong = rng.choice(len(SHARES), size=(n_items, PER_ITEM), p=SHARES)
    labels = np.where(correct, truth[:, None], wrong)
    return pd.DataFrame(
        {
            "item": np.repeat(np.arange(n_items), PER_ITEM),
            "rater": raters.ravel(),
            "label": labels.ravel(),
        }
    )


def measure(func: Callable[[], object]) -> tuple[object, float, float]:
    """Return (result, seconds, peak MB)."""
    tracemalloc.start()
    start = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    long = moderation_ratings(args.items)
    columns = {"item": "item", "rater": "rater", "label": "label"}
    ours = {
        "krippendorff_alpha": lambda: krippendorff_alpha(long, **columns).estimate,
        "fleiss_kappa": lambda: fleiss_kappa(long, **columns).estimate,
        "gwet_ac (AC1)": lambda: gwet_ac(long, **columns).estimate,
        "gwet_ac bootstrap 2000": lambda: (
            gwet_ac(long, **columns, method="bootstrap", n_boot=2000, seed=1).ci_low
        ),
    }
    rows = []
    for name, func in ours.items():
        value, seconds, peak = measure(func)
        rows.append({"statistic": name, "qainsights_s": seconds, "qainsights_MB": peak,
                     "value": value})  # fmt: skip
    table = pd.DataFrame(rows).set_index("statistic")
    peers = pd.DataFrame() if args.no_peers else time_peers(long)
    if "krippendorff.alpha (dense)" in peers.index:
        # the yardstick: each of ours against the krippendorff package's alpha
        table["x_faster_than_krippendorff"] = (
            peers.loc["krippendorff.alpha (dense)", "seconds"] / table["qainsights_s"]
        )
    with pd.option_context(
        "display.float_format", "{:.4g}".format, "display.width", 140, "display.max_columns", 20
    ):
        print(f"{args.items:,} items x {PER_ITEM} ratings, {N_RATERS} raters, 5 labels")
        print(table)
        if not peers.empty:
            print("\npeers on the same data")
            print(peers)


def time_peers(long: pd.DataFrame) -> pd.DataFrame:
    """Time the peers on the same data: seconds, peak MB and their value."""
    from statsmodels.stats.inter_rater import aggregate_raters
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    def statsmodels_fleiss() -> float:
        # statsmodels needs complete items x ratings (rater identity dropped)
        wide = long["label"].to_numpy().reshape(-1, PER_ITEM)
        return sm_fleiss(aggregate_raters(wide, n_cat=len(SHARES))[0])

    peers = {"statsmodels fleiss_kappa": statsmodels_fleiss}
    try:
        import krippendorff
    except ImportError:
        print("krippendorff not importable: install it outside the project (module docstring).")
    else:

        def dense_alpha() -> float:
            reliability = np.full((N_RATERS, long["item"].max() + 1), np.nan)
            reliability[long["rater"], long["item"]] = long["label"]
            return krippendorff.alpha(reliability_data=reliability, level_of_measurement="nominal")

        peers["krippendorff.alpha (dense)"] = dense_alpha
    rows = {}
    for name, func in peers.items():
        value, seconds, peak = measure(func)
        rows[name] = {"seconds": seconds, "peak_MB": peak, "value": value}
    return pd.DataFrame.from_dict(rows, orient="index")


if __name__ == "__main__":
    main()
