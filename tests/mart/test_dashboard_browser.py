"""The dashboard in a real browser: headless Chromium (Debian's package) driven by Playwright.

Every figure the page shows after a filter is compared with what the library computes for
the same subset of audit rows: qainsights.error_rate with the moderators as clusters (KPI
tiles, segment table; tests/test_rates_cluster.py checks error_rate's clustered variance
against R survey's) and
qainsights.spc.p_chart(laney=True) on Kish effective counts (trend limits and signals). CI installs Chromium
(.ci/run); elsewhere the test is skipped when Chromium or Playwright is missing.
"""

from __future__ import annotations

import os
import shutil

import numpy as np
import pandas as pd
import pytest

import qainsights as qi
from qainsights.mart import write_dashboard
from qainsights.spc import p_chart

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DESIGN = {"weight": "weight", "strata": "stratum", "cluster": "moderator_id"}


def _browser_or_skip():
    missing = []
    if not os.path.exists(CHROMIUM):
        missing.append("Chromium (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright (pip install playwright)")
    if missing and not os.environ.get("CI"):
        pytest.skip(f"the browser test needs {' and '.join(missing)}; CI installs both")


@pytest.fixture(scope="module")
def audits():
    return qi.simulate_audits(seed=5, weeks=14, audits_per_week=500).audits


@pytest.fixture(scope="module")
def shown(audits):
    """The rows of the default period range: the months up to the latest complete one, the
    last month whose final day the data reach (they run from 3 Nov 2025 to 8 Feb 2026:
    November to January)."""
    last = audits["decision_time"].max().normalize()
    ends = pd.PeriodIndex(audits["month"], freq="M").end_time.normalize()
    whole = ends <= last
    assert sorted(audits.loc[whole, "month"].unique()) == ["2025-11", "2025-12", "2026-01"]
    return audits[whole]


@pytest.fixture(scope="module")
def page(audits, tmp_path_factory):
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    path = write_dashboard(audits, output=tmp_path_factory.mktemp("dash") / "dashboard.html")
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        tab = browser.new_page(viewport={"width": 1400, "height": 1100})
        tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda error: problems.append(str(error)))
        tab.on("request", lambda r: None if r.url.startswith("file:") else problems.append(r.url))
        tab.goto(path.as_uri())
        tab.wait_for_selector("body[data-ready=true]")
        tab.problems = problems
        yield tab
        browser.close()


def reset(page):
    page.click("#reset")


def tile_of(page, tile="#kpi-rate"):
    data = page.eval_on_selector(tile, "e => ({...e.dataset})")
    return {key: float(value) for key, value in data.items()}


def percent(x):
    return f"{100 * x:.2f}%"


def assert_kpis_match(page, rows):
    expected = qi.error_rate(rows, **DESIGN).iloc[0]
    got = tile_of(page)
    assert got["value"] == pytest.approx(expected["rate"], abs=1e-12)
    assert got["low"] == pytest.approx(expected["ci_low"], abs=1e-12)
    assert got["high"] == pytest.approx(expected["ci_high"], abs=1e-12)
    assert page.inner_text("#kpi-rate .value") == percent(expected["rate"])
    assert tile_of(page, "#kpi-audits")["value"] == len(rows)
    assert tile_of(page, "#kpi-effective")["value"] == pytest.approx(expected["n_eff"], rel=1e-12)
    accuracy = tile_of(page, "#kpi-accuracy")
    assert accuracy["low"] == pytest.approx(1 - expected["ci_high"], abs=1e-12)


def test_page_loads_offline_without_console_errors(page):
    assert page.problems == []
    assert page.inner_text("#kpi-audits .value") != "0"


def test_kpis_without_filters_equal_the_library(page, shown):
    reset(page)
    assert_kpis_match(page, shown)


@pytest.mark.parametrize(
    ("control", "column", "value"),
    [
        ("#filter-site_type", "site_type", "vendor"),
        ("#filter-site", "site", "Manila"),
        ("#filter-queue", "queue", "user_reports"),
        ("#filter-market", "market", "en-US"),
    ],
)
def test_a_filter_changes_the_kpis_to_the_subsets_figures(page, shown, control, column, value):
    reset(page)
    before = tile_of(page)["value"]
    page.select_option(control, label=value.replace("_", " "))  # code names shown as words
    rows = shown[shown[column].astype(str) == value]
    assert_kpis_match(page, rows)
    assert tile_of(page)["value"] != before


def test_combined_filters_and_period_range(page, audits):
    reset(page)
    months = sorted(audits["month"].unique())
    page.select_option("#from", label=months[1])
    page.select_option("#to", label=months[2])
    page.select_option("#filter-policy", label="spam")
    page.select_option("#filter-site_type", label="in house")
    rows = audits[
        audits["month"].isin(months[1:3])
        & (audits["policy"] == "spam")
        & (audits["site_type"].astype(str) == "in_house")
    ]
    assert_kpis_match(page, rows)
    assert page.problems == []


def test_segment_table_equals_error_rate_by_segment(page, shown):
    reset(page)
    page.select_option("#filter-site", label="Dublin")
    page.select_option("#table-by", value="policy")
    rows = shown[shown["site"] == "Dublin"]
    expected = qi.error_rate(rows, by="policy", **DESIGN).set_index("policy")
    table = page.eval_on_selector_all(
        "#segments tbody tr", "rows => rows.map(r => ({...r.dataset}))"
    )
    assert sorted(r["segment"] for r in table) == sorted(expected.index)
    for row in table:
        truth = expected.loc[row["segment"]]
        assert float(row["rate"]) == pytest.approx(truth["rate"], abs=1e-12)
        assert float(row["low"]) == pytest.approx(truth["ci_low"], abs=1e-12)
        assert float(row["high"]) == pytest.approx(truth["ci_high"], abs=1e-12)
    rates = [float(r["rate"]) for r in table]
    assert rates == sorted(rates, reverse=True)  # sorted by rate, highest first


def test_sorting_by_a_header(page):
    reset(page)
    page.click("#segments th[data-field=segment]")
    names = page.eval_on_selector_all("#segments tbody tr", "r => r.map(x => x.dataset.segment)")
    assert names == sorted(names)
    page.click("#segments th[data-field=segment]")
    names = page.eval_on_selector_all("#segments tbody tr", "r => r.map(x => x.dataset.segment)")
    assert names == sorted(names, reverse=True)
    page.click("#segments th[data-field=rate]")


def test_drill_down_filters_to_the_clicked_segment(page, shown):
    reset(page)
    page.click("#segments tbody tr[data-segment=Lisbon]")
    assert page.eval_on_selector("#filter-site", "e => e.selectedOptions[0].text") == "Lisbon"
    assert page.eval_on_selector("#table-by", "e => e.value") == "queue"
    assert_kpis_match(page, shown[shown["site"] == "Lisbon"])


@pytest.mark.parametrize(("site", "limits"), [("All", "laney"), ("Hyderabad", "beta-binomial")])
def test_trend_limits_and_signals_equal_laney_p_chart(page, shown, site, limits):
    # every site's weeks are large enough for Laney's z-scores; Hyderabad's (about 40
    # effective audits at 11 %) are not, and get the beta-binomial count limits
    reset(page)
    page.select_option("#filter-site", label=site)
    rows = shown if site == "All" else shown[shown["site"] == site]
    # the KPI tiles' estimand: each week's weighted rate r = Σwy / Σw on its Kish effective
    # size n = (Σw)² / Σw² (Kish 1965, section 11.7), charted as r·n errors of n
    w, y = rows["weight"], rows["is_error"].astype(float)
    weekly = rows.assign(w=w, w2=w * w, wy=w * y).groupby("week")[["w", "w2", "wy"]].sum()
    n_eff = weekly["w"] ** 2 / weekly["w2"]
    errors = weekly["wy"] / weekly["w"] * n_eff
    fitted = p_chart(defects=errors, n=n_eff, laney=True, rules="limits")
    assert fitted.limits["limits"].tolist() == [limits]
    chart = fitted.table
    trend = page.evaluate("window.qiTrend")
    assert [t["audits"] for t in trend] == rows.groupby("week").size().tolist()
    assert [t["period"] for t in trend] == [w.strftime("%Y-%m-%d") for w in weekly.index]
    for column in ("value", "center", "lcl", "ucl"):
        np.testing.assert_allclose([t[column] for t in trend], chart[column], rtol=0, atol=1e-12)
    assert [t["signal"] for t in trend] == chart["signal"].tolist()
    assert {t["limits"] for t in trend} == {limits}


def test_pareto_counts_errors_per_root_cause(page, shown):
    reset(page)
    page.select_option("#filter-queue", label="user reports")
    rows = shown[(shown["queue"] == "user_reports") & shown["is_error"]]
    expected = rows["root_cause"].fillna("none").value_counts()
    bars = page.evaluate("window.qiPareto")
    assert {b["root_cause"]: b["errors"] for b in bars} == expected.to_dict()
    assert [b["errors"] for b in bars] == sorted(expected.to_numpy().tolist(), reverse=True)


def test_trend_axis_ticks_are_round_steps_from_zero(page):
    reset(page)
    ticks = page.eval_on_selector_all(
        "#trend text.tick[text-anchor=end]", "nodes => nodes.map(n => n.textContent)"
    )
    values = np.array([float(t.rstrip("%")) for t in ticks])
    steps = np.diff(values)
    assert values[0] == 0
    assert len(values) >= 3
    np.testing.assert_allclose(steps, steps[0])  # equal steps ...
    mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
    assert round(mantissa, 6) in {1, 2, 2.5, 5}  # ... of 1, 2, 2.5 or 5 times a power of ten
    trend = page.evaluate("window.qiTrend")
    assert values[-1] / 100 >= max(max(t["value"], t["ucl"]) for t in trend)  # all in view


def test_partial_months_are_marked_and_left_out_of_the_default_range(page, audits):
    reset(page)
    labels = page.eval_on_selector_all("#from option", "o => o.map(x => x.textContent)")
    assert labels == ["2025-11", "2025-12", "2026-01", "2026-02 (partial)"]
    assert page.eval_on_selector("#from", "e => e.selectedOptions[0].text") == "2025-11"
    assert page.eval_on_selector("#to", "e => e.selectedOptions[0].text") == "2026-01"
    subtitle = page.inner_text("#subtitle")
    assert "2026-02 is a partial month (decisions through 08 Feb 2026)" in subtitle
    page.select_option("#to", label="2026-02 (partial)")
    assert_kpis_match(page, audits)  # every month, when asked for


def test_code_names_read_as_words_and_keep_their_values(page):
    reset(page)
    page.select_option("#table-by", value="queue")
    rows = page.eval_on_selector_all(
        "#segments tbody tr", "rows => rows.map(r => [r.dataset.segment, r.cells[0].textContent])"
    )
    assert ["user_reports", "user reports"] in rows
    labels = page.eval_on_selector_all("#filter-queue option", "o => o.map(x => x.textContent)")
    assert "user reports" in labels
    assert not any("_" in label for label in labels)
