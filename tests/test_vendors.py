import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from qainsights.datasets import simulate_audits
from qainsights.vendors import ALL_VENDORS, NoCommonMixError, compare_site_types


def _audits(counts):
    """Audit rows from (month, site, site_type, queue, errors, n) tuples."""
    rows = []
    for month, site, kind, queue, errors, n in counts:
        rows.append(pd.DataFrame({
            "month": month, "site": site, "site_type": kind, "queue": queue, "policy": "p",
            "is_error": np.arange(n) < errors,
        }))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def test_one_mix_cell_gives_crude_rates_and_newcombe_on_counts():
    # With one cell the standardised rate is the crude rate and n_eff = n.
    audits = _audits([
        ("2026-09", "A", "in_house", "q", 30, 1000),
        ("2026-09", "B", "in_house", "q", 20, 500),
        ("2026-09", "V1", "vendor", "q", 45, 600),
        ("2026-09", "V2", "vendor", "q", 12, 400),
    ])  # fmt: skip
    result = compare_site_types(audits, month="2026-09", target=0.95, mix="queue")
    table = result.comparison.set_index("unit")
    assert table.index.tolist() == ["in_house", ALL_VENDORS, "V1", "V2"]
    assert table.loc["in_house", "standardized_rate"] == pytest.approx(50 / 1500)
    assert table.loc[ALL_VENDORS, "standardized_rate"] == pytest.approx(57 / 1000)
    assert np.isnan(table.loc["in_house", "difference"])
    for unit, errors, n in (("V1", 45, 600), (ALL_VENDORS, 57, 1000)):
        low, high = confint_proportions_2indep(errors, n, 50, 1500, method="newcomb")
        row = table.loc[unit]
        assert (row["difference_ci_low"], row["difference_ci_high"]) == pytest.approx((low, high))
    card = result.scorecard.set_index("unit")
    low, high = proportion_confint(12, 400, method="wilson")
    assert card.loc["V2", "accuracy"] == pytest.approx(1 - 12 / 400)
    assert (card.loc["V2", "accuracy_ci_low"], card.loc["V2", "accuracy_ci_high"]) == (
        pytest.approx((1 - high, 1 - low))
    )
    # V1: 92.5 %, whole interval below 95 %; V2: 97 %, interval (94.8 %, 98.3 %) straddles it.
    assert card.loc["V1", "status"] == "below target"
    assert card.loc["V2", "status"] == "not separable from target"


def test_the_vendor_is_judged_on_the_common_mix():
    # In-house and the vendor have the same rate in each queue (2 % easy, 10 % hard); the
    # vendor gets mostly hard work. Common mix (easy 900 + 200, hard 100 + 800 audits):
    # 0.55 x 2 % + 0.45 x 10 % = 5.6 % for both, a gap of 0 where the crude gap is 8 points.
    audits = _audits([
        ("2026-09", "H", "in_house", "easy", 18, 900), ("2026-09", "H", "in_house", "hard", 10, 100),
        ("2026-09", "V", "vendor", "easy", 4, 200), ("2026-09", "V", "vendor", "hard", 80, 800),
    ])  # fmt: skip
    result = compare_site_types(audits, month="2026-09", target=0.9, mix="queue")
    table = result.comparison.set_index("unit")
    assert table.loc["V", "crude_rate"] - table.loc["in_house", "crude_rate"] == pytest.approx(
        0.084 - 0.028
    )
    assert table.loc["V", "standardized_rate"] == pytest.approx(0.55 * 0.02 + 0.45 * 0.10)
    assert table.loc["V", "difference"] == pytest.approx(0.0, abs=1e-12)


def test_the_common_mix_is_the_months_own_for_every_month_of_the_window():
    # Each site audits 1,000 easy and 200 hard items in August, 200 easy and 1,000 hard in
    # September. September's standard is its own mix, 1/6 easy and 5/6 hard, the standard of
    # the report's site comparison of the month: V's rate is 1/6 x 3 % + 5/6 x 12 % there,
    # and August's, on the same standard, 1/6 x 2 % + 5/6 x 10 % (the window's mix, half
    # and half, gave 7.5 % and 6 %).
    counts = []
    for month, easy, hard, v_easy, v_hard in (("2026-08", 1000, 200, 0.02, 0.10),
                                              ("2026-09", 200, 1000, 0.03, 0.12)):  # fmt: skip
        for site, kind, easy_rate, hard_rate in (("H", "in_house", 0.01, 0.05),
                                                 ("V", "vendor", v_easy, v_hard)):  # fmt: skip
            counts += [(month, site, kind, "easy", round(easy_rate * easy), easy),
                       (month, site, kind, "hard", round(hard_rate * hard), hard)]  # fmt: skip
    result = compare_site_types(_audits(counts), month="2026-09", target=0.9, mix="queue")
    table = result.comparison.set_index("unit")
    assert table.loc["V", "standardized_rate"] == pytest.approx(0.03 / 6 + 0.12 * 5 / 6)
    assert table.loc["in_house", "standardized_rate"] == pytest.approx(0.01 / 6 + 0.05 * 5 / 6)
    trend = result.trend.set_index(["month", "unit"])
    assert trend.loc[("2026-08", "V"), "standardized_rate"] == pytest.approx(
        0.02 / 6 + 0.10 * 5 / 6
    )


def test_a_month_without_a_shared_cell_is_left_off_the_trend_and_counted():
    # V has no hard work in July: its July rate on the common (easy + hard) mix is undefined,
    # so its trend rests on August and September alone, and says so, without a warning
    counts = [(m, "H", "in_house", q, 10, 500) for m in ("2026-07", "2026-08", "2026-09")
              for q in ("easy", "hard")]  # fmt: skip
    counts += [("2026-07", "V", "vendor", "easy", 10, 500)]
    counts += [(m, "V", "vendor", q, 15, 500) for m in ("2026-08", "2026-09")
               for q in ("easy", "hard")]  # fmt: skip
    result = compare_site_types(_audits(counts), month="2026-09", target=0.9, mix="queue")
    card = result.scorecard.set_index("unit")
    assert card.loc["V", "trend_months"] == 2
    trend = result.trend.set_index(["month", "unit"])
    assert np.isnan(trend.loc[("2026-07", "V"), "standardized_rate"])


def test_gap_trend_is_the_weighted_least_squares_slope():
    # A vendor whose error count climbs month by month against a steady in-house rate.
    months = ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]
    vendor_errors = [20, 31, 24, 45, 41, 60]
    counts = [(m, "H", "in_house", "q", 40, 1000) for m in months]
    counts += [(m, "V", "vendor", "q", e, 500) for m, e in zip(months, vendor_errors, strict=True)]
    result = compare_site_types(_audits(counts), month="2026-09", target=0.9, mix="queue")
    p_v, p_h = np.array(vendor_errors) / 500, 0.04
    variance = p_v * (1 - p_v) / 500 + p_h * (1 - p_h) / 1000
    fit = sm.WLS(p_v - p_h, sm.add_constant(np.arange(6.0)), weights=1 / variance).fit()
    row = result.scorecard.set_index("unit").loc["V"]
    assert row["gap_trend"] == pytest.approx(fit.params[1])
    assert fit.scale > 1  # over-dispersed around the line: the estimated scale is used
    low, high = fit.conf_int()[1]
    assert (row["gap_trend_ci_low"], row["gap_trend_ci_high"]) == pytest.approx((low, high))
    assert row["p_value"] == pytest.approx(fit.pvalues[1])
    assert row["direction"] == "widening"
    trend = result.trend[result.trend["unit"] == "V"]
    assert trend["month"].tolist() == months


def test_the_common_mix_keeps_the_cells_every_unit_worked():
    # The vendor never works the hard queue: the comparison uses the easy queue only, which
    # holds (900 + 200) / (900 + 100 + 200) of the work.
    audits = _audits([
        ("2026-09", "H", "in_house", "easy", 18, 900), ("2026-09", "H", "in_house", "hard", 10, 100),
        ("2026-09", "V", "vendor", "easy", 8, 200),
    ])  # fmt: skip
    result = compare_site_types(audits, month="2026-09", target=0.9, mix="queue")
    assert result.mix_coverage == pytest.approx(1100 / 1200)
    table = result.comparison.set_index("unit")
    assert table.loc["in_house", "standardized_rate"] == pytest.approx(18 / 900)
    assert table.loc["V", "difference"] == pytest.approx(8 / 200 - 18 / 900)
    apart = _audits(
        [("2026-09", "H", "in_house", "a", 1, 50), ("2026-09", "V", "vendor", "b", 1, 50)]
    )
    with pytest.raises(NoCommonMixError, match=r"no queue cell that every unit"):
        compare_site_types(apart, month="2026-09", target=0.9, mix="queue")


def test_bad_input_names_the_problem():
    audits = _audits([("2026-09", "H", "in_house", "q", 1, 10)])
    with pytest.raises(ValueError, match=r"needs both in-house and vendor audits in 2026-09"):
        compare_site_types(audits, month="2026-09", target=0.9, mix="queue")
    with pytest.raises(ValueError, match=r"'month' parameter of compare_site_types is '2026-10'"):
        compare_site_types(audits, month="2026-10", target=0.9, mix="queue")
    with pytest.raises(ValueError, match=r"site_type"):
        compare_site_types(audits.drop(columns="site_type"), month="2026-09", target=0.9)


def test_the_callers_frame_is_unchanged():
    audits = _audits(
        [("2026-09", "H", "in_house", "q", 3, 50), ("2026-09", "V", "vendor", "q", 5, 50)]
    )
    before = audits.copy()
    compare_site_types(audits, month="2026-09", target=0.9, mix="queue")
    pd.testing.assert_frame_equal(audits, before)


def test_a_missing_weight_column_is_named():
    audits = simulate_audits(seed=3, start="2026-04-06", weeks=10).audits.drop(columns="weight")
    with pytest.raises(ValueError, match="compare_site_types needs column 'weight'"):
        compare_site_types(audits, month="2026-05", target=0.92, weight="weight")


def test_moderators_as_clusters_give_the_scorecard_error_rates_clustered_interval():
    from qainsights.rates import error_rate

    audits = simulate_audits(seed=3, start="2026-04-06", weeks=13).audits
    design = {"weight": "weight", "strata": "stratum", "cluster": "moderator_id"}
    result = compare_site_types(audits, month="2026-06", target=0.92, **design)
    current = audits[audits["month"] == "2026-06"]
    expected = error_rate(current, by="site", **design).set_index("site")
    card = result.scorecard.set_index("unit")
    sites = [u for u in card.index if u != ALL_VENDORS]
    np.testing.assert_allclose(
        card.loc[sites, "accuracy_ci_low"], 1 - expected.loc[sites, "ci_high"], rtol=1e-12
    )
    pooled = error_rate(current, by="site_type", **design).set_index("site_type")
    assert card.loc[ALL_VENDORS, "accuracy_ci_high"] == pytest.approx(
        1 - pooled.loc["vendor", "ci_low"], rel=1e-12
    )
