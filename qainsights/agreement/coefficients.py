"""Agreement coefficients: percent agreement, the kappa family, AC1/AC2 and Krippendorff's alpha.

Every function takes the ratings in any of the documented forms and returns an
:class:`~qainsights.agreement.results.AgreementResult`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .._caller import public
from .._docstrings import fill_docstring
from ._estimate import cohen_result, conger_result, family_result, read_checked
from ._inputs import INPUT_NAMES
from .results import AgreementResult, CohenKappaResult

__all__ = [
    "brennan_prediger",
    "cohen_kappa",
    "conger_kappa",
    "fleiss_kappa",
    "gwet_ac",
    "krippendorff_alpha",
    "percent_agreement",
    "scott_pi",
]

F = TypeVar("F", bound=Callable[..., Any])

_INPUTS = """data : pandas.DataFrame or array-like, optional
        Long format (one row per rating; name the columns with ``item``, ``rater`` and
        ``label``) or wide format (items in rows, raters in columns, NaN for a missing
        rating). Long format may also be a polars, DuckDB or PySpark frame: its checks run
        on its engine and its ratings then arrive as ``item, rater, label`` rows, the
        same input as a pandas frame's (rows sorted by item and rater).
    item, rater, label : str, optional
        Column names of long-format ``data``.
    counts : pandas.DataFrame or array-like, optional
        Items x categories table of how many raters chose each category (columns are the
        categories). Rater identities are then unknown.
    table : pandas.DataFrame or array-like, optional
        A k x k two-rater table (rows: first rater, columns: second rater).
    categories : sequence, optional
        All categories in order. Fixes the order used by weights and catches unknown labels;
        categories nobody used still count (they matter for AC1 and Brennan-Prediger).
        Default: the categories of a categorical ``label`` column, else the sorted observed
        labels (or the columns of ``counts``/``table``)."""

_INFERENCE = """ci : float, default 0.95
        Confidence level.
    method : {"auto", "analytic", "likelihood", "bootstrap"}, default "auto"
        ``"analytic"``: Gwet's linearised standard error and a t interval on the
        variance's effective degrees of freedom (Satterthwaite; at most ``n - 1``, irrCAC's
        choice, and fewer when a rare category carries the variance: the result's ``df``).
        ``"likelihood"``: the profile-likelihood interval over the session's rating
        patterns and every unanimous or one-dissent pattern it did not show, on Student's t
        with ``n - 1`` degrees of freedom; not symmetric about the estimate. It takes a
        search of constrained fits: a fraction of a second, a few seconds with many
        categories and missing ratings. ``se`` stays the linearised standard error.
        ``"auto"``: the likelihood interval where the analytic one is known not to hold its
        level, the analytic one elsewhere: for Cohen's and Fleiss' kappa, Scott's pi and
        Krippendorff's alpha on a session whose most common category holds at least 70 % of
        ratings with fewer than 10 items agreeing on another category (on simulated small,
        skewed sessions the analytic 95 % intervals covered 77-95 %, the default 92.9-98.1
        %: ``benchmarks/README.md``), and for any coefficient whose analytic standard error
        is zero (every item agreed). The result's ``method`` names the interval used.
        ``"bootstrap"``: ``n_boot`` multinomial redraws of the rating
        patterns (items with the same label counts), percentile interval.
    n_boot : int, default 1000
        Bootstrap replicates.
    seed : int or None, default 0
        Seed of the bootstrap's random generator (``None``: a fresh, unrepeatable draw)."""

_WEIGHTS = """weights : {None, "identity", "linear", "quadratic"} or array-like, default None
        Agreement weights between categories (1 on the diagonal). Linear and quadratic
        weights use the category values when numeric, else their positions. A custom
        q x q matrix is taken as agreement weights; for disagreement weights ``d`` pass
        ``1 - d / d.max()``."""

_RETURNS = """AgreementResult
        ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``p_value``, ``pa``, ``pe``,
        ``n_items``, ``n_raters``, ``weights``, ``method``; ``.to_frame()`` gives one row."""

_MISSING = """Missing ratings (NaN or None) are never counted as a label. Items with a single
    rating add nothing to observed agreement but count in the category shares (as in
    Gwet 2014). When every rating falls in one category the chance-corrected coefficient is
    undefined: NaN with a ``UserWarning``."""


def _fill(func: F) -> F:
    return fill_docstring(
        func, inputs=_INPUTS, inference=_INFERENCE, weights=_WEIGHTS, returns=_RETURNS,
        missing=_MISSING,
    )  # fmt: skip


def _family(
    kind: str, coefficient: str, arguments: dict[str, Any], raters: int | None = None
) -> AgreementResult:
    """Run a coefficient of Gwet's family on a public function's ``arguments`` (its locals)."""
    inputs = {name: arguments[name] for name in INPUT_NAMES if name in arguments}
    ratings = read_checked(inputs, ci=arguments["ci"], method=arguments["method"], raters=raters)
    return family_result(
        kind,
        ratings,
        coefficient=coefficient,
        weights=arguments.get("weights"),
        level=arguments.get("level"),
        ci=arguments["ci"],
        method=arguments["method"],
        n_boot=arguments["n_boot"],
        seed=arguments["seed"],
    )


@public
@_fill
def percent_agreement(
    data: Any = None,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    counts: Any = None,
    table: Any = None,
    categories: Any = None,
    weights: Any = None,
    ci: float = 0.95,
    method: str = "auto",
    n_boot: int = 1000,
    seed: int | None = 0,
) -> AgreementResult:
    """Percent agreement: the share of agreeing rater pairs, averaged over items.

    Parameters
    ----------
    {inputs}
    {weights}
    {inference}

    Returns
    -------
    {returns}

    Notes
    -----
    ``pa`` is the mean, over items with two or more ratings, of the share of agreeing
    ordered rating pairs; ``pe`` is 0. {missing}

    References
    ----------
    Gwet, K. L. (2014). *Handbook of Inter-Rater Reliability*, 4th ed. Advanced Analytics.

    Examples
    --------
    >>> result = percent_agreement(table=[[20, 5], [10, 15]])
    >>> round(result.estimate, 3), result.n_items
    (0.7, 50)
    """
    return _family("percent", "percent_agreement", locals())


@public
@_fill
def brennan_prediger(
    data: Any = None,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    counts: Any = None,
    table: Any = None,
    categories: Any = None,
    weights: Any = None,
    ci: float = 0.95,
    method: str = "auto",
    n_boot: int = 1000,
    seed: int | None = 0,
) -> AgreementResult:
    """Brennan and Prediger's coefficient (Randolph's free-marginal kappa).

    Parameters
    ----------
    {inputs}
    {weights}
    {inference}

    Returns
    -------
    {returns}

    Notes
    -----
    Chance agreement is ``sum(W) / q**2`` for q categories (``1 / q`` unweighted): raters
    choosing uniformly at random. For two categories this is PABAK. {missing}

    References
    ----------
    Brennan, R. L., & Prediger, D. J. (1981). Coefficient kappa: some uses, misuses, and
    alternatives. *Educational and Psychological Measurement*, 41, 687-699.
    Gwet, K. L. (2014). *Handbook of Inter-Rater Reliability*, 4th ed.

    Examples
    --------
    >>> round(brennan_prediger(table=[[40, 9], [6, 45]]).estimate, 3)
    0.7
    """
    return _family("brennan_prediger", "brennan_prediger", locals())


@public
@_fill
def gwet_ac(
    data: Any = None,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    counts: Any = None,
    table: Any = None,
    categories: Any = None,
    weights: Any = None,
    ci: float = 0.95,
    method: str = "auto",
    n_boot: int = 1000,
    seed: int | None = 0,
) -> AgreementResult:
    """Gwet's AC1 (unweighted) or AC2 (with ``weights``).

    Parameters
    ----------
    {inputs}
    {weights}
    {inference}

    Returns
    -------
    {returns}

    Notes
    -----
    Chance agreement is ``sum(W) / (q (q - 1)) * sum_k pi_k (1 - pi_k)``, with ``pi_k`` the
    mean share of category k per item. Unlike kappa it stays near percent agreement when
    one category dominates (the kappa paradox). {missing}

    References
    ----------
    Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the presence
    of high agreement. *British Journal of Mathematical and Statistical Psychology*, 61,
    29-48. Gwet, K. L. (2014). *Handbook of Inter-Rater Reliability*, 4th ed.

    Examples
    --------
    A skewed "no violation" mix: 85 % raw agreement, yet kappa is 0.32 and AC1 0.81.

    >>> round(gwet_ac(table=[[80, 10], [5, 5]]).estimate, 3)
    0.808
    """
    return _family("gwet", "gwet_ac", locals())


@public
@_fill
def fleiss_kappa(
    data: Any = None,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    counts: Any = None,
    table: Any = None,
    categories: Any = None,
    weights: Any = None,
    ci: float = 0.95,
    method: str = "auto",
    n_boot: int = 1000,
    seed: int | None = 0,
) -> AgreementResult:
    """Fleiss' kappa (generalised to missing ratings and weights).

    Parameters
    ----------
    {inputs}
    {weights}
    {inference}

    Returns
    -------
    {returns}

    Notes
    -----
    Chance agreement is ``sum_kl w_kl pi_k pi_l`` with ``pi_k`` the mean share of category
    k per item; observed agreement averages items with two or more ratings (Gwet 2014).
    With complete data this is Fleiss (1971). The standard error is Gwet's, not the one
    valid only under the null hypothesis (Fleiss, Nee & Landis 1979). {missing}

    References
    ----------
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
    *Psychological Bulletin*, 76, 378-382. Gwet, K. L. (2014). *Handbook of Inter-Rater
    Reliability*, 4th ed.

    Examples
    --------
    >>> counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
    ...           [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
    ...           [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    >>> round(fleiss_kappa(counts=counts).estimate, 3)
    0.21
    """
    return _family("fleiss", "fleiss_kappa", locals())


@public
@_fill
def scott_pi(
    data: Any = None,
    other: Any = None,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    counts: Any = None,
    table: Any = None,
    categories: Any = None,
    weights: Any = None,
    ci: float = 0.95,
    method: str = "auto",
    n_boot: int = 1000,
    seed: int | None = 0,
) -> AgreementResult:
    """Scott's pi for two raters (Fleiss' kappa restricted to two raters).

    Parameters
    ----------
    {inputs}
    other : array-like, optional
        The second rater's labels, when ``data`` holds the first rater's (two label vectors).
    {weights}
    {inference}

    Returns
    -------
    {returns}

    Notes
    -----
    Takes the two-rater forms as well: two label vectors (``data`` and ``other``) or a
    k x k ``table``. The standard error is Gwet's raw-data one, with ``n (n - 1)`` in the
    denominator; irrCAC's ``scott2.table`` uses ``n**2`` (smaller by ``sqrt((n-1)/n)``).
    {missing}

    References
    ----------
    Scott, W. A. (1955). Reliability of content analysis: the case of nominal scale coding.
    *Public Opinion Quarterly*, 19, 321-325. Gwet, K. L. (2014). *Handbook of Inter-Rater
    Reliability*, 4th ed.

    Examples
    --------
    >>> round(scott_pi(["yes", "no", "no", "yes"], ["yes", "no", "yes", "yes"]).estimate, 3)
    0.467
    """
    return _family("fleiss", "scott_pi", locals(), raters=2)


@public
@_fill
def conger_kappa(
    data: Any = None,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    counts: Any = None,
    table: Any = None,
    categories: Any = None,
    weights: Any = None,
    ci: float = 0.95,
    method: str = "auto",
    n_boot: int = 1000,
    seed: int | None = 0,
) -> AgreementResult:
    """Conger's kappa: Cohen's kappa generalised to several raters.

    Parameters
    ----------
    {inputs}
    {weights}
    {inference}

    Returns
    -------
    {returns}

    Notes
    -----
    Chance agreement uses each rater's own category shares ``p_gk``:
    ``sum_kl w_kl (pbar_k pbar_l - s_kl / r)`` with ``s_kl`` their covariance across raters.
    Needs rater identities (not ``counts=``); analytic intervals only (``"auto"`` is the
    analytic interval, with the note and warning of a skewed session). {missing}

    References
    ----------
    Conger, A. J. (1980). Integration and generalization of kappas for multiple raters.
    *Psychological Bulletin*, 88, 322-328. Gwet, K. L. (2014). *Handbook of Inter-Rater
    Reliability*, 4th ed.

    Examples
    --------
    >>> wide = [[1, 1, 1], [1, 2, 1], [2, 2, 2], [2, 2, 1], [1, 1, 1]]
    >>> round(conger_kappa(wide).estimate, 3)
    0.474
    """
    ratings = read_checked(
        {name: value for name, value in locals().items() if name in INPUT_NAMES},
        ci=ci,
        method=method,
    )
    return conger_result(ratings, weights=weights, ci=ci, method=method)


@public
@_fill
def cohen_kappa(
    data: Any = None,
    other: Any = None,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    counts: Any = None,
    table: Any = None,
    categories: Any = None,
    weights: Any = None,
    ci: float = 0.95,
    method: str = "auto",
    n_boot: int = 1000,
    seed: int | None = 0,
) -> CohenKappaResult:
    """Cohen's kappa for two raters, weighted or not, with PABAK and the bias indices.

    Parameters
    ----------
    {inputs}
    other : array-like, optional
        The second rater's labels, when ``data`` holds the first rater's (two label vectors).
    {weights}
    {inference}

    Returns
    -------
    {returns}

    Notes
    -----
    Uses the items both raters rated. The standard error is Fleiss, Cohen & Everitt's
    (1969) large-sample one (not under the null), as statsmodels' ``cohens_kappa`` and
    irrCAC's ``kappa2.table`` report; the interval and p-value use t on the effective
    degrees of freedom of that variance over the table's cells, at most ``n - 1`` (irrCAC's
    choice; statsmodels uses the normal and the null standard error).
    {missing}

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
    Psychological Measurement*, 20, 37-46. Cohen, J. (1968). Weighted kappa.
    *Psychological Bulletin*, 70, 213-220. Fleiss, J. L., Cohen, J., & Everitt, B. S.
    (1969). Large sample standard errors of kappa and weighted kappa. *Psychological
    Bulletin*, 72, 323-327. Byrt, T., Bishop, J., & Carlin, J. B. (1993). Bias, prevalence
    and kappa. *Journal of Clinical Epidemiology*, 46, 423-429.

    Examples
    --------
    >>> result = cohen_kappa(table=[[20, 5], [10, 15]])
    >>> round(result.estimate, 3), round(result.se, 4), round(result.pabak, 3)
    (0.4, 0.127, 0.4)
    """
    ratings = read_checked(
        {name: value for name, value in locals().items() if name in INPUT_NAMES},
        ci=ci,
        method=method,
        raters=2,
    )
    return cohen_result(ratings, weights=weights, ci=ci, method=method, n_boot=n_boot, seed=seed)


@public
@_fill
def krippendorff_alpha(
    data: Any = None,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    counts: Any = None,
    table: Any = None,
    categories: Any = None,
    level: str = "nominal",
    ci: float = 0.95,
    method: str = "auto",
    n_boot: int = 1000,
    seed: int | None = 0,
) -> AgreementResult:
    """Krippendorff's alpha at the nominal, ordinal, interval or ratio level.

    Parameters
    ----------
    {inputs}
    level : {{"nominal", "ordinal", "interval", "ratio"}}, default "nominal"
        Krippendorff's difference function. Interval and ratio need numeric categories;
        ordinal uses only their order.
    {inference}

    Returns
    -------
    {returns}

    Notes
    -----
    ``alpha = 1 - D_o / D_e`` over pairable values (items with two or more ratings),
    computed as ``(pa - pe) / (1 - pe)`` with agreement weights
    ``1 - delta**2 / max(delta**2)`` (Gwet 2014, which gives the same number). The
    analytic standard error is Gwet's; the ordinal metric's weights are held fixed in the
    bootstrap. The values agree with Krippendorff (2011), the ``krippendorff`` package and
    irrCAC; R's ``irr::kripp.alpha`` differs on some data (0.4309 instead of 0.4334 on
    Fleiss' 1971 diagnoses).
    {missing}

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School
    for Communication, University of Pennsylvania. Gwet, K. L. (2014). *Handbook of
    Inter-Rater Reliability*, 4th ed.

    Examples
    --------
    Krippendorff's (2011) binary example: two observers, ten units.

    >>> a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    >>> b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    >>> import warnings
    >>> from qainsights.agreement import SkewedSessionWarning
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", SkewedSessionWarning)
    ...     result = krippendorff_alpha(list(zip(a, b)))
    >>> round(result.estimate, 3)
    0.095

    Fourteen of the twenty values are 0, so the interval is the profile likelihood's; one
    unit holds the observers' only agreement on 1, so even that interval is flagged:

    >>> result.method, round(result.ci_low, 2), round(result.ci_high, 2)
    ('likelihood', -0.46, 0.72)
    >>> result.note
    '70% of ratings are 0 and 1 item has two or more ratings agreeing on another category'
    """
    return _family("alpha", "krippendorff_alpha", locals())
