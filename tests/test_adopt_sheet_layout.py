"""The heading row and the total rows of a user's sheet (workbook.layout), on sheets Excel saved.

The workbooks in ../shared/excel-samples were saved by Microsoft Excel (MANIFEST.tsv); their
pivot tables carry the total rows Excel itself writes ("Grand Total", German "Gesamtergebnis",
"Total Sum of Cost") and an Excel Table a "Total" row. Every row the rule takes for a total is
listed here, so a rule that also took a record for a total would fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import python_calamine
from hypothesis import given
from hypothesis import strategies as st

from workbook.layout import heading_rows, is_total_label, is_total_row

# (file, sheet) -> Excel rows the rule takes for totals, read off the sheets by hand
EXCEL_TOTALS = {
    ("aspose_sampleFormattingSlicer.xlsx", "Sheet1"): [20],  # pivot "Grand Total"
    ("poi_ExcelPivotTableSample.xlsx", "Tabelle2"): [7],  # German Excel: "Gesamtergebnis"
    ("poi_ExcelPivotTableSample.xlsx", "Tabelle3"): [6],
    ("poi_WithChartSheet.xlsx", "Sheet2"): [5, 7, 9, 10, 11],  # "Sum of Revenue" per year, "Total Sum of ..."
    ("poi_WithChartSheet.xlsx", "Sheet3"): [6, 8, 10, 11, 12],
    ("poi_WithChartSheet.xlsx", "Sheet4"): [21],  # "Grand Total"
    ("xlwings_integration_write.xlsm", "Tables"): [17],  # an Excel Table's "Total" row
}


def _sheets(shared_dir: Path) -> dict[tuple[str, str], list[list[object]]]:
    folder = shared_dir / "excel-samples"
    out = {}
    for path in sorted(folder.glob("*.xls*")):
        try:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
        except python_calamine.CalamineError:
            continue  # the Strict OOXML file and the XLM macro sheet: refused before any sheet is read
        for name in book.sheet_names:
            try:
                out[(path.name, name)] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except python_calamine.CalamineError:
                continue
    return out


@pytest.fixture(scope="module")
def sheets(shared_dir: Path) -> dict[tuple[str, str], list[list[object]]]:
    return _sheets(shared_dir)


def test_the_total_rows_excel_wrote_are_found_and_no_other_row(
    sheets: dict[tuple[str, str], list[list[object]]],
) -> None:
    assert len(sheets) >= 70  # every sheet of the 28 workbooks calamine opens
    found = {
        where: rows
        for where, grid in sheets.items()
        if (rows := [n for n, row in enumerate(grid, start=1) if is_total_row(row)])
    }
    assert found == EXCEL_TOTALS


@pytest.mark.parametrize(
    ("where", "first"),
    [
        (("xlwings_database.xlsm", "Playlist"), 9),  # below "Select Playlist:" and six blank rows
        (("aspose_Excel2016Charts.xlsx", "Sheet1"), 5),  # below four blank rows
        (("poi_WithChartSheet.xlsx", "Sheet4"), 4),  # below the pivot's "Values" caption
        (("poi_ExcelPivotTableSample.xlsx", "Tabelle3"), 1),
        (("aspose_sampleCheckVbaProjectSigned.xlsm", "Sheet1"), None),  # sentences, one per row: no headings
    ],
)
def test_the_heading_row_is_found_below_captions_and_blank_rows(
    where: tuple[str, str], first: int | None, sheets: dict[tuple[str, str], list[list[object]]]
) -> None:
    rows = heading_rows(sheets[where])
    assert (rows[0] if rows else None) == first


@pytest.mark.parametrize(
    "label",
    [
        *(
            "Summe",
            "Summe:",
            "SUMME offene Posten",
            "Gesamt",
            "Gesamtsumme",
            "K100 Ergebnis",
            "Zwischensumme",
        ),
        *("Total", "Grand Total", "Subtotal", "Total EUR", "Totals:", "Sous-total", "Total général", "Somme"),
        *("合计", "合计：", "小计", "总计", "合計", "K100 汇总", "合计金额", "ＳＵＭＭＥ"),
    ],
)
def test_total_labels_in_four_languages(label: str) -> None:
    assert is_total_label(label)


@pytest.mark.parametrize(
    "text",
    [
        *(
            "Summenbildung GmbH",
            "TotalEnergies SE",
            "Subtotalia",
            "K100",
            "RE-2026-001",
            "Gesamtschule Nord",
            "",
        ),
        *("合同", "小米科技", "Résumé", "Somme-Vesle SARL"),
    ],
)
def test_names_that_merely_begin_like_a_total_are_not_total_labels(text: str) -> None:
    assert not is_total_label(text)


def test_a_record_whose_first_cell_looks_like_a_total_is_no_total_row() -> None:
    assert is_total_row(["Summe", None, None, None, 3046.5, "EUR"])
    assert is_total_row([None, "合计", None, 29700.8])
    assert not is_total_row(["Total Énergies Services", "ap@tes.example", 30])  # a customer of that name
    assert not is_total_row(["Summe", "K100", "2026-10-31", 12.0])  # text besides the label: a record
    assert not is_total_row([None, None])


@given(st.lists(st.one_of(st.none(), st.text(max_size=8), st.floats(allow_nan=False)), max_size=8))
def test_a_row_without_a_total_word_is_never_a_total_row(row: list[object]) -> None:
    first = next((v for v in row if v is not None and not (isinstance(v, str) and not v.strip())), None)
    if not is_total_label(first):
        assert not is_total_row(row)
