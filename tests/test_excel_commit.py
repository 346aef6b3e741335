"""A run from Excel keeps the command line's promises as far as Excel allows, through the xlwings double.

LiveBook.commit copies the workbook to backups/ (Workbook.SaveCopyAs, the command line's names
and retention), writes with calculation manual and screen updating off (both put back, also on
failure), saves, and records SHA-256 hashes in Audit; a failure injected halfway through the
writes leaves every cell, table range and sheet as it was, and the Run button shows one
message saying what failed, where, and what to do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from arbook.new import new_workbook
from common.errors import UnsafeWorkbookError
from macros.dispatch import Request, run
from macros.live import LiveBook
from tests.xlwings_double import excel as double
from tests.xlwings_double import excel_double
from tests.xlwings_double.buttons import press
from workbook.filebook import FileBook
from workbook.safety import BACKUP_DIR, keep_backup
from workbook.template import INPUT_NAMES, STATUS_NAMES

AS_OF = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("commit") / "receivables.xlsm"
    new_workbook(
        path,
        rows={
            "Customers": pd.DataFrame({"CustomerID": ["10002", "C2"], "Name": ["Acme GmbH", "Beta SA"]}),
            "Invoices": pd.DataFrame(
                {
                    "InvoiceNo": ["I-1", "I-2", "I-3"],
                    "CustomerID": ["10002", "C2", "C2"],
                    "InvoiceDate": pd.to_datetime(["2026-09-01", "2026-11-01", "2026-11-15"]),
                    "DueDate": pd.to_datetime(["2026-10-01", "2026-12-01", "2026-12-15"]),
                    "Amount": pd.array([100_000, 7_000, 2_500], dtype="Int64"),
                }
            ),
        },
    )
    return path


@pytest.fixture
def workbook(original: Path, tmp_path: Path) -> Path:
    return Path(shutil.copyfile(original, tmp_path / original.name))


@pytest.fixture
def excel() -> Iterator[Any]:
    with excel_double() as app:
        app.calculation = "automatic"
        yield app


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _backups(path: Path) -> list[Path]:
    return sorted((path.parent / BACKUP_DIR).glob(f"{path.stem}-*{path.suffix}"))


def _state(xlbook: Any) -> dict[str, object]:
    """Everything a failed run must leave as it was: each cell's content, each Excel Table's range, the sheets."""
    wb = xlbook.impl.wb
    return {
        "sheets": [ws.title for ws in wb.worksheets],
        "tables": {name: ws.tables[name].ref for ws in wb.worksheets for name in ws.tables},
        "cells": {
            (ws.title, c.coordinate): (c.value, c.data_type)
            for ws in wb.worksheets
            for row in ws.iter_rows()
            for c in row
            if c.value is not None
        },
    }


def _put_formula(path: Path, sheet: str, heading: str, row: int, formula: str) -> None:
    """A user's formula in the file (saved without a result, as the double shows it: an empty cell)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, keep_vba=True)
    column = next(c.column for c in wb[sheet][1] if c.value == heading)
    wb[sheet].cell(row, column, formula)
    wb.save(path)


def _address(xlbook: Any, sheet: str, heading: str, row: int) -> str:
    ws = xlbook.impl.wb[sheet]
    return next(c.column_letter for c in ws[1] if c.value == heading) + str(row)


def _writes_seen(monkeypatch: pytest.MonkeyPatch, fail_at: int | None = None) -> list[tuple[object, object]]:
    """(calculation, screen updating) at each write of cell values into the double; raise at write `fail_at`."""
    seen: list[tuple[object, object]] = []
    setter = double.Range.raw_value.fset

    def write(self: Any, data: Any) -> None:
        app = self.sheet.book.app
        seen.append((app.calculation, app.screen_updating))
        if fail_at is not None and len(seen) == fail_at:
            raise RuntimeError("Excel: the cell or chart you're trying to change is protected")
        setter(self, data)

    monkeypatch.setattr(double.Range, "raw_value", double.Range.raw_value.setter(write))
    return seen


def _saves(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The SHA-256 of what each Workbook.Save and Workbook.SaveCopyAs wrote, as it was written."""
    hashes: dict[str, list[str]] = {"save": [], "copy": []}
    save, copy = double.Book.save, double.Book.SaveCopyAs

    def saved(self: Any, path: str | None = None, password: str | None = None) -> None:
        save(self, path, password)
        hashes["save"].append(_sha(Path(self.fullname)))

    def copied(self: Any, Filename: str) -> None:
        copy(self, Filename)
        hashes["copy"].append(_sha(Path(Filename)))

    monkeypatch.setattr(double.Book, "save", saved)
    monkeypatch.setattr(double.Book, "SaveCopyAs", copied)
    return hashes


def test_a_run_backs_up_writes_with_calculation_paused_saves_and_records_the_hashes(
    workbook: Path, excel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _writes_seen(monkeypatch)
    saves = _saves(monkeypatch)
    xlbook = excel.books.open(str(workbook))
    summary = run(LiveBook(xlbook), Request("aging", workbook, AS_OF))
    assert summary.ok
    assert seen and set(seen) == {("manual", False)}
    assert (excel.calculation, excel.screen_updating) == ("automatic", True)
    (backup,) = _backups(workbook)
    with FileBook(backup, lock=False) as before_run, FileBook(workbook, lock=False) as after_run:
        assert before_run.read("Aging").empty and before_run.read("Audit")["Command"].tolist() == []
        audit = after_run.read("Audit")
        assert after_run.read("Aging").set_index("CustomerID")["Total"].to_dict() == {
            "10002": 100_000,
            "C2": 9_500,
        }
    assert audit["Command"].tolist() == ["aging --as-of 2026-11-30"]
    # before: the copy in backups/ (the workbook as arbook found it); after: a copy saved with the
    # changes before the Audit row was written (then removed); the file itself is saved once, with it
    backup_copy, after_copy = xlbook.impl.saved_copies
    assert backup_copy == backup and not after_copy.exists()
    assert audit["SHA256Before"].tolist() == [_sha(backup)] == saves["copy"][:1]
    assert audit["SHA256After"].tolist() == saves["copy"][1:]
    assert saves["save"] == [_sha(workbook)]


def test_backups_from_excel_follow_the_command_lines_names_and_retention(
    workbook: Path, excel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    keep_backup(workbook, keep=2, now=dt.datetime(2020, 1, 1))  # one the command line made earlier
    xlbook = excel.books.open(str(workbook))
    for _ in range(3):
        book = LiveBook(xlbook, keep_backups=2)
        book.write_columns("Invoices", "InvoiceNo", pd.DataFrame({"InvoiceNo": ["I-1"], "Status": ["Open"]}))
        book.commit("aging", "a run")
    backups = _backups(workbook)
    assert len(backups) == 2 and all(b.name > f"{workbook.stem}-20200101" for b in backups)
    assert backups == sorted(c for c in xlbook.impl.saved_copies if c.parent.name == BACKUP_DIR)[-2:]


def test_a_failure_halfway_through_the_writes_leaves_the_workbook_as_it_was(
    workbook: Path, excel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _put_formula(workbook, "Invoices", "OpenAmount", 3, "=1+1")  # in a cell aging writes: it must come back
    xlbook = excel.books.open(str(workbook))
    before = _state(xlbook)
    assert before["cells"][("Invoices", _address(xlbook, "Invoices", "OpenAmount", 3))] == ("=1+1", "f")
    on_disk = _sha(workbook)
    seen = _writes_seen(monkeypatch, fail_at=3)
    with pytest.raises(UnsafeWorkbookError) as refused:
        run(LiveBook(xlbook), Request("aging", workbook, AS_OF))
    assert len(seen) > 3  # Invoices and Aging written, KPIs failing, then the blocks put back
    assert _state(xlbook) == before
    assert (excel.calculation, excel.screen_updating) == ("automatic", True)
    assert _sha(workbook) == on_disk  # nothing was saved
    (backup,) = _backups(workbook)
    message = str(refused.value)
    assert message.startswith(f"{workbook.name}: writing the ")
    assert "table on the sheet " in message
    assert "protected" in message
    assert "every cell arbook had changed in this run is back as it was, and nothing was saved" in message
    assert f"backups/{backup.name}" in message and "Run the operation again" in message


def test_the_run_button_shows_one_message_when_writing_fails(
    workbook: Path, excel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    xlbook = excel.books.open(str(workbook))
    xlbook.names[INPUT_NAMES["operation"]].refers_to_range.value = "Recompute aging"
    xlbook.names[INPUT_NAMES["as_of"]].refers_to_range.value = "2026-11-30"
    before = _state(xlbook)
    _writes_seen(monkeypatch, fail_at=2)
    press(xlbook, "Run")
    status = {k: xlbook.names[n].refers_to_range.value for k, n in STATUS_NAMES.items()}
    (alert,) = excel.impl.alerts
    assert alert["title"] == "arbook" and "back as it was" in alert["prompt"]
    assert status["result"] == "Refused" and status["message"].startswith(f"{workbook.name}: writing the ")
    after = _state(xlbook)
    status_cells = {c for c in after["cells"] if c[0] == "Dashboard"}
    assert {k: v for k, v in after["cells"].items() if k not in status_cells} == {
        k: v for k, v in before["cells"].items() if k not in status_cells
    }
    assert (excel.calculation, excel.screen_updating) == ("automatic", True)


def test_a_save_excel_refuses_is_named_with_what_to_do(
    workbook: Path, excel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Any, path: str | None = None, password: str | None = None) -> None:
        raise PermissionError("the file is read-only")

    monkeypatch.setattr(double.Book, "save", refuse)
    xlbook = excel.books.open(str(workbook))
    on_disk = _sha(workbook)
    with pytest.raises(
        UnsafeWorkbookError,
        match=r"could not save it \(PermissionError: the file is read-only\); save it yourself",
    ):
        run(LiveBook(xlbook), Request("aging", workbook, AS_OF))
    assert _sha(workbook) == on_disk and (excel.calculation, excel.screen_updating) == ("automatic", True)
