"""A simulated moderator-randomised pilot: two arms, a planted effect, moderators' clustering."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._caller import caller, public
from .._results import TidyResult
from .._validation import check_integer

__all__ = ["SimulatedPilot", "simulate_pilot"]

ARMS = ("control", "treatment")


@dataclass(frozen=True, repr=False)
class SimulatedPilot(TidyResult):
    """A simulated pilot with the truth behind it.

    Attributes
    ----------
    audits : DataFrame
        One row per audit: ``audit_id``, ``moderator_id``, ``arm`` ("control" or
        "treatment"), ``week`` (1 to ``weeks``), ``is_error``.
    answer_key : DataFrame
        One row: ``p_control`` and ``p_treatment`` (the arms' expected error rates),
        ``rate_difference``, ``rate_ratio``, ``odds_ratio`` (of the expected rates) and
        ``icc``.
    """

    audits: pd.DataFrame
    answer_key: pd.DataFrame
    _title = "Planted pilot effect"

    def to_frame(self) -> pd.DataFrame:
        """The answer key."""
        return self.answer_key


def _check_unit(value, name: str, *, low_closed: bool = False) -> float:
    number = not isinstance(value, bool) and isinstance(value, (int, float, np.number))
    inside = number and ((0 <= value < 1) if low_closed else (0 < value < 1))
    if not inside:
        interval = "[0, 1)" if low_closed else "(0, 1)"
        raise ValueError(
            f"The {name!r} parameter of {caller()} must be a number in {interval}. "
            f"Got {value!r} instead."
        )
    return float(value)


@public
def simulate_pilot(
    *,
    seed: int = 0,
    n_moderators: int = 100,
    weeks: int = 4,
    audits_per_week: float = 5.0,
    p_control: float = 0.06,
    odds_ratio: float = 0.75,
    icc: float = 0.02,
) -> SimulatedPilot:
    """Simulate a pilot in which moderators, not audits, are randomised to two arms.

    Half the moderators (the first ``n_moderators // 2`` of a random permutation) go to the
    control arm, the rest to the treatment arm. Each moderator has an error rate of their
    own, drawn from a beta distribution with the arm's mean and intra-class correlation
    ``icc``: ``Beta(p (1 − ρ)/ρ, (1 − p)(1 − ρ)/ρ)``, so that two audits of one moderator are
    correlated by exactly ``ρ`` (the beta-binomial model; ``icc=0`` gives every moderator the
    arm's rate). The treatment arm's mean is the control mean moved by ``odds_ratio``:
    ``p₁ = p₀ ψ / (1 − p₀ + p₀ ψ)``. Each moderator gets a Poisson number of audits a week
    with mean ``audits_per_week`` (at least one over the pilot).

    Parameters
    ----------
    seed : int, default 0
        Seed of the random generator; the same seed gives the same pilot.
    n_moderators : int, default 100
        Moderators randomised, at least 4 (two per arm).
    weeks : int, default 4
        Length of the pilot.
    audits_per_week : float, default 5.0
        Mean audits per moderator and week, > 0.
    p_control : float, default 0.06
        Expected error rate of the control arm, in (0, 1).
    odds_ratio : float, default 0.75
        Planted effect: the treatment arm's error odds over the control arm's, > 0
        (1 for no effect).
    icc : float, default 0.02
        Intra-class correlation of errors within a moderator, in [0, 1).

    Returns
    -------
    SimulatedPilot
        ``audits`` and ``answer_key``.

    References
    ----------
    .. [1] Donner, A. & Klar, N. (2000). Design and Analysis of Cluster Randomization Trials
       in Health Research. Arnold (the beta-binomial model of clustered binary outcomes,
       chapter 2).
    .. [2] Ridout, M. S., Demétrio, C. G. B. & Firth, D. (1999). Estimating intraclass
       correlation for binary data. Biometrics 55, 137-148.

    Examples
    --------
    >>> pilot = simulate_pilot(seed=1, n_moderators=40)
    >>> pilot.audits.groupby("arm")["moderator_id"].nunique().tolist()
    [20, 20]
    >>> pilot.answer_key[["p_control", "p_treatment", "odds_ratio"]].round(4)
       p_control  p_treatment  odds_ratio
    0       0.06       0.0457        0.75
    """
    check_integer(seed, name="seed", minimum=0, rule="a non-negative integer")
    check_integer(n_moderators, name="n_moderators", minimum=4)
    check_integer(weeks, name="weeks", minimum=1)
    p0 = _check_unit(p_control, "p_control")
    rho = _check_unit(icc, "icc", low_closed=True)
    for name, value in (("audits_per_week", audits_per_week), ("odds_ratio", odds_ratio)):
        if isinstance(value, bool) or not (
            isinstance(value, (int, float, np.number)) and 0 < value < np.inf
        ):
            raise ValueError(
                f"The {name!r} parameter of {caller()} must be a finite number > 0. "
                f"Got {value!r} instead."
            )
    p1 = p0 * odds_ratio / (1 - p0 + p0 * odds_ratio)
    rng = np.random.default_rng(seed)
    arm = np.zeros(n_moderators, dtype=int)
    arm[rng.permutation(n_moderators)[n_moderators // 2 :]] = 1
    mean = np.where(arm == 1, p1, p0)
    rate = mean if rho == 0 else rng.beta(mean * (1 - rho) / rho, (1 - mean) * (1 - rho) / rho)
    counts = rng.poisson(audits_per_week, size=(n_moderators, weeks))
    idle = counts.sum(axis=1) == 0
    counts[idle, rng.integers(0, weeks, idle.sum())] = 1
    moderator = np.repeat(np.repeat(np.arange(n_moderators), weeks), counts.ravel())
    week = np.repeat(np.tile(np.arange(1, weeks + 1), n_moderators), counts.ravel())
    audits = pd.DataFrame(
        {
            "audit_id": [f"P{i:06d}" for i in range(1, len(moderator) + 1)],
            "moderator_id": np.array([f"M{i:04d}" for i in range(1, n_moderators + 1)])[moderator],
            "arm": np.array(ARMS)[arm[moderator]],
            "week": week,
            "is_error": rng.random(len(moderator)) < rate[moderator],
        }
    )
    answer_key = pd.DataFrame(
        {
            "p_control": [p0],
            "p_treatment": [p1],
            "rate_difference": [p1 - p0],
            "rate_ratio": [p1 / p0],
            "odds_ratio": [float(odds_ratio)],
            "icc": [rho],
        }
    )
    return SimulatedPilot(audits=audits, answer_key=answer_key)
