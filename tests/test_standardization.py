"""Tests of standardized_rates (direct standardisation to a common mix).

Sources, in tests/reference/standardisation_and_shrinkage.md, part 1: the direct standardised
rate and its binomial variance (Breslow & Day, 1987; Fleiss, Levin & Paik, 2003, ch. 19) worked
by hand below; marginal standardisation of a saturated logistic model (statsmodels GLM, average
prediction over the standard population with its delta-method standard error) computed at test
time; statsmodels proportion_confint for the intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference.rates import modified_wilson
from statsmodels.formula.api import glm
from statsmodels.genmod.families import Binomial

from qainsights.rates import error_rate
from qainsights.standardization import standardized_rates


def two_sites():
    """Site b does mostly the hard queue (the docstring example)."""
    return pd.DataFrame(
        {
            "site": ["a"] * 10 + ["b"] * 10,
            "queue": ["easy"] * 8 + ["hard"] * 2 + ["easy"] * 2 + ["hard"] * 8,
            "is_error": [True]
            + [False] * 7
            + [True, False]
            + [False] * 2
            + [True] * 3
            + [False] * 5,
        }
    )


def three_sites(seed=11, n=3000):
    """Three sites with different queue x policy mixes and rates; every cell has errors."""
    rng = np.random.default_rng(seed)
    site = rng.choice(["north", "south", "west"], size=n, p=[0.5, 0.3, 0.2])
    hard_share = pd.Series(site).map({"north": 0.2, "south": 0.5, "west": 0.7}).to_numpy()
    queue = np.where(rng.random(n) < hard_share, "hard", "easy")
    policy = rng.choice(["spam", "hate"], size=n, p=[0.6, 0.4])
    logit = (
        -2.5
        + 1.0 * (queue == "hard")
        + 0.5 * (policy == "hate")
        + pd.Series(site).map({"north": 0.0, "south": 0.2, "west": -0.3}).to_numpy()
    )
    is_error = rng.random(n) < 1 / (1 + np.exp(-logit))
    stratum = np.char.add(site.astype(str), queue.astype(str))
    weight = pd.Series(queue).map({"easy": 20.0, "hard": 5.0}).to_numpy() * (1 + (site == "west"))
    return pd.DataFrame(
        {
            "site": site,
            "queue": queue,
            "policy": policy,
            "is_error": is_error,
            "stratum": stratum,
            "weight": weight,
        }
    )


# --- hand-worked example ----------------------------------------------------------------------


def test_hand_worked_example():
    # Cells: a has easy 1/8, hard 1/2; b has easy 0/2, hard 3/8. Overall mix: 10 easy, 10 hard
    # audits, so w = (1/2, 1/2).
    # R_a = 0.5 * 0.125 + 0.5 * 0.5 = 0.3125;  R_b = 0.5 * 0 + 0.5 * 0.375 = 0.1875.
    # var_a = 0.25 * (0.125 * 0.875 / 8) + 0.25 * (0.5 * 0.5 / 2) = 0.00341796875 + 0.03125
    # var_b = 0.25 * 0 + 0.25 * (0.375 * 0.625 / 8) = 0.00732421875
    table = standardized_rates(two_sites(), by="site", mix="queue")
    var = np.array([0.00341796875 + 0.03125, 0.00732421875])
    rate = np.array([0.3125, 0.1875])
    assert table["site"].tolist() == ["a", "b"]
    np.testing.assert_allclose(table["standardized_rate"], rate)
    np.testing.assert_allclose(table["se"], np.sqrt(var), rtol=1e-9)
    n_eff = rate * (1 - rate) / var
    np.testing.assert_allclose(table["n_eff"], n_eff, rtol=1e-9)
    low, high = modified_wilson(rate * n_eff, n_eff)
    np.testing.assert_allclose(table["ci_low"], low, rtol=1e-9)
    np.testing.assert_allclose(table["ci_high"], high, rtol=1e-9)
    # Crude rates 2/10 and 3/10 with their Wilson intervals.
    np.testing.assert_allclose(table["crude_rate"], [0.2, 0.3])
    low, high = modified_wilson([2, 3], [10, 10])
    np.testing.assert_allclose(table["crude_ci_low"], low)
    np.testing.assert_allclose(table["crude_ci_high"], high)
    assert table[["n", "errors"]].to_numpy().tolist() == [[10, 2], [10, 3]]
    np.testing.assert_allclose(table["coverage"], [1.0, 1.0])


def test_explicit_standard_is_rescaled():
    # Shares 1 : 3 -> w = (0.25, 0.75): R_a = 0.25 * 0.125 + 0.75 * 0.5 = 0.40625,
    # R_b = 0.75 * 0.375 = 0.28125.
    standard = pd.Series({"easy": 1.0, "hard": 3.0})
    table = standardized_rates(two_sites(), by="site", mix="queue", standard=standard)
    np.testing.assert_allclose(table["standardized_rate"], [0.40625, 0.28125])
    var_b = 0.75**2 * 0.375 * 0.625 / 8
    np.testing.assert_allclose(table["se"].iloc[1], np.sqrt(var_b))


def test_explicit_standard_with_two_mix_columns():
    audits = three_sites()
    cells = pd.MultiIndex.from_product([["easy", "hard"], ["hate", "spam"]])
    standard = pd.Series([0.4, 0.3, 0.2, 0.1], index=cells)
    table = standardized_rates(audits, by="site", mix=["queue", "policy"], standard=standard)
    cell = error_rate(audits, by=["site", "queue", "policy"]).set_index(["queue", "policy"])
    for site, row in table.set_index("site").iterrows():  # three sites: checking, not computing
        rates = cell[cell["site"] == site]["rate"].reindex(cells)
        assert row["standardized_rate"] == pytest.approx((rates * standard.to_numpy()).sum())


def test_one_cell_equals_crude_rate():
    # With a single mix cell, R = crude rate and var = r(1 - r)/n, so n_eff = n and the
    # interval is the crude Wilson interval.
    audits = three_sites().assign(queue="all")
    table = standardized_rates(audits, by="site", mix="queue")
    np.testing.assert_allclose(table["standardized_rate"], table["crude_rate"])
    np.testing.assert_allclose(table["n_eff"], table["n"])
    np.testing.assert_allclose(table["ci_low"], table["crude_ci_low"])
    np.testing.assert_allclose(table["ci_high"], table["crude_ci_high"])


def test_same_cell_rates_give_same_standardised_rate():
    # Both sites have easy 1/10 and hard 5/10 but different mixes: crude rates differ,
    # standardised rates coincide (0.5 * 0.1 + 0.5 * 0.5 = 0.3).
    rows = {
        "x": [("easy", 10, 1)] * 3 + [("hard", 10, 5)],
        "y": [("easy", 10, 1)] + [("hard", 10, 5)] * 3,
    }
    records = [
        (site, queue, i < errors)
        for site, blocks in rows.items()
        for queue, n, errors in blocks
        for i in range(n)
    ]
    audits = pd.DataFrame(records, columns=["site", "queue", "is_error"])
    table = standardized_rates(audits, by="site", mix="queue")
    np.testing.assert_allclose(table["crude_rate"], [0.2, 0.4])
    np.testing.assert_allclose(table["standardized_rate"], [0.3, 0.3])


# --- marginal standardisation of a saturated logistic model (statsmodels) ----------------------


def test_matches_saturated_glm_marginal_standardisation():
    audits = three_sites()
    table = standardized_rates(audits, by="site", mix=["queue", "policy"]).set_index("site")
    model = glm(
        "is_error ~ C(site) * C(queue) * C(policy)",
        data=audits.astype({"is_error": float}),
        family=Binomial(),
    )
    fit = model.fit()
    for site in table.index:  # three counterfactual populations
        everyone_here = audits.assign(site=site)
        prediction = fit.get_prediction(everyone_here, which="mean", average=True)
        assert table.loc[site, "standardized_rate"] == pytest.approx(prediction.predicted, rel=1e-7)
        assert table.loc[site, "se"] == pytest.approx(prediction.se, rel=1e-5)


def test_weighted_matches_weighted_glm_marginal_standardisation():
    # With weights, cell rates are Σwy/Σw (the weighted saturated GLM's fit) and the default
    # standard is the share of weighted decisions (the weighted average over all audits).
    audits = three_sites()
    table = standardized_rates(audits, by="site", mix=["queue", "policy"], weight="weight")
    model = glm(
        "is_error ~ C(site) * C(queue) * C(policy)",
        data=audits.astype({"is_error": float}),
        family=Binomial(),
        freq_weights=audits["weight"],
    )
    fit = model.fit()
    for site, expected in zip(table["site"], table["standardized_rate"], strict=True):
        prediction = fit.get_prediction(
            audits.assign(site=site),
            which="mean",
            average=True,
            # statsmodels averages agg_weights * prediction over rows: weights with mean 1
            # make that the weighted mean Σ w p / Σ w.
            agg_weights=(audits["weight"] / audits["weight"].mean()).to_numpy(),
        )
        assert expected == pytest.approx(prediction.predicted, rel=1e-7)


def test_weighted_variance_sums_cell_design_variances():
    audits = three_sites()
    table = standardized_rates(
        audits, by="site", mix="queue", weight="weight", strata="stratum"
    ).set_index("site")
    cells = error_rate(audits, by=["site", "queue"], weight="weight", strata="stratum")
    shares = cells.groupby("queue")["weighted_n"].sum() / cells["weighted_n"].sum()
    cells = cells.assign(w=cells["queue"].map(shares))
    rate = (cells["w"] * cells["rate"]).groupby(cells["site"]).sum()
    var = (cells["w"] ** 2 * cells["se"] ** 2).groupby(cells["site"]).sum()
    np.testing.assert_allclose(table["standardized_rate"], rate.reindex(table.index))
    np.testing.assert_allclose(table["se"] ** 2, var.reindex(table.index))
    crude = error_rate(audits, by="site", weight="weight", strata="stratum").set_index("site")
    np.testing.assert_allclose(table["crude_rate"], crude["rate"])
    np.testing.assert_allclose(table["crude_ci_high"], crude["ci_high"])


# --- segments missing cells --------------------------------------------------------------------


def with_easy_only_site():
    """The two sites plus site c, with 1 error in 4 audits of the easy queue only."""
    c = pd.DataFrame({"site": "c", "queue": "easy", "is_error": [True, False, False, False]})
    return pd.concat([two_sites(), c], ignore_index=True)


def test_missing_cells_give_nan_and_a_warning():
    audits = with_easy_only_site()
    with pytest.warns(UserWarning, match=r"1 segments have no audits .* 'c' lacks 'hard'"):
        table = standardized_rates(audits, by="site", mix="queue")
    c = table.set_index("site").loc["c"]
    assert np.isnan(
        c[["standardized_rate", "se", "n_eff", "ci_low", "ci_high"]].to_numpy(float)
    ).all()
    # c covers the easy cell only: 14 of 24 audits are easy.
    assert c["coverage"] == pytest.approx(14 / 24)
    assert c["crude_rate"] == pytest.approx(0.25)
    assert table["standardized_rate"].notna().sum() == 2


def test_missing_cells_resolved_by_restricting_the_standard():
    audits = with_easy_only_site()
    table = standardized_rates(audits, by="site", mix="queue", standard=pd.Series({"easy": 1.0}))
    # Only the easy cell: a 1/8, b 0/2, c 1/4.
    np.testing.assert_allclose(table["standardized_rate"], [0.125, 0.0, 0.25])


# --- properties --------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_properties(seed):
    audits = three_sites(seed=seed, n=400)
    table = standardized_rates(audits, by="site", mix=["queue", "policy"])
    shuffled = standardized_rates(
        audits.sample(frac=1.0, random_state=seed), by="site", mix=["queue", "policy"]
    )
    pd.testing.assert_frame_equal(table, shuffled)
    cells = error_rate(audits, by=["site", "queue", "policy"]).groupby("site")["rate"]
    known = table["standardized_rate"].notna()
    rate = table["standardized_rate"][known].to_numpy()
    assert (rate >= cells.min().reindex(table["site"][known]).to_numpy() - 1e-12).all()
    assert (rate <= cells.max().reindex(table["site"][known]).to_numpy() + 1e-12).all()
    assert (table["ci_low"][known] <= rate + 1e-12).all()
    assert (table["ci_high"][known] >= rate - 1e-12).all()


def test_input_not_mutated():
    audits = three_sites()
    before = audits.copy()
    standardized_rates(audits, by="site", mix="queue", weight="weight", strata="stratum")
    pd.testing.assert_frame_equal(audits, before)


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"by": []},
            ValueError,
            r"The 'by' parameter of standardized_rates must name at least one column",
        ),
        (
            {"mix": None},
            ValueError,
            r"The 'mix' parameter of standardized_rates must name at least one",
        ),
        ({"mix": ["site"]}, ValueError, r"must not share columns. Got 'site' in both"),
        ({"mix": "tier"}, ValueError, r"standardized_rates needs column 'tier' in 'audits'"),
        (
            {"method": "wilsn"},
            ValueError,
            r"The 'method' parameter of standardized_rates must be one of",
        ),
        (
            {"ci": 95},
            ValueError,
            r"The 'ci' parameter of standardized_rates must be a confidence level",
        ),
        (
            {"standard": {"easy": 1}},
            TypeError,
            r"must be a pandas Series of shares indexed by mix cell. Got dict",
        ),
        (
            {"standard": pd.Series([1.0], index=pd.MultiIndex.from_tuples([("easy", "x")]))},
            ValueError,
            r"must be indexed by 1 level\(s\), one per 'mix' column \('queue'\). Got 2 instead",
        ),
        (
            {"standard": pd.Series({"easy": -1.0, "hard": 2.0})},
            ValueError,
            r"finite shares >= 0 with a positive sum. Got values -1.0, 2.0",
        ),
        ({"standard": pd.Series({"easy": 0.0})}, ValueError, r"positive sum"),
        ({"standard": pd.Series({"easy": "x"})}, ValueError, r"finite shares >= 0"),
        (
            {"standard": pd.Series([1.0, 2.0], index=["easy", "easy"])},
            ValueError,
            r"lists 1 cells more than once: 'easy'",
        ),
        (
            {"standard": pd.Series({"easy": 1.0, "medium": 1.0})},
            ValueError,
            r"gives weight to 1 mix cells without any audit: 'medium'",
        ),
    ],
)
def test_bad_arguments(kwargs, error, message):
    options = {"by": "site", "mix": "queue", **kwargs}
    with pytest.raises(error, match=message):
        standardized_rates(two_sites(), **options)


def test_bad_frame_and_values():
    with pytest.raises(
        TypeError,
        match=r"The 'audits' parameter of standardized_rates must be a pandas DataFrame\. Got list",
    ):
        standardized_rates([1, 2])
    audits = two_sites()
    audits.loc[3, "queue"] = None
    with pytest.raises(
        ValueError,
        match=r"standardized_rates found 1 rows with a missing value in column 'queue' \(index 3\)",
    ):
        standardized_rates(audits, by="site", mix="queue")
    with pytest.raises(ValueError, match=r"standardized_rates got no audits"):
        standardized_rates(two_sites().iloc[:0], by="site", mix="queue")
    bad = two_sites().assign(is_error="yes")
    with pytest.raises(
        ValueError,
        match=r"The outcome column 'is_error' of standardized_rates must hold True/False",
    ):
        standardized_rates(bad, by="site", mix="queue")


def test_former_name_still_works_with_a_future_warning():
    from qainsights.standardisation import standardised_rates

    with pytest.warns(FutureWarning, match=r"standardised_rates was renamed standardized_rates"):
        old = standardised_rates(two_sites(), by="site", mix="queue")
    # the former name returns the rate under the column name it had, standardised_rate
    new = standardized_rates(two_sites(), by="site", mix="queue")
    former = new.rename(columns={"standardized_rate": "standardised_rate"})
    pd.testing.assert_frame_equal(old, former)


def moderated(seed=5, n=2400, moderators=60):
    """Audits whose errors cluster by moderator; each moderator works both queues."""
    rng = np.random.default_rng(seed)
    moderator = rng.integers(0, moderators, n)
    site = np.where(moderator < moderators // 2, "north", "south")
    ability = rng.normal(0, 0.7, moderators)[moderator]
    queue = np.where(rng.random(n) < np.where(site == "north", 0.3, 0.6), "hard", "easy")
    p = 1 / (1 + np.exp(-(-2.6 + 1.0 * (queue == "hard") + ability)))
    return pd.DataFrame(
        {
            "site": site,
            "queue": queue,
            "moderator_id": moderator,
            "stratum": np.where(moderator % 2 == 0, "s1", "s2"),
            "weight": np.where(moderator % 2 == 0, 3.0, 1.0),
            "is_error": rng.random(n) < p,
        }
    )


def test_clusters_with_one_cell_give_error_rates_clustered_rate():
    # one mix cell: the standardised rate is the crude one, with error_rate's clustered
    # variance and Korn-Graubard n_eff (tests/test_rates_cluster.py checks those against
    # statsmodels and the survey formula)
    audits = moderated().assign(queue="all")
    design = {"weight": "weight", "strata": "stratum", "cluster": "moderator_id"}
    table = standardized_rates(audits, by="site", mix="queue", **design)
    expected = error_rate(audits, by="site", **design)
    for column in ("se", "n_eff", "ci_low", "ci_high"):
        np.testing.assert_allclose(table[column], expected[column], rtol=1e-12)
    np.testing.assert_allclose(table["crude_ci_low"], expected["ci_low"], rtol=1e-12)


def test_clusters_linearise_the_standardised_rate_across_cells():
    # By hand: z_i = share_c w_i (y_i - r_sc) / W_sc for audit i of cell c in the site (0
    # elsewhere), summed per (stratum, moderator); var = Σ_h m/(m-1) Σ (z - mean_h z)^2.
    audits = moderated()
    design = {"weight": "weight", "strata": "stratum", "cluster": "moderator_id"}
    table = standardized_rates(audits, by="site", mix="queue", **design).set_index("site")
    w, y = audits["weight"].to_numpy(float), audits["is_error"].to_numpy(float)
    share = audits.groupby("queue")["weight"].sum() / w.sum()
    for site in ("north", "south"):
        z = np.zeros(len(audits))
        for queue in ("easy", "hard"):
            cell = ((audits["site"] == site) & (audits["queue"] == queue)).to_numpy()
            r = (w * y)[cell].sum() / w[cell].sum()
            z[cell] = share[queue] * w[cell] * (y[cell] - r) / w[cell].sum()
        sums = pd.Series(z).groupby([audits["stratum"], audits["moderator_id"]]).sum()
        variance = sum(
            len(s) / (len(s) - 1) * ((s - s.mean()) ** 2).sum() for _, s in sums.groupby(level=0)
        )
        assert table.loc[site, "se"] == pytest.approx(np.sqrt(variance), rel=1e-10)
    unclustered = standardized_rates(audits, by="site", mix="queue", weight="weight",
                                     strata="stratum").set_index("site")  # fmt: skip
    assert (table["se"] > unclustered["se"]).all()  # the moderators' errors are correlated
