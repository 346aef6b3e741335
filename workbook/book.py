"""The one way to a workbook: the interface shared by the headless file book and Excel.

Two implementations fit it: `workbook.filebook.FileBook` (a file on disk, written part by
part, atomically) and `macros.live.LiveBook` (the workbook open in Excel, through xlwings).
Operations in `arbook/` take a `Book` and never know which one they have.

Frames follow the types of `workbook.contract`: money in integer cents (Int64), dates as
datetime64[ns], IDs as str. Reads of user tables carry the Excel row number as index.
"""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path
from typing import Protocol, runtime_checkable

import pandas as pd

from .cells import MAX_CELL_TEXT
from .contract import Settings

__all__ = ["Book", "audit_row", "dashboard_status", "who"]


def who() -> str:
    """The person running arbook, as Audit records them (the operating system's user name)."""
    return getpass.getuser()


def audit_row(command: str, summary: str, before: str = "", after: str = "") -> pd.DataFrame:
    """The one Audit row a commit appends: when, who, what, and the workbook's hashes around it."""
    return pd.DataFrame(
        [
            {
                "At": pd.Timestamp(dt.datetime.now().replace(microsecond=0)),
                "User": who(),
                "Command": command,
                "Summary": summary,
                "SHA256Before": before,
                "SHA256After": after,
            }
        ]
    )


def dashboard_status(audit: pd.Series, result: str) -> dict[str, object]:
    """What the Dashboard's status cells say after a commit: its Audit row's moment, `result`, and
    what ran and what came of it (cut to what a cell holds)."""
    message = f"{audit['Command']}: {audit['Summary']}" if audit["Summary"] else str(audit["Command"])
    return {"last_run": audit["At"], "result": result, "message": message[:MAX_CELL_TEXT]}


@runtime_checkable
class Book(Protocol):
    """What an operation may do to a workbook. Changes are staged until `commit`."""

    @property
    def path(self) -> Path:
        """Where the workbook lives: messages name it, and journals and outboxes sit beside it."""
        ...

    @property
    def dry_run(self) -> bool:
        """Whether this is a dry run: everything is computed and nothing is kept, here or beside
        the workbook (the mail journal, the reports folder); mail goes to an outbox only."""
        ...

    def has(self, table: str) -> bool:
        """Whether the workbook holds this table (where the Mapping places it, else as an Excel Table, else a sheet)."""
        ...

    def read(self, table: str) -> pd.DataFrame:
        """The table, typed per the contract and validated; raises InputError naming each bad cell.

        A missing optional or arbook-owned table reads as an empty frame with its columns.
        Staged, uncommitted changes are visible to later reads of the same book.
        """
        ...

    def settings(self) -> Settings:
        """The Settings table, typed (`workbook.contract.Settings`), read once per book.

        Keys the workbook lacks take their declared default; a value that makes no sense is
        refused (InputError naming the Settings row), so an operation that got its settings
        can trust every one of them without a default or a check of its own.
        """
        ...

    def write_columns(self, table: str, key: str, frame: pd.DataFrame) -> None:
        """Write the computed columns in `frame` into the rows whose `key` matches.

        Only columns declared computed (c) may be written in a user table; other cells of
        those rows (formats, formulas, the user's extra columns) stay as they were.
        """
        ...

    def replace(self, table: str, frame: pd.DataFrame) -> None:
        """Replace the whole body of an arbook-owned table (created when missing)."""
        ...

    def append(self, table: str, frame: pd.DataFrame) -> None:
        """Append rows to a log table or BankLines (created when missing)."""
        ...

    def commit(self, command: str, summary: str, *, result: str = "OK") -> None:
        """Make every staged change durable at once, and add one Audit row for it.

        The file book writes a new file beside the old one and renames it over (keeping a
        backup); the Excel book copies the workbook to backups/, applies every change in one go
        (putting back what it wrote if Excel fails halfway) and saves. The file book also fills
        the Dashboard's status cells (Last run, Result, Message: the Audit row's At, `result`,
        and its command and summary), so the Dashboard says what the last command-line run did;
        in Excel the Run button fills them once its whole run is over, refusals included.
        """
        ...
