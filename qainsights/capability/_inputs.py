"""Reading and checking the inputs of :func:`capability`: values, subgroups and specifications."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._caller import caller
from .._validation import check_columns, format_values
from ..aggregate import collect, engine_frame, is_engine_frame
from ._indices import Specs

__all__ = ["Subgroups", "read_specs", "read_values"]


@dataclass(frozen=True)
class Subgroups:
    """Per-subgroup summaries of the values, in order of first appearance."""

    keys: np.ndarray
    codes: np.ndarray
    sizes: np.ndarray
    means: np.ndarray
    sds: np.ndarray
    ranges: np.ndarray

    @classmethod
    def from_codes(cls, values: np.ndarray, codes: np.ndarray, keys: np.ndarray) -> Subgroups:
        """Summarise ``values`` by subgroup code with bincount and one sort (no loops).

        Standard deviations use deviations from each subgroup's own mean (two passes), which
        avoids the cancellation of sums of squares for values such as 74.001 mm. Subgroups
        of one value have NaN standard deviation and range.
        """
        sizes = np.bincount(codes, minlength=keys.size)
        means = np.bincount(codes, weights=values, minlength=keys.size) / sizes
        squares = np.bincount(codes, weights=(values - means[codes]) ** 2, minlength=keys.size)
        several = sizes > 1
        sds = np.full(keys.size, np.nan)
        sds[several] = np.sqrt(squares[several] / (sizes[several] - 1))
        order = np.lexsort((values, codes))
        ends = np.cumsum(sizes)
        ranges = np.where(several, values[order][ends - 1] - values[order][ends - sizes], np.nan)
        return cls(keys, codes, sizes, means, sds, ranges)


def _as_values(data, value: str | None, subgroup: str | None):
    """Return the raw values and subgroup labels (or None) from a frame or an array.

    A polars, DuckDB or Spark frame has its ``value`` (and ``subgroup``) column read into
    memory: percentiles, fitted distributions and the plot need every value.
    """
    if is_engine_frame(data) and value is not None:
        columns = [value] + ([subgroup] if subgroup is not None else [])
        frame = engine_frame(data)
        check_columns(frame, columns)
        data = collect(frame.select(*columns))
    if isinstance(data, pd.DataFrame):
        if value is None:
            raise ValueError(
                f"{caller()} needs the 'value' parameter when 'data' is a DataFrame: name the "
                f"column holding the measurements (columns: {format_values(data.columns, 30)})."
            )
        check_columns(data, [value] + ([subgroup] if subgroup is not None else []))
        labels = data[subgroup].to_numpy() if subgroup is not None else None
        return pd.to_numeric(data[value], errors="coerce").to_numpy(dtype=float), labels
    if value is not None or subgroup is not None:
        raise ValueError(
            f"The 'value' and 'subgroup' parameters of {caller()} name columns, so 'data' must be "
            f"a DataFrame. Got {type(data).__name__} instead: pass a DataFrame, or pass the "
            "values alone."
        )
    array = np.asarray(data, dtype=float)
    if array.ndim != 1:
        raise ValueError(
            f"{caller()} needs a 1-D array of values or a DataFrame. Got an array of shape "
            f"{array.shape}: flatten it, or pass a long frame with 'value' and 'subgroup'."
        )
    return array, None


def read_values(data, value: str | None, subgroup: str | None) -> tuple[np.ndarray, Subgroups]:
    """Return the finite values and their subgroups (each value its own when none given).

    Raises a ``ValueError`` for missing or non-numeric values or subgroup labels, and for
    fewer than two values.
    """
    values, labels = _as_values(data, value, subgroup)
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(
            f"{caller()} found {int(bad.sum())} missing or non-numeric value(s), at position(s) "
            f"{format_values(np.flatnonzero(bad))}. Capability needs every value: drop or "
            "correct these rows first (for example data.dropna(subset=[value]))."
        )
    if values.size < 2:
        raise ValueError(
            f"{caller()} needs at least 2 values to estimate a standard deviation. Got {values.size}."
        )
    if labels is None:
        codes = np.arange(values.size)
        return values, Subgroups.from_codes(values, codes, codes)
    codes, keys = pd.factorize(labels, use_na_sentinel=True)
    if (codes < 0).any():
        raise ValueError(
            f"{caller()} found {int((codes < 0).sum())} row(s) without a subgroup label, at "
            f"position(s) {format_values(np.flatnonzero(codes < 0))}. Fill or drop them."
        )
    return values, Subgroups.from_codes(values, codes, np.asarray(keys))


def _spec(value, name: str) -> float | None:
    """Return one specification as a float (or None), raising if it is not a finite number."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(
            f"The {name!r} parameter of {caller()} must be a finite number or None. Got "
            f"{value!r} instead."
        )
    return float(value)


def read_specs(lsl, usl, target) -> Specs:
    """Return the checked specifications: at least one limit, and LSL below USL."""
    specs = Specs(_spec(lsl, "lsl"), _spec(usl, "usl"), _spec(target, "target"))
    if specs.lsl is None and specs.usl is None:
        raise ValueError(
            f"{caller()} needs at least one specification limit: pass lsl=, usl= or both "
            "(for a handle-time SLA, usl= alone)."
        )
    if specs.two_sided and specs.lsl >= specs.usl:
        raise ValueError(
            f"The 'lsl' parameter of {caller()} must be below 'usl'. Got lsl={specs.lsl!r} and "
            f"usl={specs.usl!r}: swap them if they are reversed."
        )
    return specs
