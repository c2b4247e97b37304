"""Distributions fitted to process values, for non-normal capability and for drawing curves.

A :class:`Fit` names a family and its parameters; it answers quantiles, tail probabilities and
densities on the original scale of the data. Families:

- ``"normal"``: mean and standard deviation.
- ``"box-cox normal"``: values whose Box-Cox transform with ``lmbda`` is normal.
- ``"lognormal"``: maximum-likelihood fit with the threshold fixed at 0 (mean and standard
  deviation, ddof = 0, of the log values).
- ``"weibull"``: two-parameter maximum-likelihood fit (threshold 0), by scipy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.special import boxcox, inv_boxcox

__all__ = ["Fit", "fit_lognormal", "fit_weibull"]


@dataclass(frozen=True)
class Fit:
    """A fitted distribution: ``family`` and its parameters by name."""

    family: str
    params: tuple[tuple[str, float], ...]

    def _param(self, name: str) -> float:
        return dict(self.params)[name]

    def _base(self):
        """Return the frozen scipy distribution (of the transformed values for Box-Cox)."""
        if self.family == "lognormal":
            return stats.lognorm(s=self._param("sigma_log"), scale=np.exp(self._param("mean_log")))
        if self.family == "weibull":
            return stats.weibull_min(c=self._param("shape"), scale=self._param("scale"))
        return stats.norm(loc=self._param("mean"), scale=self._param("sigma"))

    def quantile(self, q: np.ndarray) -> np.ndarray:
        """Return the quantiles ``q`` on the original scale."""
        values = self._base().ppf(q)
        return (
            inv_boxcox(values, self._param("lmbda")) if self.family == "box-cox normal" else values
        )

    def cdf(self, x: float) -> float:
        """Return P(X <= x) on the original scale."""
        if self.family == "box-cox normal":
            x = boxcox(x, self._param("lmbda"))
        return float(self._base().cdf(x))

    def sf(self, x: float) -> float:
        """Return P(X > x) on the original scale, without cancellation in the upper tail."""
        if self.family == "box-cox normal":
            x = boxcox(x, self._param("lmbda"))
        return float(self._base().sf(x))

    def pdf(self, x: np.ndarray) -> np.ndarray:
        """Return the density on the original scale (Box-Cox includes the Jacobian)."""
        if self.family != "box-cox normal":
            return self._base().pdf(x)
        lmbda = self._param("lmbda")
        positive = np.where(x > 0, x, np.nan)
        density = self._base().pdf(boxcox(positive, lmbda)) * positive ** (lmbda - 1.0)
        return np.nan_to_num(density, nan=0.0)

    def describe(self) -> str:
        """Return the family and rounded parameters, for labels and method notes."""
        shown = ", ".join(f"{name}={value:.4g}" for name, value in self.params)
        return f"{self.family} ({shown})"


def fit_lognormal(values: np.ndarray) -> Fit:
    """Maximum-likelihood lognormal fit with threshold 0 (closed form on the log scale)."""
    logs = np.log(values)
    return Fit("lognormal", (("mean_log", float(logs.mean())), ("sigma_log", float(logs.std()))))


def fit_weibull(values: np.ndarray) -> Fit:
    """Two-parameter maximum-likelihood Weibull fit (threshold 0), by scipy."""
    shape, _, scale = stats.weibull_min.fit(values, floc=0.0)
    return Fit("weibull", (("shape", float(shape)), ("scale", float(scale))))
