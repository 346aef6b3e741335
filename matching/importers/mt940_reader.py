"""SWIFT MT940 statements, read with the mt-940 package and checked line by line.

mt-940 is forgiving in ways that hurt here: an amount written with a decimal point (old
Rabobank files) makes it silently swallow 38 of 39 transactions, and a long customer
reference (ASN Bank) makes it stop. So the file is cut into its statements (each starts
at `:20:`) and every statement must give exactly one transaction per `:61:` tag, or the
file is refused naming the statement's line. Decimal points in amount fields (never legal
in MT940, so never ambiguous) are turned into commas first; a statement that the standard
`:61:` pattern cannot read is tried with the ASN variant, and kept only if the count holds.

A statement whose opening balance plus its lines does not give its closing balance is
kept, with a note: the lines were read right (the count and every amount hold), and the
month-end reconciliation is where a clerk looks at that difference.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import mt940
import pandas as pd

from common.errors import BankFileError
from common.values import parse_amount_cents

from .model import PARSED_COLUMNS, Parsed, unbalanced_note
from .mt940_details import parse_details

__all__ = ["Mt940Importer"]

_ENVELOPE = re.compile(r"\{[1235]:(?:[^{}]|\{[^{}]*\})*\}|\{4:|^-\}", re.MULTILINE)
_STATEMENT_START = re.compile(r"^:20:", re.MULTILINE)
_TAG_61 = re.compile(r"^:61:", re.MULTILINE)
_BALANCE_DOT = re.compile(r"^(:6[0245][FM]?:[CD]\d{6}[A-Z]{3})(\d+)\.(\d{0,2})[ \t]*$", re.MULTILINE)
_LINE_DOT = re.compile(r"^(:61:\d{6}(?:\d{4})?R?[CD][A-Z]?)(\d+)\.(\d{0,2})(?!\d)", re.MULTILINE)
_OPTIONS = mt940.Options(reversal_sign=True, unbounded_details=True)
_NO_DETAILS_PROCESSING = {"post_transaction_details": []}  # :86: is split by mt940_details instead
_VARIANTS = (
    ("standard", {}),
    ("ASN Bank", {61: mt940.tags.StatementASNB()}),
)
_NO_REF = {"", "NONREF", "NOTPROVIDED"}

# mt-940 logs an ERROR for each :61: a layout cannot read; trying a second layout is our
# normal path, so keep those records away from Python's last-resort stderr handler.
logging.getLogger("mt940").addHandler(logging.NullHandler())


class Mt940Importer:
    name = "mt940"

    def accepts(self, head: str) -> bool:
        return bool(
            re.search(r"^:20:", head, re.MULTILINE) and re.search(r"^:(25|28C?|60[FM]?):", head, re.MULTILINE)
        )

    def read(self, data: bytes, source: str, *, date_order: str) -> Parsed:
        text = _decode(data)
        rows: list[dict[str, object]] = []
        statements: list[dict[str, object]] = []
        notes: list[str] = []
        for number, (line_no, block) in enumerate(_statements(text, source)):
            statement = _parse_statement(block, source, line_no)
            for txn in statement.transactions:
                rows.append({**_line(txn, statement), "Statement": number})
            row, note = _statement_row(statement, source, line_no)
            statements.append(row)
            notes += [note] if note else []
        lines = pd.DataFrame(rows, columns=list(PARSED_COLUMNS))
        return Parsed(lines=lines, statements=statements, notes=notes)


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x1a", "").replace("\x00", "")
    return _ENVELOPE.sub("", text)


def _statements(text: str, source: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of every statement; text before the first must hold no data."""
    starts = [m.start() for m in _STATEMENT_START.finditer(text)]
    if not starts:
        raise BankFileError(source, None, "no MT940 statement (:20:) found")
    preamble = text[: starts[0]]
    if re.search(r"^:(61|86|6[02][FM]?):", preamble, re.MULTILINE):
        raise BankFileError(
            source, _line_of(text, 0), "transaction data before the first :20: statement header"
        )
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        yield _line_of(text, start), text[start:end]


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _parse_statement(block: str, source: str, line_no: int) -> mt940.models.Transactions:
    block = _BALANCE_DOT.sub(r"\1\2,\3", block)
    block = _LINE_DOT.sub(r"\1\2,\3", block)
    expected = len(_TAG_61.findall(block))
    found: list[str] = []
    where = line_no
    for variant, tags in _VARIANTS:
        parsed = mt940.models.Transactions(processors=_NO_DETAILS_PROCESSING, tags=tags, options=_OPTIONS)
        try:
            parsed.parse(block)
        except Exception as exc:  # any failure of mt-940 on this text means "cannot read it"
            bad = re.search(r"from '(.*?)'", str(exc.args[0] if exc.args else exc), re.DOTALL)
            if bad and bad[1] in block:
                where = line_no + block.count("\n", 0, block.find(bad[1]))
                found.append(f"the {variant} layout cannot read :61:{bad[1].splitlines()[0]}")
            else:
                found.append(f"{variant} layout: {str(exc).splitlines()[0][:120]}")
            continue
        complete = [t for t in parsed.transactions if "amount" in t.data and "date" in t.data]
        if len(complete) == expected == len(parsed.transactions):
            return parsed
        found.append(f"{variant} layout read {len(complete)} of {expected} :61: transactions")
    raise BankFileError(source, where, "cannot read this statement with confidence: " + "; ".join(found))


def _cents(amount: mt940.models.Amount) -> int:
    return parse_amount_cents(amount.amount)


def _line(txn: mt940.models.Transaction, statement: mt940.models.Transactions) -> dict[str, object]:
    data = txn.data
    booked = data.get("entry_date") or data["date"]
    details = parse_details(data.get("transaction_details") or "", data.get("extra_details") or "")
    ref = details.ref
    for candidate in (data.get("bank_reference"), data.get("customer_reference")):
        if not ref and candidate and candidate.strip().upper() not in _NO_REF:
            ref = candidate.strip()
    return {
        "Date": pd.Timestamp(booked.year, booked.month, booked.day),
        "Amount": _cents(data["amount"]),
        "Currency": data["amount"].currency or statement.currency or "",
        "Payer": details.payer,
        "Memo": details.memo,
        "BankRef": ref,
        "Account": str(statement.data.get("account_identification") or "").strip(),
        "Note": "reversal" if str(data.get("status", "")).startswith("R") else "",
    }


def _balance(statement: mt940.models.Transactions, *slugs: str) -> mt940.models.Balance | None:
    return next((statement.data[s] for s in slugs if statement.data.get(s) is not None), None)


def _statement_row(
    statement: mt940.models.Transactions, source: str, line_no: int
) -> tuple[dict[str, object], str | None]:
    data = statement.data
    opening = _balance(statement, "final_opening_balance", "opening_balance", "intermediate_opening_balance")
    closing = _balance(statement, "final_closing_balance", "closing_balance", "intermediate_closing_balance")
    account = str(data.get("account_identification") or "").strip()
    total = sum(_cents(t.data["amount"]) for t in statement.transactions)
    open_c = _cents(opening.amount) if opening else None
    close_c = _cents(closing.amount) if closing else None
    row = {
        "Key": (
            "mt940",
            account,
            data.get("transaction_reference"),
            data.get("statement_number"),
            opening.date if opening else None,
            closing.date if closing else None,
            open_c,
            close_c,
        ),
        "Account": account,
        "Currency": statement.currency or "",
        "FromDate": pd.Timestamp(opening.date) if opening else pd.NaT,
        "ToDate": pd.Timestamp(closing.date) if closing else pd.NaT,
        "OpeningBalance": open_c,
        "ClosingBalance": close_c,
        "Lines": len(statement.transactions),
    }
    return row, unbalanced_note(
        f"{source} line {line_no}", data.get("transaction_reference"), account, open_c, total, close_c
    )
