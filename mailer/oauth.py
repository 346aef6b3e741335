"""OAuth2 for SMTP (XOAUTH2): Microsoft 365 through MSAL, Google Workspace through google-auth.

Both providers are retiring passwords for SMTP. A person signs in once (`arbook mail-login`):
Microsoft by the device-code flow (a code typed at microsoft.com/devicelogin, so it works from
any terminal, even over SSH), Google by its installed-app flow (a browser on this computer:
Google does not allow mail scopes in its device flow). The refresh token that sign-in yields
goes into the OS keyring, never a file or the workbook; each run trades it for an access token
that lives an hour and is handed to the SMTP server. When the provider refuses the refresh
token (expired, revoked, password changed) the message says so and names the command that
fixes it.
"""

from __future__ import annotations

import datetime as dt
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

from common.errors import MailError

from .keystore import recall, remember

__all__ = ["OAuthAccount", "TokenSource", "sign_in", "token_source"]

Provider = Literal["microsoft", "google"]
PROVIDER_NAMES: dict[str, str] = {"microsoft": "Microsoft 365", "google": "Google Workspace"}
MICROSOFT_LOGIN = "https://login.microsoftonline.com"
MICROSOFT_SMTP_SCOPE = "https://outlook.office.com/SMTP.Send"
GOOGLE_AUTH_URI = "https://accounts.google.com/o/oauth2/auth"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
GOOGLE_MAIL_SCOPE = "https://mail.google.com/"
TOKEN_SERVICE = "arbook-oauth"  # keyring service: "<provider>:<mailbox>" -> refresh token
CLIENT_SECRET_SERVICE = "arbook-oauth-client"  # keyring service: "<client id>" -> client secret
RELOGIN = "arbook mail-login WORKBOOK"
_EARLY = 300  # seconds before its expiry at which a cached access token is renewed
_T = TypeVar("_T")


@dataclass(frozen=True)
class OAuthAccount:
    """Who signs in where: the mailbox (also the XOAUTH2 user) and the application registered for arbook."""

    provider: Provider
    user: str
    client_id: str
    tenant: str = ""  # Microsoft: the directory (tenant) ID or domain
    login_url: str = ""  # the provider's sign-in service; blank: its public one

    @property
    def provider_name(self) -> str:
        return PROVIDER_NAMES[self.provider]

    @property
    def token_key(self) -> str:
        return f"{self.provider}:{self.user}"

    def microsoft_authority(self) -> str:
        return f"{(self.login_url or MICROSOFT_LOGIN).rstrip('/')}/{self.tenant}"

    def google_uris(self) -> tuple[str, str]:
        """(authorization, token) endpoints."""
        if self.login_url:
            base = self.login_url.rstrip("/")
            return f"{base}/o/oauth2/auth", f"{base}/token"
        return GOOGLE_AUTH_URI, GOOGLE_TOKEN_URI


class TokenSource(Protocol):
    def access_token(self) -> str:
        """A valid access token, renewed when it is about to expire; MailError when it cannot be had."""
        ...


def token_source(account: OAuthAccount) -> TokenSource:
    """The access tokens of `account`, from the refresh token `arbook mail-login` stored in the keyring."""
    refresh = recall(TOKEN_SERVICE, account.token_key)
    if not refresh:
        raise MailError(
            f"no {account.provider_name} sign-in is stored for {account.user}: sign in once with: {RELOGIN}"
        )
    if account.provider == "microsoft":
        return MicrosoftTokens(account, refresh)
    secret = recall(CLIENT_SECRET_SERVICE, account.client_id)
    if not secret:
        raise MailError(
            f"the client secret of Google OAuth client {account.client_id} is not in the keyring: "
            f"sign in again with: {RELOGIN}"
        )
    return GoogleTokens(account, secret, refresh)


class _CachedToken:
    """Keeps an access token until shortly before it expires; subclasses fetch a new one."""

    def __init__(self, account: OAuthAccount, refresh_token: str) -> None:
        self.account, self._refresh = account, refresh_token
        self._token, self._until = "", float("-inf")

    def access_token(self) -> str:
        if time.monotonic() >= self._until:
            token, lifetime, refresh = self._fetch()
            self._token, self._until = token, time.monotonic() + max(lifetime - _EARLY, 0)
            if refresh and refresh != self._refresh:  # the provider rotated it: keep the new one
                remember(TOKEN_SERVICE, self.account.token_key, refresh)
                self._refresh = refresh
        return self._token

    def _fetch(self) -> tuple[str, float, str | None]:
        """(access token, seconds it lives, new refresh token or None)."""
        raise NotImplementedError


class MicrosoftTokens(_CachedToken):
    def _fetch(self) -> tuple[str, float, str | None]:
        app = _microsoft_app(self.account)
        result = _reach(
            self.account,
            lambda: app.acquire_token_by_refresh_token(self._refresh, scopes=[MICROSOFT_SMTP_SCOPE]),
        )
        if "access_token" not in result:
            raise _refused(self.account, result)
        return result["access_token"], float(result.get("expires_in", 3600)), result.get("refresh_token")


class GoogleTokens(_CachedToken):
    def __init__(self, account: OAuthAccount, client_secret: str, refresh_token: str) -> None:
        super().__init__(account, refresh_token)
        self._secret = client_secret

    def _fetch(self) -> tuple[str, float, str | None]:
        from google.auth.exceptions import RefreshError, TransportError
        from google.auth.transport.requests import Request
        from google.oauth2.credentials import Credentials

        credentials = Credentials(
            None,
            refresh_token=self._refresh,
            token_uri=self.account.google_uris()[1],
            client_id=self.account.client_id,
            client_secret=self._secret,
            scopes=[GOOGLE_MAIL_SCOPE],
        )
        try:
            credentials.refresh(Request())
        except RefreshError as exc:
            details = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
            raise _refused(self.account, {"error_description": str(exc.args[0]), **details}) from exc
        except TransportError as exc:
            raise _unreachable(self.account, exc) from exc
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # google-auth keeps expiry as naive UTC
        lifetime = (credentials.expiry - now).total_seconds() if credentials.expiry else 3600.0
        return credentials.token, lifetime, credentials.refresh_token


def sign_in(
    account: OAuthAccount,
    *,
    show: Callable[[str], None],
    ask_secret: Callable[[str], str],
    browser: str | None = None,
) -> str:
    """Sign `account` in once and keep its refresh token in the keyring; returns what happened, in words.

    Microsoft: `show` gets the device-code instruction (URL and code). Google: `ask_secret`
    is asked for the OAuth client's secret, and the sign-in page opens in `browser` (a name
    for `webbrowser.get`; None: the default one, or the address is printed when there is none).
    """
    if account.provider == "microsoft":
        refresh = _microsoft_device_flow(account, show)
    else:
        secret = ask_secret(f"Client secret of the Google OAuth client {account.client_id}")
        refresh = _google_browser_flow(account, secret, browser)
        remember(CLIENT_SECRET_SERVICE, account.client_id, secret)
    remember(TOKEN_SERVICE, account.token_key, refresh)
    return (
        f"signed in to {account.provider_name} as {account.user}; the refresh token is in the OS keyring "
        f"(service {TOKEN_SERVICE}, entry {account.token_key}) and --send uses it from now on"
    )


def _microsoft_app(account: OAuthAccount) -> Any:
    import msal

    if not account.tenant or not account.client_id:
        raise MailError(
            "Microsoft 365 sign-in needs smtp_oauth_tenant (directory ID or domain) and "
            "smtp_oauth_client_id (the application registered for arbook) in the Settings table"
        )
    try:
        return _reach(
            account,
            lambda: msal.PublicClientApplication(
                account.client_id, authority=account.microsoft_authority(), instance_discovery=False
            ),
        )
    except ValueError as exc:  # MSAL's answer to a tenant the sign-in service does not know
        raise MailError(
            f"Microsoft 365 does not know the tenant {account.tenant!r} (smtp_oauth_tenant): {exc}"
        ) from exc


def _microsoft_device_flow(account: OAuthAccount, show: Callable[[str], None]) -> str:
    app = _microsoft_app(account)
    flow = _reach(account, lambda: app.initiate_device_flow(scopes=[MICROSOFT_SMTP_SCOPE]))
    if "user_code" not in flow:
        raise _refused(account, flow)
    show(flow["message"])
    result = _reach(account, lambda: app.acquire_token_by_device_flow(flow))
    if "refresh_token" not in result:
        raise _refused(account, result)
    return result["refresh_token"]


def _google_browser_flow(account: OAuthAccount, secret: str, browser: str | None) -> str:
    from google_auth_oauthlib.flow import InstalledAppFlow, WSGITimeoutError
    from oauthlib.oauth2.rfc6749.errors import OAuth2Error

    if not account.client_id:
        raise MailError("Google sign-in needs smtp_oauth_client_id (the OAuth client made for arbook)")
    auth_uri, token_uri = account.google_uris()
    config = {
        "client_id": account.client_id,
        "client_secret": secret,
        "auth_uri": auth_uri,
        "token_uri": token_uri,
    }
    flow = InstalledAppFlow.from_client_config({"installed": config}, scopes=[GOOGLE_MAIL_SCOPE])
    try:
        webbrowser.get(browser)
        opens = True
    except webbrowser.Error:
        opens = False
    try:
        credentials = _reach(
            account,
            lambda: flow.run_local_server(
                host="localhost",
                port=0,
                open_browser=opens,
                browser=browser,
                authorization_prompt_message=f"Sign in to Google as {account.user} on this page: {{url}}",
                success_message="arbook is signed in; you can close this window.",
                timeout_seconds=600,
                access_type="offline",
                prompt="consent",
                login_hint=account.user,
            ),
        )
    except (OAuth2Error, WSGITimeoutError) as exc:
        raise MailError(f"Google sign-in for {account.user} did not complete: {exc}") from exc
    if not credentials.refresh_token:
        raise MailError(f"Google gave no refresh token for {account.user}; sign in again with: {RELOGIN}")
    return credentials.refresh_token


def _reach(account: OAuthAccount, call: Callable[[], _T]) -> _T:
    """Run a call to the sign-in service, turning a network failure into a MailError that says where."""
    import requests

    try:
        return call()
    except requests.RequestException as exc:
        raise _unreachable(account, exc) from exc


def _unreachable(account: OAuthAccount, exc: Exception) -> MailError:
    return MailError(f"cannot reach the {account.provider_name} sign-in service: {exc}")


def _refused(account: OAuthAccount, answer: dict[str, Any]) -> MailError:
    """The provider's refusal in words; an expired or revoked grant names the command that fixes it."""
    error = str(answer.get("error", ""))
    said = str(answer.get("error_description", "")).strip().splitlines()
    detail = f"{error}: {said[0]}" if said else error
    if error == "invalid_grant":
        return MailError(
            f"the {account.provider_name} sign-in of {account.user} has expired or was revoked "
            f"({detail}); sign in again with: {RELOGIN}"
        )
    return MailError(f"{account.provider_name} refused to sign in {account.user}: {detail}")
