"""Coefficients against independent implementations on random data (hypothesis).

Oracles, all computed at test time:

* the ``krippendorff`` package (GPL-3.0, a test-time oracle only; no code taken from it):
  ``krippendorff.alpha(reliability_data=raters x units, level_of_measurement=...)``,
  with ``value_domain=`` for ordered string labels;
* statsmodels ``cohens_kappa`` (kappa and ``std_kappa``, the Fleiss-Cohen-Everitt standard
  error) on the cross-table of the items both raters rated;
* statsmodels ``fleiss_kappa`` (``method="fleiss"`` and ``"randolph"``) on the items x
  categories table of ``aggregate_raters``.

sklearn's ``cohen_kappa_score`` is not a dependency of the project; statsmodels covers Cohen.
"""

from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from reference import agreement as ref
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from qainsights.agreement import (
    agreement_by,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
)

LEVELS = ["nominal", "ordinal", "interval", "ratio"]
# Unevenly spaced numeric labels, so the interval and ratio metrics differ from the ordinal one.
VALUES = np.array([0.0, 1.0, 2.0, 5.0, 10.0])
SEVERITY = ["none", "ambiguous", "mild", "strong", "severe"]

# these tests compare estimates with other packages; the warning of a skewed session's
# fragile interval (tests/agreement/test_agreement_reference.py) is beside their point
pytestmark = pytest.mark.filterwarnings("ignore::qainsights.agreement.SkewedSessionWarning")


@st.composite
def sparse_ratings(draw, max_raters=7, max_values=5):
    """Items x raters matrix with NaN for missing ratings: unequal raters per item.

    Items may have zero, one or several ratings; at least two items are pairable and at least
    two distinct values are pairable, so alpha is defined.
    """
    n_items = draw(st.integers(2, 30))
    n_raters = draw(st.integers(2, max_raters))
    n_values = draw(st.integers(2, max_values))
    missing = draw(st.sampled_from([0.0, 0.2, 0.5]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    shares = rng.dirichlet(np.full(n_values, 0.7))
    values = VALUES[rng.choice(n_values, size=(n_items, n_raters), p=shares)]
    values[rng.random((n_items, n_raters)) < missing] = np.nan
    pairable = values[(~np.isnan(values)).sum(axis=1) >= 2]
    assume(len(pairable) >= 2)
    assume(len(np.unique(pairable[~np.isnan(pairable)])) >= 2)
    return values


def to_long(values: np.ndarray) -> pd.DataFrame:
    """Long format: one row per present rating, raters named r0, r1, ... (rows shuffled)."""
    items, raters = np.nonzero(~np.isnan(values))
    long = pd.DataFrame(
        {
            "unit": [f"u{i:02d}" for i in items],
            "coder": [f"r{r}" for r in raters],
            "value": values[items, raters],
        }
    )
    return long.sample(frac=1.0, random_state=len(long)).reset_index(drop=True)


@settings(max_examples=50, deadline=None)
@given(sparse_ratings(), st.sampled_from(LEVELS))
def test_alpha_matches_krippendorff_package_wide(values, level):
    # krippendorff.alpha wants raters in rows, units in columns
    expected = krippendorff.alpha(reliability_data=values.T, level_of_measurement=level)
    assert krippendorff_alpha(values, level=level).estimate == pytest.approx(expected, abs=1e-10)


@settings(max_examples=50, deadline=None)
@given(sparse_ratings(), st.sampled_from(LEVELS))
def test_alpha_matches_krippendorff_package_long(values, level):
    expected = krippendorff.alpha(reliability_data=values.T, level_of_measurement=level)
    result = krippendorff_alpha(
        to_long(values), item="unit", rater="coder", label="value", level=level
    )
    assert result.estimate == pytest.approx(expected, abs=1e-10)
    pairable = (~np.isnan(values)).sum(axis=1) >= 2
    assert result.n_items == pairable.sum()


@settings(max_examples=40, deadline=None)
@given(sparse_ratings())
def test_ordinal_alpha_on_ordered_strings_matches_krippendorff_value_domain(values):
    # Ordered string labels: the order comes from `categories=` here, `value_domain=` there.
    codes = pd.Series(values.ravel()).map(dict(zip(VALUES, SEVERITY, strict=True)))
    labels = codes.to_numpy(dtype=object).reshape(values.shape)
    # the package reads a string matrix, with "nan" for a missing rating (its docstring's form)
    expected = krippendorff.alpha(
        reliability_data=np.where(pd.isna(labels), "nan", labels).astype(str).T,
        value_domain=SEVERITY,
        level_of_measurement="ordinal",
    )
    result = krippendorff_alpha(pd.DataFrame(labels), categories=SEVERITY, level="ordinal")
    assert result.estimate == pytest.approx(expected, abs=1e-10)


@settings(max_examples=30, deadline=None)
@given(st.lists(sparse_ratings(max_raters=4), min_size=2, max_size=4), st.sampled_from(LEVELS))
def test_alpha_per_group_matches_krippendorff_package(groups, level):
    # One call for all groups equals the package run group by group. The ordinal metric of
    # agreement_by uses the pooled category totals, so only the other levels are compared there.
    assume(level != "ordinal")
    long = pd.concat(
        [to_long(values).assign(session=f"s{g}") for g, values in enumerate(groups)],
        ignore_index=True,
    )
    table = agreement_by(
        long, by="session", item="unit", rater="coder", label="value",
        coefficient="krippendorff_alpha", level=level,
    )  # fmt: skip
    expected = [
        krippendorff.alpha(reliability_data=values.T, level_of_measurement=level)
        for values in groups
    ]
    assert table["estimate"].to_numpy() == pytest.approx(expected, abs=1e-10)


@st.composite
def two_raters(draw):
    """Two raters' labels over the same items, each may be missing; strings, 2-4 categories."""
    n_items = draw(st.integers(4, 60))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_categories = draw(st.integers(2, 4))
    first = rng.integers(n_categories, size=n_items)
    agree = rng.random(n_items) < draw(st.sampled_from([0.0, 0.5, 0.9]))
    second = np.where(agree, first, rng.integers(n_categories, size=n_items))
    labels = np.array(SEVERITY[:n_categories], dtype=object)
    a, b = labels[first], labels[second]
    a[rng.random(n_items) < 0.15] = None
    b[rng.random(n_items) < 0.15] = None
    both = pd.notna(a) & pd.notna(b)
    assume(both.sum() >= 2)
    # each rater uses two or more categories on the shared items, so chance agreement < 1
    assume(len(set(a[both])) >= 2 and len(set(b[both])) >= 2)
    return a, b, labels


@settings(max_examples=50, deadline=None)
@given(two_raters(), st.sampled_from([None, "linear", "quadratic"]))
def test_cohen_from_label_vectors_matches_statsmodels(raters, weights):
    a, b, labels = raters
    both = pd.notna(a) & pd.notna(b)
    table = pd.crosstab(
        pd.Categorical(a[both], categories=labels), pd.Categorical(b[both], categories=labels),
        dropna=False,
    )  # fmt: skip
    # statsmodels takes square roots and ratios of near-zero variances on tiny degenerate
    # tables; its warnings there are not ours, so compare variances, not standard errors
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = cohens_kappa(table.to_numpy(), wt=weights)
    result = cohen_kappa(a, b, categories=list(labels), weights=weights)
    assert result.estimate == pytest.approx(expected.kappa, abs=1e-10)
    assert result.se**2 == pytest.approx(expected.var_kappa, abs=1e-12)
    assert result.n_items == both.sum()


@settings(max_examples=50, deadline=None)
@given(
    st.integers(3, 40),
    st.integers(2, 8),
    st.integers(2, 5),
    st.integers(0, 2**32 - 1),
)
def test_fleiss_and_randolph_from_long_format_match_statsmodels(n_items, n_raters, q, seed):
    # Complete data (statsmodels needs the same number of raters per item), long format input.
    rng = np.random.default_rng(seed)
    values = rng.choice(q, size=(n_items, n_raters), p=rng.dirichlet(np.ones(q)))
    assume(len(np.unique(values)) >= 2)
    table, _ = aggregate_raters(values, n_cat=q)
    long = to_long(values.astype(float))
    columns = {"item": "unit", "rater": "coder", "label": "value", "categories": range(q)}
    fleiss = fleiss_kappa(long, **columns)
    assert fleiss.estimate == pytest.approx(sm_fleiss_kappa(table), abs=1e-10)
    randolph = brennan_prediger(long, **columns)
    assert randolph.estimate == pytest.approx(sm_fleiss_kappa(table, method="randolph"), abs=1e-10)


CONVABUSE = Path(__file__).resolve().parents[2] / "data_samples" / "convabuse_calibration.csv"


@pytest.mark.parametrize(
    ("label", "level", "recorded"),
    # Figures recorded with the ConvAbuse data set (tests/reference/agreement.md, K10).
    [(label, level, recorded) for (label, level), recorded in ref.K10_CONVABUSE_ALPHA.items()],
)
def test_convabuse_sample_alpha_matches_recorded_figures_and_package(label, level, recorded):
    ratings = pd.read_csv(CONVABUSE)
    first = ratings[ratings["repeat"] == 0]
    result = krippendorff_alpha(first, item="item_id", rater="annotator", label=label, level=level)
    assert result.estimate == pytest.approx(recorded, abs=5e-4)
    assert (result.n_items, result.n_raters) == (4185, 8)
    dense = first.pivot(index="annotator", columns="item_id", values=label).to_numpy(float)
    expected = krippendorff.alpha(reliability_data=dense, level_of_measurement=level)
    assert result.estimate == pytest.approx(expected, abs=1e-10)


def test_convabuse_sample_test_retest_pairs():
    # 345 repeated item x annotator pairs, binary self-consistency 96.8 % (K10)
    ratings = pd.read_csv(CONVABUSE)
    keys = ["item_id", "annotator"]
    first = ratings[ratings["repeat"] == 0].set_index(keys)["abusive"]
    second = ratings[ratings["repeat"] == 1].set_index(keys)["abusive"]
    assert len(second) == 345
    assert (first.reindex(second.index) == second).sum() == 334
