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


def _cr2_oracle(frames, cluster_ids, name):
    """CR2 variance and Bell-McCaffrey df of one coefficient of the stacked, fully interacted
    logistic regression on the audit rows, from the definitions: working rows ``W^½ X`` and
    residuals ``(y − μ) / W^½`` of statsmodels' fit, ``A_g = (I − H_gg)^−½`` on each cluster's
    audit rows (Bell & McCaffrey 2002, eq. 7), ``V = Σ_g (c' B X_g' A_g e_g)²`` and, with
    ``p_g = A_g X_g B c`` and ``u_g = (I − H)_{·g} p_g``, ``df = (Σ_g u_g'u_g)² / Σ_gh
    (u_g'u_h)²`` (Pustejovsky & Tipton 2018, working independence)."""
    both = pd.concat([f.assign(after=float(i)) for i, f in enumerate(frames)], ignore_index=True)
    x = pd.get_dummies(both[["team", "policy"]], drop_first=True).astype(float)
    x = pd.concat([x, x.mul(both["after"], axis=0).add_suffix(":after")], axis=1)
    x.insert(0, "after", both["after"])
    x = add_constant(x)
    fit = GLM(both["is_error"].astype(float), x, family=Binomial()).fit()
    mu = fit.mu
    w = mu * (1 - mu)
    rows = x.to_numpy() * np.sqrt(w)[:, None]
    resid = (both["is_error"].to_numpy(float) - mu) / np.sqrt(w)
    bread = np.linalg.inv(rows.T @ rows)
    c = (x.columns == name).astype(float)
    groups = np.concatenate(cluster_ids)
    variance, u = 0.0, []
    for g in np.unique(groups):
        at = np.flatnonzero(groups == g)
        values, vectors = np.linalg.eigh(np.eye(at.size) - rows[at] @ bread @ rows[at].T)
        adjust = vectors @ np.diag(values**-0.5) @ vectors.T
        variance += float(c @ bread @ rows[at].T @ adjust @ resid[at]) ** 2
        p_g = np.zeros(len(rows))
        p_g[at] = adjust @ rows[at] @ bread @ c
        u.append(p_g - rows @ (bread @ (rows.T @ p_g)))  # (I - H) p_g
    gram = np.array(u) @ np.array(u).T
    return fit.params[name], variance, np.trace(gram) ** 2 / np.sum(gram * gram)


@pytest.mark.parametrize("shared", [True, False])
def test_clustered_fits_take_the_cr2_variance_of_the_stacked_model(shared):
    # The same 8 moderators in both windows (their clusters tie the two estimates) or other
    # ones: the change's variance and df are those of the stacked model's interaction,
    # computed by the oracle above on the audit rows of both windows.
    frames, ids, fits = [], [], []
    for seed in (3, 4):
        frame = audits(seed, {"a": 1, "b": 1.3, "c": 0.8}).iloc[:1200].copy()
        moderator = np.arange(len(frame)) % 8 + (0 if shared or seed == 3 else 100)
        frame["moderator_id"] = moderator
        frames.append(frame.drop(columns="moderator_id"))
        ids.append(moderator)
        fits.append(error_drivers(frame, factors=["team", "policy"], cluster="moderator_id",
                                  reference={"team": "a", "policy": "p"}))  # fmt: skip
    moved = odds_ratio_change(*fits, factor="team").set_index("level")
    for level in ["b", "c"]:
        log_ratio, variance, df = _cr2_oracle(frames, ids, f"team_{level}:after")
        quantile = stats.t.isf(0.025, df)
        se = np.sqrt(variance)
        assert moved.loc[level, "ratio"] == pytest.approx(np.exp(log_ratio), rel=1e-6)
        assert moved.loc[level, "ci_low"] == pytest.approx(
            np.exp(log_ratio - quantile * se), rel=1e-6
        )
        assert moved.loc[level, "ci_high"] == pytest.approx(
            np.exp(log_ratio + quantile * se), rel=1e-6
        )
        p_value = 2 * stats.t.sf(abs(log_ratio) / se, df)
        assert moved.loc[level, "p_value"] == pytest.approx(p_value, rel=1e-5)
        assert 1 < df < 2 * 8  # fewer than the clusters' count, as Satterthwaite's df are


def test_a_clustered_and_an_unclustered_fit_take_t_on_the_smaller_df():
    # Without the per-cluster pieces of both fits, each standard error is read from its
    # fit's interval (CR1 on t(G - 1) as statsmodels' use_t=True; the normal without
    # clusters) and the change takes t on the smaller df, here G - 1 = 7.
    frame = audits(3, {"a": 1, "b": 1.3, "c": 0.8}).iloc[:2400].copy()
    frame["moderator_id"] = np.arange(len(frame)) % 8
    clustered = error_drivers(frame, factors=["team", "policy"], cluster="moderator_id",
                              reference={"team": "a", "policy": "p"})  # fmt: skip
    plain_frame = audits(4, {"a": 1, "b": 1.3, "c": 0.8})
    plain = fit(plain_frame)
    moved = odds_ratio_change(clustered, plain, factor="team").set_index("level")
    exog = pd.get_dummies(frame[["team", "policy"]], drop_first=True).astype(float)
    oracle = GLM(frame["is_error"].astype(float), add_constant(exog), family=Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": frame["moderator_id"]}, use_t=True
    )
    exog = pd.get_dummies(plain_frame[["team", "policy"]], drop_first=True).astype(float)
    model = GLM(plain_frame["is_error"].astype(float), add_constant(exog), family=Binomial()).fit()
    assert oracle.df_resid_inference == 7
    for level in ["b", "c"]:
        name = f"team_{level}"
        log_ratio = model.params[name] - oracle.params[name]
        se = np.hypot(oracle.bse[name], model.bse[name])
        quantile = stats.t.isf(0.025, 7)
        assert moved.loc[level, "ci_low"] == pytest.approx(
            np.exp(log_ratio - quantile * se), rel=1e-6
        )
        assert moved.loc[level, "p_value"] == pytest.approx(
            2 * stats.t.sf(abs(log_ratio) / se, 7), rel=1e-5
        )
