"""Netting by hand: a credit note (Invoices.ApplyTo on it, or `arbook apply CREDITNOTE ...`) or cash
left unapplied on a customer (a bank line's ApplyTo, or `arbook apply LINE ...`) settles open
invoices of the same customer; the rows are appended, the invoices refreshed, refusals name the cell."""

from __future__ import annotations

import pandas as pd
import pytest

from arbook.runner import run
from common.errors import InputError, Problem
from tests.clerk_support import AS_OF, CUSTOMERS, INVOICES, LINES, credit_note, ledger_book, rows, typed
from workbook import MemoryBook

LOG = ["LineID", "InvoiceNo", "CustomerID", "Amount", "Kind", "Method", "Reason"]
INVOICE_STATE = ["InvoiceNo", "OpenAmount", "Status", "LastPaymentDate"]
CREDIT_NOTE = credit_note(-15000)


@pytest.fixture
def with_credit_note() -> MemoryBook:
    """The small ledger with CN-1, a credit note of 150.00 for customer C001 (row 6 of Invoices)."""
    return ledger_book(Invoices=pd.concat([INVOICES, CREDIT_NOTE], ignore_index=True))


def test_a_credit_note_applied_by_hand_settles_part_of_an_invoice(with_credit_note: MemoryBook) -> None:
    book = typed(with_credit_note, "Invoices", "InvoiceNo", "ApplyTo", {"CN-1": "INV-2"})
    summary = run(book, "post", as_of=AS_OF)
    assert summary.ok, summary.notes
    assert summary.figures["applied by hand"] == "CN-1: INV-2"
    assert rows(book, "Allocations", LOG) == [
        ("CN-1", "CN-1", "C001", -15000, "payment", "manual", "INV-2"),
        ("CN-1", "INV-2", "C001", 15000, "payment", "manual", "INV-2"),
    ]
    assert book.read("Allocations")["PaymentDate"].dt.date.astype(str).tolist() == ["2026-10-31"] * 2
    assert rows(book, "Invoices", INVOICE_STATE) == [
        ("INV-1", "", "", ""),
        ("INV-2", 25000, "Partial", "2026-10-31"),
        ("INV-3", "", "", ""),
        ("INV-5", "", "", ""),
        ("CN-1", 0, "Paid", "2026-10-31"),
    ]
    assert "applied by hand CN-1: INV-2" in book.read("Audit").iloc[-1]["Summary"]
    assert "applied by hand" not in run(book, "post", as_of=AS_OF).figures  # never twice
    assert len(book.read("Allocations")) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("INV-2 200.00", "credit note CN-1 has 150.00 EUR to apply; the amounts asked add up to 200.00 EUR"),
        *(
            (
                text,
                "INV-3 belongs to customer C002, but credit note CN-1 is customer C001's: a credit note "
                "settles invoices of its own customer (or group) only",
            )
            for text in ("INV-3", "C002: INV-3")
        ),
    ],
)
def test_a_credit_note_that_cannot_settle_is_refused_at_its_cell(
    with_credit_note: MemoryBook, text: str, expected: str
) -> None:
    book = typed(with_credit_note, "Invoices", "InvoiceNo", "ApplyTo", {"CN-1": text})
    summary = run(book, "post", as_of=AS_OF)
    assert not summary.ok
    assert summary.notes == [f"not posted: Invoices row 6 column ApplyTo: {expected}"]
    assert not book.has("Allocations") or book.read("Allocations").empty


def test_the_apply_operation_nets_a_credit_note_and_refuses_an_invoice_as_source(
    with_credit_note: MemoryBook,
) -> None:
    run(with_credit_note, "apply", as_of=AS_OF, source="CN-1", items=("INV-1", "100.00"))
    assert rows(with_credit_note, "Allocations", LOG) == [
        ("CN-1", "CN-1", "C001", -10000, "payment", "manual", "INV-1 100.00"),
        ("CN-1", "INV-1", "C001", 10000, "payment", "manual", "INV-1 100.00"),
    ]
    with pytest.raises(InputError) as refused:
        run(with_credit_note, "apply", as_of=AS_OF, source="INV-2", items=("INV-1",))
    assert refused.value.problems == [
        Problem(
            "command line",
            None,
            None,
            "INV-2 is an invoice; only a credit note (a negative Amount) is applied to invoices",
        )
    ]
    assert len(with_credit_note.read("Allocations")) == 2


def test_cash_left_unapplied_is_netted_against_an_open_invoice() -> None:
    book = typed(ledger_book(), "BankLines", "LineID", "ApplyTo", {"L2": "INV-1 500.00; INV-2 300.00"})
    run(book, "post", as_of=AS_OF)  # leaves 100.00 of L2 unapplied on C001
    run(book, "apply", as_of=AS_OF, source="L2", items=("INV-1",))
    assert rows(book, "Allocations", LOG)[3:] == [
        ("L2", "INV-1", "C001", 10000, "payment", "manual", "INV-1"),
        ("L2", "", "C001", -10000, "unapplied", "manual", "INV-1"),
    ]
    assert rows(book, "Invoices", INVOICE_STATE)[:2] == [
        ("INV-1", 0, "Paid", "2026-10-12"),
        ("INV-2", 10000, "Partial", "2026-10-12"),
    ]
    with pytest.raises(InputError) as refused:
        run(book, "apply", as_of=AS_OF, source="L2", items=("INV-2",))
    assert refused.value.problems == [
        Problem("command line", None, None, "nothing of line L2 is left for INV-2")
    ]


# -- netting proposed by match ---------------------------------------------------------------
PROPOSAL = [
    "LineID",
    "InvoiceNo",
    "CustomerID",
    "Amount",
    "Currency",
    "Decision",
    "Reason",
    "Approve",
    "Status",
]
NO_LINES = LINES.iloc[:0]


def test_match_proposes_a_credit_note_that_quotes_its_invoice_and_approval_posts_it() -> None:
    book = ledger_book(
        Invoices=pd.concat([INVOICES, credit_note(-15000, "Gutschrift zu inv-2")], ignore_index=True),
        BankLines=NO_LINES,
    )
    run(book, "match", as_of=AS_OF)
    assert rows(book, "Matches", PROPOSAL) == [
        (
            "CN-1",
            "INV-2",
            "C001",
            15000,
            "EUR",
            "suggested",
            "netting: CN-1 quotes INV-2 in its Reference; Approve Y to settle it with this credit",
            "",
            "pending",
        )
    ]
    assert book.read("Matches")["MatchID"].str.startswith("N-").all()
    book = typed(book, "Matches", "LineID", "Approve", {"CN-1": "Y"})
    summary = run(book, "post", as_of=AS_OF)
    assert summary.ok, summary.notes
    assert summary.figures["netted on approval"] == "CN-1: C001: INV-2 150.00"
    assert rows(book, "Allocations", LOG) == [
        ("CN-1", "CN-1", "C001", -15000, "payment", "approved", "C001: INV-2 150.00"),
        ("CN-1", "INV-2", "C001", 15000, "payment", "approved", "C001: INV-2 150.00"),
    ]
    assert rows(book, "Invoices", INVOICE_STATE)[1:] == [
        ("INV-2", 25000, "Partial", "2026-10-31"),
        ("INV-3", "", "", ""),
        ("INV-5", "", "", ""),
        ("CN-1", 0, "Paid", "2026-10-31"),
    ]
    assert [r[-1] for r in rows(book, "Matches", PROPOSAL)] == ["posted"]
    run(book, "post", as_of=AS_OF)
    run(book, "match", as_of=AS_OF)  # nothing left to net, nothing posted twice
    assert book.read("Matches").empty
    assert len(book.read("Allocations")) == 2


@pytest.mark.parametrize(
    ("invoices", "expected"),
    [
        (INVOICES, [("CN-1", "INV-2", "C001", 40000)]),  # 400.00 = INV-2 alone
        (  # another open invoice of 400.00 of the same customer: in doubt, nothing proposed
            pd.concat([INVOICES, INVOICES.iloc[[1]].assign(InvoiceNo="INV-4")], ignore_index=True),
            [],
        ),
        (  # of another customer in another group: not this credit note's
            INVOICES.assign(CustomerID=["C002", "C002", "C002", "C003"]),
            [],
        ),
    ],
)
def test_match_proposes_a_credit_note_that_equals_exactly_one_open_invoice(
    invoices: pd.DataFrame, expected: list[tuple[object, ...]]
) -> None:
    book = ledger_book(
        Invoices=pd.concat([invoices, credit_note(-40000)], ignore_index=True), BankLines=NO_LINES
    )
    run(book, "match", as_of=AS_OF)
    assert rows(book, "Matches", PROPOSAL[:4]) == expected


def test_match_proposes_cash_left_unapplied_against_the_invoice_of_that_amount() -> None:
    book = ledger_book(BankLines=LINES.iloc[[1]].assign(ApplyTo="INV-2 300.00"))
    run(book, "post", as_of=AS_OF)  # 600.00 of L2 left unapplied on C001, INV-1 open 600.00
    run(book, "match", as_of=AS_OF)
    assert rows(book, "Matches", PROPOSAL[:6]) == [("L2", "INV-1", "C001", 60000, "EUR", "suggested")]
    book = typed(book, "Matches", "LineID", "Approve", {"L2": "ja"})
    summary = run(book, "post", as_of=AS_OF)
    assert summary.ok, summary.notes
    assert rows(book, "Allocations", LOG)[2:] == [
        ("L2", "INV-1", "C001", 60000, "payment", "approved", "C001: INV-1 600.00"),
        ("L2", "", "C001", -60000, "unapplied", "approved", "C001: INV-1 600.00"),
    ]
    assert rows(book, "Invoices", INVOICE_STATE)[:2] == [
        ("INV-1", 0, "Paid", "2026-10-12"),
        ("INV-2", 10000, "Partial", "2026-10-12"),
    ]


def test_a_rejected_netting_proposal_is_kept_rejected_and_not_proposed_again() -> None:
    book = ledger_book(
        Invoices=pd.concat([INVOICES, credit_note(-40000)], ignore_index=True), BankLines=NO_LINES
    )
    run(book, "match", as_of=AS_OF)
    book = typed(book, "Matches", "LineID", "Approve", {"CN-1": "N"})
    run(book, "post", as_of=AS_OF)
    for _ in range(2):
        run(book, "match", as_of=AS_OF)
        assert rows(book, "Matches", ["LineID", "InvoiceNo", "Approve", "Status"]) == [
            ("CN-1", "INV-2", "N", "rejected")
        ]
    assert not book.has("Allocations") or book.read("Allocations").empty


def test_an_approved_netting_that_would_overpay_now_is_refused_at_its_approve_cell() -> None:
    book = ledger_book(
        Invoices=pd.concat([INVOICES, credit_note(-40000)], ignore_index=True), BankLines=NO_LINES
    )
    run(book, "match", as_of=AS_OF)
    book = typed(book, "Matches", "LineID", "Approve", {"CN-1": "Y"})
    run(book, "write-off", as_of=AS_OF, invoice="INV-2", reason="goodwill", amount_cents=10000)
    summary = run(book, "post", as_of=AS_OF)
    assert not summary.ok
    assert summary.notes == [
        "not posted: Matches row 2 column Approve: INV-2 has 300.00 EUR open; 400.00 EUR would overpay it"
    ]
    assert rows(book, "Matches", ["LineID", "Approve", "Status"]) == [("CN-1", "Y", "pending")]


def test_a_credit_note_nets_against_its_groups_invoice_when_its_own_customer_has_none_of_that_amount() -> (
    None
):
    grouped = CUSTOMERS.assign(Group=["Acme group", "Acme group", ""])
    book = ledger_book(
        Customers=grouped,
        Invoices=pd.concat([INVOICES, credit_note(-25000)], ignore_index=True),
        BankLines=NO_LINES,
    )
    run(book, "match", as_of=AS_OF)
    assert rows(book, "Matches", PROPOSAL[:4]) == [("CN-1", "INV-3", "C002", 25000)]
    assert "250.00 EUR equals what is open of INV-3" in book.read("Matches")["Reason"].iloc[0]
    book = typed(book, "Matches", "LineID", "Approve", {"CN-1": "Y"})
    assert run(book, "post", as_of=AS_OF).ok
    assert rows(book, "Allocations", LOG) == [
        ("CN-1", "CN-1", "C001", -25000, "payment", "approved", "C002: INV-3 250.00"),
        ("CN-1", "INV-3", "C002", 25000, "payment", "approved", "C002: INV-3 250.00"),
    ]
