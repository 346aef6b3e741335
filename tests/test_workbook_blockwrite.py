"""The fast path (rows built as XML text) writes exactly what the cell-by-cell path writes.

A row that holds anything else (here: a user's note far to the right) sends the writer down the
element path; the same frame written both ways must read back identically, value, type and
number format, in openpyxl and through FileBook.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.xlsx_factory import TableSpec, build_book
from workbook.filebook import FileBook

AGING = pd.DataFrame(
    {
        "CustomerID": ["C1", "100999", "=cmd|' /C calc'!A0", "  padded  ", "tab\there", "bell\x07gone", "C7"],
        "Name": ["Acme & Sons <GmbH>", None, "+1", "-", "@x", "multi\nline", "cr\r\nlf"],
        "Current": pd.array([0, 1, -1, 123456789012, None, 10, 99], dtype="Int64"),
        "AvgDaysLate": [0.1, 1e-9, float("nan"), -3.5, 1 / 3, 12.0, 1e20],
        "OldestDueDate": pd.to_datetime(
            ["1900-03-01", "2026-02-28", None, "2099-12-31", "1970-01-01", "2026-11-22", "2000-02-29"]
        ).astype("datetime64[ns]"),
    }
)
MAIL = pd.DataFrame(
    {
        "MessageID": ["<a@x>", "<b@x>"],
        "At": pd.to_datetime(["2026-11-22 14:30:15", "2026-11-23 00:00:01"]).astype("datetime64[ns]"),
        "Level": pd.array([1, None], dtype="Int64"),
        "Amount": pd.array([12345, -1], dtype="Int64"),
        "Subject": ["=SUM(1)", "Reminder"],
    }
)


def _book(path: Path, *, busy_rows: bool) -> Path:
    """Aging and MailLog with one row each; with busy_rows, a note sits in rows the writes will fill."""
    tables = [
        TableSpec("Aging", ["CustomerID", "Name", "Current"], [["X", "old", 5.0]]),
        TableSpec(
            "MailLog",
            ["MessageID", "At", "Level", "Amount", "Subject"],
            [["<0@x>", dt.datetime(2026, 1, 1), 1, 1.0, "s"]],
        ),
    ]
    if busy_rows:
        tables += [
            TableSpec(
                "n1", ["note"], [[None], ["user note"]], sheet="Aging", first_col=25, as_excel_table=False
            ),
            TableSpec(
                "n2", ["note"], [[None], ["user note"]], sheet="MailLog", first_col=25, as_excel_table=False
            ),
        ]
    return build_book(path, tables)


def _cells(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    out = {}
    for sheet in ("Aging", "MailLog"):
        ws = wb[sheet]
        for row in ws.iter_rows(max_col=20):
            for c in row:
                out[(sheet, c.coordinate)] = (c.value, c.data_type, c.number_format, c.quotePrefix)
    return out


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("blockwrite")
    books = {}
    for busy in (False, True):
        book = _book(folder / f"{'element' if busy else 'block'}.xlsx", busy_rows=busy)
        with FileBook(book) as fb:
            fb.replace("Aging", AGING)
            fb.append("MailLog", MAIL)
            fb.commit("test", "both paths")
        books["element" if busy else "block"] = book
    return books


def test_both_paths_write_the_same_cells(both):
    block, element = _cells(both["block"]), _cells(both["element"])
    assert block == element
    assert block[("Aging", "A4")] == ("=cmd|' /C calc'!A0", "s", "General", True)
    assert block[("Aging", "B2")][0] == "Acme & Sons <GmbH>"
    assert block[("MailLog", "B3")][0] == dt.datetime(2026, 11, 22, 14, 30, 15)


def test_both_paths_read_back_as_written(both):
    for book in both.values():
        with FileBook(book) as fb:
            aging = fb.read("Aging")
            mail = fb.read("MailLog")
        assert aging["CustomerID"].tolist() == [
            "C1",
            "100999",
            "=cmd|' /C calc'!A0",
            "padded",
            "tab\there",
            "bellgone",
            "C7",
        ]
        assert aging["Name"].tolist() == [
            "Acme & Sons <GmbH>",
            "",
            "+1",
            "-",
            "@x",
            "multi\nline",
            "cr\r\nlf",
        ]
        assert aging["Current"].tolist() == [0, 1, -1, 123456789012, pd.NA, 10, 99]
        assert aging["OldestDueDate"].tolist()[:2] == [pd.Timestamp("1900-03-01"), pd.Timestamp("2026-02-28")]
        assert mail["At"].tolist()[1:] == MAIL["At"].tolist()
        assert mail["Level"].tolist()[1:] == [1, pd.NA] and mail["Subject"].tolist()[1:] == [
            "=SUM(1)",
            "Reminder",
        ]
