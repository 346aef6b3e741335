"""Fixed-width bank records (CODA, CFONB 120) described as data: where each field stands.

No well-kept Python library reads CODA (Belgium) or CFONB 120 (France): pycoda is GPL and
unmaintained since 2022, codapy needs factory-boy at run time, and nothing on PyPI reads
CFONB. Both formats are records of fixed width whose first characters say the record type;
each reader here declares its records as `Field`s (name, 1-based first and last position
as the published specifications number them, kind) and `cut` slices a line by them,
refusing it with its line number when a field does not hold what its kind requires.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from common.errors import BankFileError

__all__ = ["Field", "cut", "ddmmyy", "digits", "records"]


@dataclass(frozen=True)
class Field:
    name: str
    first: int  # 1-based, as the specifications number positions
    last: int
    kind: str = "text"  # "text", "digits" (zero-padded number), "date" (DDMMYY), "blankdate"


def records(data: bytes) -> list[str]:
    """The file's records: Latin-1 (both formats are 8-bit), any line end, no trailing blank lines."""
    text = data.decode("latin-1").lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def ddmmyy(text: str) -> dt.date:
    """A DDMMYY date (years 00-79 are 2000-2079, 80-99 are 1980-1999)."""
    day, month, year = digits(text[:2]), digits(text[2:4]), digits(text[4:6])
    return dt.date(2000 + year if year < 80 else 1900 + year, month, day)


def digits(text: str) -> int:
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


def cut(line: str, fields: tuple[Field, ...], source: str, number: int, record: str) -> dict[str, object]:
    """The fields of one record as text, ints and dates; a field that does not hold its kind
    refuses the file at this line, naming the record and the field."""
    width = max(f.last for f in fields)
    if len(line) < width:
        raise BankFileError(
            source,
            number,
            f"{record} record is {len(line)} characters, expected {width}: the file is cut short",
        )
    out: dict[str, object] = {}
    for f in fields:
        raw = line[f.first - 1 : f.last]
        try:
            if f.kind == "digits":
                out[f.name] = digits(raw)
            elif f.kind == "date" or (f.kind == "blankdate" and raw.strip("0 ")):
                out[f.name] = ddmmyy(raw)
            elif f.kind == "blankdate":
                out[f.name] = None
            else:
                out[f.name] = " ".join(raw.split())
        except ValueError:
            raise BankFileError(
                source,
                number,
                f"{record} record, {f.name} (positions {f.first}-{f.last}): expected "
                f"{'a date DDMMYY' if 'date' in f.kind else 'digits'}, got {raw!r}",
            ) from None
    return out
