"""One mailing run over the journal: what was already sent, what a newer message replaced, send the
rest, the MailLog rows to add."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import pandas as pd

from .deliver import Delivery, deliver
from .journal import (
    FAILED,
    MAILLOG_COLUMNS,
    REFUSED,
    SUPERSEDED,
    Journal,
    fold,
    given_up_keys,
    message_outcomes,
    sent_keys,
)
from .message import Covered, Outgoing
from .transport import Transport

__all__ = ["RESEND", "Scope", "mail_history", "resends", "send_and_fold"]

RESEND = " re-send"
"""Added to a message's Kind in MailLog when it went out again on purpose (`statement re-send`)."""


@dataclass(frozen=True)
class Scope:
    """What one run composed: every message of `kinds` due to `customers` for the month `as_of`.

    An earlier message of the same kinds, customers and month that was never delivered and that
    the run did not compose again is no longer owed: the workbook changed since (a late bank file
    paid an invoice it listed), and what the customer is owed now is the run's own message, if
    any. It is recorded `superseded` (see `mailer.journal`), once, and never sent nor reported again.
    """

    kinds: tuple[str, ...]
    customers: frozenset[str]
    as_of: dt.date


_OWED = (FAILED, REFUSED, "outbox")  # outcomes a run still owes (an unsent preview, when sending)


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
    scope: Scope | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[Delivery, pd.DataFrame]:
    """Send what no earlier run sent (nor a person gave up); return the delivery and every journal
    outcome MailLog lacks. With a `scope`, first journal as `superseded` the earlier messages it
    replaces (the delivery lists them).

    The transport's connection is closed at the end (an SMTP transport reconnects if used again).
    """
    delivered = tuple({"sent", transport.status})
    replaced = _superseded(mail_history(journal, mail_log), messages, scope, delivered) if scope else []
    for row, why in replaced:
        journal.record(str(row["MessageID"]), SUPERSEDED, _fields(row), why)
    done = sent_keys(journal.records(), mail_log, delivered=delivered)
    done |= given_up_keys(mail_log)
    try:
        delivery = deliver(
            messages, transport, journal, done=done, sender=sender, reply_to=reply_to, progress=progress
        )
    finally:
        transport.close()
    delivery.superseded = [(str(row["CustomerID"]), str(row["MessageID"]), why) for row, why in replaced]
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


def _superseded(
    history: pd.DataFrame, messages: Sequence[Outgoing], scope: Scope, delivered: tuple[str, ...]
) -> list[tuple[dict[str, object], str]]:
    """The earlier messages in `scope` still owed that `messages` do not include, each with why."""
    outcomes = message_outcomes(history, as_of=scope.as_of, delivered=delivered)
    composed = {key for m in messages for key, _ in m.obligations()}  # a reminder inside a notice too
    known = set(outcomes["MessageID"].astype(str))
    stale = outcomes[
        outcomes["Kind"].isin(scope.kinds)
        & outcomes["CustomerID"].astype(str).isin(scope.customers)
        & outcomes["Outcome"].isin(_OWED)
        & ~outcomes["MessageID"].astype(str).isin(composed)
    ]
    out = []
    for row in stale.to_dict("records"):
        newer = [m.key for m in messages if m.customer_id == row["CustomerID"] and m.key not in known]
        why = (
            f"superseded by {', '.join(newer)}: the workbook changed since it was composed"
            if newer
            else f"no longer due: nothing of this kind is owed to this customer for {scope.as_of.isoformat()} "
            "now (the workbook changed since it was composed)"
        )
        out.append((row, why))
    return out


def _fields(row: dict[str, object]) -> dict[str, object]:
    """The MailLog columns of an earlier message, for its `superseded` event."""
    fields = {c: row.get(c) for c in ("Kind", "Level", "CustomerID", "To", "Subject", "Amount", "InvoiceNos")}
    fields["Level"] = None if pd.isna(fields["Level"]) else int(fields["Level"])  # type: ignore[arg-type]
    fields["Amount"] = None if pd.isna(fields["Amount"]) else int(fields["Amount"])  # type: ignore[arg-type]
    return {**fields, "AsOf": pd.Timestamp(row["AsOf"]).date().isoformat()}
