"""Secrets too long for one keyring entry (OAuth2 refresh tokens), kept in the OS keyring all the same.

Windows Credential Manager holds at most 2560 bytes of UTF-16 (1280 characters) per entry,
and a Microsoft 365 refresh token is often longer; keyring does not split on its own. So a
secret is stored as its number of parts under `name` and each part under `name#1`, `name#2`,
... The secret never leaves the keyring: no file, no workbook cell, no log line holds it.
"""

from __future__ import annotations

import keyring
import keyring.errors

from common.errors import MailError

__all__ = ["recall", "remember"]

PART = 1000  # characters per entry, below the Windows limit with room to spare


def remember(service: str, name: str, secret: str) -> None:
    """Store `secret` under (service, name), replacing what was there (longer or shorter)."""
    parts = [secret[i : i + PART] for i in range(0, len(secret), PART)]
    try:
        _forget(service, name)
        for number, part in enumerate(parts, start=1):
            keyring.set_password(service, f"{name}#{number}", part)
        keyring.set_password(service, name, str(len(parts)))
    except keyring.errors.KeyringError as exc:
        raise MailError(
            f"the OS keyring refused to store {name!r} (service {service!r}): {exc}; "
            "arbook keeps sign-in secrets only there"
        ) from exc


def recall(service: str, name: str) -> str | None:
    """The secret stored under (service, name), or None when there is none (or no usable keyring)."""
    try:
        count = keyring.get_password(service, name)
        if count is None or not count.isdigit():
            return None
        parts = [keyring.get_password(service, f"{name}#{n}") for n in range(1, int(count) + 1)]
    except keyring.errors.KeyringError:
        return None
    if any(p is None for p in parts):
        return None  # a part went missing: treated as no secret, so the user is told to sign in again
    return "".join(parts)  # type: ignore[arg-type]


def _forget(service: str, name: str) -> None:
    """Remove the secret and all its parts (a longer earlier secret may have more parts)."""
    number = 1
    while keyring.get_password(service, f"{name}#{number}") is not None:
        keyring.delete_password(service, f"{name}#{number}")
        number += 1
    if keyring.get_password(service, name) is not None:
        keyring.delete_password(service, name)
