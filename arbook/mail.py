"""Mail for the operations: what the mailer is told, where mail goes, and one batch of it.

`mailer` knows nothing of the workbook: it declares the small settings objects it needs
(`Company`, `SmtpSettings`), and they are built from the typed `Settings` here, once each.
`MailBatch` is what statements, notices and the month-end report share: the sender checked
before any work, the journal and MailLog read once, the messages sent (each journalled
before and after), the journal's outcomes folded into MailLog rows staged on the book, and
the delivery figures and notes every run reports in the same words. On a dry-run book the
journal is kept in memory, so a real run afterwards still sends everything.
"""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

import mailer
from common.errors import InputError, Problem
from mailer.transport import plain_relay_address
from workbook.book import Book
from workbook.contract import Settings

from .operation import NO_PROGRESS, Progress, Summary

__all__ = [
    "NOT_MAILED",
    "MailBatch",
    "company",
    "company_gaps",
    "default_outbox",
    "mail_sender",
    "month_outcomes",
    "reply_to",
    "report_undelivered",
    "require_sender",
    "smtp_settings",
    "transport_for",
]

NOT_MAILED = "not mailed: "  # the note for a customer without a usable address (the report lists them)
_PREVIEW_SENDER = "arbook@localhost.localdomain"


def company(settings: Settings) -> mailer.Company:
    """Who the statements and notices are from: name, address, e-mail and bank details."""
    return mailer.Company(
        name=settings.company_name,
        address=settings.company_address,
        email=settings.company_email,
        remit_to=settings.remit_to,
    )


_COMPANY_SETTINGS = {
    "company_name": "the mail names no sender (a subject ends in a dash)",
    "mail_from": f"mail goes out from {_PREVIEW_SENDER}",
    "company_address": "statements carry no sender address",
    "remit_to": "statements and notices carry no bank details to pay to",
}
_NEEDED_TO_SEND = ("company_name", "mail_from")


def company_gaps(settings: Settings) -> list[str]:
    """The company settings left empty, each with what the customers' mail then lacks.

    A new workbook has them all empty: `check` and every outbox preview say so, and
    `require_sender` refuses to send until the ones that identify the sender are set."""
    return [
        f"Settings {key} is empty: {effect}"
        + ("; --send is refused until it is set" if key in _NEEDED_TO_SEND else "")
        for key, effect in _COMPANY_SETTINGS.items()
        if not getattr(settings, key)
    ]


def require_sender(settings: Settings) -> None:
    """Refuse to send to customers before they can see who wrote (company_name, mail_from set)."""
    missing = [key for key in _NEEDED_TO_SEND if not getattr(settings, key)]
    if missing:
        raise InputError(
            [
                Problem(
                    "Settings",
                    None,
                    "Value",
                    f"{key}: expected a value before mail is sent; {_COMPANY_SETTINGS[key]}",
                )
                for key in missing
            ],
            "cannot send mail (an outbox preview without --send still runs)",
        )


def smtp_settings(settings: Settings) -> mailer.SmtpSettings:
    """The company's SMTP server; refuses what cannot work (or would not be safe) naming the Settings key to fix.

    `smtp_security` says how the line is encrypted; left blank, the older `smtp_starttls`
    decides (yes: starttls, no: ssl). When both are filled in, `smtp_security` wins.
    """
    problems: list[Problem] = []
    host, user, auth, ca_file = (
        settings.smtp_host,
        settings.smtp_user,
        settings.smtp_auth,
        settings.smtp_ca_file,
    )
    security = settings.smtp_security or ("starttls" if settings.smtp_starttls else "ssl")

    def refuse(message: str) -> None:
        problems.append(Problem("Settings", None, None, message))

    if not host:
        refuse("smtp_host: expected the outgoing mail server's name")
    sender = ""
    try:
        sender = mailer.parse_sender(settings.mail_from).addr_spec
    except ValueError as exc:
        refuse(f"mail_from: expected one sender address; {exc}")
    if security == "none":
        if user or auth != "password":
            refuse(
                "smtp_security: none sends everything unencrypted, a login too; a relay without "
                "encryption takes mail without one: leave smtp_user blank (smtp_auth password), "
                "or use starttls or ssl"
            )
        if host:
            try:
                plain_relay_address(host)
            except ValueError as exc:
                refuse(f"smtp_security: {exc}")
    elif ca_file:
        try:
            ssl.create_default_context(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            refuse(f"smtp_ca_file: expected a PEM file of certificate authorities, {ca_file!r}: {exc}")
    if auth != "password" and not user:
        refuse(f"smtp_user: expected the mailbox that signs in to {auth} (smtp_auth {auth})")
    if problems:
        raise InputError(problems, "cannot send mail")
    return mailer.SmtpSettings(
        host=host,
        port=settings.smtp_port,
        user=user,
        security=security,  # type: ignore[arg-type]
        sender=sender,
        rate_per_minute=settings.mail_rate_per_minute,
        ca_file=ca_file,
        auth=auth,  # type: ignore[arg-type]
        oauth_client_id=settings.smtp_oauth_client_id,
        oauth_tenant=settings.smtp_oauth_tenant,
    )


def default_outbox(workbook: Path) -> Path:
    """Where previews go when no outbox is named: the folder `outbox/` beside the workbook."""
    return workbook.parent / "outbox"


def transport_for(book: Book, *, send: bool, outbox: Path | None) -> mailer.Transport:
    """SMTP from the Settings table (password from keyring or ARBOOK_SMTP_PASSWORD) when sending
    on a book that is not a dry run; otherwise `.eml` files in `outbox` (by default beside it)."""
    if send and not book.dry_run:
        return mailer.SmtpTransport(smtp_settings(book.settings()))
    return mailer.OutboxTransport(outbox or default_outbox(book.path))


def mail_sender(settings: Settings) -> str:
    """mail_from, else company_email (an outbox preview works before mail is set up); checked first."""
    for key, text in (("mail_from", settings.mail_from), ("company_email", settings.company_email)):
        if text:
            return _checked_address(key, text)
    return _PREVIEW_SENDER


def reply_to(settings: Settings) -> str:
    text = settings.mail_reply_to
    return _checked_address("mail_reply_to", text) if text else ""


def _checked_address(key: str, text: str) -> str:
    try:
        mailer.parse_sender(text)
    except ValueError as exc:
        raise InputError(Problem("Settings", None, "Value", f"{key}: {exc}")) from None
    return text


class MailBatch:
    """One run's mail on one book; made before any work, so a bad sender is refused first."""

    def __init__(self, book: Book, transport: mailer.Transport, resend: Sequence[str] = ()) -> None:
        settings = book.settings()
        self.resend = _known_customers(book, resend)
        self.sender, self.reply_to = mail_sender(settings), reply_to(settings)
        self.book, self.transport = book, transport
        self.journal = _journal(book)
        self.gaps = company_gaps(settings)
        self.mail_log = book.read("MailLog")
        self.rows_added = 0
        self.resends: dict[str, str] = {}  # key -> customer of each re-send this run made

    def history(self) -> pd.DataFrame:
        """MailLog as if every earlier run had ended cleanly (what was sent, to decide what is due)."""
        return mailer.mail_history(self.journal, self.mail_log)

    def send(
        self, messages: Sequence[mailer.Outgoing], scope: mailer.Scope, progress: Progress = NO_PROGRESS
    ) -> mailer.Delivery:
        """Send what no earlier run sent, and again what went to the customers to re-send to (as new
        messages, `mailer.resends`); stage the MailLog rows the journal has and MailLog lacks.

        `messages` are all the run owes in `scope`: an earlier unsent message in it that they do
        not include is recorded `superseded` (the workbook changed since), not owed again."""
        delivered = tuple({"sent", self.transport.status})
        messages = mailer.resends(messages, self.history(), self.resend, delivered)
        self.resends = {m.key: m.customer_id for m in messages if m.kind.endswith(mailer.RESEND)}
        delivery, rows = mailer.send_and_fold(
            messages,
            self.transport,
            self.journal,
            self.mail_log,
            sender=self.sender,
            reply_to=self.reply_to,
            scope=scope,
            progress=progress,
        )
        self._stage(rows)
        return delivery

    def report(
        self,
        summary: Summary,
        delivery: mailer.Delivery,
        unreachable: Sequence[mailer.Unreachable],
        as_of: dt.date,
    ) -> None:
        """Log who could not be mailed, and the figures and notes every mailing run reports, in the same words."""
        self._stage(self._not_mailed(unreachable, as_of))
        outcome = "sent" if self.transport.status == "sent" else "written to outbox"
        summary.figures[outcome] = len(delivery.delivered)
        summary.figures["already sent earlier"] = len(delivery.already_sent)
        if self.resend:
            summary.figures["re-sent"] = sum(key in self.resends for key in delivery.delivered)
            quiet = sorted(set(self.resend) - set(self.resends.values()))
            if quiet:
                summary.notes.append(
                    f"no re-send to {', '.join(quiet)}: none of this run's messages to them had gone out "
                    "before (what was due went as usual; a notice is re-sent by a run --as-of the day it "
                    "was sent for, its MailLog AsOf)"
                )
        summary.figures["not sent yet"] = len(delivery.failed)
        summary.figures["refused"] = len(delivery.refused)
        summary.figures["without usable e-mail"] = len(unreachable)
        summary.figures["MailLog rows added"] = self.rows_added
        summary.notes += [NOT_MAILED + str(why) for why in unreachable]
        if delivery.delivered:
            summary.notes += [f"warning: {gap}" for gap in self.gaps]
        report_undelivered(summary, delivery)

    def _not_mailed(self, unreachable: Sequence[mailer.Unreachable], as_of: dt.date) -> pd.DataFrame:
        """MailLog rows for customers owed mail without a usable address, once per kind, customer and month."""
        logged = set(self.history()["MessageID"].astype(str))
        at = dt.datetime.now().replace(microsecond=0)
        rows: dict[str, dict[str, object]] = {}
        for who in unreachable:
            key = mailer.message_key(who.kind, who.customer_id, None, "", (), as_of)
            if key not in logged:
                rows[key] = {
                    "MessageID": key,
                    "At": at,
                    "Kind": who.kind,
                    "CustomerID": who.customer_id,
                    "AsOf": as_of,
                    "Status": mailer.NOT_MAILED,
                    "Detail": who.why,
                }
        return mailer.log_frame(list(rows.values()))

    def _stage(self, rows: pd.DataFrame) -> None:
        self.book.append("MailLog", rows)
        self.rows_added += len(rows)
        self.mail_log = pd.concat([self.mail_log, rows], ignore_index=True) if len(rows) else self.mail_log


def _known_customers(book: Book, wanted: Sequence[str]) -> frozenset[str]:
    """The customers to re-send to, each checked to be in Customers (a typo must not pass unnoticed)."""
    if not wanted:
        return frozenset()
    known = set(book.read("Customers")["CustomerID"])
    unknown = [cid for cid in wanted if cid not in known]
    if unknown:
        raise InputError(
            [
                Problem(
                    "Customers",
                    None,
                    "CustomerID",
                    f"expected a customer {cid!r} to re-send to; there is none",
                )
                for cid in unknown
            ]
        )
    return frozenset(wanted)


_REFUSED_ADVICE = (
    "a refused message is tried again, and reported, by every run of this month until it goes out: fix "
    "what was refused (the address in Customers Email/CC, or mail_from in Settings) and run the same "
    "command again, or write 'given up' over 'refused' in its MailLog Status to stop it"
)


def _journal(book: Book) -> mailer.Journal:
    """The book's mail journal (kept in memory for a dry run's new events)."""
    return mailer.Journal(mailer.journal_path(book.path), durable=not book.dry_run)


def month_outcomes(book: Book, as_of: dt.date, *, send: bool) -> pd.DataFrame:
    """One outcome per message of the month (`mailer.message_outcomes`), from MailLog and the
    journal; with `send`, only what a server took counts as delivered (an outbox preview does not)."""
    history = mailer.mail_history(_journal(book), book.read("MailLog"))
    return mailer.message_outcomes(history, as_of=as_of, delivered=("sent",) if send else mailer.DELIVERED)


def report_undelivered(summary: Summary, delivery: mailer.Delivery) -> None:
    """What did not go out, in the same words for every mailing step: refused for good (and what a
    person can do), superseded (by this run, once), not sent yet (and what sends it); not ok when
    refused or not sent, not complete while mail is owed."""
    summary.notes += [f"refused: {cid or 'report'} ({key}): {why}" for cid, key, why in delivery.refused]
    if delivery.superseded:
        summary.figures["superseded"] = len(delivery.superseded)
        summary.notes += [
            f"superseded: {cid or 'report'} ({key}): {why}" for cid, key, why in delivery.superseded
        ]
    if delivery.refused:
        summary.notes.append(_REFUSED_ADVICE)
    summary.notes += _not_sent_notes(delivery.failed, delivery.stopped)
    summary.ok = not delivery.failed and not delivery.refused
    summary.complete = delivery.complete


def _not_sent_notes(failed: Sequence[tuple[str, str, str]], stopped: str, shown: int = 5) -> list[str]:
    """What was not sent for now, in a few lines however many messages it is, and what sends it."""
    if not failed:
        return []
    notes = [f"not sent yet: {cid} ({key}): {why}" for cid, key, why in failed[:shown]]
    if len(failed) > shown:
        notes.append(f"not sent yet: {len(failed) - shown} more")
    reason = f" (sending stopped: {stopped})" if stopped else ""
    notes.append(
        f"{len(failed)} message(s) not sent yet{reason}: they go out when you run the same command again"
    )
    return notes
