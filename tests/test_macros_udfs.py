"""The worksheet functions, called the way Excel on Windows calls them.

Each function is decorated by xlwings' real `xw.func` and called through xlwings' own UDF
server code (com_server.XLPython.CallUDF -> udfs.call_udf and its converters), with the
arguments a formula hands over: a cell reference (read from the workbook through the xlwings
test double, so a number cell 10002 arrives as 10002.0) or a literal (VBA passes numbers as
float, an omitted optional argument as "missing"). Only pywin32 is stood in for (see
tests/xlwings_double/udf_server.py).

On the code before this test was written, every function but ARBOOK_NAME_SCORE raised inside
xlwings at each call: "type object 'types.UnionType' has no attribute 'router'" (for
`-> float | str`) and "type object 'object' has no attribute 'reader'" (for `amount: object`).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import macros.udfs
from arbook.runner import run
from receivables import bucket_labels
from tests.xlwings_double import excel_double
from tests.xlwings_double.udf_server import udf_server
from workbook.filebook import FileBook
from workbook.template import build_workbook

TODAY = dt.date.today()
WORKSHEET_FUNCTIONS = {
    # name: (the arguments Excel shows, volatile)
    "ARBOOK_CREDIT_CHECK": (["customer", "amount"], True),
    "ARBOOK_AGING_BUCKET": (["due_date", "as_of"], True),
    "ARBOOK_NAME_SCORE": (["text_a", "text_b"], False),
}


def _days_ago(days: int) -> pd.Timestamp:
    return pd.Timestamp(TODAY - dt.timedelta(days=days))


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("udf") / "ledger.xlsx"
    build_workbook(
        path,
        rows={
            "Customers": pd.DataFrame(
                {
                    "CustomerID": ["10002", "C2"],
                    "Name": ["Acme GmbH", "Beta SA"],
                    "CreditLimit": pd.array([150_000, None], dtype="Int64"),
                }
            ),
            "Invoices": pd.DataFrame(
                {
                    "InvoiceNo": ["I-1", "I-2", "I-3"],
                    "CustomerID": ["10002", "10002", "C2"],
                    "InvoiceDate": [_days_ago(90), _days_ago(10), _days_ago(150)],
                    "DueDate": [_days_ago(60), _days_ago(-20), _days_ago(120)],
                    "Amount": pd.array([100_000, 25_050, 7_000], dtype="Int64"),
                }
            ),
            "Allocations": pd.DataFrame(
                {
                    "AllocationID": ["A1"],
                    "LineID": ["L1"],
                    "InvoiceNo": ["I-1"],
                    "CustomerID": ["10002"],
                    "Amount": pd.array([30_000], dtype="Int64"),
                    "PaymentDate": [_days_ago(50)],
                    "Kind": ["payment"],
                    "Method": ["manual"],
                }
            ),
            "Orders": pd.DataFrame(
                {
                    "OrderNo": ["O-1"],
                    "CustomerID": ["10002"],
                    "Amount": pd.array([20_000], dtype="Int64"),
                    "Status": ["Open"],
                }
            ),
        },
    )
    return path


class Sheet:
    """A worksheet of the open workbook: put values in cells, and call functions from a cell."""

    def __init__(self, book: Any, call: Any) -> None:
        self.sheet, self._call = book.sheets["Dashboard"], call
        self._free = 100

    def cell(self, value: object) -> Any:
        """A cell holding `value` (typed into it as Excel would), as a formula's reference to it."""
        self._free += 1
        rng = self.sheet.range(f"AA{self._free}")
        rng.value = value
        return rng.impl

    @property
    def wrappers(self) -> dict[str, Any]:
        return self._call.wrappers

    def formula(self, fname: str, *args: object) -> Any:
        """=fname(args...) in a cell of this sheet: the value the cell shows."""
        return self._call(fname, args, self.sheet.range("AB1").impl)


@pytest.fixture(scope="module")
def excel(workbook: Path) -> Iterator[Sheet]:
    with excel_double() as app:
        book = app.books.open(str(workbook))
        with udf_server("macros.udfs", book.impl) as call:
            yield Sheet(book, call)


def test_xlwings_decorator_gives_each_function_its_excel_signature(excel: Sheet) -> None:
    module = sys.modules["macros.udfs"]  # as xlwings imported it
    found = {name for name in dir(module) if hasattr(getattr(module, name), "__xlfunc__")}
    assert found == set(WORKSHEET_FUNCTIONS)
    for name, (shown, volatile) in WORKSHEET_FUNCTIONS.items():
        info = getattr(module, name).__xlfunc__
        # xlwings' VBA wrapper passes Nothing for `caller` and lists the others as Excel shows them
        assert [a["name"] for a in info["args"] if a["name"] != "caller"] == shown
        assert info["volatile"] is volatile
        wrapper = excel.wrappers[name]  # the VBA function xlwings generates for Excel
        assert wrapper.parameters == shown
        assert ("Application.Volatile" in wrapper.vba) is volatile


def test_a_number_cell_finds_the_text_customer_id(excel: Sheet) -> None:
    with FileBook(Path(excel.sheet.book.fullname), lock=False) as book:  # the CLI's answer
        expected = run(book, "credit-check", customer="10002", amount_cents=100_000, as_of=TODAY).notes[0]
    answer = excel.formula("ARBOOK_CREDIT_CHECK", excel.cell(10002), 1000.0)
    assert answer == expected
    assert answer == (
        "10002: over the limit by 650.50 EUR; exposure 1150.50 EUR + order 1000.00 EUR against limit 1500.00 EUR"
    )
    assert excel.formula("ARBOOK_CREDIT_CHECK", "10002", excel.cell("1.000,00")) == expected


def test_problems_are_text_saying_what_is_wrong_never_a_number(excel: Sheet) -> None:
    unknown = excel.formula("ARBOOK_CREDIT_CHECK", excel.cell(10003), 10.0)
    # a mistyped ID is the asker's, not a fault of the workbook's Credit table
    assert (
        unknown
        == "#VALUE! customer '10003' is not a CustomerID of the Customers table (it lists 2: 10002, C2)"
    )
    assert excel.formula("ARBOOK_CREDIT_CHECK", excel.cell(None), 10.0) == "#VALUE! customer is empty"
    assert excel.formula("ARBOOK_CREDIT_CHECK", "C2", excel.cell("lots")).startswith("#VALUE! ")
    assert excel.formula("ARBOOK_AGING_BUCKET", "soon").startswith("#VALUE! due_date: expected a date")


def test_no_limit_is_said_in_words(excel: Sheet) -> None:
    assert excel.formula("ARBOOK_CREDIT_CHECK", "C2", 5.0) == (
        "C2: no credit limit set; exposure would be 75.00 EUR"
    )


def test_aging_bucket_from_a_date_cell_a_serial_and_today(excel: Sheet) -> None:
    due = excel.cell(dt.datetime.combine(TODAY - dt.timedelta(days=45), dt.time()))
    assert excel.formula("ARBOOK_AGING_BUCKET", due) == "31-60"
    serial = float((TODAY - dt.date(1899, 12, 30)).days)  # =TODAY() in a formula is a number
    assert excel.formula("ARBOOK_AGING_BUCKET", serial - 45, serial) == "31-60"
    assert excel.formula("ARBOOK_AGING_BUCKET", excel.cell("2026-01-10"), "2026-01-10") == "Current"
    assert excel.formula("ARBOOK_AGING_BUCKET", excel.cell("2026-01-10"), excel.cell("2026-05-30")) == "120+"


def test_name_score_through_excel(excel: Sheet) -> None:
    assert excel.formula("ARBOOK_NAME_SCORE", excel.cell("MUELLER GMBH"), "Müller GmbH") == 100.0
    assert excel.formula("ARBOOK_NAME_SCORE", excel.cell(None), "Beta SA") == ""
    assert excel.formula("ARBOOK_NAME_SCORE", "Acme", "Zeta Widgets") == 0.0


def test_a_column_of_formulas_reads_the_tables_once(excel: Sheet, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = []
    module = sys.modules["macros.udfs"]  # as xlwings imported it
    original = module.Snapshot.of.__func__

    def counted(cls: type, book: Any, today: dt.date) -> Any:
        reads.append(book.fullname)
        return original(cls, book, today)

    monkeypatch.setattr(module, "_snapshots", {})
    monkeypatch.setattr(module.Snapshot, "of", classmethod(counted))
    answers = [excel.formula("ARBOOK_CREDIT_CHECK", "10002", float(400 + n)) for n in range(20)]
    assert len(reads) == 1 and all(a.startswith("10002: over the limit") for a in answers)


@pytest.mark.parametrize(
    ("days", "limits", "bucket"),
    [
        (-3, (30, 60, 90, 120), "Current"),
        (0, (30, 60, 90, 120), "Current"),
        (1, (30, 60, 90, 120), "1-30"),
        (30, (30, 60, 90, 120), "1-30"),
        (31, (30, 60, 90, 120), "31-60"),
        (120, (30, 60, 90, 120), "91-120"),
        (121, (30, 60, 90, 120), "120+"),
        (45, (14, 45), "15-45"),
        (46, (14, 45), "45+"),
    ],
)
def test_aging_bucket_agrees_with_the_aging_run(days: int, limits: tuple[int, ...], bucket: str) -> None:
    assert bucket in bucket_labels(limits)
    assert macros.udfs.aging_bucket(TODAY - dt.timedelta(days=days), TODAY, limits) == bucket


def test_name_score_is_the_matchers_similarity() -> None:
    assert macros.udfs.name_score("MUELLER MASCHINENBAU GMBH", "Müller Maschinenbau GmbH & Co. KG") == 100.0
    assert macros.udfs.name_score("Acme", "Zeta Widgets") == 0.0
    assert 90.0 < macros.udfs.name_score("Muller Maschinebau", "Müller Maschinenbau GmbH") < 100.0
