"""What an e-mail address is, for the workbook's checks and for the mail alike.

One rule, so the reader never accepts an address that mail then refuses: an addr-spec of
ASCII atoms (RFC 5322's dot-atom, no ".."), a domain of letters, digits and inner hyphens
with at least one dot, 254 characters at most. Display names, comments and quoted local
parts are not addresses here: a cell holds bare addresses separated by ";" or ",".
"""

from __future__ import annotations

import re

__all__ = ["is_address", "parse_addresses", "split_addresses"]

_ADDRESS = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)


def is_address(text: str) -> bool:
    """Whether `text` is one e-mail address, exactly (no spaces, no name)."""
    return len(text) <= 254 and ".." not in text and _ADDRESS.fullmatch(text) is not None


def split_addresses(text: str) -> list[str]:
    """The non-empty parts of an Email or CC cell, split at ";" or ",", stripped (not checked)."""
    return [a for a in (part.strip() for part in re.split(r"[;,]", text or "")) if a]


def parse_addresses(text: str) -> list[str]:
    """The addresses in an Email or CC cell; ValueError naming the first that is not one."""
    out = split_addresses(text)
    for address in out:
        if not is_address(address):
            raise ValueError(f"{address!r} is not a valid e-mail address")
    return out
