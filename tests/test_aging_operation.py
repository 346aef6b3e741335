"""The aging, credit, forecast and credit-check operations on a real workbook file (FileBook)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from arbook.runner import run
from workbook.filebook import FileBook
from workbook.template import build_workbook

AS_OF = date(2026, 6, 30)
CUSTOMERS = pd.DataFrame(
    {
        "CustomerID": ["A", "B"],
        "Name": ["Acme GmbH", "Beta Ltd"],
        "PaymentTermsDays": pd.array([30, 14], dtype="Int64"),
        "CreditLimit": pd.array([10_000_00, None], dtype="Int64"),
    }
)
INVOICES = pd.DataFrame(
    {
        "InvoiceNo": ["I1", "I2", "C1", "I3"],
        "CustomerID": ["A", "B", "A", "B"],
        "InvoiceDate": pd.to_datetime(["2026-03-01", "2026-06-01", "2026-06-10", "2026-07-15"]),
        "DueDate": pd.to_datetime(["2026-03-31", None, None, None]),
        "Amount": pd.array([1_000_00, 500_00, -100_00, 80_00], dtype="Int64"),
        "Disputed": [False, True, False, False],
    }
)
ALLOCATIONS = pd.DataFrame(
    {
        "AllocationID": ["A1", "A2"],
        "LineID": ["L1", "L2"],
        "InvoiceNo": ["I1", "I1"],
        "CustomerID": ["A", "A"],
        "Amount": pd.array([400_00, 600_00], dtype="Int64"),
        "PaymentDate": pd.to_datetime(["2026-04-10", "2026-07-20"]),  # the second one after the as-of date
        "Kind": ["payment", "payment"],
        "Method": ["manual", "manual"],
    }
)


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    path = tmp_path / "Book.xlsx"
    settings = pd.DataFrame({"Key": ["aging_buckets"], "Value": ["30,60,90"], "Description": [""]})
    build_workbook(
        path,
        rows={"Settings": settings, "Customers": CUSTOMERS, "Invoices": INVOICES, "Allocations": ALLOCATIONS},
    )
    return path


def test_aging_writes_aging_kpis_and_invoice_columns(book_path: Path) -> None:
    with FileBook(book_path) as book:
        summary = run(book, "aging", as_of=AS_OF)
    assert summary.figures["open AR EUR"] == "1000.00 EUR" and summary.figures["open items"] == 3
    assert "open AR in EUR" not in summary.figures  # one currency: nothing converted
    assert summary.notes == ["1 disputed invoice(s) stay in aging, 500.00 EUR open"]
    with FileBook(book_path) as book:
        inv = book.read("Invoices").set_index("InvoiceNo")
        table = book.read("Aging")
        kpis = book.read("KPIs").set_index("Metric")["Value"]
        audit = book.read("Audit")
    # paid in full on 20 July, but open as of 30 June; I3 is not issued yet
    assert inv["OpenAmount"].tolist() == [600_00, 500_00, -100_00, 80_00]
    assert inv["Status"].tolist() == ["Partial", "Open", "Credit", "Open"]
    assert inv.loc["I1", "LastPaymentDate"] == pd.Timestamp("2026-04-10")
    header = CalamineWorkbook.from_path(str(book_path)).get_sheet_by_name("Aging").to_python()[0]
    assert header == [
        "CustomerID",
        "Name",
        "Currency",
        "Current",
        "1-30",
        "31-60",
        "61-90",
        "90+",
        "Total",
        "Overdue",
        "AvgDaysLate",
        "OldestDueDate",
    ]  # the buckets follow the setting 30,60,90
    assert table.set_index("CustomerID")[["1-30", "90+", "Total"]].to_dict("index") == {
        "A": {"1-30": -100_00, "90+": 600_00, "Total": 500_00},  # I1 91 days, C1 20 days
        "B": {"1-30": 500_00, "90+": 0, "Total": 500_00},  # I2 due 15 June (14 days' terms)
    }
    assert kpis["OpenAR"] == 1000 and kpis["DisputedAR"] == 500
    assert audit["Command"].tolist() == ["aging --as-of 2026-06-30"]


def test_credit_forecast_and_credit_check(book_path: Path) -> None:
    with FileBook(book_path) as book:
        assert run(book, "credit", as_of=AS_OF).figures["hold"] == 1
        run(book, "forecast", as_of=AS_OF)
        check = run(book, "credit-check", customer="B", amount_cents=5_000_00, as_of=AS_OF)
    assert check.ok and check.notes == ["B: no credit limit set; exposure would be 5500.00 EUR"]
    with FileBook(book_path, lock=False) as book:
        table = book.read("Credit").set_index("CustomerID")
        fc = book.read("Forecast")
        refused = run(book, "credit-check", customer="A", amount_cents=1_00, as_of=AS_OF)
    assert table.loc["A", ["Exposure", "Available", "Action"]].tolist() == [
        500_00,
        9_500_00,
        "Hold",
    ]  # 91 days late
    assert not refused.ok and refused.figures["over by"] == "0.00 EUR"
    # only I1 is forecast: I2 is disputed, C1 a credit, I3 not issued; it is overdue, so in the first week
    assert fc["Expected"].tolist()[:2] == [600_00, 0] and int(fc["Invoices"].sum()) == 1
    assert len(fc) == 24
