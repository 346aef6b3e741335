"""What last run's Matches tell this run, so that re-running is safe.

Proposals marked Approve = Y and not yet posted are kept as they are, and the money they
would allocate stays reserved (on their invoices and their lines); proposals marked
Approve = N are kept as rejected and never proposed again for that line.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from matching.matcher.ledger import MATCH_COLUMNS, approvals, as_cents, as_text

__all__ = ["Previous", "previous_run"]


@dataclass(frozen=True)
class Previous:
    """Last run's Matches rows, split by what the clerk said."""

    kept: pd.DataFrame  # approved, not yet posted: kept as they are
    rejected: pd.DataFrame  # marked N (or rejected before): kept, Status rejected
    rejected_keys: set[tuple[str, frozenset[str]]]  # (LineID, its invoice numbers + CustomerIDs)

    def held_back(self) -> pd.Series:
        """Cents per InvoiceNo that the kept proposals will allocate (their rows naming an invoice;
        money left unapplied names none)."""
        rows = self.kept[self.kept["InvoiceNo"] != ""]
        return as_cents(rows["Amount"]).groupby(rows["InvoiceNo"]).sum()


def previous_run(matches: pd.DataFrame | None) -> Previous:
    """Split last run's Matches into approved-but-unposted rows (kept) and rejected rows."""
    if matches is None or matches.empty:
        empty = pd.DataFrame(columns=MATCH_COLUMNS)
        return Previous(empty, empty, set())
    prev = matches.reindex(columns=MATCH_COLUMNS).copy()
    for col in ("MatchID", "LineID", "InvoiceNo", "CustomerID", "Decision", "Reason", "Status", "Kind"):
        prev[col] = as_text(prev[col])
    prev["Kind"] = prev["Kind"].replace("", "payment")
    prev["Approve"] = approvals(prev["Approve"])
    pending = prev["Status"].isin(["pending", ""])
    by_match = prev.groupby("MatchID")["Approve"]
    any_no = prev["MatchID"].map(by_match.apply(lambda s: s.eq(False).any()))
    any_yes = prev["MatchID"].map(by_match.apply(lambda s: s.eq(True).any()))
    rejected = prev[any_no | (prev["Status"] == "rejected")].assign(Status="rejected")
    kept = prev[pending & any_yes & ~any_no]
    keys = {
        (line, frozenset(g.loc[g["InvoiceNo"] != "", "InvoiceNo"]) | frozenset(g["CustomerID"]))
        for (line, _), g in rejected.groupby(["LineID", "MatchID"])
    }
    return Previous(kept, rejected, keys)
