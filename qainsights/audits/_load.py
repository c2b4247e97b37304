"""Reading audit exports and turning them into the canonical audit table."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._caller import caller, public, user_stacklevel
from .._compat import STR
from .._results import TidyResult
from .._validation import check_option, format_values
from . import _checks
from ._columns import CANONICAL, check_actions, check_date_options, check_required, rename
from ._labels import describe_merges, no_merges, unify_labels
from ._read import Source, read_source
from .schema import AUDIT_SCHEMA

__all__ = [
    "AuditValidation",
    "AuditValidationError",
    "DataQualityWarning",
    "load_audits",
    "validate_audits",
]


class DataQualityWarning(UserWarning):
    """Rows were excluded from an audit table, or spellings of a label were unified.

    The message says how many rows and why, or which spellings became which label.
    """


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
        One row per problem: ``row`` (0-based position in the input), ``location`` (where to
        find the row: its line in a CSV/TSV file, the header being line 1; its row in an
        Excel sheet; its index label in a DataFrame or Parquet file), ``audit_id``,
        ``column``, ``rule``, ``value`` (as read), ``message``. A row can have several
        problems.
    excluded : DataFrame
        The excluded input rows, unchanged, with a ``reasons`` column.
    n_rows : int
        Rows in the input.
    merged_labels : DataFrame
        One row per spelling of a label that was unified with another: ``column``,
        ``spelling`` (as found), ``label`` (what it became), ``rows``. Empty when no label
        had several spellings, or when unification was turned off.
    where : str
        What ``location`` counts: ``"line"``, ``"row"`` (of a sheet) or ``"index"``.
    """

    audits: pd.DataFrame
    problems: pd.DataFrame
    excluded: pd.DataFrame
    n_rows: int
    merged_labels: pd.DataFrame = field(default_factory=no_merges)
    where: str = "index"
    _title = "Audit validation"

    @property
    def ok(self) -> bool:
        """True when no row had a problem."""
        return self.problems.empty

    def summary(self) -> str:
        """A readable paragraph: rows affected, then each column and rule with example rows."""
        if self.ok:
            text = f"validate_audits: all {self.n_rows:,} rows passed."
        else:
            text = _checks.summarise(self.problems, self.n_rows, "validate_audits", self.where)
        if len(self.merged_labels):
            text += "\n" + _merge_message("validate_audits", self.merged_labels)
        return text

    @property
    def notes(self) -> tuple[str, ...]:
        """Sentences for a report's notes on the data: rows excluded by rule, labels unified.

        Examples
        --------
        >>> from qainsights.datasets import simulate_audits
        >>> export = simulate_audits(seed=1, weeks=2, audits_per_week=50).audits
        >>> export.loc[[3, 8], "handle_time_s"] = -5.0
        >>> validate_audits(export).notes
        ('2 of 122 audit rows were excluded because they failed validation (rows by problem: handle_time_s negative_value 2); validate_audits lists them.',)
        """
        notes = []
        if not self.ok:
            counts = self.problems.groupby(["column", "rule"], sort=False)["row"].nunique()
            by_rule = ", ".join(f"{c} {r} {n:,}" for (c, r), n in counts.items())
            notes.append(
                f"{len(self.excluded):,} of {self.n_rows:,} audit rows were excluded because "
                f"they failed validation (rows by problem: {by_rule}); validate_audits lists them."
            )
        if len(self.merged_labels):
            merges = "; ".join(describe_merges(self.merged_labels).removeprefix("- ").split("\n- "))
            notes.append(
                "Spellings of a label that differed only in case, blanks or Unicode form were "
                f"unified: {merges}."
            )
        return tuple(notes)

    def accepted(self, errors: str = "raise", *, func: str = "load_audits") -> pd.DataFrame:
        """The audits that passed; with ``errors="raise"``, raise if any row had a problem.

        Raises
        ------
        AuditValidationError
            With ``errors="raise"`` when any row had a problem; the message counts the
            problems by column and rule with example rows and values.
        """
        check_option(errors, name="errors", options=("raise", "report"))
        if errors == "raise" and not self.ok:
            raise AuditValidationError(
                _checks.summarise(self.problems, self.n_rows, func, self.where)
                + "\nFix these rows at the source, or pass errors='report' to exclude them "
                "(validate_audits lists every excluded row and why).",
                self,
            )
        return self.audits

    def to_frame(self) -> pd.DataFrame:
        """Problems counted by column and rule: ``column``, ``rule``, ``rows``, ``examples``."""
        grouped = self.problems.groupby(["column", "rule"], sort=False)
        return grouped.agg(
            rows=("row", "nunique"),
            examples=("value", lambda v: format_values(v.unique(), limit=3)),
        ).reset_index()


def _merge_message(func: str, merges: pd.DataFrame) -> str:
    return (
        f"{func} unified spellings of a label that differ only in case, blanks or Unicode form "
        f"(pass unify_labels=False to keep them apart):\n{describe_merges(merges)}"
    )


def _add_periods(typed: pd.DataFrame) -> pd.DataFrame:
    time = typed["decision_time"]
    month = time.dt.year * 100 + time.dt.month  # format each distinct month once
    codes, distinct = pd.factorize(month)
    labels = np.array([f"{m // 100:04d}-{m % 100:02d}" for m in distinct.astype(int)], dtype=object)
    return typed.drop(columns=["week", "month"], errors="ignore").assign(
        # A missing time stays missing (NaT - 0 days); NaN days would overflow on pandas 2.2.
        week=time.dt.normalize() - pd.to_timedelta(time.dt.day_of_week.fillna(0), unit="D"),
        month=pd.Series(labels[codes], index=time.index, dtype=STR).where(codes >= 0),
    )


def _validate(
    source: Source,
    columns: Mapping[str, str] | None,
    actions: Mapping[str, str] | None,
    date_format: str | None,
    dayfirst: bool | None,
    unify: bool,
) -> AuditValidation:
    func = caller()
    options = _checks.Options(check_actions(actions), date_format, dayfirst, func)
    check_date_options(date_format, dayfirst)
    raw = rename(source.frame, columns)
    check_required(raw)
    raw = raw.reset_index(drop=True)
    columns_typed, found, factorized = _checks.coerce(raw, options)
    merges = unify_labels(columns_typed, factorized) if unify else (columns_typed, no_merges())
    typed = pd.DataFrame(merges[0], index=raw.index)
    found += _checks.domain_problems(typed, raw)
    derived = _add_periods(_checks.derive_errors(typed))
    found += _checks.mismatch_problems(derived, typed, raw)
    problems = pd.concat(found, ignore_index=True).sort_values(["row", "column"], kind="stable")
    problems = problems.reset_index(drop=True)
    problems.insert(1, "location", source.locations(problems["row"].to_numpy()))
    bad = np.zeros(len(raw), dtype=bool)
    bad[problems["row"].to_numpy()] = True
    extra = [c for c in raw.columns if c not in CANONICAL]
    kept = derived.loc[~bad]
    absent = {n: _empty_column(n, len(kept), kept.index) for n in CANONICAL if n not in kept}
    clean = kept.assign(**absent)
    clean = pd.concat([clean[CANONICAL], raw.loc[~bad, extra]], axis=1).reset_index(drop=True)
    clean["is_error"] = clean["is_error"].astype(bool)
    reasons = problems.groupby("row")["message"].agg("; ".join)
    excluded = source.frame.iloc[np.flatnonzero(bad)].assign(reasons=reasons.to_numpy())
    return AuditValidation(
        audits=clean,
        problems=problems,
        excluded=excluded,
        n_rows=len(raw),
        merged_labels=merges[1],
        where=source.kind,
    )


def _empty_column(name: str, n: int, index: pd.Index) -> pd.Series:
    kind = next(c for c in AUDIT_SCHEMA if c.name == name)
    if kind.kind == "datetime":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if kind.kind == "number":
        return pd.Series(np.nan, index=index, dtype="float64")
    if kind.kind == "category":
        dtype = pd.CategoricalDtype(list(kind.allowed), ordered=True)
        return pd.Series(pd.Categorical([None] * n, dtype=dtype), index=index)
    return pd.Series(np.nan, index=index, dtype=STR)


@public
def validate_audits(
    source: str | os.PathLike | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    actions: Mapping[str, str] | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    unify_labels: bool = True,
    sheet_name: str | int = 0,
) -> AuditValidation:
    """Check an audit export and return the clean canonical table with every problem found.

    Parameters
    ----------
    source : path or DataFrame
        A CSV/TSV, Parquet or Excel file, or a DataFrame (never modified). CSV and TSV files
        are read as text, with no value taken as missing by the reader: the missing-value
        policy of ``docs/data_dictionary.md`` decides.
    columns : mapping, optional
        Your column names to canonical ones, e.g. ``{"reviewer": "auditor_id"}``.
    actions : mapping, optional
        Your action values to canonical actions (``no_action``, ``label``, ``restrict``,
        ``remove``, ``suspend``), e.g. ``{"Approve": "no_action", "Delete": "remove"}``.
        Values are matched case-insensitively, with spaces and hyphens read as underscores.
    date_format : str, optional
        The strftime format of the timestamp columns given as text, e.g.
        ``"%d/%m/%Y %H:%M"`` (a column in ISO 8601 stays ISO 8601). When omitted, each
        column's one format is inferred from all of its values (ISO 8601, day-first,
        month-first, Excel serial days); a column whose dates read both ways (every day and
        month 12 or less) raises and asks for this.
    dayfirst : bool, optional
        Settle only the order of day and month (``True``: 05/01 is 5 January), leaving the
        rest of the format to inference. Give ``date_format`` or ``dayfirst``, not both.
    unify_labels : bool, default True
        Unify spellings of a site, queue, policy, market, root cause or stratum that differ
        only in case, blanks or Unicode form to the most frequent one; ``merged_labels``
        lists each merge. ``False`` keeps every spelling apart.
    sheet_name : str or int, default 0
        The sheet to read from an Excel workbook.

    Returns
    -------
    AuditValidation
        ``audits`` (the rows that passed), ``problems`` (one row per problem), ``excluded``
        (the failing input rows with their reasons), ``merged_labels``, ``summary()``,
        ``notes``.

    Raises
    ------
    ValueError
        When a required column is missing, a mapping names unknown columns or actions, or a
        timestamp column is ambiguous between day-first and month-first: these are problems
        with the whole file, not with rows.

    See Also
    --------
    load_audits : the same checks, raising on any problem by default.

    Notes
    -----
    Rows are named as the user finds them: ``location`` is the line of a CSV/TSV file (the
    header is line 1), the row of an Excel sheet, or the index label of a DataFrame or
    Parquet file.

    References
    ----------
    .. [1] ISO 8601-1:2019, Date and time: representations for information interchange.
    .. [2] Unicode Standard Annex #15, Unicode Normalization Forms (NFKC).

    Examples
    --------
    >>> from qainsights.datasets import simulate_audits
    >>> export = simulate_audits(seed=1, weeks=2, audits_per_week=50).audits
    >>> export.loc[3, "handle_time_s"] = -5.0
    >>> checked = validate_audits(export)
    >>> len(export) - len(checked.audits), checked.problems[["row", "rule"]].values.tolist()
    (1, [[3, 'negative_value']])
    """
    source = read_source(source, sheet_name=sheet_name)
    return _validate(source, columns, actions, date_format, dayfirst, unify_labels)


@public
def load_audits(
    source: str | os.PathLike | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    actions: Mapping[str, str] | None = None,
    errors: str = "raise",
    date_format: str | None = None,
    dayfirst: bool | None = None,
    unify_labels: bool = True,
    sheet_name: str | int = 0,
) -> pd.DataFrame:
    """Read audit records into the canonical audit table (see ``docs/data_dictionary.md``).

    Reads the file or frame, renames columns through ``columns``, maps action values through
    ``actions``, applies the missing-value policy, parses each timestamp column with one
    format, coerces types, unifies the spellings of labels, derives ``is_error``,
    ``error_type``, ``week`` and ``month``, and checks every row: missing required values,
    timestamps that do not fit their column's format, numbers that are not numbers or not
    finite, unknown action or category values, duplicated audit ids, negative handle times or
    tenures, weights <= 0, audits dated before their decision, and supplied ``is_error``,
    ``week`` or ``month`` values that disagree with the ones derived (so a canonical table
    loads again unchanged). Columns outside the schema are kept, after the canonical ones.

    Parameters
    ----------
    source, columns, actions, date_format, dayfirst, unify_labels, sheet_name
        As in :func:`validate_audits`.
    errors : {"raise", "report"}, default "raise"
        ``"raise"``: any problem raises :class:`AuditValidationError`, whose message counts
        the problems by column and rule with example lines (files) or index labels (frames)
        and values (``.validation`` holds the full report). ``"report"``: the failing rows
        are excluded and a :class:`DataQualityWarning` says how many and why;
        :func:`validate_audits` returns the same table with the full list of excluded rows.

    Returns
    -------
    DataFrame
        The canonical audit table, one row per valid audit, index 0..n-1.

    Warns
    -----
    DataQualityWarning
        When rows were excluded (``errors="report"``), and when spellings of a label were
        unified (each merge listed).

    References
    ----------
    .. [1] ISO 8601-1:2019, Date and time: representations for information interchange.

    Examples
    --------
    >>> import pandas as pd
    >>> export = pd.DataFrame({
    ...     "Audit ID": ["a1", "a2"], "Item": ["i1", "i2"],
    ...     "Decided at": ["05/10/2026 09:00", "16/10/2026 17:30"],
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
    >>> audits[["audit_id", "decision_time", "is_error", "error_type", "week"]]
      audit_id       decision_time  is_error         error_type       week
    0       a1 2026-10-05 09:00:00     False               none 2026-10-05
    1       a2 2026-10-16 17:30:00      True  under_enforcement 2026-10-12
    """
    func = caller()
    check_option(errors, name="errors", options=("raise", "report"))
    source = read_source(source, sheet_name=sheet_name)
    result = _validate(source, columns, actions, date_format, dayfirst, unify_labels)
    audits = result.accepted(errors, func=func)
    if not result.ok:
        warnings.warn(
            _checks.summarise(result.problems, result.n_rows, func, result.where)
            + f"\nThese {len(result.excluded):,} rows were excluded; validate_audits lists them.",
            DataQualityWarning,
            stacklevel=user_stacklevel(),
        )
    if len(result.merged_labels):
        warnings.warn(
            _merge_message(func, result.merged_labels),
            DataQualityWarning,
            stacklevel=user_stacklevel(),
        )
    return audits
