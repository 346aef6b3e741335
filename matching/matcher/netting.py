"""Netting proposed by `match`: a customer's credit offered against one of its open invoices.

A credit note with credit left, or cash of a bank line left unapplied on a customer, is
proposed against an open invoice of the same customer (or group) and currency only where the
amounts leave no doubt:

    quoted   the credit note's Reference names exactly one such invoice (its whole number,
             case and spaces ignored): the credit settles it, up to what is open of it
    equal    the credit equals what is open of exactly one such invoice (of the customer
             itself; of its group when the customer has none of that amount)

An invoice a pending suggestion of the matcher names, or another proposal already takes, is
left alone; so is a pairing the clerk rejected (Approve = N) or reversed.

A proposal is one Matches row (MatchID "N-...", LineID the credit note's number or the bank
line's LineID, Decision suggested, Score 100: the amounts are certain, the choice is the
clerk's). Approved, it is posted as the instruction `netting_instruction` writes, through
the same checks as netting by hand (manual.py): "C001: INV-7 150.00".
"""

from __future__ import annotations

import hashlib
import re

import pandas as pd

from common.currency import currency_digits, format_money, row_currencies
from common.values import format_cents
from matching.matcher.ledger import MATCH_COLUMNS, approvals, as_cents, as_text
from matching.matcher.manual import Application, customer_groups
from matching.matcher.rerun import previous_run

__all__ = ["approved_netting", "is_netting", "netting_instruction", "netting_proposals", "with_netting"]

_ID = "N-"
_TOKEN = re.compile(r"[^\W_]+(?:[-/._][^\W_]+)*")


def is_netting(matches: pd.DataFrame) -> pd.Series:
    """Which Matches rows are netting proposals (the rest are the matcher's)."""
    return as_text(matches["MatchID"]).str.startswith(_ID)


def netting_instruction(row: pd.Series) -> str:
    """The text a proposal posts as, the clerk's own way of netting by hand: "C001: INV-7 150.00"."""
    digits = currency_digits(str(row["Currency"]))
    return f"{row['CustomerID']}: {row['InvoiceNo']} {format_cents(int(row['Amount']), digits)}"


def with_netting(
    matches: pd.DataFrame,
    previous: pd.DataFrame | None,
    items: pd.DataFrame,
    allocations: pd.DataFrame,
    customers: pd.DataFrame,
    lines: pd.DataFrame,
    *,
    reversed_pairs: set[tuple[str, frozenset[str]]],
    base_currency: str,
) -> pd.DataFrame:
    """The matcher's new Matches table with the netting proposals of this run added, and the
    netting proposals the clerk rejected kept (the matcher drops rejections of a line it has
    fully allocated, as a line with cash left unapplied is), so they are not proposed again."""
    before = previous_run(previous)
    gone = before.rejected[is_netting(before.rejected) & ~before.rejected["MatchID"].isin(matches["MatchID"])]
    waiting = matches[as_text(matches["Status"]).isin(["pending", ""])]
    proposals = netting_proposals(
        items,
        allocations,
        customers,
        lines,
        busy=set(as_text(waiting["LineID"])) | set(as_text(waiting["InvoiceNo"])),
        blocked=before.rejected_keys | reversed_pairs,
        base_currency=base_currency,
    )
    added = [frame for frame in (gone, proposals) if len(frame)]
    if not added:
        return matches
    parts = [matches, *added] if len(matches) else added
    return pd.concat(parts, ignore_index=True).reindex(columns=matches.columns)


def netting_proposals(
    items: pd.DataFrame,
    allocations: pd.DataFrame,
    customers: pd.DataFrame,
    lines: pd.DataFrame,
    *,
    busy: set[str],
    blocked: set[tuple[str, frozenset[str]]],
    base_currency: str,
) -> pd.DataFrame:
    """The netting proposals (MATCH_COLUMNS rows) the books leave no doubt about (module doc).

    `items`: every invoice and credit note with OpenAmount counting every allocation;
    `allocations`: the log (cash left unapplied); `lines`: BankLines (only their lines' cash
    can be applied); `busy`: sources and invoices other proposals already take; `blocked`:
    (source, invoices + customers) pairings the clerk rejected or reversed.
    """
    groups = customer_groups(customers)
    it = items.reset_index(drop=True)
    book = pd.DataFrame(
        {
            "number": as_text(it["InvoiceNo"]),
            "customer": as_text(it["CustomerID"]),
            "currency": row_currencies(it, base_currency),
            "amount": as_cents(it["Amount"]),
            "open": as_cents(it["OpenAmount"]),
            "reference": as_text(it["Reference"]) if "Reference" in it else "",
        }
    )
    book["group"] = book["customer"].map(lambda c: groups.get(c, "\x00" + c))
    owed = book[(book["amount"] > 0) & (book["open"] > 0) & ~book["number"].isin(busy)]
    by_group = dict(tuple(owed.groupby(["group", "currency"], sort=False)))
    refused: dict[str, set[str]] = {}
    for source, pairing in blocked:
        refused.setdefault(source, set()).update(pairing)
    taken: set[str] = set()
    rows: list[dict[str, object]] = []

    def propose(source: str, owner: str, currency: str, credit: int, quoted: str) -> None:
        theirs = by_group.get((groups.get(owner, "\x00" + owner), currency), owed.iloc[:0])
        theirs = theirs[~theirs["number"].isin(taken | refused.get(source, set()))]
        named = theirs[theirs["number"].map(_fold).isin(_tokens(quoted))] if quoted else theirs.iloc[:0]
        if len(named) == 1:
            pick, why = named.iloc[0], f"{source} quotes {named['number'].iloc[0]} in its Reference"
        else:
            equal = theirs[theirs["open"] == credit]
            own = equal[equal["customer"] == owner]
            chosen = own if len(own) else equal
            if len(named) or len(chosen) != 1:
                return
            pick = chosen.iloc[0]
            why = f"{format_money(credit, currency)} equals what is open of {pick['number']}, the only open invoice of that amount"
        cents = min(credit, int(pick["open"]))
        taken.add(str(pick["number"]))
        rows.append(
            {
                "MatchID": _ID
                + hashlib.blake2b(f"{source}|{pick['number']}|{cents}".encode(), digest_size=5).hexdigest(),
                "LineID": source,
                "InvoiceNo": pick["number"],
                "CustomerID": pick["customer"],
                "Amount": cents,
                "Currency": currency,
                "Kind": "payment",
                "Score": 100.0,
                "Decision": "suggested",
                "Reason": f"netting: {why}; Approve Y to settle it with this credit",
                "Approve": None,
                "Status": "pending",
            }
        )

    credits = book[(book["amount"] < 0) & (book["open"] < 0) & ~book["number"].isin(busy)]
    for c in credits.sort_values("number", kind="stable").itertuples():
        propose(c.number, c.customer, c.currency, -int(c.open), c.reference)
    for (line, customer), cents, currency in _cash(allocations, lines, base_currency, busy):
        propose(line, customer, currency, cents, "")
    out = pd.DataFrame(rows, columns=MATCH_COLUMNS)
    out["Amount"] = out["Amount"].astype("Int64")
    out["Score"] = out["Score"].astype(float)
    return out


def approved_netting(matches: pd.DataFrame) -> tuple[list[Application], pd.Series]:
    """The netting proposals to post now (approved, none of their rows marked N, still pending),
    as instructions at their Approve cell; and, per netting row of `matches`, whether the clerk
    rejected it (N). Approve is a boolean (`approvals`)."""
    mark = approvals(matches["Approve"])
    pending = as_text(matches["Status"]).isin(["pending", ""])
    chosen = matches[pending & mark.eq(True).fillna(False).astype(bool)]
    return (
        [
            Application(str(r["LineID"]), netting_instruction(r), ("Matches", int(i), "Approve"), "approved")  # type: ignore[call-overload]
            for i, r in chosen.iterrows()
        ],
        pending & mark.eq(False).fillna(False).astype(bool),
    )


def _cash(
    allocations: pd.DataFrame, lines: pd.DataFrame, base: str, busy: set[str]
) -> list[tuple[tuple[str, str], int, str]]:
    """((LineID, CustomerID), cents, currency) of cash left unapplied, lines of BankLines only."""
    log = allocations[as_text(allocations["Kind"]) == "unapplied"]
    held = as_cents(log["Amount"]).groupby([as_text(log["LineID"]), as_text(log["CustomerID"])]).sum()
    currency = dict(zip(as_text(lines["LineID"]), row_currencies(lines, base), strict=True))
    return [
        ((line, customer), int(cents), currency[line])
        for (line, customer), cents in held.sort_index().items()
        if cents > 0 and line in currency and line not in busy
    ]


def _fold(text: str) -> str:
    return "".join(text.split()).casefold()


def _tokens(text: str) -> set[str]:
    """The words of a Reference as invoice numbers are folded ("Gutschrift zu inv-7" -> inv-7 ...)."""
    return {_fold(t) for t in _TOKEN.findall(text)}
