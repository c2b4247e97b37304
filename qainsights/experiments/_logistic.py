"""Logistic regression on aggregated binomial cells, with moderator-clustered standard errors.

Audit rows are grouped into cells (one per combination of the model's columns and the
cluster), so a model of a million audits is fitted on a few thousand cells. The
cluster-robust covariance is computed from the cells' scores, which sum to the same
per-cluster scores as the rows they hold.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from .._caller import caller, user_stacklevel

_CONSTANT = "Intercept"
#: fitted probabilities this close to 0 or 1 mean (quasi-)separation
_SEPARATED = 1e-7
_MAX_ITERATIONS, _MAX_HALVINGS, _TOLERANCE = 100, 30, 1e-10


@dataclass(frozen=True)
class LogisticFit:
    """Coefficients of a logistic model, their covariance, and the cells and design it was fitted on."""

    params: pd.Series
    cov: pd.DataFrame
    n_audits: int
    n_clusters: int | None
    patterns: pd.DataFrame
    design: pd.DataFrame

    def wald(self, term: str, *, level: float, scale: float = 1.0) -> dict[str, float]:
        """Coefficient ``term`` (log-odds scale) with its Wald interval and p-value.

        ``scale`` multiplies the variance (a quasi-binomial dispersion).
        """
        se = float(np.sqrt(self.cov.loc[term, term] * scale))
        return wald(float(self.params[term]), se, level=level)


def wald(estimate: float, se: float, *, level: float) -> dict[str, float]:
    """A normal-theory estimate: ``estimate ± z·se`` and the two-sided p-value against 0."""
    z = stats.norm.isf((1 - level) / 2)
    return {
        "estimate": estimate,
        "se": se,
        "ci_low": estimate - z * se,
        "ci_high": estimate + z * se,
        "p_value": float(2 * stats.norm.sf(abs(estimate) / se)),
    }


def design_matrix(cells: pd.DataFrame, *, categorical, numeric) -> pd.DataFrame:
    """Intercept, numeric columns and treatment-coded dummies (first sorted level dropped).

    Dummy names follow R and patsy: ``column[T.level]``.
    """
    parts = [pd.DataFrame({_CONSTANT: np.ones(len(cells))}, index=cells.index)]
    parts.append(cells[list(numeric)].astype(float))
    for column in categorical:
        values = cells[column].astype(str)
        levels = np.sort(values.unique())
        dummies = pd.get_dummies(pd.Categorical(values, categories=levels), dtype=float).iloc[:, 1:]
        dummies.columns = [f"{column}[T.{level}]" for level in dummies.columns]
        dummies.index = cells.index
        parts.append(dummies)
    return pd.concat(parts, axis=1)


def _newton(x: np.ndarray, errors: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, bool]:
    """Maximise the binomial log-likelihood by Newton-Raphson with step halving.

    Starts from the overall log-odds; each step solves ``(X'WX) step = X'(k − n p)`` by least
    squares, so collinear columns get the minimum-norm step instead of an error.
    """
    params = np.zeros(x.shape[1])
    rate = np.clip(errors.sum() / n.sum(), 1e-12, 1 - 1e-12)
    params[0] = np.log(rate / (1 - rate))
    loglik = _loglik(x @ params, errors, n)
    for _ in range(_MAX_ITERATIONS):
        p = expit(x @ params)
        gradient = x.T @ (errors - n * p)
        hessian = x.T @ (x * (n * p * (1 - p))[:, None])
        step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        for _ in range(_MAX_HALVINGS):
            trial = _loglik(x @ (params + step), errors, n)
            if trial >= loglik - 1e-12:
                break
            step /= 2
        params, loglik = params + step, trial
        if np.abs(step).max() < _TOLERANCE:
            return params, True
    return params, False


def _loglik(eta: np.ndarray, errors: np.ndarray, n: np.ndarray) -> float:
    """Binomial log-likelihood (without the constant) at linear predictor ``eta``."""
    return float(errors @ eta - n @ np.logaddexp(0.0, eta))


def fit_cells(
    cells: pd.DataFrame,
    *,
    categorical: list[str],
    numeric: list[str],
    cluster: str | None,
) -> LogisticFit:
    """Fit ``logit P(error) = design · beta`` to binomial cells with ``errors`` and ``n``.

    The maximum-likelihood coefficients come from Newton-Raphson iterations (for the
    logistic link the same as IRLS and as statsmodels' binomial GLM, which the tests
    compare against), each a ``K x K`` solve, so thousands of cells fit in milliseconds.
    The coefficients depend on the cells only through their totals per covariate pattern,
    so the model is fitted on ``cells`` summed over ``cluster`` (far fewer rows). With
    ``cluster`` the covariance is the cluster-robust sandwich computed from the per-cluster
    cells' scores, with the small-sample factor ``G/(G − 1) · (N − 1)/(N − K)``, ``N``
    counting audits (as statsmodels' and Stata's row-level estimators do); without, it is
    the inverse Fisher information.
    """
    func = caller()
    columns = [*categorical, *numeric]
    patterns = cells.groupby(columns, observed=True, sort=True)[["errors", "n"]].sum()
    patterns = patterns.reset_index()
    design = design_matrix(patterns, categorical=categorical, numeric=numeric)
    errors, n = patterns["errors"].to_numpy(float), patterns["n"].to_numpy(float)
    x = design.to_numpy(dtype=float)
    params, converged = _newton(x, errors, n)
    p = expit(x @ params)
    if not converged or (np.minimum(p, 1 - p) < _SEPARATED).any():
        warnings.warn(
            f"{func}: the logistic model did not converge cleanly: some covariate level has "
            "no errors (or only errors), so its coefficient runs off to infinity. Drop or merge "
            "such levels and refit.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    names = list(design.columns)
    bread = np.linalg.pinv(x.T @ (x * (n * p * (1 - p))[:, None]))
    n_audits = int(n.sum())
    n_clusters = None
    cov = bread
    if cluster is not None:
        fine = design_matrix(cells, categorical=categorical, numeric=numeric).to_numpy(dtype=float)
        residual = cells["errors"].to_numpy(float) - cells["n"].to_numpy(float) * expit(
            fine @ params
        )
        codes, uniques = pd.factorize(cells[cluster])
        n_clusters = len(uniques)
        scores = np.column_stack(
            [
                np.bincount(codes, weights=fine[:, j] * residual, minlength=n_clusters)
                for j in range(len(names))
            ]
        )
        factor = n_clusters / (n_clusters - 1) * (n_audits - 1) / (n_audits - len(names))
        cov = factor * bread @ (scores.T @ scores) @ bread
    return LogisticFit(
        params=pd.Series(params, index=names),
        cov=pd.DataFrame(cov, index=names, columns=names),
        n_audits=n_audits,
        n_clusters=n_clusters,
        patterns=patterns,
        design=design,
    )
