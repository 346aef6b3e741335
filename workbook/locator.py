"""Where each contract table lives in a workbook, and reading it from there: one rule for every book.

A table is found, in this order:
  1. through the workbook's Mapping, for Customers, Invoices and Orders kept in the user's own
     sheets and columns (`workbook.mapping`), its heading row found below any titles and its
     total rows left out (`workbook.layout`);
  2. as an Excel Table (ListObject) of its name;
  3. as a sheet of its name whose first non-empty row is the header (`workbook.reader`); for
     the user's own tables, when that row is a title, the first of the top rows that holds
     the table's required headings (`workbook.layout.heading_rows`), and total rows such as
     "Summe" or "合计" are no records there either;
and the computed columns of a mapped table that no Mapping row places live in its companion
table (`InvoicesComputed`, `CustomersComputed`), found the same way and joined back by key.

The file book and the Excel book (`macros.live.LiveBook`) both read through a `Locator`, over
what each can show of a workbook: its sheets and Excel Tables (`Structure`; the package's XML
for a file, xlwings' sheets and tables in Excel) and the values of a sheet's cells from A1
(`Grid`; python-calamine for a file, one range read in Excel). So an adopted workbook reads as
the same frames, with the same problems, whichever book reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

import pandas as pd

from common.errors import UnsafeWorkbookError

from .contract import Owner, Table
from .layout import heading_rows
from .mapping import MAPPABLE, Mapping, load_mapping
from .package import SheetRef, TableRef, cell_ref
from .reader import Location, fits, headings, locate, read_located, sheet_location, total_rows
from .units import Units
from .validate import absent_table, accept

__all__ = ["Grid", "Locator", "Structure", "refuse_overlap"]


class Structure(Protocol):
    """A workbook's sheets and Excel Tables (`workbook.package.Package` is one)."""

    sheets: list[SheetRef]
    tables: dict[str, TableRef]  # by casefolded name
    date1904: bool

    def sheet(self, name: str) -> SheetRef | None: ...

    def table(self, name: str) -> TableRef | None: ...


class Grid(Protocol):
    """A sheet's cell values (`workbook.reader.SheetCells` is one)."""

    def rows(self, sheet: str) -> list[list[object]]:
        """All rows from A1 (row 1 is index 0), each as long as the sheet's used width."""
        ...


class Locator:
    """The places of a workbook's contract tables, found once and kept until `forget`."""

    def __init__(self, structure: Structure, grid: Grid) -> None:
        self.structure = structure
        self.grid = grid
        self._where: dict[str, Location | None] = {}
        self._mapping: Mapping | None = None

    def locate(self, decl: Table) -> Location | None:
        """The table's place (Mapping, else Excel Table, else sheet), or None when the workbook lacks it."""
        if decl.name not in self._where:
            mapped = self.mapping().locate(self.structure, self.grid, decl) if decl.name in MAPPABLE else None
            self._where[decl.name] = mapped or self._own(decl)
        return self._where[decl.name]

    def _own(self, decl: Table) -> Location | None:
        """An Excel Table or sheet of the table's name; on a user's sheet, its headings below any titles."""
        where = locate(self.structure, self.grid, decl)
        if where is None or where.excel_table is not None or decl.owner is not Owner.USER:
            return where
        grid = self.grid.rows(where.sheet.name)
        if not fits(decl, where.header):
            row = next((r for r in heading_rows(grid) if fits(decl, headings(grid, r)[2])), None)
            if row is not None:
                where = sheet_location(where.sheet, grid, row)
        return replace(where, skip=total_rows(grid, where, where.header, decl))

    def mapping(self) -> Mapping:
        """The workbook's Mapping (empty when it has none)."""
        if self._mapping is None:
            self._mapping = load_mapping(self.structure, self.grid)
        return self._mapping

    def companion(self, decl: Table) -> Table | None:
        """The arbook table holding the computed columns of a mapped table that no Mapping row places."""
        return self.mapping().companion(decl) if decl.name in MAPPABLE else None

    def locate_companion(self, side: Table) -> Location | None:
        """A companion table's place: an Excel Table or sheet of its name (never mapped)."""
        return locate(self.structure, self.grid, side)

    def created(self, decl: Table) -> None:
        """The table is being added as a new Excel Table: until written it has no place, whatever bears its name."""
        self._where[decl.name] = None

    def forget(self, decl: Table | None = None) -> None:
        """Find a table again (None: every table, and the Mapping) after its place may have changed."""
        if decl is None:
            self._where.clear()
            self._mapping = None
        else:
            self._where.pop(decl.name, None)

    def read(
        self,
        decl: Table,
        *,
        date_order: str,
        units: Units,
        workbook: str,
        read: Callable[[str], pd.DataFrame],
    ) -> pd.DataFrame:
        """The table typed (money in the decimals of each row's currency, `units`), checked
        (`workbook.validate.accept`) and, when mapped, joined with its companion.

        `read` reads another table of the same book (Customers, for references and terms).
        """
        where = self.locate(decl)
        if where is None:
            return absent_table(decl)
        frame, problems = read_located(
            self.grid, decl, where, date_order=date_order, date1904=self.structure.date1904, units=units
        )
        mapped = decl.name in MAPPABLE
        frame = accept(
            decl,
            frame,
            problems,
            workbook=workbook,
            read=read,
            explain=(lambda found: self.mapping().explain(decl.name, found)) if mapped else None,
        )
        if mapped:
            frame = self.mapping().join_computed(self.structure, self.grid, decl, frame)
        return frame


def refuse_overlap(grid: Grid, where: Location, c1: int, c2: int, r1: int, r2: int) -> None:
    """Growing a table to columns c1..c2, rows r1..r2 must not write over anything the user has there."""
    if c2 < c1 or r2 < r1:
        return
    rows = grid.rows(where.sheet.name)
    for r in range(r1, min(r2, len(rows)) + 1):
        row = rows[r - 1]
        for c in range(c1, min(c2, len(row)) + 1):
            if row[c - 1] not in (None, ""):
                raise UnsafeWorkbookError(
                    f"sheet {where.sheet.name}: cell {cell_ref(r, c)} holds {row[c - 1]!r}, where the "
                    f"{where.excel_table.name if where.excel_table else where.sheet.name} table must grow; "
                    "move that cell away from the table"
                )
