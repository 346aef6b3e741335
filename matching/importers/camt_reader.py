"""ISO 20022 camt.052 reports, camt.053 statements and camt.054 notifications (001.02 to 001.13).

Elements are found by local name, so one reader serves every version. A batched entry
(one booking of 1,000.00 for ten customer payments) becomes one bank line per TxDtls with
its own amount, payer and remittance, because each pays different invoices; the details
must add up to the entry, or the file is refused. Structured creditor references (SCOR,
Swiss QR reference, ISO 11649 RF) go into Memo beside the unstructured text, so the matcher
sees them. Only booked entries count (pending/info ones are not money yet).

A statement or report with an opening and a closing booked balance must reconcile: the
opening balance plus its booked entries gives the closing one, or the file is refused at
the closing balance (an entry is missing or misread). The available balance (CLAV) is
kept when there is no booked one, but not reconciled: it counts holds and credit lines.

XML from outside is parsed with entity resolution, DTDs and network access off, and a
document with a DOCTYPE is refused outright.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
from lxml import etree

from common.errors import BankFileError
from common.safexml import safe_parser
from common.values import format_cents, parse_amount_cents

from .model import PARSED_COLUMNS, Parsed, check_amount, check_balanced

__all__ = ["CamtImporter"]

_PARSER = safe_parser(huge_tree=False, remove_comments=True)
_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.05([234])\.001\.(\d\d)")
_LAST_VERSION = 13
_OPENING = ("OPBD", "PRCD", "ITBD")
_CLOSING = ("CLBD", "CLAV")
_BOOKED_CLOSING = "CLBD"
_NO_REF = {"", "NOTPROVIDED", "NONREF", "NOT PROVIDED"}


class CamtImporter:
    name = "camt"

    def accepts(self, head: str) -> bool:
        return "<" in head and bool(_NAMESPACE.search(head))

    def read(self, data: bytes, source: str, *, date_order: str) -> Parsed:
        try:
            root = etree.fromstring(data, parser=_PARSER)
        except etree.XMLSyntaxError as exc:
            # a file cut short is "premature end" on the empty line after its last one
            last = data.rstrip().count(b"\n") + 1
            raise BankFileError(source, min(exc.lineno, last), f"not well-formed XML: {exc.msg}") from None
        doctype = root.getroottree().docinfo.doctype
        if doctype:
            raise BankFileError(
                source,
                _line_of(data, b"<!DOCTYPE"),
                "XML with a DOCTYPE is refused: bank statements have none, and its entities "
                "are a known way to read other files",
            )
        m = _NAMESPACE.fullmatch(etree.QName(root).namespace or "")
        if not m or not 2 <= int(m[2]) <= _LAST_VERSION:
            raise BankFileError(
                source,
                root.sourceline,
                f"expected a camt.052/053/054 document (001.02 to 001.{_LAST_VERSION}), got {root.tag!r}",
            )
        rows: list[dict[str, object]] = []
        statements: list[dict[str, object]] = []
        reports = _all(root, "BkToCstmrStmt/Stmt", "BkToCstmrDbtCdtNtfctn/Ntfctn", "BkToCstmrAcctRpt/Rpt")
        for number, report in enumerate(reports):
            account = _text(report, "Acct/Id/IBAN") or _text(report, "Acct/Id/Othr/Id")
            found = [line for entry in _all(report, "Ntry") for line in _entry_lines(entry, source)]
            rows += [{**line, "Account": account, "Statement": number} for line in found]
            if _all(report, "Bal"):  # statements, and reports that carry balances
                statements.append(_statement_row(report, account, found, source))
        return Parsed(lines=pd.DataFrame(rows, columns=list(PARSED_COLUMNS)), statements=statements)


def _line_of(data: bytes, marker: bytes) -> int | None:
    at = data.find(marker)
    return data.count(b"\n", 0, at) + 1 if at >= 0 else None


def _path(path: str) -> str:
    return "/".join(f"*[local-name()='{step}']" for step in path.split("/"))


def _all(node: etree._Element, *paths: str) -> list[etree._Element]:
    return [found for path in paths for found in node.xpath(_path(path))]


def _first(node: etree._Element, path: str) -> etree._Element | None:
    found = node.xpath(_path(path))
    return found[0] if found else None


def _text(node: etree._Element | None, path: str) -> str:
    found = _first(node, path) if node is not None else None
    return " ".join((found.text or "").split()) if found is not None else ""


def _signed(node: etree._Element, indicator: str, source: str) -> tuple[int, str]:
    """(signed cents, currency) of an <Amt Ccy=..> with CRDT/DBIT."""
    name = f"<{etree.QName(node).localname}>"
    try:
        cents = parse_amount_cents((node.text or "").strip(), decimal_comma=False)
    except ValueError as exc:
        raise BankFileError(source, node.sourceline, f"{name}: {exc}") from None
    check_amount(cents, source, node.sourceline, name)
    if cents < 0:
        raise BankFileError(
            source,
            node.sourceline,
            f"{name}: expected an unsigned amount (the sign is CdtDbtInd), got {node.text!r}",
        )
    if indicator not in ("CRDT", "DBIT"):
        raise BankFileError(source, node.sourceline, f"expected CdtDbtInd CRDT or DBIT, got {indicator!r}")
    return (cents if indicator == "CRDT" else -cents), node.get("Ccy", "")


def _date(node: etree._Element | None, source: str, path: str = "Dt|DtTm") -> dt.date | None:
    """The date in <Dt> or <DtTm> (or `path`) under `node`; None when absent, refused when malformed."""
    if node is None:
        return None
    for step in path.split("|"):
        found = _first(node, step)
        text = (found.text or "").strip()[:10] if found is not None else ""
        if text:
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise BankFileError(
                    source,
                    found.sourceline,
                    f"<{etree.QName(found).localname}>: expected a date such as 2026-11-30, "
                    f"got {found.text!r}",
                ) from None
    return None


def _entry_lines(entry: etree._Element, source: str) -> list[dict[str, object]]:
    status = _text(entry, "Sts") or _text(entry, "Sts/Cd")
    if status and status != "BOOK":
        return []
    amount_node = _first(entry, "Amt")
    if amount_node is None:
        raise BankFileError(source, entry.sourceline, "entry <Ntry> without <Amt>")
    indicator = _text(entry, "CdtDbtInd")
    total, currency = _signed(amount_node, indicator, source)
    when = _date(_first(entry, "BookgDt"), source) or _date(_first(entry, "ValDt"), source)
    if when is None:
        raise BankFileError(source, entry.sourceline, "entry <Ntry> without a booking or value date")
    entry_ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    entry_info = _text(entry, "AddtlNtryInf")
    details = _all(entry, "NtryDtls/TxDtls")
    base = {"Date": pd.Timestamp(when), "Currency": currency, "Note": ""}
    if not details:
        return [{**base, "Amount": total, "Payer": "", "Memo": entry_info, "BankRef": entry_ref}]
    if len(details) == 1:
        return [{**base, "Amount": total, **_detail_text(details[0], indicator, entry_ref, entry_info)}]
    lines = []
    for i, tx in enumerate(details, start=1):
        node = _first(tx, "Amt")
        node = node if node is not None else _first(tx, "AmtDtls/TxAmt/Amt")
        if node is None:
            raise BankFileError(source, tx.sourceline, "batched entry: transaction details without an amount")
        amount, tx_currency = _signed(node, _text(tx, "CdtDbtInd") or indicator, source)
        if tx_currency and tx_currency != currency:
            raise BankFileError(
                source, tx.sourceline, f"batched entry in {currency} has a detail in {tx_currency}"
            )
        note = f"batch {entry_ref or entry.sourceline}: {i}/{len(details)}"
        lines.append({**base, "Amount": amount, "Note": note, **_detail_text(tx, indicator, entry_ref, "")})
    added = sum(int(line["Amount"]) for line in lines)  # type: ignore[call-overload]
    if added != total:
        raise BankFileError(
            source,
            entry.sourceline,
            f"batched entry of {format_cents(total)} has details adding up to {format_cents(added)}",
        )
    return lines


def _detail_text(tx: etree._Element, indicator: str, entry_ref: str, fallback: str) -> dict[str, str]:
    """Payer, Memo and BankRef of one TxDtls; the counterparty is the debtor of a credit."""
    party = "Dbtr" if (_text(tx, "CdtDbtInd") or indicator) == "CRDT" else "Cdtr"
    payer = (
        _text(tx, f"RltdPties/{party}/Nm")
        or _text(tx, f"RltdPties/{party}/Pty/Nm")
        or _text(tx, f"RltdPties/Ultmt{party}/Nm")
        or _text(tx, f"RltdPties/Ultmt{party}/Pty/Nm")
    )
    memo = [" ".join((n.text or "").split()) for n in _all(tx, "RmtInf/Ustrd")]
    memo += [" ".join((n.text or "").split()) for n in _all(tx, "RmtInf/Strd/CdtrRefInf/Ref")]
    memo += [" ".join((n.text or "").split()) for n in _all(tx, "RmtInf/Strd/AddtlRmtInf")]
    end_to_end = _text(tx, "Refs/EndToEndId")
    if end_to_end.upper() not in _NO_REF and not any(end_to_end in m for m in memo):
        memo.append(end_to_end)
    text = " ".join(m for m in memo if m) or _text(tx, "AddtlTxInf") or fallback
    return {"Payer": payer, "Memo": text, "BankRef": _text(tx, "Refs/AcctSvcrRef") or entry_ref}


def _balance(
    report: etree._Element, codes: tuple[str, ...], source: str
) -> tuple[int | None, dt.date | None, str, int | None]:
    """(cents, date, type code, line) of the first balance of the first of `codes` present."""
    for code in codes:
        for bal in _all(report, "Bal"):
            if _text(bal, "Tp/CdOrPrtry/Cd") == code:
                amount = _first(bal, "Amt")
                if amount is None:
                    raise BankFileError(source, bal.sourceline, f"balance {code} without <Amt>")
                cents, _ = _signed(amount, _text(bal, "CdtDbtInd"), source)
                return cents, _date(_first(bal, "Dt"), source), code, amount.sourceline
    return None, None, "", None


def _statement_row(
    report: etree._Element, account: str, lines: list[dict[str, object]], source: str
) -> dict[str, object]:
    opening, opened, _, _ = _balance(report, _OPENING, source)
    closing, closed, closing_code, closing_line = _balance(report, _CLOSING, source)
    period = _first(report, "FrToDt")
    start = _date(period, source, "FrDtTm|FrDt") or opened
    end = _date(period, source, "ToDtTm|ToDt") or closed
    stmt_id = _text(report, "Id")
    if closing_code == _BOOKED_CLOSING:
        total = sum(int(line["Amount"]) for line in lines)  # type: ignore[call-overload]
        check_balanced(source, closing_line, stmt_id, account, opening, total, closing)
    return {
        "Key": (
            "camt",
            account,
            stmt_id,
            start.isoformat() if start else "",
            end.isoformat() if end else "",
            opening,
            closing,
        ),
        "Account": account,
        "Currency": _text(report, "Acct/Ccy") or (str(lines[0]["Currency"]) if lines else ""),
        "FromDate": pd.Timestamp(start) if start else pd.NaT,
        "ToDate": pd.Timestamp(end) if end else pd.NaT,
        "OpeningBalance": opening,
        "ClosingBalance": closing,
        "Lines": len(lines),
    }
