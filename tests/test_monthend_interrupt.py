"""The month-end as a clerk watches it: each step's line as soon as it finishes (also when the
output is piped), and Ctrl-C saying which steps completed and that the same command resumes."""

from __future__ import annotations

import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from arbook.monthend import STEPS, step_command
from arbook.new import new_workbook
from tests.conftest import REPO, arbook, copy_demo
from workbook.filebook import FileBook


@pytest.mark.slow
def test_ctrl_c_says_which_steps_completed_and_that_the_same_command_resumes(
    demo_template, tmp_path: Path
) -> None:
    workbook, files, as_of = copy_demo(demo_template, tmp_path / "demo")
    command = [
        "month-end",
        str(workbook),
        "--as-of",
        as_of.isoformat(),
        *[a for f in files for a in ("--bank", str(f))],
    ]
    process = subprocess.Popen(
        [sys.executable, "-c", "from arbook.cli import main; main()", *command],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    # the first step's line arrives through the pipe while the run goes on
    first = process.stderr.readline()
    assert first.startswith(f"month-end step 1 of {len(STEPS)}, import-bank: files "), first
    assert process.poll() is None, "the run ended before its first step line was read"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 1, (out, err)
    assert "Traceback" not in err
    lines = err.splitlines()
    stopped = next((line for line in lines if line.startswith("month-end interrupted")), err)
    completed = (
        stopped.split("; completed: ")[1].split(";")[0].split(", ") if "; completed: " in stopped else []
    )
    printed = [
        line.split(",")[1].split(":")[0].strip()
        for line in [first, *lines]
        if line.startswith("month-end step")
    ]
    assert printed == completed[: len(printed)] and "import-bank" in printed
    with FileBook(workbook, lock=False) as book:
        recorded = [c for c in book.read("Audit")["Command"] if c.startswith("month-end")]
    assert recorded == [step_command(as_of, step) for step in completed]
    at = STEPS[len(completed)]
    assert stopped == (
        f"month-end interrupted during step {len(completed) + 1} of {len(STEPS)} ({at}); completed: "
        f"{', '.join(completed)}; the workbook is as after {completed[-1]}. Run the same command again to "
        "resume (completed steps are skipped): "
        + shlex.join(
            [
                "arbook",
                "month-end",
                str(workbook),
                *[a for f in files for a in ("--bank", str(f))],
                "--as-of",
                as_of.isoformat(),
            ]
        )
    )
    # the same command resumes where it stopped
    resumed = arbook(*command, "--json")
    assert resumed.code == 0, resumed.err
    figures = resumed.json()["figures"]
    assert [step for step in STEPS if figures[step] == "already done"] == completed


def test_a_dry_run_that_stops_says_nothing_changed_and_gives_the_dry_run_command(tmp_path: Path) -> None:
    """A preview that stops (a USD invoice without a rate) changed nothing; the command it offers
    is the same preview, never a real run."""
    workbook = tmp_path / "Book.xlsx"
    new_workbook(
        workbook,
        rows={
            "Customers": pd.DataFrame({"CustomerID": ["U"], "Name": ["Dollar Inc"], "Currency": ["USD"]}),
            "Invoices": pd.DataFrame(
                {
                    "InvoiceNo": ["U1"],
                    "CustomerID": ["U"],
                    "InvoiceDate": pd.to_datetime(["2026-10-01"]),
                    "Amount": pd.array([1_000_00], dtype="Int64"),
                }
            ),
        },
    )
    before = workbook.read_bytes()
    done = arbook("month-end", workbook, "--as-of", "2026-10-31", "--dry-run")
    assert done.code == 1 and "Traceback" not in done.err
    assert done.err.splitlines()[-1] == (
        "month-end stopped at step 3 (aging); nothing was changed (dry run). Fix the cause and run the "
        f"same command again: arbook month-end {workbook} --as-of 2026-10-31 --dry-run"
    )
    assert workbook.read_bytes() == before
