"""A FileBook run changes the parts it must and nothing else (docs/contract.md, "Safety"), and real
spreadsheet programs read what it wrote: openpyxl cell by cell, LibreOffice with a full recalculation.
"""

from __future__ import annotations

import copy
import csv
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.xlsx_factory import (
    ALLOC_HEADER,
    ALLOC_ROWS,
    BANK_HEADER,
    BANK_ROWS,
    INVOICES_ROWS,
    build_rich_book,
)
from workbook.filebook import FileBook
from workbook.package import Package

FORMULA_LIKE = ['=HYPERLINK("http://evil.example/?x")', "+41 44 123 45 67", "-Foo AG", "@SUM(A1)"]
INVOICE_UPDATE = pd.DataFrame(
    {
        "InvoiceNo": ["INV-1001", "INV-1002", "CN-1004"],
        "OpenAmount": pd.array([0, 25000, -10000], dtype="Int64"),
        "Status": ["Paid", "Partial", "Credit"],
        "LastPaymentDate": pd.to_datetime(["2026-10-02", "2026-10-16", None]),
    }
)
AGING = pd.DataFrame(
    {
        "CustomerID": ["100999", "C-002", "C-003"],
        "Name": ["Acme GmbH", "Beta Ltd", FORMULA_LIKE[0]],
        "Current": pd.array([0, 750000, 9999], dtype="Int64"),
        "1-30": pd.array([0, 25000, 0], dtype="Int64"),
        "Total": pd.array([-10000, 775000, 9999], dtype="Int64"),
        "AvgDaysLate": [1.5, 0.0, float("nan")],
        "OldestDueDate": pd.to_datetime(["2026-10-01", "2026-10-15", None]).astype("datetime64[ns]"),
    }
)
NEW_ALLOCATIONS = pd.DataFrame(
    {
        "AllocationID": ["A-3", "A-4"],
        "LineID": ["L-0003", "L-0004"],
        "InvoiceNo": ["INV-1005", FORMULA_LIKE[1]],
        "CustomerID": ["C-002", "100999"],
        "Amount": pd.array([70000, 1], dtype="Int64"),
        "PaymentDate": pd.to_datetime(["2026-11-02", "2026-11-03"]),
        "Kind": ["payment", "fee"],
        "Method": ["auto", "manual"],
    }
)
NEW_BANK_LINES = pd.DataFrame(
    {
        "LineID": ["L-0003", "L-0004"],
        "Date": pd.to_datetime(["2026-11-02", "2026-11-03"]),
        "Amount": pd.array([70000, 123456789], dtype="Int64"),
        "Payer": [FORMULA_LIKE[2], "Beta Ltd"],
        "Memo": ["INV-1005", FORMULA_LIKE[3]],
        "Status": ["Matched", "Unmatched"],
    }
)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    """One arbook run on the rich workbook: the file before, the file after, the sheets it wrote."""
    folder = tmp_path_factory.mktemp("roundtrip")
    book = build_rich_book(folder / "Receivables.xlsm")
    before = folder / "before.xlsm"
    shutil.copy(book, before)
    with FileBook(book) as fb:
        fb.write_columns("Invoices", "InvoiceNo", INVOICE_UPDATE)
        fb.replace("Aging", AGING)
        fb.append("Allocations", NEW_ALLOCATIONS)
        fb.append("BankLines", NEW_BANK_LINES)
        fb.commit("roundtrip", "computed columns, Aging, two logs")
    with Package(before) as pkg:
        sheet_parts = {name: pkg.table(name).sheet.part for name in ("Invoices", "BankLines", "Allocations")}
        table_parts = {name: pkg.table(name).part for name in ("BankLines", "Allocations")}
    return {"before": before, "after": book, "sheet_parts": sheet_parts, "table_parts": table_parts}


def _entries(path: Path) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as zf:
        return zf.infolist()


def _read(path: Path, part: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(part)


def test_parts_the_run_did_not_need_are_byte_identical_in_place_and_method(run):
    old = {i.filename: i for i in _entries(run["before"])}
    new = _entries(run["after"])
    new_names = [i.filename for i in new]
    changed = (
        set(run["sheet_parts"].values())
        | set(run["table_parts"].values())
        | {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}
    )
    assert new_names[: len(old)] == list(old), "old entries keep their order, new ones come after"
    unchanged = 0
    for info in new[: len(old)]:
        before = old[info.filename]
        assert info.compress_type == before.compress_type, info.filename
        if info.filename in changed:
            assert _read(run["after"], info.filename) != _read(run["before"], info.filename), info.filename
            continue
        unchanged += 1
        assert (info.CRC, info.compress_size, info.file_size) == (
            before.CRC,
            before.compress_size,
            before.file_size,
        )
        assert _read(run["after"], info.filename) == _read(run["before"], info.filename), info.filename
    assert unchanged == len(old) - len(changed) == 26
    kept = {n for n in old if n not in changed}  # what the user added around the tables, named
    assert {
        "xl/vbaProject.bin",
        "xl/charts/chart1.xml",
        "xl/drawings/drawing1.xml",
        "xl/media/image1.png",
        "xl/drawings/vmlDrawing1.vml",
        "xl/drawings/vmlDrawing2.vml",
        "xl/comments1.xml",
        "xl/comments2.xml",
        "xl/sharedStrings.xml",
        "xl/theme/theme1.xml",
        "docProps/app.xml",
    } <= kept
    assert b"SampleCall" in _read(run["after"], "xl/drawings/vmlDrawing2.vml")  # the button and its macro
    added = new_names[len(old) :]
    assert len(added) == 6 and {p.rsplit("/", 1)[0] for p in added} == {
        "xl/worksheets",
        "xl/tables",
        "xl/worksheets/_rels",
    }


def test_new_values_read_back_exactly_through_filebook(run):
    with FileBook(run["after"]) as fb:
        inv = fb.read("Invoices")
        assert list(inv.index) == [4, 5, 6, 7, 8]
        assert inv["OpenAmount"].tolist() == [0, 25000, pd.NA, -10000, pd.NA]
        assert inv["Status"].tolist() == ["Paid", "Partial", "", "Credit", ""]
        assert inv["LastPaymentDate"].tolist()[:2] == [pd.Timestamp("2026-10-02"), pd.Timestamp("2026-10-16")]
        assert inv["LastPaymentDate"].iloc[2:].isna().all()
        assert inv["Amount"].tolist() == [123456, 50000, 9999, -10000, 750000]
        _assert_aging(fb.read("Aging"))
        alloc = fb.read("Allocations")
        assert alloc["AllocationID"].tolist() == ["A-1", "A-2", "A-3", "A-4"]
        assert alloc["InvoiceNo"].tolist()[2:] == ["INV-1005", FORMULA_LIKE[1]]
        assert alloc["Amount"].tolist() == [123456, 25000, 70000, 1]
        bank = fb.read("BankLines")
        assert list(bank.index) == [2, 3, 4, 5]
        assert bank["Amount"].tolist() == [123456, 25000, 70000, 123456789]
        assert bank["Payer"].tolist()[2] == FORMULA_LIKE[2] and bank["Memo"].tolist()[3] == FORMULA_LIKE[3]
        audit = fb.read("Audit")
        assert audit["Command"].tolist() == ["roundtrip"]
        assert audit["SHA256Before"].iloc[0] == _sha256(run["before"])


def _assert_aging(aging: pd.DataFrame) -> None:
    """What replace() wrote reads back exactly; contract columns it did not write read as empty."""
    assert list(aging.index) == [2, 3, 4]
    pd.testing.assert_frame_equal(aging[list(AGING.columns)].reset_index(drop=True), AGING, check_dtype=False)
    assert not {"31-60", "61-90", "91-120", "120+"} & set(aging.columns), "buckets not written are not read"
    assert aging["Overdue"].isna().all()


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cents(value: object) -> int | None:
    return None if value is None else round(float(value) * 100)


def test_new_values_read_back_exactly_through_openpyxl(run):
    wb = openpyxl.load_workbook(run["after"])
    inv = wb["Invoices"]
    assert [_cents(inv.cell(r, 6).value) for r in range(4, 9)] == [0, 25000, None, -10000, None]
    assert [inv.cell(r, 7).value for r in range(4, 9)] == ["Paid", "Partial", None, "Credit", None]
    assert inv["H4"].value.date().isoformat() == "2026-10-02" and inv["H4"].is_date
    aging = wb["Aging"]
    assert [c.value for c in aging[1]] == list(AGING.columns)
    assert [aging.cell(r, 1).value for r in (2, 3, 4)] == ["100999", "C-002", "C-003"]
    assert [_cents(aging.cell(r, 3).value) for r in (2, 3, 4)] == [0, 750000, 9999]
    assert aging["F2"].value == 1.5 and aging["F4"].value is None
    assert aging["G3"].is_date and aging["G3"].value.date().isoformat() == "2026-10-15"
    assert aging.tables["Aging"].ref == "A1:G4"
    bank = wb["BankLines"]
    assert [_cents(bank.cell(r, 3).value) for r in (4, 5)] == [70000, 123456789]
    assert bank["B5"].is_date and bank["B5"].value.date().isoformat() == "2026-11-03"


def _style(cell) -> tuple:
    return (
        cell.number_format,
        copy.copy(cell.font),
        copy.copy(cell.fill),
        copy.copy(cell.border),
        copy.copy(cell.alignment),
        copy.copy(cell.protection),
    )


WRITTEN = {
    "Invoices": {(r, c) for r in (4, 5, 7) for c in (6, 7, 8)},
    "BankLines": {(r, c) for r in (4, 5) for c in range(1, 7)},
    "Allocations": {(r, c) for r in (4, 5) for c in range(1, 9)},
}


@pytest.mark.parametrize("sheet", sorted(WRITTEN))
def test_cells_outside_the_written_ones_keep_value_formula_and_style(run, sheet):
    old = openpyxl.load_workbook(run["before"])[sheet]
    new = openpyxl.load_workbook(run["after"])[sheet]
    compared = 0
    for row in old.iter_rows(
        min_row=1, max_row=max(old.max_row, new.max_row), max_col=max(old.max_column, 12)
    ):
        for cell in row:
            if (cell.row, cell.column) in WRITTEN[sheet]:
                continue
            other = new.cell(cell.row, cell.column)
            assert (other.value, other.data_type) == (cell.value, cell.data_type), cell.coordinate
            assert _style(other) == _style(cell), cell.coordinate
            compared += 1
    assert compared > 20
    assert [str(m) for m in new.merged_cells.ranges] == [str(m) for m in old.merged_cells.ranges]
    assert {k: (d.width, d.customWidth) for k, d in new.column_dimensions.items()} == {
        k: (d.width, d.customWidth) for k, d in old.column_dimensions.items()
    }


def test_written_cells_keep_the_styles_of_their_column(run):
    old = openpyxl.load_workbook(run["before"])
    new = openpyxl.load_workbook(run["after"])
    for r in (4, 5, 7):  # computed columns written in place: fonts, fills and formats stay
        for c in (6, 8):
            assert _style(new["Invoices"].cell(r, c)) == _style(old["Invoices"].cell(r, c))
    for r in (4, 5):  # appended rows take the styles of the row above
        for c in (2, 3):
            assert _style(new["BankLines"].cell(r, c)) == _style(old["BankLines"].cell(3, c))


def test_conditional_formats_validations_and_tables_follow_a_grown_table(run):
    old = openpyxl.load_workbook(run["before"])
    new = openpyxl.load_workbook(run["after"])
    assert [str(cf.sqref) for cf in old["BankLines"].conditional_formatting] == ["C2:C3"]
    assert [str(cf.sqref) for cf in new["BankLines"].conditional_formatting] == ["C2:C5"]
    assert [str(dv.sqref) for dv in new["BankLines"].data_validations.dataValidation] == ["F2:F5"]
    assert new["BankLines"].tables["BankLines"].ref == "A1:F5"
    assert new["Allocations"].tables["Allocations"].ref == "A1:H5"
    # contract columns the user's tables lack, and arbook had nothing for, are not added
    assert [c.value for c in new["BankLines"][1]] == BANK_HEADER
    assert [c.value for c in new["Allocations"][1]] == ALLOC_HEADER
    assert [str(cf.sqref) for cf in new["Invoices"].conditional_formatting] == ["F4:F8"]
    assert [str(dv.sqref) for dv in new["Invoices"].data_validations.dataValidation] == ["E4:E8"]
    assert [str(dv.sqref) for dv in new["Customers"].data_validations.dataValidation] == ["D2:D4"]
    assert new.defined_names["OpenTotal"].attr_text == "Summary!$B$1"
    assert new["Invoices"]["I6"].value == "=Invoices[[#This Row],[Amount]]*0.1"


def test_text_that_looks_like_a_formula_is_stored_as_quoted_text(run):
    wb = openpyxl.load_workbook(run["after"])
    cells = [wb["Aging"]["B4"], wb["Allocations"]["C5"], wb["BankLines"]["D4"], wb["BankLines"]["E5"]]
    assert [c.value for c in cells] == [FORMULA_LIKE[0], FORMULA_LIKE[1], FORMULA_LIKE[2], FORMULA_LIKE[3]]
    for cell in cells:
        assert cell.data_type != "f" and cell.data_type == "s", cell.coordinate
        assert cell.quotePrefix, cell.coordinate
    sheet_xml = _read(run["after"], run["sheet_parts"]["BankLines"]).decode()
    assert '<c r="E5" s="' in sheet_xml and 't="inlineStr"><is><t>@SUM(A1)</t></is></c>' in sheet_xml
    assert "<f>" not in sheet_xml


# -- LibreOffice ------------------------------------------------------------------------------------

RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


@pytest.fixture(scope="module")
def libreoffice_csv(soffice, tmp_path_factory):
    """Convert workbooks with LibreOffice, recalculating every formula on load, to one CSV per sheet.

    LibreOffice keeps an xlsx's cached results unless its OOXMLRecalcMode setting says
    "always" (0); a private profile holding that setting makes the numbers its own.
    """
    profile = tmp_path_factory.mktemp("lo-profile")
    (profile / "user").mkdir()
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_PROFILE)

    def convert(*books: Path) -> dict[str, dict[str, list[list[str]]]]:
        out = tmp_path_factory.mktemp("lo-out")
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                CSV_ALL_SHEETS,
                "--outdir",
                str(out),
                *map(str, books),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        result: dict[str, dict[str, list[list[str]]]] = {}
        for book in books:
            sheets = {}
            for f in out.glob(f"{book.stem}-*.csv"):
                with open(f, newline="", encoding="utf-8") as fh:
                    sheets[f.stem.removeprefix(book.stem + "-")] = list(csv.reader(fh))
            assert sheets, f"LibreOffice did not open {book.name}"
            result[book.name] = sheets
        return result

    return convert


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_opens_the_result_and_recomputes_our_numbers(run, libreoffice_csv):
    sheets = libreoffice_csv(run["after"])[run["after"].name]
    assert {
        "Settings",
        "Customers",
        "Invoices",
        "BankLines",
        "Allocations",
        "Summary",
        "Aging",
        "Audit",
    } <= set(sheets)
    with FileBook(run["after"]) as fb:
        invoices, bank, alloc, aging = (fb.read(t) for t in ("Invoices", "BankLines", "Allocations", "Aging"))
    summary = {row[0]: row[1] for row in sheets["Summary"] if row and row[0]}
    assert _cents(summary["Open receivables"]) == int(invoices["OpenAmount"].sum()) == 15000
    assert _cents(summary["Invoiced"]) == int(invoices["Amount"].sum())
    assert int(summary["Allocations"]) == len(alloc) == len(ALLOC_ROWS) + 2
    assert _cents(summary["Bank money in"]) == int(bank["Amount"].sum())
    lo_invoices = sheets["Invoices"][3:]
    assert [_cents(r[5]) if r[5] else None for r in lo_invoices] == [0, 25000, None, -10000, None]
    assert [_cents(r[8]) for r in lo_invoices] == [round(row[4] * 10) for row in INVOICES_ROWS]
    lo_aging = sheets["Aging"]
    assert lo_aging[0] == list(AGING.columns)
    assert [r[1] for r in lo_aging[1:]] == AGING["Name"].tolist()
    assert [_cents(r[2]) for r in lo_aging[1:]] == aging["Current"].tolist()
    assert [r[0] for r in sheets["BankLines"][1:]] == [r[0] for r in BANK_ROWS] + ["L-0003", "L-0004"]
    assert sheets["BankLines"][4][4] == FORMULA_LIKE[3]


# -- real Excel-made files --------------------------------------------------------------------------

EXCEL_SAMPLES = [
    "xlwings_integration_write.xlsm",
    "umya_aaa.xlsx",
    "aspose_sampleUsingSparklines.xlsx",
    "poi_DateFormatTests.xlsx",  # Mac Excel, 1904 date system: dates written must not shift four years
]


@pytest.fixture(scope="module")
def excel_runs(shared_dir, tmp_path_factory) -> dict[str, Path]:
    """Each Excel-made sample gets a new Aging table and Allocations log, then one more log row."""
    folder = tmp_path_factory.mktemp("excel-made")
    out = {}
    for name in EXCEL_SAMPLES:
        book = folder / name
        shutil.copy(shared_dir / "excel-samples" / name, book)
        with FileBook(book) as fb:
            fb.replace("Aging", AGING)
            fb.append("Allocations", NEW_ALLOCATIONS.iloc[:1])
            fb.commit("aging", "first run")
        with FileBook(book) as fb:
            fb.append("Allocations", NEW_ALLOCATIONS.iloc[1:])
            fb.commit("post", "second run")
        out[name] = book
    return out


@pytest.mark.parametrize("name", EXCEL_SAMPLES)
def test_excel_made_file_keeps_every_part_it_had(shared_dir, excel_runs, name):
    original = shared_dir / "excel-samples" / name
    old = {i.filename: i for i in _entries(original)}
    new = _entries(excel_runs[name])
    assert [i.filename for i in new[: len(old)]] == list(old)
    allowed = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}
    differing = {
        i.filename
        for i in new[: len(old)]
        if _read(excel_runs[name], i.filename) != _read(original, i.filename)
    }
    assert differing == allowed
    for info in new[: len(old)]:
        assert info.compress_type == old[info.filename].compress_type, info.filename
    if "image1.png" in str(list(old)):  # Excel stores pictures uncompressed; so must we
        assert new[list(old).index("xl/media/image1.png")].compress_type == zipfile.ZIP_STORED
    assert len(new) - len(old) == 9  # three new sheets (Aging, Allocations, Audit): sheet, table, rels
    with FileBook(excel_runs[name]) as fb:
        assert fb.read("Allocations")["AllocationID"].tolist() == ["A-3", "A-4"]
        assert fb.read("Audit")["Command"].tolist() == ["aging", "post"]
        _assert_aging(fb.read("Aging"))


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_opens_the_excel_made_files_we_wrote(excel_runs, libreoffice_csv):
    converted = libreoffice_csv(*excel_runs.values())
    for name in EXCEL_SAMPLES:
        sheets = converted[name]
        assert sheets["Aging"][0] == list(AGING.columns), name
        assert [_cents(r[4]) for r in sheets["Aging"][1:]] == AGING["Total"].tolist(), name
        assert [r[0] for r in sheets["Allocations"][1:]] == ["A-3", "A-4"], name
        assert [r[2] for r in sheets["Audit"][1:]] == ["aging", "post"], name
        assert [r[6] for r in sheets["Aging"][1:]] == ["2026-10-01", "2026-10-15", ""], name
        assert [r[5] for r in sheets["Allocations"][1:]] == ["2026-11-02", "2026-11-03"], name
