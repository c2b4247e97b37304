import re

import numpy as np
import pandas as pd
import pytest

from qainsights.audits import (
    AUDIT_SCHEMA,
    AuditValidationError,
    DataQualityWarning,
    load_audits,
    validate_audits,
)


def export(n=4):
    """A small valid export in canonical column names, as strings (like a CSV)."""
    return pd.DataFrame(
        {
            "audit_id": [f"a{i}" for i in range(n)],
            "item_id": [f"i{i}" for i in range(n)],
            "decision_time": [f"2026-10-0{5 + i % 3} 10:00:00" for i in range(n)],
            "audit_time": [f"2026-10-1{i % 3} 08:00:00" for i in range(n)],
            "site": ["Dublin", "Manila"] * (n // 2),
            "queue": ["user_reports"] * n,
            "policy": ["spam"] * n,
            "market": ["en-US"] * n,
            "moderator_id": ["m1", "m2"] * (n // 2),
            "auditor_id": ["q1"] * n,
            "moderator_action": ["remove", "no_action", "remove", "label"][:n],
            "qa_action": ["remove", "remove", "no_action", "label"][:n],
            "moderator_policy": ["spam", None, "spam", "spam"][:n],
            "qa_policy": ["spam", "spam", None, "hate_speech"][:n],
            "handle_time_s": ["30", "41.5", "12", "80"][:n],
            "weight": ["10", "10", "20", "20"][:n],
        }
    )


def test_error_types_follow_action_severity_and_policy():
    audits = load_audits(export())
    # remove/remove same policy; no_action/remove; remove/no_action; label/label other policy
    assert audits["error_type"].tolist() == [
        "none",
        "under_enforcement",
        "over_enforcement",
        "wrong_policy",
    ]
    assert audits["is_error"].tolist() == [False, True, True, True]


def test_every_canonical_column_is_present_in_schema_order():
    audits = load_audits(export())
    assert list(audits.columns) == [c.name for c in AUDIT_SCHEMA]
    assert audits["severity"].isna().all()  # optional and absent: present, all missing


def test_types_are_coerced():
    audits = load_audits(export())
    assert audits["decision_time"].dtype == "datetime64[ns]"
    assert audits["handle_time_s"].tolist() == [30.0, 41.5, 12.0, 80.0]
    assert audits["is_error"].dtype == bool
    assert audits["week"].tolist() == [pd.Timestamp("2026-10-05")] * 4
    assert audits["month"].tolist() == ["2026-10"] * 4


def test_timezones_become_naive_utc():
    frame = export()
    frame["decision_time"] = "2026-10-05T12:00:00+02:00"
    audits = load_audits(frame)
    assert (audits["decision_time"] == pd.Timestamp("2026-10-05 10:00:00")).all()


def test_caller_frame_is_unchanged():
    frame = export()
    frame.loc[1, "decision_time"] = "not a date"
    before = frame.copy(deep=True)
    with pytest.warns(DataQualityWarning):
        load_audits(frame, errors="report")
    validate_audits(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_column_mapping_and_action_mapping():
    frame = export().rename(columns={"auditor_id": "Reviewer", "qa_action": "QA Verdict"})
    frame["QA Verdict"] = frame["QA Verdict"].replace({"remove": "Take Down"})
    audits = load_audits(
        frame,
        columns={"Reviewer": "auditor_id", "QA Verdict": "qa_action"},
        actions={"take down": "remove"},
    )
    assert audits["qa_action"].tolist() == ["remove", "remove", "no_action", "label"]


def test_extra_columns_are_kept_after_canonical_ones():
    frame = export().assign(ticket=["t1", "t2", "t3", "t4"])
    audits = load_audits(frame)
    assert audits.columns[-1] == "ticket"
    assert audits["ticket"].tolist() == ["t1", "t2", "t3", "t4"]


# --- one test per validation rule, with the exact message -------------------------------


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (
            "decision_time",
            "yesterday",
            "- 1 row(s): decision_time is not a timestamp in the column's format (ISO 8601, "
            "such as '2026-10-05 14:30:00') (index 2; values 'yesterday')",
        ),
        (
            "qa_action",
            "nuke",
            "- 1 row(s): qa_action is not one of the allowed values; correct it at the source "
            "(actions can also be mapped with the 'actions' argument); allowed: 'no_action', "
            "'label', 'restrict', 'remove', 'suspend' (index 2; values 'nuke')",
        ),
        (
            "handle_time_s",
            "-3",
            "- 1 row(s): handle_time_s is negative; durations and tenures must be >= 0 "
            "(index 2; values '-3')",
        ),
        (
            "handle_time_s",
            "fast",
            "- 1 row(s): handle_time_s is not a number (index 2; values 'fast')",
        ),
        (
            "weight",
            "0",
            "- 1 row(s): weight is 0 or negative; sampling weights must be > 0 (leave it "
            "empty for a self-weighting sample) (index 2; values '0')",
        ),
        (
            "site",
            None,
            "- 1 row(s): site is missing in a required column; fill it at the source "
            "(index 2; values nan)",
        ),
        (
            "audit_time",
            "2026-10-01 00:00:00",
            "- 1 row(s): audit_time is earlier than decision_time; an audit follows its "
            "decision (index 2; values '2026-10-01 00:00:00')",
        ),
    ],
)
def test_each_rule_raises_with_its_message(column, value, expected):
    frame = export()
    frame.loc[2, column] = value
    with pytest.raises(AuditValidationError) as info:
        load_audits(frame)
    message = str(info.value)
    assert message.startswith("load_audits found problems in 1 of 4 rows:\n")
    assert expected in message
    assert message.endswith(
        "Fix these rows at the source, or pass errors='report' to exclude them "
        "(validate_audits lists every excluded row and why)."
    )


def test_duplicated_audit_ids_flag_every_copy():
    frame = export()
    frame.loc[3, "audit_id"] = "a1"
    checked = validate_audits(frame)
    assert checked.problems["rule"].tolist() == ["duplicate_audit_id"] * 2
    assert checked.problems["row"].tolist() == [1, 3]
    assert len(checked.audits) == 2


def test_supplied_is_error_must_agree_with_actions():
    frame = export().assign(is_error=["no", "yes", "no", "yes"])
    checked = validate_audits(frame)
    assert checked.problems[["row", "rule"]].values.tolist() == [[2, "derived_mismatch"]]


def test_unreadable_boolean():
    frame = export().assign(is_error=["no", "yes", "maybe", "yes"])
    checked = validate_audits(frame)
    assert checked.problems[["row", "rule", "value"]].values.tolist() == [
        [2, "unparseable_boolean", "maybe"]
    ]


def test_report_mode_excludes_rows_and_says_how_many_and_why():
    frame = export()
    frame.loc[0, "decision_time"] = "2026-13-45"
    frame.loc[3, "weight"] = "-1"
    with pytest.warns(DataQualityWarning, match=r"These 2 rows were excluded") as record:
        audits = load_audits(frame, errors="report")
    assert "found problems in 2 of 4 rows" in str(record[0].message)
    assert audits["audit_id"].tolist() == ["a1", "a2"]
    checked = validate_audits(frame)
    assert checked.excluded["audit_id"].tolist() == ["a0", "a3"]
    assert checked.excluded["reasons"].str.contains("timestamp|weight").all()
    assert checked.to_frame()["rows"].sum() == 2
    assert not checked.ok


def test_error_carries_the_full_validation():
    frame = export()
    frame.loc[1, "market"] = ""
    with pytest.raises(AuditValidationError) as info:
        load_audits(frame)
    assert info.value.validation.problems["column"].tolist() == ["market"]


def test_missing_required_column_names_it_and_lists_present():
    frame = export().drop(columns=["queue", "auditor_id"])
    with pytest.raises(
        ValueError,
        match=re.escape(
            "load_audits needs column(s) 'queue', 'auditor_id', which the data does not have. "
            "Columns present: 'audit_id', 'item_id'"
        ),
    ):
        load_audits(frame)


def test_mapping_to_unknown_canonical_column():
    with pytest.raises(ValueError, match=r"maps to 'reviewer', which are not canonical"):
        load_audits(export(), columns={"auditor_id": "reviewer"})


def test_mapping_from_absent_column():
    with pytest.raises(ValueError, match=r"names 'Reviewer', which the data does not have"):
        load_audits(export(), columns={"Reviewer": "auditor_id"})


def test_mapping_two_columns_to_one():
    frame = export().assign(other=["x"] * 4)
    with pytest.raises(ValueError, match=r"several columns called 'site'"):
        load_audits(frame, columns={"other": "site"})


def test_supplied_periods_must_agree_with_decision_time():
    frame = export().assign(week="2026-10-05", month=["2026-10", "2026-10", "2026-09", "2026-10"])
    checked = validate_audits(frame)
    assert checked.problems[["row", "column", "rule"]].values.tolist() == [
        [2, "month", "derived_mismatch"]
    ]


def test_a_canonical_table_loads_again_unchanged():
    audits = load_audits(export())
    pd.testing.assert_frame_equal(load_audits(audits), audits)


def test_action_mapping_to_unknown_action():
    with pytest.raises(ValueError, match=r"maps to 'delete'. Map each of your action values"):
        load_audits(export(), actions={"Delete": "delete"})


def test_errors_option_is_checked():
    with pytest.raises(ValueError, match=r"'errors' parameter of load_audits must be one of"):
        load_audits(export(), errors="ignore")


def test_source_type_is_checked():
    with pytest.raises(TypeError, match=r"must be a file path or a pandas DataFrame. Got list"):
        load_audits([1, 2])


# --- files ---------------------------------------------------------------------------------


def test_reads_csv_parquet_and_excel_identically(tmp_path):
    frame = export()
    frame.to_csv(tmp_path / "a.csv", index=False)
    frame.to_parquet(tmp_path / "a.parquet", index=False)
    frame.to_excel(tmp_path / "a.xlsx", index=False)
    frame.to_csv(tmp_path / "a.tsv", sep="\t", index=False)
    expected = load_audits(frame)
    for name in ("a.csv", "a.parquet", "a.xlsx", "a.tsv"):
        pd.testing.assert_frame_equal(load_audits(tmp_path / name), expected, check_dtype=False)


def test_excel_with_native_datetimes_and_numbers(tmp_path):
    frame = export()
    frame["decision_time"] = pd.to_datetime(frame["decision_time"])
    frame["handle_time_s"] = frame["handle_time_s"].astype(float)
    frame.to_excel(tmp_path / "native.xlsx", index=False)
    audits = load_audits(tmp_path / "native.xlsx")
    assert audits["decision_time"].iloc[0] == pd.Timestamp("2026-10-05 10:00")
    assert audits["handle_time_s"].iloc[1] == 41.5


def test_missing_file_and_unknown_type(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no file at .*nope.csv'. Check the path"):
        load_audits(tmp_path / "nope.csv")
    (tmp_path / "a.json").write_text("{}")
    with pytest.raises(ValueError, match=r"the file type '.json' is not one of"):
        load_audits(tmp_path / "a.json")


def test_severity_numbers_map_to_levels():
    frame = export().assign(severity=[None, "3", "critical", "1"])
    audits = load_audits(frame)
    assert audits["severity"].tolist()[1:] == ["high", "critical", "low"]
    assert pd.isna(audits["severity"].iloc[0])


def test_many_problems_are_counted_not_listed():
    rng = np.random.default_rng(0)
    frame = pd.concat([export()] * 50, ignore_index=True)
    frame["audit_id"] = [f"a{i}" for i in range(len(frame))]
    bad = rng.choice(len(frame), 37, replace=False)
    frame.loc[bad, "decision_time"] = "n/a date"
    with pytest.raises(AuditValidationError, match=r"problems in 37 of 200 rows") as info:
        load_audits(frame)
    assert "(and 34 more)" in str(info.value)
