"""`arbook init --suggest` on workbooks a German and a Chinese finance team made themselves,
then reading and writing through the Mapping it proposes.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from arbook.init import init
from common.errors import InputError
from workbook.contract import table
from workbook.filebook import FileBook
from workbook.mapping import SYNONYMS, Mapping, _assign
from workbook.package import Package


def _sheet(wb: xlsxwriter.Workbook, name: str, header: list[str], rows: list[list[object]]) -> None:
    """A plain sheet as people keep one: headings in row 1, typed cells below (no Excel Table)."""
    ws = wb.add_worksheet(name)
    dates = wb.add_format({"num_format": "dd.mm.yyyy"})
    for c, text in enumerate(header):
        ws.write_string(0, c, text)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), dates)
            elif isinstance(value, (int, float)):
                ws.write_number(r, c, value)
            elif isinstance(value, str) and value.startswith("="):
                ws.write_formula(r, c, value)
            elif value is not None:
                ws.write_string(r, c, value)


def german_book(path: Path, amount_b: object = "2.380,50") -> Path:
    wb = xlsxwriter.Workbook(str(path))
    _sheet(
        wb,
        "Rechnungen",
        ["Rechnungsnr.", "Kunde", "Rechnungsdatum", "Fällig am", "Betrag", "Netto", "Bemerkung"],
        [
            ["RE-2026-001", "K100", dt.date(2026, 3, 1), dt.date(2026, 3, 31), 1190, "=E2/1.19", None],
            [
                "RE-2026-002",
                10042,
                "15.03.2026",
                dt.date(2026, 4, 14),
                amount_b,
                "=E3/1.19",
                "Teilzahlung vereinbart",
            ],
            ["RE-2026-003", "K100", dt.date(2026, 4, 2), None, -119.5, "=E4/1.19", "Gutschrift"],
        ],
    )
    _sheet(
        wb,
        "Debitoren",
        ["Kundennr.", "Firma", "E-Mail", "Ort"],
        [
            ["K100", "Müller GmbH", "buchhaltung@mueller.de", "Köln"],
            [10042, "Schmidt & Söhne KG", None, "Berlin"],
        ],
    )
    _sheet(wb, "Auswertung", ["Summe offen"], [["=SUM(Rechnungen!E2:E4)"]])
    wb.close()
    return path


def chinese_book(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    _sheet(
        wb,
        "发票",
        ["发票号", "客户编号", "开票日期", "到期日", "金额"],
        [
            ["FP-0001", "KH01", dt.date(2026, 5, 6), dt.date(2026, 6, 5), 8800.8],
            ["FP-0002", "KH02", dt.date(2026, 5, 20), dt.date(2026, 7, 19), 12000],
        ],
    )
    _sheet(
        wb,
        "客户",
        ["客户编号", "客户名称", "邮箱"],
        [
            ["KH01", "上海明华贸易有限公司", "finance@minghua.cn"],
            ["KH02", "深圳宏达科技有限公司", "ar@hongda.cn"],
        ],
    )
    wb.close()
    return path


def _mapping_rows(path: Path) -> list[tuple[object, ...]]:
    with FileBook(path) as book:
        frame = book.read("Mapping")
    extra = pd.read_excel(path, sheet_name="Mapping", engine="calamine")
    return [
        (*row, float(conf))
        for row, conf in zip(frame.itertuples(index=False), extra["Confidence"], strict=True)
    ]


def test_suggest_maps_a_german_workbook(tmp_path: Path) -> None:
    path = german_book(tmp_path / "Debitorenbuchhaltung.xlsx")
    summary = init(path, suggest=True)
    assert _mapping_rows(path) == [
        ("Customers", "CustomerID", "Debitoren", "Kundennr.", 100.0),
        ("Customers", "Name", "Debitoren", "Firma", 100.0),
        ("Customers", "Email", "Debitoren", "E-Mail", 100.0),
        ("Invoices", "InvoiceNo", "Rechnungen", "Rechnungsnr.", 100.0),
        ("Invoices", "CustomerID", "Rechnungen", "Kunde", 100.0),
        ("Invoices", "InvoiceDate", "Rechnungen", "Rechnungsdatum", 100.0),
        ("Invoices", "DueDate", "Rechnungen", "Fällig am", 100.0),
        ("Invoices", "Amount", "Rechnungen", "Betrag", 100.0),
    ]
    assert "Customers" not in summary.figures and "Invoices" not in summary.figures  # mapped: not added
    assert summary.figures["Mapping"] == "added (8 rows)"


def test_suggest_maps_a_chinese_workbook(tmp_path: Path) -> None:
    path = chinese_book(tmp_path / "应收账款.xlsx")
    init(path, suggest=True)
    assert _mapping_rows(path) == [
        ("Customers", "CustomerID", "客户", "客户编号", 100.0),
        ("Customers", "Name", "客户", "客户名称", 100.0),
        ("Customers", "Email", "客户", "邮箱", 100.0),
        ("Invoices", "InvoiceNo", "发票", "发票号", 100.0),
        ("Invoices", "CustomerID", "发票", "客户编号", 100.0),
        ("Invoices", "InvoiceDate", "发票", "开票日期", 100.0),
        ("Invoices", "DueDate", "发票", "到期日", 100.0),
        ("Invoices", "Amount", "发票", "金额", 100.0),
    ]
    with FileBook(path) as book:
        invoices = book.read("Invoices")
        customers = book.read("Customers")
    assert invoices["Amount"].tolist() == [880080, 1200000]
    assert customers["Name"].tolist() == ["上海明华贸易有限公司", "深圳宏达科技有限公司"]


def test_suggest_matches_english_headings_and_a_misspelt_one_by_similarity(tmp_path: Path) -> None:
    path = tmp_path / "ar.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    _sheet(
        wb,
        "Invoices",
        ["Invoice #", "Client", "Date", "Total", "Due", "Curency"],
        [["INV-1", "C1", dt.date(2026, 1, 5), 100, dt.date(2026, 2, 4), "USD"]],
    )
    _sheet(wb, "Clients", ["Client ID", "Client Name", "Email"], [["C1", "Acme Inc.", "ap@acme.example"]])
    wb.close()
    summary = init(path, suggest=True)
    rows = _mapping_rows(path)
    assert rows[:3] == [
        ("Customers", "CustomerID", "Clients", "Client ID", 100.0),
        ("Customers", "Name", "Clients", "Client Name", 100.0),
        ("Customers", "Email", "Clients", "Email", 100.0),
    ]
    assert rows[3:7] == [
        ("Invoices", "InvoiceNo", "Invoices", "Invoice #", 100.0),
        ("Invoices", "CustomerID", "Invoices", "Client", 100.0),
        ("Invoices", "InvoiceDate", "Invoices", "Date", 100.0),
        ("Invoices", "DueDate", "Invoices", "Due", 100.0),
    ]
    assert rows[7][:4] == ("Invoices", "Currency", "Invoices", "Curency") and 85 <= rows[7][4] < 100
    assert rows[8] == ("Invoices", "Amount", "Invoices", "Total", 100.0)
    assert any("check Currency, matched by similarity only" in n for n in summary.notes)


def test_reading_through_the_mapping_gives_the_typed_contract_frame(tmp_path: Path) -> None:
    path = german_book(tmp_path / "book.xlsx")
    init(path, suggest=True)
    with FileBook(path) as book:
        invoices = book.read("Invoices")
        customers = book.read("Customers")
    expected = pd.DataFrame(
        {
            "InvoiceNo": pd.Series(
                ["RE-2026-001", "RE-2026-002", "RE-2026-003"], dtype=object, index=[2, 3, 4]
            ),
            "CustomerID": pd.Series(["K100", "10042", "K100"], dtype=object, index=[2, 3, 4]),
            "InvoiceDate": pd.to_datetime(["2026-03-01", "2026-03-15", "2026-04-02"]).astype(
                "datetime64[ns]"
            ),
            "DueDate": pd.to_datetime(["2026-03-31", "2026-04-14", "2026-05-02"]).astype("datetime64[ns]"),
            "Amount": pd.array([119000, 238050, -11950], dtype="Int64"),
        },
        index=pd.Index([2, 3, 4], name="row"),
    )
    pd.testing.assert_frame_equal(invoices[expected.columns], expected)
    assert invoices["Currency"].tolist() == [
        "",
        "",
        "",
    ]  # not mapped: not read, even if a heading looked alike
    assert invoices["OpenAmount"].isna().all() and invoices["Status"].tolist() == ["", "", ""]
    assert customers["CustomerID"].tolist() == ["K100", "10042"]
    assert customers["Email"].tolist() == ["buchhaltung@mueller.de", ""]
    assert customers.index.tolist() == [2, 3]


def test_computed_columns_go_to_arbooks_sheet_and_the_users_sheets_stay_byte_identical(
    tmp_path: Path,
) -> None:
    path = german_book(tmp_path / "book.xlsx")
    init(path, suggest=True)
    before = zipfile.ZipFile(path)
    parts = {n: before.read(n) for n in before.namelist()}
    with FileBook(path) as book:
        computed = pd.DataFrame(
            {
                "InvoiceNo": ["RE-2026-002", "RE-2026-001"],
                "OpenAmount": pd.array([38050, 0], dtype="Int64"),
                "Status": ["Partial", "Paid"],
            }
        )
        book.write_columns("Invoices", "InvoiceNo", computed)
        book.commit("aging", "test")
    after = zipfile.ZipFile(path)
    changed = {n for n in parts if after.read(n) != parts[n]}
    with Package(path) as pkg:
        audit = {pkg.table("Audit").part, pkg.table("Audit").sheet.part}
    # the new InvoicesComputed sheet, recalculation on load, the Audit row, maybe a number format
    assert changed - {"xl/styles.xml"} == {
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        *audit,
    }
    for user_sheet in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"):
        assert after.read(user_sheet) == parts[user_sheet]
    with FileBook(path) as book:
        invoices = book.read("Invoices")
        side = pd.read_excel(path, sheet_name="InvoicesComputed", engine="calamine", dtype=str)
    assert invoices["Status"].tolist() == ["Paid", "Partial", ""]
    assert invoices["OpenAmount"].tolist()[:2] == [0, 38050] and invoices["OpenAmount"].isna().tolist()[2]
    assert side.columns.tolist() == ["InvoiceNo", "OpenAmount", "Status", "LastPaymentDate"]
    assert side["InvoiceNo"].tolist() == ["RE-2026-001", "RE-2026-002", "RE-2026-003"]


def test_a_computed_column_the_mapping_places_is_written_in_the_users_sheet(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    _sheet(
        wb,
        "OP",
        ["Beleg", "Kd", "Datum", "Summe", "Stand"],
        [["B1", "K1", dt.date(2026, 1, 2), 50, "Open"], ["B2", "K1", dt.date(2026, 1, 3), 70, "Open"]],
    )
    _sheet(wb, "Kunden", ["Nr", "Name"], [["K1", "Alpha"]])
    links = [
        ("Invoices", "InvoiceNo", "OP", "Beleg"),
        ("Invoices", "CustomerID", "OP", "Kd"),
        ("Invoices", "InvoiceDate", "OP", "Datum"),
        ("Invoices", "Amount", "OP", "Summe"),
        ("Invoices", "Status", "OP", "Stand"),
        ("Customers", "CustomerID", "Kunden", "Nr"),
        ("Customers", "Name", "Kunden", "Name"),
    ]
    _sheet(wb, "Mapping", ["Table", "Column", "Source", "SourceColumn"], [list(x) for x in links])
    wb.close()
    init(path)
    with FileBook(path) as book:
        assert not book.has("Orders")
        book.write_columns(
            "Invoices",
            "InvoiceNo",
            pd.DataFrame(
                {"InvoiceNo": ["B2"], "Status": ["Paid"], "OpenAmount": pd.array([0], dtype="Int64")}
            ),
        )
        book.commit("post", "test")
    op = pd.read_excel(path, sheet_name="OP", engine="calamine")
    assert op["Stand"].tolist() == ["Open", "Paid"]
    side = pd.read_excel(path, sheet_name="InvoicesComputed", engine="calamine")
    assert side.columns.tolist() == ["InvoiceNo", "OpenAmount", "LastPaymentDate"]
    assert side["OpenAmount"].fillna(-1).tolist() == [-1, 0]


def test_a_bad_cell_is_named_by_the_users_sheet_and_heading(tmp_path: Path) -> None:
    path = german_book(tmp_path / "book.xlsx", amount_b="zwei")
    init(path, suggest=True)
    with FileBook(path) as book, pytest.raises(InputError) as caught:
        book.read("Invoices")
    assert "Invoices (in 'Rechnungen') row 3 column 'Betrag' = Amount" in str(caught.value)


def test_mapping_rows_that_cannot_hold_are_refused_with_their_row() -> None:
    frame = pd.DataFrame(
        {
            "Table": ["Invoices", "Invoices", "Aging", "Invoices", "Invoices", "Invoices"],
            "Column": ["Amount", "Amount", "Total", "Nope", "DueDate", "InvoiceDate"],
            "Source": ["A", "A", "A", "A", "A", "B"],
            "SourceColumn": ["x", "y", "z", "w", "X", "v"],
        },
        index=pd.Index([2, 3, 4, 5, 6, 7], name="row"),
    )
    with pytest.raises(InputError) as caught:
        Mapping.from_frame(frame)
    text = str(caught.value)
    assert "Mapping row 3 column Column: Invoices.Amount is mapped twice (first in row 2)" in text
    assert "Mapping row 4 column Table: only Customers, Invoices, Orders can be mapped, not Aging" in text
    assert "Mapping row 5 column Column: expected a column of Invoices" in text
    assert "Mapping row 6 column SourceColumn: 'X' is already mapped to Invoices.Amount in row 2" in text
    assert (
        "Mapping row 7 column Source: every Invoices row must name the same Source; row 2 names 'A', this one 'B'"
        in text
    )


def test_a_mapping_naming_a_missing_heading_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    _sheet(wb, "OP", ["Beleg", "Kd", "Datum", "Summe"], [["B1", "K1", dt.date(2026, 1, 2), 50]])
    _sheet(
        wb,
        "Mapping",
        ["Table", "Column", "Source", "SourceColumn"],
        [["Invoices", "InvoiceNo", "OP", "Belegnummer"]],
    )
    wb.close()
    with FileBook(path, lock=False) as book, pytest.raises(InputError) as caught:
        book.read("Invoices")
    assert "Mapping row 2 column SourceColumn: expected a heading 'Belegnummer' in 'OP'" in str(caught.value)


_SPELLINGS = [(t, c, s) for (t, c), names in SYNONYMS.items() for s in names]


@given(
    st.sampled_from(_SPELLINGS),
    st.lists(st.sampled_from(["upper", "title", "space", "dot", "underscore"]), max_size=3),
)
def test_a_synonym_is_found_however_it_is_cased_or_punctuated(spelling, changes) -> None:
    name, column, heading = spelling
    for change in changes:
        heading = {
            "upper": heading.upper(),
            "title": heading.title(),
            "space": f" {heading} ",
            "dot": heading + ".",
            "underscore": heading.replace(" ", "_"),
        }[change]
    decl = table(name)
    assert _assign(decl, (heading,)) == {column: (heading, 100)}


def test_the_issues_own_example_is_mapped_as_far_as_its_headings_go(tmp_path: Path) -> None:
    path = tmp_path / "ar.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    _sheet(
        wb, "Invoices", ["Invoice #", "Client", "Total", "Due"], [["INV-1", "C1", 100, dt.date(2026, 2, 4)]]
    )
    _sheet(wb, "Customers", ["CustomerID", "Name"], [["C1", "Acme Inc."]])
    wb.close()
    summary = init(path, suggest=True)
    assert [r[:4] for r in _mapping_rows(path)] == [
        ("Invoices", "InvoiceNo", "Invoices", "Invoice #"),
        ("Invoices", "CustomerID", "Invoices", "Client"),
        ("Invoices", "DueDate", "Invoices", "Due"),
        ("Invoices", "Amount", "Invoices", "Total"),
    ]
    assert (
        "Invoices also needs InvoiceDate: no heading in 'Invoices' looks like it; add a Mapping row naming the "
        "heading that holds it (until then reading Invoices is refused)"
    ) in summary.notes
    with FileBook(path) as book, pytest.raises(InputError) as caught:
        book.read("Invoices")
    assert (
        "Invoices (in 'Invoices') row 1 column InvoiceDate: required column is missing from the header row "
        "(no Mapping row names a heading for InvoiceDate)"
    ) in str(caught.value)


def test_an_excel_table_of_the_user_is_a_source_and_named_by_its_table_name(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Übersicht")
    ws.write_string(
        0, 0, "Offene Posten Q1"
    )  # a title above the table: the table, not the sheet, is the source
    ws.add_table(
        "B3:E5",
        {
            "name": "tblOP",
            "columns": [{"header": h} for h in ("Beleg-Nr", "Kundennummer", "Belegdatum", "Bruttobetrag")],
            "data": [["B-1", "K1", "02.01.2026", 50], ["B-2", "K2", "03.01.2026", 70.25]],
        },
    )
    _sheet(wb, "Kunden", ["Kundennummer", "Kundenname"], [["K1", "Alpha"], ["K2", "Beta"]])
    wb.close()
    init(path, suggest=True)
    assert [r[:4] for r in _mapping_rows(path)] == [
        ("Customers", "CustomerID", "Kunden", "Kundennummer"),
        ("Customers", "Name", "Kunden", "Kundenname"),
        ("Invoices", "InvoiceNo", "tblOP", "Beleg-Nr"),
        ("Invoices", "CustomerID", "tblOP", "Kundennummer"),
        ("Invoices", "InvoiceDate", "tblOP", "Belegdatum"),
        ("Invoices", "Amount", "tblOP", "Bruttobetrag"),
    ]
    with FileBook(path) as book:
        invoices = book.read("Invoices")
    assert invoices.index.tolist() == [4, 5]
    assert invoices["Amount"].tolist() == [5000, 7025]
    assert invoices["InvoiceDate"].tolist() == [pd.Timestamp("2026-01-02"), pd.Timestamp("2026-01-03")]
