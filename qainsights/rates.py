"""Audit error rates per segment, and their split by error type, with intervals.

Error rates are estimated from audit rows (one row per re-reviewed decision). Segment
statistics come from one group-by to sufficient statistics per segment and sampling
stratum (counts, sums of weights, weighted errors and their squares); everything after
that works on the small aggregate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._caller import caller, public
from ._design import CLUSTER as _CLUSTER
from ._design import MODERATOR as _MODERATOR
from ._design import OUTCOME as _OUTCOME
from ._design import STRATUM as _STRATUM
from ._design import degrees_of_freedom_factor as _degrees_of_freedom_factor
from ._design import ratio_variance as _ratio_variance
from ._design import warn_clustering as _warn_clustering
from ._validation import (
    as_column_list,
    check_columns,
    check_confidence,
    check_frame,
    check_option,
    format_values,
    raise_other_values,
)
from .aggregate import error_sums, is_engine_frame
from .audits.schema import ERROR_TYPES as AUDIT_ERROR_TYPES
from .intervals import INTERVAL_METHODS, _interval, proportion_ci

#: ``proportion_ci`` and ``INTERVAL_METHODS`` live in :mod:`qainsights.intervals` and are
#: re-exported here, beside the rates they give intervals to.
__all__ = [
    "ERROR_TYPES",
    "INTERVAL_METHODS",
    "RATE_COLUMNS",
    "enforcement_rates",
    "error_rate",
    "proportion_ci",
    "rates_from_sums",
]

_NO_ERROR, *_KINDS = AUDIT_ERROR_TYPES
#: The error types whose rates :func:`enforcement_rates` reports.
ERROR_TYPES: tuple[str, ...] = tuple(_KINDS)
#: The sums per segment, outcome and stratum (and cluster) behind the rates.
_SUMS = ["n", "sum_w", "sum_w2", "errors", "sum_wy", "sum_w2y"]
#: The columns a weighted :func:`error_rate` returns after the segment columns.
RATE_COLUMNS = (
    "n",
    "errors",
    "weighted_errors",
    "weighted_n",
    "rate",
    "se",
    "n_eff",
    "deff",
    "ci_low",
    "ci_high",
)
_RESERVED_NAMES = frozenset(
    (*RATE_COLUMNS, "sum_w", "sum_wy", "sum_w2", "sum_w2y", _OUTCOME, _STRATUM, _CLUSTER)
)


# --- error rates per segment ------------------------------------------------------------------


@public
def error_rate(
    audits,
    *,
    by=None,
    outcome="is_error",
    weight=None,
    strata=None,
    cluster=None,
    ci=0.95,
    method="modified_wilson",
):
    """Error rate per segment, with a confidence interval.

    Without ``weight`` and ``strata`` the rate is ``errors / n`` and the interval is
    :func:`proportion_ci` of ``(errors, n)``. With them the rate is the design-based ratio
    estimate ``r = Σ w·y / Σ w`` and its Taylor-linearised standard error for a stratified
    sample drawn with replacement,
    ``var = Σ_h n_h/(n_h − 1) Σ_i (z_i − z̄_h)²`` with ``z_i = w_i (y_i − r) / Σ w``.
    Segments are domains of the whole sample: ``n_h`` counts all audits of stratum ``h``
    and ``z_i = 0`` for audits outside the segment (as R's ``survey::svyby`` does). The
    interval is ``method`` applied to ``(r·n_eff, n_eff)`` with the effective sample size
    ``n_eff = r(1 − r)/se²`` (Korn & Graubard, 1998, without their degrees-of-freedom
    factor).

    Audits are rarely independent: a moderator's decisions share the moderator, so with
    ``cluster="moderator_id"`` the clusters are the sampling units (a cluster sample drawn
    with replacement within strata): ``z`` is summed per cluster and the sum above runs
    over the ``m_h`` clusters of each stratum, ``var = Σ_h m_h/(m_h − 1) Σ_c (z_c − z̄_h)²``
    (Taylor linearisation with the cluster's sums, as R's ``survey::svydesign(ids=~cluster,
    strata=...)`` does). Few clusters make the variance itself uncertain, so clustered
    intervals take Korn & Graubard's degrees-of-freedom factor:
    ``n_eff · (t_{n−1}/t_df)²`` with ``df`` the segment's clusters minus its strata.
    The two designs estimate two things. Without ``cluster`` the interval is for the error
    rate of the decisions the audits were drawn from (these moderators' decisions in the
    period): a random sample of them has binomial variance whatever the moderators'
    differences. With ``cluster`` it is for the process's rate, which moderators drawn
    afresh would show: the target of a comparison between periods or sites, a trend or a
    control chart. For the process, errors that cluster by moderator make the interval of
    independent audits too narrow (measured in ``benchmarks/calibration.py``, at a moderator
    ICC of 0.05: 91.9 % coverage of a 95 % interval with 25 audits a moderator and 86.0 %
    with 100, where the same intervals cover the roster's rate 94.7 % and 94.5 %); pass the
    moderator column whenever the rate is to be compared or a segment holds many audits of
    few moderators. Without ``cluster``, a pandas frame
    with a ``moderator_id`` column is checked (in the same group-by) for errors that
    vary between moderators beyond binomial variation, and a warning says so when the
    evidence is strong (see Warns).

    Parameters
    ----------
    audits : pandas.DataFrame, or a polars, DuckDB or PySpark frame
        One row per audited decision. Other engines' frames are summed per segment and
        stratum on their engine (:func:`qainsights.aggregate.error_counts`); the result is
        the same.
    by : str or list of str, optional
        Segment columns. ``None`` gives one overall row.
    outcome : str, default "is_error"
        A column of True/False (or 1/0) values; the rate is the share of True.
    weight : str, optional
        Column of sampling weights (decisions each audit represents), finite and > 0.
    strata : str, optional
        Column naming each audit's sampling stratum. Given without ``weight``, the sample
        is taken as self-weighting (every weight 1).
    cluster : str, optional
        Column of clusters whose audits are correlated (``"moderator_id"``); the clusters,
        not the audits, are then the independent units of the variance. A cluster may span
        segments and strata.
    ci : float, default 0.95
        Confidence level.
    method : str, default "modified_wilson"
        Interval method, see :func:`proportion_ci`.

    Returns
    -------
    pandas.DataFrame
        One row per segment, sorted as pandas' group-by sorts the ``by`` columns (segments
        without audits are not listed). Columns: the ``by`` columns, ``n`` (audits),
        ``errors`` (audits with the outcome), then, with ``weight``, ``strata`` or
        ``cluster``, ``weighted_errors`` (Σ w·y), ``weighted_n`` (Σ w), then ``rate``,
        then, with ``weight``, ``strata`` or ``cluster``, ``se``, ``n_eff`` (after the
        degrees-of-freedom factor when clustered) and ``deff`` (Kish design effect
        ``se² / (r(1 − r)/n)``), and last ``ci_low`` and ``ci_high``.

    Raises
    ------
    ValueError
        For missing columns, missing values in the ``by``, ``outcome``, ``strata``,
        ``cluster`` or ``weight`` columns (drop or fill them first: no row is dropped silently), outcome
        values other than True/False, weights that are not positive, no audits at all, a
        ``by`` column named like a result column (``n``, ``rate``, ...), an unknown
        ``method`` or a bad ``ci``.

    Warns
    -----
    UserWarning
        When a stratum holds a single audit: it cannot show variation, adds nothing to the
        variance (R survey's ``lonely.psu = "certainty"``), and the standard error is too
        small. Merge it with a similar stratum.
    UserWarning
        Without ``cluster``, once per call, when errors cluster by moderator: Pearson's
        chi-square of the moderators' errors within each segment and stratum
        (:func:`qainsights.spc.overdispersion_test`, summed over the segments) has
        p < 0.05 *and* the estimated design effect of the rates exceeds 1.1. The design
        effect is ``1 + (Σ m² / n − 1) ρ`` with ``m`` the audits of each moderator in a
        segment and ``ρ`` the moment estimate of the intra-class correlation that equates
        the chi-square to its expectation ``Σ (1 + (m − 1) ρ)(1 − m / n_segment)``
        (Williams, 1982); a 95 % interval whose true standard error is ``sqrt(deff)`` times
        its own covers ``2 Φ(1.96 / sqrt(deff)) − 1``, 93.8 % at 1.1. The test's level 0.05
        is the share of calls warned on independent audits: measured
        (``benchmarks/README.md``, 40 moderators, 2,000 calls a world) 5.1 % at a latent ICC
        of 0 with 25 audits a moderator; at ICC 0.05 18.8 % with 25 audits a moderator (a
        design effect of 1.19, which 40 moderators can seldom tell from noise; the interval
        of independent audits covers 91.9 %) and 77 % with 100 (design effect 1.74; it
        covers 86.0 %). At p < 0.01 these were 1.3 %, 6.9 % and 57 %. No warning is
        no evidence of independence: pass ``cluster`` whenever a moderator's audits are
        many. Checked only on pandas frames whose ``moderator_id`` column is complete;
        the other engines' frames are summed on their engine without the moderators and
        are not checked.

    Notes
    -----
    Where the variance estimate is zero (``r`` is 0 or 1, or the strata separate errors
    from correct decisions perfectly), ``n_eff`` falls back to ``n``, the number of audits
    (the convention of SAS PROC SURVEYFREQ for Korn-Graubard intervals), and ``deff`` is NaN
    when ``r`` is 0 or 1. With constant weights and no strata, ``n_eff = n − 1``.

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley, chapters 5
       (stratified sampling) and 6 (ratio estimates).
    .. [2] Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with
       small expected number of positive counts estimated from survey data. Survey
       Methodology 24, 193-201.
    .. [3] Kish, L. (1965). Survey Sampling. Wiley (design effect).
    .. [4] Lumley, T. R package ``survey``: ``svyby(~y, ~segment, design, svymean)``.
    .. [5] Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to cluster-robust
       inference. Journal of Human Resources 50, 317-372.
    .. [6] Williams, D. A. (1982). Extra-binomial variation in logistic linear models.
       Applied Statistics 31, 144-148.

    Examples
    --------
    >>> audits = pd.DataFrame(
    ...     {
    ...         "site": ["a", "a", "a", "a", "b", "b", "b"],
    ...         "is_error": [True, False, False, False, True, True, False],
    ...         "stratum": ["x", "x", "y", "y", "x", "y", "y"],
    ...         "weight": [10.0, 10.0, 30.0, 30.0, 10.0, 30.0, 30.0],
    ...     }
    ... )
    >>> error_rate(audits, by="site").round(3)
      site  n  errors   rate  ci_low  ci_high
    0    a  4       1  0.250   0.013    0.699
    1    b  3       2  0.667   0.118    0.983
    >>> weighted = error_rate(audits, by="site", weight="weight", strata="stratum")
    >>> weighted[["site", "weighted_n", "rate", "se"]].round(3)
      site  weighted_n   rate     se
    0    a        80.0  0.125  0.130
    1    b        70.0  0.571  0.357

    Moderators' audits as clusters (three moderators of eight audits each):

    >>> by_moderator = pd.DataFrame(
    ...     {
    ...         "moderator_id": np.repeat([1, 2, 3], 8),
    ...         "is_error": np.arange(24) % 8 < np.repeat([1, 2, 5], 8),
    ...     }
    ... )
    >>> error_rate(by_moderator, cluster="moderator_id")[["n", "rate", "se", "n_eff"]].round(3)
        n   rate     se  n_eff
    0  24  0.333  0.150  2.276
    """
    return _error_rate(
        audits, by=by, outcome=outcome, weight=weight, strata=strata, cluster=cluster, ci=ci,
        method=method, moderator=_MODERATOR if cluster is None else None,
    )  # fmt: skip


@public(name="error_rate")
def _error_rate(audits, *, outcome="is_error", moderator=None, **options) -> pd.DataFrame:
    """:func:`error_rate`, checked for moderators' clustering only when ``moderator`` is given.

    For callers that treat audits as independent on purpose and must not warn: ``ab_test``
    (which computes its own clustered rates) and ``drill_down`` (a descriptive tree). Its
    messages name ``error_rate``, whose arguments these are.
    """
    return _segment_rates(audits, column=outcome, moderator=moderator, **options).drop(
        columns=_OUTCOME
    )


@public
def enforcement_rates(
    audits,
    *,
    by=None,
    error_type="error_type",
    weight=None,
    strata=None,
    cluster=None,
    ci=0.95,
    method="modified_wilson",
):
    """Error rate split by error type: over-enforcement, under-enforcement, wrong policy.

    Each type's rate is the share of all audits with that error type, estimated and
    given an interval exactly as :func:`error_rate` does (the three rates add up to the
    overall error rate).

    Parameters
    ----------
    audits : pandas.DataFrame
        One row per audited decision.
    by : str or list of str, optional
        Segment columns.
    error_type : str, default "error_type"
        Column with values ``"none"``, ``"over_enforcement"``, ``"under_enforcement"`` and
        ``"wrong_policy"`` (strings or a Categorical).
    weight, strata, cluster, ci, method
        As in :func:`error_rate`.

    Returns
    -------
    pandas.DataFrame
        Long format: one row per segment and error type, sorted by the ``by`` columns and
        then ``error_type`` (a Categorical in the order above). Columns: the ``by``
        columns, ``error_type``, then the columns of :func:`error_rate`.

    Raises
    ------
    ValueError
        As :func:`error_rate`, and for error types outside the four above.

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley.
    .. [2] Korn, E. L. & Graubard, B. I. (1998). Survey Methodology 24, 193-201.

    Examples
    --------
    >>> audits = pd.DataFrame(
    ...     {"error_type": ["none"] * 6 + ["over_enforcement", "over_enforcement", "wrong_policy"]}
    ... )
    >>> enforcement_rates(audits)[["error_type", "n", "errors", "rate"]].round(3)
              error_type  n  errors   rate
    0   over_enforcement  9       2  0.222
    1  under_enforcement  9       0  0.000
    2       wrong_policy  9       1  0.111
    """
    table = _segment_rates(
        audits, column=error_type, by=by, weight=weight, strata=strata,
        cluster=cluster, ci=ci, method=method, error_types=True,
    )  # fmt: skip
    keys = as_column_list(by)
    kinds = pd.Categorical(table[_OUTCOME], categories=list(ERROR_TYPES))
    return table.drop(columns=_OUTCOME).assign(error_type=kinds)[
        [*keys, "error_type", *table.columns[len(keys) + 1 :]]
    ]


def _segment_rates(
    audits, *, column, by=None, weight=None, strata=None, cluster=None, ci=0.95,
    method="modified_wilson", error_types=False, moderator=None,
):  # fmt: skip
    """Check the arguments, then rate ``column`` per segment for the public function called.

    ``column`` is a True/False outcome, or with ``error_types`` a column of error types (one
    rate per type); the result is :func:`_rate_table`'s long table with an ``_outcome``
    column. With ``moderator`` (a column name; pandas frames, a True/False outcome and no
    ``cluster`` only) the group-by also splits by that column when it is present, and
    :func:`_warn_clustering` checks the moderators' errors (when none is missing) before
    the sums are added up over them.
    """
    keys = as_column_list(by)
    check_option(method, name="method", options=INTERVAL_METHODS)
    check_confidence(ci)
    _check_segment_names(keys)
    engine = is_engine_frame(audits)
    if not engine:
        check_frame(audits, name="audits")
    weighted = weight is not None or strata is not None or cluster is not None
    # other engines' rows are summed without the moderators (a far larger group-by)
    if engine or error_types or cluster is not None or moderator not in audits.columns:
        moderator = None
    design = {"strata": strata, "cluster": cluster or moderator, "error_types": error_types}
    sums = _stratum_sums(audits, keys, column, weight, nullable=moderator, **design)
    if moderator is not None and not sums.index.get_level_values(_CLUSTER).isna().any():
        _warn_clustering(sums, keys)
    if moderator is not None:
        levels = [*keys, _OUTCOME, _STRATUM]
        sums = sums.groupby(level=levels, sort=True, observed=True, dropna=False).sum()
    return _rate_table(sums, keys, weighted=weighted, level=ci, method=method)


def _stratum_sums(
    audits, keys, column, weight, *, strata, cluster, error_types, nullable
) -> pd.DataFrame:
    """Sums per segment, outcome and stratum (and cluster), grouped on the frame's engine.

    Indexed by the segment keys, ``_outcome`` and ``_stratum`` (and ``_cluster``), with
    columns ``n``, ``sum_w``, ``sum_w2`` (shared by all outcomes) and ``errors``, ``sum_wy``,
    ``sum_w2y``. With ``error_types`` the error type is one more key of the group-by, and
    each type's sums are those of its rows. The ``nullable`` column (a moderator checked for
    clustering) may have missing values, which make a cluster of their own.
    """
    design = {_STRATUM: strata, _CLUSTER: cluster}
    kind = [column] if error_types else []
    sums = error_sums(
        audits,
        keys=list(dict.fromkeys([*keys, *kind, *[c for c in design.values() if c]])),
        outcome=None if error_types else column,
        weight=weight,
        floor={},
        nullable=as_column_list(nullable),
        name="audits",
    )
    sums = sums.assign(**{name: sums[c] if c is not None else 0 for name, c in design.items()})
    levels = [*keys, _STRATUM, *([_CLUSTER] if cluster is not None else [])]
    if not error_types:
        sums = sums.assign(**{_OUTCOME: column}).set_index([*keys, _OUTCOME, *levels[len(keys) :]])
        return sums[_SUMS]
    _check_error_types(sums[column], sums["n"], column)
    shared = sums.groupby(levels, sort=True, observed=True)[["n", "sum_w", "sum_w2"]].sum()
    parts = {}
    for name in ERROR_TYPES:  # one part per error type, not per row
        own = sums[sums[column] == name].groupby(levels, observed=True)[["n", "sum_w", "sum_w2"]]
        own = own.sum().reindex(shared.index, fill_value=0.0)
        parts[name] = shared.assign(errors=own["n"], sum_wy=own["sum_w"], sum_w2y=own["sum_w2"])
    long = pd.concat(parts, names=[_OUTCOME])
    return long.reorder_levels([*keys, _OUTCOME, *levels[len(keys) :]])[_SUMS]


def _check_error_types(values: pd.Series, n: pd.Series, column: str) -> None:
    """Raise unless the grouped error types are all known types."""
    unknown = ~values.isin([_NO_ERROR, *ERROR_TYPES]).to_numpy()
    if unknown.any():
        raise_other_values(
            f"The {column!r} column of {caller()} must hold only "
            f"{format_values([_NO_ERROR, *ERROR_TYPES])}.",
            int(n[unknown].sum()),
            pd.unique(values[unknown]),
            "Map them to these types first.",
        )


def _check_segment_names(keys: list[str]) -> None:
    """Raise if a segment column would collide with a column the computation uses."""
    func = caller()
    clash = [k for k in keys if k in _RESERVED_NAMES]
    if clash:
        raise ValueError(
            f"The 'by' parameter of {func} names {format_values(clash)}, which the result "
            f"uses for its own columns. Rename it first, for example "
            f"audits.rename(columns={{{clash[0]!r}: 'segment_{clash[0]}'}})."
        )


def _rate_table(sums, keys, *, weighted, level, method) -> pd.DataFrame:
    """Rates per segment and outcome from the sums of :func:`_stratum_sums`, in long format."""
    segment = sums.groupby(level=[*keys, _OUTCOME], sort=True, observed=True)
    table = segment[["n", "errors", "sum_w", "sum_wy"]].sum()
    table[["n", "errors"]] = table[["n", "errors"]].astype("int64")
    if not weighted:
        rate = table["errors"] / table["n"]
        low, high = _interval(
            table["errors"].to_numpy(float), table["n"].to_numpy(float), level=level, method=method
        )
        table = table[["n", "errors"]].assign(rate=rate, ci_low=low, ci_high=high)
        return table.reset_index()
    rate = table["sum_wy"] / table["sum_w"]
    variance = _ratio_variance(sums, table, keys=[*keys, _OUTCOME])
    r, var, n = rate.to_numpy(), variance.to_numpy(), table["n"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(var > 0, r * (1 - r) / var, n)
        deff = var / (r * (1 - r) / n)
    if _CLUSTER in sums.index.names:
        n_eff = n_eff * _degrees_of_freedom_factor(sums, table, n, level)
    low, high = _interval(r * n_eff, n_eff, level=level, method=method)
    table = table.rename(columns={"sum_wy": "weighted_errors", "sum_w": "weighted_n"}).assign(
        rate=r, se=np.sqrt(var), n_eff=n_eff, deff=deff, ci_low=low, ci_high=high
    )
    return table[list(RATE_COLUMNS)].reset_index()


@public
def rates_from_sums(
    sums: pd.DataFrame,
    *,
    by: str | list[str] | None = None,
    strata: str | None = None,
    cluster: str | None = None,
    weighted: bool = True,
    ci: float = 0.95,
    method: str = "modified_wilson",
) -> pd.DataFrame:
    """:func:`error_rate` from sums already grouped, such as those of ``error_counts``.

    A table of :func:`qainsights.aggregate.error_counts` (or cells of the quality cube, any
    union of them) holds everything the rates need: grouped on the data's engine once, the
    rates of any coarser segments follow without the rows.

    Parameters
    ----------
    sums : pandas.DataFrame
        The ``by`` and ``strata`` columns and ``n``, ``errors``, ``sum_w``, ``sum_w2``,
        ``sum_wy`` and ``sum_w2y`` (the columns of ``error_counts``); rows of the same
        segment and stratum are added first.
    by : str or list of str, optional
        Segment columns; None gives one rate.
    strata : str, optional
        The sampling stratum column; one stratum without it.
    cluster : str, optional
        A column of sampling clusters (``"moderator_id"``), the sums then being one row
        per segment, stratum and cluster (or finer: rows of the same segment, stratum and
        cluster are added first), as the mart's ``cube_cluster`` holds them. The rates
        equal ``error_rate(rows, by=..., weight=..., strata=..., cluster=...)`` of the
        rows behind the sums: clusters as the units of the variance, counted per stratum
        over all segments, and Korn and Graubard's degrees-of-freedom factor.
    weighted : bool, default True
        The design-based rate and interval (as ``error_rate(weight=..., strata=...)``);
        False gives ``errors / n`` with ``method``'s interval. Clustered rates are always
        design-based (as :func:`error_rate`'s with ``cluster``), so False with ``cluster``
        raises.
    ci : float, default 0.95
        Confidence level.
    method : str, default "modified_wilson"
        Interval method, see :func:`proportion_ci`.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then the columns of :func:`error_rate`.

    Examples
    --------
    >>> from qainsights.aggregate import error_counts
    >>> audits = pd.DataFrame({"site": ["a", "a", "b", "b"], "is_error": [1, 0, 1, 1],
    ...                        "weight": [1.0, 3.0, 2.0, 2.0], "stratum": ["s", "s", "t", "t"]})
    >>> sums = error_counts(audits, by="site", weight="weight", strata="stratum")
    >>> rates_from_sums(sums, by="site", strata="stratum")[["site", "n", "rate"]]
      site  n  rate
    0    a  2  0.25
    1    b  2  1.00

    Sums per moderator give :func:`error_rate`'s intervals with moderators as clusters:

    >>> audits = pd.DataFrame({"site": np.repeat(["a", "b"], 12),
    ...                        "moderator_id": np.repeat(np.arange(6), 4),
    ...                        "is_error": np.arange(24) % 4 < np.repeat([0, 1, 3, 1, 2, 2], 4),
    ...                        "weight": np.tile([1.0, 2.0, 2.0, 4.0], 6)})
    >>> sums = error_counts(audits, by=["site", "moderator_id"], weight="weight")
    >>> mine = rates_from_sums(sums, by="site", cluster="moderator_id")
    >>> theirs = error_rate(audits, by="site", weight="weight", cluster="moderator_id")
    >>> mine[["site", "rate", "se", "n_eff"]].round(3)
      site   rate     se   n_eff
    0    a  0.222  0.152   1.963
    1    b  0.259  0.066  11.448
    >>> bool((mine["ci_high"] - theirs["ci_high"]).abs().max() < 1e-12)
    True

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley, chapters 5 and 6.
    """
    keys = as_column_list(by)
    check_option(method, name="method", options=INTERVAL_METHODS)
    check_confidence(ci)
    _check_segment_names(keys)
    if cluster is not None and not weighted:
        raise ValueError(
            f"{caller()} gives clustered rates only design-based: pass weighted=True with "
            f"cluster={cluster!r}, or leave out 'cluster' for errors / n of independent audits."
        )
    columns = _SUMS
    design = [*as_column_list(strata), *as_column_list(cluster)]
    check_columns(sums, [*keys, *design, *columns], param="sums")
    stratum = sums[strata] if strata is not None else pd.Series(0, index=sums.index)
    table = sums[keys + columns].assign(**{_OUTCOME: "is_error", _STRATUM: stratum.to_numpy()})
    levels = [*keys, _OUTCOME, _STRATUM]
    if cluster is not None:
        table[_CLUSTER] = sums[cluster].to_numpy()
        levels.append(_CLUSTER)
    table = table.groupby(levels, sort=True, observed=True)[columns].sum()
    return _rate_table(table, keys, weighted=weighted, level=ci, method=method).drop(
        columns=_OUTCOME
    )
