"""Tests of decompose_change (Kitagawa / Das Gupta two-factor decomposition).

Sources (tests/reference/trends.md, section 2): Das Gupta (1993), Table 2.1 (mean earnings of
black and white men, US 1980, as the product of two factors), with the effects derived by hand
below from Das Gupta's two-factor formulas; algebraic identities for the property tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from reference import trends as ref

from qainsights.trends import decompose_change

SCALE = 100_000  # earnings in units of $100,000, so that they read as proportions


def das_gupta_table_2_1():
    """Mean earnings = (earnings per earner) x (share of earners), as two segments.

    Earners earn the average, non-earners 0; population 1,000,000 in each group (any size
    gives the same shares). Baseline: black men; current: white men.
    """
    table = ref.DAS_GUPTA_TABLE_2_1
    share = {group: row["share_earning"] for group, row in table.items()}
    earnings = {group: row["earnings_per_earner"] / SCALE for group, row in table.items()}
    rows = []
    for group in ("black", "white"):
        earners = share[group] * 1_000_000
        rows.append(("earner", group, earners * earnings[group], earners))
        rows.append(("non-earner", group, 0.0, 1_000_000 - earners))
    return pd.DataFrame(rows, columns=["status", "group", "errors", "n"])


def test_das_gupta_two_factor_example():
    result = decompose_change(
        das_gupta_table_2_1(),
        by="status",
        period="group",
        current="white",
        baseline="black",
        errors="errors",
        n="n",
    )
    effects = result.effects.set_index("effect")["estimate"] * SCALE
    # Das Gupta (1993), eq. 2.4-2.5 with alpha = earnings per earner, beta = share earning:
    # alpha effect = (16591 - 10930) * (0.717892 + 0.825974) / 2 = 5661 * 0.771933 = 4369.91
    # beta effect  = (0.825974 - 0.717892) * (10930 + 16591) / 2 = 0.108082 * 13760.5 = 1487.26
    # crude rates: 10930 * 0.717892 = 7846.56 and 16591 * 0.825974 = 13703.73; difference 5857.17
    assert effects["rate"] == pytest.approx(4369.912, abs=0.01)
    assert effects["mix"] == pytest.approx(1487.262, abs=0.01)
    assert effects["total"] == pytest.approx(13703.735 - 7846.560, abs=0.01)
    assert result.rate_baseline * SCALE == pytest.approx(7846.560, abs=0.01)
    assert result.rate_current * SCALE == pytest.approx(13703.735, abs=0.01)


segment_counts = st.lists(
    st.tuples(st.integers(0, 400), st.integers(0, 400), st.floats(0, 1), st.floats(0, 1)),
    min_size=1,
    max_size=8,
)


def frame_from(cells):
    rows = []
    for i, (n0, n1, p0, p1) in enumerate(cells):
        rows.append((f"s{i}", 0, np.floor(n0 * p0), n0))
        rows.append((f"s{i}", 1, np.floor(n1 * p1), n1))
    return pd.DataFrame(rows, columns=["segment", "period", "errors", "n"])


@settings(max_examples=60, deadline=None)
@given(segment_counts)
def test_contributions_add_up_exactly(cells):
    data = frame_from(cells)
    totals = data.groupby("period")[["errors", "n"]].sum()
    assume((totals["n"] > 0).all())
    result = decompose_change(
        data, by="segment", period="period", current=1, errors="errors", n="n", n_boot=100
    )
    change = (
        totals.loc[1, "errors"] / totals.loc[1, "n"] - totals.loc[0, "errors"] / totals.loc[0, "n"]
    )
    effects = result.effects.set_index("effect")["estimate"]
    assert effects["total"] == pytest.approx(change, abs=1e-12)
    assert effects["mix"] + effects["rate"] == pytest.approx(change, abs=1e-12)
    assert result.segments["contribution"].sum() == pytest.approx(change, abs=1e-12)
    assert result.segments["mix_effect"].sum() == pytest.approx(effects["mix"], abs=1e-12)


def test_pure_mix_shift_has_zero_rate_effect():
    data = pd.DataFrame(
        {
            "queue": ["easy", "hard", "other"] * 2,
            "month": ["m1"] * 3 + ["m2"] * 3,
            "errors": [50, 30, 10, 25, 90, 20],
            "n": [1000, 300, 200, 500, 900, 400],
        }
    )
    result = decompose_change(
        data, by="queue", period="month", current="m2", errors="errors", n="n"
    )
    effects = result.effects.set_index("effect")
    assert effects.loc["rate", "estimate"] == 0.0
    np.testing.assert_array_equal(result.segments["rate_effect"], 0.0)
    # overall 90/1500 = 0.06 -> 135/1800 = 0.075: all of the 0.015 is mix.
    assert effects.loc["mix", "estimate"] == pytest.approx(0.015, abs=1e-15)
    assert effects.loc["mix", "share"] == pytest.approx(1.0)


def test_pure_rate_change_has_zero_mix_effect():
    data = pd.DataFrame(
        {
            "queue": ["easy", "hard"] * 2,
            "month": ["m1", "m1", "m2", "m2"],
            "errors": [50, 30, 100, 60],
            "n": [1000, 300, 1000, 300],
        }
    )
    result = decompose_change(
        data, by="queue", period="month", current="m2", errors="errors", n="n"
    )
    effects = result.effects.set_index("effect")["estimate"]
    assert effects["mix"] == pytest.approx(0.0, abs=1e-15)
    assert effects["rate"] == pytest.approx(160 / 1300 - 80 / 1300, abs=1e-15)


def test_segment_in_one_period_only_is_pure_mix():
    data = pd.DataFrame(
        {
            "queue": ["a", "b", "a", "b", "new"],
            "month": ["m1", "m1", "m2", "m2", "m2"],
            "errors": [10, 20, 10, 20, 30],
            "n": [100, 200, 100, 200, 100],
        }
    )
    result = decompose_change(
        data, by="queue", period="month", current="m2", errors="errors", n="n"
    )
    new = result.segments.set_index("queue").loc["new"]
    # The new queue is a quarter of current audits at rate 0.3: its term c1*r1 = 0.075, and
    # the baseline term is 0. Its rate effect is 0 by the convention r0 := r1.
    assert new["rate_effect"] == 0.0
    assert new["rate_baseline"] == new["rate_current"] == 0.3
    assert result.effects["estimate"].iloc[1] == pytest.approx(0.0, abs=1e-15)
    assert result.effects["estimate"].iloc[2] == pytest.approx(60 / 400 - 30 / 300)


def test_bootstrap_is_seeded_and_intervals_contain_the_estimate():
    data = pd.DataFrame(
        {
            "queue": ["easy", "hard"] * 2,
            "month": ["m1", "m1", "m2", "m2"],
            "errors": [50, 30, 40, 70],
            "n": [1000, 300, 800, 500],
        }
    )
    copy = data.copy()
    kwargs = {"by": "queue", "period": "month", "current": "m2", "errors": "errors", "n": "n"}
    boot = {**kwargs, "method": "bootstrap"}
    first = decompose_change(data, **boot, seed=3)
    pd.testing.assert_frame_equal(first.effects, decompose_change(data, **boot, seed=3).effects)
    assert not first.effects.equals(decompose_change(data, **boot, seed=4).effects)
    analytic = decompose_change(data, **kwargs).effects
    assert (analytic["ci_low"] <= analytic["estimate"]).all()
    assert (analytic["estimate"] <= analytic["ci_high"]).all()
    effects = first.effects
    assert (effects["ci_low"] <= effects["estimate"]).all()
    assert (effects["estimate"] <= effects["ci_high"]).all()
    pd.testing.assert_frame_equal(data, copy)
    ax = first.plot()
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "baseline rate",
        "mix of segments",
        "hard",
        "easy",
        "current rate",
    ]
    assert len(ax.patches) == 5


def test_bad_arguments():
    data = das_gupta_table_2_1()
    kwargs = {"by": "status", "period": "group", "errors": "errors", "n": "n"}
    with pytest.raises(
        ValueError,
        match=r"The 'n_boot' parameter of decompose_change must be an integer >= 100\. Got 10",
    ):
        decompose_change(data, current="white", baseline="black", n_boot=10, **kwargs)
    with pytest.raises(ValueError, match=r"The 'method' parameter of decompose_change"):
        decompose_change(data, current="white", baseline="black", method="delta", **kwargs)
    with pytest.raises(ValueError, match="decompose_change found no period before 'black'"):
        decompose_change(data, current="black", **kwargs)
    empty = data.assign(n=data["n"].where(data["group"] == "white", 0.0))
    empty = empty.assign(errors=empty["errors"].where(empty["group"] == "white", 0.0))
    with pytest.raises(ValueError, match="decompose_change found no audits in the baseline period"):
        decompose_change(empty, current="white", baseline="black", **kwargs)


def test_analytic_intervals_by_hand():
    # Easy queue 5 %, hard queue 10 % in both months; baseline 800 + 200 audits, current
    # 400 + 400. Shares c0 = (0.8, 0.2), c1 = (0.5, 0.5); pooled rates p = (0.05, 0.10),
    # p(1 - p) = (0.0475, 0.09). Variance = sum over months of
    #   sum_i n_i (g_i - gbar)^2 / N^2   (g: derivative in the shares, gbar = sum c_i g_i)
    # + sum_i h_i^2 p_i (1 - p_i) / n_i  (h: derivative in the rates).
    data = pd.DataFrame({
        "queue": ["easy", "hard"] * 2, "month": ["m1", "m1", "m2", "m2"],
        "errors": [40, 20, 20, 40], "n": [800, 200, 400, 400]})  # fmt: skip
    # Shares part of mix and total: g0 = -(0.05, 0.10), gbar0 = -0.06, centred (0.01, -0.04):
    # (800 * 0.01^2 + 200 * 0.04^2) / 1000^2 = 4e-7; g1 = (0.05, 0.10), gbar1 = 0.075,
    # centred (-0.025, 0.025): (400 + 400) * 0.025^2 / 800^2 = 7.8125e-7.
    shares = 4e-7 + 7.8125e-7
    # Mix: h = (c1 - c0) / 2 = (-0.15, 0.15) in both months.
    mix = shares + 0.15**2 * (0.0475 * (1 / 800 + 1 / 400) + 0.09 * (1 / 200 + 1 / 400))
    # Rate: g = (r1 - r0) / 2 = 0; h = -/+ (c0 + c1) / 2 = (0.65, 0.35).
    rate = 0.65**2 * 0.0475 * (1 / 800 + 1 / 400) + 0.35**2 * 0.09 * (1 / 200 + 1 / 400)
    # Total R1 - R0: h0 = -c0, h1 = c1.
    total = shares + 0.0475 * (0.8**2 / 800 + 0.5**2 / 400) + 0.09 * (0.2**2 / 200 + 0.5**2 / 400)
    t = 1.961284  # qt(0.975, df = 1800 - 2) in R
    result = decompose_change(
        data, by="queue", period="month", current="m2", errors="errors", n="n"
    )
    effects = result.effects.set_index("effect")
    half = (effects["ci_high"] - effects["estimate"]).to_numpy()
    np.testing.assert_allclose(half, t * np.sqrt([mix, rate, total]), rtol=1e-6)
    np.testing.assert_allclose(effects["estimate"] - effects["ci_low"], half, rtol=1e-12)


def _kitagawa_by_hand(period, queue, y, w):
    """Mix, rate and total from weighted rows, written from the formulas R = sum c r."""
    out = {}
    for t in (0, 1):
        at = period == t
        total = w[at].sum()
        shares = {q: w[at & (queue == q)].sum() / total for q in ("a", "b")}
        rates = {q: (w * y)[at & (queue == q)].sum() / w[at & (queue == q)].sum() for q in "ab"}
        out[t] = shares, rates
    (c0, r0), (c1, r1) = out[0], out[1]
    rate = sum((r1[q] - r0[q]) * (c0[q] + c1[q]) / 2 for q in "ab")
    mix = sum((c1[q] - c0[q]) * (r0[q] + r1[q]) / 2 for q in "ab")
    return np.array([mix, rate, mix + rate])


def test_weighted_analytic_variance_matches_numerical_linearisation():
    # Independent route: the influence of each audit is the numerical derivative of the
    # estimator in its weight; the with-replacement variance of a month's weighted total of
    # influences is sum_k (w_k u_k)^2 (their weighted sum is 0). Within each cell the
    # weights 1 and 3 are spread evenly over errors and non-errors, and each queue has the
    # same rate in both months, so that sum w^2 (y - r)^2 = r (1 - r) sum w^2 there: the
    # design-based variance and the function's (pooled rate, Kish) coincide exactly.
    cells = [  # (month, queue, audits per weight value, errors per weight value)
        (0, "a", 10, 1), (0, "b", 5, 1), (1, "a", 20, 2), (1, "b", 10, 2)]  # fmt: skip
    rows = []
    for month, queue, m, k in cells:
        for weight in (1.0, 3.0):
            rows += [(month, queue, weight, True)] * k + [(month, queue, weight, False)] * (m - k)
    data = pd.DataFrame(rows, columns=["month", "queue", "w", "is_error"])
    period, queue = data["month"].to_numpy(), data["queue"].to_numpy()
    y, w = data["is_error"].to_numpy(float), data["w"].to_numpy()
    step = 1e-6
    influence = np.empty((len(w), 3))
    for k in range(len(w)):  # a test's reference loop over 90 audits
        up, down = w.copy(), w.copy()
        up[k] += step
        down[k] -= step
        influence[k] = (_kitagawa_by_hand(period, queue, y, up)
                        - _kitagawa_by_hand(period, queue, y, down)) / (2 * step)  # fmt: skip
    variance = ((w[:, None] * influence) ** 2).sum(axis=0)
    result = decompose_change(data, by="queue", period="month", current=1, weight="w")
    effects = result.effects.set_index("effect").loc[["mix", "rate", "total"]]
    np.testing.assert_allclose(effects["estimate"], _kitagawa_by_hand(period, queue, y, w),
                               atol=1e-12)  # fmt: skip
    t = 1.987290  # qt(0.975, df = 30 + 60 - 2) in R
    np.testing.assert_allclose(
        (effects["ci_high"] - effects["estimate"]).to_numpy(), t * np.sqrt(variance), rtol=1e-5
    )
