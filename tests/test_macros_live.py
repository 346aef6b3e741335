"""LiveBook, the Book over Excel: its value conversion here, and the Book contract where Excel exists.

The contract tests run on three books: on the FileBook (which keeps the expectations honest),
on the LiveBook over the xlwings test double (tests/xlwings_double) everywhere, and on the
LiveBook over Microsoft Excel only where xlwings finds Excel; elsewhere that third one is
skipped with the reason shown in pytest's summary (-ra).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from macros.live import LiveBook, _runs, excel_busy, excel_value
from workbook.book import Book
from workbook.contract import table
from workbook.filebook import FileBook
from workbook.template import build_workbook

NO_EXCEL = (
    "LiveBook contract NOT checked: xlwings finds no Microsoft Excel here (it needs Windows or "
    "macOS with Excel); run the excel-marked tests there (macros/CHECKLIST.md)"
)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (("Invoices", "Amount"), 123456, 1234.56),
        (("Invoices", "Amount"), -1, -0.01),
        (("Invoices", "Amount"), pd.NA, None),
        (("Invoices", "InvoiceNo"), "00123", "'00123"),
        (("BankLines", "Memo"), '=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        (("BankLines", "Memo"), "", None),
        (("Invoices", "Disputed"), True, "'Y"),
        (("Invoices", "Disputed"), False, "'N"),
        (("Invoices", "DueDate"), pd.Timestamp("2026-11-30 13:00"), dt.datetime(2026, 11, 30)),
        (("Invoices", "DueDate"), pd.NaT, None),
        (
            ("BankLines", "ImportedAt"),
            pd.Timestamp("2026-11-30 13:05:09"),
            dt.datetime(2026, 11, 30, 13, 5, 9),
        ),
        (("Credit", "Utilization"), float("nan"), None),
        (("Forecast", "Invoices"), pd.array([7], dtype="Int64")[0], 7),
    ],
)
def test_values_go_to_excel_as_excel_keeps_them(
    column: tuple[str, str], value: object, expected: object
) -> None:
    result = excel_value(table(column[0]).column(column[1]), value)
    assert result == expected and type(result) is type(expected)


def test_written_rows_are_grouped_into_consecutive_runs() -> None:
    # (offset in the table body, position in the frame): rows 0-2 then 5, whatever the frame's order
    assert _runs(sorted([(2, 0), (0, 1), (1, 2), (5, 3)])) == [(0, [1, 2, 0]), (5, [3])]
    assert _runs([]) == []


def test_calculation_and_screen_updating_come_back_after_an_error() -> None:
    from tests.xlwings_double import excel_double

    with excel_double() as app:
        app.calculation = "semiautomatic"
        app.status_bar = "arbook match: reading (1/4)"
        with pytest.raises(ZeroDivisionError), excel_busy(app):
            assert app.screen_updating is False and app.calculation == "manual"
            _ = 1 / 0
        assert app.screen_updating is True and app.calculation == "semiautomatic" and app.status_bar is False


def _workbook(path: Path) -> Path:
    build_workbook(
        path,
        rows={
            "Customers": pd.DataFrame(
                {
                    "CustomerID": ["100999", "C2"],
                    "Name": ["Acme", "Beta"],
                    "CreditLimit": pd.array([500_000, None], dtype="Int64"),
                    "DunningBlocked": [True, False],
                }
            ),
            "Invoices": pd.DataFrame(
                {
                    "InvoiceNo": ["I-1", "I-2"],
                    "CustomerID": ["100999", "C2"],
                    "InvoiceDate": pd.to_datetime(["2026-10-01", "2026-10-02"]),
                    "Amount": pd.array([10_000, 20_000], dtype="Int64"),
                    "Reference": ["PO 7", "PO 8"],
                }
            ),
        },
    )
    return path


@pytest.fixture(params=["file", "double", pytest.param("live", marks=pytest.mark.excel)])
def book(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Book]:
    path = _workbook(tmp_path / "contract.xlsx")
    if request.param == "file":
        with FileBook(path) as file_book:
            yield file_book
        return
    if request.param == "double":
        from tests.xlwings_double import excel_double

        with excel_double() as app:
            yield LiveBook(app.books.open(str(path)))
        return
    import xlwings as xw

    if "excel" not in [engine.name for engine in xw.engines]:
        pytest.skip(NO_EXCEL)
    app = xw.App(visible=False, add_book=False)
    try:
        yield LiveBook(app.books.open(str(path)))
    finally:
        app.quit()


def test_reads_are_typed_per_the_contract(book: Book) -> None:
    customers = book.read("Customers")
    assert customers["CustomerID"].tolist() == ["100999", "C2"]
    assert customers["CreditLimit"].tolist()[0] == 500_000 and pd.isna(customers["CreditLimit"].tolist()[1])
    assert customers["DunningBlocked"].tolist() == [True, False]
    assert customers.index.tolist() == [2, 3]
    assert book.settings().aging_buckets == (30, 60, 90, 120)


def test_computed_columns_are_written_by_key_and_nothing_else(book: Book) -> None:
    book.write_columns(
        "Invoices",
        "InvoiceNo",
        pd.DataFrame(
            {
                "InvoiceNo": ["I-2"],
                "OpenAmount": pd.array([5_050], dtype="Int64"),
                "Status": ["Partial"],
            }
        ),
    )
    invoices = book.read("Invoices").set_index("InvoiceNo")
    assert invoices.loc["I-2", "OpenAmount"] == 5_050 and invoices.loc["I-2", "Status"] == "Partial"
    assert pd.isna(invoices.loc["I-1", "OpenAmount"]) and invoices.loc["I-1", "Status"] == ""
    assert invoices["Reference"].tolist() == ["PO 7", "PO 8"]
    with pytest.raises(ValueError, match="may not write"):
        book.write_columns("Invoices", "InvoiceNo", pd.DataFrame({"InvoiceNo": ["I-1"], "Amount": [1]}))


def test_an_arbook_table_is_replaced_whole(book: Book) -> None:
    forecast = pd.DataFrame(
        {
            "Period": ["W01", "W02", "W03"],
            "Expected": pd.array([100, 200, 300], dtype="Int64"),
            "Low": pd.array([100, 0, 0], dtype="Int64"),
            "High": pd.array([100, 200, 900], dtype="Int64"),
            "Invoices": pd.array([1, 1, 2], dtype="Int64"),
        }
    )
    book.replace("Forecast", forecast)
    assert book.read("Forecast")["Expected"].tolist() == [100, 200, 300]
    book.replace("Forecast", forecast.iloc[:1])
    assert book.read("Forecast")["Period"].tolist() == ["W01"]
    with pytest.raises(ValueError, match="belongs to the user"):
        book.replace("Customers", pd.DataFrame())


def test_appended_text_stays_text_and_commit_records_audit(book: Book) -> None:
    book.append(
        "BankLines",
        pd.DataFrame(
            {
                "LineID": ["L1"],
                "Date": pd.to_datetime(["2026-11-02"]),
                "Amount": pd.array([12_345], dtype="Int64"),
                "Payer": ["=1+1"],
                "Memo": ["@SUM(A1)"],
                "Status": ["Unmatched"],
            }
        ),
    )
    lines = book.read("BankLines")
    assert lines["Payer"].tolist() == ["=1+1"] and lines["Memo"].tolist() == ["@SUM(A1)"]
    assert lines["Amount"].tolist() == [12_345]
    book.commit("test", "one line")
    audit = book.read("Audit")
    assert audit["Command"].tolist() == ["test"] and audit["Summary"].tolist() == ["one line"]


def test_the_xlwings_api_livebook_relies_on_is_installed() -> None:
    """LiveBook cannot run here, but an xlwings upgrade that renames what it calls fails here first."""
    from xlwings.main import App, Name, Range, RangeColumns, Sheet, Sheets, Table, Tables
    from xlwings.main import Book as XlBook

    needed = {
        Range: ["options", "row", "column", "columns", "rows", "resize", "clear_contents", "value"],
        Table: ["header_row_range", "data_body_range", "range", "resize", "parent", "name"],
        Sheet: ["tables", "range"],
        Sheets: ["add"],
        Tables: ["add"],
        RangeColumns: ["count"],
        XlBook: ["fullname", "names", "sheets", "app", "name", "caller"],
        Name: ["refers_to_range", "name"],
        App: ["screen_updating", "status_bar", "alert", "books", "quit"],
    }
    missing = [
        f"{cls.__name__}.{attr}" for cls, attrs in needed.items() for attr in attrs if not hasattr(cls, attr)
    ]
    assert missing == []
