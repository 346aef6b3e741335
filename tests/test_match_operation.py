"""`arbook match` and `arbook post` end to end, on a real workbook file (FileBook)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from arbook.match import line_notes
from arbook.runner import run
from common.errors import InputError
from workbook.contract import Settings
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
    # why lines stayed open is written to BankLines.Note (below); the console gives the count
    assert summary.figures["lines left open"] == 2
    assert summary.notes == [
        "2 bank credits are not (fully) matched (1 unmatched, 1 suggested): BankLines.Note says why for "
        "each, with its best candidates; suggestions wait in Matches (Approve Y or N, then arbook post)"
    ]
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


@pytest.mark.parametrize(("typed", "decided"), [("oui", "posted"), ("✓", "posted"), ("nein", "rejected")])
def test_approve_takes_the_yes_no_words_of_every_other_flag(
    book_path: Path, typed: str, decided: str
) -> None:
    with FileBook(book_path) as book:
        run(book, "match", as_of=AS_OF)
    # the clerk types the word of their language in Excel, as in Disputed or DunningBlocked
    workbook = openpyxl.load_workbook(book_path)
    sheet = workbook["Matches"]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[headers.index("LineID")].value == "L2":
            row[headers.index("Approve")].value = typed
    workbook.save(book_path)
    with FileBook(book_path) as book:
        summary = run(book, "post", as_of=AS_OF)
        matches = book.read("Matches")
    assert summary.figures[f"proposals {decided}"] == 1
    assert matches.loc[matches["LineID"] == "L2", ["Approve", "Status"]].values.tolist() == [
        ["Y" if decided == "posted" else "N", decided]
    ]


def test_an_approve_word_that_is_neither_yes_nor_no_is_refused_at_its_cell(book_path: Path) -> None:
    with FileBook(book_path) as book:
        run(book, "match", as_of=AS_OF)
    workbook = openpyxl.load_workbook(book_path)
    sheet = workbook["Matches"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(2, headers.index("Approve") + 1).value = "vielleicht"
    workbook.save(book_path)
    with (
        FileBook(book_path) as book,
        pytest.raises(InputError, match="Matches row 2 column Approve: expected yes or no"),
    ):
        run(book, "post", as_of=AS_OF)


def test_why_a_credit_stayed_open_is_written_to_its_note_beside_the_clerks_words(tmp_path: Path) -> None:
    path = tmp_path / "Book.xlsx"
    extra = pd.DataFrame(  # nothing open is near it, but an invoice of exactly its amount is
        {
            "LineID": ["L5"],
            "Date": pd.to_datetime(["2026-10-12"]),
            "Amount": pd.array([25000], dtype="Int64"),
            "Payer": ["Unbekannt"],
            "Memo": ["Zahlung"],
            "BankRef": ["R5"],
        }
    )
    lines = pd.concat([LINES.assign(Note=["", "called them on 3 Nov", "", ""]), extra], ignore_index=True)
    build_workbook(path, rows={"Customers": CUSTOMERS, "Invoices": INVOICES, "BankLines": lines})
    with FileBook(path) as book:
        run(book, "match", as_of=AS_OF)
    with FileBook(path) as book:
        notes = book.read("BankLines").set_index("LineID")["Note"].to_dict()
    assert notes == {
        "L1": "",
        "L2": "called them on 3 Nov arbook: not sure enough to post; suggested in Matches: INV-2026-00431 "
        "(customer C002, score 74) (Approve Y or N there, then arbook post)",
        "L3": "arbook: looks like a refund or return, not a customer payment: left unmatched",
        "L4": "",
        "L5": "arbook: open invoices of that amount: INV-2026-00430 (customer C002, same amount)",
    }
    # once approved and posted, arbook's words go and the clerk's stay
    with FileBook(path) as book:
        edited = book.read("Matches")
        edited.loc[edited["LineID"] == "L2", "Approve"] = "ja"
        book.replace("Matches", edited)
        book.commit("clerk", "approved L2")
    with FileBook(path) as book:
        run(book, "post", as_of=AS_OF)
    with FileBook(path) as book:
        notes = book.read("BankLines").set_index("LineID")["Note"].to_dict()
    assert notes["L2"] == "called them on 3 Nov"
    assert notes["L5"] == "arbook: open invoices of that amount: INV-2026-00430 (customer C002, same amount)"


def test_what_is_left_on_a_partly_applied_line_is_said_in_the_lines_currency() -> None:
    lines = pd.DataFrame(
        {
            "LineID": ["L1", "L2"],
            "Date": pd.to_datetime(["2026-10-01", "2026-10-01"]),
            "Amount": pd.array([5000, 1234], dtype="Int64"),
            "Currency": ["", "JPY"],  # blank: the base currency
            "Payer": ["X", "Y"],
            "Memo": ["a", "b"],
            "Status": ["Partial", "Partial"],
            "Note": ["", ""],
            "left": pd.array([1000, 234], dtype="Int64"),  # minor units of the line's currency
        }
    )
    matches = pd.DataFrame(columns=["LineID", "InvoiceNo", "CustomerID", "Score", "Decision", "Status"])
    items = pd.DataFrame(
        {
            "InvoiceNo": pd.Series([], dtype=str),
            "CustomerID": pd.Series([], dtype=str),
            "OpenAmount": pd.array([], dtype="Int64"),
        }
    )
    customers = pd.DataFrame({"CustomerID": pd.Series([], dtype=str), "Name": pd.Series([], dtype=str)})
    reasons = line_notes(lines, matches, items, customers, date(2026, 10, 31), Settings())["Reason"].tolist()
    nothing = "no open invoice fits its reference, payer and amount well enough to suggest"
    assert reasons == [
        f"10.00 EUR of it is not applied yet; {nothing}",
        f"234 JPY of it is not applied yet; {nothing}",
    ]


def test_a_line_the_matcher_takes_for_a_receipt_is_never_noted_as_something_else() -> None:
    """The note says "looks like a refund" only when the matcher itself keeps the line out: its
    exceptions (a customer's own name as payer, one of our invoices named) hold in the note too."""
    customers = pd.DataFrame({"CustomerID": ["C1"], "Name": ["Erstattung Service GmbH"], "Aliases": [""]})
    items = pd.DataFrame(
        {
            "InvoiceNo": ["INV-2026-00412"],
            "CustomerID": ["C1"],
            "InvoiceDate": pd.to_datetime(["2026-10-01"]),
            "Amount": pd.array([50000], dtype="Int64"),
            "OpenAmount": pd.array([50000], dtype="Int64"),
        }
    )
    lines = pd.DataFrame(
        {
            "LineID": ["L1", "L2", "L3"],
            "Date": pd.to_datetime(["2026-10-05"] * 3),
            "Amount": pd.array([12345, 23456, 34567], dtype="Int64"),
            "Currency": ["", "", ""],
            "Payer": ["Erstattung Service GmbH", "PayPal Europe", "Finanzamt Koeln"],
            "Memo": ["Zahlung", "PayPal payment INV-2026-00412", "Erstattung Umsatzsteuer"],
            "Status": ["Unmatched"] * 3,
            "Note": ["", "", ""],
            "left": pd.array([12345, 23456, 34567], dtype="Int64"),
        }
    )
    matches = pd.DataFrame(columns=["LineID", "InvoiceNo", "CustomerID", "Score", "Decision", "Status"])
    reasons = line_notes(lines, matches, items, customers, date(2026, 10, 31), Settings())["Reason"].tolist()
    nothing = "no open invoice fits its reference, payer and amount well enough to suggest"
    assert reasons == [
        nothing,
        nothing,
        "looks like a refund or return, not a customer payment: left unmatched",
    ]
