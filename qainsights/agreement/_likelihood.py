"""Profile-likelihood intervals for chance-corrected coefficients of one session.

A session's items fall into cells (rating patterns, or the cells of a two-rater table) whose
counts are multinomial; a coefficient is a smooth function of the cells' probabilities. The
interval is every value ``k`` at which the largest log-likelihood of probabilities whose
coefficient is ``k`` stays within ``t**2 / 2`` of the unconstrained maximum, with ``t`` the
two-sided quantile of Student's t on ``n - 1`` degrees of freedom for ``n`` items (Wilks'
theorem with the small-sample reference of the analytic intervals). The p-value refers the
signed root of the same statistic at ``k = 0`` to that t, so it falls below ``1 - ci``
exactly when the interval leaves 0 out.

Unlike a Wald interval, this one is not symmetric about the estimate, and it may place
probability on cells the session did not show: on a session where a rare category was
never agreed on, agreement on it remains plausible. That is what lets it hold its level on
small, skewed sessions, where a Wald interval from the session's own spread does not
(benchmarks/README.md, calibration of the agreement intervals). The cells searched are the
session's own and, for the number of ratings most of its items received, every unanimous
pattern and every pattern with one dissenting rating (all the cells of a two-rater table).
The constraint is not convex, so each value is fitted twice (SLSQP from the neighbouring
value's probabilities and from equal ones) and the better fit kept: from the neighbour alone
the search stopped at a local maximum on one simulated session of 60 (an upper bound of 0.11
where the profile reaches 0.65; ``test_agreement_likelihood.py``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from scipy import optimize, stats

from ._family import Patterns, family_estimate

__all__ = ["family_likelihood_interval", "likelihood_interval", "unanimous_and_one_dissent"]

#: Probabilities below this count as zero in the constrained fits.
_FLOOR = 1e-12
#: The log-likelihood given to a value no probabilities reach (finite, for the root search).
_INFEASIBLE = 1e12
#: Iterations of a constrained fit (those that converge take 5 to 40); more means no fit.
_ITERATIONS = 300
#: Finite-difference step of the coefficient's gradient with respect to a cell's probability.
_STEP = 1e-7


def unanimous_and_one_dissent(m: int, q: int) -> np.ndarray:
    """Rating patterns (rows of category counts) an interval searches besides the observed.

    For ``m`` ratings of an item in ``q`` categories: the ``q`` patterns with all ``m``
    ratings in one category and the ``q (q - 1)`` with ``m - 1`` in one and one in another.

    Examples
    --------
    >>> unanimous_and_one_dissent(3, 2).tolist()
    [[3, 0], [0, 3], [2, 1], [1, 2]]
    """
    eye = np.eye(q, dtype=np.int64)
    first, second = np.nonzero(~np.eye(q, dtype=bool))
    return np.vstack([m * eye, (m - 1) * eye[first] + eye[second]])


def family_likelihood_interval(
    kind: str, patterns: Patterns, weights: np.ndarray, ci: float, step: float = 0.1
) -> tuple[float, float, float]:
    """:func:`likelihood_interval` of a coefficient of Gwet's family (``_family``) on one
    session's patterns, searching also :func:`unanimous_and_one_dissent` for the number of
    ratings most items with two or more received.
    """
    shown = patterns.multiplicity > 0
    pairable = shown & (patterns.totals >= 2)
    totals = patterns.totals[pairable].astype(np.int64)
    usual = np.bincount(totals, weights=patterns.multiplicity[pairable]).argmax()
    extra = unanimous_and_one_dissent(usual, patterns.counts.shape[1])
    every = np.vstack([patterns.counts[shown], extra])
    unique, position = np.unique(every, axis=0, return_inverse=True)
    weight = np.r_[patterns.multiplicity[shown], np.zeros(len(extra))]
    searched = Patterns(
        unique, np.bincount(position.ravel(), weights=weight, minlength=len(unique))
    )
    return likelihood_interval(
        lambda m: family_estimate(kind, searched, m, weights)[0], searched.multiplicity, ci, step
    )


def likelihood_interval(
    coefficient: Callable[[np.ndarray], np.ndarray],
    counts: np.ndarray,
    ci: float,
    step: float = 0.1,
) -> tuple[float, float, float]:
    """Return ``(ci_low, ci_high, p_value)`` of the profile-likelihood interval.

    ``coefficient`` maps cell counts of shape ``(B, C)`` (floats) to ``B`` coefficient values;
    ``counts`` holds the session's ``C`` cell counts, zero for cells it did not show but
    that the search may use. ``step`` is the first stride of the search away from the
    estimate (a standard error is a good one); each fit starts from its neighbour's.

    Examples
    --------
    Scott's pi on a two-rater yes/no table of 30 items (cells: both yes, one each way, both
    no), as a function of the cells:

    >>> def scott(m):
    ...     p = m / m.sum(axis=1, keepdims=True)
    ...     share = p[:, 0] + p[:, 1] / 2
    ...     pe = share**2 + (1 - share) ** 2
    ...     return (p[:, 0] + p[:, 2] - pe) / (1 - pe)
    >>> low, high, p = likelihood_interval(scott, np.array([3.0, 2.0, 25.0]), 0.95)
    >>> round(low, 3), round(high, 3), round(p, 4)
    (0.233, 0.955, 0.0029)
    """
    counts = np.asarray(counts, dtype=float)
    n = counts.sum()
    seen = counts > 0
    estimate = float(coefficient(counts[None, :])[0])
    best = float(counts[seen] @ np.log(counts[seen] / n))
    df = max(n - 1, 1)
    target = stats.t.ppf(0.5 + ci / 2, df)
    uniform = np.full(len(counts), 1 / len(counts))
    fitted = {estimate: 0.98 * counts / n + 0.02 / len(counts)}
    roots: dict[float, float] = {estimate: 0.0}

    def root_deviance(value: float) -> float:
        """The square root of the deviance at ``value``: nearly linear in it. Each value is
        fitted once, so the root search sees the same number at a bracket's ends.
        """
        if value not in roots:
            roots[value] = _root_deviance(value)
        return roots[value]

    def _root_deviance(value: float) -> float:
        nearest = min(fitted, key=lambda known: abs(known - value))
        # the constraint is not convex: a fit from the neighbour's probabilities can stop at a
        # local maximum that leaves an unseen pattern empty, so a fit from equal
        # probabilities over the cells is tried too, and the better one kept
        likelihood, probabilities = max(
            (_constrained_maximum(coefficient, counts, value, start)
             for start in (fitted[nearest], uniform)),
            key=lambda fit: fit[0],
        )  # fmt: skip
        if probabilities is not None:
            fitted[value] = probabilities
        return float(np.sqrt(max(2 * (best - likelihood), 0.0)))

    step = step if np.isfinite(step) and step > 0.01 else 0.01
    low = _bound(root_deviance, estimate, -1.0, target, step)
    high = _bound(root_deviance, estimate, 1.0, target, step)
    p_value = 1.0 if estimate == 0 else float(2 * stats.t.sf(root_deviance(0.0), df))
    return low, high, p_value


def _bound(root_deviance, estimate: float, edge: float, target: float, step: float) -> float:
    """The value between ``estimate`` and ``edge`` where ``root_deviance`` reaches ``target``:
    strides of doubling length away from the estimate until it is passed (or no
    probabilities reach the value), then Brent's method within the last stride.
    """
    direction = np.sign(edge - estimate)
    limit = edge - direction * 1e-6  # +-1 needs every item in agreement (or in none)
    inner = value = estimate
    while direction * (limit - value) > 0:
        value = value + direction * step
        if direction * (value - limit) >= 0:
            value = limit
        if root_deviance(value) > target:
            return float(
                optimize.brentq(lambda v: root_deviance(v) - target, inner, value, xtol=1e-4)
            )
        inner, step = value, 2 * step
    return edge


def _constrained_maximum(coefficient, counts: np.ndarray, value: float, start: np.ndarray):
    """The largest multinomial log-likelihood of cell probabilities whose coefficient is
    ``value``, and those probabilities; ``(-_INFEASIBLE, None)`` where none is found.
    """
    n = counts.sum()
    seen = counts > 0
    cells = len(counts)
    steps = np.vstack([np.eye(cells), -np.eye(cells)]) * _STEP

    def objective(p):
        return -(counts[seen] @ np.log(np.maximum(p[seen], _FLOOR))) / n

    def gradient(p):
        out = np.zeros(cells)
        out[seen] = -counts[seen] / np.maximum(p[seen], _FLOOR) / n
        return out

    def gap(p):
        return float(coefficient(n * p[None, :])[0]) - value

    def gap_gradient(p):
        shifted = coefficient(n * (p[None, :] + steps))
        return (shifted[:cells] - shifted[cells:]) / (2 * _STEP)

    with warnings.catch_warnings():  # older SciPy notes its own clipping to the bounds
        warnings.filterwarnings("ignore", "Values in x were outside bounds", RuntimeWarning)
        fit = optimize.minimize(
            objective,
            start,
            jac=gradient,
            bounds=[(_FLOOR, 1.0)] * cells,
            constraints=[
                {"type": "eq", "fun": lambda p: p.sum() - 1, "jac": lambda p: np.ones(cells)},
                {"type": "eq", "fun": gap, "jac": gap_gradient},
            ],
            method="SLSQP",
            options={"ftol": 1e-12, "maxiter": _ITERATIONS},
        )
    feasible = fit.success and abs(gap(fit.x)) < 1e-6 and abs(fit.x.sum() - 1) < 1e-6
    return (-fit.fun * n, fit.x) if feasible else (-_INFEASIBLE, None)
