import openpyxl
import pandas as pd
import pytest

from qainsights.report.exports import (
    neutralize_formulas,
    suppress_small_cells,
    write_csv,
    write_excel,
)

HOSTILE = pd.DataFrame(
    {
        "queue": ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "\tTAB", "plain", None],
        "n": [10, 20, 30, 40, 50, 60, 70],
        "change": [-0.5, 0.1, -0.2, 0.0, 0.3, -1.0, 2.0],
    }
)


def test_every_formula_prefix_is_neutralised_and_numbers_untouched():
    safe = neutralize_formulas(HOSTILE)
    assert safe["queue"].tolist()[:6] == [
        "'=1+1",
        "'+SUM(A1:A2)",
        "'-2+3",
        "'@cmd",
        "'\tTAB",
        "plain",
    ]
    assert pd.isna(safe["queue"].iloc[6])
    pd.testing.assert_series_equal(safe["change"], HOSTILE["change"])
    assert HOSTILE["queue"].iloc[0] == "=1+1"  # the caller's frame is unchanged


def test_categorical_labels_and_headers_are_neutralised():
    table = pd.DataFrame({"=evil": pd.Categorical(["=A1", "ok"])})
    safe = neutralize_formulas(table)
    assert list(safe.columns) == ["'=evil"]
    assert safe["'=evil"].tolist() == ["'=A1", "ok"]


def test_excel_workbook_has_no_live_formula(tmp_path):
    path = write_excel({"Queues": HOSTILE, "Sites: [all]": HOSTILE.head(2)}, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Queues", "Sites all"]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    assert book["Queues"]["A2"].value == "'=1+1"
    assert book["Queues"]["C2"].value == -0.5
    assert book["Queues"].freeze_panes == "A2"
    assert book["Queues"]["A1"].font.bold


def test_duplicate_and_long_sheet_names_stay_unique(tmp_path):
    long = "A very long section title that Excel would reject"
    path = write_excel({long: HOSTILE, long + "!": HOSTILE}, tmp_path / "r.xlsx")
    names = openpyxl.load_workbook(path).sheetnames
    assert len(names) == 2
    assert len(set(names)) == 2
    assert all(len(name) <= 31 for name in names)


def test_csv_files_are_neutralised(tmp_path):
    (path,) = write_csv({"By queue": HOSTILE}, tmp_path)
    assert path.name == "by_queue.csv"
    back = pd.read_csv(path)
    assert back["queue"].iloc[0] == "'=1+1"
    assert back["change"].iloc[0] == -0.5


def test_small_cells_are_suppressed_with_a_count():
    table = pd.DataFrame({"moderator": ["a", "b", "c"], "n": [5, 50, 9], "rate": [0.2, 0.1, 0.0]})
    with pytest.warns(UserWarning, match=r"blanked 2 of 3 rows with fewer than 10 audits in 'n'"):
        out = suppress_small_cells(table, min_n=10)
    assert out["rate"].isna().tolist() == [True, False, True]
    assert out["n"].tolist() == [5, 50, 9]
    assert out["suppressed"].tolist() == [True, False, True]
    assert table["rate"].tolist() == [0.2, 0.1, 0.0]


def test_suppression_bad_input():
    table = pd.DataFrame({"count": [1]})
    with pytest.raises(ValueError, match=r"needs the count column 'n'"):
        suppress_small_cells(table)
    with pytest.raises(
        ValueError, match=r"'min_n' parameter of suppress_small_cells must be a positive"
    ):
        suppress_small_cells(table, n="count", min_n=0)


def test_exports_refuse_non_frames(tmp_path):
    with pytest.raises(
        TypeError, match=r"The \"tables\['x'\]\" parameter of write_csv must be a pandas"
    ):
        write_csv({"x": [1]}, tmp_path)


def test_formats_follow_what_a_column_holds_not_its_name(tmp_path):
    severity = pd.DataFrame({"month": ["2026-10"], "n": [8873], "index": [29.44],
                             "ci_low": [27.01], "ci_high": [31.86]})  # fmt: skip
    rates = pd.DataFrame({
        "week": pd.to_datetime(["2026-10-05", "2026-10-12"]), "n": [1200, 1300],
        "rate": [0.071, 0.064], "ci_low": [0.058, 0.052], "ci_high": [0.086, 0.078],
        "p_value": [0.2, 0.01], "finding": ["x" * 150, "short"],
    })  # fmt: skip
    path = write_excel({"Severity": severity, "Rates": rates}, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["Severity"]
    assert [sheet.cell(2, c).number_format for c in (2, 3, 4, 5)] == [
        "#,##0",
        "#,##0.000",
        "#,##0.000",
        "#,##0.000",
    ]  # an index of 29 points with its interval, not 2,944 %
    sheet = book["Rates"]
    assert sheet["A2"].is_date
    assert sheet["A2"].number_format == "yyyy-mm-dd"
    assert [sheet.cell(2, c).number_format for c in (3, 4, 5, 6)] == ["0.0%"] * 3 + ["0.000"]
    assert sheet.auto_filter.ref == "A1:G3"
    assert sheet.freeze_panes == "A2"
    assert sheet["G2"].alignment.wrap_text


def test_a_difference_of_rates_is_a_signed_percentage(tmp_path):
    gaps = pd.DataFrame({"unit": ["Hyderabad"], "rate": [0.11], "gap": [0.053]})
    sheet = openpyxl.load_workbook(write_excel({"Gaps": gaps}, tmp_path / "g.xlsx"))["Gaps"]
    assert sheet["B2"].number_format == "0.0%"
    assert sheet["C2"].number_format == "+0.0%;-0.0%;0.0%"
    assert sheet["C2"].value == pytest.approx(0.053)  # the number itself, not text


def test_an_empty_table_says_none_this_month(tmp_path):
    empty = pd.DataFrame({"moderator": pd.Series(dtype="str"), "n": pd.Series(dtype="int64")})
    book = openpyxl.load_workbook(write_excel({"Moderators": empty}, tmp_path / "r.xlsx"))
    assert book["Moderators"]["A2"].value == "none this month"
    (path,) = write_csv({"Moderators": empty}, tmp_path)
    assert pd.read_csv(path, encoding="utf-8-sig")["moderator"].tolist() == ["none this month"]


def test_numbers_in_a_mixed_column_stay_numbers(tmp_path):
    mixed = pd.DataFrame({"value": pd.Series(["-cmd", -0.03, "ok"], dtype="object")})
    book = openpyxl.load_workbook(write_excel({"Mixed": mixed}, tmp_path / "r.xlsx"))
    assert [book["Mixed"][f"A{r}"].value for r in (2, 3, 4)] == ["'-cmd", -0.03, "ok"]
    assert mixed["value"].tolist() == ["-cmd", -0.03, "ok"]  # the caller's frame is unchanged


def test_csv_is_utf8_with_a_byte_order_mark(tmp_path):
    (path,) = write_csv({"Labels": pd.DataFrame({"queue": ["تقارير", "😀"]})}, tmp_path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # what Excel needs to read UTF-8
    assert raw.decode("utf-8-sig").splitlines() == ["queue", "تقارير", "😀"]


def test_a_row_is_small_when_any_of_its_counts_is():
    table = pd.DataFrame({"segment": ["a", "b"], "n_baseline": [50, 50], "n_current": [50, 4],
                          "difference": [0.01, 0.2]})  # fmt: skip
    with pytest.warns(UserWarning, match=r"blanked 1 of 2 rows"):
        out = suppress_small_cells(table, n=["n_baseline", "n_current"])
    assert out["difference"].isna().tolist() == [False, True]
    assert out["n_current"].tolist() == [50, 4]


def test_former_name_still_works_with_a_future_warning():
    from qainsights.report import neutralise_formulas

    with pytest.warns(FutureWarning, match=r"neutralise_formulas was renamed neutralize_formulas"):
        former = neutralise_formulas(HOSTILE)
    pd.testing.assert_frame_equal(former, neutralize_formulas(HOSTILE))
