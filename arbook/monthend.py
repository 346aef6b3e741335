"""`arbook month-end`: the clerk's monthly batch, one step after another, resumable.

The steps are the operations declared as month-end steps in `arbook.operations`, in their
order, run through one `Runner` on one book (which holds the run lock for the whole batch):
they share one ledger snapshot, rebuilt only after a step changed it (match posting
allocations), and one transport. Each step commits on its own, so a crash leaves the workbook
as after the last completed step.

A completed step is recorded in Audit as "month-end <as-of> <step>" (a mail step done into
the outbox as "month-end <as-of> <step> (outbox)", which a run with --send does not count:
it still sends). What a later run of the same month does is read from those rows and from
the mail record (MailLog and the journal), never from what the run before printed:

- a step recorded since the month's bank input last changed is skipped ("already done");
- bank files are always read: when they hold lines or balances the workbook lacks (a file
  forgotten the first time), they are imported and every later step is done again. Mail
  already sent is not sent again (same message, same key); a customer whose statement
  changed gets the new one, and the report is sent again, revised;
- a mail step is complete only when every message it owes was delivered or refused for good
  (`mailer.journal` says what each MailLog Status means). Until then it is recorded as
  "month-end <as-of> <step> unfinished", and the next run sends what is still owed. A
  complete step that left messages refused is run again by every later run of the month
  (it sends those again and reports them) until they go out or a person gives them up;
- a message still owed that the workbook's new state no longer calls for (a late bank file
  changed what it lists) is recorded `superseded` by the step that composes the month's mail
  again, and is then neither owed nor reported (`mailer.run.Scope`);
- the report is owed once statements and notices are complete; it is built from what the
  month's runs did (`arbook.report`), so a resumed run reports the failures of the runs before.

Each step's line goes to the runner's `say` as soon as the step ends, and a Ctrl-C
(KeyboardInterrupt) carries a note naming the steps completed and the command that resumes.
"""

from __future__ import annotations

import datetime as dt
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

import mailer
from common.errors import ArbookError
from workbook.book import Book
from workbook.filebook import FileBook

from .mail import default_outbox, month_outcomes
from .operation import NO_PROGRESS, Progress, Summary
from .operations import MONTH_END_STEPS, Operation, operation
from .runner import Request, Runner

__all__ = ["MAIL_KINDS", "STEPS", "MonthState", "month_end", "rerun_command", "run_month_end", "step_command"]

STEPS = tuple(op.name for op in MONTH_END_STEPS)
MAIL_KINDS = {"statements": ("statement",), "notices": mailer.NOTICE_KINDS, "report": ("report",)}
"""The MailLog Kinds each mail step sends."""
_IMPORT = next(op.name for op in MONTH_END_STEPS if op.takes_bank_files)
_OUTBOX = " (outbox)"
_UNFINISHED = " unfinished"


def step_command(as_of: dt.date, step: str, *, outbox: bool = False) -> str:
    """The Audit Command that marks a month-end step as done (a mail step done into the outbox says so)."""
    suffix = _OUTBOX if outbox and operation(step).mails else ""
    return f"month-end {as_of.isoformat()} {step}{suffix}"


@dataclass
class MonthState:
    """What the month's runs did, from Audit: the steps done since the bank input last changed."""

    done: set[str] = field(default_factory=set)
    imports: int = 0  # month-end imports of this month (the first run's, then each that brought new input)

    @classmethod
    def read(cls, book: Book, as_of: dt.date, *, outbox: bool) -> MonthState:
        """Walk Audit in order; an import of new input starts the month over after the import."""
        state = cls()
        marks = {step_command(as_of, s): s for s in STEPS}
        if outbox:  # mail sent for real counts as done for a preview too
            marks |= {step_command(as_of, s, outbox=True): s for s in STEPS}
        for command in book.read("Audit")["Command"].astype(str):
            step = marks.get(command)
            if step == _IMPORT:
                state.imported()
            elif step is not None:
                state.done.add(step)
        return state

    def imported(self) -> None:
        self.imports += 1
        self.done = {_IMPORT}

    @property
    def mail_complete(self) -> bool:
        return {"statements", "notices"} <= self.done


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
    """Run every step of the month in order; skip those this month already completed (see the module doc)."""
    as_of = runner.request.as_of
    if as_of is None:
        raise ArbookError("month-end needs the date it is for (--as-of)")
    outbox = not runner.request.send
    state = MonthState.read(runner.book, as_of, outbox=outbox)
    _after_last_commit(runner.book, as_of)
    summary = Summary("month-end")
    finished: list[str] = []  # the steps complete so far, for what a Ctrl-C says
    try:
        for number, step in enumerate(MONTH_END_STEPS, start=1):
            runner.progress("month-end", number - 1, len(STEPS))
            try:
                result = _run_step(runner, step, state, as_of, outbox)
            except ArbookError as exc:
                last = STEPS[number - 2] if number > 1 else None
                where = (
                    "nothing was changed (dry run). Fix the cause and run the same command again"
                    if runner.book.dry_run
                    else f"the workbook is as after {'step ' + last if last else 'the start'}. Fix the cause "
                    "and run the same command again to resume (completed steps are skipped)"
                )
                exc.add_note(
                    f"month-end stopped at step {number} ({step.name}); {where}: {rerun_command(runner)}"
                )
                raise
            if result is None:
                summary.figures[step.name] = "already done"
            else:
                summary.figures[step.name] = result.line() or (result.notes[0] if result.notes else "done")
                summary.notes += [f"{step.name}: {note}" for note in result.notes]
                summary.ok = summary.ok and result.ok and result.complete
                summary.complete = summary.complete and result.complete
            finished.append(step.name)
            runner.say(f"month-end step {number} of {len(STEPS)}, {step.name}: {summary.figures[step.name]}")
            if step.name == stop_after:
                break
    except KeyboardInterrupt as exc:
        exc.add_note(_interrupted(finished, rerun_command(runner)))
        raise
    runner.progress("month-end", len(STEPS), len(STEPS))
    if not summary.complete:
        owing = [s for s in STEPS if s not in state.done]
        summary.notes.append(
            f"month-end not finished: {', '.join(owing)} still to do. To continue, run the same command "
            f"again: {rerun_command(runner)}"
        )
    summary.notes.append(f"workbook: {runner.book.path.resolve()}")
    summary.notes.append(f"outbox: {(runner.request.outbox or default_outbox(runner.book.path)).resolve()}")
    return summary


def _run_step(
    runner: Runner, step: Operation, state: MonthState, as_of: dt.date, outbox: bool
) -> Summary | None:
    """Run one step if this month still owes it, recording it as done when it is; None when it was done."""
    marker = step_command(as_of, step.name, outbox=outbox)
    if step.takes_bank_files:
        return _import(runner, step, state, marker)
    if step.name == "report" and not state.mail_complete:
        waiting = [s for s in ("statements", "notices") if s not in state.done]
        return Summary(
            step.name,
            notes=[f"not sent yet: it goes out once {' and '.join(waiting)} sent everything they owe"],
            complete=False,
        )
    if step.name in state.done and not _mail_owed(runner, step, as_of):
        return None
    result, _ = runner.stage(step)
    runner.commit(step, result, marker if result.complete else marker + _UNFINISHED)
    if result.complete:
        state.done.add(step.name)
    return result


def _import(runner: Runner, step: Operation, state: MonthState, marker: str) -> Summary | None:
    """Read the bank files given; new input is imported and starts the month over after the import."""
    if not runner.request.files:
        if step.name in state.done:
            return None
        result = Summary(step.name, notes=["no bank file given (--bank): nothing imported"])
    else:
        result, written = runner.stage(step)
        if written:
            if step.name in state.done:
                result.notes.append(
                    "new bank input since this month's run: every later step is done again (mail already "
                    "sent is not sent again; the report is sent again, revised)"
                )
            runner.commit(step, result, marker)
            state.imported()
            return result
        if step.name in state.done:
            return None
    runner.commit(step, result, marker)
    state.imported()
    return result


def _after_last_commit(book: Book, as_of: dt.date) -> None:
    """Begin in a later second than the last commit when that was another command's: the report
    tells the month's rows from the rows of the command before them by their stamps, which keep
    whole seconds (`arbook.report.runs`). After a step of the same month there is nothing to tell."""
    audit = book.read("Audit")
    if not len(audit) or str(audit["Command"].iloc[-1]).startswith(step_command(as_of, "")):
        return
    last, now = pd.Timestamp(audit["At"].iloc[-1]), dt.datetime.now()
    if pd.notna(last) and pd.Timestamp(now.replace(microsecond=0)) <= last:
        time.sleep(1 - now.microsecond / 1_000_000)


def _interrupted(finished: list[str], command: str) -> str:
    """What a Ctrl-C left: the steps `finished` are complete (recorded in Audit), the next was not."""
    after = f"the workbook is as after {finished[-1] if finished else 'the start'}"
    during = (
        f"during step {len(finished) + 1} of {len(STEPS)} ({STEPS[len(finished)]})"
        if len(finished) < len(STEPS)
        else "after its last step"
    )
    return (
        f"month-end interrupted {during}; completed: {', '.join(finished) or 'none'}; {after}. "
        f"Run the same command again to resume (completed steps are skipped): {command}"
    )


def _mail_owed(runner: Runner, step: Operation, as_of: dt.date) -> bool:
    """A completed mail step whose messages the record shows not delivered (refused, or failed since):
    run it again, to send them and report them."""
    if step.name not in MAIL_KINDS:
        return False
    outcomes = month_outcomes(runner.book, as_of, send=runner.request.send)
    mine = outcomes[outcomes["Kind"].isin(MAIL_KINDS[step.name])]
    return bool(mine["Outcome"].isin([mailer.FAILED, mailer.REFUSED]).any())


def rerun_command(runner: Runner) -> str:
    """The command line that runs this month-end again, as the clerk would type it."""
    r = runner.request
    words = ["arbook", "month-end", str(runner.book.path)]
    for path in r.files:
        words += ["--bank", str(path)]
    if r.as_of is not None:
        words += ["--as-of", r.as_of.isoformat()]
    if r.send:
        words.append("--send")
    elif r.outbox is not None:
        words += ["--outbox", str(r.outbox)]
    if runner.book.dry_run:
        words.append("--dry-run")
    return shlex.join(words)
