"""Orders over the credit marked for approval, the clerk's decision recorded, CreditLimit changes logged.

On a MemoryBook, with exact tables before and after each run of `arbook credit`.
"""

from __future__ import annotations

import pandas as pd

from arbook.runner import run
from tests.clerk_support import AS_OF, CUSTOMERS, INVOICES, ledger_book, rows, typed
from workbook import MemoryBook
from workbook.book import who

LIMITS = CUSTOMERS.assign(CreditLimit=pd.array([150000, None, 50000], dtype="Int64"))
ORDERS = pd.DataFrame(
    {
        "OrderNo": ["SO-1", "SO-2", "SO-3", "SO-4", "SO-5", "SO-6"],
        "CustomerID": ["C001", "C001", "C001", "C002", "C001", "C003"],
        "OrderDate": pd.to_datetime(
            ["2026-10-05", "2026-10-20", "2026-10-25", "2026-10-10", "2026-09-01", "2026-10-30"]
        ),
        "Currency": ["EUR", "EUR", "EUR", "EUR", "EUR", "GBP"],
        "Amount": pd.array([30000, 50000, 10000, 99999900, 500000, 25000], dtype="Int64"),
        "Status": ["Open", "Open", "Open", "Open", "Invoiced", "Open"],
    }
)
CHECKED = ["OrderNo", "CreditCheck", "OverBy", "CreditReason", "DecidedBy"]
C001_HOLD = "; C001 is on Hold (Credit ActionReason)"
C003_HOLD = "; C003 is on Hold (Credit ActionReason)"


def _book() -> MemoryBook:
    return ledger_book(Customers=LIMITS, Invoices=INVOICES, Orders=ORDERS)


def test_orders_over_the_available_credit_wait_for_the_clerks_decision() -> None:
    book = _book()
    assert rows(book, "Orders", CHECKED) == [(n, "", "", "", "") for n in ORDERS["OrderNo"]]
    first = run(book, "credit", as_of=AS_OF)
    # C001 owes 1,000.00 (INV-1, INV-2) of a 1,500.00 limit: SO-1 fits, SO-2 takes the rest and 300.00
    # more, SO-3 comes after and is over by all of it; SO-4 has no limit to pass; SO-5 is invoiced
    # (not checked); C003 owes 300.00 GBP of 500.00, so SO-6 (250.00 GBP) is over by 50.00
    assert rows(book, "Orders", CHECKED) == [
        ("SO-1", "OK", "", "", ""),
        (
            "SO-2",
            "approval needed",
            30000,
            "over the available credit by 300.00 EUR: limit 1500.00 EUR, open AR 1000.00 EUR, earlier open "
            "orders 300.00 EUR, this order 500.00 EUR" + C001_HOLD,
            "",
        ),
        (
            "SO-3",
            "approval needed",
            10000,
            "over the available credit by 100.00 EUR: limit 1500.00 EUR, open AR 1000.00 EUR, earlier open "
            "orders 800.00 EUR, this order 100.00 EUR" + C001_HOLD,
            "",
        ),
        ("SO-4", "OK", "", "", ""),
        ("SO-5", "", "", "", ""),
        (
            "SO-6",
            "approval needed",
            5000,
            "over the available credit by 50.00 GBP: limit 500.00 GBP, open AR 300.00 GBP, earlier open orders "
            "0.00 GBP, this order 250.00 GBP" + C003_HOLD,
            "",
        ),
    ]
    assert first.figures["orders needing approval"] == 3
    assert "orders approved" not in first.figures

    book = typed(book, "Orders", "OrderNo", "Approve", {"SO-2": "ja", "SO-3": "N"})
    second = run(book, "credit", as_of=AS_OF)
    decided = book.read("Orders").set_index("OrderNo")
    assert rows(book, "Orders", ["OrderNo", "Approve", "CreditCheck", "OverBy", "DecidedBy"]) == [
        ("SO-1", "", "OK", "", ""),
        ("SO-2", "Y", "approved", 30000, who()),
        ("SO-3", "N", "refused", 10000, who()),
        ("SO-4", "", "OK", "", ""),
        ("SO-5", "", "", "", ""),
        ("SO-6", "", "approval needed", 5000, ""),
    ]
    at = decided.loc["SO-2", "DecidedAt"]
    assert pd.notna(at) and decided.loc["SO-3", "DecidedAt"] == at
    assert (second.figures["orders approved"], second.figures["orders refused"]) == ("SO-2", "SO-3")
    assert second.figures["orders needing approval"] == 1
    audit = book.read("Audit").iloc[-1]
    assert audit["User"] == who() and audit["Command"] == "credit --as-of 2026-10-31"
    assert "orders approved SO-2; orders refused SO-3" in audit["Summary"]

    # a rerun records nothing again: the decisions keep their time
    third = run(book, "credit", as_of=AS_OF)
    assert "orders approved" not in third.figures and "orders refused" not in third.figures
    assert book.read("Orders").set_index("OrderNo").loc["SO-2", "DecidedAt"] == at
    # the clerk clears SO-3's N: the decision is withdrawn and the order asks again
    book = typed(book, "Orders", "OrderNo", "Approve", {"SO-3": ""})
    run(book, "credit", as_of=AS_OF)
    assert rows(book, "Orders", ["OrderNo", "CreditCheck", "DecidedBy", "DecidedAt"])[2] == (
        "SO-3",
        "approval needed",
        "",
        "",
    )


def test_every_change_of_a_credit_limit_is_logged_with_old_and_new_value() -> None:
    book = _book()
    columns = ["CustomerID", "Currency", "OldLimit", "NewLimit", "Note"]
    assert rows(book, "CreditLimitLog", columns) == []
    first = run(book, "credit", as_of=AS_OF)
    # the first run logs the limits it finds (C002 has none)
    assert rows(book, "CreditLimitLog", columns) == [
        ("C001", "EUR", "", 150000, "first logged"),
        ("C003", "GBP", "", 50000, "first logged"),
    ]
    assert first.figures["credit limits first logged"] == 2
    assert "credit limit changes logged" not in first.figures
    assert run(book, "credit", as_of=AS_OF).figures.get("credit limit changes logged") is None
    assert len(book.read("CreditLimitLog")) == 2

    book = typed(
        book, "Customers", "CustomerID", "CreditLimit", {"C001": 200000, "C002": 80000, "C003": None}
    )
    changed = run(book, "credit", as_of=AS_OF)
    log = book.read("CreditLimitLog")
    assert rows(book, "CreditLimitLog", columns) == [
        ("C001", "EUR", "", 150000, "first logged"),
        ("C003", "GBP", "", 50000, "first logged"),
        ("C001", "EUR", 150000, 200000, ""),
        ("C002", "EUR", "", 80000, "first logged"),
        ("C003", "GBP", 50000, "", ""),
    ]
    assert log["At"].iloc[2] >= log["At"].iloc[0] and log["At"].iloc[2:].nunique() == 1
    assert changed.figures["credit limit changes logged"] == 2
    assert changed.figures["credit limits first logged"] == 1
    assert "credit limit of C001: 1500.00 EUR -> 2000.00 EUR" in changed.notes
    assert "credit limit of C003: 500.00 GBP -> none" in changed.notes
    # appended, never edited: the next run without a change adds nothing
    run(book, "credit", as_of=AS_OF)
    assert len(book.read("CreditLimitLog")) == 5
