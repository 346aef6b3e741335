"""A commit killed at any moment leaves the old workbook or the whole new one, never a broken file.

A forked child runs a real FileBook commit and is SIGKILLed after a random delay, again and
again. The Audit row's clock is fixed in the child, so the new version has one known sha256:
after every kill the file must hash to the old or the new one, and the next run must succeed
despite the dead run's lock and temporary files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import random
import shutil
import signal
import time
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

KILLS = 40
MIN_KILLS = 20
ROWS = 2500
CUSTOMERS = 300


class _FixedClock(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls(2026, 11, 22, 12, 0, 0)


def _run_commit(path: str, committing) -> None:
    """The child: a month-end-like step (computed columns, an arbook table, a log), then commit."""
    book_module.dt = types.SimpleNamespace(
        datetime=_FixedClock
    )  # the Audit row's clock (workbook.book.audit_row)
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
        committing.set()
        book.commit("crash-test", "one step")
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


def _child(path: Path) -> tuple[multiprocessing.Process, object]:
    """A forked child running one commit, and the event it sets when the commit starts."""
    context = multiprocessing.get_context("fork")
    committing = context.Event()
    process = context.Process(target=_run_commit, args=(str(path), committing))
    process.start()
    return process, committing


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

    child, committing = _child(book)
    assert committing.wait(60)
    started = time.perf_counter()
    child.join(60)
    duration = time.perf_counter() - started  # of the commit alone: where a kill can do harm
    assert child.exitcode == 0
    new = _sha(book)
    assert new != old
    _opens(book)

    rng = random.Random(20261122)
    outcomes = {"old": 0, "new": 0}
    stale_locks = leftover_temps = 0
    lock = book.with_name(f".{book.name}.arbook-lock")
    deadline = time.perf_counter() + 40  # on a loaded machine, fewer kills rather than a slow suite
    kills = 0
    while kills < KILLS and (kills < MIN_KILLS or time.perf_counter() < deadline):
        kills += 1
        if _sha(book) != old:
            shutil.copy(pristine, book)
        child, committing = _child(book)
        assert committing.wait(60)
        time.sleep(rng.uniform(0, duration * 1.2))
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        digest = _sha(book)
        assert digest in (old, new), "a killed commit left a workbook that is neither the old nor the new one"
        outcomes["old" if digest == old else "new"] += 1
        _opens(book)
        stale_locks += lock.exists()
        leftover_temps += any(tmp_path.glob(f".~arbook-*-{book.name}"))

    shutil.copy(pristine, book)
    finisher, _ = _child(book)  # the dead runs' lock and temporary files must not stop this one
    finisher.join(60)
    assert finisher.exitcode == 0
    assert _sha(book) == new
    assert not lock.exists() and not list(tmp_path.glob(f".~arbook-*-{book.name}"))
    print(f"{kills} kills: {outcomes}; a dead run's lock {stale_locks}x, its temp files {leftover_temps}x")
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes
    assert stale_locks > 0 and leftover_temps > 0, (stale_locks, leftover_temps)
    assert len(list((tmp_path / "backups").iterdir())) <= 10
    with FileBook(book) as fb:
        audit = fb.read("Audit")
        assert audit["SHA256Before"].tolist() == [old]
        assert fb.read("Aging")["Current"].sum() == sum(range(CUSTOMERS)) * 100
