"""The headless Book: a workbook file on disk, read fast and written part by part, atomically.

Reads go through python-calamine and are cached; changes are staged in those cached frames
and written by `commit` in one new file that replaces the old one (see `workbook.safety`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from common.errors import UnsafeWorkbookError

from .book import audit_row
from .cells import encode, encode_column
from .contract import Settings, Table, normalise_header, table
from .mapping import MAPPABLE, Mapping, load_mapping
from .package import Package, cell_ref, column_letter
from .reader import Location, SheetCells, locate, read_located
from .safety import (
    RunLock,
    atomic_replace,
    keep_backup,
    refuse_if_open_in_excel,
    remove_stale_temps,
    temp_path,
)
from .settings import date_order_for, settings_from_frame
from .sheetxml import SheetEditor
from .staging import appended, computed, replaced
from .units import Units, book_units
from .validate import absent_table, accept
from .writer import PackageWriter

__all__ = ["FileBook"]

SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class _Staged:
    """What a table's cached frame holds that the file does not yet."""

    replaced: bool = False
    appended_from: int | None = None  # first Excel row of appended rows
    dirty: dict[str, set[int]] = field(default_factory=dict)  # column -> Excel rows


class FileBook:
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
        self._staged: dict[str, _Staged] = {}
        self._settings: Settings | None = None

    def _open(self) -> None:
        self._pkg = Package(self._path)
        self._cells = SheetCells(self._pkg)
        self._where: dict[str, Location | None] = {}
        self._mapping: Mapping | None = None

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

    # -- reading ---------------------------------------------------------------------------
    def has(self, name: str) -> bool:
        return self._locate(table(name)) is not None

    def _locate(self, decl: Table) -> Location | None:
        if decl.name not in self._where:
            mapped = self._sources().locate(self._pkg, self._cells, decl) if decl.name in MAPPABLE else None
            self._where[decl.name] = mapped or locate(self._pkg, self._cells, decl)
        return self._where[decl.name]

    def _sources(self) -> Mapping:
        """The workbook's Mapping: where mapped tables live in the user's own sheets (workbook.mapping)."""
        if self._mapping is None:
            self._mapping = load_mapping(self._pkg, self._cells)
        return self._mapping

    def read(self, name: str) -> pd.DataFrame:
        decl = table(name)
        if decl.name not in self._frames:
            self._frames[decl.name] = self._load(decl)
        return self._frames[decl.name].copy()

    def _load(self, decl: Table) -> pd.DataFrame:
        where = self._locate(decl)
        if where is None:
            return absent_table(decl)
        date_order = date_order_for(decl.name, self.settings)
        frame, problems = read_located(
            self._cells,
            decl,
            where,
            date_order=date_order,
            date1904=self._pkg.date1904,
            units=self._units(decl),
        )
        mapped = decl.name in MAPPABLE
        frame = accept(
            decl,
            frame,
            problems,
            workbook=self._path.name,
            read=self.read,
            explain=(lambda found: self._sources().explain(decl.name, found)) if mapped else None,
        )
        if mapped:
            frame = self._sources().join_computed(self._pkg, self._cells, decl, frame)
        return frame

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = settings_from_frame(self.read("Settings"))
        return self._settings

    def _units(self, decl: Table) -> Units:
        """Which currency each row's money of `decl` is in (workbook.units)."""
        return book_units(decl, lambda: self.settings().base_currency, lambda: self.read("Customers"))

    # -- staging ---------------------------------------------------------------------------
    def write_columns(self, name: str, key: str, frame: pd.DataFrame) -> None:
        decl = table(name)
        new, columns, rows = computed(decl, self.read(decl.name), key, frame)
        staged = self._staged.setdefault(decl.name, _Staged())
        for column in columns:
            staged.dirty.setdefault(column, set()).update(int(r) for r in rows)
        self._frames[decl.name] = new

    def replace(self, name: str, frame: pd.DataFrame) -> None:
        decl = table(name)
        where = self._locate(decl)
        self._frames[decl.name] = replaced(decl, frame, where.header_row if where else 1)
        self._staged.setdefault(decl.name, _Staged()).replaced = True

    def create(self, name: str, frame: pd.DataFrame) -> None:
        """Stage a contract table as a new Excel Table on a new sheet, with `frame` as its rows.

        For `arbook init`, which adds what an adopted workbook lacks. A sheet that merely bears
        the table's name (the user's own, not arbook's) is left alone: the new sheet gets a free
        name, and the new Excel Table (found before any sheet) carries the contract name.
        """
        decl = table(name)
        if self._pkg.table(decl.name) is not None:
            raise ValueError(f"{self._path.name} already has an Excel Table named {decl.name}")
        self._where[decl.name] = None
        new = frame.reset_index(drop=True)
        new.index = pd.Index(np.arange(2, 2 + len(new)), name="row")
        self._frames[decl.name] = new
        self._staged.setdefault(decl.name, _Staged()).replaced = True

    def append(self, name: str, frame: pd.DataFrame) -> None:
        decl = table(name)
        where = self._locate(decl) if decl.appendable else None
        new, first = appended(decl, self.read(decl.name), frame, where.first_row if where else 2)
        if first is None:
            return
        self._frames[decl.name] = new
        staged = self._staged.setdefault(decl.name, _Staged())
        if staged.appended_from is None:
            staged.appended_from = first

    # -- committing ------------------------------------------------------------------------
    def commit(self, command: str, summary: str) -> None:
        """Write every staged change, then the Audit row, into a new file that replaces the old one.

        The Audit row's SHA256Before is the file as this commit found it; SHA256After is the file
        as the step left it, just before its own Audit row was added. A dry run keeps the staged
        changes visible to later reads and writes nothing.
        """
        if self._dry_run:
            self._staged.clear()
            return
        if self._lock is None:
            raise ValueError("a FileBook opened without the run lock (lock=False) only reads")
        refuse_if_open_in_excel(self._path)
        before = _sha256(self._path)
        first = temp_path(self._path, "a")
        second = temp_path(self._path, "b")
        try:
            self._write(first)
            after = _sha256(first)
            self._staged.clear()
            self._reopen(first)
            self.append("Audit", audit_row(command, summary, before, after))
            self._write(second)
            _verify(second)
            keep_backup(self._path, self._keep_backups)
            atomic_replace(second, self._path)
        finally:
            first.unlink(missing_ok=True)
            second.unlink(missing_ok=True)
            self._staged.clear()
        self._reopen(self._path)

    def _reopen(self, path: Path) -> None:
        self._cells.close()
        self._pkg.close()
        self._pkg = Package(path)
        self._pkg.path = path
        self._cells = SheetCells(self._pkg)
        self._where = {}
        self._mapping = None

    def _write(self, target: Path) -> None:
        writer = PackageWriter(self._pkg)
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
        writer.save(target)

    def _write_computed_aside(
        self, writer: PackageWriter, decl: Table, frame: pd.DataFrame, staged: _Staged
    ) -> _Staged:
        """A mapped table's computed columns that no Mapping row places go to its companion table, whole."""
        side = self._sources().companion(decl) if decl.name in MAPPABLE else None
        if side is None or not set(staged.dirty) & set(side.column_names):
            return staged
        rows = frame[side.column_names].reset_index(drop=True)
        where = locate(self._pkg, self._cells, side)
        if where is None:
            _write_new_table(writer, side, rows, self._units(side))
        else:
            rows.index = pd.Index(np.arange(where.first_row, where.first_row + len(rows)), name="row")
            self._write_replaced(writer, side, where, rows)
        rest = {c: r for c, r in staged.dirty.items() if c not in side.column_names}
        return _Staged(staged.replaced, staged.appended_from, rest)

    def _write_replaced(
        self, writer: PackageWriter, decl: Table, where: Location, frame: pd.DataFrame
    ) -> None:
        header = [str(c) for c in frame.columns]
        c1 = where.first_col
        c2 = c1 + len(header) - 1
        new_last = where.header_row + max(1, len(frame))
        old_last = max(where.last_row, where.header_row + 1)
        self._refuse_overlap(where, where.last_col + 1, c2, where.header_row, new_last)
        self._refuse_overlap(where, c1, c2, old_last + 1, new_last)
        sheet = writer.sheet(where.sheet.part)
        cols = list(range(c1, c2 + 1))
        body_styles = [sheet.style_of(where.first_row, c) for c in cols]
        head_styles = [sheet.style_of(where.header_row, c) for c in cols]
        row_attrs = sheet.row_attributes(where.first_row)
        sheet.clear(where.header_row, c1, old_last, max(where.last_col, c2))
        _write_header(sheet, decl, where.header_row, cols, header, head_styles)
        _write_rows(
            sheet, decl, frame, cols, header, self._units(decl), styles=body_styles, row_attributes=row_attrs
        )
        if where.excel_table is not None:
            writer.set_table(
                where.excel_table, f"{cell_ref(where.header_row, c1)}:{cell_ref(new_last, c2)}", header
            )
        sheet.extend_ranges(where.first_row, old_last, new_last, c1, c2)

    def _write_changes(
        self, writer: PackageWriter, decl: Table, where: Location, frame: pd.DataFrame, staged: _Staged
    ) -> None:
        sheet = writer.sheet(where.sheet.part)
        positions = {normalise_header(h): where.first_col + i for i, h in enumerate(where.header) if h}
        header = list(where.header)
        appended = staged.appended_from
        new = frame.loc[frame.index >= appended] if appended is not None else frame.iloc[:0]
        # a column the user's table lacks is added only when arbook has something to put in it
        needed = set(staged.dirty) | {c for c in new.columns if _has_values(new[c])}
        added = [c for c in frame.columns if c in needed and normalise_header(c) not in positions]
        if added:
            first = where.first_col + len(header)
            self._refuse_overlap(
                where,
                first,
                first + len(added) - 1,
                where.header_row,
                max(where.last_row, int(frame.index.max())),
            )
            cols = list(range(first, first + len(added)))
            style = sheet.style_of(where.header_row, first - 1)
            _write_header(sheet, decl, where.header_row, cols, added, [style] * len(added))
            positions.update({normalise_header(c): col for c, col in zip(added, cols, strict=True)})
            header += added
        # computed columns of existing rows: one block per set of rows (usually one for all columns)
        blocks: dict[tuple[int, ...], list[str]] = {}
        for column, rows in staged.dirty.items():
            kept = tuple(sorted(r for r in rows if appended is None or r < appended))
            blocks.setdefault(kept, []).append(column)
        for rows, names in blocks.items():
            cols = [positions[normalise_header(n)] for n in names]
            _write_rows(sheet, decl, frame.loc[list(rows)], cols, names, self._units(decl))
        new_last = where.last_row
        if appended is not None:
            last = int(new.index.max())
            last_col = where.first_col + len(header) - 1
            self._refuse_overlap(where, where.first_col, last_col, max(where.last_row + 1, appended), last)
            template_row = max(where.first_row, min(where.last_row, appended - 1))
            names = [c for c in frame.columns if normalise_header(c) in positions]
            cols = [positions[normalise_header(n)] for n in names]
            _write_rows(
                sheet,
                decl,
                new,
                cols,
                names,
                self._units(decl),
                styles=[sheet.style_of(template_row, c) for c in cols],
                row_attributes=sheet.row_attributes(template_row),
            )
            new_last = max(new_last, last)
            sheet.extend_ranges(where.first_row, where.last_row, new_last, where.first_col, last_col)
        if where.excel_table is not None and (new_last != where.last_row or len(header) != len(where.header)):
            ref = f"{cell_ref(where.header_row, where.first_col)}:{cell_ref(new_last, where.first_col + len(header) - 1)}"
            writer.set_table(where.excel_table, ref, header if len(header) != len(where.header) else None)

    def _refuse_overlap(self, where: Location, c1: int, c2: int, r1: int, r2: int) -> None:
        """Growing a table must not write over anything the user has beside or below it."""
        if c2 < c1 or r2 < r1:
            return
        grid = self._cells.rows(where.sheet.name)
        for r in range(r1, min(r2, len(grid)) + 1):
            row = grid[r - 1]
            for c in range(c1, min(c2, len(row)) + 1):
                if row[c - 1] not in (None, ""):
                    raise UnsafeWorkbookError(
                        f"sheet {where.sheet.name}: cell {cell_ref(r, c)} holds {row[c - 1]!r}, where the "
                        f"{where.excel_table.name if where.excel_table else where.sheet.name} table must grow; "
                        "move that cell away from the table"
                    )


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


def _has_values(series: pd.Series) -> bool:
    """Whether a column holds anything to write (not only empty cells)."""
    return bool((series.notna() & (series.astype(str) != "")).any())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(path: Path) -> None:
    """Re-open what was written before it replaces the workbook: a bad file never takes its place."""
    with Package(path) as pkg:
        bad = pkg.zip.testzip()
        if bad is not None:
            raise UnsafeWorkbookError(
                f"the new version of the workbook failed its check at part {bad}; nothing was replaced"
            )
