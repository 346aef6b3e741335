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

    A message that meets several obligations (`Outgoing.covers`) is journalled under each of
    their keys, and is done when all of them are.

    A message the server refuses for good is journalled `refused`; one not sent for now (after
    the transport's retries), or not attempted because the run stopped, `failed`. After
    `STOP_AFTER_TEMPORARY` messages in a row not sent for now, the run stops.
    """
    todo = list(messages)
    result = Delivery()
    in_a_row = 0
    for number, out in enumerate(todo, start=1):
        obligations = out.obligations()
        if all(key in done for key, _ in obligations):
            result.already_sent.append(out.key)
        elif result.stopped:
            _record(journal, obligations, FAILED, f"not attempted: {result.stopped}")
            result.failed.append((out.customer_id, out.key, f"not attempted: {result.stopped}"))
        else:
            _record(journal, obligations, "pending")
            try:
                note = transport.send(build_email(out, sender=sender, reply_to=reply_to), out.recipients)
            except DeliveryError as exc:
                _record(journal, obligations, REFUSED if exc.permanent else FAILED, exc.detail)
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
                _record(journal, obligations, transport.status, note)
                result.delivered.append(out.key)
        if progress is not None:
            progress("mail", number, len(todo))
    return result


def _record(
    journal: Journal, obligations: list[tuple[str, dict[str, object]]], status: str, detail: str = ""
) -> None:
    """Journal one event of a message for each obligation it meets; the ones it covers name the
    message they went in (its MessageID is the Message-ID the customer received)."""
    message = obligations[0][0]
    for key, fields in obligations:
        said = detail if key == message else "; ".join(filter(None, [f"in message {message}", detail]))
        journal.record(key, status, fields, said)
