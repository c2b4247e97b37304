"""Exports that used to be misread or refused: each case with the message it must give.

The expected values are stated by the export itself (what was written is what must be read)
or derived here with plain pandas from the frame that was written.
"""

import io
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from qainsights import error_rate
from qainsights.audits import (
    AuditValidationError,
    DataQualityWarning,
    load_audits,
    validate_audits,
)
from qainsights.cli import main
from qainsights.datasets import simulate_audits

DERIVED = ["is_error", "error_type", "week", "month"]


@pytest.fixture(scope="module")
def winter():
    """Four months of audits (October to January) as an export: no derived columns."""
    audits = simulate_audits(seed=2, start="2025-10-06", weeks=17, audits_per_week=190).audits
    return audits.drop(columns=DERIVED)


def small(n=6):
    """A small export as text, every decision correct and severity blank."""
    return pd.DataFrame(
        {
            "audit_id": [f"a{i}" for i in range(n)],
            "item_id": [f"i{i}" for i in range(n)],
            "decision_time": [f"2026-01-{5 + i:02d} 10:00" for i in range(n)],
            "site": ["Manila"] * n,
            "queue": ["reports"] * n,
            "policy": ["spam"] * n,
            "market": ["en-PH"] * n,
            "moderator_id": ["m1"] * n,
            "auditor_id": ["q1"] * n,
            "moderator_action": ["remove"] * n,
            "qa_action": ["remove"] * n,
            "severity": [""] * n,
            "handle_time_s": ["30"] * n,
        }
    )


def problem_lines(checked):
    return checked.problems[["location", "column", "rule"]].values.tolist()


# --- timestamps by column ----------------------------------------------------------------------


def test_day_first_export_keeps_its_months(winter, tmp_path):
    path = tmp_path / "dayfirst.csv"
    winter.to_csv(path, index=False, date_format="%d/%m/%Y %H:%M")
    checked = validate_audits(path)
    assert checked.ok
    written = winter["decision_time"].dt.floor("min")
    pd.testing.assert_series_equal(
        checked.audits["decision_time"], written.reset_index(drop=True), check_names=False
    )
    expected = written.dt.strftime("%Y-%m").value_counts().sort_index()
    assert checked.audits["month"].value_counts().sort_index().to_dict() == expected.to_dict()
    assert list(expected.index) == ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02"]


def test_thirteenth_and_fifth_of_january_are_both_january():
    frame = small(2).assign(decision_time=["05/01/2026 14:05", "13/01/2026 09:00"])
    audits = load_audits(frame)
    assert audits["decision_time"].tolist() == [
        pd.Timestamp("2026-01-05 14:05"),
        pd.Timestamp("2026-01-13 09:00"),
    ]


def test_month_first_export_is_read_month_first():
    frame = small(2).assign(decision_time=["01/05/2026 14:05", "01/13/2026 09:00"])
    audits = load_audits(frame)
    assert audits["decision_time"].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-05", "2026-01-13"]


def test_ambiguous_dates_ask_for_a_format():
    frame = small(3).assign(decision_time=["05/01/2026 14:05", "06/01/2026 09:00", ""])
    message = (
        "load_audits cannot tell whether decision_time is day-first or month-first: in every "
        "value both the day and the month are 12 or less (for example '05/01/2026 14:05'). "
        "Pass date_format='%d/%m/%Y %H:%M' (day-first) or date_format='%m/%d/%Y %H:%M' "
        "(month-first), or dayfirst=True or dayfirst=False."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        load_audits(frame, errors="report")
    first = load_audits(frame.iloc[:2], dayfirst=True)["decision_time"]
    assert first.dt.strftime("%d %b").tolist() == ["05 Jan", "06 Jan"]
    second = load_audits(frame.iloc[:2], date_format="%m/%d/%Y %H:%M")["decision_time"]
    assert second.dt.strftime("%d %b").tolist() == ["01 May", "01 Jun"]


def test_values_off_the_column_format_are_problem_rows_with_their_line(tmp_path):
    frame = small(6)
    frame["decision_time"] = [
        "13/01/2026 10:00",
        "14/01/2026 10:00",
        "2026-01-15 10:00",  # ISO in a day-first column
        "31/02/2026 10:00",  # no such day
        "16/01/2026",  # without the column's time of day
        "17/01/2026 10:00",
    ]
    path = tmp_path / "mixed.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(AuditValidationError) as info:
        load_audits(path)
    assert (
        "- 3 row(s): decision_time is not a timestamp in the column's format (day-first dates "
        "'%d/%m/%Y %H:%M', like '13/01/2026 10:00') (lines 4, 5, 6; values '2026-01-15 10:00', "
        "'31/02/2026 10:00', '16/01/2026')"
    ) in str(info.value)


def test_dayfirst_contradicted_by_the_data_flags_the_rows():
    frame = small(2).assign(decision_time=["01/13/2026 09:00", "01/12/2026 09:00"])
    checked = validate_audits(frame, dayfirst=True)
    assert checked.problems[["row", "rule"]].values.tolist() == [[0, "unparseable_timestamp"]]
    assert checked.audits["decision_time"].tolist() == [pd.Timestamp("2026-12-01 09:00")]


def test_excel_serial_days():
    # Microsoft documents DATEVALUE("1/1/2025") = 45658 in the 1900 date system; .5 is noon.
    frame = small(2).assign(decision_time=["45658.5", "45659.25"])
    audits = load_audits(frame)
    assert audits["decision_time"].tolist() == [
        pd.Timestamp("2025-01-01 12:00"),
        pd.Timestamp("2025-01-02 06:00"),
    ]
    numbers = small(2).assign(decision_time=[45658.5, 45659.25])
    pd.testing.assert_series_equal(load_audits(numbers)["decision_time"], audits["decision_time"])


def test_date_options_are_checked():
    with pytest.raises(ValueError, match=r"takes date_format or dayfirst, not both"):
        load_audits(small(), date_format="%d/%m/%Y", dayfirst=True)
    with pytest.raises(TypeError, match=r"The 'dayfirst' parameter of load_audits must be True"):
        load_audits(small(), dayfirst="yes")
    with pytest.raises(TypeError, match=r"'date_format' parameter of validate_audits must be"):
        validate_audits(small(), date_format=1)


def test_cli_validate_takes_a_date_format(tmp_path, capsys):
    frame = small(2).assign(decision_time=["05/01/2026 14:05", "06/01/2026 09:00"])
    path = tmp_path / "ambiguous.csv"
    frame.to_csv(path, index=False)
    assert main(["validate", "--data", str(path)]) == 2
    assert "cannot tell whether decision_time is day-first" in capsys.readouterr().err
    assert main(["validate", "--data", str(path), "--date-format", "%d/%m/%Y %H:%M"]) == 0
    assert "all 2 rows passed" in capsys.readouterr().out


# --- one missing-value policy -----------------------------------------------------------------


def test_blank_severity_on_correct_decisions_is_missing_not_wrong(winter):
    pulled = pd.read_csv(io.StringIO(winter.to_csv(index=False)), dtype=str, keep_default_na=False)
    assert (pulled["severity"] == "").sum() > 0.9 * len(pulled)
    checked = validate_audits(pulled)
    assert checked.ok
    assert len(checked.audits) == len(winter)
    errors = winter["moderator_action"].ne(winter["qa_action"]) | (
        winter["moderator_policy"].ne(winter["qa_policy"])
        & winter["moderator_policy"].notna()
        & winter["qa_policy"].notna()
    )
    assert int(checked.audits["is_error"].sum()) == int(errors.sum())


def test_missing_tokens_count_in_numbers_not_in_codes(tmp_path):
    frame = small(6)
    frame["handle_time_s"] = ["n/a", "NULL", " - ", "#N/A", "12.5", ""]
    frame["market"] = ["NA", "NA", "en-PH", "null", "None", "N/A"]  # Namibia, and codes
    frame["item_id"] = ["null", "i1", "i2", "i3", "NA", "i5"]
    path = tmp_path / "tokens.csv"
    frame.to_csv(path, index=False)
    audits = load_audits(path)
    assert audits["handle_time_s"].isna().tolist() == [True, True, True, True, False, True]
    assert audits["handle_time_s"].iloc[4] == 12.5
    assert audits["market"].tolist() == ["NA", "NA", "en-PH", "null", "None", "N/A"]
    assert audits["item_id"].tolist() == ["null", "i1", "i2", "i3", "NA", "i5"]


def test_text_that_is_not_a_number_and_infinity_are_problems():
    frame = small(4).assign(handle_time_s=["fast", "inf", "-inf", "12"])
    with pytest.raises(AuditValidationError) as info:
        load_audits(frame)
    message = str(info.value)
    assert "- 1 row(s): handle_time_s is not a number (index 0; values 'fast')" in message
    assert (
        "- 2 row(s): handle_time_s is not a finite number; correct it at the source "
        "(index 1, 2; values 'inf', '-inf')"
    ) in message
    numbers = small(2).assign(handle_time_s=[np.inf, 3.0])
    assert validate_audits(numbers).problems["rule"].tolist() == ["non_finite_number"]


def test_tokens_and_blanks_in_required_columns_are_missing():
    frame = small(3).assign(qa_action=["NULL", "remove", "remove"], queue=["q", "   ", "q"])
    with pytest.raises(AuditValidationError) as info:
        load_audits(frame)
    message = str(info.value)
    assert message.startswith("load_audits found problems in 2 of 3 rows:\n")
    assert (
        "- 1 row(s): qa_action is missing in a required column; fill it at the source "
        "(index 0; values 'NULL')"
    ) in message
    assert "- 1 row(s): queue is missing in a required column" in message


# --- label hygiene ----------------------------------------------------------------------------


def test_spellings_of_a_site_become_its_most_frequent_spelling():
    frame = small(6).assign(site=["Manila", "MANILA", "Manila", "manila  ", "Ｍanila", "Dublin"])
    with pytest.warns(DataQualityWarning) as record:
        audits = load_audits(frame)
    assert str(record[0].message) == (
        "load_audits unified spellings of a label that differ only in case, blanks or Unicode "
        "form (pass unify_labels=False to keep them apart):\n"
        "- site: 'MANILA' (1 row) -> 'Manila'; 'manila' (1 row) -> 'Manila'; "
        "'Ｍanila' (1 row) -> 'Manila'"
    )
    assert audits["site"].tolist() == ["Manila"] * 5 + ["Dublin"]
    checked = validate_audits(frame)
    assert checked.merged_labels.to_dict("list") == {
        "column": ["site"] * 3,
        "spelling": ["MANILA", "manila", "Ｍanila"],
        "label": ["Manila"] * 3,
        "rows": [1, 1, 1],
    }
    assert "site: 'MANILA' (1 row) -> 'Manila'" in checked.summary()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kept = load_audits(frame, unify_labels=False)
    assert kept["site"].nunique() == 5


def test_repeated_blanks_inside_a_label_are_one_spelling():
    frame = small(3).assign(queue=["user reports", "user  reports", "user reports"])
    with pytest.warns(DataQualityWarning, match=r"queue: 'user  reports' \(1 row\)"):
        audits = load_audits(frame)
    assert audits["queue"].unique().tolist() == ["user reports"]


def test_cited_policies_share_the_policy_vocabulary():
    frame = small(3).assign(
        policy=["spam", "spam", "Spam"],
        moderator_policy=["Spam", "spam", "spam"],
        qa_policy=["spam", "spam", "spam"],
    )
    with pytest.warns(DataQualityWarning, match=r"moderator_policy: 'Spam' \(1 row\)"):
        audits = load_audits(frame)
    assert audits["error_type"].tolist() == ["none"] * 3  # not wrong_policy


def test_the_chosen_spelling_does_not_depend_on_row_order():
    frame = small(4).assign(site=["Manila", "MANILA", "MANILA", "Manila"])  # a tie
    forward = validate_audits(frame).audits["site"].unique().tolist()
    backward = validate_audits(frame.iloc[::-1]).audits["site"].unique().tolist()
    assert forward == backward == ["MANILA"]  # "MANILA" sorts before "Manila"


# --- booleans ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags",
    [
        [True, False],
        [np.True_, np.False_],
        ["TRUE", "false"],
        [1, 0],
        ["1", "0"],
        ["yes", "no"],
        ["Y", "n"],
        [1.0, 0.0],
    ],
)
def test_booleans_in_any_reasonable_form(flags):
    frame = small(2).assign(qa_action=["no_action", "remove"])
    frame["is_error"] = pd.Series(flags, dtype=object)
    audits = load_audits(frame)
    assert audits["is_error"].tolist() == [True, False]


def test_an_object_column_of_booleans_is_an_outcome():
    audits = simulate_audits(seed=3, weeks=2, audits_per_week=60).audits
    as_objects = audits.assign(is_error=audits["is_error"].astype(object))
    pd.testing.assert_frame_equal(error_rate(as_objects), error_rate(audits))


# --- messages ---------------------------------------------------------------------------------


def test_files_name_lines_and_frames_name_index_labels(tmp_path):
    frame = small(20)
    frame.loc[16, "handle_time_s"] = "-3"
    frame.to_csv(tmp_path / "a.csv", index=False)
    frame.to_excel(tmp_path / "a.xlsx", index=False)
    assert problem_lines(validate_audits(tmp_path / "a.csv")) == [
        [18, "handle_time_s", "negative_value"]
    ]
    assert problem_lines(validate_audits(tmp_path / "a.xlsx")) == [
        [18, "handle_time_s", "negative_value"]
    ]
    with pytest.raises(AuditValidationError, match=r"\(line 18; values '-3'\)"):
        load_audits(tmp_path / "a.csv")
    with pytest.raises(AuditValidationError, match=r"\(sheet row 18; values '-3'\)"):
        load_audits(tmp_path / "a.xlsx")
    labelled = frame.set_axis([f"r{i}" for i in range(20)])
    with pytest.raises(AuditValidationError, match=r"\(index 'r16'; values '-3'\)"):
        load_audits(labelled)


def test_lines_count_values_that_span_lines(tmp_path):
    frame = small(4).assign(note=["one", "two\nlines", "three", "four"])
    frame.loc[3, "handle_time_s"] = "-1"
    frame.to_csv(tmp_path / "multi.csv", index=False)
    text = (tmp_path / "multi.csv").read_text().splitlines()
    assert text[5].startswith("a3,")  # the header, a0, a1 on two lines, a2: a3 is line 6
    assert problem_lines(validate_audits(tmp_path / "multi.csv")) == [
        [6, "handle_time_s", "negative_value"]
    ]


def test_duplicated_audit_ids_read_plainly():
    frame = small(3).assign(audit_id=["a1", "a1", "a2"])
    with pytest.raises(AuditValidationError) as info:
        load_audits(frame)
    assert (
        "- 2 row(s): audit_id is shared by several rows; every audit needs its own id "
        "(index 0, 1; values 'a1')"
    ) in str(info.value)


def test_a_missing_column_is_matched_to_the_nearest_name():
    frame = small().rename(columns={"queue": "Queue ", "auditor_id": "auditor"})
    message = (
        "load_audits needs column(s) 'queue', 'auditor_id', which the data does not have. "
        "Columns present: 'audit_id', 'item_id', 'decision_time', 'site', 'Queue ', 'policy', "
        "'market', 'moderator_id', 'auditor', 'moderator_action', 'qa_action', 'severity', "
        "'handle_time_s'. Did you mean 'Queue ' for 'queue'? Did you mean 'auditor' for "
        "'auditor_id'? Map your names with columns={'Queue ': 'queue', 'auditor': 'auditor_id'}."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        load_audits(frame)
    with pytest.raises(
        ValueError,
        match=re.escape("names 'Queue', which the data does not have. Did you mean 'Queue '?"),
    ):
        load_audits(frame, columns={"Queue": "queue"})
