"""Applying money by hand: the clerk names the invoices a bank line pays (BankLines.ApplyTo, or
`arbook apply`); arbook checks it, appends Method manual rows, leaves the rest unapplied on the
customer and refreshes the invoices; a refusal names the cell and posts nothing of that line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from arbook.apply import instruction
from arbook.cli import cli
from arbook.runner import run
from common.errors import InputError, Problem
from tests.clerk_support import AS_OF, CUSTOMERS, INVOICES, LINES, ledger_book, rows, typed
from workbook import FileBook, MemoryBook, build_workbook

LOG = ["LineID", "InvoiceNo", "CustomerID", "Amount", "Kind", "Method", "Reason"]
INVOICE_STATE = ["InvoiceNo", "OpenAmount", "Status", "LastPaymentDate"]
TWO_WITH_REMAINDER = "INV-1 500.00; INV-2 300.00"
APPLIED = [
    ("L2", "INV-1", "C001", 50000, "payment", "manual", TWO_WITH_REMAINDER),
    ("L2", "INV-2", "C001", 30000, "payment", "manual", TWO_WITH_REMAINDER),
    ("L2", "", "C001", 10000, "unapplied", "manual", TWO_WITH_REMAINDER),
]


def logged(book: MemoryBook) -> list[tuple[object, ...]]:
    return rows(book, "Allocations", LOG) if book.has("Allocations") else []


@pytest.fixture
def applied() -> MemoryBook:
    """L2 (900.00 from Acme GmbH, memo 'Zahlung Oktober') applied by hand to INV-1 and INV-2."""
    book = typed(ledger_book(), "BankLines", "LineID", "ApplyTo", {"L2": TWO_WITH_REMAINDER})
    summary = run(book, "post", as_of=AS_OF)
    assert summary.ok, summary.notes
    assert summary.figures["applied by hand"] == f"L2: {TWO_WITH_REMAINDER}"
    return book


def test_applying_by_hand_across_two_invoices_leaves_the_remainder_unapplied(applied: MemoryBook) -> None:
    assert rows(applied, "Allocations", LOG) == APPLIED
    log = applied.read("Allocations")
    assert log["PaymentDate"].dt.date.astype(str).tolist() == ["2026-10-12"] * 3  # the bank line's date
    assert log["Posting"].nunique() == 1 and log["AllocationID"].nunique() == 3
    assert rows(applied, "Invoices", INVOICE_STATE) == [
        ("INV-1", 10000, "Partial", "2026-10-12"),
        ("INV-2", 10000, "Partial", "2026-10-12"),
        ("INV-3", "", "", ""),  # not touched, not refreshed
        ("INV-5", "", "", ""),
    ]
    assert rows(applied, "BankLines", ["LineID", "Status", "ApplyTo"]) == [
        ("L1", "Unmatched", ""),
        ("L2", "Matched", TWO_WITH_REMAINDER),  # the clerk's cell stays as typed
    ]
    audit = applied.read("Audit").iloc[-1]
    assert audit["Command"] == "post --as-of 2026-10-31" and audit["User"] and audit["At"]
    assert f"applied by hand L2: {TWO_WITH_REMAINDER}" in audit["Summary"]


def test_posting_again_does_not_apply_the_same_instruction_twice(applied: MemoryBook) -> None:
    summary = run(applied, "post", as_of=AS_OF)
    assert summary.ok and "applied by hand" not in summary.figures
    assert rows(applied, "Allocations", LOG) == APPLIED


def test_an_overpaying_application_is_refused_at_its_cell_and_the_other_lines_post() -> None:
    book = typed(ledger_book(), "BankLines", "LineID", "ApplyTo", {"L1": "INV-1", "L2": "INV-2 500.00"})
    summary = run(book, "post", as_of=AS_OF)
    assert not summary.ok
    assert summary.notes == [
        "not posted: BankLines row 3 column ApplyTo: INV-2 has 400.00 EUR open; 500.00 EUR would overpay it"
    ]
    assert rows(book, "Allocations", LOG) == [
        ("L1", "INV-1", "C001", 60000, "payment", "manual", "INV-1"),
        ("L1", "", "C001", 40000, "unapplied", "manual", "INV-1"),
    ]
    assert rows(book, "Invoices", INVOICE_STATE)[:2] == [
        ("INV-1", 0, "Paid", "2026-10-10"),
        ("INV-2", "", "", ""),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "INV-3",
            "INV-3 belongs to customer C002 (Müller Maschinenbau GmbH), but the payer 'Acme GmbH' is "
            "customer C001 (Acme GmbH); if it really pays for C002, write 'C002:' before the invoice numbers",
        ),
        ("C003: INV-5", "INV-5 is in GBP, line L2 is in EUR"),
        (
            "INV-9",
            "expected invoice numbers from Invoices, each optionally followed by an amount, "
            "separated by ';'; 'INV-9' is no invoice",
        ),
        ("INV-1 950.00", "line L2 has 900.00 EUR to apply; the amounts asked add up to 950.00 EUR"),
        ("INV-1; INV-1", "expected each invoice once; INV-1 is named twice"),
    ],
)
def test_refusals_name_the_cell_and_post_nothing_of_the_line(text: str, expected: str) -> None:
    book = typed(ledger_book(), "BankLines", "LineID", "ApplyTo", {"L2": text})
    summary = run(book, "post", as_of=AS_OF)
    assert summary.notes == [f"not posted: BankLines row 3 column ApplyTo: {expected}"]
    assert not summary.ok
    assert logged(book) == []


def yen_book(apply_to: str) -> MemoryBook:
    """A JPY customer (no decimals: 120000 is 120,000 yen) whose bank line L9 the clerk applies."""
    customers = pd.concat(
        [CUSTOMERS, pd.DataFrame({"CustomerID": ["C009"], "Name": ["Kobe Shoji KK"], "Currency": ["JPY"]})],
        ignore_index=True,
    )
    invoices = pd.concat(
        [
            INVOICES,
            pd.DataFrame(
                {
                    "InvoiceNo": ["J-1"],
                    "CustomerID": ["C009"],
                    "InvoiceDate": pd.to_datetime(["2026-09-30"]),
                    "Currency": ["JPY"],
                    "Amount": pd.array([120000], dtype="Int64"),
                }
            ),
        ],
        ignore_index=True,
    )
    lines = pd.DataFrame(
        {
            "LineID": ["L9"],
            "Date": pd.to_datetime(["2026-10-20"]),
            "Amount": pd.array([150000], dtype="Int64"),
            "Currency": ["JPY"],
            "Payer": ["KOBE SHOJI"],
            "Memo": ["furikomi"],
            "BankRef": ["R9"],
            "Status": ["Unmatched"],
            "ApplyTo": [apply_to],
        }
    )
    return ledger_book(Customers=customers, Invoices=invoices, BankLines=lines)


def test_an_amount_typed_for_a_yen_invoice_is_read_in_yen_and_said_without_decimals() -> None:
    book = yen_book("J-1 100000")
    summary = run(book, "post", as_of=AS_OF)
    assert summary.ok, summary.notes
    assert rows(book, "Allocations", LOG) == [
        ("L9", "J-1", "C009", 100000, "payment", "manual", "J-1 100000"),
        ("L9", "", "C009", 50000, "unapplied", "manual", "J-1 100000"),
    ]
    over = yen_book("J-1 130000")
    summary = run(over, "post", as_of=AS_OF)
    assert summary.notes == [
        "not posted: BankLines row 2 column ApplyTo: J-1 has 120000 JPY open; 130000 JPY would overpay it"
    ]
    fraction = yen_book("J-1 100.50")
    summary = run(fraction, "post", as_of=AS_OF)
    assert summary.notes == [
        "not posted: BankLines row 2 column ApplyTo: J-1 is in JPY; the amount '100.50': "
        "expected a whole amount (the currency has no decimals), got 100.50"
    ]
    assert logged(over) == [] and logged(fraction) == []


def test_what_is_left_of_a_line_in_another_currency_than_the_customer_stays_in_the_lines_currency() -> None:
    """C001 keeps its books in EUR but was invoiced INV-U in USD and paid it in USD: the
    remainder left unapplied is 50.00 USD, never 50.00 read as the customer's EUR."""
    invoices = pd.concat(
        [
            INVOICES,
            pd.DataFrame(
                {
                    "InvoiceNo": ["INV-U"],
                    "CustomerID": ["C001"],
                    "InvoiceDate": pd.to_datetime(["2026-09-25"]),
                    "Currency": ["USD"],
                    "Amount": pd.array([10000], dtype="Int64"),
                }
            ),
        ],
        ignore_index=True,
    )
    line = LINES.iloc[[1]].assign(LineID="LU", Amount=pd.array([15000], dtype="Int64"), Currency="USD")
    book = typed(
        ledger_book(Invoices=invoices, BankLines=line), "BankLines", "LineID", "ApplyTo", {"LU": "INV-U"}
    )
    summary = run(book, "post", as_of=AS_OF)
    assert summary.ok, summary.notes
    assert rows(book, "Allocations", ["InvoiceNo", "Amount", "Kind", "Currency"]) == [
        ("INV-U", 10000, "payment", "USD"),
        ("", 5000, "unapplied", "USD"),
    ]


def test_another_customers_invoice_is_paid_when_the_clerk_names_the_customer() -> None:
    book = typed(ledger_book(), "BankLines", "LineID", "ApplyTo", {"L2": "C002: INV-3"})
    assert run(book, "post", as_of=AS_OF).ok
    assert rows(book, "Allocations", LOG) == [
        ("L2", "INV-3", "C002", 25000, "payment", "manual", "C002: INV-3"),
        ("L2", "", "C002", 65000, "unapplied", "manual", "C002: INV-3"),
    ]


def test_the_apply_operation_takes_the_words_of_the_command_line() -> None:
    assert instruction(["INV-1", "500.00", "INV-2", "300.00"]) == TWO_WITH_REMAINDER
    assert instruction(["INV-1 500.00", "INV-2"]) == "INV-1 500.00; INV-2"
    book = ledger_book()
    summary = run(book, "apply", as_of=AS_OF, source="L2", items=("INV-1", "500.00", "INV-2", "300.00"))
    assert summary.figures["applied by hand"] == f"L2: {TWO_WITH_REMAINDER}"
    assert rows(book, "Allocations", LOG) == APPLIED
    assert book.read("Audit").iloc[-1]["Command"] == "apply --as-of 2026-10-31 L2 INV-1 500.00 INV-2 300.00"


def test_the_apply_operation_refuses_with_the_reason_and_writes_nothing() -> None:
    book = ledger_book()
    with pytest.raises(InputError) as refused:
        run(book, "apply", as_of=AS_OF, source="L2", items=("INV-2", "500.00"))
    assert refused.value.problems == [
        Problem("command line", None, None, "INV-2 has 400.00 EUR open; 500.00 EUR would overpay it")
    ]
    assert logged(book) == []


def test_arbook_apply_on_a_workbook_file(tmp_path: Path) -> None:
    path = tmp_path / "Book.xlsx"
    build_workbook(path, rows={"Customers": CUSTOMERS, "Invoices": INVOICES, "BankLines": LINES})
    refused = CliRunner().invoke(cli, ["apply", str(path), "L2", "INV-2", "500.00", "--as-of", "2026-10-31"])
    assert refused.exit_code == 1 and isinstance(refused.exception, InputError)  # main() prints it, exit 1
    assert "command line: INV-2 has 400.00 EUR open; 500.00 EUR would overpay it" in str(refused.exception)
    done = CliRunner().invoke(
        cli, ["apply", str(path), "L2", "INV-1", "500.00", "INV-2", "300.00", "--as-of", "2026-10-31"]
    )
    assert done.exit_code == 0, done.output
    with FileBook(path) as book:
        assert rows(book, "Allocations", LOG) == APPLIED
        assert rows(book, "Invoices", INVOICE_STATE)[:2] == [
            ("INV-1", 10000, "Partial", "2026-10-12"),
            ("INV-2", 10000, "Partial", "2026-10-12"),
        ]
        assert (
            book.read("Audit")["Command"].tolist()[-1]
            == "apply --as-of 2026-10-31 L2 INV-1 500.00 INV-2 300.00"
        )
