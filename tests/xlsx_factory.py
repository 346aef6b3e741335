"""Build test workbooks with xlsxwriter: contract tables as Excel Tables, and the things users add.

Values are written with explicit types (`write_string`, `write_number`, ...), never with
xlsxwriter's guessing `write()`, so text such as "=1+1" in a test stays text, exactly as a
user's typed cell would be.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from PIL import Image

__all__ = [
    "TableSpec",
    "build_book",
    "build_rich_book",
    "patch_part",
    "png_bytes",
    "vba_project_bin",
    "write_value",
]


def vba_project_bin() -> bytes:
    """xlwings' own vbaProject.bin (Module1.SampleCall and the xlwings module), saved by Excel."""
    import xlwings

    source = Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"
    with zipfile.ZipFile(source) as zf:
        return zf.read("xl/vbaProject.bin")


def png_bytes(size: tuple[int, int] = (24, 16), colour: str = "teal") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


def write_value(ws, row: int, col: int, value: object, fmt=None) -> None:
    """Write one cell with the type the Python value has (0-based row/col, like xlsxwriter)."""
    if value is None:
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, (dt.date, dt.datetime)):
        ws.write_datetime(row, col, value, fmt)
    elif isinstance(value, Formula):
        ws.write_formula(row, col, value.text, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


class Formula(str):
    """A cell the test means as a formula (plain str is always written as text)."""


@dataclass
class TableSpec:
    """One table: an Excel Table named `name` on the sheet `sheet` (default: same name)."""

    name: str
    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    sheet: str | None = None
    first_row: int = 0  # 0-based row of the header
    first_col: int = 0
    as_excel_table: bool = True
    formats: dict[str, object] = field(default_factory=dict)  # column -> xlsxwriter format properties


def _add_table(wb, ws, spec: TableSpec) -> None:
    fmts = {c: wb.add_format(p) for c, p in spec.formats.items()}
    r0, c0 = spec.first_row, spec.first_col
    if spec.as_excel_table:
        last_row = r0 + max(1, len(spec.rows))
        ws.add_table(
            r0,
            c0,
            last_row,
            c0 + len(spec.header) - 1,
            {
                "name": spec.name,
                "columns": [{"header": h, **({"format": fmts[h]} if h in fmts else {})} for h in spec.header],
            },
        )
    else:
        for j, h in enumerate(spec.header):
            ws.write_string(r0, c0 + j, h)
    for i, row in enumerate(spec.rows, start=1):
        for j, value in enumerate(row):
            write_value(ws, r0 + i, c0 + j, value, fmts.get(spec.header[j]))


def build_book(path: Path, tables: Sequence[TableSpec], *, vba: bool = False) -> Path:
    """A workbook holding exactly these tables, one sheet each unless `sheet` says otherwise."""
    wb = xlsxwriter.Workbook(str(path))
    if vba:
        wb.add_vba_project(io.BytesIO(vba_project_bin()), is_stream=True)
    sheets = {}
    for spec in tables:
        name = spec.sheet or spec.name
        if name not in sheets:
            sheets[name] = wb.add_worksheet(name)
        _add_table(wb, sheets[name], spec)
    wb.close()
    return path


SETTINGS_ROWS = [
    ("company_name", "Muster AG", "printed on statements"),
    ("date_order", "dmy", ""),
    ("aging_buckets", "30,60,90,120", ""),
]
CUSTOMERS_HEADER = ["CustomerID", "Name", "Email", "Language", "CreditLimit", "Aliases", "Notes"]
CUSTOMERS_ROWS = [
    ["100999", "Acme GmbH", "ap@acme.de", "de", 50000, None, "key account"],
    ["C-002", "Beta Ltd", "ar@beta.co.uk", "en", 12000.5, "BETA LIMITED", None],
    ["C-003", "Gamma SA", "compta@gamma.fr", "fr", None, None, "=not a formula"],
]
INVOICES_HEADER = [
    "InvoiceNo",
    "CustomerID",
    "InvoiceDate",
    "DueDate",
    "Amount",
    "OpenAmount",
    "Status",
    "LastPaymentDate",
    "Margin",
]
INVOICES_ROWS = [
    ["INV-1001", "100999", dt.date(2026, 9, 1), dt.date(2026, 10, 1), 1234.56, None, None, None],
    ["INV-1002", "C-002", dt.date(2026, 9, 15), dt.date(2026, 10, 15), 500, None, None, None],
    ["INV-1003", "C-003", dt.date(2026, 10, 1), None, 99.99, None, None, None],
    ["CN-1004", "100999", dt.date(2026, 10, 5), dt.date(2026, 10, 5), -100, None, None, None],
    ["INV-1005", "C-002", dt.date(2026, 10, 20), dt.date(2026, 11, 19), 7500, None, None, None],
]
BANK_HEADER = ["LineID", "Date", "Amount", "Payer", "Memo", "Status"]
BANK_ROWS = [
    ["L-0001", dt.date(2026, 10, 2), 1234.56, "ACME GMBH", "INV-1001", "Matched"],
    ["L-0002", dt.date(2026, 10, 16), 250, "Beta Limited", "part payment 1002", "Partial"],
]
ALLOC_HEADER = [
    "AllocationID",
    "LineID",
    "InvoiceNo",
    "CustomerID",
    "Amount",
    "PaymentDate",
    "Kind",
    "Method",
]
ALLOC_ROWS = [
    ["A-1", "L-0001", "INV-1001", "100999", 1234.56, dt.date(2026, 10, 2), "payment", "auto"],
    ["A-2", "L-0002", "INV-1002", "C-002", 250, dt.date(2026, 10, 16), "payment", "approved"],
]


def build_rich_book(path: Path) -> Path:
    """A contract workbook with everything a real user's book has around its tables.

    Invoices sits under a merged title (header on row 3) with a calculated Margin column,
    a conditional format and a validation over its rows, a user note beside it; a Summary
    sheet holds formulas over the tables, a chart, an image, a comment, a defined name and
    a form button bound to the VBA macro of xlwings' vbaProject.bin.
    """
    wb = xlsxwriter.Workbook(str(path))
    wb.add_vba_project(io.BytesIO(vba_project_bin()), is_stream=True)
    date = wb.add_format({"num_format": "dd.mm.yyyy"})
    money = wb.add_format({"num_format": "#,##0.00", "font_color": "#1F4E79"})
    bold = wb.add_format({"bold": True, "bg_color": "#FFEB9C"})

    ws = wb.add_worksheet("Settings")
    ws.add_table(
        0,
        0,
        len(SETTINGS_ROWS),
        2,
        {"name": "Settings", "columns": [{"header": h} for h in ("Key", "Value", "Description")]},
    )
    for i, row in enumerate(SETTINGS_ROWS, start=1):
        for j, v in enumerate(row):
            write_value(ws, i, j, v)

    ws = wb.add_worksheet("Customers")
    ws.add_table(
        0,
        0,
        len(CUSTOMERS_ROWS),
        len(CUSTOMERS_HEADER) - 1,
        {"name": "Customers", "columns": [{"header": h} for h in CUSTOMERS_HEADER]},
    )
    for i, row in enumerate(CUSTOMERS_ROWS, start=1):
        for j, v in enumerate(row):
            write_value(ws, i, j, v, money if CUSTOMERS_HEADER[j] == "CreditLimit" else None)
    ws.data_validation(1, 3, len(CUSTOMERS_ROWS), 3, {"validate": "list", "source": ["en", "de", "fr", "zh"]})
    ws.write_comment("B2", "Our oldest customer")

    ws = wb.add_worksheet("Invoices")
    ws.merge_range("A1:D1", "Open invoices (arbook fills OpenAmount, Status, LastPaymentDate)", bold)
    top, n = 2, len(INVOICES_ROWS)
    columns = []
    for h in INVOICES_HEADER:
        col: dict[str, object] = {"header": h}
        if h in ("InvoiceDate", "DueDate", "LastPaymentDate"):
            col["format"] = date
        if h in ("Amount", "OpenAmount"):
            col["format"] = money
        if h == "Margin":
            col["formula"] = "=Invoices[[#This Row],[Amount]]*0.1"
            col["format"] = money
        columns.append(col)
    ws.add_table(top, 0, top + n, len(INVOICES_HEADER) - 1, {"name": "Invoices", "columns": columns})
    for i, row in enumerate(INVOICES_ROWS, start=top + 1):
        for j, v in enumerate(row):
            fmt = columns[j].get("format")
            write_value(ws, i, j, v, fmt)
    ws.conditional_format(
        top + 1, 5, top + n, 5, {"type": "cell", "criteria": ">", "value": 0, "format": bold}
    )
    ws.data_validation(top + 1, 4, top + n, 4, {"validate": "decimal", "criteria": "!=", "value": 0})
    ws.write_string("K3", "user note beside the table")
    ws.set_column("A:A", 14)

    ws = wb.add_worksheet("BankLines")
    ws.add_table(
        0,
        0,
        len(BANK_ROWS),
        len(BANK_HEADER) - 1,
        {
            "name": "BankLines",
            "columns": [
                {
                    "header": h,
                    **({"format": date} if h == "Date" else {"format": money} if h == "Amount" else {}),
                }
                for h in BANK_HEADER
            ],
        },
    )
    for i, row in enumerate(BANK_ROWS, start=1):
        for j, v in enumerate(row):
            write_value(ws, i, j, v, date if j == 1 else money if j == 2 else None)
    ws.conditional_format(
        1, 2, len(BANK_ROWS), 2, {"type": "cell", "criteria": "<", "value": 0, "format": bold}
    )
    ws.data_validation(
        1,
        5,
        len(BANK_ROWS),
        5,
        {"validate": "list", "source": ["Unmatched", "Suggested", "Matched", "Partial", "Ignored"]},
    )

    ws = wb.add_worksheet("Allocations")
    ws.add_table(
        0,
        0,
        len(ALLOC_ROWS),
        len(ALLOC_HEADER) - 1,
        {"name": "Allocations", "columns": [{"header": h} for h in ALLOC_HEADER]},
    )
    for i, row in enumerate(ALLOC_ROWS, start=1):
        for j, v in enumerate(row):
            write_value(ws, i, j, v, date if ALLOC_HEADER[j] == "PaymentDate" else None)

    ws = wb.add_worksheet("Summary")
    ws.write_string("A1", "Open receivables")
    ws.write_formula("B1", "=SUM(Invoices[OpenAmount])", money)
    ws.write_string("A2", "Invoiced")
    ws.write_formula("B2", "=SUM(Invoices[Amount])", money)
    ws.write_string("A3", "Allocations")
    ws.write_formula("B3", "=COUNTA(Allocations[AllocationID])")
    ws.write_string("A4", "Bank money in")
    ws.write_formula("B4", "=SUM(BankLines[Amount])", money)
    ws.write_comment("A1", "SUM over the OpenAmount column arbook computes")
    wb.define_name("OpenTotal", "=Summary!$B$1")
    chart = wb.add_chart({"type": "column"})
    chart.add_series(
        {"name": "Amount", "categories": f"=Invoices!$A$4:$A${3 + n}", "values": f"=Invoices!$E$4:$E${3 + n}"}
    )
    ws.insert_chart("D2", chart)
    ws.insert_image("D20", "logo.png", {"image_data": io.BytesIO(png_bytes())})
    ws.insert_button("A8", {"macro": "SampleCall", "caption": "Run arbook", "width": 120, "height": 30})
    wb.close()
    return path


def patch_part(path: Path, part: str, edit) -> None:
    """Rewrite one zip entry with `edit(text) -> text`: for XML xlsxwriter cannot produce (shared formulas)."""
    with zipfile.ZipFile(path) as zf:
        entries = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            if info.filename == part:
                data = edit(data.decode()).encode()
            zf.writestr(info, data)
