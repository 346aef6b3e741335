"""Behaviour of rules that were written in several places and now have one owner each
(docs/architecture.md, "Where each rule lives"; the grep guards are in test_architecture.py).

Everything here runs on MemoryBook or plain frames: these are the owners' contracts, stated
with exact expected values, not end-to-end runs.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from arbook.runner import run
from common.errors import InputError
from workbook.memorybook import MemoryBook

DAY = date(2026, 4, 13)


def _yen_book(approved_yen: int) -> MemoryBook:
    """A JPY invoice of 10,000 yen, a JPY bank line of 12,000 and an approved proposal of `approved_yen`."""
    return MemoryBook(
        {
            "Settings": pd.DataFrame({"Key": ["base_currency"], "Value": ["JPY"]}),
            "Customers": pd.DataFrame({"CustomerID": ["K"], "Name": ["Kabushiki"], "Currency": ["JPY"]}),
            "Invoices": pd.DataFrame(
                {
                    "InvoiceNo": ["J1"],
                    "CustomerID": ["K"],
                    "InvoiceDate": pd.to_datetime(["2026-04-01"]),
                    "Amount": pd.array([10_000], dtype="Int64"),
                }
            ),
            "BankLines": pd.DataFrame(
                {
                    "LineID": ["B1"],
                    "Date": pd.to_datetime([DAY]),
                    "Amount": pd.array([12_000], dtype="Int64"),
                    "Currency": ["JPY"],
                    "Payer": ["KABUSHIKI"],
                    "Memo": ["J1"],
                }
            ),
            "Matches": pd.DataFrame(
                {
                    "MatchID": ["M1"],
                    "LineID": ["B1"],
                    "InvoiceNo": ["J1"],
                    "CustomerID": ["K"],
                    "Amount": pd.array([approved_yen], dtype="Int64"),
                    "Currency": ["JPY"],
                    "Kind": ["payment"],
                    "Score": [70.0],
                    "Decision": ["suggested"],
                    "Reason": ["amount differs"],
                    "Approve": ["Y"],
                    "Status": ["pending"],
                }
            ),
        }
    )


def test_a_refused_approval_says_its_money_in_the_currencys_own_minor_units() -> None:
    """The matcher's refusals use the one money formatter: yen have no decimals (not "100.00")."""
    over_invoice = run(_yen_book(11_000), "post", as_of=DAY)
    assert not over_invoice.ok
    assert over_invoice.notes[0] == (
        "Matches M1 (line B1) not posted: invoice J1 has 10000 JPY open, the proposal allocates 11000 JPY"
    )
    over_line = run(_yen_book(13_000), "post", as_of=DAY)
    assert over_line.notes[0] == (
        "Matches M1 (line B1) not posted: the line has only 12000 JPY left to allocate, "
        "the proposal needs 13000 JPY"
    )


def test_the_workbook_refuses_every_address_mail_would_refuse() -> None:
    """One rule for an address (common.addresses): the reader no longer accepts what mail then
    cannot send to (a double dot, a domain label starting with a hyphen, non-ASCII)."""
    cells = ["ok@x.example", "a..b@c.example", "a@-b.example", "jörg@müller.example", "ok@x.example; x@y"]
    book = MemoryBook(
        {
            "Customers": pd.DataFrame(
                {
                    "CustomerID": [f"C{i}" for i in range(len(cells))],
                    "Name": ["N"] * len(cells),
                    "Email": cells,
                }
            )
        }
    )
    with pytest.raises(InputError) as refused:
        book.read("Customers")
    assert [(p.row, p.column, p.message) for p in refused.value.problems] == [
        (3, "Email", "expected an e-mail address, got 'a..b@c.example'"),
        (4, "Email", "expected an e-mail address, got 'a@-b.example'"),
        (5, "Email", "expected an e-mail address, got 'jörg@müller.example'"),
        (6, "Email", "expected an e-mail address, got 'x@y'"),
    ]
