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

__all__ = ["cluster_sums", "effective_counts"]


def cluster_sums(
    by_cluster: pd.DataFrame, groups: list[str], cluster: str, *, exposure: str
) -> pd.DataFrame:
    """The design sums of :mod:`qainsights._design` (one outcome, one stratum) from the totals
    per group and ``cluster``: ``errors`` and ``sum_wy`` are its ``defects``, ``n`` and ``sum_w``
    its ``exposure`` column, indexed by the groups, ``_outcome``, ``_stratum`` and ``_cluster``.

    Examples
    --------
    >>> table = pd.DataFrame({"moderator": [1, 2], "defects": [1, 5], "audits": [10, 10]})
    >>> cluster_sums(table, [], "moderator", exposure="audits")["sum_wy"].tolist()
    [1.0, 5.0]
    """
    keys = by_cluster[[*groups, cluster]].assign(**{OUTCOME: 0, STRATUM: 0})
    keys = keys.rename(columns={cluster: CLUSTER})[[*groups, OUTCOME, STRATUM, CLUSTER]]
    defects = by_cluster["defects"].to_numpy(float)
    size = by_cluster[exposure].to_numpy(float)
    return pd.DataFrame(
        {"errors": defects, "n": size, "sum_wy": defects, "sum_w": size},
        index=pd.MultiIndex.from_frame(keys),
    )


def effective_counts(
    by_cluster: pd.DataFrame,
    groups: list[str],
    cluster: str,
    *,
    exposure: str,
    model: str,
    ci: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(defects, exposure, clusters)`` per group, effective where clusters vary.

    ``by_cluster`` holds one row per group and ``cluster`` with the sums ``defects`` and the
    column named by ``exposure``; groups come out in sorted order. The variance and the factor
    are those of :func:`qainsights.error_rate` with ``cluster`` (a group is a domain of the whole sample
    of clusters). A group whose clusters show no spread keeps its counts; a group of one
    cluster gets NaN (no variance can be estimated).

    Examples
    --------
    Two moderators with 1 of 10 and 5 of 10 decisions wrong: ``r = 0.3``, residuals -2 and 2,
    ``var = 2 x 8 / 400 = 0.04``, so ``r (1 - r) / var = 5.25`` opportunities, times
    ``(t_19 / t_1)² = 0.0271`` at 95 %:

    >>> table = pd.DataFrame({"moderator": [1, 2], "defects": [1.0, 5.0],
    ...                       "opportunities": [10.0, 10.0]})
    >>> defects, exposure, clusters = effective_counts(
    ...     table, [], "moderator", exposure="opportunities", model="binomial", ci=0.95)
    >>> round(float(exposure[0]), 4), round(float(defects[0] / exposure[0]), 2), int(clusters[0])
    (0.1425, 0.3, 2)
    """
    keys = [*groups, OUTCOME]
    sums = cluster_sums(by_cluster, groups, cluster, exposure=exposure)
    table = sums.groupby(level=keys, sort=True)[["sum_wy", "sum_w"]].sum()
    size = table["sum_w"].to_numpy(float)
    rate = table["sum_wy"].to_numpy(float) / size
    variance = ratio_variance(sums, table, keys=keys).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        model_variance = rate * (1 - rate) if model == "binomial" else rate
        effective = np.where(variance > 0, model_variance / variance, size)
    effective = effective * degrees_of_freedom_factor(sums, table, size, ci)
    clusters = sums.groupby(level=keys, sort=True).size().to_numpy()
    return rate * effective, effective, clusters
