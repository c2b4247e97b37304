"""Row-level checks of the canonical audit table: every problem is one row of a problems frame."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._compat import STR
from .._validation import format_values
from . import _coerce
from .schema import ACTIONS, AUDIT_SCHEMA, ERROR_TYPES, Column

#: What each rule means and what to do about it.
RULES: dict[str, str] = {
    "missing_value": "is missing in a required column; fill it at the source",
    "unparseable_timestamp": "is not a readable timestamp; use ISO 8601 such as '2026-10-05 14:30:00'",
    "not_a_number": "is not a number",
    "unparseable_boolean": "is not a boolean; use True/False, 1/0 or yes/no",
    "unknown_value": "is not one of the allowed values; correct it at the source (actions can "
    "also be mapped with the 'actions' argument)",
    "duplicate_audit_id": "is an audit_id shared by several rows; every audit needs its own id",
    "negative_value": "is negative; durations and tenures must be >= 0",
    "non_positive_weight": "is a sampling weight <= 0; weights must be > 0 (leave it empty "
    "for a self-weighting sample)",
    "audit_before_decision": "is an audit_time earlier than the decision_time",
    "derived_mismatch": "disagrees with the value derived from the actions, policies and "
    "decision_time; correct it or leave the column out",
}

_EMPTY = {
    "row": "int64",
    "audit_id": STR,
    "column": STR,
    "rule": STR,
    "value": STR,
    "message": STR,
}


def _problems(
    mask: np.ndarray, raw: pd.DataFrame, column: str, rule: str, allowed: tuple[str, ...] = ()
) -> pd.DataFrame:
    rows = np.flatnonzero(mask)
    if not len(rows):
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in _EMPTY.items()})
    message = f"{column} {RULES[rule]}"
    if allowed:
        message += f"; allowed: {format_values(allowed, limit=len(allowed))}"
    values = raw[column].iloc[rows] if column in raw else pd.Series([pd.NA] * len(rows))
    ids = raw["audit_id"].iloc[rows] if "audit_id" in raw else pd.Series([pd.NA] * len(rows))
    return pd.DataFrame(
        {
            "row": rows,
            "audit_id": ids.astype(STR).to_numpy(),
            "column": column,
            "rule": rule,
            "value": values.astype(STR).to_numpy(),
            "message": message,
        }
    )


def coerce(
    raw: pd.DataFrame, actions: Mapping[str, str]
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Type every canonical column present in ``raw``; return the typed frame and its problems."""
    typed: dict[str, pd.Series] = {}
    found = []
    for col in AUDIT_SCHEMA:
        if col.name not in raw:
            continue
        values, bad, rule = _coerce_column(raw[col.name], col, actions)
        typed[col.name] = values
        found.append(_problems(bad, raw, col.name, rule, col.allowed))
        if col.role == "required":
            missing = (raw[col.name].isna() | values.isna()).to_numpy() & ~bad
            found.append(_problems(missing, raw, col.name, "missing_value"))
    return pd.DataFrame(typed, index=raw.index), found


def _coerce_column(
    values: pd.Series, col: Column, actions: Mapping[str, str]
) -> tuple[pd.Series, np.ndarray, str]:
    if col.kind in ("id", "text"):
        text = _coerce.as_text(values)
        return text, np.zeros(len(values), dtype=bool), "unknown_value"
    if col.kind == "datetime":
        return (*_coerce.as_datetime(values), "unparseable_timestamp")
    if col.kind == "number":
        return (*_coerce.as_number(values), "not_a_number")
    if col.kind == "bool":
        return (*_coerce.as_bool(values), "unparseable_boolean")
    if col.kind == "action":
        return (*_coerce.as_action(values, col, actions), "unknown_value")
    return (*_coerce.as_category(values, col), "unknown_value")


def domain_problems(typed: pd.DataFrame, raw: pd.DataFrame) -> list[pd.DataFrame]:
    """Checks that need typed values: signs, duplicates, time order."""
    found = []
    for name in ("handle_time_s", "tenure_days"):
        if name in typed:
            found.append(_problems((typed[name] < 0).to_numpy(), raw, name, "negative_value"))
    if "weight" in typed:
        found.append(
            _problems((typed["weight"] <= 0).to_numpy(), raw, "weight", "non_positive_weight")
        )
    ids = typed["audit_id"]
    duplicated = (ids.duplicated(keep=False) & ids.notna()).to_numpy()
    found.append(_problems(duplicated, raw, "audit_id", "duplicate_audit_id"))
    if "audit_time" in typed:
        early = (typed["audit_time"] < typed["decision_time"]).to_numpy()
        found.append(_problems(early, raw, "audit_time", "audit_before_decision"))
    return found


def derive_errors(typed: pd.DataFrame) -> pd.DataFrame:
    """Add ``error_type`` and ``is_error`` from the actions (and cited policies when present)."""
    mod = typed["moderator_action"].cat.codes.to_numpy()
    qa = typed["qa_action"].cat.codes.to_numpy()
    known = (mod >= 0) & (qa >= 0)
    wrong_policy = np.zeros(len(typed), dtype=bool)
    if {"moderator_policy", "qa_policy"} <= set(typed.columns):
        cited = typed["moderator_policy"].notna() & typed["qa_policy"].notna()
        differs = cited & (typed["moderator_policy"] != typed["qa_policy"])
        wrong_policy = differs.to_numpy() & (mod == qa) & (mod > ACTIONS.index("no_action"))
    codes = np.select([~known, mod > qa, mod < qa, wrong_policy], [-1, 1, 2, 3], default=0)
    error_type = pd.Categorical.from_codes(
        codes, dtype=pd.CategoricalDtype(list(ERROR_TYPES), ordered=False)
    )
    derived = typed.assign(error_type=error_type)
    derived["is_error"] = pd.array(np.where(known, codes > 0, pd.NA), dtype="boolean")
    return derived


def mismatch_problems(
    derived: pd.DataFrame, typed: pd.DataFrame, raw: pd.DataFrame
) -> list[pd.DataFrame]:
    """Rows whose supplied derived columns (``is_error``, ``week``, ``month``) disagree."""
    found = []
    for name in ("is_error", "week", "month"):
        if name in typed:
            supplied, own = typed[name], derived[name]
            disagree = (supplied.notna() & own.notna() & (supplied != own)).fillna(False)
            found.append(_problems(disagree.to_numpy(dtype=bool), raw, name, "derived_mismatch"))
    return found


def summarise(problems: pd.DataFrame, n_rows: int, func: str) -> str:
    """One paragraph: how many rows are affected, then one line per (column, rule) with examples."""
    bad_rows = problems["row"].nunique()
    lines = [f"{func} found problems in {bad_rows:,} of {n_rows:,} rows:"]
    for _, group in problems.groupby(["column", "rule"], sort=False):
        rows = format_values(group["row"].unique(), limit=3)
        values = format_values(group["value"].unique(), limit=3)
        lines.append(
            f"- {len(group):,} row(s): {group['message'].iloc[0]} (rows {rows}; values {values})"
        )
    return "\n".join(lines)
