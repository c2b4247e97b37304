"""diff_in_diff(inference="randomization"): Fisher randomisation over the treated groups.

The references are written out here: each site's change is derived from statsmodels' WLS on
the site x week empirical logits (as in the collapsed test of test_diff_in_diff.py), the
p-value counts, over every assignment (itertools), the statistics at least as extreme as the
observed one (Fisher 1935; Conley & Taber 2011), and the interval is the set of constant
effects the same count does not reject, found on a fine grid.
"""

from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from experiments_data import row_design, site_weeks
from statsmodels.regression.linear_model import OLS, WLS

from qainsights.experiments import diff_in_diff
from qainsights.experiments._randomization import randomization_test


def _brute_force(change, treated, level):
    """p-value and grid-inverted interval, one assignment at a time."""
    units = len(change)
    stats, ks = [], []
    for chosen in combinations(range(units), int(treated.sum())):
        a = np.zeros(units, bool)
        a[list(chosen)] = True
        stats.append(change[a].mean() - change[~a].mean())
        ks.append(treated[a].mean() - treated[~a].mean())
    stats, ks = np.array(stats), np.array(ks)
    observed = change[treated].mean() - change[~treated].mean()
    p_value = np.mean(np.abs(stats) >= abs(observed) - 1e-12)
    grid = observed + np.linspace(-3, 3, 60001)
    p_grid = np.mean(
        np.abs(stats[None, :] - grid[:, None] * ks[None, :])
        >= np.abs(observed - grid)[:, None] - 1e-12,
        axis=1,
    )
    kept = grid[p_grid > 1 - level]
    return observed, p_value, kept.min(), kept.max()


def test_two_treated_sites_of_eight_match_the_enumeration():
    rows = site_weeks(seed=4, sites=8, weeks=10, per_cell=150)
    start = rows["week"].unique()[5]
    treated = ["s0", "s3"]
    result = diff_in_diff(rows, treated=treated, start=start, inference="randomization")
    # the sites' changes from the WLS fit on the cells (Donald & Lang's two steps)
    cells = rows.groupby(["site", "week"])["is_error"].agg(["sum", "size"]).reset_index()
    k, n = cells["sum"].to_numpy(float), cells["size"].to_numpy(float)
    y = np.log((k + 0.5) / (n - k + 0.5))
    v = 1 / (k + 0.5) + 1 / (n - k + 0.5)
    cells["treated_after"] = (cells["site"].isin(treated) & (cells["week"] >= start)).astype(float)
    x = row_design(cells.assign(week=cells["week"].astype(str)), ["site", "week"],
                   ["treated_after"])  # fmt: skip
    ols = OLS(y, x).fit()
    wls = WLS(y, x, weights=1 / (v + max(0.0, ols.ssr / ols.df_resid - v.mean()))).fit()
    gamma = x.filter(like="week_").to_numpy() @ wls.params.filter(like="week_").to_numpy()
    w = wls.model.weights
    frame = pd.DataFrame({"site": cells["site"], "after": cells["week"] >= start,
                          "wy": w * (y - gamma), "w": w})  # fmt: skip
    means = frame.groupby(["site", "after"])[["wy", "w"]].sum()
    change = (means["wy"] / means["w"]).unstack()
    is_treated = change.index.isin(treated)
    change = (change[True] - change[False]).to_numpy()
    observed, p_value, low, high = _brute_force(change, is_treated, 0.95)
    row = result.effects.set_index("effect").loc["odds_ratio"]
    assert result.inference == "randomization"
    assert np.isnan(result.df)
    assert result.n_clusters == 8
    assert "all 28 assignments" in result.inference_detail
    assert np.log(row["estimate"]) == pytest.approx(observed, rel=1e-9)
    assert row["p_value"] == pytest.approx(p_value, rel=1e-12)
    assert np.log(row["ci_low"]) == pytest.approx(low, abs=2e-4)
    assert np.log(row["ci_high"]) == pytest.approx(high, abs=2e-4)


@pytest.mark.parametrize("seed", range(5))
def test_interval_matches_a_grid_inversion(seed):
    # 1, 2 or 3 treated units of nine, shifted by 1
    rng = np.random.default_rng(seed)
    change = rng.normal(size=9)
    treated = np.zeros(9, bool)
    treated[: 1 + seed % 3] = True
    change[treated] += 1.0
    # level 0.75: even one treated unit of nine (p-values in steps of 1/9) can reject
    result = randomization_test(change, treated, level=0.75)
    observed, p_value, low, high = _brute_force(change, treated, 0.75)
    assert result["estimate"] == pytest.approx(observed, rel=1e-12)
    assert result["p_value"] == pytest.approx(p_value, rel=1e-12)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((low, high), abs=2e-4)
    # at 90 % one treated unit of nine can never be rejected: the interval is the line
    if treated.sum() == 1:
        unbounded = randomization_test(change, treated, level=0.9)
        assert (unbounded["ci_low"], unbounded["ci_high"]) == (-np.inf, np.inf)


def test_one_treated_site_of_four_warns_that_no_p_value_can_be_small():
    rows = site_weeks(seed=4, sites=4, weeks=10, per_cell=150)
    start = rows["week"].unique()[5]
    with pytest.warns(UserWarning, match=r"only 4 assignments of the treated sites exist, so no "
                      r"p-value can fall below 0.250"):  # fmt: skip
        result = diff_in_diff(rows, treated="s0", start=start, inference="randomization")
    row = result.effects.set_index("effect").loc["odds_ratio"]
    assert row["p_value"] >= 0.25
    assert (row["ci_low"], row["ci_high"]) == (0.0, np.inf)


def test_too_many_assignments_are_refused():
    rows = site_weeks(seed=4, sites=24, weeks=6, per_cell=20)
    start = rows["week"].unique()[3]
    treated = [f"s{i}" for i in range(12)]
    with pytest.raises(ValueError, match=r"inference='randomization' of diff_in_diff enumerates "
                       r"every assignment of 12 treated sites among 24: 2,704,156, more than "
                       r"50,000"):  # fmt: skip
        diff_in_diff(rows, treated=treated, start=start, inference="randomization")
