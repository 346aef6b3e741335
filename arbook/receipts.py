"""`arbook receipts`: the receipts report (收款报表), money received by customer and month.

The figures are receivables.receipts' (see there what Received, Applied, Unapplied and
AvgDaysToPay mean); this shell picks the period, adds each currency's totals (per currency,
never across) and lays the rows out for the terminal and --json. Without --from the period
starts on the first day of the month of --to (default today).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from common.currency import currency_digits, format_money
from common.errors import InputError, Problem
from common.values import format_cents
from receivables import Ledger, receipts
from workbook.book import Book

from .operation import Summary

__all__ = ["receipt_rows", "receipts_report"]

_MONEY = ("Received", "Applied", "Unapplied")


def receipts_report(book: Book, *, ledger: Ledger, start: date | None) -> Summary:
    """The money received from `start` (default: the first of the month of the run's date) to
    the run's date, by customer, currency and month, with the totals of each currency."""
    end = ledger.as_of
    start = start or end.replace(day=1)
    if start > end:
        raise InputError(
            [Problem("command line", None, "--from", f"expected a date on or before {end}, got {start}")]
        )
    frame = receipts(
        ledger.invoices, ledger.allocations, ledger.customers, start=start, end=end, base=ledger.base
    )
    figures: dict[str, object] = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "customers": frame["CustomerID"].nunique(),
    }
    for currency, group in frame.groupby("Currency", sort=True):
        for column in _MONEY:
            figures[f"{column.lower()} {currency}"] = format_money(int(group[column].sum()), str(currency))
    notes = [] if len(frame) else [f"no money was received from {start.isoformat()} to {end.isoformat()}"]
    return Summary("receipts", figures, notes, rows=receipt_rows(frame))


def receipt_rows(frame: pd.DataFrame) -> list[dict[str, object]]:
    """The report's rows as the terminal and --json show them: money in its currency's digits."""
    out = []
    for record in frame.to_dict("records"):
        digits = currency_digits(str(record["Currency"]))
        row = {k: (format_cents(int(v), digits) if k in _MONEY else v) for k, v in record.items()}
        row["Receipts"] = int(record["Receipts"])
        row["AvgDaysToPay"] = None if pd.isna(record["AvgDaysToPay"]) else float(record["AvgDaysToPay"])
        out.append(row)
    return out
