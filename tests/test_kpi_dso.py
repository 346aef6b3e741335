"""KPIs against public worked examples, and the KPIs table built from a small ledger."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from receivables import (
    KPI_COLUMNS,
    aged_items,
    average_days_delinquent,
    best_possible_dso,
    collection_effectiveness,
    dso_count_back,
    dso_simple,
    kpi_table,
    monthly_sales,
    no_rates,
    open_items,
    payment_behaviour,
    payment_history,
)


def test_simple_best_possible_and_add_worked_example() -> None:
    # 15,000 AR, 10,000 credit sales in 30 days, 4,000 of AR current
    simple = dso_simple(15_000_00, 10_000_00, 30)
    best = best_possible_dso(4_000_00, 10_000_00, 30)
    assert simple == pytest.approx(45.0)
    assert best == pytest.approx(12.0)
    assert average_days_delinquent(simple, best) == pytest.approx(33.0)


def test_count_back_worked_example() -> None:
    months = [(100_000_00, 30), (80_000_00, 30), (70_000_00, 30)]
    assert dso_count_back(212_000_00, months) == pytest.approx(30 + 30 + 32 / 70 * 30)
    assert round(dso_count_back(212_000_00, months), 2) == 73.71


def test_count_back_edges() -> None:
    assert dso_count_back(0, [(100, 30)]) == 0
    assert dso_count_back(100, [(100, 30)]) == pytest.approx(30)
    assert dso_count_back(50, [(0, 31), (100, 30)]) == pytest.approx(31 + 15)
    assert dso_count_back(500, [(100, 30), (100, 31)]) == 61  # AR beyond the history: every day, a floor


def test_cei_worked_examples() -> None:
    # gaviti.com: 100,000 beginning, 1,000,000 sales, 120,000 ending, 100,000 current -> 98 %
    assert collection_effectiveness(100_000_00, 1_000_000_00, 120_000_00, 100_000_00) == pytest.approx(98.0)
    # creditguru.com: 6,200 beginning, 10,890 / 3 monthly sales, 6,340 ending, 3,590 current -> 55.9 %
    assert round(collection_effectiveness(6_200_00, 3_630_00, 6_340_00, 3_590_00), 1) == 55.9


def test_zero_sales_gives_nan_not_a_number_made_up() -> None:
    assert math.isnan(dso_simple(100, 0, 30))
    assert math.isnan(collection_effectiveness(0, 0, 0, 0))


def test_payment_behaviour_is_amount_weighted() -> None:
    history = pd.DataFrame(
        {
            "CustomerID": ["A", "A", "B"],
            "Amount": pd.array([4000, 6000, 500], dtype="Int64"),
            "PaymentDate": pd.to_datetime(["2026-02-10", "2026-03-10", "2026-03-01"]),
            "DaysLate": [10, 38, -3],
        }
    )
    got = payment_behaviour(history)
    assert got.loc["A", "Payments"] == 2
    assert got.loc["A", "AvgDaysLate"] == pytest.approx(26.8)
    assert got.loc["A", "SpreadDays"] == pytest.approx(math.sqrt(188.16))
    assert got.loc["A", "OnTimeRate"] == 0
    assert got.loc["B", "AvgDaysLate"] == pytest.approx(-3) and got.loc["B", "OnTimeRate"] == 1
    recent = payment_behaviour(history, since=pd.Timestamp("2026-03-01"))
    assert list(recent.index) == ["A"] and recent.loc["A", "AvgDaysLate"] == pytest.approx(38)


def test_monthly_sales_uses_month_long_periods_ending_at_as_of() -> None:
    inv = pd.DataFrame(
        {
            "InvoiceDate": pd.to_datetime(["2026-06-30", "2026-05-31", "2026-05-30", "2026-04-30"]),
            "Amount": pd.array([1, 10, 100, -1000], dtype="Int64"),
        }
    )
    assert monthly_sales(inv, date(2026, 6, 30), 3) == [(11, 31), (100, 30), (-1000, 31)]


def test_kpi_table_reproduces_the_worked_example_from_a_ledger() -> None:
    as_of = date(2026, 6, 30)
    invoices = pd.DataFrame(
        {
            "InvoiceNo": ["OLD", "NEW"],
            "CustomerID": ["A", "B"],
            "InvoiceDate": pd.to_datetime(["2026-01-10", "2026-06-15"]),
            "DueDate": pd.to_datetime(["2026-02-09", "2026-07-15"]),
            "Amount": pd.array([11_000_00, 10_000_00], dtype="Int64"),
            "Disputed": [True, False],
        },
        index=[2, 3],
    )
    alloc = pd.DataFrame(
        {
            "LineID": ["L1"],
            "InvoiceNo": ["NEW"],
            "CustomerID": ["B"],
            "Amount": pd.array([6_000_00], dtype="Int64"),
            "PaymentDate": pd.to_datetime(["2026-06-20"]),
            "Kind": ["payment"],
        }
    )
    aged = aged_items(
        open_items(invoices, alloc, as_of=as_of, base="EUR"),
        as_of=as_of,
        limits=(30, 60, 90, 120),
        basis="due",
    )
    begin = open_items(invoices, alloc, as_of=date(2026, 5, 30), base="EUR")
    history = payment_history(invoices, alloc, as_of=as_of, base="EUR")
    table = kpi_table(aged, begin, invoices, history, as_of=as_of, period_days=30, rates=no_rates(base="EUR"))
    assert list(table.columns) == KPI_COLUMNS
    got = table.set_index("Metric")["Value"]
    assert got["OpenAR"] == 15_000 and got["CurrentAR"] == 4_000 and got["OverdueAR"] == 11_000
    assert got["DisputedAR"] == 11_000 and got["OpenItems"] == 2
    assert got["DSOSimple"] == pytest.approx(45) and got["BestPossibleDSO"] == pytest.approx(12)
    assert got["ADD"] == pytest.approx(33)
    # months back from 30 June: 31, 30, 31, 30, 29 days without enough sales, then 5,000 of January's 11,000
    assert got["DSO"] == pytest.approx(31 + 30 + 31 + 30 + 29 + 5 / 11 * 31)
    assert got["CEI"] == pytest.approx((11_000 + 10_000 - 15_000) / (11_000 + 10_000 - 4_000) * 100)
    assert got["AvgDaysLate"] == pytest.approx(-25)
    assert set(table["AsOf"]) == {pd.Timestamp(as_of)}
    assert table.set_index("Metric").loc["CEI", "Unit"] == "%"
