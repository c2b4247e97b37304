"""Randomisation inference over which groups were treated (Fisher; Conley & Taber 2011).

With few treated groups, neither a t reference nor a wild cluster bootstrap holds its level:
the treated groups' own shocks do not average out, and the restricted wild bootstrap with one
treated cluster under-rejects badly while the unrestricted one over-rejects (MacKinnon & Webb
2017). What the data can support is a comparison of the treated groups' change with the
changes the comparison groups show without treatment: each group's pre/post change is one
number, and the statistic of the actual assignment is ranked among the statistics of every
other assignment of the same number of treated groups. The p-value is exact when groups are
exchangeable under the null (the treated groups' shocks vary like the others'), whatever the
serial correlation within a group, and is never below ``1 / assignments``.
"""

from __future__ import annotations

from itertools import combinations
from math import comb

import numpy as np

#: the most assignments enumerated (beyond, many groups are treated and a t reference serves)
MAX_ASSIGNMENTS = 50_000


def assignments(n_units: int, n_treated: int) -> np.ndarray:
    """Every assignment of ``n_treated`` of ``n_units`` groups, as a 0/1 matrix (one per row)."""
    rows = np.array(list(combinations(range(n_units), n_treated)), dtype=np.intp)
    out = np.zeros((len(rows), n_units))
    np.put_along_axis(out, rows, 1.0, axis=1)
    return out


def randomization_test(change: np.ndarray, treated: np.ndarray, *, level: float) -> dict:
    """Fisher randomisation test of the treated groups' mean change against the others'.

    ``change`` holds one pre/post change per group and ``treated`` marks the treated ones.
    The statistic of an assignment ``a`` is ``T(a) = mean(change[a]) − mean(change[~a])``;
    the p-value is the share of assignments with ``|T(a)| ≥ |T(observed)|``. The interval
    inverts the test for a constant effect ``δ`` on the treated groups (their changes less
    ``δ``): under that shift ``T(a)`` becomes ``T(a) − δ k(a)`` with ``k(a)`` the statistic
    of the treatment indicator itself, so each assignment accepts ``δ`` on an interval (the
    roots of a quadratic) and the confidence set is where more than ``(1 − level)`` of the
    assignments accept; its hull is returned (``±inf`` when unbounded).
    """
    n_treated = int(treated.sum())
    matrix = assignments(len(change), n_treated)
    share = matrix / n_treated - (1 - matrix) / (len(change) - n_treated)
    stat, k = share @ change, share @ treated.astype(float)
    observed = float(change[treated].mean() - change[~treated].mean())
    tol = 1e-10 * max(1.0, abs(observed))
    p_value = float(np.mean(np.abs(stat) >= abs(observed) - tol))
    low, high = _inverted_interval(stat, k, observed, alpha=1 - level)
    return {"estimate": observed, "se": np.nan, "ci_low": low, "ci_high": high,
            "p_value": p_value, "assignments": len(matrix)}  # fmt: skip


def _inverted_interval(stat, k, observed, *, alpha) -> tuple[float, float]:
    """Hull of ``{δ : #{a : |T(a) − δ k(a)| ≥ |observed − δ|} > alpha · A}``."""
    # (T − δk)² − (observed − δ)² ≥ 0  <=>  qa δ² + qb δ + qc ≥ 0
    qa = k**2 - 1
    qb = -2 * (stat * k - observed)
    qc = stat**2 - observed**2
    low = np.full(len(stat), np.inf)  # an empty acceptance set: [inf, -inf]
    high = np.full(len(stat), -np.inf)
    flat = np.abs(qa) < 1e-12
    with np.errstate(divide="ignore", invalid="ignore"):
        root = -qc / qb
        disc = qb**2 - 4 * qa * qc
        a, b = (-qb + np.sqrt(disc)) / (2 * qa), (-qb - np.sqrt(disc)) / (2 * qa)
    whole = flat & (np.abs(qb) < 1e-12) & (qc >= -1e-12)
    rising, falling = flat & (qb >= 1e-12), flat & (qb <= -1e-12)
    bowl = ~flat & (disc >= 0)  # qa < 0: accepted between the roots
    low[whole | falling], high[whole | rising] = -np.inf, np.inf
    low[rising], high[falling] = root[rising], root[falling]
    low[bowl], high[bowl] = np.minimum(a, b)[bowl], np.maximum(a, b)[bowl]
    some = low <= high  # assignments that accept some δ
    lows, highs = np.sort(low[some]), np.sort(high[some])
    points = np.concatenate([lows[np.isfinite(lows)], highs[np.isfinite(highs)]])

    def accepted(x):
        return np.searchsorted(lows, x, "right") - np.searchsorted(highs, x, "left")

    need = alpha * len(stat)
    inside = points[accepted(points) > need]
    if not len(inside):
        return np.nan, np.nan
    left = -np.inf if accepted(np.array([-np.inf]))[0] > need else float(inside.min())
    right = np.inf if (highs == np.inf).sum() > need else float(inside.max())
    return left, right


def assignment_count(n_units: int, n_treated: int) -> int:
    """How many assignments :func:`randomization_test` would enumerate."""
    return comb(n_units, n_treated)
