"""A commit killed at any moment leaves the old workbook or the whole new one, never a broken file.

A forked child runs a real FileBook commit and is SIGKILLed, again and again, at points spread
over the whole commit (writing both temporary files, checking, the backup, the rename, reopening,
releasing the lock). The Audit row's clock is fixed in the child, so the new version has one known
sha256: after every kill the file must hash to the old or the new one, and the next run must
succeed despite the dead run's lock and temporary files.

Where a kill lands is counted in the commit's own steps, not in seconds: the child counts the
function calls it makes (`sys.setprofile`) and kills itself at the chosen one. An earlier version
slept a random time scaled by one commit measured at the start; on a busy machine a commit took
several times longer or shorter from one kill to the next, and the child was often not even
scheduled before the kill, so a run could see no kill inside the temporary-file window (or none
after the rename) and fail the checks that the kills reached every stage. Counting steps, the
same kills land at the same places on a quiet machine and a loaded one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import random
import shutil
import signal
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import python_calamine

from tests.xlsx_factory import TableSpec, build_book
from workbook import book as book_module
from workbook.filebook import FileBook
from workbook.package import Package
from workbook.writer import PackageWriter

KILLS = 40
ROWS = 500  # the size makes no kill more likely to land anywhere: kills are placed by step, not time
CUSTOMERS = 60


class _FixedClock(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls(2026, 11, 22, 12, 0, 0)


def _run_commit(path: str, steps, on_disk, kill_at: int) -> None:
    """The child: a month-end-like step (computed columns, an arbook table, a log), then commit;
    counting its function calls from the commit to its end in `steps` (and in `on_disk` the call
    that starts writing the first temporary file), and killing itself at call `kill_at` (0: never)."""
    book_module.dt = types.SimpleNamespace(
        datetime=_FixedClock
    )  # the Audit row's clock (workbook.book.audit_row)
    count = 0

    def step(frame, event, arg) -> None:
        nonlocal count
        count += 1
        if count == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if event == "call" and frame.f_code is PackageWriter.save.__code__ and not on_disk.value:
            on_disk.value = count

    with FileBook(path) as book:
        invoices = book.read("Invoices")
        book.write_columns(
            "Invoices",
            "InvoiceNo",
            pd.DataFrame(
                {"InvoiceNo": invoices["InvoiceNo"], "OpenAmount": invoices["Amount"], "Status": "Open"}
            ),
        )
        book.replace(
            "Aging",
            pd.DataFrame(
                {
                    "CustomerID": [f"C{i}" for i in range(CUSTOMERS)],
                    "Current": pd.array(np.arange(CUSTOMERS) * 100, dtype="Int64"),
                }
            ),
        )
        book.append(
            "Allocations", pd.DataFrame({"AllocationID": ["A-1"], "Amount": pd.array([5], dtype="Int64")})
        )
        sys.setprofile(step)
        book.commit("crash-test", "one step")
    sys.setprofile(None)  # the run lock is released: the last step a kill can do harm in
    steps.value = count
    os._exit(0)


def _build(path: Path) -> Path:
    start = dt.date(2026, 1, 1)
    invoices = [
        [
            f"INV-{i:06d}",
            f"C{i % CUSTOMERS}",
            start + dt.timedelta(days=i % 300),
            round(10 + (i % 977) * 1.25, 2),
        ]
        for i in range(ROWS)
    ]
    return build_book(
        path,
        [
            TableSpec(
                "Customers", ["CustomerID", "Name"], [[f"C{i}", f"Customer {i}"] for i in range(CUSTOMERS)]
            ),
            TableSpec(
                "Invoices",
                ["InvoiceNo", "CustomerID", "InvoiceDate", "Amount", "OpenAmount", "Status"],
                invoices,
            ),
        ],
    )


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _child(path: Path, kill_at: int = 0) -> tuple[int | None, int, int]:
    """Run one commit in a forked child killed at step `kill_at` (0: let it finish): its exit code,
    the steps it counted when it finished, and the step that began writing a file."""
    context = multiprocessing.get_context("fork")
    steps, on_disk = context.Value("q", 0), context.Value("q", 0)
    process = context.Process(target=_run_commit, args=(str(path), steps, on_disk, kill_at))
    process.start()
    process.join(120)
    return process.exitcode, int(steps.value), int(on_disk.value)


def _opens(path: Path) -> None:
    with Package(path) as pkg:
        assert pkg.zip.testzip() is None
        names = [s.name for s in pkg.sheets]
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        assert len(book.get_sheet_by_name("Invoices").to_python()) == ROWS + 1
    finally:
        book.close()
    assert names[:2] == ["Customers", "Invoices"]


@pytest.mark.slow
def test_killed_commits_leave_old_or_new_workbook_and_never_block_the_next_run(tmp_path):
    book = _build(tmp_path / "Receivables.xlsx")
    pristine = tmp_path / "pristine.xlsx"
    shutil.copy(book, pristine)
    old = _sha(book)

    exitcode, total, on_disk = _child(book)
    assert exitcode == 0 and KILLS < on_disk < total - 10 * KILLS
    new = _sha(book)
    assert new != old
    _opens(book)

    # a kill at a random place in each of equal stretches of the commit's steps: a fifth of them
    # before it writes a file (building the new sheets), the rest from there to the lock's release
    rng = random.Random(20261122)
    before = KILLS // 5

    def spread(start: int, end: int, kills: int) -> list[int]:
        return [start + int((end - start) * (i + rng.random()) / kills) for i in range(kills)]

    kill_points = spread(1, on_disk, before) + spread(on_disk, total, KILLS - before)
    outcomes = {"old": 0, "new": 0}
    stale_locks = leftover_temps = 0
    lock = book.with_name(f".{book.name}.arbook-lock")
    for kill_at in kill_points:
        if _sha(book) != old:
            shutil.copy(pristine, book)
        exitcode, _, _ = _child(book, kill_at)
        assert exitcode == -signal.SIGKILL, (kill_at, exitcode)
        digest = _sha(book)
        assert digest in (old, new), "a killed commit left a workbook that is neither the old nor the new one"
        outcomes["old" if digest == old else "new"] += 1
        _opens(book)
        stale_locks += lock.exists()
        leftover_temps += any(tmp_path.glob(f".~arbook-*-{book.name}"))

    shutil.copy(pristine, book)
    exitcode, _, _ = _child(book)  # the dead runs' lock and temporary files must not stop this one
    assert exitcode == 0
    assert _sha(book) == new
    assert not lock.exists() and not list(tmp_path.glob(f".~arbook-*-{book.name}"))
    print(f"{KILLS} kills: {outcomes}; a dead run's lock {stale_locks}x, its temp files {leftover_temps}x")
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes
    assert stale_locks > 0 and leftover_temps > 0, (stale_locks, leftover_temps)
    assert len(list((tmp_path / "backups").iterdir())) <= 10
    with FileBook(book) as fb:
        audit = fb.read("Audit")
        assert audit["SHA256Before"].tolist() == [old]
        assert fb.read("Aging")["Current"].sum() == sum(range(CUSTOMERS)) * 100
