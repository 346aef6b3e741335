"""Messages: identity, addresses, headers that cannot be injected, safe attachment names."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest
from hypothesis import given
from hypothesis import strategies as st

import mailer
from common.addresses import parse_addresses
from tests.mail_support import outgoing


def test_message_key_is_stable_and_sensitive_to_what_the_message_is_about():
    day = dt.date(2026, 11, 30)
    key = mailer.message_key("notice", "C001", 2, "EUR", ["R-2", "R-1"], day)
    assert key == mailer.message_key("notice", "C001", 2, "EUR", ["R-1", "R-2"], day)  # order-free
    assert key.startswith("notice-C001-") and len(key) == len("notice-C001-") + 20
    others = {
        mailer.message_key("notice", "C001", 3, "EUR", ["R-1", "R-2"], day),
        mailer.message_key("notice", "C002", 2, "EUR", ["R-1", "R-2"], day),
        mailer.message_key("notice", "C001", 2, "EUR", ["R-1"], day),
        mailer.message_key("notice", "C001", 2, "CHF", ["R-1", "R-2"], day),
        mailer.message_key("notice", "C001", 2, "EUR", ["R-1", "R-2"], day + dt.timedelta(days=1)),
        mailer.message_key("reminder", "C001", 2, "EUR", ["R-1", "R-2"], day),
    }
    assert key not in others and len(others) == 6


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("a@b.example", ["a@b.example"]),
        (" a@b.example ; c.d+e@f-g.example.co.uk,", ["a@b.example", "c.d+e@f-g.example.co.uk"]),
        ("", []),
    ],
)
def test_addresses_accepted(cell, expected):
    assert parse_addresses(cell) == expected


@pytest.mark.parametrize(
    "cell",
    [
        "a@b",
        "a b@c.example",
        "a@b.example\nBcc: x@y.example",
        "<a@b.example>",
        "a@@b.example",
        "a..b@c.example",
        "a@-b.example",
        "a@b.example>x",
    ],
)
def test_addresses_refused(cell):
    with pytest.raises(ValueError, match="is not a valid e-mail address"):
        parse_addresses(cell)


def test_name_with_newline_cannot_inject_a_header():
    (out,) = outgoing(1, name="Evil\r\nBcc: victim@x.example\r\n")
    raw = mailer.build_email(out, sender="ar@beispiel.example").as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Bcc"] is None
    assert parsed["To"].addresses[0].addr_spec == "c1@kunde.example"
    assert parsed["To"].addresses[0].display_name == "Evil Bcc: victim@x.example 1"
    assert b"\nBcc:" not in raw


def test_mime_structure_text_html_alternative_and_pdf():
    (out,) = outgoing(1)
    out = mailer.Outgoing(
        **{
            **out.__dict__,
            "cc": ("boss@kunde.example",),
            "attachments": (("../../etc/passwd\r\n.pdf", b"%PDF-1.4 test"),),
        }
    )
    msg = mailer.build_email(out, sender="ar@beispiel.example", reply_to="ar-team@beispiel.example")
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/mixed"
    body = parsed.get_body(("plain",))
    assert body.get_content().replace("\r\n", "\n") == "Rechnung R-1\n"
    assert parsed.get_body(("html",)).get_content().strip() == "<p>Rechnung R-1</p>"
    (pdf,) = list(parsed.iter_attachments())
    assert pdf.get_filename() == "etc_passwd_.pdf"
    assert pdf.get_content() == b"%PDF-1.4 test"
    assert parsed["Message-ID"] == f"<{out.key}@beispiel.example>"
    assert parsed["Cc"] == "boss@kunde.example" and parsed["Reply-To"] == "ar-team@beispiel.example"


@given(st.text(max_size=200))
def test_safe_filename_never_leaves_the_folder(text):
    name = mailer.safe_filename(text)
    assert name and "/" not in name and "\\" not in name and not name.startswith(".")
    assert set(name) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def test_sender_may_carry_a_display_name():
    (out,) = outgoing(1)
    msg = mailer.build_email(
        out,
        sender="Nordwerk Forderungsmanagement <forderungen@nordwerk.example>",
        reply_to="Team AR <ar@nordwerk.example>",
    )
    assert msg["From"] == "Nordwerk Forderungsmanagement <forderungen@nordwerk.example>"
    assert msg["Message-ID"] == f"<{out.key}@nordwerk.example>"
    assert mailer.parse_sender("a@b.example").addr_spec == "a@b.example"
    with pytest.raises(ValueError, match="not a valid sender address"):
        mailer.parse_sender("Nobody <nobody>")
