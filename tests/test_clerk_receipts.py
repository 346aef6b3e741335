"""The receipts report (收款报表, `arbook receipts`): money received by customer, currency and month,
what of it was applied and what is still on account, and the average days to pay, as the books
stand after postings by hand, a credit note netted, cash applied later and a reversal."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from arbook.cli import cli
from arbook.runner import run
from receivables import RECEIPT_COLUMNS, receipts
from tests.clerk_support import ledger_book
from workbook import MemoryBook, build_workbook
from workbook.contract import TABLES

INVOICES = pd.DataFrame(
    {
        "InvoiceNo": ["INV-1", "INV-2", "INV-3", "INV-5", "INV-6", "CN-1"],
        "CustomerID": ["C001", "C001", "C002", "C003", "C001", "C001"],
        "InvoiceDate": pd.to_datetime(
            ["2026-09-01", "2026-09-15", "2026-09-20", "2026-09-20", "2026-10-01", "2026-10-05"]
        ),
        "Currency": ["EUR", "EUR", "EUR", "GBP", "EUR", "EUR"],
        "Amount": pd.array([60000, 40000, 25000, 30000, 50000, -10000], dtype="Int64"),
        "ApplyTo": ["", "", "", "", "", "INV-6"],  # the credit note nets 100.00 of INV-6: no money received
    }
)
LINES = pd.DataFrame(
    {
        "LineID": ["L1", "L2", "L3", "L4"],
        "Date": pd.to_datetime(["2026-10-10", "2026-10-12", "2026-11-05", "2026-10-20"]),
        "Amount": pd.array([100000, 90000, 25000, 30000], dtype="Int64"),
        "Currency": ["EUR", "EUR", "EUR", "GBP"],
        "Payer": ["Acme GmbH", "Acme GmbH", "Müller Maschinenbau GmbH", "Zeta Trading Ltd"],
        "Memo": ["", "", "", ""],
        "BankRef": ["R1", "R2", "R3", "R4"],
        "Status": ["Unmatched"] * 4,
        "ApplyTo": ["INV-1; INV-2", "INV-6 300.00", "INV-3", "INV-5"],
    }
)
END = date(2026, 11, 30)
ACME_OCTOBER = ("C001", "Acme GmbH", "EUR", "2026-10")
ZETA_OCTOBER = ("C003", "Zeta Trading Ltd", "GBP", "2026-10", 30000, 30000, 0, 1, 30.0)
MUELLER_NOVEMBER = ("C002", "Müller Maschinenbau GmbH", "EUR", "2026-11", 25000, 25000, 0, 1, 46.0)


def table_rows(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    return [
        tuple(None if pd.isna(v) else v for v in r) for r in frame[RECEIPT_COLUMNS].itertuples(index=False)
    ]


def report(book: MemoryBook, start: date | None) -> list[tuple[object, ...]]:
    return table_rows(
        receipts(
            book.read("Invoices"),
            book.read("Allocations"),
            book.read("Customers"),
            start=start,
            end=END,
            base="EUR",
        )
    )


@pytest.fixture(scope="module")
def posted() -> MemoryBook:
    """L1 pays INV-1 and INV-2; L2 300.00 of INV-6 (600.00 left on account); L3 INV-3 in November;
    L4 INV-5 in GBP; CN-1 nets 100.00 of INV-6."""
    book = ledger_book(Invoices=INVOICES, BankLines=LINES)
    summary = run(book, "post", as_of=END)
    assert summary.ok, summary.notes
    return book


def test_money_received_applied_and_on_account_per_customer_currency_and_month(posted: MemoryBook) -> None:
    # C001 in October: 1000.00 + 900.00 received, 1000.00 + 300.00 applied, 600.00 on account;
    # days to pay weighted by amount: (600*39 + 400*25 + 300*11) / 1300 = 28.2
    assert report(posted, date(2026, 10, 1)) == [
        (*ACME_OCTOBER, 190000, 130000, 60000, 2, 28.2),
        MUELLER_NOVEMBER,
        ZETA_OCTOBER,
    ]
    assert report(posted, date(2026, 11, 1)) == [MUELLER_NOVEMBER]


def test_cash_applied_later_moves_to_applied_and_a_reversal_counts_as_never_received(
    posted: MemoryBook,
) -> None:
    book = MemoryBook({t.name: posted.read(t.name) for t in TABLES if posted.has(t.name)})
    run(book, "apply", as_of=END, source="L2", items=("INV-6",))  # 100.00 of the 600.00 on account
    run(book, "reverse", as_of=END, target="L4", reason="not Zeta's money")
    # (600*39 + 400*25 + 300*11 + 100*11) / 1400 = 27.0
    assert report(book, None) == [(*ACME_OCTOBER, 190000, 140000, 50000, 2, 27.0), MUELLER_NOVEMBER]


def test_arbook_receipts_prints_the_rows_and_each_currencys_totals_as_json(
    posted: MemoryBook, tmp_path: Path
) -> None:
    path = tmp_path / "Book.xlsx"
    build_workbook(
        path, rows={t.name: posted.read(t.name) for t in TABLES if posted.has(t.name) and t.name != "Audit"}
    )
    done = CliRunner().invoke(
        cli, ["receipts", str(path), "--from", "2026-10-01", "--to", "2026-11-30", "--json"]
    )
    assert done.exit_code == 0, done.output
    said = json.loads(done.stdout)
    assert said["figures"] == {
        "from": "2026-10-01",
        "to": "2026-11-30",
        "customers": 3,
        "received EUR": "2150.00 EUR",
        "applied EUR": "1550.00 EUR",
        "unapplied EUR": "600.00 EUR",
        "received GBP": "300.00 GBP",
        "applied GBP": "300.00 GBP",
        "unapplied GBP": "0.00 GBP",
    }
    assert said["rows"][0] == {
        "CustomerID": "C001",
        "Name": "Acme GmbH",
        "Currency": "EUR",
        "Period": "2026-10",
        "Received": "1900.00",
        "Applied": "1300.00",
        "Unapplied": "600.00",
        "Receipts": 2,
        "AvgDaysToPay": 28.2,
    }
    assert [r["CustomerID"] for r in said["rows"]] == ["C001", "C002", "C003"]
    empty = CliRunner().invoke(cli, ["receipts", str(path), "--to", "2026-12-31"])
    assert empty.exit_code == 0 and "no money was received from 2026-12-01 to 2026-12-31" in empty.stdout
    backwards = CliRunner().invoke(cli, ["receipts", str(path), "--from", "2026-12-01", "--to", "2026-11-30"])
    assert backwards.exit_code == 1
