"""QIF (Quicken Interchange Format) exports, read with quiffen.

QIF is the legacy download of UK, Australian and US banks: records of one-letter fields
(D date, T amount, P payee, M memo, N number) ended by "^", under a "!Type:Bank" (or
CCard, Cash, ...) header. It carries no account number, no currency and no balances, and
its dates are written day-first or month-first as the bank's country does: the order is
decided from all the file's D fields, as for a CSV column (a file with both is refused),
before quiffen reads them. Investment and memorised records are not money on the account
and are refused rather than read as payments.
"""

from __future__ import annotations

import re

import pandas as pd
from quiffen import Qif

from common.errors import BankFileError
from common.values import parse_amount_cents

from .columns import column_date_order
from .model import PARSED_COLUMNS, Parsed, check_amount
from .textio import line_containing, rank_encodings

__all__ = ["QifImporter"]

_HEADER = re.compile(r"^\s*!(Type|Account|Option)", re.IGNORECASE | re.MULTILINE)
_CASH_TYPES = ("bank", "cash", "ccard", "credit card", "oth a", "oth l")


class QifImporter:
    name = "qif"

    def accepts(self, head: str) -> bool:
        return bool(_HEADER.search(head[:512]))

    def read(self, data: bytes, source: str, *, date_order: str) -> Parsed:
        text = _decode(data, source)
        found = _cash_dates(text)
        dates = [d for _line_no, d in found]
        order = column_date_order(dates, "D (date)", source, lambda pos: found[pos][0], date_order)
        try:
            qif = Qif.parse_string(text.strip(), day_first=order == "dmy")
        except Exception as exc:  # any failure of quiffen means "cannot read it with confidence"
            message = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            line = re.search(r"[Ll]ine (\d+)", message)
            raise BankFileError(
                source, int(line[1]) if line else None, f"not a valid QIF file: {message}"
            ) from None
        rows: list[dict[str, object]] = []
        for number, (name, account) in enumerate(qif.accounts.items()):
            for kind, transactions in account.transactions.items():
                if kind.value.lower() not in _CASH_TYPES:
                    continue
                for txn in transactions:
                    rows.append(_line(txn, name, number, source, text))
        if not rows:
            raise BankFileError(source, None, "a QIF file without any bank transaction")
        return Parsed(lines=pd.DataFrame(rows, columns=list(PARSED_COLUMNS)))


def _decode(data: bytes, source: str) -> str:
    ranked = rank_encodings(data)
    if not ranked:
        raise BankFileError(
            source, None, "cannot tell the text encoding (tried UTF-8, UTF-16, cp1252 and GB18030)"
        )
    return data.decode(ranked[0]).replace("\r\n", "\n").replace("\r", "\n")


def _cash_dates(text: str) -> list[tuple[int, str]]:
    """(line, date text as quiffen will read it) of each D field under a cash-account header
    (under !Type:Cat or !Type:Class a D field is a description)."""
    found, kind = [], ""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("!"):
            kind = line.partition(":")[2].strip().lower() if line.lower().startswith("!type:") else kind
        elif line.startswith("D") and kind in _CASH_TYPES:
            found.append((number, line[1:].strip().replace("'", "/").replace(" ", "0")))
    return found


def _line(txn: object, account: str, number: int, source: str, text: str) -> dict[str, object]:
    amount = txn.amount  # type: ignore[attr-defined]
    where = line_containing(text, f"T{amount}") or line_containing(text, f"U{amount}")
    try:
        cents = check_amount(parse_amount_cents(amount), source, where, "T (amount)")
    except ValueError as exc:
        raise BankFileError(source, where, f"T (amount): {exc}") from None
    day = txn.date  # type: ignore[attr-defined]
    payee = str(getattr(txn, "payee", "") or "")
    return {
        "Date": pd.Timestamp(day.year, day.month, day.day),
        "Amount": cents,
        "Currency": "",
        "Payer": payee,
        "Memo": str(getattr(txn, "memo", "") or ""),
        "BankRef": str(getattr(txn, "check_number", "") or ""),
        "Account": "" if account == "Quiffen Default Account" else account,
        "Note": "",
        "Statement": number,
    }
