"""Argument checks shared by the experiment designs: columns, outcome, dates, arms."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._caller import caller
from .._validation import (
    as_column_list,
    check_columns,
    check_complete,
    check_confidence,
    check_frame,
    outcome_indicator,
)


def check_audits(audits, *, columns, outcome, ci) -> np.ndarray:
    """Check the frame, its columns, missing values and ``ci``; return the 0/1 outcome."""
    func = caller()
    check_frame(audits, name="audits")
    check_confidence(ci)
    check_columns(audits, [*columns, outcome], param="audits")
    if audits.empty:
        raise ValueError(f"{func} got no audits: 'audits' has 0 rows. Check the filter upstream.")
    check_complete(audits, [*columns, outcome])
    return outcome_indicator(audits[outcome], outcome).iloc[:, 0].to_numpy()


def covariate_list(covariates, *, reserved) -> list[str]:
    """Return the covariate columns, refusing those the design already uses."""
    func = caller()
    names = as_column_list(covariates)
    clash = [c for c in names if c in reserved]
    if clash:
        raise ValueError(
            f"The 'covariates' parameter of {func} names {clash[0]!r}, which the design already "
            "uses. Remove it from 'covariates'."
        )
    return names


def check_has_errors(y: np.ndarray, *, where: str = "the audits") -> None:
    """Raise when every outcome is 0 or every outcome is 1: no odds can be estimated."""
    func = caller()
    if not y.any() or y.all():
        kind = "no errors" if not y.any() else "only errors"
        raise ValueError(
            f"{func} found {kind} in {where} ({len(y)} audits): an error rate of "
            f"{'0' if not y.any() else '1'} has no odds to compare. Check the outcome column, "
            "or widen the period."
        )


def intervention_start(audits, *, time: str, start) -> pd.Timestamp:
    """Return ``start`` as a Timestamp after checking it falls inside the data's periods."""
    func = caller()
    values = audits[time]
    if not pd.api.types.is_datetime64_any_dtype(values):
        raise ValueError(
            f"The {time!r} column of {func} must hold dates (datetime64). Got dtype "
            f"{values.dtype} instead; convert it with pd.to_datetime first."
        )
    try:
        when = pd.Timestamp(start)
    except (TypeError, ValueError):
        raise ValueError(
            f"The 'start' parameter of {func} must be a date, for example '2026-08-03'. "
            f"Got {start!r} instead."
        ) from None
    first, last = values.min(), values.max()
    if not first < when <= last:
        raise ValueError(
            f"The 'start' parameter of {func} must fall after the first period and on or before "
            f"the last period in {time!r} ({first.date()} to {last.date()}), so that there are "
            f"audits before and after it. Got {when.date()} instead."
        )
    return when


def period_step(times: pd.Series) -> pd.Timedelta:
    """The spacing of the distinct periods: the smallest gap between consecutive ones."""
    distinct = np.sort(times.unique())
    return pd.Timedelta(np.diff(distinct).min())
