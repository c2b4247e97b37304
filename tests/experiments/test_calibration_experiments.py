"""Reduced runs of the calibration benchmarks, with generous bands."""

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

_BENCHMARKS = Path(__file__).parents[2] / "benchmarks"


def _benchmark(name: str):
    """Import ``benchmarks/<name>.py`` (the folder is not a package; its modules import each
    other by name)."""
    sys.path.insert(0, str(_BENCHMARKS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(_BENCHMARKS))


@pytest.mark.slow
def test_reduced_calibration_keeps_false_positives_near_nominal():
    # The full table is in benchmarks/README.md; with 20 to 100 replicates per row a rate at
    # the nominal 5 % stays below 0.25 with probability above 0.99 (binomial(20, 0.05):
    # P(X >= 5) = 0.016), while the old moderator-clustered DiD rejected 26 to 45 % of null
    # replicates with site x week shocks of sd 0.3.
    module = _benchmark("calibration_experiments")
    table = module.rows(quick=True)
    assert list(table.columns) == module.COLUMNS
    # the older interrupted_series variances (quasi, hac) are shown for their failure
    calibrated = table[~table["function"].str.contains(r"\((?:quasi|hac)\)")]
    assert calibrated["function"].str.contains("interrupted_series").any()
    assert (calibrated["false_positive_rate"] <= 0.25).all()
    assert (calibrated["fpr_ci_low"] <= calibrated["false_positive_rate"]).all()
    did = table[table["function"] == "diff_in_diff"].iloc[0]
    assert 0 < did["power"] <= 1
    trend = table[table["function"] == "trend_test p_value_quasi"].iloc[0]
    assert trend["false_positive_rate"] <= 0.12  # binomial(100, 0.05): P(X >= 13) < 0.001


@pytest.mark.slow
def test_reduced_calibration_of_trends_agreement_and_scan_claims():
    # 100 to 300 replicates per row: a 95 % interval that covers at its nominal rate covers at
    # least 85 % of 100 replicates with probability above 0.999 (binomial(100, 0.95):
    # P(X < 85) < 1e-4), and a 5 % rate stays below 0.12 of 150 or more (binomial(150, 0.05):
    # P(X >= 18) < 0.001). explain_change over weeks with cell-week shocks of sd 0.3 (150
    # stretches, about 45 s): dispersion="binomial", pooling the weeks' audits as independent,
    # names a segment in 20.2 % of 1,000 in the full table, so in at least 18 of 150 here
    # (binomial(150, 0.2): P(X < 18) = 0.004), the shortfall the default removes. Its weighted
    # world (60 stretches of audit rows, about 45 s): the default and serial=False name a segment
    # in at most 10 of 60 (binomial(60, 0.05): P(X >= 10) = 0.0007).
    # One noisy cell among 11 calm ones (150 runs, about 30 s): its moderated p-value, kept
    # honest by its own spread where the calm prior makes that unlikely, is below 0.05 in
    # 5.2 % of 2,000 in the full table; below 23 of 150 here (binomial(150, 0.08):
    # P(X >= 23) = 0.003).
    table = _benchmark("calibration_trends_agreement").rows(quick=True)
    weeks = table["function"].str.contains("weeks as periods")
    weighted = table["world"].str.contains("weighted")
    noisy = table["world"].str.contains("alone with shocks")
    pooled = table["function"].str.endswith("dispersion='binomial'")
    assert (weeks & ~weighted & ~noisy).sum() == (weeks & weighted).sum() == 4
    assert noisy.sum() == 3
    assert (table["coverage"].dropna() >= 0.85).all()
    calm = ~pooled & ~weighted & ~noisy
    assert (table.loc[calm, "false_positive_rate"].dropna() <= 0.12).all()
    assert (table.loc[~pooled & weighted, "false_positive_rate"].dropna() <= 10 / 60).all()
    assert (table.loc[noisy, "false_positive_rate"] < 23 / 150).all()
    assert table.loc[pooled & ~weighted, "false_positive_rate"].iloc[0] >= 18 / 150


@pytest.mark.slow
def test_reduced_calibration_of_auditor_differences():
    # 200 replicates in one vectorised call (about 10 s): the bands as above, binomial(200, 0.95):
    # P(X < 180) = 0.001 and binomial(200, 0.05): P(X >= 24) < 1e-4.
    auditor_rows = _benchmark("calibration_auditors_drivers").auditor_rows
    table = auditor_rows(np.random.default_rng([2028, 0]), quick=True)
    assert len(table) == 4
    assert all(r["coverage"] >= 0.90 for r in table if r["coverage"] == r["coverage"])
    assert all(r["false_positive_rate"] <= 0.12 for r in table)


@pytest.mark.slow
def test_reduced_calibration_of_drivers_and_outlier_flags():
    # About 32 s. A clustered fit's (the default's) rate at a nominal 5 % stays below 0.13 of 100
    # (binomial(100, 0.05): P(X >= 13) < 0.001) and its interval covers at least 85 % of 100
    # (binomial(100, 0.95): P(X < 85) < 1e-4); rosters with a flag stay below 0.16 of 50
    # (binomial(50, 0.05): P(X >= 8) < 0.005).
    parts = _benchmark("calibration_flags_agreement").PARTS
    rng = np.random.default_rng([2026, 12, 6])
    drivers = parts["drivers"](rng, True)
    clustered = [r for r in drivers if "default: clusters by moderator_id" in r["function"]]
    assert len(clustered) == 2
    assert all(r["false_positive_rate"] <= 0.13 for r in clustered)
    assert all(r["coverage"] >= 0.85 for r in clustered)
    # the fit of independent audits covers the odds ratio of its own roster's decisions
    roster = [r for r in drivers if "the roster's odds ratio" in r["function"]]
    assert len(roster) == 2
    assert all(r["coverage"] >= 0.85 for r in roster)
    flagged = [r for r in parts["outliers"](rng, True) if "anybody" in r["function"]]
    assert len(flagged) == 4
    assert all(r["false_positive_rate"] <= 0.16 for r in flagged)
    # explain_change: any of 19 segments at q < 0.05 in 50 null month pairs (about 7 s) stays
    # below 0.16 of 50 (a family-wise rate at most 5 %: P(X >= 8) < 0.005)
    segments = [r for r in parts["segments"](rng, True) if r["note"].startswith("q < 0.05")]
    assert len(segments) == 4
    assert all(r["false_positive_rate"] <= 0.16 for r in segments)


def test_the_roster_odds_ratio_of_moderators_alike_is_the_sites_odds_ratio():
    # Without moderator effects the model fitted to the expected rates is the simulated one:
    # sites a and b share their log odds (odds ratio 1); shifting b's moderators by 0.5 on
    # the logit scale shifts b alone, so its odds ratio is exp(0.5).
    benchmark = _benchmark("calibration_flags_agreement")
    site_of = np.repeat(np.arange(4), 10)
    assert benchmark.roster_odds_ratio(np.zeros(40), site_of) == pytest.approx(1, abs=1e-9)
    ability = np.where(site_of == 1, 0.5, 0.0)
    assert benchmark.roster_odds_ratio(ability, site_of) == pytest.approx(np.exp(0.5), rel=1e-9)


@pytest.mark.slow
def test_reduced_calibration_of_the_report_change_on_few_moderators():
    # 40 stable years per export size (about 5 s). The report's change is called at p < 0.05 in
    # at most 6 of 40 (binomial(40, 0.05): P(X >= 7) < 0.005). Its reference has fewer degrees
    # of freedom than the history's alone, so every call it makes the former test made too.
    table = _benchmark("calibration_flags_agreement").change_rows(
        np.random.default_rng([2026, 12, 8]), quick=True
    )
    now = [r for r in table if ", before" not in r["function"]]
    before = [r for r in table if ", before" in r["function"]]
    assert len(now) == len(before) == 5
    assert all(r["false_positive_rate"] <= 0.15 for r in now)
    assert all(
        a["false_positive_rate"] <= b["false_positive_rate"]
        for a, b in zip(now, before, strict=True)
    )


@pytest.mark.slow
def test_reduced_calibration_of_compare_periods_over_weeks():
    # 25 comparisons of 12 segments, 13 weeks against 7, per world (300 segments, about 45 s).
    # The default holds in every world, shocks that persist (AR(0.5)) included: fewer than 30
    # of 300 at p < 0.05 (binomial(300, 0.05): P(X >= 30) = 0.0003), and its difference
    # interval covers 0 in more than 270 (binomial(300, 0.95): P(X <= 270) = 0.0003). The
    # planted odds ratio of 1.35 is found in 14.7 % or more of the full table's comparisons:
    # above 25 of 300 (binomial(300, 0.147): P(X <= 25) = 0.0006). Weeks taken as independent
    # (serial=False) do not hold under AR(0.5) shocks at 400 audits a week (15.8 % in the
    # full table): at least 25 of 300 (binomial(300, 0.158): P(X < 25) < 1e-4); nor do audits
    # taken as independent (dispersion="binomial") at independent shocks of sd 0.3 and 400
    # audits a week (20.8 %): at least 36 of 300 (binomial(300, 0.2): P(X < 36) < 1e-4).
    rows = _benchmark("calibration_spc_report").compare_shock_rows(
        np.random.default_rng([2026, 17]), quick=True
    )
    assert len(rows) == 32
    default = [r for r in rows if r["function"] == "compare_periods p_value (weeks as periods)"]
    intervals = [r for r in rows if "difference interval" in r["function"]]
    independent = [r for r in rows if r["function"].endswith("serial=False")]
    binomial = [r for r in rows if r["function"].endswith("dispersion='binomial'")]
    assert len(default) == len(intervals) == len(independent) == len(binomial) == 8
    assert all(r["false_positive_rate"] < 30 / 300 for r in default)
    assert all(r["coverage"] > 270 / 300 for r in intervals)
    assert all(r["power"] > 25 / 300 for r in default)
    (persisting,) = [r for r in independent if "400 audits" in r["world"] and "AR" in r["world"]]
    assert persisting["false_positive_rate"] >= 25 / 300
    (rough,) = [r for r in binomial if "400 audits" in r["world"] and r["world"].endswith("0.3")]
    assert rough["false_positive_rate"] >= 36 / 300


@pytest.mark.slow
def test_reduced_calibration_of_agreement_intervals():
    # 100 sessions per row. t on at most n - 1 degrees of freedom widens every analytic
    # interval of a session, so its coverage is at least that of t on n - 1. The default
    # (likelihood on skewed, thin sessions) covered at least 92.9 % of 2,000 sessions in
    # every world of the full run (Fleiss' kappa at 97/3 %, 100 items), so at least 85 of
    # 100 here (binomial(100, 0.929): P(X < 85) < 0.002).
    table = _benchmark("calibration_flags_agreement").agreement_rows(
        np.random.default_rng([2026, 12, 7]), quick=True
    )
    default = [r for r in table if "method='auto'" in r["function"]]
    analytic = [r for r in table if "t on effective df" in r["function"]]
    before = [r for r in table if "before (t on n - 1)" in r["function"]]
    assert len(default) == len(analytic) == len(before) == 32
    assert all(a["coverage"] >= b["coverage"] for a, b in zip(analytic, before, strict=True))
    assert all(r["coverage"] >= 0.85 for r in default)
    # the skewed-session warning of the default: never on balanced sessions nor on AC1; on
    # the kappa-type coefficients of the 95/4/1 % world (fewer than 2 items agreeing on a
    # rarer category) in 43.3-60.0 % of sessions in the full run, so in at least 28 of 100
    # here (binomial(100, 0.433): P(X < 28) < 0.001)
    share = {(r["function"].split()[0], r["world"]): _warned_share(r["note"]) for r in default}
    assert all(
        v == 0 for (name, world), v in share.items() if "balanced" in world or "gwet" in name
    )
    skewed = [v for (name, world), v in share.items() if "95/4/1" in world and "gwet" not in name]
    assert len(skewed) == 3
    assert all(v >= 28 for v in skewed)
    # the likelihood is taken on the kappa-type coefficients of skewed sessions only
    chosen = {key: float(r["note"].split("likelihood in ")[1].split("%")[0])
              for key, r in zip(share, default, strict=True)}  # fmt: skip
    assert all(v == 0 for (name, world), v in chosen.items() if "balanced" in world)
    assert all(v > 50 for (name, world), v in chosen.items() if "95/4/1" in world and
               "gwet" not in name)  # fmt: skip


def _warned_share(note: str) -> float:
    return float(note.split("warned in ")[1].split("%")[0])


def test_population_agreement_of_the_rating_model_by_hand():
    # Two classes at prevalence 1/2 and 1/2, each rater right with probability 0.8: two
    # ratings agree with probability 0.8^2 + 0.2^2 = 0.68; the marginal is (1/2, 1/2), so
    # chance is 1/2 for kappa and for AC1 (sum pi (1 - pi) / (K - 1) = 1/2), and both are
    # (0.68 - 0.5) / 0.5 = 0.36.
    population_values = _benchmark("calibration_flags_agreement").population_values
    confusion = np.array([[0.8, 0.2], [0.2, 0.8]])
    values = population_values(np.array([0.5, 0.5]), confusion)
    assert values["kappa"] == pytest.approx(0.36)
    assert values["ac1"] == pytest.approx(0.36)
    # Prevalence 0.9 / 0.1: agreement 0.68 as before; marginal (0.74, 0.26); kappa chance
    # 0.74^2 + 0.26^2 = 0.6152, kappa (0.68 - 0.6152) / 0.3848 = 0.16840; AC1 chance
    # 2 x 0.74 x 0.26 = 0.3848, AC1 (0.68 - 0.3848) / 0.6152 = 0.47984.
    values = population_values(np.array([0.9, 0.1]), confusion)
    assert values["kappa"] == pytest.approx(0.0648 / 0.3848)
    assert values["ac1"] == pytest.approx(0.2952 / 0.6152)


@pytest.mark.slow
def test_reduced_calibration_of_a_month_of_weeks_on_small_clustered_cells():
    # The report's month comparison (segment_month_shifts) is compare_periods with
    # dispersion="moderated" over weeks as periods. 50 comparisons of 12 cells of 2 to 2,000
    # audits a week, moderator ICC 0.05, week shocks sd 0.15 (about 5 s): in the full table
    # it calls 3.0 % of 1,800 at 5 %; here at most 40 of the tested cells (binomial(528,
    # 0.05): P(X >= 41) = 0.004, scipy). Pooling the weeks' audits as independent
    # (dispersion="binomial") on the same frames calls more than that band allows.
    module = _benchmark("calibration_spc_report")
    ways = {"moderated": {"dispersion": "moderated"}, "binomial": {"dispersion": "binomial"}}
    found = module.cell_comparisons(np.random.default_rng([2026, 8, 1]), 50, size="mixed",
                                    icc=0.05, sd=0.15, ar=0.0, odds=1.0, ways=ways)  # fmt: skip
    tested = found["moderated"]["p_value"].notna()
    assert tested.sum() >= 500
    calls = {way: int((frame.loc[tested, "p_value"] < 0.05).sum()) for way, frame in found.items()}
    assert calls["moderated"] <= 40
    assert calls["binomial"] > 40


@pytest.mark.slow
def test_reduced_calibration_of_the_planners():
    # Plans simulated as planned (40 experiments a world, about 12 s; 500 samples a margin
    # world). A plan that delivers its promised 80 % detects the effect in more than 24 of 40
    # experiments with probability 0.997 (binomial(40, 0.8): P(X <= 24) = 0.003); a plan that
    # ignored an ICC of 0.03 (a design effect of 1.87) would give about 55 %. A 5 % test calls
    # fewer than 8 of 40 equal arms different (binomial(40, 0.05): P(X >= 8) = 0.0007), and a
    # 95 % interval covers more than 440 of 500 (binomial(500, 0.95): P(X <= 440) < 1e-9).
    module = _benchmark("calibration_planning")
    table = module.rows(quick=True)
    assert list(table.columns) == module.COLUMNS
    power = table[table["function"].str.startswith("sample_size_for_effect")]
    margin = table[table["function"].str.startswith("clustered_sample_size")]
    assert len(power) == len(margin) == 3
    assert (power["power"] > 0.6).all()
    assert (power["false_positive_rate"] < 8 / 40).all()
    assert (margin["coverage"] > 440 / 500).all()
