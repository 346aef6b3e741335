"""The Excel side of the double: workbooks open in an "application", kept in openpyxl, as Excel's
object model presents them to xlwings (the engine implementation classes xlwings wraps).

What Excel does, and so what this does:
  - a cell's Value is a float for any number, a pywin32 date (`ComTime`, in UTC) for a cell
    with a date format, a Decimal for a cell with a currency format, bool, str, None for an
    empty cell, and an error code (-2146826246 for #N/A ...) for an error; a one-cell range
    gives a scalar, a larger one a tuple of row tuples;
  - writing a string is typing it: a leading apostrophe keeps the rest as text, "=..." (and
    "+", "-" or "@" before something that is not a number) becomes a formula, "00123" and
    "1,234.5" become numbers, "TRUE" a boolean, "2026-11-30" or "11/30/2026" a date (Excel in
    English (US)); a cell formatted as Text ("@") keeps any string as text; "" clears the cell;
  - a date gets a date format where the cell had General; NumberFormat reads a range's format
    code (None where its cells differ) and sets every cell's, kept in the saved file;
  - a formula's value is the result the file holds; a formula written here has none (this
    cannot calculate): reading it raises `NotCalculated`, so text that became a formula is
    caught rather than read back as text;
  - a Table (ListObject) keeps a header row and at least one body row; Resize keeps the header
    where it is and renames columns from the header cells; Tables.Add takes the first row as
    header;
  - Application.StatusBar reads False while Excel owns it; setting False hands it back.

`Book.save` writes the file through openpyxl, which keeps cells, styles, tables, names and the
VBA project but drops charts and form controls that Excel would keep.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.table import TableColumn, TableStyleInfo

from .conversion import ComTime

__all__ = ["CELL_ERRORS", "App", "Apps", "NotCalculated"]

CELL_ERRORS = {
    "#DIV/0!": -2146826281,
    "#N/A": -2146826246,
    "#NAME?": -2146826259,
    "#NULL!": -2146826288,
    "#NUM!": -2146826252,
    "#REF!": -2146826265,
    "#VALUE!": -2146826273,
}
_CURRENCY_SIGNS = ("$", "€", "£", "¥", "[$")
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?%?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_EXCEL_MAX_TEXT = 32_767
_pids = count(4242)


class NotCalculated(Exception):
    """A formula written through the double was read: Excel would calculate it, the double cannot."""


# -- the application ----------------------------------------------------------------------


class Apps:
    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.apps: list[App] = []

    def keys(self) -> list[int]:
        return [app.pid for app in self.apps]

    def add(self, spec: Any = None, add_book: bool | None = None, xl: Any = None, visible: Any = None) -> App:
        app = App(self)
        self.apps.insert(0, app)
        return app

    @staticmethod
    def cleanup() -> None:
        return None

    def __iter__(self):
        return iter(list(self.apps))

    def __len__(self) -> int:
        return len(self.apps)

    def __getitem__(self, pid: int) -> App:
        return next(app for app in self.apps if app.pid == pid)


class App:
    def __init__(self, apps: Apps) -> None:
        self._apps = apps
        self.engine = apps.engine
        self.pid = next(_pids)
        self.books = Books(self)
        self.visible = False
        self.screen_updating = True
        self.display_alerts = True
        self.enable_events = True
        self.interactive = True
        self.calculation = "automatic"
        self._status_bar: str | bool = False
        self.status_history: list[str | bool] = []
        self.alerts: list[dict[str, object]] = []
        self.version = "16.0"

    @property
    def api(self) -> App:
        return self

    @property
    def status_bar(self) -> str | bool:
        return self._status_bar

    @status_bar.setter
    def status_bar(self, value: str | bool) -> None:
        self._status_bar = False if value is False else str(value)
        self.status_history.append(self._status_bar)

    def alert(self, prompt: str, title: str | None, buttons: str, mode: str | None, callback: Any) -> str:
        self.alerts.append({"prompt": prompt, "title": title, "buttons": buttons, "mode": mode})
        return "ok"

    def calculate(self) -> None:
        raise NotCalculated("the double cannot calculate formulas")

    def activate(self, steal_focus: bool = False) -> None:
        return None

    def quit(self) -> None:
        self.books.books.clear()
        if self in self._apps.apps:
            self._apps.apps.remove(self)

    kill = quit


class Books:
    def __init__(self, app: App) -> None:
        self.app = app
        self.books: list[Book] = []

    @property
    def api(self) -> Books:
        return self

    @property
    def active(self) -> Book:
        return self.books[-1]

    def __call__(self, name_or_index: int | str) -> Book:
        if isinstance(name_or_index, int):
            return self.books[name_or_index - 1]
        for book in self.books:
            if book.name.lower() == str(name_or_index).lower():
                return book
        raise KeyError(name_or_index)

    def __len__(self) -> int:
        return len(self.books)

    def __iter__(self):
        return iter(list(self.books))

    def __contains__(self, name: str) -> bool:
        return any(b.name.lower() == name.lower() for b in self.books)

    def open(self, fullname: str, *args: Any, **kwargs: Any) -> Book:
        path = Path(fullname).resolve()
        for book in self.books:
            if book.name.lower() == path.name.lower():
                if Path(book.fullname) != path:
                    raise RuntimeError(
                        f"Excel cannot open two workbooks with the same name at the same time: {path.name}"
                    )
                return book
        book = Book(self.app, path)
        self.books.append(book)
        return book

    def add(self) -> Book:
        raise NotImplementedError("the double opens real files only: books.open(path)")


# -- workbooks and sheets -----------------------------------------------------------------


class Book:
    def __init__(self, app: App, path: Path) -> None:
        self.app = app
        self._path = path
        keep_vba = path.suffix.lower() == ".xlsm"
        self._opened = path.read_bytes()  # the file as opened: its formulas' cached values come from it
        self.wb = openpyxl.load_workbook(path, keep_vba=keep_vba, keep_links=True)
        self._values: openpyxl.Workbook | None = None
        self.uncalculated: set[tuple[str, int, int]] = set()
        self.saved_copies: list[Path] = []

    @property
    def _cached(self) -> openpyxl.Workbook:
        """The values Excel last calculated, as the opened file holds them: parsed when a formula's value
        is first asked for, not at every open (a run that reads no formula does without)."""
        if self._values is None:
            self._values = openpyxl.load_workbook(io.BytesIO(self._opened), data_only=True, read_only=False)
        return self._values

    @property
    def api(self) -> Book:
        return self

    @property
    def name(self) -> str:
        return self._path.name

    @property
    def fullname(self) -> str:
        return str(self._path)

    Name = name  # COM's Workbook.Name, which xlwings' VBA generator reads

    @property
    def sheets(self) -> Sheets:
        return Sheets(self)

    @property
    def names(self) -> Names:
        return Names(self)

    def save(self, path: str | None = None, password: str | None = None) -> None:
        if path is not None:
            self._path = Path(path).resolve()
        self.wb.save(self._path)

    def SaveCopyAs(self, Filename: str) -> None:  # Excel's own name, reached through .api
        self.wb.save(Filename)
        self.saved_copies.append(Path(Filename))

    def close(self) -> None:
        self.app.books.books.remove(self)

    def activate(self) -> None:
        return None

    def sheet(self, title: str) -> Sheet:
        for ws in self.wb.worksheets:
            if ws.title.lower() == title.lower():
                return Sheet(self, ws.title)
        raise KeyError(title)

    def all_tables(self) -> list[Table]:
        return [Table(Sheet(self, ws.title), name) for ws in self.wb.worksheets for name in ws.tables]


class Sheets:
    def __init__(self, book: Book) -> None:
        self.book = book

    @property
    def api(self) -> Sheets:
        return self

    @property
    def active(self) -> Sheet:
        return Sheet(self.book, self.book.wb.active.title)

    def __call__(self, name_or_index: int | str) -> Sheet:
        if isinstance(name_or_index, int):
            return Sheet(self.book, self.book.wb.worksheets[name_or_index - 1].title)
        return self.book.sheet(name_or_index)

    def __len__(self) -> int:
        return len(self.book.wb.worksheets)

    def __iter__(self):
        return iter([Sheet(self.book, ws.title) for ws in self.book.wb.worksheets])

    def add(self, before: Sheet | None = None, after: Sheet | None = None, name: str | None = None) -> Sheet:
        titles = [ws.title for ws in self.book.wb.worksheets]
        if before is not None:
            index = titles.index(before.name)
        elif after is not None:
            index = titles.index(after.name) + 1
        else:
            index = titles.index(self.book.wb.active.title)
        ws = self.book.wb.create_sheet(name or f"Sheet{len(titles) + 1}", index)
        return Sheet(self.book, ws.title)


class Sheet:
    def __init__(self, book: Book, title: str) -> None:
        self.book = book
        self.title = title

    @property
    def ws(self):
        return self.book.wb[self.title]

    @property
    def api(self) -> Sheet:
        return self

    @property
    def name(self) -> str:
        return self.title

    @name.setter
    def name(self, value: str) -> None:
        self.ws.title = value
        self.title = value

    @property
    def index(self) -> int:
        return self.book.wb.worksheets.index(self.ws) + 1

    @property
    def names(self) -> Names:
        return Names(self.book, scope=self)

    @property
    def tables(self) -> Tables:
        return Tables(self)

    def range(self, arg1: Any, arg2: Any = None) -> Range:
        if isinstance(arg1, tuple) and len(arg1) == 4:
            return Range(self, *arg1)
        first = self._corners(arg1)
        if arg2 is None:
            return Range(self, *first)
        second = self._corners(arg2)
        top, left = min(first[0], second[0]), min(first[1], second[1])
        bottom = max(first[0] + first[2], second[0] + second[2]) - 1
        right = max(first[1] + first[3], second[1] + second[3]) - 1
        return Range(self, top, left, bottom - top + 1, right - left + 1)

    def _corners(self, arg: Any) -> tuple[int, int, int, int]:
        if isinstance(arg, Range):
            return arg.row, arg.column, arg.nrows, arg.ncols
        if isinstance(arg, tuple):
            if 0 in arg:
                raise IndexError("Attempted to access 0-based Range. xlwings/Excel Ranges are 1-based.")
            return arg[0], arg[1], 1, 1
        if isinstance(arg, str):
            text = arg.replace("$", "")
            if re.fullmatch(r"[A-Za-z]{1,3}\d+(:[A-Za-z]{1,3}\d+)?", text):
                left, top, right, bottom = range_boundaries(text)
                return top, left, bottom - top + 1, right - left + 1
            target = Names(self.book).find(arg)
            if target is not None:
                found = target.refers_to_range
                return found.row, found.column, found.nrows, found.ncols
        raise ValueError(f"the double understands A1 addresses, (row, column) and names, not {arg!r}")

    @property
    def cells(self) -> Range:
        return Range(self, 1, 1, 1_048_576, 16_384)

    @property
    def used_range(self) -> Range:
        """Excel's UsedRange: from the first to the last cell holding a value or a format (A1 on an empty sheet)."""
        ws = self.ws
        return Range(
            self, ws.min_row, ws.min_column, ws.max_row - ws.min_row + 1, ws.max_column - ws.min_column + 1
        )

    def activate(self) -> None:
        self.book.wb.active = self.ws

    select = activate

    def delete(self) -> None:
        self.book.wb.remove(self.ws)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sheet) and other.book is self.book and other.title == self.title

    def __hash__(self) -> int:
        return hash((id(self.book), self.title))


# -- ranges -------------------------------------------------------------------------------


class Range:
    CLSID = "{00020846-0000-0000-C000-000000000046}"  # Excel's Range interface, as COM reports it

    def __init__(self, sheet: Sheet, row: int, column: int, nrows: int, ncols: int) -> None:
        self._sheet = sheet
        self.row, self.column, self.nrows, self.ncols = row, column, nrows, ncols
        self.options: dict[str, Any] = {}
        self.max_cells_per_read = None
        self.max_cells_per_write = None

    @property
    def sheet(self) -> Sheet:
        return self._sheet

    @property
    def api(self) -> Range:
        return self

    @property
    def shape(self) -> tuple[int, int]:
        return self.nrows, self.ncols

    @property
    def coords(self) -> tuple[Sheet, int, int, int, int]:
        return self._sheet, self.row, self.column, self.nrows, self.ncols

    def __len__(self) -> int:
        return self.nrows * self.ncols

    def __call__(self, *args: int) -> Range:
        """Excel's Range.Cells: (row, column) counted from this range's top left, or one index."""
        if len(args) == 1:
            row, column = divmod(args[0] - 1, self.ncols)
            return Range(self._sheet, self.row + row, self.column + column, 1, 1)
        return Range(self._sheet, self.row + args[0] - 1, self.column + args[1] - 1, 1, 1)

    @property
    def address(self) -> str:
        first = f"${get_column_letter(self.column)}${self.row}"
        if len(self) == 1:
            return first
        return f"{first}:${get_column_letter(self.column + self.ncols - 1)}${self.row + self.nrows - 1}"

    def get_address(
        self, row_absolute: bool = True, col_absolute: bool = True, external: bool = False
    ) -> str:
        address = self.address
        if not row_absolute:
            address = re.sub(r"\$(\d)", r"\1", address)
        if not col_absolute:
            address = re.sub(r"\$([A-Z])", r"\1", address)
        return f"[{self._sheet.book.name}]{self._sheet.name}!{address}" if external else address

    def _cells(self):
        ws = self._sheet.ws
        for r in range(self.row, self.row + self.nrows):
            yield [ws.cell(r, c) for c in range(self.column, self.column + self.ncols)]

    @property
    def raw_value(self) -> Any:
        rows = tuple(tuple(self._com_value(cell) for cell in row) for row in self._cells())
        return rows[0][0] if len(self) == 1 else rows

    @raw_value.setter
    def raw_value(self, data: Any) -> None:
        if isinstance(data, (list, tuple)):
            rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in data]
            if (len(rows), len(rows[0])) != self.shape:
                raise ValueError(
                    f"the double writes arrays of the range's shape {self.shape}, got {len(rows)} rows"
                )
        else:
            rows = [[data] * self.ncols for _ in range(self.nrows)]
        for cells, values in zip(self._cells(), rows, strict=True):
            for cell, value in zip(cells, values, strict=True):
                self._enter(cell, value)

    def clear_contents(self) -> None:
        for cells in self._cells():
            for cell in cells:
                cell.value = None
                self._sheet.book.uncalculated.discard((self._sheet.title, cell.row, cell.column))

    @property
    def formula(self) -> Any:
        rows = tuple(tuple("" if c.value is None else c.value for c in row) for row in self._cells())
        return rows[0][0] if len(self) == 1 else rows

    @property
    def number_format(self) -> str | None:
        """The cells' format code, as Excel's NumberFormat gives it: None (Null) where they differ."""
        codes = {cell.number_format for cells in self._cells() for cell in cells}
        return codes.pop() if len(codes) == 1 else None

    @number_format.setter
    def number_format(self, code: str) -> None:
        for cells in self._cells():
            for cell in cells:
                cell.number_format = code

    # -- Excel's rules for values ------------------------------------------------------
    def _com_value(self, cell: Any) -> Any:
        value = cell.value
        if cell.data_type == "f" or (
            isinstance(value, str) and value.startswith("=") and cell.data_type != "s"
        ):
            if (self._sheet.title, cell.row, cell.column) in self._sheet.book.uncalculated:
                raise NotCalculated(
                    f"{self._sheet.title}!{cell.coordinate} holds the formula {value!r}, written through "
                    "the double, which cannot calculate it"
                )
            cached = self._sheet.book._cached[self._sheet.title].cell(cell.row, cell.column)
            value, kind = cached.value, cached.data_type
        else:
            kind = cell.data_type
        if value is None:
            return None
        if kind == "e" or (isinstance(value, str) and value in CELL_ERRORS and kind != "s"):
            return CELL_ERRORS.get(str(value), CELL_ERRORS["#VALUE!"])
        if isinstance(value, (bool, str)):
            return value
        if isinstance(value, (int, float)):
            if any(sign in cell.number_format for sign in _CURRENCY_SIGNS):
                return Decimal(repr(float(value))).quantize(Decimal("0.0001"))  # VT_CY: 4 decimals
            return float(value)
        if isinstance(value, dt.datetime):
            return ComTime(*value.timetuple()[:6], value.microsecond, tzinfo=dt.UTC)
        if isinstance(value, dt.date):
            return ComTime(value.year, value.month, value.day, tzinfo=dt.UTC)
        if isinstance(value, dt.time):
            return ComTime(1899, 12, 30, value.hour, value.minute, value.second, tzinfo=dt.UTC)
        if isinstance(value, dt.timedelta):
            return ComTime(1899, 12, 30, tzinfo=dt.UTC) + value
        raise TypeError(f"the double does not know how Excel hands over {type(value).__name__}")

    def _enter(self, cell: Any, value: Any) -> None:
        book, key = self._sheet.book, (self._sheet.title, cell.row, cell.column)
        book.uncalculated.discard(key)
        if value is None or value == "":
            cell.value = None
        elif isinstance(value, bool):
            cell.value = value
        elif isinstance(value, (int, float, Decimal)):
            cell.value = float(value)
        elif isinstance(value, dt.datetime):
            cell.value = value.replace(tzinfo=None)
            if cell.number_format == "General":
                cell.number_format = "m/d/yyyy h:mm" if value.time() != dt.time() else "m/d/yyyy"
        elif isinstance(value, str):
            self._type_text(cell, value, key)
        else:
            raise TypeError(f"Objects of type '{type(value).__name__}' can not be converted to a COM VARIANT")

    def _type_text(self, cell: Any, text: str, key: tuple[str, int, int]) -> None:
        if len(text) > _EXCEL_MAX_TEXT:
            raise ValueError(f"Excel cells hold at most {_EXCEL_MAX_TEXT} characters, got {len(text)}")
        if text.startswith("'"):
            cell.value = text[1:]
            cell.data_type = "s"
            return
        if cell.number_format == "@":
            cell.value = text
            cell.data_type = "s"
            return
        stripped = text.strip()
        if _NUMBER.fullmatch(stripped) and any(ch.isdigit() for ch in stripped):
            number = float(stripped.rstrip("%").replace(",", ""))
            cell.value = number / 100 if stripped.endswith("%") else number
            if stripped.endswith("%") and cell.number_format == "General":
                cell.number_format = "0%"
            return
        if stripped[:1] in ("=", "+", "-", "@") and len(stripped) > 1:
            cell.value = "=" + stripped.lstrip("=@") if stripped[0] in "=@" else "=" + stripped
            self._sheet.book.uncalculated.add(key)
            return
        if stripped.upper() in ("TRUE", "FALSE"):
            cell.value = stripped.upper() == "TRUE"
            return
        if m := _ISO_DATE.fullmatch(stripped):
            parts = [int(p) for p in m.groups(default="0")]
            cell.value = dt.datetime(*parts)
        elif m := _US_DATE.fullmatch(stripped):
            cell.value = dt.datetime(int(m[3]), int(m[1]), int(m[2]))
        else:
            cell.value = text
            cell.data_type = "s"
            return
        if cell.number_format == "General":
            cell.number_format = "m/d/yyyy"


# -- tables and names ---------------------------------------------------------------------


class Tables:
    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet

    @property
    def api(self) -> Tables:
        return self

    def __call__(self, name_or_index: int | str) -> Table:
        names = list(self.sheet.ws.tables)
        if isinstance(name_or_index, int):
            return Table(self.sheet, names[name_or_index - 1])
        for name in names:
            if name.lower() == str(name_or_index).lower():
                return Table(self.sheet, name)
        raise KeyError(name_or_index)

    def __len__(self) -> int:
        return len(self.sheet.ws.tables)

    def __iter__(self):
        return iter([Table(self.sheet, name) for name in self.sheet.ws.tables])

    def __contains__(self, name: str) -> bool:
        return any(n.lower() == name.lower() for n in self.sheet.ws.tables)

    def add(
        self,
        source_type: Any = None,
        source: Any = None,
        link_source: Any = None,
        has_headers: Any = True,
        destination: Any = None,
        table_style_name: str | None = "TableStyleMedium2",
        name: str | None = None,
    ) -> Table:
        rng: Range = source.impl if hasattr(source, "impl") else source
        taken = {t.name.lower() for t in self.sheet.book.all_tables()}
        name = name or f"Table{len(taken) + 1}"
        if name.lower() in taken:
            raise ValueError(f"A table named {name!r} already exists in the workbook")
        for other in self.sheet.book.all_tables():
            if other.sheet == self.sheet and _overlaps(other.range, rng):
                raise ValueError("A table cannot overlap another table")
        table = XlTable(displayName=name, name=name, ref=rng.address.replace("$", ""))
        table.tableStyleInfo = TableStyleInfo(
            name=table_style_name or "TableStyleMedium2", showRowStripes=True
        )
        self.sheet.ws.add_table(table)
        made = Table(self.sheet, name)
        made.rename_columns()
        return made


class Table:
    def __init__(self, sheet: Sheet, name: str) -> None:
        self.sheet = sheet
        self._name = name

    @property
    def xl(self) -> XlTable:
        return self.sheet.ws.tables[self._name]

    @property
    def api(self) -> Table:
        return self

    @property
    def name(self) -> str:
        return self._name

    @property
    def parent(self) -> Sheet:
        return self.sheet

    def _bounds(self) -> tuple[int, int, int, int]:
        left, top, right, bottom = range_boundaries(self.xl.ref)
        return top, left, bottom, right

    @property
    def range(self) -> Range:
        top, left, bottom, right = self._bounds()
        return Range(self.sheet, top, left, bottom - top + 1, right - left + 1)

    @property
    def header_row_range(self) -> Range | None:
        if self.xl.headerRowCount == 0:
            return None
        top, left, _, right = self._bounds()
        return Range(self.sheet, top, left, 1, right - left + 1)

    @property
    def data_body_range(self) -> Range | None:
        top, left, bottom, right = self._bounds()
        first = top + (1 if self.xl.headerRowCount != 0 else 0)
        last = bottom - (self.xl.totalsRowCount or 0)
        return Range(self.sheet, first, left, last - first + 1, right - left + 1) if last >= first else None

    @property
    def totals_row_range(self) -> Range | None:
        if not self.xl.totalsRowCount:
            return None
        _, left, bottom, right = self._bounds()
        return Range(self.sheet, bottom, left, 1, right - left + 1)

    def resize(self, rng: Any) -> None:
        rng = rng.impl if hasattr(rng, "impl") else rng  # xlwings hands over its own Range
        if rng.row != self._bounds()[0]:
            raise ValueError("ListObject.Resize: the header row must remain in the same row")
        if not _overlaps(self.range, rng):
            raise ValueError("ListObject.Resize: the new range must overlap the table")
        if rng.nrows < 2:
            raise ValueError("ListObject.Resize: a table keeps a header row and at least one row")
        self.xl.ref = rng.address.replace("$", "")
        if self.xl.autoFilter is not None:
            self.xl.autoFilter.ref = self.xl.ref
        self.rename_columns()

    def rename_columns(self) -> None:
        """Excel names a table's columns after its header cells (ColumnN for a blank one)."""
        header = self.header_row_range
        seen: set[str] = set()
        columns = []
        for i, cell in enumerate(next(header._cells()) if header else [], 1):
            name = str(cell.value) if cell.value not in (None, "") else f"Column{i}"
            base, n = name, 2
            while name.lower() in seen:
                name, n = f"{base}{n}", n + 1
            seen.add(name.lower())
            if cell.value in (None, ""):
                cell.value = name
            columns.append(TableColumn(id=i, name=name))
        self.xl.tableColumns = columns


class Names:
    def __init__(self, book: Book, scope: Sheet | None = None) -> None:
        self.book, self.scope = book, scope

    @property
    def api(self) -> Names:
        return self

    def _all(self) -> list[Name]:
        found = []
        if self.scope is None:
            found += [Name(self.book, name, None) for name in self.book.wb.defined_names]
        for ws in self.book.wb.worksheets:
            if self.scope is None or ws.title == self.scope.title:
                found += [Name(self.book, name, ws.title) for name in ws.defined_names]
        return found

    def snapshot(self) -> list[tuple[str, Name]]:
        return [(name.name, name) for name in self._all()]

    def find(self, wanted: str) -> Name | None:
        return next((n for n in self._all() if n.name.lower() == wanted.lower()), None)

    def __call__(self, name_or_index: int | str) -> Name:
        if isinstance(name_or_index, int):
            return self._all()[name_or_index - 1]
        found = self.find(name_or_index)
        if found is None:
            raise KeyError(name_or_index)
        return found

    def contains(self, name: str) -> bool:
        return self.find(name) is not None

    def __len__(self) -> int:
        return len(self._all())


class Name:
    def __init__(self, book: Book, key: str, sheet: str | None) -> None:
        self.book, self.key, self.sheet_title = book, key, sheet

    @property
    def api(self) -> Name:
        return self

    @property
    def _defined(self):
        names = (
            self.book.wb[self.sheet_title].defined_names if self.sheet_title else self.book.wb.defined_names
        )
        return names[self.key]

    @property
    def name(self) -> str:
        return f"{self.sheet_title}!{self.key}" if self.sheet_title else self.key

    @property
    def refers_to(self) -> str:
        return "=" + self._defined.attr_text

    @property
    def refers_to_range(self) -> Range:
        destinations = list(self._defined.destinations)
        if len(destinations) != 1:
            raise ValueError(f"the name {self.name} does not refer to one range: {self.refers_to}")
        title, address = destinations[0]
        sheet = self.book.sheet(title)
        left, top, right, bottom = range_boundaries(address.replace("$", ""))
        return Range(sheet, top, left, bottom - top + 1, right - left + 1)

    def delete(self) -> None:
        names = (
            self.book.wb[self.sheet_title].defined_names if self.sheet_title else self.book.wb.defined_names
        )
        del names[self.key]


def _overlaps(a: Range, b: Range) -> bool:
    return not (
        a.row + a.nrows <= b.row
        or b.row + b.nrows <= a.row
        or a.column + a.ncols <= b.column
        or b.column + b.ncols <= a.column
    )
