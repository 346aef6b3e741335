"""A Book held in memory: typed frames and no file, for fast unit tests of operations.

As httpx's MockTransport stands in for the network, a MemoryBook stands in for a workbook: an
operation reads, stages and commits on it exactly as on a FileBook, and the Book contract tests
(tests/test_book_contract.py) run on all three books. It holds each table as the cells a sheet
would hold, made by the cell codec and typed by the reader (`workbook.cells`,
`workbook.convert`) on every read, so types, refusals and defaults are those of the other books.
Real files stay for the contract, round-trip and end-to-end tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .book import audit_row
from .cells import encode_column
from .contract import Settings, Table, table
from .convert import frame_from_rows
from .settings import date_order_for
from .staging import BookSettings, appended, computed, replaced
from .units import Units, base_currency_of, book_units
from .validate import absent_table, accept

__all__ = ["MemoryBook"]


@dataclass(frozen=True)
class _Sheet:
    """A table as a sheet holds it: its header row (Excel row number), header and rows of cells."""

    header_row: int
    header: list[str]
    rows: list[list[object]]


class MemoryBook(BookSettings):
    """Tables in memory as a `Book`.

    `tables` maps a table name to its rows as a frame typed per the contract (money in Int64
    cents, dates as datetime64, IDs as str); a frame indexed by Excel row (index named "row", as
    `Book.read` returns) keeps those rows, any other starts under a header in row 1. Use as a
    context manager, like the file book: leaving it drops what was staged and not committed.
    """

    def __init__(
        self, tables: Mapping[str, pd.DataFrame] | None = None, *, path: Path | str = "memory.xlsx"
    ) -> None:
        self._path = Path(path)
        self._sheets: dict[str, _Sheet] = {}
        given = {table(name).name: frame for name, frame in (tables or {}).items()}
        base = base_currency_of(given.get("Settings"))
        for name, frame in given.items():
            decl = table(name)
            rows = frame if frame.index.name == "row" else frame.set_axis(range(2, 2 + len(frame)), axis=0)
            header_row = int(rows.index[0]) - 1 if len(rows) else 1
            units = book_units(decl, lambda: base, lambda: given.get("Customers", pd.DataFrame()))
            self._sheets[decl.name] = _sheet(decl, rows, header_row, units)
        self._frames: dict[str, pd.DataFrame] = {}
        self._staged: set[str] = set()
        self._settings: Settings | None = None

    def __enter__(self) -> MemoryBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    @property
    def path(self) -> Path:
        return self._path

    @property
    def dry_run(self) -> bool:
        """Never: a commit keeps what was staged (until the book is dropped)."""
        return False

    def has(self, name: str) -> bool:
        return table(name).name in self._sheets

    def _load(self, decl: Table) -> pd.DataFrame:
        sheet = self._sheets.get(decl.name)
        if sheet is None:
            return absent_table(decl)
        date_order = date_order_for(decl.name, self.settings)
        frame, problems = frame_from_rows(
            decl,
            sheet.header,
            sheet.rows,
            first_row=sheet.header_row + 1,
            header_row=sheet.header_row,
            date_order=date_order,
            units=self._units(decl),
        )
        return accept(decl, frame, problems, workbook=self._path.name, read=self.read)

    def write_columns(self, name: str, key: str, frame: pd.DataFrame) -> None:
        decl = table(name)
        self._frames[decl.name] = computed(decl, self.read(decl.name), key, frame)[0]
        self._staged.add(decl.name)

    def replace(self, name: str, frame: pd.DataFrame) -> None:
        decl = table(name)
        sheet = self._sheets.get(decl.name)
        self._frames[decl.name] = replaced(decl, frame, sheet.header_row if sheet else 1)
        self._staged.add(decl.name)

    def append(self, name: str, frame: pd.DataFrame) -> None:
        decl = table(name)
        sheet = self._sheets.get(decl.name)
        new, first = appended(decl, self.read(decl.name), frame, sheet.header_row + 1 if sheet else 2)
        if first is not None:
            self._frames[decl.name] = new
            self._staged.add(decl.name)

    def commit(self, command: str, summary: str, *, result: str = "OK") -> None:
        """Every staged table becomes cells at once, with one Audit row (no file, so no hashes,
        and no Dashboard for `result`)."""
        self.append("Audit", audit_row(command, summary))
        sheets = {}
        for name in self._staged:
            frame = self._frames[name]
            header_row = int(frame.index[0]) - 1 if len(frame) else self._header_row(name)
            decl = table(name)
            sheets[name] = _sheet(
                decl, frame, header_row, self._units(decl)
            )  # all encoded before any is kept
        self._sheets.update(sheets)
        self.discard()

    def discard(self) -> None:
        """Forget what was staged and not committed, as closing a file book does."""
        self._staged.clear()
        self._frames.clear()
        self._settings = None

    def _header_row(self, name: str) -> int:
        sheet = self._sheets.get(name)
        return sheet.header_row if sheet else 1


def _sheet(decl: Table, frame: pd.DataFrame, header_row: int, units: Units) -> _Sheet:
    """The cells a sheet would hold for a typed frame whose index is its Excel rows (an empty row
    where the index skips one, as the reader skips empty rows)."""
    rows = frame.index.tolist()
    columns = [
        encode_column(decl, str(c), frame[c], rows, units.for_column(decl, str(c), frame)).cells
        for c in frame.columns
    ]
    grid: list[list[object]] = [[None] * len(columns) for _ in range((rows[-1] - header_row) if rows else 0)]
    for r, cells in zip(rows, zip(*columns, strict=True), strict=True):
        grid[r - header_row - 1] = list(cells)
    return _Sheet(header_row, [str(c) for c in frame.columns], grid)
