"""`arbook statements`: a statement of account to every customer who should get one.

Reads the run's ledger snapshot, lets `mailer` select, render and send (journalled), and
stages what happened as MailLog rows for the runner's one commit. A customer who should get
a statement but has no usable address is named in the summary, never skipped silently.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

import mailer
from common.errors import InputError, Problem
from receivables import Ledger, aged_items, bucket_labels
from workbook.book import Book

from .mail import MailBatch, company
from .operation import NO_PROGRESS, Progress, Summary

__all__ = ["only_customer", "statements", "templates"]


def statements(
    book: Book,
    *,
    ledger: Ledger,
    transport: mailer.Transport,
    customer: str | None = None,
    balance_forward: bool = False,
    resend: tuple[str, ...] = (),
    period_start: dt.date | None = None,
    progress: Progress = NO_PROGRESS,
) -> Summary:
    """Statements as of the ledger's date for the period from `period_start` (default: the 1st of its
    month); the customers in `resend` get theirs again if it went out already (a re-send)."""
    batch = MailBatch(book, transport, resend)  # a bad sender address is refused before any work
    settings = book.settings()
    as_of = ledger.as_of
    summary = Summary("statements")
    customers = only_customer(ledger.customers, customer)
    limits = settings.aging_buckets
    data = mailer.build_statements(
        customers,
        aged_items(ledger.items, as_of=as_of, limits=limits, basis=settings.aging_basis),
        ledger.invoices,
        ledger.allocations,
        as_of=as_of,
        period_start=period_start or as_of.replace(day=1),
        aging_labels=bucket_labels(limits),
        min_balance=settings.statement_min_balance,
        base_currency=settings.base_currency,
    )
    composed = mailer.compose_statements(
        data,
        customers,
        templates(book, summary),
        company=company(settings),
        default_locale=settings.locale,
        balance_forward=balance_forward,
        pdf_font=settings.pdf_font,
        progress=progress,
    )
    scope = mailer.Scope(("statement",), frozenset(customers["CustomerID"].astype(str)), as_of)
    delivery = batch.send(composed.messages, scope, progress)
    summary.figures["statements"] = len(data)
    batch.report(summary, delivery, composed.unreachable, as_of)
    return summary


def only_customer(customers: pd.DataFrame, customer: str | None) -> pd.DataFrame:
    """The Customers rows a run works on: all, or the one `--customer` names."""
    if customer is None:
        return customers
    chosen = customers[customers["CustomerID"] == customer]
    if chosen.empty:
        raise InputError(
            Problem("Customers", None, "CustomerID", f"expected a customer {customer!r}; there is none")
        )
    return chosen


def templates(book: Book, summary: Summary) -> mailer.TemplateBook:
    """The Templates table's wording (the built-in wording where a row is missing), said when it is all built-in."""
    frame = book.read("Templates") if book.has("Templates") else None
    found = mailer.TemplateBook(frame)
    if not found.overridden:
        summary.notes.append("Templates table missing or empty: the built-in wording was used")
    return found
