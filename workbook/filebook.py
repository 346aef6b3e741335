"""The headless Book: a workbook file on disk, read fast and written part by part, atomically.

Reads go through python-calamine and are cached; changes are staged in those cached frames
and written by `commit` in one new file that replaces the old one (see `workbook.safety`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from common.errors import UnsafeWorkbookError

from .book import audit_row, dashboard_status
from .cells import encode, encode_column
from .contract import Settings, Table, normalise_header, table
from .locator import Locator
from .package import Package, cell_ref, column_letter
from .reader import Location, SheetCells
from .safety import (
    RunLock,
    atomic_replace,
    keep_backup,
    refuse_if_open_in_excel,
    remove_stale_temps,
    sha256_of,
    temp_path,
)
from .sheetxml import SheetEditor
from .staging import Staged, StagingBook, aside, changes, replacement
from .template import STATUS_NAMES
from .units import Units
from .writer import PackageWriter

__all__ = ["FileBook"]

SUFFIXES = (".xlsx", ".xlsm")


class FileBook(StagingBook):
    """A workbook file as a `Book`. Use as a context manager: it holds the run lock while open."""

    def __init__(
        self, path: Path | str, *, keep_backups: int = 10, lock: bool = True, dry_run: bool = False
    ) -> None:
        self._path = Path(path)
        if not self._path.exists():
            raise UnsafeWorkbookError(
                f"{self._path} does not exist (create one with: arbook new {self._path.name})"
            )
        if self._path.suffix.lower() == ".xls":
            raise UnsafeWorkbookError(
                f"{self._path.name} is a legacy .xls workbook; open it in Excel and Save As .xlsx, then run again"
            )
        if self._path.suffix.lower() not in SUFFIXES:
            raise UnsafeWorkbookError(f"{self._path.name}: arbook works on .xlsx and .xlsm workbooks")
        self._keep_backups = keep_backups
        self._dry_run = dry_run
        self._lock = RunLock(self._path) if lock else None
        if self._lock:
            self._lock.acquire()
        try:
            if self._lock:
                remove_stale_temps(self._path, self._lock)
            self._open()
        except BaseException:
            self.close()
            raise
        self._frames: dict[str, pd.DataFrame] = {}
        self._staged: dict[str, Staged] = {}
        self._part_changes: list[Callable[[PackageWriter], None]] = []
        self._settings: Settings | None = None

    def _open(self) -> None:
        self._pkg = Package(self._path)
        self._cells = SheetCells(self._pkg)
        self._locator = Locator(self._pkg, self._cells)

    def close(self) -> None:
        for closer in ("_cells", "_pkg"):
            obj = getattr(self, closer, None)
            if obj is not None:
                obj.close()
        if self._lock:
            self._lock.release()

    def __enter__(self) -> FileBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def path(self) -> Path:
        return self._path

    @property
    def dry_run(self) -> bool:
        return self._dry_run

    @property
    def package(self) -> Package:
        return self._pkg

    @property
    def _name(self) -> str:
        return self._path.name

    # -- staging ---------------------------------------------------------------------------
    def create(self, name: str, frame: pd.DataFrame) -> None:
        """Stage a contract table as a new Excel Table on a new sheet, with `frame` as its rows.

        For `arbook init`, which adds what an adopted workbook lacks. A sheet that merely bears
        the table's name (the user's own, not arbook's) is left alone: the new sheet gets a free
        name, and the new Excel Table (found before any sheet) carries the contract name.
        """
        decl = table(name)
        if self._pkg.table(decl.name) is not None:
            raise ValueError(f"{self._path.name} already has an Excel Table named {decl.name}")
        self._locator.created(decl)
        new = frame.reset_index(drop=True)
        new.index = pd.Index(np.arange(2, 2 + len(new)), name="row")
        self._frames[decl.name] = new
        self._staged.setdefault(decl.name, Staged()).replaced = True

    def change_parts(self, change: Callable[[PackageWriter], None]) -> None:
        """Stage a change to parts that hold no table (the VBA project, the Dashboard sheet).

        `change` gets the commit's PackageWriter after the tables are written, so such a change
        is written with the same lock, backup, check and Audit row as every other.
        """
        self._part_changes.append(change)

    # -- committing ------------------------------------------------------------------------
    def commit(self, command: str, summary: str, *, result: str = "OK") -> None:
        """Write every staged change, then the Audit row, into a new file that replaces the old one.

        The Audit row's SHA256Before is the file as this commit found it; SHA256After is the file
        as the step left it, just before its own Audit row was added. A dry run keeps the staged
        changes and the Audit row visible to later reads (the month-end report reads what the
        run's steps did from them) and writes nothing.
        """
        if self._dry_run:
            self.append("Audit", audit_row(command, summary))
            self._staged.clear()
            self._part_changes.clear()
            return
        if self._lock is None:
            raise ValueError("a FileBook opened without the run lock (lock=False) only reads")
        refuse_if_open_in_excel(self._path)
        before = sha256_of(self._path)
        first = temp_path(self._path, "a")
        second = temp_path(self._path, "b")
        try:
            self._write(first)
            after = sha256_of(first)
            self._staged.clear()
            self._part_changes.clear()
            self._reopen(first)
            audit = audit_row(command, summary, before, after)
            self.append("Audit", audit)
            self._write(second, status=dashboard_status(audit.iloc[0], result))
            _verify(second)
            keep_backup(self._path, self._keep_backups)
            atomic_replace(second, self._path)
        finally:
            first.unlink(missing_ok=True)
            second.unlink(missing_ok=True)
            self._staged.clear()
            self._part_changes.clear()
        self._reopen(self._path)

    def _reopen(self, path: Path) -> None:
        self._cells.close()
        self._pkg.close()
        self._pkg = Package(path)
        self._pkg.path = path
        self._cells = SheetCells(self._pkg)
        self._locator = Locator(self._pkg, self._cells)

    def _write(self, target: Path, status: dict[str, object] | None = None) -> None:
        writer = PackageWriter(self._pkg)
        if status is not None:
            self._write_status(writer, status)
        for name, staged in self._staged.items():
            decl = table(name)
            frame = self._frames[name]
            where = self._locate(decl)
            if where is None:
                _write_new_table(writer, decl, frame, self._units(decl))
            elif staged.replaced:
                self._write_replaced(writer, decl, where, frame)
            else:
                staged = self._write_computed_aside(writer, decl, frame, staged)
                if staged.dirty or staged.appended_from is not None:
                    self._write_changes(writer, decl, where, frame, staged)
        for change in self._part_changes:
            change(writer)
        writer.save(target)

    def _write_status(self, writer: PackageWriter, status: dict[str, object]) -> None:
        """The Dashboard's status cells, where the workbook names them (an adopted one may not)."""
        for key, value in status.items():
            place = self._pkg.named_cell(STATUS_NAMES[key])
            if place is None:
                continue
            sheet, row, col = place
            kind = "datetime" if key == "last_run" else "text"
            cell = encode(pd.Series([value]), kind, table="Dashboard", column=STATUS_NAMES[key], rows=[row])
            writer.sheet(sheet.part).write_block([row], [col], [cell])

    def _write_computed_aside(
        self, writer: PackageWriter, decl: Table, frame: pd.DataFrame, staged: Staged
    ) -> Staged:
        """A mapped table's computed columns that no Mapping row places go to its companion table, whole."""
        part = aside(self._locator, decl, frame, staged)
        if part is None:
            return staged
        if part.where is None:
            _write_new_table(writer, part.side, part.rows, self._units(part.side))
        else:
            self._write_replaced(writer, part.side, part.where, part.rows)
        return part.rest

    def _write_replaced(
        self, writer: PackageWriter, decl: Table, where: Location, frame: pd.DataFrame
    ) -> None:
        block = replacement(self._cells, where, frame)
        sheet = writer.sheet(where.sheet.part)
        cols = list(range(block.first_col, block.last_col + 1))
        body_styles = [sheet.style_of(where.first_row, c) for c in cols]
        head_styles = [sheet.style_of(block.header_row, c) for c in cols]
        row_attrs = sheet.row_attributes(where.first_row)
        sheet.clear(block.header_row, block.first_col, block.old_last, block.clear_last_col)
        _write_header(sheet, decl, block.header_row, cols, block.header, head_styles)
        _write_rows(
            sheet,
            decl,
            frame,
            cols,
            block.header,
            self._units(decl),
            styles=body_styles,
            row_attributes=row_attrs,
        )
        if where.excel_table is not None:
            first, last = (
                cell_ref(block.header_row, block.first_col),
                cell_ref(block.new_last, block.last_col),
            )
            writer.set_table(where.excel_table, f"{first}:{last}", block.header)
        sheet.extend_ranges(where.first_row, block.old_last, block.new_last, block.first_col, block.last_col)

    def _write_changes(
        self, writer: PackageWriter, decl: Table, where: Location, frame: pd.DataFrame, staged: Staged
    ) -> None:
        sheet = writer.sheet(where.sheet.part)
        plan = changes(self._cells, where, frame, staged)
        positions = plan.positions
        if plan.added:
            first = plan.first_added
            cols = list(range(first, first + len(plan.added)))
            style = sheet.style_of(where.header_row, first - 1)
            _write_header(sheet, decl, where.header_row, cols, plan.added, [style] * len(plan.added))
        for rows, names in plan.blocks.items():
            cols = [positions[normalise_header(n)] for n in names]
            _write_rows(sheet, decl, frame.loc[list(rows)], cols, names, self._units(decl))
        appended = staged.appended_from
        if appended is not None:
            template_row = max(where.first_row, min(where.last_row, appended - 1))
            names = [c for c in frame.columns if normalise_header(c) in positions]
            cols = [positions[normalise_header(n)] for n in names]
            _write_rows(
                sheet,
                decl,
                plan.new,
                cols,
                names,
                self._units(decl),
                styles=[sheet.style_of(template_row, c) for c in cols],
                row_attributes=sheet.row_attributes(template_row),
            )
            sheet.extend_ranges(
                where.first_row, where.last_row, plan.last_row, where.first_col, plan.last_col
            )
        if where.excel_table is not None and (plan.last_row != where.last_row or plan.added):
            ref = f"{cell_ref(where.header_row, where.first_col)}:{cell_ref(plan.last_row, plan.last_col)}"
            writer.set_table(where.excel_table, ref, plan.header if plan.added else None)


def _write_new_table(writer: PackageWriter, decl: Table, frame: pd.DataFrame, units: Units) -> None:
    header = [str(c) for c in frame.columns]
    widths = []
    for c in header:
        try:
            widths.append(decl.column(c).width)
        except KeyError:
            widths.append(12)
    sheet_part, table_part = writer.add_table_sheet(decl.name, header, widths)
    sheet = writer.sheet(sheet_part, decl.name)
    cols = list(range(1, len(header) + 1))
    _write_header(sheet, decl, 1, cols, header)
    _write_rows(sheet, decl, frame.set_axis(range(2, 2 + len(frame)), axis=0), cols, header, units)
    writer.set_table(table_part, f"A1:{column_letter(len(header))}{1 + max(1, len(frame))}")


def _write_rows(
    sheet: SheetEditor,
    decl: Table,
    frame: pd.DataFrame,
    cols: list[int],
    names: list[str],
    units: Units,
    *,
    styles: list[int] | None = None,
    row_attributes: bytes = b"",
) -> None:
    """The one way FileBook writes cells: `frame[names[j]]` into sheet column `cols[j]`, at the
    Excel rows of the frame's index, each column encoded by its contract kind (workbook.cells),
    money in the decimals of each row's currency (`units`, from the frame's other columns)."""
    rows = frame.index.tolist()
    columns = [
        encode_column(decl, name, frame[name], rows, units.for_column(decl, name, frame)) for name in names
    ]
    sheet.write_block(rows, cols, columns, styles=styles, row_attributes=row_attributes)


def _write_header(
    sheet: SheetEditor,
    decl: Table,
    row: int,
    cols: list[int],
    names: list[str],
    styles: list[int] | None = None,
) -> None:
    """Column names into the header row, as text."""
    columns = [encode(pd.Series([name]), "text", table=decl.name, column=name, rows=[row]) for name in names]
    sheet.write_block([row], cols, columns, styles=styles)


def _verify(path: Path) -> None:
    """Re-open what was written before it replaces the workbook: a bad file never takes its place."""
    with Package(path) as pkg:
        bad = pkg.zip.testzip()
        if bad is not None:
            raise UnsafeWorkbookError(
                f"the new version of the workbook failed its check at part {bad}; nothing was replaced"
            )
