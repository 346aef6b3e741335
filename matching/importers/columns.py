"""Whole columns of amount and date text to cents and dates, fast, by the rules of common.values.

A bank CSV has one convention per column, not per cell: "1/5/19" in a column that also
holds "2/20/19" is the 5th of January, and "1,234" in a column of "12,50" is a decimal
comma. So the conventions are decided once per column from all its cells (a column that
contradicts itself is refused), then every cell is parsed with them.

Speed: a 100,000-line statement must not cost a full parse per cell. A column of amounts in
the plain shapes ("-1.234,56", "12.50") is checked by one regex match over the whole column
and converted by pandas' C number reader; dates are read once per distinct text, and in the
plain shapes ("30.11.2026", "2026-11-30") converted by pandas in C. Every other cell goes
through `common.values.parse_amount_cents` / `parse_date`, which also word the errors.
Property tests hold the fast paths equal to those functions on every cell they accept, so
there is still one set of rules.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from functools import cache

import numpy as np
import pandas as pd

from common.errors import BankFileError
from common.values import parse_amount_cents, parse_date

from .model import MAX_AMOUNT_CENTS, check_amount

__all__ = ["amount_column", "column_date_order", "column_decimal_comma", "date_column"]

Locate = Callable[[int], "int | None"]
"""Maps a row position of the column to the file's line number, for messages."""

# The last separator that is followed by digits and then only non-digits (currency, ")", "-").
_LAST_SEP = re.compile(r"([.,])(\d+)\D*$")
_FAST_AMOUNT = {  # used with fullmatch; the digit limits keep _plain_cents exact. ASCII digits
    # only: the C number reader does not read full-width "１２３" (common.values does).
    True: re.compile(r"[+-]?(?:[0-9]{1,3}(?:\.[0-9]{3}){1,3}|[0-9]{1,13})(?:,[0-9]{1,2})?"),
    False: re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3}){1,3}|[0-9]{1,13})(?:\.[0-9]{1,2})?"),
    None: re.compile(r"[+-]?[0-9]{1,13}"),
}
# The whole column at once (cells joined by newlines); possessive, so a long column never backtracks.
_ALL_FAST_AMOUNTS = {
    comma: re.compile(rf"(?:{shape.pattern}\n)*+{shape.pattern}") for comma, shape in _FAST_AMOUNT.items()
}
_SLASHED = re.compile(r"(\d{1,2})([/-])(\d{1,2})\2(?:\d{2}|\d{4})(?:[ T].*)?$")
_FAST_DATE = (
    (re.compile(r"\d{4}-\d{2}-\d{2}$"), {"dmy": "%Y-%m-%d", "mdy": "%Y-%m-%d", "ymd": "%Y-%m-%d"}),
    (re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}$"), {"dmy": "%d.%m.%Y", "mdy": "%d.%m.%Y", "ymd": "%d.%m.%Y"}),
    (re.compile(r"\d{1,2}/\d{1,2}/\d{4}$"), {"dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y", "ymd": "%d/%m/%Y"}),
    (re.compile(r"\d{1,2}-\d{1,2}-\d{4}$"), {"dmy": "%d-%m-%Y", "mdy": "%m-%d-%Y", "ymd": "%d-%m-%Y"}),
    (re.compile(r"\d{4}\.\d{2}\.\d{2}\.$"), {"dmy": "%Y.%m.%d.", "mdy": "%Y.%m.%d.", "ymd": "%Y.%m.%d."}),
)
_FIRST_YEAR, _LAST_YEAR = 1900, 2199
_DECIDING_SAMPLE = 1000


def column_decimal_comma(texts: Sequence[str], name: str, source: str, locate: Locate) -> bool | None:
    """True for a decimal-comma column, False for decimal point, None when no cell tells.

    A cell tells when it has both separators (the last one is the decimal mark) or one
    separator not followed by exactly three digits. The first `_DECIDING_SAMPLE` cells
    normally settle it; only when they do not is the rest of the column read. Cells after
    the sample that contradict the decision cannot slip through: under a convention each
    cell is either unambiguous or refused (see amount_column).
    """
    seen: dict[str, tuple[int, str]] = {}
    for pos, text in enumerate(texts):
        if pos >= _DECIDING_SAMPLE and seen:
            break
        if "." not in text and "," not in text:
            continue
        m = _LAST_SEP.search(text)
        if m and (len(m[2]) != 3 or ("." in text and "," in text)):
            seen.setdefault(m[1], (pos, text))
            if len(seen) == 2:
                (p1, t1), (p2, t2) = sorted(seen.values())
                raise BankFileError(
                    source,
                    locate(p2),
                    f"column {name} mixes decimal marks: {t1!r} (line {locate(p1)}) and {t2!r}; "
                    "expected one convention per column",
                )
    if not seen:
        return None
    return "," in seen


def amount_column(
    texts: Sequence[str], name: str, source: str, locate: Locate, decimal_comma: bool | None = None
) -> pd.Series:
    """Cents (Int64, <NA> for empty cells) for a column of amount text (cells already stripped)."""
    if decimal_comma is None:
        decimal_comma = column_decimal_comma(texts, name, source, locate)
    joined = "\n".join(texts)
    if joined.count("\n") == len(texts) - 1 and _ALL_FAST_AMOUNTS[decimal_comma].fullmatch(joined):
        cents = _plain_cents(joined, decimal_comma)
        _check_range(cents, name, source, locate)
        return pd.Series(cents, dtype="Int64")
    fast = _FAST_AMOUNT[decimal_comma].fullmatch
    plain = np.array([fast(t) is not None for t in texts], dtype=bool)
    empty = np.array([not t for t in texts], dtype=bool)
    cents = np.zeros(len(texts), dtype=np.int64)
    if plain.any():
        cents[plain] = _plain_cents(
            "\n".join(t for t, p in zip(texts, plain, strict=True) if p), decimal_comma
        )
    for pos in np.flatnonzero(~plain & ~empty).tolist():
        try:
            value = parse_amount_cents(texts[pos], decimal_comma=decimal_comma)
        except ValueError as exc:
            raise BankFileError(source, locate(pos), f"column {name}: {exc}") from None
        cents[pos] = check_amount(value, source, locate(pos), f"column {name}")
    _check_range(cents, name, source, locate)
    out = pd.Series(cents, dtype="Int64")
    out[empty] = pd.NA
    return out


def _check_range(cents: np.ndarray, name: str, source: str, locate: Locate) -> None:
    """Refuse the first cell beyond the largest amount a bank line may carry."""
    beyond = np.flatnonzero(np.abs(cents) > MAX_AMOUNT_CENTS)
    if len(beyond):
        pos = int(beyond[0])
        check_amount(int(cents[pos]), source, locate(pos), f"column {name}")


def _plain_cents(lines: str, decimal_comma: bool | None) -> np.ndarray:
    """Cents of cells matched by _FAST_AMOUNT, one per line of `lines`, converted by pandas'
    C number reader: at most 13 integer digits and 2 decimals, so the float nearest to each
    is within far less than half a cent of it and rounds back exactly."""
    if decimal_comma:
        lines = lines.replace(".", "").replace(",", ".")
    elif decimal_comma is False:
        lines = lines.replace(",", "")
    numbers = pd.read_csv(
        io.StringIO(lines), header=None, names=["n"], dtype=np.float64, na_filter=False, engine="c"
    )["n"].to_numpy()
    return np.rint(numbers * 100).astype(np.int64)


def column_date_order(texts: Sequence[str], name: str, source: str, locate: Locate, default: str) -> str:
    """ "dmy" or "mdy" for a column of d/m/Y-or-m/d/Y text, from the cells that settle it.

    A cell whose first number is over 12 proves day-first, one whose second is over 12
    proves month-first; a column with both is refused, one with neither takes `default`.
    """
    proof: dict[str, tuple[int, str]] = {}
    match = _SLASHED.match
    for pos, text in enumerate(texts):
        m = match(text)
        if not m:
            continue
        first, second = int(m[1]), int(m[3])
        if first > 12 >= second:
            proof.setdefault("dmy", (pos, text))
        elif second > 12 >= first:
            proof.setdefault("mdy", (pos, text))
        if len(proof) == 2:
            (p1, t1), (p2, t2) = sorted(proof.values())
            raise BankFileError(
                source,
                locate(p2),
                f"column {name} has day-first and month-first dates: {t1!r} (line {locate(p1)}) and {t2!r}",
            )
    return next(iter(proof), default)


def date_column(texts: Sequence[str], name: str, source: str, locate: Locate, date_order: str) -> pd.Series:
    """datetime64[ns] (NaT for empty cells) for a column of date text or Excel serials (cells stripped).

    A statement has a few hundred distinct days however many lines it has, so each distinct
    text is read once; a message names the first line that holds the text it is about.
    """
    codes, distinct = pd.factorize(np.asarray(texts, dtype=object))

    @cache
    def first_line(code: int) -> int | None:
        return locate(int(np.argmax(codes == code)))

    days = _distinct_dates(distinct.tolist(), name, source, first_line, date_order)
    return pd.Series(days.to_numpy()[codes], dtype="datetime64[ns]")


def _distinct_dates(texts: list[str], name: str, source: str, locate: Locate, date_order: str) -> pd.Series:
    first = next((t for t in texts if t), "")
    order: str | None = None  # found only when some cell's reading depends on it
    result = pd.Series(pd.NaT, index=range(len(texts)), dtype="datetime64[ns]")
    for shape, formats in _FAST_DATE:
        if shape.match(first):
            if formats["dmy"] != formats["mdy"]:
                order = column_date_order(texts, name, source, locate, date_order)
            plain = [t if shape.match(t) else None for t in texts]
            parsed = pd.to_datetime(
                pd.Series(plain, dtype=object), format=formats[order or date_order], errors="coerce"
            )
            # years out of range go to the slow path (which words the refusal) before the cast
            # to nanoseconds, which cannot hold year 1026
            result = parsed.where(parsed.dt.year.between(_FIRST_YEAR, _LAST_YEAR)).astype("datetime64[ns]")
            break
    slow = np.flatnonzero(result.isna().to_numpy() & np.array([bool(t) for t in texts], dtype=bool)).tolist()
    if slow and order is None:
        order = column_date_order(texts, name, source, locate, date_order)
    for pos in slow:
        try:
            day = parse_date(texts[pos], date_order=order or date_order)
        except ValueError as exc:
            raise BankFileError(source, locate(pos), f"column {name}: {exc}") from None
        if not _FIRST_YEAR <= day.year <= _LAST_YEAR:
            raise BankFileError(
                source,
                locate(pos),
                f"column {name}: expected a date between {_FIRST_YEAR} and {_LAST_YEAR}, got {texts[pos]!r}",
            )
        result.iat[pos] = pd.Timestamp(day)
    return result
