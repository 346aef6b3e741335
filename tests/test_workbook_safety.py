"""The guards around a write: Excel's lock file, one run at a time, backups, and refusing to
damage what the user has around a table (their cells, merged cells, shared formulas).
Every refusal must leave the file exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import socket
from pathlib import Path

import pandas as pd
import pytest

from common.errors import UnsafeWorkbookError, WorkbookBusyError
from tests.xlsx_factory import TableSpec, build_book, patch_part
from workbook.filebook import FileBook

INVOICE_HEADER = ["InvoiceNo", "CustomerID", "InvoiceDate", "Amount", "OpenAmount", "Status"]


def _book(path: Path, *, below: str | None = None, beside: str | None = None) -> Path:
    """Customers, Invoices (rows 2-4, OpenAmount in E) and BankLines (rows 2-3), as Excel Tables."""
    invoices = [[f"INV-{i}", "C1", dt.date(2026, 10, i), 100.0 * i, None, None] for i in (1, 2, 3)]
    bank = [["L-1", dt.date(2026, 10, 5), 100.0, "Acme"], ["L-2", dt.date(2026, 10, 6), 200.0, "Acme"]]
    tables = [
        TableSpec("Customers", ["CustomerID", "Name"], [["C1", "Acme"]]),
        TableSpec("Invoices", INVOICE_HEADER, invoices),
        TableSpec("BankLines", ["LineID", "Date", "Amount", "Payer"], bank),
    ]
    if below:
        tables.append(
            TableSpec(
                "note",
                ["user note"],
                [],
                sheet="BankLines",
                first_row=int(below[1:]) - 1,
                first_col=ord(below[0]) - 65,
                as_excel_table=False,
            )
        )
    if beside:
        tables.append(
            TableSpec(
                "note2",
                ["user note"],
                [],
                sheet="BankLines",
                first_row=int(beside[1:]) - 1,
                first_col=ord(beside[0]) - 65,
                as_excel_table=False,
            )
        )
    return build_book(path, tables)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _nothing_written(path: Path, sha: str) -> None:
    assert _sha(path) == sha
    assert not list(path.parent.glob(".~arbook-*"))
    assert not (path.parent / "backups").exists()


OPEN = pd.DataFrame(
    {"InvoiceNo": ["INV-1"], "OpenAmount": pd.array([5000], dtype="Int64"), "Status": ["Partial"]}
)
NEW_LINES = pd.DataFrame(
    {
        "LineID": ["L-3", "L-4"],
        "Date": pd.to_datetime(["2026-10-07", "2026-10-08"]),
        "Amount": pd.array([30000, 40000], dtype="Int64"),
        "Payer": ["Beta", "Gamma"],
    }
)


@pytest.mark.parametrize("lock_name", ["~$Receivables.xlsx", "~$ceivables.xlsx"])
def test_a_workbook_open_in_excel_is_not_written(tmp_path, lock_name):
    book = _book(tmp_path / "Receivables.xlsx")
    sha = _sha(book)
    (tmp_path / lock_name).write_bytes(b"\x0bExcel user")
    with FileBook(book) as fb:
        fb.write_columns("Invoices", "InvoiceNo", OPEN)
        with pytest.raises(WorkbookBusyError, match=re.escape(lock_name)) as refused:
            fb.commit("aging", "refused")
    _nothing_written(book, sha)
    # what to do either way: close it in Excel, or delete the lock file Excel left behind
    assert "close it in Excel" in str(refused.value)
    assert (
        f"If Excel is not running (or has the workbook no longer open), the lock file was left behind by Excel: delete {(tmp_path / lock_name).resolve()} and run again"
        in str(refused.value)
    )


def test_a_second_run_on_the_same_workbook_is_refused_until_the_first_ends(tmp_path):
    book = _book(tmp_path / "Receivables.xlsx")
    with FileBook(book) as first:
        with pytest.raises(WorkbookBusyError, match=f"pid {os.getpid()}"):
            FileBook(book)
        first.write_columns("Invoices", "InvoiceNo", OPEN)
        first.commit("aging", "first run")
    with FileBook(book) as second:
        assert second.read("Invoices")["OpenAmount"].tolist()[0] == 5000


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path):
    book = _book(tmp_path / "Receivables.xlsx")
    lock = tmp_path / ".Receivables.xlsx.arbook-lock"
    lock.write_text(f"pid 999999999 on {socket.gethostname()}\n")
    with FileBook(book) as fb:
        assert lock.read_text().startswith(f"pid {os.getpid()} ")
        fb.read("Invoices")
    assert not lock.exists()


def test_backups_keep_the_last_ten_versions(tmp_path):
    book = _book(tmp_path / "Receivables.xlsx")
    for i in range(12):
        with FileBook(book) as fb:
            fb.write_columns("Invoices", "InvoiceNo", OPEN.assign(OpenAmount=pd.array([i], dtype="Int64")))
            fb.commit("aging", f"run {i}")
    backups = sorted((tmp_path / "backups").iterdir())
    assert len(backups) == 10
    assert all(re.fullmatch(r"Receivables-\d{8}-\d{6}-\d{6}\.xlsx", b.name) for b in backups)
    with FileBook(book) as fb:
        audit = fb.read("Audit")
    assert len(audit) == 12
    assert sorted(_sha(b) for b in backups) == sorted(audit["SHA256Before"].tolist()[2:])


@pytest.mark.parametrize(
    ("below", "beside", "cell"),
    [("A4", None, "A4"), ("D5", None, "D5"), (None, "E1", "E1"), (None, "F3", "F3")],
)
def test_a_table_that_would_grow_over_a_users_cell_is_refused(tmp_path, below, beside, cell):
    book = _book(tmp_path / "Receivables.xlsx", below=below, beside=beside)
    sha = _sha(book)
    lines = NEW_LINES if beside is None else NEW_LINES.assign(Note=["n", "m"], Status=["Unmatched"] * 2)
    with FileBook(book) as fb:
        fb.append("BankLines", lines)
        with pytest.raises(UnsafeWorkbookError, match=f"cell {cell} holds 'user note'"):
            fb.commit("import-bank", "refused")
    _nothing_written(book, sha)


def test_an_arbook_table_that_would_grow_over_a_users_cell_is_refused(tmp_path):
    book = build_book(
        tmp_path / "Receivables.xlsx",
        [
            TableSpec("Aging", ["CustomerID", "Current"], [["C1", 1.0]]),
            TableSpec("x", ["my own total"], [], sheet="Aging", first_row=4, as_excel_table=False),
        ],
    )
    sha = _sha(book)
    with FileBook(book) as fb:
        fb.replace(
            "Aging",
            pd.DataFrame(
                {"CustomerID": [f"C{i}" for i in range(6)], "Current": pd.array(range(6), dtype="Int64")}
            ),
        )
        with pytest.raises(UnsafeWorkbookError, match="cell A5 holds 'my own total'"):
            fb.commit("aging", "refused")
    _nothing_written(book, sha)


def _invoices_sheet(book: Path) -> str:
    with FileBook(book, lock=False) as fb:
        return fb.package.table("Invoices").sheet.part


def test_writing_into_merged_cells_is_refused(tmp_path):
    book = _book(tmp_path / "Receivables.xlsx")
    patch_part(
        book,
        _invoices_sheet(book),
        lambda xml: xml.replace(
            "</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="E2:F3"/></mergeCells>'
        ),
    )
    sha = _sha(book)
    with FileBook(book) as fb:
        fb.write_columns("Invoices", "InvoiceNo", OPEN.iloc[:, :2])
        with pytest.raises(UnsafeWorkbookError, match="cell E2 is inside the merged cells E2:F3"):
            fb.commit("aging", "refused")
    _nothing_written(book, sha)


def _shared_formula(xml: str) -> str:
    """OpenAmount E2:E4 as one shared formula =D2*0.5, the way Excel stores a filled-down column."""
    cells = {2: '<f t="shared" ref="E2:E4" si="0">D2*0.5</f><v>50</v>'}
    cells |= {r: f'<f t="shared" si="0"/><v>{50 * r}</v>' for r in (3, 4)}
    for r, inner in cells.items():
        xml, n = re.subn(rf'(<c r="D{r}">.*?</c>)', rf'\1<c r="E{r}">{inner}</c>', xml)
        assert n == 1
    return xml


def test_cutting_a_shared_formula_is_refused(tmp_path):
    book = _book(tmp_path / "Receivables.xlsx")
    patch_part(book, _invoices_sheet(book), _shared_formula)
    sha = _sha(book)
    with FileBook(book) as fb:
        fb.write_columns("Invoices", "InvoiceNo", OPEN.iloc[:, :2])
        with pytest.raises(UnsafeWorkbookError, match="cell E2 starts a shared formula over E2:E4"):
            fb.commit("aging", "refused")
    _nothing_written(book, sha)


def test_overwriting_a_whole_shared_formula_is_allowed(tmp_path):
    book = _book(tmp_path / "Receivables.xlsx")
    patch_part(book, _invoices_sheet(book), _shared_formula)
    with FileBook(book) as fb:
        fb.write_columns(
            "Invoices",
            "InvoiceNo",
            pd.DataFrame(
                {"InvoiceNo": ["INV-1", "INV-2", "INV-3"], "OpenAmount": pd.array([1, 2, 3], dtype="Int64")}
            ),
        )
        fb.commit("aging", "whole column")
    with FileBook(book) as fb:
        assert fb.read("Invoices")["OpenAmount"].tolist() == [1, 2, 3]


# -- races between real processes -----------------------------------------------------------------
# A holder process takes the run lock (and, for one test, writes its temporary file), says so in a
# file, and waits for the test to release it; the test runs other arbook processes meanwhile.
HOLDER = """
import sys, time
from pathlib import Path
from workbook.filebook import FileBook
from workbook.safety import temp_path
book, ready, release, mode = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
with FileBook(book) as fb:
    lock = book.with_name(f".{book.name}.arbook-lock")
    if mode == "empty-lock":  # the moment after the lock file exists and before it names its holder
        lock.write_bytes(b"")
    if mode == "writing":  # the temporary file a commit is writing
        temp_path(book, "a").write_bytes(b"half a workbook")
    ready.write_text("holding")
    while not release.exists():
        time.sleep(0.02)
"""


def _holder(tmp_path: Path, book: Path, mode: str):
    import subprocess
    import sys
    import time

    ready, release = tmp_path / "ready", tmp_path / "release"
    ready.unlink(missing_ok=True)
    release.unlink(missing_ok=True)
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(book), str(ready), str(release), mode])
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert process.poll() is None and time.monotonic() < deadline, "the holder did not take the lock"
        time.sleep(0.02)
    return process, release


def _arbook(*args: str):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-c", "from arbook.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_lock_taken_a_moment_ago_and_still_empty_is_not_taken_over(tmp_path):
    book = _book(tmp_path / "Receivables.xlsx")
    holder, release = _holder(tmp_path, book, "empty-lock")
    try:
        assert (tmp_path / ".Receivables.xlsx.arbook-lock").read_bytes() == b""
        writer = _arbook("aging", str(book), "--as-of", "2026-11-30")
        assert writer.returncode == 1 and "another arbook run is working on Receivables.xlsx" in writer.stderr
        with pytest.raises(WorkbookBusyError):
            FileBook(book)
    finally:
        release.touch()
        assert holder.wait(60) == 0
    with FileBook(book) as fb:  # free once its holder has gone
        fb.read("Invoices")


def test_check_leaves_the_temporary_file_of_a_running_writer_alone(tmp_path):
    book = _book(tmp_path / "Receivables.xlsx")
    holder, release = _holder(tmp_path, book, "writing")
    try:
        (temp,) = tmp_path.glob(".~arbook-*-Receivables.xlsx")
        checked = _arbook("check", str(book))
        assert checked.returncode == 0, checked.stderr
        assert temp.read_bytes() == b"half a workbook", "check removed a running writer's file"
        with pytest.raises(WorkbookBusyError):
            FileBook(book)
    finally:
        release.touch()
        assert holder.wait(60) == 0


def test_a_killed_holder_leaves_a_lock_the_next_run_takes(tmp_path):
    import signal

    book = _book(tmp_path / "Receivables.xlsx")
    holder, _release = _holder(tmp_path, book, "writing")
    holder.send_signal(signal.SIGKILL)
    holder.wait(60)
    assert (tmp_path / ".Receivables.xlsx.arbook-lock").exists()
    with FileBook(book) as fb:
        fb.write_columns("Invoices", "InvoiceNo", OPEN)
        fb.commit("aging", "after the killed run")
    assert not list(tmp_path.glob(".~arbook-*")), "the killed run's temporary file was left"


RACER = """
import os, sys, time
from pathlib import Path
from common.errors import WorkbookBusyError
from workbook.filebook import FileBook
book, log, rounds = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
done = 0
while done < rounds:
    try:
        with FileBook(book):
            with open(log, "a") as fh:
                fh.write(f"in {os.getpid()}\\n")
            time.sleep(0.01)
            with open(log, "a") as fh:
                fh.write(f"out {os.getpid()}\\n")
        done += 1
    except WorkbookBusyError:
        time.sleep(0.001)
"""


def test_runs_racing_for_the_lock_hold_it_one_at_a_time(tmp_path):
    import subprocess
    import sys

    book = _book(tmp_path / "Receivables.xlsx")
    log = tmp_path / "log"
    racers = [subprocess.Popen([sys.executable, "-c", RACER, str(book), str(log), "15"]) for _ in range(4)]
    assert [r.wait(240) for r in racers] == [0, 0, 0, 0]
    lines = log.read_text().split()
    events = list(zip(lines[::2], lines[1::2], strict=True))
    assert len(events) == 2 * 4 * 15
    for (kind, pid), (next_kind, next_pid) in zip(events[::2], events[1::2], strict=True):
        assert (kind, next_kind, pid) == ("in", "out", next_pid), "two runs held the lock at once"
