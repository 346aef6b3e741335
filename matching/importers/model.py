"""What every importer hands back, and the one step that turns it into BankLines rows.

An importer only knows its format: it turns bytes into `Parsed` (lines with the raw facts,
plus the statements' balances). Everything the formats share — the stable `LineID`, the
Status/Note rule for debits, the contract's column order and types — happens once, in
`finish`, so a new format cannot get them subtly different.

`matching` may not import `workbook` (docs/architecture.md), so the two column lists are repeated
here; tests/test_architecture.py holds them equal to `workbook.contract`.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from common.errors import BankFileError
from common.values import MAX_AMOUNT_CENTS, format_cents

__all__ = [
    "LINE_COLUMNS",
    "MAX_AMOUNT_CENTS",
    "PARSED_COLUMNS",
    "STATEMENT_COLUMNS",
    "BankFile",
    "Importer",
    "Parsed",
    "check_amount",
    "check_balanced",
    "empty_lines",
    "finish",
    "line_ids",
    "statement_id",
]

LINE_COLUMNS = (
    "LineID",
    "Date",
    "Amount",
    "Currency",
    "Payer",
    "Memo",
    "BankRef",
    "Account",
    "SourceFile",
    "ImportedAt",
    "Status",
    "Note",
    "ApplyTo",
    "Reverse",
)
# The clerk's instruction columns of BankLines: an imported line comes with them empty.
_CLERK = ("ApplyTo", "Reverse")
STATEMENT_COLUMNS = (
    "StatementID",
    "Account",
    "Currency",
    "FromDate",
    "ToDate",
    "OpeningBalance",
    "ClosingBalance",
    "Lines",
    "SourceFile",
    "ImportedAt",
)
# What an importer fills in per line; `Statement` numbers the statement a line came from
# (0 for formats without statements), so identical twins are counted per statement.
# The largest amount a bank line (or a balance) may carry: 999,999,999,999.99 in any currency.
# Beyond it a number is a misread, not money; and under it the sum of 90,000 lines still fits
# the Int64 cents every total is computed in.
PARSED_COLUMNS = ("Date", "Amount", "Currency", "Payer", "Memo", "BankRef", "Account", "Note", "Statement")
_TEXT = ("Currency", "Payer", "Memo", "BankRef", "Account", "Note")


@dataclass
class Parsed:
    """One file as an importer read it: lines in PARSED_COLUMNS and statement rows.

    `statements` rows carry Account, Currency, FromDate, ToDate, OpeningBalance,
    ClosingBalance (cents or None), Lines and a `Key` tuple that identifies the statement
    for its StatementID. `notes` are sentences worth a clerk's attention that do not
    put the lines in doubt (a file in doubt is refused, never read with a note).
    """

    lines: pd.DataFrame
    statements: list[dict[str, object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class BankFile:
    """A bank file read with confidence: BankLines rows and BankStatements rows, contract-typed."""

    lines: pd.DataFrame
    statements: pd.DataFrame
    format: str
    notes: list[str] = field(default_factory=list)


class Importer(Protocol):
    """The whole contract of a format: can it read this file, and then read it."""

    name: str

    def accepts(self, head: str) -> bool:
        """Whether `head` (the file's first few KB, decoded leniently) looks like this format."""
        ...

    def read(self, data: bytes, source: str, *, date_order: str) -> Parsed:
        """Read every money movement, or raise BankFileError(source, line, reason)."""
        ...


def line_ids(frame: pd.DataFrame, group: pd.Series | None = None) -> pd.Series:
    """Stable IDs from Account, Date, Amount, BankRef and Memo (the LineID of docs/contract.md).

    Identical transactions on the same day (two equal coffee-machine payments) get the same
    base key; the n-th twin inside one statement (`group`) is told apart by its rank n. A
    statement lists a day's movements in the bank's order, so an overlapping statement that
    repeats the day gives every twin the same rank again, and re-imports add nothing.
    Whitespace in text is collapsed and the account's spaces dropped, so re-wrapped memo
    lines or "DE12 3456" vs "DE123456" do not make a new line.
    """
    keys = _line_keys(frame)
    if len(set(keys)) < len(keys):  # identical twins: number them within their statement
        groups = group.tolist() if group is not None else [0] * len(keys)
        seen: dict[tuple[object, str], int] = {}
        for i, slot in enumerate(zip(groups, keys, strict=True)):
            rank = seen[slot] = seen.get(slot, -1) + 1
            if rank:
                keys[i] = f"{keys[i]}\x1f#{rank}"
    digests = map(hashlib.blake2b.hexdigest, map(_BLAKE2B_64, map(str.encode, keys)))
    return pd.Series(["B" + d for d in digests], index=frame.index, dtype=object)


_BLAKE2B_64 = functools.partial(hashlib.blake2b, digest_size=8)


def _line_keys(frame: pd.DataFrame) -> list[str]:
    """Account, ISO day, cents, BankRef and Memo of each line, whitespace-normalised, joined by
    \\x1f. Days and accounts repeat, so each distinct value is formatted once."""
    day_codes, days = pd.factorize(
        pd.to_datetime(frame["Date"]).to_numpy().astype("datetime64[D]"), use_na_sentinel=False
    )
    day_text = np.datetime_as_string(np.asarray(days, dtype="datetime64[D]"), unit="D").astype(object)
    account_codes, accounts = pd.factorize(np.array(_texts(frame["Account"]), dtype=object))
    account_text = np.array(["".join(a.split()).upper() for a in accounts], dtype=object)
    return [
        f"{a}\x1f{d}\x1f{c}\x1f{r}\x1f{m}"
        for a, d, c, r, m in zip(
            account_text[account_codes].tolist(),
            day_text[day_codes].tolist(),
            frame["Amount"].tolist(),
            map(" ".join, map(str.split, _texts(frame["BankRef"]))),
            map(" ".join, map(str.split, _texts(frame["Memo"]))),
            strict=True,
        )
    ]


def _texts(column: pd.Series) -> list[str]:
    """The column's values as str, a missing one as "" (the rule of every text column)."""
    values = column.tolist()
    if set(map(type, values)) <= {str}:
        return values
    return ["" if pd.isna(v) else str(v) for v in values]


def check_amount(cents: int, source: str, line: int | None, what: str) -> int:
    """`cents`, or a refusal naming the line when it is beyond MAX_AMOUNT_CENTS (a number no
    bank line carries: a misread, or a file made to overflow the sums)."""
    if abs(cents) > MAX_AMOUNT_CENTS:
        raise BankFileError(
            source,
            line,
            f"{what}: {format_cents(cents)} is beyond the largest amount a bank line may carry "
            f"({format_cents(MAX_AMOUNT_CENTS)})",
        )
    return cents


def check_balanced(
    source: str,
    line: int | None,
    statement: object,
    account: str,
    opening: int | None,
    total: int,
    closing: int | None,
) -> None:
    """Refuse a statement whose own balances disagree with its lines: some line was lost or
    misread (a file cut short, a tag the reader does not know), and nothing of such a file
    can be trusted. `line` is where the closing balance stands."""
    if opening is None or closing is None or opening + total == closing:
        return
    raise BankFileError(
        source,
        line,
        f"{' '.join(filter(None, ['statement', str(statement or ''), f'of {account}' if account else '']))}: "
        f"opening {format_cents(opening)} + lines "
        f"{format_cents(total)} = {format_cents(opening + total)}, but the closing balance is "
        f"{format_cents(closing)}; a line is missing or misread, so the file is refused",
    )


def empty_lines() -> pd.DataFrame:
    """BankLines rows with no row: the contract columns and types."""
    return finish(Parsed(pd.DataFrame(columns=list(PARSED_COLUMNS))), "", "").lines


def statement_id(*parts: object) -> str:
    """A StatementID stable across re-imports: a hash of what identifies the statement."""
    key = "\x1f".join("" if p is None else str(p) for p in parts)
    return "S" + hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def finish(parsed: Parsed, source: str, fmt: str) -> BankFile:
    """Give an importer's lines their LineID, Status and Note, in contract columns and types."""
    raw = parsed.lines.reset_index(drop=True)
    lines = pd.DataFrame(index=raw.index)
    lines["Date"] = pd.to_datetime(raw["Date"]).astype("datetime64[ns]").dt.normalize()
    lines["Amount"] = raw["Amount"].astype("Int64")
    for col in _TEXT:
        lines[col] = pd.Series(_texts(raw[col]), index=raw.index, dtype=object)
    lines["LineID"] = line_ids(lines, raw["Statement"])
    lines["SourceFile"] = pd.Series(source, index=lines.index, dtype=object)
    lines["ImportedAt"] = pd.Series(pd.NaT, index=lines.index, dtype="datetime64[ns]")
    credit = (lines["Amount"] > 0).to_numpy(dtype=bool, na_value=False)
    lines["Status"] = np.where(credit, "Unmatched", "Ignored").astype(object)
    lines["Note"] = _notes(lines["Amount"], lines["Note"])
    for col in _CLERK:
        lines[col] = pd.Series("", index=lines.index, dtype=object)
    return BankFile(
        lines=lines.loc[:, list(LINE_COLUMNS)],
        statements=_statement_frame(parsed.statements, source),
        format=fmt,
        notes=list(parsed.notes),
    )


def _notes(amount: pd.Series, note: pd.Series) -> pd.Series:
    """Debits (and zero lines) are kept for the bank reconciliation but never matched."""
    kind = np.where(amount < 0, "debit", np.where(amount == 0, "zero amount", "")).astype(object)
    given = note.to_numpy(dtype=object)
    notes = np.where(kind == "", given, kind)
    for i in np.flatnonzero((kind != "") & (given != "")).tolist():
        notes[i] = f"{kind[i]}; {given[i]}"
    return pd.Series(notes, index=note.index, dtype=object)


def _statement_frame(rows: list[dict[str, object]], source: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "StatementID": pd.Series([statement_id(*r["Key"]) for r in rows], dtype=object),
            "Account": pd.Series([r["Account"] for r in rows], dtype=object),
            "Currency": pd.Series([r["Currency"] for r in rows], dtype=object),
            "FromDate": pd.to_datetime(pd.Series([r["FromDate"] for r in rows], dtype=object)).astype(
                "datetime64[ns]"
            ),
            "ToDate": pd.to_datetime(pd.Series([r["ToDate"] for r in rows], dtype=object)).astype(
                "datetime64[ns]"
            ),
            "OpeningBalance": pd.array([r["OpeningBalance"] for r in rows], dtype="Int64"),
            "ClosingBalance": pd.array([r["ClosingBalance"] for r in rows], dtype="Int64"),
            "Lines": pd.array([r["Lines"] for r in rows], dtype="Int64"),
        }
    )
    frame["SourceFile"] = pd.Series([source] * len(rows), index=frame.index, dtype=object)
    frame["ImportedAt"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return frame.loc[:, list(STATEMENT_COLUMNS)]
