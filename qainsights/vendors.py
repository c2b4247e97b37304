"""In-house and vendor (BPO) sites compared on the same mix of work: gaps, trends, scorecard.

A vendor review asks three questions: is vendor quality as good as in-house quality on the
same work, is each vendor closing or widening its gap, and does each vendor meet the accuracy
target it is contracted to. :func:`compare_site_types` answers them in one call from the
canonical audit table, with every rate directly standardised to one common queue x policy
mix (:func:`qainsights.standardization.standardized_rates`), so a vendor that receives harder
content is not penalised for it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ._caller import caller, public
from ._compat import STR
from ._results import TidyResult
from ._validation import as_column_list, check_columns, check_frame, format_values
from .capability import target_status
from .standardization import standardized_rates
from .trends._inference import difference_ci

__all__ = ["NoCommonMixError", "VendorComparison", "compare_site_types"]

_REFERENCE = "in_house"
_VENDOR = "vendor"
#: Label of the row that pools every vendor site.
ALL_VENDORS = "all vendors"


@dataclass(frozen=True, repr=False)
class VendorComparison(TidyResult):
    """Vendor sites against in-house on a common mix, over time and against the target.

    Attributes
    ----------
    comparison : DataFrame
        The report month. One row for in-house, one for all vendors pooled and one per vendor
        site: ``unit``, ``site_type``, ``n`` (audits), ``errors`` (audited errors),
        ``crude_rate``, ``standardized_rate``, ``ci_low``, ``ci_high``, ``coverage`` (share
        of the common mix the unit has audits in), ``difference`` (standardised rate minus
        in-house's), ``difference_ci_low``, ``difference_ci_high``.
    trend : DataFrame
        The same per month over the window: ``month``, ``unit``, ``standardized_rate``,
        ``ci_low``, ``ci_high``, ``difference``, ``difference_ci_low``,
        ``difference_ci_high``.
    scorecard : DataFrame
        One row per vendor unit: ``unit``, ``n``, ``accuracy`` (crude, of its own work) with
        ``accuracy_ci_low`` and ``accuracy_ci_high``, ``target``, ``status`` ("meets
        target", "below target", "not separable from target"), ``gap`` (standardised error
        rate minus in-house's, with ``gap_ci_low`` and ``gap_ci_high``), ``gap_trend`` (change
        of the gap per month, with ``gap_trend_ci_low``, ``gap_trend_ci_high``, ``p_value``),
        ``trend_months`` (the months of the window the trend rests on) and ``direction``
        ("widening", "closing", "no clear trend", or "too few months").
    month : str
        The month compared.
    mix : tuple of str
        The mix columns standardised for.
    mix_coverage : float
        The share of the month's work (audits, or weighted decisions) in the mix cells that
        every unit has audits in this month: the common mix is restricted to those cells, so
        that no unit's rate rests on cells it never worked.
    """

    comparison: pd.DataFrame
    trend: pd.DataFrame
    scorecard: pd.DataFrame
    month: str
    mix: tuple[str, ...]
    mix_coverage: float = 1.0
    _title = "Vendor scorecard"

    def to_frame(self) -> pd.DataFrame:
        """The scorecard."""
        return self.scorecard


class NoCommonMixError(ValueError):
    """No mix cell has audits from every unit compared, so no common mix exists."""


def _units(audits: pd.DataFrame, site: str, site_type: str) -> pd.DataFrame:
    """Rows relabelled by unit: in-house pooled, all vendors pooled, and each vendor site."""
    kind = audits[site_type]  # compared as it is: a categorical is not spelt out row by row
    pooled = audits.assign(_unit=np.where(kind == _REFERENCE, _REFERENCE, ALL_VENDORS))
    vendors = audits[(kind == _VENDOR).to_numpy()]
    return pd.concat([pooled, vendors.assign(_unit=vendors[site].astype(STR))], ignore_index=True)


def _standardized(rows, *, by, mix, standard, weight, strata, cluster, ci) -> pd.DataFrame:
    return standardized_rates(
        rows, by=by, mix=mix, standard=standard, weight=weight, strata=strata, cluster=cluster,
        ci=ci,
    )  # fmt: skip


def _against_reference(table: pd.DataFrame, keys: list[str], ci: float) -> pd.DataFrame:
    """Each unit's standardised rate minus in-house's, with Newcombe's interval."""
    reference = table[table["_unit"] == _REFERENCE]
    merged = table.merge(reference, on=keys, how="left", suffixes=("", "_ref")) if keys else (
        table.assign(**{f"{c}_ref": reference[c].iloc[0] for c in ("standardized_rate", "n_eff")})
    )  # fmt: skip
    rate, n_eff = merged["standardized_rate"], merged["n_eff"]
    difference, low, high = difference_ci(
        rate * n_eff, n_eff, merged["standardized_rate_ref"] * merged["n_eff_ref"],
        merged["n_eff_ref"], ci=ci,
    )  # fmt: skip
    own = (table["_unit"] == _REFERENCE).to_numpy()
    gaps = {"difference": difference, "difference_ci_low": low, "difference_ci_high": high}
    return table.assign(**{k: np.where(own, np.nan, v) for k, v in gaps.items()})


def _in_order(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """In-house first, then all vendors pooled, then the vendor sites by name."""
    rank = table["_unit"].map({_REFERENCE: 0, ALL_VENDORS: 1}).fillna(2)
    ordered = table.assign(_rank=rank).sort_values([*keys, "_rank", "_unit"], kind="stable")
    return ordered.drop(columns="_rank").reset_index(drop=True)


def _trend(trend: pd.DataFrame, ci: float) -> pd.DataFrame:
    """Per unit, the weighted least-squares slope of the monthly gap, with a t interval, and
    the months it rests on (``trend_months``: a month where the unit has no audits in a cell
    of the common mix has no standardised rate, and is not on the trend).

    Weights are the inverse variances of the monthly gaps (from their standard errors); the
    residual dispersion is estimated (never below 1) and the reference is t on months - 2
    degrees of freedom.
    """
    rows = trend[trend["_unit"] != _REFERENCE].dropna(subset=["difference", "var_difference"])
    rows = rows[rows["var_difference"] > 0]
    x = rows["_x"].to_numpy(dtype=float)
    w = 1 / rows["var_difference"].to_numpy()
    d = rows["difference"].to_numpy()
    unit = rows["_unit"].to_numpy()
    frame = pd.DataFrame({"_unit": unit, "w": w, "wx": w * x, "wd": w * d, "k": 1})
    sums = frame.groupby("_unit", sort=False).sum()
    x_bar = (sums["wx"] / sums["w"]).reindex(unit).to_numpy()
    d_bar = (sums["wd"] / sums["w"]).reindex(unit).to_numpy()
    moments = (
        pd.DataFrame(
            {"_unit": unit, "sxx": w * (x - x_bar) ** 2, "sxd": w * (x - x_bar) * (d - d_bar)}
        )
        .groupby("_unit", sort=False)
        .sum()
    )
    slope = moments["sxd"] / moments["sxx"]
    residual = d - d_bar - slope.reindex(unit).to_numpy() * (x - x_bar)
    rss = pd.Series(w * residual**2).groupby(unit, sort=False).sum()
    df = sums["k"] - 2
    dispersion = np.maximum(rss.reindex(sums.index) / df.where(df > 0), 1.0)
    se = np.sqrt(dispersion / moments["sxx"])
    t = stats.t.ppf(0.5 + ci / 2, df.where(df > 0))
    p_value = 2 * stats.t.sf(np.abs(slope / se), df.where(df > 0))
    out = pd.DataFrame(
        {
            "gap_trend": slope,
            "gap_trend_ci_low": slope - t * se,
            "gap_trend_ci_high": slope + t * se,
            "p_value": p_value,
        }
    )
    return out.where(df > 0).assign(trend_months=sums["k"])


def _shared_standard(
    standard: pd.Series, current: pd.DataFrame, cells: list[str]
) -> tuple[pd.Series, float]:
    """The standard mix restricted to the cells every unit worked this month, and its share."""
    worked = current.groupby(cells, observed=True)["_unit"].nunique()
    shared = worked.index[(worked == current["_unit"].nunique()).to_numpy()]
    kept = standard[standard.index.isin(shared)]
    if kept.empty:
        raise NoCommonMixError(
            f"{caller()} found no {' x '.join(cells)} cell that every unit (in-house, the vendors "
            "and each vendor site) has audits in this month, so no common mix exists. "
            "Standardise over fewer columns, for example mix='queue'."
        )
    return kept, float(kept.sum() / standard.sum())


def _direction(slope: pd.Series, low: pd.Series, high: pd.Series) -> np.ndarray:
    return np.select(
        [slope.isna(), low > 0, high < 0],
        ["too few months", "widening", "closing"],
        default="no clear trend",
    )


@public
def compare_site_types(
    audits: pd.DataFrame,
    *,
    month: str,
    target: float,
    mix: str | Sequence[str] = ("queue", "policy"),
    months: int = 6,
    site: str = "site",
    site_type: str = "site_type",
    weight: str | None = None,
    strata: str | None = None,
    cluster: str | None = None,
    ci: float = 0.95,
) -> VendorComparison:
    """Compare vendor sites with in-house on a common mix: this month, the trend, the target.

    The common mix is the one of all audits of ``month`` (or, with ``weight``, of all its
    weighted decisions), the standard of
    :func:`qainsights.standardization.standardized_rates` on that month's audits, so a site's
    standardised rate here is the one the Monthly Quality Report's site comparison shows. It
    is used for every unit and every month of the window, so the monthly gaps are comparable
    with each other too, and restricted to the mix cells that every unit has audits in
    during ``month`` (``mix_coverage`` says how much of the work they hold). Each unit's standardised error rate, its gap to in-house and
    Newcombe's interval of the gap (on the effective sample sizes of the two standardised
    rates) come from :func:`qainsights.standardization.standardized_rates`. The trend of each
    gap is a weighted least-squares slope over the months of the window.

    Parameters
    ----------
    audits : DataFrame
        The canonical audit table with ``month``, ``is_error``, ``site``, ``site_type``
        ('in_house' or 'vendor') and the ``mix`` columns.
    month : str
        The report month, 'YYYY-MM'.
    target : float
        The accuracy target of the scorecard.
    mix : str or list of str, default ("queue", "policy")
        The columns whose combinations make up the mix of work.
    months : int, default 6
        Months of the trend window, ending with ``month``.
    site, site_type : str
        The site and site-type columns.
    weight, strata : str, optional
        Sampling weights and strata (:func:`qainsights.rates.error_rate`).
    cluster : str, optional
        Column of clusters whose audits are correlated (``"moderator_id"``): the accuracy,
        standardised rates and gaps then take the clusters as the sampling units
        (:func:`qainsights.standardization.standardized_rates`).
    ci : float, default 0.95
        Confidence level of every interval.

    Returns
    -------
    VendorComparison
        ``comparison``, ``trend``, ``scorecard`` (see the class).

    Raises
    ------
    ValueError
        When a column is missing, the month has no audits, the month has no in-house or
        no vendor audits (there is nothing to compare), or no mix cell is shared by all units.

    References
    ----------
    .. [1] Breslow, N. E. & Day, N. E. (1987). Statistical Methods in Cancer Research,
       vol. II, chapter 2 (direct standardisation).
    .. [2] Newcombe, R. G. (1998). Interval estimation for the difference between independent
       proportions. Statistics in Medicine 17, 873-890 (method 10).

    Examples
    --------
    >>> from qainsights.datasets import simulate_audits
    >>> audits = simulate_audits(seed=3, start="2026-04-06", weeks=26).audits
    >>> result = compare_site_types(audits, month="2026-09", target=0.92, weight="weight",
    ...                             strata="stratum")
    >>> result.comparison["unit"].tolist()
    ['in_house', 'all vendors', 'Hyderabad', 'Lisbon', 'Manila']
    >>> list(result.scorecard.columns[:6])
    ['unit', 'n', 'accuracy', 'accuracy_ci_low', 'accuracy_ci_high', 'target']
    """
    check_frame(audits, name="audits")
    cells = as_column_list(mix)
    sampling = [c for c in (weight, strata, cluster) if c]
    check_columns(
        audits, ["month", "is_error", site, site_type, *cells, *sampling],
        param="audits",
    )  # fmt: skip
    window = np.sort(audits["month"].unique())
    window = window[window <= month][-months:]
    if month not in set(window):
        raise ValueError(
            f"The 'month' parameter of {caller()} is {month!r}, which has no audits. Months "
            f"present: {format_values(sorted(audits['month'].unique()), 24)}."
        )
    read = ["month", "is_error", site, site_type, *cells, *sampling]
    audits = audits[list(dict.fromkeys(read))]  # the columns read: narrow copies below
    rows = audits[audits["month"].isin(window).to_numpy()]
    kinds = set(rows.loc[rows["month"] == month, site_type].dropna().drop_duplicates().astype(STR))
    if not {_REFERENCE, _VENDOR} <= kinds:
        raise ValueError(
            f"{caller()} needs both in-house and vendor audits in {month}; the {site_type!r} "
            f"column holds {format_values(sorted(kinds)) or 'no values'} there. Fill "
            f"{site_type!r} with 'in_house' or 'vendor' for every site."
        )
    units = _units(rows[rows[site_type].notna().to_numpy()], site, site_type)
    size = units[weight] if weight else pd.Series(1.0, index=units.index)
    in_month = (units["month"] == month).to_numpy()
    pooled = units["_unit"].isin([_REFERENCE, ALL_VENDORS]).to_numpy() & in_month
    standard = size[pooled].groupby([units.loc[pooled, c] for c in cells]).sum()
    current = units[in_month]
    standard, shared_share = _shared_standard(standard, current, cells)
    design = {"mix": cells, "standard": standard, "weight": weight, "strata": strata,
              "cluster": cluster, "ci": ci}  # fmt: skip
    comparison = _against_reference(_standardized(current, by="_unit", **design), [], ci)
    comparison = _in_order(comparison, [])
    comparison = comparison.merge(
        current.drop_duplicates("_unit")[["_unit", site_type]], on="_unit"
    )
    with warnings.catch_warnings():  # such a month is left off the trend (trend_months)
        warnings.filterwarnings("ignore", ".*have no audits in mix cells", UserWarning)
        by_month = _standardized(units, by=["month", "_unit"], **design)
    by_month = _in_order(_against_reference(by_month, ["month"], ci), ["month"]).merge(
        by_month[by_month["_unit"] == _REFERENCE][["month", "se"]].rename(
            columns={"se": "se_ref"}
        ), on="month", how="left",
    )  # fmt: skip
    by_month = by_month.assign(
        var_difference=by_month["se"] ** 2 + by_month["se_ref"] ** 2,
        _x=by_month["month"].map({m: i for i, m in enumerate(window)}),
    )
    slopes = _trend(by_month, ci)
    vendors = comparison[comparison["_unit"] != _REFERENCE].set_index("_unit")
    accuracy = {
        "accuracy": 1 - vendors["crude_rate"],
        "accuracy_ci_low": 1 - vendors["crude_ci_high"],
        "accuracy_ci_high": 1 - vendors["crude_ci_low"],
    }
    scorecard = pd.DataFrame({"n": vendors["n"], **accuracy, "target": target})
    scorecard["status"] = target_status(
        scorecard["accuracy_ci_low"], scorecard["accuracy_ci_high"], target=target
    )
    scorecard = scorecard.assign(
        gap=vendors["difference"],
        gap_ci_low=vendors["difference_ci_low"],
        gap_ci_high=vendors["difference_ci_high"],
    ).join(slopes)
    scorecard["direction"] = _direction(
        scorecard["gap_trend"], scorecard["gap_trend_ci_low"], scorecard["gap_trend_ci_high"]
    )
    columns = [
        "standardized_rate", "ci_low", "ci_high", "difference", "difference_ci_low",
        "difference_ci_high",
    ]  # fmt: skip
    comparison = comparison.rename(columns={"_unit": "unit"})[
        ["unit", site_type, "n", "errors", "crude_rate", *columns[:3], "coverage", *columns[3:]]
    ]
    return VendorComparison(
        comparison=comparison.reset_index(drop=True),
        trend=by_month.rename(columns={"_unit": "unit"})[["month", "unit", *columns]],
        scorecard=scorecard.rename_axis("unit").reset_index(),
        month=month,
        mix=tuple(cells),
        mix_coverage=shared_share,
    )
