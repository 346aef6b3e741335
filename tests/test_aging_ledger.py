"""Open items as of a date: partial payments, credit notes, unapplied cash, back-dating."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from common.errors import InputError
from receivables import OPEN_ITEM_COLUMNS, invoice_balances, open_items


def invoices(*rows: tuple) -> pd.DataFrame:
    """(InvoiceNo, CustomerID, InvoiceDate, DueDate or None, Amount cents), Excel rows from 2."""
    no, cust, inv_date, due, amount = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "InvoiceNo": list(no),
            "CustomerID": list(cust),
            "InvoiceDate": pd.to_datetime(list(inv_date)),
            "DueDate": pd.to_datetime(list(due)),
            "Amount": pd.array(amount, dtype="Int64"),
        },
        index=range(2, 2 + len(rows)),
    )


def allocations(*rows: tuple) -> pd.DataFrame:
    """(LineID, InvoiceNo, CustomerID, Amount cents, PaymentDate, Kind)."""
    if not rows:
        return pd.DataFrame(
            {
                "LineID": [],
                "InvoiceNo": [],
                "CustomerID": [],
                "Amount": pd.array([], "Int64"),
                "PaymentDate": pd.to_datetime([]),
                "Kind": [],
            }
        )
    line, no, cust, amount, paid, kind = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "LineID": list(line),
            "InvoiceNo": list(no),
            "CustomerID": list(cust),
            "Amount": pd.array(amount, dtype="Int64"),
            "PaymentDate": pd.to_datetime(list(paid)),
            "Kind": list(kind),
        }
    )


INV = invoices(
    ("I1", "A", "2026-01-01", "2026-01-31", 100_00),
    ("I2", "A", "2026-02-01", None, 50_00),
    ("C1", "A", "2026-02-05", None, -20_00),
    ("I3", "B", "2026-04-01", "2026-05-01", 70_00),
)
ALLOC = allocations(
    ("L1", "I1", "A", 40_00, "2026-02-10", "payment"),
    ("L1", "I1", "A", 1_50, "2026-02-10", "fee"),
    ("L2", "I1", "A", 58_50, "2026-03-10", "payment"),
    ("L3", "", "A", 7_00, "2026-02-20", "unapplied"),
    ("L4", "C1", "A", -5_00, "2026-02-25", "payment"),
)


def test_balances_partial_fee_credit_and_status() -> None:
    got = invoice_balances(INV, ALLOC, as_of=date(2026, 3, 1), base="EUR")
    assert list(got.index) == [2, 3, 4, 5]
    assert got["Paid"].tolist() == [41_50, 0, -5_00, 0]
    assert got["OpenAmount"].tolist() == [58_50, 50_00, -15_00, 70_00]
    assert got["Status"].tolist() == ["Partial", "Open", "Credit", "Open"]
    assert got["LastPaymentDate"].tolist()[:3] == [
        pd.Timestamp("2026-02-10"),
        pd.NaT,
        pd.Timestamp("2026-02-25"),
    ]
    # empty DueDate: InvoiceDate + 30 days by default, the reader's rule
    assert got["DueDate"].tolist()[1:3] == [pd.Timestamp("2026-03-03"), pd.Timestamp("2026-03-07")]


def test_paid_after_as_of_is_still_open_then() -> None:
    before = invoice_balances(INV, ALLOC, as_of=date(2026, 3, 9), base="EUR")
    after = invoice_balances(INV, ALLOC, as_of=date(2026, 3, 10), base="EUR")
    assert before["OpenAmount"].iloc[0] == 58_50 and before["Status"].iloc[0] == "Partial"
    assert after["OpenAmount"].iloc[0] == 0 and after["Status"].iloc[0] == "Paid"
    assert after["LastPaymentDate"].iloc[0] == pd.Timestamp("2026-03-10")


def test_open_items_rows_signs_and_types() -> None:
    items = open_items(INV, ALLOC, as_of=date(2026, 3, 1), base="EUR")
    assert list(items.columns) == OPEN_ITEM_COLUMNS
    # I3 is dated after as-of: not an item yet
    assert items[["InvoiceNo", "Kind", "OpenAmount"]].to_records(index=False).tolist() == [
        ("I1", "invoice", 58_50),
        ("I2", "invoice", 50_00),
        ("C1", "credit", -15_00),
        ("", "unapplied", -7_00),
    ]
    unapplied = items.iloc[3]
    assert unapplied["InvoiceDate"] == unapplied["DueDate"] == pd.Timestamp("2026-02-20")
    assert str(items["OpenAmount"].dtype) == "Int64"
    assert str(items["DueDate"].dtype) == "datetime64[ns]"


def test_unapplied_cash_later_applied_nets_away() -> None:
    alloc = pd.concat(
        [
            ALLOC,
            allocations(
                ("L3", "", "A", -7_00, "2026-03-05", "unapplied"),
                ("L3", "I2", "A", 7_00, "2026-03-05", "payment"),
            ),
        ],
        ignore_index=True,
    )
    items = open_items(INV, alloc, as_of=date(2026, 3, 6), base="EUR")
    assert "unapplied" not in items["Kind"].tolist()
    assert items.set_index("InvoiceNo").loc["I2", "OpenAmount"] == 43_00


def test_customer_terms_set_the_default_due_date() -> None:
    customers = pd.DataFrame(
        {"CustomerID": ["A"], "PaymentTermsDays": pd.array([14], dtype="Int64"), "Currency": ["CHF"]}
    )
    items = open_items(INV, ALLOC, as_of=date(2026, 3, 1), customers=customers, base="EUR")
    by_no = items.set_index("InvoiceNo")
    assert by_no.loc["I2", "DueDate"] == pd.Timestamp("2026-02-15")
    assert by_no.loc["", "Currency"] == "CHF"


def test_nothing_open_gives_typed_empty_frame() -> None:
    items = open_items(INV.iloc[:0], allocations(), as_of=date(2026, 3, 1), base="EUR")
    assert len(items) == 0 and list(items.columns) == OPEN_ITEM_COLUMNS
    assert str(items["OpenAmount"].dtype) == "Int64"


def test_duplicate_invoice_numbers_are_refused_by_row() -> None:
    dup = invoices(("I1", "A", "2026-01-01", None, 1_00), ("I1", "B", "2026-01-02", None, 2_00))
    with pytest.raises(InputError, match=r"Invoices row 3 column InvoiceNo: .*already on row 2"):
        open_items(dup, allocations(), as_of=date(2026, 3, 1), base="EUR")
