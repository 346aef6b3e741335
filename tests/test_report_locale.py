"""The month-end report in the workbook's language (Settings locale): its labels translated where
the report has them (de, zh), and numbers and money through Babel with thousands separated: the
text and HTML, the charts (titles, legends, axis labels, in a font that has the letters), the
sentence naming the rates, and the lines on mail that failed, was not sent, or was overtaken."""

from __future__ import annotations

import datetime as dt
import functools
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from arbook.rates import book_rates
from arbook.report import ReportData, build_report, report_figures
from arbook.report.render import charts
from arbook.report.words import report_words
from arbook.runner import run
from receivables import Ledger
from workbook.memorybook import MemoryBook

DAY = dt.date(2026, 10, 31)


@functools.cache  # built once per locale for the module's tests (a report draws three charts)
def data_for(locale: str) -> ReportData:
    """One invoice of 12,345.67 EUR paid by one bank line that match posts, in a workbook of `locale`,
    after a level-1 notice for it went out on Oct 18; a USD invoice open at 1.1684 of Oct 30; a
    statement the mail server deferred, and one owed to a customer without an address."""
    mail = {
        "MessageID": ["m1", "m2", "m3"],
        "At": pd.to_datetime(["2026-10-18 09:00", "2026-10-31 18:00", "2026-10-31 18:00"]),
        "Kind": ["notice", "statement", "statement"],
        "Level": pd.array([1, None, None], dtype="Int64"),
        "CustomerID": ["C1", "C2", "C3"],
        "To": ["ap@acme.example", "ar@beta.example", ""],
        "InvoiceNos": ["INV-1001", "", ""],
        "AsOf": pd.to_datetime(["2026-10-31"] * 3),
        "Status": ["sent", "failed", "not mailed"],
        "Detail": ["", "451 4.3.0 try again later", "C3 Gamma AG: no e-mail address"],
    }
    book = MemoryBook(
        {
            "Settings": pd.DataFrame({"Key": ["locale", "base_currency"], "Value": [locale, "EUR"]}),
            "Customers": pd.DataFrame(
                {
                    "CustomerID": ["C1", "C2", "C3"],
                    "Name": ["Acme GmbH", "Beta Inc", "Gamma AG"],
                    "Currency": ["EUR", "USD", "EUR"],
                }
            ),
            "Invoices": pd.DataFrame(
                {
                    "InvoiceNo": ["INV-1001", "INV-2001"],
                    "CustomerID": ["C1", "C2"],
                    "InvoiceDate": pd.to_datetime(["2026-09-15", "2026-10-01"]),
                    "DueDate": pd.to_datetime(["2026-10-15", "2026-10-31"]),
                    "Amount": pd.array([12_345_67, 1_000_00], dtype="Int64"),
                }
            ),
            "Rates": pd.DataFrame(
                {
                    "Date": pd.to_datetime(["2026-10-30"]),
                    "Currency": ["USD"],
                    "Rate": [1.1684],
                    "Source": ["ECB"],
                }
            ),
            "MailLog": pd.DataFrame(mail),
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
    assert run(book, "forecast", as_of=DAY).ok
    ledger = Ledger(
        *(book.read(name) for name in ("Invoices", "Allocations", "Customers")),
        as_of=DAY,
        rates=book_rates(book),
    )
    frames = [
        book.read(n) for n in ("BankLines", "Matches", "BankStatements", "Credit", "Forecast", "MailLog")
    ]
    return ReportData(ledger, *frames, audit=book.read("Audit"), settings=book.settings())


@functools.cache
def report_for(locale: str):
    return build_report(data_for(locale))


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
    assert report_words(locale, "").number(1_234_567) == want


@pytest.mark.parametrize(
    ("locale", "lines"),
    [
        (
            "en",
            [
                "In EUR, each currency converted at the rate of 2026-10-31: 1 EUR = 1.1684 USD (2026-10-30)",
                "Not mailed (no usable e-mail address):",
                "statements: C3 Gamma AG: no e-mail address",
                "Failures:",
                "statement to C2 (ar@beta.example): not sent yet: 451 4.3.0 try again later",
                "Mail sent before later payments were applied:",
                "level 1 notice to C1, sent 2026-10-18 09:00: 12,345.67 EUR paid by them was applied after it went out",
            ],
        ),
        (
            "de",
            [
                "In EUR, jede Währung zum Kurs vom 2026-10-31 umgerechnet: "
                "1 EUR = 1,1684 USD (Kurstabelle vom 2026-10-30)",
                "Nicht versandt (keine brauchbare E-Mail-Adresse):",
                "Kontoauszüge: C3 Gamma AG: no e-mail address",
                "Fehler:",
                "Kontoauszug an C2 (ar@beta.example): noch nicht versandt: 451 4.3.0 try again later",
                "Versandt, bevor spätere Zahlungen zugeordnet wurden:",
                "Mahnung Stufe 1 an C1, versandt 2026-10-18 09:00: "
                "Zahlungen von 12.345,67 EUR erst nach dem Versand zugeordnet",
            ],
        ),
        (
            "zh",
            [
                "折合 EUR，各币种按 2026-10-31 汇率折算：1 EUR = 1.1684 USD（2026-10-30 汇率）",
                "未发送（没有可用的电子邮件地址）：",
                "对账单：C3 Gamma AG: no e-mail address",
                "失败：",
                "对账单（C2，ar@beta.example）：尚未发送：451 4.3.0 try again later",
                "在后续付款核销前已发送的邮件：",
                "1 级催款通知（C1，发送于 2026-10-18 09:00）：其付款 12,345.67 EUR 在发送后才核销",
            ],
        ),
    ],
)
def test_the_rates_and_the_mail_that_did_not_go_as_planned_are_said_in_the_workbooks_language(
    locale: str, lines: list[str]
) -> None:
    """The text copy's lines in order; the HTML has each but the headings (its own are longer).
    The mail server's and MailLog's own words, "451 ..." and "no e-mail address", are quoted as
    they were recorded."""
    report = report_for(locale)
    assert [line for line in report.text.splitlines() if line in lines] == lines
    html = report.html.replace("&#x27;", "'")
    assert [line for line in lines if not line.endswith((":", "：")) and line not in html] == []


@pytest.mark.parametrize(
    ("locale", "titles", "legends", "ticks"),
    [
        (
            "en",
            [
                "Aging by bucket, in EUR (other currencies converted)",
                "Receipts per week, EUR lines",
                "Cash-in forecast, 13 weeks, in EUR (all currencies converted)",
            ],
            [["Last month", "This month"], [], ["low-high", "expected"]],
            ["Current", "Oct 19"],
        ),
        (
            "de",
            [
                "Altersstruktur nach Bändern, in EUR (andere Währungen umgerechnet)",
                "Zahlungseingänge je Woche, Bankzeilen in EUR",
                "Prognose der Zahlungseingänge, 13 Wochen, in EUR (alle Währungen umgerechnet)",
            ],
            [["Letzter Monat", "Dieser Monat"], [], ["Spanne (niedrig–hoch)", "erwartet"]],
            ["Nicht fällig", "19. Okt."],
        ),
        (
            "zh",
            [
                "账龄分布（EUR，其他币种已折算）",
                "每周收款（EUR 流水）",
                "回款预测（13 周，EUR，所有币种已折算）",
            ],
            [["上月", "本月"], [], ["区间（低–高）", "预期"]],
            ["未到期", "10月19日"],
        ),
    ],
)
def test_the_charts_speak_the_workbooks_language(
    locale: str, titles: list[str], legends: list[list[str]], ticks: list[str]
) -> None:
    data = data_for(locale)
    drawn = charts(report_figures(data), data, report_words(locale, ""))
    axes = [fig.axes[0] for fig in drawn.values()]
    assert [ax.get_title() for ax in axes] == titles
    assert [
        [t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else [] for ax in axes
    ] == legends
    aging, receipts = axes[0], axes[1]
    assert [aging.get_xticklabels()[0].get_text(), receipts.get_xticklabels()[0].get_text()] == ticks
    # the picture's alternative text in the HTML is its title
    assert all(f'alt="{title}"' in report_for(locale).html for title in titles)
    # Chinese is set in a font that has its letters (DejaVu Sans, matplotlib's own, has none)
    fonts = {
        Path(t.get_fontproperties().get_file() or "DejaVuSans.ttf").name
        for t in [*aging.get_xticklabels(), aging.title]
    }
    assert fonts == ({"NotoSansCJK-Regular.ttc"} if locale == "zh" else {"DejaVuSans.ttf"})


@pytest.mark.parametrize(
    ("locale", "sheets", "own"),
    [
        ("en", ["Unmatched", "Review", "OverLimit"], ["Why", "Candidates", "Repeats LineID"]),
        (
            "de",
            ["Nicht zugeordnet", "Vorschläge zur Prüfung", "Über Limit"],
            ["Grund", "Mögliche Rechnungen", "Wiederholt LineID"],
        ),
        ("zh", ["未匹配", "待审核的建议", "超出额度"], ["原因", "候选发票", "重复的 LineID"]),
    ],
)
def test_the_exceptions_workbook_names_its_sheets_and_its_own_columns_in_the_workbooks_language(
    locale: str, sheets: list[str], own: list[str]
) -> None:
    """The columns that are the workbook's own (BankLines.Payer ...) keep their names, so the clerk finds them."""
    _, data = report_for(locale).attachment
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames == sheets
    header = [c.value for c in next(book[sheets[0]].iter_rows(max_row=1))]
    assert header == ["LineID", "Date", "Amount", "Currency", "Payer", "Memo", "Status", *own]
