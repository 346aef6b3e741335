"""The MemoryBook: an operation run on it gives what it gives on a workbook file, in a fraction of the time."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from arbook.runner import run
from common.errors import InputError, Problem
from tests.test_aging_operation import ALLOCATIONS, CUSTOMERS, INVOICES
from workbook import FileBook, MemoryBook, build_workbook

AS_OF = date(2026, 6, 30)
SETTINGS = pd.DataFrame({"Key": ["aging_buckets"], "Value": ["30,60,90"], "Description": [""]})
TABLES = {"Settings": SETTINGS, "Customers": CUSTOMERS, "Invoices": INVOICES, "Allocations": ALLOCATIONS}


def _results(book) -> dict[str, pd.DataFrame]:
    return {name: book.read(name).reset_index(drop=True) for name in ("Invoices", "Aging", "KPIs")}


def test_aging_on_a_memory_book_gives_what_it_gives_on_the_file(tmp_path):
    path = tmp_path / "Book.xlsx"
    build_workbook(path, rows=TABLES)
    with FileBook(path) as book:
        on_file = run(book, "aging", as_of=AS_OF)
    with FileBook(path) as book:
        file_tables = _results(book)
    memory = MemoryBook(TABLES)
    on_memory = run(memory, "aging", as_of=AS_OF)
    assert on_memory.figures == on_file.figures and on_memory.notes == on_file.notes
    memory_tables = _results(memory)
    for name, frame in file_tables.items():
        pd.testing.assert_frame_equal(memory_tables[name], frame, check_like=True)
    assert memory.read("Audit")["Command"].tolist() == ["aging --as-of 2026-06-30"]


def test_what_was_not_committed_is_gone_when_the_book_is_left():
    book = MemoryBook(TABLES)
    with book:
        book.write_columns("Invoices", "InvoiceNo", pd.DataFrame({"InvoiceNo": ["I1"], "Status": ["Paid"]}))
        assert book.read("Invoices")["Status"].tolist()[0] == "Paid"
    assert book.read("Invoices")["Status"].tolist()[0] == ""
    assert not book.has("Aging")


def test_a_bad_cell_is_refused_where_it_is_as_by_the_file_book():
    invoices = INVOICES.assign(Amount=pd.array([1, 2, 0, 4], dtype="Int64"))
    with pytest.raises(InputError) as refused:
        MemoryBook({**TABLES, "Invoices": invoices}).read("Invoices")
    assert refused.value.problems == [
        Problem("Invoices", 4, "Amount", "expected a non-zero amount (negative for a credit note)")
    ]
