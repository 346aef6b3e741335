"""`arbook mail-login`: the one-time OAuth2 sign-in that `--send` needs with smtp_auth microsoft or google."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from common.errors import MailError
from mailer.oauth import sign_in
from workbook.filebook import FileBook

from .mail import smtp_settings
from .operation import Summary

__all__ = ["mail_login"]


def mail_login(workbook: Path, *, show: Callable[[str], None], ask_secret: Callable[[str], str]) -> Summary:
    """Sign the workbook's mailbox (smtp_user) in with its provider; the refresh token goes to the OS keyring.

    `show` tells the person what to do (Microsoft: the page and the code); `ask_secret` asks
    for a secret without echoing it (Google: the OAuth client's secret). Nothing is written
    to the workbook.
    """
    with FileBook(workbook, lock=False) as book:
        settings = smtp_settings(book.settings())
    if settings.auth == "password":
        raise MailError(
            "smtp_auth is password, so there is nothing to sign in to: set smtp_auth to microsoft or "
            f"google for OAuth2, or keep the password in the keyring with: keyring set arbook {settings.user or '<smtp_user>'}"
        )
    said = sign_in(settings.oauth_account(), show=show, ask_secret=ask_secret)
    return Summary("mail-login", figures={"signed in": settings.user, "with": settings.auth}, notes=[said])
