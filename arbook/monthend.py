"""`arbook month-end`: the clerk's monthly batch, one step after another, resumable.

The steps are the operations declared as month-end steps in `arbook.operations`, in their
order, run through one `Runner` on one book (which holds the run lock for the whole batch):
they share one ledger snapshot, rebuilt only after a step changed it (match posting
allocations), and one transport. Each step commits on its own, so a crash leaves the workbook
as after the last completed step. A step's commit is recorded in Audit as
"month-end <as-of> <step>"; a later run of the same month skips the steps already recorded,
so running twice, or again after a crash, adds nothing twice. Mail steps are idempotent on
their own too (MailLog and the journal beside the workbook). Each step's line goes to the
runner's `say` as soon as the step ends, and a Ctrl-C (KeyboardInterrupt) carries a note
naming the steps completed and the command that resumes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import mailer
from common.errors import ArbookError
from workbook.book import Book
from workbook.filebook import FileBook

from .mail import default_outbox
from .operation import NO_PROGRESS, Progress, Summary
from .operations import MONTH_END_STEPS, Operation, operation
from .runner import Request, Runner

__all__ = ["STEPS", "month_end", "run_month_end", "step_command"]

STEPS = tuple(op.name for op in MONTH_END_STEPS)


def step_command(as_of: dt.date, step: str) -> str:
    """The Audit Command that marks a month-end step as done."""
    return f"month-end {as_of.isoformat()} {step}"


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
    """The batch on a workbook file: one FileBook holds the run lock for every step.

    `transport` replaces the one `send`/`outbox` would choose (tests pass a real SMTP server's);
    `stop_after` ends the run after that step (tests use it to reproduce an interrupted run).
    """
    request = Request(as_of=as_of, files=tuple(bank_files), send=send, outbox=outbox)
    with FileBook(workbook, dry_run=dry_run) as book:
        runner = Runner(book, request, progress, None if dry_run else transport)
        return runner.run(operation("month-end"), stop_after=stop_after)


def run_month_end(book: Book, *, runner: Runner, stop_after: str | None = None) -> Summary:
    """Run every step of the month in order; skip those this month already completed."""
    as_of = runner.request.as_of
    if as_of is None:
        raise ArbookError("month-end needs the date it is for (--as-of)")
    summary = Summary("month-end")
    done = _completed_steps(runner.book, as_of)
    finished: list[str] = []  # the steps complete so far, for what a Ctrl-C says
    try:
        for number, step in enumerate(MONTH_END_STEPS, start=1):
            runner.progress("month-end", number - 1, len(STEPS))
            if step.name in done:
                summary.figures[step.name] = "already done"
            else:
                _run_counted(runner, step, number, as_of, summary)
            finished.append(step.name)
            runner.say(f"month-end step {number} of {len(STEPS)}, {step.name}: {summary.figures[step.name]}")
            if step.name == stop_after:
                break
    except KeyboardInterrupt as exc:
        exc.add_note(_interrupted(finished))
        raise
    runner.progress("month-end", len(STEPS), len(STEPS))
    summary.notes.append(f"workbook: {runner.book.path.resolve()}")
    summary.notes.append(f"outbox: {(runner.request.outbox or default_outbox(runner.book.path)).resolve()}")
    return summary


def _run_step(runner: Runner, step: Operation, as_of: dt.date) -> Summary:
    command = step_command(as_of, step.name)
    if step.takes_bank_files and not runner.request.files:
        result = Summary(step.name, notes=["no bank file given (--bank): nothing imported"])
        runner.commit(step, result, command)
        return result
    return runner.run(step, command=command)


def _run_counted(runner: Runner, step: Operation, number: int, as_of: dt.date, summary: Summary) -> None:
    """Run step `number` and add its outcome to `summary`; a refusal says where the run stopped."""
    try:
        result = _run_step(runner, step, as_of)
    except ArbookError as exc:
        last = STEPS[number - 2] if number > 1 else None
        exc.add_note(
            f"month-end stopped at step {number} ({step.name}); the workbook is as after "
            f"{'step ' + last if last else 'the start'}. Fix the cause and run the same command "
            "again to resume: completed steps are skipped."
        )
        raise
    summary.figures[step.name] = result.line() or (result.notes[0] if result.notes else "done")
    summary.notes += [f"{step.name}: {note}" for note in result.notes]
    summary.ok = summary.ok and result.ok


def _interrupted(finished: list[str]) -> str:
    """What a Ctrl-C left: the steps `finished` are complete (recorded in Audit), the next was not."""
    after = f"the workbook is as after {finished[-1] if finished else 'the start'}"
    during = (
        f"during step {len(finished) + 1} of {len(STEPS)} ({STEPS[len(finished)]})"
        if len(finished) < len(STEPS)
        else "after its last step"
    )
    return (
        f"month-end interrupted {during}; completed: {', '.join(finished) or 'none'}; {after}. "
        "Run the same command again to resume: completed steps are skipped."
    )


def _completed_steps(book: Book, as_of: dt.date) -> set[str]:
    commands = set(book.read("Audit")["Command"])
    return {step for step in STEPS if step_command(as_of, step) in commands}
