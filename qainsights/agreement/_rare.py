"""When a chance-corrected coefficient's interval cannot hold its level: a skewed, small session.

Kappa-type coefficients (Cohen, Fleiss, Conger, Scott, Krippendorff) correct for chance with
the raters' category shares. When one category holds most ratings, as "no violation" does in
moderation, the coefficient is decided by the few items on which raters agree on a rarer
category; with a handful of them its sampling distribution is lopsided and no interval from
the session's own spread holds its level. Measured (benchmarks/README.md, calibration of the
agreement intervals; 4,000 simulated sessions a world): where the most common category holds
85-97 % of ratings on 30-100 items, the kappa-type 95 % intervals covered 77-92 %; the sessions
this rule names covered 76-93 % there, those it does not about 94 % for Fleiss' kappa and
Krippendorff's alpha (89-91 % for Cohen's kappa: with two raters the count separates less); it
names no balanced session, and Gwet's AC1 held 93.5-95 % throughout. The coefficient and its
interval stay as they are; a named session gets a note and a warning, which points to the
profile-likelihood interval (``method="likelihood"``, ``_likelihood``): 92.5-98 % there.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._caller import caller, user_stacklevel
from .._validation import format_values

__all__ = [
    "MIN_ITEMS",
    "MIN_RARE_AGREEMENTS",
    "SHARE_CHANCE_KINDS",
    "SKEWED_SHARE",
    "SkewedSessionWarning",
    "rare_agreement_notes",
    "warn_rare_agreement",
]


class SkewedSessionWarning(UserWarning):
    """A kappa-type interval on a skewed session with too few items agreeing on a rarer category."""


#: The kinds of Gwet's family (``_family.FAMILY``) whose chance agreement comes from the
#: raters' category shares: Fleiss' kappa (Scott's pi for two raters) and Krippendorff's alpha.
SHARE_CHANCE_KINDS = ("fleiss", "alpha")

#: A session is skewed when its most common category holds at least this share of ratings ...
SKEWED_SHARE = 0.7
#: ... and too thin when fewer items than this have two ratings agreeing on another category.
MIN_RARE_AGREEMENTS = 4
#: Sessions of fewer items are not named: the rule is measured on sessions of 10 to 300 items.
MIN_ITEMS = 10


def rare_agreement_notes(
    pattern_counts: np.ndarray, multiplicity: np.ndarray, categories: np.ndarray
) -> np.ndarray:
    """The note of each session (row of ``multiplicity``) whose interval cannot hold its level.

    ``pattern_counts`` holds the rating patterns (patterns x categories counts) and
    ``multiplicity`` how many items of each session show each pattern (sessions x patterns,
    or one session as a 1-D array). Returns one note per session, ``""`` where the rule
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
    """
    counts = np.asarray(pattern_counts, dtype=float)
    sessions = np.atleast_2d(multiplicity).astype(float)
    totals = sessions @ counts
    modal = totals.argmax(axis=1)
    share = totals[np.arange(len(totals)), modal] / totals.sum(axis=1)
    agreeing = counts >= 2
    # patterns agreeing on a category other than the session's most common one
    elsewhere = (agreeing.sum(axis=1)[None, :] - agreeing[:, modal].T) > 0
    agreed = np.einsum("gp,gp->g", sessions, elsewhere).round().astype(np.int64)
    items = sessions.sum(axis=1)
    thin = (share >= SKEWED_SHARE) & (agreed < MIN_RARE_AGREEMENTS) & (items >= MIN_ITEMS)
    thin &= share < 1  # one category only: the coefficient is undefined and says so
    notes = np.full(len(totals), "", dtype=object)
    for g in np.flatnonzero(thin):  # only the sessions named, for their words
        notes[g] = (
            f"{share[g]:.0%} of ratings are {format_values(categories[modal[g] : modal[g] + 1])} "
            f"and {agreed[g]} item{'s have' if agreed[g] != 1 else ' has'} two or more "
            "ratings agreeing on another category"
        )
    return notes


def warn_rare_agreement(note: str, *, ci: float) -> None:
    """Warn that the calling function's interval (or intervals) cannot hold its level."""
    warnings.warn(
        f"{caller()}: {note}, so the {ci:.0%} interval may cover far less often than stated "
        "(76-93 % for 95 % intervals in simulated sessions like this one; the likelihood "
        "interval covered 92-98 % there: method='likelihood' of Cohen's and Fleiss' kappa, "
        "Scott's pi and Krippendorff's alpha). Else rate more items (or more of the rarer "
        "categories), or report gwet_ac beside it. The result's 'note' says so.",
        SkewedSessionWarning,
        stacklevel=user_stacklevel(),
    )
