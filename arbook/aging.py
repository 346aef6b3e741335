"""Aging: open items sorted into buckets of days overdue, one row per customer.

Days overdue d = as-of - DueDate (as-of - InvoiceDate when the `aging_basis` setting is
"invoice"); d <= 0 is Current, then one bucket per `aging_buckets` limit (1-30, 31-60,
61-90, 91-120 for the default 30,60,90,120) and a last open-ended one (120+). Credit notes
and unapplied cash are open items too (negative) and age by their own date; disputed
invoices stay in (the KPIs report their total). A customer's Total is the sum of the
buckets and of the open items, to the cent, because every item lands in exactly one bucket.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from arbook.kpi import kpi_table, payment_behaviour
from arbook.ledger import invoice_balances, open_items, payment_history
from arbook.operation import NO_PROGRESS, Progress, Summary
from common.values import format_cents
from workbook.book import Book

__all__ = ["aged_items", "aging", "aging_table", "bucket_labels"]


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
    """One row per customer with open items: CustomerID, Name, buckets..., Total, Overdue,
    AvgDaysLate, OldestDueDate (SPEC §2, bucket columns per `limits`).

    Overdue is the part of Total past due (d > 0). AvgDaysLate comes from `behaviour`
    (`kpi.payment_behaviour`), empty for customers who never paid. OldestDueDate is the
    earliest due date among the customer's items still owed (OpenAmount > 0).
    """
    labels = bucket_labels(limits)
    amount = aged["OpenAmount"].fillna(0).astype("int64")
    by_bucket = (
        pd.DataFrame({"CustomerID": aged["CustomerID"], "Bucket": aged["Bucket"], "Amount": amount})
        .groupby(["CustomerID", "Bucket"], sort=False)["Amount"]
        .sum()
        .unstack("Bucket", fill_value=0)
        .reindex(columns=labels, fill_value=0)
        .sort_index()
        .astype("int64")
    )
    owed = aged[amount > 0]
    oldest = owed.groupby("CustomerID")["DueDate"].min()
    names = customers.drop_duplicates("CustomerID").set_index("CustomerID")["Name"].astype(object)
    ids = by_bucket.index
    table = pd.DataFrame(
        {"CustomerID": ids.astype(str), "Name": ids.map(names).astype(object).fillna("").astype(str)}
    )
    for label in labels:
        table[label] = pd.array(by_bucket[label].to_numpy(), dtype="Int64")
    total = by_bucket.sum(axis=1).to_numpy()
    table["Total"] = pd.array(total, dtype="Int64")
    table["Overdue"] = pd.array(total - by_bucket["Current"].to_numpy(), dtype="Int64")
    late = behaviour["AvgDaysLate"] if behaviour is not None else pd.Series(dtype="float64")
    table["AvgDaysLate"] = late.reindex(ids).to_numpy("float64")
    table["OldestDueDate"] = oldest.reindex(ids).to_numpy("datetime64[ns]")
    return table.reset_index(drop=True)


def aging(book: Book, *, as_of: date, progress: Progress = NO_PROGRESS) -> Summary:
    """Rebuild Aging and KPIs and the computed Invoices columns as of `as_of`, then commit."""
    settings = book.settings()
    limits, basis = settings.aging_buckets, settings.aging_basis
    progress("reading", 0, 4)
    invoices, allocations, customers = book.read("Invoices"), book.read("Allocations"), book.read("Customers")
    progress("balances", 1, 4)
    balances = invoice_balances(invoices, allocations, as_of=as_of, customers=customers)
    aged = aged_items(
        open_items(invoices, allocations, as_of=as_of, customers=customers),
        as_of=as_of,
        limits=limits,
        basis=basis,
    )
    history = payment_history(invoices, allocations, as_of=as_of, customers=customers)
    progress("aging", 2, 4)
    table = aging_table(aged, customers, limits=limits, behaviour=payment_behaviour(history))
    month_ago = (pd.Timestamp(as_of) - pd.DateOffset(months=1)).date()
    begin = open_items(invoices, allocations, as_of=month_ago, customers=customers)
    kpis = kpi_table(
        aged,
        begin,
        balances,
        history,
        as_of=as_of,
        period_days=settings.dso_period_days,
        currency=settings.base_currency,
    )
    progress("writing", 3, 4)
    book.write_columns(
        "Invoices", "InvoiceNo", balances[["InvoiceNo", "OpenAmount", "Status", "LastPaymentDate"]]
    )
    book.replace("Aging", table)
    book.replace("KPIs", kpis)
    summary = _summary(aged, table, kpis, as_of)
    book.commit(
        f"aging --as-of {as_of.isoformat()}", "; ".join(f"{k} {v}" for k, v in summary.figures.items())
    )
    progress("done", 4, 4)
    return summary


def _summary(aged: pd.DataFrame, table: pd.DataFrame, kpis: pd.DataFrame, as_of: date) -> Summary:
    values = kpis.set_index("Metric")["Value"]
    total = int(table["Total"].sum()) if len(table) else 0
    summary = Summary(
        "aging",
        {
            "as of": as_of.isoformat(),
            "customers": len(table),
            "open items": len(aged),
            "open AR": format_cents(total),
            "overdue": format_cents(int(table["Overdue"].sum()) if len(table) else 0),
            "DSO (days)": None if pd.isna(values["DSO"]) else round(float(values["DSO"]), 1),
        },
    )
    disputed = aged[aged["Disputed"]]
    if len(disputed):
        summary.notes.append(
            f"{len(disputed)} disputed invoice(s) stay in aging, "
            f"{format_cents(int(disputed['OpenAmount'].sum()))} open"
        )
    currencies = sorted(set(aged["Currency"]) - {""})
    if len(currencies) > 1:
        summary.notes.append(
            f"open items are in {', '.join(currencies)}: totals add amounts as booked, without conversion"
        )
    return summary
