"""`arbook` command lines run as real processes, without paying Python's start and arbook's imports
(about 3 s of processor time) each time.

Tests that kill a run (SIGKILL at a chosen step) need a process of its own per run. A fresh
interpreter per run spends most of its time importing pandas, matplotlib, fpdf and the rest
again. Here one server process (multiprocessing's forkserver, started once per test session)
imports the command line and every operation module once, and each run is a fork of it: a new
process with its own memory, files and exit status, running the same entry point
(`arbook.cli.main`) with the same arguments. The server is single-threaded, so the fork is safe
(a fork of the test process itself could copy a lock held by one of its SMTP server threads).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from arbook.operations import OPERATIONS

__all__ = ["CliRun", "run_cli"]

_PRELOAD = ["arbook.cli", "arbook.report.render", *sorted({op.target.partition(":")[0] for op in OPERATIONS})]


@dataclass
class CliRun:
    """What one run did: its exit status (-9 when killed) and what it printed."""

    returncode: int | None
    stdout: str
    stderr: str


def run_cli(
    args: list[str],
    *,
    folder: Path,
    env: dict[str, str] | None = None,
    kill_at_commit_of: str | None = None,
    timeout: float = 600,
) -> CliRun:
    """`arbook ARGS` in a forked child, its output kept in `folder`; with `kill_at_commit_of` a
    month-end step, the child kills itself (SIGKILL) when that step's work is done, just before
    its commit."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    folder.mkdir(parents=True, exist_ok=True)
    number = len(list(folder.glob("run-*.out")))
    out, err = folder / f"run-{number}.out", folder / f"run-{number}.err"
    child = context.Process(
        target=_child, args=(args, dict(env or {}), os.getcwd(), str(out), str(err), kill_at_commit_of)
    )
    child.start()
    child.join(timeout)
    if child.exitcode is None:
        child.kill()
        child.join()
        raise TimeoutError(f"arbook {' '.join(args)} ran longer than {timeout} s")
    return CliRun(child.exitcode, out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8"))


def _child(args: list[str], env: dict[str, str], cwd: str, out: str, err: str, kill_step: str | None) -> None:
    os.chdir(cwd)
    os.environ.update(env)
    for fd, path in ((1, out), (2, err)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    if kill_step is not None:
        from arbook.runner import Runner

        commit = Runner.commit

        def killing_commit(self, op, summary, command=None):  # type: ignore[no-untyped-def]
            if command is not None and command.split()[2] == kill_step:
                sys.stdout.flush()
                sys.stderr.flush()
                os.kill(os.getpid(), signal.SIGKILL)  # the step's work is done (its mail sent), not committed
            return commit(self, op, summary, command)

        Runner.commit = killing_commit  # type: ignore[method-assign]
    from arbook.cli import main

    sys.argv = ["arbook", *args]
    main()
