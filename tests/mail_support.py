"""Shared parts of the mail tests: a real SMTP server on 127.0.0.1 and hand-built ledger frames.

The server is aiosmtpd with a certificate signed by a test certificate authority made here
(cryptography, once per session), STARTTLS required and a login checked, so the client is
tested over the same encrypted, authenticated path it takes in production; it can also be
an SSL server, a plain relay, or one that takes OAuth2 (XOAUTH2) tokens. `script` lets a test make the server answer
a temporary or permanent refusal, or run an action (stop itself, kill the client) on a
given message.
"""

from __future__ import annotations

import atexit
import base64
import datetime as dt
import email
import email.policy
import functools
import ipaddress
import json
import shutil
import socket
import ssl
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import mailer

USER, PASSWORD = "ar@beispiel.example", "s3cret-pw"
SENDER = "ar@beispiel.example"


@functools.cache
def session_ca() -> tuple[Path, ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A certificate authority made once per test session: (PEM path, key, certificate)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "arbook test CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    path = Path(tempfile.mkdtemp(prefix="arbook-test-ca-")) / "ca.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    atexit.register(shutil.rmtree, path.parent, True)
    return path, key, cert


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A server certificate for 127.0.0.1 and localhost signed by the test CA: (chain file, key file).

    The chain file holds the server's certificate followed by the CA's, as servers are set up,
    so it also serves as a trust file for a client.
    """
    _, ca_key, ca_cert = session_ca()
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM)
    )
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """The server's mail handler: keeps accepted messages; `script[n]` overrides the n-th DATA reply."""

    def __init__(self) -> None:
        self.accepted: list[email.message.EmailMessage] = []
        self.attempts = 0
        self.script: dict[int, str | Callable[[], str | None]] = {}
        self.logins: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.attempts += 1
            action = self.script.get(self.attempts)
        if callable(action):
            action = action()
        if action:
            return action
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self.lock:
            self.accepted.append(msg)
        return "250 2.0.0 OK"

    def ids(self) -> list[str]:
        return [str(m["Message-ID"]).strip("<>").partition("@")[0] for m in self.accepted]


class OAuthRecorder(Recorder):
    """A handler that also takes AUTH XOAUTH2, as Microsoft 365 and Gmail do, checking user and token.

    `valid_tokens` are the access tokens the identity stand-in has issued; a refused token gets
    the provider's JSON challenge, then 535, as the real servers answer.
    """

    def __init__(self, user: str, valid_tokens: set[str]) -> None:
        super().__init__()
        self.user, self.valid_tokens = user, valid_tokens
        self.tokens: list[str] = []

    async def auth_XOAUTH2(self, server, args) -> AuthResult:
        fields = dict(
            part.split("=", 1) for part in base64.b64decode(args[1]).decode().split("\x01") if "=" in part
        )
        token = fields.get("auth", "").removeprefix("Bearer ")
        if fields.get("user") == self.user and token in self.valid_tokens:
            self.logins.append(self.user)
            self.tokens.append(token)
            return AuthResult(success=True)
        await server.challenge_auth(json.dumps({"status": "401", "schemes": "bearer"}))
        return AuthResult(success=False, handled=False, message="535 5.7.3 Authentication unsuccessful")


class SmtpServer:
    """A running aiosmtpd server.

    `tls`: "starttls" (port 587 style, required before login), "ssl" (465 style), or "none"
    (an internal relay: no TLS, no login). `oauth`: take XOAUTH2 with these tokens instead of
    the password login.
    """

    def __init__(
        self,
        directory: Path,
        tls: str = "starttls",
        port: int | None = None,
        *,
        oauth: set[str] | None = None,
    ) -> None:
        self.cert, self.key = (
            make_certificate(directory)
            if not (directory / "cert.pem").exists()
            else (directory / "cert.pem", directory / "key.pem")
        )
        self.tls = tls
        self.port = port or free_port()
        self.handler = Recorder() if oauth is None else OAuthRecorder(USER, oauth)
        self.controller: Controller | None = None

    def _auth(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            not isinstance(self.handler, OAuthRecorder)
            and isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == USER
            and auth_data.password.decode() == PASSWORD
        )
        if ok:
            self.handler.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535 itself

    def start(self) -> SmtpServer:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        common = {"hostname": "127.0.0.1", "port": self.port}
        login = {"authenticator": self._auth, "auth_required": True}
        if self.tls == "starttls":
            self.controller = Controller(
                self.handler, tls_context=context, require_starttls=True, **common, **login
            )
        elif self.tls == "ssl":
            self.controller = Controller(
                self.handler, ssl_context=context, auth_require_tls=False, **common, **login
            )  # TLS from byte 1
        else:
            self.controller = Controller(self.handler, **common)  # a relay: takes mail from the network
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(session_ca()[0]))

    def settings(self, **changes: object) -> mailer.SmtpSettings:
        base = {
            "host": "127.0.0.1",
            "port": self.port,
            "user": "" if self.tls == "none" else USER,
            "security": self.tls,
            "sender": SENDER,
            "rate_per_minute": 100_000,
            "ca_file": "",
            "auth": "password",
            "oauth_client_id": "",
            "oauth_tenant": "",
            "timeout": 5.0,
        }
        return mailer.SmtpSettings(**{**base, **changes})  # type: ignore[arg-type]

    def transport(self, **kwargs: object) -> mailer.SmtpTransport:
        return mailer.SmtpTransport(
            self.settings(),
            password=PASSWORD,
            ssl_context=self.client_context(),
            backoff_seconds=0.01,
            **kwargs,
        )  # type: ignore[arg-type]


def outgoing(n: int, *, as_of: dt.date = dt.date(2026, 11, 30), name: str = "Kunde") -> list[mailer.Outgoing]:
    """n small distinct messages (what compose produces, minus the rendering cost)."""
    return [
        mailer.Outgoing(
            key=mailer.message_key("notice", f"C{i:03d}", 1, "EUR", [f"R-{i}"], as_of),
            kind="notice",
            level=1,
            customer_id=f"C{i:03d}",
            customer_name=f"{name} {i}",
            to=(f"c{i}@kunde.example",),
            cc=(),
            subject=f"Zahlungserinnerung {i}",
            html=f"<p>Rechnung R-{i}</p>",
            text=f"Rechnung R-{i}\n",
            attachments=(),
            amount=1000 * i,
            invoice_nos=(f"R-{i}",),
            as_of=as_of,
        )
        for i in range(1, n + 1)
    ]


def customers_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """A Customers frame as Book.read returns it: contract columns, Excel row numbers as index."""
    cols = {
        "CustomerID": "",
        "Name": "",
        "Email": "",
        "CC": "",
        "Language": "",
        "Currency": "",
        "PaymentTermsDays": 30,
        "DunningBlocked": False,
        "Address": "",
        "ContactName": "",
    }
    frame = pd.DataFrame([{**cols, **r} for r in rows], index=range(2, len(rows) + 2))
    frame["PaymentTermsDays"] = frame["PaymentTermsDays"].astype("Int64")
    frame["DunningBlocked"] = frame["DunningBlocked"].astype(bool)
    return frame


def open_items_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Open items shaped like receivables.open_items (money Int64 cents, dates datetime64)."""
    base = {
        "InvoiceNo": "",
        "CustomerID": "",
        "Kind": "invoice",
        "InvoiceDate": None,
        "DueDate": None,
        "Amount": 0,
        "Paid": 0,
        "OpenAmount": None,
        "LastPaymentDate": None,
        "Disputed": False,
        "PromiseDate": None,
        "Currency": "EUR",
        "Reference": "",
    }
    full = []
    for r in rows:
        row = {**base, **r}
        if row["OpenAmount"] is None:
            row["OpenAmount"] = int(row["Amount"]) - int(row["Paid"])  # type: ignore[call-overload]
        full.append(row)
    frame = pd.DataFrame(full, columns=list(base))
    for col in ("InvoiceDate", "DueDate", "LastPaymentDate", "PromiseDate"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    for col in ("Amount", "Paid", "OpenAmount"):
        frame[col] = frame[col].astype("Int64")
    frame["Disputed"] = frame["Disputed"].astype(bool)
    return frame


def empty_mail_log() -> pd.DataFrame:
    return mailer.fold([], pd.DataFrame(columns=mailer.MAILLOG_COLUMNS))
