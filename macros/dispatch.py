"""Which arbook operation each Dashboard choice runs, with which inputs.

The choices are the Excel entries of `arbook.operations` (the CLI's operations), run by the
same runner on a `LiveBook` instead of a `FileBook`. Operations are imported when first run,
so a missing optional part breaks only its own button, and `import macros.dispatch` stays
cheap for the RunPython process that has to start for every click.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from arbook.mail import default_outbox
from arbook.operation import NO_PROGRESS, Progress, Summary
from arbook.operations import ExcelEntry, Operation, excel_entries
from arbook.runner import Request as RunRequest
from arbook.runner import Runner
from common.errors import ArbookError
from workbook.book import Book

__all__ = ["ENTRIES", "Request", "operation_for_label", "run"]

ENTRIES: dict[str, tuple[ExcelEntry, Operation]] = {e.key: (e, op) for e, op in excel_entries()}
"""Every choice of the Dashboard's Operation cell, by key, with the operation it runs."""


@dataclass(frozen=True)
class Request:
    """What the Dashboard asks for: the choice and the inputs read from its cells."""

    operation: str
    workbook: Path
    as_of: date
    bank_files: tuple[Path, ...] = field(default=())
    said: str = ""  # the date assumed for a blank As of, in words, for the status message

    @property
    def outbox(self) -> Path:
        """Where previews go: the default outbox beside the workbook, as for the CLI."""
        return default_outbox(self.workbook)

    def inputs(self) -> RunRequest:
        """The runner's request: mail to SMTP for a send choice, else previews to the default outbox."""
        chosen, op = ENTRIES[self.operation]
        if "files" in op.inputs and not self.bank_files:
            raise ArbookError(
                f"Bank file(s) on the Dashboard is empty: {chosen.label} reads the file(s) named there; "
                "enter the path of one"
            )
        return RunRequest(as_of=self.as_of, files=self.bank_files, send=chosen.send, outbox=self.outbox)


def operation_for_label(label: object) -> str:
    """The operation key for the Dashboard's Operation cell (its label, or the key itself)."""
    text = str(label or "").strip()
    for key, (chosen, _op) in ENTRIES.items():
        if text.casefold() in (key.casefold(), chosen.label.casefold()):
            return key
    choices = "; ".join(chosen.label for chosen, _op in ENTRIES.values())
    raise ArbookError(f"Dashboard Operation: expected one of: {choices}; got {text!r}")


def run(book: Book, request: Request, progress: Progress = NO_PROGRESS) -> Summary:
    """Run the requested operation on `book`, exactly as the CLI would."""
    _chosen, op = ENTRIES[request.operation]
    return Runner(book, request.inputs(), progress).run(op)
