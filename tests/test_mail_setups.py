"""The README's four mail setups, each sending a real statement through a real local server.

A statement is composed (mailer.compose_statements: HTML body, text, PDF attached) and
delivered (mailer.deliver) through a transport built from the Settings as a workbook holds
them (SmtpSettings.from_settings), to aiosmtpd on 127.0.0.1: login over STARTTLS or SSL; an
internal relay without login or TLS; a server whose certificate comes from a company CA
given in smtp_ca_file; OAuth2 (XOAUTH2) for Microsoft 365 and Google Workspace, signed in
against a local stand-in of each provider's token service, the server checking the token.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import keyring
import pytest

import mailer
from common.errors import InputError
from mailer.oauth import sign_in, token_source
from mailer.transport import plain_relay_address
from tests.mail_support import PASSWORD, SENDER, USER, SmtpServer, session_ca
from tests.oauth_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    TENANT,
    IdentityStandIn,
    MemoryKeyring,
    register_test_browser,
)
from tests.test_mail_statement import build, ledger

COMPANY = mailer.Company(
    "Beispiel AG", "Industriestr. 1\n70173 Stuttgart", SENDER, "IBAN DE89 3704 0044 0532 0130 00"
)


@pytest.fixture(scope="module")
def statement() -> list[mailer.Outgoing]:
    statements = [s for s in build() if s.customer_id == "C001"][:1]  # its EUR statement
    composed = mailer.compose_statements(statements, ledger()[0], mailer.TemplateBook(), company=COMPANY)
    assert [m.customer_id for m in composed.messages] == ["C001"]
    return composed.messages


@pytest.fixture
def server(request, tmp_path):
    """The SMTP server of the test's kind: parametrised with (tls, oauth tokens or None)."""
    tls, oauth = getattr(request, "param", ("starttls", None))
    running = SmtpServer(tmp_path, tls=tls, oauth=oauth).start()
    yield running
    running.stop()


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def identity(tmp_path, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(session_ca()[0]))
    (tmp_path / "idp").mkdir()
    stand_in = IdentityStandIn(tmp_path / "idp").start()
    yield stand_in
    stand_in.stop()


def workbook_settings(server: SmtpServer, **given: object) -> mailer.SmtpSettings:
    """SmtpSettings from a Settings table holding `given` (typed as Book.settings returns them)."""
    values = {
        "smtp_host": "127.0.0.1",
        "smtp_port": server.port,
        "mail_from": f"AR Team <{SENDER}>",
        "mail_rate_per_minute": 100_000,
        **given,
    }
    return mailer.SmtpSettings.from_settings(values)


def send(messages: list[mailer.Outgoing], transport: mailer.Transport, tmp_path: Path) -> mailer.Delivery:
    journal = mailer.Journal(tmp_path / "Book.mail-journal.jsonl")
    try:
        return mailer.deliver(messages, transport, journal, done=set(), sender=SENDER)
    finally:
        transport.close()


def assert_statement_arrived(server: SmtpServer, sent: mailer.Outgoing) -> None:
    [got] = server.handler.accepted
    assert got["X-Envelope-To"] == "ap@mueller.example"
    assert got["Subject"] == sent.subject
    [pdf] = [p for p in got.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf.get_content() == sent.attachments[0][1]


# -- 1. login with a password over STARTTLS (587) or SSL (465) --------------------------------------
@pytest.mark.parametrize(
    ("server", "given"),
    [
        (("starttls", None), {}),
        (("ssl", None), {"smtp_security": "ssl"}),
        (("ssl", None), {"smtp_starttls": False}),
    ],
    indirect=["server"],
    ids=["starttls", "ssl", "ssl-by-old-smtp_starttls"],
)
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # aiosmtpd can't see SSL
def test_password_login_over_tls_sends_a_statement(server, given, statement, tmp_path, monkeypatch):
    monkeypatch.setenv("ARBOOK_SMTP_PASSWORD", PASSWORD)
    settings = workbook_settings(server, smtp_user=USER, **given)
    assert settings.security == server.tls and settings.auth == "password"
    result = send(statement, mailer.SmtpTransport(settings, ssl_context=server.client_context()), tmp_path)
    assert result.delivered == [statement[0].key] and not result.failed
    assert server.handler.logins == [USER]
    assert_statement_arrived(server, statement[0])


def test_smtp_security_wins_over_the_old_smtp_starttls():
    given = {"smtp_host": "mail.example", "mail_from": SENDER, "smtp_starttls": False}
    assert mailer.SmtpSettings.from_settings({**given, "smtp_security": "starttls"}).security == "starttls"
    assert mailer.SmtpSettings.from_settings(given).security == "ssl"
    assert mailer.SmtpSettings.from_settings({**given, "smtp_starttls": True}).security == "starttls"


# -- 2. an internal relay: no TLS, no login, only on a private network or loopback ------------------
@pytest.mark.parametrize("server", [("none", None)], indirect=True)
def test_internal_relay_without_login_sends_a_statement(server, statement, tmp_path):
    settings = workbook_settings(server, smtp_security="none")
    result = send(statement, mailer.SmtpTransport(settings), tmp_path)
    assert result.delivered == [statement[0].key] and not result.failed
    assert server.handler.logins == []
    assert_statement_arrived(server, statement[0])


def test_no_encryption_is_refused_for_a_public_address_or_with_a_login():
    with pytest.raises(InputError) as refused:
        mailer.SmtpSettings.from_settings(
            {"smtp_host": "8.8.8.8", "mail_from": SENDER, "smtp_security": "none"}
        )
    assert str(refused.value) == (
        "cannot send mail: 1 problem(s); nothing was written\n"
        "  - Settings: smtp_security: none (no encryption) is allowed only for a relay on a private "
        "network or loopback, and 8.8.8.8 is a public address: mail to it would cross networks others "
        "can read; use starttls or ssl"
    )
    with pytest.raises(InputError, match="smtp_security: none sends everything unencrypted, a login too"):
        mailer.SmtpSettings.from_settings(
            {"smtp_host": "10.1.2.3", "mail_from": SENDER, "smtp_security": "none", "smtp_user": USER}
        )
    relay = mailer.SmtpSettings.from_settings(
        {"smtp_host": "192.168.10.5", "mail_from": SENDER, "smtp_security": "none"}
    )
    assert (relay.security, relay.user) == ("none", "")
    assert plain_relay_address("localhost") in {"127.0.0.1", "::1"}


# -- 3. a company certificate authority (smtp_ca_file) ---------------------------------------------
def test_company_ca_in_smtp_ca_file_sends_a_statement(server, statement, tmp_path):
    settings = workbook_settings(server, smtp_user=USER, smtp_ca_file=str(session_ca()[0]))
    result = send(statement, mailer.SmtpTransport(settings, password=PASSWORD), tmp_path)
    assert result.delivered == [statement[0].key] and not result.failed
    assert_statement_arrived(server, statement[0])


def test_without_the_company_ca_the_certificate_is_refused_and_the_message_says_what_to_set(
    server, statement, tmp_path
):
    settings = workbook_settings(server, smtp_user=USER)  # the system's authorities only
    result = send(statement, mailer.SmtpTransport(settings, password=PASSWORD), tmp_path)
    [(_, _, why)] = result.failed
    assert why.startswith("TLS with 127.0.0.1 failed: [SSL: CERTIFICATE_VERIFY_FAILED]")
    assert why.endswith("set smtp_ca_file to that authority's PEM file")
    assert server.handler.accepted == []


def test_a_ca_file_that_is_no_certificate_is_refused(tmp_path):
    (tmp_path / "ca.pem").write_text("not a certificate\n")
    for ca_file in (str(tmp_path / "ca.pem"), str(tmp_path / "missing.pem")):
        with pytest.raises(InputError, match=r"smtp_ca_file: expected a PEM file of certificate authorities"):
            mailer.SmtpSettings.from_settings(
                {"smtp_host": "h.example", "mail_from": SENDER, "smtp_ca_file": ca_file}
            )


# -- 4. OAuth2 (XOAUTH2): Microsoft 365 and Google Workspace ----------------------------------------
@pytest.fixture
def oauth_server(tmp_path, identity):
    """An SMTP server that takes XOAUTH2 with the access tokens the identity stand-in issued."""
    (tmp_path / "smtp").mkdir()
    running = SmtpServer(tmp_path / "smtp", oauth=identity.access_tokens).start()
    yield running
    running.stop()


def test_microsoft_365_oauth2_sends_a_statement(identity, oauth_server, memory_keyring, statement, tmp_path):
    settings = workbook_settings(
        oauth_server,
        smtp_user=USER,
        smtp_auth="microsoft",
        smtp_oauth_client_id=CLIENT_ID,
        smtp_oauth_tenant=TENANT,
    )
    account = dataclasses.replace(settings.oauth_account(), login_url=identity.url)
    shown: list[str] = []
    sign_in(account, show=shown.append, ask_secret=_no_secret_asked)
    assert shown == [
        "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter "
        "the code B7XQ-2KPM to authenticate."
    ]
    transport = mailer.SmtpTransport(
        settings, tokens=token_source(account), ssl_context=oauth_server.client_context()
    )
    result = send(statement, transport, tmp_path)
    assert result.delivered == [statement[0].key] and not result.failed
    assert oauth_server.handler.tokens == ["access-2"]  # issued for the refresh token sign-in stored
    assert_statement_arrived(oauth_server, statement[0])


def test_google_workspace_oauth2_sends_a_statement(
    identity, oauth_server, memory_keyring, statement, tmp_path
):
    settings = workbook_settings(
        oauth_server, smtp_user=USER, smtp_auth="google", smtp_oauth_client_id=CLIENT_ID
    )
    account = dataclasses.replace(settings.oauth_account(), login_url=identity.url)
    sign_in(account, show=_nothing_shown, ask_secret=lambda _: CLIENT_SECRET, browser=register_test_browser())
    transport = mailer.SmtpTransport(
        settings, tokens=token_source(account), ssl_context=oauth_server.client_context()
    )
    result = send(statement, transport, tmp_path)
    assert result.delivered == [statement[0].key] and not result.failed
    assert oauth_server.handler.tokens == ["access-3"]  # not the sign-in's access-2: the run refreshed
    assert_statement_arrived(oauth_server, statement[0])


def _no_secret_asked(prompt: str) -> str:
    raise AssertionError(f"Microsoft's device flow needs no client secret, yet was asked: {prompt}")


def _nothing_shown(text: str) -> None:
    raise AssertionError(f"Google's sign-in opens a browser; nothing to show, yet got: {text}")
