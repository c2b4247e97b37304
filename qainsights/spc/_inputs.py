"""Turn a chart call's data and keyword arguments into one sorted, checked frame of subgroups.

The frame has the segment columns (if any), ``subgroup``, one column per statistic role
(``defects``, ``n``, ``value``, ...), ``stage``, ``baseline``, ``excluded``, and the integer
``_group`` code of each contiguous (segment, stage) block, whose limits are computed together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._caller import caller
from .._validation import check_columns, check_frame, format_values

PHASE_ARGUMENTS = ("subgroup", "stage", "breaks", "baseline", "exclude")


def phase_arguments(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Pick the subgroup and phase arguments of a chart call (for :func:`build_frame`)."""
    return {name: arguments[name] for name in PHASE_ARGUMENTS}


def _column_or_array(data: pd.DataFrame | None, spec: Any, *, role: str) -> Any:
    """Return the values a role refers to: a column of ``data`` or an array given directly."""
    func = caller()
    if data is not None:
        if not isinstance(spec, str):
            raise TypeError(
                f"The {role!r} parameter of {func} must be a column name when 'data' is given. "
                f"Got {type(spec).__name__} instead. Pass the name of the column."
            )
        return data[spec].to_numpy()
    if isinstance(spec, str):
        raise TypeError(
            f"The {role!r} parameter of {func} is a column name ({spec!r}) but 'data' is None. "
            "Pass 'data', or pass the values as an array."
        )
    return np.asarray(spec)


def _check_numeric(frame: pd.DataFrame, roles: Sequence[str], *, names: Mapping) -> None:
    """Raise if a statistic column is not numeric or holds missing values."""
    func = caller()
    for role in roles:
        values = pd.to_numeric(frame[role], errors="coerce")
        bad = values.isna()
        if bad.any():
            keys = frame.loc[bad, "subgroup"]
            raise ValueError(
                f"{func} found {int(bad.sum())} missing or non-numeric value(s) in "
                f"{names[role] if isinstance(names[role], str) else role!r}, at subgroup(s) {format_values(keys)}. Drop those rows or fill "
                "them before charting."
            )


def build_frame(
    data: pd.DataFrame | None,
    *,
    stats: Mapping[str, Any],
    subgroup: Any = None,
    by: Sequence[str] = (),
    stage: Any = None,
    breaks: Sequence[Any] | None = None,
    baseline: Any = None,
    exclude: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Collect, sort and check the subgroups of one or many series.

    ``stats`` maps each statistic role to a column name (with ``data``) or an array.
    Rows are sorted by segment and subgroup; a subgroup key may appear once per segment.
    """
    func = caller()
    if data is not None:
        check_frame(data)
        named = [*stats.values(), subgroup, stage, baseline]
        check_columns(data, [*by, *(spec for spec in named if isinstance(spec, str))])
    missing = [role for role, spec in stats.items() if spec is None]
    if missing:
        raise TypeError(f"{func} needs the {format_values(missing)} argument(s).")
    columns = {role: _column_or_array(data, spec, role=role) for role, spec in stats.items()}
    lengths = {
        role: np.shape(values)[0] if np.ndim(values) else 1 for role, values in columns.items()
    }
    if len(set(lengths.values())) > 1:
        raise ValueError(
            f"{func} needs arrays of one length; got lengths {lengths}. Pass one value per subgroup."
        )
    size = next(iter(lengths.values()))
    if size == 0:
        raise ValueError(f"{func} needs at least one subgroup; the input has no rows.")
    frame = pd.DataFrame({name: data[name].to_numpy() for name in by} if data is not None else {})
    frame["subgroup"] = (
        np.arange(1, size + 1)
        if subgroup is None
        else _column_or_array(data, subgroup, role="subgroup")
    )
    if frame["subgroup"].isna().any():
        raise ValueError(
            f"{func} found {int(frame['subgroup'].isna().sum())} row(s) without a subgroup key. "
            "Every row needs one (a week, a date, a sample number): fill or drop those rows."
        )
    for role, values in columns.items():
        frame[role] = values
    _check_numeric(frame, list(stats), names=stats)
    frame[list(stats)] = frame[list(stats)].astype(float)
    frame["stage"] = _stage_labels(data, frame, stage=stage, breaks=breaks)
    frame["baseline"] = _baseline_mask(data, frame, baseline=baseline)
    frame["excluded"] = frame["subgroup"].isin(list(exclude or []))
    frame = frame.sort_values([*by, "subgroup"], kind="stable", ignore_index=True)
    duplicated = frame.duplicated([*by, "subgroup"], keep=False)
    if duplicated.any():
        keys = frame.loc[duplicated, "subgroup"].unique()
        raise ValueError(
            f"{func} found {int(duplicated.sum())} rows sharing a subgroup key"
            f"{' within a segment' if by else ''}: {format_values(keys)}. Aggregate to one row per "
            "subgroup first (sum the counts), or pass the column that tells them apart."
        )
    keys = frame[[*by, "stage"]]
    changed = (keys != keys.shift()).any(axis=1).to_numpy()
    frame["_group"] = np.cumsum(changed) - 1
    return frame


def _stage_labels(
    data: pd.DataFrame | None, frame: pd.DataFrame, *, stage: Any, breaks: Any
) -> np.ndarray:
    """Stage of each row: from a column or array, from break points, or one stage."""
    func = caller()
    if stage is not None and breaks is not None:
        raise ValueError(
            f"{func} takes 'stage' (a label per subgroup) or 'breaks' (the subgroups that start "
            "a new stage), not both. Pass one of them."
        )
    if stage is not None:
        return _column_or_array(data, stage, role="stage")
    if breaks is None:
        return np.ones(len(frame), dtype=np.int64)
    starts = np.sort(np.asarray(list(breaks), dtype=frame["subgroup"].to_numpy().dtype))
    return np.searchsorted(starts, frame["subgroup"].to_numpy(), side="right") + 1


def _baseline_mask(data: pd.DataFrame | None, frame: pd.DataFrame, *, baseline: Any) -> np.ndarray:
    """Whether each row belongs to the period its stage's limits are computed from."""
    func = caller()
    if baseline is None:
        return np.ones(len(frame), dtype=bool)
    if isinstance(baseline, slice):
        key = frame["subgroup"]
        lower = key >= baseline.start if baseline.start is not None else True
        upper = key <= baseline.stop if baseline.stop is not None else True
        return np.asarray(lower & upper, dtype=bool) & np.ones(len(frame), dtype=bool)
    mask = _column_or_array(data, baseline, role="baseline")
    if mask.dtype != bool:
        raise TypeError(
            f"The 'baseline' parameter of {func} must be a boolean column or array, or a slice "
            f"of subgroup keys. Got values of type {mask.dtype} instead. Mark the baseline "
            "subgroups with True."
        )
    return mask
