"""Which few segments explain the change of an overall error rate."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import sparse, stats

from .._caller import caller, public
from .._compat import STR
from .._deprecation import renamed
from .._multiple import q_values
from .._results import TidyResult, drawing
from .._validation import as_column_list, check_confidence
from ._aggregate import (
    EFFECTIVE_COLUMNS,
    PERIOD_COLUMNS,
    cells_by_side,
    choose_periods,
    counts_by_period,
    effective_counts,
    side_totals,
    spread_within_sides,
)
from ._inference import mantel_haenszel_terms, mantel_haenszel_test
from ._moderation import moderate_spread
from ._serial import SERIAL_COLUMNS, allow_for_persistence
from .decomposition import _check_both_periods, kitagawa
from .periods import _check_dispersion, _check_min_n, compare_counts

__all__ = ["HETEROGENEITY", "ChangeExplanation", "explain_change"]

#: A segment is not one explanation when, split by some dimension, a common change across
#: its sub-segments leaves more than this share of their deviation unexplained (and the
#: heterogeneity is significant). Chosen among 0.25, 0.5, 0.75 on the RS benchmark.
HETEROGENEITY = 0.25


@dataclass(frozen=True, repr=False)
class ChangeExplanation(TidyResult):
    """The segments that explain a change of the overall error rate.

    Attributes
    ----------
    explanation : DataFrame
        The selected segments, in the order chosen, see :func:`explain_change`.
    segments : DataFrame
        Every candidate segment (all one- to ``max_order``-way combinations of the
        dimensions), ranked by contribution to the change: the columns of ``explanation``
        up to ``excess``, then ``rate_effect``, ``mix_effect`` and ``contribution`` (their
        sum; over the segments of one dimension or pair of dimensions the contributions add
        up to the overall change).
    overall : DataFrame
        The overall comparison (one row, columns as in :func:`compare_periods`).
    mix : DataFrame
        Per dimension: ``dimension``, ``mix_effect``, ``rate_effect`` (Kitagawa over that
        dimension's segments; each pair adds up to the total change) and ``mix_share``.
    sentence : str
        One plain-language sentence.
    by : tuple of str
        The dimensions searched.
    """

    explanation: pd.DataFrame
    segments: pd.DataFrame
    overall: pd.DataFrame
    mix: pd.DataFrame
    sentence: str
    by: tuple[str, ...]
    _title = "Change explanation"

    def to_frame(self) -> pd.DataFrame:
        """The selected segments."""
        return self.explanation

    def summary(self) -> str:
        """The explanation in plain language (:attr:`sentence`)."""
        return self.sentence

    plot = drawing(
        "trends", "plot_explanation",
        "Waterfall: baseline rate, each selected segment's share of the change, the rest.",
    )  # fmt: skip


@public
@renamed(dims="by")
def explain_change(
    data,
    *,
    by,
    period,
    current,
    baseline=None,
    outcome="is_error",
    errors=None,
    n=None,
    weight=None,
    max_order=None,
    alpha=0.05,
    ci=0.95,
    min_n=30,
    max_segments=5,
    coverage=0.8,
    dispersion="moderated",
    within=None,
    serial=True,
):
    """Find the few segments that explain the change of the overall error rate.

    Candidates are all one- to ``max_order``-way combinations of the ``by`` values (for
    example ``site=Hyderabad`` and ``site=Hyderabad & queue=user_reports``). Each gets its
    two rates, the difference with an interval, a test of equal rates and a
    Benjamini-Hochberg q-value over all candidates together, and its contribution to the
    overall change: Kitagawa's rate effect ``(r1 − r0)(c0 + c1)/2`` (the segment got worse
    or better) plus its centred mix effect (its share of the audits changed), see
    :func:`kitagawa`. Ranking is by contribution to the overall change, not by a segment's
    own change, so a small segment with a large jump ranks below a large one with a
    moderate jump.

    Significance is judged within segments, holding their mix fixed: the
    Cochran-Mantel-Haenszel test stratified by the leaves (the full cross of the ``by`` columns),
    so that a segment whose audits merely moved toward a harder queue is not flagged. The
    explanation is then chosen greedily, by each candidate's excess: the current errors
    beyond what its leaves' baseline rates predict, as a share of all current audits (its
    rate effect with the mix held fixed). Among candidates significant at false discovery
    rate ``alpha`` whose excess on the audits not yet explained points in the direction of
    the change and is significant there (``p <= alpha``), and whose change is one change
    (see below), take the largest; if one of its sub-segments is such a candidate and the
    rest of it shows no significant change, take the sub-segment instead (the most specific
    segment that carries the change); then set its audits aside. Stop once the chosen
    segments explain ``coverage`` of the change, no candidate is left, or ``max_segments``
    are chosen: the result is the smallest set, in this greedy sense, that explains most of
    the change.

    A segment is "one change" unless, split by one more dimension, its sub-segments moved
    differently: a chi-square test of heterogeneity of their Mantel-Haenszel excesses is
    significant (Bonferroni over the splits) and a common change leaves more than
    :data:`HETEROGENEITY` (a quarter) of their deviation from "no change" unexplained. The
    second condition keeps large samples, where any difference is significant, from
    breaking every segment apart. This stops the search from naming ``policy=p2`` when
    within it only one queue and one site moved.

    Parameters
    ----------
    data : pandas.DataFrame, or a polars, DuckDB or PySpark frame
        Audit rows or an aggregate frame (``errors`` and ``n`` per combination of the
        ``by`` columns and ``period``), as in :func:`compare_periods`.
    by : list of str
        Dimensions to search, for example ``["site", "queue", "policy"]``.
    period, current, baseline, outcome, errors, n, weight, ci, min_n
        As in :func:`compare_periods`.
    dispersion : {"moderated", "periods", "binomial"}, default "moderated"
        Where a side holds several periods (weeks, say), their cells share shocks that
        binomial audits do not show. ``"periods"``: as in :func:`compare_periods`, each
        candidate's Mantel-Haenszel variance is multiplied by its dispersion (the spread of
        its periods within each side, ``dispersion`` and ``dispersion_df`` in the output)
        and its test referred to Student's t on those degrees of freedom; the heterogeneity
        test divides its chi-square by the parent's dispersion (an F test). ``"moderated"``
        (the default): each candidate's dispersion is first moderated toward those of its
        peers, the candidates restricting the same dimensions (all sites, all site x queue
        cells), by Smyth's (2004) empirical Bayes, on the degrees of freedom the peers lend
        it (each candidate's own, under ``"periods"``, cost half the power over hundreds of
        candidates). Over 13 weeks against 7 of 4 sites x 3 queues and no change, some
        segment is named in 2.4-2.8 % of 1,000 stretches with cell-week shocks of sd 0 to
        0.3 and 3.0 % with site-week shocks of sd 0.3, where ``"binomial"`` (audits taken as
        independent) named one in 20.2 % and 26.0 % at sd 0.3; a cell whose odds of an error
        rose 1.5 times is named in 13.0 % of stretches without shocks, against 15.4 % with
        ``serial=False`` and 18.0 % by ``"binomial"`` (``benchmarks/README.md``). A
        candidate whose spread its peers' prior makes unlikely keeps its own, as in
        :func:`compare_periods`. The spread is read as noise around one rate per side: a
        baseline whose periods step or trend inflates it, so choose a baseline of stable
        periods (on the RS benchmark's trending minutes the exact-match F1 is 0.44 by
        default, 0.73 with ``"binomial"``). With one period a side all three give the same
        test.
    within : str, optional
        As in :func:`compare_periods`; not with ``dispersion="binomial"``.
    serial : bool, default True
        As in :func:`compare_periods`: allow for shocks that persist from period to period,
        their persistence read from the candidates' residuals, pooled over each set of peers,
        and each candidate's variance multiplied by ``(c1/N1 + c0/N0) / (1/N1 + 1/N0)`` from
        its sides' factors (``serial_baseline``, ``serial_current``) and audits. With cell-week
        shocks of sd 0.3 that follow an AR(1) of coefficient 0.5, some segment is named in
        3.9 % of 1,000 stretches without change, against 18.6 % with ``serial=False``.
    max_order : int, optional
        Largest number of dimensions combined in one segment (1 to ``len(by)``); by default
        2, or 1 when there is a single dimension.
    alpha : float, default 0.05
        False discovery rate of the candidates and level of the stopping rule.
    max_segments : int, default 5
        Most segments in the explanation.
    coverage : float, default 0.8
        Share of the change the explanation should reach ("most of the change"), in (0, 1].
        On the RS benchmark (``benchmarks/riskloc_rs.py``, ``max_order=3``,
        ``dispersion="binomial"``) the exact-match F1 is 0.76, 0.73 and 0.65 at 0.5, 0.8 and
        0.95.

    Returns
    -------
    ChangeExplanation
        ``explanation`` has one row per selected segment: the ``by`` columns (None where
        the segment does not restrict a dimension), ``segment`` (a label such as
        ``"site=Hyderabad & queue=user_reports"``), ``order``, the columns of
        :func:`compare_periods` for the segment's audits (but ``test``, ``p_value`` and
        ``q_value`` are those of the Mantel-Haenszel test, which holds the segment's mix
        fixed, and ``dispersion`` and ``dispersion_df``, absent with ``"binomial"``, are the
        ones its test used: moderated by default; ``serial_baseline`` and
        ``serial_current`` as in :func:`compare_periods`), ``excess``, ``explained``
        (the excess of the audits it explains beyond the segments chosen before it)
        and ``cumulative_share`` (of the overall change). ``summary()`` says it in a sentence.

    Raises
    ------
    ValueError
        As :func:`compare_periods`, for an empty ``by``, a bad ``max_order`` or
        ``max_segments``, or a period without audits.

    Notes
    -----
    Every candidate's counts come from one group-by of the rows to the full cross of the
    ``by`` columns (the leaves) and one sparse matrix product, so the cost beyond the group-by
    depends on the number of leaves, not of rows.

    References
    ----------
    .. [1] Kitagawa, E. M. (1955). Components of a difference between two rates. JASA 50,
       1168-1194.
    .. [2] Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B
       57, 289-300.
    .. [3] Mantel, N. & Haenszel, W. (1959). Statistical aspects of the analysis of data from
       retrospective studies of disease. JNCI 22, 719-748.
    .. [4] Breslow, N. E. & Day, N. E. (1980). Statistical Methods in Cancer Research, vol. 1.
       IARC (homogeneity of odds ratios across strata).
    .. [5] Smyth, G. K. (2004). Linear models and empirical Bayes methods for assessing
       differential expression in microarray experiments. Statistical Applications in
       Genetics and Molecular Biology 3(1), article 3 (moderated variances).
    .. [6] Phipson, B., Lee, S., Majewski, I. J., Alexander, W. S. & Smyth, G. K. (2016).
       Robust hyperparameter estimation protects against hypervariable genes and improves
       power to detect differential expression. Annals of Applied Statistics 10, 946-963
       (outlying dispersions).
    .. [7] Bhagwan, R. et al. (2014). Adtributor: revenue debugging in advertising systems.
       NSDI (one of the published localisers compared in ``benchmarks/riskloc_rs.py``).
    .. [8] Kendall, M. G. (1954). Note on bias in the estimation of autocorrelation.
       Biometrika 41, 403-404 (the persistence of shocks, see :func:`compare_periods`).

    Examples
    --------
    >>> data = pd.DataFrame({
    ...     "site": ["a", "a", "b", "b"] * 2, "queue": ["x", "y"] * 4,
    ...     "month": ["2026-01"] * 4 + ["2026-02"] * 4,
    ...     "errors": [50, 50, 50, 50, 50, 50, 150, 50],
    ...     "audits": [1000] * 8})
    >>> result = explain_change(data, by=["site", "queue"], period="month",
    ...                         current="2026-02", errors="errors", n="audits")
    >>> result.explanation[["segment", "rate_baseline", "rate_current"]]
                  segment  rate_baseline  rate_current
    0  site=b & queue=x           0.05          0.15
    >>> print(result.summary())
    The error rate rose from 5.0% to 7.5% (+2.5 points, 95% CI +1.4 to +3.6). 1 segment accounts for +2.5 points (100% of the change) through a higher error rate: site=b & queue=x (+2.5 points, from 5.0% to 15.0%). The largest mix effect, across site, is +0.0 points.
    """
    dims = as_column_list(by)
    level = check_confidence(ci)
    check_confidence(alpha, name="alpha")
    _check_min_n(min_n)
    max_order = min(2, len(dims)) if max_order is None else max_order
    _check_search(dims, max_order, max_segments, coverage)
    _check_dispersion(dispersion, within, serial, keys=dims, period=period,
                      read=(outcome if errors is None else None, errors, n, weight))  # fmt: skip
    finer = [within] if within is not None else []
    table = counts_by_period(
        data, keys=[*dims, *finer], period=period, outcome=outcome, errors=errors, n=n,
        weight=weight,
    )  # fmt: skip
    current, baseline = choose_periods(table[period], current=current, baseline=baseline)
    sides = {"period": period, "current": current, "baseline": baseline}
    index, cells, now = cells_by_side(table, keys=dims, within=within, **sides)
    leaves = side_totals(index, cells, now, keys=dims)
    _check_both_periods(leaves)
    labels, membership, families = _candidates(leaves, dims, max_order)
    measures = [c for c in (*PERIOD_COLUMNS, *EFFECTIVE_COLUMNS) if c in leaves.columns]
    leaf_all = leaves[measures].to_numpy()
    leaf_counts = leaf_all[:, : len(PERIOD_COLUMNS)]
    counts = pd.DataFrame(membership @ leaf_all, columns=measures)
    totals = leaf_counts.sum(axis=0)
    whole = pd.DataFrame([leaf_all.sum(axis=0)], columns=measures)
    peers = labels[dims].notna().to_numpy() @ 2 ** np.arange(len(dims))
    if dispersion != "binomial":
        for frame, rows in ((counts, membership), (whole, np.ones((1, len(leaves))))):
            summed = {name: rows @ cells[name] for name in cells if name != "squares"}
            for name, values in spread_within_sides(**summed, current=now).items():
                frame[name] = values
        if serial:
            counts, rho = allow_for_persistence(counts, groups=peers)
            whole, _ = allow_for_persistence(whole, groups=[0], rho=rho)
    if dispersion == "moderated":
        counts = moderate_spread(counts, groups=peers)
    overall = compare_counts(whole, ci=level, min_n=0)
    segments = pd.concat([labels, compare_counts(counts, ci=level, min_n=min_n)], axis=1)
    scale = (
        (segments["dispersion"].to_numpy() * _persistence_factor(segments),
         segments["dispersion_df"].to_numpy())
        if dispersion != "binomial"
        else (np.ones(len(segments)), np.zeros(len(segments)))
    )  # fmt: skip
    tested = leaf_counts
    if len(measures) > len(PERIOD_COLUMNS):
        e0, n0, e1, n1 = leaf_counts.T
        v0, v1 = leaf_all[:, len(PERIOD_COLUMNS) :].T
        tested = np.column_stack([*effective_counts(e0, n0, v0), *effective_counts(e1, n1, v1)])
    terms = _leaf_terms(leaf_counts, tested)
    sums = membership @ terms
    tested = segments["test"] != "none"
    segments["test"] = np.where(tested, "mantel_haenszel", "none")
    p_value = mantel_haenszel_test(sums[:, 0], sums[:, 1], dispersion=scale[0], df=scale[1])
    segments["p_value"] = np.where(tested, p_value, np.nan)
    segments["q_value"] = q_values(segments["p_value"])
    parts = kitagawa(*counts[list(PERIOD_COLUMNS)].to_numpy().T, totals=totals)
    segments["rate_effect"], segments["mix_effect"] = parts["rate_effect"], parts["mix_effect"]
    segments["contribution"] = segments["rate_effect"] + segments["mix_effect"]
    segments["excess"] = sums[:, 2]
    change = overall.loc[0, "difference"]
    chosen = _select(
        terms,
        membership,
        families,
        (segments["q_value"] <= alpha).to_numpy(),
        segments["order"].to_numpy(),
        scale,
        target=coverage * change,
        alpha=alpha,
        max_segments=max_segments,
    )
    explanation = segments.iloc[[i for i, _ in chosen]].reset_index(drop=True)
    explanation["explained"] = [e for _, e in chosen]
    explanation["cumulative_share"] = explanation["explained"].cumsum() / change
    explanation = explanation.drop(columns=["rate_effect", "mix_effect", "contribution"])
    mix = _mix_by_dimension(segments, dims, change)
    order = np.argsort(-np.sign(change) * segments["contribution"].to_numpy(), kind="stable")
    return ChangeExplanation(
        explanation=explanation,
        segments=segments.iloc[order].reset_index(drop=True),
        overall=overall,
        mix=mix,
        sentence=_summary(overall.iloc[0], explanation, mix, segments, alpha=alpha, level=level),
        by=tuple(dims),
    )


def _persistence_factor(segments: pd.DataFrame) -> np.ndarray:
    """How much persistent shocks inflate the variance of each segment's change:
    ``(c1/N1 + c0/N0) / (1/N1 + 1/N0)`` from the sides' variance factors ``c`` (1 without
    the :data:`SERIAL_COLUMNS`) and (effective) audits ``N``. The heterogeneity test of a
    segment's parts and the test of its rest borrow the segment's factor.
    """
    if not set(SERIAL_COLUMNS) <= set(segments.columns):
        return np.ones(len(segments))
    audits = "n_eff" if "n_eff_baseline" in segments.columns else "n"
    n0, n1 = (segments[f"{audits}_{part}"].to_numpy() for part in ("baseline", "current"))
    c0, c1 = (segments[column].to_numpy() for column in SERIAL_COLUMNS)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = (c1 / n1 + c0 / n0) / (1 / n1 + 1 / n0)
    return np.where(np.isfinite(factor), factor, 1.0)


def _check_search(dims, max_order, max_segments, coverage) -> None:
    func = caller()
    if (
        isinstance(coverage, bool)
        or not isinstance(coverage, (int, float))
        or not 0 < coverage <= 1
    ):
        raise ValueError(
            f"The 'coverage' parameter of {func} must be a share of the change in (0, 1], for "
            f"example 0.8. Got {coverage!r} instead."
        )
    if not dims:
        raise ValueError(
            f"The 'by' parameter of {func} must name at least one column, for example "
            "by=['site', 'queue']."
        )
    for name, value, high in (
        ("max_order", max_order, len(dims)),
        ("max_segments", max_segments, None),
    ):
        top = high if high is not None else np.inf
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, np.integer))
            or not 1 <= value <= top
        ):
            limit = (
                f"between 1 and {high} (the number of 'by' columns)" if high else "an integer >= 1"
            )
            raise ValueError(
                f"The {name!r} parameter of {func} must be {limit}. Got {value!r} instead."
            )


def _candidates(leaves: pd.DataFrame, dims: list[str], max_order: int):
    """Every one- to ``max_order``-way segment: labels, leaf membership and family ties.

    Returns a frame with one row per segment (the ``dims`` columns, None where not
    restricted; ``segment`` and ``order``), a (segments x leaves) 0/1 sparse matrix, and the
    parent-child pairs ``(parent, child, split)``: ``child`` restricts one more dimension,
    the one numbered ``split``, than ``parent``.
    """
    frames, codes_of = [], {}
    offset = 0
    for order in range(1, max_order + 1):
        for combo in combinations(dims, order):
            grouped = leaves.groupby(list(combo), sort=True, observed=True)
            keys = grouped.size().index.to_frame(index=False)
            label = keys.astype(STR).radd([f"{d}=" for d in combo]).agg(" & ".join, axis=1)
            frames.append(keys.astype(object).assign(segment=label, order=order))
            codes_of[combo] = offset + grouped.ngroup().to_numpy()
            offset += len(keys)
    labels = pd.concat(frames, ignore_index=True).reindex(columns=[*dims, "segment", "order"])
    labels[dims] = labels[dims].astype(object).where(labels[dims].notna(), None)
    rows = np.concatenate(list(codes_of.values()))
    columns = np.tile(np.arange(len(leaves)), len(codes_of))
    membership = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, columns)), shape=(offset, len(leaves))
    )
    return labels, membership, _families(codes_of, dims)


def _families(codes_of: dict, dims: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parent-child pairs of segments, found through one leaf of each child."""
    parents, children, splits = (
        [np.zeros(0, dtype=int)],
        [np.zeros(0, dtype=int)],
        [np.zeros(0, dtype=int)],
    )
    for combo, codes in codes_of.items():
        if len(combo) < 2:
            continue
        first = np.unique(codes, return_index=True)[1]
        for split in combo:
            parents.append(codes_of[tuple(d for d in combo if d != split)][first])
            children.append(codes[first])
            splits.append(np.full(len(first), dims.index(split)))
    return tuple(np.concatenate(part) for part in (parents, children, splits))


def _homogeneous(sums: np.ndarray, families, n_dims: int, scale, *, alpha: float) -> np.ndarray:
    """Whether each segment's change is the same across its sub-segments.

    For every way of splitting a segment by one more dimension: ``Q = Σ (x_c − b·v_c)² / v_c``
    over the children's Mantel-Haenszel excesses ``x_c`` and variances ``v_c``, with the
    parent's one-step log odds ratio ``b = X / V`` (an approximation to the Breslow-Day
    test of equal odds ratios), on (children − 1) degrees of freedom; where the parent has
    a dispersion estimated on ``df > 0`` degrees of freedom (``scale``), ``Q / (k φ)`` is
    referred to F on (``k``, ``df``) instead, ``k`` the children less one. A split shows
    heterogeneity when ``Q`` is significant at ``alpha`` after a Bonferroni correction over
    the splits and ``Q / Σ x_c²/v_c`` (the share of the children's deviation a common change
    leaves unexplained) exceeds :data:`HETEROGENEITY`. Segments without children are
    homogeneous.
    """
    parent, child, split = families
    excess, variance = sums[:, 0], sums[:, 1]
    valid = (variance[child] > 0) & (variance[parent] > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = excess[parent] / variance[parent]
        term = np.where(
            valid, (excess[child] - slope * variance[child]) ** 2 / variance[child], 0.0
        )
        signal = np.where(valid, excess[child] ** 2 / variance[child], 0.0)
    group = parent * n_dims + split
    size = len(sums) * n_dims
    q = np.bincount(group, term, minlength=size).reshape(len(sums), n_dims)
    deviation = np.bincount(group, signal, minlength=size).reshape(len(sums), n_dims)
    df = np.bincount(group, valid, minlength=size).reshape(len(sums), n_dims) - 1
    dispersion, spread_df = (values[:, None] for values in scale)
    k = np.maximum(df, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = q / (k * dispersion)
    p_value = np.where(
        spread_df > 0, stats.f.sf(ratio, k, np.maximum(spread_df, 1)), stats.chi2.sf(q, k)
    )
    p_value = np.where(df >= 1, p_value, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        unexplained = np.where(deviation > 0, q / deviation, 0.0)
    splits = np.maximum((df >= 1).sum(axis=1, keepdims=True), 1)
    heterogeneous = (p_value * splits <= alpha) & (unexplained > HETEROGENEITY)
    return ~heterogeneous.any(axis=1)


def _leaf_terms(leaf_counts: np.ndarray, tested: np.ndarray) -> np.ndarray:
    """Per leaf: Mantel-Haenszel ``O − E`` and variance, and its excess-rate score.

    The test terms come from ``tested`` (the effective counts of weighted rows, else the
    counts themselves). The score of a leaf seen in both periods is ``(r1 − r0)·n1 / N1``:
    the current errors beyond what the leaf's baseline rate predicts, as a share of all
    current audits. Summed over a segment's leaves it is the segment's rate effect with its
    mix held fixed.
    """
    f0, m0, f1, m1 = tested.T
    excess, variance = mantel_haenszel_terms(f1, m1, f0, m0)
    e0, n0, e1, n1 = leaf_counts.T
    seen = (n0 > 0) & (n1 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(seen, (e1 / n1 - e0 / n0) * n1 / n1.sum(), 0.0)
    return np.column_stack([excess, variance, score])


def _select(
    terms, membership, families, discovered, order, scale, *, target: float, alpha, max_segments
):
    """Greedy choice of segments; returns ``(row, explained)`` pairs (see explain_change).

    ``target`` is the signed change to explain; the search stops once the chosen segments
    explain that much. ``scale`` holds each segment's dispersion and its degrees of freedom.
    """
    active = np.ones(membership.shape[1])
    chosen, direction, explained = [], np.sign(target), 0.0
    n_dims = int(families[2].max()) + 1 if len(families[2]) else 1
    dispersion, df = scale
    while len(chosen) < max_segments and direction * (target - explained) > 0:
        sums = membership @ (terms * active[:, None])
        effect = direction * sums[:, 2]
        p_value = mantel_haenszel_test(sums[:, 0], sums[:, 1], dispersion=dispersion, df=df)
        eligible = discovered & (effect > 0) & (p_value <= alpha)
        eligible &= _homogeneous(sums, families, n_dims, scale, alpha=alpha)
        if not eligible.any():
            break
        pick = int(np.argmax(np.where(eligible, effect, -np.inf)))
        pick = _refine(pick, eligible, effect, sums, membership, active, order, scale, alpha=alpha)
        chosen.append((pick, sums[pick, 2]))
        explained += sums[pick, 2]
        active[membership[pick].indices] = 0.0
    return chosen


def _refine(pick, eligible, effect, sums, membership, active, order, scale, *, alpha) -> int:
    """Replace ``pick`` by its most effective sub-segment while the rest of it is unchanged.

    The rest of a segment is tested with the segment's dispersion (``scale``).
    """
    size = membership @ active
    while True:
        inside = membership @ (active * _indicator(membership[pick].indices, len(active)))
        child = eligible & (order > order[pick]) & (size > 0) & (inside == size)
        if not child.any():
            return pick
        rest = sums[pick] - sums[child]
        spread = {"dispersion": scale[0][pick], "df": scale[1][pick]}
        changed = mantel_haenszel_test(rest[:, 0], rest[:, 1], **spread) <= alpha
        unchanged = np.flatnonzero(child)[~changed]
        if not len(unchanged):
            return pick
        pick = int(unchanged[np.argmax(effect[unchanged])])


def _indicator(indices: np.ndarray, length: int) -> np.ndarray:
    mask = np.zeros(length)
    mask[indices] = 1.0
    return mask


def _mix_by_dimension(segments: pd.DataFrame, dims: list[str], change: float) -> pd.DataFrame:
    """Total mix and rate effects over each dimension's one-way segments."""
    one_way = segments[segments["order"] == 1]
    dimension = one_way[dims].notna().idxmax(axis=1)
    mix = (
        one_way.groupby(dimension, sort=False)[["mix_effect", "rate_effect"]]
        .sum()
        .rename_axis("dimension")
        .reset_index()
    )
    mix["mix_share"] = mix["mix_effect"] / change if change else np.nan
    return mix


def _points(value: float) -> str:
    """Percentage points with their sign; a value that rounds to zero is "+0.0", not "-0.0"."""
    return f"{100 * value if round(100 * value, 1) else 0.0:+.1f} points"


def _summary(overall: pd.Series, explanation, mix, segments, *, alpha, level) -> str:
    """A few plain sentences: the change, the segments behind it, the largest mix effect."""
    change = overall["difference"]
    head = (
        f"The error rate {'rose' if change > 0 else 'fell'} from {overall['rate_baseline']:.1%} "
        f"to {overall['rate_current']:.1%} ({_points(change)}, {100 * level:g}% CI "
        f"{100 * overall['ci_low']:+.1f} to {100 * overall['ci_high']:+.1f})."
    )
    if not overall["p_value"] <= alpha:
        head += f" The overall change is within noise (p = {overall['p_value']:.2f})."
    return f"{head} {_segments_and_mix(overall, explanation, mix, segments, alpha=alpha)}"


def _segments_and_mix(overall: pd.Series, explanation, mix, segments, *, alpha) -> str:
    """The sentences after the overall change (a row of ``overall``): the segments behind it,
    the largest mix effect and the segment whose share of decisions moved it most.
    """
    change = overall["difference"]
    if explanation.empty:
        body = (
            f"No segment's error rate moved significantly in that direction (false discovery "
            f"rate {alpha:g}): the change comes from the mix, or is spread thinly."
        )
    else:
        many = len(explanation) > 1
        items = "; ".join(
            f"{row.segment} ({_points(row.explained)}, from {row.rate_baseline:.1%} to "
            f"{row.rate_current:.1%})"
            for row in explanation.itertuples()
        )
        body = (
            f"{len(explanation)} segment{'s' * many} account{'s' * (not many)} for "
            f"{_points(explanation['explained'].sum())} "
            f"({explanation['cumulative_share'].iloc[-1]:.0%} of the change) through "
            f"{'a ' * (not many)}{'higher' if change > 0 else 'lower'} error "
            f"rate{'s' * many}: {items}."
        )
    return f"{body} {_largest_mix(overall, mix, segments)}"


def _largest_mix(overall: pd.Series, mix: pd.DataFrame, segments: pd.DataFrame) -> str:
    """The dimension with the largest mix effect and, where the effect shows at one decimal
    of a point, its segment with the largest mix effect in the same direction and how that
    segment's share of decisions moved.
    """
    largest = mix.iloc[int(np.argmax(np.abs(mix["mix_effect"].to_numpy())))]
    dimension, effect = largest["dimension"], largest["mix_effect"]
    sentence = f"The largest mix effect, across {dimension}, is {_points(effect)}"
    one_way = segments[(segments["order"] == 1) & segments[dimension].notna()]
    same_way = one_way[np.sign(one_way["mix_effect"]) == np.sign(effect)]
    if round(100 * abs(effect), 1) == 0 or same_way.empty:
        return f"{sentence}."
    top = same_way.loc[same_way["mix_effect"].abs().idxmax()]
    part = "most of it" if top["mix_effect"] / effect > 0.5 else "the largest part"
    return (
        f"{sentence}, {part} from {top['segment']}, whose share of decisions went from "
        f"{top['n_baseline'] / overall['n_baseline']:.1%} to "
        f"{top['n_current'] / overall['n_current']:.1%}."
    )
