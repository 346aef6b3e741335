"""Looking up a customer's balance or available credit with plain formulas, as LibreOffice computes them.

The README and macros/CHECKLIST.md tell a user to look balances up in the Aging and Credit
tables rather than call Python: XLOOKUP (Excel 2021, 365, the web) or INDEX/MATCH (everywhere).
LibreOffice recalculates a workbook arbook wrote, after aging and credit runs, with both forms
typed beside the tables (openpyxl, as a person would type them), and exports every sheet as CSV.
LibreOffice 7.4, the one installed here, has no XLOOKUP (it arrived in 24.8): the cell shows
#NAME?. INDEX/MATCH gives the tables' figures, and so do the Dashboard's key figures, which are
INDEX/MATCH over the KPIs table for that reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
from collections.abc import Callable

import pandas as pd
import pytest
from openpyxl import load_workbook

from arbook.new import new_workbook
from arbook.runner import run
from workbook.filebook import FileBook

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
LOOKED_UP = [10002, "C2", "nobody"]  # a number cell, a text cell, an unknown customer


def _lookups(row: int) -> list[str]:
    key = f'A{row}&""'  # a number cell 10002 finds the text ID "10002"
    return [
        f'=XLOOKUP({key},Aging[CustomerID],Aging[Total],"no such customer")',
        f'=IFERROR(INDEX(Aging[Total],MATCH({key},Aging[CustomerID],0)),"no such customer")',
        f'=XLOOKUP({key},Credit[CustomerID],Credit[Available],"no such customer")',
        f'=IFERROR(INDEX(Credit[Available],MATCH({key},Credit[CustomerID],0)),"no such customer")',
    ]


@pytest.fixture(scope="module")
def computed(
    soffice: str, lo_convert: Callable[..., None], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[list[str]]]:
    """Every sheet of the aged workbook with the lookups, as LibreOffice computed it."""
    folder = tmp_path_factory.mktemp("lookups")
    path = folder / "book.xlsx"
    new_workbook(
        path,
        rows={
            "Customers": pd.DataFrame(
                {
                    "CustomerID": ["10002", "C2"],
                    "Name": ["Acme GmbH", "Beta SA"],
                    "CreditLimit": pd.array([5_000_00, 100_00], dtype="Int64"),
                }
            ),
            "Invoices": pd.DataFrame(
                {
                    "InvoiceNo": ["I-1", "I-2"],
                    "CustomerID": ["10002", "C2"],
                    "InvoiceDate": pd.to_datetime(["2026-09-01", "2026-11-01"]),
                    "DueDate": pd.to_datetime(["2026-10-01", "2026-12-01"]),
                    "Amount": pd.array([1_000_00, 70_00], dtype="Int64"),
                }
            ),
        },
    )
    with FileBook(path) as book:
        run(book, "aging", as_of=dt.date(2026, 11, 30))
        run(book, "credit", as_of=dt.date(2026, 11, 30))
    wb = load_workbook(path)
    sheet = wb.create_sheet("Lookup")
    for row, customer in enumerate(LOOKED_UP, start=1):
        sheet.cell(row, 1, customer)
        for col, formula in enumerate(_lookups(row), start=2):
            sheet.cell(row, col, formula)
    wb.save(path)
    out = folder / "csv"
    lo_convert(CSV_ALL_SHEETS, path, out)
    version = subprocess.run([soffice, "--version"], capture_output=True, text=True, check=True).stdout
    sheets = {}
    for name in ("Lookup", "Aging", "Credit", "Dashboard"):
        with open(out / f"book-{name}.csv", encoding="utf-8", newline="") as fh:
            sheets[name] = list(csv.reader(fh))
    return {"sheets": sheets, "major": int(re.search(r"LibreOffice (\d+)\.", version)[1])}


def test_index_match_finds_the_balance_and_available_credit_where_xlookup_is_missing(
    computed: dict[str, object],
) -> None:
    sheets = computed["sheets"]
    totals = {row[0]: row[9] for row in sheets["Aging"][1:]}
    available = {row[0]: row[7] for row in sheets["Credit"][1:]}
    assert totals == {"10002": "1000", "C2": "70"} and available == {"10002": "4000", "C2": "30"}
    missing = "#NAME?" if computed["major"] < 24 else None  # XLOOKUP arrived in LibreOffice 24.8
    assert computed["major"] == 7 and missing == "#NAME?"  # the LibreOffice installed here: 7.4
    assert sheets["Lookup"] == [
        ["10002", missing, "1000", missing, "4000"],
        ["C2", missing, "70", missing, "30"],
        ["nobody", missing, "no such customer", missing, "no such customer"],
    ]


def test_the_dashboards_key_figures_are_computed_by_libreoffice(computed: dict[str, object]) -> None:
    figures = {row[0]: row[1:3] for row in computed["sheets"]["Dashboard"] if row and row[0]}
    assert figures["Open receivables, all currencies in"] == ["1070", "EUR"]
    assert figures["Overdue, all currencies in"] == ["1000", "EUR"]
    assert figures["EUR open, as booked"] == ["1070", "EUR"]
