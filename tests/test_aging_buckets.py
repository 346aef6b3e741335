"""Aging buckets: boundaries, custom limits, basis, credits, back-dating, and Total = sum of buckets."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from receivables import aged_items, aging_table, bucket_labels, open_items

AS_OF = date(2026, 6, 30)
LIMITS = (30, 60, 90, 120)
CUSTOMERS = pd.DataFrame({"CustomerID": ["A", "B"], "Name": ["Acme GmbH", "Beta Ltd"]})


def invoices(rows: list[tuple[str, str, date, date | None, int]]) -> pd.DataFrame:
    """(InvoiceNo, CustomerID, InvoiceDate, DueDate, Amount cents)."""
    return pd.DataFrame(
        {
            "InvoiceNo": [r[0] for r in rows],
            "CustomerID": [r[1] for r in rows],
            "InvoiceDate": pd.to_datetime([r[2] for r in rows]).astype("datetime64[ns]"),
            "DueDate": pd.to_datetime([r[3] for r in rows]).astype("datetime64[ns]"),
            "Amount": pd.array([r[4] for r in rows], dtype="Int64"),
            "Disputed": [r[0].startswith("D") for r in rows],
        },
        index=range(2, 2 + len(rows)),
    )


def allocations(rows: list[tuple[str, str, str, int, date, str]]) -> pd.DataFrame:
    """(LineID, InvoiceNo, CustomerID, Amount cents, PaymentDate, Kind)."""
    return pd.DataFrame(
        {
            "LineID": [r[0] for r in rows],
            "InvoiceNo": [r[1] for r in rows],
            "CustomerID": [r[2] for r in rows],
            "Amount": pd.array([r[3] for r in rows], dtype="Int64"),
            "PaymentDate": pd.to_datetime([r[4] for r in rows]).astype("datetime64[ns]"),
            "Kind": [r[5] for r in rows],
        }
    )


def due_days_ago(days: int) -> date:
    return AS_OF - timedelta(days=days)


def test_labels_follow_the_limits() -> None:
    assert bucket_labels(LIMITS) == ["Current", "1-30", "31-60", "61-90", "91-120", "120+"]
    assert bucket_labels((15, 45)) == ["Current", "1-15", "16-45", "45+"]


def test_bucket_boundaries() -> None:
    days = [-5, 0, 1, 30, 31, 60, 61, 90, 91, 120, 121, 400]
    inv = invoices([(f"I{d}", "A", due_days_ago(d + 30), due_days_ago(d), 100) for d in days])
    aged = aged_items(
        open_items(inv, allocations([]), as_of=AS_OF, base="EUR"), as_of=AS_OF, limits=LIMITS, basis="due"
    )
    assert aged["DaysOverdue"].tolist() == days
    assert aged["Bucket"].tolist() == [
        "Current",
        "Current",
        "1-30",
        "1-30",
        "31-60",
        "31-60",
        "61-90",
        "61-90",
        "91-120",
        "91-120",
        "120+",
        "120+",
    ]


def test_invoice_basis_ages_from_the_invoice_date() -> None:
    inv = invoices([("I1", "A", due_days_ago(31), due_days_ago(1), 100)])
    items = open_items(inv, allocations([]), as_of=AS_OF, base="EUR")
    assert aged_items(items, as_of=AS_OF, limits=LIMITS, basis="due")["Bucket"].tolist() == ["1-30"]
    assert aged_items(items, as_of=AS_OF, limits=LIMITS, basis="invoice")["Bucket"].tolist() == ["31-60"]


def test_customer_table_with_partial_payment_credit_unapplied_and_dispute() -> None:
    inv = invoices(
        [
            ("I1", "A", date(2026, 3, 1), date(2026, 3, 31), 1000_00),  # 91 days: 91-120
            ("I2", "A", date(2026, 6, 1), date(2026, 7, 1), 250_00),  # not due: Current
            ("C1", "A", date(2026, 6, 10), None, -100_00),  # credit, 20 days: 1-30
            ("D1", "B", date(2026, 1, 1), date(2026, 1, 31), 80_00),  # disputed, 150 days: 120+
            ("I3", "B", date(2026, 5, 1), date(2026, 5, 31), 40_00),  # paid in full
        ]
    )
    alloc = allocations(
        [
            ("L1", "I1", "A", 600_00, date(2026, 4, 20), "payment"),
            ("L1", "I1", "A", 2_50, date(2026, 4, 20), "fee"),
            ("L2", "I3", "B", 40_00, date(2026, 6, 5), "payment"),
            ("L3", "", "B", 15_00, date(2026, 6, 25), "unapplied"),  # 5 days: 1-30
        ]
    )
    aged = aged_items(
        open_items(inv, alloc, as_of=AS_OF, base="EUR"), as_of=AS_OF, limits=LIMITS, basis="due"
    )
    table = aging_table(aged, CUSTOMERS, limits=LIMITS)
    assert list(table.columns) == [
        "CustomerID",
        "Name",
        "Currency",
        "Current",
        "1-30",
        "31-60",
        "61-90",
        "91-120",
        "120+",
        "Total",
        "Overdue",
        "AvgDaysLate",
        "OldestDueDate",
    ]
    rows = table.set_index("CustomerID")
    assert rows.loc["A", ["Current", "1-30", "31-60", "61-90", "91-120", "120+"]].tolist() == [
        250_00,
        -100_00,
        0,
        0,
        397_50,
        0,
    ]
    assert rows.loc["A", "Total"] == 547_50 and rows.loc["A", "Overdue"] == 297_50
    assert rows.loc["B", ["1-30", "120+", "Total", "Overdue"]].tolist() == [-15_00, 80_00, 65_00, 65_00]
    assert rows.loc["A", "Name"] == "Acme GmbH"
    assert rows.loc["A", "OldestDueDate"] == pd.Timestamp("2026-03-31")
    assert rows.loc["B", "OldestDueDate"] == pd.Timestamp("2026-01-31")
    assert bool(aged.set_index("InvoiceNo").loc["D1", "Disputed"])


def test_back_dated_aging_reproduces_that_day() -> None:
    inv = invoices([("I1", "A", date(2026, 3, 1), date(2026, 3, 31), 500_00)])
    alloc = allocations([("L1", "I1", "A", 500_00, date(2026, 5, 15), "payment")])
    then = aged_items(
        open_items(inv, alloc, as_of=date(2026, 5, 14), base="EUR"),
        as_of=date(2026, 5, 14),
        limits=LIMITS,
        basis="due",
    )
    assert then[["Bucket", "OpenAmount"]].to_records(index=False).tolist() == [("31-60", 500_00)]
    assert len(open_items(inv, alloc, as_of=date(2026, 5, 15), base="EUR")) == 0


def test_custom_limits_name_the_columns() -> None:
    inv = invoices(
        [
            ("I1", "A", date(2026, 5, 1), due_days_ago(16), 10_00),
            ("I2", "A", date(2026, 5, 1), due_days_ago(46), 20_00),
        ]
    )
    aged = aged_items(
        open_items(inv, allocations([]), as_of=AS_OF, base="EUR"), as_of=AS_OF, limits=(15, 45), basis="due"
    )
    table = aging_table(aged, CUSTOMERS, limits=(15, 45))
    assert table[["Current", "1-15", "16-45", "45+", "Total"]].iloc[0].tolist() == [0, 0, 10_00, 20_00, 30_00]


ITEM = st.tuples(
    st.sampled_from(["A", "B", "C"]),
    st.integers(min_value=-400, max_value=400),  # invoice date, days from as-of
    st.one_of(st.none(), st.integers(min_value=0, max_value=90)),  # terms, None = default
    st.integers(min_value=-500_000_00, max_value=5_000_000_00),
)
PAYMENT = st.tuples(
    st.integers(min_value=0, max_value=40),  # which invoice (modulo)
    st.sampled_from(["payment", "fee", "discount", "writeoff", "unapplied"]),
    st.integers(min_value=-10_000_00, max_value=900_000_00),
    st.integers(min_value=-400, max_value=400),
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(ITEM, min_size=1, max_size=30),
    payments=st.lists(PAYMENT, max_size=40),
    limits=st.lists(st.integers(min_value=1, max_value=200), min_size=1, max_size=6, unique=True).map(sorted),
    basis=st.sampled_from(["due", "invoice"]),
)
def test_total_is_sum_of_buckets_and_of_the_ledger(items, payments, limits, basis) -> None:
    rows = [
        (f"N{i}", c, AS_OF + timedelta(days=d), None if t is None else AS_OF + timedelta(days=d + t), a)
        for i, (c, d, t, a) in enumerate(items)
    ]
    inv = invoices(rows)
    alloc = allocations(
        [
            (
                f"L{j}",
                rows[k % len(rows)][0] if kind != "unapplied" else "",
                rows[k % len(rows)][1],
                amount,
                AS_OF + timedelta(days=d),
                kind,
            )
            for j, (k, kind, amount, d) in enumerate(payments)
        ]
    )
    aged = aged_items(
        open_items(inv, alloc, as_of=AS_OF, base="EUR"), as_of=AS_OF, limits=limits, basis=basis
    )
    table = aging_table(aged, CUSTOMERS, limits=limits)
    labels = bucket_labels(limits)
    assert (table[labels].sum(axis=1) == table["Total"]).all()
    per_customer = aged.groupby("CustomerID")["OpenAmount"].sum()
    assert table.set_index("CustomerID")["Total"].to_dict() == per_customer.to_dict()
    # the grand total, straight from the two tables
    issued = inv[inv["InvoiceDate"] <= pd.Timestamp(AS_OF)]
    dated = alloc[alloc["PaymentDate"] <= pd.Timestamp(AS_OF)]
    settled = dated[dated["Kind"] != "unapplied"]
    settled = settled[settled["InvoiceNo"].isin(issued["InvoiceNo"])]
    expected = (
        int(issued["Amount"].sum())
        - int(settled["Amount"].sum())
        - int(dated.loc[dated["Kind"] == "unapplied", "Amount"].sum())
    )
    assert int(table["Total"].sum()) == expected
