"""Change of odds ratios between two error-drivers fits (Altman & Bland, 2003)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.discrete.discrete_model import Logit
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools import add_constant

from qainsights.rca import error_drivers, odds_ratio_change


def audits(seed, team_odds):
    rng = np.random.default_rng(seed)
    n = 8000
    team = rng.choice(["a", "b", "c"], n)
    policy = rng.choice(["p", "q"], n)
    odds = 0.08 * pd.Series(team).map(team_odds).to_numpy() * np.where(policy == "q", 2.0, 1.0)
    return pd.DataFrame(
        {"team": team, "policy": policy, "is_error": rng.random(n) < odds / (1 + odds)}
    )


@pytest.fixture(scope="module")
def windows():
    return audits(1, {"a": 1, "b": 1.2, "c": 0.8}), audits(2, {"a": 1, "b": 2.5, "c": 0.8})


def fit(frame):
    return error_drivers(frame, factors=["team", "policy"], reference={"team": "a", "policy": "p"})


def test_equals_the_interaction_of_a_fully_interacted_logistic_regression(windows):
    before, after = windows
    moved = odds_ratio_change(fit(before), fit(after), factor="team").set_index("level")
    # The oracle: one statsmodels logistic regression on both windows, every coefficient
    # allowed to differ by window; the team x window interaction is the log ratio.
    both = pd.concat([before.assign(after=0), after.assign(after=1)], ignore_index=True)
    x = pd.get_dummies(both[["team", "policy"]], drop_first=True).astype(float)
    x = pd.concat([x, x.mul(both["after"], axis=0).add_suffix(":after")], axis=1)
    x.insert(0, "after", both["after"].astype(float))
    model = Logit(both["is_error"].astype(float), add_constant(x)).fit(disp=0)
    for level in ["b", "c"]:
        name = f"team_{level}:after"
        low, high = model.conf_int().loc[name]
        assert moved.loc[level, "ratio"] == pytest.approx(np.exp(model.params[name]), rel=1e-6)
        assert moved.loc[level, "ci_low"] == pytest.approx(np.exp(low), rel=1e-5)
        assert moved.loc[level, "ci_high"] == pytest.approx(np.exp(high), rel=1e-5)
        assert moved.loc[level, "p_value"] == pytest.approx(model.pvalues[name], rel=1e-4)
    assert moved.index[0] == "b"  # largest increase first


def test_apart_flags_intervals_that_do_not_overlap(windows):
    moved = odds_ratio_change(fit(windows[0]), fit(windows[1]), factor="team").set_index("level")
    expected = (moved["ci_low_after"] > moved["ci_high_before"]) | (
        moved["ci_high_after"] < moved["ci_low_before"]
    )
    assert moved["apart"].tolist() == expected.tolist()


def test_bad_input(windows):
    before, after = fit(windows[0]), fit(windows[1])
    with pytest.raises(TypeError, match="'before' parameter of odds_ratio_change"):
        odds_ratio_change(before.table, after, factor="team")
    with pytest.raises(ValueError, match="'factor' parameter of odds_ratio_change"):
        odds_ratio_change(before, after, factor="site")
    other = error_drivers(windows[1], factors=["team", "policy"], reference={"team": "b"})
    with pytest.raises(ValueError, match="same reference level"):
        odds_ratio_change(before, other, factor="team")
    wider = error_drivers(windows[1], factors=["team", "policy"], reference={"team": "a"}, ci=0.9)
    with pytest.raises(ValueError, match="same confidence level"):
        odds_ratio_change(before, wider, factor="team")


def test_clustered_fits_take_t_on_the_smaller_degrees_of_freedom():
    # Oracle: statsmodels GLM of each window with cov_type="cluster", use_t=True (CR1, t on
    # G - 1); the change's log ratio is the difference of the coefficients, its variance
    # the sum of the two squared standard errors, its reference t on min(G1, G2) - 1 = 7
    # (8 moderators before, 12 after; Satterthwaite's df lies between 7 and 7 + 11).
    fits, oracle = [], []
    for seed, moderators in ((3, 8), (4, 12)):
        frame = audits(seed, {"a": 1, "b": 1.3, "c": 0.8}).iloc[:2400].copy()
        frame["moderator_id"] = np.arange(len(frame)) % moderators
        fits.append(error_drivers(frame, factors=["team", "policy"], cluster="moderator_id",
                                  reference={"team": "a", "policy": "p"}))  # fmt: skip
        exog = pd.get_dummies(frame[["team", "policy"]], drop_first=True).astype(float)
        oracle.append(
            GLM(frame["is_error"].astype(float), add_constant(exog), family=Binomial()).fit(
                cov_type="cluster", cov_kwds={"groups": frame["moderator_id"]}, use_t=True
            )
        )
    moved = odds_ratio_change(*fits, factor="team").set_index("level")
    df = min(o.df_resid_inference for o in oracle)
    assert df == 7
    for level in ["b", "c"]:
        name = f"team_{level}"
        log_ratio = oracle[1].params[name] - oracle[0].params[name]
        se = np.hypot(oracle[0].bse[name], oracle[1].bse[name])
        quantile = stats.t.isf(0.025, df)
        assert moved.loc[level, "ratio"] == pytest.approx(np.exp(log_ratio), rel=1e-6)
        assert moved.loc[level, "ci_low"] == pytest.approx(
            np.exp(log_ratio - quantile * se), rel=1e-6
        )
        assert moved.loc[level, "ci_high"] == pytest.approx(
            np.exp(log_ratio + quantile * se), rel=1e-6
        )
        p_value = 2 * stats.t.sf(abs(log_ratio) / se, df)
        assert moved.loc[level, "p_value"] == pytest.approx(p_value, rel=1e-5)
