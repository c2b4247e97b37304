"""Assumption checks shared by the regression designs: clusters per arm, errors per coefficient."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .result import assumption_row

#: fewest clusters per arm for cluster-robust errors to be trusted (Cameron & Miller, 2015)
MIN_CLUSTERS = 30
#: fewest errors per model coefficient (Peduzzi et al., 1996)
MIN_EVENTS_PER_PARAMETER = 10


def cluster_check(arm: pd.Series, clusters: pd.Series | None) -> dict:
    """Clusters in the smaller arm against :data:`MIN_CLUSTERS`; no verdict without clusters."""
    if clusters is None:
        return assumption_row(
            "independent audits",
            np.nan,
            np.nan,
            None,
            "no cluster column: audits taken as independent",
        )
    fewest = int(clusters.groupby(arm.to_numpy()).nunique().min())
    return assumption_row(
        "enough clusters",
        float(fewest),
        np.nan,
        fewest >= MIN_CLUSTERS,
        f"{fewest} clusters in the smaller arm (cluster-robust errors want at least "
        f"{MIN_CLUSTERS} per arm)",
    )


def events_check(errors: float, n_params: int) -> dict:
    """Errors per model coefficient against :data:`MIN_EVENTS_PER_PARAMETER`."""
    ratio = float(errors) / n_params
    return assumption_row(
        "events per parameter",
        ratio,
        np.nan,
        ratio >= MIN_EVENTS_PER_PARAMETER,
        f"{float(errors):.0f} errors for {n_params} coefficients (at least "
        f"{MIN_EVENTS_PER_PARAMETER} per coefficient)",
    )
