"""Sufficient statistics for trend analyses: errors and audits per segment and period.

Every trends function starts here. Audit rows (one per audited decision, with a True/False
outcome) or an aggregate frame (segment columns, period, errors, n) become one group-by
over the segment and period columns; the statistics then work on that small table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._caller import caller
from .._validation import (
    as_column_list,
    check_columns,
    check_complete,
    check_frame,
    format_values,
)
from ..aggregate import collect, engine_frame, error_sums, is_engine_frame

__all__ = [
    "DISPERSION_COLUMNS",
    "EFFECTIVE_COLUMNS",
    "LAG_COLUMNS",
    "MIN_LAG_PERIODS",
    "PERIOD_COLUMNS",
    "SQUARE_COLUMNS",
    "cells_by_side",
    "choose_periods",
    "counts_by_cell",
    "counts_by_period",
    "effective_counts",
    "side_by_side",
    "side_totals",
    "spread_within_sides",
    "two_period_counts",
    "with_sides",
]

#: Columns of :func:`two_period_counts`, after the segment columns.
PERIOD_COLUMNS = ("errors_baseline", "n_baseline", "errors_current", "n_current")
#: Variances of the weighted error counts of weighted audit rows (see :func:`counts_by_period`).
EFFECTIVE_COLUMNS = ("var_errors_baseline", "var_errors_current")
#: Sums of squared weights of weighted audit rows, on the scale of ``n`` (``squares=True``).
SQUARE_COLUMNS = ("squares_baseline", "squares_current")
#: The spread of the periods within each side around the side's rate (``dispersion=True``).
DISPERSION_COLUMNS = ("pearson_baseline_current", "pearson_df_baseline_current")
#: How the periods' residuals persist within the sides (``dispersion=True``): the sums of
#: the products of adjacent residuals and of their squares, and each side's periods.
LAG_COLUMNS = (
    "lag_products_baseline_current", "lag_squares_baseline_current",
    "periods_baseline", "periods_current",
)  # fmt: skip
#: Sides of fewer periods do not enter the lag sums: their residuals' autocorrelation is
#: mostly that of removing their mean (``−1`` for two periods).
MIN_LAG_PERIODS = 4


def counts_by_period(
    data, *, keys, period, outcome, errors, n, weight=None, squares=False
) -> pd.DataFrame:
    """Errors and audits per combination of ``keys`` and ``period``, from rows or aggregates.

    With ``errors`` and ``n`` both given, ``data`` is an aggregate frame and those columns are
    summed; otherwise ``outcome`` is a True/False column of audit rows. Returns a frame with
    the ``keys``, ``period``, ``errors`` and ``n`` columns (float counts), one row per
    combination present, sorted by ``period`` then ``keys``.

    With ``weight`` (a sampling-weight column of audit rows) the counts are weighted sums,
    rescaled within each period so that they add up to that period's number of audits:
    segments then count by the decisions they represent. Their precision is not that of
    so many audits: the frame also has ``var_errors = n² · var``, the variance of the
    cell's weighted error count, from the Taylor-linearised variance of the ratio
    ``r = Σ w·y / Σ w``, ``var = m/(m − 1) · Σ w² (y − r)² / (Σ w)²`` over its ``m``
    audits (``r(1 − r)`` over Kish's ``(Σ w)²/Σ w²`` where that is 0). It adds up over
    cells as the variance of a stratified total does, and :func:`effective_counts` turns
    it into the effective sample size ``r(1 − r) n² / var_errors`` that intervals and tests
    use (as :func:`qainsights.rates.error_rate` does). With ``squares=True`` it also has
    ``squares``, the cell's sum of squared weights on the same scale (``n²`` over Kish's
    effective size).
    """
    func = caller()
    if weight is not None and (errors is not None or n is not None):
        raise ValueError(
            f"The 'weight' parameter of {func} applies to audit rows; an aggregate frame "
            "('errors' and 'n') must carry weighted counts itself. Pass one or the other."
        )
    keys = as_column_list(keys)
    aggregate = errors is not None or n is not None
    if aggregate and (errors is None or n is None):
        raise ValueError(
            f"{func} reads an aggregate frame when both 'errors' and 'n' name columns; got only "
            f"{'errors' if n is None else 'n'}. Pass both, or neither to read audit rows."
        )
    clash = [k for k in keys if k in (period, "errors", "n")]
    if clash or period in keys:
        raise ValueError(
            f"The segment columns of {func} must differ from the period column and from "
            f"'errors' and 'n'. Got {format_values(clash or [period])}; rename them first."
        )
    design = []  # the weighted rows' variance columns, counted on the engine
    if not is_engine_frame(data):
        check_frame(data)
        check_columns(data, [*keys, period, *([errors, n] if aggregate else [outcome])])
        if data.empty:
            raise ValueError(f"{func} got no rows: 'data' has 0 rows. Check the filter upstream.")
    if is_engine_frame(data) or not aggregate:
        data = _engine_counts(data, keys, period, outcome, aggregate, weight, squares)
        errors, n = (errors, n) if aggregate else ("errors", "n")
        design = [] if aggregate or weight is None else ["var_errors", *(["squares"] * squares)]
    check_columns(data, [*keys, period, errors, n])
    if data.empty:
        raise ValueError(f"{func} got no rows: 'data' has 0 rows. Check the filter upstream.")
    check_complete(data, [*keys, period, errors, n])
    values = _aggregate_counts(data, errors, n)
    values[design] = data[design].to_numpy()
    values.index = data.index
    groups = [data[k] for k in [*keys, period]]
    table = values.groupby(groups, observed=True, sort=False).sum().reset_index()
    return table.sort_values([period, *keys], ignore_index=True)


def _normalised(table: pd.DataFrame, period: str, *, squares: bool = False) -> pd.DataFrame:
    """Weighted sums rescaled so each period's total equals its number of audits.

    Adds each cell's effective sample size and effective errors (see
    :func:`counts_by_period`).
    """
    by_period = table.groupby(period, observed=True)
    scale = by_period["n"].transform("sum") / by_period["sum_w"].transform("sum")
    sum_w, sum_w2 = table["sum_w"].to_numpy(), table["sum_w2"].to_numpy()
    rate = table["sum_wy"].to_numpy() / sum_w
    m = table["n"].to_numpy()
    residual = table["sum_w2y"].to_numpy() * (1 - 2 * rate) + rate**2 * sum_w2
    kish = sum_w**2 / sum_w2
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = m / (m - 1) * residual / sum_w**2
        n_eff = np.where((m > 1) & (variance > 0), rate * (1 - rate) / variance, kish)
    n = sum_w * scale
    extra = {"squares": sum_w2 * scale**2} if squares else {}
    return table.assign(
        errors=table["sum_wy"] * scale, n=n, var_errors=n**2 * rate * (1 - rate) / n_eff, **extra
    ).drop(columns=["sum_wy", "sum_w", "sum_w2", "sum_w2y"])


def effective_counts(errors, n, var_errors) -> tuple[np.ndarray, np.ndarray]:
    """Effective errors and audits ``(r·m, m)`` with ``m = r(1 − r) n² / var_errors``.

    ``var_errors`` is the variance of a (sum of) weighted error count(s) on the scale of
    ``n``; where it is 0 (a rate of 0 or 1) ``m`` falls back to ``n``.
    """
    errors, n, var_errors = (np.asarray(a, dtype=float) for a in (errors, n, var_errors))
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, errors / n, 0.0)
        m = np.where(var_errors > 0, rate * (1 - rate) * n**2 / var_errors, n)
    return rate * m, m


def _engine_counts(data, keys, period, outcome, aggregate, weight, squares=False):
    """Audit rows (any engine) or another engine's aggregate as a pandas aggregate.

    Rows are counted on their engine; weighted ones are normalised (:func:`_normalised`).
    """
    if aggregate:
        return collect(engine_frame(data))
    sums = error_sums(data, keys=[*keys, period], outcome=outcome, weight=weight, floor={})
    if weight is not None:
        sums = _normalised(
            sums[[*keys, period, "n", "sum_w", "sum_w2", "sum_wy", "sum_w2y"]],
            period,
            squares=squares,
        )
        return sums[[*keys, period, "errors", "n", "var_errors", *(["squares"] * squares)]]
    return sums[[*keys, period, "errors", "n"]]


def _aggregate_counts(data: pd.DataFrame, errors: str, n: str) -> pd.DataFrame:
    """Return the ``errors`` and ``n`` columns as floats after checking 0 <= errors <= n."""
    func = caller()
    columns = {}
    for name, column in (("errors", errors), ("n", n)):
        if not pd.api.types.is_numeric_dtype(data[column]) or pd.api.types.is_bool_dtype(
            data[column]
        ):
            raise ValueError(
                f"The {name!r} column {column!r} of {func} must be numeric. Got dtype "
                f"{data[column].dtype} instead; convert it with pd.to_numeric first."
            )
        columns[name] = data[column].to_numpy(dtype=float)
    k, total = columns["errors"], columns["n"]
    bad = ~np.isfinite(k) | ~np.isfinite(total) | (k < 0) | (k > total)
    if bad.any():
        pairs = [f"{a:g}/{b:g}" for a, b in zip(k[bad], total[bad], strict=True)]
        raise ValueError(
            f"{func} needs 0 <= {errors} <= {n} in every row. Got {int(bad.sum())} invalid "
            f"rows: {format_values(pairs)}. Check that {errors!r} counts errors and {n!r} audits."
        )
    return pd.DataFrame(columns)


def _period_values(values, column: pd.Series, *, name: str) -> list:
    """Return the period values asked for, converted to the column's type and checked."""
    func = caller()
    values = [values] if np.ndim(values) == 0 else list(values)
    if pd.api.types.is_datetime64_any_dtype(column):
        try:
            values = list(pd.to_datetime(values))
        except (ValueError, TypeError, OverflowError) as error:  # pandas' DateParseError too
            raise ValueError(
                f"The {name!r} parameter of {func} must hold dates, as the column {column.name!r} "
                f"does. Could not read {format_values(values)} as a date ({error}); pass a date "
                "such as '2026-03-02' or a pandas Timestamp."
            ) from None
    present = column.drop_duplicates().tolist()  # Timestamps, not datetime64, for datetimes
    missing = [v for v in values if v not in set(present)]
    if not values or missing:
        raise ValueError(
            f"The {name!r} parameter of {func} must name periods present in the data. Got "
            f"{format_values(_shown(missing) or ['(none)'])}, which is not among the periods "
            f"{format_values(_shown(sorted(present)), limit=8)}."
        )
    return values


def _shown(periods: list) -> list:
    """Periods as a message shows them: dates as ``'2026-03-02'``, other values unchanged.

    Examples
    --------
    >>> _shown([pd.Timestamp("2026-03-02"), pd.Timestamp("2026-03-02 08:30")])
    ['2026-03-02', '2026-03-02 08:30:00']
    """
    return [
        (str(p.date()) if p == p.normalize() else str(p)) if isinstance(p, pd.Timestamp) else p
        for p in periods
    ]


def two_period_counts(
    data,
    *,
    keys,
    period: str,
    current,
    baseline,
    outcome,
    errors,
    n,
    weight=None,
    squares=False,
) -> tuple[pd.DataFrame, list, list]:
    """Put the baseline and current counts of each segment side by side.

    ``data`` is read as by :func:`counts_by_period`, the periods chosen as by
    :func:`choose_periods`, and the counts put side by side as by :func:`side_by_side`.
    Returns that frame and the two lists of periods used.
    """
    keys = as_column_list(keys)
    table = counts_by_period(
        data, keys=keys, period=period, outcome=outcome, errors=errors, n=n,
        weight=weight, squares=squares,
    )  # fmt: skip
    current, baseline = choose_periods(table[period], current=current, baseline=baseline)
    wide = side_by_side(table, keys=keys, period=period, current=current, baseline=baseline)
    return wide, current, baseline


def choose_periods(periods: pd.Series, *, current, baseline) -> tuple[list, list]:
    """The current and baseline periods asked for, checked against the ``periods`` present.

    ``baseline=None`` takes the period just before the earliest ``current`` one.
    """
    func = caller()
    current = _period_values(current, periods, name="current")
    if baseline is None:
        earlier = sorted(p for p in pd.unique(periods) if p < min(current))
        if not earlier:
            raise ValueError(
                f"{func} found no period before {_shown(current)[0]!r} to compare with. Pass "
                "'baseline' explicitly, or choose a later 'current' period."
            )
        baseline = earlier[-1:]
    baseline = _period_values(baseline, periods, name="baseline")
    shared = [p for p in current if p in set(baseline)]
    if shared:
        raise ValueError(
            f"The 'current' and 'baseline' periods of {func} must not overlap. Both contain "
            f"{format_values(_shown(shared))}."
        )
    return current, baseline


def side_by_side(
    table: pd.DataFrame, *, keys: list, period: str, current: list, baseline: list,
    dispersion: bool = False, within: str | None = None,
) -> pd.DataFrame:  # fmt: skip
    """Each segment's baseline and current counts in one row, from :func:`counts_by_period`.

    Returns the segment columns plus :data:`PERIOD_COLUMNS` (zero counts where a segment is
    absent from a side), sorted by the segment columns; one row of totals when ``keys`` is
    empty. Weighted counts add :data:`EFFECTIVE_COLUMNS` (and :data:`SQUARE_COLUMNS` where
    the table has ``squares``); ``dispersion=True`` adds :data:`DISPERSION_COLUMNS` and
    :data:`LAG_COLUMNS` (see :func:`spread_within_sides`), from the spread of the ``period``
    values within each side or, with ``within`` (a column of ``table``), of the finer periods
    it names. :func:`cells_by_side` then :func:`side_totals`.
    """
    sides = {"period": period, "current": current, "baseline": baseline}
    cells = cells_by_side(table, keys=keys, within=within if dispersion else None, **sides)
    return side_totals(*cells, keys=keys, dispersion=dispersion)


def cells_by_side(
    table: pd.DataFrame, *, keys: list, period: str, current: list, baseline: list,
    within: str | None = None,
):  # fmt: skip
    """Each segment's counts per period of the sides compared (:func:`counts_by_cell` of
    :func:`with_sides`; the periods are those of ``period`` or, with ``within``, the finer
    ones inside them): the segments' index, the arrays and which columns are current.
    """
    chosen = with_sides(table, period=period, current=current, baseline=baseline)
    periods = [period, *([within] if within else [])]
    return counts_by_cell(chosen, group=keys or ["_all"], periods=periods)


def side_totals(index, counts: dict, now, *, keys: list, dispersion: bool = False) -> pd.DataFrame:
    """The frame of :func:`side_by_side` from the per-period arrays of :func:`cells_by_side`."""
    totals = {
        f"{measure}_{part}": values[:, side].sum(axis=1)
        for measure, values in counts.items()
        for part, side in (("baseline", ~now), ("current", now))
    }
    extra = [*(EFFECTIVE_COLUMNS if "var_errors" in counts else [])]
    extra += [*(SQUARE_COLUMNS if "squares" in counts else [])]
    wide = pd.DataFrame(totals, index=index)[[*PERIOD_COLUMNS, *extra]]
    if dispersion:
        measures = {m: values for m, values in counts.items() if m != "squares"}
        wide = wide.assign(**spread_within_sides(**measures, current=now))
    return wide.reset_index(drop=not keys)


def with_sides(table: pd.DataFrame, *, period: str, current: list, baseline: list) -> pd.DataFrame:
    """The rows of the periods compared, with their ``_side`` ("baseline" or "current") and a
    constant ``_all`` to group by when there are no segment columns.
    """
    side = np.where(table[period].isin(current), "current", "")
    side = np.where(table[period].isin(baseline), "baseline", side)
    return table.assign(_side=side, _all=0)[side != ""]


def counts_by_cell(chosen: pd.DataFrame, *, group: list, periods: list):
    """Each group's counts per period as (groups x periods) arrays, zero where absent.

    Returns the groups' index, a dict of ``errors`` and ``n`` arrays (and ``var_errors``
    and ``squares`` where ``chosen`` has them) and, per column, whether it is a current
    period.
    """
    measures = ["errors", "n", *(m for m in ("var_errors", "squares") if m in chosen.columns)]
    wide = chosen.pivot_table(
        index=group, columns=["_side", *periods], values=measures, aggfunc="sum", observed=True
    )
    wide = wide.fillna(0.0)
    current = wide["n"].columns.get_level_values("_side") == "current"
    return wide.index, {m: wide[m].to_numpy(dtype=float) for m in measures}, current


def spread_within_sides(errors, n, current, var_errors=None) -> dict[str, np.ndarray]:
    """Pearson's X² of each row's periods around its side's rate, its degrees of freedom,
    and the sums that estimate how the periods' residuals persist (:data:`LAG_COLUMNS`).

    ``errors``, ``n`` (and ``var_errors``, the weighted error counts' variances) are
    (rows x periods) arrays with zeros where a row has no audits, the periods in time order
    within each side; ``current`` says which columns are current periods, the others being
    baseline ones. Each period's Pearson residual is ``(r − p) sqrt(n / (D p (1 − p)))``:
    its rate ``r``, its side's rate ``p``, its audits ``n`` and, where weighted, its side's
    design effect ``D`` (the variance of the side's weighted error count over the binomial
    variance ``N p (1 − p)`` of its ``N`` audits, so that ``N / D`` is the side's effective
    sample size, see :func:`effective_counts`), 1 otherwise. One design effect a side rather
    than one a period: a week's own, read from its few errors, is too noisy to divide by (a
    week without errors would have none). Each side with ``k`` periods holding audits and a
    rate strictly between 0 and 1 gives ``k − 1`` degrees of freedom. ``X² / df`` estimates
    the dispersion of the binomial model with one rate per side (McCullagh & Nelder 1989,
    section 4.5): above 1 where the periods share shocks their audits' binomial variance
    does not hold.

    The returned dict holds, per row, :data:`DISPERSION_COLUMNS` (X² and df), then the sum of
    products of the residuals of adjacent periods and the sum of their squares over the
    sides of at least :data:`MIN_LAG_PERIODS` periods, and each side's number of periods
    (see :mod:`qainsights.trends._serial`).

    Examples
    --------
    >>> spread = spread_within_sides(np.array([[10.0, 30, 20, 20]]), np.full((1, 4), 200.0),
    ...                              current=np.array([False, False, True, True]))
    >>> spread[DISPERSION_COLUMNS[0]], spread[DISPERSION_COLUMNS[1]]
    (array([11.11111111]), array([2.]))
    """
    errors, n = np.asarray(errors, dtype=float), np.asarray(n, dtype=float)
    var_errors = None if var_errors is None else np.asarray(var_errors, dtype=float)
    out = {name: np.zeros(len(n)) for name in (*DISPERSION_COLUMNS, *LAG_COLUMNS)}
    products, squares = LAG_COLUMNS[:2]
    for side, periods in (
        (~np.asarray(current), LAG_COLUMNS[2]),
        (np.asarray(current), LAG_COLUMNS[3]),
    ):
        residual = _residuals(
            errors[:, side], n[:, side], None if var_errors is None else var_errors[:, side]
        )
        used = ~np.isnan(residual)
        residual = np.where(used, residual, 0.0)
        count = used.sum(axis=1)
        out[DISPERSION_COLUMNS[0]] += (residual**2).sum(axis=1)
        out[DISPERSION_COLUMNS[1]] += np.maximum(count - 1, 0)
        out[periods] = count.astype(float)
        long = count >= MIN_LAG_PERIODS
        out[products] += np.where(long, (residual[:, 1:] * residual[:, :-1]).sum(axis=1), 0.0)
        out[squares] += np.where(long, (residual**2).sum(axis=1), 0.0)
    return out


def _residuals(errors, n, var_errors) -> np.ndarray:
    """Pearson residuals of one side's periods around its rate (see
    :func:`spread_within_sides`); NaN where a period has no audits or the side's rate is 0
    or 1.
    """
    audits = n.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = errors.sum(axis=1, keepdims=True) / audits
        binomial = audits * rate * (1 - rate)
        variance = binomial if var_errors is None else var_errors.sum(axis=1, keepdims=True)
        # (r − p) sqrt(n / (D p (1 − p))) with the design effect D = variance / binomial
        residual = (errors / n - rate) * np.sqrt(
            n * audits / np.where(variance > 0, variance, binomial)
        )
    return np.where((n > 0) & (rate > 0) & (rate < 1), residual, np.nan)
