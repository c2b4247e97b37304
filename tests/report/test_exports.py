import openpyxl
import pandas as pd
import pytest

from qainsights.report.exports import (
    neutralise_formulas,
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
    safe = neutralise_formulas(HOSTILE)
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
    safe = neutralise_formulas(table)
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
