"""How clustered errors are: the intra-class correlation of errors within moderators."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._caller import caller, public
from ._inputs import check_audits

__all__ = ["cluster_icc"]


@public
def cluster_icc(audits, *, cluster="moderator_id", outcome="is_error"):
    """Intra-class correlation of errors within clusters (moderators), by one-way ANOVA.

    With ``k`` clusters of sizes ``nᵢ`` holding ``yᵢ`` errors among ``N`` audits,
    ``MSB = (Σ yᵢ²/nᵢ − (Σ yᵢ)²/N)/(k − 1)``, ``MSW = (Σ yᵢ − Σ yᵢ²/nᵢ)/(N − k)``,
    ``n₀ = (N − Σ nᵢ²/N)/(k − 1)`` and ``ρ = (MSB − MSW)/(MSB + (n₀ − 1) MSW)``, the ANOVA
    estimator that Ridout, Demétrio & Firth (1999) recommend for binary data. It can be
    negative when clusters vary less than chance; the design effect
    ``1 + (n̄ − 1) max(ρ, 0)`` uses the mean cluster size ``n̄``.

    Parameters
    ----------
    audits : pandas.DataFrame
        One row per audit.
    cluster : str, default "moderator_id"
        Cluster column.
    outcome : str, default "is_error"
        True/False (or 1/0) column.

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``n_clusters``, ``mean_cluster_size``, ``icc``, ``design_effect``.

    Raises
    ------
    ValueError
        For missing columns or values, fewer than two clusters, or clusters of one audit
        each (no within-cluster variation to compare with).

    References
    ----------
    .. [1] Ridout, M. S., Demétrio, C. G. B. & Firth, D. (1999). Estimating intraclass
       correlation for binary data. Biometrics 55, 137-148.
    .. [2] Donner, A. & Klar, N. (2000). Design and Analysis of Cluster Randomization
       Trials in Health Research. Arnold.

    Examples
    --------
    >>> audits = pd.DataFrame({"moderator_id": list("aaaabbbbcccc"),
    ...                        "is_error": [1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0]})
    >>> cluster_icc(audits).round(3)
        n  n_clusters  mean_cluster_size    icc  design_effect
    0  12           3                4.0  0.385          2.154
    """
    func = caller()
    y = check_audits(audits, columns=[cluster], outcome=outcome, ci=0.95)
    codes, uniques = pd.factorize(audits[cluster])
    k, big_n = len(uniques), len(y)
    if k < 2 or big_n == k:
        raise ValueError(
            f"{func} needs at least two clusters and more audits than clusters. Got {big_n} "
            f"audits in {k} clusters of column {cluster!r}."
        )
    sizes = np.bincount(codes).astype(float)
    errors = np.bincount(codes, weights=y)
    between_sum = (errors**2 / sizes).sum()
    msb = (between_sum - errors.sum() ** 2 / big_n) / (k - 1)
    msw = (errors.sum() - between_sum) / (big_n - k)
    n0 = (big_n - (sizes**2).sum() / big_n) / (k - 1)
    denominator = msb + (n0 - 1) * msw
    icc = (msb - msw) / denominator if denominator > 0 else np.nan
    mean_size = big_n / k
    return pd.DataFrame(
        {
            "n": [big_n],
            "n_clusters": [k],
            "mean_cluster_size": [mean_size],
            "icc": [icc],
            "design_effect": [1 + (mean_size - 1) * max(icc, 0.0)],
        }
    )
