"""Non-normal capability: Box-Cox, percentile, lognormal and Weibull, against independent oracles.

The percentile indices are Clements' / ISO 22514-2 formulas (capability.md §1 notes):
Pp = (USL - LSL) / (X99.865 - X0.135), Ppl = (X50 - LSL) / (X50 - X0.135),
Ppu = (USL - X50) / (X99.865 - X50).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from scipy.special import boxcox

from qainsights.capability import capability

PROBABILITIES = np.array([0.00135, 0.5, 0.99865])


def _iso_indices(quantiles, lsl, usl):
    low, median, high = quantiles
    ppl, ppu = (median - lsl) / (median - low), (usl - median) / (high - median)
    return {"Pp": (usl - lsl) / (high - low), "Ppl": ppl, "Ppu": ppu, "Ppk": min(ppl, ppu)}


def _estimates(result, names):
    return result.to_frame().set_index("index").loc[names, "estimate"].to_numpy(dtype=float)


@pytest.fixture
def skewed():
    return np.random.default_rng(7).lognormal(mean=1.0, sigma=0.5, size=400)


def test_lognormal_matches_scipy_fit(skewed):
    shape, _, scale = stats.lognorm.fit(skewed, floc=0)
    fitted = stats.lognorm(shape, scale=scale)
    expected = _iso_indices(fitted.ppf(PROBABILITIES), 0.5, 15.0)
    result = capability(skewed, lsl=0.5, usl=15.0, method="lognormal", stability="ignore")
    np.testing.assert_allclose(
        _estimates(result, list(expected)), list(expected.values()), rtol=1e-6
    )
    ppm = result.out_of_spec.set_index("source").loc["expected lognormal"]
    assert ppm["below_lsl"] == pytest.approx(1e6 * fitted.cdf(0.5), rel=1e-5)
    assert ppm["above_usl"] == pytest.approx(1e6 * fitted.sf(15.0), rel=1e-5)
    rows = result.to_frame().set_index("index")
    assert rows.loc[["Cp", "Cpk", "Ppm"], ["estimate", "ci_low", "ci_high"]].isna().all().all()
    # The P indices carry bootstrap intervals (tests in test_capability_intervals.py).
    assert rows.loc[["Pp", "Ppl", "Ppu", "Ppk"], ["ci_low", "ci_high"]].notna().all().all()
    assert "lognormal" in rows.loc["Ppk", "method"]
    assert result.method == "lognormal"


def test_weibull_solves_the_likelihood_equations(skewed):
    # Two-parameter Weibull MLE: the shape k solves
    # sum(x^k log x) / sum(x^k) - 1/k - mean(log x) = 0, and scale = mean(x^k)^(1/k).
    logs = np.log(skewed)

    def score(k):
        return np.sum(skewed**k * logs) / np.sum(skewed**k) - 1 / k - logs.mean()

    k = optimize.brentq(score, 0.1, 20.0, xtol=1e-12)
    scale = np.mean(skewed**k) ** (1 / k)
    quantiles = scale * (-np.log1p(-PROBABILITIES)) ** (1 / k)
    expected = _iso_indices(quantiles, 0.5, 15.0)
    result = capability(skewed, lsl=0.5, usl=15.0, method="weibull", stability="ignore")
    np.testing.assert_allclose(
        _estimates(result, list(expected)), list(expected.values()), rtol=1e-4
    )
    below = 1e6 * -np.expm1(-((0.5 / scale) ** k))
    ppm = result.out_of_spec.set_index("source").loc["expected weibull"]
    assert ppm["below_lsl"] == pytest.approx(below, rel=1e-3)


def test_percentile_uses_type_7_quantiles():
    values = np.random.default_rng(3).gamma(2.0, 3.0, size=1500)
    # Hyndman & Fan type 7: h = (n - 1) p, interpolate between the order statistics floor(h), +1.
    ordered = np.sort(values)
    h = (values.size - 1) * PROBABILITIES
    lower = np.floor(h).astype(int)
    quantiles = ordered[lower] + (h - lower) * (ordered[lower + 1] - ordered[lower])
    expected = _iso_indices(quantiles, -1.0, 40.0)
    result = capability(values, lsl=-1.0, usl=40.0, method="percentile", stability="ignore")
    np.testing.assert_allclose(
        _estimates(result, list(expected)), list(expected.values()), rtol=1e-12
    )
    assert list(result.out_of_spec["source"]) == ["observed"]


def test_percentile_warns_below_1000_values(skewed):
    with pytest.warns(
        UserWarning,
        match=r"The percentile method estimates the 0\.135 % and "
        r"99\.865 % quantiles from only 400 values",
    ):
        capability(skewed, usl=15.0, method="percentile", stability="ignore")


def test_box_cox_is_normal_theory_on_the_transformed_scale(skewed):
    # Box-Cox MLE of lambda: maximise (lambda - 1) sum(log x) - n/2 log(var(y_lambda)).
    logs = np.log(skewed)

    def negative_loglik(lmbda):
        return -((lmbda - 1) * logs.sum() - skewed.size / 2 * np.log(np.var(boxcox(skewed, lmbda))))

    lmbda = optimize.minimize_scalar(
        negative_loglik, bounds=(-3, 3), method="bounded", options={"xatol": 1e-10}
    ).x
    transformed = boxcox(skewed, lmbda)
    on_scale = capability(
        transformed,
        lsl=float(boxcox(0.5, lmbda)),
        usl=float(boxcox(15.0, lmbda)),
        stability="ignore",
    )
    result = capability(skewed, lsl=0.5, usl=15.0, method="box-cox", stability="ignore")
    names = ["Cp", "Cpk", "Pp", "Ppl", "Ppu", "Ppk"]
    np.testing.assert_allclose(_estimates(result, names), _estimates(on_scale, names), rtol=1e-5)
    assert dict(result.fits[0][1].params)["lmbda"] == pytest.approx(lmbda, abs=1e-5)
    assert "Box-Cox lambda = " in result.method_reason
    assert "Box-Cox scale" in result.to_frame().set_index("index").loc["Ppk", "method"]
    # Expected ppm of the back-transformed normal equal those on the transformed scale.
    np.testing.assert_allclose(
        result.out_of_spec["total"].iloc[1:], on_scale.out_of_spec["total"].iloc[1:], rtol=1e-4
    )


def test_normal_verdict_flips_on_skewed_data(skewed):
    # Why the non-normal methods exist: for a right-skewed SLA metric the normal Ppu overstates
    # capability against the upper limit relative to the lognormal fit.
    with pytest.warns(UserWarning, match=r"rejects normality"):
        normal = capability(skewed, usl=9.0, stability="ignore")
    lognormal = capability(skewed, usl=9.0, method="lognormal", stability="ignore")
    assert normal.ppu > lognormal.ppu


def test_normality_ignore_silences_only_the_warning(skewed):
    # The Anderson-Darling p-value of the skewed sample (statsmodels' normal_ad, the oracle
    # of the test below) rejects normality, so the default call warns; normality="ignore"
    # gives the same indices without the warning (filterwarnings = error would fail it).
    from statsmodels.stats.diagnostic import normal_ad

    assert normal_ad(skewed)[1] < 0.05
    with pytest.warns(UserWarning, match=r"rejects normality"):
        warned = capability(skewed, usl=9.0, stability="ignore")
    quiet = capability(skewed, usl=9.0, stability="ignore", normality="ignore")
    pd.testing.assert_frame_equal(quiet.to_frame(), warned.to_frame())
    assert quiet.normality_pvalue == pytest.approx(normal_ad(skewed)[1], rel=1e-12)
    assert quiet.method_reason.endswith("rejects normality at 5 %")


def test_auto_choice_and_reason(skewed):
    normal_values = np.random.default_rng(11).normal(10, 1, 200)
    assert capability(normal_values, usl=14, method="auto", stability="ignore").method == "normal"
    result = capability(skewed, usl=15.0, method="auto", stability="ignore")
    assert result.method == "box-cox"
    assert result.method_reason.startswith("auto: Anderson-Darling p = ")
    assert "rejects normality; positive values, so Box-Cox" in result.method_reason
    shifted = np.random.default_rng(5).exponential(1.0, 1200) - 0.5
    chosen = capability(shifted, usl=8.0, method="auto", stability="ignore")
    assert chosen.method == "percentile"


def test_anderson_darling_pvalue_matches_statsmodels_and_scipy_statistic(skewed):
    from statsmodels.stats.diagnostic import normal_ad

    result = capability(skewed, usl=15.0, method="lognormal", stability="ignore")
    assert result.normality_pvalue == pytest.approx(normal_ad(skewed)[1], rel=1e-12)
    assert result.normality_test == "Anderson-Darling"


@pytest.mark.parametrize("method", ["box-cox", "lognormal", "weibull"])
def test_non_positive_values_are_rejected(method):
    values = np.array([1.0, 2.0, 0.0, -1.0, 3.0, 2.5, 1.5, 2.2])
    with pytest.raises(
        ValueError,
        match=rf"method='{method}' of capability needs positive values\. Got 2 value\(s\) at or "
        r"below 0: 0\.0, -1\.0\.",
    ):
        capability(values, usl=5.0, method=method, stability="ignore")


def test_box_cox_needs_positive_specs(skewed):
    with pytest.raises(
        ValueError,
        match=r"method='box-cox' of capability transforms the specifications too, so they must "
        r"be positive\. Got \{'lsl': 0\.0\}",
    ):
        capability(skewed, lsl=0.0, usl=15.0, method="box-cox", stability="ignore")
    with pytest.raises(
        ValueError, match=r"capability cannot use 'sigma_within' with method='box-cox'"
    ):
        capability(skewed, usl=15.0, method="box-cox", sigma_within=1.0, stability="ignore")
