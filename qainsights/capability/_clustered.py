"""Effective counts of a defect rate whose units come in correlated clusters (moderators).

With clusters as the sampling units (drawn with replacement), the rate ``r = D / E`` of
``D`` defects in an exposure ``E`` (opportunities, or units for the Poisson model) has the
Taylor-linearised variance ``m / (m - 1) Σ_c (d_c - r e_c)² / E²`` over its ``m`` clusters
(Cochran 1977, as :func:`qainsights.rates.error_rate` with ``cluster``). The effective
exposure is the one whose binomial (or Poisson) variance equals it, ``r (1 - r) / var`` (or
``r / var``), shrunk by Korn & Graubard's factor ``(t_{E-1} / t_{m-1})²`` so that few clusters
widen the interval; the effective defects are ``r`` times it. The count intervals then apply
to these effective counts, as Kish's effective sample size does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._design import CLUSTER, OUTCOME, STRATUM, degrees_of_freedom_factor, ratio_variance

__all__ = ["effective_counts"]


def effective_counts(
    by_cluster: pd.DataFrame, groups: list[str], cluster: str, *, model: str, ci: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(defects, exposure, clusters)`` per group, effective where clusters vary.

    ``by_cluster`` holds one row per group and ``cluster`` with the sums ``defects`` and
    ``exposure``; groups come out in sorted order. The variance and the factor are those of
    :func:`qainsights.error_rate` with ``cluster`` (a group is a domain of the whole sample
    of clusters). A group whose clusters show no spread keeps its counts; a group of one
    cluster gets NaN (no variance can be estimated).

    Examples
    --------
    Two moderators with 1 of 10 and 5 of 10 decisions wrong: ``r = 0.3``, residuals -2 and 2,
    ``var = 2 x 8 / 400 = 0.04``, so ``r (1 - r) / var = 5.25`` opportunities, times
    ``(t_19 / t_1)² = 0.0271`` at 95 %:

    >>> table = pd.DataFrame({"moderator": [1, 2], "defects": [1.0, 5.0],
    ...                       "exposure": [10.0, 10.0]})
    >>> defects, exposure, clusters = effective_counts(table, [], "moderator",
    ...                                                model="binomial", ci=0.95)
    >>> round(float(exposure[0]), 4), round(float(defects[0] / exposure[0]), 2), int(clusters[0])
    (0.1425, 0.3, 2)
    """
    keys = [*groups, OUTCOME]
    sums = by_cluster.rename(columns={cluster: CLUSTER, "defects": "sum_wy", "exposure": "sum_w"})
    sums = sums.assign(**{OUTCOME: 0, STRATUM: 0}).set_index([*keys, STRATUM, CLUSTER])
    table = sums.groupby(level=keys, sort=True)[["sum_wy", "sum_w"]].sum()
    exposure = table["sum_w"].to_numpy(float)
    rate = table["sum_wy"].to_numpy(float) / exposure
    variance = ratio_variance(sums, table, keys=keys).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        model_variance = rate * (1 - rate) if model == "binomial" else rate
        effective = np.where(variance > 0, model_variance / variance, exposure)
    effective = effective * degrees_of_freedom_factor(sums, table, exposure, ci)
    clusters = sums.groupby(level=keys, sort=True).size().to_numpy()
    return rate * effective, effective, clusters
