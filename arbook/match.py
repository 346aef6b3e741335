"""`arbook match` and `arbook post`: bank credits to invoices, through the Book.

`match` reads BankLines and last run's Matches, takes what is open from the run's ledger
snapshot, runs the pure matcher (matching.matcher), and stages for one commit: the new Matches
table (the clerk's Approve entries kept), the auto allocations appended to Allocations, and
the changed BankLines statuses. `post` turns the proposals marked Approve = Y into Allocations
and teaches Customers.Aliases the payer names it confirmed.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from arbook.operation import NO_PROGRESS, Progress, Summary
from common.values import format_cents
from matching.matcher import LINE_MONEY, MatchSettings, OpenAmounts, match_lines, post_approved
from receivables import LATEST, Ledger
from workbook.book import Book
from workbook.contract import Settings

__all__ = ["match", "match_settings", "open_amounts", "post"]


def match_settings(settings: Settings) -> MatchSettings:
    """The matcher's settings, from the typed Settings table."""
    return MatchSettings(
        auto_threshold=settings.match_auto_threshold,
        suggest_threshold=settings.match_suggest_threshold,
        fee_tolerance=settings.fee_tolerance,
        amount_tolerance=settings.amount_tolerance,
        company_name=settings.company_name,
        base_currency=settings.base_currency,
    )


def open_amounts(lines: pd.DataFrame, ledger: Ledger) -> OpenAmounts:
    """What the matcher needs to know is open, from the ledger: each invoice's OpenAmount counting
    every allocation in the log whatever its PaymentDate (money already allocated is gone, even
    for a run that looks at an earlier day), and the money left on each bank line (its Amount
    less its allocations of the kinds that use up a line's money, LINE_MONEY)."""
    allocations = ledger.allocations
    spent = allocations[allocations["Kind"].isin(LINE_MONEY)].groupby("LineID")["Amount"].sum()
    used = lines["LineID"].map(spent).fillna(0).astype("Int64")
    return OpenAmounts(ledger.balances_on(LATEST), lines["Amount"].astype("Int64").fillna(0) - used)


def match(book: Book, *, ledger: Ledger, post: bool = True, progress: Progress = NO_PROGRESS) -> Summary:
    """Propose matches for unmatched bank credits dated up to the ledger's date; stage the auto
    ones as allocations unless `post` is False."""
    as_of = ledger.as_of
    progress("reading", 0, 1)
    lines, previous = book.read("BankLines"), book.read("Matches")
    result = match_lines(
        lines,
        ledger.customers,
        open_amounts(lines, ledger),
        previous,
        match_settings(book.settings()),
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
    figures: dict[str, object] = dict(result.figures)
    figures["auto-posted amount"] = format_cents(result.figures["auto-posted amount"])
    summary = Summary("match", {"as of": as_of.isoformat(), **figures}, notes=list(result.notes))
    if not post:
        summary.notes.append(
            "--no-post: auto proposals were left pending; mark them Approve = Y and run post"
        )
    return summary


def post(book: Book, *, ledger: Ledger, progress: Progress = NO_PROGRESS) -> Summary:
    """Post the Matches proposals marked Approve = Y (checked against the books as they are now)."""
    progress("reading", 0, 2)
    lines, matches = book.read("BankLines"), book.read("Matches")
    progress("posting", 1, 2)
    result = post_approved(
        lines,
        ledger.customers,
        open_amounts(lines, ledger),
        matches,
        posted_at=datetime.now().replace(microsecond=0),
    )
    book.replace("Matches", result.matches)
    if len(result.allocations):
        book.append("Allocations", result.allocations)
    if len(result.statuses):
        book.write_columns("BankLines", "LineID", result.statuses)
    if len(result.aliases):
        book.write_columns("Customers", "CustomerID", result.aliases)
    figures: dict[str, object] = dict(result.figures)
    figures["amount posted"] = format_cents(result.figures["amount posted"])
    summary = Summary(
        "post", {"as of": ledger.as_of.isoformat(), **figures}, notes=list(result.notes), ok=not result.notes
    )
    progress("done", 2, 2)
    return summary
