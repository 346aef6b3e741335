"""`arbook apply` and the ApplyTo columns: the clerk puts money on invoices by hand.

A bank line's money (BankLines.ApplyTo, or `arbook apply WORKBOOK LINE ITEM...`) or a credit
note's credit (Invoices.ApplyTo on the credit note, or `arbook apply WORKBOOK CREDITNOTE
ITEM...`) goes to the invoices named, checked and posted as `matching.matcher.manual` says
(Method manual). `arbook post` carries out every ApplyTo cell; an instruction already posted
is not posted again, and one that is refused posts nothing of its line while the others go
through. On the command line a refusal stops the command (exit status 1) with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from common.errors import InputError
from matching.matcher.manual import Application, Applied, apply_by_hand
from receivables import LATEST, Ledger
from workbook.book import Book

from .clerk import Posting, marks
from .operation import Summary

__all__ = ["apply", "apply_instructions", "instruction", "marked_applications"]

_AMOUNT = re.compile(r"^\d[\d.,' ]*[.,]\d{2}$")


def apply(book: Book, *, ledger: Ledger, source: str, items: Sequence[str]) -> Summary:
    """Apply `source` (a LineID or a credit note's number) to the invoices `items` name
    ("INV-1 600.00", "INV-2", or "C002:" first for another customer's)."""
    posting = Posting(book, ledger.as_of)
    result = apply_instructions(posting, [Application(source, instruction(items))])
    if result.problems:
        raise InputError(result.problems, f"{source} was not applied")
    summary = Summary("apply", {"as of": ledger.as_of.isoformat()})
    if result.already:
        summary.notes.append(f"{source}: this instruction was posted before; nothing posted again")
    summary.figures.update(applied_figures(result, posting.finish(book.settings().writeoff_limit)))
    return summary


def instruction(items: Sequence[str]) -> str:
    """The words of the command line as the text of a cell: "INV-1 600.00 INV-2" (three words, or
    two quoted) is "INV-1 600.00; INV-2". A word with cents (600.00, 1.234,50) is the amount of
    the invoice before it; any other word starts a new part."""
    parts: list[str] = []
    for word in items:
        if parts and _AMOUNT.match(word.strip()):
            parts[-1] += f" {word.strip()}"
        else:
            parts.append(word)
    return "; ".join(parts)


def marked_applications(book: Book) -> list[Application]:
    """The ApplyTo cells of BankLines and Invoices (credit notes), in sheet order."""
    return [
        Application(m.key, m.text, m.where)
        for table, key in (("BankLines", "LineID"), ("Invoices", "InvoiceNo"))
        for m in marks(book, table, key, "ApplyTo")
    ]


def apply_instructions(posting: Posting, applications: list[Application]) -> Applied:
    """Check and stage `applications` against the books as they are now."""
    if not applications:
        return Applied(rows=pd.DataFrame())
    result = apply_by_hand(applications, **_books(posting))
    posting.append(result.rows)
    return result


def applied_figures(result: Applied, written_off: int) -> dict[str, object]:
    """The figures a run that applied by hand reports (and its Audit row records)."""
    figures: dict[str, object] = {"applied by hand": "; ".join(result.posted) or 0}
    if written_off:
        figures["remainders written off"] = written_off
    return figures


def _books(posting: Posting) -> dict[str, object]:
    ledger = posting.ledger()
    return {
        "lines": posting.book.read("BankLines"),
        "items": ledger.balances_on(LATEST),
        "customers": ledger.customers,
        "allocations": ledger.allocations,
        "as_of": posting.as_of,
        "posted_at": posting.posted_at,
        "base_currency": posting.book.settings().base_currency,
    }
