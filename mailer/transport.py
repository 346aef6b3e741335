"""Where messages go: the company's mail server over SMTP, or an outbox folder.

Both take the same finished MIME message, so what the outbox previews is byte for byte
what SMTP would send (bar the Date header). The SMTP side encrypts unless told the server is
an internal relay (STARTTLS on the submission port, or SSL on 465, certificates checked against
the system's authorities or the company's own), logs in with a password or an OAuth2 token
(XOAUTH2, for Microsoft 365 and Google Workspace) and paces itself to `mail_rate_per_minute`.

What becomes of a message the server does not take (the retry policy):
- a dropped line is opened again at once and the message sent again (the server may have
  stored it without our seeing its 250: then it arrives twice, with the same Message-ID);
- a temporary refusal (4xx), a timeout or a line that cannot be opened is tried again after
  growing pauses (`backoff_seconds`, doubling), `attempts` times in all; then the message is
  "not sent for now" (DeliveryError, not permanent): the next run sends it again;
- a permanent refusal (5xx) of its recipients or its content is final for this run
  (DeliveryError, permanent): retrying at once cannot help; a later run tries it again;
- what no message can get past (the server cannot be reached, its certificate is not
  trusted, the login or the sender address is refused) stops the run (DeliveryError, fatal):
  the remaining messages are not attempted, rather than failed one by one the slow way.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Literal, Protocol

import keyring
import keyring.errors

from common.errors import MailError

from .message import safe_filename
from .oauth import RELOGIN, OAuthAccount, TokenSource, token_source

__all__ = [
    "DeliveryError",
    "OutboxTransport",
    "SmtpSettings",
    "SmtpTransport",
    "Transport",
    "plain_relay_address",
    "smtp_password",
]

PASSWORD_ENV = "ARBOOK_SMTP_PASSWORD"
KEYRING_SERVICE = "arbook"
Security = Literal["starttls", "ssl", "none"]
Auth = Literal["password", "microsoft", "google"]


class DeliveryError(MailError):
    """A message was not delivered.

    `permanent`: the server refused this message for good (5xx for its recipients or its
    content); otherwise it was not sent for now (temporary refusal, timeout, dropped line) and
    is owed to the next run. `fatal`: the next messages cannot go either (stop the run); a fatal
    error is never the message's own fault, so it is never permanent.
    """

    def __init__(self, detail: str, *, fatal: bool = False, permanent: bool = False) -> None:
        super().__init__(detail)
        self.detail, self.fatal, self.permanent = detail, fatal, permanent and not fatal


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
    security: (
        Security  # starttls: STARTTLS on `port` (587); ssl: TLS from the first byte (465); none: a relay
    )
    sender: str  # the bare address, for the SMTP envelope
    rate_per_minute: int  # mail_rate_per_minute
    ca_file: str  # PEM file of the company's certificate authority; blank: the system's authorities
    auth: Auth
    oauth_client_id: str
    oauth_tenant: str
    timeout: float = 30.0  # seconds to wait for the server before a message counts as not sent

    def tls_context(self) -> ssl.SSLContext:
        """Certificates checked against the system's authorities, or only the company's (smtp_ca_file)."""
        return ssl.create_default_context(cafile=self.ca_file or None)

    def oauth_account(self) -> OAuthAccount:
        return OAuthAccount(self.auth, self.user, self.oauth_client_id, self.oauth_tenant)  # type: ignore[arg-type]


def plain_relay_address(host: str) -> str:
    """The address to reach `host` without encryption: allowed only on a private network or loopback.

    Unencrypted mail (statements, amounts, customers' names) can be read and changed by anyone
    on the path; on the office's own network to its own relay that path is the company's, on
    the internet it is not. The check is on every address the name resolves to, and the
    connection goes to the address checked, so a name cannot point elsewhere in between.
    """
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ValueError(f"the relay {host!r} cannot be found: {exc}") from None
    addresses = sorted({str(info[4][0]) for info in found})
    public = [a for a in addresses if not _on_own_network(a)]
    if public:
        at = "" if public == [host] else f" (at {', '.join(public)})"
        raise ValueError(
            "none (no encryption) is allowed only for a relay on a private network or loopback, and "
            f"{host}{at} is a public address: mail to it would cross networks others can read; "
            "use starttls or ssl"
        )
    return addresses[0]


def _on_own_network(address: str) -> bool:
    ip = ipaddress.ip_address(address.partition("%")[0])
    return ip.is_loopback or (ip.is_private and not ip.is_unspecified)


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


Login = Callable[[smtplib.SMTP], None]


def _login_for(settings: SmtpSettings, password: str | None, tokens: TokenSource | None) -> Login | None:
    """How this transport proves who it is: a password, an OAuth2 token, or not at all (a relay)."""
    if settings.auth == "password":
        if not settings.user:
            return None
        secret = password if password is not None else smtp_password(settings.user)
        return lambda smtp: smtp.login(settings.user, secret)  # type: ignore[func-returns-value]
    source = tokens or token_source(settings.oauth_account())
    return lambda smtp: _xoauth2(smtp, settings.user, source.access_token())


def _xoauth2(smtp: smtplib.SMTP, user: str, token: str) -> None:
    """AUTH XOAUTH2 (the SASL mechanism Microsoft and Google take): user and bearer token in one line."""
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    first = f"user={user}\x01auth=Bearer {token}\x01\x01"
    # On a refused token the server sends its reason as a challenge; the empty answer ends the exchange.
    smtp.auth("XOAUTH2", lambda challenge=None: first if challenge is None else "", initial_response_ok=True)


class SmtpTransport:
    """Sends over one SMTP connection, which it opens (and logs in) once and reopens when it drops."""

    status = "sent"

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        password: str | None = None,
        tokens: TokenSource | None = None,
        ssl_context: ssl.SSLContext | None = None,
        attempts: int = 4,
        backoff_seconds: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._login = _login_for(settings, password, tokens)
        self._context = ssl_context or settings.tls_context()
        self._attempts, self._backoff, self._sleep = attempts, backoff_seconds, sleep
        self._smtp: smtplib.SMTP | None = None
        self._last_send = float("-inf")

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is None:
            s = self.settings
            if s.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=self._context
                )
            elif s.security == "starttls":
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            else:
                try:
                    address = plain_relay_address(s.host)
                except ValueError as exc:
                    raise MailError(f"smtp_security: {exc}") from None
                smtp = smtplib.SMTP(address, s.port, timeout=s.timeout)
            try:
                if s.security == "starttls":
                    smtp.starttls(context=self._context)
                if self._login is not None:
                    self._login(smtp)
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def _pace(self) -> None:
        interval = 60.0 / max(self.settings.rate_per_minute, 1)
        wait = self._last_send + interval - time.monotonic()
        if wait > 0:
            self._sleep(wait)
        self._last_send = time.monotonic()

    def send(self, message: EmailMessage, recipients: Sequence[str]) -> str:
        """Deliver `message` (see the module doc for what happens when the server does not take it)."""
        last = ""
        where = f"{self.settings.host}:{self.settings.port}"
        pause = 0.0
        for attempt in range(self._attempts):
            if attempt and pause:
                self._sleep(pause)
            pause = self._backoff * 2**attempt
            self._pace()
            connected = False
            try:
                smtp = self._connect()
                connected = True
                refused = smtp.send_message(
                    message, from_addr=self.settings.sender, to_addrs=list(recipients)
                )
                return "; ".join(
                    f"refused {rcpt}: {code} {_text(err)}" for rcpt, (code, err) in refused.items()
                )
            except MailError as exc:  # no usable sign-in (token expired, revoked, missing)
                self._drop()
                raise DeliveryError(str(exc), fatal=True) from exc
            except smtplib.SMTPAuthenticationError as exc:
                self._drop()
                raise DeliveryError(
                    f"login refused: {exc.smtp_code} {_text(exc.smtp_error)}{_login_hint(self.settings)}",
                    fatal=True,
                ) from exc
            except smtplib.SMTPNotSupportedError as exc:
                self._drop()
                raise DeliveryError(
                    f"{where} cannot be used as set: {exc} {_security_hint(exc)}", fatal=True
                ) from exc
            except smtplib.SMTPRecipientsRefused as exc:
                codes = {code for code, _ in exc.recipients.values()}
                last = "; ".join(
                    f"{rcpt}: {code} {_text(err)}" for rcpt, (code, err) in exc.recipients.items()
                )
                if not all(400 <= c < 500 for c in codes):
                    raise DeliveryError(f"recipient refused: {last}", permanent=True) from exc
            except smtplib.SMTPSenderRefused as exc:
                last = f"{exc.smtp_code} {_text(exc.smtp_error)}"
                self._reset()
                if not 400 <= exc.smtp_code < 500:
                    raise DeliveryError(
                        f"the server refuses the sender {self.settings.sender}: {last}; check mail_from "
                        "(and that smtp_user may send as that address)",
                        fatal=True,
                    ) from exc
            except smtplib.SMTPResponseException as exc:
                last = f"{exc.smtp_code} {_text(exc.smtp_error)}"
                self._reset()
                if not 400 <= exc.smtp_code < 500:
                    raise DeliveryError(f"refused by the server: {last}", permanent=True) from exc
            except ssl.SSLError as exc:
                self._drop()
                raise DeliveryError(
                    f"TLS with {self.settings.host} failed: {exc}{_ca_hint(exc)}", fatal=True
                ) from exc
            except (smtplib.SMTPException, OSError) as exc:
                self._drop()
                last = f"connection to {where} failed: {exc}"
                if connected and isinstance(exc, smtplib.SMTPServerDisconnected):
                    pause = 0.0  # the line was open and dropped: open it again at once
        raise DeliveryError(
            f"gave up after {self._attempts} attempts: {last}", fatal=last.startswith("connection")
        )

    def _reset(self) -> None:
        """After a refused transaction, RSET so the next one starts clean; drop the line if that fails."""
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError):
                self._smtp.close()
        self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._smtp.close()
        self._smtp = None


def _login_hint(settings: SmtpSettings) -> str:
    if settings.auth == "microsoft":
        return (
            "; Microsoft 365 refuses OAuth2 where SMTP AUTH is switched off for the mailbox or the "
            "tenant (Exchange admin centre: Authenticated SMTP)"
        )
    if settings.auth == "google":
        return f"; the token was refused: sign in again with: {RELOGIN}"
    return ""


def _security_hint(exc: smtplib.SMTPNotSupportedError) -> str:
    if "STARTTLS" in str(exc):
        return (
            "(smtp_security starttls); a server that encrypts from the first byte needs ssl "
            "(usually port 465), an internal relay without encryption none"
        )
    return "(it offers no login: leave smtp_user blank for a relay that takes mail without one)"


def _ca_hint(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            "; if the server's certificate comes from your company's own certificate authority, "
            "set smtp_ca_file to that authority's PEM file"
        )
    return ""


def _text(error: object) -> str:
    return error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
