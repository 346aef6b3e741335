"""The bookkeeping rules the matcher and the posting share, in one place.

Open amount of an invoice = Amount - its allocations of kinds payment, fee, discount and
writeoff; money left on a bank line = Amount - its allocations of kinds payment and
unapplied (a fee or discount closes an invoice but is not money from the line). Ids are
hashes of what they identify, so re-running a match gives the same MatchID for the same
proposal and posting it twice would give the same AllocationID.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "ALLOCATION_COLUMNS",
    "LINE_MONEY",
    "MATCH_COLUMNS",
    "SETTLING",
    "allocation_frame",
    "allocation_id",
    "approve_marks",
    "as_cents",
    "as_text",
    "bank_lines",
    "line_statuses",
    "match_id",
    "settled_by",
]

MATCH_COLUMNS = [
    "MatchID",
    "LineID",
    "InvoiceNo",
    "CustomerID",
    "Amount",
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
]
SETTLING = ("payment", "fee", "discount", "writeoff")  # kinds that reduce an invoice's open amount
LINE_MONEY = ("payment", "unapplied")  # kinds that use up a bank line's money


def as_text(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str).str.strip()


def as_cents(series: pd.Series) -> pd.Series:
    return series.astype("Int64").fillna(0).astype(np.int64)


def settled_by(allocations: pd.DataFrame, by: str, kinds: tuple[str, ...]) -> pd.Series:
    """Sum of allocation cents of the given kinds, per InvoiceNo or LineID."""
    if allocations.empty:
        return pd.Series(dtype=np.int64)
    rows = allocations[as_text(allocations["Kind"]).isin(kinds)]
    return as_cents(rows["Amount"]).groupby(as_text(rows[by])).sum()


def approve_marks(series: pd.Series) -> pd.Series:
    first = as_text(series).str.upper().str[:1]
    return first.map(
        {"Y": "Y", "J": "Y", "1": "Y", "X": "Y", "是": "Y", "N": "N", "0": "N", "否": "N"}
    ).fillna("")


def match_id(line_id: str, rows: list[tuple[str, int, str]]) -> str:
    """Stable across runs: the same line paying the same invoices the same way keeps its id."""
    text = line_id + "|" + ";".join(f"{inv}:{kind}:{cents}" for inv, cents, kind in sorted(rows))
    return "M-" + hashlib.blake2b(text.encode(), digest_size=5).hexdigest()


def allocation_id(match: str, invoice: str, kind: str) -> str:
    return "A-" + hashlib.blake2b(f"{match}|{invoice}|{kind}".encode(), digest_size=6).hexdigest()


def bank_lines(lines: pd.DataFrame, allocations: pd.DataFrame, base_currency: str) -> pd.DataFrame:
    bl = lines.reset_index(drop=True).copy()
    for col in ("LineID", "Payer", "Memo", "BankRef", "Account", "SourceFile", "Status", "Currency"):
        bl[col] = as_text(bl[col]) if col in bl else ""
    bl["Currency"] = bl["Currency"].replace("", base_currency).str.upper()
    bl["Amount"] = as_cents(bl["Amount"])
    bl["Date"] = pd.to_datetime(bl["Date"])
    bl["allocated"] = bl["LineID"].map(settled_by(allocations, "LineID", LINE_MONEY)).fillna(0)
    bl["remaining"] = (bl["Amount"] - bl["allocated"]).astype(np.int64)
    return bl


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
    """Allocations rows typed as the contract says (cents Int64, dates datetime64)."""
    allocs = pd.DataFrame(rows, columns=ALLOCATION_COLUMNS)
    allocs["Amount"] = allocs["Amount"].astype("Int64")
    allocs["PaymentDate"] = pd.to_datetime(allocs["PaymentDate"])
    allocs["PostedAt"] = pd.to_datetime(allocs["PostedAt"])
    return allocs
