"""Invariants of the coefficients and agreement with independent implementations on random data."""

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from qainsights.agreement import (
    brennan_prediger,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac,
    krippendorff_alpha,
    percent_agreement,
)

# the properties concern estimates and standard errors; a random session may be skewed enough
# for the kappa-type interval's warning, tested in test_agreement_reference.py
pytestmark = pytest.mark.filterwarnings("ignore::qainsights.agreement.SkewedSessionWarning")

MULTI = [percent_agreement, brennan_prediger, gwet_ac, fleiss_kappa, krippendorff_alpha]


@st.composite
def ratings(draw, missing=True, min_raters=2):
    """Items x raters matrix of labels 0-3 with NaN for missing; at least two categories used."""
    n_items = draw(st.integers(3, 25))
    n_raters = draw(st.integers(min_raters, 5))
    cells = st.one_of(st.integers(0, 3), st.just(-1)) if missing else st.integers(0, 3)
    values = np.array(
        draw(st.lists(cells, min_size=n_items * n_raters, max_size=n_items * n_raters)), float
    ).reshape(n_items, n_raters)
    values[values < 0] = np.nan
    pairable = values[(~np.isnan(values)).sum(axis=1) >= 2]
    assume(len(pairable) >= 2)
    assume(len(np.unique(pairable[~np.isnan(pairable)])) >= 2)
    return values


def same(first, second):
    assert first.estimate == pytest.approx(second.estimate, abs=1e-12)
    assert first.se == pytest.approx(second.se, abs=1e-12, nan_ok=True)


@settings(max_examples=60, deadline=None)
@given(ratings(), st.randoms(use_true_random=False))
def test_symmetric_in_raters_and_invariant_to_item_order(values, random):
    raters = list(range(values.shape[1]))
    items = list(range(values.shape[0]))
    random.shuffle(raters)
    random.shuffle(items)
    permuted = values[items][:, raters]
    for func in [*MULTI, conger_kappa]:
        same(func(values), func(permuted))


@settings(max_examples=60, deadline=None)
@given(ratings(), st.permutations([0, 1, 2, 3]))
def test_invariant_to_relabelling_categories(values, relabel):
    mapped = np.where(np.isnan(values), np.nan, np.take(relabel, np.nan_to_num(values).astype(int)))
    categories = list(range(4))
    for func in [*MULTI, conger_kappa]:
        same(func(values, categories=categories), func(mapped, categories=categories))


@settings(max_examples=40, deadline=None)
@given(ratings(missing=False))
def test_one_under_perfect_agreement(values):
    perfect = np.repeat(values[:, :1], values.shape[1], axis=1)
    assume(len(np.unique(perfect)) >= 2)
    for func in [*MULTI, conger_kappa]:
        assert func(perfect).estimate == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(ratings(), st.sampled_from(["identity", "linear", "quadratic"]))
def test_bounds_and_intervals(values, weights):
    for func in [percent_agreement, brennan_prediger, gwet_ac, fleiss_kappa, conger_kappa]:
        result = func(values, weights=weights)
        assert 0 <= result.pa <= 1 + 1e-12
        assert result.estimate <= 1 + 1e-12
        assert -1 <= result.ci_low <= result.ci_high <= 1
        assert result.ci_low <= result.estimate + 1e-12 or result.estimate < -1
        assert result.estimate <= result.ci_high + 1e-12


@settings(max_examples=60, deadline=None)
@given(ratings(missing=False))
def test_fleiss_and_randolph_match_statsmodels_on_complete_data(values):
    table, _ = aggregate_raters(values.astype(int), n_cat=4)
    expected = sm_fleiss_kappa(table)
    assert fleiss_kappa(values).estimate == pytest.approx(expected, abs=1e-10)
    randolph = sm_fleiss_kappa(table, method="randolph")
    result = brennan_prediger(values, categories=[0.0, 1.0, 2.0, 3.0])
    assert result.estimate == pytest.approx(randolph, abs=1e-10)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 30), min_size=9, max_size=9),
    st.sampled_from([None, "linear", "quadratic"]),
)
def test_cohen_matches_statsmodels(cells, weights):
    table = np.array(cells).reshape(3, 3)
    # both raters use two or more categories, so chance agreement is below 1
    assume((table.sum(axis=0) > 0).sum() >= 2 and (table.sum(axis=1) > 0).sum() >= 2)
    expected = cohens_kappa(table, wt=weights)
    result = cohen_kappa(table=table, weights=weights)
    assert result.estimate == pytest.approx(expected.kappa, abs=1e-10)
    assert result.se == pytest.approx(expected.std_kappa, abs=1e-10)


def alpha_by_definition(values: np.ndarray, delta) -> float:
    """Krippendorff (2011): coincidences of pairable values, alpha = 1 - D_o / D_e, by loops."""
    categories = np.unique(values[~np.isnan(values)])
    index = {c: i for i, c in enumerate(categories)}
    coincidence = np.zeros((len(categories), len(categories)))
    for unit in values:
        present = unit[~np.isnan(unit)]
        m = len(present)
        if m < 2:
            continue
        for i, j in itertools.permutations(range(m), 2):
            coincidence[index[present[i]], index[present[j]]] += 1 / (m - 1)
    totals = coincidence.sum(axis=1)
    n = totals.sum()
    d = np.array([[delta(c, k, categories, totals) for k in categories] for c in categories])
    observed = (coincidence * d).sum() / n
    expected = (np.outer(totals, totals) * d).sum() / (n * (n - 1))
    return 1 - observed / expected


def ordinal_delta(c, k, categories, totals):
    low, high = sorted([np.searchsorted(categories, c), np.searchsorted(categories, k)])
    return (totals[low : high + 1].sum() - (totals[low] + totals[high]) / 2) ** 2


DELTAS = {
    "nominal": lambda c, k, *_: float(c != k),
    "ordinal": ordinal_delta,
    "interval": lambda c, k, *_: (c - k) ** 2,
    "ratio": lambda c, k, *_: ((c - k) / (c + k)) ** 2 if c + k else 0.0,
}


@settings(max_examples=50, deadline=None)
@given(ratings(), st.sampled_from(sorted(DELTAS)))
def test_alpha_matches_its_definition_with_missing_data(values, level):
    expected = alpha_by_definition(values, DELTAS[level])
    assume(np.isfinite(expected))
    assert krippendorff_alpha(values, level=level).estimate == pytest.approx(expected, abs=1e-10)


@settings(max_examples=40, deadline=None)
@given(ratings())
def test_long_wide_and_counts_forms_agree(values):
    long = pd.DataFrame(values).rename_axis("unit").reset_index()
    long = long.melt(id_vars="unit", var_name="coder", value_name="value").dropna()
    counts = np.stack([(values == c).sum(axis=1) for c in range(4)], axis=1)
    for func in [*MULTI, conger_kappa]:
        wide = func(values, categories=range(4))
        from_long = func(long, item="unit", rater="coder", label="value", categories=range(4))
        same(wide, from_long)
        if func is not conger_kappa:
            same(wide, func(counts=counts))


@pytest.mark.parametrize(
    ("high", "width"),
    [(4, 5), (60, 6), (3, 50)],  # pooled by bincount, by 1-D unique, and row by row
)
def test_patterns_pool_identical_rows(high, width):
    from qainsights.agreement._family import patterns_of

    counts = np.random.default_rng(high).integers(0, high, size=(3000, width))
    counts[1000:2000] = counts[:1000]  # guarantee repeated rows
    pooled = patterns_of(counts)
    expected = pd.DataFrame(counts).value_counts()
    got = pd.Series(
        pooled.multiplicity, index=pd.MultiIndex.from_arrays(pooled.counts.T.astype(int))
    )
    assert got.sort_index().to_numpy().tolist() == expected.sort_index().to_numpy().tolist()
    assert got.sort_index().index.equals(expected.sort_index().index)
