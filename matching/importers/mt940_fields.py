"""MT940 text cut into its tagged fields and checked against SWIFT's field formats, line by line.

The mt-940 package reads the fields' meaning, but it forgives too much to be the judge of
whether a file was read whole: an amount cut short ("C71" of "C717,55") or written as
"1e308" still gives it a number, an unknown tag (":66:" for ":61:") swallows a transaction
into the text before it, and a statement without its account or balances reads as one.
So every field is checked here first, with the file line it stands on, and each statement
must carry what SWIFT makes mandatory (:20:, :25:, :28C:, an opening and a closing
balance). A file cut short ends inside a field or before a statement's closing balance,
and is refused naming its last line. The reader then holds mt-940's reading to these
amounts, and the statement's balances to its lines.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from common.errors import BankFileError
from common.values import MAX_EXACT, parse_amount_cents

from .model import check_amount

__all__ = ["Entry", "Statement", "scan"]

# Tags an MT940 (or an MT942 interim report, which some banks send as .sta) may carry.
_KNOWN = frozenset(
    {"13", "13D", "20", "21", "25", "25P", "28", "28C", "34F", "60F", "60M", "61", "62F", "62M"}
    | {"64", "65", "86", "90C", "90D", "NS"}
)
_TAG = re.compile(r":([0-9A-Z]{2,3}):")
_FILE_HEADERS = frozenset({"940"})  # Rabobank's ":940:" line above the first statement
_BALANCE = re.compile(r"([CD])([0-9]{6})([A-Z]{3})([0-9]{1,15}[,.][0-9]{0,2})")
# Value date, entry date, (R)C/(R)D, funds code, amount, transaction type: SWIFT field 61's
# first six subfields. An amount without a decimal comma is tolerated (Knab writes "C500"),
# so is a type code padded with spaces (ING, Triodos: "NOV ", "NIT "; Sberbank: "S   ") and a missing type
# when the bank reference "//" follows the amount at once (Zenith Bank): the amount still
# ends where something else visibly begins, so a cut one ("C71" of "C717,55") is refused.
_ENTRY = re.compile(
    r"([0-9]{6})([0-9]{4})?(R?[CD])([A-Z])?([0-9]{1,15}(?:[,.][0-9]{0,2})?)"
    r"(?:[NSF][A-Za-z0-9 ]{3}|(?=//))"
)
# Fields whose text goes on over lines: :61: (its supplementary details), :86: and the
# non-SWIFT :NS: that Hungarian and German banks fill with numbered subfields.
_MULTILINE = frozenset({"61", "86", "NS"})
_TERMINATORS = frozenset({"", "-", "-}"})
# What some banks write between one statement's "-" and the next :20: (ABN AMRO repeats its
# file header "ABNANL2A / 940 / ABNANL2A"): the sender's BIC or the message type, nothing else.
_BETWEEN_STATEMENTS = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?|940")
# Statement number and optional sequence number; Zenith Bank leaves the number blank (" /1").
_SEQUENCE = re.compile(r"[0-9]{1,5}(?:/[0-9]{1,5})?|/[0-9]{1,5}")
_SIGN = {"C": 1, "D": -1, "RC": -1, "RD": 1}  # a reversed credit is money going out


@dataclass(frozen=True)
class Entry:
    """One :61: as its line says it: signed cents and value date."""

    line: int
    cents: int
    value_date: dt.date


@dataclass
class Statement:
    """One statement's checked facts; `text` is its part of the file, for mt-940."""

    line: int
    last_line: int = 0
    reference: str = ""
    account: str = ""
    opening: int | None = None
    closing: int | None = None
    closing_line: int | None = None
    entries: list[Entry] = field(default_factory=list)
    text: str = ""


def scan(text: str, source: str) -> list[Statement]:
    """Every statement of `text` (line ends already \\n), each field checked; see the module doc."""
    lines = text.split("\n")
    statements: list[Statement] = []
    seen: set[str] = set()
    tag = ""
    between = False  # after a statement's "-" terminator, before the next field
    for number, raw in enumerate(lines, start=1):
        m = _TAG.match(raw)
        if not m:
            text = raw.strip()
            if text in ("-", "-}"):
                between = True
            elif between and _BETWEEN_STATEMENTS.fullmatch(text):
                continue
            if statements and tag not in _MULTILINE and text not in _TERMINATORS:
                raise BankFileError(
                    source,
                    number,
                    f"text that belongs to no field (only :61: and :86: go on over lines): {raw[:40]!r}",
                )
            continue  # continuation of :61:/:86:, a "-" terminator, or preamble before :20:
        between = False
        tag, value = m[1], raw[m.end() :].strip()
        if tag in _FILE_HEADERS and not statements:
            continue
        if tag not in _KNOWN:
            raise BankFileError(
                source, number, f"unknown MT940 tag :{tag}: (a field this reader does not know)"
            )
        if tag == "20":
            if statements:
                _close(statements[-1], seen, source, lines[: number - 1])
            statements.append(Statement(line=number))
            seen = set()
        elif not statements:
            raise BankFileError(source, number, f":{tag}: before the first :20: statement header")
        _field(statements[-1], tag, value, number, source, seen)
        seen.add(tag)
    if not statements:
        raise BankFileError(source, None, "no MT940 statement (:20:) found")
    _close(statements[-1], seen, source, lines)
    return statements


def _last_text_line(lines: list[str], floor: int) -> int:
    """The number of the last line that holds something besides a "-" terminator."""
    for number in range(len(lines), floor, -1):
        if lines[number - 1].strip() not in _TERMINATORS:
            return number
    return floor


def _field(stmt: Statement, tag: str, value: str, line: int, source: str, seen: set[str]) -> None:
    if tag in ("20", "25") and not value:
        raise BankFileError(source, line, f":{tag}: is empty (expected the statement's {_NAMES[tag]})")
    if tag == "20":
        stmt.reference = value
    elif tag in ("25", "25P"):
        stmt.account = value
    elif tag in ("28", "28C"):
        if not _SEQUENCE.fullmatch(value):
            raise BankFileError(
                source, line, f":{tag}: expected a statement number such as 00001/001, got {value!r}"
            )
    elif tag in ("60F", "60M"):
        if seen & {"60F", "60M"}:
            raise BankFileError(source, line, f":{tag}: a second opening balance in one statement")
        stmt.opening = _balance(value, tag, line, source)
    elif tag in ("62F", "62M"):
        if not seen & {"60F", "60M"}:
            raise BankFileError(source, line, f":{tag}: closing balance before any opening balance :60F:")
        if seen & {"62F", "62M"}:
            raise BankFileError(source, line, f":{tag}: a second closing balance in one statement")
        stmt.closing, stmt.closing_line = _balance(value, tag, line, source), line
    elif tag in ("64", "65"):
        _balance(value, tag, line, source)
    elif tag == "61":
        if not seen & {"60F", "60M"} or seen & {"62F", "62M"}:
            raise BankFileError(source, line, ":61: outside the statement's opening and closing balances")
        stmt.entries.append(_entry(value, line, source))


_NAMES = {"20": "reference", "25": "account"}


def _date(text: str, line: int, source: str, tag: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%y%m%d").date()
    except ValueError:
        raise BankFileError(source, line, f":{tag}: {text!r} is not a date (expected YYMMDD)") from None


def _cents(text: str) -> int:
    """Cents of a field the scan matched; check_amount then refuses one beyond the largest, with its line."""
    return parse_amount_cents(text.replace(".", ","), decimal_comma=True, largest=MAX_EXACT)


def _balance(value: str, tag: str, line: int, source: str) -> int:
    m = _BALANCE.fullmatch(value)
    if not m:
        raise BankFileError(
            source,
            line,
            f":{tag}: expected a balance such as C261130EUR1234,56 (mark, date, currency, amount), got {value!r}",
        )
    _date(m[2], line, source, tag)
    cents = check_amount(_cents(m[4]), source, line, f":{tag}: balance")
    return cents if m[1] == "C" else -cents


def _entry(value: str, line: int, source: str) -> Entry:
    m = _ENTRY.match(value)
    if not m:
        raise BankFileError(
            source,
            line,
            ":61: expected value date, mark, amount and type such as 2611301130C1234,56NTRF, "
            f"got {value[:40]!r}",
        )
    cents = check_amount(_cents(m[5]), source, line, ":61: amount")
    return Entry(line=line, cents=_SIGN[m[3]] * cents, value_date=_date(m[1], line, source, "61"))


def _close(stmt: Statement, seen: set[str], source: str, lines: list[str]) -> None:
    """Check that the statement (ending with `lines`) carries SWIFT's mandatory fields; a
    missing closing balance is a file cut short (or a statement left incomplete): refused at
    the statement's last line."""
    stmt.last_line = _last_text_line(lines, stmt.line)
    stmt.text = "\n".join(lines[stmt.line - 1 : stmt.last_line])
    missing = [
        name
        for tags, name in (
            ({"25", "25P"}, "account :25:"),
            ({"28", "28C"}, "statement number :28C:"),
            ({"60F", "60M"}, "opening balance :60F:"),
            ({"62F", "62M"}, "closing balance :62F:"),
        )
        if not tags & seen
    ]
    if "closing balance :62F:" in missing:
        raise BankFileError(
            source,
            stmt.last_line,
            f"statement {stmt.reference or '(no reference)'} (from line {stmt.line}) ends without its "
            f"{', '.join(missing)}: the file is cut short or the statement incomplete",
        )
    if missing:
        raise BankFileError(
            source,
            stmt.line,
            f"statement {stmt.reference or '(no reference)'} has no {', '.join(missing)} "
            "(SWIFT makes it mandatory; without it the lines cannot be placed)",
        )
