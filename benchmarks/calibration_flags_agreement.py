"""Calibration of the flags a leader acts on one by one, and of the agreement coefficients.

Rows in the columns of ``calibration_spc_report.COLUMNS`` on null worlds where the truth is
known:

- ``rca.error_drivers``: one month of audits of a stable process in which sites a and b do
  not differ (moderators nested in sites, latent ICC 0.02 or 0.05); site b's odds-ratio
  p-value and interval (truth 1), fitted by default (which finds ``moderator_id`` and takes
  the moderators as clusters) and with ``cluster=None`` (audits taken as independent).
- ``moderator_outliers``: moderators drawn from one logit-normal distribution of abilities
  (nobody an outlier from it; latent ICC 0.005 to 0.05, caseloads of 30 to 300 audits), so a
  moderator called "separable" is a coaching session spent on noise. The share of moderators
  with p < 0.05, and the share of replicates in which anybody is flagged at the default
  q = 0.05 (a false discovery under the global null is a family-wise error).
- ``vendors.compare_site_types``: six months of two in-house and three vendor sites whose gap
  to in-house is constant (moderators with a latent ICC, site x month shocks); the p-value and
  interval of the gap's trend, pooled vendors and one site, by default and with
  ``cluster="moderator_id"``.
- ``trends.explain_change``: two months of one stable process (moderators keep their
  ability across the months, latent ICC 0 to 0.05); the share of replicates in which any
  site x queue segment's Mantel-Haenszel q-value falls below 0.05 (the family-wise false
  claim of a segment that moved) and below 0.0125 (the report's claim level).
- ``report.change_test.overall_change``: thirteen months of four weeks of one stable process
  audited by a team of 2 to 40 moderators who keep their ability (latent ICC 0.05); the
  share of report months whose change since the month before is called at p < 0.05, with
  the design variance's degrees of freedom (clusters minus one) and, as before, without.
- ``agreement`` coefficients: Cohen's kappa, Fleiss' kappa, Krippendorff's alpha and Gwet's
  AC1 on calibration sessions whose raters give the true class with a fixed accuracy, else
  another class at random; the population value is derived from the model (below). Balanced
  classes and the skewed prevalence of moderation (most items violate nothing), 30 and 100
  items; the interval on the effective degrees of freedom and, from the same estimate and
  standard error, the former one on ``n - 1``. Fleiss' kappa's bootstrap interval too.
- ``rca.pareto``: two months of one stable process whose moderators' own root-cause shares
  scatter (Dirichlet around 40/30/20/10 %), the same moderators in both months or other ones;
  the coverage of each cause's change of share, by default (moderators as clusters) and with
  ``cluster=None``.
- ``agreement.compare_agreement``: two sessions of one process (3 raters at accuracy 0.9);
  the share of pairs called different at p < 0.05, and with the normal reference before.
- ``report.findings.rater_evidence``: calibration sessions of 8 equally accurate raters; the
  share of sessions in which the report names a rater as less accurate, and as before (95 %
  intervals below the pooled accuracy); power at one rater 10 points below the others.
- ``text.distinctive_terms`` (the report's rising terms of the error comments): two months of
  comments written by 25 auditors with their own term weights; the share of month pairs with
  any term called rising at a false discovery rate of 5 %, with the default pooled prior and
  a weak flat one; power at one term whose rate doubles.

Population values of the rating model. Each rater labels an item of true class t with the
row ``C[t]`` of the confusion matrix, independently given t. Two ratings of one item agree
with probability ``p_o = sum_t prevalence_t * sum_k C[t, k]**2``; the label marginal is
``pi = prevalence @ C``. Cohen's and Fleiss' kappa and Krippendorff's alpha (nominal) share
the chance term ``sum_k pi_k**2`` (the raters are exchangeable, so Cohen's product of two
marginals is the same), and Gwet's AC1 uses ``sum_k pi_k (1 - pi_k) / (K - 1)``; each
coefficient is ``(p_o - p_e) / (1 - p_e)``. Krippendorff's alpha differs from Fleiss' kappa by
a term of order 1 / (items x raters) that vanishes in the population.

Run: ``python benchmarks/calibration_flags_agreement.py [--quick]``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from calibration_auditors_drivers import DRIVER_RATE, QUEUE_EFFECTS, driver_month
from calibration_spc_report import (
    BASE_RATE,
    marginal_rate,
    moderator_sd,
    part_rows,
    row,
    run_parts,
)
from scipy import stats
from scipy.special import expit, logit

ALPHA = 0.05
#: Site effects (log odds) of the drivers' month: sites a and b alike, c and d not.
ALIKE = (0.0, 0.0, -0.2, 0.4)


# --- error drivers ----------------------------------------------------------------------------


def driver_rows(rng, quick: bool) -> list[dict]:
    """error_drivers' site b against site a (truth: odds ratio 1): the default, which clusters
    by moderator_id, and cluster=None."""
    from qainsights.rca import error_drivers

    runs = 100 if quick else 2000
    options = {"factors": ["site", "queue"], "reference": {"site": "a", "queue": "x"}}
    out = []
    for audits, per_site, icc in ((800, 10, 0.02), (3000, 15, 0.05)):
        site_of = np.repeat(np.arange(4), per_site)
        reject, covered = np.zeros((2, runs), dtype=bool), np.zeros((2, runs), dtype=bool)
        fitted, warned = np.ones(runs, dtype=bool), np.zeros(runs, dtype=bool)
        roster_covered = np.zeros(runs, dtype=bool)
        for i in range(runs):  # two fits per simulated month
            ability = rng.normal(0, moderator_sd(icc), site_of.size)
            frame = driver_month(rng, ability, site_of, audits=audits, sites=ALIKE)
            roster = roster_odds_ratio(ability, site_of)
            for j, chosen in enumerate(({}, {"cluster": None})):
                try:
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always")
                        result = error_drivers(frame, **chosen, **options)
                except ValueError:  # a level without errors: the function refuses to fit
                    fitted[i] = False
                    break
                cluster = chosen.get("cluster", result.cluster)
                assert cluster == ("moderator_id" if j == 0 else None)
                warned[i] |= any("cluster by moderator" in str(w.message) for w in caught)
                fit = result.table
                b = fit[(fit["factor"] == "site") & (fit["level"] == "b")].iloc[0]
                reject[j, i] = b["p_value"] < ALPHA
                covered[j, i] = b["ci_low"] <= 1 <= b["ci_high"]
                if cluster is None:
                    roster_covered[i] = b["ci_low"] <= roster <= b["ci_high"]
        reject, covered, warned = reject[:, fitted], covered[:, fitted], warned[fitted]
        roster_covered = roster_covered[fitted]
        refused = (f"; {runs - fitted.sum()} of {runs:,} months refused (separation) and "
                   "left out") if not fitted.all() else ""  # fmt: skip
        world = (f"1 month x {audits:,} audits, 4 sites x 3 queues, {per_site} moderators a "
                 f"site (ICC {icc})")  # fmt: skip
        out += [
            row("error_drivers odds ratio p_value and interval (default: clusters by "
                "moderator_id)", world, int(fitted.sum()), rejections=reject[0],
                covered=covered[0],
                note=f"site b against site a, alike; no cluster argument: the default found "
                     f"moderator_id and took the moderators as clusters{refused}"),
            row("error_drivers odds ratio p_value and interval, cluster=None (audits "
                "independent)", world, int(fitted.sum()), rejections=reject[1],
                covered=covered[1],
                note=f"warned that errors cluster by moderator in {warned.mean():.1%} of "
                     f"fits{refused}"),
            row("error_drivers odds ratio interval, cluster=None, the roster's odds ratio",
                world, int(fitted.sum()), covered=roster_covered,
                note="the truth is site b's odds ratio among the decisions the audits were "
                     f"drawn from (these moderators, this month){refused}"),
        ]  # fmt: skip
    return out


def roster_odds_ratio(ability: np.ndarray, site_of: np.ndarray) -> float:
    """Site b's odds ratio against a among the decisions of this month's moderators.

    The limit of the default fit as the audits of these moderators grow: the same logistic
    model (site and queue) fitted by statsmodels to the expected error rate of every
    moderator x queue cell, each cell as likely as in ``driver_month`` (moderators and queues
    drawn uniformly).
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    queues = len(QUEUE_EFFECTS)
    moderator, queue = np.divmod(np.arange(ability.size * queues), queues)
    site = site_of[moderator]
    log_odds = (logit(DRIVER_RATE) + np.asarray(ALIKE)[site] + np.asarray(QUEUE_EFFECTS)[queue]
                + ability[moderator])  # fmt: skip
    design = np.column_stack([np.ones(site.size), *(site == k for k in range(1, len(ALIKE))),
                              *(queue == k for k in range(1, queues))]).astype(float)  # fmt: skip
    with warnings.catch_warnings():  # rates the model fits exactly read as "perfect prediction"
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        fit = sm.GLM(expit(log_odds), design, family=sm.families.Binomial()).fit()
    return float(np.exp(fit.params[1]))


# --- moderator outliers -------------------------------------------------------------------------


def outlier_rows(rng, quick: bool) -> list[dict]:
    """moderator_outliers when no moderator is an outlier from the spread of moderators."""
    from qainsights.moderators import moderator_outliers

    runs = 50 if quick else 2000
    out = []
    for moderators, icc, low, high in ((150, 0.005, 30, 300), (150, 0.02, 30, 300),
                                       (150, 0.05, 30, 300), (40, 0.05, 30, 120)):  # fmt: skip
        per_moderator, any_flag = [], np.zeros(runs, dtype=bool)
        for i in range(runs):  # one call per simulated roster
            ability = rng.normal(0, moderator_sd(icc), moderators)
            n = rng.integers(low, high + 1, moderators)
            errors = rng.binomial(n, expit(logit(0.06) + ability))
            who = np.repeat(np.arange(moderators), n)
            position = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
            audits = pd.DataFrame({
                "moderator_id": np.char.add("m", who.astype(str)),
                "is_error": position < np.repeat(errors, n),
            })  # fmt: skip
            table = moderator_outliers(audits).table
            per_moderator.append(table["p_value"].to_numpy() < ALPHA)
            any_flag[i] = table["status"].str.startswith("separable").any()
        world = (
            f"{moderators} moderators, {low}-{high} audits each, latent ICC {icc}, "
            "nobody an outlier"
        )
        every = np.concatenate(per_moderator)
        out += [
            row("moderator_outliers p_value (beta-binomial predictive tail)", world, every.size,
                rejections=every,
                note=f"share of moderators with p < 0.05 over {runs:,} rosters (not independent "
                     "within a roster: its Wilson interval is too narrow)"),
            row("moderator_outliers: anybody flagged separable (q <= 0.05)", world, runs,
                rejections=any_flag,
                note="family-wise: a roster with a flag when nobody is an outlier"),
        ]  # fmt: skip
    return out


# --- vendor sites against in-house ---------------------------------------------------------------


def _vendor_months(rng, *, per_site, icc, shock_sd, months=6, trend=0.0) -> pd.DataFrame:
    """Six months of 2 in-house and 3 vendor sites; vendors +0.3 on the logit scale.

    Moderators (15 a site) share their ability over the months; each site's months carry
    independent shocks of sd ``shock_sd``; queue x policy mix effects and mix shares differ
    by site. The gap of a vendor to in-house grows by ``trend`` (logit) a month: none by
    default.
    """
    sites = np.array(["h1", "h2", "v1", "v2", "v3"])
    vendor = np.array([0, 0, 1, 1, 1])
    ability = rng.normal(0, moderator_sd(icc), (sites.size, 15))
    shock = rng.normal(0, shock_sd, (sites.size, months))
    n = per_site * sites.size * months
    site = np.repeat(np.arange(sites.size), per_site * months)
    month = np.tile(np.repeat(np.arange(months), per_site), sites.size)
    moderator = rng.integers(0, 15, n)
    queue = (rng.random(n) < np.array([0.3, 0.5, 0.4, 0.6, 0.7])[site]).astype(int)
    policy = rng.integers(0, 2, n)
    log_odds = (logit(0.05) + (0.3 + trend * month) * vendor[site] + 0.4 * queue
                - 0.2 * policy + ability[site, moderator] + shock[site, month])  # fmt: skip
    return pd.DataFrame({
        "month": np.array([f"2026-0{m + 1}" for m in range(months)])[month],
        "site": sites[site],
        "site_type": np.where(vendor[site] == 1, "vendor", "in_house"),
        "queue": np.array(["q0", "q1"])[queue],
        "policy": np.array(["p0", "p1"])[policy],
        "moderator_id": np.char.add(sites[site], moderator.astype(str)),
        "is_error": rng.random(n) < expit(log_odds),
    })  # fmt: skip


def _gap_trend_calls(rng, runs, *, trend=0.0, **world) -> tuple[np.ndarray, np.ndarray]:
    """Rejections and coverage of the gap trend, (default, clustered) x (all vendors, v1)."""
    from qainsights.vendors import compare_site_types

    reject, covered = np.zeros((2, 2, runs), dtype=bool), np.zeros((2, 2, runs), dtype=bool)
    for i in range(runs):  # two calls per simulated half-year
        audits = _vendor_months(rng, trend=trend, **world)
        for j, cluster in enumerate((None, "moderator_id")):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                card = compare_site_types(audits, month="2026-06", target=0.9,
                                          cluster=cluster).scorecard.set_index("unit")  # fmt: skip
            for k, unit in enumerate(("all vendors", "v1")):
                reject[j, k, i] = card.loc[unit, "p_value"] < ALPHA
                covered[j, k, i] = (card.loc[unit, "gap_trend_ci_low"] <= 0
                                    <= card.loc[unit, "gap_trend_ci_high"])  # fmt: skip
    return reject, covered


def vendor_rows(rng, quick: bool) -> list[dict]:
    """compare_site_types' trend of the gap (truth: no trend), default and clustered; power
    at a gap growing by 0.1 on the logit scale a month (half as many half-years)."""
    runs = 20 if quick else 1000  # about 0.15 s a call
    out = []
    for per_site, icc, shock_sd in ((200, 0.02, 0.0), (1000, 0.05, 0.15)):
        world = {"per_site": per_site, "icc": icc, "shock_sd": shock_sd}
        reject, covered = _gap_trend_calls(rng, runs, **world)
        power = _gap_trend_calls(rng, runs // 2, trend=0.1, **world)[0].mean(axis=2)
        world = (f"6 months x {per_site:,} audits a site, 2 in-house and 3 vendor sites, 15 "
                 f"moderators a site (ICC {icc}), site x month shocks sd {shock_sd}")  # fmt: skip
        for j, cluster in enumerate(("default", "cluster='moderator_id'")):
            for k, unit in enumerate(("all vendors", "one vendor site")):
                out.append(row(f"compare_site_types gap_trend p_value and interval, {cluster}",
                               world, runs, rejections=reject[j, k], covered=covered[j, k],
                               power=power[j, k],
                               note=f"{unit}; the gap has no trend; power: it grows by 0.1 "
                               "logit a month"))  # fmt: skip
    return out


# --- segments behind a change ---------------------------------------------------------------------


def segment_rows(rng, quick: bool) -> list[dict]:
    """explain_change's segment q-values between two months of a stable process."""
    from qainsights.trends import explain_change

    runs = 50 if quick else 2000  # about 0.05 s a call
    out = []
    for icc, per_site, audits in ((0.0, 10, 3000), (0.02, 10, 3000), (0.05, 15, 3000),
                                  (0.05, 10, 800)):  # fmt: skip
        smallest = np.empty(runs)
        for i in range(runs):
            site_of = np.repeat(np.arange(4), per_site)
            ability = rng.normal(0, moderator_sd(icc), site_of.size)
            months = [driver_month(rng, ability, site_of, audits=audits).assign(month=m)
                      for m in ("2026-09", "2026-10")]  # fmt: skip
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                change = explain_change(pd.concat(months, ignore_index=True), by=["site", "queue"],
                                        period="month", current="2026-10")  # fmt: skip
            smallest[i] = np.nanmin(change.segments["q_value"].to_numpy(dtype=float))
        world = (f"2 months x {audits:,} audits, 4 sites x 3 queues, {per_site} moderators a site "
                 f"(ICC {icc}) in both months, no change")  # fmt: skip
        for level, what in ((0.05, "q < 0.05"), (0.0125, "q < 0.0125, the report's claim level")):
            out.append(row("explain_change segments: any segment called moved", world, runs,
                           rejections=smallest < level,
                           note=f"{what}; family-wise over the 19 segments (sites, queues, "
                           "site x queue); Mantel-Haenszel tests of audits as independent"))  # fmt: skip
    return out


# --- the report's overall change ---------------------------------------------------------------


def _stable_year(rng, moderators: int, per_week: int, icc: float) -> pd.DataFrame:
    """Thirteen months of four weeks; each moderator audited ``per_week`` times a week."""
    months = [str(m) for m in pd.period_range("2025-10", "2026-10", freq="M")]
    weeks = [f"{m}-w{k}" for m in months for k in range(4)]
    ability = rng.normal(0, moderator_sd(icc), moderators)
    p = expit(logit(0.07) + np.repeat(ability, per_week))
    errors = rng.random((len(weeks), p.size)) < p
    return pd.DataFrame({
        "month": np.repeat(np.repeat(months, 4), p.size),
        "week": np.repeat(weeks, p.size),
        "moderator_id": np.tile(np.repeat(np.arange(moderators), per_week), len(weeks)),
        "is_error": errors.ravel(),
    })  # fmt: skip


def change_rows(rng, quick: bool) -> list[dict]:
    """The report's overall change between two months of a stable process, few moderators."""
    from qainsights.report.change_test import overall_change

    runs = 40 if quick else 2000
    out = []
    for moderators, per_week in ((2, 30), (3, 20), (5, 12), (10, 6), (40, 5)):
        now, before = np.empty(runs, bool), np.empty(runs, bool)
        for i in range(runs):
            year = _stable_year(rng, moderators, per_week, 0.05)
            found = overall_change(year, month="2026-10", previous="2026-09",
                                   cluster="moderator_id", alpha=ALPHA)  # fmt: skip
            m = found["history"]  # before: the history's df alone, normal without history
            nu = m**2 / (1.5 * m - 0.5) if m >= 2 else np.inf
            reference = stats.norm if np.isinf(nu) else stats.t(nu)
            now[i] = found["p_value"] < ALPHA
            before[i] = 2 * reference.sf(abs(found["statistic"])) < ALPHA
        world = (f"13 months x 4 weeks, {moderators} moderators x {per_week} audits a week "
                 "(ICC 0.05), no change")  # fmt: skip
        out.append(row("overall_change: the report's change called at p < 0.05", world, runs,
                       rejections=now, note="t on the df of the history and of the design "
                       "variance (moderators minus one) together"))  # fmt: skip
        out.append(row("overall_change, before", world, runs, rejections=before,
                       note="before: t on the history's df alone (the design variance's df "
                       "ignored)"))  # fmt: skip
    return out


# --- agreement coefficients ---------------------------------------------------------------------


def _confusion(accuracy: float, classes: int) -> np.ndarray:
    """A rater gives the true class with ``accuracy``, else another class at random."""
    off = (1 - accuracy) / (classes - 1)
    return np.full((classes, classes), off) + np.eye(classes) * (accuracy - off)


def population_values(prevalence: np.ndarray, confusion: np.ndarray) -> dict[str, float]:
    """Population kappa (Cohen, Fleiss), alpha and AC1 of the rating model (module docstring)."""
    agree = float(np.sum(prevalence * np.sum(confusion**2, axis=1)))
    marginal = prevalence @ confusion
    chance_kappa = float(np.sum(marginal**2))
    chance_ac1 = float(np.sum(marginal * (1 - marginal)) / (marginal.size - 1))
    kappa = (agree - chance_kappa) / (1 - chance_kappa)
    return {"kappa": kappa, "ac1": (agree - chance_ac1) / (1 - chance_ac1)}


def _session(rng, items, raters, prevalence, confusion) -> pd.DataFrame:
    true_class = rng.choice(prevalence.size, items, p=prevalence)
    cumulative = np.cumsum(confusion[np.repeat(true_class, raters)], axis=1)
    labels = (rng.random(items * raters)[:, None] > cumulative[:, :-1]).sum(axis=1)
    return pd.DataFrame({
        "item": np.repeat(np.arange(items), raters),
        "rater": np.tile(np.arange(raters), items),
        "label": labels,
    })  # fmt: skip


AGREEMENT_COEFFICIENTS = {  # name: (function name, estimand, raters)
    "cohen_kappa": ("cohen_kappa", "kappa", 2),
    "fleiss_kappa": ("fleiss_kappa", "kappa", 3),
    "krippendorff_alpha": ("krippendorff_alpha", "kappa", 3),
    "gwet_ac (AC1)": ("gwet_ac", "ac1", 3),
}
AGREEMENT_WORLDS = [  # prevalence, accuracy, label, items
    (np.array([1 / 3, 1 / 3, 1 / 3]), 0.8, "balanced classes", 30),
    (np.array([1 / 3, 1 / 3, 1 / 3]), 0.8, "balanced classes", 100),
    (np.array([0.85, 0.12, 0.03]), 0.9, "prevalence 85/12/3 %", 30),
    (np.array([0.85, 0.12, 0.03]), 0.9, "prevalence 85/12/3 %", 100),
    (np.array([0.9, 0.1]), 0.9, "two classes, prevalence 90/10 %", 30),
    (np.array([0.9, 0.1]), 0.9, "two classes, prevalence 90/10 %", 100),
    (np.array([0.95, 0.04, 0.01]), 0.9, "prevalence 95/4/1 %", 30),
    (np.array([0.97, 0.03]), 0.95, "two classes, prevalence 97/3 %", 100),
]


def agreement_rows(rng, quick: bool) -> list[dict]:
    """Coverage of the intervals of four coefficients with a known population value.

    Each session gives each coefficient's default interval (``method="auto"``: the profile
    likelihood on a skewed session with few items agreeing on a rarer category, the analytic
    one elsewhere; computed once per distinct table of counts), its analytic interval on the
    effective degrees of freedom (the default before) and, from the same estimate and
    standard error, the analytic one on ``n - 1`` (irrCAC's). The worlds run in two
    processes, each with its own seed drawn from ``rng``.
    """
    from concurrent.futures import ProcessPoolExecutor

    sessions = 100 if quick else 2000
    seeds = rng.integers(2**32, size=len(AGREEMENT_WORLDS))
    with ProcessPoolExecutor(max_workers=2) as pool:
        found = pool.map(_agreement_world, AGREEMENT_WORLDS, [sessions] * len(seeds), seeds)
        return [r for rows_of_world in found for r in rows_of_world]


def _agreement_world(world, sessions: int, seed: int) -> list[dict]:
    import qainsights.agreement as agreement
    from qainsights.agreement.inference import t_interval

    prevalence, accuracy, label, items = world
    rng = np.random.default_rng(seed)
    confusion = _confusion(accuracy, prevalence.size)
    truth = population_values(prevalence, confusion)
    out = []
    for name, (function_name, estimand, raters) in AGREEMENT_COEFFICIENTS.items():
        function = getattr(agreement, function_name)
        covered = np.zeros((3, sessions), bool)
        defined, known = np.zeros(sessions, bool), {}
        warned, likely = np.zeros((2, sessions), bool), np.zeros(sessions, bool)
        for i in range(sessions):
            data = _session(rng, items, raters, prevalence, confusion)
            labels = data["label"].to_numpy().reshape(items, raters)
            cells = labels if raters == 2 else np.sort(labels, axis=1)
            key = tuple(sorted(map(tuple, cells)))  # the session's table of counts
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if key not in known:
                    known[key] = function(data, item="item", rater="rater", label="label")
                default = known[key]
                analytic = function(data, item="item", rater="rater", label="label",
                                    method="analytic")  # fmt: skip
            if not np.isfinite(analytic.se):  # every rating in one class
                continue
            defined[i], likely[i] = True, default.method == "likelihood"
            warned[:, i] = bool(default.note), bool(analytic.note)  # SkewedSessionWarning
            before = t_interval(analytic.estimate, analytic.se, analytic.n_items - 1, analytic.ci)
            intervals = [(default.ci_low, default.ci_high), (analytic.ci_low, analytic.ci_high),
                         before[:2]]  # fmt: skip
            for j, (low, high) in enumerate(intervals):
                covered[j, i] = low <= truth[estimand] <= high
        where = (f"{items} items x {raters} raters, {label}, accuracy {accuracy}, "
                 f"population {estimand} {truth[estimand]:.3f}")  # fmt: skip
        undefined = sessions - int(defined.sum())
        left_out = f"{undefined} sessions with one class only left out; " if undefined else ""
        kept = covered[:, defined]
        chosen = f"likelihood in {likely[defined].mean():.1%} ({len(known)} distinct tables); "
        out += [
            row(f"{name} interval (default: method='auto')", where, kept.shape[1],
                covered=kept[0], warned=warned[0, defined],
                note=left_out + chosen + _warned(warned[0], covered[0], defined)),
            row(f"{name} interval, method='analytic' (t on effective df)", where,
                kept.shape[1], covered=kept[1], warned=warned[1, defined],
                note=left_out + _warned(warned[1], covered[1], defined)),
            row(f"{name} interval (analytic), before (t on n - 1)", where, kept.shape[1],
                covered=kept[2]),
        ]  # fmt: skip
    return out


def _warned(warned: np.ndarray, covered: np.ndarray, defined: np.ndarray) -> str:
    """How often a row's sessions were named as too thin, and how those and the others covered."""
    note = f"warned in {warned[defined].mean():.1%}"
    if warned[defined].any():
        note += f" (those cover {covered[defined & warned].mean():.1%}"
        quiet = defined & ~warned
        note += f", the others {covered[quiet].mean():.1%})" if quiet.any() else ")"
    return note


def bootstrap_rows(rng, quick: bool) -> list[dict]:
    """Coverage of Fleiss' kappa's percentile bootstrap interval with a known kappa."""
    from qainsights.agreement import fleiss_kappa

    runs, items, raters = (100 if quick else 2000), 100, 3
    prevalence, confusion = np.array([0.6, 0.3, 0.1]), _confusion(0.85, 3)
    truth = population_values(prevalence, confusion)["kappa"]
    covered = np.zeros(runs, dtype=bool)
    for i in range(runs):  # one session, 1,000 redraws inside the call
        data = _session(rng, items, raters, prevalence, confusion)
        result = fleiss_kappa(data, item="item", rater="rater", label="label",
                              method="bootstrap", n_boot=1000, seed=i)  # fmt: skip
        covered[i] = result.ci_low <= truth <= result.ci_high
    world = (f"{items} items x {raters} raters, prevalence 60/30/10 %, accuracy 0.85, "
             f"population kappa {truth:.3f}")  # fmt: skip
    return [row("fleiss_kappa interval (bootstrap percentile)", world, runs, covered=covered)]


# --- root-cause shares ---------------------------------------------------------------------------

#: Shares of four root causes in a stable process (each moderator's own shares scatter around it).
CAUSE_SHARES = np.array([0.4, 0.3, 0.2, 0.1])


def _cause_month(rng, profiles: np.ndarray, errors_each: float) -> pd.DataFrame:
    """A month's errors: Poisson(``errors_each``) per moderator, each error's cause drawn
    from its moderator's ``profiles`` row."""
    moderator = np.repeat(np.arange(len(profiles)), rng.poisson(errors_each, len(profiles)))
    cumulative = np.cumsum(profiles[moderator], axis=1)
    cause = (rng.random(len(moderator))[:, None] > cumulative[:, :-1]).sum(axis=1)
    return pd.DataFrame({"moderator_id": moderator, "root_cause": np.array(list("abcd"))[cause],
                         "is_error": True})  # fmt: skip


def pareto_rows(rng, quick: bool) -> list[dict]:
    """Coverage of the change of each root cause's share between two months of one stable
    process, by default (moderators as clusters) and with ``cluster=None``: 100 moderators with 5 errors a
    month on average, each moderator's causes drawn from its own shares (Dirichlet around
    :data:`CAUSE_SHARES` with concentration 1,000, 10 or 3), the same moderators in both
    months or other ones."""
    from qainsights.rca import pareto

    runs = 100 if quick else 2000
    out = []
    for concentration, same in ((1000, True), (10, True), (3, True), (10, False), (3, False)):
        covered = {"auto": [], None: []}
        for _ in range(runs):
            profiles = rng.dirichlet(concentration * CAUSE_SHARES, 100)
            first = _cause_month(rng, profiles, 5.0).assign(month="1")
            if not same:  # other moderators next month (turnover, another sample of them)
                profiles = rng.dirichlet(concentration * CAUSE_SHARES, 100)
            both = pd.concat([first, _cause_month(rng, profiles, 5.0).assign(month="2")])
            for cluster, found in covered.items():
                change = pareto(both, by_period="month", cluster=cluster).comparison
                found.append(((change["ci_low"] <= 0) & (change["ci_high"] >= 0)).to_numpy())
        world = (f"2 months x 100 moderators x 5 errors, 4 causes, moderators' shares "
                 f"Dirichlet (concentration {concentration}), "
                 f"{'the same' if same else 'other'} moderators in both months")  # fmt: skip
        for cluster, found in covered.items():
            intervals = np.concatenate(found)
            name = "default (clusters by moderator_id)" if cluster else "cluster=None"
            out.append(row(f"pareto change of a cause's share interval, {name}", world,
                           intervals.size, covered=intervals,
                           note=f"{runs:,} pairs of months x 4 causes (not independent within "
                                "a pair: the Wilson interval is too narrow)"))  # fmt: skip
    return out


# --- agreement compared between sessions ---------------------------------------------------------


def compare_rows(rng, quick: bool) -> list[dict]:
    """Share of pairs of calibration sessions of one process (3 raters at accuracy 0.9) that
    ``compare_agreement`` calls different at p < 0.05, beside the normal reference before."""
    from qainsights.agreement import SkewedSessionWarning, compare_agreement

    runs = 200 if quick else 2000
    worlds = [
        (np.array([1 / 3, 1 / 3, 1 / 3]), "balanced classes", 30, "gwet_ac"),
        (np.array([0.85, 0.12, 0.03]), "prevalence 85/12/3 %", 100, "gwet_ac"),
        (np.array([0.85, 0.12, 0.03]), "prevalence 85/12/3 %", 100, "fleiss_kappa"),
        (np.array([0.85, 0.12, 0.03]), "prevalence 85/12/3 %", 30, "fleiss_kappa"),
    ]
    out = []
    for prevalence, label, items, coefficient in worlds:
        confusion = _confusion(0.9, prevalence.size)
        called = np.zeros((2, runs), dtype=bool)
        warned = np.zeros(runs, dtype=bool)
        for i in range(runs):
            both = pd.concat([_session(rng, items, 3, prevalence, confusion).assign(session=s)
                              for s in ("1", "2")])  # fmt: skip
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                change = compare_agreement(both, by="session", item="item", rater="rater",
                                           label="label", coefficient=coefficient).iloc[0]  # fmt: skip
            warned[i] = any(issubclass(w.category, SkewedSessionWarning) for w in caught)
            normal = 2 * stats.norm.sf(abs(change["difference"]) / change["se"])
            called[:, i] = change["p_value"] < ALPHA, normal < ALPHA
        world = f"2 sessions x {items} items x 3 raters, {label}, accuracy 0.9, {coefficient}"
        note = "the same process in both sessions"
        if warned.any():
            note += (f"; a SkewedSessionWarning in {warned.mean():.1%} of pairs (those called "
                     f"different in {called[0, warned].mean():.1%}, the others in "
                     f"{called[0, ~warned].mean():.1%})")  # fmt: skip
        out += [
            row("compare_agreement p_value (t on Welch-Satterthwaite df)", world, runs,
                rejections=called[0], warned=warned, note=note),
            row("compare_agreement p_value, before (normal reference)", world, runs,
                rejections=called[1]),
        ]  # fmt: skip
    return out


# --- calibration: raters named as less accurate ------------------------------------------------


def rater_rows(rng, quick: bool) -> list[dict]:
    """Share of calibration sessions of 8 equally accurate raters (87 % on average, items
    varying in difficulty) in which the report's rule names a rater as separably less accurate
    (``rater_evidence``: one-sided test against the other raters, BH over the raters), beside
    the rule before (its 95 % interval below the pooled accuracy); power: one rater at 77 %."""
    from qainsights.agreement import rater_accuracy
    from qainsights.report.findings import rater_evidence

    runs = 200 if quick else 2000
    out = []
    for items, spread in ((100, 0.0), (300, 0.0), (300, 1.0)):
        named = {"null": np.zeros((2, runs), bool), "weak": np.zeros((2, runs), bool)}
        for world, shift in (("null", 0.0), ("weak", logit(0.77) - logit(0.87))):
            for i in range(runs):
                ease = rng.normal(0, spread, items)[:, None]
                accuracy = expit(logit(0.87) + ease + np.r_[[0.0] * 7, shift][None, :])
                standard = pd.Series(rng.integers(0, 2, items))
                right = rng.random((items, 8)) < accuracy
                wide = pd.DataFrame(np.where(right, standard.to_numpy()[:, None],
                                             1 - standard.to_numpy()[:, None]))  # fmt: skip
                table = rater_evidence(rater_accuracy(wide, standard=standard))
                pooled = table["agreements"].sum() / table["n_items"].sum()
                now, before = table["below_others"], table["ci_high"] < pooled
                if world == "null":
                    named[world][:, i] = now.any(), before.any()
                else:
                    named[world][:, i] = now.iloc[7], before.iloc[7]
        where = (f"8 raters x {items} items, equally accurate (87 %), item difficulty sd "
                 f"{spread} (logit)")  # fmt: skip
        out.append(row("calibration finding: a rater named separably less accurate", where, runs,
                       rejections=named["null"][0], power=float(named["weak"][0].mean()),
                       power_before=float(named["weak"][1].mean()),
                       note="any rater named, per session; power: the rater at 77 % named; "
                            "before: 95 % interval below the pooled accuracy"))  # fmt: skip
        out.append(row("calibration finding, before (95 % interval below the pooled accuracy)", where,
                       runs, rejections=named["null"][1]))  # fmt: skip
    return out


# --- attribute capability of clustered audits -------------------------------------------------


def capability_rows(rng, quick: bool) -> list[dict]:
    """Coverage of ``attribute_capability``'s DPO interval (and so of DPMO and the sigma
    level, monotone in it) for the process's error rate: 40 moderators of one process whose
    abilities differ (latent ICC 0 to 0.05), 25 or 100 audits each, base rate 4 %; without
    ``cluster`` (the default) and with ``cluster="moderator_id"``."""
    from qainsights.capability import attribute_capability

    runs = 300 if quick else 2000
    out = []
    for icc, per_moderator in ((0.0, 25), (0.02, 25), (0.05, 25), (0.05, 100)):
        sd = moderator_sd(icc)
        chance = expit(logit(BASE_RATE) + rng.normal(0, sd, (runs, 40)))
        errors = rng.random((runs, 40, per_moderator)) < chance[:, :, None]
        audits = pd.DataFrame({
            "run": np.repeat(np.arange(runs), 40 * per_moderator),
            "moderator_id": np.repeat(np.arange(runs * 40), per_moderator),
            "is_error": errors.ravel(),
        })  # fmt: skip
        truth = marginal_rate(BASE_RATE, sd)
        world = (
            f"{40 * per_moderator:,} audits, 40 moderators x {per_moderator}, ICC {icc}, rate 4 %"
        )
        for cluster in (None, "moderator_id"):
            with warnings.catch_warnings():  # the clustering check of all runs together
                warnings.simplefilter("ignore", UserWarning)
                table = attribute_capability(audits, defects="is_error", by="run", cluster=cluster)
            dpo = table[table["measure"] == "DPO"]
            covered = ((dpo["ci_low"] <= truth) & (dpo["ci_high"] >= truth)).to_numpy()
            name = "default (rows independent)" if cluster is None else "cluster='moderator_id'"
            out.append(row(f"attribute_capability DPO interval, {name}", world, runs,
                           covered=covered, note="the process's rate (moderators drawn afresh); "
                           "DPMO and sigma level are monotone in it"))  # fmt: skip
    return out


# --- rising terms of the error comments ------------------------------------------------------

#: Vocabulary of the simulated comments: 80 alphabetic terms with Zipf weights 1/rank.
TERMS = np.array(["zq" + chr(97 + i // 26) + chr(97 + i % 26) + "ent" for i in range(80)])
TERM_WEIGHTS = 1 / np.arange(1, TERMS.size + 1) / np.sum(1 / np.arange(1, TERMS.size + 1))
#: The term whose rate doubles in the month with an effect (rank 10, about 2 % of tokens).
PLANTED_TERM = 9


def _comment_month(rng, comments: int, styles: np.ndarray, share: np.ndarray, boost=1.0):
    """``comments`` error comments of 3 to 8 terms, each written by an auditor (drawn by
    ``share``) from the auditor's own term weights (rows of ``styles``); ``boost`` multiplies
    the planted term's weight."""
    weights = styles.copy()
    weights[:, PLANTED_TERM] *= boost
    weights /= weights.sum(axis=1, keepdims=True)
    auditor = rng.choice(len(share), comments, p=share)
    lengths = rng.integers(3, 9, comments)
    cumulative = np.cumsum(weights[np.repeat(auditor, lengths)], axis=1)
    drawn = (rng.random(lengths.sum())[:, None] > cumulative[:, :-1]).sum(axis=1)
    ends = np.cumsum(lengths)
    return [" ".join(TERMS[drawn[e - n : e]]) for e, n in zip(ends, lengths, strict=True)]


def terms_rows(rng, quick: bool) -> list[dict]:
    """How often the report's comments section says a term "rose beyond chance" between two
    months of one process: ``distinctive_terms`` at a false discovery rate of 5 % (the
    report's ``comment_summary``), any term of the second month called distinctive. The
    auditors (25, workloads Dirichlet(5) and the same in both months) write with their own
    term weights, Dirichlet(concentration x 80 x the common weights): concentration inf (one
    style), 10 and 3 (strong styles). Power: the planted term's rate doubled in the second
    month."""
    from qainsights.text import distinctive_terms

    runs = 40 if quick else 500
    priors = {"pooled": "default: the pooled prior", 0.01: "prior=0.01 (flat, weak)"}
    out = []
    for concentration in (np.inf, 10.0, 3.0):
        for comments in (300, 1500):
            claims = np.zeros((len(priors), 2, runs), bool)
            for i in range(runs):
                if np.isfinite(concentration):
                    styles = rng.dirichlet(concentration * TERMS.size * TERM_WEIGHTS, size=25)
                else:
                    styles = np.tile(TERM_WEIGHTS, (25, 1))
                share = rng.dirichlet(np.full(25, 5.0))
                before = _comment_month(rng, comments, styles, share)
                for j, boost in enumerate((1.0, 2.0)):
                    after = _comment_month(rng, comments, styles, share, boost)
                    data = pd.DataFrame({"text": before + after,
                                         "month": ["m0"] * comments + ["m1"] * comments})  # fmt: skip
                    for k, prior in enumerate(priors):
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            terms = distinctive_terms(data, text="text", by="month", target="m1",
                                                      reference="m0", prior=prior).terms  # fmt: skip
                        rising = set(
                            terms.loc[(terms["q_value"] <= 0.05) & (terms["z"] > 0), "term"]
                        )
                        claims[k, j, i] = bool(rising) if j == 0 else TERMS[PLANTED_TERM] in rising
            style = "one style" if not np.isfinite(concentration) else (
                f"auditors' styles Dirichlet (concentration {concentration:g})"
            )  # fmt: skip
            for k, label in enumerate(priors.values()):
                out.append(row(
                    f"distinctive_terms (the report's rising terms): any term called rising, {label}",
                    f"2 months x {comments:,} error comments of 3-8 terms, 80 terms (Zipf), "
                    f"25 auditors, {style}", runs, rejections=claims[k, 0],
                    power=float(claims[k, 1].mean()),
                    note="power: a term of 2 % of the tokens at twice its rate in the second month",
                ))  # fmt: skip
    return out


SEED = [2026, 12, 6]
PARTS = {
    "drivers": driver_rows,
    "outliers": outlier_rows,
    "vendors": vendor_rows,
    "segments": segment_rows,
    "change": change_rows,
    "agreement": agreement_rows,
    "bootstrap": bootstrap_rows,
    "pareto": pareto_rows,
    "raters": rater_rows,
    "compare": compare_rows,
    "terms": terms_rows,
    "capability": capability_rows,
}


def rows(quick: bool = False) -> pd.DataFrame:
    """All rows of this module (``quick``: fewer replicates, for the slow test)."""
    return part_rows(PARTS, SEED, quick)


if __name__ == "__main__":
    run_parts(__doc__.splitlines()[0], PARTS, SEED)
