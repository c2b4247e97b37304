"""Timestamps by column, never by row: one format per column, inferred from all of its values.

A column of text is classified from its first values (ISO 8601, day/month/year with the order
still open, Excel serial days, or a format pandas can guess) and then parsed whole with that one
format. Whether ``05/01/2026`` is 5 January or 1 May is settled by the whole column: a value
whose first field exceeds 12 makes it day-first, one whose second field does makes it
month-first; when every value has both fields at 12 or less the column is ambiguous and the
caller is asked for ``date_format=`` or ``dayfirst=``, which then apply to every column that is
not ISO 8601. Values that do not fit the column's format are returned as unreadable, never read
with another format.

Day/month/year text with a 24-hour time of day is rewritten to ISO 8601 (one vectorised regular
expression in Arrow) and parsed by pandas' ISO 8601 parser, which is exact about the calendar
(31/02 is unreadable, not 3 March); other formats go through ``pandas.to_datetime(format=...)``.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from .._caller import caller
from .._compat import STR

__all__ = ["parse_timestamps"]

_SAMPLE = 200
#: Excel's day 0 (the 1900 date system, counting its fictitious 29 February 1900).
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_EXCEL_LAST = 2958465  # 9999-12-31
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]|$)")
_DMY = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)(.*)$")
_TIMES = ("%H:%M", "%H:%M:%S", "%H:%M:%S.%f", "%I:%M %p", "%I:%M:%S %p", "%I:%M%p")
#: Day/month/year with a 24-hour time: parsed fast, by rewriting to ISO 8601.
_TEMPLATE = re.compile(r"^%([dm])([./-])%([md])\2%Y(?:([ T])%H:%M(:%S(\.%f)?)?)?$")
_ARROW_DMY = r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})"


@dataclass(frozen=True)
class Parsed:
    """A parsed column: the timestamps, the values that did not fit, the format described."""

    timestamps: pd.Series
    bad: np.ndarray
    format: str


def parse_timestamps(
    values: pd.Series,
    *,
    column: str,
    date_format: str | None,
    dayfirst: bool | None,
) -> Parsed:
    """Parse one column (missing values already NA) into timezone-naive UTC timestamps.

    Examples
    --------
    >>> values = pd.Series(["05/01/2026 14:05", "13/01/2026 09:00", "31/02/2026 10:00"])
    >>> parsed = parse_timestamps(values, column="t", date_format=None, dayfirst=None)
    >>> parsed.timestamps.dt.strftime("%d %b").tolist(), parsed.bad.tolist(), parsed.format
    (['05 Jan', '13 Jan', nan], [False, False, True], "day-first dates '%d/%m/%Y %H:%M', like '05/01/2026 14:05'")
    """
    present = values.notna().to_numpy()
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        out = values.dt.tz_convert("UTC").dt.tz_localize(None)
        return _done(out, present, "timestamps")
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _done(values, present, "timestamps")
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        return _done(_from_serial(values), present, "Excel serial days")
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "empty"):
        out, description = _parse_text(values, column, date_format, dayfirst)
        return _done(out, present, description)
    # An object column of several types (an Excel sheet): each type is read in its own way.
    is_text = values.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    is_number = values.map(
        lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))
    ).to_numpy(dtype=bool)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    description = "timestamps"
    if is_text.any():
        text, description = _parse_text(values[is_text].astype(STR), column, date_format, dayfirst)
        out[is_text] = text
    if is_number.any():
        out[is_number] = _from_serial(pd.to_numeric(values[is_number]))
    others = present & ~is_text & ~is_number
    if others.any():
        objects = pd.to_datetime(values[others], errors="coerce", utc=True, format="mixed")
        out[others] = objects.dt.tz_localize(None)
    return _done(out, present, description)


def _done(values: pd.Series, present: np.ndarray, description: str) -> Parsed:
    values = values.astype("datetime64[ns]")
    return Parsed(values, present & values.isna().to_numpy(), description)


def _from_serial(numbers: pd.Series) -> pd.Series:
    """Excel serial days (fractions are the time of day), to the millisecond."""
    numbers = numbers.astype("float64")
    valid = (numbers >= 1) & (numbers <= _EXCEL_LAST)
    millis = (numbers.where(valid) * 86_400_000).round()
    return _EXCEL_EPOCH + pd.to_timedelta(millis, unit="ms")


def _parse_text(
    text: pd.Series, column: str, date_format: str | None, dayfirst: bool | None
) -> tuple[pd.Series, str]:
    sample = text.dropna().head(_SAMPLE).astype(str).tolist()
    iso = "ISO 8601, such as '2026-10-05 14:30:00'"
    layout = Counter(_layout(value) for value in sample).most_common(1)[0][0] if sample else "iso"
    if layout == "iso":  # unambiguous, whatever date_format says of the other columns
        return _with_format(text, "ISO8601"), iso
    if date_format is not None:
        return _with_format(text, date_format), f"date_format {date_format!r}"
    if layout == "serial":
        return _from_serial(pd.to_numeric(text, errors="coerce")), "Excel serial days"
    guesses = [(value, _guess(value)) for value in sample]
    guessed = Counter(fmt for _, fmt in guesses if fmt).most_common(1)
    if not guessed:
        return _with_format(text, "ISO8601"), iso
    fmt = guessed[0][0]
    example = next(value for value, f in guesses if f == fmt)
    if not _has_open_order(fmt):
        return _with_format(text, fmt), f"the format {fmt!r}, like {example!r}"
    return _resolve(text, _orders(fmt), column, example, dayfirst)


def _layout(value: str) -> str:
    if _ISO.match(value):
        return "iso"
    try:
        float(value)
    except ValueError:
        return "other"
    return "serial"


def _resolve(text, formats, column, example, dayfirst) -> tuple[pd.Series, str]:
    """Settle the order of day and month from the whole column."""
    func = caller()
    day_first, month_first = formats
    described = {
        True: f"day-first dates {day_first!r}, like {example!r}",
        False: f"month-first dates {month_first!r}, like {example!r}",
    }
    if dayfirst is not None:
        return _with_format(text, day_first if dayfirst else month_first), described[dayfirst]
    as_day = _with_format(text, day_first)
    read = as_day.notna()
    if read.all() and (as_day.dt.day > 12).any():
        return as_day, described[True]
    as_month = _with_format(text, month_first)
    n_day, n_month = int(read.sum()), int(as_month.notna().sum())
    if n_day and n_day == n_month and not (as_day[read].dt.day > 12).any():
        raise ValueError(
            f"{func} cannot tell whether {column} is day-first or month-first: in every value "
            f"both the day and the month are 12 or less (for example {example!r}). Pass "
            f"date_format={day_first!r} (day-first) or date_format={month_first!r} "
            "(month-first), or dayfirst=True or dayfirst=False."
        )
    if n_day >= n_month:
        return as_day, described[True]
    return as_month, described[False]


def _with_format(text: pd.Series, fmt: str) -> pd.Series:
    """Parse with one format; what does not fit is NaT. Day/month/year templates go fast."""
    template = _TEMPLATE.match(fmt)
    if template:
        return _rewritten(text, template)
    parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
    return parsed.dt.tz_localize(None).astype("datetime64[ns]")


def _rewritten(text: pd.Series, template: re.Match) -> pd.Series:
    """Day/month/year text as ISO 8601 (Arrow regular expressions), then parsed as such.

    Values are first matched against the template's exact shape, so a value without the
    template's time of day, or with another separator, is unreadable as with ``strptime``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    first, sep, _, time_sep, seconds, fraction = template.groups()
    shape = rf"^\d{{1,2}}{re.escape(sep)}\d{{1,2}}{re.escape(sep)}\d{{4}}"
    if time_sep:
        shape += re.escape(time_sep) + r"\d{1,2}:\d{2}"
        shape += (r":\d{2}" if seconds else "") + (r"\.\d+" if fraction else "")
    arrow = pa.array(text.astype(STR).array)
    fits = pc.match_substring_regex(arrow, pattern=shape + "$")
    swap = r"\3-\2-\1" if first == "d" else r"\3-\1-\2"
    iso = pc.replace_substring_regex(arrow, pattern=_ARROW_DMY, replacement=swap)
    iso = pc.if_else(fits, iso, pa.scalar(None, pa.string()))
    parsed = pd.to_datetime(
        pd.Series(pd.array(iso, dtype=STR), index=text.index),
        format="ISO8601",
        errors="coerce",
        utc=True,
    )
    return parsed.dt.tz_localize(None).astype("datetime64[ns]")


def _guess(value: str) -> str | None:
    """A strftime format for one value, with day before month when the order is open."""
    from pandas.tseries.api import guess_datetime_format

    match = _DMY.match(value)
    if match is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return guess_datetime_format(value, dayfirst=False)
    sep, year, rest = match.group(2), match.group(4), match.group(5)
    date = f"%d{sep}%m{sep}{'%Y' if len(year) == 4 else '%y'}"
    if not rest:
        return date
    if rest[0] not in " T":
        return None
    for time_of_day in _TIMES:
        try:
            datetime.strptime(rest[1:], time_of_day)
        except ValueError:
            continue
        return f"{date}{rest[0]}{time_of_day}"
    return None


def _has_open_order(fmt: str) -> bool:
    """Day and month both numeric, and not after the year (year-first is always y-m-d)."""
    return "%d" in fmt and "%m" in fmt and not fmt.startswith("%Y")


def _orders(fmt: str) -> tuple[str, str]:
    """The day-first and month-first versions of a format with numeric day and month."""
    swapped = fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")
    return (fmt, swapped) if fmt.index("%d") < fmt.index("%m") else (swapped, fmt)
