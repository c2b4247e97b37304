"""When a chance-corrected coefficient's interval cannot hold its level: a skewed, thin session.

Kappa-type coefficients (Cohen, Fleiss, Conger, Scott, Krippendorff) correct for chance with
the raters' category shares. When one category holds most ratings, as "no violation" does in
moderation, the coefficient is decided by the few items on which raters agree on a rarer
category; with a handful of them its sampling distribution is lopsided and no interval from
the session's own spread holds its level. Measured (benchmarks/README.md, calibration of the
agreement intervals; 2,000 simulated sessions a world and coefficient): where the most common
category holds 85-97 % of ratings on 30-100 items, the kappa-type analytic 95 % intervals of
the skewed sessions covered 77-95 %, the profile-likelihood intervals (``_likelihood``)
91.5-98 %; balanced sessions are never skewed, and Gwet's AC1 held 93.5-95 % throughout.

So the default ``method="auto"`` (:func:`interval_method`) takes the likelihood interval for
a kappa-type coefficient on a skewed session (the most common category holds at least
``SKEWED_SHARE`` of ratings) with fewer than ``AUTO_LIKELIHOOD_BELOW`` items on which two
ratings agree on another category (more, and the analytic interval holds: 93.8-95 %, without
the search), and for any coefficient whose analytic interval collapses to a point (every item
agreed). A skewed session too thin even for its interval gets a note and a warning
(:func:`rare_agreement_notes`): fewer than ``THIN_FOR["analytic"]`` such items for the
analytic (and bootstrap) interval, fewer than ``THIN_FOR["likelihood"]`` for the likelihood
one. With ``"auto"`` the worlds covered 92.9-98.1 %, the sessions not named 94.0-97.4 % in every
world, those named 59-99 %.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._caller import caller, user_stacklevel
from .._validation import format_values

__all__ = [
    "AUTO_LIKELIHOOD_BELOW",
    "MIN_ITEMS",
    "SHARE_CHANCE_KINDS",
    "SKEWED_SHARE",
    "THIN_FOR",
    "SkewedSessionWarning",
    "interval_method",
    "rare_agreement_notes",
    "skew",
    "warn_rare_agreement",
]


class SkewedSessionWarning(UserWarning):
    """A kappa-type interval on a skewed session with too few items agreeing on a rarer category."""


#: The kinds of Gwet's family (``_family.FAMILY``) whose chance agreement comes from the
#: raters' category shares: Fleiss' kappa (Scott's pi for two raters) and Krippendorff's alpha.
SHARE_CHANCE_KINDS = ("fleiss", "alpha")
#: The kinds whose skewed, thin sessions ``method="auto"`` gives the likelihood interval:
#: those and Cohen's kappa (Conger's has the analytic interval only).
LIKELIHOOD_KINDS = (*SHARE_CHANCE_KINDS, "cohen")

#: A session is skewed when its most common category holds at least this share of ratings.
SKEWED_SHARE = 0.7
#: ``method="auto"`` takes the likelihood interval of a skewed session with fewer items than
#: this with two or more ratings agreeing on another category.
AUTO_LIKELIHOOD_BELOW = 10
#: A skewed session is named (note, warning) with fewer such items than this, per interval.
THIN_FOR = {"analytic": 4, "bootstrap": 4, "likelihood": 2}
#: Sessions of fewer items are not named: the rule is measured on sessions of 10 to 300 items.
MIN_ITEMS = 10


def skew(pattern_counts: np.ndarray, multiplicity: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each session's most common category, its share of the ratings, and how many items
    have two or more ratings agreeing on another category, among the items with two or more
    ratings (an item rated once says nothing of agreement).

    ``pattern_counts`` holds the rating patterns (patterns x categories counts) and
    ``multiplicity`` how many items of each session show each pattern (sessions x patterns,
    or one session as a 1-D array).

    Examples
    --------
    >>> modal, share, agreed = skew(np.array([[3, 0], [1, 2], [2, 1]]), np.array([27, 2, 1]))
    >>> modal.tolist(), share.round(3).tolist(), agreed.tolist()
    ([0], [0.944], [2])
    """
    counts = np.asarray(pattern_counts, dtype=float)
    sessions = np.atleast_2d(multiplicity) * (counts.sum(axis=1) >= 2)
    totals = sessions @ counts
    modal = totals.argmax(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):  # a session without ratings
        share = totals[np.arange(len(totals)), modal] / totals.sum(axis=1)
    agreeing = counts >= 2
    # patterns agreeing on a category other than the session's most common one
    elsewhere = (agreeing.sum(axis=1)[None, :] - agreeing[:, modal].T) > 0
    agreed = np.einsum("gp,gp->g", sessions, elsewhere).round().astype(np.int64)
    return modal, share, agreed


def interval_method(
    method: str, *, kind: str, share: np.ndarray, agreed: np.ndarray, se: np.ndarray
) -> np.ndarray:
    """The interval each session gets: ``method`` itself unless it is ``"auto"``.

    ``"auto"`` means the profile likelihood for a kappa-type ``kind`` on a session whose most
    common category holds at least ``SKEWED_SHARE`` of ratings (``share``) with fewer than
    ``AUTO_LIKELIHOOD_BELOW`` items agreeing on another category (``agreed``), and for any
    coefficient whose analytic standard error ``se`` is zero (every item agreed: the Wald
    interval is a point); the analytic interval elsewhere, and where ``se`` is undefined.
    Conger's kappa has the analytic interval only.

    Examples
    --------
    >>> interval_method("auto", kind="fleiss", share=np.array([0.5, 0.9, 0.9, 0.5]),
    ...                 agreed=np.array([20, 3, 30, 20]), se=np.array([0.1, 0.1, 0.1, 0.0])).tolist()
    ['analytic', 'likelihood', 'analytic', 'likelihood']
    >>> interval_method("auto", kind="gwet", share=np.array([0.9]), agreed=np.array([3]),
    ...                 se=np.array([0.1])).tolist()
    ['analytic']
    """
    se = np.atleast_1d(se)
    if method != "auto" or kind == "conger":
        return np.full(len(se), "analytic" if method == "auto" else method, dtype="<U10")
    thin = (np.atleast_1d(share) >= SKEWED_SHARE) & (np.atleast_1d(agreed) < AUTO_LIKELIHOOD_BELOW)
    likely = np.isfinite(se) & ((thin & (kind in LIKELIHOOD_KINDS)) | (se < 1e-12))  # 0, rounded
    return np.where(likely, "likelihood", "analytic")


def rare_agreement_notes(
    pattern_counts: np.ndarray,
    multiplicity: np.ndarray,
    categories: np.ndarray,
    *,
    method: np.ndarray | str = "analytic",
) -> np.ndarray:
    """The note of each session (row of ``multiplicity``) whose interval cannot hold its level.

    ``pattern_counts`` and ``multiplicity`` as in :func:`skew`; ``method`` is each session's
    interval (or one for all), which sets how few items agreeing on another category name
    a skewed session (``THIN_FOR``). Returns one note per session, ``""`` where the rule
    does not name it: sessions of fewer than ``MIN_ITEMS`` items (not measured) and of one
    category only (the coefficient is then undefined, with a warning of its own) are not
    named.

    Examples
    --------
    Thirty items, three raters: 27 items rated "ok" by all, 2 on which two raters chose
    "spam" and one where a single rater did:

    >>> patterns = np.array([[3, 0], [1, 2], [2, 1]])
    >>> print(rare_agreement_notes(patterns, np.array([27, 2, 1]), np.array(["ok", "spam"])))
    ["94% of ratings are 'ok' and 2 items have two or more ratings agreeing on another category"]
    >>> rare_agreement_notes(patterns, np.array([27, 2, 1]), np.array(["ok", "spam"]),
    ...                      method="likelihood").tolist()
    ['']
    """
    modal, share, agreed = skew(pattern_counts, multiplicity)
    items = np.atleast_2d(multiplicity) @ (np.sum(pattern_counts, axis=1) >= 2)
    methods = np.broadcast_to(method, len(share))
    fewest = np.select([methods == name for name in THIN_FOR], list(THIN_FOR.values()))
    thin = (share >= SKEWED_SHARE) & (agreed < fewest) & (items >= MIN_ITEMS)
    thin &= share < 1  # one category only: the coefficient is undefined and says so
    notes = np.full(len(share), "", dtype=object)
    for g in np.flatnonzero(thin):  # only the sessions named, for their words
        notes[g] = (
            f"{share[g]:.0%} of ratings are {format_values(categories[modal[g] : modal[g] + 1])} "
            f"and {agreed[g]} item{'s have' if agreed[g] != 1 else ' has'} two or more "
            "ratings agreeing on another category"
        )
    return notes


def warn_rare_agreement(note: str, *, ci: float, method: str) -> None:
    """Warn that the calling function's ``method`` interval (or intervals) cannot hold its level."""
    if method == "likelihood":
        measured = (
            "even the likelihood interval may cover far less often than stated (as low as 59 % "
            "for 95 % intervals in simulated sessions with fewer than 2 such items)"
        )
    else:
        measured = (
            f"the {method} interval may cover far less often than stated (as low as 76 % for "
            "95 % intervals in simulated sessions like this one; the default method='auto' of "
            "Cohen's and Fleiss' kappa, Scott's pi and Krippendorff's alpha takes the "
            "likelihood interval there, which covered 93-98 % of the same worlds)"
        )
    warnings.warn(
        f"{caller()}: {note}, so {measured}. Rate more items (or more of the rarer "
        "categories), or report gwet_ac beside it. The result's 'note' says so.",
        SkewedSessionWarning,
        stacklevel=user_stacklevel(),
    )
