"""Calibration of the auditor comparisons and the change of error drivers' odds ratios.

Rows in the columns of ``calibration_spc_report.COLUMNS`` on null worlds shaped like QA of
QA: moderators with a latent intra-class correlation (their decisions share the moderator),
a few audits per moderator and auditor, months whose item pool shifts (period shocks).

- ``agreement.auditor_differences``: auditors given audits at random, none stricter than
  another; the first auditor's paired-t p-value and interval (truth 0), and the share of
  replicates in which any auditor has q < 0.05.
- ``agreement.rater_drift``: raters without drift or bias over six months; the first rater's
  trend p-value, the coverage of its pooled difference interval (Newcombe, truth 0) and of
  its interval in one month, and the share of replicates with any difference q < 0.05.
- ``rca.odds_ratio_change``: ``error_drivers`` fitted on two months of one stable process
  (site and queue effects fixed, moderators nested in sites: the same moderators in both
  months, or other ones), each fit with ``cluster="moderator_id"`` and without; the first
  site level's ratio p-value and interval (truth 1), and its power at an odds ratio of 0.6.

One replicate gives one p-value per row (the first auditor, rater or level), so the rows'
Wilson intervals rest on independent replicates.

Run: ``python benchmarks/calibration_auditors_drivers.py [--quick]``.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from calibration_spc_report import COLUMNS, moderator_sd, row
from scipy.special import expit, logit

ALPHA = 0.05
#: The drivers' month: base error rate and queue effects x, y, z (log odds).
DRIVER_RATE = 0.06
QUEUE_EFFECTS = (0.0, 0.3, -0.3)


def _auditor_world(rng, *, moderators, auditors, audits, icc, rate=0.06) -> pd.DataFrame:
    """Audits of ``moderators`` (latent ICC ``icc``) by ``auditors`` assigned at random."""
    ability = rng.normal(0, moderator_sd(icc), moderators)
    who = rng.integers(0, moderators, audits)
    return pd.DataFrame({
        "moderator_id": who,
        "auditor_id": np.char.add("a", rng.integers(0, auditors, audits).astype(str)),
        "is_error": rng.random(audits) < expit(logit(rate) + ability[who]),
    })  # fmt: skip


def auditor_rows(rng, quick: bool) -> list[dict]:
    """auditor_differences on auditors who do not differ.

    All replicates go into one call, each with its own moderators: an auditor's pairs, and
    so its test, involve only the moderators and auditors of its replicate. The q-values are
    then recomputed within each replicate, as one month's call computes them.
    """
    from qainsights._multiple import q_values
    from qainsights.agreement import auditor_differences

    runs = 200 if quick else 2000
    out = []
    for moderators, auditors, audits, icc in ((60, 6, 600, 0.05), (200, 8, 4000, 0.02)):
        months = [
            _auditor_world(rng, moderators=moderators, auditors=auditors, audits=audits, icc=icc)
            for _ in range(runs)
        ]
        data = pd.concat(months, keys=range(runs), names=["replicate", None]).reset_index(0)
        data["moderator_id"] += data["replicate"] * moderators
        data["auditor_id"] = data["replicate"].astype(str) + ":" + data["auditor_id"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            table = auditor_differences(data)
        table["replicate"] = table["auditor_id"].str.split(":").str[0].astype(int)
        table["q_value"] = table.groupby("replicate")["p_value"].transform(
            lambda p: pd.Series(q_values(p.to_numpy()), index=p.index)
        )
        first = table[table["auditor_id"].str.endswith(":a0")].sort_values("replicate")
        per_cell = audits / moderators / auditors
        world = (f"{moderators} moderators (ICC {icc}) x {auditors} auditors at random, "
                 f"{audits:,} audits (about {per_cell:.1f} per moderator and auditor)")  # fmt: skip
        any_q = table.groupby("replicate")["q_value"].min().lt(ALPHA).to_numpy()
        out += [
            row("auditor_differences p_value (CMH) and interval (MH, Sato or test-based)", world, len(first),
                rejections=first["p_value"].lt(ALPHA).to_numpy(),
                covered=(first["ci_low"].le(0) & first["ci_high"].ge(0)).to_numpy(),
                note="first auditor of each replicate"),
            row("auditor_differences: any auditor with q < 0.05", world, runs, rejections=any_q,
                note="family-wise over the auditors (BH at the global null)"),
        ]  # fmt: skip
    return out


def _rater_world(rng, *, raters, months, per_cell, icc, shock_sd, moderators=150, rate=0.06):
    """Ratings by ``raters`` over ``months``: the month's pool of work shifts by its shock."""
    ability = rng.normal(0, moderator_sd(icc), moderators)
    shock = rng.normal(0, shock_sd, months)
    size = raters * months * per_cell
    rater = np.repeat(np.arange(raters), months * per_cell)
    month = np.tile(np.repeat(np.arange(months), per_cell), raters)
    who = rng.integers(0, moderators, size)
    return pd.DataFrame({
        "rater": np.char.add("r", rater.astype(str)),
        "month": month,
        "error": rng.random(size) < expit(logit(rate) + ability[who] + shock[month]),
    })  # fmt: skip


def rater_rows(rng, quick: bool) -> list[dict]:
    """rater_drift on raters without drift or bias."""
    from qainsights.agreement import rater_drift

    runs = 200 if quick else 2000
    out = []
    for per_cell, icc, shock_sd in ((40, 0.02, 0.0), (40, 0.02, 0.15), (200, 0.05, 0.15)):
        trend, pooled, monthly, any_q = (np.zeros(runs, dtype=bool) for _ in range(4))
        for i in range(runs):  # one drift analysis per simulated half-year
            data = _rater_world(rng, raters=6, months=6, per_cell=per_cell, icc=icc,
                                shock_sd=shock_sd)  # fmt: skip
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                result = rater_drift(data, rater="rater", period="month", outcome="error")
            first = result.raters.set_index("rater").loc["r0"]
            trend[i] = first["trend_p_value"] < ALPHA
            pooled[i] = first["difference_ci_low"] <= 0 <= first["difference_ci_high"]
            month = result.by_period.iloc[0]
            monthly[i] = month["difference_ci_low"] <= 0 <= month["difference_ci_high"]
            any_q[i] = (result.raters["difference_q"] < ALPHA).any()
        world = (f"6 raters x 6 months x {per_cell} ratings, moderators' ICC {icc}, "
                 f"month shocks sd {shock_sd}")  # fmt: skip
        out += [
            row("rater_drift trend_p_value", world, runs, rejections=trend,
                note="first rater of each replicate"),
            row("rater_drift pooled difference interval (Newcombe)", world, runs,
                covered=pooled, rejections=any_q,
                note="false positives: any rater with difference_q < 0.05"),
            row("rater_drift one month's difference interval (Newcombe)", world, runs,
                covered=monthly),
        ]  # fmt: skip
    return out


def driver_month(
    rng, ability, site_of, *, audits, rate=DRIVER_RATE, shift_b=0.0, sites=(0.0, 0.2, -0.2, 0.4)
) -> pd.DataFrame:
    """One month of audits: site (``sites``: a to d, log odds) and queue effects fixed,
    moderators nested in sites; site b's log odds moved by ``shift_b``."""
    who = rng.integers(0, ability.size, audits)
    site = site_of[who]
    queue = rng.integers(0, 3, audits)
    sites = np.asarray(sites) + np.array([0.0, shift_b, 0.0, 0.0])
    log_odds = logit(rate) + sites[site] + np.asarray(QUEUE_EFFECTS)[queue]
    return pd.DataFrame({
        "moderator_id": who,
        "site": np.array(list("abcd"))[site],
        "queue": np.array(list("xyz"))[queue],
        "is_error": rng.random(audits) < expit(log_odds + ability[who]),
    })  # fmt: skip


def driver_rows(rng, quick: bool) -> list[dict]:
    """odds_ratio_change between two months of one stable process, and its power.

    Each month is fitted with ``cluster="moderator_id"`` and without (independent audits).
    The change of the clustered fits is the default (CR2 variance of the stacked fits,
    clusters shared by the months included, Bell-McCaffrey df); the "before" rows are the
    same fits read as before (each fit's CR1 standard error from its t(G - 1) interval, the
    change on t of the smaller df: ``odds_ratio_change`` of the fits without their
    per-cluster pieces) and the fits of independent audits. Power: site b's odds ratio
    times 0.6 in the second month, the clustered fits, half as many replicates.
    """
    from dataclasses import replace

    from qainsights.rca import error_drivers, odds_ratio_change

    runs = 100 if quick else 2000
    out = []
    options = {"factors": ["site", "queue"], "reference": {"site": "a", "queue": "x"}}

    def change(fits):
        result = odds_ratio_change(*fits, factor="site").set_index("level").loc["b"]
        return result["p_value"] < ALPHA, result["ci_low"] <= 1 <= result["ci_high"]

    def pair(ability, site_of, audits, icc, same, shift_b, independent=True):
        clustered, plain = [], []
        for month in range(2):
            frame = driver_month(rng, ability, site_of, audits=audits,
                                  shift_b=shift_b if month == 1 else 0.0)  # fmt: skip
            clustered.append(error_drivers(frame, cluster="moderator_id", **options))
            if independent:
                plain.append(error_drivers(frame, cluster=None, **options))
            if not same:  # other moderators next month (turnover, rotation)
                ability = rng.normal(0, moderator_sd(icc), site_of.size)
        return clustered, plain

    for audits, per_site, icc, same in ((800, 10, 0.02, True), (3000, 15, 0.05, False)):
        reject, covered = np.zeros((3, runs), dtype=bool), np.zeros((3, runs), dtype=bool)
        site_of = np.repeat(np.arange(4), per_site)
        for i in range(runs):  # four fits per simulated pair of months
            ability = rng.normal(0, moderator_sd(icc), site_of.size)
            clustered, plain = pair(ability, site_of, audits, icc, same, 0.0)
            read = [replace(fit, _clusters=None) for fit in clustered]
            for j, fits in enumerate((clustered, read, plain)):
                reject[j, i], covered[j, i] = change(fits)
        powered = np.zeros((2, runs // 2), dtype=bool)
        for i in range(runs // 2):
            ability = rng.normal(0, moderator_sd(icc), site_of.size)
            clustered, _ = pair(ability, site_of, audits, icc, same, np.log(0.6), False)
            read = [replace(fit, _clusters=None) for fit in clustered]
            powered[0, i], powered[1, i] = change(clustered)[0], change(read)[0]
        world = (f"2 months x {audits:,} audits, 4 sites x 3 queues, {per_site} moderators a "
                 f"site (ICC {icc}), {'the same' if same else 'other ones'} in both months")  # fmt: skip
        name = "odds_ratio_change p_value and interval"
        out += [
            row(f"{name} (fits with cluster='moderator_id')", world, runs,
                rejections=reject[0], covered=covered[0], power=powered[0].mean(),
                power_before=powered[1].mean(),
                note="site b against site a; CR2 of the stacked fits with the months' shared "
                     "clusters, Bell-McCaffrey df; power: site b's odds x 0.6 in month 2 "
                     f"({runs // 2:,} replicates), before: CR1 on t(smaller G - 1)"),
            row(f"{name}, before (fits with cluster='moderator_id', CR1, t(smaller G - 1))",
                world, runs, rejections=reject[1], covered=covered[1]),
            row(f"{name}, before (fits of independent audits)", world, runs,
                rejections=reject[2], covered=covered[2]),
        ]  # fmt: skip
    return out


def rows(quick: bool = False) -> pd.DataFrame:
    """Every row of this script."""
    parts = (auditor_rows, rater_rows, driver_rows)
    found = [make(np.random.default_rng([2028, i]), quick) for i, make in enumerate(parts)]
    return pd.DataFrame([r for part in found for r in part], columns=COLUMNS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    began = time.perf_counter()
    table = rows(quick=args.quick)
    with pd.option_context("display.width", 250, "display.max_colwidth", 90):
        print(table.round(4).to_string(index=False))
    print(f"{time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
