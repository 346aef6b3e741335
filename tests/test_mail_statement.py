"""Statement content from ledger frames: balances that add up, activity, aging, who gets one."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mailer
from receivables import aged_items, aging_table, bucket_labels, open_items
from tests.mail_support import customers_frame, open_items_frame

AS_OF, START = dt.date(2026, 11, 30), dt.date(2026, 11, 1)
LIMITS = (30, 60, 90, 120)


def aged(items: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Open items aged as arbook ages them for the Aging sheet (the caller's job)."""
    return aged_items(items, as_of=as_of, limits=LIMITS, basis="due")


def ledger():
    customers = customers_frame(
        [
            {
                "CustomerID": "C001",
                "Name": "Müller GmbH",
                "Email": "ap@mueller.example",
                "Language": "de",
                "Currency": "EUR",
            },
            {
                "CustomerID": "C002",
                "Name": "上海华东贸易有限公司",
                "Email": "cw@huadong.example",
                "Language": "zh",
                "Currency": "CNY",
            },
            {"CustomerID": "C003", "Name": "Paid Up Ltd", "Email": "ap@paidup.example", "Currency": "EUR"},
            {"CustomerID": "C004", "Name": "Quiet Ltd", "Email": "q@quiet.example"},
            {"CustomerID": "C005", "Name": "Tiny Ltd", "Email": "t@tiny.example"},
        ]
    )
    inv = pd.DataFrame(
        {
            "InvoiceNo": ["R-1", "R-2", "R-3", "C-1", "U-1", "Z-1", "P-1", "S-1"],
            "CustomerID": ["C001", "C001", "C001", "C001", "C001", "C002", "C003", "C005"],
            "InvoiceDate": pd.to_datetime(
                [
                    "2026-09-01",
                    "2026-10-05",
                    "2026-11-03",
                    "2026-11-10",
                    "2026-11-15",
                    "2026-10-01",
                    "2026-10-01",
                    "2026-10-01",
                ]
            ),
            "DueDate": pd.to_datetime(
                [
                    "2026-10-01",
                    "2026-11-04",
                    "2026-12-03",
                    None,
                    "2026-12-15",
                    "2026-10-31",
                    "2026-10-31",
                    "2026-10-31",
                ]
            ),
            "Currency": ["EUR", "EUR", "EUR", "EUR", "USD", "CNY", "EUR", ""],
            "Amount": pd.array([100000, 50000, 25000, -5000, 30000, 880000, 20000, 50], dtype="Int64"),
            "Reference": ["PO 1", "PO 2", "", "", "", "", "", ""],
        },
        index=range(2, 10),
    )
    alloc = pd.DataFrame(
        {
            "LineID": ["L1", "L2", "L2", "L3"],
            "InvoiceNo": ["R-1", "P-1", "P-1", ""],
            "CustomerID": ["", "C003", "C003", "C001"],
            "Amount": pd.array([40000, 19900, 100, 10000], dtype="Int64"),
            "PaymentDate": pd.to_datetime(["2026-11-12", "2026-11-05", "2026-11-05", "2026-11-20"]),
            "Kind": ["payment", "payment", "fee", "unapplied"],
        }
    )
    items = open_items_frame(
        [
            {
                "InvoiceNo": "R-1",
                "CustomerID": "C001",
                "InvoiceDate": "2026-09-01",
                "DueDate": "2026-10-01",
                "Amount": 100000,
                "Paid": 40000,
            },
            {
                "InvoiceNo": "R-2",
                "CustomerID": "C001",
                "InvoiceDate": "2026-10-05",
                "DueDate": "2026-11-04",
                "Amount": 50000,
            },
            {
                "InvoiceNo": "R-3",
                "CustomerID": "C001",
                "InvoiceDate": "2026-11-03",
                "DueDate": "2026-12-03",
                "Amount": 25000,
            },
            {
                "InvoiceNo": "C-1",
                "CustomerID": "C001",
                "Kind": "credit",
                "InvoiceDate": "2026-11-10",
                "Amount": -5000,
            },
            {
                "InvoiceNo": "U-1",
                "CustomerID": "C001",
                "InvoiceDate": "2026-11-15",
                "DueDate": "2026-12-15",
                "Amount": 30000,
                "Currency": "USD",
            },
            {
                "InvoiceNo": "Z-1",
                "CustomerID": "C002",
                "InvoiceDate": "2026-10-01",
                "DueDate": "2026-10-31",
                "Amount": 880000,
                "Currency": "CNY",
            },
            {
                "InvoiceNo": "S-1",
                "CustomerID": "C005",
                "InvoiceDate": "2026-10-01",
                "DueDate": "2026-10-31",
                "Amount": 50,
                "Currency": "",
            },
            {
                "InvoiceNo": "",
                "CustomerID": "C001",
                "Kind": "unapplied",
                "InvoiceDate": "2026-11-20",
                "DueDate": "2026-11-20",
                "Amount": -10000,
            },
        ]
    )
    return customers, inv, alloc, items


def build(**kwargs):
    customers, inv, alloc, items = ledger()
    return mailer.build_statements(
        customers,
        aged(items, AS_OF),
        inv,
        alloc,
        as_of=AS_OF,
        period_start=START,
        aging_labels=bucket_labels(LIMITS),
        min_balance=kwargs.pop("min_balance", 100),
        base_currency=kwargs.pop("base_currency", "EUR"),
        **kwargs,
    )


def test_who_gets_a_statement_and_in_which_currency():
    got = [(s.customer_id, s.currency) for s in build()]
    # C004: nothing open, no activity; C005: 0.50 open is under the 1.00 minimum
    assert got == [("C001", "EUR"), ("C001", "USD"), ("C002", "CNY"), ("C003", "EUR")]
    assert [(s.customer_id, s.currency) for s in build(min_balance=1)][-1] == ("C005", "EUR")


def test_balances_add_up_and_activity_runs_in_date_order():
    eur = build()[0]
    assert (eur.opening, eur.closing) == (150000, 120000)
    assert [(a.date.day, a.kind, a.amount, a.balance) for a in eur.activity] == [
        (3, "invoice", 25000, 175000),
        (10, "credit_note", -5000, 170000),
        (12, "payment", -40000, 130000),
        (20, "payment", -10000, 120000),
    ]
    assert eur.activity[1].document == "C-1" and eur.activity[2].description == "R-1"
    assert eur.item_numbers == ["", "C-1", "R-1", "R-2", "R-3"]


def test_aging_box_uses_due_dates_and_sums_to_closing():
    eur = build()[0]
    assert eur.aging == [
        ("Current", 25000),
        ("1-30", 35000),
        ("31-60", 60000),
        ("61-90", 0),
        ("91-120", 0),
        ("120+", 0),
    ]
    assert sum(c for _, c in eur.aging) == eur.closing
    assert eur.overdue_total == 110000
    assert {o.number: o.days_overdue for o in eur.open_items}["R-1"] == 60


def test_fully_paid_customer_gets_a_statement_of_the_period():
    c003 = build()[3]
    assert (c003.opening, c003.closing, c003.open_items) == (20000, 0, [])
    assert [(a.kind, a.amount, a.description) for a in c003.activity] == [
        ("payment", -19900, "P-1"),
        ("bank_fee", -100, "P-1"),
    ]


def test_other_currency_and_customer_currency_fallback():
    usd, cny = build()[1], build()[2]
    assert (usd.opening, usd.closing, [a.document for a in usd.activity]) == (0, 30000, ["U-1"])
    assert (cny.opening, cny.closing, cny.activity) == (880000, 880000, [])


@st.composite
def ledgers(draw):
    n_inv = draw(st.integers(1, 12))
    inv_days = draw(st.lists(st.integers(0, 120), min_size=n_inv, max_size=n_inv))
    amounts = draw(st.lists(st.integers(-50_000, 200_000).filter(bool), min_size=n_inv, max_size=n_inv))
    owners = draw(st.lists(st.sampled_from(["A", "B"]), min_size=n_inv, max_size=n_inv))
    base = pd.Timestamp("2026-08-01")
    invoices = pd.DataFrame(
        {
            "InvoiceNo": [f"I{i}" for i in range(n_inv)],
            "CustomerID": owners,
            "InvoiceDate": [base + pd.Timedelta(days=d) for d in inv_days],
            "DueDate": [base + pd.Timedelta(days=d + 30) for d in inv_days],
            "Currency": "EUR",
            "Amount": pd.array(amounts, dtype="Int64"),
            "Reference": "",
        },
        index=range(2, n_inv + 2),
    )
    rows = []
    for k in range(draw(st.integers(0, 10))):
        i = draw(st.integers(0, n_inv - 1))
        kind = draw(st.sampled_from(["payment", "payment", "fee", "unapplied"]))
        rows.append(
            {
                "LineID": f"L{k}",
                "InvoiceNo": "" if kind == "unapplied" else f"I{i}",
                "CustomerID": owners[i],
                "Amount": draw(st.integers(1, 60_000)),
                "PaymentDate": base + pd.Timedelta(days=inv_days[i] + draw(st.integers(0, 60))),
                "Kind": kind,
            }
        )
    allocations = pd.DataFrame(
        rows, columns=["LineID", "InvoiceNo", "CustomerID", "Amount", "PaymentDate", "Kind"]
    )
    allocations["Amount"] = allocations["Amount"].astype("Int64")
    allocations["PaymentDate"] = allocations["PaymentDate"].astype("datetime64[ns]")
    return invoices, allocations


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(ledger_frames=ledgers(), period_day=st.integers(1, 28))
def test_statements_add_up_against_the_ledger(ledger_frames, period_day):
    invoices, allocations = ledger_frames
    customers = customers_frame(
        [
            {"CustomerID": "A", "Name": "A", "Currency": "EUR"},
            {"CustomerID": "B", "Name": "B", "Currency": "EUR"},
        ]
    )
    as_of, start = dt.date(2026, 11, 30), dt.date(2026, 11, period_day)
    now = open_items(invoices, allocations, as_of=as_of, customers=customers, base="EUR")
    before = open_items(
        invoices, allocations, as_of=start - dt.timedelta(days=1), customers=customers, base="EUR"
    )
    for s in mailer.build_statements(
        customers,
        aged(now, as_of),
        invoices,
        allocations,
        as_of=as_of,
        period_start=start,
        aging_labels=bucket_labels(LIMITS),
        min_balance=-(10**12),
        base_currency="EUR",
    ):
        assert s.closing == int(now.loc[now["CustomerID"] == s.customer_id, "OpenAmount"].sum())
        # opening = closing - activity must equal what the ledger itself says was open the day before
        assert s.opening == int(before.loc[before["CustomerID"] == s.customer_id, "OpenAmount"].sum())
        assert s.opening + sum(a.amount for a in s.activity) == s.closing
        assert (s.activity[-1].balance if s.activity else s.opening) == s.closing
        assert sum(c for _, c in s.aging) == s.closing


def test_aging_box_is_the_aging_sheet_row():
    # One rule for both: a credit note ages from its issue date (here 20 days: 1-30), even
    # with a due date still ahead; the statement once aged it by due date (Current).
    customers, inv, alloc, items = ledger()
    credit = (items["InvoiceNo"] == "C-1").to_numpy()
    items.loc[credit, "DueDate"] = pd.Timestamp("2026-12-10")
    eur = mailer.build_statements(
        customers,
        aged(items, AS_OF),
        inv,
        alloc,
        as_of=AS_OF,
        period_start=START,
        aging_labels=bucket_labels(LIMITS),
        min_balance=1,
        base_currency="EUR",
    )[0]
    mine = aged(items, AS_OF)
    sheet = aging_table(
        mine[(mine["CustomerID"] == "C001") & (mine["Currency"] == "EUR")], customers, limits=LIMITS
    )
    assert eur.aging == [(label, int(sheet[label].iloc[0])) for label in bucket_labels(LIMITS)]
    assert dict(eur.aging)["1-30"] == 35000
