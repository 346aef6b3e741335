"""`arbook aging`: rebuild Aging, the KPIs and the computed Invoices columns as of a date.

The rules (buckets, open items, the KPIs) are receivables'; this operation takes the run's
ledger snapshot and the settings that choose among the rules, and stages what it computed.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from common.values import format_cents
from receivables import Ledger, aged_items, aging_table, kpi_table
from workbook.book import Book

from .operation import NO_PROGRESS, Progress, Summary

__all__ = ["aging"]


def aging(book: Book, *, ledger: Ledger, progress: Progress = NO_PROGRESS) -> Summary:
    """Stage Aging, the KPIs and the computed Invoices columns as of the ledger's date."""
    settings = book.settings()
    as_of = ledger.as_of
    progress("balances", 1, 4)
    aged = aged_items(ledger.items, as_of=as_of, limits=settings.aging_buckets, basis=settings.aging_basis)
    progress("aging", 2, 4)
    table = aging_table(aged, ledger.customers, limits=settings.aging_buckets, behaviour=ledger.behaviour)
    month_ago = (pd.Timestamp(as_of) - pd.DateOffset(months=1)).date()
    kpis = kpi_table(
        aged,
        ledger.items_on(month_ago),
        ledger.balances,
        ledger.history,
        as_of=as_of,
        period_days=settings.dso_period_days,
        currency=settings.base_currency,
    )
    progress("writing", 3, 4)
    book.write_columns(
        "Invoices", "InvoiceNo", ledger.balances[["InvoiceNo", "OpenAmount", "Status", "LastPaymentDate"]]
    )
    book.replace("Aging", table)
    book.replace("KPIs", kpis)
    progress("done", 4, 4)
    return _summary(aged, table, kpis, as_of)


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
