"""Find each contract table in a workbook and read it into a typed DataFrame, fast.

A table is found by its Excel Table (ListObject) name; failing that, by a sheet of the same
name whose first non-empty row is the header. Cell values come from python-calamine (about
six times faster than openpyxl's read-only mode on 200,000 rows); table positions come from
the package's own XML (`workbook.package`), which calamine does not expose in full.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd
import python_calamine

from common.errors import Problem, UnsafeWorkbookError

from .contract import Owner, Table, normalise_header
from .convert import cell_text, frame_from_rows
from .layout import filled_span, is_total_row
from .package import Package, SheetRef, TableRef, column_index, parse_range
from .units import Units

__all__ = [
    "Location",
    "SheetCells",
    "fits",
    "headings",
    "locate",
    "read_located",
    "sheet_location",
    "total_rows",
]


@dataclass(frozen=True)
class Location:
    """Where a contract table sits: its sheet, header row and the extent of its data."""

    sheet: SheetRef
    header_row: int
    first_col: int
    last_col: int
    last_row: int  # last data row; == header_row when the table has no data row
    header: tuple[str, ...]
    excel_table: TableRef | None
    skip: frozenset[int] = frozenset()  # rows inside the extent that hold no record (a user's total rows)

    @property
    def first_row(self) -> int:
        return self.header_row + 1


class SheetCells:
    """Values of whole sheets from python-calamine, loaded once per sheet and kept.

    python-calamine stops on a damaged sheet with an exception, a panic, or (for a cell placed
    beyond Excel's last row) by asking for more memory than there is; each becomes a refusal
    naming the sheet, and positions are checked before a sheet is read.
    """

    def __init__(self, pkg: Package) -> None:
        self._pkg = pkg
        self._book = _calamine(pkg, "the workbook", python_calamine.CalamineWorkbook.from_path, str(pkg.path))
        self._cache: dict[str, list[list[object]]] = {}

    def rows(self, sheet: str) -> list[list[object]]:
        """All rows from A1 (row 1 is index 0), each as long as the sheet's used width."""
        if sheet not in self._cache:
            ref = self._pkg.sheet(sheet)
            where = self._pkg.describe(ref.part) if ref else f"the sheet {sheet}"
            if ref is not None:
                _refuse_beyond_excel(self._pkg, ref.part, where)
            self._cache[sheet] = _calamine(
                self._pkg, where, lambda: self._book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            )
        return self._cache[sheet]

    def close(self) -> None:
        self._book.close()


_LAST_ROW, _LAST_COLUMN = 1_048_576, 16_384  # XFD1048576, Excel's last cell
# A row or cell position (`r="..."`; calamine also takes 'single quotes' and lower-case letters)
# of three letters or more, or of seven digits or more: the only ones that can lie beyond
# XFD1048576. The pattern fails on an ordinary position ("J200001") within a few bytes of its
# literal start, so the scan costs about one pass over the sheet's XML; each rare hit is then
# judged exactly (AAA1 is column 703, well inside; B0000003 is row 3).
_FAR = re.compile(rb""" r=["']([A-Za-z]{0,2}+)(?:[A-Za-z]|[0-9]{7})""")
_POSITION = re.compile(rb"([A-Za-z]*)([0-9]*)")


def _refuse_beyond_excel(pkg: Package, part: str, where: str) -> None:
    """A cell or row placed beyond Excel's last cell is refused before python-calamine lays out the sheet."""
    with pkg.zip.open(part) as fh:
        tail = b""
        while chunk := fh.read(1 << 24):
            text = tail + chunk
            for m in _FAR.finditer(text):
                found = _POSITION.match(text, m.start(1))
                letters, digits = found[1].decode().upper(), found[2].decode()
                if column_index(letters or "A") > _LAST_COLUMN or int(digits or 1) > _LAST_ROW:
                    what = f"a cell at {letters}{digits}" if letters else f"row {digits}"
                    raise UnsafeWorkbookError(
                        f"{pkg.path.name}: {where} has {what}, beyond Excel's last cell XFD{_LAST_ROW}; "
                        "the file is damaged: restore it from backups/ beside it"
                    )
            tail = text[-64:]  # a position cut by the chunk's end is read whole with the next one


def _calamine(pkg: Package, where: str, read, *args):
    """What python-calamine reads, or a refusal naming the sheet when the file is damaged."""
    try:
        return read(*args)
    except python_calamine.CalamineError as exc:
        reason = str(exc)
    except BaseException as exc:  # a panic inside python-calamine is no Exception; anything else passes
        if type(exc).__name__ != "PanicException":
            raise
        reason = "python-calamine could not make sense of it"
    raise UnsafeWorkbookError(
        f"{pkg.path.name}: {where} cannot be read ({reason}); the file is damaged: restore it from "
        "backups/ beside it, or open it in Excel and save it again"
    ) from None


def locate(pkg: Package, cells: SheetCells, table: Table) -> Location | None:
    """The table's position, or None when the workbook does not hold it."""
    excel_table = pkg.table(table.name)
    if excel_table is not None:
        r1, c1, r2, c2 = parse_range(excel_table.ref)
        grid = cells.rows(excel_table.sheet.name)
        header_row = r1 if excel_table.header_rows else r1 - 1
        header = tuple(cell_text(_at(grid, header_row, c)) for c in range(c1, c2 + 1))
        last = r2 - excel_table.totals_rows
        return Location(excel_table.sheet, header_row, c1, c2, last, header, excel_table)
    sheet = pkg.sheet(table.name)
    if sheet is None or not sheet.is_worksheet:
        return None
    grid = cells.rows(sheet.name)
    for r, row in enumerate(grid, start=1):
        filled = [i for i, v in enumerate(row, start=1) if v not in (None, "")]
        if filled:
            c1, c2 = filled[0], filled[-1]
            header = tuple(cell_text(v) for v in row[c1 - 1 : c2])
            if table.owner is not Owner.USER and not fits(table, header):
                return None  # the user's own sheet that happens to bear an arbook name: never ours to write
            last = _last_filled_row(grid, r, c1, c2)
            return Location(sheet, r, c1, c2, last, header, None)
    return Location(sheet, 1, 1, len(table.columns), 1, (), None)


def fits(decl: Table, header: tuple[str, ...]) -> bool:
    """Whether a header row is the contract's: every required column, or most columns of a table without any."""
    have = {normalise_header(h) for h in header if h}
    if decl.required:
        return all(normalise_header(c) in have for c in decl.required)
    return 2 * sum(normalise_header(c) in have for c in decl.column_names) >= len(decl.columns)


def _at(grid: list[list[object]], row: int, col: int) -> object:
    if row - 1 < len(grid) and col - 1 < len(grid[row - 1]):
        return grid[row - 1][col - 1]
    return None


def _last_filled_row(grid: list[list[object]], header_row: int, c1: int, c2: int) -> int:
    for r in range(len(grid), header_row, -1):
        if any(v not in (None, "") for v in grid[r - 1][c1 - 1 : c2]):
            return r
    return header_row


def read_located(
    cells: SheetCells,
    table: Table,
    where: Location,
    *,
    date_order: str,
    date1904: bool,
    units: Units | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """The typed frame of a located table, and the problems of its cells (money per `units`)."""
    grid = cells.rows(where.sheet.name)
    body: Sequence[list[object]] = grid[where.first_row - 1 : where.last_row]
    width = len(body[0]) if body else 0
    if all(len(row) == width for row in body):  # calamine's rows are all as wide as the sheet
        # one flat list, then a 2-D view: several times faster than numpy sizing up a list of lists
        flat = np.fromiter(chain.from_iterable(body), dtype=object, count=len(body) * width)
        rows = flat.reshape(len(body), width)[:, where.first_col - 1 : where.last_col]
    else:
        rows = [row[where.first_col - 1 : where.last_col] for row in body]
    for skipped in where.skip:  # blanked, so the row is dropped like any empty one and keeps the numbering
        rows[skipped - where.first_row] = [None] * (where.last_col - where.first_col + 1)
    return frame_from_rows(
        table,
        where.header,
        rows,
        first_row=where.first_row,
        header_row=where.header_row,
        date_order=date_order,
        date1904=date1904,
        units=units,
    )


def headings(grid: list[list[object]], header_row: int) -> tuple[int, int, tuple[str, ...]]:
    """The first and last filled column of a heading row, and the headings between them."""
    span = filled_span(grid[header_row - 1]) if header_row <= len(grid) else None
    if span is None:
        return 1, 1, ()
    c1, c2 = span
    return c1, c2, tuple(cell_text(v) for v in grid[header_row - 1][c1 - 1 : c2])


def sheet_location(sheet: SheetRef, grid: list[list[object]], header_row: int) -> Location:
    """The records below `header_row` of a sheet: its heading columns, down to the last filled row."""
    c1, c2, header = headings(grid, header_row)
    last = _last_filled_row(grid, header_row, c1, c2) if header else header_row
    return Location(sheet, header_row, c1, c2, last, header, None)


def total_rows(
    grid: list[list[object]], where: Location, header: tuple[str, ...], decl: Table
) -> frozenset[int]:
    """Rows of a user's sheet that are totals, not records (`workbook.layout.is_total_row`).

    Only a row lacking a required column can be one ("Summe" has no customer and no date), so
    a complete record is never taken for a total, and most rows are passed over at a glance.
    """
    required = {normalise_header(c) for c in decl.required}
    needed = [where.first_col - 1 + i for i, h in enumerate(header) if normalise_header(h) in required]
    body = grid[where.first_row - 1 : where.last_row]
    incomplete = [
        number
        for number, row in enumerate(body, start=where.first_row)
        if any(i >= len(row) or row[i] is None or row[i] == "" for i in needed)
    ]
    return frozenset(r for r in incomplete if is_total_row(grid[r - 1][where.first_col - 1 : where.last_col]))
