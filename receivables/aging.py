"""Aging: open items sorted into buckets of days overdue, one row per customer.

Days overdue d = as-of - DueDate (as-of - InvoiceDate when the basis is "invoice"); d <= 0
is Current, then one bucket per day limit (1-30, 31-60, 61-90, 91-120 for limits
30,60,90,120) and a last open-ended one (120+). Credit notes and unapplied cash are open
items too (negative) and age by their own date; disputed invoices stay in (the KPIs report
their total). The table has one row per customer and currency, amounts as booked in that
currency: a customer billed in EUR and USD has two rows, never one adding them. A row's
Total is the sum of its buckets and of its open items, to the minor unit, because every
item lands in exactly one bucket; company totals per currency and converted are the KPIs'.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

__all__ = ["aged_items", "aging_table", "bucket_labels"]


def bucket_labels(limits: Sequence[int]) -> list[str]:
    """Column names for the limits: Current, 1-30, 31-60, ..., 120+."""
    lows = (0, *limits)
    return ["Current", *[f"{lo + 1}-{hi}" for lo, hi in zip(lows, limits, strict=False)], f"{limits[-1]}+"]


def aged_items(items: pd.DataFrame, *, as_of: date, limits: Sequence[int], basis: str) -> pd.DataFrame:
    """The open items with DaysOverdue (int64) and Bucket (its column name) added.

    Credit notes age from their own InvoiceDate whatever the basis: they are the customer's
    to use from the day they are issued (unapplied cash already carries its PaymentDate).
    """
    start = (
        items["InvoiceDate"]
        if basis == "invoice"
        else items["DueDate"].where(items["Kind"] != "credit", items["InvoiceDate"])
    )
    days = (pd.Timestamp(as_of) - start).dt.days.to_numpy("int64")
    slot = np.where(days <= 0, 0, 1 + np.searchsorted(np.asarray(limits), days, side="left"))
    labels = np.array(bucket_labels(limits), dtype=object)
    return items.assign(DaysOverdue=days, Bucket=labels[slot])


def aging_table(
    aged: pd.DataFrame,
    customers: pd.DataFrame,
    *,
    limits: Sequence[int],
    behaviour: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per customer and currency with open items, the columns of the Aging table:
    CustomerID, Name, Currency, one column per bucket of `limits`, Total, Overdue,
    AvgDaysLate, OldestDueDate.

    Overdue is the part of Total past due (d > 0). AvgDaysLate comes from `behaviour`
    (`ledger.payment_behaviour`), empty for customers who never paid. OldestDueDate is the
    earliest due date among the row's items still owed (OpenAmount > 0).
    """
    labels = bucket_labels(limits)
    amount = aged["OpenAmount"].fillna(0).astype("int64")
    keys = ["CustomerID", "Currency"]
    by_bucket = (
        pd.DataFrame(
            {
                "CustomerID": aged["CustomerID"],
                "Currency": aged["Currency"],
                "Bucket": aged["Bucket"],
                "Amount": amount,
            }
        )
        .groupby([*keys, "Bucket"], sort=False)["Amount"]
        .sum()
        .unstack("Bucket", fill_value=0)
        .reindex(columns=labels, fill_value=0)
        .sort_index()
        .astype("int64")
    )
    owed = aged[amount > 0]
    oldest = owed.groupby(keys)["DueDate"].min()
    names = customers.drop_duplicates("CustomerID").set_index("CustomerID")["Name"].astype(object)
    ids = by_bucket.index.get_level_values("CustomerID")
    table = pd.DataFrame(
        {
            "CustomerID": ids.astype(str),
            "Name": ids.map(names).astype(object).fillna("").astype(str),
            "Currency": by_bucket.index.get_level_values("Currency").astype(str),
        }
    )
    for label in labels:
        table[label] = pd.array(by_bucket[label].to_numpy(), dtype="Int64")
    total = by_bucket.sum(axis=1).to_numpy()
    table["Total"] = pd.array(total, dtype="Int64")
    table["Overdue"] = pd.array(total - by_bucket["Current"].to_numpy(), dtype="Int64")
    late = behaviour["AvgDaysLate"] if behaviour is not None else pd.Series(dtype="float64")
    table["AvgDaysLate"] = late.reindex(ids).to_numpy("float64")
    table["OldestDueDate"] = oldest.reindex(by_bucket.index).to_numpy("datetime64[ns]")
    return table.reset_index(drop=True)
