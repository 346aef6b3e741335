"""What the mailer is told about the company and where mail goes, made from the Settings table.

`mailer` knows nothing of the workbook: it declares the small settings objects it needs, and
they are built from the typed `Settings` here, once each.
"""

from __future__ import annotations

from pathlib import Path

import mailer
from common.errors import InputError, Problem
from workbook.book import Book
from workbook.contract import Settings

__all__ = ["company", "smtp_settings", "transport_for"]


def company(settings: Settings) -> mailer.Company:
    """Who the statements and notices are from: name, address, e-mail and bank details."""
    return mailer.Company(
        name=settings.company_name,
        address=settings.company_address,
        email=settings.company_email,
        remit_to=settings.remit_to,
    )


def smtp_settings(settings: Settings) -> mailer.SmtpSettings:
    """The company's SMTP server; refuses a missing host or sender naming the Settings key to fix."""
    problems = []
    if not settings.smtp_host:
        problems.append(
            Problem("Settings", None, None, "smtp_host: expected the outgoing mail server's name")
        )
    try:
        sender = mailer.parse_sender(settings.mail_from).addr_spec
    except ValueError as exc:
        problems.append(Problem("Settings", None, None, f"mail_from: expected one sender address; {exc}"))
    if problems:
        raise InputError(problems, "cannot send mail")
    return mailer.SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        user=settings.smtp_user,
        starttls=settings.smtp_starttls,
        sender=sender,
        rate_per_minute=settings.mail_rate_per_minute,
    )


def transport_for(book: Book, *, send: bool, outbox: Path | None) -> mailer.Transport:
    """SMTP from the Settings table (password from keyring or ARBOOK_SMTP_PASSWORD) when sending;
    otherwise `.eml` files in `outbox`, by default the folder `outbox/` beside the workbook."""
    if send:
        return mailer.SmtpTransport(smtp_settings(book.settings()))
    return mailer.OutboxTransport(outbox or book.path.parent / "outbox")
