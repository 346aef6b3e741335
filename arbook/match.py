"""`arbook match` and `arbook post`: bank credits to invoices, through the Book.

`match` reads BankLines, Invoices, Customers, Allocations and last run's Matches, runs the
pure matcher (matching.matcher), and stages for one commit: the new Matches table (the
clerk's Approve entries kept), the auto allocations appended to Allocations, and the
changed BankLines statuses. `post` turns the proposals marked Approve = Y into Allocations
and teaches Customers.Aliases the payer names it confirmed.
"""

from __future__ import annotations

from datetime import date, datetime

from arbook.operation import NO_PROGRESS, Progress, Summary
from common.values import format_cents
from matching.matcher import match_lines, post_approved
from workbook.book import Book
from workbook.contract import Settings

__all__ = ["match", "matcher_settings", "post"]


def matcher_settings(settings: Settings) -> dict[str, object]:
    """The settings the matcher reads, taken from the typed Settings table."""
    return {
        "match_auto_threshold": settings.match_auto_threshold,
        "match_suggest_threshold": settings.match_suggest_threshold,
        "fee_tolerance": settings.fee_tolerance,
        "amount_tolerance": settings.amount_tolerance,
        "company_name": settings.company_name,
        "base_currency": settings.base_currency,
    }


def match(book: Book, *, as_of: date, post: bool = True, progress: Progress = NO_PROGRESS) -> Summary:
    """Propose matches for unmatched bank credits dated up to `as_of`; stage the auto ones as
    allocations unless `post` is False."""
    settings = matcher_settings(book.settings())
    progress("reading", 0, 1)
    lines, invoices, customers = book.read("BankLines"), book.read("Invoices"), book.read("Customers")
    allocations, previous = book.read("Allocations"), book.read("Matches")
    result = match_lines(
        lines,
        invoices,
        customers,
        allocations,
        previous,
        settings,
        as_of=as_of,
        posted_at=datetime.now().replace(microsecond=0),
        post=post,
        progress=progress,
    )
    book.replace("Matches", result.matches)
    if len(result.allocations):
        book.append("Allocations", result.allocations)
    if len(result.statuses):
        book.write_columns("BankLines", "LineID", result.statuses)
    figures = dict(result.figures)
    figures["auto-posted amount"] = format_cents(int(figures["auto-posted amount"]))  # type: ignore[call-overload]
    summary = Summary("match", {"as of": as_of.isoformat(), **figures}, notes=list(result.notes))
    if not post:
        summary.notes.append(
            "--no-post: auto proposals were left pending; mark them Approve = Y and run post"
        )
    return summary


def post(book: Book, *, as_of: date, progress: Progress = NO_PROGRESS) -> Summary:
    """Post the Matches proposals marked Approve = Y (checked against the books as they are now)."""
    settings = matcher_settings(book.settings())
    progress("reading", 0, 2)
    lines, invoices, customers = book.read("BankLines"), book.read("Invoices"), book.read("Customers")
    allocations, matches = book.read("Allocations"), book.read("Matches")
    progress("posting", 1, 2)
    result = post_approved(
        lines,
        invoices,
        customers,
        allocations,
        matches,
        settings,
        posted_at=datetime.now().replace(microsecond=0),
    )
    book.replace("Matches", result.matches)
    if len(result.allocations):
        book.append("Allocations", result.allocations)
    if len(result.statuses):
        book.write_columns("BankLines", "LineID", result.statuses)
    if len(result.aliases):
        book.write_columns("Customers", "CustomerID", result.aliases)
    figures = dict(result.figures)
    figures["amount posted"] = format_cents(int(figures["amount posted"]))  # type: ignore[call-overload]
    summary = Summary(
        "post", {"as of": as_of.isoformat(), **figures}, notes=list(result.notes), ok=not result.notes
    )
    progress("done", 2, 2)
    return summary
