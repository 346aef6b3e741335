"""`arbook match` and `arbook post`: bank credits to invoices, through the Book.

`match` reads BankLines and last run's Matches, takes what is open from the run's ledger
snapshot, runs the pure matcher (matching.matcher), and stages for one commit: the new Matches
table (the clerk's Approve entries kept), the auto allocations appended to Allocations, and
the changed BankLines statuses. `post` turns the proposals marked Approve = Y into Allocations
and teaches Customers.Aliases the payer names it confirmed.

Currencies: a Matches row's money is the bank line's, in its currency (Matches.Currency); an
Allocations row's is its item's (Allocations.Currency), and when that is not the line's, the
line's money it took is kept beside it (LineAmount, LineCurrency; matching.matcher.exchange).
Both are filled here from the lines and the ledger, so every money cell says its currency.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from arbook.operation import NO_PROGRESS, Progress, Summary
from common.currency import format_money
from matching.matcher import LINE_MONEY, MatchSettings, OpenAmounts, match_lines, post_approved
from receivables import LATEST, Ledger, by_currency
from workbook.book import Book
from workbook.contract import Settings, table

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
    taken = allocations[allocations["Kind"].isin(LINE_MONEY)]
    money = (
        taken["LineAmount"].astype("Int64").fillna(taken["Amount"].astype("Int64"))
    )  # in the line's currency
    spent = money.groupby(taken["LineID"]).sum()
    used = lines["LineID"].map(spent).fillna(0).astype("Int64")
    return OpenAmounts(ledger.balances_on(LATEST), lines["Amount"].astype("Int64").fillna(0) - used)


def line_currencies(lines: pd.DataFrame, base: str) -> pd.Series:
    """LineID -> the line's currency (the base currency where the line names none)."""
    codes = lines["Currency"].fillna("").astype(str).str.strip().str.upper().replace("", base)
    return pd.Series(codes.to_numpy(), index=lines["LineID"].to_numpy())


def with_currencies(
    matches: pd.DataFrame, allocations: pd.DataFrame, lines: pd.DataFrame, ledger: Ledger
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Matches with their line's Currency, in the contract's column order; Allocations with their
    item's Currency where the matcher left it empty (money left unapplied: the line's)."""
    of_line = line_currencies(lines, ledger.base)
    of_line = of_line[~of_line.index.duplicated()]
    found = matches.assign(Currency=matches["LineID"].map(of_line).fillna(ledger.base))
    found = found.reindex(columns=[c for c in table("Matches").column_names if c in found or c == "Currency"])
    if allocations.empty:
        return found, allocations
    items = ledger.balances_on(LATEST)
    of_item = pd.Series(items["Currency"].to_numpy(), index=items["InvoiceNo"].to_numpy())
    of_item = of_item[~of_item.index.duplicated()]
    given = (
        allocations["Currency"].fillna("")
        if "Currency" in allocations
        else pd.Series("", index=allocations.index)
    )
    own = allocations["InvoiceNo"].map(of_item).fillna(allocations["LineID"].map(of_line)).fillna(ledger.base)
    return found, allocations.assign(Currency=given.where(given != "", own))


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
    matches, allocations = with_currencies(result.matches, result.allocations, lines, ledger)
    book.replace("Matches", matches)
    if len(allocations):
        book.append("Allocations", allocations)
    if len(result.statuses):
        book.write_columns("BankLines", "LineID", result.statuses)
    figures: dict[str, object] = dict(result.figures)
    figures["auto-posted amount"] = _line_money(allocations, lines, ledger.base)
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
        rates=ledger.rates,
        base_currency=ledger.base,
    )
    matches, allocations = with_currencies(result.matches, result.allocations, lines, ledger)
    book.replace("Matches", matches)
    if len(allocations):
        book.append("Allocations", allocations)
    if len(result.statuses):
        book.write_columns("BankLines", "LineID", result.statuses)
    if len(result.aliases):
        book.write_columns("Customers", "CustomerID", result.aliases)
    figures: dict[str, object] = dict(result.figures)
    figures["amount posted"] = _line_money(allocations, lines, ledger.base)
    summary = Summary(
        "post",
        {"as of": ledger.as_of.isoformat(), **figures},
        notes=list(result.notes),
        ok=not result.figures["proposals not posted"],
    )
    progress("done", 2, 2)
    return summary


def _line_money(allocations: pd.DataFrame, lines: pd.DataFrame, base: str) -> str:
    """The bank lines' money the allocations took, per currency ("1234.56 EUR; 99.00 USD"; "0.00 EUR")."""
    if allocations.empty:
        return format_money(0, base)
    taken = allocations[allocations["Kind"].isin(LINE_MONEY)]
    of_line = line_currencies(lines, base)
    of_line = of_line[~of_line.index.duplicated()]
    given = taken["LineCurrency"].fillna("") if "LineCurrency" in taken else pd.Series("", index=taken.index)
    codes = given.where(given != "", taken["LineID"].map(of_line).fillna(base))
    money = (
        taken["LineAmount"].astype("Int64").fillna(taken["Amount"].astype("Int64"))
        if "LineAmount" in taken
        else taken["Amount"]
    )
    totals = by_currency(money, codes)
    return "; ".join(format_money(v, c) for c, v in totals.items()) or format_money(0, base)
