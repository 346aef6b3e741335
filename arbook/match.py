"""`arbook match` and `arbook post`: bank credits to invoices, through the Book.

`match` reads BankLines, Invoices, Customers, Allocations and last run's Matches, runs the
pure matcher (matching.matcher), and writes in one commit: the new Matches table (the
clerk's Approve entries kept), the auto allocations appended to Allocations, and the
changed BankLines statuses. `post` turns the proposals marked Approve = Y into Allocations
and teaches Customers.Aliases the payer names it confirmed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import cast

import pandas as pd

from arbook.ledger import invoice_balances
from arbook.operation import NO_PROGRESS, Progress, Summary
from common.values import format_cents
from matching.matcher import LINE_MONEY, MatchSettings, OpenAmounts, match_lines, post_approved
from workbook.book import Book

__all__ = ["match", "match_settings", "open_amounts", "post"]

# Matching looks at what is open now: every allocation in the log counts, whatever its
# PaymentDate (money already allocated is gone, even for a run that looks at an earlier day).
_AFTER_EVERY_PAYMENT = pd.Timestamp.max.date()


def match(book: Book, *, as_of: date, post: bool = True, progress: Progress = NO_PROGRESS) -> Summary:
    """Propose matches for unmatched bank credits dated up to `as_of`; post the auto ones unless `post` is False."""
    settings = book.settings()
    progress("reading", 0, 1)
    lines, invoices, customers = book.read("BankLines"), book.read("Invoices"), book.read("Customers")
    allocations, previous = book.read("Allocations"), book.read("Matches")
    result = match_lines(
        lines,
        customers,
        open_amounts(lines, invoices, allocations, customers),
        previous,
        match_settings(settings),
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
    flag = "" if post else " --no-post"
    book.commit(f"match --as-of {as_of.isoformat()}{flag}", _line(summary))
    return summary


def post(book: Book, *, as_of: date, progress: Progress = NO_PROGRESS) -> Summary:
    """Post the Matches proposals marked Approve = Y (checked against the books as they are now)."""
    progress("reading", 0, 2)
    lines, invoices, customers = book.read("BankLines"), book.read("Invoices"), book.read("Customers")
    allocations, matches = book.read("Allocations"), book.read("Matches")
    progress("posting", 1, 2)
    result = post_approved(
        lines,
        customers,
        open_amounts(lines, invoices, allocations, customers),
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
        "post", {"as of": as_of.isoformat(), **figures}, notes=list(result.notes), ok=not result.notes
    )
    book.commit(f"post --as-of {as_of.isoformat()}", _line(summary))
    progress("done", 2, 2)
    return summary


def match_settings(settings: Mapping[str, object]) -> MatchSettings:
    """The matcher's settings from the workbook's: Book.settings types each value by its declared
    kind and fills in the declared default for keys the workbook lacks."""
    number = cast(Mapping[str, float], settings)
    money = cast(Mapping[str, int], settings)
    text = cast(Mapping[str, str], settings)
    return MatchSettings(
        auto_threshold=float(number["match_auto_threshold"]),
        suggest_threshold=float(number["match_suggest_threshold"]),
        fee_tolerance=int(money["fee_tolerance"]),
        amount_tolerance=int(money["amount_tolerance"]),
        company_name=str(text["company_name"]),
        base_currency=str(text["base_currency"]),
        non_receipt_words=tuple(cast(Mapping[str, tuple[str, ...]], settings)["match_non_receipt_words"]),
    )


def open_amounts(
    lines: pd.DataFrame, invoices: pd.DataFrame, allocations: pd.DataFrame, customers: pd.DataFrame
) -> OpenAmounts:
    """What the matcher needs to know is open, by the ledger's rules: each invoice's OpenAmount,
    and the money left on each bank line (its Amount less its payment and unapplied allocations)."""
    balances = invoice_balances(invoices, allocations, as_of=_AFTER_EVERY_PAYMENT, customers=customers)
    spent = allocations[allocations["Kind"].isin(LINE_MONEY)].groupby("LineID")["Amount"].sum()
    used = lines["LineID"].map(spent).fillna(0).astype("Int64")
    return OpenAmounts(balances, lines["Amount"].astype("Int64").fillna(0) - used)


def _line(summary: Summary) -> str:
    return "; ".join(f"{k} {v}" for k, v in summary.figures.items())
