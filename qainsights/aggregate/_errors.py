"""Errors and audits per segment, period and stratum: the sums behind every error rate."""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from .._caller import caller, public
from .._validation import as_column_list, check_columns
from ._engine import (
    collect,
    engine_frame,
    on_engine,
    outcome_values,
    raise_missing,
    raise_missing_weights,
    raise_on_bad_values,
    truncated,
    weight_values,
)

_ERROR_SUMS = ("n", "errors", "sum_w", "sum_w2", "sum_wy", "sum_w2y")


@public
def error_counts(
    data: Any,
    *,
    by: str | list[str] | None = None,
    outcome: str = "is_error",
    weight: str | None = None,
    strata: str | None = None,
    period: str | None = None,
    freq: str | None = None,
) -> pd.DataFrame:
    """Errors and audits per segment (and period, and stratum), grouped on the data's engine.

    Parameters
    ----------
    data : pandas, polars (eager or lazy), DuckDB or PySpark frame
        One row per audited decision.
    by : str or list of str, optional
        Segment columns.
    outcome : str, default "is_error"
        A True/False (or 1/0) column; ``errors`` counts the True values.
    weight : str, optional
        Sampling weights (finite, > 0). Without it every weight is 1.
    strata : str, optional
        Sampling stratum column: the sums are kept per stratum, as the design-based
        variance of :func:`qainsights.error_rate` needs them.
    period : str, optional
        A period column (week, month, ...), grouped like the segment columns.
    freq : {"D", "M", "Q", "Y"}, optional
        Floor a datetime ``period`` to the start of its day, month, quarter or year first.

    Returns
    -------
    pandas.DataFrame
        One row per combination present, sorted by the ``by``, ``period`` and ``strata``
        columns, with those columns and then ``n`` (audits), ``errors``, ``sum_w`` (Σ w),
        ``sum_w2`` (Σ w²), ``sum_wy`` (Σ w·y) and ``sum_w2y`` (Σ w²·y) as floats.

    Raises
    ------
    ValueError
        For missing columns, missing values in any column used (no row is dropped
        silently), outcome values other than True/False or 1/0, weights that are not
        finite and positive, or no rows at all.

    Examples
    --------
    >>> audits = pd.DataFrame({"site": ["a", "a", "b"], "is_error": [True, False, True]})
    >>> error_counts(audits, by="site")[["site", "n", "errors"]]
      site    n  errors
    0    a  2.0     1.0
    1    b  1.0     1.0

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley, chapter 5: the
       stratum sums behind the variance of a stratified ratio estimate.
    """
    keys = [*as_column_list(by), *as_column_list(period), *as_column_list(strata)]
    return error_sums(data, keys=keys, outcome=outcome, weight=weight, floor={period: freq})


def error_sums(
    data: Any,
    *,
    keys: list[str],
    outcome: str | None,
    weight: str | None,
    floor: dict[str | None, str | None],
    nullable: tuple[str, ...] = (),
    name: str = "data",
) -> pd.DataFrame:
    """:func:`error_counts` for any public function (whose name the errors then carry).

    The checks of missing values and weights ride along in the same pass over the rows as
    the sums (one scan of the files on DuckDB); only a failed check reads the rows again,
    for examples. Without ``outcome`` the ``errors`` sums are 0 (the keys then carry the
    outcome, as an error type does); keys in ``nullable`` may be missing, their rows a group
    of their own. ``name`` is the parameter the messages call ``data``.
    """
    options = {"outcome": outcome, "weight": weight, "floor": floor, "nullable": nullable}
    return error_sum_sets(data, key_sets={"sums": keys}, name=name, **options)["sums"]


def error_sum_sets(
    data: Any,
    *,
    key_sets: dict[str, list[str]],
    outcome: str | None,
    weight: str | None,
    floor: dict[str | None, str | None] | None = None,
    complete: list[str] | tuple[str, ...] = (),
    nullable: tuple[str, ...] = (),
    name: str = "data",
) -> dict[str, pd.DataFrame]:
    """The sums of :func:`error_counts` for several sets of keys, in one pass over the rows.

    On DuckDB the sets are one ``GROUP BY GROUPING SETS`` query, so the files behind a
    relation (:func:`scan_audits`) are read once; other engines run one group-by per set.
    The checks of missing values and weights, and the count of missing values in the
    ``complete`` columns, ride along in the same pass.

    Parameters
    ----------
    data : pandas, polars (eager or lazy), DuckDB or PySpark frame
        One row per audited decision.
    key_sets : dict of str to list of str
        A name for each table and its key columns.
    outcome, weight : str
        As for :func:`error_counts`.
    floor : dict, optional
        Datetime columns to floor first, with their period (see ``freq`` of
        :func:`error_counts`).
    complete : list of str, optional
        Further columns that must hold no missing values (an identifier the sums do not
        group by).
    nullable, name :
        As for :func:`error_sums`.

    Returns
    -------
    dict of str to pandas.DataFrame
        One table per name of ``key_sets``, as :func:`error_counts` returns it.

    Examples
    --------
    >>> audits = pd.DataFrame({"site": ["a", "a", "b"], "queue": ["x", "y", "x"],
    ...                        "is_error": [True, False, True]})
    >>> tables = error_sum_sets(audits, key_sets={"site": ["site"], "queue": ["queue"]},
    ...                         outcome="is_error", weight=None)
    >>> tables["queue"][["queue", "n", "errors"]]
      queue    n  errors
    0     x  2.0     2.0
    1     y  1.0     0.0

    References
    ----------
    .. [1] Gray, J. et al. (1997). Data cube: a relational aggregation operator generalizing
       group-by, cross-tab, and sub-totals. Data Mining and Knowledge Discovery 1, 29-53.
    """
    frame = engine_frame(data, name=name)
    weights, outcomes = as_column_list(weight), as_column_list(outcome)
    every_key = list(dict.fromkeys(k for keys in key_sets.values() for k in keys))
    check_columns(frame, [*every_key, *outcomes, *weights, *complete], param=name)
    y = nw.lit(0.0) if outcome is None else outcome_values(frame, outcome)
    w = nw.lit(1.0) if weight is None else weight_values(frame, weight)
    checked = dict.fromkeys((*outcomes, *weights, *complete))
    problems = {f"_missing_{c}": nw.col(c).is_null() for c in checked}
    if weight is not None:
        problems["_bad_weight"] = ~nw.col(weight).is_null() & ~(w.is_finite() & (w > 0))
    floored = [truncated(frame, column, freq) for column, freq in (floor or {}).items() if freq]
    flags = {name: expr.cast(nw.Int64) for name, expr in problems.items()}
    rows = frame.with_columns(*floored, _y=y, **flags)
    # unweighted, the weighted sums are the counts: only weights add columns to sum
    weighted = _ERROR_SUMS[2:] if weight is not None else ()
    if weight is not None:
        rows = rows.with_columns(_w=w).with_columns(
            _w2=nw.col("_w") * nw.col("_w"), _wy=nw.col("_w") * nw.col("_y")
        )
        rows = rows.with_columns(_w2y=nw.col("_w2") * nw.col("_y"))
    if rows.implementation is nw.Implementation.DUCKDB and len(key_sets) > 1:
        tables = _grouping_sets(rows.to_native(), key_sets, [*weighted], list(problems))
    else:
        # plain sums of prepared columns: every engine, pandas included, runs them natively
        sums = [
            nw.len().alias("n"),
            nw.col("_y").sum().alias("errors"),
            *(nw.col(f"_{name[4:]}").sum().alias(name) for name in weighted),
            *(nw.col(name).sum().alias(name) for name in problems),
        ]
        tables = {
            table_name: collect(rows.group_by(*keys).agg(*sums) if keys else rows.select(*sums))
            for table_name, keys in key_sets.items()
        }
    for table_name, keys in key_sets.items():
        table = tables[table_name]
        checks = {"keys": [k for k in keys if k not in nullable], "name": name}
        _check_sums(frame, table, outcomes=outcomes, weight=weight, **checks)
        missing = {c: table[f"_missing_{c}"].sum() for c in complete}
        for column, count in missing.items():
            if count:
                raise_missing(frame, column, int(count))
        table = table.drop(columns=list(problems))
        if weight is None:
            n, errors = table["n"], table["errors"]
            table = table.assign(sum_w=n, sum_w2=n, sum_wy=errors, sum_w2y=errors)
        table[list(_ERROR_SUMS)] = table[list(_ERROR_SUMS)].astype(float)
        tables[table_name] = table.sort_values(keys, ignore_index=True) if keys else table
    return tables


def _grouping_sets(
    relation: Any, key_sets: dict[str, list[str]], weighted: list[str], flags: list[str]
) -> dict:
    """The sums of prepared DuckDB rows per set of keys, from one GROUPING SETS query."""
    import pyarrow as pa

    every_key = list(dict.fromkeys(k for keys in key_sets.values() for k in keys))
    quoted = [f'"{_quoted_name(k)}"' for k in every_key]
    sums = [
        "count(*) AS n",
        'sum("_y") AS errors',
        *(f'sum("_{name[4:]}") AS {name}' for name in weighted),
        *(f'sum("{flag}") AS "{flag}"' for flag in flags),
    ]
    sets = ", ".join(
        "(" + ", ".join(f'"{_quoted_name(k)}"' for k in keys) + ")" for keys in key_sets.values()
    )
    query = (
        f"SELECT {', '.join(quoted)}, GROUPING({', '.join(quoted)}) AS _set, {', '.join(sums)} "
        f"FROM _rows GROUP BY GROUPING SETS ({sets})"
    )
    table = relation.query("_rows", query).to_arrow_table()
    grouping = table.column("_set").to_numpy()
    tables = {}
    for name, keys in key_sets.items():
        # GROUPING() sets the bit of every key left out, the first key the highest bit
        mask = sum(1 << (len(every_key) - 1 - i) for i, k in enumerate(every_key) if k not in keys)
        values = [c for c in table.column_names if c not in every_key and c != "_set"]
        part = table.filter(pa.array(grouping == mask)).select([*keys, *values])
        tables[name] = part.to_pandas()
    return tables


def _quoted_name(name: str) -> str:
    return name.replace('"', '""')


def _check_sums(frame, table, *, keys, outcomes, weight, name) -> None:
    """Raise for missing keys, outcomes or weights and for bad weights, counted in ``table``."""
    func = caller()
    if table.empty or table["n"].sum() == 0:
        rows = on_engine(frame, repr(name), "the frame")
        raise ValueError(f"{func} got no audits: {rows} has 0 rows. Check the filter upstream.")
    missing = {key: table.loc[table[key].isna(), "n"].sum() for key in keys}
    missing |= {c: table[f"_missing_{c}"].sum() for c in (*outcomes, *as_column_list(weight))}
    if weight is not None and missing[weight]:
        raise_missing_weights(frame, weight, int(missing.pop(weight)), int(table["n"].sum()))
    for column, count in missing.items():
        if count:
            raise_missing(frame, column, int(count))
    if weight is not None and table["_bad_weight"].sum():
        w = nw.col(weight).cast(nw.Float64)
        raise_on_bad_values(
            frame,
            weight,
            ~(w.is_finite() & (w > 0)),
            f"The weight column {weight!r} of {func} must hold finite weights > 0.",
            "Fix or drop them.",
        )
