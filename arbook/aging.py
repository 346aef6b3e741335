"""`arbook aging`: rebuild Aging, the KPIs and the computed Invoices columns as of a date.

The rules (buckets, open items, the KPIs) are receivables'; this operation takes the run's
ledger snapshot and the settings that choose among the rules, and stages what it computed.
"""

from __future__ import annotations

import pandas as pd

from common.currency import format_money
from receivables import Ledger, aged_items, aging_table, by_currency, converted, kpi_table, per_currency_text
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
        rates=ledger.rates,
    )
    progress("writing", 3, 4)
    book.write_columns(
        "Invoices", "InvoiceNo", ledger.balances[["InvoiceNo", "OpenAmount", "Status", "LastPaymentDate"]]
    )
    book.replace("Aging", table)
    book.replace("KPIs", kpis)
    progress("done", 4, 4)
    return _summary(aged, table, kpis, ledger)


def _summary(aged: pd.DataFrame, table: pd.DataFrame, kpis: pd.DataFrame, ledger: Ledger) -> Summary:
    """Open AR and overdue per currency as booked, then all of it converted (with the rates used)."""
    values = kpis.set_index("Metric")["Value"]
    base, as_of = ledger.base, ledger.as_of
    booked = by_currency(table["Total"], table["Currency"]) if len(table) else {}
    overdue = by_currency(table["Overdue"], table["Currency"]) if len(table) else {}
    figures: dict[str, object] = {
        "as of": as_of.isoformat(),
        "customers": len(table),
        "open items": len(aged),
    }
    for code in sorted(booked, key=lambda c: (c != base, c)):
        figures[f"open AR {code}"] = format_money(booked[code], code)
        figures[f"overdue {code}"] = format_money(overdue[code], code)
    foreign = [c for c in booked if c != base]
    if foreign:  # one currency needs no converted total: it is the figure above
        figures[f"open AR in {base}"] = format_money(converted(booked, base, ledger.rates, as_of), base)
        figures[f"overdue in {base}"] = format_money(converted(overdue, base, ledger.rates, as_of), base)
    figures["DSO (days)"] = None if pd.isna(values["DSO"]) else round(float(values["DSO"]), 1)
    summary = Summary("aging", figures)
    if foreign:
        used = [ledger.rates.rate(c, as_of) for c in sorted(foreign)]
        summary.notes.append(
            f"the totals in {base} convert each currency's total at the Rates row that applies on "
            f"{as_of.isoformat()}: " + "; ".join(str(r) for r in used)
        )
    disputed = aged[aged["Disputed"]]
    if len(disputed):
        amounts = per_currency_text(disputed["OpenAmount"], disputed["Currency"], base)
        summary.notes.append(f"{len(disputed)} disputed invoice(s) stay in aging, {amounts} open")
    return summary
