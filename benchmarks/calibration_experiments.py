"""Calibration of the experiment and trend tests on simulated null worlds.

For each function and world the table gives the false-positive rate at nominal 5 % (share of
null replicates with p < 0.05), the coverage of the 95 % interval (share of null replicates
whose interval holds the true value), each with its Wilson interval, and the power at a
planted effect (odds ratio 0.6 for the designs) beside the power of the method the function
used before (moderator-clustered or normal-reference inference), so the price of honest
intervals is visible.

Worlds: moderators with a latent-scale ICC of 0.007 to 0.05; site x week shocks on the logit
scale with sd 0, 0.15 and 0.3, independent or AR(1) with correlation 0.5; one treated site of
four, 20 weeks, 300 audits per site and week. Data are drawn with one seeded generator per
row, all audits of a replicate at once.

Run: ``python benchmarks/calibration_experiments.py [--quick]``; ``rows(quick=True)`` is the
reduced version the slow test runs.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit, logit

from qainsights.experiments import ab_test, diff_in_diff, interrupted_series
from qainsights.trends import compare_periods, trend_test

COLUMNS = [
    "function", "world", "nominal", "replicates", "false_positive_rate", "fpr_ci_low",
    "fpr_ci_high", "coverage", "cov_ci_low", "cov_ci_high", "power", "power_before", "note",
]  # fmt: skip
ALPHA = 0.05
PLANTED = 0.6
BASE = 0.08
START = pd.Timestamp("2026-01-05")


def wilson(successes: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (Wilson 1927), clipped to [0, 1]."""
    z = stats.norm.isf((1 - level) / 2)
    p = successes / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    return low, 1.0 if successes == n else min(1.0, centre + half)


def _shocks(rng, shape, sd, ar):
    """Logit-scale shocks, independent or AR(1) along the last axis with stationary sd."""
    e = rng.normal(0, sd, shape)
    if ar:
        scale = np.sqrt(1 - ar**2)
        for t in range(1, shape[-1]):
            e[..., t] = ar * e[..., t - 1] + scale * e[..., t]
    return e


def _moderator_sd(icc: float) -> float:
    """Logit-scale sd of moderator effects for a latent-scale ICC (pi^2/3 residual)."""
    return float(np.sqrt(icc * np.pi**2 / 3 / (1 - icc)))


def did_rows(rng, *, sites=4, weeks=20, per_cell=300, moderators=30, icc=0.02, sd=0.3,
             ar=0.0, odds_ratio=1.0, treated=1) -> pd.DataFrame:  # fmt: skip
    """Audit rows of one DiD replicate: sites below ``treated`` treated from week ``weeks // 2``."""
    ability = rng.normal(0, _moderator_sd(icc), (sites, moderators))
    shock = _shocks(rng, (sites, weeks), sd, ar)
    site = np.repeat(np.arange(sites), weeks * per_cell)
    week = np.tile(np.repeat(np.arange(weeks), per_cell), sites)
    moderator = rng.integers(0, moderators, site.size)
    effect = np.log(odds_ratio) * ((site < treated) & (week >= weeks // 2))
    p = expit(logit(BASE) + ability[site, moderator] + shock[site, week] + effect)
    return pd.DataFrame({
        "site": np.char.add("s", site.astype(str)),
        "week": START + pd.to_timedelta(7 * week, "D"),
        "moderator_id": site * 1000 + moderator,
        "is_error": rng.random(site.size) < p,
    })  # fmt: skip


def _did_row(world, replicates, seed, **kwargs) -> dict:
    rng = np.random.default_rng(seed)
    reject = cover = 0
    used = {}
    for _ in range(replicates):
        rows = did_rows(rng, **kwargs)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = diff_in_diff(rows, treated="s0", start=START + pd.Timedelta(weeks=10))
        odds = result.effects.iloc[0]
        reject += odds["p_value"] < ALPHA
        cover += odds["ci_low"] <= 1 <= odds["ci_high"]
        key = result.inference + (" (warned)" if caught else "")
        used[key] = used.get(key, 0) + 1
    note = "inference used: " + ", ".join(f"{k} {v}" for k, v in sorted(used.items()))
    return _row("diff_in_diff", world, replicates, reject, cover, note=note)


def _did_randomization_rows(replicates, seed, *, sites, treated, sd, ar, per_cell=100):
    """Few treated sites among many: randomisation inference beside the default on one world."""
    rng = np.random.default_rng(seed)
    start = START + pd.Timedelta(weeks=10)
    names = [f"s{i}" for i in range(treated)]
    outcome = {"randomization": [0, 0], "auto": [0, 0]}
    for _ in range(replicates):
        rows = did_rows(rng, sites=sites, per_cell=per_cell, sd=sd, ar=ar, treated=treated)
        for inference in outcome:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                odds = diff_in_diff(rows, treated=names, start=start,
                                    inference=inference).effects.iloc[0]  # fmt: skip
            outcome[inference][0] += odds["p_value"] < ALPHA
            outcome[inference][1] += odds["ci_low"] <= 1 <= odds["ci_high"]
    kind = f"AR({ar})" if ar else "independent"
    world = (f"{treated} treated site{'s' if treated > 1 else ''} of {sites}, 20 weeks x "
             f"{per_cell} audits, {kind} site x week shocks sd {sd}")  # fmt: skip
    return [
        _row(f"diff_in_diff ({inference})", world, replicates, *counts,
             note="exact: p < 0.05 needs the treated sites' change to rank among the most "
             "extreme of all assignments" if inference == "randomization" else "default")
        for inference, counts in outcome.items()
    ]  # fmt: skip


def _did_power(replicates, seed) -> dict:
    rng = np.random.default_rng(seed)
    now = before = 0
    for _ in range(replicates):
        rows = did_rows(rng, sd=0.15, odds_ratio=PLANTED)
        start = START + pd.Timedelta(weeks=10)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            now += diff_in_diff(rows, treated="s0", start=start).effects.iloc[0]["p_value"] < ALPHA
            old = diff_in_diff(rows, treated="s0", start=start, inference="cluster")
        before += old.effects.iloc[0]["p_value"] < ALPHA
    return {"power": now / replicates, "power_before": before / replicates}


def ab_rows(rng, *, moderators=80, per_moderator=50, icc=0.007, odds_ratio=1.0):
    """Moderators randomised to two arms; each moderator's audits share the moderator."""
    arm = np.arange(moderators) % 2
    ability = rng.normal(0, _moderator_sd(icc), moderators)
    moderator = np.repeat(np.arange(moderators), per_moderator)
    p = expit(logit(BASE) + ability[moderator] + np.log(odds_ratio) * arm[moderator])
    return pd.DataFrame({
        "arm": np.where(arm[moderator] == 1, "new", "old"),
        "moderator_id": moderator,
        "is_error": rng.random(moderator.size) < p,
    })  # fmt: skip


def _ab_rows(replicates, seed, icc) -> list[dict]:
    rng = np.random.default_rng(seed)
    counts = np.zeros((2, 2))  # (difference, ratio) x (reject, cover)
    for _ in range(replicates):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an arm without errors: NaN ratio, counted below
            effects = ab_test(ab_rows(rng, icc=icc), arm="arm", treatment="new").effects
        for i, (name, truth) in enumerate((("rate_difference", 0.0), ("rate_ratio", 1.0))):
            row = effects.iloc[i]
            assert row["effect"] == name
            counts[i] += [row["p_value"] < ALPHA, row["ci_low"] <= truth <= row["ci_high"]]
    world = f"80 moderators randomised, 50 audits each, moderator ICC {icc}"
    rng = np.random.default_rng(seed + 1)
    power = np.zeros((2, 2))
    for _ in range(replicates // 2):
        data = ab_rows(rng, icc=icc, odds_ratio=PLANTED)
        for j, cluster in enumerate(("moderator_id", None)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                effects = ab_test(data, arm="arm", treatment="new", cluster=cluster).effects
            power[:, j] += effects["p_value"].to_numpy()[:2] < ALPHA
    power /= replicates // 2
    return [
        _row(
            f"ab_test {name}",
            world,
            replicates,
            *counts[i],
            power=power[i, 0],
            power_before=power[i, 1],
            note="before: audits taken as independent",
        )
        for i, name in enumerate(("rate_difference", "rate_ratio"))
    ]


def _trend_row(replicates, seed) -> dict:
    """All replicates as series of one trend_test call: 12 periods, logit shocks sd 0.15."""
    rng = np.random.default_rng(seed)
    periods, n = 12, 500
    p = expit(logit(BASE) + rng.normal(0, 0.15, (replicates, periods)))
    frame = pd.DataFrame({
        "series": np.repeat(np.arange(replicates), periods),
        "month": np.tile(np.arange(periods), replicates),
        "errors": rng.binomial(n, p).ravel(),
        "n": n,
    })  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a series without variation: NaN, not a rejection
        result = trend_test(frame, period="month", by="series", errors="errors", n="n")
    z = result["z"] / np.sqrt(np.maximum(result["dispersion"], 1.0))
    before = 2 * stats.norm.sf(np.abs(z))
    reject = int((result["p_value_quasi"] < ALPHA).sum())
    return _row("trend_test p_value_quasi", "12 periods x 500 audits, period shocks sd 0.15",
                replicates, reject, replicates - reject,
                note=f"normal reference (before): false-positive rate "
                f"{(before < ALPHA).mean():.3f}; coverage is 1 - rate (no interval)")  # fmt: skip


def _its_row(replicates, seed, ar, variance, sd=0.15) -> dict:
    """``interrupted_series`` on 20 weeks x 400 audits of one stable process with week shocks.

    ``before`` is the variance the function used before (``"quasi"``) on the same series.
    """
    rng = np.random.default_rng(seed)
    weeks, n = 20, 400
    reject = cover = before = warned = 0
    start = START + pd.Timedelta(weeks=10)
    for _ in range(replicates):
        p = expit(logit(BASE) + _shocks(rng, (weeks,), sd, ar))
        errors = rng.binomial(n, p)
        audits = pd.DataFrame({
            "week": np.repeat(START + pd.to_timedelta(7 * np.arange(weeks), "D"), n),
            "is_error": (np.arange(n)[None, :] < errors[:, None]).ravel(),
        })  # fmt: skip
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = interrupted_series(audits, start=start, variance=variance)
            if variance != "quasi":
                old = interrupted_series(audits, start=start, variance="quasi")
        why = "Durbin-Watson" if variance == "quasi" else "cap"  # quasi always warns
        warned += any(why in str(w.message) for w in caught)
        level = result.effects.iloc[0]
        reject += level["p_value"] < ALPHA
        cover += level["ci_low"] <= 1 <= level["ci_high"]
        if variance != "quasi":
            before += old.effects.iloc[0]["p_value"] < ALPHA
    kind = "AR(0.5)" if ar else "independent"
    why = "Durbin-Watson below 1.5" if variance == "quasi" else "AR(1) estimate at its cap"
    note = f"warned ({why}) in {warned} of {replicates}"
    if variance != "quasi":
        note = f"quasi (before): false-positive rate {before / replicates:.3f}; " + note
    return _row(f"interrupted_series level_change ({variance})",
                f"20 weeks x 400 audits, {kind} week shocks sd {sd}", replicates, reject, cover,
                note=note)  # fmt: skip


def _weighted_row(replicates, seed) -> dict:
    """All replicates as segments of one compare_periods call: weights 1 or 20, no change."""
    rng = np.random.default_rng(seed)
    per_period = 200
    size = replicates * 2 * per_period
    rows = pd.DataFrame({
        "segment": np.repeat(np.arange(replicates), 2 * per_period),
        "month": np.tile(np.repeat([0, 1], per_period), replicates),
        "is_error": rng.random(size) < BASE,
        "weight": rng.choice([1.0, 20.0], size),
    })  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a segment without errors: its test is NaN
        result = compare_periods(rows, by="segment", period="month", current=1, weight="weight")
    segments = result.segments
    reject = int((segments["p_value"] < ALPHA).sum())
    cover = int(((segments["ci_low"] <= 0) & (segments["ci_high"] >= 0)).sum())
    # before: weighted counts rescaled to each period's audits and treated as binomial counts
    w, y = rows["weight"], rows["is_error"].astype(float)
    sums = rows.assign(wy=w * y).groupby(["segment", "month"])[["weight", "wy"]].sum()
    scale = replicates * per_period / sums.groupby(level="month")["weight"].transform("sum")
    old = sums.assign(errors=sums["wy"] * scale, n=sums["weight"] * scale).reset_index()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = compare_periods(old, by="segment", period="month", current=1, errors="errors",
                                 n="n").segments["p_value"]  # fmt: skip
    return _row("compare_periods (weighted)",
                f"{replicates} segments x 2 months x {per_period} audits, weights 1 or 20",
                replicates, reject, cover,
                note=f"weighted counts as binomial (before): false-positive rate "
                f"{(before < ALPHA).mean():.3f}; p_value is the plain rate, not the FDR q")  # fmt: skip


def _row(function, world, replicates, reject, cover, *, power=np.nan, power_before=np.nan,
         note="") -> dict:  # fmt: skip
    fpr_low, fpr_high = wilson(reject, replicates)
    cov_low, cov_high = wilson(cover, replicates)
    return dict(zip(COLUMNS, [function, world, ALPHA, replicates, reject / replicates, fpr_low,
                              fpr_high, cover / replicates, cov_low, cov_high, power,
                              power_before, note], strict=True))  # fmt: skip


def rows(quick: bool = False) -> pd.DataFrame:
    """The calibration table; ``quick`` runs a twentieth of the replicates and fewer worlds."""
    slow, fast = (20, 100) if quick else (400, 2000)
    table = []
    for i, (sd, ar) in enumerate([(0.0, 0.0), (0.15, 0.0), (0.3, 0.0), (0.15, 0.5), (0.3, 0.5)]):
        if quick and i % 2:
            continue
        kind = f"AR({ar})" if ar else "independent"
        world = f"1 treated site of 4, 20 weeks x 300 audits, {kind} site x week shocks sd {sd}"
        table.append(_did_row(world, 20 if quick else 2000, 100 + i, sd=sd, ar=ar))
    table[0] |= _did_power(10 if quick else 1000, 200)
    table[0]["note"] += "; power at sd 0.15, before: moderator-clustered logistic model"
    for k, (sites, treated) in enumerate([(12, 2), (30, 1)]):
        if not (quick and k):
            table.extend(_did_randomization_rows(slow if quick else (1000, 2000)[k], 150 + k,
                                                 sites=sites, treated=treated, sd=0.3, ar=0.5))  # fmt: skip
    for icc in (0.007, 0.05):
        table.extend(_ab_rows(fast, 300 + int(icc * 1000), icc))
    table.append(_trend_row(fast, 400))
    table.append(_weighted_row(fast, 450))
    its_worlds = [(0.0, "ar1", 0.15), (0.5, "ar1", 0.15), (0.0, "ar1", 0.3), (0.5, "ar1", 0.3),
                  (0.5, "quasi", 0.15), (0.5, "hac", 0.15)]  # fmt: skip
    for j, (ar, variance, sd) in enumerate(its_worlds):
        if not (quick and (variance != "ar1" or sd == 0.3)):
            table.append(_its_row(fast if variance == "ar1" else slow, 500 + j, ar, variance, sd))
    return pd.DataFrame(table, columns=COLUMNS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    began = time.perf_counter()
    table = rows(quick=args.quick)
    with pd.option_context("display.width", 250, "display.max_colwidth", 120):
        print(table.round(3).to_string(index=False))
    print(f"{time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
