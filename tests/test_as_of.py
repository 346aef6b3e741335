"""--as-of on the command line: left out, the run says what it assumed (the month-end closes the
last completed month); typed so that day and month could be swapped, it is read by the
Settings date_order and echoed back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from arbook.monthend import STEPS, step_command
from tests.conftest import arbook
from workbook.filebook import FileBook
from workbook.template import build_workbook


def new_book(path: Path, date_order: str = "dmy") -> Path:
    settings = pd.DataFrame({"Key": ["date_order"], "Value": [date_order], "Description": [""]})
    build_workbook(path, rows={"Settings": settings})
    return path


def test_month_end_without_as_of_closes_the_last_completed_month_and_says_so(tmp_path: Path) -> None:
    book = new_book(tmp_path / "Book.xlsx")
    today = dt.date.today()
    last = today.replace(day=1) - dt.timedelta(days=1)
    result = arbook("month-end", book, "--json")
    assert result.code == 0, result.err
    assert result.err.splitlines()[0] == (
        f"--as-of not given: month-end runs for {last.isoformat()}, the last completed month end "
        "(give --as-of to close another month)"
    )
    with FileBook(book, lock=False) as fb:
        done = [c for c in fb.read("Audit")["Command"] if c.startswith("month-end")]
    assert done == [
        step_command(last, step, outbox=True) for step in STEPS
    ]  # no --send: mail went to the outbox


def test_an_operation_without_as_of_says_it_runs_as_of_today(tmp_path: Path) -> None:
    book = new_book(tmp_path / "Book.xlsx")
    today = dt.date.today().isoformat()
    result = arbook("aging", book, "--json")
    assert result.code == 0, result.err
    assert result.err == f"--as-of not given: as of today, {today}\n"
    assert result.json()["figures"]["as of"] == today


@pytest.mark.parametrize(
    ("order", "read", "first"), [("dmy", "2026-02-01", "day"), ("mdy", "2026-01-02", "month")]
)
def test_an_ambiguous_as_of_is_read_by_the_date_order_and_echoed(
    tmp_path: Path, order: str, read: str, first: str
) -> None:
    book = new_book(tmp_path / "Book.xlsx", order)
    result = arbook("aging", book, "--as-of", "01/02/2026", "--json")
    assert result.code == 0, result.err
    assert result.json()["figures"]["as of"] == read
    assert result.err == (
        f"--as-of 01/02/2026 read as {read} ({first} first, as the Settings date_order {order} says; "
        f"type {read} to leave no doubt)\n"
    )


def test_an_as_of_with_one_reading_is_taken_silently_and_nonsense_is_a_usage_error(tmp_path: Path) -> None:
    book = new_book(tmp_path / "Book.xlsx", "mdy")
    result = arbook("aging", book, "--as-of", "13/02/2026", "--json")
    assert (result.code, result.err) == (0, "")
    assert result.json()["figures"]["as of"] == "2026-02-13"
    wrong = arbook("aging", book, "--as-of", "31/02/2026")
    assert wrong.code == 2 and "Invalid value for '--as-of'" in wrong.err
