"""Whole-file checks of an export: its columns, the mappings and the reading options.

These problems concern the export as a whole, not some of its rows, so they always raise.
A column that is missing is matched to the nearest column present (``difflib``), ignoring case,
blanks and punctuation.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._caller import caller
from .._validation import format_values
from .schema import ACTIONS, AUDIT_SCHEMA

CANONICAL = [c.name for c in AUDIT_SCHEMA]
_REQUIRED = [c.name for c in AUDIT_SCHEMA if c.role == "required"]


def _key(name: object) -> str:
    return re.sub(r"[\W_]+", "_", str(name).strip().lower()).strip("_")


def _nearest(name: str, candidates) -> str | None:
    """The candidate most like ``name`` (ignoring case, blanks and punctuation), if any is close."""
    keyed = {_key(c): c for c in candidates}
    match = difflib.get_close_matches(_key(name), list(keyed), n=1, cutoff=0.6)
    return keyed[match[0]] if match else None


def rename(frame: pd.DataFrame, columns: Mapping[str, str] | None) -> pd.DataFrame:
    func = caller()
    columns = dict(columns or {})
    unknown = [v for v in columns.values() if v not in CANONICAL]
    if unknown:
        raise ValueError(
            f"The 'columns' parameter of {func} maps to {format_values(unknown)}, which "
            f"are not canonical audit columns. Map to one of {format_values(CANONICAL, 40)}."
        )
    absent = [k for k in columns if k not in frame.columns]
    if absent:
        near = _nearest(absent[0], frame.columns)
        hint = f" Did you mean {near!r}?" if near is not None else ""
        raise ValueError(
            f"The 'columns' parameter of {func} names {format_values(absent)}, which the "
            f"data does not have.{hint} Columns present: {format_values(frame.columns, 40)}."
        )
    renamed = frame.rename(columns=columns)
    if renamed.columns.duplicated().any():
        dupes = renamed.columns[renamed.columns.duplicated()].unique()
        raise ValueError(
            f"After renaming, the data has several columns called {format_values(dupes)}. "
            "Map only one source column to each canonical column."
        )
    return renamed


def check_required(frame: pd.DataFrame) -> None:
    func = caller()
    needed = [c for c in _REQUIRED if c not in frame.columns]
    if needed:
        spare = [c for c in frame.columns if c not in CANONICAL]
        near = {c: _nearest(c, spare) for c in needed}
        near = {c: n for c, n in near.items() if n is not None}
        mapping = {n: c for c, n in near.items()} or {"your_name": needed[0]}
        hint = "".join(f" Did you mean {n!r} for {c!r}?" for c, n in near.items())
        raise ValueError(
            f"{func} needs column(s) {format_values(needed, 20)}, which the data does not have. "
            f"Columns present: {format_values(frame.columns, 40)}.{hint} Map your names with "
            f"columns={mapping!r}."
        )


def check_actions(actions: Mapping[str, str] | None) -> dict[str, str]:
    func = caller()
    actions = dict(actions or {})
    wrong = [v for v in actions.values() if v not in ACTIONS]
    if wrong:
        raise ValueError(
            f"The 'actions' parameter of {func} maps to {format_values(wrong)}. Map each of "
            f"your action values to one of {format_values(ACTIONS)}."
        )
    return actions


def check_date_options(date_format, dayfirst) -> None:
    func = caller()
    if date_format is not None and not isinstance(date_format, str):
        raise TypeError(
            f"The 'date_format' parameter of {func} must be a strftime format such as "
            f"'%d/%m/%Y %H:%M', or None to infer it. Got {type(date_format).__name__} instead."
        )
    if dayfirst is not None and not isinstance(dayfirst, (bool, np.bool_)):
        raise TypeError(
            f"The 'dayfirst' parameter of {func} must be True, False or None. Got {dayfirst!r} "
            "instead."
        )
    if date_format is not None and dayfirst is not None:
        raise ValueError(
            f"{func} takes date_format or dayfirst, not both: date_format={date_format!r} "
            "already fixes the order of day and month. Drop dayfirst."
        )
