"""The matcher as one pure function: tables in, Matches rows, Allocations rows and line statuses out.

The stages, in order, each in its own module:

    eligibility              screening.py (credits with money left; a second copy of a transfer)
    normalise + candidates   references.py, payers.py, memo.py (indexes built once per run, in
                             lookups.py with the open items, their discount terms (terms.py)
                             and the customers' groups)
    screening                screening.py + vocabulary.py (money that is not a customer receipt)
    proposals                proposals.py + amounts.py per customer, crossing.py for a group's
                             payment and another currency; clues.py what they start from
    score                    score.py (calibrated 0-100, reasons in words)
    assignment + decisions   assignment.py (lines in order of their best score, each invoice's
                             open amount used once) and policy.py (whether the evidence agrees
                             enough to post itself; otherwise suggested)
    allocations              booking.py (rows for Matches and Allocations); statuses for
                             BankLines here

Re-running is safe (rerun.py): lines already fully allocated are not matched again; proposals
marked Approve = Y are kept as they are (their money stays reserved); proposals marked
Approve = N are kept as rejected and never proposed again for that line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from common.currency import Rates, row_currencies
from matching.matcher.assignment import Assignment, assign
from matching.matcher.booking import book
from matching.matcher.books import OpenAmounts, bank_lines, open_items
from matching.matcher.ledger import LINE_MONEY, MATCH_COLUMNS, line_statuses
from matching.matcher.lookups import Evidence, Groups, Lookups, OpenItems, Tolerances
from matching.matcher.memo import read_memos
from matching.matcher.payers import customer_names, group_names, match_payers
from matching.matcher.references import build_reference_index, find_references
from matching.matcher.rerun import Previous, previous_run
from matching.matcher.screening import Screened, eligible, non_receipt, screening_notes
from matching.matcher.settings import MatchSettings
from matching.matcher.terms import Tier, item_terms
from matching.matcher.vocabulary import Vocabulary, vocabulary

__all__ = ["MatchResult", "match_lines", "receipt_verdicts"]

Progress = Callable[[str, int, int], None]


@dataclass
class MatchResult:
    """What a run produces: the whole new Matches table, new Allocations rows, changed line statuses."""

    matches: pd.DataFrame  # MATCH_COLUMNS
    allocations: pd.DataFrame  # ALLOCATION_COLUMNS, the rows to append
    statuses: pd.DataFrame  # LineID, Status: only lines whose status changed
    notes: list[str] = field(default_factory=list)
    figures: dict[str, int] = field(default_factory=dict)  # counts, and cents


def match_lines(
    lines: pd.DataFrame,
    customers: pd.DataFrame,
    opens: OpenAmounts,
    previous_matches: pd.DataFrame | None,
    settings: MatchSettings,
    *,
    as_of: date | None = None,
    posted_at: datetime | None = None,
    post: bool = True,
    progress: Progress | None = None,
    reversed_pairs: set[tuple[str, frozenset[str]]] | frozenset[tuple[str, frozenset[str]]] = frozenset(),
    rates: Rates | None = None,
) -> MatchResult:
    """Propose how each unmatched bank credit pays open invoices; post the confident ones.

    Frames are typed as `Book.read` returns them (money in integer cents); `opens` says what
    is still open on the invoices and the lines. Returns the whole new Matches table, the
    Allocations rows to append (auto proposals, when `post`), and the BankLines statuses that
    changed. `reversed_pairs` (reversal.reversed_pairings) are pairings the clerk reversed:
    like rejected suggestions, they are not proposed again. `rates` (the Rates table) convert a
    payment in another currency than its invoice; without them such a payment is only suggested.
    """
    step = progress or (lambda _s, _d, _t: None)
    post_at = pd.Timestamp(posted_at or datetime.now().replace(microsecond=0)) if post else None
    previous = previous_run(previous_matches)
    customer_rows = customers.index
    customers = customers.reset_index(drop=True)
    item_frame = open_items(opens, customers, previous.held_back(), settings.base_currency)
    terms, terms_notes = item_terms(item_frame, customers, customer_rows)
    bl = bank_lines(lines, opens)
    bl["Currency"] = row_currencies(bl, settings.base_currency)
    words = vocabulary(settings.non_receipt_words)

    step("screening", 0, 5)
    duplicate, ok = eligible(bl, set(previous.kept["LineID"]), as_of)
    lookups = _lookups(item_frame, terms, customers, bl[ok], words, settings, rates, step)
    not_receipt = _not_receipt(bl[ok], words, settings, lookups.evidence).reindex(bl.index, fill_value="")
    screened = Screened(duplicate, not_receipt, bl[ok & (not_receipt == "")])
    run = Assignment(bl, lookups, customers, previous.rejected_keys | set(reversed_pairs))

    step("proposals", 3, 5)
    by_line = run.ranked(screened.todo.index.tolist())
    step("assignment", 4, 5)
    decisions = assign(run, by_line, settings)
    step("writing", 5, 5)
    new, allocs = book(run, decisions, post_at)
    result = _result(bl, new, allocs, previous, screened)
    result.notes += terms_notes
    return result


def receipt_verdicts(
    lines: pd.DataFrame, customers: pd.DataFrame, items: pd.DataFrame, settings: MatchSettings
) -> pd.Series:
    """Per bank line (indexed like `lines`, which need Payer and Memo): what the matcher takes it
    for instead of a customer receipt ("" when it may be one), by the rule its screening stage
    applies, exceptions included (screening.py: a customer's own name as payer, one of our
    invoices named). `items` are the invoices as OpenAmounts.items has them. For the words a
    clerk reads about lines the matcher left alone (arbook.match.line_notes)."""
    words = vocabulary(settings.non_receipt_words)
    suspect = lines[non_receipt(lines, words, settings.company_name) != ""]  # the exceptions only clear
    if suspect.empty:
        return pd.Series("", index=lines.index, dtype=object)
    customers = customers.reset_index(drop=True)
    held_back = pd.Series([], dtype=np.int64)
    index = build_reference_index(
        open_items(
            OpenAmounts(items, pd.Series([], dtype="Int64")), customers, held_back, settings.base_currency
        ),
        customers,
    )
    evidence = Evidence.build(
        find_references(suspect["Memo"], index),
        match_payers(suspect["Payer"], customer_names(customers)),
        pd.DataFrame(columns=["line", "group", "similarity", "via"]),
        {},
    )
    return _not_receipt(lines, words, settings, evidence)


def _not_receipt(lines: pd.DataFrame, words: Vocabulary, cfg: MatchSettings, evidence: Evidence) -> pd.Series:
    """The screening stage: money that is no customer receipt, with the two exceptions the evidence gives."""
    return non_receipt(
        lines,
        words,
        cfg.company_name,
        known_payer=evidence.known_payers(),
        invoice_named=evidence.invoice_named(),
    )


def _lookups(
    item_frame: pd.DataFrame,
    terms: list[tuple[Tier, ...]],
    customers: pd.DataFrame,
    todo: pd.DataFrame,
    words: Vocabulary,
    cfg: MatchSettings,
    rates: Rates | None,
    step: Progress,
) -> Lookups:
    """Normalise + candidates: the reference, payer and memo indexes, built once for the lines to match."""
    step("references", 1, 5)
    index = build_reference_index(item_frame, customers)
    memo_refs = find_references(todo["Memo"], index)
    memos = read_memos(todo["Memo"], todo["Date"], todo["Currency"], words)
    step("payers", 2, 5)
    groups = Groups.build(customers)
    payer_matches = match_payers(todo["Payer"], customer_names(customers))
    group_matches = match_payers(todo["Payer"], group_names(groups.names))
    return Lookups(
        Evidence.build(memo_refs, payer_matches, group_matches, memos),
        OpenItems.build(item_frame, terms, index.typo_forms),
        groups,
        Tolerances(
            fee=cfg.fee_tolerance, amount=cfg.amount_tolerance, fx_percent=cfg.fx_rate_tolerance_percent
        ),
        rates,
    )


def _result(
    bl: pd.DataFrame, new: pd.DataFrame, allocs: pd.DataFrame, previous: Previous, screened: Screened
) -> MatchResult:
    """The whole Matches table and the lines' statuses once the new rows are booked."""
    newly = _line_money(allocs).groupby(allocs["LineID"]).sum()
    allocated = bl["allocated"] + bl["LineID"].map(newly).fillna(0).astype(np.int64)
    done_lines = set(bl.loc[allocated >= bl["Amount"], "LineID"])
    still_rejected = previous.rejected[~previous.rejected["LineID"].isin(done_lines)]
    matches = pd.concat([previous.kept, still_rejected, new], ignore_index=True).reindex(
        columns=MATCH_COLUMNS
    )
    matches["Amount"] = matches["Amount"].astype("Int64")
    matches["Score"] = matches["Score"].astype(float)
    statuses = line_statuses(bl, allocated, set(matches.loc[matches["Status"] == "pending", "LineID"]))
    return MatchResult(
        matches, allocs, statuses, screening_notes(bl, screened), _figures(bl, new, allocs, screened)
    )


def _line_money(allocs: pd.DataFrame) -> pd.Series:
    """The bank line's money each row took, in the line's currency (LineAmount where the row is in
    its invoice's currency, exchange.py); 0 for rows that take none (fee, discount, fx)."""
    money = allocs["LineAmount"].astype("Int64").fillna(allocs["Amount"].astype("Int64"))
    return money.where(allocs["Kind"].isin(LINE_MONEY), 0).astype(np.int64)


def _figures(bl: pd.DataFrame, new: pd.DataFrame, allocs: pd.DataFrame, screened: Screened) -> dict[str, int]:
    decided = new.drop_duplicates("MatchID")
    return {
        "lines considered": int(((bl["Amount"] > 0) & (bl["remaining"] > 0)).sum()),
        "auto-posted lines": int(allocs["LineID"].nunique()),
        "auto-posted amount": int(_line_money(allocs).sum()),
        "lines with suggestions": int(decided.loc[decided["Decision"] == "suggested", "LineID"].nunique()),
        "not customer payments": int((screened.not_receipt != "").sum()),
        "duplicates": int((screened.duplicate != "").sum()),
    }
