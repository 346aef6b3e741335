"""Currencies to the minor unit in what people read: bank reconciliation, credit, reversals, mail.

Every figure is worked out by hand in the comments: an amount converts by dividing by its
currency's rate to the base currency (units per 1 EUR, as the ECB quotes), rounded once half
away from zero to the target currency's minor unit.
"""

from __future__ import annotations

import csv as _csv
import email
import email.policy
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import mailer
from arbook.match import open_amounts
from arbook.new import DASHBOARD_KPIS
from arbook.rates import book_rates
from arbook.report import build_report
from arbook.report.figures import ReportData
from arbook.runner import run
from common.errors import InputError
from macros.live import LiveBook
from receivables import Ledger
from tests.test_currency_rates import crossing_book
from tests.xlwings_double import excel_double
from workbook.contract import table
from workbook.filebook import FileBook
from workbook.memorybook import MemoryBook
from workbook.template import build_workbook

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
    return ReportData(ledger, *frames, audit=book.read("Audit"), settings=book.settings())


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
        "Account JP-YEN-1: opening 1,000,000 JPY + lines 234,567 JPY = closing 1,234,567 JPY",
        "Account KW-KWD-1: opening 5.000 KWD + lines 1.234 KWD = closing 6.234 KWD",
    ]
    recon = report.html.split("Bank reconciliation")[1].split("<h2")[0]
    cells = [c.split(">")[-1] for c in recon.split("</td>")[:-1]]
    assert [c for c in cells if c.endswith(("JPY", "KWD"))] == [
        "1,000,000 JPY",  # thousands separated, in the workbook's locale (en)
        "234,567 JPY",
        "0 JPY",
        "1,234,567 JPY",
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
    ledger = Ledger(
        *(book.read(n) for n in ("Invoices", "Allocations", "Customers")), as_of=DAY, rates=book_rates(book)
    )
    left = open_amounts(lines, ledger)
    assert left.line_left.tolist() == [850_00]  # the whole line is free again, in its own EUR
    assert left.items.set_index("InvoiceNo")["OpenAmount"].to_dict() == {"U1": 1_000_00}


def _values(frame: pd.DataFrame) -> list[list[object]]:
    return frame.astype(object).where(frame.notna(), None).values.tolist()


# -- credit limits across currencies ----------------------------------------------------------
RATES = pd.DataFrame(
    {
        "Date": pd.to_datetime([DAY] * 2),
        "Currency": ["GBP", "USD"],
        "Rate": [0.87058, 1.1684],  # the ECB's of 13 April 2026: 1 EUR = 0.87058 GBP = 1.1684 USD
    }
)


def _pound_customer() -> MemoryBook:
    """A customer billed in GBP with a limit of 8,000.00 GBP, invoices in GBP and EUR, a USD order."""
    return MemoryBook(
        {
            "Customers": pd.DataFrame(
                {
                    "CustomerID": ["G"],
                    "Name": ["Pound Ltd"],
                    "Currency": ["GBP"],
                    "CreditLimit": pd.array([8_000_00], dtype="Int64"),
                    "PaymentTermsDays": pd.array([30], dtype="Int64"),
                }
            ),
            "Invoices": pd.DataFrame(
                {
                    "InvoiceNo": ["G1", "G2", "G3", "G4"],
                    "CustomerID": ["G"] * 4,
                    "InvoiceDate": _dates("2026-04-01", "2026-04-02", "2026-04-03", "2026-04-03"),
                    "Currency": ["", "EUR", "EUR", "EUR"],  # blank: the customer's GBP
                    "Amount": pd.array([4_000_00, 2_325_65, 10_01, 10_01], dtype="Int64"),
                }
            ),
            "Orders": pd.DataFrame(
                {
                    "OrderNo": ["O1"],
                    "CustomerID": ["G"],
                    "OrderDate": _dates("2026-04-10"),
                    "Currency": ["USD"],
                    "Amount": pd.array([1_500_00], dtype="Int64"),
                    "Status": ["Open"],
                }
            ),
            "Rates": RATES,
        }
    )


def test_a_gbp_limit_counts_eur_invoices_and_a_usd_order_at_the_rate_of_the_day_to_the_penny() -> None:
    book = _pound_customer()
    assert run(book, "credit", as_of=DAY).ok
    row = book.read("Credit").set_index("CustomerID").loc["G"]
    # EUR: 2,325.65 + 10.01 + 10.01 = 2,345.67 EUR added first, then converted once:
    #   2,345.67 x 0.87058 = 2,042.0933886 -> 2,042.09 GBP (per invoice it would be
    #   2,024.66 + 8.71 + 8.71 = 2,042.08: one rounding per currency total, not per item)
    # USD: 1,500.00 / 1.1684 x 0.87058 = 1,117.65662... -> 1,117.66 GBP
    assert row[["Currency", "CreditLimit", "OpenAR", "OpenOrders", "Exposure", "Available"]].tolist() == [
        "GBP",
        8_000_00,
        6_042_09,  # 4,000.00 GBP + 2,042.09 GBP
        1_117_66,
        7_159_75,
        840_25,
    ]
    assert row["Utilization"] == 7_159_75 / 8_000_00

    fits = run(book, "credit-check", customer="G", amount_cents=840_25, as_of=DAY)
    assert fits.ok and fits.figures["amount"] == "840.25 GBP" and fits.figures["over by"] == "0.00 GBP"
    assert fits.notes == [
        "G: OK, 0.00 GBP still available after this order; exposure 7159.75 GBP + order 840.25 GBP "
        "against limit 8000.00 GBP"
    ]
    over = run(book, "credit-check", customer="G", amount_cents=840_26, as_of=DAY)
    assert not over.ok and over.figures["over by"] == "0.01 GBP"
    assert over.notes == [
        "G: over the limit by 0.01 GBP; exposure 7159.75 GBP + order 840.26 GBP against limit 8000.00 GBP"
    ]


def test_a_credit_check_without_the_orders_rate_is_refused_naming_it() -> None:
    book = _pound_customer()
    book = MemoryBook(
        {n: book.read(n) for n in ("Customers", "Invoices", "Orders")}
        | {"Rates": RATES[RATES["Currency"] != "USD"]}
    )
    with pytest.raises(InputError) as refused:
        run(book, "credit-check", customer="G", amount_cents=1_00, as_of=DAY)
    assert [p.message.split(":")[0] for p in refused.value.problems] == ["no USD rate for 2026-04-13"]


# -- money cells show their currency's decimals ---------------------------------------------------
@pytest.mark.slow
@pytest.mark.libreoffice
def test_money_cells_show_yen_whole_and_dinars_to_the_fils_in_libreoffice(
    tmp_path: Path, lo_convert: Callable[..., None], pdftotext: str
) -> None:
    """The template (xlsxwriter) writes Invoices, the file book (the XML editor) writes Aging:
    both give each money cell its currency's format, and LibreOffice shows it so."""
    path = tmp_path / "Book.xlsx"
    build_workbook(
        path,
        kpis=DASHBOARD_KPIS,
        rows={
            "Customers": _customers(),
            "Invoices": pd.DataFrame(
                {
                    "InvoiceNo": ["J1", "K1", "E1"],
                    "CustomerID": ["J", "K", "E"],
                    "InvoiceDate": _dates("2026-04-01", "2026-04-01", "2026-04-01"),
                    "Amount": pd.array([1_234, 1_234_567, 1_234_00], dtype="Int64"),
                }
            ),
            "Rates": pd.DataFrame(
                {
                    "Date": _dates("2026-04-13", "2026-04-13"),
                    "Currency": ["JPY", "KWD"],
                    "Rate": [186.75, 0.359],
                }
            ),
        },
    )
    with FileBook(path) as book:
        assert run(book, "aging", as_of=DAY).ok
    # Each sheet to its own CSV, with the cells' text as shown (token 9), UTF-8 (76), comma-separated (44).
    lo_convert("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1", path, tmp_path)
    invoices = _shown(tmp_path / "Book-Invoices.csv", "InvoiceNo", "Amount")
    assert invoices == {"J1": "1,234", "K1": "1,234.567", "E1": "1,234.00"}
    aging = _shown(tmp_path / "Book-Aging.csv", "CustomerID", "Total")
    assert aging == {"J": "1,234", "K": "1,234.567", "E": "1,234.00"}
    # The Dashboard's cells are formulas whose currency is known when they are computed: their
    # decimals come from a conditional format, which a CSV export leaves out; a PDF of its page shows it.
    lo_convert('pdf:calc_pdf_Export:{"PageRange":{"type":"string","value":"1"}}', path, tmp_path / "pdf")
    printed = subprocess.run(
        [pdftotext, "-layout", str(tmp_path / "pdf" / "Book.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    # "JPY open, as booked  1,234 JPY" and "in EUR  6.61 EUR" (a chart's axis may print beside them)
    shown = re.findall(r"^\s*((?:[A-Z]{3} open, as booked|in EUR) +[\d,.]+ [A-Z]{3})", printed.stdout, re.M)
    assert [" ".join(line.split()) for line in shown] == [
        "EUR open, as booked 1,234.00 EUR",
        "in EUR 1,234.00 EUR",
        "JPY open, as booked 1,234 JPY",
        "in EUR 6.61 EUR",  # 1,234 / 186.75 = 6.6077...
        "KWD open, as booked 1,234.567 KWD",
        "in EUR 3,438.91 EUR",  # 1,234.567 / 0.359 = 3,438.905...
    ]
    ws = openpyxl.load_workbook(path)["Aging"]
    header = [c.value for c in ws[1]]
    formats = {
        r[header.index("CustomerID")].value: r[header.index("Total")].number_format
        for r in ws.iter_rows(min_row=2, max_row=4)
    }
    assert formats == {"J": "#,##0", "K": "#,##0.000", "E": "#,##0.00"}


def _money_cell_formats(path: Path) -> dict[tuple[str, str, str], str]:
    """(table, CustomerID, column) -> number format of every money cell of Aging: what a person sees."""
    rows = list(openpyxl.load_workbook(path, read_only=True)["Aging"].iter_rows())
    header = [c.value for c in rows[0]]
    money = [c.name for c in table("Aging").columns if c.kind == "money"]
    return {
        ("Aging", row[header.index("CustomerID")].value, name): row[header.index(name)].number_format
        for row in rows[1:]
        if row[header.index("CustomerID")].value
        for name in money
    }


def test_a_run_from_excel_gives_money_cells_the_formats_the_command_line_gives(tmp_path: Path) -> None:
    """Aging of two EUR, a JPY and a KWD customer, run by the command line's FileBook and by the
    Excel front end's LiveBook (on the xlwings double, whose number formats are kept in the file):
    every money cell shows the same format, 1,234 for yen and 1,234.567 for dinars; and the
    format the user gave the first row's Total beforehand ('#,##0.00 "€"') is the whole Total
    column's after both: a table laid out anew takes its first row's formats, a person's own
    kept, arbook's own money format changed to each row's currency's."""
    path = tmp_path / "Book.xlsx"
    build_workbook(
        path,
        rows={
            "Customers": pd.concat(
                [_customers(), _customers().iloc[[0]].assign(CustomerID="E2", Name="Euro Zwei AG")]
            ),
            "Invoices": pd.DataFrame(
                {
                    "InvoiceNo": ["J1", "E2-1", "K1", "E1"],
                    "CustomerID": ["J", "E2", "K", "E"],
                    "InvoiceDate": _dates("2026-04-01", "2026-04-01", "2026-04-01", "2026-04-01"),
                    "Amount": pd.array([1_234, 5_678_90, 1_234_567, 1_234_00], dtype="Int64"),
                }
            ),
            "Aging": pd.DataFrame(
                {
                    "CustomerID": ["E", "E2", "J"],
                    "Currency": ["EUR"] * 3,
                    "Current": pd.array([1_00] * 3, dtype="Int64"),
                    "Total": pd.array([1_00] * 3, dtype="Int64"),
                }
            ),
            "Rates": pd.DataFrame(
                {
                    "Date": _dates("2026-04-13", "2026-04-13"),
                    "Currency": ["JPY", "KWD"],
                    "Rate": [186.75, 0.359],
                }
            ),
        },
    )
    wb = openpyxl.load_workbook(path)
    header = [c.value for c in wb["Aging"][1]]
    # the template's Aging has one empty body row, row 2
    wb["Aging"].cell(2, header.index("Total") + 1).number_format = '#,##0.00 "€"'
    wb.save(path)
    command_line, excel = (Path(shutil.copyfile(path, tmp_path / f"{who}.xlsx")) for who in ("cli", "excel"))
    with FileBook(command_line) as book:
        assert run(book, "aging", as_of=DAY).ok
    with excel_double() as app:
        xlbook = app.books.open(str(excel))
        assert run(LiveBook(xlbook), "aging", as_of=DAY).ok
        xlbook.close()
    shown = _money_cell_formats(command_line)
    assert _money_cell_formats(excel) == shown
    assert {(who, column): code for (_, who, column), code in shown.items() if column == "Total"} == {
        (who, "Total"): '#,##0.00 "€"' for who in ("E", "E2", "J", "K")
    }
    others = {(who, code) for (_, who, column), code in shown.items() if column != "Total"}
    assert others == {("E", "#,##0.00"), ("E2", "#,##0.00"), ("J", "#,##0"), ("K", "#,##0.000")}


def _shown(csv: Path, key: str, column: str) -> dict[str, str]:
    rows = list(_csv.reader(csv.open(encoding="utf-8")))
    at, where = rows[0].index(key), rows[0].index(column)
    return {r[at]: r[where] for r in rows[1:] if r[at]}


# -- statements and notices in yen and dinars ------------------------------------------------------
MONTH_END = date(2026, 11, 30)


@pytest.fixture(scope="module")
def yen_and_dinar_mail(tmp_path_factory: pytest.TempPathFactory, pdftotext: str) -> dict[str, list[str]]:
    """Statements (their PDFs' text) and notices (their plain text) of a JPY and a KWD customer,
    each line with its spaces closed up: 1,234,567 JPY invoiced, 234,567 paid; 12,345.678 KWD, 2,345.678 paid."""
    where = tmp_path_factory.mktemp("yen-dinar")
    settings = {
        "company_name": "Beispiel AG",
        "company_address": "Industriestr. 1, 70173 Stuttgart",
        "remit_to": "IBAN DE89 3704 0044 0532 0130 00",
        "mail_from": "ar@beispiel.example",
        "late_interest": "yes",
        "late_interest_rate": "12.25",
    }
    book = MemoryBook(
        {
            "Settings": pd.DataFrame(
                {"Key": list(settings), "Value": list(settings.values()), "Description": [""] * len(settings)}
            ),
            "Customers": _customers().assign(Language="en", Address=["Berlin", "Tokyo", "Kuwait City"]),
            "Invoices": pd.DataFrame(
                {
                    "InvoiceNo": ["J-1", "K-1"],
                    "CustomerID": ["J", "K"],
                    "InvoiceDate": _dates("2026-09-01", "2026-09-01"),
                    "DueDate": _dates("2026-10-01", "2026-10-01"),
                    "Amount": pd.array([1_234_567, 12_345_678], dtype="Int64"),
                }
            ),
            "Allocations": pd.DataFrame(
                {
                    "AllocationID": ["A1", "A2"],
                    "LineID": ["L1", "L2"],
                    "InvoiceNo": ["J-1", "K-1"],
                    "CustomerID": ["J", "K"],
                    "Amount": pd.array([234_567, 2_345_678], dtype="Int64"),
                    "PaymentDate": _dates("2026-11-12", "2026-11-12"),
                    "Kind": ["payment", "payment"],
                    "Method": ["manual", "manual"],
                }
            ),
        },
        path=where / "Book.xlsx",
    )
    texts: dict[str, list[str]] = {}
    for op in ("statements", "notices"):
        outbox = where / op
        assert run(book, op, as_of=MONTH_END, transport=mailer.OutboxTransport(outbox)).ok
        for eml in sorted(outbox.glob("*.eml")):
            msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
            customer = eml.name.split("-")[1]
            if op == "notices":
                texts[f"notice {customer}"] = _closed_up(msg.get_body(("plain",)).get_content())
                continue
            (pdf,) = list(msg.iter_attachments())
            path = where / pdf.get_filename()
            path.write_bytes(pdf.get_content())
            shown = subprocess.run(
                [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
            )
            texts[f"statement {customer}"] = _closed_up(shown.stdout)
    return texts


def _closed_up(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def test_a_yen_statement_pdf_shows_whole_yen(yen_and_dinar_mail: dict[str, list[str]]) -> None:
    lines = yen_and_dinar_mail["statement J"]
    assert [line for line in lines if "¥" in line] == [
        "Opening balance: ¥1,234,567",
        "Nov 12, 2026 Payment J-1 ¥234,567",
        "Closing balance: ¥1,000,000",
        "J-1 Sep 1, 2026 Oct 1, 2026 ¥1,234,567 ¥1,000,000 60",
        "¥0 ¥0 ¥1,000,000 ¥0 ¥0 ¥0 ¥1,000,000",  # the aging box: 31-60 days
        "Please confirm the balance of ¥1,000,000 as of Nov 30, 2026, or tell us about any difference.",
    ]


def test_a_dinar_statement_pdf_shows_three_decimals(yen_and_dinar_mail: dict[str, list[str]]) -> None:
    lines = yen_and_dinar_mail["statement K"]
    assert [line for line in lines if "KWD" in line] == [
        "Opening balance: KWD12,345.678",
        "Nov 12, 2026 Payment K-1 KWD2,345.678",
        "Closing balance: KWD10,000.000",
        "K-1 Sep 1, 2026 Oct 1, 2026 KWD12,345.678 KWD10,000.000 60",
        "KWD0.000 KWD0.000 KWD10,000.000 KWD0.000 KWD0.000 KWD0.000 KWD10,000.000",
        "Please confirm the balance of KWD10,000.000 as of Nov 30, 2026, or tell us about any difference.",
    ]


def test_notices_charge_interest_to_the_yen_and_to_the_fils(yen_and_dinar_mail: dict[str, list[str]]) -> None:
    # 1,000,000 JPY x 12.25 % x 60 / 365 = 20,136.99 -> 20,137 JPY; 10,000.000 KWD -> 201.36986 -> 201.370 KWD
    assert yen_and_dinar_mail["notice J"][3:7] == [
        "J-1 | Sep 1, 2026 | Oct 1, 2026 | ¥1,000,000 | 60 | ¥20,137",
        "Total | ¥1,000,000 | |",
        "Interest (12.25 %) | ¥20,137",
        "Total due | ¥1,020,137",
    ]
    assert yen_and_dinar_mail["notice K"][3:7] == [
        "K-1 | Sep 1, 2026 | Oct 1, 2026 | KWD10,000.000 | 60 | KWD201.370",
        "Total | KWD10,000.000 | |",
        "Interest (12.25 %) | KWD201.370",
        "Total due | KWD10,201.370",
    ]
