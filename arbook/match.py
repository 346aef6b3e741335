"""`arbook match` and `arbook post`: bank credits to invoices, and what the clerk decided, through the Book.

`match` reads BankLines and last run's Matches, takes what is open from the run's ledger
snapshot, runs the pure matcher (matching.matcher), and stages for one commit: the new Matches
table (the clerk's Approve entries kept), the auto allocations appended to Allocations, and
the changed BankLines statuses. Pairings the clerk reversed are not proposed again. It also
proposes netting where the books leave no doubt (a credit note quoting an open invoice, or a
credit or unapplied cash equal to exactly one open invoice: matching.matcher.netting), as
Matches rows the clerk approves like any suggestion.

`post` carries out what the clerk wrote in the workbook, in this order: the Reverse cells
(arbook.reverse), the proposals marked Approve = Y (teaching Customers.Aliases the payer
names it confirmed; netting proposals go through the checks of netting by hand), then the ApplyTo cells of BankLines and of credit notes in Invoices
(arbook.apply), then the WriteOff cells of Invoices (arbook.writeoff). Both write off small
remainders (`writeoff_limit`) and refresh the invoices and lines they touched
(arbook.clerk.Posting) in the same commit.

Why a credit is still not (fully) matched goes where the clerk looks, BankLines.Note, after
the words "arbook: " ("arbook: looks like a refund, not a customer payment: left unmatched"),
written by both once their postings are staged. Text before those words is the clerk's own and
is kept as it is; arbook rewrites only its part, and removes it once the line is matched. The
best candidates for a line (its suggestions in Matches, else open invoices of the very amount
left on it) are named there and in the month-end report's exceptions workbook, by the same rule
(`line_notes`).

Currencies: a Matches row's money is the bank line's, in its currency (Matches.Currency); an
Allocations row's is its item's (Allocations.Currency), and when that is not the line's, the
line's money it took is kept beside it (LineAmount, LineCurrency; matching.matcher.exchange).
Both are filled here from the lines and the ledger, so every money cell says its currency.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import pandas as pd

from arbook.operation import NO_PROGRESS, Progress, Summary
from common.currency import format_money, row_currencies
from common.values import parse_bool, yes_no
from matching.matcher import (
    LINE_MONEY,
    MatchSettings,
    OpenAmounts,
    match_lines,
    post_approved,
    receipt_verdicts,
)
from matching.matcher.manual import Applied, instruction_posting
from matching.matcher.netting import approved_netting, is_netting, with_netting
from matching.matcher.reversal import reversed_pairings
from matching.matcher.screening import duplicate_of
from receivables import LATEST, Ledger, by_currency, totals_text
from workbook.book import Book
from workbook.contract import Settings, table

from .apply import applied_figures, apply_instructions, marked_applications
from .clerk import Posting, posting_id
from .reverse import marked_reversals, reversal_figures, reverse_requests
from .writeoff import marked_write_offs, write_off_requests

__all__ = [
    "NOTE_MARK",
    "clerk_note",
    "line_candidates",
    "line_money",
    "line_notes",
    "line_totals",
    "match",
    "match_settings",
    "open_amounts",
    "post",
]

NOTE_MARK = "arbook: "
"""Where arbook's part of a BankLines.Note starts; the text before it is the clerk's own."""
_OPEN_STATUSES = ("Unmatched", "Suggested", "Partial")
_CANDIDATES = 3


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
        fx_rate_tolerance_percent=settings.fx_rate_tolerance_percent,
    )


def open_amounts(lines: pd.DataFrame, ledger: Ledger) -> OpenAmounts:
    """What the matcher needs to know is open, from the ledger: each invoice's OpenAmount counting
    every allocation in the log whatever its PaymentDate (money already allocated is gone, even
    for a run that looks at an earlier day), and the money left on each bank line (its Amount
    less its allocations of the kinds that use up a line's money, LINE_MONEY)."""
    allocations = ledger.allocations
    taken = allocations[allocations["Kind"].isin(LINE_MONEY)]
    money = taken["LineAmount"].astype("Int64").fillna(taken["Amount"].astype("Int64"))  # the line's currency
    spent = money.groupby(taken["LineID"]).sum()
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
    previous = previous.assign(Approve=approvals(previous))  # the matcher takes booleans
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
        rates=ledger.rates,
    )
    matches, allocations = with_currencies(result.matches, result.allocations, lines, ledger)
    posting.append(with_postings(allocations, "auto"))
    now = posting.ledger()
    matches = with_netting(
        matches,
        previous,
        now.balances_on(LATEST),
        now.allocations,
        now.customers,
        lines,
        reversed_pairs=reversed_pairings(ledger.allocations),
        base_currency=settings.base_currency,
    )
    book.replace("Matches", matches.assign(Approve=approve_cells(matches["Approve"])))
    if len(result.statuses):
        book.write_columns("BankLines", "LineID", result.statuses)
    written = posting.finish(settings.writeoff_limit)
    notes = _stage_notes(book, posting)
    figures: dict[str, object] = dict(result.figures)
    figures["auto-posted amount"] = line_money(allocations, lines, ledger.base)
    if written:
        figures["remainders written off"] = written
    summary = Summary("match", {"as of": as_of.isoformat(), **figures})
    waiting = notes[notes["Reason"] != ""]
    if len(waiting):
        summary.figures["lines left open"] = len(waiting)
        kinds = waiting["Status"].value_counts()
        summary.notes.append(
            f"{len(waiting)} bank credits are not (fully) matched ("
            + ", ".join(f"{kinds[k]} {k.lower()}" for k in _OPEN_STATUSES if k in kinds)
            + "): BankLines.Note says why for each, with its best candidates; suggestions wait in Matches "
            "(Approve Y or N, then arbook post)"
        )
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
    matches = matches.assign(Approve=approvals(matches))  # the matcher takes booleans
    netting = is_netting(matches)
    now = posting.ledger() if len(reversals.rows) else ledger
    result = post_approved(
        lines,
        now.customers,
        open_amounts(lines, now),
        matches[~netting],
        posted_at=posting.posted_at.to_pydatetime(),
        rates=now.rates,
        base_currency=now.base,
    )
    found, allocations = with_currencies(result.matches, result.allocations, lines, now)
    posting.append(with_postings(allocations, "approved"))
    if len(result.statuses):
        book.write_columns("BankLines", "LineID", result.statuses)
    if len(result.aliases):
        book.write_columns("Customers", "CustomerID", result.aliases)
    netted, decided = _post_netting(posting, matches[netting])
    table = pd.concat([found, decided], ignore_index=True) if len(decided) else found
    book.replace("Matches", table.assign(Approve=approve_cells(table["Approve"])))
    progress("applying by hand", 2, 4)
    applied = apply_instructions(posting, marked_applications(book))
    progress("writing off", 3, 4)
    written = write_off_requests(posting, marked_write_offs(book))
    remainders = posting.finish(book.settings().writeoff_limit)
    _stage_notes(book, posting)
    figures: dict[str, object] = dict(result.figures)
    figures["amount posted"] = line_money(allocations, lines, ledger.base)
    if reversals.reversed:
        figures.update(reversal_figures(reversals))
    if netted.posted:
        figures["netted on approval"] = "; ".join(netted.posted)
    if applied.posted or remainders:
        figures.update(applied_figures(applied, remainders))
    if written.written:
        figures["written off"] = "; ".join(written.written)
    refused = [*reversals.problems, *netted.problems, *applied.problems, *written.problems]
    problems = [f"not posted: {p}" for p in refused]
    progress("done", 4, 4)
    return Summary(
        "post",
        {"as of": ledger.as_of.isoformat(), **figures},
        notes=[*result.notes, *problems, *reversals.notes],  # the matcher's: refusals and crossings
        ok=not problems and not result.figures["proposals not posted"],
    )


def _post_netting(posting: Posting, proposals: pd.DataFrame) -> tuple[Applied, pd.DataFrame]:
    """Post the netting proposals the clerk approved as the instructions they stand for, through
    the checks of netting by hand; return what was applied and the proposals with their Status
    (posted, rejected, or still pending when refused: the refusal names its Approve cell)."""
    approved, rejected = approved_netting(proposals)
    applied = apply_instructions(posting, approved)
    done = set(posting.book.read("Allocations")["Posting"].fillna("").astype(str)) if approved else set()
    posted = [instruction_posting(a.source, a.text) in done for a in approved]
    status = proposals["Status"].where(~rejected, "rejected")
    status.loc[[a.where[1] for a, ok in zip(approved, posted, strict=True) if ok]] = "posted"  # type: ignore[index]
    return applied, proposals.assign(Status=status)


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


def _stage_notes(book: Book, posting: Posting) -> pd.DataFrame:
    """Stage the BankLines.Note of every credit whose note changes, as the books stand with this
    operation's postings staged; return `line_notes` of every credit."""
    lines, now = book.read("BankLines"), posting.ledger()
    opens = open_amounts(lines, now)
    notes = line_notes(
        lines.assign(left=opens.line_left),
        book.read("Matches"),
        opens.items,
        now.customers,
        now.as_of,
        book.settings(),
    )
    changed = notes[notes["Note"] != lines.loc[notes.index, "Note"]]
    if len(changed):
        book.write_columns("BankLines", "LineID", changed[["LineID", "Note"]])
    return notes


def clerk_note(note: str) -> str:
    """The clerk's own part of a BankLines.Note: everything before arbook's part."""
    at = note.find(NOTE_MARK)
    return note if at < 0 else note[:at].rstrip()


def _columns(frame: pd.DataFrame, *names: str) -> Iterator[tuple[Any, ...]]:
    return zip(*(frame[name].tolist() for name in names), strict=True)


def _joined(keys: Iterable[Any], texts: Iterable[str]) -> dict[Any, str]:
    """The first `_CANDIDATES` texts of each key, in order, joined with commas: one pass over
    every row (grouping and iterating a small frame per key cost minutes at 50,000 invoices)."""
    chosen: dict[Any, list[str]] = {}
    for key, text in zip(keys, texts, strict=True):
        kept = chosen.setdefault(key, [])
        if len(kept) < _CANDIDATES:
            kept.append(text)
    return {key: ", ".join(kept) for key, kept in chosen.items()}


def line_candidates(lines: pd.DataFrame, matches: pd.DataFrame, items: pd.DataFrame) -> pd.Series:
    """Per bank line (indexed like `lines`, which need LineID and `left`, the cents still
    unapplied): its pending suggestions in Matches, best first (equal scores in the order of
    Matches), else the open invoices whose open amount is exactly what is left on the line; at
    most three, as "INV-1 (customer C1, score 72)"."""
    pending = matches[(matches["Decision"] == "suggested") & (matches["Status"] == "pending")]
    best_first = pending.sort_values("Score", ascending=False, kind="stable").drop_duplicates(
        ["LineID", "InvoiceNo"]
    )
    suggested = _joined(
        best_first["LineID"],
        (
            f"{n} (customer {c}, score {s:.0f})"
            for n, c, s in _columns(best_first, "InvoiceNo", "CustomerID", "Score")
        ),
    )
    owed = items[items["OpenAmount"].fillna(0) > 0]
    amounts = owed["OpenAmount"].astype("int64")
    equal = _joined(
        amounts.tolist(),
        (f"{n} (customer {c}, same amount)" for n, c in _columns(owed, "InvoiceNo", "CustomerID")),
    )

    def best(line: str, left: object) -> str:
        if line in suggested:
            return suggested[line]
        return "" if pd.isna(left) else equal.get(int(left), "")  # type: ignore[call-overload]

    return pd.Series(
        [best(line, left) for line, left in zip(lines["LineID"], lines["left"], strict=True)],
        index=lines.index,
        dtype=object,
    )


def line_notes(
    lines: pd.DataFrame,
    matches: pd.DataFrame,
    items: pd.DataFrame,
    customers: pd.DataFrame,
    as_of: date,
    settings: Settings,
) -> pd.DataFrame:
    """For every bank credit: LineID, Status, Reason (why it is not fully matched, "" when it is),
    Candidates and the Note to keep (the clerk's part, then arbook's reason and candidates).
    A line is said to look like something other than a customer payment only when the matcher
    takes it for that (receipt_verdicts: its own rule, exceptions included)."""
    credit = (lines["Amount"].fillna(0) > 0) & (lines["LineID"] != "") & (lines["Status"] != "Ignored")
    lines = lines[credit]
    duplicate = duplicate_of(lines)
    not_receipt = receipt_verdicts(lines, customers, items, match_settings(settings))
    candidates = line_candidates(lines, matches, items)
    currency = dict(zip(lines.index, row_currencies(lines, settings.base_currency), strict=True))
    reasons, named = [], []  # named: the reason names the candidates (else they are no answer)
    for pos, r in zip(lines.index, lines.itertuples(), strict=True):
        named.append(r.Status in _OPEN_STATUSES and not (duplicate[pos] or not_receipt[pos]))
        if r.Status not in _OPEN_STATUSES:
            reasons.append("")
        elif duplicate[pos]:
            reasons.append(
                f"a second copy of line {duplicate[pos]} (same account, date, amount and reference, "
                "from another file): not matched"
            )
        elif not_receipt[pos]:
            reasons.append(f"looks like {not_receipt[pos]}, not a customer payment: left unmatched")
        elif r.Date > pd.Timestamp(as_of):
            named[-1] = False
            reasons.append(f"dated after {as_of.isoformat()}, the date this run matched up to")
        elif r.Status == "Suggested":
            reasons.append(
                f"not sure enough to post; suggested in Matches: {candidates[pos]} "
                "(Approve Y or N there, then arbook post)"
            )
        else:
            partly = (
                f"{format_money(int(r.left), currency[pos])} of it is not applied yet; "
                if r.Status == "Partial"
                else ""
            )
            found = (
                f"open invoices of that amount: {candidates[pos]}"
                if candidates[pos]
                else "no open invoice fits its reference, payer and amount well enough to suggest"
            )
            reasons.append(partly + found)
    reason = pd.Series(reasons, index=lines.index, dtype=object)
    own = lines["Note"].fillna("").astype(str).map(clerk_note)
    note = [
        f"{mine} {NOTE_MARK}{why}".lstrip() if why else mine for mine, why in zip(own, reason, strict=True)
    ]
    return pd.DataFrame(
        {
            "LineID": lines["LineID"],
            "Status": lines["Status"],
            "Reason": reason,
            "Candidates": candidates.where(named, ""),
            "Note": note,
        },
        index=lines.index,
    )


def approvals(matches: pd.DataFrame) -> pd.Series:
    """Matches.Approve as the matcher takes it (True, False, <NA> undecided): the cells a Book
    hands over (Y, N or blank; `common.values.parse_bool` reads them)."""
    marks = matches["Approve"].fillna("").astype(str).str.strip()
    return pd.Series([parse_bool(m) if m else pd.NA for m in marks], index=matches.index, dtype="boolean")


def approve_cells(approve: pd.Series) -> pd.Series:
    """The matcher's Approve back as the contract's cells: Y, N, or blank where nothing was decided."""
    return pd.Series(
        ["" if pd.isna(flag) else yes_no(bool(flag)) for flag in approve], index=approve.index, dtype=object
    )


def line_currencies(lines: pd.DataFrame, base: str) -> pd.Series:
    """LineID -> the line's currency (`row_currencies`), the first line of a LineID."""
    codes = pd.Series(row_currencies(lines, base).to_numpy(), index=lines["LineID"].to_numpy())
    return codes[~codes.index.duplicated()]


def with_currencies(
    matches: pd.DataFrame, allocations: pd.DataFrame, lines: pd.DataFrame, ledger: Ledger
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Matches with their line's Currency, in the contract's column order; Allocations with their
    item's Currency where the matcher left it empty (money left unapplied: the line's)."""
    of_line = line_currencies(lines, ledger.base)
    found = matches.assign(
        Currency=row_currencies(matches, ledger.base, matches["LineID"].map(of_line), column=None)
    )
    found = found.reindex(columns=[c for c in table("Matches").column_names if c in found or c == "Currency"])
    if allocations.empty:
        return found, allocations
    items = ledger.balances_on(LATEST)
    of_item = pd.Series(items["Currency"].to_numpy(), index=items["InvoiceNo"].to_numpy())
    of_item = of_item[~of_item.index.duplicated()]
    own = row_currencies(
        allocations, ledger.base, allocations["InvoiceNo"].map(of_item), allocations["LineID"].map(of_line)
    )
    return found, allocations.assign(Currency=own)


def line_money(allocations: pd.DataFrame, lines: pd.DataFrame, base: str) -> str:
    """The bank lines' money the allocations took, per currency ("1234.56 EUR; 99.00 USD"; "0.00 EUR")."""
    return totals_text(line_totals(allocations, lines, base), base)


def line_totals(allocations: pd.DataFrame, lines: pd.DataFrame, base: str) -> dict[str, int]:
    """The bank lines' money the allocations took: minor units per currency of the lines."""
    if allocations.empty:
        return {}
    taken = allocations[allocations["Kind"].isin(LINE_MONEY)]
    codes = row_currencies(
        taken, base, taken["LineID"].map(line_currencies(lines, base)), column="LineCurrency"
    )
    money = (
        taken["LineAmount"].astype("Int64").fillna(taken["Amount"].astype("Int64"))
        if "LineAmount" in taken
        else taken["Amount"]
    )
    return by_currency(money, codes)
