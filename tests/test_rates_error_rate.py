"""Tests of error_rate and enforcement_rates.

Sources are listed in tests/reference/rates.md, section 2: Cochran (1977) for the stratified
estimate and variance (derived below), statsmodels for intervals and the weighted mean, and the
Taylor-linearisation formula evaluated row by row for segments that cut across strata.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference.rates import modified_wilson
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from qainsights.rates import ERROR_TYPES, enforcement_rates, error_rate

ERROR_CATEGORIES = ["none", *ERROR_TYPES]


def make_audits(n=600, seed=7):
    rng = np.random.default_rng(seed)
    error_type = rng.choice(ERROR_CATEGORIES, size=n, p=[0.85, 0.07, 0.05, 0.03])
    stratum = rng.choice(["s1", "s2", "s3", "s4"], size=n)
    return pd.DataFrame(
        {
            "site": rng.choice(["dublin", "austin", "manila"], size=n),
            "queue": rng.choice(["hate", "spam"], size=n),
            "stratum": stratum,
            "weight": pd.Series(stratum).map({"s1": 2.0, "s2": 15.0, "s3": 40.0, "s4": 7.5}),
            "error_type": pd.Categorical(error_type, categories=ERROR_CATEGORIES),
            "is_error": error_type != "none",
        }
    )


def cochran_audits():
    # Strata of N_h = 6000, 3000, 1000 decisions; n_h = 50, 40, 10 audits; 3, 6, 4 errors.
    sizes, audits, errors = [6000, 3000, 1000], [50, 40, 10], [3, 6, 4]
    rows = [
        {"stratum": h, "is_error": i < e, "weight": big / small}
        for h, (big, small, e) in enumerate(zip(sizes, audits, errors, strict=True))
        for i in range(small)
    ]
    return pd.DataFrame(rows)


def test_unweighted_matches_statsmodels_per_segment():
    audits = make_audits()
    result = error_rate(audits, by=["site", "queue"], method="jeffreys", ci=0.9)
    assert list(result.columns) == ["site", "queue", "n", "errors", "rate", "ci_low", "ci_high"]
    counts = audits.groupby(["site", "queue"])["is_error"].agg(["size", "sum"]).reset_index()
    assert result[["site", "queue"]].equals(counts[["site", "queue"]])
    np.testing.assert_array_equal(result["n"], counts["size"])
    np.testing.assert_array_equal(result["errors"], counts["sum"])
    np.testing.assert_allclose(result["rate"], counts["sum"] / counts["size"], rtol=1e-12)
    low, high = proportion_confint(counts["sum"], counts["size"], alpha=0.1, method="jeffreys")
    np.testing.assert_allclose(result["ci_low"], low, rtol=1e-9)
    np.testing.assert_allclose(result["ci_high"], high, rtol=1e-9)


def test_overall_rate_without_by():
    audits = make_audits()
    result = error_rate(audits)
    assert len(result) == 1
    k, n = int(audits["is_error"].sum()), len(audits)
    assert (result.loc[0, "n"], result.loc[0, "errors"]) == (n, k)
    assert (result.loc[0, "ci_low"], result.loc[0, "ci_high"]) == pytest.approx(
        proportion_confint(k, n, method="wilson"), rel=1e-9
    )


def test_stratified_estimate_matches_cochran():
    # Cochran (1977), ch. 5: p_st = sum W_h p_h, v = sum W_h^2 p_h q_h / (n_h - 1), no fpc.
    big_w = np.array([0.6, 0.3, 0.1])
    p_h = np.array([3 / 50, 6 / 40, 4 / 10])
    n_h = np.array([50, 40, 10])
    p_st = (big_w * p_h).sum()  # 0.121
    v = (big_w**2 * p_h * (1 - p_h) / (n_h - 1)).sum()  # 0.000975265
    audits = cochran_audits()
    result = error_rate(audits, weight="weight", strata="stratum", method="clopper_pearson")
    row = result.iloc[0]
    assert row["rate"] == pytest.approx(0.121, rel=1e-12)
    assert row["rate"] == pytest.approx(p_st, rel=1e-12)
    assert row["se"] == pytest.approx(np.sqrt(v), rel=1e-10)
    assert row["se"] == pytest.approx(0.0312293, rel=1e-5)
    assert (row["n"], row["errors"], row["weighted_n"]) == (100, 13, pytest.approx(10000.0))
    assert row["weighted_errors"] == pytest.approx(6000 * 0.06 + 3000 * 0.15 + 1000 * 0.4)
    n_eff = p_st * (1 - p_st) / v
    assert row["n_eff"] == pytest.approx(n_eff, rel=1e-10)
    assert row["deff"] == pytest.approx(v / (p_st * (1 - p_st) / 100), rel=1e-10)
    # Korn & Graubard (1998): the exact interval at the effective counts.
    expected = proportion_confint(p_st * n_eff, n_eff, method="beta")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(expected, rel=1e-9)
    # Point estimate against statsmodels' weighted mean.
    weighted = DescrStatsW(audits["is_error"].astype(float), weights=audits["weight"])
    assert row["rate"] == pytest.approx(weighted.mean, rel=1e-12)


def test_segments_equal_to_strata_give_within_stratum_estimates():
    # Each stratum as its own segment: rate p_h, se sqrt(p_h q_h / (n_h - 1)).
    result = error_rate(cochran_audits(), by="stratum", weight="weight", strata="stratum")
    p_h = np.array([3 / 50, 6 / 40, 4 / 10])
    n_h = np.array([50, 40, 10])
    np.testing.assert_allclose(result["rate"], p_h, rtol=1e-12)
    np.testing.assert_allclose(result["se"], np.sqrt(p_h * (1 - p_h) / (n_h - 1)), rtol=1e-10)
    np.testing.assert_allclose(result["n_eff"], n_h - 1, rtol=1e-10)


def test_constant_weights_reduce_to_simple_random_sampling():
    # One stratum, constant weights: se^2 = r(1 - r)/(n - 1), so n_eff = n - 1.
    audits = make_audits().assign(weight=3.0)
    result = error_rate(audits, weight="weight", method="agresti_coull")
    k, n = audits["is_error"].sum(), len(audits)
    r = k / n
    row = result.iloc[0]
    assert row["se"] == pytest.approx(np.sqrt(r * (1 - r) / (n - 1)), rel=1e-10)
    assert row["n_eff"] == pytest.approx(n - 1, rel=1e-10)
    expected = proportion_confint(r * (n - 1), n - 1, method="agresti_coull")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(expected, rel=1e-9)


def linearised_variance(audits, in_segment):
    """Sum_h n_h/(n_h - 1) Sum_i (z_i - mean_h z)^2, z_i = w_i (y_i - r)/Sum w, z = 0 outside."""
    y = audits["is_error"].to_numpy(float)
    w = audits["weight"].to_numpy(float)
    inside = in_segment.to_numpy()
    r = (w * y)[inside].sum() / w[inside].sum()
    z = np.where(inside, w * (y - r), 0.0) / w[inside].sum()
    total = 0.0
    for stratum in audits["stratum"].unique():
        z_h = z[(audits["stratum"] == stratum).to_numpy()]
        total += len(z_h) / (len(z_h) - 1) * ((z_h - z_h.mean()) ** 2).sum()
    return r, total


def test_segments_across_strata_are_domains():
    audits = make_audits()
    result = error_rate(audits, by=["site", "queue"], weight="weight", strata="stratum")
    for row in result.itertuples():
        in_segment = (audits["site"] == row.site) & (audits["queue"] == row.queue)
        r, variance = linearised_variance(audits, in_segment)
        assert row.rate == pytest.approx(r, rel=1e-12)
        assert row.se == pytest.approx(np.sqrt(variance), rel=1e-9)
        assert row.n_eff == pytest.approx(r * (1 - r) / variance, rel=1e-9)


def test_strata_without_weight_is_self_weighting():
    audits = make_audits()
    implicit = error_rate(audits, by="site", strata="stratum")
    explicit = error_rate(audits.assign(weight=1.0), by="site", weight="weight", strata="stratum")
    pd.testing.assert_frame_equal(implicit, explicit)


def test_weighted_column_order_and_types():
    result = error_rate(make_audits(), by="site", weight="weight", strata="stratum")
    assert list(result.columns) == [
        "site", "n", "errors", "weighted_errors", "weighted_n", "rate", "se", "n_eff", "deff",
        "ci_low", "ci_high",
    ]  # fmt: skip
    assert result["n"].dtype == "int64"
    assert result["errors"].dtype == "int64"
    assert result["site"].tolist() == ["austin", "dublin", "manila"]


def test_zero_rate_falls_back_to_audit_count():
    audits = cochran_audits().assign(is_error=False)
    row = error_rate(audits, weight="weight", strata="stratum").iloc[0]
    assert (row["rate"], row["se"], row["n_eff"]) == (0.0, 0.0, 100.0)
    assert np.isnan(row["deff"])
    # The interval is the method's at (0, n).
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        proportion_confint(0, 100, method="wilson"), abs=1e-12
    )


def test_single_audit_stratum_warns_and_adds_no_variance():
    audits = pd.concat(
        [cochran_audits(), pd.DataFrame({"stratum": [9], "is_error": [True], "weight": [5.0]})],
        ignore_index=True,
    )
    with pytest.warns(UserWarning, match=r"1 strata hold a single audit \(9\); they add nothing"):
        result = error_rate(audits, weight="weight", strata="stratum")
    # Variance from the other strata only, each z_i on the new total weight 10005.
    y = audits["is_error"].to_numpy(float)
    w = audits["weight"].to_numpy(float)
    r = (w * y).sum() / w.sum()
    z = w * (y - r) / w.sum()
    variance = sum(
        len(z_h) / (len(z_h) - 1) * ((z_h - z_h.mean()) ** 2).sum()
        for z_h in (z[audits["stratum"].to_numpy() == h] for h in (0, 1, 2))
    )
    assert result.loc[0, "se"] == pytest.approx(np.sqrt(variance), rel=1e-10)


def test_categorical_segments_sort_in_category_order_and_skip_empty():
    audits = make_audits()
    audits["site"] = pd.Categorical(
        audits["site"], categories=["manila", "unused", "dublin", "austin"]
    )
    result = error_rate(audits, by="site")
    assert result["site"].tolist() == ["manila", "dublin", "austin"]


def test_outcome_may_be_any_boolean_or_binary_column():
    audits = make_audits()
    audits["is_over"] = (audits["error_type"] == "over_enforcement").astype(int)
    result = error_rate(audits, by="site", outcome="is_over")
    counts = audits.groupby("site")["is_over"].sum()
    np.testing.assert_array_equal(result["errors"], counts.to_numpy())
    audits["flag"] = audits["is_error"].astype("boolean")
    pd.testing.assert_frame_equal(
        error_rate(audits, by="site", outcome="flag"), error_rate(audits, by="site")
    )


def test_row_order_does_not_matter():
    audits = make_audits()
    shuffled = audits.sample(frac=1.0, random_state=3)
    kwargs = {"by": "site", "weight": "weight", "strata": "stratum"}
    pd.testing.assert_frame_equal(
        error_rate(audits, **kwargs), error_rate(shuffled, **kwargs), rtol=1e-12
    )


def test_enforcement_rates_match_one_indicator_per_type():
    audits = make_audits()
    result = enforcement_rates(audits, by="site", weight="weight", strata="stratum")
    assert list(result.columns[:2]) == ["site", "error_type"]
    assert list(result["error_type"].cat.categories) == list(ERROR_TYPES)
    assert result["error_type"].tolist()[:3] == list(ERROR_TYPES)
    for kind in ERROR_TYPES:
        audits[kind] = audits["error_type"] == kind
        single = error_rate(audits, by="site", outcome=kind, weight="weight", strata="stratum")
        part = result[result["error_type"] == kind].drop(columns="error_type")
        pd.testing.assert_frame_equal(part.reset_index(drop=True), single, rtol=1e-12)


def test_enforcement_rates_unweighted_against_statsmodels_and_add_up():
    audits = make_audits()
    result = enforcement_rates(audits, by="queue")
    counts = pd.crosstab(audits["queue"], audits["error_type"])
    for row in result.itertuples():
        k, n = counts.loc[row.queue, row.error_type], counts.loc[row.queue].sum()
        assert (row.n, row.errors) == (n, k)
        assert (row.ci_low, row.ci_high) == pytest.approx(modified_wilson(k, n))
    overall = error_rate(audits, by="queue").set_index("queue")["rate"]
    summed = result.groupby("queue", observed=True)["rate"].sum()
    np.testing.assert_allclose(summed.to_numpy(), overall.to_numpy(), rtol=1e-12)


def test_enforcement_rates_accept_plain_strings():
    audits = make_audits()
    as_strings = audits.assign(error_type=audits["error_type"].astype(str))
    pd.testing.assert_frame_equal(enforcement_rates(as_strings), enforcement_rates(audits))


@pytest.mark.parametrize("func", [error_rate, enforcement_rates])
def test_caller_frame_is_unchanged(func):
    audits = make_audits()
    before = audits.copy(deep=True)
    func(audits, by=["site", "queue"], weight="weight", strata="stratum")
    func(audits, by="site")
    pd.testing.assert_frame_equal(audits, before)


def with_missing(column, value=None):
    audits = make_audits()
    audits[column] = audits[column].astype(object)
    audits.loc[[3, 8], column] = value
    return audits


@pytest.mark.parametrize(
    ("audits", "kwargs", "error", "match"),
    [
        ([1, 2], {}, TypeError,
         r"The 'audits' parameter of error_rate must be a pandas DataFrame. Got list instead."),
        (make_audits(), {"by": "vendor"}, ValueError,
         r"error_rate needs column 'vendor' in 'audits', which has columns 'site'"),
        (make_audits(), {"weight": "w"}, ValueError, r"error_rate needs column 'w' in 'audits'"),
        (make_audits(), {"method": "exact"}, ValueError,
         r"The 'method' parameter of error_rate must be one of 'modified_wilson', 'wilson', .* Got 'exact' instead."),
        (make_audits(), {"ci": 0}, ValueError, r"The 'ci' parameter of error_rate must be"),
        (with_missing("site"), {"by": "site"}, ValueError,
         r"error_rate found 2 rows with a missing value in column 'site' \(index 3, 8\). Drop "
         r"or fill them first, for example audits.dropna\(subset=\['site'\]\)."),
        (with_missing("is_error"), {}, ValueError,
         r"error_rate found 2 rows with a missing value in column 'is_error'"),
        (with_missing("stratum"), {"strata": "stratum"}, ValueError,
         r"error_rate found 2 rows with a missing value in column 'stratum'"),
        (with_missing("weight", np.nan), {"weight": "weight"}, ValueError,
         r"error_rate found 2 rows with a missing value in column 'weight'"),
        (make_audits().assign(weight=np.nan), {"weight": "weight"}, ValueError,
         r"The weight column 'weight' of error_rate is empty \(all missing\). For a "
         r"self-weighting sample pass weight=None."),
        (make_audits().assign(weight=[0.0, -1.0] + [1.0] * 598), {"weight": "weight"}, ValueError,
         r"The weight column 'weight' of error_rate must hold finite weights > 0. Found 2 other "
         r"values: 0.0, -1.0. Fix or drop them."),
        (make_audits().assign(weight="heavy"), {"weight": "weight"}, ValueError,
         r"The weight column 'weight' of error_rate must be numeric. Got dtype"),
        (make_audits().assign(is_error=2), {}, ValueError,
         r"The outcome column 'is_error' of error_rate must hold True/False \(or 1/0\) values. "
         r"Found 600 other values: 2. Convert it first"),
        (make_audits().assign(is_error="yes"), {}, ValueError,
         r"Found 600 other values: 'yes'"),
        (make_audits().iloc[:0], {"by": "site"}, ValueError,
         r"error_rate got no audits: 'audits' has 0 rows. Check the filter upstream."),
        (make_audits().rename(columns={"site": "n"}), {"by": ["n", "queue"]}, ValueError,
         r"The 'by' parameter of error_rate names 'n', which the result uses for its own "
         r"columns. Rename it first, for example audits.rename\(columns=\{'n': 'segment_n'\}\)."),
    ],
)  # fmt: skip
def test_error_rate_bad_input(audits, kwargs, error, match):
    with pytest.raises(error, match=match):
        error_rate(audits, **kwargs)


def test_enforcement_rates_bad_input():
    audits = make_audits()
    audits["error_type"] = audits["error_type"].astype(str)
    audits.loc[[0, 1], "error_type"] = "overenforcement"
    with pytest.raises(
        ValueError,
        match=r"The 'error_type' column of enforcement_rates must hold only 'none', "
        r"'over_enforcement', 'under_enforcement', 'wrong_policy'. Found 2 other values: "
        r"'overenforcement'. Map them to these types first.",
    ):
        enforcement_rates(audits)
    with pytest.raises(ValueError, match=r"enforcement_rates needs column 'kind' in 'audits'"):
        enforcement_rates(audits, error_type="kind")
    with pytest.raises(ValueError, match=r"enforcement_rates found 2 rows with a missing value"):
        enforcement_rates(with_missing("error_type"))
