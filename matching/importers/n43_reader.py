"""Norma 43 (Cuaderno 43, AEB43) statements of Spanish banks, read with csb43.

A Norma 43 file is 80-character records: 11 opens an account (opening balance, period),
22 is a movement (date, value date, 1 debit / 2 credit, amount in cents), 23 carries its
concepts, 24 an exchange, 33 closes the account with its own counts and sums of debits
and credits and its final balance, and 88 ends the file with the number of records.
csb43 reads and validates the records; its warnings on references and control digits do
not change an amount and are not refusals. What must hold, or the file is refused at the
record that shows it: every account closed by a 33 whose counts and sums are those of its
movements and whose final balance is the opening balance plus them, and the file closed
by 88 (a file cut short has neither).
"""

from __future__ import annotations

import io
import re
import warnings
from decimal import Decimal

import pandas as pd
from csb43.aeb43 import read_batch
from csb43.aeb43.record.context import Aeb43Context

from common.errors import BankFileError
from common.values import format_cents, parse_amount_cents

from .model import PARSED_COLUMNS, Parsed, check_amount, check_balanced

__all__ = ["N43Importer"]

_FIRST = re.compile(r"^11\d{18}\d{6}\d{6}[12]\d{14}\d{3}")
_LINE = re.compile(r"\[(\d{4,})\]")


class N43Importer:
    name = "n43"

    def accepts(self, head: str) -> bool:
        return bool(_FIRST.match(head.lstrip("\ufeff")))

    def read(self, data: bytes, source: str, *, date_order: str) -> Parsed:
        lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        while lines and not lines[-1].strip():
            lines.pop()
        for number, record in enumerate(lines, start=1):
            if len(record.rstrip()) > 80 or not record[:2].isdigit():
                raise BankFileError(
                    source,
                    number,
                    f"not a Norma 43 record (80 characters with a 2-digit code): {record[:30]!r}",
                )
        if not lines or lines[-1][:2] != b"88":
            raise BankFileError(
                source, len(lines), "the file does not end with its 88 record: it was cut short"
            )
        context = Aeb43Context(strict=False, silent=True, encoding="latin-1")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                batch = read_batch(io.BytesIO(b"\n".join(lines) + b"\n"), context=context)
        except Exception as exc:  # any failure of csb43 means "cannot read it with confidence"
            message = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            at = _LINE.search(message)
            raise BankFileError(
                source, int(at[1]) + 1 if at else None, f"not a valid Norma 43 file: {message}"
            ) from None
        return _parsed(batch, lines, source)


def _cents(value: object, source: str, line: int, what: str) -> int:
    try:
        return check_amount(parse_amount_cents(Decimal(str(value))), source, line, what)
    except ValueError as exc:
        raise BankFileError(source, line, f"{what}: {exc}") from None


def _parsed(batch: object, lines: list[bytes], source: str) -> Parsed:
    starts = [n for n, record in enumerate(lines, start=1) if record[:2] == b"11"]
    closes = [n for n, record in enumerate(lines, start=1) if record[:2] == b"33"]
    moves = [n for n, record in enumerate(lines, start=1) if record[:2] == b"22"]
    rows: list[dict[str, object]] = []
    statements: list[dict[str, object]] = []
    accounts = list(batch.accounts)  # type: ignore[attr-defined]
    if len(closes) != len(starts) or len(accounts) != len(starts):
        raise BankFileError(
            source, len(lines), f"{len(starts)} account(s) opened by 11 but {len(closes)} closed by 33"
        )
    move = 0
    for number, (account, start, close) in enumerate(zip(accounts, starts, closes, strict=True)):
        currency = account.currency.alpha_3 if account.currency else "EUR"
        iban_like = f"{account.bank_code}{account.branch_code}{account.account_number}"
        total = 0
        for txn in account.transactions:
            line = moves[move]
            move += 1
            cents = _cents(txn.amount, source, line, "movement amount")
            total += cents
            items = [f"{item.item1} {item.item2}".strip() for item in txn.optional_items]
            rows.append(
                {
                    "Date": pd.Timestamp(txn.transaction_date),
                    "Amount": cents,
                    "Currency": currency,
                    "Payer": items[0] if items else "",
                    "Memo": " ".join(" ".join(items[1:]).split()) if len(items) > 1 else "",
                    "BankRef": " ".join(f"{txn.reference1 or ''} {txn.reference2 or ''}".split()),
                    "Account": iban_like,
                    "Note": "",
                    "Statement": number,
                }
            )
        opening = _cents(account.initial_balance, source, start, "opening balance")
        summary = account.summary
        closing = _cents(summary.final_balance, source, close, "final balance")
        count = summary.income_entries + summary.expense_entries
        if count != len(account.transactions):
            raise BankFileError(
                source,
                close,
                f"the 33 record counts {count} movements, the account has {len(account.transactions)}",
            )
        stated = _cents(summary.income, source, close, "credits") - _cents(
            summary.expense, source, close, "debits"
        )
        if stated != total:
            raise BankFileError(
                source,
                close,
                f"the 33 record's sums give {format_cents(stated)}, the movements {format_cents(total)}",
            )
        check_balanced(source, close, iban_like, iban_like, opening, total, closing)
        statements.append(
            {
                "Key": (
                    "n43",
                    iban_like,
                    str(account.initial_date),
                    str(account.final_date),
                    opening,
                    closing,
                ),
                "Account": iban_like,
                "Currency": currency,
                "FromDate": pd.Timestamp(account.initial_date),
                "ToDate": pd.Timestamp(account.final_date),
                "OpeningBalance": opening,
                "ClosingBalance": closing,
                "Lines": len(account.transactions),
            }
        )
    return Parsed(lines=pd.DataFrame(rows, columns=list(PARSED_COLUMNS)), statements=statements)
