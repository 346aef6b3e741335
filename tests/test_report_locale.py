"""The month-end report in the workbook's language (Settings locale): its labels translated where
the report has them (de, zh), and numbers and money through Babel with thousands separated."""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import pytest

from arbook.rates import book_rates
from arbook.report import ReportData, build_report
from arbook.report.words import report_words
from arbook.runner import run
from receivables import Ledger
from workbook.memorybook import MemoryBook

DAY = dt.date(2026, 10, 31)


@functools.cache  # built once per locale for the module's tests (a report draws three charts)
def report_for(locale: str):
    """One invoice of 12,345.67 EUR paid by one bank line that match posts, in a workbook of `locale`."""
    book = MemoryBook(
        {
            "Settings": pd.DataFrame({"Key": ["locale", "base_currency"], "Value": [locale, "EUR"]}),
            "Customers": pd.DataFrame({"CustomerID": ["C1"], "Name": ["Acme GmbH"]}),
            "Invoices": pd.DataFrame(
                {
                    "InvoiceNo": ["INV-1001"],
                    "CustomerID": ["C1"],
                    "InvoiceDate": pd.to_datetime(["2026-09-15"]),
                    "DueDate": pd.to_datetime(["2026-10-15"]),
                    "Amount": pd.array([12_345_67], dtype="Int64"),
                }
            ),
            "BankLines": pd.DataFrame(
                {
                    "LineID": ["B1"],
                    "Date": pd.to_datetime(["2026-10-20"]),
                    "Amount": pd.array([12_345_67], dtype="Int64"),
                    "Payer": ["ACME GMBH"],
                    "Memo": ["INV-1001"],
                    "Status": ["Unmatched"],
                }
            ),
        }
    )
    assert run(book, "match", as_of=DAY).figures["auto-posted lines"] == 1
    ledger = Ledger(
        *(book.read(name) for name in ("Invoices", "Allocations", "Customers")),
        as_of=DAY,
        rates=book_rates(book),
    )
    frames = [
        book.read(n) for n in ("BankLines", "Matches", "BankStatements", "Credit", "Forecast", "MailLog")
    ]
    return build_report(ReportData(ledger, *frames, audit=book.read("Audit"), settings=book.settings()))


@pytest.mark.parametrize(
    ("locale", "lines"),
    [
        (
            "en",
            [
                "Bank lines in the month: 1",
                "Matched automatically: 1",
                "Money applied (auto): 12,345.67 EUR",
                "Money applied (approved): 0.00 EUR",
            ],
        ),
        (
            "de",
            [
                "Bankzeilen im Monat: 1",
                "Automatisch zugeordnet: 1",
                "Zugeordnet (automatisch): 12.345,67 EUR",
                "Zugeordnet (freigegeben): 0,00 EUR",
            ],
        ),
        (
            "zh",
            [
                "本月银行流水: 1",
                "自动匹配: 1",
                "已核销金额（自动）: 12,345.67 EUR",
                "已核销金额（已批准）: 0.00 EUR",
            ],
        ),
    ],
)
def test_the_report_speaks_the_workbooks_language(locale: str, lines: list[str]) -> None:
    report = report_for(locale)
    text = report.text.splitlines()
    assert [line for line in text if line in lines] == lines
    # the summary (the month-end's line and --json) keeps one form whatever the language
    assert report.figures["Money applied (auto)"] == "12345.67 EUR"
    assert report.figures["Matched automatically"] == 1


def test_the_html_report_has_the_german_labels_and_formats() -> None:
    report = report_for("de")
    assert (
        report.subject == "arbook: Monatsabschluss 2026-10-31 — 1 zugeordnet, 0 zu prüfen, 0 nicht zugeordnet"
    )
    assert ">Bankzeilen und Zuordnung</h2>" in report.html and ">Altersstruktur</h2>" in report.html
    assert ">Zugeordnet (automatisch)</td>" in report.html and ">12.345,67 EUR</td>" in report.html


@pytest.mark.parametrize(
    ("locale", "want"), [("en", "1,234,567"), ("de", "1.234.567"), ("de_DE", "1.234.567")]
)
def test_counts_are_thousands_separated_in_the_locales_way(locale: str, want: str) -> None:
    assert report_words(locale).number(1_234_567) == want
