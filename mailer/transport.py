"""Where messages go: the company's SMTP server (through yagmail), or an outbox folder.

Both take the same finished MIME message, so what the outbox previews is byte for byte
what SMTP would send (bar the Date header). The SMTP side encrypts always (STARTTLS on
the submission port, or SSL on 465, with certificate checks), paces itself to
`mail_rate_per_minute`, retries temporary (4xx) refusals and dropped connections with
growing pauses, and gives up on the rest of the run when the server cannot be reached or
refuses the login, rather than failing every remaining message the slow way.
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import keyring
import keyring.errors
import yagmail

from common.errors import MailError

from .message import safe_filename

__all__ = [
    "DeliveryError",
    "OutboxTransport",
    "SmtpSettings",
    "SmtpTransport",
    "Transport",
    "smtp_password",
]

PASSWORD_ENV = "ARBOOK_SMTP_PASSWORD"
KEYRING_SERVICE = "arbook"


class DeliveryError(MailError):
    """A message was not delivered. `fatal`: the next messages cannot go either (stop the run)."""

    def __init__(self, detail: str, *, fatal: bool = False) -> None:
        super().__init__(detail)
        self.detail, self.fatal = detail, fatal


class Transport(Protocol):
    status: str  # the MailLog Status of a delivered message: "sent" or "outbox"

    def send(self, message: EmailMessage, recipients: Sequence[str]) -> str:
        """Deliver or raise DeliveryError; returns a note for MailLog Detail ("" when none)."""
        ...

    def close(self) -> None: ...


class OutboxTransport:
    """Writes each message as `<key>.eml` in a folder, for preview (the default without --send)."""

    status = "outbox"

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def send(self, message: EmailMessage, recipients: Sequence[str]) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        key = str(message["Message-ID"]).strip("<>").partition("@")[0]
        target = self.directory / f"{safe_filename(key)}.eml"
        partial = target.with_suffix(".eml.part")
        partial.write_bytes(message.as_bytes())
        os.replace(partial, target)
        return target.name

    def close(self) -> None:
        """Nothing to release: every file is complete when send returns."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    starttls: bool  # True: STARTTLS on `port` (587); False: SSL from the first byte (465)
    sender: str  # the bare address, for the SMTP envelope
    rate_per_minute: int  # mail_rate_per_minute
    timeout: float = 30.0  # seconds to wait for the server before a message counts as not sent


def smtp_password(user: str) -> str:
    """The SMTP password: ARBOOK_SMTP_PASSWORD, else the keyring (service "arbook"); never the workbook."""
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    try:
        password = keyring.get_password(KEYRING_SERVICE, user)
    except keyring.errors.KeyringError:
        password = None
    if not password:
        raise MailError(
            f"no SMTP password for {user!r}: set the environment variable {PASSWORD_ENV}, "
            f"or store it with: keyring set {KEYRING_SERVICE} {user}"
        )
    return password


class SmtpTransport:
    """Sends through yagmail's SMTP connection, which it opens once and reopens when it drops."""

    status = "sent"

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        password: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        attempts: int = 4,
        backoff_seconds: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._password = (
            password if password is not None or not settings.user else smtp_password(settings.user)
        )
        self._context = ssl_context or ssl.create_default_context()
        self._attempts, self._backoff, self._sleep = attempts, backoff_seconds, sleep
        self._client: yagmail.SMTP | None = None
        self._last_send = float("-inf")

    def _connect(self) -> yagmail.SMTP:
        if self._client is None:
            s = self.settings
            extra = {} if s.starttls else {"context": self._context}
            client = yagmail.SMTP(
                user=s.user or s.sender,
                password=self._password,
                host=s.host,
                port=s.port,
                smtp_starttls={"context": self._context} if s.starttls else False,
                smtp_ssl=not s.starttls,
                smtp_skip_login=not s.user,
                soft_email_validation=False,
                timeout=s.timeout,
                **extra,
            )
            client.login()
            self._client = client
        return self._client

    def _pace(self) -> None:
        interval = 60.0 / max(self.settings.rate_per_minute, 1)
        wait = self._last_send + interval - time.monotonic()
        if wait > 0:
            self._sleep(wait)
        self._last_send = time.monotonic()

    def send(self, message: EmailMessage, recipients: Sequence[str]) -> str:
        last = ""
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(self._backoff * 2 ** (attempt - 1))
            self._pace()
            try:
                client = self._connect()
                refused = client.smtp.send_message(
                    message, from_addr=self.settings.sender, to_addrs=list(recipients)
                )
                return "; ".join(
                    f"refused {rcpt}: {code} {_text(err)}" for rcpt, (code, err) in refused.items()
                )
            except smtplib.SMTPAuthenticationError as exc:
                self._drop()
                raise DeliveryError(
                    f"login refused: {exc.smtp_code} {_text(exc.smtp_error)}", fatal=True
                ) from exc
            except smtplib.SMTPRecipientsRefused as exc:
                codes = {code for code, _ in exc.recipients.values()}
                last = "; ".join(
                    f"{rcpt}: {code} {_text(err)}" for rcpt, (code, err) in exc.recipients.items()
                )
                if not all(400 <= c < 500 for c in codes):
                    raise DeliveryError(f"recipient refused: {last}") from exc
            except smtplib.SMTPResponseException as exc:
                last = f"{exc.smtp_code} {_text(exc.smtp_error)}"
                if not 400 <= exc.smtp_code < 500:
                    self._reset()
                    raise DeliveryError(f"refused by the server: {last}") from exc
                self._reset()
            except ssl.SSLError as exc:
                self._drop()
                raise DeliveryError(f"TLS with {self.settings.host} failed: {exc}", fatal=True) from exc
            except (smtplib.SMTPException, OSError) as exc:
                self._drop()
                last = f"connection to {self.settings.host}:{self.settings.port} failed: {exc}"
        raise DeliveryError(
            f"gave up after {self._attempts} attempts: {last}", fatal=last.startswith("connection")
        )

    def _reset(self) -> None:
        """After a refused transaction, RSET so the next one starts clean; drop the line if that fails."""
        try:
            if self._client is not None:
                self._client.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        if self._client is not None:
            with contextlib.suppress(OSError):
                self._client.smtp.close()
        self._client = None

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(OSError):
                self._client.close()
        self._client = None


def _text(error: object) -> str:
    return error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
