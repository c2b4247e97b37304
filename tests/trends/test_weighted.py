"""Sampling weights in the trend analyses: segments count by the decisions they represent."""

import numpy as np
import pandas as pd
import pytest

from qainsights.rates import error_rate
from qainsights.trends import compare_periods, decompose_change, explain_change


def oversampled():
    """Queue B is audited five times as densely as A (weights 10 and 2) and grows.

    Decisions: period 0, A 1,000 and B 200; period 1, A 1,000 and B 600. Audit error rates are
    5 % in A and 20 % in B in both periods: a pure mix shift.
    """
    rows = []
    for period, (b_audits, b_errors) in enumerate([(100, 20), (300, 60)]):
        for queue, audits, errors, weight in (("A", 100, 5, 10.0), ("B", b_audits, b_errors, 2.0)):
            rows.append(
                pd.DataFrame(
                    {
                        "period": period,
                        "queue": queue,
                        "is_error": np.arange(audits) < errors,
                        "weight": weight,
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def test_weighted_decomposition_uses_decision_shares():
    # Decision shares move from (1000, 200)/1200 to (1000, 600)/1600, rates stay 0.05 and 0.2:
    # rate 0.8333 x 0.05 + 0.1667 x 0.2 = 0.075 -> 0.625 x 0.05 + 0.375 x 0.2 = 0.10625,
    # all of the +0.03125 is mix. Per segment the mix effect is centred on the mean of the two
    # overall rates, R = (0.075 + 0.10625)/2: (c1 - c0)((r0 + r1)/2 - R); the centring adds up
    # to zero because the shares' changes do.
    result = decompose_change(
        oversampled(), by="queue", period="period", current=1, weight="weight", n_boot=100
    )
    effects = result.effects.set_index("effect")["estimate"]
    assert result.rate_baseline == pytest.approx(0.075)
    assert result.rate_current == pytest.approx(0.10625)
    assert effects["total"] == pytest.approx(0.03125)
    assert effects["rate"] == pytest.approx(0.0, abs=1e-15)
    mix = result.segments.set_index("queue")["mix_effect"]
    centre = (0.075 + 0.10625) / 2
    assert mix["A"] == pytest.approx((0.625 - 1000 / 1200) * (0.05 - centre))
    assert mix["B"] == pytest.approx((0.375 - 200 / 1200) * (0.2 - centre))
    assert mix.sum() == pytest.approx(0.03125)


def test_unweighted_decomposition_counts_audits_instead():
    # Audits: 25/200 = 0.125 -> 65/400 = 0.1625; the oversampled queue inflates the change.
    result = decompose_change(oversampled(), by="queue", period="period", current=1, n_boot=100)
    assert result.effects.set_index("effect").loc["total", "estimate"] == pytest.approx(0.0375)


def test_weighted_overall_rates_equal_the_design_based_estimate():
    audits = oversampled()
    expected = error_rate(audits, by="period", weight="weight")["rate"].to_numpy()
    result = compare_periods(audits, by="queue", period="period", current=1, weight="weight")
    row = result.overall.iloc[0]
    np.testing.assert_allclose([row["rate_baseline"], row["rate_current"]], expected)
    # rescaled weights keep each period's audit total
    assert row["n_baseline"] == pytest.approx(200)
    assert row["n_current"] == pytest.approx(400)


def test_weighted_explanation_finds_no_rate_change_in_a_pure_mix_shift():
    result = explain_change(
        oversampled().assign(site="x"), by=["queue", "site"], period="period", current=1,
        weight="weight",
    )  # fmt: skip
    assert result.explanation.empty
    mix = result.mix.set_index("dimension")
    assert mix.loc["queue", "rate_effect"] == pytest.approx(0.0, abs=1e-15)
    assert mix.loc["queue", "mix_effect"] == pytest.approx(0.03125)


def test_weight_with_aggregates_is_refused():
    data = pd.DataFrame({"period": [0, 1], "errors": [1, 2], "n": [10, 10], "w": [1.0, 1.0]})
    with pytest.raises(ValueError, match=r"'weight' parameter of compare_periods applies to audit"):
        compare_periods(
            data.assign(q="a"), by="q", period="period", current=1, errors="errors", n="n",
            weight="w",
        )  # fmt: skip


def test_bad_weights_are_refused():
    audits = oversampled()
    audits.loc[3, "weight"] = -1.0
    with pytest.raises(
        ValueError, match=r"weight column 'weight' of explain_change must hold finite"
    ):
        explain_change(audits, by=["queue"], period="period", current=1, weight="weight")


def _unequal_weights(seed=3):
    """Two periods of one queue; weights 1 or 20, independent of the outcome."""
    rng = np.random.default_rng(seed)
    n = 400
    return pd.DataFrame(
        {
            "period": np.repeat([0, 1], n),
            "queue": "A",
            "is_error": rng.random(2 * n) < 0.1,
            "weight": rng.choice([1.0, 20.0], 2 * n),
        }
    )


def test_weighted_comparison_uses_taylor_effective_sample_sizes():
    # Derivation (Kish 1965; Taylor linearisation of the ratio r = sum w y / sum w):
    # var = m/(m - 1) sum w^2 (y - r)^2 / (sum w)^2, n_eff = r(1 - r)/var; the z test and
    # Newcombe interval on (r n_eff, n_eff) come from statsmodels.
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    audits = _unequal_weights()
    result = compare_periods(audits, by="queue", period="period", current=1, weight="weight")
    effective = []
    for _, part in audits.groupby("period"):
        w, y = part["weight"].to_numpy(), part["is_error"].to_numpy(float)
        r = (w * y).sum() / w.sum()
        var = len(w) / (len(w) - 1) * (w**2 * (y - r) ** 2).sum() / w.sum() ** 2
        effective.append((r * r * (1 - r) / var, r * (1 - r) / var))
    (k0, n0), (k1, n1) = effective
    row = result.segments.iloc[0]
    assert row["n_eff_baseline"] == pytest.approx(n0, rel=1e-9)
    assert row["n_eff_current"] == pytest.approx(n1, rel=1e-9)
    assert n1 < 400  # unequal weights cost precision
    assert row["p_value"] == pytest.approx(proportions_ztest([k1, k0], [n1, n0])[1], rel=1e-9)
    low, high = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-9)


def test_weighted_overall_adds_segment_variances_as_a_stratified_total():
    # Derivation: the overall weighted rate is sum_q (W_q / W) r_q, so its variance is
    # sum_q (W_q / W)^2 var_q with each queue's Taylor variance; n_eff = r(1 - r)/var.
    audits = _unequal_weights()
    audits["queue"] = np.where(np.arange(len(audits)) % 3 == 0, "A", "B")
    current = audits[audits["period"] == 1]
    result = compare_periods(audits, by="queue", period="period", current=1, weight="weight")
    total_w = current["weight"].sum()
    r = (current["weight"] * current["is_error"]).sum() / total_w
    variance = 0.0
    for _, part in current.groupby("queue"):
        w, y = part["weight"].to_numpy(), part["is_error"].to_numpy(float)
        rq = (w * y).sum() / w.sum()
        var_q = len(w) / (len(w) - 1) * (w**2 * (y - rq) ** 2).sum() / w.sum() ** 2
        variance += (w.sum() / total_w) ** 2 * var_q
    overall = result.overall.iloc[0]
    assert overall["rate_current"] == pytest.approx(r, rel=1e-12)
    assert overall["n_eff_current"] == pytest.approx(r * (1 - r) / variance, rel=1e-9)
