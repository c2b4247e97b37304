"""Calibration of the change decomposition, the change explanation, the ICC and the scan's claims.

Rows in the columns of ``calibration_spc_report.COLUMNS``: the coverage of
``decompose_change``'s intervals (mix, rate and total effects, all 0 in a stable process whose
segment shares and rates do not move; unweighted, with weights 1 or 20, and over 20 segments
of about 10 audits), beside the coverage of the bootstrap percentile intervals used before,
the false-positive rate of ``explain_change`` (the overall test, and any segment named as an
explanation) with the coverage of its overall interval, the coverage of ``icc``'s F intervals
for the one-way, two-way random and two-way mixed forms at a known population ICC, and the
share of stable segment scans in which the report's claim rule (``chart_action_segments``: out
of control, exact test q below the report's claim level, at least its minimum of errors)
names a segment, beside the same share at q < 0.05, and the share of stable weekly series that
``detect_changepoints`` cuts (by default and with the binomial likelihood), with its power at a
step.

Run: ``python benchmarks/calibration_trends_agreement.py [--quick]``.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from calibration_spc_report import COLUMNS, cells, row, shocks

SHARES = np.array([0.4, 0.3, 0.2, 0.1])
RATES = np.array([0.03, 0.05, 0.07, 0.09])


def _two_months(rng, per_month: int, weighted: bool) -> pd.DataFrame:
    """Audits of two months of one stable process over four sites (and three queues)."""
    size = 2 * per_month
    site = rng.choice(4, size, p=SHARES)
    frame = pd.DataFrame({
        "month": np.repeat([0, 1], per_month),
        "site": np.array(list("abcd"))[site],
        "queue": rng.choice(["x", "y", "z"], size),
        "is_error": rng.random(size) < RATES[site],
    })  # fmt: skip
    if weighted:
        frame["weight"] = rng.choice([1.0, 20.0], size)
    return frame


def _small_cells(rng, per_month: int, segments: int) -> pd.DataFrame:
    """Two months of a stable process over many small segments (rates 2 % to 10 %)."""
    size = 2 * per_month
    segment = rng.integers(0, segments, size)
    rates = np.linspace(0.02, 0.10, segments)
    return pd.DataFrame({
        "month": np.repeat([0, 1], per_month), "site": segment,
        "is_error": rng.random(size) < rates[segment]})  # fmt: skip


def decompose_rows(rng, quick: bool) -> list[dict]:
    """Coverage of the mix, rate and total effects' intervals (truth 0 for each)."""
    from qainsights.trends import decompose_change

    runs = 100 if quick else 2000
    worlds = [
        ("2 months x 1,000 audits, 4 sites, stable shares and rates", False, None),
        ("2 months x 1,000 audits, 4 sites, stable shares and rates, weights 1 or 20", True, None),
        ("2 months x 200 audits, 20 segments (about 10 audits each), rates 2-10 %", False, 20),
    ]
    out = []
    for world, weighted, segments in worlds:
        covered = np.zeros((runs, 3), dtype=bool)
        covered_before = np.zeros((runs, 3), dtype=bool)
        for i in range(runs):  # one decomposition per simulated pair of months
            if segments is None:
                data = _two_months(rng, 1000, weighted)
            else:
                data = _small_cells(rng, 200, segments)
            options = {"by": "site", "period": "month", "current": 1,
                       "weight": "weight" if weighted else None}  # fmt: skip
            for method, hits in (("analytic", covered), ("bootstrap", covered_before)):
                if method == "bootstrap" and (quick or i >= runs // 2):
                    continue  # the old method on the first half of the worlds only
                result = decompose_change(data, method=method, n_boot=500, seed=i, **options)
                frame = result.to_frame().set_index("effect").loc[["mix", "rate", "total"]]
                hits[i] = (frame["ci_low"] <= 0).to_numpy() & (frame["ci_high"] >= 0).to_numpy()
        for j, effect in enumerate(("mix", "rate", "total")):
            before = (
                ""
                if quick
                else (
                    f"; bootstrap percentile (before, 500 draws): "
                    f"{100 * covered_before[: runs // 2, j].mean():.1f} % of {runs // 2}"
                )
            )
            out.append(row(f"decompose_change {effect} effect interval", world, runs,
                           covered=covered[:, j],
                           note=f"Taylor-linearised, t (default){before}"))  # fmt: skip
    return out


def explain_rows(rng, quick: bool) -> list[dict]:
    """explain_change on two months without any change: the overall test and named segments."""
    from qainsights.trends import explain_change

    runs = 200 if quick else 2000
    overall_reject, named, covered = (np.zeros(runs, dtype=bool) for _ in range(3))
    for i in range(runs):  # one explanation per simulated pair of months
        data = _two_months(rng, 2000, False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            result = explain_change(data, by=["site", "queue"], period="month", current=1)
        overall = result.overall.iloc[0]
        overall_reject[i] = overall["p_value"] < 0.05
        covered[i] = overall["ci_low"] <= 0 <= overall["ci_high"]
        named[i] = len(result.explanation) > 0
    world = "2 months x 2,000 audits, 4 sites x 3 queues, no change"
    return [
        row("explain_change overall p_value and interval", world, runs,
            rejections=overall_reject, covered=covered),
        row("explain_change: any segment named as an explanation", world, runs, rejections=named,
            note="family-wise: some one- or two-way segment named in a month without change"),
    ]  # fmt: skip


def explain_week_rows(rng, quick: bool) -> list[dict]:
    """explain_change over 13 baseline weeks against 7 current ones of 4 sites x 3 queues whose
    weeks share shocks (logit-normal, sd 0 to 0.3), drawn per site x queue x week cell or per
    site and week (the site's queues alike): the default (``dispersion="moderated"``, allowing
    for shocks that persist) beside ``serial=False`` (the weeks taken as independent, the
    default before) and ``dispersion="binomial"`` (audits pooled as independent), and how often
    each names the one cell whose odds of an error are 1.5 times higher in the current weeks. ``quick``: the cell-shock world of sd 0.3 alone,
    150 and 30 explanations.
    """
    worlds = [("cell", 0.3)] if quick else [("cell", 0.0), ("cell", 0.15), ("cell", 0.3),
                                            ("site", 0.3)]  # fmt: skip
    return _explain_weeks(
        rng,
        [(f"{shared}-week shocks sd {sd}", _counts_world(shared, sd)) for shared, sd in worlds],
        runs=(150, 30) if quick else (1000, 500),
    )


def explain_more_week_rows(rng, quick: bool) -> list[dict]:
    """As :func:`explain_week_rows` in two more worlds of cell-week shocks of sd 0.3: audit rows
    with sampling weights (half of each cell's 100 audits a week weighted 20, their odds of an
    error 1.3/0.7 times the others'), and counts whose shocks are AR(1) with coefficient 0.5
    from week to week. ``quick``: the weighted world alone, 60 and 0 explanations."""

    def weighted(rng, odds_ratio):
        cells = _cell_weeks(rng, 0.3, odds_ratio=odds_ratio, rates=True)
        rows = cells.loc[cells.index.repeat(100)].reset_index(drop=True)
        heavy = rng.random(len(rows)) < 0.5
        rows["weight"] = np.where(heavy, 20.0, 1.0)
        rows["is_error"] = rng.random(len(rows)) < rows["rate"] * np.where(heavy, 1.3, 0.7)
        sides = {key: WEEK_SIDES[key] for key in ("by", "period", "current", "baseline")}
        return rows.drop(columns="rate"), sides | {"weight": "weight"}

    worlds = [("audit rows, half of them weighted 20, cell-week shocks sd 0.3", weighted)]
    if not quick:
        worlds.append(("cell-week shocks sd 0.3 AR(0.5)", _counts_world("cell", 0.3, ar=0.5)))
    return _explain_weeks(rng, worlds, runs=(60, 0) if quick else (1000, 500))


def noisy_peer_rows(rng, quick: bool) -> list[dict]:
    """One site x queue cell whose weeks share shocks (logit sd 0.5) among 11 calm cells, 13
    weeks against 7 of 100 audits a week, no change: ``compare_periods`` over the 12 cells with
    ``dispersion="moderated"``, where the calm peers' prior would make the noisy cell look surer
    than it is unless it keeps its own spread, and with ``"periods"``; the noisy cell's
    p-value. Beside them ``explain_change``'s default: some segment named. ``quick``: 150."""
    from qainsights.trends import compare_periods, explain_change

    runs = 150 if quick else 2000
    p_values = {"moderated": np.zeros(runs), "periods": np.zeros(runs)}
    named = np.zeros(runs, dtype=bool)
    cells = {key: WEEK_SIDES[key] for key in ("period", "current", "baseline", "errors", "n")}
    for i in range(runs):
        data = _cell_weeks(rng, 0.5, odds_ratio=1.0, noisy_cell=True)
        named[i] = len(explain_change(data, **WEEK_SIDES).explanation) > 0
        data["cell"] = data["site"] + "/" + data["queue"]
        for way in p_values:
            segments = compare_periods(data, by="cell", dispersion=way, **cells).segments
            p_values[way][i] = segments.loc[segments["cell"] == "0/0", "p_value"].iloc[0]
    world = "13 weeks against 7, 12 cells x 100 audits a week, cell 0/0 alone with shocks sd 0.5"
    return [
        row("compare_periods p_value (weeks as periods), dispersion='moderated', the noisy cell",
            world, runs, rejections=p_values["moderated"] < 0.05,
            note="its spread moderated toward its 11 calm peers' unless their prior makes it "
                 "unlikely (F tail < 0.05), then its own; without that rule 13 % of 200"),
        row("compare_periods p_value (weeks as periods), the noisy cell", world, runs,
            rejections=p_values["periods"] < 0.05, note="default: its own spread"),
        row("explain_change: any segment named (weeks as periods), one noisy cell", world, runs,
            rejections=named, note="default"),
    ]  # fmt: skip


def _counts_world(shared: str, sd: float, ar: float = 0.0):
    def make(rng, odds_ratio):
        return _cell_weeks(rng, sd, odds_ratio=odds_ratio, shared=shared, ar=ar), WEEK_SIDES

    return make


def _explain_weeks(rng, worlds: list, *, runs: tuple[int, int]) -> list[dict]:
    """The rows of each ``(description, make)`` world: ``make(rng, odds_ratio)`` gives a frame
    and explain_change's arguments; ``runs`` stretches without change and with the planted
    cell."""
    from qainsights.trends import explain_change

    ways = {  # the option's suffix in the row's name, its arguments and its note
        "moderated": ("", {}, "default: each segment's dispersion from its weeks, allowing for "
                      "shocks that persist, moderated toward its peers' (Smyth 2004)"),
        "independent": (", serial=False", {"serial": False}, "the default before: the weeks "
                        "taken as independent"),
        "binomial": (", dispersion='binomial'", {"dispersion": "binomial"}, "option: the weeks' "
                     "audits pooled as independent"),
    }  # fmt: skip
    null_runs, planted_runs = runs
    out = []
    for description, make in worlds:
        world = f"13 weeks against 7, 4 sites x 3 queues x 100 audits a week, {description}"
        named = {way: np.zeros(null_runs, dtype=bool) for way in ways}
        found = {way: np.zeros(planted_runs, dtype=bool) for way in ways}
        covered = np.zeros(null_runs, dtype=bool)
        for i in range(null_runs):  # one explanation per simulated stretch of weeks
            data, arguments = make(rng, 1.0)
            results = {way: explain_change(data, **options, **arguments)
                       for way, (_, options, _) in ways.items()}  # fmt: skip
            for way, result in results.items():
                named[way][i] = len(result.explanation) > 0
            overall = results["moderated"].overall.iloc[0]  # the overall weeks' own spread
            covered[i] = overall["ci_low"] <= 0 <= overall["ci_high"]
        for i in range(planted_runs):
            data, arguments = make(rng, 1.5)
            for way, (_, options, _) in ways.items():
                segments = explain_change(data, **options, **arguments).explanation["segment"]
                found[way][i] = (segments == "site=0 & queue=0").any()
        power = {way: found[way].mean() if planted_runs else np.nan for way in ways}
        for way, (suffix, _, note) in ways.items():
            beside = ", beside the default before's" if way == "moderated" else ""
            planted = (f"; power: the planted cell (odds ratio 1.5) named, of {planted_runs}"
                       f"{beside}" if planted_runs else "")  # fmt: skip
            out.append(row(f"explain_change: any segment named (weeks as periods){suffix}",
                           world, null_runs, rejections=named[way], power=power[way],
                           power_before=power["independent"] if way == "moderated" else np.nan,
                           note=note + planted))  # fmt: skip
        out.append(row("explain_change overall interval (weeks as periods)", world, null_runs,
                       covered=covered, note="the truth is no change"))  # fmt: skip
    return out


#: The sides and columns of :func:`_cell_weeks`' frames, as :func:`explain_change` reads them.
WEEK_SIDES = {
    "by": ["site", "queue"], "period": "week", "errors": "errors", "n": "n",
    "current": list(range(13, 20)), "baseline": list(range(13)),
}  # fmt: skip


def _cell_weeks(
    rng, sd: float, *, odds_ratio: float, shared: str = "cell", ar: float = 0.0,
    rates: bool = False, noisy_cell: bool = False,
) -> pd.DataFrame:  # fmt: skip
    """20 weeks of 4 sites x 3 queues, 100 audits a cell and week, error rate 6 %, with shocks
    of sd ``sd`` (AR(1) from week to week with coefficient ``ar``) drawn per cell and week
    (``shared="cell"``) or per site and week (``"site"``); cell (0, 0) has its odds of an error
    times ``odds_ratio`` in the last 7 weeks. ``rates``: each cell-week's chance of an error in
    place of its drawn counts. ``noisy_cell``: the shocks of cell (0, 0) alone."""
    site, queue, week = np.meshgrid(np.arange(4), np.arange(3), np.arange(20), indexing="ij")
    if shared == "cell":
        drawn = shocks(rng, 12, 20, sd, ar).reshape(site.shape)
    else:
        drawn = shocks(rng, 4, 20, sd, ar)[site, week]
    if noisy_cell:
        drawn = drawn * ((site == 0) & (queue == 0))
    log_odds = np.log(0.06 / 0.94) + drawn
    log_odds += np.log(odds_ratio) * ((site == 0) & (queue == 0) & (week >= 13))
    chance = (1 / (1 + np.exp(-log_odds))).ravel()
    cells = pd.DataFrame({
        "site": site.ravel().astype(str), "queue": queue.ravel().astype(str), "week": week.ravel(),
    })  # fmt: skip
    if rates:
        return cells.assign(rate=chance)
    return cells.assign(errors=rng.binomial(100, chance), n=100)


def icc_rows(rng, quick: bool) -> list[dict]:
    """Coverage of ``icc``'s intervals at a known population ICC (30 items x 3 raters)."""
    from qainsights.agreement import icc

    runs = 300 if quick else 2000
    items, raters = 30, 3
    item_sd, rater_sd, error_sd = 1.0, 0.5, 1.0
    truth = {
        "ICC1": item_sd**2 / (item_sd**2 + error_sd**2),  # no rater effect in its world
        "ICC2": item_sd**2 / (item_sd**2 + rater_sd**2 + error_sd**2),
        "ICC3": item_sd**2 / (item_sd**2 + error_sd**2),
    }
    out = []
    for form, value in truth.items():
        covered = np.zeros(runs, dtype=bool)
        biased = form != "ICC1"
        for i in range(runs):  # one session per call
            scores = (rng.normal(0, item_sd, (items, 1)) + rng.normal(0, error_sd, (items, raters))
                      + (rng.normal(0, rater_sd, (1, raters)) if biased else 0.0))  # fmt: skip
            frame = icc(pd.DataFrame(scores), form=form).to_frame().iloc[0]
            covered[i] = frame["ci_low"] <= value <= frame["ci_high"]
        world = (f"{items} items x {raters} raters, population {form} {value:.3f}"
                 + (", rater sd 0.5" if biased else ""))  # fmt: skip
        out.append(row(f"icc {form} interval (F)", world, runs, covered=covered))
    return out


def claim_rows(rng, quick: bool) -> list[dict]:
    """Share of stable segment scans in which the report's claim rule names a segment."""
    from qainsights._multiple import q_values
    from qainsights.report.findings import MIN_ERRORS, SEGMENT_ALPHA, chart_action_segments
    from qainsights.spc import control_charts

    scans, segments = (200 if quick else 2000), 40
    data = cells(rng, segments=scans * segments, size="mixed", icc=0.02, shock_sd=0.15)
    data["scan"], data["segment"] = np.divmod(data["segment"].to_numpy(), segments)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        summary = control_charts(data, by=["scan", "segment"], chart="laney_p", subgroup="week",
                                 defects="errors", n="n", rules="limits").segments  # fmt: skip
    # the q-values of each scan on its own, as the report computes them
    summary["q_value"] = summary.groupby("scan")["p_value"].transform(
        lambda p: pd.Series(q_values(p.to_numpy()), index=p.index)
    )
    claimed = np.zeros(scans, dtype=bool)
    claimed[chart_action_segments(summary)["scan"].unique()] = True
    loose = np.zeros(scans, dtype=bool)
    loose[chart_action_segments(summary, alpha=0.05, min_errors=0)["scan"].unique()] = True
    world = f"{segments} segments of 2-2,000 audits a week x 26 weeks, ICC 0.02, shocks sd 0.15"
    return [
        row(f"segment scan claim (report rule: q < {SEGMENT_ALPHA:g}, >= {MIN_ERRORS} errors)",
            world, scans, rejections=claimed,
            note=f"family-wise rate per scan against the latest week's share {SEGMENT_ALPHA:g} "
            "of the report's 5 % budget"),
        row("segment scan: any segment out of control with q < 0.05, no minimum of errors",
            world, scans, rejections=loose,
            note="the level ControlChartSet.false_alarm_rate simulates, not the report's"),
    ]  # fmt: skip


def changepoint_rows(rng, quick: bool) -> list[dict]:
    """Share of stable weekly series (26 weeks) in which ``detect_changepoints`` cuts at least
    once, by default (quasi-likelihood) and with ``dispersion="binomial"`` (the default
    before), and the share of series with a step (odds x 1.5 from week 19) cut within two
    weeks of it."""
    from qainsights.trends import detect_changepoints

    series = 200 if quick else 2000
    weeks, step = 26, 7
    ways = {"estimated": "", "binomial": ", dispersion='binomial'"}
    out = []
    for size in (5, 20, "mixed", 400):
        for icc, sd, ar in ((0.0, 0.0, 0.0), (0.05, 0.15, 0.0), (0.02, 0.3, 0.0), (0.02, 0.3, 0.5)):
            cut, near = {}, {}
            for odds in (1.0, 1.5):
                data = cells(rng, segments=series, weeks=weeks, size=size, icc=icc, shock_sd=sd,
                             ar=ar, latest_odds_ratio=odds, shifted=step)  # fmt: skip
                for way in ways:
                    cuts = detect_changepoints(data, period="week", by="segment", errors="errors",
                                               n="n", dispersion=way).changepoints  # fmt: skip
                    close = (cuts["week"] - (weeks - step)).abs() <= 2
                    cut[odds, way] = np.isin(np.arange(series), cuts["segment"])
                    near[odds, way] = np.isin(np.arange(series), cuts.loc[close, "segment"]).mean()
            audits = "2-2,000" if size == "mixed" else size
            shocks_of = f", week shocks sd {sd}{' AR(0.5)' if ar else ''}" if sd else ""
            world = (f"26 weeks x {audits} audits a week, moderator ICC {icc}{shocks_of}")  # fmt: skip
            for way, name in ways.items():
                out.append(row(f"detect_changepoints: any cut{name}", world, series,
                               rejections=cut[1.0, way], power=near[1.5, way],
                               power_before=near[1.5, "binomial"] if not name else np.nan,
                               note="a cut claims 'this series shifted'; power: a step of odds "
                                    "x 1.5 at week 19 cut within two weeks of it"
                                    + ("; before: dispersion='binomial'" if not name else "")))  # fmt: skip
    return out


def rows(quick: bool = False) -> pd.DataFrame:
    """Every row of this script."""
    parts = (decompose_rows, explain_rows, icc_rows, claim_rows, explain_week_rows,
             explain_more_week_rows, noisy_peer_rows, changepoint_rows)  # fmt: skip
    found = [make(np.random.default_rng([2027, i]), quick) for i, make in enumerate(parts)]
    return pd.DataFrame([r for part in found for r in part], columns=COLUMNS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    began = time.perf_counter()
    table = rows(quick=args.quick)
    with pd.option_context("display.width", 250, "display.max_colwidth", 90):
        print(table.round(4).to_string(index=False))
    print(f"{time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
