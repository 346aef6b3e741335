"""One outgoing message: who it is for, what it says, and its identity across runs.

The identity (`key`) is a hash of what the message is about — kind, customer, level,
currency, the set of invoices and the as-of date — so a run that is interrupted and
started again computes the same key and can see that the message already went out.
Header values come from the workbook, so each is forced onto one line and addresses are
validated before any header is built: a name with a newline cannot add a Bcc.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.encoders import encode_base64
from email.header import Header
from email.headerregistry import Address
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, parseaddr

from common.addresses import is_address

__all__ = ["Covered", "Outgoing", "build_email", "message_key", "parse_sender", "safe_filename"]


def parse_sender(text: str) -> Address:
    """mail_from as people write it, "ar@x.example" or "Accounts <ar@x.example>"; ValueError if unusable."""
    name, address = parseaddr(" ".join(str(text).split()))
    if not is_address(address):
        raise ValueError(f"{text!r} is not a valid sender address")
    return Address(display_name=name, addr_spec=address)


def message_key(
    kind: str, customer_id: str, level: int | None, currency: str, invoice_nos: Sequence[str], as_of: dt.date
) -> str:
    """A stable identity: the same message on a rerun gets the same key, any difference a new one."""
    material = "\x1f".join(
        [
            kind,
            customer_id,
            "" if level is None else str(level),
            currency,
            ";".join(sorted(invoice_nos)),
            as_of.isoformat(),
        ]
    )
    digest = hashlib.sha256(material.encode()).hexdigest()[:20]
    return f"{kind}-{safe_filename(customer_id, 24)}-{digest}"


def safe_filename(text: str, limit: int = 80) -> str:
    """Letters, digits, dot, dash and underscore only: no path, no header trick, no odd bytes."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "x"
    return cleaned[:limit]


@dataclass(frozen=True)
class Covered:
    """Another obligation one message meets, with its own MailLog row: the reminder that goes
    inside an overdue notice to the same customer on the same day."""

    key: str
    kind: str
    level: int | None
    amount: int  # cents
    invoice_nos: tuple[str, ...]


@dataclass(frozen=True)
class Outgoing:
    """A rendered message and the MailLog facts about it."""

    key: str
    kind: str  # statement, reminder, notice, report
    level: int | None
    customer_id: str
    customer_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    html: str
    text: str
    attachments: tuple[tuple[str, bytes], ...]
    amount: int  # cents
    invoice_nos: tuple[str, ...]
    as_of: dt.date
    inline_images: tuple[tuple[str, bytes], ...] = ()  # (content-id, PNG) shown inside the HTML
    covers: tuple[Covered, ...] = ()  # what else this message meets (journalled and logged each)

    @property
    def recipients(self) -> list[str]:
        return [*self.to, *self.cc]

    def log_fields(self) -> dict[str, object]:
        """The MailLog columns this message fills (MessageID, At, Status and Detail come later)."""
        return {
            "Kind": self.kind,
            "Level": self.level,
            "CustomerID": self.customer_id,
            "To": "; ".join(self.recipients),
            "Subject": self.subject,
            "Amount": self.amount,
            "InvoiceNos": ";".join(self.invoice_nos),
            "AsOf": self.as_of.isoformat(),
        }

    def obligations(self) -> list[tuple[str, dict[str, object]]]:
        """(MessageID, MailLog fields) of everything this message meets: itself, then what it covers."""
        fields = self.log_fields()
        return [(self.key, fields)] + [
            (
                c.key,
                {
                    **fields,
                    "Kind": c.kind,
                    "Level": c.level,
                    "Amount": c.amount,
                    "InvoiceNos": ";".join(c.invoice_nos),
                },
            )
            for c in self.covers
        ]


def build_email(out: Outgoing, *, sender: str, reply_to: str = "", now: dt.datetime | None = None) -> Message:
    """The MIME message: text and HTML alternatives (the HTML with its inline images), then the
    attachments; lines end in CRLF, as on the wire.

    Built with the standard library's `email.mime` classes, whose headers are stored as given
    and encoded once when written: about three times faster than `EmailMessage`, which parses
    every header on the way in and again on the way out. The safety is ours therefore: every
    header value here is one line (names and subject folded onto one), addresses were checked
    by `common.addresses.parse_addresses`/`parse_sender`, and non-ASCII text is RFC 2047 encoded.
    """
    origin = parse_sender(sender)
    body: Message = MIMEMultipart("alternative", policy=_WIRE)
    _attach(body, MIMEText(out.text, "plain", "utf-8", policy=_WIRE))
    html = MIMEText(out.html, "html", "utf-8", policy=_WIRE)
    if out.inline_images:
        related = MIMEMultipart("related", policy=_WIRE)
        _attach(related, html)
        for cid, png in out.inline_images:
            image = MIMEImage(png, "png", policy=_WIRE)
            image["Content-ID"] = f"<{safe_filename(cid)}>"
            _attach(related, image)
        html = related
    _attach(body, html)
    msg = body
    if out.attachments:
        msg = MIMEMultipart("mixed", policy=_WIRE)
        _attach(msg, body)
        for filename, data in out.attachments:
            kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            maintype, _, subtype = kind.partition("/")
            part = MIMEBase(maintype, subtype, policy=_WIRE)
            part.set_payload(data)
            encode_base64(part)
            part.add_header("Content-Disposition", "attachment", filename=safe_filename(filename))
            _attach(msg, part)
    msg["Message-ID"] = f"<{out.key}@{origin.domain}>"
    msg["Date"] = format_datetime((now or dt.datetime.now()).astimezone())
    msg["From"] = _mailbox(origin.display_name, origin.addr_spec)
    msg["To"] = ", ".join(_mailbox(out.customer_name, a) for a in out.to)
    if out.cc:
        msg["Cc"] = ", ".join(out.cc)
    if reply_to:
        answer = parse_sender(reply_to)
        msg["Reply-To"] = _mailbox(answer.display_name, answer.addr_spec)
    msg["Subject"] = _text_header(out.subject)
    return msg


_WIRE = compat32.clone(linesep="\r\n")


def _attach(parent: Message, part: Message) -> None:
    """Put `part` inside `parent`; MIME-Version belongs to the message only, not to each part."""
    del part["MIME-Version"]
    parent.attach(part)


def _mailbox(name: str, address: str) -> str:
    """`Name <address>` on one line, the name quoted or RFC 2047 encoded as it needs."""
    return formataddr((" ".join(name.split()), address), "utf-8")


def _text_header(text: str) -> str | Header:
    """A free-text header on one line; encoded (RFC 2047) only when it is not plain ASCII."""
    line = " ".join(text.split())
    return line if line.isascii() else Header(line, "utf-8")
