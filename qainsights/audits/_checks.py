"""Row-level checks of the canonical audit table: every problem is one row of a problems frame."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._compat import STR
from .._validation import format_values
from . import _coerce
from ._dates import parse_timestamps
from ._labels import LABEL_COLUMNS, read_labels
from ._missing import present_values
from .schema import ACTIONS, AUDIT_SCHEMA, ERROR_TYPES, Column

#: What each rule means and what to do about it.
RULES: dict[str, str] = {
    "missing_value": "is missing in a required column; fill it at the source",
    "unparseable_timestamp": "is not a timestamp in the column's format",
    "not_a_number": "is not a number",
    "non_finite_number": "is not a finite number; correct it at the source",
    "unparseable_boolean": "is not a boolean; use True/False, 1/0, yes/no or y/n",
    "unknown_value": "is not one of the allowed values; correct it at the source (actions can "
    "also be mapped with the 'actions' argument)",
    "duplicate_audit_id": "is shared by several rows; every audit needs its own id",
    "negative_value": "is negative; durations and tenures must be >= 0",
    "non_positive_weight": "is 0 or negative; sampling weights must be > 0 (leave it empty "
    "for a self-weighting sample)",
    "audit_before_decision": "is earlier than decision_time; an audit follows its decision",
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

_NO_PROBLEMS = pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in _EMPTY.items()})


def _problems(
    mask: np.ndarray, raw: pd.DataFrame, column: str, rule: str, detail: str = ""
) -> pd.DataFrame:
    rows = np.flatnonzero(mask)
    if not len(rows):
        return _NO_PROBLEMS  # shared and never modified: the caller concatenates
    values = raw[column].iloc[rows] if column in raw else pd.Series([pd.NA] * len(rows))
    ids = raw["audit_id"].iloc[rows] if "audit_id" in raw else pd.Series([pd.NA] * len(rows))
    return pd.DataFrame(
        {
            "row": rows,
            "audit_id": ids.astype(STR).to_numpy(),
            "column": column,
            "rule": rule,
            "value": values.astype(STR).to_numpy(),
            "message": f"{column} {RULES[rule]}{detail}",
        }
    )


@dataclass(frozen=True)
class Options:
    """How to read the values: action mapping, timestamp format, the caller's name."""

    actions: Mapping[str, str]
    date_format: str | None
    dayfirst: bool | None
    func: str


def coerce(
    raw: pd.DataFrame, options: Options
) -> tuple[dict[str, pd.Series], list[pd.DataFrame], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Type every canonical column present in ``raw``.

    Returns the typed columns, the problems, and the label columns' factorisations.
    """
    typed: dict[str, pd.Series] = {}
    found = []
    factorized = {}
    for col in AUDIT_SCHEMA:
        if col.name not in raw:
            continue
        if col.name in LABEL_COLUMNS:
            values, factorized[col.name] = read_labels(raw[col.name])
            flagged, missing = {}, values.isna().to_numpy()
        else:
            values, flagged, missing = _coerce_column(raw[col.name], col, options)
        typed[col.name] = values
        bad = np.zeros(len(raw), dtype=bool)
        for rule, (mask, detail) in flagged.items():
            found.append(_problems(mask, raw, col.name, rule, detail))
            bad |= mask
        if col.role == "required":
            found.append(_problems(missing & ~bad, raw, col.name, "missing_value"))
    return typed, found, factorized


def _coerce_column(
    values: pd.Series, col: Column, options: Options
) -> tuple[pd.Series, dict[str, tuple[np.ndarray, str]], np.ndarray]:
    """The typed column, its problems by rule (mask and detail), and its missing values."""
    if col.kind in ("bool", "action", "category"):
        return _coerce_labels(values, col, options)
    present = present_values(values, col.kind, col.allowed)
    missing = present.isna().to_numpy()
    if col.kind in ("id", "text"):
        return _coerce.as_text(present), {}, missing
    if col.kind == "datetime":
        parsed = parse_timestamps(
            present,
            column=col.name,
            date_format=options.date_format,
            dayfirst=options.dayfirst,
        )
        detail = f" ({parsed.format})"
        return parsed.timestamps, {"unparseable_timestamp": (parsed.bad, detail)}, missing
    number, not_number, infinite = _coerce.as_number(present)
    flagged = {"not_a_number": (not_number, ""), "non_finite_number": (infinite, "")}
    return number, flagged, missing


def _coerce_labels(
    values: pd.Series, col: Column, options: Options
) -> tuple[pd.Series, dict[str, tuple[np.ndarray, str]], np.ndarray]:
    """Booleans, actions and categories, read once per distinct value."""

    def read(distinct: pd.Series):
        present = present_values(distinct, col.kind, col.allowed)
        if col.kind == "bool":
            parsed, bad = _coerce.as_bool(present)
        elif col.kind == "action":
            parsed, bad = _coerce.as_action(present, col, dict(options.actions))
        else:
            parsed, bad = _coerce.as_category(present, col)
        return parsed, bad, present.isna().to_numpy()

    parsed, bad, missing = _coerce.by_distinct(values, read)
    if col.kind == "bool":
        return parsed, {"unparseable_boolean": (bad, "")}, missing
    allowed = f"; allowed: {format_values(col.allowed, limit=len(col.allowed))}"
    return parsed, {"unknown_value": (bad, allowed)}, missing


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


def summarise(problems: pd.DataFrame, n_rows: int, func: str, where: str) -> str:
    """One paragraph: how many rows are affected, then one line per (column, rule) with examples.

    ``where`` names the rows of ``problems['location']``: ``"line"`` (of a text file),
    ``"row"`` (of a worksheet) or ``"index"`` (labels of a frame).
    """
    bad_rows = problems["row"].nunique()
    lines = [f"{func} found problems in {bad_rows:,} of {n_rows:,} rows:"]
    for _, group in problems.groupby(["column", "rule"], sort=False):
        places = group["location"].unique()
        noun = {"line": "line", "row": "sheet row", "index": "index"}[where]
        if len(places) > 1 and where != "index":
            noun += "s"
        values = format_values(group["value"].unique(), limit=3)
        lines.append(
            f"- {len(group):,} row(s): {group['message'].iloc[0]} "
            f"({noun} {format_values(places, limit=3)}; values {values})"
        )
    return "\n".join(lines)
