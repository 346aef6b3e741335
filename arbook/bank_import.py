"""import-bank: append every new money movement of the given bank files to BankLines.

All files are read first; if any one cannot be read with confidence, the whole import is
refused naming every refused file, and nothing is written (a half-imported month is worse
than none). Lines are new when their LineID is not in BankLines yet, so importing a file
twice, or two overlapping statements, adds nothing the second time. Statement balances go
to BankStatements for the month-end bank reconciliation, once per statement.

The bank readers give amounts in hundredths of a unit whatever the currency (an MT940 or
CAMT file states "1560395," yen as it states "1234,56" euros); BankLines keep minor units of
each line's own currency (workbook.units), so the import turns one into the other here: a
JPY line of 1,560,395 yen is 1560395, a KWD line of 1.5 dinars 1500. A yen amount with
decimals is refused with its file and line, never rounded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from arbook.operation import NO_PROGRESS, Progress, Summary
from common.currency import currency_digits, minor_from_hundredths, row_currencies
from common.errors import BankFileError
from matching.importers import BankFile, empty_lines, line_ids, read_bank_file
from workbook.book import Book

__all__ = ["import_bank", "new_lines", "new_statements"]


def import_bank(
    book: Book, files: Sequence[Path], *, fmt: str | None = None, progress: Progress = NO_PROGRESS
) -> Summary:
    """Read `files` and stage their new lines and statements; see the module doc."""
    date_order, base = book.settings().date_order, book.settings().base_currency
    read: list[BankFile] = []
    refused: list[BankFileError] = []
    for done, path in enumerate(files):
        progress("reading bank files", done, len(files))
        try:
            read.append(in_minor_units(read_bank_file(Path(path), fmt=fmt, date_order=date_order), base))
        except BankFileError as exc:
            refused.append(exc)
    progress("reading bank files", len(files), len(files))
    if refused:
        raise BankFileError(
            ", ".join(e.file for e in refused),
            None,
            f"{len(refused)} of {len(files)} bank file(s) refused; nothing was imported:\n"
            + "\n".join(f"  - {e}" for e in refused),
        )

    now = pd.Timestamp(dt.datetime.now().replace(microsecond=0))
    incoming = pd.concat([f.lines for f in read], ignore_index=True) if read else empty_lines()
    lines, skipped = new_lines(book.read("BankLines"), incoming)
    statements = new_statements(book.read("BankStatements"), [f.statements for f in read])
    lines["ImportedAt"] = now
    statements["ImportedAt"] = now

    credits = int((lines["Status"] == "Unmatched").sum())
    summary = Summary("import-bank")
    summary.figures.update(
        {
            "files": len(files),
            "lines read": len(incoming),
            "new": len(lines),
            "skipped (already imported)": skipped,
            "refused": 0,
            "new credits to match": credits,
            "new debits and other lines set aside": len(lines) - credits,
            "new statements": len(statements),
        }
    )
    summary.notes += [note for f in read for note in f.notes]
    if lines.empty and statements.empty:
        summary.notes.append("nothing new: the workbook was not written")
        return summary
    book.append("BankLines", lines)
    book.append("BankStatements", statements)
    return summary


def in_minor_units(bank: BankFile, base: str) -> BankFile:
    """The file's lines and statement balances in minor units of their currency (see the module doc)."""
    lines = bank.lines.assign(Amount=_minor(bank.lines, "Amount", base, bank))
    statements = bank.statements
    if len(statements):
        statements = statements.assign(
            OpeningBalance=_minor(statements, "OpeningBalance", base, bank),
            ClosingBalance=_minor(statements, "ClosingBalance", base, bank),
        )
    return BankFile(lines=lines, statements=statements, format=bank.format, notes=bank.notes)


def _minor(frame: pd.DataFrame, column: str, base: str, bank: BankFile) -> pd.Series:
    hundredths = frame[column].astype("Int64")
    codes = row_currencies(frame, base)
    out = hundredths.copy()
    for code in codes.unique():
        if currency_digits(code) == 2:
            continue
        rows = np.flatnonzero((codes == code).to_numpy())
        for i in rows:
            if pd.isna(hundredths.iloc[i]):
                continue
            try:
                out.iloc[i] = minor_from_hundredths(int(hundredths.iloc[i]), code)
            except ValueError as exc:
                name = str(frame["SourceFile"].iloc[i]) if "SourceFile" in frame else ""
                raise BankFileError(
                    name or "bank file", None, f"{column} {exc}; the file cannot be read with confidence"
                ) from None
    return out


def new_lines(existing: pd.DataFrame, incoming: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The incoming lines whose LineID is neither in `existing` nor earlier in `incoming`.

    Existing rows typed by hand may have no LineID yet; theirs is computed the same way
    (per SourceFile) so that re-importing their file does not duplicate them. Returns the
    new lines and how many were skipped.
    """
    if incoming.empty:
        return incoming.copy(), 0
    known = set(existing["LineID"][existing["LineID"] != ""]) if "LineID" in existing else set()
    blank = existing[existing["LineID"] == ""] if "LineID" in existing else existing.iloc[0:0]
    if len(blank):
        known |= set(line_ids(blank, blank["SourceFile"]))
    fresh = ~incoming["LineID"].isin(known) & ~incoming["LineID"].duplicated()
    return incoming.loc[fresh].reset_index(drop=True), int((~fresh).sum())


def new_statements(existing: pd.DataFrame, incoming: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Statements not stored yet (by StatementID), each once."""
    frames = [f for f in incoming if not f.empty]
    if not frames:
        return pd.DataFrame(columns=existing.columns)
    both = pd.concat(frames, ignore_index=True)
    known = set(existing["StatementID"]) if "StatementID" in existing else set()
    fresh = ~both["StatementID"].isin(known) & ~both["StatementID"].duplicated()
    return both.loc[fresh].reset_index(drop=True)
