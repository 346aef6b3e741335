"""Adopting receivables workbooks laid out the way finance teams keep them, through the command line.

Three workbooks are built here with openpyxl (a writer arbook does not use), each in the usual
layout of its country: a merged title, the company name and a date line above the headings,
blank rows inside the data, subtotal and total rows ("Summe", "小计"/"合计", "Total"), and the
yes/no words of the language. The German one is then saved again by LibreOffice, so that its
"Summe" cell holds a =SUM formula with its computed value, as a file saved by a spreadsheet
application does. Each is adopted with `arbook init --suggest` and read back through
`arbook check` and `arbook aging`; the expected figures are worked out by hand below, and
none of them includes a total row.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from arbook.cli import cli
from tests.conftest import COMPANY_WARNINGS
from workbook.filebook import FileBook

AS_OF = "2026-10-31"


def _rows(ws: Worksheet, first: int, rows: list[list[object] | None]) -> None:
    """Write `rows` from Excel row `first` down; None leaves a blank row."""
    for r, row in enumerate(rows, start=first):
        for c, value in enumerate(row or [], start=1):
            if value is not None:
                ws.cell(r, c, value).number_format = "DD.MM.YYYY" if isinstance(value, dt.date) else "General"


def german(path: Path) -> Path:
    wb = Workbook()
    kunden = wb.active
    kunden.title = "Kunden"
    kunden["A1"] = "Kundenstamm"
    kunden.merge_cells("A1:E1")
    kunden["A2"] = "Müller Maschinenbau GmbH"
    kunden["A3"] = "Stand:"
    kunden["B3"] = dt.date(2026, 10, 31)
    _rows(
        kunden,
        5,
        [
            ["Kundennr.", "Firma", "E-Mail", "Zahlungsziel", "Kreditlimit"],
            ["K100", "Alpha Antriebe GmbH", "buchhaltung@alpha.example", 30, 10000],
            ["K200", "Beta Bau KG", "fibu@beta.example", 14, 5000],
            None,
            ["K300", "Gamma Guss AG", "rw@gamma.example", 30, 20000],
        ],
    )
    rechnungen = wb.create_sheet("Rechnungen")
    rechnungen["A1"] = "Offene Posten Oktober 2026"
    rechnungen.merge_cells("A1:G1")
    rechnungen["A2"] = "Stand:"
    rechnungen["B2"] = dt.date(2026, 10, 31)
    _rows(
        rechnungen,
        4,
        [
            ["Rechnungsnr.", "Kunde", "Rechnungsdatum", "Fällig am", "Betrag", "strittig", "Bemerkung"],
            ["RE-1001", "K100", dt.date(2026, 8, 1), dt.date(2026, 8, 31), 1190, "nein", None],
            ["RE-1002", "K200", dt.date(2026, 9, 10), dt.date(2026, 9, 24), 2380.5, "strittig", "Mängelrüge"],
            None,
            ["RE-1003", "K300", dt.date(2026, 10, 5), dt.date(2026, 11, 4), 595, None, None],
            [
                "RE-1004",
                "K100",
                dt.date(2026, 10, 20),
                dt.date(2026, 11, 19),
                -119,
                "nicht strittig",
                "Gutschrift",
            ],
            None,
            ["Summe", None, None, None, "=SUM(E5:E10)", None, None],
        ],
    )
    wb.save(path)
    return path


def chinese(path: Path) -> Path:
    wb = Workbook()
    kehu = wb.active
    kehu.title = "客户"
    kehu["A1"] = "客户信息表"
    kehu.merge_cells("A1:E1")
    kehu["A2"] = "单位：元"
    _rows(
        kehu,
        4,
        [
            ["客户编号", "客户名称", "邮箱", "账期(天)", "信用额度"],
            ["KH01", "上海明华贸易有限公司", "finance@minghua.example", 30, 500000],
            ["KH02", "深圳宏达科技有限公司", "ar@hongda.example", 60, 300000],
            None,
            ["KH03", "北京远航物流有限公司", "caiwu@yuanhang.example", 45, 200000],
            ["合计", None, None, None, 1000000],
        ],
    )
    fapiao = wb.create_sheet("发票")
    fapiao["A1"] = "应收账款明细"
    fapiao.merge_cells("A1:F1")
    fapiao["A2"] = "截止日期：2026年10月31日"
    _rows(
        fapiao,
        3,
        [
            ["发票号码", "客户编号", "开票日期", "到期日", "金额", "是否有争议"],
            ["FP-0001", "KH01", dt.date(2026, 8, 5), dt.date(2026, 9, 4), 8800.8, "否"],
            ["FP-0002", "KH01", dt.date(2026, 9, 20), dt.date(2026, 10, 20), 12000, "否"],
            ["小计", None, None, None, 20800.8, None],
            ["FP-0003", "KH02", "2026年10月8日", dt.date(2026, 12, 7), 5600, "是"],
            ["小计", None, None, None, 5600, None],
            None,
            ["FP-0004", "KH03", dt.date(2026, 7, 1), dt.date(2026, 7, 31), 3300, "否"],
            ["合计", None, None, None, 29700.8, None],
        ],
    )
    wb.save(path)
    return path


def french(path: Path) -> Path:
    wb = Workbook()
    clients = wb.active
    clients.title = "Clients"
    clients["A1"] = "Dupont Distribution SARL"
    clients["A2"] = "Balance âgée clients au 31/10/2026"
    _rows(
        clients,
        4,
        [
            ["N° client", "Raison sociale", "Courriel", "Délai de paiement (jours)", "Langue"],
            ["C001", "Boulangerie Martin", "compta@martin.example", 30, "fr"],
            ["C002", "Garage Lefèvre", "factures@lefevre.example", 45, "fr"],
            ["C003", "Total Énergies Services", "ap@tes.example", 30, "fr"],
        ],
    )
    factures = wb.create_sheet("Factures")
    factures["A1"] = "Factures non réglées"
    factures.merge_cells("A1:F1")
    _rows(
        factures,
        3,
        [
            ["N° facture", "Client", "Date facture", "Échéance", "Montant TTC", "Litige"],
            ["F2026-101", "C001", "05/08/2026", "04/09/2026", "1 234,56 €", "non"],
            ["F2026-102", "C002", dt.date(2026, 9, 15), dt.date(2026, 10, 30), 2400, "oui"],
            ["F2026-103", "C003", dt.date(2026, 10, 10), dt.date(2026, 11, 9), 860.4, "NON"],
            ["F2026-104", "C001", dt.date(2026, 10, 25), dt.date(2026, 11, 24), -150, None],
            None,
            ["Total", None, None, None, 4344.96, None],
        ],
    )
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, lo_convert: Callable[[str, Path, Path], None]
) -> dict[str, Path]:
    """The three workbooks as built (the German one as LibreOffice saved it), never adopted."""
    made = tmp_path_factory.mktemp("layouts-made")
    saved = tmp_path_factory.mktemp("layouts-saved")
    lo_convert("xlsx", german(made / "Forderungen.xlsx"), saved)
    return {
        "de": saved / "Forderungen.xlsx",
        "zh": chinese(made / "应收账款.xlsx"),
        "fr": french(made / "Créances.xlsx"),
    }


def arbook(*args: str) -> tuple[int, dict[str, object]]:
    """One arbook command in this process, with --json: its exit code and summary."""
    result = CliRunner().invoke(cli, [*args, "--json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.output)


@pytest.fixture(scope="module")
def adopted(built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """Each workbook after `arbook init --suggest`, `arbook check` and `arbook aging --as-of 2026-10-31`."""
    folder = tmp_path_factory.mktemp("layouts-adopted")
    out: dict[str, dict[str, object]] = {}
    for key, source in built.items():
        path = folder / source.name
        shutil.copyfile(source, path)
        runs = {name: arbook(*command) for name, command in _commands(path).items()}
        with FileBook(path, lock=False) as book:
            mapping = book.read("Mapping")
            out[key] = {
                "path": path,
                **runs,
                "mapping": [tuple(r) for r in mapping.itertuples(index=False)],
                "customers": book.read("Customers"),
                "invoices": book.read("Invoices"),
                "aging_table": book.read("Aging").set_index("CustomerID")["Total"].to_dict(),
            }
    return out


def _aging(run: tuple[int, dict[str, object]]) -> tuple[int, dict[str, object], list[str]]:
    """Exit code, the figures a clerk checks first, and the notes of an `arbook aging` run."""
    code, summary = run
    shown = ("customers", "open items", "open AR EUR", "overdue EUR")
    return code, {k: summary["figures"][k] for k in shown}, summary["notes"]


def _commands(path: Path) -> dict[str, tuple[str, ...]]:
    return {
        "init": ("init", str(path), "--suggest"),
        "check": ("check", str(path)),
        "aging": ("aging", str(path), "--as-of", AS_OF),
    }


def test_a_german_workbook_with_titles_blank_rows_and_a_summe_row(
    adopted: dict[str, dict[str, object]],
) -> None:
    de = adopted["de"]
    assert de["mapping"] == [
        ("Customers", "CustomerID", "Kunden", "Kundennr."),
        ("Customers", "Name", "Kunden", "Firma"),
        ("Customers", "Email", "Kunden", "E-Mail"),
        ("Customers", "PaymentTermsDays", "Kunden", "Zahlungsziel"),
        ("Customers", "CreditLimit", "Kunden", "Kreditlimit"),
        ("Invoices", "InvoiceNo", "Rechnungen", "Rechnungsnr."),
        ("Invoices", "CustomerID", "Rechnungen", "Kunde"),
        ("Invoices", "InvoiceDate", "Rechnungen", "Rechnungsdatum"),
        ("Invoices", "DueDate", "Rechnungen", "Fällig am"),
        ("Invoices", "Amount", "Rechnungen", "Betrag"),
        ("Invoices", "Disputed", "Rechnungen", "strittig"),
    ]
    code, init = de["init"]
    assert code == 0
    assert (
        "proposed: Invoices from 'Rechnungen' (InvoiceNo = 'Rechnungsnr.', CustomerID = 'Kunde', InvoiceDate = "
        "'Rechnungsdatum', DueDate = 'Fällig am', Amount = 'Betrag', Disputed = 'strittig'); headings in row 4; "
        "total row 11 not read as records"
    ) in init["notes"]
    assert not [n for n in init["notes"] if n.startswith("warning") or "cannot be read" in n]
    code, check = de["check"]
    assert code == 0
    assert (check["figures"]["Customers"], check["figures"]["Invoices"]) == ("3 rows", "4 rows")
    assert check["notes"] == ["every table is valid", *COMPANY_WARNINGS]
    invoices = de["invoices"]
    # Excel rows: the blank row 7 and the Summe row 11 are not records
    assert invoices.index.tolist() == [5, 6, 8, 9]
    assert invoices["InvoiceNo"].tolist() == ["RE-1001", "RE-1002", "RE-1003", "RE-1004"]
    assert invoices["Amount"].tolist() == [119000, 238050, 59500, -11900]
    # nein, strittig, blank, nicht strittig
    assert invoices["Disputed"].tolist() == [False, True, False, False]
    assert de["customers"]["CustomerID"].tolist() == ["K100", "K200", "K300"]
    assert de["customers"]["CreditLimit"].tolist() == [1000000, 500000, 2000000]
    # open 1190.00 + 2380.50 + 595.00 - 119.00; overdue on 31.10.: RE-1001 (due 31.08.), RE-1002 (due 24.09.)
    # and the credit note RE-1004, which ages from its own date (20.10.); the Summe cell (4046.50) is no invoice
    assert _aging(de["aging"]) == (
        0,
        {"customers": 3, "open items": 4, "open AR EUR": "4046.50 EUR", "overdue EUR": "3451.50 EUR"},
        ["1 disputed invoice(s) stay in aging, 2380.50 EUR open"],
    )
    assert de["aging_table"] == {"K100": 107100, "K200": 238050, "K300": 59500}


def test_the_german_summe_cell_holds_the_sum_libreoffice_computed(built: dict[str, Path]) -> None:
    """The total row is a real one: it carries the figure that would double the open AR if read as an invoice."""
    cells = pd.read_excel(built["de"], sheet_name="Rechnungen", header=None, engine="calamine")
    assert cells.iloc[10, 0] == "Summe" and cells.iloc[10, 4] == pytest.approx(4046.5)


def test_a_chinese_workbook_with_subtotal_and_total_rows(adopted: dict[str, dict[str, object]]) -> None:
    zh = adopted["zh"]
    assert zh["mapping"] == [
        ("Customers", "CustomerID", "客户", "客户编号"),
        ("Customers", "Name", "客户", "客户名称"),
        ("Customers", "Email", "客户", "邮箱"),
        ("Customers", "PaymentTermsDays", "客户", "账期(天)"),
        ("Customers", "CreditLimit", "客户", "信用额度"),
        ("Invoices", "InvoiceNo", "发票", "发票号码"),
        ("Invoices", "CustomerID", "发票", "客户编号"),
        ("Invoices", "InvoiceDate", "发票", "开票日期"),
        ("Invoices", "DueDate", "发票", "到期日"),
        ("Invoices", "Amount", "发票", "金额"),
        ("Invoices", "Disputed", "发票", "是否有争议"),
    ]
    code, init = zh["init"]
    assert code == 0
    notes = [n.rsplit(";", 2)[-2:] for n in init["notes"] if n.startswith("proposed")]
    assert notes == [
        [" headings in row 4", " total row 9 not read as records"],
        [" headings in row 3", " total rows 6, 8, 11 not read as records"],
    ]
    code, check = zh["check"]
    assert code == 0 and check["notes"] == ["every table is valid", *COMPANY_WARNINGS]
    assert (check["figures"]["Customers"], check["figures"]["Invoices"]) == ("3 rows", "4 rows")
    invoices = zh["invoices"]
    # 小计 rows 6 and 8, blank row 9, 合计 row 11 are not records
    assert invoices.index.tolist() == [4, 5, 7, 10]
    assert invoices["Amount"].tolist() == [880080, 1200000, 560000, 330000]
    assert invoices["InvoiceDate"].tolist()[2] == pd.Timestamp("2026-10-08")  # typed as 2026年10月8日
    assert invoices["Disputed"].tolist() == [False, False, True, False]  # 否 否 是 否
    assert zh["customers"]["CreditLimit"].tolist() == [50000000, 30000000, 20000000]  # not the 合计 1,000,000
    # open 8800.80 + 12000 + 5600 + 3300; overdue on 2026-10-31: all but FP-0003 (due 2026-12-07)
    assert _aging(zh["aging"]) == (
        0,
        {"customers": 3, "open items": 4, "open AR EUR": "29700.80 EUR", "overdue EUR": "24100.80 EUR"},
        ["1 disputed invoice(s) stay in aging, 5600.00 EUR open"],
    )
    assert zh["aging_table"] == {"KH01": 2080080, "KH02": 560000, "KH03": 330000}


def test_a_french_workbook_with_text_amounts_and_a_total_row(adopted: dict[str, dict[str, object]]) -> None:
    fr = adopted["fr"]
    assert fr["mapping"] == [
        ("Customers", "CustomerID", "Clients", "N° client"),
        ("Customers", "Name", "Clients", "Raison sociale"),
        ("Customers", "Email", "Clients", "Courriel"),
        ("Customers", "Language", "Clients", "Langue"),
        ("Customers", "PaymentTermsDays", "Clients", "Délai de paiement (jours)"),
        ("Invoices", "InvoiceNo", "Factures", "N° facture"),
        ("Invoices", "CustomerID", "Factures", "Client"),
        ("Invoices", "InvoiceDate", "Factures", "Date facture"),
        ("Invoices", "DueDate", "Factures", "Échéance"),
        ("Invoices", "Amount", "Factures", "Montant TTC"),
        ("Invoices", "Disputed", "Factures", "Litige"),
    ]
    code, check = fr["check"]
    assert code == 0 and check["notes"] == ["every table is valid", *COMPANY_WARNINGS]
    assert (check["figures"]["Customers"], check["figures"]["Invoices"]) == ("3 rows", "4 rows")
    # "Total Énergies Services" is a customer whose name begins with the word, not a total row
    assert fr["customers"]["Name"].tolist() == [
        "Boulangerie Martin",
        "Garage Lefèvre",
        "Total Énergies Services",
    ]
    invoices = fr["invoices"]
    assert invoices.index.tolist() == [4, 5, 6, 7]
    assert invoices["Amount"].tolist() == [123456, 240000, 86040, -15000]  # "1 234,56 €" typed as text
    assert invoices["InvoiceDate"].tolist()[0] == pd.Timestamp("2026-08-05")  # "05/08/2026", day first
    assert invoices["Disputed"].tolist() == [False, True, False, False]  # non, oui, NON, blank
    # open 1234.56 + 2400 - 150 + 860.40; overdue on 2026-10-31: F2026-101, F2026-102 (due 2026-10-30) and
    # the credit note F2026-104, aged from its own date
    assert _aging(fr["aging"]) == (
        0,
        {"customers": 3, "open items": 4, "open AR EUR": "4344.96 EUR", "overdue EUR": "3484.56 EUR"},
        ["1 disputed invoice(s) stay in aging, 2400.00 EUR open"],
    )
    assert fr["aging_table"] == {"C001": 108456, "C002": 240000, "C003": 86040}
