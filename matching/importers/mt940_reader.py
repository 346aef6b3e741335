"""SWIFT MT940 statements, read with the mt-940 package and held to what the file says.

Every field is first checked against SWIFT's formats with the line it stands on
(mt940_fields): an unknown tag, a malformed amount, a statement without its account or
balances, a file cut short are refused there. mt-940 then reads each statement's meaning
(references, :86: details, entry dates). It is forgiving in ways that hurt: an amount
written with a decimal point (old Rabobank files) makes it silently swallow 38 of 39
transactions, and a long customer reference (ASN Bank) makes it stop. So it must give
exactly the checked :61: entries, amount for amount, or the statement's line is named;
decimal points in amount fields (never legal in MT940, so never ambiguous) are turned
into commas first, a missing transaction type is given one (mt-940 would merge the lines),
and a statement the standard `:61:` pattern cannot read is tried with
the ASN variant. Finally each statement's opening balance plus its lines must give its
closing balance, or the file is refused: a line was lost or misread.
"""

from __future__ import annotations

import logging
import re

import mt940
import pandas as pd

from common.errors import BankFileError
from common.values import format_cents, parse_amount_cents

from .model import PARSED_COLUMNS, Parsed, check_balanced
from .mt940_details import parse_details
from .mt940_fields import Statement, scan

__all__ = ["Mt940Importer"]

_ENVELOPE = re.compile(r"\{[1235]:(?:[^{}]|\{[^{}]*\})*\}|\{4:|^-\}", re.MULTILINE)
_BALANCE_DOT = re.compile(r"^(:6[0245][FM]?:[CD]\d{6}[A-Z]{3})(\d+)\.(\d{0,2})[ \t]*$", re.MULTILINE)
_LINE_DOT = re.compile(r"^(:61:\d{6}(?:\d{4})?R?[CD][A-Z]?)(\d+)\.(\d{0,2})(?!\d)", re.MULTILINE)
# a :61: without its transaction type, the bank reference right after the amount (Zenith
# Bank): mt-940 then runs all of a statement's lines into one, so it is given "NMSC"
_LINE_NO_TYPE = re.compile(r"^(:61:\d{6}(?:\d{4})?R?[CD][A-Z]?[\d,]+)(?=//)", re.MULTILINE)
_OPTIONS = mt940.Options(reversal_sign=True, unbounded_details=True)
_NO_DETAILS_PROCESSING = {"post_transaction_details": []}  # :86: is split by mt940_details instead


class _StatementNumber(mt940.tags.StatementNumber):
    """:28C: whose statement number may be blank (Zenith Bank writes " /1"); mt940_fields
    has checked the field already, and the number carries no money."""

    pattern = r"\s*(?P<statement_number>\d{0,5})(?:/?(?P<sequence_number>\d{1,5}))?$"


_VARIANTS = (
    ("standard", {28: _StatementNumber()}),
    ("ASN Bank", {28: _StatementNumber(), 61: mt940.tags.StatementASNB()}),
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
        rows: list[dict[str, object]] = []
        statements: list[dict[str, object]] = []
        for number, checked in enumerate(scan(_decode(data), source)):
            statement = _parse_statement(checked, source)
            for txn in statement.transactions:
                rows.append({**_line(txn, statement), "Statement": number})
            statements.append(_statement_row(statement, checked, source))
        return Parsed(lines=pd.DataFrame(rows, columns=list(PARSED_COLUMNS)), statements=statements)


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    text = text.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")
    # SUB and NUL padding, and the SOH/ETX that frame a transmission (mBank: "\x01" before
    # the first :20:, "-\x03" after the last statement)
    for control in ("\x1a", "\x00", "\x01", "\x03"):
        text = text.replace(control, "")
    # the SWIFT envelope goes, its line ends stay, so every line keeps its number
    return _ENVELOPE.sub(lambda m: "\n" * m[0].count("\n"), text)


def _parse_statement(checked: Statement, source: str) -> mt940.models.Transactions:
    """mt-940's reading of one checked statement, which must give exactly its :61: entries."""
    block = _BALANCE_DOT.sub(r"\1\2,\3", checked.text)
    block = _LINE_DOT.sub(r"\1\2,\3", block)
    block = _LINE_NO_TYPE.sub(r"\1NMSC", block)
    found: list[str] = []
    where = checked.line
    for variant, tags in _VARIANTS:
        parsed = mt940.models.Transactions(processors=_NO_DETAILS_PROCESSING, tags=tags, options=_OPTIONS)
        try:
            parsed.parse(block)
        except Exception as exc:  # any failure of mt-940 on this text means "cannot read it"
            bad = re.search(r"from '(.*?)'", str(exc.args[0] if exc.args else exc), re.DOTALL)
            if bad and bad[1] in block:
                where = checked.line + block.count("\n", 0, block.find(bad[1]))
                found.append(f"the {variant} layout cannot read :61:{bad[1].splitlines()[0]}")
            else:
                found.append(f"{variant} layout: {str(exc).splitlines()[0][:120]}")
            continue
        got = [t for t in parsed.transactions if "amount" in t.data and "date" in t.data]
        if len(got) == len(checked.entries) == len(parsed.transactions):
            for txn, entry in zip(got, checked.entries, strict=True):
                if _cents(txn.data["amount"]) != entry.cents:
                    raise BankFileError(
                        source,
                        entry.line,
                        f":61: the MT940 parser read {format_cents(_cents(txn.data['amount']))} "
                        f"where the line says {format_cents(entry.cents)}",
                    )
            return parsed
        found.append(f"{variant} layout read {len(got)} of {len(checked.entries)} :61: transactions")
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
    statement: mt940.models.Transactions, checked: Statement, source: str
) -> dict[str, object]:
    data = statement.data
    opening = _balance(statement, "final_opening_balance", "opening_balance", "intermediate_opening_balance")
    closing = _balance(statement, "final_closing_balance", "closing_balance", "intermediate_closing_balance")
    account = str(data.get("account_identification") or "").strip()
    total = sum(entry.cents for entry in checked.entries)
    check_balanced(
        source, checked.closing_line, checked.reference, account, checked.opening, total, checked.closing
    )
    return {
        "Key": (
            "mt940",
            account,
            data.get("transaction_reference"),
            data.get("statement_number"),
            opening.date if opening else None,
            closing.date if closing else None,
            checked.opening,
            checked.closing,
        ),
        "Account": account,
        "Currency": statement.currency or "",
        "FromDate": pd.Timestamp(opening.date) if opening else pd.NaT,
        "ToDate": pd.Timestamp(closing.date) if closing else pd.NaT,
        "OpeningBalance": checked.opening,
        "ClosingBalance": checked.closing,
        "Lines": len(statement.transactions),
    }
