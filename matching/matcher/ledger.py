"""The matcher's own records: Matches and Allocations row shapes, their ids, line statuses.

Ids are hashes of what they identify, so re-running a match gives the same MatchID for the
same proposal and posting it twice would give the same AllocationID. What is still open is
not decided here: the caller hands it over (books.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "ALLOCATION_COLUMNS",
    "LINE_MONEY",
    "MATCH_COLUMNS",
    "allocation_frame",
    "allocation_id",
    "allocation_records",
    "approvals",
    "as_cents",
    "as_text",
    "line_statuses",
    "match_id",
]

MATCH_COLUMNS = [
    "MatchID",
    "LineID",
    "InvoiceNo",
    "CustomerID",
    "Amount",
    "Currency",  # the line's: filled by the caller, who knows the base currency (arbook.match)
    "Kind",
    "Score",
    "Decision",
    "Reason",
    "Approve",
    "Status",
]  # the order of workbook/contract.py
ALLOCATION_COLUMNS = [
    "AllocationID",
    "LineID",
    "InvoiceNo",
    "CustomerID",
    "Amount",
    "PaymentDate",
    "Kind",
    "Method",
    "PostedAt",
    "Posting",
    "Reverses",
    "Reason",
    "Reverse",
    "Currency",  # of Amount, the item's; a row left blank is filled by the caller (arbook.match)
    "LineAmount",  # across currencies only (exchange.py): the line's money the row took
    "LineCurrency",
]
# what the matcher fills in of each row it posts; the rest (the clerk's columns) stays empty
_MATCHER_FILLS = ALLOCATION_COLUMNS[:9]
# A proposal's rows of these kinds are paid from its bank line's money; its fee, discount and
# writeoff rows are deductions that close an invoice without money from the line.
LINE_MONEY = ("payment", "unapplied")


def as_text(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str).str.strip()


def as_cents(series: pd.Series) -> pd.Series:
    return series.astype("Int64").fillna(0).astype(np.int64)


def approvals(series: pd.Series) -> pd.Series:
    """The clerk's Approve entries as the matcher takes them: True (approved), False (rejected)
    or <NA> (not decided yet), a nullable boolean. Booleans only: reading what people type
    (Y/N, ja/nein, ...) is the workbook's, and the caller hands the matcher its verdict."""
    return series.astype("boolean")


def match_id(line_id: str, rows: list[tuple[str, int, str]], whose: Sequence[str]) -> str:
    """Stable across runs: the same line paying the same invoices the same way keeps its id.

    A row on no invoice (money left on an account) is named by its customer (`whose`, one per
    row): the same money kept on two customers is two proposals, two ids, approved apart."""
    named = [(inv or f"@{cust}", cents, kind) for (inv, cents, kind), cust in zip(rows, whose, strict=True)]
    text = line_id + "|" + ";".join(f"{inv}:{kind}:{cents}" for inv, cents, kind in sorted(named))
    return "M-" + hashlib.blake2b(text.encode(), digest_size=5).hexdigest()


def allocation_id(match: str, invoice: str, kind: str) -> str:
    return "A-" + hashlib.blake2b(f"{match}|{invoice}|{kind}".encode(), digest_size=6).hexdigest()


def line_statuses(bl: pd.DataFrame, allocated: pd.Series, pending: set[str]) -> pd.DataFrame:
    credit = (bl["Amount"] > 0) & (bl["Status"] != "Ignored") & (bl["LineID"] != "")
    status = np.select(
        [allocated >= bl["Amount"], allocated > 0, bl["LineID"].isin(pending)],
        ["Matched", "Partial", "Suggested"],
        "Unmatched",
    )
    changed = credit & (status != bl["Status"])
    return pd.DataFrame(
        {"LineID": bl.loc[changed, "LineID"], "Status": status[changed.to_numpy()]}
    ).reset_index(drop=True)


def allocation_frame(rows: Sequence[tuple[object, ...]]) -> pd.DataFrame:
    """Allocations rows of a posting in its line's currency (the first nine columns; the clerk's
    and the currency columns stay empty, Currency filled by the caller) typed as the contract says
    (cents Int64, dates datetime64)."""
    allocs = pd.DataFrame(rows, columns=_MATCHER_FILLS).reindex(columns=ALLOCATION_COLUMNS, fill_value="")
    allocs["Amount"] = allocs["Amount"].astype("Int64")
    allocs["LineAmount"] = pd.array([pd.NA] * len(allocs), dtype="Int64")
    allocs["PaymentDate"] = pd.to_datetime(allocs["PaymentDate"])
    allocs["PostedAt"] = pd.to_datetime(allocs["PostedAt"])
    return allocs


def allocation_records(records: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """Allocations rows from records naming their columns, typed as the contract says; a column
    a record leaves out is empty (the clerk's postings fill more columns than the matcher's)."""
    allocs = pd.DataFrame(list(records), columns=ALLOCATION_COLUMNS)
    money = ("Amount", "LineAmount")
    text = [c for c in ALLOCATION_COLUMNS if c not in (*money, "PaymentDate", "PostedAt")]
    allocs[text] = allocs[text].astype(object).fillna("")
    for column in money:
        allocs[column] = allocs[column].astype("Int64")
    allocs["PaymentDate"] = pd.to_datetime(allocs["PaymentDate"]).astype("datetime64[ns]")
    allocs["PostedAt"] = pd.to_datetime(allocs["PostedAt"]).astype("datetime64[ns]")
    return allocs
