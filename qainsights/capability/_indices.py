"""Normal-theory capability indices and their confidence intervals, from summary statistics.

One family of five indices per sigma: the within-subgroup (short-term) sigma gives Cp, Cpl,
Cpu, Cpk and Cpm; the overall (long-term) sigma gives Pp, Ppl, Ppu, Ppk and Ppm. The
formulas are the same, so one function computes either family.

Interval methods (``n`` is the total number of observations, as in qcc 3.0 and Montgomery):

- Cp, Pp: chi-square interval ``Cp · sqrt(χ²_{q, n−1} / (n − 1))`` for q = α/2 and 1 − α/2.
- Cpl, Cpu, Cpk and their P counterparts: Bissell's (1990) normal approximation,
  ``I ± z_{1−α/2} · sqrt(1 / (9n) + I² / (2(n − 1)))``. For the one-sided indices qcc 3.0
  uses z_{0.95} while labelling the interval 2.5 % / 97.5 %; here z always matches ``ci``.
- Cpm, Ppm: Boyles' (1991) chi-square interval with ``ν = n(1 + δ²)² / (1 + 2δ²)`` degrees of
  freedom, ``δ = (mean − target) / σ``.

For within indices, ``n − 1`` overstates the degrees of freedom of an R-bar or moving-range
sigma (those estimators are less efficient than the sample SD); the intervals follow the
qcc / Montgomery convention nonetheless, so that they reproduce the published examples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri
from scipy.stats import chi2

__all__ = [
    "INDEX_COLUMNS",
    "Specs",
    "complete_family",
    "make_row",
    "normal_index_values",
    "normal_indices",
    "undefined_rows",
]

INDEX_COLUMNS = ["index", "estimate", "ci_low", "ci_high", "method"]
_SUFFIXES = ("p", "pl", "pu", "pk", "pm")
_INTERVALS = {
    "p": "chi-square",
    "pl": "Bissell",
    "pu": "Bissell",
    "pk": "Bissell",
    "pm": "Boyles chi-square",
}


@dataclass(frozen=True)
class Specs:
    """Specification limits and target; a missing limit or target is ``None``."""

    lsl: float | None
    usl: float | None
    target: float | None

    @property
    def two_sided(self) -> bool:
        """Whether both specification limits are given."""
        return self.lsl is not None and self.usl is not None

    def missing_reason(self, index: str) -> str | None:
        """Return why ``index`` (a name without its C/P prefix) is undefined, or None."""
        needs = {
            "p": (self.two_sided, "needs both LSL and USL"),
            "pl": (self.lsl is not None, "needs an LSL"),
            "pu": (self.usl is not None, "needs a USL"),
            "pk": (True, ""),
            "pm": (self.two_sided and self.target is not None, "needs LSL, USL and a target"),
        }
        ok, reason = needs[index]
        return None if ok else f"undefined: {reason}"


def make_row(index: str, estimate: float, low: float, high: float, method: str) -> dict:
    """Return one row of the index table."""
    return {"index": index, "estimate": estimate, "ci_low": low, "ci_high": high, "method": method}


def undefined_rows(family: str, reason: str) -> list[dict]:
    """Return the five rows of a family ("C" or "P") as NaN with ``reason`` as the method."""
    return [make_row(f"{family}{suffix}", np.nan, np.nan, np.nan, reason) for suffix in _SUFFIXES]


def bissell_interval(index: float, n: int, ci: float) -> tuple[float, float]:
    """Bissell's (1990) normal-approximation interval for Cpk-type indices."""
    half = ndtri(0.5 + ci / 2.0) * np.sqrt(1.0 / (9.0 * n) + index**2 / (2.0 * (n - 1.0)))
    return index - half, index + half


def _chi_square_interval(index: float, dof: float, ci: float) -> tuple[float, float]:
    """Chi-square interval ``index · sqrt(χ²_q / dof)`` for a ratio inverse to a sigma."""
    tail = (1.0 - ci) / 2.0
    quantiles = chi2.ppf([tail, 1.0 - tail], dof)
    low, high = index * np.sqrt(quantiles / dof)
    return float(low), float(high)


def normal_indices(
    center: float, sigma: float, n: int, specs: Specs, *, ci: float, family: str
) -> list[dict]:
    """Return the five indices of ``family`` ("C" within, "P" overall) as table rows.

    Parameters
    ----------
    center : float
        Process mean.
    sigma : float
        Positive process standard deviation of the family.
    n : int
        Number of observations (at least 2) used for the intervals.
    specs : Specs
        Specification limits and target.
    ci : float
        Confidence level.
    family : {"C", "P"}
        Prefix of the index names.

    Returns
    -------
    list of dict
        Rows with keys ``index``, ``estimate``, ``ci_low``, ``ci_high``, ``method``.
    """
    values = normal_index_values(center, sigma, specs.lsl, specs.usl, specs.target)
    rows = []
    for suffix, value in values.items():
        if suffix == "p":
            low, high = _chi_square_interval(value, n - 1.0, ci)
        elif suffix == "pm":
            delta = (center - specs.target) / sigma
            dof = n * (1.0 + delta**2) ** 2 / (1.0 + 2.0 * delta**2)
            low, high = _chi_square_interval(value, dof, ci)
        else:
            low, high = bissell_interval(value, n, ci)
        rows.append(make_row(f"{family}{suffix}", float(value), low, high, _INTERVALS[suffix]))
    return complete_family(family, rows, specs)


def normal_index_values(center, sigma, lsl, usl, target) -> dict[str, np.ndarray]:
    """Return the normal-theory indices that the specifications define, by suffix.

    Keys are "p", "pl", "pu", "pk" and "pm" (prefix "C" or "P" to name them); arguments may
    be arrays (one value per bootstrap replicate), and a missing limit or target is None.
    """
    values = {}
    if lsl is not None and usl is not None:
        values["p"] = (usl - lsl) / (6.0 * sigma)
    if lsl is not None:
        values["pl"] = (center - lsl) / (3.0 * sigma)
    if usl is not None:
        values["pu"] = (usl - center) / (3.0 * sigma)
    values["pk"] = np.minimum.reduce([values[k] for k in ("pl", "pu") if k in values])
    if "p" in values and target is not None:
        values["pm"] = values["p"] / np.sqrt(1.0 + ((center - target) / sigma) ** 2)
    return values


def complete_family(family: str, rows: list[dict], specs: Specs) -> list[dict]:
    """Add NaN rows, with the reason, for the indices of ``family`` missing from ``rows``.

    Returns the five rows in the order p, pl, pu, pk, pm.
    """
    by_name = {row["index"]: row for row in rows}
    ordered = []
    for suffix in _SUFFIXES:
        name = f"{family}{suffix}"
        reason = specs.missing_reason(suffix) or "undefined for this method"
        ordered.append(by_name.get(name, make_row(name, np.nan, np.nan, np.nan, reason)))
    return ordered
