"""Moderator error rates with empirical-Bayes shrinkage, and the few that are separable outliers.

Every moderator's error rate is noisy, and error rates differ between moderators more than
binomial sampling explains (over-dispersion). A beta distribution of true rates across
moderators, fitted by maximum likelihood, gives each moderator a shrunken rate and tells which
observed rates are surprising for their number of audits. Only moderators that stay surprising
after controlling the false discovery rate are named.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ._caller import caller, public, user_stacklevel
from ._multiple import q_values
from ._results import TidyResult, drawing
from ._validation import check_confidence, check_integer, format_values
from .rates import _segment_rates

__all__ = ["BetaBinomialPrior", "ModeratorOutliers", "moderator_outliers"]

#: Funnel limits drawn besides ``ci``: Spiegelhalter's (2005) "three sigma" level.
_OUTER_LEVEL = 0.998
#: Upper bound of the prior's precision α + β; the fit reaching it means no over-dispersion.
_MAX_PRECISION = 1e8
_GRID_POINTS = 200
STATUSES = ("separable high", "separable low", "within expected range", "too few audits")


@dataclass(frozen=True)
class BetaBinomialPrior:
    """The beta distribution of true error rates across moderators.

    Attributes
    ----------
    alpha, beta : float
        Shape parameters of the Beta(α, β) prior.
    log_likelihood : float
        Beta-binomial log-likelihood of the moderators' counts at the fit (with binomial
        coefficients).
    moderators : int
        Moderators the prior was fitted to.
    """

    alpha: float
    beta: float
    log_likelihood: float
    moderators: int

    @property
    def mean(self) -> float:
        """Expected error rate of a moderator, ``α / (α + β)``."""
        return self.alpha / (self.alpha + self.beta)

    @property
    def overdispersion(self) -> float:
        """Intra-class correlation ``ρ = 1 / (α + β + 1)``; 0 means binomial variation only."""
        return 1.0 / (self.alpha + self.beta + 1.0)

    @property
    def sd(self) -> float:
        """Standard deviation of true error rates across moderators."""
        return float(np.sqrt(self.mean * (1 - self.mean) * self.overdispersion))


@dataclass(frozen=True, repr=False)
class ModeratorOutliers(TidyResult):
    """Moderator error rates, their shrunken estimates and the separable outliers.

    Attributes
    ----------
    table : DataFrame
        One row per moderator; columns described in :func:`moderator_outliers`.
    prior : BetaBinomialPrior
        The fitted distribution of true error rates across moderators.
    limits : DataFrame
        Funnel limits: ``n``, ``level`` (``ci`` and 0.998), ``lower`` and ``upper`` (central
        prior-predictive interval of the error rate of a moderator with ``n`` audits).
    q : float
        False discovery rate used to flag moderators.
    min_n : int
        Audits a moderator needs to be considered for flagging.
    """

    table: pd.DataFrame
    prior: BetaBinomialPrior
    limits: pd.DataFrame
    q: float
    min_n: int
    _title = "Moderator error rates"

    def _key_figures(self) -> dict:
        counts = self.table["status"].value_counts()
        return {
            "moderators": len(self.table),
            "separable_high": int(counts.get("separable high", 0)),
            "separable_low": int(counts.get("separable low", 0)),
            "q": self.q,
        }

    def to_frame(self) -> pd.DataFrame:
        """The full per-moderator table (every identifier, as given)."""
        return self.table

    @property
    def flagged(self) -> pd.DataFrame:
        """The rows of separable outliers only, most significant first."""
        separable = self.table["status"].isin(STATUSES[:2])
        return self.table[separable].sort_values("q_value", kind="stable")

    def summary(self) -> str:
        """Plain-language summary that names separable outliers only.

        Moderators within the expected range, and those with too few audits, are counted
        but never named.
        """
        table, prior = self.table, self.prior
        eligible = int((table["status"] != STATUSES[3]).sum())
        flagged = self.flagged
        lines = [
            f"{len(table)} moderators audited; {eligible} with at least {self.min_n} audits "
            "can be flagged.",
            f"Expected error rate {prior.mean:.2%}; true rates vary across moderators with "
            f"standard deviation {prior.sd:.2%} (beta-binomial prior, intra-class correlation "
            f"{prior.overdispersion:.4f}).",
        ]
        for status in STATUSES[:2]:
            rows = flagged[flagged["status"] == status]
            named = "; ".join(
                f"{row.moderator} ({row.rate:.1%} of {row.n} audits, shrunken "
                f"{row.shrunken_rate:.1%}, q = {row.q_value:.3g})"
                for row in rows[["moderator", "rate", "n", "shrunken_rate", "q_value"]].itertuples()
            )
            lines.append(
                f"{status.capitalize()} (false discovery rate {self.q:g}): "
                f"{len(rows)}{': ' + named if named else ''}."
            )
        lines.append(
            f"The other {len(table) - len(flagged)} moderators are not named: "
            f"{eligible - len(flagged)} within the expected range, {len(table) - eligible} "
            f"with too few audits."
        )
        return "\n".join(lines)

    plot = drawing(
        "moderators", "plot_moderator_funnel",
        "Funnel plot: error rate against audits, with the prior-predictive limits.",
    )  # fmt: skip


@public
def moderator_outliers(
    audits, *, moderator="moderator_id", outcome="is_error", min_n=30, q=0.05, ci=0.95
):
    """Per-moderator error rates with empirical-Bayes shrinkage, and the separable outliers.

    1. Each moderator's ``n`` audits and ``errors`` give a raw rate with a Wilson interval
       (:func:`qainsights.rates.error_rate`).
    2. True rates across moderators are taken to follow a Beta(α, β) prior, so that error
       counts are beta-binomial; α and β are fitted by maximum likelihood over all
       moderators (Williams, 1975; Efron, 2010, for the empirical-Bayes use).
    3. Each moderator's posterior is Beta(α + errors, β + n − errors): ``shrunken_rate`` is
       its mean ``(α + errors) / (α + β + n)`` and the shrunken interval its equal-tailed
       ``ci`` interval. Moderators with few audits move most towards the prior mean.
    4. The two-sided p-value compares the observed errors with their prior-predictive
       BetaBinomial(n, α, β) distribution, doubling the smaller tail (capped at 1): a
       moderator is surprising only beyond the spread that true rates already show, not
       beyond binomial noise alone, which would flag many moderators at this volume.
    5. Benjamini-Hochberg q-values over the moderators with at least ``min_n`` audits; those
       with ``q_value <= q`` are ``"separable high"`` or ``"separable low"`` by the side of
       the smaller tail. Moderators below ``min_n`` are kept in the table (their p-value is
       shown) but get no q-value and are never flagged.

    Parameters
    ----------
    audits : pandas.DataFrame
        One row per audited decision.
    moderator : str, default "moderator_id"
        Column identifying the moderator. Identifiers are shown as given: pseudonymise them
        first (:func:`qainsights.audits.pseudonymize`) for a report that leaves the team.
    outcome : str, default "is_error"
        A column of True/False (or 1/0) values.
    min_n : int, default 30
        Audits a moderator needs before they can be flagged: fewer give little power, and
        would single people out on a handful of decisions.
    q : float, default 0.05
        False discovery rate, strictly between 0 and 1.
    ci : float, default 0.95
        Level of the raw and shrunken intervals and of the inner funnel limits.

    Returns
    -------
    ModeratorOutliers
        ``table`` with one row per moderator, in identifier order: ``moderator``, ``n``,
        ``errors``, ``rate``, ``ci_low``, ``ci_high``, ``shrunken_rate``,
        ``shrunken_ci_low``, ``shrunken_ci_high``, ``expected_low`` and ``expected_high``
        (the central ``ci`` prior-predictive range of the rate at this ``n``), ``p_value``,
        ``q_value`` and ``status`` (``"separable high"``, ``"separable low"``,
        ``"within expected range"`` or ``"too few audits"``); ``prior``, ``limits``;
        ``summary()`` names only the separable outliers; ``plot()`` draws the funnel.

    Raises
    ------
    ValueError
        As :func:`~qainsights.rates.error_rate` for the columns and values; for ``min_n``
        not a positive integer, ``q`` or ``ci`` outside (0, 1); for fewer than three
        moderators, or error counts that are all zero or all ``n`` (no spread to fit).

    Warns
    -----
    UserWarning
        When no moderator has ``min_n`` audits: nothing can be flagged.

    Notes
    -----
    When moderators vary no more than binomial sampling explains, the fitted precision
    ``α + β`` reaches its bound (10⁸): every shrunken rate is then the pooled rate and the
    p-values are binomial ones. The prior is fitted with every moderator, flagged or not;
    with many moderators a few outliers barely move it. Tails and quantiles come from the
    beta-binomial probabilities of every count 0..n for each distinct audit count ``n``, so
    memory grows with the sum of the distinct audit counts (a few MB for thousands of
    moderators with hundreds of audits each).

    References
    ----------
    .. [1] Williams, D. A. (1975). The analysis of binary responses from toxicological
       experiments involving reproduction and teratogenicity. Biometrics 31, 949-952.
    .. [2] Efron, B. (2010). Large-Scale Inference: Empirical Bayes Methods for Estimation,
       Testing, and Prediction. Cambridge University Press.
    .. [3] Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
       Statistics in Medicine 24, 1185-1202 (over-dispersed limits).
    .. [4] Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B
       57, 289-300; statsmodels ``multipletests(method="fdr_bh")``.

    Examples
    --------
    Twelve moderators with 3 to 7 errors in 100 audits, and one with 25:

    >>> import numpy as np
    >>> errors = [5, 4, 6, 5, 3, 7, 5, 4, 6, 5, 4, 6, 25]
    >>> audits = pd.DataFrame(
    ...     {
    ...         "moderator_id": np.repeat([f"m{i:02d}" for i in range(13)], 100),
    ...         "is_error": np.concatenate([np.arange(100) < e for e in errors]),
    ...     }
    ... )
    >>> result = moderator_outliers(audits)
    >>> print(result.summary())
    13 moderators audited; 13 with at least 30 audits can be flagged.
    Expected error rate 6.59%; true rates vary across moderators with standard deviation 3.37% (beta-binomial prior, intra-class correlation 0.0185).
    Separable high (false discovery rate 0.05): 1: m12 (25.0% of 100 audits, shrunken 18.6%, q = 0.0298).
    Separable low (false discovery rate 0.05): 0.
    The other 12 moderators are not named: 12 within the expected range, 0 with too few audits.
    >>> result.table.loc[12, ["rate", "shrunken_rate", "expected_low", "expected_high"]].tolist()
    [0.25, 0.186..., 0.01, 0.16]
    """
    _check_options(moderator, min_n, q, ci)
    rates = _segment_rates(audits, column=outcome, by=moderator, ci=ci).drop(columns="_outcome")
    k, n = rates["errors"].to_numpy(float), rates["n"].to_numpy(float)
    prior = _fit_prior(k, n)
    a, b = prior.alpha, prior.beta
    low, high = stats.beta.ppf([[(1 - ci) / 2], [(1 + ci) / 2]], a + k, b + n - k)
    predictive = _PredictiveTable(n, a, b)
    lower_tail, upper_tail = predictive.tails(k, n)
    p_value = np.minimum(1.0, 2 * np.minimum(lower_tail, upper_tail))
    eligible = n >= min_n
    q_value = q_values(p_value, eligible=eligible)
    if not eligible.any():
        warnings.warn(
            f"{caller()}: no moderator has min_n = {min_n} audits (the most is {int(n.max())}), "
            "so none can be flagged. Pool a longer period or lower min_n.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    separable = eligible & (q_value <= q)
    status = np.select(
        [separable & (upper_tail < lower_tail), separable, eligible],
        list(STATUSES[:3]),
        default=STATUSES[3],
    )
    expected = predictive.rate_range(n, ci)
    table = pd.DataFrame(
        {
            "moderator": rates[moderator].to_numpy(),
            "n": rates["n"].to_numpy(),
            "errors": rates["errors"].to_numpy(),
            "rate": rates["rate"].to_numpy(),
            "ci_low": rates["ci_low"].to_numpy(),
            "ci_high": rates["ci_high"].to_numpy(),
            "shrunken_rate": (a + k) / (a + b + n),
            "shrunken_ci_low": low,
            "shrunken_ci_high": high,
            "expected_low": expected[0],
            "expected_high": expected[1],
            "p_value": p_value,
            "q_value": q_value,
            "status": status,
        }
    )
    return ModeratorOutliers(
        table=table,
        prior=prior,
        limits=_funnel_limits(int(n.max()), a, b, levels=(ci, _OUTER_LEVEL)),
        q=float(q),
        min_n=int(min_n),
    )


def _check_options(moderator, min_n, q, ci) -> None:
    """Check the options (columns and values are checked with the rates)."""
    if not isinstance(moderator, str):
        raise ValueError(
            f"The 'moderator' parameter of {caller()} must be one column name (a string). Got "
            f"{moderator!r} instead."
        )
    check_integer(min_n, name="min_n", rule="a positive integer (for example 30)")
    check_confidence(ci)
    if isinstance(q, bool) or not isinstance(q, (int, float, np.floating)) or not 0 < q < 1:
        raise ValueError(
            f"The 'q' parameter of {caller()} must be a false discovery rate strictly between 0 "
            f"and 1 (for example 0.05). Got {q!r} instead."
        )


def _fit_prior(k: np.ndarray, n: np.ndarray) -> BetaBinomialPrior:
    """Maximum-likelihood Beta(α, β) prior of the beta-binomial counts ``k`` of ``n``.

    Moderators with the same ``(k, n)`` are pooled into one pattern with a count. The fit
    runs on ``(logit μ, log(α + β))`` with the analytic gradient, from the pooled rate and
    a moment estimate of the spread.
    """
    if len(n) < 3:
        raise ValueError(
            f"{caller()} needs at least three moderators to fit the spread of their error rates. "
            f"Got {len(n)}: {format_values(n.astype(int))} audits."
        )
    if k.sum() == 0 or k.sum() == n.sum():
        kind = "no errors" if k.sum() == 0 else "only errors"
        raise ValueError(
            f"{caller()} found {kind} in all {int(n.sum())} audits, so moderators cannot be told "
            "apart. Check the outcome column, or pool a longer period."
        )
    patterns, count = np.unique(np.column_stack([k, n]), axis=0, return_counts=True)
    k_p, n_p = patterns[:, 0], patterns[:, 1]

    def objective(theta):
        mean, precision = special.expit(theta[0]), np.exp(theta[1])
        a, b = mean * precision, (1 - mean) * precision
        value = special.betaln(k_p + a, n_p - k_p + b) - special.betaln(a, b)
        common = special.digamma(a + b) - special.digamma(n_p + a + b)
        d_a = special.digamma(k_p + a) - special.digamma(a) + common
        d_b = special.digamma(n_p - k_p + b) - special.digamma(b) + common
        d_mean = precision * mean * (1 - mean) * (count @ (d_a - d_b))
        d_precision = count @ (a * d_a + b * d_b)
        return -(count @ value), -np.array([d_mean, d_precision])

    pooled = k.sum() / n.sum()
    start = np.array([special.logit(pooled), np.log(_moment_precision(k, n, pooled))])
    fit = optimize.minimize(
        objective,
        start,
        jac=True,
        method="SLSQP",
        bounds=[(-30.0, 30.0), (np.log(1e-3), np.log(_MAX_PRECISION))],
        options={"ftol": 1e-13, "maxiter": 500},
    )
    mean, precision = special.expit(fit.x[0]), np.exp(fit.x[1])
    a, b = mean * precision, (1 - mean) * precision
    log_likelihood = float(_log_pmf(k, n, a, b).sum())
    return BetaBinomialPrior(
        alpha=float(a), beta=float(b), log_likelihood=log_likelihood, moderators=len(n)
    )


def _moment_precision(k: np.ndarray, n: np.ndarray, pooled: float) -> float:
    """Start value of α + β from the between-moderator variance beyond binomial (moments)."""
    excess = (n * (k / n - pooled) ** 2).sum() - (len(n) - 1) * pooled * (1 - pooled)
    effective = n.sum() - (n**2).sum() / n.sum()
    spread = excess / effective if effective > 0 else 0.0
    if spread <= 0:
        return 1e4
    return float(np.clip(pooled * (1 - pooled) / spread - 1, 1.0, 1e6))


def _log_pmf(x, n, a: float, b: float) -> np.ndarray:
    """Beta-binomial log-probability of ``x`` errors in ``n`` audits."""
    return (
        special.gammaln(n + 1)
        - special.gammaln(x + 1)
        - special.gammaln(n - x + 1)
        + special.betaln(x + a, n - x + b)
        - special.betaln(a, b)
    )


class _PredictiveTable:
    """Prior-predictive (beta-binomial) tails of every count 0..n for each distinct ``n``.

    The supports of all distinct sizes sit end to end in flat arrays, so that tails and
    quantiles for thousands of moderators come from a few vectorised operations (scipy's
    ``betabinom.cdf`` and ``ppf`` loop in Python over their arguments).
    """

    def __init__(self, sizes: np.ndarray, a: float, b: float):
        self.sizes = np.unique(sizes).astype(int)
        length = self.sizes + 1
        self.offset = np.concatenate([[0], np.cumsum(length)[:-1]])
        self.block = np.repeat(np.arange(len(self.sizes)), length)
        x = np.arange(length.sum()) - self.offset[self.block]
        pmf = pd.Series(np.exp(_log_pmf(x, self.sizes[self.block], a, b)))
        self.at_most = pmf.groupby(self.block).cumsum().to_numpy()
        reverse = pmf[::-1].groupby(self.block[::-1]).cumsum()
        self.at_least = reverse.to_numpy()[::-1]

    def tails(self, k: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``P(X <= k)`` and ``P(X >= k)`` for ``X`` ~ BetaBinomial(n, α, β)."""
        where = self.offset[np.searchsorted(self.sizes, n)] + k.astype(int)
        return self.at_most[where], self.at_least[where]

    def quantile(self, n: np.ndarray, probability: float) -> np.ndarray:
        """Smallest ``x`` with ``P(X <= x) >= probability``, for each ``n``."""
        below = np.bincount(self.block, weights=self.at_most < probability)
        return below[np.searchsorted(self.sizes, n)]

    def rate_range(self, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Central ``level`` range of the error rate ``X / n``."""
        tail = (1 - level) / 2
        return self.quantile(n, tail) / n, self.quantile(n, 1 - tail) / n


def _funnel_limits(max_n: int, a: float, b: float, *, levels) -> pd.DataFrame:
    """Funnel limits on a grid of audit counts up to ``max_n``, one block per level."""
    grid = np.unique(np.rint(np.geomspace(1, max(max_n, 1), _GRID_POINTS)))
    table = _PredictiveTable(grid, a, b)
    blocks = []
    for level in levels:  # two levels, not rows
        low, high = table.rate_range(grid, level)
        blocks.append(
            pd.DataFrame({"n": grid.astype(int), "level": level, "lower": low, "upper": high})
        )
    return pd.concat(blocks, ignore_index=True)
