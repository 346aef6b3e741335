"""The workbook open in Excel as a `Book`, through xlwings: the other side of `workbook.filebook`.

Every read and write moves a whole range in one call (a call into Excel costs about a
millisecond; a cell at a time would take minutes on a real ledger). Reads are typed and
refused by the same code as the file reader (`workbook.convert.frame_from_rows`, then
`workbook.validate`), so a workbook passes or fails identically in Excel and headless.

Values become cells by `workbook.cells`, the codec every writer shares; text goes into Excel
with a leading apostrophe: Excel stores the rest as text, so a memo "=HYPERLINK(...)" or an ID
"00123" is never turned into a formula or a number.
Changes apply at once, as Excel always does; `commit` only records the Audit row and the
user saves (or not) as with any other edit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from workbook.book import audit_row
from workbook.cells import Encoded, encode, encode_column
from workbook.contract import Column, Owner, Settings, Table, normalise_header, table
from workbook.convert import frame_from_rows
from workbook.settings import date_order_for, settings_from_frame
from workbook.units import Units, book_units
from workbook.validate import absent_table, accept, writable_columns

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
    """Screen updating off while arbook writes; always switched back on, error or not."""
    before = app.screen_updating
    app.screen_updating = False
    try:
        yield
    finally:
        app.screen_updating = before
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


class LiveBook:
    """An xlwings `Book` (the one that called us) as an arbook `Book`."""

    def __init__(self, xlbook: Any) -> None:
        self._xl = xlbook
        self._settings: Settings | None = None

    @property
    def path(self) -> Path:
        return Path(self._xl.fullname)

    @property
    def dry_run(self) -> bool:
        """Never: Excel applies each change as it is made, so there is nothing to hold back."""
        return False

    def has(self, name: str) -> bool:
        return self._table(table(name)) is not None

    def _table(self, decl: Table) -> Any | None:
        wanted = normalise_header(decl.name)
        for sheet in self._xl.sheets:
            for tbl in sheet.tables:
                if normalise_header(tbl.name) == wanted:
                    return tbl
        return None

    def read(self, name: str) -> pd.DataFrame:
        decl = table(name)
        tbl = self._table(decl)
        if tbl is None:
            return absent_table(decl)
        header_range = tbl.header_row_range
        body = tbl.data_body_range
        rows = body.options(ndim=2).value if body is not None else []
        date_order = date_order_for(decl.name, self.settings)
        frame, problems = frame_from_rows(
            decl,
            header_range.value,
            rows,
            first_row=header_range.row + 1,
            header_row=header_range.row,
            date_order=date_order,  # Excel hands dates over as datetimes, 1904 system included
            units=self._units(decl),
        )
        return accept(decl, frame, problems, workbook=self._xl.name, read=self.read)

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = settings_from_frame(self.read("Settings"))
        return self._settings

    def _units(self, decl: Table) -> Units:
        """Which currency each row's money of `decl` is in (workbook.units)."""
        return book_units(decl, lambda: self.settings().base_currency, lambda: self.read("Customers"))

    def write_columns(self, name: str, key: str, frame: pd.DataFrame) -> None:
        decl = table(name)
        writable_columns(decl, key, frame)
        tbl = self._table(decl)
        current = self.read(decl.name)
        if tbl is None or tbl.data_body_range is None or current.empty:
            return
        body = tbl.data_body_range
        header = [normalise_header(h) for h in tbl.header_row_range.value]
        row_of = dict(zip(current[key], current.index - body.row, strict=True))  # key -> offset in the body
        wanted = [(row_of[k], i) for i, k in enumerate(frame[key]) if k in row_of]
        located = frame.iloc[[i for _offset, i in wanted]]
        rows = [body.row + offset for offset, _i in wanted]
        around = current.loc[rows]  # the rows' other columns say which currency their money is in
        # every column encoded before any is written: a value Excel cannot hold leaves the sheet as it was
        encoded = {
            column: dict(
                zip(
                    [i for _offset, i in wanted],
                    excel_cells(
                        encode_column(
                            decl,
                            column,
                            located[column],
                            rows,
                            self._units(decl).for_column(
                                decl, column, around.assign(**{column: located[column].to_numpy()})
                            ),
                        )
                    ),
                    strict=True,
                )
            )
            for column in frame.columns
            if column != key
        }
        for column, values in encoded.items():
            target = body.columns[header.index(normalise_header(column))]
            for first, block in _runs(sorted(wanted)):
                # only the rows written: a user's formula in another row of the column stays
                target[first : first + len(block), 0].options(transpose=True).value = [
                    values[i] for i in block
                ]

    def replace(self, name: str, frame: pd.DataFrame) -> None:
        decl = table(name)
        if decl.owner is not Owner.ARBOOK:
            raise ValueError(f"{decl.name} belongs to the user; arbook only writes its computed columns")
        tbl = self._table(decl)
        block = [list(frame.columns), *self._rows(decl, frame, tbl.range.row + 1 if tbl is not None else 2)]
        if tbl is None:
            self._new_table(decl, block)
            return
        old = tbl.range
        if tbl.data_body_range is not None:
            tbl.data_body_range.clear_contents()
        top, left, height, width = old.row, old.column, max(len(block), 2), len(block[0])
        tbl.resize(old[0, 0].resize(height, width))  # a ListObject keeps at least one body row
        sheet = tbl.parent
        if old.columns.count > width:
            sheet.range(
                (top, left + width), (top + old.rows.count - 1, left + old.columns.count - 1)
            ).clear_contents()
        if old.rows.count > height:
            sheet.range((top + height, left), (top + old.rows.count - 1, left + width - 1)).clear_contents()
        old[0, 0].resize(len(block), width).value = block

    def append(self, name: str, frame: pd.DataFrame) -> None:
        decl = table(name)
        if not decl.appendable:
            raise ValueError(f"{decl.name} does not take appended rows")
        if frame.empty:
            return
        tbl = self._table(decl)
        if tbl is None:
            self._new_table(decl, [list(frame.columns), *self._rows(decl, frame, 2)])
            return
        header = tbl.header_row_range.value
        positions = {normalise_header(h): i for i, h in enumerate(header)}
        current = self.read(decl.name)
        head = tbl.header_row_range
        first_free = int(current.index.max()) + 1 if len(current) else head.row + 1
        rows = []
        for record in self._rows(decl, frame, first_free):
            row: list[object] = [None] * len(header)
            for column, value in zip(frame.columns, record, strict=True):
                i = positions.get(normalise_header(column))
                if i is not None:
                    row[i] = value
            rows.append(row)
        sheet = tbl.parent
        start = sheet.range((first_free, head.column))
        tbl.resize(head[0, 0].resize(first_free - head.row + len(rows), len(header)))
        start.resize(len(rows), len(header)).value = rows

    def commit(self, command: str, summary: str) -> None:
        self.append("Audit", audit_row(command, summary))  # Excel holds the file: no hashes to take
        self._settings = None

    def _rows(self, decl: Table, frame: pd.DataFrame, first_row: int) -> list[list[object]]:
        """The frame's rows as Excel receives them, the first going to Excel row `first_row`."""
        rows = list(range(first_row, first_row + len(frame)))
        units = self._units(decl)
        columns = [
            excel_cells(encode_column(decl, name, frame[name], rows, units.for_column(decl, name, frame)))
            for name in frame.columns
        ]
        return [list(r) for r in zip(*columns, strict=True)] if columns else []

    def _new_table(self, decl: Table, block: list[list[object]]) -> None:
        """A missing arbook-owned or log table: a new sheet of its name holding it."""
        sheet = self._xl.sheets.add(decl.name, after=self._xl.sheets[-1])
        height = max(len(block), 2)
        sheet.range("A1").resize(len(block), len(block[0])).value = block
        sheet.tables.add(source=sheet.range("A1").resize(height, len(block[0])), name=decl.name)
