"""The workbook open in Excel as a `Book`, through xlwings: the other side of `workbook.filebook`.

Tables are found and read by the same `workbook.locator.Locator` as the file book's (the
Mapping and the user's own sheets, Excel Tables, plain sheets, companion tables), over what
xlwings shows of the open workbook: its sheets and ListObjects, and each sheet's values from
A1 read in one call (a call into Excel costs about a millisecond; a cell at a time would take
minutes on a real ledger). So an adopted workbook reads as the same frames, with the same
problems, in Excel and headless.

Changes are staged, as in the file book (`workbook.staging.StagingBook`), and `commit` applies
them in one go, keeping as many of the command line's promises as Excel allows:

  1. every change is encoded into cells (`workbook.cells`, the codec every writer shares) and
     checked against the user's cells beside the tables before Excel is touched: a value
     Excel cannot hold, or a table that would grow over the user's cells, changes nothing;
  2. a copy of the workbook as it is in Excel goes to backups/ beside it (Workbook.SaveCopyAs;
     the same names and retention as the command line's backups);
  3. with calculation manual and screen updating off (both put back afterwards, also on
     failure), the cells are written, each block's previous contents (formulas as formulas)
     noted first; if Excel raises halfway, every block already written is put back from those
     notes in reverse order, so the open workbook is never left half-written, and the refusal
     names the table and sheet, the copy in backups/, and what to do;
  4. one Audit row records the run, written in the same go (put back with the rest on a
     failure), with SHA256Before (the copy in backups/: the workbook as arbook found it) and
     SHA256After (a copy saved with the changes, before its Audit row, then removed); then
     the workbook is saved. A save Excel refuses is named, with what to do: the changes are
     in the open workbook, which the user saves or closes without saving.

Text goes into Excel with a leading apostrophe: Excel stores the rest as text, so a memo
"=HYPERLINK(...)" or an ID "00123" is never turned into a formula or a number. Money cells get
their currency's number format (1,234 JPY, 1,234.567 KWD) by the file book's rule
(`workbook.cells.money_format_over`): a format the user chose is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

import pandas as pd

from common.errors import UnsafeWorkbookError
from workbook.book import audit_row
from workbook.cells import Encoded, encode, encode_column, money_format_over
from workbook.contract import Column, Settings, Table, normalise_header, table
from workbook.locator import Locator
from workbook.package import SheetRef, TableRef
from workbook.reader import Location
from workbook.safety import backup_path, prune_backups, sha256_of, temp_path
from workbook.staging import Staged, StagingBook, aside, changes, replacement
from workbook.units import Units
from workbook.writer import free_sheet_name

__all__ = ["LiveBook", "excel_busy", "excel_cells", "excel_value"]


def excel_value(column: Column | None, value: object) -> object:
    """One typed value as Excel should receive it (see `excel_cells`); a column-less value is text or a moment."""
    if column is not None:
        kind = column.kind
    else:
        kind = "datetime" if isinstance(value, (dt.date, pd.Timestamp)) else "text"
    encoded = encode(pd.Series([value], dtype=object), kind, table="", column=column.name if column else "")
    return excel_cells(encoded)[0]


def excel_cells(encoded: Encoded) -> list[object]:
    """Encoded cells as xlwings hands them to Excel: text after an apostrophe (Excel keeps the
    rest as text), numbers and datetimes as they are, None for an empty cell."""
    if encoded.codec.cell == "text":
        return [None if v is None else "'" + v for v in encoded.cells]
    return list(encoded.cells)


@contextmanager
def excel_busy(app: Any) -> Iterator[None]:
    """Calculation manual and screen updating off while arbook writes; both put back, error or not."""
    screen, calculation = app.screen_updating, app.calculation
    app.screen_updating = False
    app.calculation = "manual"
    try:
        yield
    finally:
        app.calculation = calculation
        app.screen_updating = screen
        app.status_bar = False  # hand the status bar back to Excel


def _runs(positions: list[tuple[int, int]]) -> list[tuple[int, list[int]]]:
    """(offset, frame positions) of each run of consecutive body rows, so each run is one write."""
    runs: list[tuple[int, list[int]]] = []
    for offset, i in positions:
        if runs and offset == runs[-1][0] + len(runs[-1][1]):
            runs[-1][1].append(i)
        else:
            runs.append((offset, [i]))
    return runs


# -- what xlwings shows of the workbook, as the locator reads it --------------------------------------


class ExcelStructure:
    """The open workbook's sheets and ListObjects (a `workbook.locator.Structure`)."""

    def __init__(self, xlbook: Any) -> None:
        self.sheets: list[SheetRef] = []
        self.tables: dict[str, TableRef] = {}
        for index, sheet in enumerate(xlbook.sheets, start=1):
            ref = SheetRef(sheet.name, index, "", "", True)
            self.sheets.append(ref)
            for tbl in sheet.tables:
                self.tables[tbl.name.casefold()] = TableRef(
                    name=tbl.name,
                    part="",
                    sheet=ref,
                    ref=tbl.range.address.replace("$", ""),
                    header_rows=0 if tbl.header_row_range is None else 1,
                    totals_rows=0 if tbl.totals_row_range is None else 1,
                )
        self.date1904 = False  # xlwings hands date cells over as datetimes, in either date system

    def sheet(self, name: str) -> SheetRef | None:
        wanted = name.casefold()
        return next((s for s in self.sheets if s.name.casefold() == wanted), None)

    def table(self, name: str) -> TableRef | None:
        return self.tables.get(name.casefold())


class ExcelGrid:
    """Each sheet's values from A1 to the end of its used range, read in one call and kept (a `Grid`)."""

    def __init__(self, xlbook: Any) -> None:
        self._xl = xlbook
        self._cache: dict[str, list[list[object]]] = {}

    def rows(self, sheet: str) -> list[list[object]]:
        if sheet not in self._cache:
            target = self._xl.sheets[sheet]
            last = target.used_range.last_cell
            values = target.range((1, 1), (last.row, last.column)).options(ndim=2).value
            self._cache[sheet] = [list(row) for row in values]
        return self._cache[sheet]


# -- the steps of a commit, each noting how to undo itself ---------------------------------------------

Undo = Callable[[], None]


@dataclass(frozen=True)
class _Cells:
    """Values (as xlwings hands them to Excel) into the block whose top left cell is (row, col)."""

    sheet: str
    row: int
    col: int
    values: list[list[object]]
    what: str
    formats: list[list[str | None]] | None = None  # each money cell's format (`_money_formats`)
    like: int | None = None  # the row whose formats new rows start from (`_format_money`)

    def apply(self, xlbook: Any, undo: list[Undo]) -> None:
        sheet = xlbook.sheets[self.sheet]
        target = sheet.range((self.row, self.col)).resize(len(self.values), len(self.values[0]))
        undo.append(_restorer(target))
        target.value = self.values
        if self.formats is not None:
            _format_money(sheet, self.row, self.col, self.formats, undo, self.like)


@dataclass(frozen=True)
class _Clear:
    sheet: str
    top: int
    left: int
    bottom: int
    right: int
    what: str

    def apply(self, xlbook: Any, undo: list[Undo]) -> None:
        target = xlbook.sheets[self.sheet].range((self.top, self.left), (self.bottom, self.right))
        undo.append(_restorer(target))
        target.clear_contents()


@dataclass(frozen=True)
class _Resize:
    """An Excel Table (ListObject) made to cover rows top..bottom, columns left..right."""

    sheet: str
    name: str
    top: int
    left: int
    bottom: int
    right: int
    what: str

    def apply(self, xlbook: Any, undo: list[Undo]) -> None:
        sheet = xlbook.sheets[self.sheet]
        tbl = sheet.tables[self.name]
        old = tbl.range.address
        undo.append(lambda: tbl.resize(sheet.range(old)))
        tbl.resize(sheet.range((self.top, self.left), (self.bottom, self.right)))


@dataclass(frozen=True)
class _NewTable:
    """A missing arbook table: a new sheet of its name (or a free one) holding an Excel Table of it."""

    name: str
    block: list[list[object]]  # header, then rows
    what: str
    formats: list[list[str | None]]  # the rows' money formats (`_money_formats`)

    def apply(self, xlbook: Any, undo: list[Undo]) -> None:
        title = free_sheet_name(self.name, {s.name.casefold() for s in xlbook.sheets})
        sheet = xlbook.sheets.add(title, after=xlbook.sheets[-1])
        undo.append(sheet.delete)
        width = len(self.block[0])
        sheet.range("A1").resize(len(self.block), width).value = self.block
        _format_money(sheet, 2, 1, self.formats, undo)
        sheet.tables.add(source=sheet.range("A1").resize(max(len(self.block), 2), width), name=self.name)


_Step = _Cells | _Clear | _Resize | _NewTable


def _format_money(
    sheet: Any, row: int, col: int, formats: list[list[str | None]], undo: list[Undo], like: int | None = None
) -> None:
    """Each money cell of the block written at (row, col) gets the number format of its currency
    (`formats`) as the file book gives it (`money_format_over`): over General and arbook's own
    money formats, never over a format the user chose. The format it starts from is the cell's
    own, or, for a table's rows laid out anew, that of the same column in row `like` (the first
    body row of a replaced table, the row above appended ones), as the file book copies it.
    One call per run of a column's cells wanting the same, cell by cell only where a run shows
    mixed formats; each change noted in `undo`."""
    for j in range(len(formats[0]) if formats else 0):
        column = [row_formats[j] for row_formats in formats]
        if not any(column):
            continue  # not money
        start = sheet.range((like, col + j)).number_format if like is not None else None
        i = 0
        for wanted, run in groupby(column):
            n = len(list(run))
            if wanted is not None:
                final = None if start is None else money_format_over(start, wanted) or start
                _set_format(sheet, row + i, col + j, n, wanted, final, undo)
            i += n


def _set_format(
    sheet: Any, row: int, col: int, n: int, wanted: str, final: str | None, undo: list[Undo]
) -> None:
    """Rows row..row+n-1 of column `col` made to show `final`, or (None) each what
    `money_format_over` makes of its own format."""
    target = sheet.range((row, col)).resize(n, 1)
    shown = target.number_format
    if not isinstance(shown, str):  # Excel's NumberFormat is Null where the cells differ (never for one)
        for k in range(n) if n > 1 else ():
            _set_format(sheet, row + k, col, 1, wanted, final, undo)
        return
    to = final if final is not None else money_format_over(shown, wanted)
    if to is not None and to != shown:
        undo.append(lambda: setattr(target, "number_format", shown))
        target.number_format = to


def _restorer(target: Any) -> Undo:
    """How to put a block back as it is now: formulas as formulas, text as text, values as values."""
    values = target.options(ndim=2).value
    formulas = target.formula
    if not isinstance(formulas, tuple):
        formulas = ((formulas,),)
    cells = [
        [
            f if isinstance(f, str) and f.startswith("=") else ("'" + v if isinstance(v, str) else v)
            for f, v in zip(frow, vrow, strict=True)
        ]
        for frow, vrow in zip(formulas, values, strict=True)
    ]

    def restore() -> None:
        target.value = cells

    return restore


# -- the book -------------------------------------------------------------------------------------------


class LiveBook(StagingBook):
    """An xlwings `Book` (the one that called us) as an arbook `Book`."""

    def __init__(self, xlbook: Any, *, keep_backups: int = 10) -> None:
        self._xl = xlbook
        self._keep_backups = keep_backups
        self._reset()

    def _reset(self) -> None:
        """Forget what was read and staged: the next read looks at Excel again."""
        self._locator = Locator(ExcelStructure(self._xl), ExcelGrid(self._xl))
        self._frames: dict[str, pd.DataFrame] = {}
        self._staged: dict[str, Staged] = {}
        self._settings: Settings | None = None

    @property
    def path(self) -> Path:
        return Path(self._xl.fullname)

    @property
    def dry_run(self) -> bool:
        """Never: a run from Excel writes what it staged (there is no dry-run button)."""
        return False

    @property
    def _name(self) -> str:
        return self._xl.name

    # -- committing -----------------------------------------------------------------------------------
    def commit(self, command: str, summary: str, *, result: str = "OK") -> None:
        """Apply every staged change and the Audit row in one go, then save (see the module's steps).
        The Dashboard's status cells, `result` among them, are the Run button's to fill once its whole
        run is over (`macros.entry`)."""
        path = self.path
        if not path.is_file():
            raise UnsafeWorkbookError(
                f"{self._name} has not been saved as a file yet: save it (as an .xlsm workbook) and run again"
            )
        steps = self._plan()
        backup = backup_path(path)
        self._xl.api.SaveCopyAs(str(backup))
        prune_backups(path, self._keep_backups)
        before = sha256_of(backup)
        undo: list[Undo] = []
        with excel_busy(self._xl.app):
            self._apply(steps, undo, backup)
            after = self._hash_as_saved(path)
            self._reset()
            self.append("Audit", audit_row(command, summary, before, after))
            self._apply(self._plan(), undo, backup)
            self._save(backup)
        self._reset()

    def _hash_as_saved(self, path: Path) -> str:
        """The SHA-256 of the workbook as Excel would save it now (a copy, made and removed)."""
        copy = temp_path(path, "after")
        try:
            self._xl.api.SaveCopyAs(str(copy))
            return sha256_of(copy)
        finally:
            copy.unlink(missing_ok=True)

    def _apply(self, steps: list[_Step], undo: list[Undo], backup: Path) -> None:
        """Each step in turn; on an error, every step of this commit is put back (`undo`), newest first."""
        step: _Step | None = None
        try:
            for step in steps:
                step.apply(self._xl, undo)
        except Exception as exc:
            failed = _undo(undo)
            self._reset()
            where = step.what if step is not None else "the workbook"
            state = (
                "every cell arbook had changed in this run is back as it was, and nothing was saved"
                if not failed
                else f"{failed} change(s) could not be put back: close the workbook WITHOUT saving and open it again"
            )
            raise UnsafeWorkbookError(
                f"{self._name}: writing {where} failed ({type(exc).__name__}: {exc}); {state}. A copy from "
                f"before the run: backups/{backup.name}. Run the operation again; if it fails the same way, "
                "send this message to whoever looks after arbook"
            ) from exc

    def _save(self, backup: Path) -> None:
        try:
            self._xl.save()
        except Exception as exc:
            raise UnsafeWorkbookError(
                f"{self._name}: arbook wrote its changes into the open workbook, but Excel could not save it "
                f"({type(exc).__name__}: {exc}); save it yourself (File > Save As, if its folder is read-only), or "
                f"close it without saving to keep the file as it was (a copy from before the run: backups/{backup.name})"
            ) from exc

    # -- what to write, decided before Excel is touched (mirrors FileBook._write) ---------------------
    def _plan(self) -> list[_Step]:
        steps: list[_Step] = []
        for name, staged in self._staged.items():
            decl = table(name)
            frame = self._frames[name]
            where = self._locate(decl)
            if where is None:
                steps.append(_new_table(decl, frame, self._units(decl)))
            elif staged.replaced:
                steps += self._replaced(decl, where, frame)
            else:
                staged = self._computed_aside(steps, decl, frame, staged)
                if staged.dirty or staged.appended_from is not None:
                    steps += self._changes(decl, where, frame, staged)
        return steps

    def _computed_aside(self, steps: list[_Step], decl: Table, frame: pd.DataFrame, staged: Staged) -> Staged:
        """A mapped table's computed columns that no Mapping row places go to its companion table, whole."""
        part = aside(self._locator, decl, frame, staged)
        if part is None:
            return staged
        if part.where is None:
            steps.append(_new_table(part.side, part.rows, self._units(part.side)))
        else:
            steps += self._replaced(part.side, part.where, part.rows)
        return part.rest

    def _replaced(self, decl: Table, where: Location, frame: pd.DataFrame) -> list[_Step]:
        block = replacement(self._locator.grid, where, frame)
        what = _what(decl, where)
        sheet, top, left = where.sheet.name, block.header_row, block.first_col
        values, formats = _rows(decl, frame, block.header, self._units(decl))
        steps: list[_Step] = [
            _Clear(sheet, top, left, block.old_last, block.clear_last_col, what),
            _Cells(
                sheet,
                top,
                left,
                [_header_cells(decl, block.header), *values],
                what,
                [[None] * len(block.header), *formats],
                where.first_row,
            ),
        ]
        if where.excel_table is not None:
            steps.append(
                _Resize(sheet, where.excel_table.name, top, left, block.new_last, block.last_col, what)
            )
        return steps

    def _changes(self, decl: Table, where: Location, frame: pd.DataFrame, staged: Staged) -> list[_Step]:
        sheet, what = where.sheet.name, _what(decl, where)
        plan = changes(self._locator.grid, where, frame, staged)
        positions = plan.positions
        steps: list[_Step] = []
        if plan.added:
            steps.append(
                _Cells(sheet, where.header_row, plan.first_added, [_header_cells(decl, plan.added)], what)
            )
        # per set of rows, one write per run of adjacent rows and adjacent columns
        for rows, names in plan.blocks.items():
            if not rows:
                continue
            names = sorted(names, key=lambda n: positions[normalise_header(n)])
            encoded = dict(
                zip(names, _columns(decl, frame.loc[list(rows)], names, self._units(decl)), strict=True)
            )
            cells = {n: excel_cells(e) for n, e in encoded.items()}
            formats = {n: _money_formats(e) for n, e in encoded.items()}
            for first_row, run in _runs([(r, i) for i, r in enumerate(rows)]):
                for col, group in _column_runs([(positions[normalise_header(n)], n) for n in names]):
                    steps.append(
                        _Cells(
                            sheet,
                            first_row,
                            col,
                            [[cells[n][i] for n in group] for i in run],
                            what,
                            [[formats[n][i] for n in group] for i in run],
                        )
                    )
        if staged.appended_from is not None:
            names = [c for c in frame.columns if normalise_header(c) in positions]
            values: list[list[object]] = [[None] * len(plan.header) for _ in range(len(plan.new))]
            formats: list[list[str | None]] = [[None] * len(plan.header) for _ in range(len(plan.new))]
            for name, column in zip(names, _columns(decl, plan.new, names, self._units(decl)), strict=True):
                col = positions[normalise_header(name)] - where.first_col
                for i, (value, shown) in enumerate(
                    zip(excel_cells(column), _money_formats(column), strict=True)
                ):
                    values[i][col], formats[i][col] = value, shown
            like = max(where.first_row, min(where.last_row, staged.appended_from - 1))  # as the file book
            steps.append(_Cells(sheet, staged.appended_from, where.first_col, values, what, formats, like))
        if where.excel_table is not None and (plan.last_row != where.last_row or plan.added):
            steps.append(
                _Resize(
                    sheet,
                    where.excel_table.name,
                    where.header_row,
                    where.first_col,
                    plan.last_row,
                    plan.last_col,
                    what,
                )
            )
        return steps


def _undo(undo: list[Undo]) -> int:
    """Run the notes in reverse order; how many could not be run."""
    failed = 0
    for restore in reversed(undo):
        try:
            restore()
        except Exception:  # keep putting back the rest; the message then says to reopen the workbook
            failed += 1
    return failed


def _what(decl: Table, where: Location) -> str:
    holder = where.excel_table.name if where.excel_table is not None else decl.name
    return f"the {holder} table on the sheet {where.sheet.name}"


def _header_cells(decl: Table, names: list[str]) -> list[object]:
    return excel_cells(encode(pd.Series(names, dtype=object), "text", table=decl.name, column="(header)"))


def _columns(decl: Table, frame: pd.DataFrame, names: list[str], units: Units) -> list[Encoded]:
    """Each named column of `frame` encoded for the Excel rows of its index, money in the decimals
    of each row's currency (`units`, from the frame's other columns)."""
    rows = frame.index.tolist()
    return [
        encode_column(decl, name, frame[name], rows, units.for_column(decl, name, frame)) for name in names
    ]


def _money_formats(encoded: Encoded) -> list[str | None]:
    """The number format each cell of a money column should show (its currency's decimals);
    None for an empty cell and for every cell of another kind (Excel formats dates itself)."""
    if encoded.kind != "money":
        return [None] * len(encoded.cells)
    return [None if v is None else encoded.number_format(i) for i, v in enumerate(encoded.cells)]


def _rows(
    decl: Table, frame: pd.DataFrame, names: list[str], units: Units
) -> tuple[list[list[object]], list[list[str | None]]]:
    """The rows as Excel receives them, and each cell's money format (`_money_formats`)."""
    columns = _columns(decl, frame, names, units)
    if not columns:
        return [], []
    values = zip(*(excel_cells(c) for c in columns), strict=True)
    formats = zip(*(_money_formats(c) for c in columns), strict=True)
    return [list(r) for r in values], [list(r) for r in formats]


def _column_runs(columns: list[tuple[int, str]]) -> list[tuple[int, list[str]]]:
    """(first sheet column, names) of each run of adjacent columns, so each run is one write."""
    runs: list[tuple[int, list[str]]] = []
    for col, name in sorted(columns):
        if runs and col == runs[-1][0] + len(runs[-1][1]):
            runs[-1][1].append(name)
        else:
            runs.append((col, [name]))
    return runs


def _new_table(decl: Table, frame: pd.DataFrame, units: Units) -> _NewTable:
    header = [str(c) for c in frame.columns]
    body = frame.set_axis(range(2, 2 + len(frame)), axis=0)
    values, formats = _rows(decl, body, header, units)
    return _NewTable(decl.name, [_header_cells(decl, header), *values], f"the new {decl.name} table", formats)
