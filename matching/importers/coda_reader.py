"""CODA statements of Belgian banks (Febelfin "Coded statement of account", version 2).

Records of 128 characters, the first one or two giving the type: 0 header, 1 old balance,
2.1/2.2/2.3 a movement and its continuations (communication, counterparty account and
name), 3.x information, 4 free message, 8 new balance, 9 trailer with the number of
records and the sums of debit and credit movements. Amounts have 15 digits with three
decimals and a sign digit (0 credit, 1 debit). A movement with detail number 0000 is the
booking; a globalised booking is followed by its detail movements (same sequence number,
detail 0001...), which are information and not money of their own. Refused at the line
that shows it: a record of an unknown type or cut short, an old balance plus bookings that
is not the new balance, a trailer whose count or sums are not the file's, a file without
its trailer (cut short). See fixedwidth for why this reader is declared here.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from common.errors import BankFileError
from common.values import format_cents

from .fixedwidth import Field, cut, records
from .model import PARSED_COLUMNS, Parsed, check_amount, check_balanced

__all__ = ["CodaImporter"]

_BALANCE = (
    Field("structure", 2, 2),
    Field("account", 6, 42),
    Field("sign", 43, 43, "digits"),
    Field("amount", 44, 58, "digits"),
    Field("date", 59, 64, "date"),
)
_NEW_BALANCE = (
    Field("account", 5, 41),
    Field("sign", 42, 42, "digits"),
    Field("amount", 43, 57, "digits"),
    Field("date", 58, 63, "date"),
)
_MOVEMENT = (
    Field("sequence", 3, 6, "digits"),
    Field("detail", 7, 10, "digits"),
    Field("bank_ref", 11, 31),
    Field("sign", 32, 32, "digits"),
    Field("amount", 33, 47, "digits"),
    Field("value_date", 48, 53, "blankdate"),
    Field("code", 54, 61),
    Field("structured", 62, 62, "digits"),
    Field("communication", 63, 115),
    Field("entry_date", 116, 121, "date"),
)
_MOVEMENT_2 = (Field("communication", 11, 63), Field("customer_ref", 64, 98))
_MOVEMENT_3 = (
    Field("counterparty_account", 11, 47),
    Field("counterparty", 48, 82),
    Field("communication", 83, 125),
)
_TRAILER = (
    Field("records", 17, 22, "digits"),
    Field("debits", 23, 37, "digits"),
    Field("credits", 38, 52, "digits"),
)
_KNOWN = {"0", "1", "21", "22", "23", "31", "32", "33", "4", "8", "9"}


class CodaImporter:
    name = "coda"

    def accepts(self, head: str) -> bool:
        first = head.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
        return first.startswith("0000") and len(first) in (127, 128) and first[14:16] == "05"

    def read(self, data: bytes, source: str, *, date_order: str) -> Parsed:
        return _read(data, source)


def _cents(thousandths: int, sign: int, source: str, line: int, what: str) -> int:
    """Cents of a CODA amount (three decimals, sign digit 0 credit / 1 debit); a third
    decimal other than 0 is not a cent amount and is refused."""
    if thousandths % 10:
        raise BankFileError(source, line, f"{what}: {Decimal(thousandths) / 1000} has a third decimal")
    if sign not in (0, 1):
        raise BankFileError(source, line, f"{what}: sign {sign} (expected 0 credit or 1 debit)")
    return check_amount(thousandths // 10 * (-1 if sign else 1), source, line, what)


def _read(data: bytes, source: str) -> Parsed:
    lines = records(data)
    rows: list[dict[str, object]] = []
    statements: list[dict[str, object]] = []
    state: dict[str, object] = {}
    counted, debits, credits = 0, 0, 0
    trailer_seen = False
    for number, line in enumerate(lines, start=1):
        kind = line[0] if line[:1] in ("0", "1", "4", "8", "9") else line[:2]
        if kind not in _KNOWN:
            raise BankFileError(source, number, f"not a CODA record (type {line[:2]!r})")
        if trailer_seen and kind != "0":
            raise BankFileError(source, number, "a record after the trailer (9) without a new header (0)")
        if kind == "0":
            trailer_seen, counted, debits, credits = False, 0, 0, 0
            continue
        if kind == "9":
            _check_trailer(
                cut(line, _TRAILER, source, number, "trailer (9)"), counted, debits, credits, source, number
            )
            trailer_seen = True
            continue
        counted += kind != "4"  # the trailer counts records 1, 2 and 3 (and 8), not free messages
        if kind == "1":
            head = cut(line, _BALANCE, source, number, "old balance (1)")
            state = {
                "account": str(head["account"]),
                "opening": _cents(int(head["amount"]), int(head["sign"]), source, number, "old balance"),  # type: ignore[call-overload]
                "from": head["date"],
                "start": len(rows),
                "statement": len(statements),
            }
        elif kind == "21":
            mv = cut(line, _MOVEMENT, source, number, "movement (2.1)")
            if not state:
                raise BankFileError(source, number, "movement (2.1) before the old balance (1)")
            if mv["detail"] != 0:
                continue  # a globalised booking's detail: information, not money of its own
            cents = _cents(int(mv["amount"]), int(mv["sign"]), source, number, "movement amount")  # type: ignore[call-overload]
            debits += -cents if cents < 0 else 0
            credits += cents if cents > 0 else 0
            rows.append(
                {
                    "Date": pd.Timestamp(mv["entry_date"]),
                    "Amount": cents,
                    "Currency": str(state["account"])[-3:],
                    "Payer": "",
                    "Memo": str(mv["communication"]),
                    "BankRef": str(mv["bank_ref"]),
                    "Account": _account(str(state["account"])),
                    "Note": "",
                    "Statement": state["statement"],
                    "_line": number,
                }
            )
        elif kind in ("22", "23") and rows and state:
            more = cut(
                line,
                _MOVEMENT_2 if kind == "22" else _MOVEMENT_3,
                source,
                number,
                f"movement ({kind[0]}.{kind[1]})",
            )
            last = rows[-1]
            if last["_line"] == number - 1 or last.get("_next") == number - 1:
                last["_next"] = number
                last["Memo"] = " ".join(filter(None, [str(last["Memo"]), str(more["communication"])]))
                if kind == "23":
                    last["Payer"] = str(more["counterparty"])
        elif kind == "8":
            new = cut(line, _NEW_BALANCE, source, number, "new balance (8)")
            if not state:
                raise BankFileError(source, number, "new balance (8) without an old balance (1)")
            closing = _cents(int(new["amount"]), int(new["sign"]), source, number, "new balance")  # type: ignore[call-overload]
            mine = rows[int(state["start"]) :]  # type: ignore[call-overload]
            total = sum(int(r["Amount"]) for r in mine)  # type: ignore[call-overload]
            account = _account(str(state["account"]))
            check_balanced(source, number, account, account, int(state["opening"]), total, closing)  # type: ignore[call-overload]
            statements.append(
                {
                    "Key": ("coda", account, str(state["from"]), str(new["date"]), state["opening"], closing),
                    "Account": account,
                    "Currency": str(state["account"])[-3:],
                    "FromDate": pd.Timestamp(state["from"]),  # type: ignore[arg-type]
                    "ToDate": pd.Timestamp(new["date"]),  # type: ignore[arg-type]
                    "OpeningBalance": state["opening"],
                    "ClosingBalance": closing,
                    "Lines": len(mine),
                }
            )
            state = {}
    if not trailer_seen:
        raise BankFileError(
            source, len(lines), "the file does not end with its trailer record (9): it was cut short"
        )
    for row in rows:
        row.pop("_line", None)
        row.pop("_next", None)
    return Parsed(lines=pd.DataFrame(rows, columns=list(PARSED_COLUMNS)), statements=statements)


def _account(field: str) -> str:
    """The account number of a balance record's account field (without its currency)."""
    return field[:-3].strip() if field[-3:].isalpha() else field.strip()


def _check_trailer(
    trailer: dict[str, object], counted: int, debits: int, credits: int, source: str, number: int
) -> None:
    stated = (int(trailer["records"]), int(trailer["debits"]) // 10, int(trailer["credits"]) // 10)  # type: ignore[call-overload]
    if stated != (counted, debits, credits):
        raise BankFileError(
            source,
            number,
            f"the trailer states {stated[0]} records, debits {format_cents(stated[1])} and credits "
            f"{format_cents(stated[2])}; the file has {counted}, {format_cents(debits)} and {format_cents(credits)}",
        )
