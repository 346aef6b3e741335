"""Writing off: by hand with a reason (Invoices.WriteOff, or `arbook write-off`), and small remainders
a posting leaves by themselves (the writeoff_limit setting); Kind writeoff rows appended."""

from __future__ import annotations

import pandas as pd
import pytest

from arbook.runner import run
from common.errors import InputError, Problem
from tests.clerk_support import AS_OF, SETTINGS, ledger_book, rows, typed

LOG = ["LineID", "InvoiceNo", "CustomerID", "Amount", "Kind", "Method", "Reason"]
INVOICE_STATE = ["InvoiceNo", "OpenAmount", "Status", "LastPaymentDate"]


def test_a_write_off_by_hand_closes_the_invoice_with_its_reason_once() -> None:
    book = typed(ledger_book(), "Invoices", "InvoiceNo", "WriteOff", {"INV-3": "customer insolvent"})
    summary = run(book, "post", as_of=AS_OF)
    assert summary.ok and summary.figures["written off"] == "INV-3 250.00 (customer insolvent)"
    assert rows(book, "Allocations", LOG) == [
        ("", "INV-3", "C002", 25000, "writeoff", "manual", "customer insolvent")
    ]
    assert book.read("Allocations")["PaymentDate"].dt.date.astype(str).tolist() == ["2026-10-31"]
    assert rows(book, "Invoices", INVOICE_STATE)[2] == ("INV-3", 0, "Paid", "2026-10-31")
    assert "written off INV-3 250.00 (customer insolvent)" in book.read("Audit").iloc[-1]["Summary"]
    again = run(book, "post", as_of=AS_OF)
    assert again.ok and "written off" not in again.figures
    assert len(book.read("Allocations")) == 1


def test_the_write_off_operation_takes_an_amount_and_refuses_more_than_is_open() -> None:
    book = ledger_book()
    run(book, "write-off", as_of=AS_OF, invoice="INV-2", reason="goodwill", amount_cents=1500)
    assert rows(book, "Allocations", LOG) == [("", "INV-2", "C001", 1500, "writeoff", "manual", "goodwill")]
    assert rows(book, "Invoices", INVOICE_STATE)[1] == ("INV-2", 38500, "Partial", "2026-10-31")
    assert (
        book.read("Audit").iloc[-1]["Command"]
        == "write-off --as-of 2026-10-31 INV-2 --amount 15.00 --reason goodwill"
    )
    with pytest.raises(InputError) as refused:
        run(book, "write-off", as_of=AS_OF, invoice="INV-2", reason="more", amount_cents=40000)
    assert refused.value.problems == [
        Problem("command line", None, None, "INV-2 has 385.00 open; cannot write off 400.00")
    ]
    assert len(book.read("Allocations")) == 1


def test_a_remainder_within_the_writeoff_limit_is_written_off_by_itself() -> None:
    settings = pd.DataFrame(
        {"Key": ["base_currency", "writeoff_limit"], "Value": ["EUR", "5.00"], "Description": ""}
    )
    book = typed(
        ledger_book(Settings=settings), "BankLines", "LineID", "ApplyTo", {"L2": "INV-1 596.00; INV-2 300.00"}
    )
    summary = run(book, "post", as_of=AS_OF)
    assert summary.figures["remainders written off"] == 1
    assert rows(book, "Allocations", LOG) == [
        ("L2", "INV-1", "C001", 59600, "payment", "manual", "INV-1 596.00; INV-2 300.00"),
        ("L2", "INV-2", "C001", 30000, "payment", "manual", "INV-1 596.00; INV-2 300.00"),
        ("L2", "", "C001", 400, "unapplied", "manual", "INV-1 596.00; INV-2 300.00"),
        ("L2", "INV-1", "C001", 400, "writeoff", "auto", "remainder 4.00 EUR within writeoff_limit 5.00"),
    ]  # INV-2's 100.00 left is above the limit
    assert rows(book, "Invoices", INVOICE_STATE)[:2] == [
        ("INV-1", 0, "Paid", "2026-10-12"),
        ("INV-2", 10000, "Partial", "2026-10-12"),
    ]
    assert SETTINGS["Key"].tolist() == ["base_currency"]  # the shared default book has no limit (0: none)
