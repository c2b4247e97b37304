"""Calibration of the segment scan, the over-dispersion test, rates and the report.

Every row measures, on simulated worlds where the truth is known, the false-positive rate of a
p-value at nominal 5 % (the share of null replicates with p < 0.05) or the coverage of a 95 %
interval (the share of replicates whose interval holds the true value), each with its Wilson
95 % interval, and, where a planted effect makes sense, the power beside the power of the
method the library used before (``power_before``). The worlds are those of moderation data:
weekly site x queue cells of 2 to 2,000 audits, moderators with an intra-class correlation of
0.005 to 0.05 on the latent scale, site x week shocks with a logit standard deviation of 0,
0.15 or 0.3 (independent, or AR(1) with coefficient 0.5), and sampling weights 1 to 20.

The report rows build the Monthly Quality Report's change findings (control charts, what
changed, root causes; the HTML is not rendered) for at least 100 simulated months without any
planted effect (``simulate_audits(effects=False)``) at 300 and at 2,000 audits a week, and count
the months with a high- or medium-priority claim of change. ``--before REF`` measures the same
on the library at git revision REF (in a subprocess on an exported copy) for the before/after
comparison.

Run: python benchmarks/calibration_spc_report.py [--quick] [--before REF]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from statsmodels.stats.proportion import proportion_confint

COLUMNS = [
    "function",
    "world",
    "nominal",
    "replicates",
    "false_positive_rate",
    "fpr_ci_low",
    "fpr_ci_high",
    "coverage",
    "cov_ci_low",
    "cov_ci_high",
    "power",
    "power_before",
    "note",
    "unwarned_rate",
]
ROOT = Path(__file__).resolve().parents[1]
BASE_RATE = 0.04


def wilson(successes: float, trials: int) -> tuple[float, float]:
    """Wilson 95 % interval of a rate (statsmodels)."""
    low, high = proportion_confint(successes, trials, alpha=0.05, method="wilson")
    return float(low), float(high)


def row(
    function: str,
    world: str,
    replicates: int,
    *,
    rejections: np.ndarray | None = None,
    covered: np.ndarray | None = None,
    power: float = np.nan,
    power_before: float = np.nan,
    note: str = "",
    warned: np.ndarray | None = None,
) -> dict:
    """One table row from the per-replicate outcomes (booleans). ``warned`` marks the
    replicates in which the function warned that its answer is unreliable; ``unwarned_rate``
    is then the false-positive rate or coverage of the others."""
    out = dict.fromkeys(COLUMNS, np.nan)
    out.update(function=function, world=world, nominal=0.05 if covered is None else 0.95)
    out.update(replicates=replicates, power=power, power_before=power_before, note=note)
    if rejections is not None:
        rate = float(np.mean(rejections))
        out.update(false_positive_rate=rate)
        out["fpr_ci_low"], out["fpr_ci_high"] = wilson(np.sum(rejections), len(rejections))
    if covered is not None:
        out.update(coverage=float(np.mean(covered)))
        out["cov_ci_low"], out["cov_ci_high"] = wilson(np.sum(covered), len(covered))
    outcomes = covered if covered is not None else rejections
    if warned is not None and outcomes is not None and not np.all(warned):
        out["unwarned_rate"] = float(np.mean(outcomes[~warned]))
    return out


def part_rows(parts: dict, seed: list[int], quick: bool) -> pd.DataFrame:
    """The rows of every part of a module (each ``part(rng, quick) -> list of rows``), drawn
    in order from one generator seeded with ``seed``."""
    rng = np.random.default_rng(seed)
    found = [part(rng, quick) for part in parts.values()]
    return pd.DataFrame([r for part in found for r in part], columns=COLUMNS)


def run_parts(description: str, parts: dict, seed: list[int]) -> None:
    """The command line of a module of parts: all of them, or ``--part`` one (from a
    generator of its own with the same seed), ``--quick`` and ``--save`` a pickle file."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="fewer replicates (a smoke run)")
    parser.add_argument("--part", choices=list(parts), help="one part")
    parser.add_argument("--save", help="also write the rows to this pickle file")
    args = parser.parse_args()
    start = time.perf_counter()
    chosen = {args.part: parts[args.part]} if args.part else parts
    result = part_rows(chosen, seed, args.quick)
    if args.save:
        result.to_pickle(args.save)
    with pd.option_context("display.width", 250, "display.max_colwidth", 90):
        print(result.drop(columns=["note"]).to_string())
    print(f"{time.perf_counter() - start:.0f} s")


# --- weekly segment cells -----------------------------------------------------------------


def moderator_sd(icc: float) -> float:
    """Logit-scale standard deviation of moderators giving a latent intra-class correlation."""
    return float(np.sqrt(icc / (1.0 - icc) * np.pi**2 / 3.0))


def beta_rates(rng, rate: float, icc: float, shape: tuple[int, ...]) -> np.ndarray:
    """Units' error rates with mean ``rate`` and intra-class correlation ``icc`` (beta:
    ``icc = 1 / (a + b + 1)``); all equal to ``rate`` when ``icc`` is 0 (no draw)."""
    if icc == 0:
        return np.full(shape, rate)
    total = (1 - icc) / icc
    return rng.beta(rate * total, (1 - rate) * total, shape)


def shocks(rng, segments: int, weeks: int, sd: float, ar: float) -> np.ndarray:
    """Stationary site x week shocks (segments x weeks): AR(1) with coefficient ``ar``."""
    noise = rng.standard_normal((segments, weeks)) * sd
    out = np.empty_like(noise)
    out[:, 0] = noise[:, 0]
    for week in range(1, weeks):  # a recursion over 26 weeks, vectorised over segments
        out[:, week] = ar * out[:, week - 1] + np.sqrt(1 - ar**2) * noise[:, week]
    return out


def cells(
    rng,
    *,
    segments: int,
    weeks: int = 26,
    size: int | str,
    icc: float,
    shock_sd: float,
    ar: float = 0.0,
    latest_odds_ratio: float = 1.0,
    moderators: int = 8,
    shifted: int = 1,
) -> pd.DataFrame:
    """Weekly error counts of ``segments`` stable segments (the ``shifted`` latest weeks may
    have their odds of an error multiplied by ``latest_odds_ratio``).

    Each cell's audits are split evenly among ``moderators`` of its segment (a moderator's
    logit effect is drawn once per segment), and each cell gets its shock.
    """
    if size == "mixed":
        per_segment = np.exp(rng.uniform(np.log(2), np.log(2000), segments)).round()
        n = np.repeat(per_segment[:, None], weeks, axis=1).astype(np.int64)
    else:
        n = np.full((segments, weeks), int(size))
    effect = rng.normal(0, moderator_sd(icc), (segments, moderators))
    level = logit(BASE_RATE) + shocks(rng, segments, weeks, shock_sd, ar)
    level[:, -shifted:] += np.log(latest_odds_ratio)
    share = np.arange(moderators)[None, None, :] < (n[:, :, None] % moderators)
    per_moderator = n[:, :, None] // moderators + share
    p = expit(level[:, :, None] + effect[:, None, :])
    errors = rng.binomial(per_moderator, p).sum(axis=2)
    return pd.DataFrame(
        {
            "segment": np.repeat(np.arange(segments), weeks),
            "week": np.tile(np.arange(weeks), segments),
            "errors": errors.ravel(),
            "n": n.ravel(),
        }
    )


def laney_normal_p(data: pd.DataFrame, weeks: int) -> np.ndarray:
    """The previous latest-point p-value: 2 Phi(-|z / sigma_z|) of Laney's p' (all weeks)."""
    from scipy.stats import norm

    x = data["errors"].to_numpy().reshape(-1, weeks)
    n = data["n"].to_numpy().reshape(-1, weeks)
    rate = x.sum(axis=1, keepdims=True) / n.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (x / n - rate) / np.sqrt(rate * (1 - rate) / n)
        sigma_z = np.abs(np.diff(z, axis=1)).mean(axis=1) / 1.128
        return 2 * norm.sf(np.abs(z[:, -1] / sigma_z))


def scan_rows(rng, quick: bool) -> list[dict]:
    """Latest-point p-values of ``control_charts(chart="laney_p")`` on weekly segment cells."""
    from qainsights.spc import control_charts

    segments = 400 if quick else 2000
    worlds = [
        (2, 0.02, 0.15, 0.0),
        (5, 0.02, 0.15, 0.0),
        (20, 0.02, 0.15, 0.0),
        (200, 0.02, 0.15, 0.0),
        (2000, 0.02, 0.15, 0.0),
        ("mixed", 0.02, 0.15, 0.0),
        (20, 0.005, 0.0, 0.0),
        (20, 0.05, 0.3, 0.0),
        (20, 0.05, 0.3, 0.5),
        (200, 0.005, 0.0, 0.0),
        (200, 0.05, 0.3, 0.0),
        (200, 0.05, 0.3, 0.5),
    ]
    out = []
    for size, icc, sd, ar in worlds:
        world = (
            f"cells of {size if size != 'mixed' else '2-2,000'} audits x 26 weeks, ICC {icc}, "
            f"shocks sd {sd}{' AR(0.5)' if ar else ''}"
        )
        found = {}
        for label, odds in (("null", 1.0), ("effect", 3.0)):
            data = cells(
                rng,
                segments=segments,
                size=size,
                icc=icc,
                shock_sd=sd,
                ar=ar,
                latest_odds_ratio=odds,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                scan = control_charts(
                    data,
                    by="segment",
                    chart="laney_p",
                    subgroup="week",
                    defects="errors",
                    n="n",
                    rules="limits",
                )
            p = scan.segments["p_value"].to_numpy()
            found[label] = (p[np.isfinite(p)] < 0.05, laney_normal_p(data, 26))
        new, old = found["null"]
        out.append(
            row(
                "control_charts laney_p: latest-point p_value (exact beta-binomial)",
                world,
                len(new),
                rejections=new,
                power=float(np.mean(found["effect"][0])),
                power_before=float(np.nanmean(found["effect"][1] < 0.05)),
                note="power: latest week at odds ratio 3; before: normal tail of Laney's z",
            )
        )
        usable = np.isfinite(old)
        out.append(
            row(
                "control_charts laney_p: latest-point p_value, before (normal tail of z)",
                world,
                int(usable.sum()),
                rejections=old[usable] < 0.05,
            )
        )
    return out


def count_scan_rows(rng, quick: bool) -> list[dict]:
    """Latest-point p-values of the c, u, Laney u' and individuals scans on stable series.

    Defects per segment and week are Poisson (gamma-Poisson with shape 10 for Laney's u'),
    measurements for the individuals chart normal; ``before`` is the normal tail of the
    latest ``z``, which the c and u charts used until their exact gamma-Poisson tail.
    """
    from scipy.stats import norm

    from qainsights.spc import control_charts

    segments, weeks = (400 if quick else 2000), 26
    worlds = [("c", 0.5, None), ("c", 2.0, None), ("c", 20.0, None), ("u", 2, None),
              ("u", 20, None), ("u", 200, None), ("laney_u", 20, 10.0), ("laney_u", 200, 10.0),
              ("i", None, None)]  # fmt: skip
    out = []
    for chart, size, shape in worlds:
        found = {}
        for label, shift in (("null", 1.0), ("effect", 3.0)):
            frame = pd.DataFrame({"segment": np.repeat(np.arange(segments), weeks),
                                  "week": np.tile(np.arange(weeks), segments)})  # fmt: skip
            if chart == "i":
                values = rng.normal(10.0, 2.0, (segments, weeks))
                values[:, -1] += 4.0 if label == "effect" else 0.0  # 2 sd
                frame["v"], columns = values.ravel(), {"values": "v"}
                world = "normal measurements x 26 weeks"
            else:
                exposure = np.full((segments, weeks), 1.0 if chart == "c" else float(size))
                mean = size if chart == "c" else BASE_RATE * exposure
                mean = np.broadcast_to(mean, (segments, weeks)).copy()
                if shape:
                    mean = rng.gamma(shape, mean / shape)
                mean[:, -1] *= shift
                frame["x"], frame["n"] = rng.poisson(mean).ravel(), exposure.ravel()
                columns = {"defects": "x"} | ({} if chart == "c" else {"n": "n"})
                world = (f"Poisson counts, mean {size} per subgroup" if chart == "c" else
                         f"{size} audits per subgroup, {BASE_RATE} defects per audit"
                         + (f", gamma-Poisson shape {shape:g}" if shape else ""))  # fmt: skip
                world += " x 26 weeks"
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                scan = control_charts(frame, by="segment", chart=chart, subgroup="week",
                                      rules="limits", **columns)  # fmt: skip
            p = scan.segments["p_value"].to_numpy()
            last = scan.table.groupby("segment").tail(1)["z"].to_numpy()
            found[label] = (p[np.isfinite(p)] < 0.05, 2 * norm.sf(np.abs(last)))
        new, old = found["null"]
        exact = chart in ("c", "u")
        out.append(row(
            f"control_charts {chart}: latest-point p_value"
            + (" (exact gamma-Poisson)" if exact else " (normal tail of z)"),
            world, len(new), rejections=new, power=float(np.mean(found["effect"][0])),
            power_before=float(np.nanmean(found["effect"][1] < 0.05)) if exact else np.nan,
            note="power: latest week x 3 (individuals: + 2 sd)"
            + ("; before: normal tail of z" if exact else ""),
        ))  # fmt: skip
        if exact:
            usable = np.isfinite(old)
            out.append(row(f"control_charts {chart}: latest-point p_value, before (normal tail "
                           "of z)", world, int(usable.sum()), rejections=old[usable] < 0.05))  # fmt: skip
    return out


def overdispersion_rows(rng, quick: bool) -> list[dict]:
    """``overdispersion_test`` on binomial counts (null) and beta-binomial ones (rho 0.01)."""
    from qainsights.spc import overdispersion_test

    series = 500 if quick else 2000
    out = []
    for size in (5, 20, 200, 2000):
        outcome = {}
        for label, rho in (("null", 0.0), ("effect", 0.01)):
            n = np.full((series, 26), size)
            x = rng.binomial(n, beta_rates(rng, BASE_RATE, rho, n.shape))
            frame = pd.DataFrame(
                {"series": np.repeat(np.arange(series), 26), "x": x.ravel(), "n": n.ravel()}
            )
            result = overdispersion_test(frame, defects="x", n="n", by="series")
            outcome[label] = result["p_value"].to_numpy() < 0.05
        out.append(
            row(
                "overdispersion_test p_value (chi-square)",
                f"binomial, 26 subgroups of {size}",
                series,
                rejections=outcome["null"],
                power=float(np.mean(outcome["effect"])),
                note="power: beta-binomial rho 0.01",
            )
        )
    return out


def marginal_rate(rate: float, sd: float) -> float:
    """E[expit(logit(rate) + u)], u ~ N(0, sd^2), by Gauss-Hermite quadrature (60 nodes)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(60)
    return float(np.sum(weights * expit(logit(rate) + sd * nodes)) / np.sqrt(2 * np.pi))


#: The severity index's intervals, the default first.
METHOD_NOTES = {
    "gamma": "default: Fay-Feuer gamma interval of a weighted Poisson sum (conservative)",
    "normal": "before: normal interval of a mean (weighted: Taylor-linearised, strata); always warns",
}


def severity_rows(rng, quick: bool) -> list[dict]:
    """Coverage of ``severity_index``'s interval, unweighted and with weights 1 and 20."""
    from qainsights.rca import SEVERITY_WEIGHTS, severity_index

    runs = 300 if quick else 2000
    levels = list(SEVERITY_WEIGHTS)
    shares = np.array([0.5, 0.3, 0.15, 0.05])  # low, medium, high, critical
    mean_points = float(shares @ np.array([SEVERITY_WEIGHTS[k] for k in levels]))
    out = []
    for size, weighted in ((200, False), (1000, False), (200, True), (1000, True)):
        half = size // 2
        strata = np.repeat([0, 1], half)
        rates = np.where(strata == 1, 0.06, 0.03) if weighted else np.full(size, BASE_RATE)
        weight = np.where(strata == 1, 20.0, 1.0) if weighted else np.ones(size)
        errors = rng.random((runs, size)) < rates
        severity = np.array(levels, dtype=object)[rng.choice(4, (runs, size), p=shares)]
        audits = pd.DataFrame(
            {
                "run": np.repeat(np.arange(runs), size),
                "is_error": errors.ravel(),
                "severity": np.where(errors.ravel(), severity.ravel(), None),
                "weight": np.tile(weight, runs),
                "stratum": np.tile(strata, runs),
            }
        )
        truth = 100 * mean_points * float(weight @ rates / weight.sum())
        design = {"weight": "weight", "strata": "stratum"} if weighted else {}
        rate_text = "3 % and 6 %, weights 1 and 20 by stratum" if weighted else f"{BASE_RATE:.0%}"
        for method, note in METHOD_NOTES.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # normal: runs without an error warn, and miss
                result = severity_index(audits, by="run", method=method, **design)
            covered = (result["ci_low"] <= truth) & (truth <= result["ci_high"])
            out.append(
                row(
                    f"severity_index interval ({method}" + (", weighted)" if weighted else ")"),
                    f"{size:,} audits, error rate {rate_text}",
                    runs,
                    covered=covered.to_numpy(),
                    note=note,
                )
            )
    return out


def rate_rows(rng, quick: bool) -> list[dict]:
    """Coverage of ``proportion_ci`` (the default modified Wilson, Wilson and, where
    ``n p < 1``, Clopper-Pearson) and ``error_rate`` under clustering and weights, and the
    share of ``error_rate`` calls without ``cluster`` that warn of clustering."""
    from qainsights import error_rate, proportion_ci

    replicates = 1000 if quick else 4000
    out = []
    for size in (2, 20, 200, 2000):
        k = rng.binomial(size, BASE_RATE, replicates)
        small = size < 1 / BASE_RATE
        for method in ("modified_wilson", "wilson", "clopper_pearson")[: 3 if small else 2]:
            low, high = proportion_ci(k, np.full(replicates, size), method=method)
            name = f"{method}, the default" if method == "modified_wilson" else method
            out.append(
                row(
                    f"proportion_ci ({name})",
                    f"binomial n = {size}, p = {BASE_RATE}",
                    replicates,
                    covered=(low <= BASE_RATE) & (high >= BASE_RATE),
                    note="Wilson dips below 95 % where n p < 1; the default's Poisson bound "
                    "and the exact interval do not"
                    if small
                    else "",
                )
            )
    runs = 300 if quick else 2000
    worlds = ((0.005, False, 25), (0.05, False, 25), (0.02, True, 25), (0.0, False, 25),
              (0.05, False, 100))  # fmt: skip
    for icc, weighted, per_moderator in worlds:
        sd = moderator_sd(icc)
        moderators = 40
        effect = rng.normal(0, sd, (runs, moderators))
        strata = np.where(np.arange(moderators) < moderators // 2, 0, 1)
        base = np.where(strata == 1, 0.06, 0.03) if weighted else np.full(moderators, BASE_RATE)
        p = expit(logit(base)[None, :] + effect)
        x = rng.binomial(1, np.repeat(p, per_moderator, axis=1))
        weight = np.repeat(np.where(strata == 1, 20.0, 1.0), per_moderator)
        audits = pd.DataFrame(
            {
                "run": np.repeat(np.arange(runs), moderators * per_moderator),
                "moderator_id": np.repeat(np.arange(runs * moderators), per_moderator),
                "is_error": x.ravel().astype(bool),
                "weight": np.tile(weight, runs),
                "stratum": np.tile(np.repeat(strata, per_moderator), runs),
            }
        )
        size = f"{moderators * per_moderator:,} audits"
        # the rate of the decisions the audits were drawn from: each moderator's audits stand
        # for (weight x audits) decisions of that moderator's error rate
        stands_for = weight[::per_moderator] if weighted else np.ones(moderators)
        roster = (p * stands_for).sum(axis=1) / stands_for.sum()
        if weighted:
            truth = (marginal_rate(0.03, sd) + 20 * marginal_rate(0.06, sd)) / 21
            design = {"weight": "weight", "strata": "stratum"}
            world = f"{size}, 40 moderators, ICC {icc}, weights 1 and 20 by stratum"
        else:
            truth = marginal_rate(BASE_RATE, sd)
            design = {}
            world = f"{size}, 40 moderators x {per_moderator}, ICC {icc}"
        for cluster in (None, "moderator_id"):
            with warnings.catch_warnings():  # the check of all runs together is not measured
                warnings.simplefilter("ignore", UserWarning)
                result = error_rate(audits, by="run", cluster=cluster, **design)
            covered = (result["ci_low"] <= truth) & (truth <= result["ci_high"])
            out.append(
                row(
                    "error_rate interval" + (", cluster='moderator_id'" if cluster else ""),
                    world,
                    runs,
                    covered=covered.to_numpy(),
                    note="the process's rate; moderators as clusters (Taylor variance of "
                    "cluster sums, Korn-Graubard df)"
                    if cluster
                    else "the process's rate; audits treated as independent (no cluster argument)",
                )
            )
            if cluster is None:
                low, high = result["ci_low"].to_numpy(), result["ci_high"].to_numpy()
                out.append(
                    row(
                        "error_rate interval, rate of the roster's decisions",
                        world,
                        runs,
                        covered=(low <= roster) & (roster <= high),
                        note="no cluster argument; the truth is the error rate of the "
                        "decisions the audits were drawn from (these moderators, this month)",
                    )
                )
        # the interval of independent audits misses the target at ICC 0.05 (table below)
        out += clustering_warning_rows(audits, design, world, icc=icc, needed=icc >= 0.05)
    return out


def clustering_warning_rows(
    audits: pd.DataFrame, design: dict, world: str, *, icc: float, needed: bool
) -> list[dict]:
    """Share of ``error_rate`` calls (one per run, no ``cluster``) that warn of clustering.

    At ICC 0 a warning is a false alarm (false-positive column); elsewhere the share warned is
    in the power column, with a note saying whether the interval of independent audits meets
    the coverage target there. Two rows: the rule now and, as ``before``, the same calls with
    the former level of the over-dispersion test (p < 0.01).
    """
    from qainsights import _design, error_rate

    rule = f"p < {_design.CLUSTERING_P:g}, design effect > {_design.CLUSTERING_DEFF:g}"
    out = []
    for level, label in (
        (_design.CLUSTERING_P, rule),
        (0.01, "before: p < 0.01, design effect > 1.1"),
    ):
        warned = []
        saved, _design.CLUSTERING_P = _design.CLUSTERING_P, level
        try:
            for _, one in audits.groupby("run", sort=True):  # one call per simulated month
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    error_rate(one.drop(columns="run"), **design)
                warned.append(any("cluster by moderator" in str(w.message) for w in caught))
        finally:
            _design.CLUSTERING_P = saved
        warned = np.array(warned)
        low, high = wilson(warned.sum(), warned.size)
        before = label.startswith("before")
        name = "error_rate: warning that errors cluster by moderator" + (
            ", before" if before else ""
        )
        share = f"share of calls warned {100 * warned.mean():.1f} % (Wilson {100 * low:.1f}-{100 * high:.1f})"
        if icc == 0:
            out.append(
                row(
                    name,
                    world,
                    warned.size,
                    rejections=warned,
                    note=f"{label}; audits independent: every warning is a false alarm",
                )
            )
            continue
        verdict = "misses" if needed else "meets"
        out.append(row(name, world, warned.size, power=warned.mean(),
                       note=f"{label}; {share}; the interval of independent audits {verdict} "
                            "the target here"))  # fmt: skip
    return out


def compare_rows(rng, quick: bool) -> list[dict]:
    """``compare_periods`` (unweighted) between two months of one stable process."""
    from qainsights.trends import compare_periods

    runs = 500 if quick else 2000
    out = []
    for icc in (0.0, 0.005, 0.05):
        moderators, per_moderator = 40, 25
        effect = rng.normal(0, moderator_sd(icc) if icc else 0.0, (runs, moderators))
        p = expit(logit(BASE_RATE) + effect)
        errors = rng.binomial(per_moderator, p[:, :, None].repeat(2, axis=2)).sum(axis=1)
        frame = pd.DataFrame(
            {
                "run": np.repeat(np.arange(runs), 2),
                "period": np.tile(["before", "after"], runs),
                "errors": errors.ravel(),
                "n": moderators * per_moderator,
            }
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            result = compare_periods(
                frame,
                by="run",
                period="period",
                current="after",
                baseline="before",
                errors="errors",
                n="n",
            )
        p_value = result.segments["p_value"].to_numpy()
        out.append(
            row(
                "compare_periods p_value (unweighted)",
                f"1,000 audits a month, 40 moderators kept, ICC {icc}",
                runs,
                rejections=p_value < 0.05,
                note="the same moderators in both months",
            )
        )
    return out


def compare_shock_rows(rng, quick: bool) -> list[dict]:
    """``compare_periods`` between 13 baseline weeks and 7 current weeks of
    :data:`WEEK_SEGMENTS` stable segments compared together, whose weeks share shocks
    (logit-normal, sd 0 to 0.3: a backlog, a tooling outage; independent, or AR(1) with
    coefficient 0.5 at sd 0.3), each week a period of the comparison: the default (dispersion
    from the weeks within each side, allowing for shocks that persist) beside
    ``serial=False`` (the weeks taken as independent, the default before) and
    ``dispersion="binomial"``, with their power where the current weeks' odds of an error
    are :data:`WEEK_SHIFT` times higher in every segment."""
    runs = 25 if quick else 200
    out = []
    for sd, ar in ((0.0, 0.0), (0.15, 0.0), (0.3, 0.0), (0.3, 0.5)):
        for per_week in (80, 400):
            world = (f"{WEEKS_BEFORE} weeks against {WEEKS_AFTER}, {per_week} audits a week, "
                     f"{WEEK_SEGMENTS} segments, week shocks sd {sd}{' AR(0.5)' if ar else ''}")  # fmt: skip
            null = _week_comparisons(rng, runs, per_week, sd, ar, shift=1.0)
            planted = _week_comparisons(rng, runs, per_week, sd, ar, shift=WEEK_SHIFT)
            power = {way: float(np.mean(planted[way]["p_value"] < 0.05)) for way in planted}
            tested = len(null["periods"])
            out.append(row(
                "compare_periods p_value (weeks as periods)", world, tested,
                rejections=null["periods"]["p_value"].to_numpy() < 0.05,
                power=power["periods"], power_before=power["independent"],
                note="default: dispersion from the weeks within each side allowing for shocks "
                     f"that persist, t on their df; power at odds ratio {WEEK_SHIFT}",
            ))  # fmt: skip
            out.append(row(
                "compare_periods p_value (weeks as periods), serial=False", world, tested,
                rejections=null["independent"]["p_value"].to_numpy() < 0.05,
                note="before: the weeks taken as independent",
            ))  # fmt: skip
            out.append(row(
                "compare_periods p_value (weeks as periods), dispersion='binomial'", world,
                tested, rejections=null["binomial"]["p_value"].to_numpy() < 0.05,
                note="the weeks' audits pooled as independent; a week's shock is shared by "
                     f"its audits; power {power['binomial']:.2f}",
            ))  # fmt: skip
            default = null["periods"]
            out.append(row(
                "compare_periods difference interval (weeks as periods)", world, tested,
                covered=((default["ci_low"] <= 0) & (default["ci_high"] >= 0)).to_numpy(),
                note="default; the truth is no difference",
            ))  # fmt: skip
    return out


def compare_cell_rows(rng, quick: bool) -> list[dict]:
    """``compare_periods`` over 13 weeks against 7 of :data:`WEEK_SEGMENTS` weekly cells of 5,
    20 or 2-2,000 audits (:func:`cells`: each cell's audits shared among 8 moderators), with
    moderators clustering errors and weeks sharing shocks: the default (``"periods"``) and
    ``dispersion="moderated"``, their false-positive rates and the default's coverage, and
    power where the current weeks' odds of an error are :data:`WEEK_SHIFT` times higher,
    beside ``serial=False`` (the default before)."""
    runs = 25 if quick else 150
    ways = {
        "periods": {},
        "moderated": {"dispersion": "moderated"},
        "independent": {"serial": False},
    }
    out = []
    for size in (5, 20, "mixed"):
        for icc, sd, ar in ((0.05, 0.15, 0.0), (0.02, 0.3, 0.5)):
            audits = "2-2,000" if size == "mixed" else size
            world = (f"{WEEKS_BEFORE} weeks against {WEEKS_AFTER}, {WEEK_SEGMENTS} segments of "
                     f"{audits} audits a week, moderator ICC {icc}, week shocks sd {sd}"
                     f"{' AR(0.5)' if ar else ''}")  # fmt: skip
            null, shifted = (
                cell_comparisons(rng, runs, size=size, icc=icc, sd=sd, ar=ar, odds=odds, ways=ways)
                for odds in (1.0, WEEK_SHIFT)
            )
            power = {way: float(np.mean(t["p_value"] < 0.05)) for way, t in shifted.items()}
            tested = null["periods"]["p_value"].notna()
            for way, name in (("periods", ""), ("moderated", ", dispersion='moderated'")):
                out.append(row(
                    f"compare_periods p_value (weeks as periods){name}", world, int(tested.sum()),
                    rejections=null[way].loc[tested, "p_value"].to_numpy() < 0.05,
                    power=power[way], power_before=power["independent"],
                    note=f"power at odds ratio {WEEK_SHIFT}; before: serial=False",
                ))  # fmt: skip
            default = null["periods"][tested]
            out.append(row(
                "compare_periods difference interval (weeks as periods)", world, int(tested.sum()),
                covered=((default["ci_low"] <= 0) & (default["ci_high"] >= 0)).to_numpy(),
                note="default; the truth is no difference",
            ))  # fmt: skip
    return out


def cell_comparisons(rng, runs: int, *, size, icc, sd, ar, odds, ways: dict) -> dict:
    """The ``compare_periods`` segments of ``runs`` comparisons of 13 weeks against 7 of
    :data:`WEEK_SEGMENTS` cells (:func:`cells`; the current weeks' odds of an error ``odds``
    times the baseline's), one frame per way of ``ways`` (its keyword arguments)."""
    from qainsights.trends import compare_periods

    weeks = WEEKS_BEFORE + WEEKS_AFTER
    sides = {"current": list(range(WEEKS_BEFORE, weeks)), "baseline": list(range(WEEKS_BEFORE))}
    found = {way: [] for way in ways}
    for _ in range(runs):  # one comparison of several segments a run
        frame = cells(rng, segments=WEEK_SEGMENTS, weeks=weeks, size=size, icc=icc,
                      shock_sd=sd, ar=ar, latest_odds_ratio=odds, shifted=WEEKS_AFTER)  # fmt: skip
        for way, options in ways.items():
            found[way].append(compare_periods(frame, by="segment", period="week",
                                              errors="errors", n="n", **sides,
                                              **options).segments)  # fmt: skip
    return {way: pd.concat(frames, ignore_index=True) for way, frames in found.items()}


#: Weeks of the baseline and current sides of :func:`compare_shock_rows`.
WEEKS_BEFORE, WEEKS_AFTER = 13, 7
#: Segments compared together in each comparison of :func:`compare_shock_rows`.
WEEK_SEGMENTS = 12
#: Odds ratio of an error in the current weeks where :func:`compare_shock_rows` plants a change.
WEEK_SHIFT = 1.35


def _week_comparisons(rng, runs: int, per_week: int, sd: float, ar: float, *, shift: float) -> dict:
    """``compare_periods`` segments of ``runs`` simulated comparisons of
    :data:`WEEK_SEGMENTS` segments each (week shocks AR(1) with coefficient ``ar``), per way
    of reading the weeks: the default, ``serial=False`` and ``dispersion="binomial"``."""
    from qainsights.trends import compare_periods

    weeks = WEEKS_BEFORE + WEEKS_AFTER
    current = np.arange(weeks) >= WEEKS_BEFORE
    sides = {"current": list(range(WEEKS_BEFORE, weeks)), "baseline": list(range(WEEKS_BEFORE))}
    ways = {"periods": {}, "independent": {"serial": False}, "binomial": {"dispersion": "binomial"}}
    out = {way: [] for way in ways}
    for _ in range(runs):  # one comparison of several segments a run
        log_odds = logit(BASE_RATE) + shocks(rng, WEEK_SEGMENTS, weeks, sd, ar)
        frame = pd.DataFrame({
            "segment": np.repeat(np.arange(WEEK_SEGMENTS), weeks),
            "week": np.tile(np.arange(weeks), WEEK_SEGMENTS),
            "errors": rng.binomial(per_week, expit(log_odds + np.log(shift) * current)).ravel(),
            "n": per_week,
        })  # fmt: skip
        for way, options in ways.items():
            out[way].append(compare_periods(frame, by="segment", period="week", errors="errors",
                                            n="n", **sides, **options).segments)  # fmt: skip
    return {way: pd.concat(frames, ignore_index=True) for way, frames in out.items()}


# --- the report's null months ---------------------------------------------------------------

#: Sections whose high- or medium-priority findings claim a change.
CHANGE_SECTIONS = ("control_charts", "change", "root_causes")


def month_claims(size: int, seeds: range, effects) -> list[dict]:
    """Per simulated month: whether the report claims a change (and names the planted segment)."""
    from qainsights.datasets import simulate_audits
    from qainsights.report.monthly import build_monthly_report

    out = []
    for seed in seeds:  # one report per simulated month
        audits = simulate_audits(seed=seed, effects=effects, audits_per_week=size).audits
        month = "2026-09" if effects else None
        start = time.perf_counter()
        report = build_monthly_report(audits, month=month, sections=list(CHANGE_SECTIONS))
        seconds = time.perf_counter() - start
        table = report.to_frame()
        claims = table[
            table["priority"].isin(["high", "medium"])
            & table["section"].isin(CHANGE_SECTIONS)
            & ~table["finding"].str.startswith("The vital few")
        ]
        named = claims["finding"].str.contains("Hyderabad", regex=False).any()
        out.append(
            {
                "seed": seed,
                "claim": not claims.empty,
                "named": bool(named),
                "seconds": seconds,
                "sections": sorted(set(claims["section"])),
            }
        )
    return out


def exported(ref: str) -> str:
    """A copy of the library at git revision ``ref`` in a temporary folder."""
    folder = tempfile.mkdtemp(prefix="qainsights-before-")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "qainsights"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
    return folder


def claims_before(ref: str, size: int, seeds: range, effects) -> list[dict]:
    """:func:`month_claims` run on the library at ``ref`` (a subprocess)."""
    folder = exported(ref)
    arguments = json.dumps(
        {"size": size, "start": seeds.start, "stop": seeds.stop, "effects": effects}
    )
    child = subprocess.run(
        [sys.executable, __file__, "--months", arguments],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": folder},
    )
    return json.loads(child.stdout)


def report_rows(quick: bool, before: str | None) -> list[dict]:
    """Null months at 300 and 2,000 audits a week, and power at the planted degradation."""
    months = 20 if quick else 400
    planted = 10 if quick else 100
    degradation = ["site_queue_degradation"]
    out = []
    for size in (300, 2000):
        null = month_claims(size, range(months), False)
        effect = month_claims(size, range(planted), degradation)
        old = old_effect = None
        if before:
            old = claims_before(before, size, range(months), False)
            old_effect = claims_before(before, size, range(planted), degradation)
        seconds = np.mean([m["seconds"] for m in null])
        out.append(
            row(
                "Monthly Quality Report: high/medium claim of change",
                f"simulate_audits(effects=False), {size:,} audits a week",
                months,
                rejections=np.array([m["claim"] for m in null]),
                power=float(np.mean([m["named"] for m in effect])),
                power_before=(
                    np.nan
                    if old_effect is None
                    else float(np.mean([m["named"] for m in old_effect]))
                ),
                note=(
                    f"power: a claim naming Hyderabad in 2026-09 (x 2.3 odds from 09-07); "
                    f"{seconds:.1f} s a month to build the change sections"
                ),
            )
        )
        if old is not None:
            out.append(
                row(
                    "Monthly Quality Report: high/medium claim of change, before",
                    f"simulate_audits(effects=False), {size:,} audits a week",
                    months,
                    rejections=np.array([m["claim"] for m in old]),
                    note=f"library at {before}",
                )
            )
    return out


def _binomial_p(overall: pd.Series) -> float:
    """The tile's test before: the two months' effective counts as independent binomials."""
    from qainsights.trends._inference import two_proportion_test

    n1 = overall.get("n_eff_current", overall["n_current"])
    n0 = overall.get("n_eff_baseline", overall["n_baseline"])
    p_value, _ = two_proportion_test(overall["rate_current"] * n1, n1,
                                     overall["rate_baseline"] * n0, n0)  # fmt: skip
    return float(np.ravel(p_value)[0])


def planted(audits: pd.DataFrame, month: str, points: float, seed: int) -> pd.DataFrame:
    """``audits`` with the error rate of ``month`` raised by about ``points`` (each correct
    audit of the month turned into an error with probability ``points / (1 - rate)``)."""
    inside = (audits["month"] == month).to_numpy()
    y = audits["is_error"].to_numpy(dtype=bool)
    w = audits["weight"].to_numpy(dtype="float64")
    rate = float(np.sum(w[inside] * y[inside]) / np.sum(w[inside]))
    flip = inside & ~y & (np.random.default_rng([seed, 99]).random(len(y)) < points / (1 - rate))
    return audits.assign(is_error=y | flip)


def tile_months(size: int, seeds: range, *, plant: float = 0.0, effects=False) -> list[dict]:
    """Per simulated month: the change tile's verdict now and before, and the change claims.

    ``claim`` is a high- or medium-priority finding of the change sections (as
    :func:`month_claims`); before, the change finding was a claim only when segments explained
    the change, and the tile judged the two months' effective counts as binomial.
    """
    from qainsights.datasets import simulate_audits
    from qainsights.report.display import _change_tile
    from qainsights.report.findings import CLAIM_ALPHA
    from qainsights.report.monthly import build_monthly_report

    out = []
    for seed in seeds:  # one report per simulated month
        audits = simulate_audits(seed=seed, effects=effects, audits_per_week=size).audits
        if plant:
            audits = planted(audits, "2026-10", plant, seed)
        start = time.perf_counter()
        sections = list(CHANGE_SECTIONS) if not plant and not effects else ["change"]
        report = build_monthly_report(audits, month="2026-10", sections=sections)
        seconds = time.perf_counter() - start
        table = report.to_frame()
        claims = table[
            table["priority"].isin(["high", "medium"])
            & table["section"].isin(CHANGE_SECTIONS)
            & ~table["finding"].str.startswith("The vital few")
        ]
        named = not report.change.explanation.empty
        old_claims = claims[(claims["section"] != "change") | named]
        tile = "beyond sampling error" in _change_tile(report)
        tile_before = _binomial_p(report.change.overall.iloc[0]) < CLAIM_ALPHA
        out.append({
            "seed": seed, "tile": tile, "claim": not claims.empty,
            "screen": tile or not claims.empty, "tile_before": tile_before,
            "claim_before": not old_claims.empty,
            "screen_before": tile_before or not old_claims.empty,
            "p_value": float(report.change.overall["p_value"].iloc[0]),
            "dispersion": float(report.change.overall["dispersion"].iloc[0]),
            "seconds": seconds,
        })  # fmt: skip
    return out


def tile_rows(quick: bool = False, sizes=(300, 2000)) -> list[dict]:
    """The change tile and the report's change claims on null months, and the tile's power.

    Null months: ``simulate_audits(effects=False)``, report month 2026-10, at 300 (200
    months) and 2,000 (100 months) audits a week. Power: the same months with the error rate
    of 2026-10 raised by 2 points (100 and 50 months), and the planted mix shift
    (``effects=["mix_shift"]``: the high-risk queue grows from 8 % to 20 % of decisions).
    """
    null = {300: 40 if quick else 200, 2000: 20 if quick else 100}
    power = {300: 20 if quick else 100, 2000: 10 if quick else 50}
    out = []
    for size in sizes:
        months = tile_months(size, range(null[size]))
        drop = tile_months(size, range(power[size]), plant=0.02)
        mix = tile_months(size, range(power[size] // 2), effects=["mix_shift"])
        world = f"simulate_audits(effects=False), {size:,} audits a week, month 2026-10"
        seconds = np.mean([m["seconds"] for m in months])
        for key, name in (("tile", "change tile says 'beyond sampling error'"),
                          ("claim", "high/medium claim of change"),
                          ("screen", "first screen claims a change (tile or finding)")):  # fmt: skip
            now = np.array([m[key] for m in months])
            before = np.array([m[f"{key}_before"] for m in months])
            tile = key == "tile"
            out.append(row(
                f"Monthly Quality Report: {name}", world, len(months), rejections=now,
                power=float(np.mean([m["tile"] for m in drop])) if tile else np.nan,
                power_before=float(np.mean([m["tile_before"] for m in drop])) if tile else np.nan,
                note=(f"power: the tile on a planted +2-point error rate in 2026-10 "
                      f"({len(drop)} months); mix shift: "
                      f"{np.mean([m['tile'] for m in mix]):.2f} now, "
                      f"{np.mean([m['tile_before'] for m in mix]):.2f} before ({len(mix)} months); "
                      f"median dispersion {np.median([m['dispersion'] for m in months]):.2f}; "
                      f"{seconds:.1f} s a month" if tile else ""),
            ))  # fmt: skip
            out.append(row(f"Monthly Quality Report: {name}, before", world, len(months),
                           rejections=before,
                           note="the tile's binomial test of effective counts; the change "
                           "finding a claim only when segments explain the change"))  # fmt: skip
    return out


def rows(quick: bool = False, before: str | None = None) -> pd.DataFrame:
    """Every calibration row of this script (see the module docstring)."""
    # seeds as when part 4 was the agreement rows (now in calibration_flags_agreement.py)
    simulated = {scan_rows: 0, overdispersion_rows: 1, rate_rows: 2, compare_rows: 3,
                 count_scan_rows: 5, severity_rows: 6, compare_shock_rows: 7,
                 compare_cell_rows: 8}  # fmt: skip
    parts = [make(np.random.default_rng([2026, i]), quick) for make, i in simulated.items()]
    parts.append(report_rows(quick, before))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parts.append(tile_rows(quick))
    return pd.DataFrame([r for part in parts for r in part], columns=COLUMNS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer replicates")
    parser.add_argument("--before", help="git revision to measure the report rows on as well")
    parser.add_argument("--months", help=argparse.SUPPRESS)
    parser.add_argument(
        "--tile", action="store_true", help="only the change tile's rows (null months and power)"
    )
    parser.add_argument(
        "--size",
        type=int,
        action="append",
        help="audits a week of the tile's rows (300, 2000); repeatable",
    )
    args = parser.parse_args()
    if args.tile:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = tile_rows(quick=args.quick, sizes=tuple(args.size or (300, 2000)))
            table = pd.DataFrame(found, columns=COLUMNS)
        with pd.option_context("display.max_colwidth", 200, "display.width", 300):
            print(table.round(4).to_string(index=False))
        return
    if args.months:
        spec = json.loads(args.months)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = month_claims(spec["size"], range(spec["start"], spec["stop"]), spec["effects"])
        print(json.dumps(found))
        return
    table = rows(quick=args.quick, before=args.before)
    with pd.option_context("display.max_colwidth", 70, "display.width", 250):
        print(table.round(4).to_string(index=False))


if __name__ == "__main__":
    main()
