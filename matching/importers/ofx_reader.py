"""OFX and QFX (Quicken's OFX) statements, read with ofxtools.

OFX is the default download of US and Canadian banks: version 1 is SGML (tags without end
tags), version 2 XML. ofxtools reads both and validates every element against the OFX
specification, so a file it accepts was read whole; one it refuses (a missing end of an
aggregate, a malformed amount or date) is refused here, at the line holding the value it
names when it names one. Bank and credit-card statements (STMTRS, CCSTMTRS) give one line
per STMTTRN; the ledger balance goes to BankStatements as the closing balance (OFX carries
no opening balance, so there is nothing to reconcile). Quicken's private tags (INTU.BID)
are skipped, as ofxtools does; one header spelling banks get wrong (CHARSET:8859-1) is
read as the specification spells it.
"""

from __future__ import annotations

import io
import re
import warnings

import pandas as pd
from ofxtools.Parser import OFXTree

from common.errors import BankFileError
from common.values import parse_amount_cents

from .model import PARSED_COLUMNS, Parsed, check_amount
from .textio import decode_lenient, line_containing

__all__ = ["OfxImporter"]

_HEAD = re.compile(r"OFXHEADER\s*[:=]|<OFX>", re.IGNORECASE)
# Desjardins and others write "CHARSET:8859-1", which the OFX 1 specification spells
# "ISO-8859-1"; the same character set, so the header is read as the specification has it.
_CHARSET_8859 = re.compile(rb"^(CHARSET:)8859-1\b", re.MULTILINE)
_TRNAMT = re.compile(r"<TRNAMT>", re.IGNORECASE)
_OBJECT_REPR = re.compile(r"\s*-?\s*<[^<>]* at 0x[0-9a-f]+>")
_QUOTED = re.compile(r"'([^']{1,80})'")


class OfxImporter:
    name = "ofx"

    def accepts(self, head: str) -> bool:
        return bool(_HEAD.search(head[:2048]))

    def read(self, data: bytes, source: str, *, date_order: str) -> Parsed:
        text = decode_lenient(data)
        tree = OFXTree()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # private tags (INTU.BID) are skipped by design
                tree.parse(io.BytesIO(_CHARSET_8859.sub(rb"\1ISO-8859-1", data, count=1)))
                ofx = tree.convert()
        except Exception as exc:  # any failure of ofxtools means "cannot read it with confidence"
            raise BankFileError(
                source, _where(text, str(exc)), f"not a valid OFX file: {_first_line(exc)}"
            ) from None
        rows: list[dict[str, object]] = []
        statements: list[dict[str, object]] = []
        # the n-th <TRNAMT> of the file is the n-th transaction ofxtools gives, in file order
        amount_lines = [text.count("\n", 0, m.start()) + 1 for m in _TRNAMT.finditer(text)]
        for number, stmt in enumerate(ofx.statements):
            account = str(getattr(stmt.account, "acctid", "") or "")
            currency = str(stmt.curdef or "")
            tranlist = getattr(stmt, "banktranlist", None)
            transactions = list(tranlist) if tranlist is not None else []
            for txn in transactions:
                where = amount_lines[len(rows)] if len(rows) < len(amount_lines) else None
                rows.append(_line(txn, account, currency, number, source, text, where))
            statements.append(_statement(stmt, account, currency, len(transactions), source, text))
        if not rows and not statements:
            raise BankFileError(source, None, "an OFX file without any bank or credit-card statement")
        return Parsed(lines=pd.DataFrame(rows, columns=list(PARSED_COLUMNS)), statements=statements)


def _first_line(exc: Exception) -> str:
    """The library's message, first line, without Python object reprs ("<_io.BytesIO at 0x..>")."""
    text = (str(exc).splitlines() or [type(exc).__name__])[0]
    return _OBJECT_REPR.sub("the file", text)[:200]


def _where(text: str, message: str) -> int | None:
    """The line of the first value the error quotes, if it quotes one found in the file."""
    for quoted in _QUOTED.findall(message):
        if (line := line_containing(text, quoted)) is not None:
            return line
    return None


def _cents(value: object, source: str, line: int | None, what: str) -> int:
    try:
        cents = parse_amount_cents(value)
    except (ValueError, ArithmeticError) as exc:  # ArithmeticError: a Decimal such as 1E+308
        reason = str(exc) if isinstance(exc, ValueError) else f"{value} is not an amount money can be"
        raise BankFileError(source, line, f"{what}: {reason}") from None
    return check_amount(cents, source, line, what)


def _line(
    txn: object, account: str, currency: str, number: int, source: str, text: str, where: int | None
) -> dict[str, object]:
    fitid = str(getattr(txn, "fitid", "") or "")
    payee = getattr(txn, "payee", None)
    payer = str(getattr(txn, "name", None) or getattr(payee, "name", "") or "")
    posted = txn.dtposted  # type: ignore[attr-defined]
    return {
        "Date": pd.Timestamp(posted.year, posted.month, posted.day),
        "Amount": _cents(txn.trnamt, source, where, f"<TRNAMT> of transaction {fitid}"),  # type: ignore[attr-defined]
        "Currency": str(getattr(txn, "currency", None) or currency),
        "Payer": payer,
        "Memo": str(getattr(txn, "memo", "") or ""),
        "BankRef": str(getattr(txn, "refnum", None) or getattr(txn, "checknum", None) or fitid),
        "Account": account,
        "Note": "",
        "Statement": number,
    }


def _statement(
    stmt: object, account: str, currency: str, count: int, source: str, text: str
) -> dict[str, object]:
    ledger = getattr(stmt, "ledgerbal", None)
    tranlist = getattr(stmt, "banktranlist", None)
    where = line_containing(text, "<LEDGERBAL>")
    closing = _cents(ledger.balamt, source, where, "<LEDGERBAL>") if ledger is not None else None
    start = getattr(tranlist, "dtstart", None)
    end = getattr(ledger, "dtasof", None) or getattr(tranlist, "dtend", None)
    return {
        "Key": (
            "ofx",
            account,
            currency,
            start.isoformat() if start else "",
            end.isoformat() if end else "",
            closing,
        ),
        "Account": account,
        "Currency": currency,
        "FromDate": pd.Timestamp(start.date()) if start else pd.NaT,
        "ToDate": pd.Timestamp(end.date()) if end else pd.NaT,
        "OpeningBalance": None,
        "ClosingBalance": closing,
        "Lines": count,
    }
