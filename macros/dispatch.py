"""Which arbook operation each Excel operation runs, with which arguments.

The buttons call exactly the functions the CLI calls, on a `LiveBook` instead of a
`FileBook`. Operations are imported when first run, so a missing optional part (or one
still being written) breaks only its own button, and `import macros.dispatch` stays cheap
for the RunPython process that has to start for every click.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from arbook.operation import NO_PROGRESS, Progress, Summary
from common.errors import ArbookError
from workbook.book import Book
from workbook.template import OPERATIONS

__all__ = ["CALLS", "OUTBOX_FOLDER", "Call", "Request", "operation_for_label", "resolve", "run"]

OUTBOX_FOLDER = "outbox"
"""Previews are written as .eml files here, beside the workbook (the CLI's --outbox)."""


@dataclass(frozen=True)
class Request:
    """What the Dashboard asks for: the operation and the inputs read from its cells."""

    operation: str
    workbook: Path
    as_of: date
    bank_files: tuple[Path, ...] = field(default=())

    @property
    def outbox(self) -> Path:
        return self.workbook.parent / OUTBOX_FOLDER


@dataclass(frozen=True)
class Call:
    """An operation's function, named by module and attribute, and how to build its arguments."""

    module: str
    function: str
    arguments: Callable[[Book, Request], dict[str, object]]


def _as_of(book: Book, r: Request) -> dict[str, object]:
    return {"as_of": r.as_of}


def _match(book: Book, r: Request) -> dict[str, object]:
    return {"as_of": r.as_of, "post": True}


def _files(book: Book, r: Request) -> dict[str, object]:
    if not r.bank_files:
        raise ArbookError("Bank file(s) on the Dashboard is empty: enter the path of a bank statement file")
    return {"files": list(r.bank_files)}


def _mail(send: bool) -> Callable[[Book, Request], dict[str, object]]:
    def arguments(book: Book, r: Request) -> dict[str, object]:
        from arbook.mail import transport_for

        return {"as_of": r.as_of, "transport": transport_for(book, send=send, outbox=r.outbox)}

    return arguments


def _month_end(send: bool) -> Callable[[Book, Request], dict[str, object]]:
    return lambda book, r: {
        "as_of": r.as_of,
        "bank_files": list(r.bank_files),
        "send": send,
        "outbox": r.outbox,
    }


CALLS: dict[str, Call] = {
    "import_bank": Call("arbook.bank_import", "import_bank", _files),
    "match": Call("arbook.match", "match", _match),
    "post": Call("arbook.match", "post", _as_of),
    "aging": Call("arbook.aging", "aging", _as_of),
    "credit": Call("arbook.credit", "credit", _as_of),
    "forecast": Call("arbook.forecast", "forecast", _as_of),
    "statements_preview": Call("arbook.statements", "statements", _mail(send=False)),
    "statements_send": Call("arbook.statements", "statements", _mail(send=True)),
    "notices_preview": Call("arbook.notices", "notices", _mail(send=False)),
    "notices_send": Call("arbook.notices", "notices", _mail(send=True)),
    "month_end": Call("arbook.monthend", "run_month_end", _month_end(send=False)),
    "month_end_send": Call("arbook.monthend", "run_month_end", _month_end(send=True)),
}
"""Every operation of the Dashboard (`workbook.template.OPERATIONS`), by key."""


def operation_for_label(label: object) -> str:
    """The operation key for the Dashboard's Operation cell (its label, or the key itself)."""
    text = str(label or "").strip()
    for key, shown in OPERATIONS:
        if text.casefold() in (key.casefold(), shown.casefold()):
            return key
    choices = "; ".join(shown for _, shown in OPERATIONS)
    raise ArbookError(f"Dashboard Operation: expected one of: {choices}; got {text!r}")


def resolve(operation: str) -> Callable[..., Summary]:
    """The arbook function behind an operation key, imported now."""
    call = CALLS[operation]
    return getattr(importlib.import_module(call.module), call.function)


def run(book: Book, request: Request, progress: Progress = NO_PROGRESS) -> Summary:
    """Run the requested operation on `book`, exactly as the CLI would."""
    call = CALLS[request.operation]
    return resolve(request.operation)(book, **call.arguments(book, request), progress=progress)
