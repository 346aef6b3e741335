"""The one exception tree of arbook.

    ArbookError                 anything arbook refuses, with a message a clerk can act on
    ├── InputError              the user's data: one or more Problems (table, row, column, expected)
    ├── BankFileError           a bank statement file: file, line, reason
    ├── WorkbookBusyError       Excel has the workbook open, or another run holds the lock
    ├── UnsafeWorkbookError     signed, Strict OOXML, encrypted without password, legacy .xls, ...
    └── MailError               mail cannot go out: no password for the SMTP login, ...
        └── DeliveryError       (mailer.transport) one message was not delivered, after retries

The CLI turns an ArbookError into exit status 1 and its message, without a traceback. Any
other exception is a bug and keeps its traceback. A DeliveryError never reaches the CLI: the
send loop (mailer.deliver) catches it for each message, journals it, and the run reports the
message as failed in its summary and MailLog; `fatal` ones (the server cannot be reached, the
login is refused) stop the rest of that run's messages, which are reported the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ArbookError",
    "BankFileError",
    "InputError",
    "MailError",
    "Problem",
    "UnsafeWorkbookError",
    "WorkbookBusyError",
]


class ArbookError(Exception):
    """Base of everything arbook refuses on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's data, located to the cell.

    `row` is the Excel row number (1-based, as shown in Excel's margin), or None when the
    problem concerns a whole column or table.
    """

    table: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.table
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f" column {self.column}"
        return f"{where}: {self.message}"


class InputError(ArbookError):
    """The workbook's data is not acceptable; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | Problem, heading: str = "the workbook was refused") -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        self.heading = heading
        lines = [f"{heading}: {len(self.problems)} problem(s); nothing was written"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class BankFileError(ArbookError):
    """A bank statement file cannot be read with confidence; it is refused whole."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file, self.line, self.reason = file, line, reason
        where = f"{file} line {line}" if line is not None else file
        super().__init__(f"{where}: {reason}")


class WorkbookBusyError(ArbookError):
    """The workbook is open in Excel (its ~$ lock file exists) or another arbook run holds it."""


class UnsafeWorkbookError(ArbookError):
    """Writing this workbook would damage it, or arbook cannot read it safely."""


class MailError(ArbookError):
    """Mail cannot go out at all (before any message is tried): says what is missing and how to fix it."""
