"""The send loop: journal, transport, journal — so a restarted run sends each message once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .journal import Journal
from .message import Outgoing, build_email
from .transport import DeliveryError, Transport

__all__ = ["Delivery", "deliver"]


@dataclass
class Delivery:
    delivered: list[str] = field(default_factory=list)  # keys
    already_sent: list[str] = field(default_factory=list)  # skipped: a previous run sent them
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (customer, key, why)
    stopped: str = ""  # why the run gave up on the remaining messages, if it did


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
    """Send each message not in `done`, journalling before and after; never raises for one message."""
    todo = list(messages)
    result = Delivery()
    for number, out in enumerate(todo, start=1):
        fields = out.log_fields()
        if out.key in done:
            result.already_sent.append(out.key)
        elif result.stopped:
            journal.record(out.key, "failed", fields, f"not attempted: {result.stopped}")
            result.failed.append((out.customer_id, out.key, f"not attempted: {result.stopped}"))
        else:
            journal.record(out.key, "pending", fields)
            try:
                note = transport.send(build_email(out, sender=sender, reply_to=reply_to), out.recipients)
            except DeliveryError as exc:
                journal.record(out.key, "failed", fields, exc.detail)
                result.failed.append((out.customer_id, out.key, exc.detail))
                if exc.fatal:
                    result.stopped = exc.detail
            else:
                journal.record(out.key, transport.status, fields, note)
                result.delivered.append(out.key)
        if progress is not None:
            progress("mail", number, len(todo))
    return result
