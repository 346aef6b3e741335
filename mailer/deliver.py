"""The send loop: journal, transport, journal — so a restarted run sends each message once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .journal import FAILED, REFUSED, Journal
from .message import Outgoing, build_email
from .transport import DeliveryError, Transport

__all__ = ["STOP_AFTER_TEMPORARY", "Delivery", "deliver"]

STOP_AFTER_TEMPORARY = 3
"""Messages in a row the server turns away for now (after their retries) before the run stops:
one such message may be the recipient's domain; several in a row are the server."""


@dataclass
class Delivery:
    delivered: list[str] = field(default_factory=list)  # keys
    already_sent: list[str] = field(
        default_factory=list
    )  # skipped: a previous run sent them (or a person gave them up)
    failed: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # (customer, key, why): not sent for now, owed
    refused: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # (customer, key, why): refused for good
    superseded: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # (customer, key, why): earlier messages a newer one replaced, recorded by this run, not owed
    stopped: str = ""  # why the run gave up on the remaining messages, if it did

    @property
    def complete(self) -> bool:
        """Every message was delivered or refused for good: nothing is owed to a later run."""
        return not self.failed


def deliver(
    messages: Iterable[Outgoing],
    transport: Transport,
    journal: Journal,
    *,
    done: set[str],
    sender: str,
    reply_to: str = "",
    progress: Callable[[str, int, int], None] | None = None,
) -> Delivery:
    """Send each message not in `done`, journalling before and after; never raises for one message.

    A message the server refuses for good is journalled `refused`; one not sent for now (after
    the transport's retries), or not attempted because the run stopped, `failed`. After
    `STOP_AFTER_TEMPORARY` messages in a row not sent for now, the run stops.
    """
    todo = list(messages)
    result = Delivery()
    in_a_row = 0
    for number, out in enumerate(todo, start=1):
        fields = out.log_fields()
        if out.key in done:
            result.already_sent.append(out.key)
        elif result.stopped:
            journal.record(out.key, FAILED, fields, f"not attempted: {result.stopped}")
            result.failed.append((out.customer_id, out.key, f"not attempted: {result.stopped}"))
        else:
            journal.record(out.key, "pending", fields)
            try:
                note = transport.send(build_email(out, sender=sender, reply_to=reply_to), out.recipients)
            except DeliveryError as exc:
                journal.record(out.key, REFUSED if exc.permanent else FAILED, fields, exc.detail)
                (result.refused if exc.permanent else result.failed).append(
                    (out.customer_id, out.key, exc.detail)
                )
                in_a_row = 0 if exc.permanent else in_a_row + 1
                if exc.fatal:
                    result.stopped = exc.detail
                elif in_a_row >= STOP_AFTER_TEMPORARY:
                    result.stopped = (
                        f"the server turned away {in_a_row} messages in a row for now (last: {exc.detail})"
                    )
            else:
                in_a_row = 0
                journal.record(out.key, transport.status, fields, note)
                result.delivered.append(out.key)
        if progress is not None:
            progress("mail", number, len(todo))
    return result
