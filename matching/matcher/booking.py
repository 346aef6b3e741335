"""Allocations: the decisions as Matches rows (with their reasons) and Allocations rows.

A proposal's rows share one MatchID; an auto proposal, when the run posts, also becomes
Allocations rows (Method auto) dated by its bank line: a payment in another currency than its
invoices in their currency, with its exchange difference (exchange.py), as an approved one is. Each row on an invoice carries that
invoice's CustomerID (a group's payment spans several); money left unapplied carries the
proposal's customer.
"""

from __future__ import annotations

import pandas as pd

from matching.matcher.assignment import Assignment, Decision
from matching.matcher.exchange import crossing_allocations
from matching.matcher.ledger import MATCH_COLUMNS, allocation_frame, allocation_id, match_id
from matching.matcher.score import Facts, reason

__all__ = ["book"]


def book(
    run: Assignment, decisions: list[Decision], post_at: pd.Timestamp | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The new Matches rows and the Allocations rows to append (autos, when `post_at` is given)."""
    numbers, owner = run.lookups.items.numbers, run.lookups.items.customer
    line_ids, line_dates = run.lines["LineID"].to_numpy(), run.lines["Date"].to_numpy()
    match_rows, alloc_rows, crossed = [], [], []
    for d in decisions:
        p = d.ranked.proposal
        line_id = line_ids[p.line]
        rows = [(str(numbers[i]) if i >= 0 else "", cents, kind) for i, cents, kind in p.rows]
        whose = [
            str(run.customer_ids[owner[i] if i >= 0 and owner[i] >= 0 else p.customer]) for i, _, _ in p.rows
        ]
        mid = match_id(line_id, rows, whose)
        posted = d.decision == "auto" and post_at is not None
        said = reason(p, _facts(run, d)) + (f"; left to a person: {d.held}" if d.held else "")
        status = "posted" if posted else "pending"
        for (inv, cents, kind), cust in zip(rows, whose, strict=True):
            match_rows.append(
                (mid, line_id, inv, cust, cents, "", kind, d.ranked.score, d.decision, said, None, status)
            )
            if posted and not p.foreign:
                alloc_rows.append(
                    (
                        allocation_id(mid, inv, kind),
                        line_id,
                        inv,
                        cust,
                        cents,
                        line_dates[p.line],
                        kind,
                        "auto",
                        post_at,
                    )
                )
        if posted and p.foreign:
            crossed += [
                crossing_allocations(
                    mid,
                    line_id,
                    pd.Timestamp(line_dates[p.line]),
                    str(numbers[i]),
                    str(run.customer_ids[owner[i]]),
                    cross,
                    method="auto",
                    posted_at=post_at,
                )
                for (i, _, _), cross in zip(p.rows, p.crossings, strict=True)
            ]
    allocations = allocation_frame(alloc_rows)
    if crossed:
        allocations = pd.concat([allocations, *crossed], ignore_index=True)
    return pd.DataFrame(match_rows, columns=MATCH_COLUMNS), allocations


def _facts(run: Assignment, d: Decision) -> Facts:
    """The line and items a decision's reason speaks of, with open amounts as the run found them."""
    p, numbers = d.ranked.proposal, run.lookups.items.numbers
    return Facts(
        payer=run.payers[p.line],
        customer_name=run.customer_names[p.customer],
        amount=int(run.remaining[p.line]),
        invoiced=sum(int(run.opened[i]) for i in p.item_cents()),
        diff=sum(c for _, c, k in p.rows if k != "payment"),
        nos=", ".join(dict.fromkeys(str(numbers[i]) for i, _, k in p.rows if i >= 0 and k == "payment")),
        currency=str(run.lines["Currency"].iat[p.line]),
    )
