"""Coverage and speed of the capability intervals of the non-normal methods.

For each method, sample size and simulating distribution, ``runs`` seeded samples are drawn and
``capability(..., method=m)`` computes Ppk with its 95 % interval. The true Ppk comes from the
simulating distribution's own 0.135 %, 50 % and 99.865 % quantiles (ISO 22514-2); for Box-Cox,
whose index is defined on the transformed scale, it is the normal-theory Ppk of the log values
(lambda = 0 is the true transform of lognormal data). Box-Cox Ppk has a bootstrap interval that
re-estimates lambda; its Cpk keeps the normal-theory interval with lambda taken as known, shown
in the rows of index Cpk (independent values, so the within and overall indices share the true
value). The table prints the coverage, the share of misses on each side, the share of intervals
that contain their own estimate, the median width and the milliseconds per call (1,000
replicates).

A speed table then times the interval machinery against the textbook way of computing the same
bootstrap: resampling the rows into an (n_boot x n) array for the percentile method, and
refitting every replicate with scipy's ``weibull_min.fit`` in a loop for the Weibull method.

Run: .venv/bin/python benchmarks/bench_capability_intervals.py [--runs 400] [--quick]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from bench_trends import best_of
from scipy import stats

from qainsights.capability import capability

PROBABILITIES = np.array([0.00135, 0.5, 0.99865])
LOGNORMAL = stats.lognorm(s=0.5, scale=np.exp(1.0))
WEIBULL = stats.weibull_min(c=1.5, scale=10.0)
LSL, USL = {"lognormal": 0.5, "weibull": None}, {"lognormal": 20.0, "weibull": 40.0}


def true_ppk(dist_name: str, method: str) -> float:
    """Return the Ppk the method estimates, from the simulating distribution."""
    lsl, usl = LSL[dist_name], USL[dist_name]
    if method == "box-cox":  # normal-theory Ppk of log X ~ N(1, 0.5)
        return min(np.log(usl) - 1.0, 1.0 - np.log(lsl)) / (3 * 0.5)
    dist = LOGNORMAL if dist_name == "lognormal" else WEIBULL
    low, median, high = dist.ppf(PROBABILITIES)
    upper = (usl - median) / (high - median)
    return upper if lsl is None else min((median - lsl) / (median - low), upper)


def coverage(method: str, dist_name: str, n: int, runs: int, index: str = "Ppk") -> dict:
    """Return the coverage figures of one case."""
    dist = LOGNORMAL if dist_name == "lognormal" else WEIBULL
    truth = true_ppk(dist_name, method)
    start = time.perf_counter()
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the percentile method warns below 1,000 values
        for seed in range(runs):
            values = dist.rvs(size=n, random_state=np.random.default_rng(seed))
            result = capability(
                values,
                lsl=LSL[dist_name],
                usl=USL[dist_name],
                method=method,
                seed=seed,
                stability="ignore",
                normality="ignore",
            )
            rows.append(result.to_frame().set_index("index").loc[index])
    seconds = (time.perf_counter() - start) / runs
    table = pd.DataFrame(rows)
    low, high, estimate = table["ci_low"], table["ci_high"], table["estimate"]
    return {
        "method": method,
        "index": index,
        "data": dist_name,
        "n": n,
        "true value": round(truth, 3),
        "coverage": ((low <= truth) & (truth <= high)).mean(),
        "miss low": (truth < low).mean(),
        "miss high": (truth > high).mean(),
        "contains estimate": ((low <= estimate) & (estimate <= high)).mean(),
        "median width": (high - low).median(),
        "ms per call": 1000 * seconds,
    }


def speed(n_boot: int) -> pd.DataFrame:
    """Time capability's intervals against the textbook bootstraps of the same quantities."""
    rng = np.random.default_rng(0)
    rows = []
    for n in (1_000, 10_000):
        values = LOGNORMAL.rvs(size=n, random_state=rng)

        def rows_resampled(values=values, n=n):
            index = np.random.default_rng(1).integers(0, n, size=(n_boot, n))
            np.quantile(values[index], PROBABILITIES, axis=1)

        ours = best_of(
            lambda values=values: capability(
                values, usl=20.0, method="percentile", stability="ignore"
            )
        )
        rows.append(("percentile", n, "resample rows (n_boot x n)", best_of(rows_resampled), ours))
    values = WEIBULL.rvs(size=200, random_state=rng)
    shape, _, scale = stats.weibull_min.fit(values, floc=0.0)
    refits = 100

    def scipy_loop():
        samples = stats.weibull_min(shape, scale=scale).rvs(size=(refits, 200), random_state=2)
        for sample in samples:
            stats.weibull_min.fit(sample, floc=0.0)

    loop = best_of(scipy_loop, repeats=1) * n_boot / refits
    ours = best_of(lambda: capability(values, usl=40.0, method="weibull", stability="ignore"))
    rows.append(("weibull", 200, f"scipy fit per replicate (from {refits})", loop, ours))
    table = pd.DataFrame(
        rows, columns=["method", "n", "peer", "peer seconds", "capability seconds"]
    )
    table["x faster"] = table["peer seconds"] / table["capability seconds"]
    return table


def main(runs: int, quick: bool) -> None:
    sizes = {"lognormal": (30, 100, 500), "weibull": (30, 100, 500), "box-cox": (30, 100, 500)}
    sizes["percentile"] = (1_000, 5_000)
    if quick:
        sizes = {method: values[:1] for method, values in sizes.items()}
    cases = [
        (method, "weibull" if method == "weibull" else "lognormal", n, "Ppk")
        for method, values in sizes.items()
        for n in values
    ]
    cases += [("box-cox", "lognormal", n, "Cpk") for n in sizes["box-cox"]]
    print(f"Nominal 95 % intervals, {runs} seeded samples per row, 1,000 replicates")
    table = pd.DataFrame([coverage(m, data, n, runs, index) for m, data, n, index in cases])
    with pd.option_context("display.width", 160):
        print(table.round(3).to_string(index=False))
        print()
        print(speed(1000).round(3).to_string(index=False))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--quick", action="store_true", help="one size per method, 50 runs")
    arguments = parser.parse_args()
    main(50 if arguments.quick else arguments.runs, arguments.quick)
