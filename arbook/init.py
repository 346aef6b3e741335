"""`arbook init`: adopt a workbook the team already has, adding only what arbook needs.

The tables are added by `workbook.adopt` (which refuses what a write would damage); this
operation supplies the rows the user tables start with, the ones `arbook new` writes
(`arbook.new.default_rows`): every setting with its default, the built-in dunning ladder and
mail templates.
An encrypted workbook is opened with the password from ARBOOK_WORKBOOK_PASSWORD (or the
`ask_password` callback) and written back encrypted (`workbook.encryption`).
"""

from __future__ import annotations

import glob
import shutil
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory

from common.errors import InputError, UnsafeWorkbookError
from workbook.adopt import adopt, check_adoptable, check_file
from workbook.encryption import decrypted
from workbook.filebook import FileBook
from workbook.safety import BACKUP_DIR
from workbook.template import DASHBOARD

from .check import RECORD_TABLES, no_records_warning
from .new import build_book, default_rows, write_xlwings_conf
from .operation import Summary

__all__ = ["init"]


def init(
    book_path: Path | str,
    *,
    suggest: bool = False,
    force: bool = False,
    dashboard: bool = False,
    ask_password: Callable[[str], str] | None = None,
) -> Summary:
    """Add the contract tables the workbook lacks (and with `suggest` a Mapping proposal); touch nothing else.

    With `dashboard`, also the Dashboard with its Run button and the buttons' VBA: into an .xlsm
    itself; an .xlsx cannot hold macros, so it is left exactly as it is and an .xlsm copy beside
    it (same name) gets the tables and the Dashboard; that copy is the workbook to work in.
    Refuses (UnsafeWorkbookError, nothing written) a signed package unless `force`, Strict
    OOXML, legacy .xls, add-ins, Excel 4 macro sheets and a protected structure.
    """
    path = Path(book_path)
    check_file(path)
    if dashboard and path.suffix.lower() == ".xlsx":
        return _into_macro_copy(path, suggest=suggest, force=force, ask_password=ask_password)
    with TemporaryDirectory(prefix="arbook-dashboard-") as folder:
        template = None
        if dashboard:
            template = Path(folder) / "dashboard.xlsm"
            build_book(template, macro_enabled=True)
        with decrypted(path, ask_password) as (plain, notes):
            result = adopt(plain, default_rows(), propose_mapping=suggest, force=force, dashboard=template)
            with FileBook(plain, lock=False) as book:
                records = [_records(book, name) for name in RECORD_TABLES]
    summary = Summary("init")
    summary.figures["tables added"] = len(result.added)
    for name, rows in result.added.items():
        summary.figures[name] = f"added ({rows} rows)" if rows else "added"
    if result.dashboard:
        summary.figures[DASHBOARD] = "added, with the Run button and its macros"
        summary.notes.append(
            f"the Dashboard is the last sheet; open {path.name} in Excel, enable macros, choose an operation "
            "and click Run"
        )
        summary.notes.append(write_xlwings_conf(path.parent))
    if not result.added and not result.dashboard:
        summary.notes.append(f"{path.name} already has every table arbook needs; nothing was written")
    offer = [_offer(path)] if result.added and not dashboard else []  # once, when the workbook is adopted
    summary.notes += notes + result.notes + offer
    summary.notes += [note for note in records if note]
    return summary


def _offer(path: Path) -> str:
    """How to add the Dashboard with its Run button, which `init` adds only when asked."""
    if path.suffix.lower() == ".xlsm":
        return f"for the Dashboard with its Run button: arbook init --dashboard {path.name}"
    return (
        f"for the Dashboard with its Run button: arbook init --dashboard {path.name} (an .xlsx cannot hold "
        f"macros: that writes {path.with_suffix('.xlsm').name} beside it and leaves {path.name} as it is)"
    )


def _into_macro_copy(
    path: Path, *, suggest: bool, force: bool, ask_password: Callable[[str], str] | None
) -> Summary:
    """`init --dashboard` of an .xlsx: the same workbook as an .xlsm beside it, adopted, with the
    Dashboard; the .xlsx is never changed. A copy that could not be completed is removed."""
    copy = path.with_suffix(".xlsm")
    if copy.exists():
        raise UnsafeWorkbookError(
            f"{copy} exists, and arbook init --dashboard {path.name} would write the .xlsm copy there; nothing "
            f"was written. Move that file away, or run arbook init --dashboard {copy.name} on it"
        )
    check_adoptable(path, force=force)  # before any copy: the .xlsx's own trouble, in its own name
    with open(path, "rb") as src, open(copy, "xb") as out:
        shutil.copyfileobj(src, out)
    try:
        summary = init(copy, suggest=suggest, force=force, dashboard=True, ask_password=ask_password)
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    finally:  # the commit's backup of the copy as it was is the .xlsx itself, under a name Excel refuses
        original = path.read_bytes()
        for backup in (copy.parent / BACKUP_DIR).glob(f"{glob.escape(copy.stem)}-*.xlsm"):
            if backup.read_bytes() == original:
                backup.unlink()
    summary.figures["workbook"] = str(copy)
    summary.notes.insert(
        0,
        f"{path.name} cannot hold macros, so it was left exactly as it is; {copy.name} beside it has the same "
        f"sheets, arbook's tables and the Dashboard with its Run button: work in {copy.name} from now on",
    )
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
