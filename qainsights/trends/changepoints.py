"""When did an error rate shift, and does it drift: changepoints and trend tests over periods."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._caller import caller, public, user_stacklevel
from .._compat import STR
from .._deprecation import renamed
from .._multiple import q_values
from .._results import TidyResult, drawing
from .._validation import as_column_list, check_confidence, check_integer, check_option
from ._aggregate import counts_by_period
from ._inference import rate_with_ci

__all__ = ["Changepoints", "detect_changepoints", "trend_test"]


def _series_matrix(table: pd.DataFrame, keys: list[str], period: str):
    """Errors and audits as (series x periods) matrices, zero where a series has no audits."""
    group = keys or ["_all"]
    wide = table.assign(_all=0).pivot_table(
        index=group, columns=period, values=["errors", "n"], aggfunc="sum", observed=True
    )
    wide = wide.fillna(0.0)
    return wide["errors"].to_numpy(), wide["n"].to_numpy(), wide.index, wide["n"].columns


def _series_dispersion(errors: np.ndarray, audits: np.ndarray) -> np.ndarray:
    """Each series' dispersion: the mean of its squared standardised successive differences.

    ``d_t = (r_t − r_{t−1}) / sqrt(p (1 − p) (1/n_t + 1/n_{t−1}))`` over adjacent periods that
    both have audits, ``p`` the series' pooled rate; under binomial sampling ``E d² = 1``,
    and a shift of level moves one difference only. Floored at 1; 1 where no pair informs it.
    """
    pooled = errors.sum(axis=1, keepdims=True) / audits.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = errors / audits
        spread = pooled * (1 - pooled) * (1 / audits[:, 1:] + 1 / audits[:, :-1])
        squared = np.diff(rates, axis=1) ** 2 / spread
    informative = np.isfinite(squared) & (spread > 0)
    pairs = informative.sum(axis=1)
    total = np.where(informative, squared, 0.0).sum(axis=1)
    return np.maximum(np.divide(total, pairs, out=np.ones(len(pairs)), where=pairs > 0), 1.0)


def _stretch_dispersion(errors, audits, series_id, rates, lengths) -> np.ndarray:
    """Each series' Pearson dispersion around its stretches' ``rates`` (stretches in series and
    period order, ``lengths`` periods each): ``Σ (x − n r)² / (n r (1 − r))`` over the periods
    with audits and a rate strictly between 0 and 1, over those periods minus the stretches
    (1 where nothing is left).
    """
    fitted = np.repeat(rates, lengths).reshape(errors.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        squared = (errors - audits * fitted) ** 2 / (audits * fitted * (1 - fitted))
    informative = np.isfinite(squared) & (audits > 0)
    df = informative.sum(axis=1) - np.bincount(series_id, minlength=len(errors))
    total = np.where(informative, squared, 0.0).sum(axis=1)
    return np.divide(total, df, out=np.ones(len(df)), where=df > 0)


def _segment_cost(cum_errors, cum_n):
    """Binomial negative log-likelihood of every span (i, j] of periods, per series.

    ``cum_errors`` and ``cum_n`` are (series x periods + 1) cumulative sums; the result has
    shape (series, periods + 1, periods + 1), +inf where ``j <= i``.
    """
    errors = cum_errors[:, None, :] - cum_errors[:, :, None]
    n = cum_n[:, None, :] - cum_n[:, :, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = errors / n
        log_lik = np.where(errors > 0, errors * np.log(p), 0.0) + np.where(
            n - errors > 0, (n - errors) * np.log1p(-p), 0.0
        )
    size = np.arange(cum_n.shape[1])
    later = size[None, :] > size[:, None]
    return np.where(later[None], -log_lik, np.inf)


def _optimal_partition(cost: np.ndarray, penalty: np.ndarray, min_size: int) -> np.ndarray:
    """Exact penalised segmentation (Jackson et al., 2005) of every series at once.

    ``F(j) = min_i F(i) + cost(i, j) + penalty`` over spans of at least ``min_size``
    periods. Returns a (series x periods + 1) array of each end's best previous start.
    """
    series, ends = cost.shape[0], cost.shape[1]
    best = np.full((series, ends), np.inf)
    best[:, 0] = -penalty
    previous = np.zeros((series, ends), dtype=int)
    for j in range(min_size, ends):
        starts = np.arange(0, j - min_size + 1)
        starts = starts[(starts == 0) | (starts >= min_size)]
        total = best[:, starts] + cost[:, starts, j] + penalty[:, None]
        choice = np.argmin(total, axis=1)
        best[:, j] = total[np.arange(series), choice]
        previous[:, j] = starts[choice]
    return previous


def _backtrack(previous: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segments of every series, from the table of best previous starts.

    Walks all series back together, one step per segment of the longest series (not one
    pass per series), and returns ``(series, start, end)`` of every segment, in order.
    """
    rows = np.arange(previous.shape[0])
    end = np.full(len(rows), previous.shape[1] - 1)
    found = []
    while (active := end > 0).any():
        start = previous[rows[active], end[active]]
        found.append((rows[active], start, end[active]))
        end[active] = start
    series, starts, ends = (np.concatenate(part) for part in zip(*found, strict=True))
    order = np.lexsort((starts, series))
    return series[order], starts[order], ends[order]


@dataclass(frozen=True, repr=False)
class Changepoints(TidyResult):
    """Shifts of error rates over periods.

    Attributes
    ----------
    changepoints : DataFrame
        One row per detected shift, see :func:`detect_changepoints`.
    segments : DataFrame
        The stable stretches between shifts: the ``by`` columns, ``start``, ``end`` (first
        and last period), ``periods``, ``n``, ``errors``, ``rate``, ``ci_low``, ``ci_high``.
    series : DataFrame
        The per-period counts and rates that were segmented (for plotting).
    by : tuple of str
        Series columns.
    period : str
        The period column.
    """

    changepoints: pd.DataFrame
    segments: pd.DataFrame
    series: pd.DataFrame
    by: tuple[str, ...]
    period: str
    _title = "Changepoints"

    def to_frame(self) -> pd.DataFrame:
        """The detected shifts."""
        return self.changepoints

    plot = drawing(
        "trends", "plot_changepoints",
        "Each series' rate per period (dots) and the rate of each stable stretch (steps).",
    )  # fmt: skip


@public
@renamed(time="period")
def detect_changepoints(
    data,
    *,
    period,
    by=None,
    outcome="is_error",
    errors=None,
    n=None,
    penalty="bic",
    dispersion="estimated",
    min_size=2,
    ci=0.95,
):
    """Find the periods where an error rate shifted, by penalised binomial segmentation.

    Each series (one per combination of the ``by`` columns) is cut into stretches of
    constant error rate. The cuts minimise the binomial negative log-likelihood of the
    stretches plus a penalty per cut; the optimum is exact (optimal partitioning, Jackson et
    al. 2005), computed for all series at once from cumulative sums.

    The default penalty is BIC's: a cut adds two parameters (its position and the new
    rate), so it must improve the log-likelihood by ``log(N)``, with ``N`` the series'
    audits (Yao, 1988, proved the BIC-type penalty consistent for the number of changes).
    Error rates are often over-dispersed (weeks vary more than binomial sampling says: a
    site's weeks share its shocks, a moderator's decisions share the moderator), and a
    binomial likelihood then finds cuts in noise. By default each series' log-likelihood is
    a quasi-likelihood (Wedderburn, 1974): divided by the series' dispersion ``φ``, so a cut
    must gain ``φ`` times the penalty, and the stretches' intervals count ``n/φ`` audits.
    ``φ`` is first estimated from the successive differences of the series' rates (as
    difference-based variance estimators do; Rice, 1984), which a shift of level moves in one
    difference only, floored at 1; the series is segmented at that ``φ``, and once more at
    the larger of it and the Pearson dispersion of the periods around the stretches found
    (shocks that persist from week to week hide from differences, not from the stretches'
    rates). Measured in ``benchmarks/calibration.py``, see its table for the numbers.

    Parameters
    ----------
    data : pandas.DataFrame, or a polars, DuckDB or PySpark frame
        Audit rows, or an aggregate frame with ``errors`` and ``n`` columns.
    period : str
        Period column (for example ``"week"``); periods are ordered by sorting it.
    by : str or list of str, optional
        Series columns; ``None`` gives one series for all audits.
    outcome, errors, n
        As in :func:`compare_periods`.
    penalty : "bic" or float, default "bic"
        Cost of a cut: ``log(N)`` per series for ``"bic"``, or that number for all series
        (in units of the binomial log-likelihood, before the dispersion).
    dispersion : {"estimated", "binomial"}, default "estimated"
        ``"estimated"`` scales each series' penalty and intervals by its dispersion ``φ``
        (``segments["dispersion"]``); ``"binomial"`` takes ``φ = 1`` (audits independent, the
        weeks varying by sampling alone).
    min_size : int, default 2
        Fewest periods in a stretch.
    ci : float, default 0.95
        Confidence level of the rates' Wilson intervals.

    Returns
    -------
    Changepoints
        ``changepoints`` has one row per cut: the ``by`` columns, ``period`` (first period of
        the new stretch), ``rate_before``, ``ci_low_before``, ``ci_high_before``,
        ``rate_after``, ``ci_low_after``, ``ci_high_after`` (of the adjacent stretches),
        ``difference`` and ``log_lik_gain`` (how much the cut improves the log-likelihood
        of those two stretches, binomial). ``segments`` has the stable stretches with their
        series' ``dispersion``; the rates' intervals are Wilson intervals on ``n/φ`` audits.

    Raises
    ------
    ValueError
        As :func:`compare_periods`, for a bad ``penalty`` or ``min_size``.

    References
    ----------
    .. [1] Jackson, B. et al. (2005). An algorithm for optimal partitioning of data on an
       interval. IEEE Signal Processing Letters 12, 105-108.
    .. [2] Killick, R., Fearnhead, P. & Eckley, I. A. (2012). Optimal detection of
       changepoints with a linear computational cost. JASA 107, 1590-1598.
    .. [3] Yao, Y.-C. (1988). Estimating the number of change-points via Schwarz' criterion.
       Statistics & Probability Letters 6, 181-189.

    Examples
    --------
    >>> weeks = pd.DataFrame({"week": range(8), "errors": [5, 4, 6, 5, 15, 14, 16, 15],
    ...                       "n": [100] * 8})
    >>> found = detect_changepoints(weeks, period="week", errors="errors", n="n")
    >>> found.changepoints[["week", "rate_before", "rate_after"]]
       week  rate_before  rate_after
    0     4         0.05         0.15
    """
    func = caller()
    keys = as_column_list(by)
    level = check_confidence(ci)
    check_integer(min_size, name="min_size")
    check_option(dispersion, name="dispersion", options=("estimated", "binomial"))
    if not (
        penalty == "bic"
        or (isinstance(penalty, (int, float)) and not isinstance(penalty, bool) and penalty >= 0)
    ):
        raise ValueError(
            f"The 'penalty' parameter of {func} must be 'bic' or a number >= 0. Got "
            f"{penalty!r} instead."
        )
    table = counts_by_period(data, keys=keys, period=period, outcome=outcome, errors=errors, n=n)
    errs, audits, index, periods = _series_matrix(table, keys, period)
    cum_errors = np.concatenate([np.zeros((len(errs), 1)), errs.cumsum(axis=1)], axis=1)
    cum_n = np.concatenate([np.zeros((len(audits), 1)), audits.cumsum(axis=1)], axis=1)
    cost = _segment_cost(cum_errors, cum_n)
    beta = np.log(cum_n[:, -1]) if penalty == "bic" else np.full(len(errs), float(penalty))
    shortest = min(min_size, len(periods))

    def stretches(phi):
        series_id, starts, ends = _backtrack(_optimal_partition(cost, beta * phi, shortest))
        seg_errors = cum_errors[series_id, ends] - cum_errors[series_id, starts]
        seg_n = cum_n[series_id, ends] - cum_n[series_id, starts]
        rate = np.divide(seg_errors, seg_n, out=np.full(len(seg_n), np.nan), where=seg_n > 0)
        return series_id, starts, ends, seg_errors, seg_n, rate

    phi = _series_dispersion(errs, audits) if dispersion == "estimated" else np.ones(len(errs))
    series_id, starts, ends, seg_errors, seg_n, rate = stretches(phi)
    if dispersion == "estimated":  # once more, at the dispersion around the stretches found
        around = _stretch_dispersion(errs, audits, series_id, rate, ends - starts)
        phi = np.maximum(phi, around)
        series_id, starts, ends, seg_errors, seg_n, rate = stretches(phi)
    scale = phi[series_id]
    _, low, high = rate_with_ci(seg_errors / scale, seg_n / scale, ci=level)
    labels = index.to_frame(index=False).iloc[series_id].reset_index(drop=True)
    segments = (labels[keys] if keys else pd.DataFrame(index=labels.index)).assign(
        start=np.asarray(periods)[starts],
        end=np.asarray(periods)[ends - 1],
        periods=ends - starts,
        n=seg_n,
        errors=seg_errors,
        rate=rate,
        ci_low=low,
        ci_high=high,
        dispersion=scale,
    )
    changepoints = _cuts(segments, series_id, cost, starts, ends, keys, period)
    series = table.assign(rate=table["errors"] / table["n"])
    return Changepoints(
        changepoints=changepoints, segments=segments, series=series, by=tuple(keys), period=period
    )


def _cuts(segments, series_id, cost, starts, ends, keys, period) -> pd.DataFrame:
    """One row per boundary between two stretches of the same series."""
    inner = np.flatnonzero(series_id[1:] == series_id[:-1])
    before, after = segments.iloc[inner], segments.iloc[inner + 1]
    sid = series_id[inner]
    joined = cost[sid, starts[inner], ends[inner + 1]]
    split = cost[sid, starts[inner], ends[inner]] + cost[sid, starts[inner + 1], ends[inner + 1]]
    table = before[keys].reset_index(drop=True)
    table[period] = after["start"].to_numpy()
    for part, frame in (("before", before), ("after", after)):
        for column in ("rate", "ci_low", "ci_high"):
            table[f"{column}_{part}"] = frame[column].to_numpy()
    table["difference"] = table["rate_after"] - table["rate_before"]
    table["log_lik_gain"] = joined - split
    return table


@public
@renamed(time="period")
def trend_test(data, *, period, by=None, outcome="is_error", errors=None, n=None, scores=None):
    """Cochran-Armitage test for a linear trend of an error rate over ordered periods.

    With period scores ``t`` (by default 0, 1, 2, ... in sorted order), pooled rate
    ``p̄ = E/N`` and ``T = Σ t·(e − n·p̄)``, the statistic is
    ``z = T / sqrt(p̄(1 − p̄)(Σ n·t² − (Σ n·t)²/N))``. The slope is the weighted
    least-squares change of the rate per unit of score, ``T / (Σ n·t² − (Σ n·t)²/N)``.

    The test assumes independent binomial periods. Audit error rates are usually
    over-dispersed and autocorrelated (a bad month is followed by another), which makes
    the plain p-value too small; the result therefore also gives the dispersion
    ``φ = X²/(k − 2)`` of the linear fit (Pearson's X² over ``k`` periods) and a p-value
    of ``z / sqrt(max(φ, 1))`` against Student's t on ``k − 2`` degrees of freedom (a
    quasi-binomial test: the dispersion is estimated from the ``k`` periods, so the
    reference is t, not the normal), and the lag-1
    autocorrelation of the Pearson residuals. When the autocorrelation is clearly positive,
    neither p-value is trustworthy: prefer :func:`detect_changepoints` or a model with
    autocorrelated errors.

    Parameters
    ----------
    data : pandas.DataFrame, or a polars, DuckDB or PySpark frame
        Audit rows, or an aggregate frame with ``errors`` and ``n`` columns.
    period : str
        Period column.
    by : str or list of str, optional
        Series columns; one test per series.
    outcome, errors, n
        As in :func:`compare_periods`.
    scores : dict, optional
        Score of each period (for example weeks since a launch); by default the rank.

    Returns
    -------
    pandas.DataFrame
        One row per series: the ``by`` columns, ``periods``, ``n``, ``errors``, ``rate``
        (pooled), ``slope``, ``z``, ``p_value``, ``dispersion``, ``p_value_quasi`` (the
        p-value with the variance scaled by the dispersion when it exceeds 1, against t on
        ``periods − 2`` degrees of freedom: quasi-binomial, for over-dispersed series), ``q_value`` (Benjamini-Hochberg over the series, of
        ``p_value_quasi``: scanning many series is multiple testing) and
        ``residual_autocorrelation``. A series with fewer than 3 periods, or without
        variation, gets NaN with a ``UserWarning``.

    References
    ----------
    .. [1] Armitage, P. (1955). Tests for linear trends in proportions and frequencies.
       Biometrics 11, 375-386.
    .. [2] Agresti, A. (2002). Categorical Data Analysis, 2nd ed. Wiley, section 3.4.6
       (the alcohol and malformation example the tests reproduce).
    .. [3] McCullagh, P. & Nelder, J. A. (1989). Generalized Linear Models, 2nd ed.,
       section 4.5 (over-dispersion, the quasi-binomial scale).

    Examples
    --------
    >>> months = pd.DataFrame({"month": [1, 2, 3, 4, 5], "errors": [10, 12, 15, 17, 20],
    ...                        "n": [200] * 5})
    >>> result = trend_test(months, period="month", errors="errors", n="n")
    >>> result[["slope", "z", "p_value"]].round(4)
        slope       z  p_value
    0  0.0125  2.1355   0.0327
    """
    func = caller()
    keys = as_column_list(by)
    table = counts_by_period(data, keys=keys, period=period, outcome=outcome, errors=errors, n=n)
    periods = np.sort(pd.unique(table[period]))
    rank = pd.Series(np.arange(len(periods), dtype=float), index=periods)
    if scores is not None:
        rank = pd.Series(scores, dtype=float).reindex(periods)
        if rank.isna().any():
            raise ValueError(
                f"The 'scores' parameter of {func} must give a number for every period. "
                f"Missing for {rank.index[rank.isna()].tolist()[:5]}."
            )
    t = table[period].map(rank).to_numpy()
    e, m = table["errors"].to_numpy(), table["n"].to_numpy()
    group = table.groupby(keys, sort=True).ngroup().to_numpy() if keys else np.zeros(len(t), int)
    sums = {
        name: np.bincount(group, values)
        for name, values in {"n": m, "e": e, "nt": m * t, "et": e * t, "ntt": m * t * t}.items()
    }
    sums["k"] = np.bincount(group)
    pbar = sums["e"] / sums["n"]
    spread = sums["ntt"] - sums["nt"] ** 2 / sums["n"]
    statistic = sums["et"] - pbar * sums["nt"]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = statistic / np.sqrt(pbar * (1 - pbar) * spread)
        slope = statistic / spread
        fitted = np.clip(
            pbar[group] + slope[group] * (t - (sums["nt"] / sums["n"])[group]), 1e-12, 1 - 1e-12
        )
        residual = (e - m * fitted) / np.sqrt(m * fitted * (1 - fitted))
        dispersion = np.bincount(group, residual**2) / (sums["k"] - 2)
    usable = (sums["k"] >= 3) & np.isfinite(z)
    p_value = np.where(usable, 2 * stats.norm.sf(np.abs(z)), np.nan)
    with np.errstate(invalid="ignore"):
        adjusted = 2 * stats.t.sf(
            np.abs(z) / np.sqrt(np.maximum(dispersion, 1.0)), np.maximum(sums["k"] - 2, 1)
        )
    order = np.lexsort((t, group))
    lagged = residual[order]
    same = group[order][1:] == group[order][:-1]
    products = np.bincount(
        group[order][1:][same], (lagged[1:] * lagged[:-1])[same], minlength=len(pbar)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        autocorrelation = products / np.bincount(group, residual**2)
    result = (
        table.groupby(keys, sort=True).size().reset_index()[keys]
        if keys
        else pd.DataFrame(index=[0])
    )
    result = result.assign(
        periods=sums["k"],
        n=sums["n"],
        errors=sums["e"],
        rate=pbar,
        slope=np.where(usable, slope, np.nan),
        z=np.where(usable, z, np.nan),
        p_value=p_value,
        dispersion=np.where(usable, dispersion, np.nan),
        p_value_quasi=np.where(usable, adjusted, np.nan),
        q_value=q_values(np.where(usable, adjusted, np.nan)),
        residual_autocorrelation=np.where(usable, autocorrelation, np.nan),
    )
    _warn_untestable(result, usable, keys)
    return result


def _warn_untestable(result: pd.DataFrame, usable: np.ndarray, keys: list[str]) -> None:
    if not usable.all():
        names = result.loc[~usable, keys].astype(STR).agg(" / ".join, axis=1) if keys else ["all"]
        warnings.warn(
            f"trend_test cannot test {int((~usable).sum())} series ({list(names)[:5]}): they "
            "have fewer than 3 periods or no variation (rate 0 or 1); their results are NaN.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
