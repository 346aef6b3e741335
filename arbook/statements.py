"""`arbook statements`: a statement of account to every customer who should get one.

Reads the ledger through the Book, lets `mailer` select, render and send (journalled), and
appends what happened to MailLog in the run's one commit. A customer who should get a
statement but has no usable address is named in the summary, never skipped silently.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

import mailer
from arbook.mail import company
from arbook.operation import NO_PROGRESS, Progress, Summary
from common.errors import InputError, Problem
from receivables import Ledger, aged_items, bucket_labels
from workbook.book import Book
from workbook.contract import Settings

__all__ = ["NOT_MAILED", "mail_sender", "only_customer", "reply_to", "report_delivery", "statements"]

NOT_MAILED = "not mailed: "  # the note for a customer without a usable address (the report lists them)


def statements(
    book: Book,
    *,
    as_of: dt.date,
    transport: mailer.Transport,
    customer: str | None = None,
    balance_forward: bool = False,
    period_start: dt.date | None = None,
    progress: Progress = NO_PROGRESS,
) -> Summary:
    """Statements as of `as_of` for the period from `period_start` (default: the 1st of as_of's month)."""
    settings = book.settings()
    sender, answer_to = mail_sender(settings), reply_to(settings)  # refuse a bad address before any work
    summary = Summary("statements")
    ledger = Ledger(book.read("Invoices"), book.read("Allocations"), book.read("Customers"), as_of=as_of)
    customers = only_customer(ledger.customers, customer)
    limits = settings.aging_buckets
    items = aged_items(ledger.items, as_of=as_of, limits=limits, basis=settings.aging_basis)
    data = mailer.build_statements(
        customers,
        items,
        ledger.invoices,
        ledger.allocations,
        as_of=as_of,
        period_start=period_start or as_of.replace(day=1),
        aging_labels=bucket_labels(limits),
        min_balance=settings.statement_min_balance,
        base_currency=settings.base_currency,
    )
    templates = _templates(book, summary)
    composed = mailer.compose_statements(
        data,
        customers,
        templates,
        company=company(settings),
        default_locale=settings.locale,
        balance_forward=balance_forward,
        pdf_font=settings.pdf_font,
        progress=progress,
    )
    journal = mailer.Journal(mailer.journal_path(book.path))
    mail_log = book.read("MailLog")
    delivery, rows = mailer.send_and_fold(
        composed.messages,
        transport,
        journal,
        mail_log,
        sender=sender,
        reply_to=answer_to,
        progress=progress,
    )
    summary.figures["statements"] = len(data)
    report_delivery(summary, transport, composed, delivery, rows)
    book.append("MailLog", rows)
    book.commit("statements", _line(summary))
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


_PREVIEW_SENDER = "arbook@localhost.localdomain"


def mail_sender(settings: Settings) -> str:
    """mail_from, else company_email (an outbox preview works before mail is set up); checked first."""
    for key, text in (("mail_from", settings.mail_from), ("company_email", settings.company_email)):
        if text:
            return _checked_address(key, text)
    return _PREVIEW_SENDER


def reply_to(settings: Settings) -> str:
    text = settings.mail_reply_to
    return _checked_address("mail_reply_to", text) if text else ""


def _checked_address(key: str, text: str) -> str:
    try:
        mailer.parse_sender(text)
    except ValueError as exc:
        raise InputError(Problem("Settings", None, "Value", f"{key}: {exc}")) from None
    return text


def _templates(book: Book, summary: Summary) -> mailer.TemplateBook:
    frame = book.read("Templates") if book.has("Templates") else None
    templates = mailer.TemplateBook(frame)
    if not templates.overridden:
        summary.notes.append("Templates table missing or empty: the built-in wording was used")
    return templates


def report_delivery(
    summary: Summary,
    transport: mailer.Transport,
    composed: mailer.Composed,
    delivery: mailer.Delivery,
    rows: pd.DataFrame,
) -> None:
    """The figures and notes every mailing run reports, in the same words."""
    summary.figures["sent" if transport.status == "sent" else "written to outbox"] = len(delivery.delivered)
    summary.figures["already sent earlier"] = len(delivery.already_sent)
    summary.figures["failed"] = len(delivery.failed)
    summary.figures["without usable e-mail"] = len(composed.unreachable)
    summary.figures["MailLog rows added"] = len(rows)
    summary.notes += [NOT_MAILED + why for why in composed.unreachable]
    summary.notes += [f"failed: {cid} ({key}): {why}" for cid, key, why in delivery.failed]
    if delivery.stopped:
        summary.notes.append(f"stopped sending: {delivery.stopped}; run again to send the rest")
    summary.ok = not delivery.failed


def _line(summary: Summary) -> str:
    return ", ".join(f"{k} {v}" for k, v in summary.figures.items())
