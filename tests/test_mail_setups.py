"""The README's four mail setups, each sending a real statement through a real local server.

A statement is composed (mailer.compose_statements: HTML body, text, PDF attached) and
delivered (mailer.deliver) through a transport built from the Settings as a workbook holds
them (arbook.mail.smtp_settings), to aiosmtpd on 127.0.0.1: login over STARTTLS or SSL; an
internal relay without login or TLS; a server whose certificate comes from a company CA
given in smtp_ca_file. The fourth, OAuth2, is in test_mail_oauth.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import mailer
from arbook.mail import smtp_settings
from common.errors import InputError
from mailer.transport import plain_relay_address
from tests.mail_support import PASSWORD, SENDER, USER, SmtpServer, session_ca
from tests.test_mail_statement import build, ledger
from workbook.contract import Settings

COMPANY = mailer.Company(
    "Beispiel AG", "Industriestr. 1\n70173 Stuttgart", SENDER, "IBAN DE89 3704 0044 0532 0130 00"
)


def one_statement() -> list[mailer.Outgoing]:
    """Müller GmbH's EUR statement, composed as `arbook statements` composes it."""
    statements = [s for s in build() if s.customer_id == "C001"][:1]
    composed = mailer.compose_statements(
        statements, ledger()[0], mailer.TemplateBook(), company=COMPANY, default_locale="en", pdf_font=""
    )
    assert [m.customer_id for m in composed.messages] == ["C001"]
    return composed.messages


@pytest.fixture(scope="module")
def statement() -> list[mailer.Outgoing]:
    return one_statement()


@pytest.fixture
def server(request, tmp_path):
    """The SMTP server of the test's kind: parametrised with (tls, oauth tokens or None)."""
    tls, oauth = getattr(request, "param", ("starttls", None))
    running = SmtpServer(tmp_path, tls=tls, oauth=oauth).start()
    yield running
    running.stop()


def workbook_settings(server: SmtpServer, **given: object) -> mailer.SmtpSettings:
    """SmtpSettings from a Settings table holding `given` (typed as Book.settings returns them)."""
    values = {
        "smtp_host": "127.0.0.1",
        "smtp_port": server.port,
        "mail_from": f"AR Team <{SENDER}>",
        "mail_rate_per_minute": 100_000,
        **given,
    }
    return smtp_settings_of(values)


def smtp_settings_of(values: dict[str, object]) -> mailer.SmtpSettings:
    return smtp_settings(Settings(**values))


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
    assert smtp_settings_of({**given, "smtp_security": "starttls"}).security == "starttls"
    assert smtp_settings_of(given).security == "ssl"
    assert smtp_settings_of({**given, "smtp_starttls": True}).security == "starttls"


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
        smtp_settings_of({"smtp_host": "8.8.8.8", "mail_from": SENDER, "smtp_security": "none"})
    assert str(refused.value) == (
        "cannot send mail: 1 problem(s); nothing was written\n"
        "  - Settings: smtp_security: none (no encryption) is allowed only for a relay on a private "
        "network or loopback, and 8.8.8.8 is a public address: mail to it would cross networks others "
        "can read; use starttls or ssl"
    )
    with pytest.raises(InputError, match="smtp_security: none sends everything unencrypted, a login too"):
        smtp_settings_of(
            {"smtp_host": "10.1.2.3", "mail_from": SENDER, "smtp_security": "none", "smtp_user": USER}
        )
    relay = smtp_settings_of({"smtp_host": "192.168.10.5", "mail_from": SENDER, "smtp_security": "none"})
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
            smtp_settings_of({"smtp_host": "h.example", "mail_from": SENDER, "smtp_ca_file": ca_file})


@pytest.mark.parametrize("server", [("none", None)], indirect=True)
def test_starttls_to_a_server_without_it_stops_and_names_the_other_settings(server, statement, tmp_path):
    settings = workbook_settings(server)  # starttls by default, but this relay offers no TLS
    result = send(statement, mailer.SmtpTransport(settings), tmp_path)
    assert result.stopped == (
        f"127.0.0.1:{server.port} cannot be used as set: STARTTLS extension not supported by server. "
        "(smtp_security starttls); a server that encrypts from the first byte needs ssl (usually port "
        "465), an internal relay without encryption none"
    )
    assert server.handler.accepted == []
