"""One mailing run over the journal: what was already sent, send the rest, the MailLog rows to add."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Sequence

import pandas as pd

from .deliver import Delivery, deliver
from .journal import MAILLOG_COLUMNS, Journal, fold, given_up_keys, sent_keys
from .message import Covered, Outgoing
from .transport import Transport

__all__ = ["RESEND", "mail_history", "resends", "send_and_fold"]

RESEND = " re-send"
"""Added to a message's Kind in MailLog when it went out again on purpose (`statement re-send`)."""


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


def resends(
    messages: Sequence[Outgoing],
    history: pd.DataFrame,
    customers: Collection[str],
    delivered: tuple[str, ...],
) -> list[Outgoing]:
    """`messages`, with those to `customers` that went out before made re-sends: sent again on purpose.

    A re-send is a message of its own: its key (and so its Message-ID) is the original's with
    `-r1`, `-r2`, ... (one more than the re-sends of it delivered so far), and its Kind says
    `re-send`. A re-send that did not go out keeps its number, so running the same command again
    sends it under the same Message-ID, as any other message owed; one that did go out is not
    repeated unless asked again. A message to those customers never sent before goes as it is.
    `delivered` are the MailLog statuses that count as gone out (as for `sent_keys`).
    """
    if not customers:
        return list(messages)
    gone = (
        set(history.loc[history["Status"].isin(delivered), "MessageID"].astype(str))
        if len(history)
        else set()
    )
    out = []
    for message in messages:
        if message.customer_id in customers and message.key in gone:
            suffix = f"-r{1 + sum(key.startswith(f'{message.key}-r') for key in gone)}"
            message = dataclasses.replace(
                message,
                key=message.key + suffix,
                kind=message.kind + RESEND,
                covers=tuple(
                    Covered(c.key + suffix, c.kind + RESEND, c.level, c.amount, c.invoice_nos)
                    for c in message.covers
                ),
            )
        out.append(message)
    return out
