"""Credit table: exposure, scorecard, grade, recommended limit, actions; and the order check."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from arbook.credit import credit_policy
from receivables import (
    CreditPolicy,
    UnknownCustomerError,
    check_order,
    credit_table,
    no_rates,
    open_items,
    payment_history,
)
from workbook.contract import table
from workbook.settings import settings_from_frame

AS_OF = date(2026, 6, 30)
CUSTOMERS = pd.DataFrame(
    {
        "CustomerID": ["A", "B", "C", "D"],
        "Name": ["Acme", "Beta", "Gamma", "Delta"],
        "PaymentTermsDays": pd.array([30, 14, None, None], dtype="Int64"),
        "CreditLimit": pd.array([10_000_00, 5_000_00, None, 0], dtype="Int64"),
    },
    index=range(2, 6),
)
INVOICES = pd.DataFrame(
    {
        "InvoiceNo": ["A1", "A2", "A3", "B1", "D1"],
        "CustomerID": ["A", "A", "A", "B", "D"],
        "InvoiceDate": pd.to_datetime(["2025-12-01", "2026-04-01", "2026-06-20", "2026-02-25", "2026-06-01"]),
        "DueDate": pd.to_datetime(["2025-12-31", "2026-05-01", "2026-07-20", "2026-03-27", "2026-07-01"]),
        "Amount": pd.array([1_000_00, 1_000_00, 4_000_00, 3_000_00, 100_00], dtype="Int64"),
    },
    index=range(2, 7),
)
ALLOC = pd.DataFrame(
    {
        "LineID": ["L1", "L2"],
        "InvoiceNo": ["A1", "A2"],
        "CustomerID": ["A", "A"],
        "Amount": pd.array([1_000_00, 1_000_00], dtype="Int64"),
        "PaymentDate": pd.to_datetime(["2025-12-31", "2026-05-06"]),  # on time, then 5 days late
        "Kind": ["payment", "payment"],
    }
)
ORDERS = pd.DataFrame(
    {
        "OrderNo": ["O1", "O2", "O3"],
        "CustomerID": ["A", "A", "C"],
        "OrderDate": pd.to_datetime(["2026-06-25", "2026-06-26", "2026-06-01"]),
        "Amount": pd.array([2_000_00, 9_999_00, 50_00], dtype="Int64"),
        "Status": ["Open", "Invoiced", "Open"],
    }
)
POLICY = CreditPolicy(review_utilization=0.80, hold_days_overdue=90, limit_step_cents=100_00)


def build(previous: pd.DataFrame | None = None) -> pd.DataFrame:
    items = open_items(INVOICES, ALLOC, as_of=AS_OF, customers=CUSTOMERS, base="EUR")
    history = payment_history(INVOICES, ALLOC, as_of=AS_OF, customers=CUSTOMERS, base="EUR")
    return credit_table(
        items,
        history,
        INVOICES,
        CUSTOMERS,
        ORDERS,
        as_of=AS_OF,
        policy=POLICY,
        rates=no_rates(base="EUR"),
        previous=previous,
    ).set_index("CustomerID")


def test_exposure_available_utilization() -> None:
    t = build()
    assert t.loc["A", ["OpenAR", "OpenOrders", "Exposure", "Available"]].tolist() == [
        4_000_00,
        2_000_00,
        6_000_00,
        4_000_00,
    ]
    assert t.loc["A", "Utilization"] == pytest.approx(0.6)
    assert (
        t.loc["C", "Exposure"] == 50_00
        and pd.isna(t.loc["C", "Available"])
        and pd.isna(t.loc["C", "Utilization"])
    )
    assert t.loc["B", "Available"] == 2_000_00


def test_scorecard_grade_and_recommended_limit() -> None:
    a = build().loc["A"]
    assert a["AvgDaysLate"] == pytest.approx(2.5) and a["OnTimeRate"] == pytest.approx(0.5)
    # lateness 27.5 + on time 12.5 + oldest 20 + usage 12 + trend (5 days worse) 5 - 5/3
    assert a["Score"] == pytest.approx(round(27.5 + 12.5 + 20 + 12 + 5 - 5 / 3, 1))
    assert a["Grade"] == "B"
    # 6,000 sold since the books began on 2025-12-01, 211 days = 6.93 months before the as-of date:
    # 865.52 a month x (30 + 2.5) / 30 x 1.25 = 1,172.06, up to the 100.00 step
    assert a["RecommendedLimit"] == 1_200_00
    # with a full year of books the average is over 12 months: 500 a month -> 677.08 -> 700.00
    year_ago = pd.DataFrame(
        {
            "InvoiceNo": ["Z1"],
            "CustomerID": ["C"],
            "InvoiceDate": [pd.Timestamp("2025-06-01")],
            "DueDate": [pd.Timestamp("2025-07-01")],
            "Amount": pd.array([1_00], dtype="Int64"),
        }
    )
    invoices = pd.concat([INVOICES, year_ago])
    items = open_items(invoices, ALLOC, as_of=AS_OF, customers=CUSTOMERS, base="EUR")
    history = payment_history(invoices, ALLOC, as_of=AS_OF, customers=CUSTOMERS, base="EUR")
    full = credit_table(
        items, history, invoices, CUSTOMERS, ORDERS, as_of=AS_OF, policy=POLICY, rates=no_rates(base="EUR")
    )
    assert full.set_index("CustomerID").loc["A", "RecommendedLimit"] == 700_00
    # no history, no limit, nothing overdue: the middle of every behaviour part
    assert build().loc["C", "Score"] == pytest.approx(15 + 12.5 + 20 + 7.5 + 5)


def test_actions_hold_review_ok() -> None:
    t = build()
    # A and C owe more than their behaviour earns (C has open orders and no sales): Review, not OK
    assert t["Action"].to_dict() == {"A": "Review", "B": "Hold", "C": "Review", "D": "Hold"}
    assert t["ActionReason"].to_dict() == {
        "A": "exposure 6000.00 above the recommended limit 1200.00",
        "B": "invoice B1 95 days overdue (Hold from 90); exposure 3000.00 above the recommended limit 300.00",
        "C": "exposure 50.00 above the recommended limit 0.00",
        "D": "exposure 100.00 over the limit 0.00",
    }
    previous = pd.DataFrame({"CustomerID": ["A"], "Grade": ["A"]})
    assert build(previous).loc["A", "ActionReason"] == (
        "exposure 6000.00 above the recommended limit 1200.00; grade fell from A to B"
    )
    tight = credit_table(
        open_items(INVOICES, ALLOC, as_of=AS_OF, base="EUR"),
        payment_history(INVOICES, ALLOC, as_of=AS_OF, base="EUR"),
        INVOICES,
        CUSTOMERS,
        ORDERS,
        as_of=AS_OF,
        policy=CreditPolicy(review_utilization=0.5, hold_days_overdue=90, limit_step_cents=1000_00),
        rates=no_rates(base="EUR"),
    ).set_index("CustomerID")
    assert tight.loc["A", "ActionReason"] == (
        "exposure 6000.00 above the recommended limit 2000.00; 60% of the limit used (Review above 50%)"
    )


def test_check_order() -> None:
    t = build().reset_index()
    assert check_order(t, "A", 4_000_00) == (
        True,
        0,
        "A: OK, 0.00 EUR still available after this order; exposure "
        "6000.00 EUR + order 4000.00 EUR against limit 10000.00 EUR",
        "EUR",
    )
    ok, over, message, _ = check_order(t, "A", 4_500_00)
    assert (ok, over) == (False, 500_00) and "over the limit by 500.00 EUR" in message
    ok, over, message, _ = check_order(t, "B", 1_00)
    assert (ok, over) == (False, 0) and "credit hold" in message
    assert check_order(t, "C", 1_000_000_00).ok
    # an unknown ID is a typing mistake of whoever asks, not a fault of the Credit table
    with pytest.raises(
        UnknownCustomerError,
        match=re.escape(
            "customer 'ZZ' is not a CustomerID of the Customers table (it lists 4: A, B, C, ...)"
        ),
    ):
        check_order(t, "ZZ", 1)


def test_policy_reads_the_settings_table_as_typed() -> None:
    # credit_limit_step is a money setting: the Settings reader gives cents, used as they are
    # (it was once multiplied by 100 again, rounding every recommendation up to 100,000.00).
    rows = [("credit_limit_step", "250.00"), ("credit_review_utilization", "75"), ("credit_hold_days", "60")]
    frame = pd.DataFrame({"Key": [k for k, _ in rows], "Value": [v for _, v in rows]}, index=range(2, 5))
    assert credit_policy(settings_from_frame(frame)) == CreditPolicy(0.75, 60, 250_00)
    empty = pd.DataFrame({"Key": [], "Value": []})
    assert credit_policy(settings_from_frame(empty)) == CreditPolicy(0.80, 90, 1000_00)


def test_a_book_without_customers_gives_an_empty_credit_table() -> None:
    none = credit_table(
        open_items(INVOICES.iloc[:0], ALLOC.iloc[:0], as_of=AS_OF, base="EUR"),
        payment_history(INVOICES.iloc[:0], ALLOC.iloc[:0], as_of=AS_OF, base="EUR"),
        INVOICES.iloc[:0],
        CUSTOMERS.iloc[:0],
        ORDERS.iloc[:0],
        as_of=AS_OF,
        policy=POLICY,
        rates=no_rates(base="EUR"),
    )
    assert none.empty and list(none.columns) == table("Credit").column_names
