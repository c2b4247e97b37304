"""The report's intervals take a moderator's audits as correlated, in one design everywhere.

The oracle of the clustered variance is worked out cluster by cluster with numpy below (the
with-replacement formula of R survey's ``svydesign(ids=~moderator_id, strata=~stratum,
weights=~weight)`` for a domain, Cochran 1977, ch. 9A, with Korn & Graubard's 1998
degrees-of-freedom factor), and elsewhere is :func:`qainsights.rates.error_rate` with
``cluster="moderator_id"``, which tests/test_rates_cluster.py checks against statsmodels'
cluster-robust mean and the same formula: these tests check that the report uses it.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from qainsights.datasets import simulate_audits
from qainsights.rates import enforcement_rates, error_rate
from qainsights.report import build_monthly_report, design_of
from qainsights.report.display import first_screen
from qainsights.report.estimand import estimand_statement

CLUSTERED = {"weight": "weight", "strata": "stratum", "cluster": "moderator_id"}
SECTIONS = ["headline", "directions", "segments", "sites", "vendors", "sampling"]


@pytest.fixture(scope="module")
def audits():
    return simulate_audits(seed=8, start="2026-05-04", weeks=13, audits_per_week=600).audits


@pytest.fixture(scope="module")
def report(audits):
    return build_monthly_report(audits, sections=SECTIONS)


def by_hand(rows: pd.DataFrame, inside: np.ndarray, level: float = 0.95):
    """Rate and Wilson interval of the domain ``inside`` of ``rows``, moderators as clusters."""
    y = rows["is_error"].to_numpy(float)
    w = rows["weight"].to_numpy(float)
    total = w[inside].sum()
    r = (w * y)[inside].sum() / total
    z = pd.Series(np.where(inside, w * (y - r), 0.0) / total)  # 0 outside the domain
    per_cluster = z.groupby([rows["stratum"].to_numpy(), rows["moderator_id"].to_numpy()]).sum()
    variance = 0.0
    for _, sums in per_cluster.groupby(level=0):
        m = len(sums)
        variance += m / (m - 1) * ((sums - sums.mean()) ** 2).sum()
    pairs = rows.loc[inside, ["stratum", "moderator_id"]].drop_duplicates()
    df = len(pairs) - pairs["stratum"].nunique()
    n = int(inside.sum())
    tail = (1 - level) / 2
    n_eff = r * (1 - r) / variance * (stats.t.isf(tail, n - 1) / stats.t.isf(tail, df)) ** 2
    low, high = proportion_confint(r * n_eff, n_eff, alpha=1 - level, method="wilson")
    return r, low, high


def test_the_report_design_names_the_moderators_as_clusters(audits, report):
    assert design_of(audits) == CLUSTERED
    assert report.clustered


def test_the_headline_interval_is_the_moderator_clustered_one_worked_by_hand(audits, report):
    rows = audits[audits["month"].isin([report.month, report.previous])].reset_index(drop=True)
    table = report.headline.table.set_index("month")
    for month in (report.month, report.previous):
        rate, low, high = by_hand(rows, (rows["month"] == month).to_numpy())
        assert table.loc[month, "accuracy"] == pytest.approx(1 - rate, rel=1e-12)
        assert table.loc[month, "ci_low"] == pytest.approx(1 - high, rel=1e-9)
        assert table.loc[month, "ci_high"] == pytest.approx(1 - low, rel=1e-9)
    unclustered = error_rate(rows, by="month", weight="weight", strata="stratum")
    now = unclustered.set_index("month").loc[report.month]
    width = table.loc[report.month, "ci_high"] - table.loc[report.month, "ci_low"]
    assert width > now["ci_high"] - now["ci_low"]  # the moderators widen it


def test_tables_and_directions_use_error_rate_with_the_cluster(audits, report):
    current = audits[audits["month"] == report.month]
    for table, by in ((report.by_site, "site"), (report.by_queue, "queue")):
        expected = error_rate(current, by=by, **CLUSTERED)
        np.testing.assert_allclose(table["ci_low"], 1 - expected["ci_high"], rtol=1e-12)
        np.testing.assert_allclose(table["ci_high"], 1 - expected["ci_low"], rtol=1e-12)
    directions = enforcement_rates(current, **CLUSTERED)
    np.testing.assert_allclose(report.directions["ci_high"], directions["ci_high"], rtol=1e-12)


def test_sites_and_vendors_use_the_clustered_rates(audits, report):
    current = audits[audits["month"] == report.month]
    by_site = error_rate(current, by="site", **CLUSTERED).set_index("site")
    sites = report.standardised.set_index("site")
    np.testing.assert_allclose(
        sites["crude_ci_low"], by_site.loc[sites.index, "ci_low"], rtol=1e-12
    )
    card = report.vendors.scorecard.set_index("unit")
    vendor_sites = [u for u in card.index if u in by_site.index]
    assert vendor_sites
    np.testing.assert_allclose(
        card.loc[vendor_sites, "accuracy_ci_low"], 1 - by_site.loc[vendor_sites, "ci_high"],
        rtol=1e-12,
    )  # fmt: skip


def test_the_sampling_statement_and_estimand_say_so(report):
    assert "moderators are the sampled units" in report.sampling
    sentence = estimand_statement(report.weighted, clustered=report.clustered)
    assert "Intervals allow for a moderator's audits being correlated, except" in sentence
    assert "the severity index, root causes, capability, the change's segments" in sentence
    assert "correlated" not in estimand_statement(True)


def test_a_frame_without_moderator_ids_still_gives_the_report(audits):
    # load_audits requires moderator_id (so every rendered report clusters); a frame built by
    # hand may lack it: the intervals then take the audits as independent, and say nothing else
    plain = audits.drop(columns="moderator_id")
    report = build_monthly_report(plain, sections=[*SECTIONS, "moderators"])
    assert not report.clustered
    assert report.omitted["moderators"] == "the audits have no 'moderator_id' column."
    rows = plain[plain["month"].isin([report.month, report.previous])]
    expected = error_rate(rows, by="month", weight="weight", strata="stratum")
    table = report.headline.table.sort_values("month", ignore_index=True)
    np.testing.assert_allclose(table["ci_low"], 1 - expected["ci_high"], rtol=1e-12)
    assert "moderators" not in report.sampling
    assert "Accuracy" in first_screen(report).data


def test_an_export_of_one_moderator_takes_the_audits_as_independent(audits):
    # one moderator holds no variation between moderators to measure: the design has no
    # clusters, the intervals are those of independent audits, and the report renders
    one = audits.assign(moderator_id="m1").drop(columns=["weight", "stratum"])
    assert design_of(one) == {"weight": None, "strata": None, "cluster": None}
    report = build_monthly_report(one, sections=SECTIONS)
    assert not report.clustered
    rows = one[one["month"] == report.month]
    errors, n = int(rows["is_error"].sum()), len(rows)
    low, high = proportion_confint(errors, n, alpha=0.05, method="wilson")
    assert report.sampling.startswith(f"These figures come from {n:,} audits, taken as")
    assert f"{low:.1%} to {high:.1%}" in report.sampling
