"""Reading audit exports and turning them into the canonical audit table."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._results import TidyResult
from .._validation import check_option, format_values
from . import _checks
from .schema import ACTIONS, AUDIT_SCHEMA

__all__ = [
    "AuditValidation",
    "AuditValidationError",
    "DataQualityWarning",
    "load_audits",
    "validate_audits",
]

_CANONICAL = [c.name for c in AUDIT_SCHEMA]
_REQUIRED = [c.name for c in AUDIT_SCHEMA if c.role == "required"]


class DataQualityWarning(UserWarning):
    """Rows were excluded from an audit table; the message says how many and why."""


class AuditValidationError(ValueError):
    """An audit export failed validation; ``.validation`` holds the full report."""

    def __init__(self, message: str, validation: AuditValidation):
        super().__init__(message)
        self.validation = validation


@dataclass(frozen=True, repr=False)
class AuditValidation(TidyResult):
    """The outcome of validating an audit export.

    Attributes
    ----------
    audits : DataFrame
        The canonical audit table of the rows that passed every check.
    problems : DataFrame
        One row per problem: ``row`` (0-based position in the input), ``audit_id``, ``column``,
        ``rule``, ``value`` (as read), ``message``. A row can have several problems.
    excluded : DataFrame
        The excluded input rows, unchanged, with a ``reasons`` column.
    n_rows : int
        Rows in the input.
    """

    audits: pd.DataFrame
    problems: pd.DataFrame
    excluded: pd.DataFrame
    n_rows: int
    _title = "Audit validation"

    @property
    def ok(self) -> bool:
        """True when no row had a problem."""
        return self.problems.empty

    def summary(self) -> str:
        """A readable paragraph: rows affected, then each column and rule with example rows."""
        if self.ok:
            return f"validate_audits: all {self.n_rows:,} rows passed."
        return _checks.summarise(self.problems, self.n_rows, "validate_audits")

    def to_frame(self) -> pd.DataFrame:
        """Problems counted by column and rule: ``column``, ``rule``, ``rows``, ``examples``."""
        grouped = self.problems.groupby(["column", "rule"], sort=False)
        return grouped.agg(
            rows=("row", "nunique"),
            examples=("value", lambda v: format_values(v.unique(), limit=3)),
        ).reset_index()


def read_table(
    source: str | os.PathLike | pd.DataFrame,
    *,
    sheet_name: str | int = 0,
    func: str = "load_audits",
) -> pd.DataFrame:
    """Read a CSV/TSV, Parquet or Excel file, or pass a DataFrame through (never modified)."""
    if isinstance(source, pd.DataFrame):
        return source
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(
            f"The 'source' parameter of {func} must be a file path or a pandas DataFrame. "
            f"Got {type(source).__name__} instead."
        )
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"{func}: no file at {str(path)!r}. Check the path.")
    suffix = "".join(path.suffixes[-2:]).lower() if path.suffix == ".gz" else path.suffix.lower()
    if suffix in (".csv", ".csv.gz", ".txt"):
        return pd.read_csv(path, dtype="str", keep_default_na=True)
    if suffix in (".tsv", ".tsv.gz"):
        return pd.read_csv(path, sep="\t", dtype="str", keep_default_na=True)
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        try:
            return pd.read_excel(path, sheet_name=sheet_name, dtype="object")
        except ImportError as err:
            raise ImportError(
                "Reading Excel files needs openpyxl: pip install 'qainsights[excel]'."
            ) from err
    raise ValueError(
        f"{func} cannot read {path.name!r}: the file type {suffix!r} is not one of "
        "'.csv', '.tsv', '.parquet', '.xlsx'. Export as one of these, or read it with pandas "
        "and pass the DataFrame."
    )


def _rename(frame: pd.DataFrame, columns: Mapping[str, str] | None, func: str) -> pd.DataFrame:
    columns = dict(columns or {})
    unknown = [v for v in columns.values() if v not in _CANONICAL]
    if unknown:
        raise ValueError(
            f"The 'columns' parameter of {func} maps to {format_values(unknown)}, which "
            f"are not canonical audit columns. Map to one of {format_values(_CANONICAL, 40)}."
        )
    absent = [k for k in columns if k not in frame.columns]
    if absent:
        raise ValueError(
            f"The 'columns' parameter of {func} names {format_values(absent)}, which the "
            f"data does not have. Columns present: {format_values(frame.columns, 40)}."
        )
    renamed = frame.rename(columns=columns)
    if renamed.columns.duplicated().any():
        dupes = renamed.columns[renamed.columns.duplicated()].unique()
        raise ValueError(
            f"After renaming, the data has several columns called {format_values(dupes)}. "
            "Map only one source column to each canonical column."
        )
    return renamed


def _check_required(frame: pd.DataFrame, func: str) -> None:
    needed = [c for c in _REQUIRED if c not in frame.columns]
    if needed:
        raise ValueError(
            f"{func} needs column(s) {format_values(needed, 20)}, which the data does not have. "
            f"Columns present: {format_values(frame.columns, 40)}. Map your names with "
            f"columns={{'your_name': {needed[0]!r}}}."
        )


def _check_actions(actions: Mapping[str, str] | None, func: str) -> dict[str, str]:
    actions = dict(actions or {})
    wrong = [v for v in actions.values() if v not in ACTIONS]
    if wrong:
        raise ValueError(
            f"The 'actions' parameter of {func} maps to {format_values(wrong)}. Map each of "
            f"your action values to one of {format_values(ACTIONS)}."
        )
    return actions


def _add_periods(typed: pd.DataFrame) -> pd.DataFrame:
    time = typed["decision_time"]
    month = time.dt.year * 100 + time.dt.month  # format each distinct month once
    codes, distinct = pd.factorize(month)
    labels = np.array([f"{m // 100:04d}-{m % 100:02d}" for m in distinct.astype(int)], dtype=object)
    return typed.drop(columns=["week", "month"], errors="ignore").assign(
        week=time.dt.normalize() - pd.to_timedelta(time.dt.day_of_week, unit="D"),
        month=pd.Series(labels[codes], index=time.index, dtype="str").where(codes >= 0),
    )


def _validate(frame: pd.DataFrame, columns, actions, func: str) -> AuditValidation:
    actions = _check_actions(actions, func)
    raw = _rename(frame, columns, func)
    _check_required(raw, func)
    raw = raw.reset_index(drop=True)
    typed, found = _checks.coerce(raw, actions)
    found += _checks.domain_problems(typed, raw)
    derived = _add_periods(_checks.derive_errors(typed))
    found += _checks.mismatch_problems(derived, typed, raw)
    problems = pd.concat(found, ignore_index=True).sort_values(["row", "column"], kind="stable")
    problems = problems.reset_index(drop=True)
    bad = np.zeros(len(raw), dtype=bool)
    bad[problems["row"].to_numpy()] = True
    extra = [c for c in raw.columns if c not in _CANONICAL]
    clean = derived.loc[~bad]
    for name in _CANONICAL:
        if name not in clean:
            clean[name] = _empty_column(name, len(clean), clean.index)
    clean = pd.concat([clean[_CANONICAL], raw.loc[~bad, extra]], axis=1).reset_index(drop=True)
    clean["is_error"] = clean["is_error"].astype(bool)
    reasons = problems.groupby("row")["message"].agg("; ".join)
    excluded = frame.iloc[np.flatnonzero(bad)].assign(reasons=reasons.to_numpy())
    return AuditValidation(audits=clean, problems=problems, excluded=excluded, n_rows=len(raw))


def _empty_column(name: str, n: int, index: pd.Index) -> pd.Series:
    kind = next(c for c in AUDIT_SCHEMA if c.name == name)
    if kind.kind == "datetime":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if kind.kind == "number":
        return pd.Series(np.nan, index=index, dtype="float64")
    if kind.kind == "category":
        dtype = pd.CategoricalDtype(list(kind.allowed), ordered=True)
        return pd.Series(pd.Categorical([None] * n, dtype=dtype), index=index)
    return pd.Series(np.nan, index=index, dtype="str")


def validate_audits(
    source: str | os.PathLike | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    actions: Mapping[str, str] | None = None,
    sheet_name: str | int = 0,
) -> AuditValidation:
    """Check an audit export and return the clean canonical table with every problem found.

    Parameters
    ----------
    source : path or DataFrame
        A CSV/TSV, Parquet or Excel file, or a DataFrame (never modified).
    columns : mapping, optional
        Your column names to canonical ones, e.g. ``{"reviewer": "auditor_id"}``.
    actions : mapping, optional
        Your action values to canonical actions (``no_action``, ``label``, ``restrict``,
        ``remove``, ``suspend``), e.g. ``{"Approve": "no_action", "Delete": "remove"}``.
        Values are matched case-insensitively, with spaces and hyphens read as underscores.
    sheet_name : str or int, default 0
        The sheet to read from an Excel workbook.

    Returns
    -------
    AuditValidation
        ``audits`` (the rows that passed), ``problems`` (one row per problem), ``excluded``
        (the failing input rows with their reasons), ``summary()``.

    Raises
    ------
    ValueError
        When a required column is missing or a mapping names unknown columns or actions: these
        are problems with the whole file, not with rows.

    See Also
    --------
    load_audits : the same checks, raising on any problem by default.

    Examples
    --------
    >>> from qainsights.datasets import simulate_audits
    >>> export = simulate_audits(seed=1, weeks=2, audits_per_week=50).audits
    >>> export.loc[3, "handle_time_s"] = -5.0
    >>> checked = validate_audits(export)
    >>> len(export) - len(checked.audits), checked.problems[["row", "rule"]].values.tolist()
    (1, [[3, 'negative_value']])
    """
    func = "validate_audits"
    return _validate(read_table(source, sheet_name=sheet_name, func=func), columns, actions, func)


def load_audits(
    source: str | os.PathLike | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    actions: Mapping[str, str] | None = None,
    errors: str = "raise",
    sheet_name: str | int = 0,
) -> pd.DataFrame:
    """Read audit records into the canonical audit table (see ``docs/data_dictionary.md``).

    Reads the file or frame, renames columns through ``columns``, maps action values through
    ``actions``, coerces types, derives ``is_error``, ``error_type``, ``week`` and ``month``,
    and checks every row: missing required values, unparseable timestamps and numbers, unknown
    action or category values, duplicated audit ids, negative handle times or tenures,
    weights <= 0, audits dated before their decision, and supplied ``is_error``, ``week`` or
    ``month`` values that disagree with the ones derived (so a canonical table loads again
    unchanged). Columns outside the schema are kept, after the canonical ones.

    Parameters
    ----------
    source, columns, actions, sheet_name
        As in :func:`validate_audits`.
    errors : {"raise", "report"}, default "raise"
        ``"raise"``: any problem raises :class:`AuditValidationError`, whose message counts
        the problems by column and rule with example rows and values (``.validation`` holds
        the full report). ``"report"``: the failing rows are excluded and a
        :class:`DataQualityWarning` says how many and why; :func:`validate_audits` returns
        the same table with the full list of excluded rows.

    Returns
    -------
    DataFrame
        The canonical audit table, one row per valid audit, index 0..n-1.

    Examples
    --------
    >>> import pandas as pd
    >>> export = pd.DataFrame({
    ...     "Audit ID": ["a1", "a2"], "Item": ["i1", "i2"],
    ...     "Decided at": ["2026-10-05 09:00", "2026-10-06 17:30"],
    ...     "site": ["Lisbon", "Manila"], "queue": ["reports", "reports"],
    ...     "policy": ["spam", "hate_speech"], "market": ["pt-PT", "en-PH"],
    ...     "moderator_id": ["m1", "m2"], "auditor_id": ["q1", "q1"],
    ...     "Decision": ["Delete", "Approve"], "QA decision": ["Delete", "Delete"],
    ... })
    >>> audits = load_audits(
    ...     export,
    ...     columns={"Audit ID": "audit_id", "Item": "item_id", "Decided at": "decision_time",
    ...              "Decision": "moderator_action", "QA decision": "qa_action"},
    ...     actions={"Delete": "remove", "Approve": "no_action"},
    ... )
    >>> audits[["audit_id", "is_error", "error_type", "week"]]
      audit_id  is_error         error_type       week
    0       a1     False               none 2026-10-05
    1       a2      True  under_enforcement 2026-10-05
    """
    check_option(errors, name="errors", options=("raise", "report"), func="load_audits")
    result = _validate(read_table(source, sheet_name=sheet_name), columns, actions, "load_audits")
    if result.ok:
        return result.audits
    message = _checks.summarise(result.problems, result.n_rows, "load_audits")
    if errors == "raise":
        raise AuditValidationError(
            message + "\nFix these rows at the source, or pass errors='report' to exclude them "
            "(validate_audits lists every excluded row and why).",
            result,
        )
    warnings.warn(
        message
        + f"\nThese {len(result.excluded):,} rows were excluded; validate_audits lists them.",
        DataQualityWarning,
        stacklevel=2,
    )
    return result.audits
