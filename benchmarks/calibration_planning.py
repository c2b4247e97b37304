"""Calibration rows of the audit planners: do the plans deliver what they promise?

``sample_size_for_effect`` promises a power (80 %) for the test a team then runs, and
``clustered_sample_size`` a margin (the interval's half-width) for the rate it then reports.
Each plan is simulated as planned: moderators whose errors have the planner's intra-class
correlation ``ρ`` (each moderator's rate drawn from a beta distribution with that ICC, as
the design effect ``1 + (m − 1) ρ`` assumes), their audits analysed with the library's own
clustered functions (``ab_test`` and ``error_rate`` with ``cluster="moderator_id"``).

Run: python benchmarks/calibration_planning.py [--quick] [--part power|margin]
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from calibration_spc_report import COLUMNS, beta_rates, part_rows, row, run_parts

__all__ = ["COLUMNS", "rows"]


def power_rows(rng, quick: bool) -> list[dict]:
    """Power of ``ab_test``'s rate difference (moderators as clusters) at the plan of
    ``sample_size_for_effect``: a 9 % error rate lowered to 6 %, 30 audits a moderator,
    moderators randomised to the arms, ICC 0 to 0.03."""
    from qainsights.experiments import ab_test
    from qainsights.planning import sample_size_for_effect

    runs = 40 if quick else 1000
    out = []
    for icc in (0.0, 0.01, 0.03):
        plan = sample_size_for_effect(0.09, 0.06, icc=icc, cluster_size=30).iloc[0]
        per_arm = int(np.ceil(plan["n_control"] / 30))
        arm = np.repeat(["control", "treatment"], per_arm * 30)
        called = np.zeros((2, runs), bool)  # no effect, then the planned effect
        for i in range(runs):
            for j, effect in enumerate((1.0, 0.06 / 0.09)):
                rates = beta_rates(rng, 0.09, icc, (2 * per_arm,))
                rates[per_arm:] *= effect
                audits = pd.DataFrame({
                    "moderator_id": np.repeat(np.arange(2 * per_arm), 30),
                    "arm": arm,
                    "is_error": rng.random(arm.size) < np.repeat(rates, 30),
                })  # fmt: skip
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    effects = ab_test(audits, arm="arm", treatment="treatment").effects
                p_value = effects.loc[effects["effect"] == "rate_difference", "p_value"].iloc[0]
                called[j, i] = p_value < 0.05
        out.append(row(
            "sample_size_for_effect: power of ab_test's rate difference at the plan (promised 80 %)",
            f"9 % to 6 %, ICC {icc}, 30 audits a moderator: {per_arm} moderators "
            f"({per_arm * 30:,} audits) an arm", runs, rejections=called[0],
            power=float(called[1].mean()),
            note="ab_test(cluster='moderator_id'), two-sided 5 %; moderators randomised to arms; "
            "false positives: the same plan with no effect",
        ))  # fmt: skip
    return out


def margin_rows(rng, quick: bool) -> list[dict]:
    """Coverage of ``error_rate``'s clustered interval at the plan of ``clustered_sample_size``
    (a 7 % rate within ±2 points over 80 moderators), and how often its half-width is within
    the margin; ICC 0 to 0.02."""
    from qainsights import error_rate
    from qainsights.planning import clustered_sample_size

    runs = 500 if quick else 2000
    out = []
    for icc in (0.0, 0.005, 0.02):
        plan = clustered_sample_size(0.02, p=0.07, icc=icc, clusters=80).iloc[0]
        each = int(np.ceil(plan["n"] / 80))
        rates = beta_rates(rng, 0.07, icc, (runs, 80))
        audits = pd.DataFrame({
            "run": np.repeat(np.arange(runs), 80 * each),
            "moderator_id": np.repeat(np.arange(runs * 80), each),
            "is_error": (rng.random((runs, 80, each)) < rates[:, :, None]).ravel(),
        })  # fmt: skip
        table = error_rate(audits, by="run", cluster="moderator_id")
        covered = ((table["ci_low"] <= 0.07) & (table["ci_high"] >= 0.07)).to_numpy()
        half = (table["ci_high"] - table["ci_low"]).to_numpy() / 2
        out.append(row(
            "clustered_sample_size: error_rate's clustered interval at the plan (margin ±2 points)",
            f"7 %, ICC {icc}, 80 moderators x {each} ({80 * each:,} audits)", runs,
            covered=covered,
            note=f"half-width within the margin in {np.mean(half <= 0.02):.0%} of samples "
            f"(median {np.median(half) / 0.02:.2f} x the margin)",
        ))  # fmt: skip
    return out


SEED = [2026, 12, 7]
PARTS = {"power": power_rows, "margin": margin_rows}


def rows(quick: bool = False) -> pd.DataFrame:
    """All rows of this module (``quick``: fewer replicates, for the slow test)."""
    return part_rows(PARTS, SEED, quick)


if __name__ == "__main__":
    run_parts(__doc__.splitlines()[0], PARTS, SEED)
