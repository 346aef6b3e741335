"""Behaviour of rules that were written in several places and now have one owner each
(docs/architecture.md, "Where each rule lives"; the grep guards are in test_architecture.py).

Everything here runs on MemoryBook or plain frames: these are the owners' contracts, stated
with exact expected values, not end-to-end runs.
"""

from __future__ import annotations

import warnings
from datetime import date

import pandas as pd
import pytest

from arbook.match import approvals as match_approvals
from arbook.match import approve_cells
from arbook.runner import run
from common.currency import row_currencies, with_currency
from common.errors import InputError
from matching.matcher.ledger import approvals
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


def test_a_rows_currency_is_its_own_else_the_first_fallback_else_the_base() -> None:
    frame = pd.DataFrame(
        {
            "Currency": ["usd ", "", None, float("nan"), "", "jpy"],
            "CustomerID": ["A", "B", "C", "D", "E", "F"],
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    customer = pd.Series({11: "gbp", 12: None, 13: "", 14: "chf"})  # aligned on the frame's index
    line = pd.Series({12: "SEK", 13: "NOK"})
    assert row_currencies(frame, "EUR").tolist() == ["USD", "EUR", "EUR", "EUR", "EUR", "JPY"]
    assert row_currencies(frame, "EUR", customer, line).tolist() == ["USD", "GBP", "SEK", "NOK", "CHF", "JPY"]
    assert row_currencies(frame, "EUR", line, column=None).tolist() == [
        "EUR",
        "EUR",
        "SEK",
        "NOK",
        "EUR",
        "EUR",
    ]
    assert row_currencies(frame.drop(columns="Currency"), "JPY").index.tolist() == [10, 11, 12, 13, 14, 15]


def test_a_currency_column_of_blanks_read_as_floats_warns_of_nothing() -> None:
    """pandas refuses (FutureWarning, later an error) to fill a float column with text: a column
    of empty cells typed float64 must still read as the base currency."""
    blanks = pd.DataFrame({"Currency": [float("nan"), float("nan")], "CustomerID": ["A", "B"]})
    customers = pd.DataFrame({"CustomerID": ["A"], "Currency": [float("nan")]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert row_currencies(blanks, "EUR").tolist() == ["EUR", "EUR"]
        assert with_currency(blanks, customers, "KWD")["Currency"].tolist() == ["KWD", "KWD"]


def test_an_item_takes_its_customers_currency_when_it_names_none() -> None:
    items = pd.DataFrame({"CustomerID": ["A", "B", "C", "A"], "Currency": ["", "usd", "", None]})
    customers = pd.DataFrame({"CustomerID": ["A", "B", "A"], "Currency": ["jpy", "GBP", "CHF"]})
    assert with_currency(items, customers, "EUR")["Currency"].tolist() == ["JPY", "USD", "EUR", "JPY"]
    assert with_currency(items, None, "EUR")["Currency"].tolist() == ["EUR", "USD", "EUR", "EUR"]


def test_the_matcher_takes_approvals_as_booleans_and_no_words() -> None:
    """Reading Y/N, ja/nein, 是/否 is the workbook's (common.values.parse_bool through the reader);
    the matcher is handed True, False or <NA>, and refuses anything else."""
    assert approvals(pd.Series([True, False, None, float("nan")], dtype=object)).tolist() == [
        True,
        False,
        pd.NA,
        pd.NA,
    ]
    for word in ("Y", "J", "x", "是", ""):
        with pytest.raises(TypeError):
            approvals(pd.Series([word]))


def test_approve_cells_go_to_the_matcher_as_booleans_and_back_as_the_contracts_y_and_n() -> None:
    matches = pd.DataFrame({"Approve": ["Y", "N", "", None]}, index=[2, 3, 4, 5])
    flags = match_approvals(matches)
    assert flags.tolist() == [True, False, pd.NA, pd.NA] and flags.index.tolist() == [2, 3, 4, 5]
    assert approve_cells(flags).tolist() == ["Y", "N", "", ""]
