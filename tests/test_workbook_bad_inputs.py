"""The corpus of bad workbook content: each kind is refused with the table, Excel row and column
that hold it, and nothing is written. And the other side: values as people type them are taken.
Then damaged files (parts missing or cut, cells beyond Excel's last, XML entities, a zip bomb):
refused through the CLI by name, exit 1, no traceback, the file left as it was.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from contextlib import redirect_stderr
from pathlib import Path
from unittest.mock import patch

import pandas as pd
import pytest
from lxml import etree

from arbook.cli import main
from common.errors import InputError, Problem
from tests.xlsx_factory import TableSpec, build_book
from workbook.filebook import FileBook
from workbook.template import build_workbook

Tables = dict[str, list[list[object]]]  # table -> [header, *rows]; Excel row of rows[i] is i + 1

BASE: Tables = {
    "Settings": [
        ["Key", "Value", "Description"],
        ["company_name", "Muster AG", ""],
        ["date_order", "dmy", ""],
        ["aging_buckets", "30,60,90,120", ""],
        ["match_auto_threshold", "90", ""],
    ],
    "Customers": [
        [
            "CustomerID",
            "Name",
            "Email",
            "CC",
            "Language",
            "PaymentTermsDays",
            "CreditLimit",
            "DunningBlocked",
        ],
        ["C1", "Acme GmbH", "ap@acme.de", "", "de", 30, 50000, "N"],
        ["C2", "Beta Ltd", "ar@beta.co.uk", "boss@beta.co.uk", "en", 14, None, "Y"],
        [100999, "Gamma SA", None, None, "fr", None, 1000.5, None],
    ],
    "Invoices": [
        ["InvoiceNo", "CustomerID", "InvoiceDate", "DueDate", "Amount", "Disputed", "PromiseDate"],
        ["INV-1", "C1", dt.date(2026, 9, 1), dt.date(2026, 10, 1), 1234.56, "N", None],
        ["INV-2", "C2", dt.date(2026, 9, 15), None, 500, None, None],
        ["CN-3", 100999, dt.date(2026, 10, 1), dt.date(2026, 10, 1), -99.99, "N", dt.date(2026, 11, 30)],
    ],
    "Orders": [
        ["OrderNo", "CustomerID", "OrderDate", "Amount", "Status"],
        ["SO-1", "C1", dt.date(2026, 11, 1), 2000, "Open"],
    ],
    "BankLines": [
        ["LineID", "Date", "Amount", "Payer", "Memo"],
        ["L-1", dt.date(2026, 10, 2), 1234.56, "ACME", "INV-1"],
        ["", dt.date(2026, 10, 3), 100, "Beta", "on account"],
    ],
    "DunningLevels": [
        ["Level", "DaysOverdue", "Template", "MinAmount", "Fee"],
        [1, 7, "reminder", 10, None],
        [2, 30, "notice", 10, 5],
    ],
    "Templates": [
        ["Name", "Language", "Subject", "Body"],
        ["reminder", "en", "Reminder", "Dear {{ name }}"],
        ["reminder", "de", "Erinnerung", "Guten Tag {{ name }}"],
    ],
}


def _build(path: Path, tables: Tables) -> Path:
    return build_book(path, [TableSpec(name, rows[0], rows[1:]) for name, rows in tables.items()])


Edit = Callable[[Tables], None]


def put(table: str, row: int, column: str, value: object) -> Edit:
    """Set the cell at Excel `row` of `column` (a row past the end is added)."""

    def edit(t: Tables) -> None:
        rows = t[table]
        while len(rows) < row:
            rows.append([None] * len(rows[0]))
        rows[row - 1][rows[0].index(column)] = value

    return edit


def drop(table: str, column: str) -> Edit:
    def edit(t: Tables) -> None:
        i = t[table][0].index(column)
        for r in t[table]:
            del r[i]

    return edit


def row(table: str, *values: object) -> Edit:
    def edit(t: Tables) -> None:
        t[table].append(list(values))

    return edit


def P(table: str, row: int | None, column: str | None, message: str) -> Problem:
    return Problem(table, row, column, message)


AMOUNT = "expected an amount such as 1234.56 or 1.234,56, got {!r}"
REQUIRED = "a value is required here"
MISSING_COLUMN = "required column is missing from the header row"
LANGS = "expected one of en, de, fr, zh, got {!r}"
YN = "expected yes or no (Y/N, ja/nein, oui/non, 是/否, TRUE/FALSE, WAHR/FALSCH, 1/0, x or ✓ for yes; blank is no), got {!r}"

# (id, table read, edits, the exact problems)
CASES: list[tuple[str, str, list[Edit], list[Problem]]] = [
    # Customers
    (
        "customer-duplicate-id",
        "Customers",
        [put("Customers", 3, "CustomerID", "C1")],
        [P("Customers", 3, "CustomerID", "'C1' appears twice (first in row 2); expected unique values")],
    ),
    (
        "customer-duplicate-numeric-id",
        "Customers",
        [row("Customers", "100999", "Delta", None, None, None, None, None, None)],
        [P("Customers", 5, "CustomerID", "'100999' appears twice (first in row 4); expected unique values")],
    ),
    (
        "customer-empty-id",
        "Customers",
        [put("Customers", 3, "CustomerID", None)],
        [P("Customers", 3, "CustomerID", REQUIRED)],
    ),
    (
        "customer-blank-id",
        "Customers",
        [put("Customers", 3, "CustomerID", "   ")],
        [P("Customers", 3, "CustomerID", REQUIRED)],
    ),
    (
        "customer-row-with-only-an-email",
        "Customers",
        [row("Customers", None, None, "lost@x.de", None, None, None, None, None)],
        [P("Customers", 5, "CustomerID", REQUIRED), P("Customers", 5, "Name", REQUIRED)],
    ),
    (
        "customer-row-after-a-blank-row",
        "Customers",
        [row("Customers", None, None, None, None, None, None, None, None), row("Customers", "C1", "Dup")],
        [P("Customers", 6, "CustomerID", "'C1' appears twice (first in row 2); expected unique values")],
    ),
    (
        "customer-empty-name",
        "Customers",
        [put("Customers", 2, "Name", None)],
        [P("Customers", 2, "Name", REQUIRED)],
    ),
    (
        "customer-missing-name-column",
        "Customers",
        [drop("Customers", "Name")],
        [P("Customers", 1, "Name", MISSING_COLUMN)],
    ),
    (
        "customer-missing-id-column",
        "Customers",
        [drop("Customers", "CustomerID")],
        [P("Customers", 1, "CustomerID", MISSING_COLUMN)],
    ),
    (
        "customer-email-no-at",
        "Customers",
        [put("Customers", 2, "Email", "ap.acme.de")],
        [P("Customers", 2, "Email", "expected an e-mail address, got 'ap.acme.de'")],
    ),
    (
        "customer-email-no-domain-dot",
        "Customers",
        [put("Customers", 3, "Email", "ar@beta")],
        [P("Customers", 3, "Email", "expected an e-mail address, got 'ar@beta'")],
    ),
    (
        "customer-second-email-bad",
        "Customers",
        [put("Customers", 2, "Email", "ap@acme.de; boss at acme.de")],
        [P("Customers", 2, "Email", "expected an e-mail address, got 'boss at acme.de'")],
    ),
    (
        "customer-cc-bad",
        "Customers",
        [put("Customers", 3, "CC", "boss@@beta.co.uk")],
        [P("Customers", 3, "CC", "expected an e-mail address, got 'boss@@beta.co.uk'")],
    ),
    (
        "customer-bad-language",
        "Customers",
        [put("Customers", 2, "Language", "German")],
        [P("Customers", 2, "Language", LANGS.format("German"))],
    ),
    (
        "customer-unknown-language-code",
        "Customers",
        [put("Customers", 4, "Language", "xx")],
        [P("Customers", 4, "Language", LANGS.format("xx"))],
    ),
    (
        "customer-negative-credit-limit",
        "Customers",
        [put("Customers", 2, "CreditLimit", -5000)],
        [P("Customers", 2, "CreditLimit", "expected zero or more, got a negative value")],
    ),
    (
        "customer-credit-limit-text",
        "Customers",
        [put("Customers", 3, "CreditLimit", "lots")],
        [P("Customers", 3, "CreditLimit", AMOUNT.format("lots"))],
    ),
    (
        "customer-credit-limit-3-decimals",
        "Customers",
        [put("Customers", 2, "CreditLimit", 100.125)],
        [P("Customers", 2, "CreditLimit", "expected an amount with at most 2 decimals, got 100.125")],
    ),
    (
        "customer-terms-text",
        "Customers",
        [put("Customers", 2, "PaymentTermsDays", "30 days")],
        [P("Customers", 2, "PaymentTermsDays", "expected a whole number, got '30 days'")],
    ),
    (
        "customer-terms-fraction",
        "Customers",
        [put("Customers", 3, "PaymentTermsDays", 12.5)],
        [P("Customers", 3, "PaymentTermsDays", "expected a whole number, got 12.5")],
    ),
    (
        "customer-terms-negative",
        "Customers",
        [put("Customers", 3, "PaymentTermsDays", -14)],
        [P("Customers", 3, "PaymentTermsDays", "expected zero or more, got a negative value")],
    ),
    (
        "customer-bad-yes-no",
        "Customers",
        [put("Customers", 2, "DunningBlocked", "maybe")],
        [P("Customers", 2, "DunningBlocked", YN.format("maybe"))],
    ),
    # Invoices
    (
        "invoice-duplicate-number",
        "Invoices",
        [put("Invoices", 4, "InvoiceNo", "INV-1")],
        [P("Invoices", 4, "InvoiceNo", "'INV-1' appears twice (first in row 2); expected unique values")],
    ),
    (
        "invoice-unknown-customer",
        "Invoices",
        [put("Invoices", 3, "CustomerID", "C9")],
        [P("Invoices", 3, "CustomerID", "expected a CustomerID of the Customers table, got 'C9'")],
    ),
    (
        "invoice-unknown-numeric-customer",
        "Invoices",
        [put("Invoices", 2, "CustomerID", 100998)],
        [P("Invoices", 2, "CustomerID", "expected a CustomerID of the Customers table, got '100998'")],
    ),
    (
        "invoice-amount-not-a-number",
        "Invoices",
        [put("Invoices", 2, "Amount", "abc")],
        [P("Invoices", 2, "Amount", AMOUNT.format("abc"))],
    ),
    (
        "invoice-amount-3-decimals",
        "Invoices",
        [put("Invoices", 3, "Amount", 12.345)],
        [P("Invoices", 3, "Amount", "expected an amount with at most 2 decimals, got 12.345")],
    ),
    (
        "invoice-amount-text-4-decimals",
        "Invoices",
        [put("Invoices", 3, "Amount", "12.3456")],
        [P("Invoices", 3, "Amount", "expected at most 2 decimals, got 12.3456")],
    ),
    (
        "invoice-amount-two-decimal-marks",
        "Invoices",
        [put("Invoices", 2, "Amount", "1.234.56")],
        [P("Invoices", 2, "Amount", "expected an amount with one decimal mark, got '1.234.56'")],
    ),
    (
        "invoice-amount-bad-groups",
        "Invoices",
        [put("Invoices", 2, "Amount", "1,23,4")],
        [P("Invoices", 2, "Amount", "expected an amount with one decimal mark, got '1,23,4'")],
    ),
    (
        "invoice-amount-word-currency",
        "Invoices",
        [put("Invoices", 2, "Amount", "12 Euros")],
        [P("Invoices", 2, "Amount", AMOUNT.format("12 Euros"))],
    ),
    (
        "invoice-amount-yes-no",
        "Invoices",
        [put("Invoices", 2, "Amount", True)],
        [P("Invoices", 2, "Amount", "expected an amount, got a yes/no value")],
    ),
    (
        "invoice-amount-zero",
        "Invoices",
        [put("Invoices", 3, "Amount", 0)],
        [P("Invoices", 3, "Amount", "expected a non-zero amount (negative for a credit note)")],
    ),
    (
        "invoice-amount-empty",
        "Invoices",
        [put("Invoices", 3, "Amount", None)],
        [P("Invoices", 3, "Amount", REQUIRED)],
    ),
    (
        "invoice-number-empty",
        "Invoices",
        [put("Invoices", 4, "InvoiceNo", None)],
        [P("Invoices", 4, "InvoiceNo", REQUIRED)],
    ),
    (
        "invoice-date-empty",
        "Invoices",
        [put("Invoices", 2, "InvoiceDate", None)],
        [P("Invoices", 2, "InvoiceDate", REQUIRED)],
    ),
    (
        "invoice-date-words",
        "Invoices",
        [put("Invoices", 2, "InvoiceDate", "yesterday")],
        [
            P(
                "Invoices",
                2,
                "InvoiceDate",
                "expected a date such as 2026-11-30 or 30.11.2026, got 'yesterday'",
            )
        ],
    ),
    (
        "invoice-date-31-february",
        "Invoices",
        [put("Invoices", 3, "InvoiceDate", "31.02.2026")],
        [
            P(
                "Invoices",
                3,
                "InvoiceDate",
                "expected a real date, got '31.02.2026' (day is out of range for month)",
            )
        ],
    ),
    (
        "invoice-date-month-13",
        "Invoices",
        [put("Invoices", 3, "InvoiceDate", "2026-13-01")],
        [P("Invoices", 3, "InvoiceDate", "expected a real date, got '2026-13-01' (month must be in 1..12)")],
    ),
    (
        "invoice-date-negative-serial",
        "Invoices",
        [put("Invoices", 2, "InvoiceDate", -3)],
        [P("Invoices", 2, "InvoiceDate", "expected a date, got the number -3")],
    ),
    (
        "invoice-due-day-32",
        "Invoices",
        [put("Invoices", 2, "DueDate", "32/01/2026")],
        [
            P(
                "Invoices",
                2,
                "DueDate",
                "expected a real date, got '32/01/2026' (day is out of range for month)",
            )
        ],
    ),
    (
        "invoice-due-before-invoice-date",
        "Invoices",
        [put("Invoices", 2, "DueDate", dt.date(2026, 8, 31))],
        [P("Invoices", 2, "DueDate", "expected a due date on or after the InvoiceDate")],
    ),
    (
        "invoice-bad-disputed",
        "Invoices",
        [put("Invoices", 4, "Disputed", "perhaps")],
        [P("Invoices", 4, "Disputed", YN.format("perhaps"))],
    ),
    (
        "invoice-bad-promise-date",
        "Invoices",
        [put("Invoices", 4, "PromiseDate", "soon")],
        [P("Invoices", 4, "PromiseDate", "expected a date such as 2026-11-30 or 30.11.2026, got 'soon'")],
    ),
    (
        "invoice-missing-amount-column",
        "Invoices",
        [drop("Invoices", "Amount")],
        [P("Invoices", 1, "Amount", MISSING_COLUMN)],
    ),
    (
        "invoice-missing-date-column",
        "Invoices",
        [drop("Invoices", "InvoiceDate")],
        [P("Invoices", 1, "InvoiceDate", MISSING_COLUMN)],
    ),
    (
        "invoice-every-problem-at-once",
        "Invoices",
        [
            put("Invoices", 2, "Amount", "abc"),
            put("Invoices", 3, "InvoiceDate", "31.02.2026"),
            put("Invoices", 4, "Disputed", "?"),
        ],
        [
            P(
                "Invoices",
                3,
                "InvoiceDate",
                "expected a real date, got '31.02.2026' (day is out of range for month)",
            ),
            P("Invoices", 2, "Amount", AMOUNT.format("abc")),
            P("Invoices", 4, "Disputed", YN.format("?")),
        ],
    ),
    # Orders
    (
        "order-bad-status",
        "Orders",
        [put("Orders", 2, "Status", "Shipped")],
        [P("Orders", 2, "Status", "expected one of Open, Invoiced, Cancelled, got 'Shipped'")],
    ),
    (
        "order-duplicate-number",
        "Orders",
        [row("Orders", "SO-1", "C2", None, 5, "Open")],
        [P("Orders", 3, "OrderNo", "'SO-1' appears twice (first in row 2); expected unique values")],
    ),
    (
        "order-unknown-customer",
        "Orders",
        [put("Orders", 2, "CustomerID", "nobody")],
        [P("Orders", 2, "CustomerID", "expected a CustomerID of the Customers table, got 'nobody'")],
    ),
    (
        "order-amount-text",
        "Orders",
        [put("Orders", 2, "Amount", "n/a")],
        [P("Orders", 2, "Amount", AMOUNT.format("n/a"))],
    ),
    # BankLines
    (
        "bank-date-empty",
        "BankLines",
        [put("BankLines", 3, "Date", None)],
        [P("BankLines", 3, "Date", REQUIRED)],
    ),
    (
        "bank-date-30-february",
        "BankLines",
        [put("BankLines", 2, "Date", "2026/02/30")],
        [P("BankLines", 2, "Date", "expected a real date, got '2026/02/30' (day is out of range for month)")],
    ),
    (
        "bank-amount-empty",
        "BankLines",
        [put("BankLines", 2, "Amount", "")],
        [P("BankLines", 2, "Amount", REQUIRED)],
    ),
    (
        "bank-duplicate-line-id",
        "BankLines",
        [put("BankLines", 3, "LineID", "L-1")],
        [P("BankLines", 3, "LineID", "'L-1' appears twice (first in row 2); expected unique values")],
    ),
    # DunningLevels
    (
        "dunning-duplicate-level",
        "DunningLevels",
        [put("DunningLevels", 3, "Level", 1)],
        [P("DunningLevels", 3, "Level", "1 appears twice (first in row 2); expected unique values")],
    ),
    (
        "dunning-level-text",
        "DunningLevels",
        [put("DunningLevels", 2, "Level", "one")],
        [P("DunningLevels", 2, "Level", "expected a whole number, got 'one'")],
    ),
    (
        "dunning-level-negative",
        "DunningLevels",
        [put("DunningLevels", 2, "Level", -1)],
        [P("DunningLevels", 2, "Level", "expected a level of 0 or more")],
    ),
    (
        "dunning-days-empty",
        "DunningLevels",
        [put("DunningLevels", 3, "DaysOverdue", None)],
        [P("DunningLevels", 3, "DaysOverdue", REQUIRED)],
    ),
    (
        "dunning-template-empty",
        "DunningLevels",
        [put("DunningLevels", 2, "Template", "")],
        [P("DunningLevels", 2, "Template", REQUIRED)],
    ),
    (
        "dunning-fee-words",
        "DunningLevels",
        [put("DunningLevels", 3, "Fee", "5 per letter")],
        [P("DunningLevels", 3, "Fee", AMOUNT.format("5 per letter"))],
    ),
    (
        "dunning-min-amount-3-decimals",
        "DunningLevels",
        [put("DunningLevels", 2, "MinAmount", 0.005)],
        [P("DunningLevels", 2, "MinAmount", "expected an amount with at most 2 decimals, got 0.005")],
    ),
    # Templates
    (
        "template-bad-language",
        "Templates",
        [put("Templates", 3, "Language", "klingon")],
        [P("Templates", 3, "Language", LANGS.format("klingon"))],
    ),
    (
        "template-duplicate-name-language",
        "Templates",
        [put("Templates", 3, "Language", "EN")],
        [P("Templates", 3, "Name", "this template name and language appear twice")],
    ),
    (
        "template-missing-body-column",
        "Templates",
        [drop("Templates", "Body")],
        [P("Templates", 1, "Body", MISSING_COLUMN)],
    ),
    (
        "template-empty-subject",
        "Templates",
        [put("Templates", 2, "Subject", None)],
        [P("Templates", 2, "Subject", REQUIRED)],
    ),
    # Settings (reported when settings are read, which any date-reading table needs)
    (
        "settings-buckets-not-increasing",
        "Settings",
        [put("Settings", 4, "Value", "30,20")],
        [P("Settings", 4, "Value", "aging_buckets: expected increasing day limits above 0, got '30,20'")],
    ),
    (
        "settings-buckets-words",
        "Settings",
        [put("Settings", 4, "Value", "thirty, sixty")],
        [
            P(
                "Settings",
                4,
                "Value",
                "aging_buckets: expected day limits such as 30,60,90,120, got 'thirty, sixty'",
            )
        ],
    ),
    (
        "settings-date-order",
        "Settings",
        [put("Settings", 3, "Value", "xyz")],
        [P("Settings", 3, "Value", "date_order: expected one of dmy, mdy, got 'xyz'")],
    ),
    (
        "settings-threshold-word",
        "Settings",
        [put("Settings", 5, "Value", "high")],
        [P("Settings", 5, "Value", "match_auto_threshold: expected a number, got 'high'")],
    ),
    (
        "settings-late-interest-yes-no",
        "Settings",
        [row("Settings", "late_interest", "sometimes", None)],
        [P("Settings", 6, "Value", "late_interest: " + YN.format("sometimes"))],
    ),
    (
        "settings-smtp-port-fraction",
        "Settings",
        [row("Settings", "smtp_port", "587.5", None)],
        [P("Settings", 6, "Value", "smtp_port: expected a whole number, got '587.5'")],
    ),
    (
        "settings-tolerance-words",
        "Settings",
        [row("Settings", "amount_tolerance", "a little", None)],
        [P("Settings", 6, "Value", "amount_tolerance: " + AMOUNT.format("a little"))],
    ),
    (
        "settings-aging-basis",
        "Settings",
        [row("Settings", "aging_basis", "due date", None)],
        [P("Settings", 6, "Value", "aging_basis: expected one of due, invoice, got 'due date'")],
    ),
    (
        "settings-duplicate-key",
        "Settings",
        [row("Settings", "date_order", "mdy", None)],
        [P("Settings", 6, "Key", "'date_order' appears twice (first in row 3); expected unique values")],
    ),
]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_corpus_is_large_and_every_case_is_distinct():
    assert len(CASES) >= 50
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bad-inputs")


@pytest.mark.parametrize(("case", "table", "edits", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_content_is_refused_where_it_is_and_nothing_is_written(folder, case, table, edits, expected):
    tables = copy.deepcopy(BASE)
    for edit in edits:
        edit(tables)
    book = _build(folder / f"{case}.xlsx", tables)
    sha = _sha(book)
    with FileBook(book) as fb:
        fb.replace("Aging", pd.DataFrame({"CustomerID": ["C1"], "Current": pd.array([1], dtype="Int64")}))
        with pytest.raises(InputError) as refused:
            fb.settings() if table == "Settings" else fb.read(table)
    assert refused.value.problems == expected
    assert "nothing was written" in str(refused.value)
    assert _sha(book) == sha
    assert not list(folder.glob(f".~arbook-*{case}*")) and not (folder / "backups").exists()


def test_the_unedited_base_workbook_is_accepted(folder):
    book = _build(folder / "base.xlsx", BASE)
    with FileBook(book) as fb:
        for name in ("Customers", "Invoices", "Orders", "BankLines", "DunningLevels", "Templates"):
            assert len(fb.read(name)) == len(BASE[name]) - 1, name
        assert fb.settings().aging_buckets == (30, 60, 90, 120)


# -- damaged files: refused through the CLI, located, no traceback, nothing written -------------------
# Each case breaks one thing in a sound workbook (built here; only small files in the repository).
# `arbook check` (no lock, reads every table) and `arbook aging` (a writing command) must both exit 1
# with a message naming the sheet or table (never a Python object) and leave the file as it was.

INVOICES_SHEET = "Invoices"


def _zip_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def _zip(parts: dict[str, bytes], level: int = 6) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def _sheet_part(parts: dict[str, bytes], sheet: str) -> str:
    """The part holding a sheet, found as a reader finds it: workbook.xml, then its relationships."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rid_attr = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    book = etree.fromstring(parts["xl/workbook.xml"])
    rid = next(s.get(rid_attr) for s in book.iterfind("m:sheets/m:sheet", ns) if s.get("name") == sheet)
    rels = etree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    return "xl/" + next(r.get("Target") for r in rels if r.get("Id") == rid)


def _without(part: str) -> Callable[[dict[str, bytes]], None]:
    return lambda parts: parts.pop(part)


def _edited(part: str | None, change: Callable[[bytes], bytes]) -> Callable[[dict[str, bytes]], None]:
    """Change one part (None: the Invoices sheet)."""

    def damage(parts: dict[str, bytes]) -> None:
        name = part or _sheet_part(parts, INVOICES_SHEET)
        parts[name] = change(parts[name])

    return damage


def _dtd(declaration: bytes, use: bytes) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
        return (
            b'<?xml version="1.0"?>' + declaration + body.replace(b"<t>Acme</t>", b"<t>" + use + b"</t>", 1)
        )

    return change


def _bomb(parts: dict[str, bytes]) -> None:
    """The Invoices sheet padded to 200 MB of nothing: it deflates a thousand times over."""
    name = _sheet_part(parts, INVOICES_SHEET)
    parts[name] = parts[name].replace(b"<sheetData>", b"<sheetData>" + b" " * 200_000_000, 1)


LAUGHS = b"".join(
    [b'<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">']
    + [
        b'<!ENTITY %s "%s">' % (bytes([c]), (b"&%s;" % bytes([c - 1])) * 10)
        for c in range(ord("b"), ord("j"))
    ]
    + [b"]>"]
)
INVOICES_TABLE = "the sheet Invoices (table Invoices)"
DAMAGED = "the file is damaged"

# (case, damage, what the message must say)
BROKEN: list[tuple[str, Callable[[dict[str, bytes]], None], list[str]]] = [
    ("no-workbook-part", _without("xl/workbook.xml"), ["lacks its workbook part (xl/workbook.xml)", DAMAGED]),
    ("no-content-types", _without("[Content_Types].xml"), ["lacks its list of parts ([Content_Types].xml)"]),
    ("no-package-relationships", _without("_rels/.rels"), ["has no workbook part"]),
    (
        "no-workbook-relationships",
        _without("xl/_rels/workbook.xml.rels"),
        ["lacks the relationships of its workbook part"],
    ),
    ("no-styles", _without("xl/styles.xml"), ["lacks its styles (xl/styles.xml)", DAMAGED]),
    ("no-shared-strings", _without("xl/sharedStrings.xml"), ["lacks its shared text (xl/sharedStrings.xml)"]),
    ("no-sheet-part", lambda p: p.pop(_sheet_part(p, INVOICES_SHEET)), [f"lacks {INVOICES_TABLE}", DAMAGED]),
    (
        "truncated-sheet",
        _edited(None, lambda x: x[: len(x) // 2]),
        [f"{INVOICES_TABLE} cannot be read", DAMAGED],
    ),
    (
        "truncated-shared-strings",
        _edited("xl/sharedStrings.xml", lambda x: x[: len(x) // 2]),
        ["cannot be read", DAMAGED],
    ),
    ("styles-not-xml", _edited("xl/styles.xml", lambda x: b"<styleSheet"), ["cannot be read", DAMAGED]),
    (
        "workbook-not-xml",
        _edited("xl/workbook.xml", lambda x: x[:100]),
        ["xl/workbook.xml is not well-formed XML", DAMAGED],
    ),
    (
        "cell-beyond-the-last-row",
        _edited(None, lambda x: x.replace(b'r="B3"', b'r="B99999999999"', 1)),
        [f"{INVOICES_TABLE} has a cell at B99999999999, beyond Excel's last cell XFD1048576", DAMAGED],
    ),
    (
        "cell-beyond-the-last-column",
        _edited(None, lambda x: x.replace(b'r="B3"', b'r="ZZZZZ3"', 1)),
        [f"{INVOICES_TABLE} has a cell at ZZZZZ3, beyond Excel's last cell XFD1048576"],
    ),
    (
        "row-beyond-the-last-row",
        _edited(
            None,
            lambda x: re.sub(rb'<row r="3"', b'<row r="2000000"', x, count=1).replace(b' r="A3"', b"", 1),
        ),
        [f"{INVOICES_TABLE} has row 2000000, beyond Excel's last cell XFD1048576"],
    ),
    (  # python-calamine reads lower-case letters too: 12 million columns, 1.2 GB for one cell
        "lower-case-cell-beyond-the-last-column",
        _edited(None, lambda x: x.replace(b'r="B3"', b'r="zzzzz3"', 1)),
        [f"{INVOICES_TABLE} has a cell at ZZZZZ3, beyond Excel's last cell XFD1048576"],
    ),
    (
        "single-quoted-row-beyond-the-last-row",
        _edited(
            None,
            lambda x: re.sub(rb'<row r="3"', b"<row r='20000000'", x, count=1).replace(b' r="A3"', b"", 1),
        ),
        [f"{INVOICES_TABLE} has row 20000000, beyond Excel's last cell XFD1048576"],
    ),
    (
        "entity-in-shared-strings",
        _edited("xl/sharedStrings.xml", _dtd(b'<!DOCTYPE sst [<!ENTITY e "EVIL">]>', b"&e;")),
        ["the part xl/sharedStrings.xml declares XML entities"],
    ),
    (
        "billion-laughs",
        _edited("xl/sharedStrings.xml", _dtd(LAUGHS, b"&i;")),
        ["the part xl/sharedStrings.xml declares XML entities"],
    ),
    (
        "external-entity",
        _edited(
            "xl/sharedStrings.xml", _dtd(b'<!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>', b"&x;")
        ),
        ["the part xl/sharedStrings.xml declares XML entities"],
    ),
    (
        "entity-in-a-sheet",
        _edited(None, _dtd(b'<!DOCTYPE worksheet [<!ENTITY e "1">]>', b"")),
        [f"{INVOICES_TABLE} declares XML entities"],
    ),
    ("zip-bomb", _bomb, [f"{INVOICES_TABLE} would unpack to 200,", "times"]),
]


@pytest.fixture(scope="module")
def sound(tmp_path_factory) -> bytes:
    """A template workbook with two customers and two invoices: what every case breaks."""
    path = tmp_path_factory.mktemp("sound") / "Book.xlsx"
    build_workbook(
        path,
        rows={
            "Customers": pd.DataFrame({"CustomerID": ["C1", "C2"], "Name": ["Acme", "Beta"]}),
            "Invoices": pd.DataFrame(
                {
                    "InvoiceNo": ["I1", "I2"],
                    "CustomerID": ["C1", "C2"],
                    "InvoiceDate": pd.to_datetime(["2026-10-01", "2026-10-02"]),
                    "Amount": pd.array([10000, 20000], dtype="Int64"),
                }
            ),
        },
    )
    return path.read_bytes()


def _cli(*args: str) -> tuple[int, str]:
    """`arbook ARGS` in this process, as the console script runs it: exit status and what it printed
    on stderr. Anything but a refusal (a traceback) propagates and fails the test."""
    err = io.StringIO()
    with (
        patch.object(sys, "argv", ["arbook", *args]),
        redirect_stderr(err),
        pytest.raises(SystemExit) as ended,
    ):
        main()
    return int(ended.value.code or 0), err.getvalue()


def _refused_as_it_should(path: Path, expected: list[str]) -> None:
    before = _sha(path)
    for command in (["check", str(path)], ["aging", str(path), "--as-of", "2026-11-30"]):
        status, err = _cli(*command)
        assert status == 1, (command, err)
        assert err.startswith("arbook: ") and "Traceback" not in err
        assert not re.search(r" at 0x[0-9a-f]+|<[\w.]+ object", err), err
        for words in expected:
            assert words in err, (command, err)
        assert _sha(path) == before
    assert not list(path.parent.glob(".~arbook-*")) and not (path.parent / "backups").exists()


@pytest.mark.parametrize(("case", "damage", "expected"), BROKEN, ids=[c[0] for c in BROKEN])
def test_a_damaged_workbook_is_refused_by_name_and_left_as_it_was(tmp_path, sound, case, damage, expected):
    parts = _zip_parts(sound)
    damage(parts)
    path = tmp_path / f"{case}.xlsx"
    path.write_bytes(_zip(parts, level=9 if case == "zip-bomb" else 6))
    _refused_as_it_should(path, expected)


def test_a_file_cut_short_is_refused(tmp_path, sound):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(sound[: len(sound) // 2])
    _refused_as_it_should(path, ["cut.xlsx is not an .xlsx/.xlsm file"])


@pytest.mark.parametrize(
    ("table", "header", "row", "expected"),
    [
        (
            "Customers",
            ["CustomerID", "Name", "PaymentTermsDays"],
            ["C1", "Acme", 1e12],
            Problem(
                "Customers",
                2,
                "PaymentTermsDays",
                "expected a whole number of at most 3,650 either way, got 1000000000000.0",
            ),
        ),
        (
            "Invoices",
            ["InvoiceNo", "CustomerID", "InvoiceDate", "Amount"],
            ["I1", "C1", dt.date(2026, 10, 1), 9.3e16],
            Problem(
                "Invoices",
                2,
                "Amount",
                "beyond the largest amount arbook takes (expected at most 999,999,999.99 either way), got 9.3e+16",
            ),
        ),
    ],
)
def test_numbers_beyond_their_limits_are_refused_by_check_and_before_any_write(
    tmp_path, table, header, row, expected
):
    tables = copy.deepcopy(BASE)
    tables[table] = [header, row]
    if table == "Invoices":
        tables["Customers"] = [["CustomerID", "Name"], ["C1", "Acme"]]
    path = _build(tmp_path / "limits.xlsx", tables)
    _refused_as_it_should(path, [str(expected)])


def test_a_cell_beyond_the_last_row_is_refused_by_the_real_command_without_crashing(tmp_path, sound):
    """python-calamine, asked to lay out such a sheet, ends the whole process (SIGABRT): the scan must come first."""
    parts = _zip_parts(sound)
    _edited(None, lambda x: x.replace(b'r="B3"', b'r="B99999999999"', 1))(parts)
    path = tmp_path / "far.xlsx"
    path.write_bytes(_zip(parts))
    done = subprocess.run(
        [sys.executable, "-c", "from arbook.cli import main; main()", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "B99999999999" in done.stderr and "Traceback" not in done.stderr
