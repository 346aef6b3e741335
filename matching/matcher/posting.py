"""Posting what a person approved: Matches rows with Approve = Y become Allocations.

A proposal (rows sharing a MatchID) is approved when one of its rows says Y and none says N.
Before posting, each is checked against the books as they are now: the line must still have
the money and every invoice the open amount (another run, or a manual allocation, may have
used them since the proposal was made). One proposal per line is posted, the best scored.
Posting teaches the matcher: the payer's name is added to the customer's Aliases, so the
same payer is recognised next month without help. A proposal paying an invoice in another
currency than its line is posted in the invoice's currency with its exchange difference
(exchange.py), at the Rates table's rate of the line's date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from common.currency import Rates, format_money, row_currencies
from common.errors import InputError
from matching.matcher.books import OpenAmounts, bank_lines
from matching.matcher.exchange import crossing, crossing_allocations
from matching.matcher.ledger import (
    LINE_MONEY,
    MATCH_COLUMNS,
    allocation_frame,
    allocation_id,
    approvals,
    as_cents,
    as_text,
    line_statuses,
)
from matching.matcher.names import name_keys

__all__ = ["PostResult", "post_approved"]


@dataclass
class PostResult:
    matches: pd.DataFrame  # the whole Matches table, statuses updated
    allocations: pd.DataFrame  # rows to append
    statuses: pd.DataFrame  # LineID, Status of lines that changed
    aliases: pd.DataFrame  # CustomerID, Aliases of customers that learned a payer name
    notes: list[str] = field(default_factory=list)
    figures: dict[str, int] = field(default_factory=dict)  # counts, and cents


def post_approved(
    lines: pd.DataFrame,
    customers: pd.DataFrame,
    opens: OpenAmounts,
    matches: pd.DataFrame,
    *,
    posted_at: datetime | None = None,
    rates: Rates | None = None,
    base_currency: str,
) -> PostResult:
    """Post the proposals approved (Approve True, `approvals`); mark those refused (False) rejected.

    `opens` says what is open now on the invoices and the lines; each approval is checked
    against it, and against the approvals posted before it in this call. `rates` convert a
    payment in another currency than its invoice (none given: such a proposal is not posted).
    """
    posted_at = posted_at or datetime.now().replace(microsecond=0)
    m = matches.reindex(columns=MATCH_COLUMNS).reset_index(drop=True).copy()
    for col in ("MatchID", "LineID", "InvoiceNo", "CustomerID", "Decision", "Reason", "Status", "Kind"):
        m[col] = as_text(m[col])
    m["Kind"] = m["Kind"].replace("", "payment")
    m["Approve"] = approvals(m["Approve"])
    m["Amount"] = as_cents(m["Amount"])
    m["Score"] = pd.to_numeric(m["Score"], errors="coerce").fillna(0.0)
    said = m.groupby("MatchID")["Approve"].agg(
        lambda s: "N" if s.eq(False).any() else ("Y" if s.eq(True).any() else "")
    )
    verdict = m["MatchID"].map(said)
    pending = m["Status"].isin(["pending", ""])
    m.loc[pending & (verdict == "N"), "Status"] = "rejected"

    bl = bank_lines(lines, opens)
    remaining = dict(zip(bl["LineID"], bl["remaining"], strict=True))
    line_date = dict(zip(bl["LineID"], bl["Date"], strict=True))
    line_payer = dict(zip(bl["LineID"], bl["Payer"], strict=True))
    items = opens.items
    open_now = dict(zip(as_text(items["InvoiceNo"]), as_cents(items["OpenAmount"]), strict=True))
    item_currency = dict(zip(as_text(items["InvoiceNo"]), row_currencies(items, base_currency), strict=True))
    line_currency = dict(zip(bl["LineID"], row_currencies(bl, base_currency), strict=True))
    crossed: list[pd.DataFrame] = []
    refused = 0  # approved proposals that could not be posted (each has its note)

    candidates = m[pending & (verdict == "Y")]
    order = candidates.groupby("MatchID")["Score"].max().sort_values(ascending=False, kind="stable")
    notes: list[str] = []
    alloc_rows, posted_ids, learned = [], [], []
    done_lines: set[str] = set()
    for mid in order.index:
        rows = candidates[candidates["MatchID"] == mid]
        line = rows["LineID"].iloc[0]
        foreign = (rows["InvoiceNo"] != "") & (
            rows["InvoiceNo"].map(item_currency).fillna("") != line_currency.get(line, base_currency)
        )
        problem = _problem(
            rows[~foreign], line, remaining, open_now, done_lines, line_currency.get(line, base_currency)
        )
        if not problem and foreign.any():
            found = _crossing(
                rows[foreign], mid, line, line_date, line_currency, item_currency, open_now, rates
            )
            if isinstance(found, str):
                problem = found
            else:
                money = int(rows.loc[rows["Kind"].isin(LINE_MONEY), "Amount"].sum())
                if money > remaining[line]:
                    cur = line_currency[line]
                    problem = (
                        f"the line has only {format_money(remaining[line], cur)} left to allocate, "
                        f"the proposal needs {format_money(money, cur)}"
                    )
        if problem:
            notes.append(f"Matches {mid} (line {line}) not posted: {problem}")
            refused += 1
            continue
        if foreign.any():
            stamp = pd.Timestamp(posted_at)
            for number, customer, cross in found:  # type: ignore[union-attr]
                crossed.append(
                    crossing_allocations(
                        mid,
                        line,
                        line_date[line],
                        number,
                        customer,
                        cross,
                        method="approved",
                        posted_at=stamp,
                    )
                )
                open_now[number] -= cross.settles
                remaining[line] -= cross.paid
                notes.append(
                    f"Matches {mid} (line {line}) posted across currencies on {number}: {cross.explained()}"
                )
        for r in rows[~foreign].itertuples(index=False):
            alloc_rows.append(
                (
                    allocation_id(mid, r.InvoiceNo, r.Kind),
                    line,
                    r.InvoiceNo,
                    r.CustomerID,
                    int(r.Amount),
                    line_date[line],
                    r.Kind,
                    "approved",
                    pd.Timestamp(posted_at),
                )
            )
            if r.InvoiceNo:
                open_now[r.InvoiceNo] -= int(r.Amount)
            if r.Kind in LINE_MONEY:
                remaining[line] -= int(r.Amount)
        done_lines.add(line)
        posted_ids.append(mid)
        learned.append((line_payer.get(line, ""), rows["CustomerID"].iloc[0]))
    m.loc[m["MatchID"].isin(posted_ids), "Status"] = "posted"

    allocs = allocation_frame(alloc_rows)
    if crossed:
        allocs = pd.concat([allocs, *crossed], ignore_index=True)
    allocated = bl["Amount"] - bl["LineID"].map(remaining).astype(np.int64)
    statuses = line_statuses(bl, allocated, set(m.loc[m["Status"] == "pending", "LineID"]) - done_lines)
    payers = pd.Series([p for p, _ in learned], dtype=object)
    aliases = learned_aliases(payers, pd.Series([c for _, c in learned], dtype=object), customers)
    m["Amount"] = m["Amount"].astype("Int64")
    figures = {
        "proposals posted": len(posted_ids),
        "proposals not posted": refused,
        "amount posted": int(allocs.loc[allocs["Kind"].isin(LINE_MONEY), "Amount"].sum()),
        "exchange differences": int((allocs["Kind"] == "fx").sum()),
        "proposals rejected": int(m.loc[m["Status"] == "rejected", "MatchID"].nunique()),
        "aliases learned": len(aliases),
    }
    return PostResult(m, allocs, statuses, aliases, notes, figures)


def _problem(
    rows: pd.DataFrame,
    line: str,
    remaining: dict[str, int],
    open_now: dict[str, int],
    done: set[str],
    currency: str,
) -> str:
    """Why an approved proposal can no longer be posted as it stands ("" when it can); its rows
    are in the line's `currency` (the foreign ones are `_crossing`'s)."""
    if line in done:
        return "another approved proposal for this line was posted"
    if line not in remaining:
        return "its bank line is no longer in BankLines"
    money = int(rows.loc[rows["Kind"].isin(LINE_MONEY), "Amount"].sum())
    if money > remaining[line]:
        return (
            f"the line has only {format_money(remaining[line], currency)} left to allocate, "
            f"the proposal needs {format_money(money, currency)}"
        )
    use = rows[rows["InvoiceNo"] != ""].groupby("InvoiceNo")["Amount"].sum()
    for number, cents in use.items():
        left = open_now.get(str(number))
        if left is None:
            return f"invoice {number} is not in Invoices"
        if not (0 < cents <= left or left <= cents < 0):
            return (
                f"invoice {number} has {format_money(left, currency)} open, "
                f"the proposal allocates {format_money(cents, currency)}"
            )
    return ""


def _crossing(
    rows: pd.DataFrame,
    mid: str,
    line: str,
    line_date: dict[str, pd.Timestamp],
    line_currency: dict[str, str],
    item_currency: dict[str, str],
    open_now: dict[str, int],
    rates: Rates | None,
) -> list[tuple[str, str, object]] | str:
    """(invoice, customer, Crossing) for each row paying an invoice in another currency than the
    line; or why the proposal cannot post (a row that is no payment, nothing open, no rate)."""
    if rates is None:
        return "it pays an invoice in another currency and no Rates were given"
    out = []
    for r in rows.itertuples(index=False):
        left = open_now.get(r.InvoiceNo)
        if left is None:
            return f"invoice {r.InvoiceNo} is not in Invoices"
        if r.Kind != "payment" or int(r.Amount) <= 0 or left <= 0:
            return f"invoice {r.InvoiceNo} in {item_currency[r.InvoiceNo]} has {left} open; a payment in another currency settles an open invoice"
        try:
            cross = crossing(
                int(r.Amount),
                line_currency[line],
                left,
                item_currency[r.InvoiceNo],
                rates,
                pd.Timestamp(line_date[line]).date(),
            )
        except InputError as exc:
            return "; ".join(p.message for p in exc.problems)
        out.append((str(r.InvoiceNo), str(r.CustomerID), cross))
    return out


def learned_aliases(payers: pd.Series, customer_ids: pd.Series, customers: pd.DataFrame) -> pd.DataFrame:
    """CustomerID, Aliases: each customer's Aliases with the new payer names appended (;-separated).

    A payer already known (its normalised key equals the name or an alias) is not added again.
    """
    cust = customers.reset_index(drop=True)
    ids, aliases = as_text(cust["CustomerID"]), as_text(cust["Aliases"]) if "Aliases" in cust else None
    current = dict(zip(ids, aliases if aliases is not None else [""] * len(ids), strict=True))
    names = dict(zip(ids, as_text(cust["Name"]), strict=True))
    changed: dict[str, str] = {}
    for payer, cid in zip(as_text(payers), as_text(customer_ids), strict=True):
        if not payer or cid not in current:
            continue
        value = changed.get(cid, current[cid])
        known = [names[cid], *[a for a in value.split(";") if a.strip()]]
        if name_keys(pd.Series([payer]))["key"].iloc[0] in set(name_keys(pd.Series(known))["key"]):
            continue
        changed[cid] = f"{value}; {payer}" if value.strip() else payer
    return pd.DataFrame({"CustomerID": list(changed), "Aliases": list(changed.values())})
