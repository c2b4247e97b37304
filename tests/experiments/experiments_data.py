"""Shared data of the experiment tests: small simulated audit sets, made once per session."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from scipy.special import expit

from qainsights.datasets import simulate_audits

#: 16 weeks from 2025-11-03; the training wave starts at week round(0.75 x 16) = 12
TRAINING_START = pd.Timestamp("2025-11-03") + pd.Timedelta(weeks=12)


@cache
def _small_audits() -> pd.DataFrame:
    return simulate_audits(seed=5, weeks=16, audits_per_week=600, effects=["training_wave"]).audits


def small_audits() -> pd.DataFrame:
    """A fresh copy of 16 simulated weeks with only the training wave planted."""
    return _small_audits().copy()


def row_design(rows: pd.DataFrame, categorical: list[str], numeric: list[str]) -> pd.DataFrame:
    """A row-level design matrix built independently of qainsights (pandas dummies)."""
    dummies = pd.get_dummies(rows[categorical].astype(str), drop_first=True, dtype=float)
    return pd.concat(
        [pd.DataFrame({"const": np.ones(len(rows))}, index=rows.index), rows[numeric], dummies],
        axis=1,
    )


def site_weeks(seed=11, sites=4, weeks=12, per_cell=200, shock_sd=0.3):
    """Audit rows of sites x weeks with a logit-normal shock per cell (no treatment effect)."""
    rng = np.random.default_rng(seed)
    p = expit(-2.4 + rng.normal(0, shock_sd, (sites, weeks)))
    errors = rng.binomial(per_cell, p)
    site, week = np.divmod(np.arange(sites * weeks), weeks)
    return pd.DataFrame(
        {
            "site": np.repeat([f"s{i}" for i in site], per_cell),
            "week": np.repeat(
                pd.Timestamp("2026-01-05") + pd.to_timedelta(7 * week, "D"), per_cell
            ),
            "is_error": (np.arange(per_cell)[None, :] < errors.ravel()[:, None]).ravel(),
        }
    )
