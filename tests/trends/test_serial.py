"""Periods whose shocks persist: the variance factors, the dispersion and the test.

Sources (tests/reference/trends.md, section 1c): residuals with variance ``φ`` and lag-``j``
correlation ``a ρ^j`` have the correlation matrix ``R`` (a Toeplitz matrix, built here with
scipy); the variance of their sum is ``φ 1'R1`` and the expected X² about their mean
``φ tr((I − J/k) R)``. Kendall (1954) and Marriott & Pope (1954): the lag-1 autocorrelation
of a series of ``k`` about its mean has expectation ``ρ − (1 + 3ρ)/k`` to order ``1/k``.
The test is statsmodels' ``proportions_ztest`` on each side's counts divided by its factor,
over the dispersion's square root, against Student's t (McCullagh & Nelder 1989, 4.5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference.trends import glm_dispersion, shocked_weeks
from scipy import stats
from scipy.linalg import toeplitz
from scipy.special import expit
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.proportion import proportions_ztest

from qainsights.trends import compare_periods, explain_change
from qainsights.trends._aggregate import counts_by_period, side_by_side
from qainsights.trends._serial import allow_for_persistence, variance_factors

BASELINE, CURRENT = list(range(13)), list(range(13, 20))
#: The sides of ``shocked_weeks()``: 6 weeks against 4.
WEEKS_BEFORE, WEEKS_AFTER = list(range(6)), list(range(6, 10))


def correlation(k: int, share: float, rho: float) -> np.ndarray:
    return toeplitz(np.r_[1.0, share * rho ** np.arange(1, k)])


@pytest.mark.parametrize(("share", "rho"), [(0.5, 0.5), (0.9, 0.8), (0.2, 0.0), (1.0, 0.3)])
def test_variance_factor_is_the_sum_of_the_correlation_matrix(share, rho):
    lengths = np.arange(1, 21, dtype=float)
    expected = [correlation(int(k), share, rho).sum() / k for k in lengths]
    np.testing.assert_allclose(variance_factors(lengths, share * rho, rho), expected, rtol=1e-12)


def test_the_dispersion_divides_x2_by_its_expectation_under_persistence():
    # X² built as its expectation φ Σ tr((I − J/k) R): the dispersion comes back as φ
    phi, rho, k0, k1 = 2.5, 0.6, 13, 7
    share = 1 - 1 / phi
    expected_x2 = sum(
        phi * np.trace((np.eye(k) - np.full((k, k), 1 / k)) @ correlation(k, share, rho))
        for k in (k0, k1)
    )
    counts = pd.DataFrame({
        "pearson_baseline_current": [expected_x2], "pearson_df_baseline_current": [k0 + k1 - 2.0],
        "lag_products_baseline_current": [0.0], "lag_squares_baseline_current": [1.0],
        "periods_baseline": [float(k0)], "periods_current": [float(k1)],
    })  # fmt: skip
    moved, used = allow_for_persistence(counts, groups=[0], rho=rho)
    assert used == rho
    x2, df = moved.iloc[0, :2]
    assert x2 / df == pytest.approx(phi, rel=1e-10)
    assert moved["serial_baseline"].iloc[0] == pytest.approx(
        correlation(k0, share, rho).sum() / k0, rel=1e-10
    )
    # Satterthwaite's degrees of freedom of X² = Σ e'(I − J/k)e: (Σ tr(MR))² / Σ tr((MR)²)
    parts = [(np.eye(k) - np.full((k, k), 1 / k)) @ correlation(k, share, rho) for k in (k0, k1)]
    expected_df = sum(np.trace(p) for p in parts) ** 2 / sum(np.trace(p @ p) for p in parts)
    assert df == pytest.approx(expected_df, rel=1e-10)
    assert df < k0 + k1 - 2


def persistent_weeks(rng, *, segments: int, rho: float, sd: float = 0.5, per_week: int = 400):
    """Weekly counts of ``segments`` stable segments whose logit shocks are AR(1)."""
    shocks = np.empty((segments, 20))
    shocks[:, 0] = rng.normal(0, sd, segments)
    for week in range(1, 20):
        fresh = rng.normal(0, sd * np.sqrt(1 - rho**2), segments)
        shocks[:, week] = rho * shocks[:, week - 1] + fresh
    errors = rng.binomial(per_week, expit(np.log(0.08 / 0.92) + shocks))
    return pd.DataFrame({"segment": np.repeat(np.arange(segments), 20),
                         "week": np.tile(np.arange(20), segments),
                         "errors": errors.ravel(), "n": per_week})  # fmt: skip


@pytest.mark.parametrize("rho", [0.0, 0.5])
def test_the_persistence_of_many_segments_is_recovered(rho):
    # 600 segments of 13 + 7 weeks: over 12 other seeds the persistence used (the one-sided
    # 80 % upper bound, about 0.015 above the estimate here) averaged 0.011 and 0.514 with sd
    # 0.01; without Kendall's correction the lag-1 autocorrelation is low by (1 + 3ρ)/k,
    # 0.10 and 0.25 here (tests/reference/trends.md, section 1c)
    frame = persistent_weeks(np.random.default_rng(7), segments=600, rho=rho)
    table = counts_by_period(frame, keys=["segment"], period="week", outcome=None,
                             errors="errors", n="n")  # fmt: skip
    counts = side_by_side(table, keys=["segment"], period="week", current=CURRENT,
                          baseline=BASELINE, dispersion=True)  # fmt: skip
    _, estimate = allow_for_persistence(counts, groups=np.zeros(len(counts)))
    assert estimate == pytest.approx(rho, abs=0.07)


def test_compare_periods_divides_each_side_by_its_factor_and_x2_by_its_expectation():
    frame = persistent_weeks(np.random.default_rng(3), segments=12, rho=0.5, sd=0.3)
    result = compare_periods(frame, by="segment", period="week", current=CURRENT,
                             baseline=BASELINE, errors="errors", n="n")  # fmt: skip
    row = result.segments.iloc[4]
    weekly = frame[frame["segment"] == 4]
    scale, df = glm_dispersion(weekly, current=CURRENT)
    x2 = scale * df
    # the factors carry the persistence read from all 12 segments; a longer side's is larger
    c0, c1 = row["serial_baseline"], row["serial_current"]
    assert c0 > c1 > 1
    dispersion = x2 / (df - (c0 - 1) - (c1 - 1))
    assert row["dispersion"] == pytest.approx(max(dispersion, 1.0), rel=1e-10)
    effective = row["dispersion_df"]  # Satterthwaite's, fewer than the GLM's 18 (above)
    assert 1 < effective < df
    current = weekly["week"].isin(CURRENT)
    counts = np.array([weekly.loc[current, "errors"].sum() / c1,
                       weekly.loc[~current, "errors"].sum() / c0])  # fmt: skip
    audits = np.array([weekly.loc[current, "n"].sum() / c1, weekly.loc[~current, "n"].sum() / c0])
    z, _ = proportions_ztest(counts, audits)
    expected = 2 * stats.t.sf(abs(z) / np.sqrt(row["dispersion"]), effective)
    assert row["p_value"] == pytest.approx(expected, rel=1e-9)


def test_explain_change_multiplies_each_candidates_variance_by_its_sides_factors():
    frame = shocked_weeks()
    result = explain_change(frame, by=["site", "queue"], period="week", current=WEEKS_AFTER,
                            baseline=WEEKS_BEFORE, errors="errors", n="n",
                            dispersion="periods").segments.set_index("segment")  # fmt: skip
    row = result.loc["site=a"]
    site = frame[frame["site"] == "a"]
    scale, df = glm_dispersion(site.groupby("week", as_index=False)[["errors", "n"]].sum(),
                               current=WEEKS_AFTER)  # fmt: skip
    c0, c1 = row["serial_baseline"], row["serial_current"]
    assert min(c0, c1) > 1
    dispersion = max(scale * df / (df - (c0 - 1) - (c1 - 1)), 1.0)
    assert row["dispersion"] == pytest.approx(dispersion, rel=1e-10)
    # the Mantel-Haenszel statistic over the site's two queues, its variance times
    # dispersion x (c1/N1 + c0/N0) / (1/N1 + 1/N0)
    tables = []
    for _, cell in site.groupby("queue"):
        now = cell["week"].isin(WEEKS_AFTER)
        sides = [cell[now], cell[~now]]
        tables.append(np.array([[part["errors"].sum(), (part["n"] - part["errors"]).sum()]
                                for part in sides], dtype=float))  # fmt: skip
    chi2 = StratifiedTable(tables).test_null_odds(correction=False).statistic
    n1, n0 = row["n_current"], row["n_baseline"]
    factor = (c1 / n1 + c0 / n0) / (1 / n1 + 1 / n0)
    assert 1 < row["dispersion_df"] < df
    expected = 2 * stats.t.sf(np.sqrt(chi2 / (dispersion * factor)), row["dispersion_df"])
    assert row["p_value"] == pytest.approx(expected, rel=1e-9)


def test_sides_of_fewer_than_four_periods_are_read_as_independent():
    frame = shocked_weeks()
    arguments = {"by": ["site", "queue"], "period": "week", "errors": "errors", "n": "n",
                 "current": [7, 8, 9], "baseline": [4, 5, 6]}  # fmt: skip
    serial = compare_periods(frame, **arguments).segments
    independent = compare_periods(frame, serial=False, **arguments).segments
    assert (serial[["serial_baseline", "serial_current"]] == 1).all().all()
    pd.testing.assert_frame_equal(serial.drop(columns=["serial_baseline", "serial_current"]),
                                  independent)  # fmt: skip


@pytest.mark.parametrize("serial", ["yes", 1, None])
def test_serial_must_be_true_or_false(serial):
    with pytest.raises(ValueError, match="'serial' parameter of compare_periods must be True"):
        compare_periods(shocked_weeks(), by="site", period="week", current=[9], errors="errors",
                        n="n", serial=serial)  # fmt: skip
