"""One mailing run over the journal: what was already sent, send the rest, the MailLog rows to add."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from .deliver import Delivery, deliver
from .journal import MAILLOG_COLUMNS, Journal, fold, given_up_keys, sent_keys
from .message import Outgoing
from .transport import Transport

__all__ = ["mail_history", "send_and_fold"]


def mail_history(journal: Journal, mail_log: pd.DataFrame) -> pd.DataFrame:
    """MailLog as it would be if every earlier run had ended cleanly (journal outcomes folded in)."""
    pending = fold(journal.records(), mail_log)
    if pending.empty:
        return mail_log if len(mail_log.columns) else pd.DataFrame(columns=MAILLOG_COLUMNS)
    if mail_log.empty:
        return pending
    return pd.concat([mail_log, pending], ignore_index=True)


def send_and_fold(
    messages: Sequence[Outgoing],
    transport: Transport,
    journal: Journal,
    mail_log: pd.DataFrame,
    *,
    sender: str,
    reply_to: str = "",
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[Delivery, pd.DataFrame]:
    """Send what no earlier run sent (nor a person gave up); return the delivery and every journal
    outcome MailLog lacks.

    The transport's connection is closed at the end (an SMTP transport reconnects if used again).
    """
    done = sent_keys(journal.records(), mail_log, delivered=tuple({"sent", transport.status}))
    done |= given_up_keys(mail_log)
    try:
        delivery = deliver(
            messages, transport, journal, done=done, sender=sender, reply_to=reply_to, progress=progress
        )
    finally:
        transport.close()
    return delivery, fold(journal.records(), mail_log)
