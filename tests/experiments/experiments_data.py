"""Shared data of the experiment tests: small simulated audit sets, made once per session."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

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
