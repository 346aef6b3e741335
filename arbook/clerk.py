"""What every posting does besides appending its Allocations rows, in the same commit.

Matching, approvals, applying by hand and reversing all change the Allocations log; each then
refreshes what depends on the log for the invoices and bank lines it touched
(Invoices.OpenAmount, Status and LastPaymentDate as of the run's date, and BankLines.Status),
so the workbook never shows a paid invoice as open until the next `arbook aging`. `Posting`
is the helper that does it for one operation.

The clerk's marks are read here too: what the clerk wrote in the workbook's instruction
columns (BankLines.ApplyTo and Reverse, Invoices.ApplyTo, Allocations.Reverse), each with
the cell it is in, so a refusal can name sheet, row and column.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from matching.matcher import LINE_MONEY
from matching.matcher.ledger import as_text, line_statuses
from receivables import Ledger, invoice_balances
from workbook.book import Book

__all__ = ["Mark", "Posting", "marks", "posting_id"]


@dataclass(frozen=True)
class Mark:
    """One instruction the clerk wrote: the row's key (LineID, InvoiceNo, AllocationID), the text, the cell."""

    key: str
    text: str
    where: tuple[str, int | None, str]


def marks(book: Book, table: str, key: str, column: str) -> list[Mark]:
    """The non-empty cells of `column` in `table`, with their row's `key`, in sheet order."""
    if not book.has(table):
        return []
    frame = book.read(table)
    if column not in frame:
        return []
    text = as_text(frame[column])
    chosen = frame[text != ""]
    return [
        Mark(str(k).strip(), str(t).strip(), (table, int(row), column))
        for row, k, t in zip(chosen.index, chosen[key].fillna("").astype(str), text[text != ""], strict=True)
    ]


def posting_id(*parts: object) -> str:
    """A Posting id made of what identifies a posting (its method, its line, its first row)."""
    text = "|".join(str(p) for p in parts)
    return "P-" + hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


@dataclass
class Posting:
    """One operation's postings on one book: append rows, then write off and refresh once."""

    book: Book
    as_of: date
    posted_at: pd.Timestamp = field(
        default_factory=lambda: pd.Timestamp(datetime.now().replace(microsecond=0))
    )
    invoices: set[str] = field(default_factory=set)  # touched
    lines: set[str] = field(default_factory=set)  # touched

    def ledger(self) -> Ledger:
        """The books as they are now, this operation's staged rows included."""
        return Ledger(
            self.book.read("Invoices"),
            self.book.read("Allocations"),
            self.book.read("Customers"),
            as_of=self.as_of,
        )

    def append(self, rows: pd.DataFrame) -> None:
        """Stage `rows` in Allocations and remember the invoices and lines they touch."""
        if rows.empty:
            return
        self.book.append("Allocations", rows)
        self.invoices |= set(as_text(rows["InvoiceNo"])) - {""}
        self.lines |= set(as_text(rows["LineID"])) - {""}

    def finish(self) -> None:
        """Refresh what the staged rows touched (see the module doc)."""
        self._refresh()

    def _refresh(self) -> None:
        """Invoices' computed columns as of the run's date, and bank line statuses, for what was touched."""
        allocations = self.book.read("Allocations")
        if self.invoices:
            invoices = self.book.read("Invoices")
            touched = invoices[invoices["InvoiceNo"].isin(self.invoices)]
            balances = invoice_balances(
                touched, allocations, as_of=self.as_of, customers=self.book.read("Customers")
            )
            self.book.write_columns(
                "Invoices", "InvoiceNo", balances[["InvoiceNo", "OpenAmount", "Status", "LastPaymentDate"]]
            )
        if self.lines and self.book.has("BankLines"):
            lines = self.book.read("BankLines")
            touched = lines[lines["LineID"].isin(self.lines)].reset_index(drop=True)
            money = allocations[allocations["Kind"].isin(LINE_MONEY)]
            spent = money.groupby("LineID")["Amount"].sum()
            bl = pd.DataFrame(
                {
                    "LineID": as_text(touched["LineID"]),
                    "Amount": touched["Amount"].astype("Int64").fillna(0).astype("int64"),
                    "Status": as_text(touched["Status"]),
                }
            )
            allocated = bl["LineID"].map(spent).fillna(0).astype("int64")
            statuses = line_statuses(bl, allocated, _suggested(self.book))
            if len(statuses):
                self.book.write_columns("BankLines", "LineID", statuses)


def _suggested(book: Book) -> set[str]:
    """Lines with a suggestion still waiting in Matches (their status is Suggested, not Unmatched)."""
    if not book.has("Matches"):
        return set()
    matches = book.read("Matches")
    return set(as_text(matches.loc[as_text(matches["Status"]).isin(["pending", ""]), "LineID"]))
