"""What the month-end report says of the clerk's own work: receipts, and postings by hand.

`month_receipts`: the receipts report (receivables.receipts) of the month the report closes.
`hand_postings`: one row per posting made by a person rather than the matcher, posted since
the month began and dated up to its end: reversals, money applied by hand, netting (a credit
note or cash on account settling invoices, by hand or a netting proposal approved) and
write-offs by hand, each with when it was posted, who ran it and the command (the first Audit
row of a clerk's command committed at or after it), and why (Allocations.Reason).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from common.currency import row_currencies
from receivables import Ledger, receipts

__all__ = ["HAND_COLUMNS", "hand_postings", "month_receipts"]

HAND_COLUMNS = [
    "When",
    "Who",
    "What",
    "Source",
    "Invoices",
    "Customer",
    "Amount",
    "Currency",
    "Why",
    "Command",
]
_CLERK_COMMANDS = ("post", "apply", "reverse", "write-off")


def month_receipts(ledger: Ledger, start: dt.date) -> pd.DataFrame:
    """RECEIPT_COLUMNS rows of the money received from `start` to the ledger's date."""
    return receipts(
        ledger.invoices, ledger.allocations, ledger.customers, start=start, end=ledger.as_of, base=ledger.base
    )


def hand_postings(ledger: Ledger, audit: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    """HAND_COLUMNS rows, in the order they were posted (see the module doc). Amount is what the
    posting put on invoices (negative for a reversal), in minor units of Currency."""
    log = ledger.allocations
    text = {c: log[c].fillna("").astype(str) for c in ("Method", "Kind", "LineID", "InvoiceNo", "Posting")}
    credit_notes = set(ledger.invoices.loc[ledger.invoices["Amount"].fillna(0) < 0, "InvoiceNo"].astype(str))
    settled = set(ledger.invoices.loc[ledger.invoices["Amount"].fillna(0) > 0, "InvoiceNo"].astype(str))
    from_credit = text["LineID"].isin(credit_notes)
    cash_taken = (text["Kind"] == "unapplied") & (log["Amount"].fillna(0) < 0)
    netting = (from_credit | cash_taken).groupby(text["Posting"]).transform("any")
    by_hand = text["Method"].isin(["manual", "reversal"]) | ((text["Method"] == "approved") & netting)
    posted = pd.to_datetime(log["PostedAt"])
    chosen = (
        by_hand
        & (posted >= pd.Timestamp(start))
        & (pd.to_datetime(log["PaymentDate"]) <= pd.Timestamp(ledger.as_of))
    )
    rows = log[chosen].assign(
        _posting=text["Posting"][chosen].where(text["Posting"][chosen] != "", log.index[chosen].astype(str))
    )
    own = rows["InvoiceNo"].map(
        ledger.invoices.drop_duplicates("InvoiceNo").set_index("InvoiceNo")["Currency"]
    )
    rows = rows.assign(_currency=row_currencies(rows, ledger.base, own))
    commands = _clerk_commands(audit)
    out = []
    since, before = 0, None  # the Audit row of the last posting found, and the last posting's time
    for _, group in rows.groupby("_posting", sort=False):  # in the log's order, the commits' order
        first = group.iloc[0]
        on_invoices = group[group["InvoiceNo"].astype(str).isin(settled)]
        at = pd.Timestamp(first["PostedAt"])
        names = [str(first["LineID"]), *on_invoices["InvoiceNo"].astype(str)]
        # a posting of another time stamp was committed by a later command than the last one
        found = _audit_of(commands, at, names, since + (before is not None and at != before))
        before = at
        who, command = "", ""
        if found < len(commands):
            since, who, command = (
                found,
                str(commands["User"].iloc[found]),
                str(commands["Command"].iloc[found]),
            )
        out.append(
            {
                "When": at,
                "Who": who,
                "What": _what(group, netting.loc[group.index].any()),
                "Source": str(first["LineID"]),
                "Invoices": ", ".join(dict.fromkeys(on_invoices["InvoiceNo"].astype(str))),
                "Customer": ", ".join(dict.fromkeys(group["CustomerID"].astype(str))),
                "Amount": int(on_invoices["Amount"].fillna(0).sum()),
                "Currency": str(on_invoices["_currency"].iloc[0] if len(on_invoices) else first["_currency"]),
                "Why": str(first["Reason"] or ""),
                "Command": command,
            }
        )
    return pd.DataFrame(out, columns=HAND_COLUMNS).sort_values("When", kind="stable").reset_index(drop=True)


def _what(group: pd.DataFrame, netting: bool) -> str:
    method = set(group["Method"].astype(str))
    if "reversal" in method:
        return "reversal"
    if set(group["Kind"].astype(str)) == {"writeoff"}:
        return "write-off by hand"
    if netting:
        return "netting approved" if "approved" in method else "netting by hand"
    return "applied by hand"


def _clerk_commands(audit: pd.DataFrame) -> pd.DataFrame:
    """Audit rows of the commands that post by hand, in order of time."""
    if audit.empty:
        return pd.DataFrame(
            {"At": pd.Series(dtype="datetime64[ns]"), "User": [], "Command": [], "Summary": []}
        )
    command = audit["Command"].fillna("").astype(str)
    mine = audit[command.str.split().str[0].isin(_CLERK_COMMANDS)]
    return mine.assign(At=pd.to_datetime(mine["At"])).sort_values("At", kind="stable").reset_index(drop=True)


def _audit_of(commands: pd.DataFrame, posted_at: pd.Timestamp, names: list[str], since: int) -> int:
    """The position in `commands` of the clerk's command that committed a posting made at
        `posted_at`: among those from `since` on (commits come in the log's order) committed at or
        after it, the first whose Summary names `names[0]`, the posting's source, else the first naming
    one of its invoices, the rest of `names` (two
        commands run within one second share a time stamp), else simply the first; len(commands)
        when there is none."""
    later = commands.iloc[since:]
    later = later[later["At"] >= posted_at]
    if later.empty:
        return len(commands)
    summary = later["Summary"].fillna("").astype(str).tolist()
    for name in filter(None, names):  # the source first, then the invoices
        naming = [at for at, text in enumerate(summary) if name in text]
        if naming:
            return int(later.index[naming[0]])
    return int(later.index[0])
