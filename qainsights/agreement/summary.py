"""All agreement coefficients of one set of ratings as one tidy table."""

from __future__ import annotations

import warnings
from dataclasses import asdict
from typing import Any

import pandas as pd

from .._caller import public
from .._validation import check_option, format_values
from ._estimate import cohen_result, conger_result, family_result, read_checked
from ._inputs import INPUT_NAMES
from ._rare import SkewedSessionWarning, warn_rare_agreement
from .interpretation import SCALES, benchmark_label

__all__ = ["agreement_summary"]

_FAMILY_ROWS = (
    ("percent", "percent_agreement"),
    ("brennan_prediger", "brennan_prediger"),
    ("gwet", "gwet_ac"),
    ("fleiss", "fleiss_kappa"),
)

COLUMNS = [
    "coefficient", "estimate", "se", "ci_low", "ci_high", "p_value", "df", "pa", "pe",
    "n_items", "n_raters", "weights", "method", "ci", "note",
]  # fmt: skip


@public
def agreement_summary(
    data: Any = None,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    counts: Any = None,
    table: Any = None,
    categories: Any = None,
    weights: Any = None,
    level: str = "nominal",
    ci: float = 0.95,
    method: str = "auto",
    n_boot: int = 1000,
    seed: int | None = 0,
    benchmark: str | None = None,
) -> pd.DataFrame:
    """Every agreement coefficient that the ratings allow, one row each.

    Rows: percent agreement, Brennan-Prediger, Gwet's AC1/AC2, Fleiss' kappa (Scott's pi for
    two raters), Krippendorff's alpha, then Conger's kappa when raters are known (analytic
    interval only) and Cohen's kappa when there are exactly two raters. The ratings are read
    once; inputs, options and edge cases are those of the single-coefficient functions
    (see :func:`~qainsights.agreement.fleiss_kappa`).

    Parameters
    ----------
    data, item, rater, label, counts, table, categories
        The ratings, in any form the coefficient functions accept.
    weights : {None, "identity", "linear", "quadratic"} or array-like, default None
        Agreement weights for every coefficient but Krippendorff's alpha.
    level : {"nominal", "ordinal", "interval", "ratio"}, default "nominal"
        Krippendorff's alpha level.
    ci, method, n_boot, seed
        Inference options, as in the coefficient functions.
    benchmark : {None, "landis-koch", "altman", "fleiss"}, default None
        Add a ``benchmark`` column with the band chosen by Gwet's probabilistic rule
        (:func:`~qainsights.agreement.benchmark_bands`); ``""`` where undefined.

    Returns
    -------
    pandas.DataFrame
        Columns ``coefficient``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``p_value``,
        ``df`` (of the interval's t), ``pa``, ``pe``, ``n_items``, ``n_raters``, ``weights``,
        ``method``, ``ci``, ``note`` (why a kappa-type interval may not hold its level, or
        ``""``; see :class:`~qainsights.agreement.AgreementResult`) (and ``benchmark`` when
        asked).

    References
    ----------
    Gwet, K. L. (2014). *Handbook of Inter-Rater Reliability*, 4th ed. Advanced Analytics.

    Examples
    --------
    The kappa paradox: 118 of 125 items agreed, none of them on the rare category, so the
    kappa-type coefficients fall below zero while AC1 stays high. On this skewed session
    their intervals are profile likelihoods (``method="auto"``; Conger's kappa has the
    analytic one only), and with no item agreeing on the rare category every kappa-type
    interval is flagged (a ``SkewedSessionWarning`` says so too):

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", SkewedSessionWarning)
    ...     table = agreement_summary(table=[[118, 5], [2, 0]]).set_index("coefficient")
    >>> table["estimate"].round(3).to_dict()
    {'percent_agreement': 0.944, 'brennan_prediger': 0.888, 'gwet_ac': 0.941, 'fleiss_kappa': -0.029, 'krippendorff_alpha': -0.025, 'conger_kappa': -0.023, 'cohen_kappa': -0.023}
    >>> table["method"].to_dict()
    {'percent_agreement': 'analytic', 'brennan_prediger': 'analytic', 'gwet_ac': 'analytic', 'fleiss_kappa': 'likelihood', 'krippendorff_alpha': 'likelihood', 'conger_kappa': 'analytic', 'cohen_kappa': 'likelihood'}
    >>> print(table.index[table["note"] != ""].tolist())
    ['fleiss_kappa', 'krippendorff_alpha', 'conger_kappa', 'cohen_kappa']

    The likelihood interval of Scott's pi (Fleiss' kappa of two raters) reaches far above
    zero: a session that never agreed on the rare category cannot rule agreement on it out.

    >>> table.loc["fleiss_kappa", ["ci_low", "ci_high"]].astype(float).round(2).tolist()
    [-0.06, 0.37]
    """
    inputs = {name: value for name, value in locals().items() if name in INPUT_NAMES}
    if benchmark is not None:
        check_option(benchmark, name="benchmark", options=tuple(SCALES))
    ratings = read_checked(inputs, ci=ci, method=method)
    boot = {"ci": ci, "method": method, "n_boot": n_boot, "seed": seed}
    with warnings.catch_warnings():  # one warning for the table, below
        warnings.simplefilter("ignore", SkewedSessionWarning)
        results = [
            family_result(kind, ratings, coefficient=name, weights=weights, **boot)
            for kind, name in _FAMILY_ROWS
        ]
        results.append(
            family_result("alpha", ratings, coefficient="krippendorff_alpha", level=level, **boot)
        )
        if ratings.has_raters:
            results.append(conger_result(ratings, weights=weights, ci=ci, method="analytic"))
        if ratings.has_raters and ratings.n_raters == 2:
            results.append(cohen_result(ratings, weights=weights, **boot))
    for method in dict.fromkeys(r.method for r in results if r.note):  # one warning each
        noted = [r for r in results if r.note and r.method == method]
        names = format_values([r.coefficient for r in noted])
        warn_rare_agreement(f"{noted[0].note} (intervals of {names})", ci=ci, method=method)
    frame = pd.DataFrame([{k: asdict(r)[k] for k in COLUMNS} for r in results])
    if benchmark is not None:
        frame["benchmark"] = [benchmark_label(r, scale=benchmark, ci=ci) for r in results]
    return frame
