"""Input forms, categories, edge cases and error messages of the agreement coefficients."""

import re
from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest
from reference import agreement as ref
from reference.agreement_data import FLEISS_1971, KRIPPENDORFF_2011

from qainsights.agreement import (
    brennan_prediger,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)

FAMILY = [percent_agreement, brennan_prediger, gwet_ac, fleiss_kappa, krippendorff_alpha]
ALL = [*FAMILY, conger_kappa, scott_pi, cohen_kappa]


def long_form(wide: np.ndarray) -> pd.DataFrame:
    """Items x raters -> one row per rating, missing ratings dropped."""
    frame = pd.DataFrame(wide).rename_axis("unit").reset_index()
    frame = frame.melt(id_vars="unit", var_name="coder", value_name="value")
    return frame.dropna(subset=["value"]).reset_index(drop=True)


def counts_form(wide: np.ndarray) -> np.ndarray:
    categories = np.unique(wide[~np.isnan(wide)])
    return np.stack([(wide == c).sum(axis=1) for c in categories], axis=1)


@pytest.mark.parametrize("func", [*FAMILY, conger_kappa])
def test_long_and_wide_agree(func):
    wide = func(KRIPPENDORFF_2011)
    long = func(long_form(KRIPPENDORFF_2011), item="unit", rater="coder", label="value")
    assert long == wide


@pytest.mark.parametrize("func", FAMILY)
def test_counts_agree_with_wide(func):
    wide = func(KRIPPENDORFF_2011)
    counts = func(counts=counts_form(KRIPPENDORFF_2011))
    assert counts.estimate == wide.estimate
    assert counts.se == pytest.approx(wide.se, rel=1e-12)


def test_long_format_with_string_labels_and_shuffled_rows():
    long = long_form(KRIPPENDORFF_2011)
    names = {1.0: "spam", 2.0: "hate", 3.0: "ok", 4.0: "nudity", 5.0: "scam"}
    long["value"] = long["value"].map(names)
    shuffled = long.sample(frac=1, random_state=3)
    result = fleiss_kappa(shuffled, item="unit", rater="coder", label="value")
    assert result.estimate == pytest.approx(fleiss_kappa(KRIPPENDORFF_2011).estimate, abs=1e-15)


def test_two_vectors_table_and_wide_agree_for_cohen():
    a, b = FLEISS_1971[:, 0], FLEISS_1971[:, 1]
    table = pd.crosstab(a, b).reindex(index=range(1, 6), columns=range(1, 6), fill_value=0)
    from_vectors = cohen_kappa(a, b, weights="linear")
    from_table = cohen_kappa(table=table.to_numpy(), weights="linear")
    from_wide = cohen_kappa(np.column_stack([a, b]), weights="linear")
    assert from_vectors.estimate == pytest.approx(from_table.estimate, abs=1e-15)
    # Field by field with NaN equal to NaN: since Python 3.13 a dataclass's == compares NaN fields unequal.
    np.testing.assert_equal(asdict(from_vectors), asdict(from_wide))


def test_cohen_from_long_format_equals_two_vectors():
    long = long_form(FLEISS_1971[:, :2].astype(float))
    from_long = cohen_kappa(long, item="unit", rater="coder", label="value", weights="quadratic")
    from_vectors = cohen_kappa(FLEISS_1971[:, 0], FLEISS_1971[:, 1], weights="quadratic")
    np.testing.assert_equal(asdict(from_long), asdict(from_vectors))


def test_cohen_uses_items_both_raters_rated():
    a = [1, 2, 2, np.nan, 1, 2]
    b = [1, 2, 1, 2, np.nan, 2]
    result = cohen_kappa(a, b)
    # complete pairs (1,1), (2,2), (2,1), (2,2): p_o 3/4, p_e = 1/4 * 2/4 + 3/4 * 2/4 = 1/2
    assert result.n_items == 4
    assert result.estimate == pytest.approx((0.75 - 0.5) / 0.5, abs=1e-15)


def test_categories_fix_order_and_count_unused_categories():
    a = ["no", "no", "yes", "no"]
    b = ["no", "yes", "yes", "no"]
    two = gwet_ac(np.column_stack([a, b]))
    three = gwet_ac(np.column_stack([a, b]), categories=["no", "yes", "unsure"])
    # Brennan-Prediger chance agreement is 1/q: 1/2 with two categories, 1/3 with three
    assert brennan_prediger(np.column_stack([a, b])).pe == pytest.approx(1 / 2)
    bp3 = brennan_prediger(np.column_stack([a, b]), categories=["no", "yes", "unsure"])
    assert bp3.pe == pytest.approx(1 / 3)
    assert two.estimate != three.estimate


def test_categorical_label_column_brings_its_order_and_unused_levels():
    long = pd.DataFrame(
        {"unit": [1, 1, 2, 2, 3, 3], "coder": ["a", "b"] * 3,
         "value": ["low", "mid", "high", "high", "low", "low"]}
    )  # fmt: skip
    order = ["low", "mid", "high", "extreme"]
    as_categorical = long.assign(value=pd.Categorical(long["value"], categories=order))
    columns = {"item": "unit", "rater": "coder", "label": "value"}
    expected = gwet_ac(long, **columns, weights="linear", categories=order)
    assert gwet_ac(as_categorical, **columns, weights="linear") == expected


def test_categories_order_drives_linear_weights():
    a = ["low", "high", "mid", "low"]
    b = ["mid", "high", "low", "low"]
    ordered = cohen_kappa(a, b, weights="linear", categories=["low", "mid", "high"])
    # positions low=0, mid=1, high=2; linear agreement weights 1 - |i - j| / 2
    # pairs: (low,mid) 0.5, (high,high) 1, (mid,low) 0.5, (low,low) 1 -> p_o = 0.75
    assert ordered.pa == pytest.approx(0.75)


def test_missing_ratings_never_count_as_a_label():
    wide = np.array([[1, 1, np.nan], [2, 2, None], [1, 2, 1]], dtype=object)
    result = fleiss_kappa(wide)
    assert result.n_items == 3
    assert list(result.to_frame()["n_raters"]) == [3]
    numeric = fleiss_kappa(np.array([[1, 1, np.nan], [2, 2, np.nan], [1, 2, 1]], dtype=float))
    assert result.estimate == numeric.estimate


def test_table_as_dataframe_takes_its_categories():
    table = pd.DataFrame([[20, 5], [10, 15]], index=["yes", "no"], columns=["yes", "no"])
    assert cohen_kappa(table=table).estimate == pytest.approx(0.4)


def test_bootstrap_is_reproducible_and_covers_the_estimate():
    first = gwet_ac(FLEISS_1971, method="bootstrap", seed=7)
    second = gwet_ac(FLEISS_1971, method="bootstrap", seed=7)
    assert first == second
    assert first.ci_low < first.estimate < first.ci_high
    # bootstrap and Gwet's analytic SE estimate the same quantity (30 items: within 25 %)
    assert first.se == pytest.approx(gwet_ac(FLEISS_1971).se, rel=0.25)
    cohen = cohen_kappa(table=[[20, 5], [10, 15]], method="bootstrap", seed=1, n_boot=4000)
    assert cohen.se == pytest.approx(ref.K4_WIKIPEDIA.se, rel=0.1)  # statsmodels ASE


def test_inputs_are_not_modified():
    long = long_form(KRIPPENDORFF_2011)
    long_copy = long.copy()
    wide = KRIPPENDORFF_2011.copy()
    counts = counts_form(KRIPPENDORFF_2011)
    counts_copy = counts.copy()
    for func in [*FAMILY, conger_kappa]:
        func(long, item="unit", rater="coder", label="value")
        func(wide)
        if func is not conger_kappa:
            func(counts=counts)
    table = np.array([[20, 5], [10, 15]])
    cohen_kappa(table=table, method="bootstrap", seed=0)
    pd.testing.assert_frame_equal(long, long_copy)
    np.testing.assert_array_equal(wide, KRIPPENDORFF_2011)
    np.testing.assert_array_equal(counts, counts_copy)
    np.testing.assert_array_equal(table, [[20, 5], [10, 15]])


def test_to_frame_has_documented_columns():
    frame = cohen_kappa(table=[[20, 5], [10, 15]]).to_frame()
    for column in ["estimate", "se", "ci_low", "ci_high", "p_value", "pa", "pe", "n_items"]:
        assert frame[column].dtype == float or column == "n_items"
    assert {"pabak", "prevalence_index", "bias_index", "method"} <= set(frame.columns)
    assert "<h4>Cohen's kappa</h4>" in cohen_kappa(table=[[20, 5], [10, 15]])._repr_html_()


# --- edge cases: documented outcomes --------------------------------------------------------------


@pytest.mark.parametrize("func", [fleiss_kappa, krippendorff_alpha, scott_pi, cohen_kappa])
def test_one_category_gives_nan_with_warning(func):
    wide = np.array([["ok", "ok"], ["ok", "ok"], ["ok", "ok"]])
    with pytest.warns(UserWarning, match=r"fall in one category \('ok'\)"):
        result = func(wide)
    assert np.isnan(result.estimate)
    assert percent_agreement(wide).estimate == 1.0


def test_one_used_category_of_two_keeps_ac1_defined():
    wide = np.array([["ok", "ok"], ["ok", "ok"]])
    result = gwet_ac(wide, categories=["ok", "violation"])
    # pi = (1, 0): pe = 1/(2*1) * (1*0 + 0*1) = 0, AC1 = p_o = 1
    assert result.estimate == 1.0


def test_single_item_gives_nan_standard_error_with_warning():
    with pytest.warns(UserWarning, match="needs at least two items; got one"):
        result = gwet_ac([[1, 2, 1]])
    assert np.isnan(result.se)
    assert np.isnan(result.ci_low)


def test_items_with_one_rating_count_in_shares_only():
    with_single = fleiss_kappa([[1, 1], [2, 2], [1, np.nan]])
    # pa from two items = 1; pi = ((1 + 0 + 1)/3, (0 + 1 + 0)/3); pe = 4/9 + 1/9
    assert with_single.estimate == pytest.approx((1 - 5 / 9) / (1 - 5 / 9))
    assert with_single.n_items == 3


ERRORS = [
    (
        lambda: fleiss_kappa([[1, 2], ["x", 2]], categories=[1, 2]),
        "fleiss_kappa found 1 rating(s) with labels not in 'categories' (1, 2): 'x'. Add them "
        "to 'categories' or correct those labels.",
    ),
    (
        lambda: gwet_ac([[1, 2]], categories=[1, 1, 2]),
        "The 'categories' parameter of gwet_ac must list each category once.",
    ),
    (
        lambda: fleiss_kappa([[np.nan, np.nan], [np.nan, np.nan]]),
        "fleiss_kappa found no ratings: every label is missing or every count is 0.",
    ),
    (
        lambda: fleiss_kappa([[1], [2], [1]]),
        "fleiss_kappa needs at least one item rated by two or more raters; every item here "
        "has a single rating.",
    ),
    (
        lambda: cohen_kappa([1, 2, 3], [1, 2]),
        "cohen_kappa needs two label vectors of the same length, one per rater. Got shapes "
        "(3,) and (2,) instead.",
    ),
    (
        lambda: cohen_kappa(FLEISS_1971),
        "cohen_kappa compares exactly 2 raters. Got 6.",
    ),
    (
        lambda: scott_pi(FLEISS_1971),
        "scott_pi compares exactly 2 raters. Got 6.",
    ),
    (
        lambda: cohen_kappa(table=[[1, 2, 3], [4, 5, 6]]),
        "The 'table' parameter of cohen_kappa must be a square k x k table (rows: first "
        "rater, columns: second rater). Got shape (2, 3) instead.",
    ),
    (
        lambda: fleiss_kappa(counts=[[1, -1], [2, np.nan]]),
        "The 'counts' parameter of fleiss_kappa must hold non-negative whole counts. Found 2 "
        "other value(s): -1.0, nan.",
    ),
    (
        lambda: fleiss_kappa(counts=[[1, 1]], categories=["a", "b", "c"]),
        "The 'categories' parameter of fleiss_kappa must have one entry per category of "
        "'counts' (2). Got 3 instead.",
    ),
    (
        lambda: fleiss_kappa(FLEISS_1971, counts=[[1, 1]]),
        "fleiss_kappa takes one input form: 'data' (long or wide), 'counts' or 'table'. Got "
        "data, counts.",
    ),
    (lambda: fleiss_kappa(), "fleiss_kappa needs ratings: pass 'data'"),
    (
        lambda: krippendorff_alpha(KRIPPENDORFF_2011, level="nomnal"),
        "The 'level' parameter of krippendorff_alpha must be one of 'nominal', 'ordinal', "
        "'interval', 'ratio'. Got 'nomnal' instead.",
    ),
    (
        lambda: krippendorff_alpha([["a", "b"], ["b", "b"]], level="interval"),
        "krippendorff_alpha with level='interval' needs numeric category values.",
    ),
    (
        lambda: krippendorff_alpha([[-1, 2], [2, 2]], level="ratio"),
        "krippendorff_alpha with level='ratio' needs non-negative category values.",
    ),
    (
        lambda: gwet_ac(FLEISS_1971, weights="squared"),
        "The 'weights' parameter of gwet_ac must be one of 'identity', 'linear', 'quadratic'. "
        "Got 'squared' instead.",
    ),
    (
        lambda: gwet_ac(FLEISS_1971, weights=np.ones((2, 2))),
        "The 'weights' parameter of gwet_ac must be None, one of 'identity', 'linear', "
        "'quadratic', or a 5 x 5 matrix of agreement weights in [0, 1] with 1 on the diagonal.",
    ),
    (
        lambda: fleiss_kappa(FLEISS_1971, method="jackknife"),
        "The 'method' parameter of fleiss_kappa must be one of 'auto', 'analytic', 'likelihood', "
        "'bootstrap'. Got "
        "'jackknife' instead.",
    ),
    (
        lambda: fleiss_kappa(FLEISS_1971, ci=95),
        "The 'ci' parameter of fleiss_kappa must be a confidence level strictly between 0 and 1",
    ),
    (
        lambda: conger_kappa(counts=[[1, 1], [2, 0]]),
        "conger_kappa needs to know which rater gave each rating; a 'counts=' table does not say.",
    ),
    (
        lambda: cohen_kappa(counts=[[1, 1], [2, 0]]),
        "cohen_kappa needs to know which rater gave each rating; a 'counts=' table does not say.",
    ),
    (
        lambda: conger_kappa(FLEISS_1971, method="bootstrap"),
        "conger_kappa offers method='analytic' only",
    ),
    (
        lambda: cohen_kappa([1, np.nan], [np.nan, 2]),
        "cohen_kappa needs at least one item rated by two or more raters",
    ),
    (
        lambda: fleiss_kappa(np.arange(8).reshape(2, 2, 2)),
        "The 'data' parameter of fleiss_kappa must be a long frame with 'item', 'rater' and "
        "'label', or a 2-D items x raters table. Got 3 dimension(s) instead.",
    ),
]


@pytest.mark.parametrize(("call", "message"), ERRORS)
def test_error_messages(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_long_format_errors():
    long = long_form(KRIPPENDORFF_2011)
    with pytest.raises(ValueError, match=re.escape("fleiss_kappa needs column 'rating' in 'data'")):
        fleiss_kappa(long, item="unit", rater="coder", label="rating")
    with pytest.raises(
        ValueError,
        match=re.escape("fleiss_kappa needs all of 'item', 'rater' and 'label' for long-format "
                        "data; 'label' not given."),
    ):  # fmt: skip
        fleiss_kappa(long, item="unit", rater="coder")
    doubled = pd.concat([long, long.iloc[[0, 5]]])
    with pytest.raises(
        ValueError,
        match=re.escape("fleiss_kappa found 2 (item, rater) pair(s) rated more than once, for "
                        "example items 0, 5. Keep one rating per 'unit' and 'coder'"),
    ):  # fmt: skip
        fleiss_kappa(doubled, item="unit", rater="coder", label="value")
    with pytest.raises(
        TypeError, match="The 'data' parameter of fleiss_kappa must be a pandas, polars, DuckDB"
    ):
        fleiss_kappa(KRIPPENDORFF_2011, item="unit", rater="coder", label="value")
    gaps = long.astype({"coder": object})
    gaps.loc[0, "coder"] = None
    with pytest.raises(
        ValueError,
        match=r"fleiss_kappa found 1 rows with a missing value in column 'coder' \(index 0\)",
    ):
        fleiss_kappa(gaps, item="unit", rater="coder", label="value")
