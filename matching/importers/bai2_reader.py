"""BAI2 cash-management files (US corporate accounts), read with the bai2 package.

A BAI2 file nests groups (one per bank and as-of date) of accounts, each with summary
items (010 opening ledger, 015 closing ledger, ...) and 16 transaction details whose type
code says credit (100-399) or debit (400-699). bai2 checks the control totals and record
counts of every trailer (49, 98, 99), so a file cut short or edited is refused. Amounts
are in the currency's minor unit; details carry no date, so each line takes its group's
as-of date. An account with an opening and a closing ledger balance must reconcile.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from babel.numbers import get_currency_precision
from bai2 import bai2
from bai2.constants import TypeCodeTransaction

from common.errors import BankFileError

from .model import PARSED_COLUMNS, Parsed, check_amount, check_balanced
from .textio import decode_lenient, line_containing

__all__ = ["Bai2Importer"]

_OPENING_LEDGER, _CLOSING_LEDGER = "010", "015"


class Bai2Importer:
    name = "bai2"

    def accepts(self, head: str) -> bool:
        first = head.lstrip().split("\n", 1)[0]
        return first.startswith("01,") and first.rstrip().endswith("/")

    def read(self, data: bytes, source: str, *, date_order: str) -> Parsed:
        text = decode_lenient(data)
        _check_structure(text, source)
        try:
            parsed = bai2.parse_from_string(text, check_integrity=True)
        except Exception as exc:  # any failure of bai2 means "cannot read it with confidence"
            message = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            raise BankFileError(
                source, _line_of_error(text, message), f"not a valid BAI2 file: {message}"
            ) from None
        rows: list[dict[str, object]] = []
        statements: list[dict[str, object]] = []
        for group in parsed.children:
            as_of = group.header.as_of_date
            for account in group.children:
                number = len(statements)
                found = _lines(account, as_of, group.header.currency, number, source, text)
                rows += found
                statements.append(_statement(account, as_of, group.header.currency, found, source, text))
        return Parsed(lines=pd.DataFrame(rows, columns=list(PARSED_COLUMNS)), statements=statements)


def _check_structure(text: str, source: str) -> None:
    """Every group (02) and account (03) closed by its trailer (98, 49), the file by 99: a file
    cut short is refused here, at its last line (the bai2 package loops on one)."""
    lines = [line for line in text.splitlines() if line.strip()]
    codes = [line.split(",", 1)[0].strip() for line in lines]
    last = len(text.rstrip().splitlines())
    pairs = (
        ("02", "98", "group header 02 without its trailer 98"),
        ("03", "49", "account 03 without its trailer 49"),
    )
    if not codes or codes[-1] != "99":
        raise BankFileError(
            source, last, "the file does not end with its trailer record 99: it was cut short"
        )
    for opening, closing, reason in pairs:
        if codes.count(opening) != codes.count(closing):
            raise BankFileError(source, last, f"{reason}: the file is incomplete")


def _line_of_error(text: str, message: str) -> int | None:
    """bai2 quotes the record it choked on, or names a trailer whose totals do not add up."""
    for needle in (message.split(": ", 1)[-1].strip(), "\n98,", "\n99,"):
        if (line := line_containing(text, needle.strip())) is not None:
            return line
    return None


def _scale(currency: str) -> int:
    """Factor from the currency's minor unit to cents (JPY has none: 1 yen is 100 "cents")."""
    return 10 ** (2 - get_currency_precision(currency or "USD"))


def _lines(
    account: object, as_of: dt.date, group_currency: str | None, number: int, source: str, text: str
) -> list[dict[str, object]]:
    ident = account.header  # type: ignore[attr-defined]
    currency = ident.currency or group_currency or "USD"
    out = []
    for detail in account.children:  # type: ignore[attr-defined]
        where = line_containing(text, f"16,{detail.type_code.code},{detail.amount}")
        kind = detail.type_code.transaction
        if kind not in (TypeCodeTransaction.credit, TypeCodeTransaction.debit):
            raise BankFileError(
                source, where, f"type code {detail.type_code.code} is neither a credit nor a debit"
            )
        cents = check_amount(int(detail.amount or 0) * _scale(currency), source, where, "16 record amount")
        out.append(
            {
                "Date": pd.Timestamp(as_of),
                "Amount": cents if kind == TypeCodeTransaction.credit else -cents,
                "Currency": currency,
                "Payer": "",
                "Memo": " ".join(str(detail.text or "").split()),
                "BankRef": str(detail.bank_reference or detail.customer_reference or ""),
                "Account": str(ident.customer_account_number or ""),
                "Note": "",
                "Statement": number,
            }
        )
    return out


def _statement(
    account: object,
    as_of: dt.date,
    group_currency: str | None,
    lines: list[dict[str, object]],
    source: str,
    text: str,
) -> dict[str, object]:
    ident = account.header  # type: ignore[attr-defined]
    currency = ident.currency or group_currency or "USD"
    summary = {item.type_code.code: item.amount for item in ident.summary_items if item.amount is not None}
    opening = summary.get(_OPENING_LEDGER)
    closing = summary.get(_CLOSING_LEDGER)
    opening = None if opening is None else int(opening) * _scale(currency)
    closing = None if closing is None else int(closing) * _scale(currency)
    account_no = str(ident.customer_account_number or "")
    total = sum(int(line["Amount"]) for line in lines)  # type: ignore[call-overload]
    check_balanced(
        source, line_containing(text, f"03,{account_no}"), account_no, account_no, opening, total, closing
    )
    return {
        "Key": ("bai2", account_no, as_of.isoformat(), opening, closing),
        "Account": account_no,
        "Currency": currency,
        "FromDate": pd.Timestamp(as_of),
        "ToDate": pd.Timestamp(as_of),
        "OpeningBalance": opening,
        "ClosingBalance": closing,
        "Lines": len(lines),
    }
