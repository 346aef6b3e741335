"""The Run button, pressed in a renamed copy of the workbook, through the xlwings test double.

The macro is the one the file binds the button to, its Python command the one the file's VBA
module holds (tests/xlwings_double/buttons.py), and the operation runs through LiveBook on
xlwings' own classes; the copy's name ("receivables_2026_11.xlsm", "Forderungen Nov.xlsm") is
no Python module, which is what broke the button before.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from arbook.new import new_workbook
from macros.dispatch import ENTRIES
from tests.xlwings_double import excel_double
from tests.xlwings_double.buttons import button_macros, press
from workbook.filebook import FileBook
from workbook.template import INPUT_NAMES, STATUS_NAMES


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("buttons") / "receivables.xlsm"
    new_workbook(
        path,
        rows={
            "Customers": pd.DataFrame({"CustomerID": ["10002", "C2"], "Name": ["Acme GmbH", "Beta SA"]}),
            "Invoices": pd.DataFrame(
                {
                    "InvoiceNo": ["I-1", "I-2"],
                    "CustomerID": ["10002", "C2"],
                    "InvoiceDate": pd.to_datetime(["2026-09-01", "2026-11-01"]),
                    "DueDate": pd.to_datetime(["2026-10-01", "2026-12-01"]),
                    "Amount": pd.array([100_000, 7_000], dtype="Int64"),
                }
            ),
        },
    )
    return path


@pytest.mark.parametrize("name", ["receivables_2026_11.xlsm", "Forderungen Nov.xlsm"])
def test_run_in_a_renamed_copy_runs_the_chosen_operation(original: Path, tmp_path: Path, name: str) -> None:
    copy = tmp_path / name
    shutil.copy(original, copy)
    assert button_macros(copy) == [("Run", "ArbookRun")]
    with excel_double() as app:
        book = app.books.open(str(copy))
        book.names[INPUT_NAMES["operation"]].refers_to_range.value = "Recompute aging"
        book.names[INPUT_NAMES["as_of"]].refers_to_range.value = "2026-11-30"
        press(book, "Run")
        status = {k: book.names[n].refers_to_range.value for k, n in STATUS_NAMES.items()}
        assert status["result"] == "OK", status["message"]
        assert app.screen_updating is True and app.status_bar is False
        assert any(str(s).startswith("arbook aging:") for s in app.impl.status_history)
        book.save()
    with FileBook(copy, lock=False) as saved, FileBook(original, lock=False) as untouched:
        aging = saved.read("Aging").set_index("CustomerID")
        assert untouched.read("Aging").empty
        audit = saved.read("Audit")
    assert aging.loc["10002", "Total"] == 100_000 and aging.loc["C2", "Total"] == 7_000
    assert audit["Command"].tolist() == ["aging --as-of 2026-11-30"]


@pytest.mark.slow
def test_month_end_with_as_of_left_blank_closes_the_last_completed_month_and_says_so(
    original: Path, tmp_path: Path
) -> None:
    """As on the command line: pressed on any day, it closes the month before, and the message says so."""
    copy = tmp_path / "receivables.xlsm"
    shutil.copy(original, copy)
    today = dt.date.today()
    closed = (today.replace(day=1) - dt.timedelta(days=1)).isoformat()  # the last day of last month
    with excel_double() as app:
        book = app.books.open(str(copy))
        book.names[INPUT_NAMES["operation"]].refers_to_range.value = ENTRIES["month_end"][0].label
        book.names[INPUT_NAMES["as_of"]].refers_to_range.value = None
        press(book, "Run")
        status = {k: book.names[n].refers_to_range.value for k, n in STATUS_NAMES.items()}
        book.save()
    assert status["result"] == "OK", status["message"]
    assert status["message"].startswith(
        f"As of not given: month-end runs for {closed}, the last completed month end "
        "(give As of to close another month) | "
    )
    with FileBook(copy, lock=False) as saved:
        commands = saved.read("Audit")["Command"].tolist()
    assert commands and all(c.startswith(f"month-end {closed} ") for c in commands)
