"""`arbook forecast`: rebuild the cash-in Forecast as of a date (the rules are receivables')."""

from __future__ import annotations

from common.values import format_cents
from receivables import Ledger, expected_receipts, forecast_periods, forecast_table
from workbook.book import Book

from .operation import NO_PROGRESS, Progress, Summary

__all__ = ["forecast"]


def forecast(book: Book, *, ledger: Ledger, progress: Progress = NO_PROGRESS) -> Summary:
    """Stage the Forecast table as of the ledger's date."""
    settings = book.settings()
    as_of = ledger.as_of
    progress("forecast", 0, 2)
    items = ledger.items
    receipts = expected_receipts(
        items, ledger.history, as_of=as_of, min_payments=settings.forecast_min_payments
    )
    table = forecast_table(receipts, forecast_periods(as_of, settings.forecast_months))
    progress("writing", 1, 2)
    book.replace("Forecast", table)
    summary = Summary(
        "forecast",
        {
            "as of": as_of.isoformat(),
            "invoices": len(receipts),
            "expected": format_cents(int(table["Expected"].sum())),
            "next 4 weeks": format_cents(int(table["Expected"].iloc[:4].sum())),
        },
    )
    disputed = items[(items["Kind"] == "invoice") & items["Disputed"] & (items["OpenAmount"] > 0)]
    if len(disputed):
        summary.notes.append(
            f"{len(disputed)} disputed invoice(s) left out, "
            f"{format_cents(int(disputed['OpenAmount'].sum()))} open"
        )
    progress("done", 2, 2)
    return summary
