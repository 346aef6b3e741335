"""The Dashboard's status cells (Last run, Result, Message) say what the last command-line run did:
the commit that adds the Audit row fills them, read back here by another reader (openpyxl)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.conftest import arbook
from workbook.filebook import FileBook
from workbook.template import STATUS_NAMES


def status_cells(workbook: Path) -> dict[str, object]:
    book = openpyxl.load_workbook(workbook)
    out = {}
    for key, name in STATUS_NAMES.items():
        ((sheet, ref),) = book.defined_names[name].destinations
        out[key] = book[sheet][ref.replace("$", "")].value
    return out


def test_a_command_line_run_fills_the_dashboards_last_run_result_and_message(tmp_path: Path) -> None:
    workbook = tmp_path / "Book.xlsx"
    assert arbook("new", workbook).code == 0
    assert status_cells(workbook) == {"last_run": None, "result": None, "message": None}
    assert arbook("aging", workbook, "--as-of", "2026-10-31").code == 0
    with FileBook(workbook, lock=False) as book:
        audit = book.read("Audit").iloc[-1]
    assert status_cells(workbook) == {
        "last_run": audit["At"].to_pydatetime(),
        "result": "OK",
        "message": "aging --as-of 2026-10-31: as of 2026-10-31; customers 0; open items 0; DSO (days) 0.0",
    }
    # a run that is refused commits nothing: the cells still say what the last run did
    assert arbook("credit-check", workbook, "NOBODY", "100").code == 1
    assert status_cells(workbook)["message"].startswith("aging --as-of 2026-10-31: ")
