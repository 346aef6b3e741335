"""`arbook notices`: reminders before the due date and escalating overdue notices.

The ladder is the DunningLevels table (built-in levels when it is missing or empty); the
record of what each invoice already received is MailLog plus the mail journal, so an
interrupted run, restarted, neither repeats a level nor skips one.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

import mailer
from common.errors import InputError, Problem
from receivables import Ledger
from workbook.book import Book

from .mail import MailBatch, company
from .match import approvals
from .operation import NO_PROGRESS, Progress, Summary
from .statements import only_customer, templates

__all__ = ["notices"]


def notices(
    book: Book,
    *,
    ledger: Ledger,
    transport: mailer.Transport,
    customer: str | None = None,
    resend: tuple[str, ...] = (),
    progress: Progress = NO_PROGRESS,
) -> Summary:
    """The notices due as of the ledger's date, by the DunningLevels ladder; the customers in
    `resend` get the ones of that date again that went out already (a re-send)."""
    batch = MailBatch(book, transport, resend)  # a bad sender address is refused before any work
    settings = book.settings()
    as_of = ledger.as_of
    summary = Summary("notices")
    customers = only_customer(ledger.customers, customer)
    items = ledger.items
    if customer is not None:
        items = items[items["CustomerID"] == customer]
    wording = templates(book, summary)
    levels = _levels(book, wording, summary)
    selection = mailer.select_notices(
        items,
        customers,
        levels,
        mailer.dunning_history(_before_resent(batch.history(), batch.resend, as_of)),
        as_of=as_of,
        base_currency=settings.base_currency,
        min_interval_days=settings.dunning_min_interval_days,
        awaiting_review=_awaiting_review(book),
    )
    composed = mailer.compose_notices(
        selection.due,
        customers,
        wording,
        company=company(settings),
        as_of=as_of,
        default_locale=settings.locale,
        late_interest_on=settings.late_interest,
        late_interest_rate=mailer.rate_decimal(settings.late_interest_rate),
    )
    scope = mailer.Scope(mailer.NOTICE_KINDS, frozenset(customers["CustomerID"].astype(str)), as_of)
    delivery = batch.send(composed.messages, scope, progress)
    for level in levels:
        summary.figures[f"level {level.level} ({level.kind})"] = sum(n.level == level for n in selection.due)
    batch.report(summary, delivery, composed.unreachable, as_of)
    summary.notes += [f"left out: {count} invoice(s), {why}" for why, count in selection.skipped.items()]
    return summary


def _before_resent(history: pd.DataFrame, resend: frozenset[str], as_of: dt.date) -> pd.DataFrame:
    """The mail history without what went to the customers to re-send to for this as-of date: their
    notices of that day are chosen again (and then go out as re-sends, `MailBatch.send`)."""
    if not resend or history.empty:
        return history
    again = history["CustomerID"].isin(resend) & (pd.to_datetime(history["AsOf"]) == pd.Timestamp(as_of))
    return history[~again]


def _levels(book: Book, templates: mailer.TemplateBook, summary: Summary) -> list[mailer.DunningLevel]:
    frame = book.read("DunningLevels") if book.has("DunningLevels") else pd.DataFrame()
    if frame.empty:
        summary.notes.append("DunningLevels table missing or empty: the built-in levels were used")
        frame = pd.DataFrame(list(mailer.DEFAULT_DUNNING_LEVELS))
    problems = [
        Problem(
            "DunningLevels",
            int(row) if isinstance(row, int) else None,
            "Template",
            f"expected the name of a Templates row, got {name!r}",
        )
        for row, name in frame["Template"].items()
        if not templates.has(str(name))
    ]
    if problems:
        raise InputError(problems)
    return mailer.levels_from_frame(frame)


def _awaiting_review(book: Book) -> frozenset[str]:
    """Invoices named by a match suggestion still pending: money for them may be in the bank."""
    if not book.has("Matches"):
        return frozenset()
    matches = book.read("Matches")
    refused = approvals(matches).eq(False).fillna(False).astype(bool)  # the clerk said no: dun as usual
    pending = matches[matches["Status"].isin(["pending", ""]) & ~refused & (matches["InvoiceNo"] != "")]
    return frozenset(pending["InvoiceNo"].astype(str))
