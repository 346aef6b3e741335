"""Adopted workbooks from Excel: LiveBook over the xlwings double reads and writes them exactly as FileBook does.

The workbooks are the three of tests/test_adopt_layouts.py (titles above the headings, blank
rows, total rows, a Mapping and the companion InvoicesComputed table after `arbook init
--suggest`), user tables laid out without the computed columns aging writes (a plain sheet
under a title with a total row, and an Excel Table), and files saved by Excel in
../shared/excel-samples that `arbook init` adopts. Each is copied twice; one copy runs aging
through FileBook, the other through LiveBook on the double (macros.dispatch.run, as the
buttons do), and the two files must then hold the same tables, the same Excel Table ranges
and the same cells on the user's own sheets. Every other Dashboard choice, the send ones
included, is pressed with the Run button of an adopted workbook in tests/test_excel_operations.py.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import python_calamine

from arbook.init import init
from common.errors import InputError
from macros.dispatch import Request, run
from macros.live import LiveBook
from tests.test_adopt_layouts import chinese, french, german
from tests.xlsx_factory import TableSpec, build_book
from tests.xlwings_double import excel_double
from workbook.contract import TABLES
from workbook.filebook import FileBook

AS_OF = dt.date(2026, 10, 31)
SAMPLES = ["poi_DateFormatTests.xlsx", "xlwings_database.xlsm", "calamine_any_sheets.xlsx"]
TIMESTAMPED = {"Audit": ["At", "SHA256Before", "SHA256After"]}  # when and of which bytes: never equal


def _plain_invoices(path: Path) -> Path:
    """Invoices on a plain sheet under a title, with a total row, and no computed column."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Customers"
    for row in (["CustomerID", "Name"], ["C1", "Acme"], ["C2", "Beta"]):
        ws.append(row)
    ws = wb.create_sheet("Invoices")
    ws.append(["Open invoices, October 2026"])
    ws.append([])
    for row in (
        ["InvoiceNo", "CustomerID", "InvoiceDate", "DueDate", "Amount"],
        ["I-1", "C1", dt.date(2026, 8, 1), dt.date(2026, 8, 31), 1190.0],
        ["I-2", "C2", dt.date(2026, 10, 1), dt.date(2026, 11, 30), 250.5],
        ["Total", None, None, None, 1440.5],
    ):
        ws.append(row)
    wb.save(path)
    return path


def _table_invoices(path: Path) -> Path:
    """Invoices as an Excel Table without OpenAmount, Status and LastPaymentDate."""
    return build_book(
        path,
        [
            TableSpec("Customers", ["CustomerID", "Name"], [["C1", "Acme"], ["C2", "Beta"]]),
            TableSpec(
                "Invoices",
                ["InvoiceNo", "CustomerID", "InvoiceDate", "Amount", "Note"],
                [
                    ["I-1", "C1", dt.date(2026, 8, 1), 1190, "call"],
                    ["I-2", "C2", dt.date(2026, 10, 1), 250.5, None],
                ],
            ),
        ],
    )


BUILT: dict[str, Callable[[Path], Path]] = {
    "de": lambda folder: _adopted(german(folder / "Forderungen.xlsx")),
    "zh": lambda folder: _adopted(chinese(folder / "应收账款.xlsx")),
    "fr": lambda folder: _adopted(french(folder / "Créances.xlsx")),
    "plain-sheet": lambda folder: _plain_invoices(folder / "plain.xlsx"),
    "excel-table": lambda folder: _table_invoices(folder / "table.xlsx"),
}


def _adopted(path: Path) -> Path:
    init(path, suggest=True)
    return path


def _cells(path: Path, *, formulas_of: Path | None = None) -> dict[str, list[list[object]]]:
    """Every sheet's values, as python-calamine reads them, with one spelling per value.

    Numbers are compared to Excel's 15 significant digits (openpyxl, through which the double
    saves, writes one digit fewer than arbook's writer). Cells holding a formula in `formulas_of`
    read as empty: the double cannot calculate, and its save drops a formula's last result.
    """
    from openpyxl import load_workbook

    def one(value: object) -> object:
        if value == "":
            return None
        if isinstance(value, dt.datetime) and value.time() == dt.time():
            return value.date()
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(f"{value:.15g}")
        return value

    formulas: set[tuple[str, int, int]] = set()
    if formulas_of is not None:
        wb = load_workbook(formulas_of)
        formulas = {
            (ws.title, c.row, c.column)
            for ws in wb.worksheets
            for row in ws.iter_rows()
            for c in row
            if c.data_type == "f"
        }
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return {
        name: [
            [None if (name, r, c) in formulas else one(v) for c, v in enumerate(row, start=1)]
            for r, row in enumerate(book.get_sheet_by_name(name).to_python(skip_empty_area=False), start=1)
        ]
        for name in book.sheet_names
    }


def _tables(path: Path) -> dict[str, object]:
    """Each contract table's typed frame (timestamps left out) and each Excel Table's range."""
    with FileBook(path, lock=False) as book:
        frames = {
            t.name: book.read(t.name).drop(columns=TIMESTAMPED.get(t.name, []))
            for t in TABLES
            if book.has(t.name)
        }
        ranges = {name: ref.ref for name, ref in book.package.tables.items()}
    return {"frames": frames, "ranges": ranges}


@pytest.fixture(scope="module")
def ran(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """Each workbook after aging through FileBook ("file") and through LiveBook on the double ("excel")."""
    folder = tmp_path_factory.mktemp("excel-adopted")
    sources = {key: build(folder) for key, build in BUILT.items()}
    for name in SAMPLES:
        sources[name] = _adopted(Path(shutil.copyfile(shared_dir / "excel-samples" / name, folder / name)))
    out: dict[str, dict[str, object]] = {}
    for key, source in sources.items():
        file_copy = Path(shutil.copyfile(source, folder / f"file-{source.name}"))
        excel_copy = Path(shutil.copyfile(source, folder / f"excel-{source.name}"))
        with FileBook(file_copy) as book:
            read_file = {t: book.read(t) for t in ("Customers", "Invoices")}
            by_file = run(book, Request("aging", file_copy, AS_OF))
        with excel_double() as app:
            xlbook = app.books.open(str(excel_copy))
            book = LiveBook(xlbook)
            read_excel = {t: book.read(t) for t in ("Customers", "Invoices")}
            by_excel = run(book, Request("aging", excel_copy, AS_OF))
            xlbook.close()
        out[key] = {
            "source": source,
            "reads": (read_file, read_excel),
            "summaries": (by_file.as_dict(), by_excel.as_dict()),
            "tables": (_tables(file_copy), _tables(excel_copy)),
            "cells": (_cells(file_copy, formulas_of=source), _cells(excel_copy, formulas_of=source)),
        }
    return out


CASES = [*BUILT, *SAMPLES]


@pytest.mark.slow
@pytest.mark.parametrize("key", CASES)
def test_excel_reads_the_same_frames_as_the_file_book(ran: dict[str, dict[str, object]], key: str) -> None:
    by_file, by_excel = ran[key]["reads"]
    for name in by_file:
        pd.testing.assert_frame_equal(by_file[name], by_excel[name])


@pytest.mark.parametrize("key", CASES)
def test_aging_from_excel_writes_what_the_file_book_writes(
    ran: dict[str, dict[str, object]], key: str
) -> None:
    summary_file, summary_excel = ran[key]["summaries"]
    assert summary_excel == summary_file
    tables_file, tables_excel = ran[key]["tables"]
    assert tables_excel["ranges"] == tables_file["ranges"]
    for name, frame in tables_file["frames"].items():
        pd.testing.assert_frame_equal(tables_excel["frames"][name], frame, obj=name)
    cells_file, cells_excel = ran[key]["cells"]
    assert sorted(cells_excel) == sorted(cells_file)
    for sheet in cells_file:
        if sheet != "Audit":
            assert cells_excel[sheet] == cells_file[sheet], sheet


def test_the_adopted_layouts_keep_computed_columns_in_their_companion_table(
    ran: dict[str, dict[str, object]],
) -> None:
    by_excel = ran["de"]["cells"][1]
    assert by_excel["InvoicesComputed"] == [
        ["InvoiceNo", "OpenAmount", "Status", "LastPaymentDate"],
        ["RE-1001", 1190.0, "Open", None],
        ["RE-1002", 2380.5, "Open", None],
        ["RE-1003", 595.0, "Open", None],
        ["RE-1004", -119.0, "Credit", None],
    ]
    assert by_excel["Rechnungen"] == _cells(ran["de"]["source"])["Rechnungen"]  # the user's sheet untouched


def test_a_user_table_without_computed_columns_gets_them_from_excel_as_from_the_file(
    ran: dict[str, dict[str, object]],
) -> None:
    plain = ran["plain-sheet"]["cells"][1]["Invoices"]
    assert plain[2] == [
        "InvoiceNo",
        "CustomerID",
        "InvoiceDate",
        "DueDate",
        "Amount",
        "OpenAmount",
        "Status",
        "LastPaymentDate",
    ]
    assert [row[5:7] for row in plain[3:5]] == [[1190.0, "Open"], [250.5, "Open"]]
    assert plain[5][:5] == ["Total", None, None, None, 1440.5] and plain[5][5:] == [None, None, None]
    table = ran["excel-table"]["tables"][1]
    assert table["ranges"]["invoices"] == "A1:H3"
    assert table["frames"]["Invoices"]["Status"].tolist() == ["Open", "Open"]


@pytest.mark.parametrize("layout", ["de", "zh", "fr"])
def test_a_bad_cell_is_refused_with_the_same_problems_in_excel(
    ran: dict[str, dict[str, object]], layout: str, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    path = tmp_path / ran[layout]["source"].name
    shutil.copyfile(ran[layout]["source"], path)
    wb = load_workbook(path)
    invoices = wb[{"de": "Rechnungen", "zh": "发票", "fr": "Factures"}[layout]]
    amount = next(
        c
        for c in invoices[{"de": 4, "zh": 3, "fr": 3}[layout]]
        if c.value in ("Betrag", "金额", "Montant TTC")
    )
    invoices.cell(amount.row + 1, amount.column, "zwölf")
    wb.save(path)
    with FileBook(path, lock=False) as book, pytest.raises(InputError) as by_file:
        book.read("Invoices")
    with excel_double() as app, pytest.raises(InputError) as by_excel:
        LiveBook(app.books.open(str(path))).read("Invoices")
    assert str(by_excel.value) == str(by_file.value)
    assert "zwölf" in str(by_file.value)
