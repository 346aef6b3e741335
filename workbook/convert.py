"""Cell values as people type them -> typed columns of the contract, with every bad cell located.

Shared by the file reader (values from python-calamine) and the live Excel adapter (values
from xlwings): both hand over rows of plain Python values (str, float, int, bool, date,
datetime, None), and both must type and refuse them the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from common.currency import is_currency
from common.errors import Problem
from common.values import amount_limit_text, parse_amount_cents, parse_bool, parse_date, yes_no

from .contract import YES_NO, Column, Table, normalise_header
from .units import Units, currency_text, digits_of

__all__ = ["cell_text", "empty_frame", "frame_from_rows", "match_header"]


def match_header(table: Table, header: Sequence[object]) -> dict[str, int]:
    """Contract column name -> position in `header` (case, spaces and underscores ignored)."""
    positions = {normalise_header(h): i for i, h in reversed(list(enumerate(header))) if h not in (None, "")}
    return {
        c.name: positions[normalise_header(c.name)]
        for c in table.columns
        if normalise_header(c.name) in positions
    }


def empty_frame(table: Table, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A frame with no rows and the contract dtypes, for a table the workbook does not hold yet."""
    names = list(columns) if columns is not None else table.column_names
    data = {}
    for name in names:
        try:
            kind = table.column(name).kind
        except KeyError:
            kind = "money"  # extra arbook-owned columns (aging buckets) are money
        data[name] = pd.Series([], dtype=_DTYPES[kind])
    return pd.DataFrame(data, index=pd.Index([], dtype="int64", name="row"))


_DTYPES = {
    "text": object,
    "id": object,
    "choice": object,
    "currency": object,
    "money": "Int64",
    "date": "datetime64[ns]",
    "datetime": "datetime64[ns]",
    "bool": bool,
    "int": "Int64",
    "number": "float64",
}


def frame_from_rows(
    table: Table,
    header: Sequence[object],
    rows: Sequence[Sequence[object]],
    *,
    first_row: int,
    header_row: int,
    date_order: str,
    date1904: bool = False,
    units: Units | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Type the rows of one table; return the frame (index = Excel row) and every problem found.

    Rows whose contract cells are all empty are dropped (the template's blank row, trailing
    rows). Missing required columns are problems; missing optional columns read as empty.
    Money is read in minor units of each row's currency, as `units` decides it (workbook.units;
    None: every row in EUR, for tables read without a workbook around them).
    """
    units = units or Units()
    problems: list[Problem] = []
    where = match_header(table, header)
    for col in table.columns:
        if col.required and col.name not in where:
            problems.append(
                Problem(table.name, header_row, col.name, "required column is missing from the header row")
            )
    columns = _columns(rows)
    width = len(columns)

    def raw(name: str) -> list[object]:
        i = where.get(name)
        if i is None or i >= width:
            return [None] * len(rows)
        return list(columns[i])

    raws = {c.name: raw(c.name) for c in table.columns}
    # a row is kept when any contract cell is filled; a missing column is all empty. Required
    # columns decide most rows; the others are looked at only for the rows still undecided.
    filled = {c.name: _filled_mask(raws[c.name]) for c in table.columns if c.required and c.name in where}
    keep = np.zeros(len(rows), dtype=bool)
    for mask in filled.values():
        keep |= mask
    for name in (n for n in where if n not in filled):
        open_rows = np.flatnonzero(~keep)
        if not len(open_rows):
            break
        column = raws[name]
        keep[open_rows] = _filled_mask([column[i] for i in open_rows])
    index = np.arange(first_row, first_row + len(rows))[keep]
    every = bool(keep.all())

    def kept(name: str) -> list[object]:
        return raws[name] if every else [v for v, k in zip(raws[name], keep, strict=True) if k]

    customers = kept("CustomerID") if "CustomerID" in where else None
    digits: dict[str, np.ndarray] = {}

    def digits_for(source: str) -> np.ndarray:
        if source not in digits:
            own = kept(source) if source in where else None
            digits[source] = digits_of(units.currencies(own, customers, int(keep.sum())))
        return digits[source]

    data = {}
    for col in table.columns:
        if col.variable and col.name not in where and where:
            continue
        values = kept(col.name)
        if col.name not in where:  # a missing column is one problem (above), not one per row
            col = replace(col, required=False)
        mask = filled[col.name][keep] if col.name in filled else None
        places = digits_for(col.currency) if col.kind == "money" else None
        data[col.name] = _convert(table, col, values, index, problems, date_order, date1904, mask, places)
    if (
        table.owner.value == "arbook"
    ):  # aging buckets follow a setting: keep the columns as written (money if numeric)
        known = {normalise_header(c.name) for c in table.columns}
        for i, name in enumerate(header):
            if name not in (None, "") and normalise_header(name) not in known and i < width:
                values = [v for v, k in zip(columns[i], keep, strict=True) if k]
                as_money: list[Problem] = []
                money = _convert(
                    table,
                    Column(str(name), "money"),
                    values,
                    index,
                    as_money,
                    date_order,
                    date1904,
                    digits=digits_for("Currency"),
                )
                data[str(name)] = (
                    money if not as_money else pd.Series([cell_text(v) for v in values], dtype=object)
                )
    frame = pd.DataFrame(data)
    frame.index = pd.Index(index, dtype="int64", name="row")
    return frame, problems


def _columns(rows: Sequence[Sequence[object]]) -> list[list[object]]:
    """The rows' columns: from a 2-D object array column by column, else by transposing lists."""
    if isinstance(rows, np.ndarray) and rows.ndim == 2:
        return [rows[:, j].tolist() for j in range(rows.shape[1])]
    return [list(c) for c in zip(*rows, strict=False)] if len(rows) else []


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _filled_mask(values: list[object]) -> np.ndarray:
    """`_filled` of every value, inlined: a table of 200,000 rows has millions of cells."""
    return np.fromiter(
        (v is not None and (not isinstance(v, str) or (v != "" and not v.isspace())) for v in values),
        dtype=bool,
        count=len(values),
    )


def _convert(
    table: Table,
    col: Column,
    values: list[object],
    rows: np.ndarray,
    problems: list[Problem],
    date_order: str,
    date1904: bool,
    filled: np.ndarray | None = None,
    digits: np.ndarray | None = None,
) -> pd.Series:
    def bad(i: int, message: str) -> None:
        problems.append(Problem(table.name, int(rows[i]), col.name, message))

    if col.required:
        for i in np.flatnonzero(~(_filled_mask(values) if filled is None else filled)):
            bad(int(i), "a value is required here")
    kind = col.kind
    if kind in ("text", "id", "choice"):
        if all(type(v) is str for v in values):  # the usual text column: strip at C speed
            texts = list(map(str.strip, values))
        else:
            texts = [v.strip() if type(v) is str else cell_text(v) for v in values]
        if kind == "choice" and col.choices:
            texts = _choices(col, texts, bad)
        return pd.Series(texts, dtype=object)
    if kind == "currency":
        return _currencies(values, bad)
    if kind == "money":
        places = np.full(len(values), 2, dtype="int64") if digits is None else digits
        return _money(values, bad, table.largest_amount, places)
    if kind in ("date", "datetime"):
        return _dates(values, bad, kind, date_order, date1904)
    if kind == "bool":
        out = []
        known: dict[object, bool] = {}  # a column holds a handful of distinct spellings: parse each once
        for i, v in enumerate(values):
            try:
                out.append(known[v] if v in known else known.setdefault(v, parse_bool(v)))
            except ValueError as exc:
                bad(i, str(exc))
                out.append(False)
        return pd.Series(out, dtype=bool)
    if kind == "int":
        return _ints(values, bad, col.largest)
    return _numbers(values, bad)


def cell_text(value: object) -> str:
    """A cell of a text or ID column as text: a number cell 10002 (10002.0 as Excel hands it over) is "10002"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _choices(col: Column, texts: list[str], bad) -> list[str]:
    canonical = {c.casefold(): c for c in col.choices}
    out = []
    for i, t in enumerate(texts):
        key = t.casefold()
        if col.name == "Language":
            key = key.replace("-", "_").split("_")[0]
        if not t:
            out.append("")
        elif key in canonical:
            out.append(canonical[key])
        elif col.choices == YES_NO:  # Approve: any yes/no word people type elsewhere, kept as Y or N
            try:
                out.append(yes_no(parse_bool(t)))
            except ValueError as exc:
                bad(i, str(exc))
                out.append(t)
        else:
            bad(i, f"expected one of {', '.join(col.choices)}, got {t!r}")
            out.append(t)
    return out


def _currencies(values: list[object], bad) -> pd.Series:
    """Currency cells as ISO 4217 codes; anything else is a problem (its decimals and rate are unknown)."""
    codes = [currency_text(v) for v in values]
    for i, code in enumerate(codes):
        if code and not is_currency(code):
            bad(i, f"expected an ISO 4217 currency code such as EUR, USD or JPY, got {values[i]!r}")
    return pd.Series(codes, dtype=object)


def _money(values: list[object], bad, largest: int, digits: np.ndarray) -> pd.Series:
    """Amounts in minor units: `digits` are the decimals of each row's currency."""
    blank = ~_filled_mask(values)
    if len(values) and all(type(v) is float or b for v, b in zip(values, blank, strict=True)):
        # the common case from Excel, numbers and empty cells: vectorised
        arr = np.asarray([0.0 if b else v for v, b in zip(values, blank, strict=True)], dtype="float64") * (
            10.0 ** digits.astype("float64")
        )
        with np.errstate(invalid="ignore"):
            cents = np.round(arr)
            beyond = ~(np.abs(cents) <= largest)  # NaN and infinities too
            off = ~beyond & (np.abs(arr - cents) > 1e-6 * np.maximum(1.0, np.abs(arr) / 1e9))
        result = pd.array(np.where(beyond, 0, cents).astype("int64"), dtype="Int64")
        result[blank | beyond] = pd.NA
        for i in np.flatnonzero(off):
            places = int(digits[i])
            bad(
                int(i),
                f"expected an amount with at most {places} decimals, got {values[i]!r}"
                if places
                else f"expected a whole amount (the currency has no decimals), got {values[i]!r}",
            )
        for i in np.flatnonzero(beyond):
            bad(int(i), f"{amount_limit_text(largest, int(digits[i]))}, got {values[i]!r}")
        return pd.Series(result)
    out: list[object] = []
    for i, v in enumerate(values):
        if not _filled(v):
            out.append(pd.NA)
            continue
        try:
            out.append(parse_amount_cents(v, largest=largest, digits=int(digits[i])))
        except ValueError as exc:
            bad(i, str(exc))
            out.append(pd.NA)
    return pd.Series(pd.array(out, dtype="Int64"))


def _dates(values: list[object], bad, kind: str, date_order: str, date1904: bool) -> pd.Series:
    out: list[object] = []
    for i, v in enumerate(values):
        if type(v) is dt.date:  # what calamine gives for a date cell: nothing to parse
            out.append(v)
        elif not _filled(v):
            out.append(pd.NaT)
        elif kind == "datetime" and isinstance(v, dt.datetime):
            out.append(v)
        elif kind == "datetime" and isinstance(v, str) and _iso_datetime(v):
            out.append(_iso_datetime(v))
        else:
            try:
                out.append(parse_date(v, date_order=date_order, date1904=date1904))
            except ValueError as exc:
                bad(i, str(exc))
                out.append(pd.NaT)
    return pd.Series(pd.to_datetime(pd.Series(out, dtype=object)), dtype="datetime64[ns]")


def _iso_datetime(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None


def _ints(values: list[object], bad, largest: int) -> pd.Series:
    out: list[object] = []
    for i, v in enumerate(values):
        if not _filled(v):
            out.append(pd.NA)
            continue
        try:
            number = float(str(v).strip().replace(",", ".")) if isinstance(v, str) else float(v)  # type: ignore[arg-type]
            if not number.is_integer() or isinstance(v, bool):
                raise ValueError
        except (TypeError, ValueError):
            bad(i, f"expected a whole number, got {v!r}")
            out.append(pd.NA)
            continue
        if abs(number) > largest:
            bad(i, f"expected a whole number of at most {largest:,} either way, got {v!r}")
            out.append(pd.NA)
        else:
            out.append(int(number))
    return pd.Series(pd.array(out, dtype="Int64"))


def _numbers(values: list[object], bad) -> pd.Series:
    out: list[float] = []
    for i, v in enumerate(values):
        if not _filled(v):
            out.append(np.nan)
            continue
        try:
            if isinstance(v, bool):
                raise ValueError
            text = str(v).strip().rstrip("%").replace(",", ".") if isinstance(v, str) else v
            out.append(float(text))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            bad(i, f"expected a number, got {v!r}")
            out.append(np.nan)
    return pd.Series(out, dtype="float64")
