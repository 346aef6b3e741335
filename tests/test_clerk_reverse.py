"""Reversing postings: reversing rows appended (the log never edited), invoices reopened, the line
back to Unmatched and not matched the same way again; a reversal reversed puts the posting back."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from arbook.cli import cli
from arbook.runner import run
from common.errors import InputError, Problem
from tests.clerk_support import AS_OF, CUSTOMERS, INVOICES, LINES, ledger_book, rows, typed
from workbook import FileBook, MemoryBook, build_workbook

LOG = ["LineID", "InvoiceNo", "CustomerID", "Amount", "Kind", "Method", "Reason"]
INVOICE_STATE = ["InvoiceNo", "OpenAmount", "Status", "LastPaymentDate"]
POSTED = [
    ("L1", "INV-1", "C001", 60000, "payment", "auto", ""),
    ("L1", "INV-2", "C001", 40000, "payment", "auto", ""),
]
REVERSED = [
    ("L1", "INV-1", "C001", -60000, "payment", "reversal", "paid by the sister company"),
    ("L1", "INV-2", "C001", -40000, "payment", "reversal", "paid by the sister company"),
]


@pytest.fixture
def matched() -> MemoryBook:
    """L1 (1,000.00, memo naming INV-1 and INV-2) posted automatically to both invoices."""
    book = ledger_book(BankLines=LINES.iloc[:1])
    run(book, "match", as_of=AS_OF)
    assert rows(book, "Allocations", LOG) == POSTED
    return book


def test_reversing_an_automatic_multi_invoice_posting(matched: MemoryBook) -> None:
    assert rows(matched, "Invoices", INVOICE_STATE)[:2] == [
        ("INV-1", 0, "Paid", "2026-10-10"),
        ("INV-2", 0, "Paid", "2026-10-10"),
    ]  # refreshed by the match itself
    book = typed(matched, "BankLines", "LineID", "Reverse", {"L1": "paid by the sister company"})
    summary = run(book, "post", as_of=AS_OF)
    assert summary.figures["reversed"] == "L1 (paid by the sister company): 2 rows"
    assert rows(book, "Allocations", LOG) == POSTED + REVERSED
    log = book.read("Allocations")
    assert log["Reverses"].tolist() == ["", "", *log["AllocationID"].iloc[:2]]
    assert log["PaymentDate"].dt.date.astype(str).tolist() == ["2026-10-10"] * 4  # nets at every as-of date
    assert log["Posting"].iloc[2] == log["Posting"].iloc[3] != log["Posting"].iloc[0]
    assert rows(book, "Invoices", INVOICE_STATE)[:2] == [
        ("INV-1", 60000, "Open", ""),
        ("INV-2", 40000, "Open", ""),
    ]
    assert rows(book, "BankLines", ["LineID", "Status"]) == [("L1", "Unmatched")]
    audit = book.read("Audit").iloc[-1]
    assert audit["Command"] == "post --as-of 2026-10-31" and audit["User"]
    assert "reversed L1 (paid by the sister company): 2 rows" in audit["Summary"]


def test_the_matcher_does_not_post_a_reversed_pairing_again(matched: MemoryBook) -> None:
    book = typed(matched, "BankLines", "LineID", "Reverse", {"L1": "paid by the sister company"})
    run(book, "post", as_of=AS_OF)
    again = run(book, "match", as_of=AS_OF)
    assert again.figures["auto-posted lines"] == 0
    assert rows(book, "Allocations", LOG) == POSTED + REVERSED
    matches = book.read("Matches")
    proposed = {frozenset(g["InvoiceNo"]) for _, g in matches[matches["LineID"] == "L1"].groupby("MatchID")}
    assert frozenset({"INV-1", "INV-2"}) not in proposed
    assert rows(book, "BankLines", ["LineID", "Status"]) in ([("L1", "Unmatched")], [("L1", "Suggested")])


def test_a_mark_is_carried_out_once(matched: MemoryBook) -> None:
    book = typed(matched, "BankLines", "LineID", "Reverse", {"L1": "paid by the sister company"})
    run(book, "post", as_of=AS_OF)
    second = run(book, "post", as_of=AS_OF)
    assert "reversed" not in second.figures and second.ok
    assert rows(book, "Allocations", LOG) == POSTED + REVERSED


def test_reversing_a_reversal_puts_the_posting_back(matched: MemoryBook) -> None:
    book = typed(matched, "BankLines", "LineID", "Reverse", {"L1": "paid by the sister company"})
    run(book, "post", as_of=AS_OF)
    reversing = book.read("Allocations")["AllocationID"].iloc[2]
    book = typed(book, "Allocations", "AllocationID", "Reverse", {reversing: "it was Acme after all"})
    summary = run(book, "post", as_of=AS_OF)
    assert summary.figures["reversed"] == f"{reversing} (it was Acme after all): 2 rows"
    assert "the whole posting was reversed" in " ".join(summary.notes)
    assert rows(book, "Allocations", LOG) == POSTED + REVERSED + [
        ("L1", "INV-1", "C001", 60000, "payment", "reversal", "it was Acme after all"),
        ("L1", "INV-2", "C001", 40000, "payment", "reversal", "it was Acme after all"),
    ]
    log = book.read("Allocations")
    assert log["Reverses"].iloc[4:].tolist() == log["AllocationID"].iloc[2:4].tolist()
    assert rows(book, "Invoices", INVOICE_STATE)[:2] == [
        ("INV-1", 0, "Paid", "2026-10-10"),
        ("INV-2", 0, "Paid", "2026-10-10"),
    ]
    assert rows(book, "BankLines", ["LineID", "Status"]) == [("L1", "Matched")]
    # the clerk's first mark is still in BankLines.Reverse: it was carried out, so nothing happens
    assert "reversed" not in run(book, "post", as_of=AS_OF).figures
    assert len(book.read("Allocations")) == 6


def test_one_row_of_a_posting_to_invoices_alone(matched: MemoryBook) -> None:
    second = matched.read("Allocations")["AllocationID"].iloc[1]
    book = typed(matched, "Allocations", "AllocationID", "Reverse", {second: "INV-2 was paid by cheque"})
    run(book, "post", as_of=AS_OF)
    assert rows(book, "Allocations", LOG) == [
        *POSTED,
        ("L1", "INV-2", "C001", -40000, "payment", "reversal", "INV-2 was paid by cheque"),
    ]
    assert rows(book, "Invoices", INVOICE_STATE)[:2] == [
        ("INV-1", 0, "Paid", "2026-10-10"),
        ("INV-2", 40000, "Open", ""),
    ]
    assert rows(book, "BankLines", ["LineID", "Status"]) == [("L1", "Partial")]


def test_on_the_command_line_what_cannot_be_reversed_is_refused(matched: MemoryBook) -> None:
    first = matched.read("Allocations")["AllocationID"].iloc[0]
    run(matched, "reverse", as_of=AS_OF, target=first, reason="wrong invoice")
    assert rows(matched, "Allocations", LOG)[2:] == [
        ("L1", "INV-1", "C001", -60000, "payment", "reversal", "wrong invoice")
    ]
    with pytest.raises(InputError) as refused:
        run(matched, "reverse", as_of=AS_OF, target=first, reason="again")
    reverser = matched.read("Allocations")["AllocationID"].iloc[2]
    assert refused.value.problems == [
        Problem("command line", None, None, f"{first} was already reversed by {reverser}")
    ]
    with pytest.raises(InputError) as unknown:
        run(matched, "reverse", as_of=AS_OF, target="A-nothing", reason="x")
    assert "'A-nothing' is none" in str(unknown.value)
    assert len(matched.read("Allocations")) == 3  # nothing written by the refusals


def test_a_reversal_in_the_log_leaves_behaviour_figures_as_if_never_posted(matched: MemoryBook) -> None:
    from receivables import Ledger, no_rates

    book = typed(matched, "BankLines", "LineID", "Reverse", {"L1": "paid by the sister company"})
    run(book, "post", as_of=AS_OF)
    ledger = Ledger(
        book.read("Invoices"),
        book.read("Allocations"),
        book.read("Customers"),
        as_of=AS_OF,
        rates=no_rates("EUR"),
    )
    assert ledger.history.empty  # no payment stands
    assert pd.isna(ledger.balances.set_index("InvoiceNo").loc["INV-1", "LastPaymentDate"])


def test_reversing_a_posting_by_hand_takes_back_its_unapplied_rest_and_is_not_applied_again() -> None:
    book = typed(ledger_book(), "BankLines", "LineID", "ApplyTo", {"L2": "INV-1 500.00"})
    run(book, "post", as_of=AS_OF)
    by_hand = [
        ("L2", "INV-1", "C001", 50000, "payment", "manual", "INV-1 500.00"),
        ("L2", "", "C001", 40000, "unapplied", "manual", "INV-1 500.00"),
    ]
    assert rows(book, "Allocations", LOG) == by_hand
    book = typed(book, "BankLines", "LineID", "Reverse", {"L2": "typed the wrong line"})
    summary = run(book, "post", as_of=AS_OF)
    assert summary.ok and summary.figures["reversed"] == "L2 (typed the wrong line): 2 rows"
    assert rows(book, "Allocations", LOG) == [
        *by_hand,
        ("L2", "INV-1", "C001", -50000, "payment", "reversal", "typed the wrong line"),
        ("L2", "", "C001", -40000, "unapplied", "reversal", "typed the wrong line"),
    ]
    assert rows(book, "Invoices", INVOICE_STATE)[0] == ("INV-1", 60000, "Open", "")
    assert rows(book, "BankLines", ["LineID", "Status", "ApplyTo"])[1] == ("L2", "Unmatched", "INV-1 500.00")
    # the ApplyTo and Reverse cells still hold the clerk's text: a rerun posts nothing of either again
    rerun = run(book, "post", as_of=AS_OF)
    assert rerun.ok and "reversed" not in rerun.figures and "applied by hand" not in rerun.figures
    assert len(book.read("Allocations")) == 4


def test_match_and_post_rerun_after_a_reversal_post_nothing_twice_and_lose_nothing(
    matched: MemoryBook,
) -> None:
    book = typed(matched, "BankLines", "LineID", "Reverse", {"L1": "paid by the sister company"})
    run(book, "post", as_of=AS_OF)
    for _ in range(2):
        run(book, "match", as_of=AS_OF)
        run(book, "post", as_of=AS_OF)
    assert rows(book, "Allocations", LOG) == POSTED + REVERSED
    balances = rows(book, "Invoices", INVOICE_STATE)
    assert balances[:2] == [("INV-1", 60000, "Open", ""), ("INV-2", 40000, "Open", "")]
    assert sum(book.read("Allocations")["Amount"]) == 0  # every cent posted is still accounted for


def test_arbook_reverse_on_a_workbook_file(tmp_path: Path) -> None:
    path = tmp_path / "Book.xlsx"
    build_workbook(path, rows={"Customers": CUSTOMERS, "Invoices": INVOICES, "BankLines": LINES.iloc[:1]})
    assert CliRunner().invoke(cli, ["match", str(path), "--as-of", "2026-10-31"]).exit_code == 0
    done = CliRunner().invoke(
        cli, ["reverse", str(path), "L1", "--reason", "paid by the sister company", "--as-of", "2026-10-31"]
    )
    assert done.exit_code == 0, done.output
    with FileBook(path) as book:
        assert rows(book, "Allocations", LOG) == POSTED + REVERSED
        assert rows(book, "BankLines", ["LineID", "Status"]) == [("L1", "Unmatched")]
        audit = book.read("Audit").iloc[-1]
        assert audit["Command"] == "reverse --as-of 2026-10-31 L1 --reason 'paid by the sister company'"
        assert audit["User"] and "reversed L1 (paid by the sister company): 2 rows" in audit["Summary"]


def test_a_line_of_an_earlier_month_only_in_the_log_is_reversed_whole(matched: MemoryBook) -> None:
    earlier = MemoryBook(
        {name: matched.read(name) for name in ("Settings", "Customers", "Invoices", "Allocations")}
        | {"BankLines": LINES.iloc[1:]}  # L1 is no longer in BankLines, only in the log
    )
    summary = run(earlier, "reverse", as_of=AS_OF, target="L1", reason="paid by the sister company")
    assert summary.figures["reversed"] == "L1 (paid by the sister company): 2 rows"
    assert rows(earlier, "Allocations", LOG) == POSTED + REVERSED
