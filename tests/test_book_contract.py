"""What every `Book` must do, run against each implementation: the headless FileBook, the
MemoryBook, the Excel LiveBook (macros.live) over the xlwings test double (tests/xlwings_double:
xlwings' own classes and conversion, a real file behind them), and the LiveBook over Microsoft
Excel where Excel is available (skipped, with the reason, elsewhere).

An operation in arbook/ never knows which book it has, so both must agree on every behaviour
below: typed frames indexed by Excel row, writes limited to computed columns, replacing an
arbook table (bucket columns included), appending to logs, staged changes visible to later
reads, and one Audit row per commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.xlsx_factory import TableSpec, build_book
from workbook import TABLES, Book, FileBook, MemoryBook


@dataclass(frozen=True)
class Adapter:
    name: str
    open: Any  # path -> context manager yielding a Book; leaving it makes committed changes durable
    hashes_file: bool  # whether Audit's SHA256Before is the file's hash (Excel has no file state to hash)


@contextmanager
def _file_book(path: Path) -> Iterator[Book]:
    with FileBook(path) as book:
        yield book


_MEMORY: dict[Path, MemoryBook] = {}


@contextmanager
def _memory_book(path: Path) -> Iterator[Book]:
    """The tables of the test's workbook file, read once, then kept in memory from open to open."""
    if path not in _MEMORY:
        with FileBook(path, lock=False) as file_book:
            tables = {t.name: file_book.read(t.name) for t in TABLES if file_book.has(t.name)}
        _MEMORY[path] = MemoryBook(tables, path=path)
    with _MEMORY[path] as book:
        yield book


@contextmanager
def _live_book(path: Path) -> Iterator[Book]:
    xw = pytest.importorskip("xlwings")
    try:
        app = xw.App(visible=False, add_book=False)
    except Exception as exc:  # no Excel on this machine (Linux, CI): the live contract cannot run
        pytest.skip(f"LiveBook contract NOT RUN: Microsoft Excel is not available through xlwings ({exc})")
    try:
        from macros.live import LiveBook

        xlbook = app.books.open(str(path))
        yield LiveBook(xlbook)
        xlbook.save()
        xlbook.close()
    finally:
        app.quit()


@contextmanager
def _double_book(path: Path) -> Iterator[Book]:
    from macros.live import LiveBook
    from tests.xlwings_double import excel_double

    with excel_double() as app:
        xlbook = app.books.open(str(path))
        yield LiveBook(xlbook)
        xlbook.save()
        xlbook.close()


ADAPTERS = [
    pytest.param(Adapter("file", _file_book, True), id="FileBook"),
    pytest.param(Adapter("memory", _memory_book, False), id="MemoryBook"),
    pytest.param(Adapter("double", _double_book, False), id="LiveBook-double"),
    pytest.param(Adapter("live", _live_book, False), id="LiveBook", marks=pytest.mark.excel),
]

INVOICE_HEADER = ["InvoiceNo", "CustomerID", "InvoiceDate", "Amount", "OpenAmount", "Status", "Note"]
INVOICES = [
    ["INV-1", "C1", dt.date(2026, 9, 1), 1234.56, None, None, "call first"],
    ["INV-2", "C2", dt.date(2026, 9, 15), 500, None, None, None],
    ["INV-3", "C1", dt.date(2026, 10, 1), -99.99, None, None, "credit"],
]


@pytest.fixture
def workbook(tmp_path) -> Path:
    """Invoices under a title (header on row 3), customers, and a log with one row."""
    return build_book(
        tmp_path / "Receivables.xlsx",
        [
            TableSpec(
                "Customers",
                ["CustomerID", "Name", "PaymentTermsDays"],
                [["C1", "Acme", 30], ["C2", "Beta", 14]],
            ),
            TableSpec("Invoices", INVOICE_HEADER, INVOICES, first_row=2),
            TableSpec(
                "Allocations",
                ["AllocationID", "InvoiceNo", "Amount", "PaymentDate"],
                [["A-1", "INV-1", 100, dt.date(2026, 10, 2)]],
            ),
        ],
    )


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


OPEN = pd.DataFrame(
    {
        "InvoiceNo": ["INV-3", "INV-1"],
        "OpenAmount": pd.array([-9999, 23456], dtype="Int64"),
        "Status": ["Credit", "Partial"],
    }
)


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_reads_typed_frames_indexed_by_excel_row(adapter, workbook):
    with adapter.open(workbook) as book:
        assert isinstance(book, Book) and book.path == workbook
        invoices = book.read("Invoices")
        assert list(invoices.index) == [4, 5, 6]
        assert invoices["Amount"].tolist() == [123456, 50000, -9999]
        assert (
            str(invoices["Amount"].dtype) == "Int64"
            and str(invoices["InvoiceDate"].dtype) == "datetime64[ns]"
        )
        assert invoices["DueDate"].tolist() == [
            pd.Timestamp("2026-10-01"),
            pd.Timestamp("2026-09-29"),
            pd.Timestamp("2026-10-31"),
        ]
        assert book.has("Invoices") and not book.has("Aging")
        aging = book.read("Aging")
        assert aging.empty and "CustomerID" in aging.columns


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize(("order", "day"), [("mdy", dt.date(2026, 3, 4)), ("dmy", dt.date(2026, 4, 3))])
def test_dates_typed_as_text_follow_the_settings_date_order(adapter, tmp_path, order, day):
    path = build_book(
        tmp_path / "Receivables.xlsx",
        [
            TableSpec("Settings", ["Key", "Value"], [["date_order", order]]),
            TableSpec("Customers", ["CustomerID", "Name"], [["C1", "Acme"]]),
            TableSpec(
                "Invoices",
                ["InvoiceNo", "CustomerID", "InvoiceDate", "Amount"],
                [["I1", "C1", "03/04/2026", 5]],
            ),
        ],
    )
    with adapter.open(path) as book:
        assert book.settings().date_order == order
        assert book.read("Invoices")["InvoiceDate"].tolist() == [pd.Timestamp(day)]


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_write_columns_writes_only_computed_columns_of_the_rows_named(adapter, workbook):
    with adapter.open(workbook) as book:
        with pytest.raises(ValueError, match="may not write"):
            book.write_columns("Invoices", "InvoiceNo", pd.DataFrame({"InvoiceNo": ["INV-1"], "Amount": [1]}))
        book.write_columns("Invoices", "InvoiceNo", OPEN)
        book.commit("aging", "two invoices")
    with adapter.open(workbook) as book:
        invoices = book.read("Invoices")
    assert invoices["OpenAmount"].tolist() == [23456, pd.NA, -9999]
    assert invoices["Status"].tolist() == ["Partial", "", "Credit"]
    assert invoices["Amount"].tolist() == [123456, 50000, -9999]
    assert invoices["InvoiceNo"].tolist() == ["INV-1", "INV-2", "INV-3"]


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_replace_rewrites_an_arbook_table_with_its_bucket_columns(adapter, workbook):
    standard = pd.DataFrame(
        {
            "CustomerID": ["C1", "C2"],
            "Current": pd.array([100, 0], dtype="Int64"),
            "1-30": pd.array([0, 200], dtype="Int64"),
            "Total": pd.array([100, 200], dtype="Int64"),
        }
    )
    custom = pd.DataFrame(
        {
            "CustomerID": ["C2"],
            "Current": pd.array([5], dtype="Int64"),
            "1-45": pd.array([7], dtype="Int64"),
            "46+": pd.array([9], dtype="Int64"),
            "Total": pd.array([21], dtype="Int64"),
        }
    )
    with adapter.open(workbook) as book:
        with pytest.raises(ValueError, match="belongs to the user"):
            book.replace("Invoices", standard)
        book.replace("Aging", standard)
        book.commit("aging", "standard buckets")
    with adapter.open(workbook) as book:
        aging = book.read("Aging")
        assert list(aging.index) == [2, 3]
        assert {c: aging[c].tolist() for c in standard.columns} == {
            c: standard[c].tolist() for c in standard.columns
        }
        book.replace("Aging", custom)
        book.commit("aging", "buckets 45,90")
    with adapter.open(workbook) as book:
        aging = book.read("Aging")
    assert list(aging.index) == [2]
    assert {c: aging[c].tolist() for c in custom.columns} == {c: custom[c].tolist() for c in custom.columns}
    assert "1-30" not in aging.columns, "a bucket the setting no longer has is gone"


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_append_adds_rows_to_logs_after_the_last_one(adapter, workbook):
    first = pd.DataFrame(
        {"AllocationID": ["A-2"], "InvoiceNo": ["INV-2"], "Amount": pd.array([5000], dtype="Int64")}
    )
    second = pd.DataFrame(
        {
            "AllocationID": ["A-3", "A-4"],
            "InvoiceNo": ["INV-3", "=1+1"],
            "Amount": pd.array([1, 2], dtype="Int64"),
        }
    )
    with adapter.open(workbook) as book:
        with pytest.raises(ValueError, match="does not take appended rows"):
            book.append("Invoices", first)
        book.append("Allocations", first)
        book.commit("post", "one")
    with adapter.open(workbook) as book:
        book.append("Allocations", second)
        book.commit("post", "two")
    with adapter.open(workbook) as book:
        log = book.read("Allocations")
    assert list(log.index) == [2, 3, 4, 5]
    assert log["AllocationID"].tolist() == ["A-1", "A-2", "A-3", "A-4"]
    assert log["InvoiceNo"].tolist() == ["INV-1", "INV-2", "INV-3", "=1+1"]
    assert log["Amount"].tolist() == [10000, 5000, 1, 2]


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_staged_changes_are_visible_to_later_reads_of_the_same_book(adapter, workbook):
    with adapter.open(workbook) as book:
        book.write_columns("Invoices", "InvoiceNo", OPEN)
        assert book.read("Invoices")["OpenAmount"].tolist() == [23456, pd.NA, -9999]
        book.append(
            "Allocations", pd.DataFrame({"AllocationID": ["A-9"], "Amount": pd.array([1], dtype="Int64")})
        )
        assert book.read("Allocations")["AllocationID"].tolist() == ["A-1", "A-9"]
        book.replace(
            "Forecast", pd.DataFrame({"Period": ["2026-12"], "Expected": pd.array([1], dtype="Int64")})
        )
        assert book.read("Forecast")["Period"].tolist() == ["2026-12"]


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_each_commit_adds_one_audit_row_naming_the_previous_file(adapter, workbook):
    versions = []
    for n in (1, 2):
        versions.append(_sha(workbook))
        with adapter.open(workbook) as book:
            book.write_columns(
                "Invoices", "InvoiceNo", OPEN.assign(OpenAmount=pd.array([n, n], dtype="Int64"))
            )
            book.commit("aging", f"run {n}")
    with adapter.open(workbook) as book:
        audit = book.read("Audit")
    assert audit["Command"].tolist() == ["aging", "aging"]
    assert audit["Summary"].tolist() == ["run 1", "run 2"]
    assert audit["At"].notna().all() and (audit["User"] != "").all()
    if adapter.hashes_file:
        assert audit["SHA256Before"].tolist() == versions
        assert all(len(h) == 64 and h not in versions for h in audit["SHA256After"])
