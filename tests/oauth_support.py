"""Stand-ins for what OAuth2 sign-in talks to: the providers' sign-in services and the OS keyring.

`IdentityStandIn` is a real HTTPS server on 127.0.0.1 (certificate from the test CA, trusted
by the client through REQUESTS_CA_BUNDLE, which requests honours) that answers as Microsoft's
identity platform (OpenID configuration, device code, token) and Google's OAuth server
(authorization redirect, token) do: it issues tokens, rotates Microsoft refresh tokens, and
refuses a revoked or unknown refresh token with `invalid_grant`. MSAL and google-auth run
unchanged against it. `MemoryKeyring` is a keyring backend of the tests' own that refuses an
entry longer than Windows Credential Manager takes.
"""

from __future__ import annotations

import base64
import itertools
import json
import ssl
import threading
import urllib.parse
import webbrowser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import requests

from tests.mail_support import make_certificate, session_ca

CLIENT_ID = "0b5e1c2d-arbook-test-client"
CLIENT_SECRET = "GOCSPX-test-secret"
TENANT = "beispiel.example"
WINDOWS_LIMIT = 1280  # characters in one Windows Credential Manager entry (2560 bytes of UTF-16)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Keeps entries in a dict; refuses one longer than Windows would, as Windows does."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if len(password) > WINDOWS_LIMIT:
            raise keyring.errors.PasswordSetError(f"{len(password)} characters: too long for one entry")
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


class IdentityStandIn:
    """Microsoft's and Google's token services in one local HTTPS server (see the module's docstring)."""

    def __init__(self, directory: Path, *, refresh_length: int = 1500) -> None:
        self.cert, self.key = make_certificate(directory)
        self.refresh_length = refresh_length  # Microsoft's run to about 1.5 KB
        self.access_tokens: set[str] = set()  # what an SMTP server should accept
        self.refresh_tokens: set[str] = set()  # the ones still valid
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, form fields) of each POST
        self._numbers = itertools.count(1)
        self._codes: dict[str, tuple[str, str]] = {}  # Google authorization code -> (redirect_uri, scope)
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> IdentityStandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                """Quiet: the tests read `requests` instead."""

            def do_GET(self) -> None:
                stand_in._get(self)

            def do_POST(self) -> None:
                stand_in._post(self)

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def revoke_all(self) -> None:
        """What an administrator's "revoke sessions" (or a password change) does to refresh tokens."""
        self.refresh_tokens.clear()

    # -- the endpoints ----------------------------------------------------------------------
    def _get(self, http: BaseHTTPRequestHandler) -> None:
        path, _, query = http.path.partition("?")
        if path == f"/{TENANT}/v2.0/.well-known/openid-configuration":
            base = f"{self.url}/{TENANT}"
            return _reply(
                http,
                200,
                {
                    "issuer": f"{base}/v2.0",
                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                    "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                },
            )
        if path == "/o/oauth2/auth":  # Google: the person approves; the browser goes back to arbook
            asked = dict(urllib.parse.parse_qsl(query))
            code = f"google-code-{next(self._numbers)}"
            self._codes[code] = (asked["redirect_uri"], asked["scope"])
            back = urllib.parse.urlencode({"code": code, "state": asked["state"], "scope": asked["scope"]})
            http.send_response(302)
            http.send_header("Location", f"{asked['redirect_uri']}?{back}")
            http.send_header("Content-Length", "0")
            http.end_headers()
            return None
        return _reply(http, 404, {"error": "not_found"})

    def _post(self, http: BaseHTTPRequestHandler) -> None:
        body = http.rfile.read(int(http.headers.get("Content-Length") or 0)).decode()
        form = dict(urllib.parse.parse_qsl(body))
        basic = http.headers.get("Authorization", "")
        if basic.startswith(
            "Basic "
        ):  # client credentials may come as HTTP Basic auth instead (RFC 6749 2.3.1)
            user, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            form |= {"client_id": urllib.parse.unquote(user), "client_secret": urllib.parse.unquote(secret)}
        self.requests.append((http.path, form))
        if form.get("client_id") != CLIENT_ID:
            return _reply(http, 400, {"error": "invalid_client", "error_description": "unknown client"})
        if http.path == f"/{TENANT}/oauth2/v2.0/devicecode":
            return _reply(
                http,
                200,
                {
                    "device_code": "device-code-1",
                    "user_code": "B7XQ-2KPM",
                    "verification_uri": "https://microsoft.com/devicelogin",
                    "expires_in": 900,
                    "interval": 1,
                    "message": "To sign in, use a web browser to open the page "
                    "https://microsoft.com/devicelogin and enter the code B7XQ-2KPM to authenticate.",
                },
            )
        if http.path == f"/{TENANT}/oauth2/v2.0/token":
            return self._token(http, form, granted=form.get("device_code") == "device-code-1", rotate=True)
        if http.path == "/token":  # Google
            if form.get("client_secret") != CLIENT_SECRET:
                return _reply(http, 401, {"error": "invalid_client", "error_description": "Unauthorized"})
            redirect, scope = self._codes.pop(form.get("code", ""), ("", ""))
            granted = (
                bool(redirect) and form.get("redirect_uri") == redirect and bool(form.get("code_verifier"))
            )
            return self._token(http, {"scope": scope, **form}, granted=granted, rotate=False)
        return _reply(http, 404, {"error": "not_found"})

    def _token(
        self, http: BaseHTTPRequestHandler, form: dict[str, str], *, granted: bool, rotate: bool
    ) -> None:
        number = next(self._numbers)
        answer: dict[str, object] = {
            "token_type": "Bearer",
            "expires_in": 3599,
            "scope": form.get("scope", ""),
        }
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                return _reply(
                    http,
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "AADSTS70008: The refresh token has expired or was revoked."
                        if rotate
                        else "Token has been expired or revoked.",
                    },
                )
            if rotate:  # Microsoft hands out a new refresh token with each use
                self.refresh_tokens.discard(form["refresh_token"])
                answer["refresh_token"] = self._new_refresh(number)
        elif granted:
            answer["refresh_token"] = self._new_refresh(number)
        else:
            return _reply(http, 400, {"error": "invalid_grant", "error_description": "bad code"})
        answer["access_token"] = f"access-{number}"
        self.access_tokens.add(f"access-{number}")
        return _reply(http, 200, answer)

    def _new_refresh(self, number: int) -> str:
        token = f"refresh-{number}-".ljust(self.refresh_length, "x")
        self.refresh_tokens.add(token)
        return token


def _reply(http: BaseHTTPRequestHandler, status: int, payload: dict[str, object]) -> None:
    data = json.dumps(payload).encode()
    http.send_response(status)
    http.send_header("Content-Type", "application/json")
    http.send_header("Content-Length", str(len(data)))
    http.end_headers()
    http.wfile.write(data)


class StandInBrowser(webbrowser.BaseBrowser):
    """A browser for Google's sign-in page: it follows the redirect back to arbook's local page,
    as a person's browser does once they approve (requests, in a thread, like a separate program)."""

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        def visit() -> None:
            requests.get(url, verify=str(session_ca()[0]), timeout=10)

        threading.Thread(target=visit, daemon=True).start()
        return True


def register_test_browser() -> str:
    webbrowser.register("arbook-test-browser", None, StandInBrowser("arbook-test-browser"))
    return "arbook-test-browser"
