"""`arbook init`: adopt a workbook the team already has, adding only what arbook needs.

The tables are added by `workbook.adopt` (which refuses what a write would damage); this
operation supplies the rows the user tables start with, the ones `arbook new` writes
(`arbook.new.default_rows`): every setting with its default, the built-in dunning ladder and
mail templates.
An encrypted workbook is opened with the password from ARBOOK_WORKBOOK_PASSWORD (or the
`ask_password` callback) and written back encrypted (`workbook.encryption`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from common.errors import InputError
from workbook.adopt import adopt, check_file
from workbook.encryption import decrypted
from workbook.filebook import FileBook

from .check import RECORD_TABLES, no_records_warning
from .new import default_rows
from .operation import Summary

__all__ = ["init"]


def init(
    book_path: Path | str,
    *,
    suggest: bool = False,
    force: bool = False,
    ask_password: Callable[[str], str] | None = None,
) -> Summary:
    """Add the contract tables the workbook lacks (and with `suggest` a Mapping proposal); touch nothing else.

    Refuses (UnsafeWorkbookError, nothing written) a signed package unless `force`, Strict
    OOXML, legacy .xls, add-ins, Excel 4 macro sheets and a protected structure.
    """
    path = Path(book_path)
    check_file(path)
    with decrypted(path, ask_password) as (plain, notes):
        result = adopt(plain, default_rows(), propose_mapping=suggest, force=force)
        with FileBook(plain, lock=False) as book:
            records = [_records(book, name) for name in RECORD_TABLES]
    summary = Summary("init")
    summary.figures["tables added"] = len(result.added)
    for name, rows in result.added.items():
        summary.figures[name] = f"added ({rows} rows)" if rows else "added"
    if not result.added:
        summary.notes.append(f"{path.name} already has every table arbook needs; nothing was written")
    summary.notes += notes + result.notes + [note for note in records if note]
    return summary


def _records(book: FileBook, name: str) -> str:
    """What the user should know about reading Customers or Invoices now: how many rows, or why none."""
    try:
        rows = len(book.read(name))
    except InputError as exc:
        shown = "; ".join(map(str, exc.problems[:3]))
        more = f" (and {len(exc.problems) - 3} more)" if len(exc.problems) > 3 else ""
        return (
            f"{name} cannot be read yet, {len(exc.problems)} problem(s): {shown}{more}. Correct them (or the "
            f"Mapping), then run arbook check {book.path.name}"
        )
    return no_records_warning(book, name) if not rows else ""
