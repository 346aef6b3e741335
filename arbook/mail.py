"""Which transport a mailing command uses: SMTP with --send, else an outbox folder to preview."""

from __future__ import annotations

from pathlib import Path

import mailer
from workbook.book import Book

__all__ = ["transport_for"]


def transport_for(book: Book, *, send: bool, outbox: Path | None) -> mailer.Transport:
    """SMTP from the Settings table (password from keyring or ARBOOK_SMTP_PASSWORD) when sending;
    otherwise `.eml` files in `outbox`, by default the folder `outbox/` beside the workbook."""
    if send:
        return mailer.SmtpTransport(mailer.SmtpSettings.from_settings(book.settings()))
    return mailer.OutboxTransport(outbox or book.path.parent / "outbox")
