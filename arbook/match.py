"""`arbook match` and `arbook post`: bank credits to invoices, through the Book.

`match` reads BankLines and last run's Matches, takes what is open from the run's ledger
snapshot, runs the pure matcher (matching.matcher), and stages for one commit: the new Matches
table (the clerk's Approve entries kept), the auto allocations appended to Allocations, and
the changed BankLines statuses and notes. `post` turns the proposals marked Approve = Y into
Allocations and teaches Customers.Aliases the payer names it confirmed.

Why a credit is still not (fully) matched goes where the clerk looks, BankLines.Note, after
the words "arbook: " ("arbook: looks like a refund, not a customer payment: left unmatched").
Text before those words is the clerk's own and is kept as it is; arbook rewrites only its part,
and removes it once the line is matched. The best candidates for a line (its suggestions in
Matches, else open invoices of the very amount left on it) are named there and in the
month-end report's exceptions workbook, by the same rule (`line_notes`).
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from arbook.operation import NO_PROGRESS, Progress, Summary
from common.values import format_cents
from matching.matcher import LINE_MONEY, MatchSettings, OpenAmounts, match_lines, post_approved
from matching.matcher.screening import duplicate_of, non_receipt
from receivables import LATEST, Ledger
from workbook.book import Book
from workbook.contract import Settings

__all__ = [
    "NOTE_MARK",
    "clerk_note",
    "line_candidates",
    "line_notes",
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
    notes = _stage_notes(book, lines, result.statuses, result.matches, result.allocations, ledger)
    figures: dict[str, object] = dict(result.figures)
    figures["auto-posted amount"] = format_cents(result.figures["auto-posted amount"])
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
    _stage_notes(book, lines, result.statuses, result.matches, result.allocations, ledger)
    figures: dict[str, object] = dict(result.figures)
    figures["amount posted"] = format_cents(result.figures["amount posted"])
    summary = Summary(
        "post", {"as of": ledger.as_of.isoformat(), **figures}, notes=list(result.notes), ok=not result.notes
    )
    progress("done", 2, 2)
    return summary


def _stage_notes(
    book: Book,
    lines: pd.DataFrame,
    statuses: pd.DataFrame,
    matches: pd.DataFrame,
    allocations: pd.DataFrame,
    ledger: Ledger,
) -> pd.DataFrame:
    """Stage the BankLines.Note of every credit whose note changes, as the lines stand after this
    run (its statuses and allocations); return `line_notes` of every credit."""
    status = statuses.set_index("LineID")["Status"]
    after = lines.assign(Status=lines["LineID"].map(status).astype(object).fillna(lines["Status"]))
    opens = open_amounts(after, ledger)
    spent = allocations[allocations["Kind"].isin(LINE_MONEY)].groupby("LineID")["Amount"].sum()
    left = opens.line_left - after["LineID"].map(spent).fillna(0).astype("Int64")
    paid = allocations.groupby("InvoiceNo")["Amount"].sum()
    items = opens.items.assign(
        OpenAmount=opens.items["OpenAmount"] - opens.items["InvoiceNo"].map(paid).fillna(0).astype("Int64")
    )
    notes = line_notes(after.assign(left=left), matches, items, ledger.as_of, book.settings().company_name)
    changed = notes[notes["Note"] != after.loc[notes.index, "Note"]]
    if len(changed):
        book.write_columns("BankLines", "LineID", changed[["LineID", "Note"]])
    return notes


def clerk_note(note: str) -> str:
    """The clerk's own part of a BankLines.Note: everything before arbook's part."""
    at = note.find(NOTE_MARK)
    return note if at < 0 else note[:at].rstrip()


def line_candidates(lines: pd.DataFrame, matches: pd.DataFrame, items: pd.DataFrame) -> pd.Series:
    """Per bank line (indexed like `lines`, which need LineID and `left`, the cents still
    unapplied): its pending suggestions in Matches, best first, else the open invoices whose open
    amount is exactly what is left on the line; at most three, as "INV-1 (customer C1, score 72)"."""
    pending = matches[(matches["Decision"] == "suggested") & (matches["Status"] == "pending")]
    suggested = {
        line: ", ".join(
            f"{r.InvoiceNo} (customer {r.CustomerID}, score {r.Score:.0f})"
            for r in group.sort_values("Score", ascending=False)
            .drop_duplicates("InvoiceNo")
            .head(_CANDIDATES)
            .itertuples()
        )
        for line, group in pending.groupby("LineID")
    }
    owed = items[items["OpenAmount"].fillna(0) > 0]
    by_amount = owed.groupby(owed["OpenAmount"].astype("int64"))
    equal = {
        int(amount): ", ".join(
            f"{r.InvoiceNo} (customer {r.CustomerID}, same amount)"
            for r in group.head(_CANDIDATES).itertuples()
        )
        for amount, group in by_amount
    }

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
    lines: pd.DataFrame, matches: pd.DataFrame, items: pd.DataFrame, as_of: date, company_name: str
) -> pd.DataFrame:
    """For every bank credit: LineID, Status, Reason (why it is not fully matched, "" when it is),
    Candidates and the Note to keep (the clerk's part, then arbook's reason and candidates)."""
    credit = (lines["Amount"].fillna(0) > 0) & (lines["LineID"] != "") & (lines["Status"] != "Ignored")
    lines = lines[credit]
    duplicate = duplicate_of(lines)
    not_receipt = non_receipt(lines, company_name)
    candidates = line_candidates(lines, matches, items)
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
                f"{format_cents(int(r.left))} of it is not applied yet; " if r.Status == "Partial" else ""
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
