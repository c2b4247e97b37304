"""Error drivers: a logistic regression of errors on candidate factors, fitted on cells.

Odds ratios with intervals, likelihood-ratio tests per factor and a ranking in words.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from .._caller import caller, public, user_stacklevel
from .._deprecation import renamed
from .._design import CLUSTER, MODERATOR, OUTCOME, STRATUM, chosen_cluster, warn_clustering
from .._multiple import q_values
from .._results import TidyResult, drawing
from .._validation import (
    as_column_list,
    check_columns,
    check_complete,
    check_confidence,
    check_frame,
    check_integer,
    check_option,
    format_values,
    outcome_indicator,
)
from ..intervals import proportion_ci
from ._cluster_robust import (
    ClusterTerms,
    cluster_terms,
    cr1_standard_errors,
    reference_distribution,
)

__all__ = ["DriversResult", "error_drivers"]

_OTHER = "(other)"
_CLUSTER = "_cluster"  # the cluster codes' column in the cells
# Fitted error probabilities this close to 0 or 1 mean the likelihood has no finite maximum.
_SEPARATION_TOL = 1e-8
_FIT_WARNINGS = (PerfectSeparationWarning, ConvergenceWarning, RuntimeWarning)


@dataclass(frozen=True, repr=False)
class DriversResult(TidyResult):
    """Odds ratios of the error outcome for each level of each factor.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per factor level, factors in the order given and levels by name, the
        reference level first. Columns: ``factor``, ``level``, ``reference`` (True for the
        reference level), ``n`` (audits), ``errors``, ``rate`` (errors / n, unadjusted)
        with its Wilson interval ``rate_ci_low``, ``rate_ci_high`` (from
        :func:`qainsights.intervals.proportion_ci`),
        ``odds_ratio`` (against the factor's reference level, the other factors held
        fixed; 1 for the reference), ``ci_low``, ``ci_high`` (Wald interval), ``p_value``
        (Wald test) and ``p_adjusted`` (Benjamini-Hochberg over all non-reference levels);
        the interval and p-values are NaN for reference levels. The interval and test take
        the normal reference, or with clusters Student's t on :attr:`reference_df`.
    factors : pandas.DataFrame
        One row per factor, strongest first: ``factor``, ``levels``, ``df``, ``lr_stat``
        (likelihood-ratio chi-square for dropping the factor), ``p_value``.
    findings : tuple of str
        Plain-language sentences, one per level whose adjusted p-value is below
        ``1 - ci``, the largest effects (by absolute log odds ratio) first.
    pooled : pandas.DataFrame
        Levels pooled into ``"(other)"``: ``factor``, ``level``, ``n``.
    n_audits, n_cells : int
        Audits in the fit and cells of the factor combination the model was fitted on.
    ci : float
        Confidence level of the intervals.
    cluster : str or None
        The column whose values were the clusters (``"moderator_id"`` when the default
        ``cluster="auto"`` found it), None when the audits were taken as independent.
    n_clusters : int or None
        Clusters in the fit, None without clusters.
    reference_df : float
        Degrees of freedom of the t reference of the odds ratios' intervals and Wald
        p-values: ``n_clusters − 1`` with clusters, infinite (the normal reference)
        without.
    note : str
        With ``cluster=None``: the finding that errors cluster by moderator (the warning's),
        which makes the intervals and p-values too narrow; ``""`` otherwise.
    """

    table: pd.DataFrame
    factors: pd.DataFrame
    findings: tuple
    pooled: pd.DataFrame
    n_audits: int
    n_cells: int
    ci: float
    cluster: str | None = None
    n_clusters: int | None = None
    reference_df: float = np.inf
    note: str = ""
    _clusters: ClusterTerms | None = field(default=None, repr=False, compare=False)

    _title = "Error drivers (odds ratios)"

    def to_frame(self) -> pd.DataFrame:
        """Return the odds-ratio table (a copy of :attr:`table`)."""
        return self.table.copy()

    def summary(self) -> str:
        """The factors ranked by their likelihood-ratio tests, then the findings, one a line."""
        ranked = ", ".join(
            f"{row.factor} (p = {row.p_value:.3g})" for row in self.factors.itertuples()
        )
        lines = [
            f"Logistic regression of errors on {len(self.factors)} factor(s), "
            f"{self.n_audits:,} audits in {self.n_cells} cells; factors by strength: {ranked}."
        ]
        if self.n_clusters is not None:
            lines.append(
                f"Odds ratios' intervals and p-values: cluster-robust over {self.n_clusters} "
                f"clusters ({self.cluster}), t reference on {self.reference_df:.0f} degrees of freedom."
            )
        if self.note:
            lines.append(
                f"Caution: {self.note}; the intervals and p-values, which take audits as "
                "independent, are too narrow (fit with cluster='moderator_id')."
            )
        return "\n".join([*lines, *self.findings])

    plot = drawing(
        "rca", "plot_drivers", "Forest plot of the odds ratios and their intervals, on a log scale."
    )


@public
@renamed(min_count="min_n")
def error_drivers(
    audits,
    *,
    outcome="is_error",
    factors=("site", "queue", "policy"),
    reference=None,
    min_n=30,
    rare="pool",
    cluster="auto",
    ci=0.95,
):
    """Which factors drive errors: a logistic regression with odds ratios and intervals.

    Fits ``logit P(error) = β0 + Σ_factors β_level`` (main effects, treatment coding)
    as a binomial GLM on the cells of the factor combination: one row per observed
    combination with its audits and errors. The likelihood is the row-level one up to a
    constant, so the estimates, standard errors and tests equal those of a logistic
    regression on the audit rows (statsmodels' ``Logit``), while the fit costs only as much
    as there are cells. The data are read once, in one group-by.

    Parameters
    ----------
    audits : pandas.DataFrame
        One row per audit.
    outcome : str, default "is_error"
        True/False (or 1/0) column.
    factors : str or list of str, default ("site", "queue", "policy")
        Categorical columns. A numeric column with fractions is refused: bin it first
        (for example ``pd.cut(audits["tenure_days"], [0, 90, 365, np.inf])``).
    reference : mapping, optional
        Reference level of some factors, e.g. ``{"site": "Dublin"}``. By default each
        factor's reference is its level with the most audits (ties broken by name).
    min_n : int, default 30
        Levels with fewer audits are rare.
    rare : {"pool", "raise"}, default "pool"
        ``"pool"`` merges each factor's rare levels into one ``"(other)"`` level, with a
        ``UserWarning`` saying how many levels and rows; ``"raise"`` refuses them.
    cluster : str, "auto" or None, default "auto"
        Column of the units the audits are clustered in, for example ``"moderator_id"``: a
        moderator's decisions share the moderator, and with moderators nested in the
        levels compared (a site's moderators) intervals that take audits as independent
        are too narrow. The odds ratios' intervals and p-values then use the cluster-robust
        (sandwich) covariance of the scores summed by cluster, with the CR1 factor
        ``G/(G − 1) · (N − 1)/(N − p)``, and Student's t on ``G − 1`` degrees of freedom
        for ``G`` clusters instead of the normal (as statsmodels'
        ``GLM(...).fit(cov_type="cluster", use_t=True)`` on the audit rows; Cameron & Miller
        2015, section VI: with few clusters the normal reference over-rejects). The
        estimates are unchanged, and the factor tests stay likelihood-ratio tests of
        independent audits. The fit keeps each cluster's bias-reduced (CR2) pieces, with
        which :func:`odds_ratio_change` compares two clustered fits through the clusters
        they share.

        ``"auto"`` (the default) clusters by ``moderator_id`` when the frame has that column
        with a value on every audit and at least two moderators, and takes audits as
        independent otherwise (with a warning when the column is present but incomplete);
        :attr:`DriversResult.cluster` says which. ``None`` takes audits as independent:
        the odds ratios' intervals are then for the decisions the audits were drawn from
        (these moderators, this period), not for the process that moderators drawn afresh
        would show, which is what a site's or queue's difference is meant to outlast.
        Measured in ``benchmarks/calibration.py`` on two sites that do not differ, at a
        moderator ICC of 0.05 with 50 audits a moderator: with ``None`` the interval
        covered the process's odds ratio (1) 89.2 % of the time and the roster's 95.5 %;
        clustered by moderator, 94.1 %. With ``None`` and a complete ``moderator_id``
        column, the fit checks for moderators' errors that vary beyond binomial within the
        factors' cells (the check of :func:`qainsights.error_rate`) and warns when they do.
    ci : float, default 0.95
        Confidence level of the odds-ratio intervals; ``1 - ci`` is also the false
        discovery rate of the findings.

    Returns
    -------
    DriversResult
        ``.table`` (also ``.to_frame()``), ``.factors``, ``.findings``, ``.pooled`` and
        ``.plot()``.

    Raises
    ------
    ValueError
        For missing columns or values, an outcome that is not True/False, an outcome with
        no errors or no correct decisions, a factor with fractional numbers, a factor with a
        single level, rare levels with ``rare="raise"``, an unknown reference level, or
        *separation*: a level (or a combination of levels) whose audits are all errors or
        all correct, so that its odds ratio has no finite estimate.

    Warns
    -----
    UserWarning
        When rare levels are pooled; with the default ``cluster="auto"`` when some audits
        have no ``moderator_id``; with ``cluster=None`` when moderators' errors cluster (see
        ``cluster``).

    Notes
    -----
    Odds ratios compare a level with the reference level of the same factor at fixed
    levels of the other factors; intervals are Wald intervals ``exp(β ± z·se)``, or
    ``exp(β ± t_{G−1}·se)`` with clusters. The
    factor ranking uses likelihood-ratio tests (each factor dropped in turn). The level
    findings control the false discovery rate (Benjamini & Hochberg, 1995) across all
    levels tested.

    References
    ----------
    .. [1] Agresti, A. (2007). An Introduction to Categorical Data Analysis, 2nd ed. Wiley,
       section 5.4 (logit models for multiway tables; the AZT and race example the tests
       reproduce).
    .. [2] Hosmer, D. W., Lemeshow, S. & Sturdivant, R. X. (2013). Applied Logistic
       Regression, 3rd ed. Wiley, chapters 3 (odds ratios of design variables) and 4.
    .. [3] Albert, A. & Anderson, J. A. (1984). On the existence of maximum likelihood
       estimates in logistic regression models. Biometrika 71, 1-10 (separation).
    .. [4] Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B
       57, 289-300.
    .. [5] Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to cluster-robust
       inference. Journal of Human Resources 50, 317-372.

    Examples
    --------
    Agresti's (2007, Table 5.6) AZT example, one row per patient:

    >>> cells = pd.DataFrame(
    ...     {
    ...         "race": ["white", "white", "black", "black"] * 2,
    ...         "azt": ["yes", "no"] * 4,
    ...         "symptoms": [True] * 4 + [False] * 4,
    ...         "patients": [14, 32, 11, 12, 93, 81, 52, 43],
    ...     }
    ... )
    >>> patients = cells.loc[cells.index.repeat(cells["patients"])]
    >>> result = error_drivers(
    ...     patients, outcome="symptoms", factors=["azt", "race"], reference={"azt": "no"}
    ... )
    >>> result.table[["factor", "level", "odds_ratio", "ci_low", "ci_high"]].round(3)
      factor  level  odds_ratio  ci_low  ci_high
    0    azt     no       1.000     NaN      NaN
    1    azt    yes       0.487   0.282    0.841
    2   race  white       1.000     NaN      NaN
    3   race  black       0.946   0.537    1.666
    >>> print(result.findings[0])
    azt = yes: the odds of an error are 0.49 times (95% CI 0.28 to 0.84) those at azt = no, the other factors held fixed.

    The same patients seen by four clinics (a made-up clustering), with cluster-robust
    intervals on t(3):

    >>> patients = patients.assign(clinic=np.arange(len(patients)) % 4)
    >>> clustered = error_drivers(patients, outcome="symptoms", factors=["azt", "race"],
    ...                           reference={"azt": "no"}, cluster="clinic")
    >>> clustered.n_clusters, clustered.reference_df
    (4, 3.0)
    """
    check_frame(audits, name="audits")
    level = check_confidence(ci)
    check_option(rare, name="rare", options=("pool", "raise"))
    _check_min_n(min_n)
    names = as_column_list(factors, name="factors")
    if not names or len(set(names)) != len(names) or outcome in names:
        raise ValueError(
            f"The 'factors' parameter of {caller()} must name one or more distinct columns other "
            f"than the outcome. Got {factors!r} instead."
        )
    cluster = chosen_cluster(audits, cluster, [outcome, *names])
    clusters = [] if cluster is None else [cluster]
    if cluster is not None and cluster in (outcome, *names):
        raise ValueError(
            f"The 'cluster' parameter of {caller()} must name a column other than the outcome and "
            f"the factors. Got {cluster!r} instead."
        )
    check_columns(audits, [outcome, *names, *clusters], param="audits")
    if audits.empty:
        raise ValueError(
            f"{caller()} got no audits: 'audits' has 0 rows. Check the filter upstream."
        )
    check_complete(audits, [outcome, *names, *clusters])
    y = outcome_indicator(audits[outcome], outcome)[outcome].to_numpy()
    _check_both_outcomes(y, outcome)
    codes, level_names, pooled = _factor_codes(audits, names, min_n=min_n, rare=rare)
    note = ""
    if cluster is None and MODERATOR in audits.columns and audits[MODERATOR].notna().all():
        note = _warn_if_moderators_cluster(codes, names, y, audits[MODERATOR])
    if cluster is not None:  # finer cells, one per combination and cluster: the same fit
        codes[_CLUSTER], cluster_labels = pd.factorize(audits[cluster])
        _check_clusters(cluster_labels, cluster)
    cells = _cells(codes, level_names, y)
    marginals = _level_counts(cells, names)
    _check_separation(marginals)
    references = _references(marginals, names, reference or {})
    design, columns = _design(cells, names, references)
    fit = _binomial_fit(cells, design)
    if cluster is None:
        se, n_clusters, df, terms = None, None, np.inf, None
    else:
        mu, groups = np.asarray(fit.mu), cells[_CLUSTER].to_numpy()
        n, errors = cells["n"].to_numpy(float), cells["errors"].to_numpy(float)
        se, n_clusters = cr1_standard_errors(mu, design, n, errors, groups, n_audits=len(audits))
        df = float(n_clusters - 1)
        terms = cluster_terms(mu, design, n, errors, groups, pd.Index(cluster_labels), columns)
    table = _odds_ratios(fit, columns, marginals, references, level, se=se, df=df)
    return DriversResult(
        table=table,
        factors=_factor_tests(cells, names, references, fit),
        findings=_findings(table, level),
        pooled=pooled,
        n_audits=len(audits),
        n_cells=len(cells),
        ci=level,
        cluster=cluster,
        n_clusters=n_clusters,
        reference_df=df,
        note=note,
        _clusters=terms,
    )


def _check_clusters(labels: pd.Index, cluster: str) -> None:
    if len(labels) < 2:
        raise ValueError(
            f"The 'cluster' parameter of {caller()} names {cluster!r}, which holds a single "
            f"value: cluster-robust intervals need at least two clusters. Pass cluster=None "
            "to take the audits as independent."
        )


def _check_min_n(min_n) -> None:
    rule = "a positive integer (audits a level needs not to count as rare)"
    check_integer(min_n, name="min_n", rule=rule)


def _check_both_outcomes(y: np.ndarray, outcome: str) -> None:
    errors = int(y.sum())
    if errors in (0, len(y)):
        kind = "no errors" if errors == 0 else "only errors"
        raise ValueError(
            f"{caller()} needs both errors and correct decisions, but the {len(y)} audits hold "
            f"{kind} in {outcome!r}: there is nothing to explain. Widen the selection."
        )


def _warn_if_moderators_cluster(codes, names, y, moderator: pd.Series) -> str:
    """:func:`error_rate`'s clustering check, with the factors' level combinations as segments.

    The fit then treats audits as independent; a warning names ``cluster="moderator_id"``
    when moderators' errors vary beyond binomial within the cells the factors define, and
    its finding is returned (``""`` without one).
    """
    cells = pd.DataFrame({name: codes[name] for name in names}).assign(
        **{OUTCOME: 0, STRATUM: 0, CLUSTER: pd.factorize(moderator)[0], "errors": y, "n": 1.0}
    )
    keys = [*names, OUTCOME, STRATUM, CLUSTER]
    sums = cells.groupby(keys, sort=False)[["errors", "n"]].sum().astype(float)
    return warn_clustering(sums, names)


def _factor_codes(audits, names, *, min_n, rare) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """Integer codes of each factor's levels (rare ones pooled or refused) and their names.

    Returns the codes (one column per factor), each factor's level names indexed by code,
    and the pooled levels.
    """
    codes, names_of, pooled = {}, {}, []
    for name in names:
        values = audits[name]
        if pd.api.types.is_float_dtype(values) and (values.to_numpy() % 1 != 0).any():
            raise ValueError(
                f"The factor {name!r} of {caller()} holds fractional numbers; factors must be "
                f"categorical. Bin it first, for example pd.cut(audits[{name!r}], bins=4)."
            )
        code, uniques = pd.factorize(values, sort=True)
        levels = np.asarray(pd.Index(uniques).astype(str), dtype=object)
        counts = np.bincount(code, minlength=len(levels))
        small = counts < min_n
        if small.any():
            pooled.append(
                pd.DataFrame({"factor": name, "level": levels[small], "n": counts[small]})
            )
            # Kept levels keep their order; the rare ones all map to one last code.
            remap = np.where(small, (~small).sum(), np.cumsum(~small) - 1)
            code, levels = remap[code], np.append(levels[~small], _OTHER)
        codes[name], names_of[name] = code, levels
    pooled = (
        pd.concat(pooled, ignore_index=True)
        if pooled
        else pd.DataFrame({"factor": [], "level": [], "n": []}).astype({"n": "int64"})
    )
    if len(pooled):
        _report_rare(pooled, min_n=min_n, rare=rare)
    return pd.DataFrame(codes), names_of, pooled


def _cells(codes: pd.DataFrame, level_names: dict, y: np.ndarray) -> pd.DataFrame:
    """Audits and errors per observed combination of levels, from one group-by on the codes."""
    names = list(codes.columns)
    cells = codes.assign(errors=y, n=1.0).groupby(names, sort=True).sum().reset_index()
    for name in names:
        if name in level_names:
            cells[name] = level_names[name][cells[name].to_numpy()]
    return cells


def _report_rare(pooled: pd.DataFrame, *, min_n: int, rare: str) -> None:
    shown = format_values((pooled["factor"] + "=" + pooled["level"]).tolist())
    what = (
        f"{len(pooled)} levels ({int(pooled['n'].sum())} rows) have fewer than {min_n} "
        f"audits: {shown}."
    )
    if rare == "raise":
        raise ValueError(
            f"{caller()} found rare levels: {what} Their odds ratios would be unreliable. Merge "
            "them with similar levels, drop their rows, lower min_n, or pass rare='pool'."
        )
    warnings.warn(
        f"{caller()} pooled rare levels into {_OTHER!r}: {what} Their pooled odds ratio "
        "describes them together.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _level_counts(cells: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Audits and errors per factor level (after pooling)."""
    parts = [
        cells.groupby(name, sort=True)[["n", "errors"]]
        .sum()
        .rename_axis("level")
        .reset_index()
        .assign(factor=name)
        for name in names
    ]
    counts = pd.concat(parts, ignore_index=True)
    counts[["n", "errors"]] = counts[["n", "errors"]].astype("int64")
    _check_levels(counts, names)
    return counts[["factor", "level", "n", "errors"]]


def _check_levels(counts: pd.DataFrame, names: list[str]) -> None:
    per_factor = counts.groupby("factor", sort=False).size().reindex(names)
    single = per_factor[per_factor < 2]
    if len(single):
        raise ValueError(
            f"{caller()} needs at least two levels per factor; {format_values(single.index)} "
            "has a single level (after pooling rare levels), so it cannot explain anything. "
            "Drop it from 'factors'."
        )


def _check_separation(counts: pd.DataFrame) -> None:
    """Refuse levels whose audits are all errors or all correct."""
    bad = counts[(counts["errors"] == 0) | (counts["errors"] == counts["n"])]
    if len(bad):
        described = [
            f"{f}={lv} ({e} errors in {n} audits)"
            for f, lv, e, n in bad[["factor", "level", "errors", "n"]].itertuples(index=False)
        ]
        raise ValueError(
            f"{caller()} found separation: {len(bad)} levels have only errors or no errors, "
            f"so their odds ratios are 0 or infinite: {format_values(described)}. Merge them "
            "with similar levels or drop their rows."
        )


def _references(counts: pd.DataFrame, names: list[str], chosen) -> dict:
    """Each factor's reference level: as chosen, or its level with the most audits."""
    unknown = [f for f in chosen if f not in names]
    if unknown:
        raise ValueError(
            f"The 'reference' parameter of {caller()} names {format_values(unknown)}, which are "
            f"not factors. Factors: {format_values(names)}."
        )
    references = {}
    for name in names:
        levels = counts[counts["factor"] == name]
        if name in chosen:
            level = str(chosen[name])
            if level not in set(levels["level"]):
                raise ValueError(
                    f"The 'reference' level {level!r} of factor {name!r} in {caller()} is not one "
                    f"of its levels: {format_values(levels['level'], limit=12)}."
                )
            references[name] = level
        else:
            ranked = levels.sort_values(["n", "level"], ascending=[False, True], kind="stable")
            references[name] = ranked["level"].iloc[0]
    return references


def _design(cells: pd.DataFrame, names: list[str], references: dict):
    """Intercept plus treatment-coded indicators; returns the matrix and its column labels."""
    blocks, columns = [np.ones((len(cells), 1))], [("", "")]
    for name in names:
        dummies = pd.get_dummies(cells[name], dtype=float).drop(columns=references[name])
        blocks.append(dummies.to_numpy())
        columns += [(name, level) for level in dummies.columns]
    return np.hstack(blocks), columns


def _binomial_fit(cells: pd.DataFrame, design: np.ndarray):
    """Binomial GLM of (errors, correct) per cell; separation raises a clear error."""
    # imported here: statsmodels' GLM brings its formula machinery, a fraction of a second
    # to import, which the other root-cause functions (and the report) never need
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM

    endog = np.column_stack([cells["errors"], cells["n"] - cells["errors"]])
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        fit = GLM(endog, design, family=Binomial()).fit()
    # Separation shows as convergence warnings, fitted probabilities of 0 or 1, or infinite
    # standard errors. statsmodels' perfect-prediction warning is not evidence of it here: a
    # saturated cell model (one factor, say) fits every cell's proportion exactly and draws it.
    caught = [w for w in caught if issubclass(w.category, _FIT_WARNINGS)]
    caught = [w for w in caught if not issubclass(w.category, PerfectSeparationWarning)]
    fitted = np.asarray(fit.mu)
    degenerate = (fitted < _SEPARATION_TOL) | (fitted > 1 - _SEPARATION_TOL)
    if caught or degenerate.any() or not np.isfinite(fit.bse).all():
        raise ValueError(
            f"{caller()} found quasi-complete separation: a combination of levels predicts "
            "the outcome perfectly, so some odds ratios have no finite estimate"
            f"{' (' + str(caught[0].message) + ')' if caught else ''}. Drop a factor, or "
            "merge levels with few errors."
        )
    return fit


def _odds_ratios(fit, columns, counts, references, level, *, se=None, df=np.inf) -> pd.DataFrame:
    """The level table: counts, odds ratios, Wald intervals and BH-adjusted p-values.

    The reference distribution is the normal when ``df`` is infinite, else t on ``df``.
    """
    reference = reference_distribution(df)
    z = reference.isf((1 - level) / 2)
    beta = np.asarray(fit.params)[1:]
    se = np.asarray(fit.bse if se is None else se)[1:]
    p_value = 2 * reference.sf(np.abs(beta / se))
    estimates = pd.DataFrame(
        {
            "factor": [c[0] for c in columns[1:]],
            "level": [c[1] for c in columns[1:]],
            "odds_ratio": np.exp(beta),
            "ci_low": np.exp(beta - z * se),
            "ci_high": np.exp(beta + z * se),
            "p_value": p_value,
            "p_adjusted": q_values(p_value),
        }
    )
    table = counts.merge(estimates, on=["factor", "level"], how="left")
    table["reference"] = table["level"].to_numpy() == table["factor"].map(references).to_numpy()
    table.loc[table["reference"], "odds_ratio"] = 1.0
    table["rate"] = table["errors"] / table["n"]
    table["rate_ci_low"], table["rate_ci_high"] = proportion_ci(
        table["errors"].to_numpy(), table["n"].to_numpy(), ci=level
    )
    order = pd.Categorical(table["factor"], categories=list(references), ordered=True)
    table = table.assign(_order=order).sort_values(
        ["_order", "reference", "level"], ascending=[True, False, True], kind="stable"
    )
    counts = ["factor", "level", "reference", "n", "errors", "rate", "rate_ci_low", "rate_ci_high"]
    estimates = ["odds_ratio", "ci_low", "ci_high", "p_value", "p_adjusted"]
    return table[counts + estimates].reset_index(drop=True)


def _factor_tests(cells, names, references, full) -> pd.DataFrame:
    """Likelihood-ratio test of each factor: the model without it against the full model."""
    rows = []
    for name in names:
        others = [n for n in names if n != name]
        design, _ = _design(cells, others, references)
        reduced = _binomial_fit(cells, design)
        df = int(cells[name].nunique() - 1)
        lr = max(reduced.deviance - full.deviance, 0.0)
        rows.append((name, df + 1, df, lr, stats.chi2.sf(lr, df)))
    tests = pd.DataFrame(rows, columns=["factor", "levels", "df", "lr_stat", "p_value"])
    return tests.sort_values("lr_stat", ascending=False, kind="stable").reset_index(drop=True)


def _findings(table: pd.DataFrame, level: float) -> tuple:
    """One sentence per level with an FDR-controlled effect, largest |log odds ratio| first."""
    rows = table[~table["reference"] & (table["p_adjusted"] < 1 - level)]
    rows = rows.assign(_size=np.abs(np.log(rows["odds_ratio"]))).sort_values(
        "_size", ascending=False, kind="stable"
    )
    references = table[table["reference"]].set_index("factor")["level"]
    return tuple(
        f"{row.factor} = {row.level}: the odds of an error are {row.odds_ratio:.2f} times "
        f"({level:.0%} CI {row.ci_low:.2f} to {row.ci_high:.2f}) those at {row.factor} = "
        f"{references[row.factor]}, the other factors held fixed."
        for row in rows.itertuples(index=False)
    )
