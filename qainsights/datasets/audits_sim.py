"""Synthetic audit records of a moderation operation, with planted effects and their answer key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from .._caller import public
from .._compat import STR
from .._results import TidyResult
from .._validation import check_integer, format_values
from ..audits import ACTIONS, load_audits
from ..audits.schema import SEVERITIES
from . import _world as w
from .comments_sim import PHRASES, simulate_comments

__all__ = ["EFFECTS", "SimulatedAudits", "simulate_audits"]

#: Planted effects and where in the simulated year (as a fraction of ``weeks``) each starts.
EFFECTS: dict[str, float] = {
    "new_hire_cohort": 0.38,
    "policy_change": 0.58,
    "training_wave": 0.75,
    "site_queue_degradation": 0.85,
    "mix_shift": 0.93,
    "strict_auditor": 0.0,
}
DEGRADED_SITE, DEGRADED_QUEUE, DEGRADATION_ODDS_RATIO = "Hyderabad", "user_reports", 2.3
TRAINED_SITE, TRAINING_ODDS_RATIO = "Lisbon", 0.6
CHANGED_POLICY, POLICY_CHANGE_RATE = "hate_speech", 0.05
STRICT_AUDITOR, STRICT_EXTRA_RATE = "QA-07", 0.04
COHORT_SITE, COHORT_SIZE, LEARNING_LOGIT, LEARNING_DAYS = "Manila", 40, 1.2, 30.0
HARD_QUEUE, HARD_QUEUE_SHARE_AFTER = "high_risk", 0.20


@dataclass(frozen=True, repr=False)
class SimulatedAudits(TidyResult):
    """Simulated audits with the truth behind them.

    Attributes
    ----------
    audits : DataFrame
        The canonical audit table (as returned by :func:`qainsights.load_audits`).
    answer_key : DataFrame
        One row per planted effect: ``effect``, ``description``, ``start`` (first affected
        week), the segment columns it touches (``site``, ``queue``, ``policy``,
        ``auditor_id``, ``cohort``; missing where not restricted), ``metric``, ``baseline``
        (the expected value for the affected audits without the effect), ``planted`` (with
        it), ``audits`` (how many audits it touches) and ``phrases`` (the phrases the
        effect brings into the ``qa_comment`` of the errors it causes, separated by
        semicolons).
    moderators : DataFrame
        The roster: ``moderator_id``, ``site``, ``start_date``, ``cohort``, ``ability``
        (log-odds effect on errors; lower is better).
    """

    audits: pd.DataFrame
    answer_key: pd.DataFrame
    moderators: pd.DataFrame
    _title = "Planted effects"

    def to_frame(self) -> pd.DataFrame:
        """The answer key."""
        return self.answer_key


def _check_effects(effects: bool | Iterable[str]) -> frozenset[str]:
    if effects is True:
        return frozenset(EFFECTS)
    if effects is False:
        return frozenset()
    chosen = frozenset([effects] if isinstance(effects, str) else effects)
    unknown = sorted(chosen - set(EFFECTS))
    if unknown:
        raise ValueError(
            f"The 'effects' parameter of simulate_audits must be True, False or a list drawn "
            f"from {format_values(EFFECTS, limit=10)}. Got {format_values(unknown)} instead."
        )
    return chosen


def _check_sizes(weeks: int, audits_per_week: int, n_moderators: int, n_auditors: int) -> None:
    for name, value, low in (
        ("weeks", weeks, 2),
        ("audits_per_week", audits_per_week, 50),
        ("n_moderators", n_moderators, 20),
        ("n_auditors", n_auditors, 8),
    ):
        check_integer(value, name=name, minimum=low)


def _draw(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of ``probs`` (rows sum to 1)."""
    cumulative = np.cumsum(probs, axis=1)
    return (rng.random(len(probs))[:, None] > cumulative[:, :-1]).sum(axis=1)


def _volumes(rng, weeks, audits_per_week, start_mix):
    """Decisions and audits per (week, site, queue) stratum; audits oversample hard queues."""
    site_share = np.array([s[2] for s in w.SITES])
    queue_share = np.tile([q[1] for q in w.QUEUES], (weeks, 1))
    if start_mix is not None:
        hard = [q[0] for q in w.QUEUES].index(HARD_QUEUE)
        later = queue_share[start_mix:]
        later *= (1 - HARD_QUEUE_SHARE_AFTER) / (1 - later[:, hard : hard + 1])
        later[:, hard] = HARD_QUEUE_SHARE_AFTER
    expected = 100 * audits_per_week * site_share[None, :, None] * queue_share[:, None, :]
    decisions = rng.poisson(expected * rng.gamma(50, 1 / 50, size=expected.shape))
    oversampled = decisions * np.array([q[3] for q in w.QUEUES])[None, None, :]
    share = oversampled / oversampled.sum(axis=(1, 2), keepdims=True)
    audits = np.maximum(np.rint(audits_per_week * share), 2).astype(int)
    return decisions, audits


def _roster(rng, n_moderators, start, cohort_start):
    """Moderators by site; a new-hire cohort joins the cohort site when that effect is on."""
    shares = np.array([s[2] for s in w.SITES])
    per_site = np.floor(shares * n_moderators).astype(int)
    per_site[np.argsort(-(shares * n_moderators - per_site))[: n_moderators - per_site.sum()]] += 1
    site = np.repeat(np.arange(len(w.SITES)), per_site)
    began = start - pd.to_timedelta(rng.uniform(180, 1500, len(site)), unit="D")
    cohort = np.zeros(len(site), dtype=bool)
    if cohort_start is not None:
        site = np.append(site, np.full(COHORT_SIZE, [s[0] for s in w.SITES].index(COHORT_SITE)))
        joined = cohort_start + pd.to_timedelta(rng.uniform(0, 4, COHORT_SIZE), unit="D")
        began = began.append(joined)
        cohort = np.append(cohort, np.ones(COHORT_SIZE, dtype=bool))
    order = np.lexsort((cohort, site))
    return pd.DataFrame(
        {
            "moderator_id": [f"M{i:04d}" for i in range(1, len(site) + 1)],
            "site": np.array([s[0] for s in w.SITES])[site[order]],
            "site_index": site[order],
            "start_date": began.floor("D")[order],
            "cohort": np.where(cohort[order], "new_hire", "tenured"),
            "ability": rng.normal(0, 0.35, len(site)),
        }
    )


def _assign_moderators(rng, roster, site, decision_time):
    """Each audit gets a moderator of its site who had started by the decision time.

    The roster is ordered by site with tenured moderators first, so a site's moderators are one
    contiguous block and its tenured ones the head of that block.
    """
    n_sites = len(w.SITES)
    counts = np.bincount(roster["site_index"], minlength=n_sites)
    tenured = np.bincount(
        roster["site_index"], weights=roster["cohort"].eq("tenured"), minlength=n_sites
    ).astype(int)
    offset = np.concatenate([[0], np.cumsum(counts)[:-1]])
    chosen = offset[site] + (rng.random(len(site)) * counts[site]).astype(int)
    early = roster["start_date"].to_numpy()[chosen] > decision_time
    fallback = offset[site] + (rng.random(len(site)) * tenured[site]).astype(int)
    return np.where(early, fallback, chosen)


@public
def simulate_audits(
    *,
    seed: int = 0,
    start: str | pd.Timestamp = "2025-11-03",
    weeks: int = 52,
    audits_per_week: int = 2000,
    n_moderators: int = 400,
    n_auditors: int = 24,
    effects: bool | Iterable[str] = True,
) -> SimulatedAudits:
    """Simulate a year of QA audits of a content-moderation operation, with planted effects.

    Five sites (two in-house, three vendors) serve seven markets; five queues differ in
    difficulty and volume; six policies differ in difficulty and in how their errors split
    into over-enforcement, under-enforcement and wrong policy. Each week's decisions per
    site x queue stratum are audited by stratified sampling that oversamples the hard queues,
    so every audit carries its sampling weight. Error log-odds add site, queue, policy,
    market and moderator effects, a learning curve in tenure, and a random effect per stratum
    and week (day-to-day over-dispersion, as in a beta-binomial). Handle times are lognormal.

    Planted effects (``effects``), each described with its expected size in ``answer_key``:

    - ``new_hire_cohort``: 40 moderators join Manila at 38 % of the period, with a learning
      curve (error odds x e^1.2 on day one, decaying over a 30-day scale).
    - ``policy_change``: a guideline change at 58 % of the period adds 5 points of
      wrong-policy errors on ``hate_speech`` everywhere.
    - ``training_wave``: a training programme at Lisbon (a vendor site) multiplies its error
      odds by 0.6 from 75 % of the period on: the known effect for before/after designs.
    - ``site_queue_degradation``: Hyderabad x user_reports error odds x 2.3 from 85 %.
    - ``mix_shift``: the ``high_risk`` queue grows from 8 % to 20 % of decisions from 93 %,
      with no change in any segment's error rate, so overall accuracy falls.
    - ``strict_auditor``: auditor QA-07 calls 4 % more decisions under-enforced.

    Every error carries a ``qa_comment`` (its error type and root cause in words; the
    guideline change, the new-hire cohort and the degradation add phrases of their own, listed
    in ``answer_key["phrases"]``) and appeals an ``appeal_reason``. The comments come from a
    random stream of their own, so every other column is the same as without them.

    Parameters
    ----------
    seed : int, default 0
        Seed of the random generator; the same seed gives the same audits.
    start : str or Timestamp, default "2025-11-03"
        First day; moved back to its Monday.
    weeks : int, default 52
        Weeks simulated.
    audits_per_week : int, default 2000
        Audits drawn per week (about; each stratum gets at least two).
    n_moderators, n_auditors : int, default 400 and 24
        Size of the tenured moderator roster and of the QA team.
    effects : bool or list of str, default True
        Planted effects: all (True), none (False) or the listed names. An effect whose start
        falls after the last week is not planted.

    Returns
    -------
    SimulatedAudits
        ``audits`` (canonical audit table), ``answer_key``, ``moderators``.

    Examples
    --------
    >>> sim = simulate_audits(seed=7, weeks=4, audits_per_week=200)
    >>> sim.audits["week"].nunique(), sorted(sim.audits["site_type"].unique())
    (4, ['in_house', 'vendor'])

    In four weeks the mix shift (due at week round(0.93 x 4) = 4) falls outside the period:

    >>> sim.answer_key["effect"].tolist()
    ['new_hire_cohort', 'policy_change', 'training_wave', 'site_queue_degradation', 'strict_auditor']
    """
    _check_sizes(weeks, audits_per_week, n_moderators, n_auditors)
    check_integer(seed, name="seed", minimum=0, rule="a non-negative integer")
    chosen = _check_effects(effects)
    rng = np.random.default_rng(seed)
    first = pd.Timestamp(start).normalize()
    first -= pd.Timedelta(days=first.day_of_week)
    starts = {e: round(f * weeks) for e, f in EFFECTS.items() if e in chosen}
    starts = {e: week for e, week in starts.items() if week < weeks}  # too late to plant
    decisions, sampled = _volumes(rng, weeks, audits_per_week, starts.get("mix_shift"))
    cohort_start = (
        first + pd.Timedelta(weeks=starts["new_hire_cohort"])
        if "new_hire_cohort" in starts
        else None
    )
    roster = _roster(rng, n_moderators, first, cohort_start)

    stratum = np.repeat(np.arange(sampled.size), sampled.ravel())
    week, site, queue = np.unravel_index(stratum, sampled.shape)
    n = len(stratum)
    weight = (decisions / sampled).ravel()[stratum]
    decision_time = (
        (first + pd.to_timedelta(week * 7 * 86400 + rng.uniform(0, 7 * 86400, n), unit="s"))
        .floor("s")
        .to_numpy()
    )
    policy = _draw(rng, w.QUEUE_POLICY_MIX[queue])
    markets = np.array(list(w.MARKETS))
    code = {m: i for i, m in enumerate(markets)}
    site_markets = [np.array([code[m] for m in s[4]]) for s in w.SITES]
    n_markets = np.array([len(m) for m in site_markets])
    padded = np.array([np.resize(m, n_markets.max()) for m in site_markets])
    market = padded[site, (rng.random(n) * n_markets[site]).astype(int)]
    moderator = _assign_moderators(rng, roster, site, decision_time)
    auditor = rng.integers(0, n_auditors, n)
    tenure = (decision_time - roster["start_date"].to_numpy()[moderator]) / np.timedelta64(1, "D")

    # Error log-odds: fixed effects, moderator ability, learning curve, stratum-week noise.
    learning = LEARNING_LOGIT * np.exp(-tenure / LEARNING_DAYS)
    degraded = np.zeros(n, dtype=bool)
    if "site_queue_degradation" in starts:
        degraded = (
            (site == _index(w.SITES, DEGRADED_SITE))
            & (queue == _index(w.QUEUES, DEGRADED_QUEUE))
            & (week >= starts["site_queue_degradation"])
        )
    trained = np.zeros(n, dtype=bool)
    if "training_wave" in starts:
        trained = (site == _index(w.SITES, TRAINED_SITE)) & (week >= starts["training_wave"])
    fixed = (
        logit(w.BASE_ERROR_RATE)
        + np.log(TRAINING_ODDS_RATIO) * trained
        + np.array([s[3] for s in w.SITES])[site]
        + np.array([q[2] for q in w.QUEUES])[queue]
        + np.array([p[1] for p in w.POLICIES])[policy]
        + np.array(list(w.MARKETS.values()))[market]
        + roster["ability"].to_numpy()[moderator]
        + rng.normal(0, 0.15, sampled.size)[stratum]
    )
    p_base = expit(fixed + learning + np.log(DEGRADATION_ODDS_RATIO) * degraded)
    p_untouched = expit(fixed)
    changed = np.zeros(n, dtype=bool)
    if "policy_change" in starts:
        changed = (policy == _index(w.POLICIES, CHANGED_POLICY)) & (week >= starts["policy_change"])
    strict = np.zeros(n, dtype=bool)
    if "strict_auditor" in starts:
        strict = auditor == int(STRICT_AUDITOR.removeprefix("QA-")) - 1
    p_policy = POLICY_CHANGE_RATE * changed
    p_strict = STRICT_EXTRA_RATE * strict

    # Which mechanism (if any) produced an error: base, guideline change, strict auditor.
    u = rng.random(n)
    cut1 = p_base
    cut2 = cut1 + (1 - p_base) * p_policy
    cut3 = cut2 + (1 - p_base) * (1 - p_policy) * p_strict
    source = np.select([u < cut1, u < cut2, u < cut3], [1, 2, 3], default=0)
    split = np.array([p[2] for p in w.POLICIES])[policy]
    error_type = np.select(
        [source == 1, source == 2, source == 3], [1 + _draw(rng, split), 3, 2], default=0
    )
    attributable = rng.random(n) < 1 - p_untouched / p_base
    cause = np.where(
        source == 1,
        np.where(
            attributable,
            np.where(
                degraded, w.ROOT_CAUSES.index("missed_context"), w.ROOT_CAUSES.index("training_gap")
            ),
            _draw(rng, np.tile(w.ROOT_CAUSE_MIX, (n, 1))),
        ),
        np.where(
            source == 2,
            w.ROOT_CAUSES.index("policy_ambiguity"),
            w.ROOT_CAUSES.index("guideline_misread"),
        ),
    )
    severity = _draw(rng, np.array([p[3] for p in w.POLICIES])[policy])

    # Actions consistent with the error type (ranks index ACTIONS; 0 is no_action).
    enforce = 1 + _draw(rng, np.tile([e[1] for e in w.ENFORCEMENT], (n, 1)))
    violating = rng.random(n) < np.array([q[5] for q in w.QUEUES])[queue]
    qa = np.select(
        [error_type == 0, error_type == 1], [np.where(violating, enforce, 0), 0], enforce
    )
    mod = np.select([error_type == 1, error_type == 2], [enforce, 0], qa)
    other = (policy + rng.integers(1, len(w.POLICIES), n)) % len(w.POLICIES)
    mod_policy = np.where(error_type == 3, other, policy)

    policy_names = np.array([p[0] for p in w.POLICIES])
    is_error = error_type > 0
    handle_log = (
        np.log(np.array([q[4] for q in w.QUEUES])[queue])
        + np.log([1.0, 1.05, 0.9, 0.85, 1.1])[site]
        + 0.4 * np.exp(-tenure / LEARNING_DAYS)
        + rng.normal(0, 0.55, n)
    )
    raw = pd.DataFrame(
        {
            "audit_id": _ids("A", n, 7),
            "item_id": _ids("I", n, 8, rng.permutation(n) + 10_000_000),
            "decision_time": decision_time,
            "audit_time": decision_time
            + pd.to_timedelta(rng.lognormal(np.log(30 * 3600), 0.5, n), unit="s").floor("s"),
            "site": np.array([s[0] for s in w.SITES])[site],
            "site_type": np.array([s[1] for s in w.SITES])[site],
            "queue": np.array([q[0] for q in w.QUEUES])[queue],
            "policy": policy_names[policy],
            "market": markets[market],
            "moderator_id": roster["moderator_id"].to_numpy()[moderator],
            "auditor_id": np.array([f"QA-{i:02d}" for i in range(1, n_auditors + 1)])[auditor],
            "moderator_action": np.array(ACTIONS)[mod],
            "qa_action": np.array(ACTIONS)[qa],
            "moderator_policy": np.where(mod > 0, policy_names[mod_policy], None),
            "qa_policy": np.where(qa > 0, policy_names[policy], None),
            "severity": np.where(is_error, np.array(SEVERITIES)[severity], None),
            "root_cause": np.where(is_error, np.array(w.ROOT_CAUSES)[cause], None),
            "handle_time_s": np.round(np.exp(handle_log), 1),
            "tenure_days": np.floor(tenure),
            "stratum": np.array([f"{s[0]}|{q[0]}" for s in w.SITES for q in w.QUEUES])[
                stratum % (len(w.SITES) * len(w.QUEUES))
            ],
            "weight": weight,
        }
    )
    cohort = roster["cohort"].to_numpy()[moderator] == "new_hire"
    first_weeks = cohort & (week < starts.get("new_hire_cohort", 0) + 8)
    caused = {
        "policy_change": source == 2,
        "new_hire_cohort": first_weeks,
        "site_queue_degradation": degraded & (source == 1),
    }
    comments = simulate_comments(
        seed,
        error_type=error_type,
        root_cause=raw["root_cause"].to_numpy(),
        market=raw["market"].to_numpy(),
        queue=raw["queue"].to_numpy(),
        moderator_id=raw["moderator_id"].to_numpy(),
        planted={e: mask for e, mask in caused.items() if e in starts},
    )
    audits = load_audits(pd.concat([raw, comments], axis=1))
    others = (1 - p_policy) * (1 - p_strict)
    base_without = {
        "site_queue_degradation": expit(logit(p_base) - np.log(DEGRADATION_ODDS_RATIO) * degraded),
        "new_hire_cohort": expit(logit(p_base) - learning),
        "training_wave": expit(logit(p_base) - np.log(TRAINING_ODDS_RATIO) * trained),
    }
    without = {e: 1 - (1 - b) * others for e, b in base_without.items()}
    without["policy_change"] = 1 - (1 - p_base) * (1 - p_strict)
    without["strict_auditor"] = 1 - (1 - p_base) * (1 - p_policy)
    masks = {
        "site_queue_degradation": degraded,
        "policy_change": changed,
        "strict_auditor": strict,
        "new_hire_cohort": first_weeks,
        "training_wave": trained,
    }
    p_total = 1 - (1 - p_base) * others
    key = _answer_key(first, starts, masks, p_total, without, week)
    return SimulatedAudits(
        audits=audits, answer_key=key, moderators=roster.drop(columns="site_index")
    )


_DESCRIPTIONS = {
    "strict_auditor": (
        "Auditor {auditor} calls 4 points more decisions under-enforced than peers.",
        {"auditor_id": STRICT_AUDITOR},
    ),
    "new_hire_cohort": (
        "A cohort of 40 new moderators joins {site}; their first eight weeks show a learning curve.",
        {"site": COHORT_SITE, "cohort": "new_hire"},
    ),
    "policy_change": (
        "A guideline change adds wrong-policy errors on {policy} at every site.",
        {"policy": CHANGED_POLICY},
    ),
    "site_queue_degradation": (
        "{site} x {queue} degrades: error odds x 2.3.",
        {"site": DEGRADED_SITE, "queue": DEGRADED_QUEUE},
    ),
    "training_wave": (
        "A training wave at {site} cuts its error odds by 40% (odds ratio 0.6) from its start.",
        {"site": TRAINED_SITE},
    ),
    "mix_shift": (
        "The {queue} queue grows from 8% to 20% of decisions; no segment's error rate changes.",
        {"queue": HARD_QUEUE},
    ),
}


def _answer_key(first, starts, masks, p_total, without, week) -> pd.DataFrame:
    """One row per planted effect, with the expected metric for the affected audits."""
    rows = []
    for effect in EFFECTS:  # at most five planted effects, not rows of data
        if effect not in starts:
            continue
        text, segment = _DESCRIPTIONS[effect]
        names = {
            "auditor": STRICT_AUDITOR,
            "site": segment.get("site"),
            "queue": segment.get("queue"),
            "policy": segment.get("policy"),
        }
        if effect == "mix_shift":
            metric, baseline, planted = "decision_share", 0.08, HARD_QUEUE_SHARE_AFTER
            affected = int((week >= starts[effect]).sum())
        else:
            mask = masks[effect]
            metric, affected = "error_rate", int(mask.sum())
            baseline, planted = (
                (without[effect][mask].mean(), p_total[mask].mean())
                if affected
                else (np.nan, np.nan)
            )
        rows.append(
            {
                "effect": effect,
                "description": text.format(**names),
                "start": first + pd.Timedelta(weeks=starts[effect]),
                "site": segment.get("site"),
                "queue": segment.get("queue"),
                "policy": segment.get("policy"),
                "auditor_id": segment.get("auditor_id"),
                "cohort": segment.get("cohort"),
                "metric": metric,
                "baseline": baseline,
                "planted": planted,
                "audits": affected,
                "phrases": "; ".join(PHRASES.get(effect, ())) or None,
            }
        )
    columns = ["effect", "description", "start", "site", "queue", "policy", "auditor_id"]
    columns += ["cohort", "metric", "baseline", "planted", "audits", "phrases"]
    text = ("site", "queue", "policy", "auditor_id", "cohort", "phrases")
    return pd.DataFrame(rows, columns=columns).astype(dict.fromkeys(text, STR))


def _index(table: tuple, name: str) -> int:
    return [row[0] for row in table].index(name)


def _ids(prefix: str, n: int, width: int, numbers: np.ndarray | None = None) -> np.ndarray:
    numbers = np.arange(1, n + 1) if numbers is None else numbers
    return (prefix + pd.Series(numbers).astype(STR).str.zfill(width)).to_numpy()
