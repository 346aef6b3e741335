"""What every posting does besides appending its Allocations rows, in the same commit.

Matching, approvals, applying by hand, writing off and reversing all change the Allocations
log; each then (1) writes off by itself a remainder of at most `writeoff_limit` that its
payments left on an invoice (Kind writeoff, Method auto), (2) refreshes what depends on the
log for the invoices and bank lines it touched (Invoices.OpenAmount, Status and
LastPaymentDate as of the run's date, and BankLines.Status), so the workbook never shows a
paid invoice as open until the next `arbook aging`. `Posting` is the helper that does it for
one operation.

The clerk's marks are read here too: what the clerk wrote in the workbook's instruction
columns (BankLines.ApplyTo and Reverse, Invoices.ApplyTo and WriteOff, Allocations.Reverse), each with
the cell it is in, so a refusal can name sheet, row and column.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from common.currency import format_money
from common.values import format_cents
from matching.matcher import LINE_MONEY
from matching.matcher.ledger import as_text, line_statuses
from receivables import LATEST, Ledger, invoice_balances
from workbook.book import Book

from .rates import book_rates

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
    settled: set[str] = field(default_factory=set)  # invoices paid in this operation (remainders written off)

    def ledger(self) -> Ledger:
        """The books as they are now, this operation's staged rows included."""
        return Ledger(
            self.book.read("Invoices"),
            self.book.read("Allocations"),
            self.book.read("Customers"),
            as_of=self.as_of,
            rates=book_rates(self.book),
        )

    def append(self, rows: pd.DataFrame, *, settles: bool = True) -> None:
        """Stage `rows` in Allocations and remember the invoices and lines they touch; `settles`:
        their invoices get small remainders written off (payments do; reversals and write-offs not)."""
        if rows.empty:
            return
        self.book.append("Allocations", rows)
        numbers = set(as_text(rows["InvoiceNo"])) - {""}
        self.invoices |= numbers
        self.lines |= set(as_text(rows["LineID"])) - {""}
        if settles:
            self.settled |= numbers

    def finish(self, limit: int) -> int:
        """Write off remainders up to `limit` cents left on the invoices paid; refresh what was
        touched. Returns how many remainders were written off."""
        written = self._write_off_remainders(limit) if limit > 0 and self.settled else 0
        self._refresh()
        return written

    def _write_off_remainders(self, limit: int) -> int:
        allocations = self.book.read("Allocations")
        balances = invoice_balances(
            self.book.read("Invoices"),
            allocations,
            as_of=LATEST,
            base=self.book.settings().base_currency,
            customers=self.book.read("Customers"),
        )
        small = balances[
            balances["InvoiceNo"].isin(self.settled)
            & (balances["OpenAmount"].fillna(0) > 0)
            & (balances["OpenAmount"].fillna(0) <= limit)
        ]
        if small.empty:
            return 0
        mine = allocations[
            (allocations["PostedAt"] == self.posted_at)
            & allocations["InvoiceNo"].isin(small["InvoiceNo"])
            & (allocations["Kind"] == "payment")
        ]
        last = (
            mine.sort_values("PaymentDate", kind="stable").groupby("InvoiceNo").tail(1).set_index("InvoiceNo")
        )
        rows = pd.DataFrame(
            {
                "AllocationID": [
                    posting_id("writeoff", n, p).replace("P-", "A-")
                    for n, p in zip(small["InvoiceNo"], small["InvoiceNo"].map(last["Posting"]), strict=True)
                ],
                "LineID": small["InvoiceNo"].map(last["LineID"]).fillna("").to_numpy(),
                "InvoiceNo": small["InvoiceNo"].to_numpy(),
                "CustomerID": small["CustomerID"].to_numpy(),
                "Amount": small["OpenAmount"].astype("Int64").to_numpy(),
                "PaymentDate": small["InvoiceNo"]
                .map(last["PaymentDate"])
                .fillna(pd.Timestamp(self.as_of))
                .to_numpy(),
                "Kind": "writeoff",
                "Method": "auto",
                "PostedAt": self.posted_at,
                "Posting": small["InvoiceNo"].map(last["Posting"]).fillna("").to_numpy(),
                "Reason": [
                    f"remainder {format_money(c, code)} within writeoff_limit {format_cents(limit)}"
                    for c, code in zip(small["OpenAmount"], small["Currency"], strict=True)
                ],
            }
        )
        rows["Amount"] = rows["Amount"].astype("Int64")
        self.append(rows, settles=False)
        return len(rows)

    def _refresh(self) -> None:
        """Invoices' computed columns as of the run's date, and bank line statuses, for what was touched."""
        allocations = self.book.read("Allocations")
        if self.invoices:
            invoices = self.book.read("Invoices")
            touched = invoices[invoices["InvoiceNo"].isin(self.invoices)]
            balances = invoice_balances(
                touched,
                allocations,
                as_of=self.as_of,
                base=self.book.settings().base_currency,
                customers=self.book.read("Customers"),
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
