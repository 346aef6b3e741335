"""`arbook match` and `arbook post`: bank credits to invoices, and what the clerk decided, through the Book.

`match` reads BankLines and last run's Matches, takes what is open from the run's ledger
snapshot, runs the pure matcher (matching.matcher), and stages for one commit: the new Matches
table (the clerk's Approve entries kept), the auto allocations appended to Allocations, and
the changed BankLines statuses. Pairings the clerk reversed are not proposed again.

`post` carries out what the clerk wrote in the workbook, in this order: the Reverse cells
(arbook.reverse), the proposals marked Approve = Y (teaching Customers.Aliases the payer
names it confirmed), then the ApplyTo cells of BankLines and of credit notes in Invoices
(arbook.apply), then the WriteOff cells of Invoices (arbook.writeoff). Both write off small
remainders (`writeoff_limit`) and refresh the invoices and lines they touched
(arbook.clerk.Posting) in the same commit.
"""

from __future__ import annotations

import pandas as pd

from arbook.operation import NO_PROGRESS, Progress, Summary
from common.values import format_cents
from matching.matcher import LINE_MONEY, MatchSettings, OpenAmounts, match_lines, post_approved
from matching.matcher.reversal import reversed_pairings
from receivables import LATEST, Ledger
from workbook.book import Book
from workbook.contract import Settings

from .apply import applied_figures, apply_instructions, marked_applications
from .clerk import Posting, posting_id
from .reverse import marked_reversals, reversal_figures, reverse_requests
from .writeoff import marked_write_offs, write_off_requests

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
        non_receipt_words=settings.match_non_receipt_words,
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
    settings = book.settings()
    posting = Posting(book, as_of)
    progress("reading", 0, 1)
    lines, previous = book.read("BankLines"), book.read("Matches")
    result = match_lines(
        lines,
        ledger.customers,
        open_amounts(lines, ledger),
        previous,
        match_settings(settings),
        as_of=as_of,
        posted_at=posting.posted_at.to_pydatetime(),
        post=post,
        progress=progress,
        reversed_pairs=reversed_pairings(ledger.allocations),
    )
    book.replace("Matches", result.matches)
    posting.append(with_postings(result.allocations, "auto"))
    if len(result.statuses):
        book.write_columns("BankLines", "LineID", result.statuses)
    written = posting.finish(settings.writeoff_limit)
    figures: dict[str, object] = dict(result.figures)
    figures["auto-posted amount"] = format_cents(result.figures["auto-posted amount"])
    if written:
        figures["remainders written off"] = written
    summary = Summary("match", {"as of": as_of.isoformat(), **figures}, notes=list(result.notes))
    if not post:
        summary.notes.append(
            "--no-post: auto proposals were left pending; mark them Approve = Y and run post"
        )
    return summary


def post(book: Book, *, ledger: Ledger, progress: Progress = NO_PROGRESS) -> Summary:
    """Carry out what the clerk wrote in the workbook (see the module doc), checked against the
    books as they are at each step. A refused cell posts nothing of its line, is named in the
    notes and makes the run not ok; the rest goes through."""
    posting = Posting(book, ledger.as_of)
    progress("reversing", 0, 4)
    reversals = reverse_requests(posting, marked_reversals(book))
    progress("posting approvals", 1, 4)
    lines, matches = book.read("BankLines"), book.read("Matches")
    now = posting.ledger() if len(reversals.rows) else ledger
    result = post_approved(
        lines,
        now.customers,
        open_amounts(lines, now),
        matches,
        posted_at=posting.posted_at.to_pydatetime(),
    )
    book.replace("Matches", result.matches)
    posting.append(with_postings(result.allocations, "approved"))
    if len(result.statuses):
        book.write_columns("BankLines", "LineID", result.statuses)
    if len(result.aliases):
        book.write_columns("Customers", "CustomerID", result.aliases)
    progress("applying by hand", 2, 4)
    applied = apply_instructions(posting, marked_applications(book))
    progress("writing off", 3, 4)
    written = write_off_requests(posting, marked_write_offs(book))
    remainders = posting.finish(book.settings().writeoff_limit)
    figures: dict[str, object] = dict(result.figures)
    figures["amount posted"] = format_cents(result.figures["amount posted"])
    if reversals.reversed:
        figures.update(reversal_figures(reversals))
    if applied.posted or remainders:
        figures.update(applied_figures(applied, remainders))
    if written.written:
        figures["written off"] = "; ".join(written.written)
    refused = [*reversals.problems, *applied.problems, *written.problems]
    problems = [*result.notes, *(f"not posted: {p}" for p in refused)]
    progress("done", 4, 4)
    return Summary(
        "post",
        {"as of": ledger.as_of.isoformat(), **figures},
        notes=[*problems, *reversals.notes],
        ok=not problems,
    )


def with_postings(allocations: pd.DataFrame, method: str) -> pd.DataFrame:
    """The matcher's rows with their Posting: one per bank line and run (the matcher posts one
    proposal per line at a time), made of what the matcher's AllocationIDs are made of, so the
    same postings get the same ids in a rerun."""
    if allocations.empty:
        return allocations
    first = allocations.groupby("LineID", sort=False)["AllocationID"].transform("first")
    return allocations.assign(
        Posting=[posting_id(method, line, a) for line, a in zip(allocations["LineID"], first, strict=True)]
    )
