"""`arbook reverse` and the Reverse columns: undo a posting that turned out wrong.

The clerk writes why in Allocations.Reverse (that row) or BankLines.Reverse (everything
posted from that line), or runs `arbook reverse WORKBOOK TARGET --reason WHY` with an
AllocationID, a LineID or a credit note's number. Reversing rows are appended (the log is
never edited; `matching.matcher.reversal` says which rows and how), the invoices reopen,
the bank line goes back to Unmatched, and the matcher will not post the same pairing again.
Who, when and why are in the Audit row of the run (its Summary lists what was reversed and why).
"""

from __future__ import annotations

import pandas as pd

from common.errors import InputError
from matching.matcher.reversal import ReversalRequest, Reversals
from matching.matcher.reversal import reverse as reversing_rows
from receivables import Ledger
from workbook.book import Book

from .clerk import Posting, marks
from .operation import Summary

__all__ = ["marked_reversals", "reverse", "reverse_requests"]


def reverse(book: Book, *, ledger: Ledger, target: str, reason: str) -> Summary:
    """Reverse `target` (an AllocationID, a LineID or a credit note's number) because of `reason`."""
    posting = Posting(book, ledger.as_of)
    result = reverse_requests(posting, [ReversalRequest(target, reason)])
    if result.problems:
        raise InputError(result.problems, f"{target} was not reversed")
    summary = Summary(
        "reverse", {"as of": ledger.as_of.isoformat(), **reversal_figures(result)}, list(result.notes)
    )
    if result.already:
        summary.notes.append(f"{target} was already reversed for this reason; nothing reversed again")
    posting.finish(0)
    return summary


def marked_reversals(book: Book) -> list[ReversalRequest]:
    """The Reverse cells of Allocations (a row) and BankLines (a whole line), rows first."""
    return [
        ReversalRequest(m.key, m.text, m.where)
        for table, key in (("Allocations", "AllocationID"), ("BankLines", "LineID"))
        for m in marks(book, table, key, "Reverse")
    ]


def reverse_requests(posting: Posting, requests: list[ReversalRequest]) -> Reversals:
    """Stage the reversing rows for `requests` against the log as it is now."""
    if not requests:
        return Reversals(rows=pd.DataFrame())
    book = posting.book
    invoices = book.read("Invoices")
    result = reversing_rows(
        book.read("Allocations"),
        requests,
        bank_lines=set(book.read("BankLines")["LineID"]) - {""} if book.has("BankLines") else set(),
        credit_notes=set(invoices.loc[invoices["Amount"].fillna(0) < 0, "InvoiceNo"]),
        posted_at=posting.posted_at,
    )
    posting.append(result.rows, settles=False)
    return result


def reversal_figures(result: Reversals) -> dict[str, object]:
    """What a run that reversed reports (its Audit row records who, when, and these: what and why)."""
    return {"reversed": "; ".join(result.reversed) or 0}
