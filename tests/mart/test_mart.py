"""Tests of the quality cube and the published mart.

Sources (tests/reference/mart.md): the cube's sums against a bare pandas group-by written out
here; every rate derived from the cube against qainsights.error_rate on the raw rows (itself
checked against Cochran 1977 and R's survey package in tests/test_rates_error_rate.py); the
control charts and changepoints against the row-level functions of the same rows.
"""

from __future__ import annotations

import warnings

import duckdb
import numpy as np
import pandas as pd
import pytest

import qainsights as qi
from qainsights.mart import CUBE_KEYS, cube_rates, publish, quality_cube, read_mart
from qainsights.report.estimand import effective_counts
from qainsights.spc import control_charts
from qainsights.trends import detect_changepoints

RATE_COLUMNS = ["n", "errors", "rate", "ci_low", "ci_high"]
DESIGN_COLUMNS = ["weighted_n", "weighted_errors", "se", "n_eff", "deff"]


@pytest.fixture(scope="module")
def audits():
    return qi.simulate_audits(seed=3, weeks=10, audits_per_week=400).audits


@pytest.fixture(scope="module")
def mart(audits, tmp_path_factory):
    path = tmp_path_factory.mktemp("mart") / "quality.duckdb"
    publish(audits, to=path)
    return path


def assert_close(mine: pd.DataFrame, theirs: pd.DataFrame, keys, columns, tol=1e-12):
    both = mine.merge(theirs, on=keys, suffixes=("", "_lib"), validate="one_to_one")
    assert len(both) == len(mine) == len(theirs)
    for column in columns:
        scale = np.maximum(1.0, np.abs(both[f"{column}_lib"].to_numpy(float)))
        gap = np.abs(both[column].to_numpy(float) - both[f"{column}_lib"].to_numpy(float))
        assert np.nanmax(gap / scale) <= tol, column
        assert (both[column].isna() == both[f"{column}_lib"].isna()).all(), column


def test_cube_sums_equal_a_bare_group_by(audits):
    cube = quality_cube(audits, weight="weight", strata="stratum")["cube"]
    rows = audits.assign(
        y=audits["is_error"].astype(float),
        severity=audits["severity"].astype("str").where(audits["severity"].notna(), "none"),
        root_cause=audits["root_cause"].where(audits["root_cause"].notna(), "none"),
    )
    rows = rows.assign(w2=rows["weight"] ** 2, wy=rows["weight"] * rows["y"])
    rows = rows.assign(w2y=rows["w2"] * rows["y"])
    keys = ["month", "week", "site", "queue", "policy", "market", "severity", "root_cause"]
    expected = rows.groupby(keys, observed=True)[["y", "weight", "w2", "wy", "w2y"]].sum()
    expected["n"] = rows.groupby(keys, observed=True).size()
    got = cube.groupby(keys)[["errors", "sum_w", "sum_w2", "sum_wy", "sum_w2y", "n"]].sum()
    got.columns = ["y", "weight", "w2", "wy", "w2y", "n"]
    # Index dtypes differ by pandas version (object keys on 2.2); the keys and sums must agree.
    pd.testing.assert_frame_equal(
        got, expected[got.columns], check_dtype=False, check_index_type=False, rtol=1e-12
    )


def test_the_day_cube_counts_each_calendar_day_of_decisions(audits):
    days = quality_cube(audits, weight="weight", strata="stratum")["days"]
    day = audits["decision_time"].dt.floor("D")
    expected = audits.groupby([audits["month"], day]).agg(
        n=("is_error", "size"), errors=("is_error", "sum"), sum_w=("weight", "sum")
    )
    got = days.set_index(["month", "day"])[["n", "errors", "sum_w"]]
    assert got.index.tolist() == expected.index.tolist()
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(float), rtol=1e-12)


@pytest.mark.parametrize("dimension", ["all", "site_type", "site", "queue", "policy", "market"])
def test_month_rates_take_moderators_as_clusters(audits, mart, dimension):
    # the oracle: error_rate with cluster=, checked against R survey's formulas in
    # tests/test_rates_cluster.py
    rates = read_mart(mart, "rates").query("grain == 'month' and dimension == @dimension")
    assert (rates["cluster"] == "moderator_id").all()
    by = None if dimension == "all" else dimension
    theirs = pd.concat(
        qi.error_rate(
            rows, by=by, weight="weight", strata="stratum", cluster="moderator_id"
        ).assign(month=month, segment="all" if by is None else lambda t: t[by].astype(str))
        for month, rows in audits.groupby("month")
    )
    mine = rates.rename(columns={"period": "month"})
    assert_close(mine, theirs, ["month", "segment"], RATE_COLUMNS + DESIGN_COLUMNS)


def test_week_rates_stay_unclustered(mart):
    rates = read_mart(mart, "rates")
    assert (rates.loc[rates["grain"] == "week", "cluster"] == "").all()
    assert list(rates.columns[-3:]) == ["ci_low", "ci_high", "cluster"]


def test_a_mart_without_moderators_has_unclustered_months(audits, tmp_path):
    path = tmp_path / "anonymous.duckdb"
    publish(audits.drop(columns="moderator_id"), to=path)
    assert len(read_mart(path, "cube_cluster")) == 0
    rates = read_mart(path, "rates").query("grain == 'month' and dimension == 'site'")
    assert (rates["cluster"] == "").all()
    mine = rates.rename(columns={"period": "month", "segment": "site"})
    theirs = pd.concat(
        qi.error_rate(rows, by="site", weight="weight", strata="stratum").assign(month=month)
        for month, rows in audits.drop(columns="moderator_id").groupby("month")
    )
    assert_close(mine, theirs, ["month", "site"], RATE_COLUMNS + DESIGN_COLUMNS)


def test_a_month_without_moderators_is_unclustered_beside_months_with_them(audits, tmp_path):
    path = tmp_path / "mixed.duckdb"
    first, *rest = sorted(audits["month"].unique())
    publish(audits[audits["month"] != first], to=path)
    publish(audits[audits["month"] == first].drop(columns="moderator_id"), to=path)
    rates = read_mart(path, "rates").query("grain == 'month'")
    clustered = rates.groupby("period")["cluster"].unique().map(list)
    assert clustered[first] == [""]
    assert all(clustered[month] == ["moderator_id"] for month in rest)
    # publishing the month again with its moderators clusters it too
    publish(audits[audits["month"] == first], to=path)
    assert (read_mart(path, "rates").query("grain == 'month'")["cluster"] == "moderator_id").all()


def test_cube_rates_equal_error_rate_per_week_overall(audits, mart):
    rates = read_mart(mart, "rates").query("grain == 'week' and dimension == 'all'")
    mine = rates.assign(week=pd.to_datetime(rates["period"]))
    theirs = pd.concat(
        qi.error_rate(rows, weight="weight", strata="stratum").assign(week=week)
        for week, rows in audits.groupby("week")
    )
    assert_close(mine, theirs, ["week"], RATE_COLUMNS + DESIGN_COLUMNS)


def test_cube_rates_of_any_subset_equal_error_rate_of_its_rows(audits):
    cube = quality_cube(audits, weight="weight", strata="stratum")["cube"]
    chosen = ["Manila", "Lisbon"]
    mine = cube_rates(cube[cube["site"].isin(chosen)], by="queue")
    rows = audits[audits["site"].isin(chosen)]
    theirs = qi.error_rate(rows, by="queue", weight="weight", strata="stratum")
    assert_close(mine, theirs, ["queue"], RATE_COLUMNS + DESIGN_COLUMNS)


def test_unweighted_rows_give_wilson_rates(audits, tmp_path):
    plain = audits.drop(columns=["weight", "stratum", "moderator_id"])
    publish(plain, to=tmp_path / "plain.duckdb")
    rates = read_mart(tmp_path / "plain.duckdb", "rates")
    mine = rates.query("grain == 'month' and dimension == 'queue'").rename(
        columns={"period": "month", "segment": "queue"}
    )
    theirs = pd.concat(
        qi.error_rate(rows, by="queue").assign(month=month)
        for month, rows in plain.groupby("month")
    )
    assert_close(mine, theirs, ["month", "queue"], RATE_COLUMNS)
    assert (rates["cluster"] == "").all()
    assert (
        read_mart(tmp_path / "plain.duckdb", "mart_info").set_index("key").loc["weighted", "value"]
        == "false"
    )


def test_unweighted_rows_with_moderators_give_clustered_months(audits, tmp_path):
    plain = audits.drop(columns=["weight", "stratum"])
    publish(plain, to=tmp_path / "plain.duckdb")
    rates = read_mart(tmp_path / "plain.duckdb", "rates")
    mine = rates.query("grain == 'month' and dimension == 'queue'").rename(
        columns={"period": "month", "segment": "queue"}
    )
    theirs = pd.concat(
        qi.error_rate(rows, by="queue", cluster="moderator_id").assign(month=month)
        for month, rows in plain.groupby("month")
    )
    assert_close(mine, theirs, ["month", "queue"], RATE_COLUMNS + DESIGN_COLUMNS)
    weeks = rates.query("grain == 'week'")
    assert weeks[DESIGN_COLUMNS].isna().all().all()
    assert (weeks["cluster"] == "").all()


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_cube_is_the_same_on_every_engine(audits, engine):
    import polars as pl

    native = pl.from_pandas(audits)
    frame = native if engine == "polars" else duckdb.connect().from_arrow(native.to_arrow())
    theirs = quality_cube(frame, weight="weight", strata="stratum")
    mine = quality_cube(audits, weight="weight", strata="stratum")
    for name in mine:
        pd.testing.assert_frame_equal(
            theirs[name].reset_index(drop=True),
            mine[name].reset_index(drop=True),
            check_dtype=False,
            rtol=1e-12,
        )


def test_parquet_folder_publishes_like_the_frame(audits, mart, tmp_path):
    folder = tmp_path / "audits"
    folder.mkdir()
    for month, rows in audits.groupby("month"):
        rows.to_parquet(folder / f"{month}.parquet")
    publish(folder, to=tmp_path / "q.duckdb")
    for name in ("cube", "rates"):
        pd.testing.assert_frame_equal(
            read_mart(tmp_path / "q.duckdb", name), read_mart(mart, name), rtol=1e-12
        )


def test_republishing_replaces_months_and_a_rerun_gives_identical_tables(audits, mart, tmp_path):
    path = tmp_path / "incremental.duckdb"
    for month in sorted(audits["month"].unique()):
        with warnings.catch_warnings():
            # a week cut by the month's end can hold a stratum with one audit: its weekly
            # rate warns until the next month completes the week
            warnings.filterwarnings("ignore", "1 strata hold a single audit", UserWarning)
            publish(audits[audits["month"] == month], to=path)
    publish(audits, to=path, months=[audits["month"].iloc[0]])  # one month again
    publish(audits, to=path)  # and everything again
    names = ["cube", "cube_moderator", "cube_auditor", "cube_cluster", "cube_day", "rates",
             "control_chart", "control_signals", "changepoints", "dim_period", "dim_site",
             "mart_info"]  # fmt: skip
    for name in names:
        pd.testing.assert_frame_equal(read_mart(path, name), read_mart(mart, name))
    assert read_mart(path, "cube")["n"].sum() == len(audits)
    assert read_mart(path, "cube_moderator")["errors"].sum() == audits["is_error"].sum()


def test_a_corrected_month_replaces_the_old_rows(audits, tmp_path):
    path = tmp_path / "q.duckdb"
    publish(audits, to=path)
    last = sorted(audits["month"].unique())[-1]
    corrected = audits[audits["month"] == last].iloc[::2]
    published = publish(corrected, to=path)
    assert published.months == (last,)
    cube = read_mart(path, "cube")
    per_month = cube.groupby("month")["n"].sum()
    expected = audits[audits["month"] != last].groupby("month").size()
    expected[last] = len(corrected)
    pd.testing.assert_series_equal(
        per_month,
        expected.sort_index(),
        check_names=False,
        check_dtype=False,
        check_index_type=False,
    )


def test_months_selects_what_is_published(audits, tmp_path):
    first = sorted(audits["month"].unique())[0]
    published = publish(audits, to=tmp_path / "q.duckdb", months=[first])
    assert published.months == (first,)
    assert read_mart(tmp_path / "q.duckdb", "cube")["n"].sum() == (audits["month"] == first).sum()


def test_control_charts_and_changepoints_equal_the_row_level_functions(audits, mart):
    stored = read_mart(mart, "control_chart").query("dimension == 'site'")
    # the report's estimand from the rows: weighted rates on Kish effective sample sizes
    counts = effective_counts(audits, by=["site", "week"], weight="weight")
    charts = control_charts(
        counts, by="site", chart="laney_p", subgroup="week", defects="errors", n="n"
    )
    theirs = charts.table.rename(columns={"subgroup": "week", "site": "segment"})
    theirs = theirs.assign(week=pd.to_datetime(theirs["week"]))
    assert_close(stored, theirs, ["segment", "week"], ["value", "n", "center", "lcl", "ucl", "z"])
    audited = counts.rename(columns={"site": "segment"}).assign(
        week=lambda f: pd.to_datetime(f["week"])
    )
    assert_close(stored, audited, ["segment", "week"], ["audits"])
    found = read_mart(mart, "changepoints").query("dimension == 'all'")
    expected = detect_changepoints(audits, period="week").changepoints
    assert found["week"].tolist() == pd.to_datetime(expected["week"]).tolist()
    np.testing.assert_allclose(found["rate_after"], expected["rate_after"], rtol=1e-12)


def test_parquet_and_hyper_exports_read_back(audits, mart, tmp_path):
    pantab = pytest.importorskip("pantab")
    publish(audits, to=tmp_path / "q.duckdb", parquet=tmp_path / "pq", hyper=tmp_path / "q.hyper")
    rates = read_mart(mart, "rates")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "pq" / "rates.parquet"), rates)
    extract = pantab.frame_from_hyper(tmp_path / "q.hyper", table="rates", return_type="pandas")
    np.testing.assert_array_equal(extract["rate"].to_numpy(float), rates["rate"].to_numpy(float))
    assert extract["segment"].tolist() == rates["segment"].tolist()


def test_missing_optional_columns_take_one_value(audits):
    plain = audits[["decision_time", "week", "site", "queue", "policy", "market", "is_error"]]
    cube = quality_cube(plain)["cube"]
    assert set(cube["site_type"]) == {"unknown"}
    assert set(cube.loc[cube["errors"] > 0, "error_type"]) == {"error"}
    assert set(cube["stratum"]) == {"all"}
    assert len(quality_cube(plain)["moderators"]) == 0
    assert list(cube.columns[: len(CUBE_KEYS)]) == list(CUBE_KEYS)


def test_bad_inputs_raise_clear_errors(audits, tmp_path):
    with pytest.raises(ValueError, match=r"missing.*'market'|'market'"):
        quality_cube(audits.drop(columns="market"))
    with pytest.raises(ValueError, match="'months' parameter of quality_cube must list months"):
        quality_cube(audits, months=["November"])
    with pytest.raises(ValueError, match="got no audits"):
        quality_cube(audits, months=["1999-01"])
    gaps = audits.assign(site=audits["site"].where(audits.index % 50 != 0))
    with pytest.raises(ValueError, match=r"found 80 rows with a missing value in column 'site'"):
        quality_cube(gaps)
    publish(audits, to=tmp_path / "q.duckdb")
    with pytest.raises(
        ValueError, match="published with sampling weights or strata, and these rows have none"
    ):
        publish(audits.drop(columns=["weight", "stratum"]), to=tmp_path / "q.duckdb")
    with pytest.raises(ValueError, match="only with 'table'"):
        publish(tmp_path / "q.duckdb", to=tmp_path / "other.duckdb")
    with pytest.raises(ValueError, match="names the mart itself"):
        publish(tmp_path / "q.duckdb", to=tmp_path / "q.duckdb", table="cube")
    with pytest.raises(ValueError, match="'name' parameter of read_mart must be one of"):
        read_mart(tmp_path / "q.duckdb", "cubes")
    with pytest.raises(FileNotFoundError, match="Publish one first"):
        read_mart(tmp_path / "none.duckdb", "cube")


def test_the_callers_frame_is_unchanged(audits, tmp_path):
    before = audits.copy()
    publish(audits, to=tmp_path / "q.duckdb")
    pd.testing.assert_frame_equal(audits, before)


def test_a_duckdb_table_publishes_like_the_frame(audits, mart, tmp_path):
    source = tmp_path / "raw.duckdb"
    with duckdb.connect(str(source)) as con:
        con.register("rows", audits)
        con.execute("CREATE TABLE audits AS SELECT * FROM rows")
    publish(source, table="audits", to=tmp_path / "q.duckdb")
    pd.testing.assert_frame_equal(
        read_mart(tmp_path / "q.duckdb", "cube"), read_mart(mart, "cube"), rtol=1e-12
    )


def test_a_parquet_folder_with_gaps_is_refused_in_the_one_pass(audits, tmp_path):
    # 80 rows without a site and 1 without an audit id, counted here with pandas
    gaps = audits.assign(
        site=audits["site"].where(audits.index % 50 != 0),
        audit_id=audits["audit_id"].where(audits.index != 7),
    )
    assert gaps["site"].isna().sum() == 80
    folder = tmp_path / "rows"
    folder.mkdir()
    gaps.to_parquet(folder / "part-0.parquet")
    with pytest.raises(ValueError, match=r"found 80 rows with a missing value in column 'site'"):
        publish(folder, to=tmp_path / "q.duckdb")
    gaps.assign(site=audits["site"]).to_parquet(folder / "part-0.parquet")
    with pytest.raises(ValueError, match=r"found 1 rows with a missing value in column 'audit_id'"):
        publish(folder, to=tmp_path / "q.duckdb")


def test_charts_without_the_simulated_null_keep_their_points_and_signals(audits):
    counts = audits.groupby(["site", "week"], as_index=False)["is_error"].agg(["sum", "size"])
    kwargs = {"by": "site", "chart": "laney_p", "subgroup": "week", "defects": "sum", "n": "size"}
    full = control_charts(counts, **kwargs)
    lean = control_charts(counts, **kwargs, simulate=False)
    pd.testing.assert_frame_equal(lean.table, full.table)
    pd.testing.assert_frame_equal(lean.signals, full.signals)
    assert np.isnan(lean.expected_false_alarms)
    assert np.isnan(lean.false_alarm_rate)
    assert full.expected_false_alarms >= 0


def test_rates_from_engine_sums_equal_error_rate_of_the_rows(audits):
    from qainsights.aggregate import error_counts
    from qainsights.rates import rates_from_sums

    sums = error_counts(audits, by=["site", "queue"], weight="weight", strata="stratum")
    for weighted, design in ((True, {"weight": "weight", "strata": "stratum"}), (False, {})):
        mine = rates_from_sums(sums, by="site", strata="stratum", weighted=weighted)
        theirs = qi.error_rate(audits, by="site", **design)
        pd.testing.assert_frame_equal(mine, theirs, check_dtype=False, rtol=1e-12)
    with pytest.raises(ValueError, match="rates_from_sums"):
        rates_from_sums(sums.drop(columns="sum_w2"), by="site")


def test_rates_from_sums_per_moderator_equal_clustered_error_rate(audits):
    from qainsights.aggregate import error_counts
    from qainsights.rates import rates_from_sums

    design = {"weight": "weight", "strata": "stratum"}
    sums = error_counts(audits, by=["site", "queue", "moderator_id"], **design)
    before = sums.copy()
    mine = rates_from_sums(sums, by="site", strata="stratum", cluster="moderator_id")
    theirs = qi.error_rate(audits, by="site", cluster="moderator_id", **design)
    pd.testing.assert_frame_equal(mine, theirs, check_dtype=False, rtol=1e-12)
    pd.testing.assert_frame_equal(sums, before)
    with pytest.raises(ValueError, match="rates_from_sums gives clustered rates only"):
        rates_from_sums(sums, by="site", strata="stratum", cluster="moderator_id", weighted=False)
    with pytest.raises(ValueError, match="rates_from_sums"):
        rates_from_sums(sums.drop(columns="moderator_id"), by="site", cluster="moderator_id")


def test_cube_rates_of_cluster_cells_equal_clustered_error_rate(audits):
    cubes = quality_cube(audits, weight="weight", strata="stratum")
    before = cubes["clusters"].copy()
    mine = cube_rates(cubes["clusters"], by="queue", period="month", cluster="moderator_id")
    theirs = pd.concat(
        qi.error_rate(
            rows, by="queue", weight="weight", strata="stratum", cluster="moderator_id"
        ).assign(month=month)
        for month, rows in audits.groupby("month")
    )
    assert_close(mine, theirs, ["month", "queue"], RATE_COLUMNS + DESIGN_COLUMNS)
    pd.testing.assert_frame_equal(cubes["clusters"], before)


def test_the_reports_findings_are_stored_by_month(audits, tmp_path):
    from qainsights.mart import publish_findings
    from qainsights.report import build_monthly_report

    path = tmp_path / "q.duckdb"
    publish(audits, to=path)
    months = sorted(audits["month"].unique())
    reports = [build_monthly_report(audits, month=m, sections=["headline", "segments"])
               for m in months[-2:]]  # fmt: skip
    total = sum(len(r.findings) for r in reports)
    for report in [*reports, reports[0]]:  # the first month again: replaced, not added
        rows = publish_findings(report, to=path)
    assert rows == total
    stored = read_mart(path, "findings")
    for report in reports:
        mine = stored[stored["month"] == report.month]
        theirs = sorted((f.priority, f.finding, f.owner) for f in report.findings)
        assert sorted(zip(mine["priority"], mine["finding"], mine["owner"], strict=True)) == theirs
    assert publish(audits, to=path).tables["findings"] == total  # kept by a later publish


def test_weighted_control_chart_by_hand(tmp_path):
    # Five weeks of 200 audits: 100 weighted 1 and 100 weighted 4. Each week's weighted rate
    # is (errors among weight 1 + 4 x errors among weight 4) / 500 and its Kish effective
    # size (500)^2 / (100 + 100 x 16) = 250000 / 1700, the same every week.
    weeks = pd.date_range("2026-03-02", periods=5, freq="7D")
    light, heavy = [20, 10, 30, 0, 20], [10, 30, 0, 20, 20]  # errors per week and weight
    rows = []
    for week, errors_1, errors_4 in zip(weeks, light, heavy, strict=True):
        for weight, errors in ((1.0, errors_1), (4.0, errors_4)):
            rows.append(pd.DataFrame({
                "decision_time": week + pd.Timedelta(days=1), "week": week, "site": "S",
                "queue": "q", "policy": "p", "market": "m", "weight": weight,
                "is_error": np.arange(100) < errors,
            }))  # fmt: skip
    audits = pd.concat(rows, ignore_index=True)
    publish(audits, to=tmp_path / "q.duckdb", strata=None)
    chart = read_mart(tmp_path / "q.duckdb", "control_chart").query("dimension == 'all'")
    rate = np.array([20 + 40, 10 + 120, 30 + 0, 0 + 80, 20 + 80]) / 500  # .12 .26 .06 .16 .20
    np.testing.assert_allclose(chart["value"], rate, rtol=1e-12)
    assert (np.array(light) + np.array(heavy))[0] / 200 == 0.15  # the unweighted rate differs
    np.testing.assert_allclose(chart["n"], 250000 / 1700, rtol=1e-12)
    assert chart["audits"].tolist() == [200] * 5
    # Equal sizes: the centre is the mean rate, 0.16. Laney (2002): z_i = (p_i - p)/s with
    # s = sqrt(p(1-p)/n), sigma_z = mean |z_i - z_i-1| / d2, d2 = 2/sqrt(pi) for ranges of
    # two; the limits p +- 3 s sigma_z, and s cancels: 3 x mean |p_i - p_i-1| / d2.
    moving = np.mean(np.abs(np.diff(rate)))  # (0.14 + 0.20 + 0.10 + 0.04) / 4 = 0.12
    np.testing.assert_allclose(chart["center"], 0.16, rtol=1e-12)
    np.testing.assert_allclose(chart["ucl"], 0.16 + 3 * moving / (2 / np.sqrt(np.pi)), rtol=1e-12)
    np.testing.assert_allclose(chart["lcl"], 0.0, atol=1e-15)  # 0.16 - 0.319 is below zero
