"""Synthetic calibration sessions: several raters label the same items against an expert standard."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._caller import public
from .._compat import STR
from .._results import TidyResult
from .._validation import check_integer

__all__ = ["SimulatedCalibration", "simulate_calibration"]

CATEGORIES = ("no_violation", "hate_speech", "harassment", "spam", "violence")
PREVALENCE = (0.80, 0.06, 0.06, 0.05, 0.03)
BIASED_RATER, BIASED_TOWARD, BIAS_RATE = "R07", "hate_speech", 0.12
WEAK_RATER, WEAK_ACCURACY = "R03", 0.70


@dataclass(frozen=True, repr=False)
class SimulatedCalibration(TidyResult):
    """Simulated calibration ratings with the truth behind them.

    Attributes
    ----------
    ratings : DataFrame
        Long format, one row per rating: ``session``, ``item_id``, ``rater_id``, ``label``.
    standard : DataFrame
        The expert standard: ``item_id``, ``label``.
    answer_key : DataFrame
        Per rater: ``rater_id``, ``accuracy`` (probability of matching the standard when the
        bias does not apply), ``biased_toward`` (label over-used on clean items, or missing),
        ``bias_rate``.
    """

    ratings: pd.DataFrame
    standard: pd.DataFrame
    answer_key: pd.DataFrame
    _title = "Simulated raters"

    def to_frame(self) -> pd.DataFrame:
        """The answer key."""
        return self.answer_key


@public
def simulate_calibration(
    *,
    seed: int = 0,
    n_items: int = 300,
    n_raters: int = 8,
    n_sessions: int = 3,
    accuracy: float = 0.9,
    missing: float = 0.1,
    categories: Sequence[str] = CATEGORIES,
    prevalence: Sequence[float] = PREVALENCE,
) -> SimulatedCalibration:
    """Simulate calibration sessions in which raters label the same items.

    Each item has an expert standard label drawn with ``prevalence`` (by default 80 % of
    items violate nothing, the situation in which kappa-type coefficients fall far below raw
    agreement). A rater matches the standard with probability ``accuracy`` and otherwise picks
    another label at random. Planted: rater R03 is weak (accuracy 0.70) and rater R07 labels
    12 % of clean items ``hate_speech``. Each rating is missing with probability ``missing``.

    Parameters
    ----------
    seed : int, default 0
        Seed of the random generator.
    n_items, n_raters, n_sessions : int, default 300, 8 and 3
        Items (split evenly across sessions), raters (at least 8, so the planted raters exist)
        and sessions.
    accuracy : float, default 0.9
        Accuracy of the raters without a planted weakness.
    missing : float, default 0.1
        Probability that a rating is absent.
    categories, prevalence : sequences
        Labels and the share of items whose standard is each label.

    Returns
    -------
    SimulatedCalibration
        ``ratings`` (long format), ``standard``, ``answer_key``.

    Examples
    --------
    >>> cal = simulate_calibration(seed=3, n_items=30, missing=0.0)
    >>> len(cal.ratings), cal.ratings["rater_id"].nunique(), len(cal.standard)
    (240, 8, 30)
    """
    _check_calibration_args(
        n_items, n_raters, n_sessions, accuracy, missing, categories, prevalence
    )
    rng = np.random.default_rng(seed)
    k = len(categories)
    truth = rng.choice(k, size=n_items, p=np.asarray(prevalence) / np.sum(prevalence))
    raters = np.array([f"R{i:02d}" for i in range(1, n_raters + 1)])
    skill = np.full(n_raters, accuracy)
    skill[raters == WEAK_RATER] = WEAK_ACCURACY
    item = np.repeat(np.arange(n_items), n_raters)
    rater = np.tile(np.arange(n_raters), n_items)
    correct = rng.random(item.size) < skill[rater]
    wrong = (truth[item] + rng.integers(1, k, item.size)) % k
    label = np.where(correct, truth[item], wrong)
    biased = (
        (raters[rater] == BIASED_RATER) & (truth[item] == 0) & (rng.random(item.size) < BIAS_RATE)
    )
    label = np.where(biased, list(categories).index(BIASED_TOWARD), label)
    kept = rng.random(item.size) >= missing
    item_ids = np.array([f"C{i:05d}" for i in range(1, n_items + 1)])
    session = np.array([f"S{s + 1}" for s in range(n_sessions)])[
        np.arange(n_items) * n_sessions // n_items
    ]
    ratings = pd.DataFrame(
        {
            "session": session[item[kept]],
            "item_id": item_ids[item[kept]],
            "rater_id": raters[rater[kept]],
            "label": np.asarray(categories)[label[kept]],
        }
    )
    standard = pd.DataFrame({"item_id": item_ids, "label": np.asarray(categories)[truth]})
    answer_key = pd.DataFrame(
        {
            "rater_id": raters,
            "accuracy": skill,
            "biased_toward": np.where(raters == BIASED_RATER, BIASED_TOWARD, None),
            "bias_rate": np.where(raters == BIASED_RATER, BIAS_RATE, 0.0),
        }
    ).astype({"biased_toward": STR})
    return SimulatedCalibration(ratings=ratings, standard=standard, answer_key=answer_key)


def _check_calibration_args(
    n_items, n_raters, n_sessions, accuracy, missing, categories, prevalence
):
    def bad(name, rule, value):
        return ValueError(
            f"The {name!r} parameter of simulate_calibration must be {rule}. Got {value!r} instead."
        )

    check_integer(n_items, name="n_items", minimum=2)
    rule = "an integer >= 8 (the planted raters are R03 and R07)"
    check_integer(n_raters, name="n_raters", minimum=8, rule=rule)
    if (
        isinstance(n_sessions, bool)
        or not isinstance(n_sessions, int)
        or not 1 <= n_sessions <= n_items
    ):
        raise bad("n_sessions", "an integer from 1 to n_items", n_sessions)
    if not 0 < accuracy <= 1:
        raise bad("accuracy", "a probability in (0, 1]", accuracy)
    if not 0 <= missing < 1:
        raise bad("missing", "a probability in [0, 1)", missing)
    if (
        len(categories) < 2
        or len(set(categories)) != len(categories)
        or BIASED_TOWARD not in categories
    ):
        raise bad(
            "categories", f"at least two distinct labels including {BIASED_TOWARD!r}", categories
        )
    if len(prevalence) != len(categories) or min(prevalence) < 0 or sum(prevalence) <= 0:
        raise bad("prevalence", "non-negative shares, one per category", prevalence)
