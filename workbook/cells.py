"""One codec per column kind: how a typed value becomes a spreadsheet cell, for every writer.

Every writer turns a typed column into cells here: the file book's XML editor
(`workbook.sheetxml`), the Excel book (`macros.live`, through xlwings), the template and the
month-end report's exceptions workbook (xlsxwriter, through `write_xlsx_column`) and the
sample set's CSV files (`as_text`). So they cannot disagree, and what each kind becomes is
chosen so that `workbook.convert` reads it back to the same typed value, from the file and
from Excel alike:

  text, id, choice  a text cell, never a formula or a number: the XML writer gives text that
                    starts with = + - @ Excel's quote prefix, xlwings writes every text after an
                    apostrophe, xlsxwriter writes a string. "" is an empty cell. Characters XML
                    cannot carry (control characters other than tab, line feed and carriage
                    return) are left out.
  bool              the text Y or N: what the template's drop-down offers and people type
                    (Excel's own TRUE/FALSE shows as WAHR or VRAI in other languages, and text
                    typed as TRUE in a German Excel stays text). An empty value is N.
  currency          a text cell holding the ISO 4217 code, as for text.
  money             a number in currency units: the double nearest the exact amount, which
                    reads back to the same minor units (see common.values.MAX_AMOUNT_CENTS).
                    Each row's minor units become units by the decimals of its own currency
                    (`digits`, from workbook.units): 1234 is 12.34 EUR, 1234 JPY, 1.234 KWD;
                    and the cell shows exactly those decimals (`money_format`): 1,234.00 EUR
                    is #,##0.00, 1,234 JPY #,##0, 1,234.567 KWD #,##0.000. (#,##0.00 is the
                    money column's own format, for rows a person adds.)
  date              an Excel date (whole days), yyyy-mm-dd.
  datetime          an Excel date and time to the second, yyyy-mm-dd hh:mm:ss.
  int               a whole number, 0.
  number            a number, 0.0; an empty one (NaN) is an empty cell.

Excel's limits are the codec's: a text of more than 32,767 characters (what a cell holds), an
amount beyond the table's largest (`Table.largest_amount`), a whole number beyond the column's
(`Column.largest`), an infinite number or a date before 1900 is refused, never cut or rounded:
`encode` raises InputError naming the table, row and column, before anything is written. A
value cut short would be a quiet misread of the bank file or the figure it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from common.errors import InputError, Problem
from common.values import MAX_AMOUNT_CENTS, MAX_EXACT, amount_limit_text, parse_bool, yes_no

from .contract import Kind, Table

__all__ = [
    "CODECS",
    "MAX_CELL_TEXT",
    "MAX_EXCEL_NUMBER",
    "Codec",
    "Encoded",
    "XlsxFormats",
    "as_text",
    "encode",
    "encode_column",
    "kind_of",
    "money_format",
    "money_format_over",
    "write_xlsx_column",
]

MAX_CELL_TEXT = 32_767
"""Characters an Excel cell holds."""

MAX_EXCEL_NUMBER = 9.99999999999999e307
"""The largest number an Excel cell holds (its specification's limit), either way."""

CellType = Literal["text", "number", "date"]


def money_format(digits: int) -> str:
    """The number format of money in a currency of `digits` decimals: #,##0 (JPY), #,##0.00, #,##0.000 (KWD)."""
    return "#,##0" + ("." + "0" * digits if digits > 0 else "")


_EARLIER_MONEY_FORMAT = "#,##0.00##"  # what arbook gave every money cell before formats followed the currency


def _is_money_format(code: str) -> bool:
    """Whether `code` is a money format arbook gives (any currency's, or its earlier one), not a person's own."""
    return code == _EARLIER_MONEY_FORMAT or (
        code.startswith("#,##0") and code == money_format(_decimals(code))
    )


def money_format_over(shown: str, wanted: str) -> str | None:
    """The number format to give a money cell that shows `shown`, so that it shows `wanted` (its
    currency's, `money_format`): `wanted` over General and over arbook's own money formats of other
    decimals; None (keep it) where it already shows `wanted` or a format a person chose
    ("€ #,##0.00" stays). Every writer asks this, so a cell looks the same whoever wrote it."""
    if shown != wanted and (shown.casefold() == "general" or _is_money_format(shown)):
        return wanted
    return None


def _decimals(code: str) -> int:
    return len(code.partition(".")[2])


@dataclass(frozen=True)
class Codec:
    """What cells of one column kind are: text, number or date, and the number format they show."""

    kind: Kind
    cell: CellType
    number_format: str


CODECS: dict[Kind, Codec] = {
    "text": Codec("text", "text", "@"),
    "id": Codec("id", "text", "@"),
    "choice": Codec("choice", "text", "@"),
    "currency": Codec("currency", "text", "@"),
    "bool": Codec("bool", "text", "@"),
    "money": Codec("money", "number", money_format(2)),
    "date": Codec("date", "date", "yyyy-mm-dd"),
    "datetime": Codec("datetime", "date", "yyyy-mm-dd hh:mm:ss"),
    "int": Codec("int", "number", "0"),
    "number": Codec("number", "number", "0.0"),
}

# Characters XML 1.0 cannot carry: C0 controls but tab, line feed, carriage return; U+FFFE/U+FFFF.
_ILLEGAL_XML = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])
_FIRST_DATE = pd.Timestamp("1900-01-01")


@dataclass(frozen=True)
class Encoded:
    """One column as cells: each is str (text), int or float (number), datetime (date) or None (empty)."""

    kind: Kind
    cells: list[Any]
    digits: np.ndarray | None = None  # money: the decimals of each cell's currency

    @property
    def codec(self) -> Codec:
        return CODECS[self.kind]

    def number_format(self, i: int) -> str:
        """The number format cell `i` shows: money in its currency's decimals, else the kind's."""
        if self.digits is not None:
            return money_format(int(self.digits[i]))
        return self.codec.number_format


def kind_of(decl: Table, column: str, series: pd.Series) -> Kind:
    """The contract kind of a column; for columns outside the contract (aging buckets), the one its dtype says."""
    try:
        return decl.column(column).kind
    except KeyError:
        if pd.api.types.is_bool_dtype(series.dtype):
            return "bool"
        if pd.api.types.is_integer_dtype(series.dtype):
            return "money"
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            return "date"
        if pd.api.types.is_float_dtype(series.dtype):
            return "number"
        return "text"


def encode_column(
    decl: Table,
    column: str,
    series: pd.Series,
    rows: Sequence[int] | None = None,
    digits: np.ndarray | None = None,
) -> Encoded:
    """`encode` with the kind and limits the contract gives this table's column (`digits`: see `encode`)."""
    kind = kind_of(decl, column, series)
    try:
        largest = decl.column(column).largest if kind == "int" else decl.largest_amount
    except KeyError:
        largest = decl.largest_amount
    return encode(series, kind, table=decl.name, column=column, rows=rows, largest=largest, digits=digits)


def encode(
    series: pd.Series,
    kind: Kind,
    *,
    table: str,
    column: str,
    rows: Sequence[int] | None = None,
    largest: int | None = None,
    digits: np.ndarray | None = None,
) -> Encoded:
    """The cells of one column of `kind`; raise InputError for values no Excel cell holds.

    `rows` are the Excel rows the cells go to (default: the series' index), named by a refusal.
    `largest` bounds money (in minor units; default MAX_AMOUNT_CENTS) and whole numbers (default
    MAX_EXACT). `digits` are the decimals of each money cell's currency (default 2: cents).
    """
    bad: list[tuple[int, str]] = []
    if kind == "money":
        places = (
            np.full(len(series), 2, dtype="int64") if digits is None else np.asarray(digits, dtype="int64")
        )
        cells = _money(series, largest, bad, places)
        if bad:
            _refuse(series, table, column, rows, bad)
        return Encoded(kind, cells, places)
    cells = _ENCODERS[kind](series, kind, largest, bad)
    if bad:
        _refuse(series, table, column, rows, bad)
    return Encoded(kind, cells)


def _refuse(
    series: pd.Series, table: str, column: str, rows: Sequence[int] | None, bad: list[tuple[int, str]]
) -> None:
    where = list(series.index) if rows is None else list(rows)
    problems = [Problem(table, _row(where, i), column, message) for i, message in bad]
    raise InputError(problems, heading=f"{table}: values that no Excel cell can hold")


def _row(rows: list[object], i: int) -> int | None:
    row = rows[i] if i < len(rows) else None
    return int(row) if isinstance(row, (int, np.integer)) else None


def _text(series: pd.Series, _kind: str, _largest: int | None, bad: list[tuple[int, str]]) -> list[Any]:
    missing = series.isna().tolist()
    out: list[Any] = []
    for i, (value, empty) in enumerate(zip(series.tolist(), missing, strict=True)):
        text = None if empty else (value if type(value) is str else str(value)).translate(_ILLEGAL_XML)
        if not text:
            out.append(None)
            continue
        if len(text) > MAX_CELL_TEXT:
            bad.append(
                (i, f"a text of {len(text):,} characters; an Excel cell holds at most {MAX_CELL_TEXT:,}")
            )
        out.append(text)
    return out


def _bool(series: pd.Series, _kind: str, _largest: int | None, bad: list[tuple[int, str]]) -> list[Any]:
    out: list[Any] = []
    for i, (value, empty) in enumerate(zip(series.tolist(), series.isna().tolist(), strict=True)):
        try:  # a frame's bool, or yes/no text as the reader takes it
            yes = not empty and (parse_bool(value) if isinstance(value, str) else bool(value))
        except ValueError as exc:
            bad.append((i, str(exc)))
            yes = False
        out.append(yes_no(yes))
    return out


def _money(
    series: pd.Series, largest: int | None, bad: list[tuple[int, str]], digits: np.ndarray
) -> list[Any]:
    largest = MAX_AMOUNT_CENTS if largest is None else largest
    cents = pd.to_numeric(series).to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(cents)
    scale = 10.0 ** digits.astype("float64")
    with np.errstate(invalid="ignore"):
        beyond = ~missing & ~(np.abs(cents) <= largest)
        partial = ~missing & ~beyond & (cents != np.round(cents))
    for i in np.flatnonzero(beyond):
        places = int(digits[i])
        bad.append((int(i), f"{amount_limit_text(largest, places)}, got {cents[i] / scale[i]:.{places}f}"))
    for i in np.flatnonzero(partial):
        bad.append((int(i), f"expected whole minor units (cents), got {cents[i]!r}"))
    return _with_blanks((cents / scale).tolist(), missing)


def _date(series: pd.Series, kind: str, _largest: int | None, bad: list[tuple[int, str]]) -> list[Any]:
    stamps = pd.Series(pd.to_datetime(series))
    stamps = stamps.dt.normalize() if kind == "date" else stamps.dt.floor("s")
    missing = stamps.isna().to_numpy()
    for i in np.flatnonzero(~missing & (stamps < _FIRST_DATE).to_numpy()):
        bad.append((int(i), f"expected a date from 1900 on (Excel's first), got {stamps.iloc[i]:%Y-%m-%d}"))
    return _with_blanks(list(stamps.dt.to_pydatetime()), missing)


def _int(series: pd.Series, _kind: str, largest: int | None, bad: list[tuple[int, str]]) -> list[Any]:
    largest = MAX_EXACT if largest is None else largest
    missing = series.isna().tolist()
    out: list[Any] = []
    for i, (value, empty) in enumerate(zip(series.tolist(), missing, strict=True)):
        if empty:
            out.append(None)
        elif float(value) != int(value) or abs(int(value)) > largest:
            bad.append((i, f"expected a whole number of at most {largest:,} either way, got {value!r}"))
            out.append(None)
        else:
            out.append(int(value))
    return out


def _number(series: pd.Series, _kind: str, _largest: int | None, bad: list[tuple[int, str]]) -> list[Any]:
    numbers = pd.to_numeric(series).to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(numbers)
    with np.errstate(invalid="ignore"):
        beyond = ~missing & ~(np.abs(numbers) <= MAX_EXCEL_NUMBER)
    for i in np.flatnonzero(beyond):
        bad.append(
            (int(i), f"expected a number Excel holds (at most 9.99999999999999E+307), got {numbers[i]}")
        )
    return _with_blanks(numbers.tolist(), missing)


def _with_blanks(values: list[Any], missing: np.ndarray) -> list[Any]:
    if missing.any():
        for i in np.flatnonzero(missing):
            values[i] = None
    return values


_ENCODERS = {
    "text": _text,
    "id": _text,
    "choice": _text,
    "currency": _text,
    "bool": _bool,
    "date": _date,
    "datetime": _date,
    "int": _int,
    "number": _number,
}


def as_text(encoded: Encoded) -> list[str]:
    """The cells as a person types them (for CSV files): 1234.56 (1234 JPY, 1.234 KWD), 2026-10-31, 2026-10-31 14:05:09, Y, 7; "" when empty."""
    kind = encoded.kind
    if kind == "money":
        places = encoded.digits if encoded.digits is not None else np.full(len(encoded.cells), 2)
        return ["" if v is None else f"{v:.{int(d)}f}" for v, d in zip(encoded.cells, places, strict=True)]
    if kind in ("date", "datetime"):
        form = "%Y-%m-%d" if kind == "date" else "%Y-%m-%d %H:%M:%S"
        return ["" if v is None else v.strftime(form) for v in encoded.cells]
    if kind == "number":
        return ["" if v is None else repr(v) for v in encoded.cells]
    return ["" if v is None else str(v) for v in encoded.cells]


class XlsxFormats:
    """The codec's xlsxwriter Formats for one workbook, made on first use: one per kind, and per
    money decimals (so a JPY cell shows 1,234 and a KWD cell 1,234.567)."""

    def __init__(self, workbook: Any) -> None:
        self._workbook = workbook
        self._made: dict[str, Any] = {}

    def __getitem__(self, kind: Kind) -> Any:
        """The Format of a column of `kind` (money: two decimals, the column's own)."""
        return self._format(CODECS[kind].number_format)

    def cell(self, encoded: Encoded, i: int) -> Any:
        """The Format of cell `i` of `encoded`."""
        return self._format(encoded.number_format(i))

    def _format(self, code: str) -> Any:
        made = self._made.get(code)
        if made is None:
            made = self._made[code] = self._workbook.add_format({"num_format": code})
        return made


def write_xlsx_column(
    worksheet: Any,
    first_row: int,
    col: int,
    encoded: Encoded,
    formats: XlsxFormats,
    *,
    fmt: Any = None,
    blank_format: bool = False,
) -> None:
    """Write an encoded column down from (first_row, col), 0-based as xlsxwriter counts.

    Text goes through write_string (never a formula, whatever the workbook's options), numbers
    through write_number and dates through write_datetime, each with the codec's format for
    that cell (`formats.cell`: money in its currency's decimals), or `fmt` when given (a
    column of percentages). Empty cells are skipped, or written blank with the column's format
    when `blank_format` (a template's empty input cells).
    """
    write = {
        "text": worksheet.write_string,
        "number": worksheet.write_number,
        "date": worksheet.write_datetime,
    }[encoded.codec.cell]
    for r, value in enumerate(encoded.cells, start=first_row):
        if value is not None:
            write(r, col, value, fmt if fmt is not None else formats.cell(encoded, r - first_row))
        elif blank_format:
            worksheet.write_blank(r, col, None, fmt if fmt is not None else formats[encoded.kind])
