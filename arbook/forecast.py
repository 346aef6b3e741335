"""`arbook forecast`: rebuild the cash-in Forecast as of a date (the rules are receivables')."""

from __future__ import annotations

from common.currency import format_money
from receivables import Ledger, expected_receipts, forecast_periods, forecast_table, per_currency_text
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
    table = forecast_table(
        receipts, forecast_periods(as_of, settings.forecast_months), rates=ledger.rates, as_of=as_of
    )
    progress("writing", 1, 2)
    book.replace("Forecast", table)
    figures: dict[str, object] = {"as of": as_of.isoformat(), "invoices": len(receipts)}
    for (code, basis), block in table.groupby(["Currency", "Basis"], sort=False):
        what = f" {code}" if basis == "booked" else f" in {code} (all currencies converted)"
        figures[f"expected{what}"] = format_money(int(block["Expected"].sum()), code)
        figures[f"next 4 weeks{what}"] = format_money(int(block["Expected"].iloc[:4].sum()), code)
    summary = Summary("forecast", figures)
    disputed = items[(items["Kind"] == "invoice") & items["Disputed"] & (items["OpenAmount"] > 0)]
    if len(disputed):
        amounts = per_currency_text(disputed["OpenAmount"], disputed["Currency"], ledger.base)
        summary.notes.append(f"{len(disputed)} disputed invoice(s) left out, {amounts} open")
    progress("done", 2, 2)
    return summary
