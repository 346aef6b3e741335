"""What the matcher is given: the bank lines, the customers and the open amounts.

What is still open is the ledger's question, answered by the caller (arbook) and handed over
as `OpenAmounts`; the matcher never recomputes it from Allocations. Within a run it only
holds back the money of proposals approved but not yet posted (rerun.py) and uses up open
amounts as it books auto proposals (assignment.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from common.currency import row_currencies
from matching.matcher.ledger import as_cents, as_text

__all__ = ["OpenAmounts", "bank_lines", "open_items"]


@dataclass(frozen=True)
class OpenAmounts:
    """The open amount of every invoice and the money left on every bank line, in cents.

    `items`: one row per invoice and credit note, fully paid ones too (a memo naming a paid
    invoice is evidence), indexed by its row in Invoices: InvoiceNo, CustomerID, InvoiceDate,
    Currency, Reference, Amount, DiscountTerms (optional) and OpenAmount (Int64 cents; every
    allocation in the log counts, whatever its PaymentDate).
    `line_left`: per bank line, indexed like the lines given with it, the cents not yet
    allocated to anything.
    """

    items: pd.DataFrame
    line_left: pd.Series


def bank_lines(lines: pd.DataFrame, opens: OpenAmounts) -> pd.DataFrame:
    """The lines by position, text stripped, with `remaining` (cents left) and `allocated`."""
    if not opens.line_left.index.equals(lines.index):
        raise ValueError("OpenAmounts.line_left must be indexed like the bank lines given with it")
    bl = lines.reset_index(drop=True).copy()
    for col in ("LineID", "Payer", "Memo", "BankRef", "Account", "SourceFile", "Status", "Currency"):
        bl[col] = as_text(bl[col]) if col in bl else ""
    bl["Amount"] = as_cents(bl["Amount"])
    bl["Date"] = pd.to_datetime(bl["Date"])
    bl["remaining"] = as_cents(opens.line_left.reset_index(drop=True))
    bl["allocated"] = bl["Amount"] - bl["remaining"]
    return bl


def open_items(
    opens: OpenAmounts, customers: pd.DataFrame, reserved: pd.Series, base_currency: str
) -> pd.DataFrame:
    """The items by position as the matcher indexes them: `customer` is the customer's position
    (-1 unknown), `open` the cents still open less what approved proposals hold back, `gross`
    the invoice's Amount, `row` its row in Invoices."""
    rows = opens.items.index
    items = opens.items.reset_index(drop=True)
    numbers = as_text(items["InvoiceNo"])
    cust_pos = pd.Series(np.arange(len(customers)), index=as_text(customers["CustomerID"]).to_numpy())
    cust_pos = cust_pos[~cust_pos.index.duplicated()]
    return pd.DataFrame(
        {
            "InvoiceNo": numbers,
            "CustomerID": as_text(items["CustomerID"]),
            "customer": as_text(items["CustomerID"]).map(cust_pos).fillna(-1).astype(np.int64),
            "InvoiceDate": pd.to_datetime(items["InvoiceDate"]),
            "Currency": row_currencies(items, base_currency),
            "Reference": as_text(items["Reference"]) if "Reference" in items else "",
            "open": (as_cents(items["OpenAmount"]) - numbers.map(reserved).fillna(0)).astype(np.int64),
            "gross": as_cents(items["Amount"]) if "Amount" in items else as_cents(items["OpenAmount"]),
            "DiscountTerms": as_text(items["DiscountTerms"]) if "DiscountTerms" in items else "",
            "row": rows.to_numpy(),
        }
    )
