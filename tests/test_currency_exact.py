"""Currencies to the minor unit in what people read: bank reconciliation, credit, reversals, mail.

Every figure is worked out by hand in the comments: an amount converts by dividing by its
currency's rate to the base currency (units per 1 EUR, as the ECB quotes), rounded once half
away from zero to the target currency's minor unit.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from arbook.match import open_amounts
from arbook.rates import book_rates
from arbook.report import build_report
from arbook.report.figures import ReportData
from arbook.runner import run
from receivables import Ledger
from tests.test_currency_rates import crossing_book
from workbook.memorybook import MemoryBook

DAY = date(2026, 4, 13)


def _dates(*days: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(days)), dtype="datetime64[ns]")


def _customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "CustomerID": ["E", "J", "K"],
            "Name": ["Euro GmbH", "Yen KK", "Dinar WLL"],
            "Currency": ["EUR", "JPY", "KWD"],
            "PaymentTermsDays": pd.array([30] * 3, dtype="Int64"),
            "Email": ["ap@euro.example", "ap@yen.example", "ap@dinar.example"],
        }
    )


def _report_data(book: MemoryBook) -> ReportData:
    ledger = Ledger(
        *(book.read(name) for name in ("Invoices", "Allocations", "Customers")),
        as_of=DAY,
        rates=book_rates(book),
    )
    frames = [
        book.read(n) for n in ("BankLines", "Matches", "BankStatements", "Credit", "Forecast", "MailLog")
    ]
    return ReportData(ledger, *frames, settings=book.settings())


# -- bank reconciliation -----------------------------------------------------------------------
def test_bank_reconciliation_prints_each_account_in_its_currency_and_its_decimals() -> None:
    book = MemoryBook(
        {
            "Customers": _customers(),
            "Invoices": pd.DataFrame({"InvoiceNo": [], "CustomerID": [], "InvoiceDate": [], "Amount": []}),
            "BankStatements": pd.DataFrame(
                {
                    "StatementID": ["J-4", "K-4", "E-4"],
                    "Account": ["JP-YEN-1", "KW-KWD-1", "DE-EUR-1"],
                    "Currency": ["JPY", "KWD", ""],  # blank: the base currency
                    "FromDate": _dates("2026-04-01", "2026-04-01", "2026-04-01"),
                    "ToDate": _dates("2026-04-13", "2026-04-13", "2026-04-13"),
                    "OpeningBalance": pd.array([1_000_000, 5_000, 100_00], dtype="Int64"),
                    "ClosingBalance": pd.array([1_234_567, 6_234, 150_00], dtype="Int64"),
                }
            ),
            "BankLines": pd.DataFrame(
                {
                    "LineID": ["J1", "J2", "K1", "E1"],
                    "Date": _dates("2026-04-02", "2026-04-03", "2026-04-02", "2026-04-02"),
                    # 234,567 yen in two lines; 1.234 KWD of 1.234 expected; 40.00 EUR of 50.00
                    "Amount": pd.array([200_000, 34_567, 1_234, 40_00], dtype="Int64"),
                    "Currency": ["JPY", "JPY", "KWD", "EUR"],
                    "Account": ["JP-YEN-1", "JP-YEN-1", "KW-KWD-1", "DE-EUR-1"],
                    "Payer": ["Yen KK", "Yen KK", "Dinar WLL", "Euro GmbH"],
                    "Memo": ["J1", "J1", "K1", "E1"],
                    "Status": ["Unmatched"] * 4,
                }
            ),
        }
    )
    report = build_report(_report_data(book))
    assert report.text.splitlines()[-4:-1] == [
        "Account DE-EUR-1: opening 100.00 EUR + lines 40.00 EUR = closing 150.00 EUR, difference 10.00 EUR",
        "Account JP-YEN-1: opening 1000000 JPY + lines 234567 JPY = closing 1234567 JPY",
        "Account KW-KWD-1: opening 5.000 KWD + lines 1.234 KWD = closing 6.234 KWD",
    ]
    recon = report.html.split("Bank reconciliation")[1].split("<h2")[0]
    cells = [c.split(">")[-1] for c in recon.split("</td>")[:-1]]
    assert [c for c in cells if c.endswith(("JPY", "KWD"))] == [
        "1000000 JPY",
        "234567 JPY",
        "0 JPY",
        "1234567 JPY",
        "5.000 KWD",
        "1.234 KWD",
        "0.000 KWD",
        "6.234 KWD",
    ]


# -- reversing a cross-currency posting ----------------------------------------------------------
def test_reversing_a_cross_currency_posting_gives_the_line_its_euros_and_reopens_the_invoice_exactly() -> (
    None
):
    book = crossing_book(850_00)  # 850.00 EUR paid for U1's 1,000.00 USD, at 1.1684 USD per EUR
    assert run(book, "post", as_of=DAY).ok
    columns = ["InvoiceNo", "Amount", "Currency", "Kind", "Method", "LineAmount", "LineCurrency"]
    before = _values(book.read("Allocations")[columns])
    assert before == [
        ["U1", 993_14, "USD", "payment", "approved", 850_00, "EUR"],
        ["U1", 6_86, "USD", "fx", "approved", None, ""],
    ]
    assert run(book, "aging", as_of=DAY).figures["open items"] == 0
    payment = book.read("Allocations")["AllocationID"].iloc[0]

    summary = run(book, "reverse", as_of=DAY, target=payment, reason="wrong customer")

    assert summary.ok
    after = _values(book.read("Allocations")[columns])
    assert after == [
        *before,
        ["U1", -993_14, "USD", "payment", "reversal", -850_00, "EUR"],  # the line's 850.00 EUR back
        ["U1", -6_86, "USD", "fx", "reversal", None, ""],
    ]
    aged = run(book, "aging", as_of=DAY)
    assert aged.figures["open items"] == 1
    assert book.read("Aging").set_index("CustomerID").loc["U", "Total"] == 1_000_00  # 1,000.00 USD
    lines = book.read("BankLines")
    assert lines[["LineID", "Status"]].values.tolist() == [["B1", "Unmatched"]]
    ledger = Ledger(*(book.read(n) for n in ("Invoices", "Allocations", "Customers")), as_of=DAY)
    left = open_amounts(lines, ledger)
    assert left.line_left.tolist() == [850_00]  # the whole line is free again, in its own EUR
    assert left.items.set_index("InvoiceNo")["OpenAmount"].to_dict() == {"U1": 1_000_00}


def _values(frame: pd.DataFrame) -> list[list[object]]:
    return frame.astype(object).where(frame.notna(), None).values.tolist()
