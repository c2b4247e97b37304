"""Auditors' comments and appeal reasons for simulated audits, on their own random stream.

The comments are drawn from a generator seeded apart from the audits' one, so adding them
changes no other simulated column. Their vocabulary follows the audit: the error type, the
root cause and, for the planted effects, phrases of their own (listed in :data:`PHRASES`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._caller import public
from .._compat import STR

__all__ = ["PHRASES", "simulate_comments"]

#: Words the planted effects bring into the comments of the errors they cause.
PHRASES: dict[str, tuple[str, ...]] = {
    "policy_change": (
        "updated slur list not applied",
        "revised guidance on reclaimed slurs",
        "old version of the slur list",
        "missed the revised slur guidance",
    ),
    "new_hire_cohort": (
        "new starter still in nesting",
        "nesting period, needs coaching",
        "first weeks on the queue, coaching booked",
    ),
    "site_queue_degradation": (
        "reporter history not checked",
        "ignored the reporter thread",
    ),
}

_ERROR_TYPE = {
    1: ("should have been left up", "over-enforced", "no violation here"),
    2: ("should have been actioned", "under-enforced", "violation missed"),
    3: ("wrong policy cited", "right action, wrong policy"),
}
_CAUSE = {
    "guideline_misread": ("misread the guideline", "applied the wrong section"),
    "missed_context": ("missed the context", "context of the thread ignored", "sarcasm not read"),
    "fatigue": ("rushed decision", "end of shift"),
    "tool_issue": ("media did not load", "tool showed an old version of the post"),
    "policy_ambiguity": ("borderline case", "policy unclear on this"),
    "training_gap": ("not covered in training", "unfamiliar with this policy"),
}
_OTHER_LANGUAGE = {
    "de-DE": ("Kontext übersehen", "Richtlinie falsch ausgelegt"),
    "pt-BR": ("contexto ignorado", "política aplicada errada"),
    "es-MX": ("se ignoró el contexto", "política mal aplicada"),
    "hi-IN": ("संदर्भ छूट गया", "नीति गलत लागू की"),
}
_CORRECT = ("correct call", "agree with the decision", "good catch", "well documented")
#: appeal reasons: text before the user's handle, whether the handle follows, text after it
_APPEAL = (
    ("my post was satire", False, ""),
    ("I was quoting it to condemn it", False, ""),
    ("this is news reporting", False, ""),
    ("it was a joke between friends, ask @", True, ""),
    ("wrong account, contact me at ", True, "@example.com"),
    ("the image was edited by someone else", False, ""),
)


def _pick(rng: np.random.Generator, options: tuple[str, ...], n: int) -> np.ndarray:
    return np.array(options, dtype=object)[rng.integers(0, len(options), n)]


@public
def simulate_comments(
    seed: int,
    *,
    error_type: np.ndarray,
    root_cause: np.ndarray,
    market: np.ndarray,
    queue: np.ndarray,
    moderator_id: np.ndarray,
    planted: dict[str, np.ndarray],
) -> pd.DataFrame:
    """Return ``qa_comment`` and ``appeal_reason`` for each simulated audit.

    Every error gets a comment: its error type and its root cause in words or, with
    probability 0.7, the phrase of the planted effect that caused it instead (``planted``
    maps effect names of :data:`PHRASES` to boolean masks of the audits whose errors it
    caused); one in ten
    comments names the moderator, one in five in a non-English market is written in the
    market's language. One correct decision in twenty gets a short comment. Appeals (the
    ``appeals`` queue) carry a reason, some with a user handle or an e-mail address.

    Examples
    --------
    >>> out = simulate_comments(
    ...     1, error_type=np.array([0, 3]), root_cause=np.array([None, "fatigue"]),
    ...     market=np.array(["en-US", "en-US"]), queue=np.array(["ads", "appeals"]),
    ...     moderator_id=np.array(["M0001", "M0002"]), planted={})
    >>> out.columns.tolist()
    ['qa_comment', 'appeal_reason']
    """
    rng = np.random.default_rng([seed, 0x7E87])  # a stream of its own: other columns unchanged
    n = len(error_type)
    comment = np.full(n, None, dtype=object)
    errors = error_type > 0
    for code, options in _ERROR_TYPE.items():  # three error types, not rows
        rows = np.flatnonzero(error_type == code)
        comment[rows] = _pick(rng, options, len(rows))
    reason = np.full(n, "", dtype=object)
    for cause, options in _CAUSE.items():  # six root causes
        rows = np.flatnonzero(errors & (root_cause == cause))
        reason[rows] = _pick(rng, options, len(rows))
    for effect, mask in planted.items():  # at most three planted effects
        rows = np.flatnonzero(errors & mask & (rng.random(n) < 0.7))
        reason[rows] = _pick(rng, PHRASES[effect], len(rows))
    comment[errors] = comment[errors] + "; " + reason[errors]
    named = np.flatnonzero(errors & (rng.random(n) < 0.1))
    comment[named] = comment[named] + ", discussed with " + moderator_id[named]
    for language, options in _OTHER_LANGUAGE.items():  # four markets
        rows = np.flatnonzero(errors & (market == language) & (rng.random(n) < 0.2))
        comment[rows] = _pick(rng, options, len(rows))
    praised = np.flatnonzero(~errors & (rng.random(n) < 0.05))
    comment[praised] = _pick(rng, _CORRECT, len(praised))
    appeal = np.full(n, None, dtype=object)
    rows = np.flatnonzero(queue == "appeals")
    handles = ("user" + pd.Series(rng.integers(1000, 9999, len(rows))).astype(STR)).to_numpy()
    before, with_handle, after = (
        np.array(part, dtype=object) for part in zip(*_APPEAL, strict=True)
    )
    chosen = rng.integers(0, len(_APPEAL), len(rows))
    appeal[rows] = before[chosen] + np.where(with_handle[chosen], handles, "") + after[chosen]
    return pd.DataFrame({"qa_comment": comment, "appeal_reason": appeal})
