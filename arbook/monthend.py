"""`arbook month-end`: the clerk's monthly batch, one step after another, resumable.

Each step is an ordinary operation run on one FileBook (which holds the run lock for the
whole batch) and commits on its own, so a crash leaves the workbook as after the last
completed step. A step's commit is recorded in Audit as "month-end <as-of> <step>"; a later
run of the same month skips the steps already recorded, so running twice, or again after a
crash, adds nothing twice. Mail steps are idempotent on their own too (MailLog and the
journal beside the workbook).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import mailer
from common.errors import ArbookError
from workbook.book import Book
from workbook.filebook import FileBook

from .operation import NO_PROGRESS, Progress, Summary

__all__ = ["STEPS", "month_end", "run_month_end", "step_command"]

STEPS = ("import-bank", "match", "aging", "credit", "forecast", "statements", "notices", "report")


def step_command(as_of: dt.date, step: str) -> str:
    """The Audit Command that marks a month-end step as done."""
    return f"month-end {as_of.isoformat()} {step}"


class _StepBook:
    """The batch's book as one step sees it: its commit is recorded under the step's name."""

    def __init__(self, book: Book, command: str) -> None:
        self._book = book
        self._command = command
        self.committed = False

    def __getattr__(self, name: str):
        return getattr(self._book, name)

    def commit(self, command: str, summary: str) -> None:
        self._book.commit(self._command, f"{command}: {summary}")
        self.committed = True


@dataclass
class _Context:
    bank_files: list[Path]
    as_of: dt.date
    send: bool
    outbox: Path
    progress: Progress
    results: dict[str, Summary]
    transport: mailer.Transport | None = None


def _run_step(step: str, book: Book, ctx: _Context) -> Summary:
    if step == "import-bank":
        if not ctx.bank_files:
            return Summary("import-bank", notes=["no bank file given (--bank): nothing imported"])
        from .bank_import import import_bank

        return import_bank(book, ctx.bank_files, progress=ctx.progress)
    if step == "match":
        from .match import match

        return match(book, as_of=ctx.as_of, post=True, progress=ctx.progress)
    if step in ("aging", "credit", "forecast"):
        import importlib

        run: Callable[..., Summary] = getattr(importlib.import_module(f"arbook.{step}"), step)
        return run(book, as_of=ctx.as_of, progress=ctx.progress)
    from .mail import transport_for

    transport = ctx.transport or transport_for(book, send=ctx.send, outbox=ctx.outbox)
    if step == "statements":
        from .statements import statements

        return statements(book, as_of=ctx.as_of, transport=transport, progress=ctx.progress)
    if step == "notices":
        from .notices import notices

        return notices(book, as_of=ctx.as_of, transport=transport, progress=ctx.progress)
    from .report import send_report

    return send_report(book, as_of=ctx.as_of, results=ctx.results, transport=transport)


def month_end(
    workbook: Path,
    *,
    bank_files: list[Path],
    as_of: dt.date,
    send: bool = False,
    outbox: Path | None = None,
    dry_run: bool = False,
    progress: Progress = NO_PROGRESS,
    stop_after: str | None = None,
    transport: mailer.Transport | None = None,
) -> Summary:
    """The batch on a workbook file: one FileBook holds the run lock for every step."""
    with FileBook(workbook, dry_run=dry_run) as book:
        summary = run_month_end(
            book,
            bank_files=bank_files,
            as_of=as_of,
            send=send and not dry_run,
            outbox=outbox,
            progress=progress,
            stop_after=stop_after,
            transport=None if dry_run else transport,
        )
    if dry_run:
        summary.notes.append("dry run: the workbook was not changed; mail went to the outbox only")
    return summary


def run_month_end(
    book: Book,
    *,
    bank_files: list[Path],
    as_of: dt.date,
    send: bool = False,
    outbox: Path | None = None,
    progress: Progress = NO_PROGRESS,
    stop_after: str | None = None,
    transport: mailer.Transport | None = None,
) -> Summary:
    """Run every step of the month in order on `book`; skip those this month already completed.

    `transport` replaces the one --send/--outbox would choose (tests pass a real SMTP server's);
    `stop_after` ends the run after that step (tests use it to reproduce an interrupted run).
    """
    outbox = outbox or book.path.parent / "outbox"
    ctx = _Context(list(bank_files), as_of, send, outbox, progress, {}, transport)
    summary = Summary("month-end")
    done = _completed_steps(book, as_of)
    for number, step in enumerate(STEPS, start=1):
        progress("month-end", number - 1, len(STEPS))
        if step in done:
            summary.figures[step] = "already done"
            continue
        step_book = _StepBook(book, step_command(as_of, step))
        try:
            result = _run_step(step, step_book, ctx)
            if not step_book.committed:
                step_book.commit(step, _one_line(result))
        except ArbookError as exc:
            last = STEPS[number - 2] if number > 1 else None
            exc.add_note(
                f"month-end stopped at step {number} ({step}); the workbook is as after "
                f"{'step ' + last if last else 'the start'}. Fix the cause and run the same command again "
                "to resume: completed steps are skipped."
            )
            raise
        ctx.results[step] = result
        summary.figures[step] = _one_line(result)
        summary.notes += [f"{step}: {note}" for note in result.notes]
        summary.ok = summary.ok and result.ok
        if step == stop_after:
            break
    progress("month-end", len(STEPS), len(STEPS))
    summary.notes.append(f"workbook: {book.path.resolve()}")
    summary.notes.append(f"outbox: {outbox.resolve()}")
    return summary


def _completed_steps(book: Book, as_of: dt.date) -> set[str]:
    audit: pd.DataFrame = book.read("Audit")
    commands = set(audit["Command"])
    return {step for step in STEPS if step_command(as_of, step) in commands}


def _one_line(result: Summary) -> str:
    text = ", ".join(f"{k} {v}" for k, v in result.figures.items())
    return text or (result.notes[0] if result.notes else "done")
