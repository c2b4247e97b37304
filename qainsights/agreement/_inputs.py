"""The input forms of the agreement functions, reduced to one internal shape.

Every form (long, wide, two label vectors, a two-rater table, per-item counts) becomes
:class:`Ratings`: integer codes for the categories and, where raters are known, one
``(item, rater, label)`` code triple per rating. Per-item label counts then come from a
single ``np.bincount(item * q + label)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._caller import caller
from .._validation import format_values
from ..aggregate import raise_repeated_pairs, rating_rows

__all__ = ["INPUT_NAMES", "Ratings", "read_ratings"]

#: The parameters of :func:`read_ratings` that public functions pass through unchanged.
INPUT_NAMES = ("data", "other", "item", "rater", "label", "counts", "table", "categories")


@dataclass(frozen=True)
class Ratings:
    """Ratings coded as integers, with their category values.

    Attributes
    ----------
    categories : numpy.ndarray
        The category values, in the order that defines codes ``0 .. q - 1``.
    counts : numpy.ndarray
        Items x categories label counts, one row per item with at least one rating.
    item, rater, label : numpy.ndarray or None
        One code per rating; ``None`` when the input was a counts table (no rater identity).
    n_raters : int
        Number of distinct raters (for counts input: the largest number of ratings of an item).
    items : numpy.ndarray
        The item identifiers behind the rows of ``counts``.
    raters : numpy.ndarray or None
        The rater identifiers behind the rater codes.
    """

    categories: np.ndarray
    counts: np.ndarray
    item: np.ndarray | None
    rater: np.ndarray | None
    label: np.ndarray | None
    n_raters: int
    items: np.ndarray
    raters: np.ndarray | None

    @property
    def n_categories(self) -> int:
        """Number of categories ``q``."""
        return len(self.categories)

    @property
    def has_raters(self) -> bool:
        """Whether rater identities are known (every form but ``counts=``)."""
        return self.rater is not None


def read_ratings(
    data: Any = None,
    other: Any = None,
    *,
    item: str | None = None,
    rater: str | None = None,
    label: str | None = None,
    counts: Any = None,
    table: Any = None,
    categories: Any = None,
) -> Ratings:
    """Resolve one of the documented input forms into :class:`Ratings`.

    The forms are, in this order of precedence: ``counts=`` (items x categories), ``table=``
    (a k x k two-rater table), ``data`` plus ``other`` (two label vectors), ``data`` with
    ``item``, ``rater`` and ``label`` column names (long format), and ``data`` alone (wide:
    items in rows, raters in columns, NaN for a missing rating).
    """
    func = caller()
    given = [name for name, value in (("counts", counts), ("table", table)) if value is not None]
    if len(given) > 1 or (given and data is not None):
        raise ValueError(
            f"{func} takes one input form: 'data' (long or wide), 'counts' or 'table'. "
            f"Got {', '.join(['data'] * (data is not None) + given)}. Pass only one of them."
        )
    if counts is not None:
        return _from_counts(counts, categories)
    if table is not None:
        return _from_table(table, categories)
    if data is None:
        raise ValueError(
            f"{func} needs ratings: pass 'data' (a long or wide frame), two label vectors, "
            "'counts=' (items x categories) or 'table=' (a k x k two-rater table)."
        )
    if other is not None:
        return _from_vectors(data, other, categories)
    names = {"item": item, "rater": rater, "label": label}
    if any(v is not None for v in names.values()):
        return _from_long(data, names, categories)
    return _from_wide(data, categories)


def _from_long(data: Any, names: dict[str, str | None], categories: Any) -> Ratings:
    """Long ratings in a pandas, polars, DuckDB or Spark frame: one row per rating.

    The checks of columns and missing items or raters run on the frame's engine; the
    ratings then arrive as ``item, rater, label`` rows, which every coefficient, the
    per-rater statistics included, reads, after the check of one rating per item and rater.
    """
    func = caller()
    absent = [k for k, v in names.items() if v is None]
    if absent:
        raise ValueError(
            f"{func} needs all of 'item', 'rater' and 'label' for long-format data; "
            f"{format_values(absent)} not given. Name the columns, or pass a wide "
            "items x raters frame without them."
        )
    rows = rating_rows(data, item=names["item"], rater=names["rater"], label=names["label"])
    column = rows[names["label"]]
    if categories is None and isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories  # a categorical column brings its own order
    item_codes, item_values = pd.factorize(rows[names["item"]].to_numpy())
    rater_codes, rater_values = pd.factorize(rows[names["rater"]].to_numpy())
    _check_unique_pairs(item_codes, rater_codes, item_values, len(rater_values), names)
    ids = (np.asarray(item_values), np.asarray(rater_values))
    return _from_codes(item_codes, rater_codes, column.to_numpy(), ids, categories)


def _from_wide(data: Any, categories: Any) -> Ratings:
    func = caller()
    frame = isinstance(data, pd.DataFrame)
    values = data.to_numpy() if frame else _as_array(data)
    if values.ndim != 2:
        raise ValueError(
            f"The 'data' parameter of {func} must be a long frame with 'item', 'rater' and "
            f"'label', or a 2-D items x raters table. Got {values.ndim} dimension(s) instead."
        )
    n_items, n_raters = values.shape
    flat = values.ravel()
    present = ~pd.isna(flat)
    item_codes = np.repeat(np.arange(n_items), n_raters)[present]
    rater_codes = np.tile(np.arange(n_raters), n_items)[present]
    # items and raters without any rating drop out
    item_kept, item_codes = _compact(item_codes, n_items)
    rater_kept, rater_codes = _compact(rater_codes, n_raters)
    item_ids = data.index.to_numpy() if frame else np.arange(n_items)
    rater_ids = data.columns.to_numpy() if frame else np.arange(n_raters)
    ids = (item_ids[item_kept], rater_ids[rater_kept])
    return _from_codes(item_codes, rater_codes, flat[present], ids, categories)


def _from_vectors(first: Any, second: Any, categories: Any) -> Ratings:
    func = caller()
    a = _as_array(first)
    b = _as_array(second)
    if a.ndim != 1 or b.ndim != 1 or len(a) != len(b):
        raise ValueError(
            f"{func} needs two label vectors of the same length, one per rater. Got shapes "
            f"{a.shape} and {b.shape} instead."
        )
    return _from_wide(np.column_stack([a, b]), categories)


def _compact(codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes in ``0 .. size - 1`` renumbered over the values in use (no sort)."""
    used = np.bincount(codes, minlength=size) > 0
    return np.flatnonzero(used), (np.cumsum(used) - 1)[codes]


def _as_array(values: Any) -> np.ndarray:
    """An array of labels; text stays object so that NaN is not turned into the string 'nan'."""
    array = np.asarray(values)
    return np.asarray(values, dtype=object) if array.dtype.kind in "USO" else array


def _from_table(table: Any, categories: Any) -> Ratings:
    func = caller()
    frame_categories = table.index.to_numpy() if isinstance(table, pd.DataFrame) else None
    cells = _nonnegative_integers(table, name="table")
    if cells.ndim != 2 or cells.shape[0] != cells.shape[1]:
        raise ValueError(
            f"The 'table' parameter of {func} must be a square k x k table (rows: first "
            f"rater, columns: second rater). Got shape {cells.shape} instead."
        )
    q = cells.shape[0]
    values = _table_categories(categories, frame_categories, q, "table")
    pair = np.repeat(np.arange(q * q), cells.ravel())
    n = len(pair)
    item_codes = np.repeat(np.arange(n), 2)
    rater_codes = np.tile([0, 1], n)
    label_codes = np.column_stack([pair // q, pair % q]).ravel()
    return _coded(values, item_codes, rater_codes, label_codes, (np.arange(n), np.arange(2)))


def _from_counts(counts: Any, categories: Any) -> Ratings:
    func = caller()
    frame_categories = counts.columns.to_numpy() if isinstance(counts, pd.DataFrame) else None
    matrix = _nonnegative_integers(counts, name="counts")
    if matrix.ndim != 2:
        raise ValueError(
            f"The 'counts' parameter of {func} must be a 2-D items x categories table. "
            f"Got {matrix.ndim} dimension(s) instead."
        )
    values = _table_categories(categories, frame_categories, matrix.shape[1], "counts")
    rated = matrix.sum(axis=1) > 0
    _check_some_ratings(int(rated.sum()))
    items = counts.index.to_numpy() if isinstance(counts, pd.DataFrame) else np.arange(len(rated))
    most = int(matrix[rated].sum(axis=1).max())
    return Ratings(values, matrix[rated], None, None, None, most, items[rated], None)


def _from_codes(
    item_codes: np.ndarray,
    rater_codes: np.ndarray,
    labels: np.ndarray,
    ids: tuple[np.ndarray, np.ndarray],
    categories: Any,
) -> Ratings:
    _check_some_ratings(len(labels))
    values, label_codes = _encode_labels(labels, categories)
    return _coded(values, item_codes, rater_codes, label_codes, ids)


def _coded(
    values: np.ndarray,
    item_codes: np.ndarray,
    rater_codes: np.ndarray,
    label_codes: np.ndarray,
    ids: tuple[np.ndarray, np.ndarray],
) -> Ratings:
    q = len(values)
    items, raters = ids
    counts = np.bincount(item_codes * q + label_codes, minlength=len(items) * q)
    counts = counts.reshape(len(items), q)
    return Ratings(values, counts, item_codes, rater_codes, label_codes, len(raters), items, raters)


def _encode_labels(labels: np.ndarray, categories: Any) -> tuple[np.ndarray, np.ndarray]:
    func = caller()
    if categories is None:
        observed = pd.unique(labels)
        try:
            values = np.sort(observed)
        except TypeError:
            values = np.asarray(observed, dtype=object)
    else:
        values = _category_list(categories)
    codes = pd.Index(values).get_indexer(labels).astype(np.int64)
    unknown = codes < 0
    if unknown.any():
        raise ValueError(
            f"{func} found {int(unknown.sum())} rating(s) with labels not in 'categories' "
            f"({format_values(values, limit=10)}): {format_values(pd.unique(labels[unknown]))}. "
            "Add them to 'categories' or correct those labels."
        )
    return values, codes


def _category_list(categories: Any) -> np.ndarray:
    func = caller()
    values = np.asarray(list(categories))
    if len(values) == 0 or len(pd.unique(values)) != len(values):
        raise ValueError(
            f"The 'categories' parameter of {func} must list each category once. "
            f"Got {format_values(values, limit=10) or 'an empty list'} instead."
        )
    return values


def _table_categories(
    categories: Any, from_frame: np.ndarray | None, q: int, name: str
) -> np.ndarray:
    func = caller()
    if categories is None:
        return from_frame if from_frame is not None else np.arange(q)
    values = _category_list(categories)
    if len(values) != q:
        raise ValueError(
            f"The 'categories' parameter of {func} must have one entry per category of "
            f"{name!r} ({q}). Got {len(values)} instead."
        )
    return values


def _nonnegative_integers(table: Any, *, name: str) -> np.ndarray:
    func = caller()
    values = np.asarray(table, dtype=float)
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        raise ValueError(
            f"The {name!r} parameter of {func} must hold non-negative whole counts. Found "
            f"{int(bad.sum())} other value(s): {format_values(values[bad])}. Replace missing "
            "counts by 0."
        )
    return values.astype(np.int64)


def _check_some_ratings(n: int) -> None:
    func = caller()
    if n == 0:
        raise ValueError(
            f"{func} found no ratings: every label is missing or every count is 0. "
            "Check the label column and the missing-value coding."
        )


def _check_unique_pairs(
    item_codes: np.ndarray,
    rater_codes: np.ndarray,
    item_values: np.ndarray,
    n_raters: int,
    names: dict,
) -> None:
    pair = item_codes.astype(np.int64) * n_raters + rater_codes
    _, first, seen = np.unique(pair, return_index=True, return_counts=True)
    repeated = seen > 1
    if repeated.any():
        examples = pd.unique(item_values[item_codes[np.sort(first[repeated])]])
        raise_repeated_pairs(
            int(repeated.sum()), examples, item=names["item"], rater=names["rater"]
        )
