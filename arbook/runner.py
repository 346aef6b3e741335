"""The one way an operation runs: call it on the book, then commit what it staged, with its Audit row.

Operations stage their changes and return a Summary; they never commit. The runner gives each
the arguments its declaration names (`arbook.operations`), commits the staged changes in one
`Book.commit` whose Audit row says what ran ("aging --as-of 2026-11-30") and what came of it
(the Summary's figures on one line), and keeps what a run shares between operations: one
ledger snapshot as of the run's date, built when first needed and built again only after an
operation changed what it is read from (match posting allocations), and one transport.

A dry run is a property of the book (`FileBook(dry_run=True)`): its commit changes nothing,
and the mail helpers keep the journal in memory and write no report folder, so the run
leaves nothing behind but the outbox it says it wrote.
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

import mailer
from common.values import format_cents
from receivables import INPUT_COLUMNS, Ledger
from workbook.book import Book

from .mail import require_sender, transport_for
from .operation import NO_PROGRESS, Progress, Summary
from .operations import Operation, operation
from .rates import book_rates

__all__ = ["Request", "Runner", "run"]

_LEDGER_TABLES = ("Invoices", "Allocations", "Customers", "Rates")


def _quiet(_line: str) -> None:
    """Where a Runner's lines go when nobody watches (tests, the Excel buttons' status area)."""


@dataclass(frozen=True)
class Request:
    """What a person asked for: the inputs of `arbook.operations`, as the CLI or the Dashboard read them."""

    as_of: dt.date | None = None
    files: tuple[Path, ...] = ()
    fmt: str | None = None
    post: bool = True
    customer: str | None = None
    amount_cents: int = 0
    balance_forward: bool = False
    resend: tuple[str, ...] = ()
    send: bool = False
    outbox: Path | None = None
    source: str = ""
    items: tuple[str, ...] = ()
    target: str = ""
    reason: str = ""
    invoice: str = ""
    start: dt.date | None = None  # a report's first day (--from); its last is as_of


class _Recording:
    """The book as one operation sees it: every write goes through, and which columns it touched is noted."""

    def __init__(self, book: Book) -> None:
        self._book = book
        self.written: dict[str, set[str]] = {}

    def __getattr__(self, name: str):
        return getattr(self._book, name)

    def _note(self, table: str, columns: object) -> None:
        self.written.setdefault(table, set()).update(str(c) for c in columns)  # type: ignore[attr-defined]

    def write_columns(self, table: str, key: str, frame: pd.DataFrame) -> None:
        self._book.write_columns(table, key, frame)
        self._note(table, [c for c in frame.columns if c != key])

    def replace(self, table: str, frame: pd.DataFrame) -> None:
        self._book.replace(table, frame)
        self._note(table, frame.columns)

    def append(self, table: str, frame: pd.DataFrame) -> None:
        if len(frame):
            self._book.append(table, frame)
            self._note(table, frame.columns)

    def commit(self, command: str, summary: str, *, result: str = "OK") -> None:
        raise RuntimeError(f"{command}: operations stage their changes; the runner commits them")


@dataclass
class Runner:
    """Runs operations on one book for one request, sharing what a run shares (see the module doc)."""

    book: Book
    request: Request = field(default_factory=Request)
    progress: Progress = NO_PROGRESS
    given_transport: mailer.Transport | None = None
    say: Callable[[str], None] = _quiet  # a line to show at once (the month-end's step lines)
    _ledger: Ledger | None = None
    _transport: mailer.Transport | None = None

    def run(self, op: Operation, *, command: str | None = None, **extra: object) -> Summary:
        """Run `op` and commit what it staged; with `command`, commit (and so record) even when
        it staged nothing, under that Audit Command (how the month-end marks a step done).
        `extra` goes to the function as it is (the month-end's stop_after, for tests)."""
        summary, written = self.stage(op, **extra)
        if command is not None or written:
            self.commit(op, summary, command)
        if command is None and op.writes and self.book.dry_run:
            mail = "; mail went to the outbox only" if op.mails else ""
            summary.notes.append(f"dry run: the workbook was not changed{mail}")
        return summary

    def stage(self, op: Operation, **extra: object) -> tuple[Summary, bool]:
        """Run `op`, leaving what it staged uncommitted: its Summary, and whether it staged anything.
        (The month-end decides after a step how to record it.)"""
        if op.mails and self.request.send and not self.book.dry_run:
            require_sender(self.book.settings())  # before any step: nobody gets mail from nobody
        book = _Recording(self.book)
        summary = op.function()(book, **{name: self._value(name) for name in op.params}, **extra)
        if self._touches_ledger(book.written):
            self._ledger = None
        return summary, bool(book.written)

    def commit(self, op: Operation, summary: Summary, command: str | None = None) -> None:
        """Make what `op` staged durable, recording it in Audit: under `command` when given
        (with the operation as it was typed in front of its outcome), else as it was typed."""
        typed = self.audit_command(op)
        outcome = summary.line() or "; ".join(summary.notes)
        if command is None:
            self.book.commit(typed, outcome, result=summary.result)
        else:
            self.book.commit(command, f"{typed}: {outcome}", result=summary.result)

    def audit_command(self, op: Operation) -> str:
        """The operation as it would be typed: "match --as-of 2026-11-30 --no-post"."""
        r = self.request
        words = [op.name]
        if "as_of" in op.inputs and r.as_of is not None:
            words.append(f"--as-of {r.as_of.isoformat()}")
        if "no_post" in op.inputs and not r.post:
            words.append("--no-post")
        if "customer" in op.inputs and r.customer:
            words.append(f"--customer {r.customer}")
        if "balance_forward" in op.inputs and r.balance_forward:
            words.append("--balance-forward")
        if "resend" in op.inputs and r.resend:
            words.append(f"--resend {','.join(r.resend)}")
        if "application" in op.inputs:
            words += [r.source, *r.items]
        if "target" in op.inputs:
            words.append(r.target)
        if "invoice" in op.inputs:
            words.append(r.invoice)
            if r.amount_cents:
                words.append(f"--amount {format_cents(r.amount_cents)}")
        if "reason" in op.inputs:
            words.append(f"--reason {shlex.quote(r.reason)}")
        return " ".join(words)

    def ledger(self) -> Ledger:
        """The run's ledger snapshot as of the request's date (read now if not yet, or stale)."""
        if self._ledger is None:
            if self.request.as_of is None:
                raise ValueError("a ledger needs the run's as-of date")
            self._ledger = Ledger(
                self.book.read("Invoices"),
                self.book.read("Allocations"),
                self.book.read("Customers"),
                as_of=self.request.as_of,
                rates=book_rates(self.book),
            )
        return self._ledger

    def transport(self) -> mailer.Transport:
        """Where this run's mail goes: the transport given, else SMTP or the outbox as requested."""
        if self._transport is None:
            self._transport = self.given_transport or transport_for(
                self.book, send=self.request.send, outbox=self.request.outbox
            )
        return self._transport

    def _value(self, name: str) -> object:
        if name == "ledger":
            return self.ledger()
        if name == "transport":
            return self.transport()
        if name == "progress":
            return self.progress
        if name == "runner":
            return self
        if name == "files":
            return list(self.request.files)
        return getattr(self.request, name)

    @staticmethod
    def _touches_ledger(written: dict[str, set[str]]) -> bool:
        return bool(written.get("Rates")) or any(
            written.get(t, set()) & set(INPUT_COLUMNS[t]) for t in _LEDGER_TABLES if t != "Rates"
        )


def run(
    book: Book,
    name: str,
    /,
    *,
    progress: Progress = NO_PROGRESS,
    transport: mailer.Transport | None = None,
    **inputs: object,
) -> Summary:
    """Run the operation `name` on `book` with the given inputs (`Request` fields) and commit.

    `transport` replaces the one `send`/`outbox` would choose (tests pass a real SMTP server's).
    """
    request = Request(**inputs)  # type: ignore[arg-type]
    return Runner(book, request, progress, transport).run(operation(name))
