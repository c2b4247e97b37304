import pandas as pd
import pytest

from qainsights.audits import pseudonymize
from qainsights.datasets import simulate_audits, simulate_calibration
from qainsights.report import (
    SECTIONS,
    accuracy_table,
    build_monthly_report,
    enforcement_table,
    headline,
)
from qainsights.report.monthly import MODERATOR_MONTHS


@pytest.fixture(scope="module")
def sim():
    return simulate_audits(seed=21, start="2026-04-06", weeks=30, audits_per_week=1500)


@pytest.fixture(scope="module")
def report(sim):
    cal = simulate_calibration(seed=21, n_items=120)
    return build_monthly_report(
        sim.audits, target=0.93, calibration=cal.ratings, calibration_standard=cal.standard
    )


def test_sections_are_the_library_functions_on_the_report_month(sim, report):
    audits = sim.audits
    current = audits[audits["month"] == report.month]
    assert report.month == "2026-10"  # the data end on 2026-11-01: October is the last full month
    assert report.previous == "2026-09"
    pd.testing.assert_frame_equal(report.by_site, accuracy_table(current, by="site", target=0.93))
    pd.testing.assert_frame_equal(report.directions, enforcement_table(current))
    pd.testing.assert_frame_equal(
        report.headline.table, headline(audits, month="2026-10", target=0.93).table
    )


def test_the_degraded_site_is_below_target_and_in_the_actions(report):
    site = report.by_site.set_index("site")
    assert site.loc["Hyderabad", "status"] == "below target"
    actions = report.to_frame()
    # Hyderabad is a vendor site: the vendor section carries its finding, once
    below = actions[actions["finding"].str.contains("Hyderabad.* below the", regex=True)]
    assert len(below) == 1
    assert below["priority"].item() == "high"
    assert actions["priority"].tolist() == sorted(
        actions["priority"], key=["high", "medium", "low"].index
    )


def test_calibration_flags_the_planted_weak_rater(report):
    finding = next(f for f in report.findings if f.section == "calibration")
    assert "R03" in finding.finding


def test_moderators_use_three_months_and_name_only_flagged_ones(sim, report):
    assert (
        report.moderators.table["n"].sum()
        == sim.audits["month"].isin(["2026-08", "2026-09", "2026-10"]).sum()
    )
    assert MODERATOR_MONTHS == 3
    flagged = report.moderators.table["status"].str.startswith("separable").sum()
    assert len(report.named_moderators) == flagged
    assert not report.named_moderators["moderator"].str.startswith("M0").any()


def test_pseudonyms_with_a_key_are_hmacs_of_the_ids(sim):
    key = "k" * 32
    keyed = build_monthly_report(sim.audits, sections=["moderators"], pseudonym_key=key)
    plain = keyed.moderators.table
    flagged = plain[plain["status"].str.startswith("separable")]
    expected = pseudonymize(flagged[["moderator"]], "moderator", key)["moderator"].tolist()
    assert keyed.named_moderators["moderator"].tolist() == expected


def test_only_chosen_sections_are_computed(sim):
    small = build_monthly_report(sim.audits, sections=["headline", "sampling"])
    assert small.headline is not None
    assert small.sampling is not None
    assert small.monthly_chart is None
    assert list(SECTIONS).index("sampling") > list(SECTIONS).index("headline")
    assert small.change is None
    assert list(small.tables()) == ["Headline", "Actions"]


def test_unknown_section_is_refused():
    with pytest.raises(
        ValueError, match=r"'sections' parameter of build_monthly_report must be one of 'headline'"
    ):
        build_monthly_report(
            pd.DataFrame(
                columns=["month", "week", "is_error", "site", "queue", "policy", "market"]
            ),
            sections=["charts"],
        )


def test_warnings_become_notes_not_output(sim):
    thin = sim.audits[sim.audits["queue"] != "ads"].copy()
    thin = pd.concat([thin, sim.audits[(sim.audits["queue"] == "ads") & ~sim.audits["is_error"]]])
    with_notes = build_monthly_report(thin, sections=["control_charts"])
    assert any("no control limits" in note for note in with_notes.notes)


def test_exported_tables_blank_small_cells(report):
    tables = report.tables(min_n=2_000)
    by_site = tables["Accuracy by site"]
    small = by_site["n"] < 2_000
    assert small.any()
    assert by_site.loc[small, "accuracy"].isna().all()
    assert by_site.loc[~small, "accuracy"].notna().all()
    assert by_site["suppressed"].tolist() == small.tolist()


def test_every_exported_table_with_counts_blanks_small_rows(report):
    tables = report.tables(min_n=60)
    segments = tables["Segment charts"]  # counts of each segment's latest week
    latest = report.segment_charts.table.groupby(["site", "queue"]).tail(1)
    expected = latest.set_index(["site", "queue"])["n"] < 60
    small = segments.set_index(["site", "queue"])["suppressed"]
    assert expected.any()
    pd.testing.assert_series_equal(small, expected.reindex(small.index), check_names=False)
    assert segments.loc[segments["suppressed"], ["value", "ucl"]].isna().all().all()


def test_every_action_has_an_owner_function(report):
    from qainsights.report.findings import OWNERS

    actions = report.to_frame()
    assert set(actions["owner"]) <= set(OWNERS)
    vendor = actions[actions["section"] == "vendors"]
    assert len(vendor)
    assert (vendor["owner"] == "Vendor management").all()


def test_a_finding_refuses_an_unknown_owner():
    from qainsights.report import Finding

    with pytest.raises(ValueError, match=r"The 'owner' of a Finding must be one of 'Training'"):
        Finding("headline", "high", "x", "y", owner="Legal")


def test_the_report_reads_only_its_columns(sim, report):
    # The report keeps READ_COLUMNS and leaves the rest behind at the start: the same audits
    # without the other columns (and with an unrelated one added) give the same report.
    from qainsights.report.inputs import READ_COLUMNS

    cal = simulate_calibration(seed=21, n_items=120)
    narrow = sim.audits[[c for c in sim.audits.columns if c in READ_COLUMNS]]
    assert "handle_time_s" in sim.audits
    assert "handle_time_s" not in narrow
    again = build_monthly_report(
        narrow.assign(ticket_notes="unrelated"), target=0.93, calibration=cal.ratings,
        calibration_standard=cal.standard,
    )  # fmt: skip
    assert list(again.tables()) == list(report.tables())
    for name, table in report.tables().items():
        pd.testing.assert_frame_equal(again.tables()[name], table, check_exact=True)
    assert [f.finding for f in again.findings] == [f.finding for f in report.findings]
