"""`arbook match` and `arbook post` end to end, on a real workbook file (FileBook)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from arbook.runner import run
from workbook.filebook import FileBook
from workbook.template import build_workbook

AS_OF = date(2026, 10, 31)
CUSTOMERS = pd.DataFrame({"CustomerID": ["C001", "C002"], "Name": ["Acme GmbH", "Müller Maschinenbau GmbH"]})
INVOICES = pd.DataFrame(
    {
        "InvoiceNo": ["INV-2026-00412", "INV-2026-00413", "INV-2026-00430", "INV-2026-00431"],
        "CustomerID": ["C001", "C001", "C002", "C002"],
        "InvoiceDate": pd.to_datetime(["2026-09-01", "2026-09-15", "2026-09-02", "2026-09-20"]),
        "Amount": pd.array([100000, 50000, 25000, 23450], dtype="Int64"),
    }
)
LINES = pd.DataFrame(
    {
        "LineID": ["L1", "L2", "L3", "L4"],
        "Date": pd.to_datetime(["2026-10-10"] * 4),
        "Amount": pd.array([98750, 23450, 100000, -5000], dtype="Int64"),
        "Payer": ["ACME GMBH", "M. Maschinenbau Handels KG", "Finanzamt Stuttgart", "Telekom"],
        "Memo": ["Rechnung INV-2026-00412", "Zahlung Oktober", "Erstattung USt 09/2026", '=HYPERLINK("x")'],
        "BankRef": ["R1", "R2", "R3", "R4"],
    }
)


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    path = tmp_path / "Book.xlsx"
    build_workbook(path, rows={"Customers": CUSTOMERS, "Invoices": INVOICES, "BankLines": LINES})
    return path


def test_match_then_post_through_the_workbook(book_path: Path) -> None:
    with FileBook(book_path) as book:
        summary = run(book, "match", as_of=AS_OF)
    assert summary.figures["auto-posted lines"] == 1 and summary.figures["lines with suggestions"] == 1
    assert any("L3" in n and "not a customer payment" in n for n in summary.notes)
    with FileBook(book_path) as book:
        allocations = book.read("Allocations")
        matches = book.read("Matches")
        lines = book.read("BankLines").set_index("LineID")
        audit = book.read("Audit")
    got = {(r.LineID, r.InvoiceNo, int(r.Amount), r.Kind, r.Method) for r in allocations.itertuples()}
    assert got == {
        ("L1", "INV-2026-00412", 98750, "payment", "auto"),
        ("L1", "INV-2026-00412", 1250, "fee", "auto"),
    }
    assert lines["Status"].to_dict() == {"L1": "Matched", "L2": "Suggested", "L3": "Unmatched", "L4": ""}
    assert lines.loc["L4", "Memo"] == '=HYPERLINK("x")'  # outside text stays text
    suggestion = matches[matches["LineID"] == "L2"]
    assert suggestion[["InvoiceNo", "Decision", "Status"]].values.tolist() == [
        ["INV-2026-00431", "suggested", "pending"]
    ]
    assert audit["Command"].tolist()[-1] == "match --as-of 2026-10-31"

    # The clerk approves the suggestion in Excel; `post` books it and learns the payer's name.
    with FileBook(book_path) as book:
        edited = book.read("Matches")
        edited.loc[edited["LineID"] == "L2", "Approve"] = "Y"
        book.replace("Matches", edited)
        book.commit("clerk", "approved L2")
    with FileBook(book_path) as book:
        summary = run(book, "post", as_of=AS_OF)
    assert summary.figures["proposals posted"] == 1 and summary.figures["aliases learned"] == 1
    with FileBook(book_path) as book:
        allocations = book.read("Allocations")
        customers = book.read("Customers").set_index("CustomerID")
        lines = book.read("BankLines").set_index("LineID")
    assert ("L2", "INV-2026-00431", 23450, "payment", "approved") in {
        (r.LineID, r.InvoiceNo, int(r.Amount), r.Kind, r.Method) for r in allocations.itertuples()
    }
    assert customers.loc["C002", "Aliases"] == "M. Maschinenbau Handels KG"
    assert lines.loc["L2", "Status"] == "Matched"

    # Matching again posts nothing twice.
    with FileBook(book_path) as book:
        again = run(book, "match", as_of=AS_OF)
    assert again.figures["auto-posted lines"] == 0
    with FileBook(book_path) as book:
        assert len(book.read("Allocations")) == 3
