"""OAuth2 (XOAUTH2) for Microsoft 365 and Google Workspace: sign-in, tokens, keyring, refusals.

Real parts throughout: MSAL and google-auth talk HTTPS to a local stand-in of each provider's
token service (tests/oauth_support.py, certificate from the test CA); refresh tokens live in a
keyring backend of the tests' own that refuses entries longer than Windows takes; aiosmtpd on
127.0.0.1 takes AUTH XOAUTH2 and checks the token it is given against those the stand-in issued.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import keyring
import openpyxl
import pytest
from click.testing import CliRunner

import mailer
from arbook.cli import cli
from common.errors import MailError
from mailer.oauth import CLIENT_SECRET_SERVICE, TOKEN_SERVICE, OAuthAccount, sign_in, token_source
from tests.mail_support import SENDER, USER, SmtpServer, session_ca
from tests.oauth_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    TENANT,
    WINDOWS_LIMIT,
    IdentityStandIn,
    MemoryKeyring,
    register_test_browser,
)
from tests.test_mail_setups import assert_statement_arrived, one_statement, send, workbook_settings


@pytest.fixture(scope="module")
def statement() -> list[mailer.Outgoing]:
    return one_statement()


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


# -- the fourth setup of the README: each provider, a statement sent -------------------------------
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


def microsoft(identity: IdentityStandIn) -> OAuthAccount:
    return OAuthAccount("microsoft", USER, CLIENT_ID, TENANT, login_url=identity.url)


def google(identity: IdentityStandIn) -> OAuthAccount:
    return OAuthAccount("google", USER, CLIENT_ID, login_url=identity.url)


def signed_in(provider: str, identity: IdentityStandIn) -> OAuthAccount:
    """The account after `arbook mail-login`: Microsoft by device code, Google in the stand-in browser."""
    if provider == "microsoft":
        sign_in(microsoft(identity), show=lambda _: None, ask_secret=_no_secret_asked)
        return microsoft(identity)
    sign_in(
        google(identity),
        show=_nothing_shown,
        ask_secret=lambda _: CLIENT_SECRET,
        browser=register_test_browser(),
    )
    return google(identity)


def token_posts(identity: IdentityStandIn) -> list[str]:
    return [form["grant_type"] for path, form in identity.requests if path.endswith("token")]


# -- the keyring ---------------------------------------------------------------------------------
def test_a_refresh_token_longer_than_windows_takes_is_kept_in_parts(identity, memory_keyring):
    signed_in("microsoft", identity)
    [stored] = identity.refresh_tokens
    assert len(stored) == 1500 > WINDOWS_LIMIT
    entries = {
        name: value for (service, name), value in memory_keyring.entries.items() if service == TOKEN_SERVICE
    }
    key = f"microsoft:{USER}"
    assert entries == {key: "2", f"{key}#1": stored[:1000], f"{key}#2": stored[1000:]}

    identity.refresh_length = 300  # the rotated token is shorter: the second part must go
    token_source(microsoft(identity)).access_token()
    [rotated] = identity.refresh_tokens
    entries = {
        name: value for (service, name), value in memory_keyring.entries.items() if service == TOKEN_SERVICE
    }
    assert entries == {key: "1", f"{key}#1": rotated}
    assert rotated != stored


def test_google_keeps_client_secret_and_refresh_token_in_the_keyring_only(identity, memory_keyring, tmp_path):
    signed_in("google", identity)
    [refresh] = identity.refresh_tokens
    assert memory_keyring.entries[(CLIENT_SECRET_SERVICE, f"{CLIENT_ID}#1")] == CLIENT_SECRET
    assert memory_keyring.entries[(TOKEN_SERVICE, f"google:{USER}#2")] == refresh[1000:]
    assert list(tmp_path.rglob("*token*")) == [] and list(tmp_path.rglob("*.json")) == []


# -- tokens: kept for their life, renewed, and refused in words that say what to do ---------------
def test_an_access_token_is_reused_until_it_nears_expiry_and_rotated_refresh_tokens_are_kept(
    identity, memory_keyring
):
    signed_in("microsoft", identity)
    source = token_source(microsoft(identity))
    assert source.access_token() == source.access_token() == "access-2"
    assert token_posts(identity) == ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"]
    again = token_source(microsoft(identity))  # the next run: the rotated refresh token from the keyring
    assert again.access_token() == "access-3"


@pytest.mark.parametrize(
    ("provider", "said"),
    [
        (
            "microsoft",
            "Microsoft 365 sign-in of {user} has expired or was revoked (invalid_grant: AADSTS70008: "
            "The refresh token has expired or was revoked.)",
        ),
        (
            "google",
            "Google Workspace sign-in of {user} has expired or was revoked (invalid_grant: "
            "Token has been expired or revoked.)",
        ),
    ],
)
def test_a_revoked_sign_in_says_so_and_names_the_command(identity, memory_keyring, provider, said):
    account = signed_in(provider, identity)
    identity.revoke_all()
    with pytest.raises(MailError) as refused:
        token_source(account).access_token()
    assert (
        str(refused.value) == f"the {said.format(user=USER)}; sign in again with: arbook mail-login WORKBOOK"
    )


def test_without_a_sign_in_the_message_names_the_command(memory_keyring):
    with pytest.raises(MailError) as missing:
        token_source(OAuthAccount("microsoft", USER, CLIENT_ID, TENANT))
    assert str(missing.value) == (
        f"no Microsoft 365 sign-in is stored for {USER}: sign in once with: arbook mail-login WORKBOOK"
    )


def test_an_unknown_tenant_is_named(identity, memory_keyring):
    account = dataclasses.replace(microsoft(identity), tenant="other.example")
    with pytest.raises(
        MailError, match=r"^Microsoft 365 does not know the tenant 'other.example' \(smtp_oauth_tenant\)"
    ):
        sign_in(account, show=lambda _: None, ask_secret=_no_secret_asked)


# -- sending: the server checks the token; an expired sign-in stops the run with the fix ----------
def test_an_expired_sign_in_stops_the_run_before_anything_is_sent(
    identity, oauth_server, memory_keyring, statement, tmp_path
):
    signed_in("microsoft", identity)
    transport = mailer.SmtpTransport(
        oauth_server.settings(auth="microsoft"),
        tokens=token_source(microsoft(identity)),
        ssl_context=oauth_server.client_context(),
    )
    identity.revoke_all()
    result = send(statement * 2, transport, tmp_path)
    assert result.delivered == [] and oauth_server.handler.accepted == []
    assert result.stopped.startswith(f"the Microsoft 365 sign-in of {USER} has expired or was revoked")
    assert result.stopped.endswith("sign in again with: arbook mail-login WORKBOOK")
    assert [why for _, _, why in result.failed] == [result.stopped, f"not attempted: {result.stopped}"]


class _ForgedTokens:
    def access_token(self) -> str:
        return "access-not-issued"


def test_a_token_the_server_does_not_accept_is_a_refused_login(oauth_server, statement, tmp_path):
    transport = mailer.SmtpTransport(
        oauth_server.settings(auth="microsoft"),
        tokens=_ForgedTokens(),
        ssl_context=oauth_server.client_context(),
    )
    result = send(statement, transport, tmp_path)
    assert result.stopped == (
        "login refused: 535 5.7.3 Authentication unsuccessful; Microsoft 365 refuses OAuth2 where SMTP "
        "AUTH is switched off for the mailbox or the tenant (Exchange admin centre: Authenticated SMTP)"
    )
    assert oauth_server.handler.accepted == [] and oauth_server.handler.tokens == []


# -- arbook mail-login ----------------------------------------------------------------------------
def workbook_with(tmp_path: Path, **settings: str) -> Path:
    """A new workbook (arbook new) whose Settings table holds `settings`, typed in as a person would."""
    book = tmp_path / "Book.xlsx"
    assert CliRunner().invoke(cli, ["new", str(book)]).exit_code == 0
    wb = openpyxl.load_workbook(book)
    for key, value in wb["Settings"].iter_rows(min_row=2, max_col=2):
        if key.value in settings:
            value.value = settings.pop(key.value)
    assert settings == {}, f"not in the Settings table: {settings}"
    wb.save(book)
    return book


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (
            {},
            f"arbook: smtp_auth is password, so there is nothing to sign in to: set smtp_auth to microsoft or "
            f"google for OAuth2, or keep the password in the keyring with: keyring set arbook {USER}\n",
        ),
        (
            {"smtp_auth": "microsoft", "smtp_oauth_client_id": CLIENT_ID},
            "arbook: Microsoft 365 sign-in needs smtp_oauth_tenant (directory ID or domain) and "
            "smtp_oauth_client_id (the application registered for arbook) in the Settings table\n",
        ),
    ],
    ids=["password", "no-tenant"],
)
def test_mail_login_refuses_what_it_cannot_sign_in_with_exit_1(tmp_path, given, said):
    book = workbook_with(tmp_path, smtp_host="smtp.office365.com", mail_from=SENDER, smtp_user=USER, **given)
    done = subprocess.run(
        [sys.executable, "-c", "from arbook.cli import main; main()", "mail-login", str(book)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout, done.stderr) == (1, "", said)
