"""error_rate with moderators (or any column) as clusters: the cluster-robust Taylor variance.

References: statsmodels' cluster-robust covariance of a weighted mean
(``WLS(y, 1, weights=w).fit(cov_type="cluster")``, whose small-sample factor is
``G/(G - 1) (N - 1)/(N - K)`` = ``G/(G - 1)`` with one parameter) and, for strata and domains,
the with-replacement formula ``Σ_h m_h/(m_h - 1) Σ_c (z_c - mean_h z)^2`` evaluated cluster by
cluster below (Cochran 1977, ch. 9A; R survey's ``svydesign(ids=~moderator, strata=~stratum)``).
The degrees-of-freedom factor is Korn & Graubard's (1998) ``(t_{n-1}/t_df)^2`` with scipy's t.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.regression.linear_model import WLS
from statsmodels.stats.proportion import proportion_confint

from qainsights.rates import enforcement_rates, error_rate


def clustered_audits(seed=3, moderators=12, per_moderator=30):
    rng = np.random.default_rng(seed)
    moderator = np.repeat(np.arange(moderators), per_moderator)
    ability = rng.normal(0, 0.8, moderators)
    p = 1 / (1 + np.exp(-(-2.5 + ability[moderator])))
    n = moderator.size
    return pd.DataFrame(
        {
            "moderator_id": moderator,
            "site": np.where(moderator < moderators // 2, "dublin", "manila"),
            "queue": rng.choice(["hate", "spam"], n),
            "stratum": np.where(moderator % 3 == 0, "s1", "s2"),
            "weight": np.where(moderator % 3 == 0, 4.0, 1.0),
            "is_error": rng.random(n) < p,
        }
    )


def test_one_segment_matches_statsmodels_cluster_robust_mean():
    audits = clustered_audits()
    for weight in (None, "weight"):
        result = error_rate(audits, weight=weight, cluster="moderator_id").iloc[0]
        w = np.ones(len(audits)) if weight is None else audits[weight].to_numpy()
        fit = WLS(audits["is_error"].astype(float), np.ones(len(audits)), weights=w).fit(
            cov_type="cluster", cov_kwds={"groups": audits["moderator_id"]}
        )
        assert result["rate"] == pytest.approx(fit.params.iloc[0], rel=1e-12)
        assert result["se"] == pytest.approx(fit.bse.iloc[0], rel=1e-9)


def clustered_variance(audits, in_segment):
    """Cluster sums of z = w (y - r)/Σw (0 outside the segment), spread within strata."""
    y = audits["is_error"].to_numpy(float)
    w = audits["weight"].to_numpy(float)
    inside = in_segment.to_numpy()
    r = (w * y)[inside].sum() / w[inside].sum()
    z = pd.Series(np.where(inside, w * (y - r), 0.0) / w[inside].sum())
    per_cluster = z.groupby([audits["stratum"], audits["moderator_id"]]).sum()
    total = 0.0
    for _, z_c in per_cluster.groupby(level=0):
        m = len(z_c)
        total += m / (m - 1) * ((z_c - z_c.mean()) ** 2).sum()
    return r, total


def test_strata_and_domains_use_cluster_sums():
    audits = clustered_audits()
    result = error_rate(
        audits, by="queue", weight="weight", strata="stratum", cluster="moderator_id"
    )
    for row in result.itertuples():
        in_segment = audits["queue"] == row.queue
        r, variance = clustered_variance(audits, in_segment)
        assert row.rate == pytest.approx(r, rel=1e-12)
        assert row.se == pytest.approx(np.sqrt(variance), rel=1e-9)
        # 12 moderators in 2 strata reach both queues: df = 12 - 2 = 10
        factor = (stats.t.isf(0.025, row.n - 1) / stats.t.isf(0.025, 10)) ** 2
        assert row.n_eff == pytest.approx(r * (1 - r) / variance * factor, rel=1e-9)
        low, high = proportion_confint(r * row.n_eff, row.n_eff, method="wilson")
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high), rel=1e-9)


def test_segment_degrees_of_freedom_count_its_own_clusters():
    # Each site holds 6 moderators in one stratum: df = 6 - 1 = 5.
    audits = clustered_audits()
    result = error_rate(audits, by="site", cluster="moderator_id")
    for row in result.itertuples():
        rate = row.errors / row.n
        factor = (stats.t.isf(0.025, row.n - 1) / stats.t.isf(0.025, 5)) ** 2
        assert row.n_eff == pytest.approx(rate * (1 - rate) / row.se**2 * factor, rel=1e-9)
        assert row.deff == pytest.approx(row.se**2 / (rate * (1 - rate) / row.n), rel=1e-9)


def test_clustering_widens_the_interval_of_clustered_errors():
    # Two moderators make every error: the clusters, not the 360 audits, carry the information.
    audits = clustered_audits().assign(is_error=lambda d: d["moderator_id"].isin([0, 1]))
    with pytest.warns(UserWarning, match="errors cluster by moderator"):
        plain = error_rate(audits).iloc[0]
    clustered = error_rate(audits, cluster="moderator_id").iloc[0]
    assert clustered["ci_high"] - clustered["ci_low"] > 3 * (plain["ci_high"] - plain["ci_low"])


def test_one_cluster_per_stratum_warns_and_gives_no_interval():
    audits = clustered_audits().assign(moderator_id=lambda d: d["stratum"])
    with pytest.warns(UserWarning, match=r"2 strata hold a single cluster"):
        result = error_rate(audits, strata="stratum", cluster="moderator_id")
    assert np.isnan(result.loc[0, "n_eff"])


def test_enforcement_rates_take_the_cluster_too():
    audits = clustered_audits()
    kinds = np.where(audits["is_error"], "over_enforcement", "none")
    typed = enforcement_rates(audits.assign(error_type=kinds), cluster="moderator_id")
    single = error_rate(audits, cluster="moderator_id")
    over = typed[typed["error_type"] == "over_enforcement"].iloc[0]
    assert over["se"] == pytest.approx(single.loc[0, "se"], rel=1e-12)


def test_missing_cluster_values_and_caller_frame():
    audits = clustered_audits()
    before = audits.copy(deep=True)
    error_rate(audits, by="site", cluster="moderator_id")
    pd.testing.assert_frame_equal(audits, before)
    audits["moderator_id"] = audits["moderator_id"].astype(object)
    audits.loc[[4, 9], "moderator_id"] = None
    with pytest.raises(ValueError, match=r"error_rate found 2 rows with a missing value in "
                       r"column 'moderator_id' \(index 4, 9\)"):  # fmt: skip
        error_rate(audits, cluster="moderator_id")
    with pytest.raises(ValueError, match=r"error_rate needs column 'mod' in 'audits'"):
        error_rate(audits, cluster="mod")


def test_polars_frame_gives_the_same_clustered_rates():
    pl = pytest.importorskip("polars")
    audits = clustered_audits()
    kwargs = {"by": "site", "weight": "weight", "strata": "stratum", "cluster": "moderator_id"}
    expected = error_rate(audits, **kwargs)
    got = error_rate(pl.from_pandas(audits), **kwargs)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-12)
