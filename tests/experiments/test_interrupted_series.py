import numpy as np
import pandas as pd
import pytest
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.stats.stattools import durbin_watson

from qainsights.experiments import InterruptedSeriesResult, interrupted_series

WEEKS = pd.date_range("2026-01-05", periods=20, freq="7D")
START = WEEKS[10]


def _audits(errors, n=400):
    errors = np.asarray(errors)
    return pd.DataFrame(
        {
            "week": np.repeat(WEEKS[: len(errors)], n),
            "is_error": np.concatenate([np.arange(n) < k for k in errors]),
        }
    )


def _reference(errors, n=400, *, scale, **fit):
    """statsmodels' binomial GLM of the weekly proportions with var_weights n, design written out.

    (With a two-column (errors, non-errors) endog, statsmodels' scale="X2" is computed on
    another scale and is not the quasi-binomial dispersion; the var_weights form is.)
    """
    t = np.arange(len(errors), dtype=float)
    post = (t >= 10).astype(float)
    x = np.column_stack([np.ones_like(t), t, post, (t - 10) * post])
    rate = np.asarray(errors) / n
    weights = np.full(len(errors), float(n))
    model = GLM(rate, x, family=families.Binomial(), var_weights=weights)
    return model.fit(scale=scale, use_t=True, **fit)


# Over-dispersed: weeks vary more than binomial sampling (Pearson dispersion > 1).
OVERDISPERSED = [40, 52, 31, 47, 58, 36, 49, 61, 38, 55, 30, 22, 35, 19, 33, 24, 18, 31, 20, 27]
# Under-dispersed: weeks vary less than binomial sampling (dispersion < 1).
SMOOTH = [40, 41, 40, 42, 41, 42, 43, 42, 43, 44, 30, 30, 29, 29, 28, 28, 28, 27, 27, 26]


#: the warning variance="quasi" always gives (benchmarks/README.md: 8.5 % false positives at
#: nominal 5 % on 20 weeks with AR(0.5) shocks)
NOT_ROBUST = r"variance='quasi' assumes independent periods and is not robust to autocorrelated weeks.*Use variance='ar1' \(the default\)"


def test_overdispersed_series_matches_statsmodels_quasi_binomial():
    # Reference: statsmodels GLM(Binomial, var_weights=n).fit(scale="X2", use_t=True): the
    # estimated dispersion puts the intervals on Student's t with m - 4 = 16 df.
    with pytest.warns(UserWarning, match=NOT_ROBUST):
        result = interrupted_series(_audits(OVERDISPERSED), start=START, variance="quasi")
    reference = _reference(OVERDISPERSED, scale="X2")
    assert result.dispersion == pytest.approx(reference.scale, rel=1e-8)
    assert result.dispersion > 1
    ci = np.exp(reference.conf_int())
    effects = result.effects.set_index("effect")
    for term, j in (("level_change", 2), ("slope_change", 3)):
        assert effects.loc[term, "estimate"] == pytest.approx(np.exp(reference.params[j]), rel=1e-7)
        assert effects.loc[term, "ci_low"] == pytest.approx(ci[j, 0], rel=1e-6)
        assert effects.loc[term, "ci_high"] == pytest.approx(ci[j, 1], rel=1e-6)
        assert effects.loc[term, "p_value"] == pytest.approx(reference.pvalues[j], rel=1e-5)


def test_underdispersed_series_keeps_binomial_variances():
    # Reference: statsmodels GLM(Binomial) with its default scale 1 (the floor documented),
    # t reference on 16 df.
    with pytest.warns(UserWarning, match=NOT_ROBUST):
        result = interrupted_series(_audits(SMOOTH), start=START, variance="quasi")
    reference = _reference(SMOOTH, scale=None)
    assert result.dispersion < 1
    ci = np.exp(reference.conf_int())
    level = result.effects.set_index("effect").loc["level_change"]
    assert (level["ci_low"], level["ci_high"]) == pytest.approx(tuple(ci[2]), rel=1e-6)


def test_hac_variance_matches_statsmodels_newey_west():
    # Reference: statsmodels binomial GLM on (errors, non-errors) counts, fitted with
    # cov_type="HAC", cov_kwds={"maxlags": L}, use_t=True; default L = floor(4 (20/100)^(2/9))
    # = 2 (Newey & West 1994).
    assert int(np.floor(4 * (20 / 100) ** (2 / 9))) == 2
    with pytest.warns(UserWarning, match=r"variance='hac' on 20 periods: .* too narrow"):
        result = interrupted_series(_audits(OVERDISPERSED), start=START, variance="hac")
    t = np.arange(20, dtype=float)
    post = (t >= 10).astype(float)
    x = np.column_stack([np.ones_like(t), t, post, (t - 10) * post])
    counts = np.column_stack([OVERDISPERSED, 400 - np.asarray(OVERDISPERSED)])
    reference = GLM(counts, x, family=families.Binomial()).fit(
        cov_type="HAC", cov_kwds={"maxlags": 2}, use_t=True
    )
    ci = np.exp(reference.conf_int())
    effects = result.effects.set_index("effect")
    for term, j in (("level_change", 2), ("slope_change", 3)):
        assert effects.loc[term, "ci_low"] == pytest.approx(ci[j, 0], rel=1e-6)
        assert effects.loc[term, "ci_high"] == pytest.approx(ci[j, 1], rel=1e-6)
        assert effects.loc[term, "p_value"] == pytest.approx(reference.pvalues[j], rel=1e-5)


def test_fitted_counterfactual_and_durbin_watson():
    # References: statsmodels fitted values, its Pearson residuals with
    # statsmodels.stats.stattools.durbin_watson, and the pre-period line carried on written out.
    result = interrupted_series(_audits(OVERDISPERSED), start=START)
    reference = _reference(OVERDISPERSED, scale="X2")
    np.testing.assert_allclose(result.series["fitted"], reference.fittedvalues, rtol=1e-7)
    b = reference.params
    t = np.arange(10, 20)
    np.testing.assert_allclose(
        result.series["counterfactual"].iloc[10:], 1 / (1 + np.exp(-(b[0] + b[1] * t))), rtol=1e-7
    )
    assert result.series["counterfactual"].iloc[:10].isna().all()
    check = result.assumptions.set_index("check").loc["no autocorrelation"]
    assert check["statistic"] == pytest.approx(durbin_watson(reference.resid_pearson), rel=1e-7)


def test_series_and_result_contents():
    result = interrupted_series(_audits(OVERDISPERSED), start=START)
    assert isinstance(result, InterruptedSeriesResult)
    columns = list(result.series.columns)
    assert columns == [
        "week",
        "n",
        "errors",
        "rate",
        "ci_low",
        "ci_high",
        "fitted",
        "counterfactual",
    ]
    assert result.series["errors"].tolist() == OVERDISPERSED
    assert list(result.to_frame()["effect"]) == ["level_change", "slope_change"]
    checks = result.assumptions.set_index("check")
    assert checks.loc["periods on each side", "statistic"] == 10
    assert "At 2026-03-16 the error odds changed by a factor of" in result.summary()


def test_plot_draws_fitted_segments_and_counterfactual():
    result = interrupted_series(_audits(OVERDISPERSED), start=START)
    ax = result.plot()
    dotted = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    np.testing.assert_allclose(dotted[0].get_ydata(), result.series["counterfactual"].iloc[10:])
    solid = [
        line for line in ax.get_lines() if line.get_linewidth() == 2 and line.get_linestyle() == "-"
    ]
    np.testing.assert_allclose(solid[0].get_ydata(), result.series["fitted"].iloc[:10])


def test_input_frame_unchanged():
    audits = _audits(OVERDISPERSED)
    before = audits.copy()
    interrupted_series(audits, start=START)
    pd.testing.assert_frame_equal(audits, before)


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (WEEKS[2], r"needs at least 3 periods before and after the start .* Got 2 before and 18"),
        (WEEKS[18], r"Got 18 before and 2 from 2026-05-11 on"),
        ("2025-01-01", r"The 'start' parameter of interrupted_series must fall after the first"),
        ("2027-01-01", r"\(2026-01-05 to 2026-05-18\)"),
    ],
)
def test_bad_start(start, message):
    with pytest.raises(ValueError, match=message):
        interrupted_series(_audits(OVERDISPERSED), start=start)


def test_all_zero_errors_and_bad_columns():
    with pytest.raises(ValueError, match=r"interrupted_series found no errors in the audits"):
        interrupted_series(_audits([0] * 20), start=START)
    with pytest.raises(ValueError, match=r"interrupted_series needs column 'month' in 'audits'"):
        interrupted_series(_audits(OVERDISPERSED), period="month", start=START)
    with pytest.raises(ValueError, match=r"The 'ci' parameter of interrupted_series"):
        interrupted_series(_audits(OVERDISPERSED), start=START, ci=0)


def test_bad_variance_and_maxlags():
    audits = _audits(OVERDISPERSED)
    with pytest.raises(ValueError, match=r"The 'variance' parameter of interrupted_series must "
                       r"be one of 'ar1', 'quasi', 'hac'. Got 'robust' instead"):  # fmt: skip
        interrupted_series(audits, start=START, variance="robust")
    with pytest.raises(ValueError, match=r"The 'maxlags' parameter of interrupted_series"):
        interrupted_series(audits, start=START, variance="hac", maxlags=-1)


def test_autocorrelated_residuals_warn_that_the_interval_is_too_optimistic():
    # A slow wave (period 8 weeks) around a flat rate: neighbouring weeks' residuals share
    # their sign, so Durbin-Watson = sum (e_t - e_t-1)^2 / sum e_t^2 falls well below 1.5.
    errors = np.rint(40 + 12 * np.sin(2 * np.pi * np.arange(20) / 8)).astype(int)
    with pytest.warns(
        UserWarning, match=r"positively autocorrelated \(Durbin-Watson 0\.\d\d"
    ) as caught:
        result = interrupted_series(_audits(errors), start=START, variance="quasi")
    assert len(caught) == 1  # one warning: the autocorrelation seen, and quasi not robust to it
    assert "not robust to autocorrelated weeks" in str(caught[0].message)
    assert not result.assumptions.set_index("check").loc["no autocorrelation", "passed"]
    # The default AR(1) variances: no AR(1) process below 0.95 leaves residuals this
    # persistent after the fit, so the estimate reaches its cap and the function says so.
    with pytest.warns(UserWarning, match=r"reaches its cap of 0.95"):
        result = interrupted_series(_audits(errors), start=START)
    assert not result.assumptions.set_index("check").loc["AR(1) coefficient", "passed"]


# A series with AR(0.6) logit shocks (sd 0.2) around 8 %, 400 audits a week (numpy seed 3).
PERSISTENT = [37, 25, 31, 30, 28, 33, 14, 27, 22, 40, 56, 32, 21, 33, 32, 20, 27, 34, 33, 40]


def test_ar1_variance_follows_its_derivation():
    # Written out from the definition with statsmodels' quasi-binomial fit: the lag-1
    # autocorrelation r1 of the Pearson residuals, rho solving
    # E r1 = tr(M A M S(rho)) / tr(M S(rho)) (M the weighted residual maker, A half the lag-1
    # neighbours, S(rho) = rho^|i-j|), raised by z_0.8 / sqrt(20); the sandwich
    # phi B X'W^1/2 S W^1/2 X B with phi = max(1, r'r / tr(M S)), t on 16 df.
    from scipy import optimize, stats

    result = interrupted_series(_audits(PERSISTENT), start=START)
    fit = _reference(PERSISTENT, scale=1.0)
    t = np.arange(20, dtype=float)
    post = (t >= 10).astype(float)
    x = np.column_stack([np.ones_like(t), t, post, (t - 10) * post])
    mu = np.asarray(fit.fittedvalues)
    root_w = np.sqrt(400 * mu * (1 - mu))
    xs = x * root_w[:, None]
    m_mat = np.eye(20) - xs @ np.linalg.inv(xs.T @ xs) @ xs.T
    a_mat = (np.eye(20, k=1) + np.eye(20, k=-1)) / 2
    r = (np.asarray(PERSISTENT) - 400 * mu) / root_w
    r1 = np.sum(r[1:] * r[:-1]) / np.sum(r * r)

    def s_mat(rho):
        return rho ** np.abs(t[:, None] - t[None, :])

    rho = optimize.brentq(
        lambda q: np.trace(m_mat @ a_mat @ m_mat @ s_mat(q)) / np.trace(m_mat @ s_mat(q)) - r1,
        -0.9,
        0.9,
    )
    used = rho + stats.norm.ppf(0.8) / np.sqrt(20)
    assert 0 < used < 0.95
    phi = max(1.0, r @ r / np.trace(m_mat @ s_mat(used)))
    bread = np.linalg.inv(xs.T @ xs)
    cov = phi * bread @ xs.T @ s_mat(used) @ xs @ bread
    check = result.assumptions.set_index("check").loc["AR(1) coefficient"]
    assert check["statistic"] == pytest.approx(rho, abs=1e-6)
    effects = result.effects.set_index("effect")
    q = stats.t.ppf(0.975, 16)
    for term, j in (("level_change", 2), ("slope_change", 3)):
        b, se = fit.params[j], np.sqrt(cov[j, j])
        assert effects.loc[term, "ci_low"] == pytest.approx(np.exp(b - q * se), rel=1e-5)
        assert effects.loc[term, "ci_high"] == pytest.approx(np.exp(b + q * se), rel=1e-5)
        assert effects.loc[term, "p_value"] == pytest.approx(2 * stats.t.sf(abs(b) / se, 16),
                                                             rel=1e-4)  # fmt: skip


def test_ar1_variance_without_autocorrelation_is_the_quasi_binomial_one():
    # Negatively autocorrelated residuals: the upper bound is below 0, S = I, and
    # phi = r'r / tr(M) = X^2 / (m - 4): statsmodels' scale="X2" fit exactly.
    result = interrupted_series(_audits(OVERDISPERSED), start=START)
    assert result.assumptions.set_index("check").loc["AR(1) coefficient", "statistic"] < -0.2
    reference = _reference(OVERDISPERSED, scale="X2")
    ci = np.exp(reference.conf_int())
    level = result.effects.set_index("effect").loc["level_change"]
    assert (level["ci_low"], level["ci_high"]) == pytest.approx(tuple(ci[2]), rel=1e-6)
