"""Sending again on purpose (--resend), and one message for a reminder and a notice due the same day.

On a real workbook file and a real SMTP server (aiosmtpd, STARTTLS and login), as the clerk runs them.
"""

from __future__ import annotations

import datetime as dt
import email.policy
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import mailer
from arbook.runner import run
from common.errors import InputError
from tests.mail_support import PASSWORD, SmtpServer, customers_frame, free_port, open_items_frame
from tests.test_mail_ops import ALLOCATIONS, AS_OF, CUSTOMERS, INVOICES, SETTINGS
from workbook.contract import LANGUAGES
from workbook.filebook import FileBook
from workbook.template import build_workbook


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpServer]:
    smtp = SmtpServer(tmp_path_factory.mktemp("smtp")).start()
    yield smtp
    smtp.stop()


@pytest.fixture
def book_path(tmp_path: Path, server: SmtpServer) -> Path:
    server.handler.accepted.clear()
    path = tmp_path / "Book.xlsx"
    build_workbook(
        path,
        rows={"Settings": SETTINGS, "Customers": CUSTOMERS, "Invoices": INVOICES, "Allocations": ALLOCATIONS},
    )
    return path


def _run(book_path: Path, server: SmtpServer, name: str, **inputs: object):
    transport = server.transport()
    try:
        with FileBook(book_path) as book:
            return run(book, name, as_of=AS_OF, transport=transport, **inputs)
    finally:
        transport.close()


def _log(book_path: Path) -> pd.DataFrame:
    with FileBook(book_path) as book:
        return book.read("MailLog")


def _audit_commands(book_path: Path) -> list[str]:
    with FileBook(book_path) as book:
        return list(book.read("Audit")["Command"])


def test_a_statement_goes_again_only_when_the_clerk_asks(book_path: Path, server: SmtpServer) -> None:
    first = _run(book_path, server, "statements")
    assert first.figures["sent"] == 3  # C001, C002, C004 (C003 has no address)
    again = _run(book_path, server, "statements")
    assert (again.figures["sent"], again.figures["already sent earlier"]) == (0, 3)
    assert len(server.handler.accepted) == 3

    resent = _run(book_path, server, "statements", resend=("C002",))
    assert (resent.figures["sent"], resent.figures["re-sent"], resent.figures["already sent earlier"]) == (
        1,
        1,
        2,
    )
    assert len(server.handler.accepted) == 4
    original, copy = [m for m in server.handler.accepted if m["X-Envelope-To"] == "cw@huadong.example"]
    assert copy["Message-ID"] != original["Message-ID"]
    assert copy["Subject"] == original["Subject"] and copy.get_body(("plain",)).get_content() == (
        original.get_body(("plain",)).get_content()
    )
    log = _log(book_path)
    first_key = log.loc[(log["CustomerID"] == "C002") & (log["Kind"] == "statement"), "MessageID"].item()
    assert copy["Message-ID"] == f"<{first_key}-r1@beispiel.example>"
    assert log.loc[
        log["MessageID"] == f"{first_key}-r1", ["Kind", "CustomerID", "Status"]
    ].values.tolist() == [["statement re-send", "C002", "sent"]]
    assert _audit_commands(book_path)[-1] == "statements --as-of 2026-11-30 --resend C002"

    # without --resend the journal still keeps every message, the re-send too, from going twice
    after = _run(book_path, server, "statements")
    assert (after.figures["sent"], after.figures["already sent earlier"]) == (0, 3)
    # asked again, it is a second re-send, a new message again
    twice = _run(book_path, server, "statements", resend=("C002",))
    assert twice.figures["re-sent"] == 1 and len(server.handler.accepted) == 5
    assert server.handler.accepted[-1]["Message-ID"] == f"<{first_key}-r2@beispiel.example>"
    assert list(_log(book_path)["Kind"]).count("statement re-send") == 2


def test_resend_names_a_customer_that_exists_and_says_when_there_was_nothing_to_repeat(
    book_path: Path, server: SmtpServer
) -> None:
    with pytest.raises(InputError, match="expected a customer 'C999' to re-send to"):
        _run(book_path, server, "statements", resend=("C999",))
    # C001 had no statement yet: it goes as a first statement, not as a re-send
    summary = _run(book_path, server, "statements", customer="C001", resend=("C001",))
    assert (summary.figures["sent"], summary.figures["re-sent"]) == (1, 0)
    assert any(note.startswith("no re-send to C001: none of this run's messages") for note in summary.notes)
    assert list(_log(book_path)["Kind"]) == ["statement"]


def test_a_reminder_and_a_notice_due_the_same_day_go_in_one_message(
    book_path: Path, server: SmtpServer
) -> None:
    first = _run(book_path, server, "notices")
    # C001 owes R-1 (60 days late: notice level 1) and R-2 (due in 3 days: reminder): one message
    assert first.figures["sent"] == 2
    mueller = [m for m in server.handler.accepted if m["X-Envelope-To"].startswith("ap@mueller")]
    assert len(mueller) == 1
    (msg,) = mueller
    text = msg.get_body(("plain",)).get_content()
    assert msg["Subject"] == "Zahlungserinnerung – Beispiel AG"
    overdue, _, soon = text.partition("Außerdem werden die folgenden Rechnungen in Kürze fällig:")
    assert "R-1" in overdue and "R-2" not in overdue
    assert "R-2" in soon and "R-1" not in soon
    assert soon.index("R-2") < soon.index(
        "Mit freundlichen Grüßen"
    )  # inside the notice, before the signature
    log = _log(book_path)
    sent = log[log["CustomerID"] == "C001"]
    notice_key = mailer.message_key("notice", "C001", 1, "EUR", ["R-1"], AS_OF)
    reminder_key = mailer.message_key("reminder", "C001", 0, "EUR", ["R-2"], AS_OF)
    assert msg["Message-ID"] == f"<{notice_key}@beispiel.example>"
    assert sent[["MessageID", "Kind", "Level", "InvoiceNos", "Status", "Detail"]].values.tolist() == [
        [notice_key, "notice", 1, "R-1", "sent", ""],
        [reminder_key, "reminder", 0, "R-2", "sent", f"in message {notice_key}"],
    ]
    assert sent["Subject"].tolist() == ["Zahlungserinnerung – Beispiel AG"] * 2
    assert sent["Amount"].tolist() == [first_due(log, notice_key), 25000]

    again = _run(book_path, server, "notices")
    assert (again.figures["level 0 (reminder)"], again.figures["sent"]) == (0, 0)
    assert len(server.handler.accepted) == 2

    # re-sent on purpose: one new message, both obligations logged as re-sends of it
    resent = _run(book_path, server, "notices", resend=("C001",))
    assert (resent.figures["sent"], resent.figures["re-sent"]) == (1, 1)
    assert len(server.handler.accepted) == 3
    assert server.handler.accepted[-1]["Message-ID"] == f"<{notice_key}-r1@beispiel.example>"
    rows = _log(book_path).iloc[-2:]
    assert rows[["MessageID", "Kind", "Level", "Status", "Detail"]].values.tolist() == [
        [f"{notice_key}-r1", "notice re-send", 1, "sent", ""],
        [f"{reminder_key}-r1", "reminder re-send", 0, "sent", f"in message {notice_key}-r1"],
    ]
    # the re-send did not move the ladder: the next run the same day sends nothing
    assert _run(book_path, server, "notices").figures["sent"] == 0


def first_due(log: pd.DataFrame, key: str) -> int:
    """R-1's open 600.00 with 12.25 % late interest for 60 days (the notice's total due)."""
    interest = mailer.round_cents(mailer.late_interest(60000, mailer.rate_decimal(12.25), 60))
    assert log.loc[log["MessageID"] == key, "Amount"].item() == 60000 + interest
    return 60000 + interest


UPCOMING_WORDS = {
    "en": "The following invoices also fall due shortly:",
    "de": "Außerdem werden die folgenden Rechnungen in Kürze fällig:",
    "fr": "Par ailleurs, les factures suivantes arrivent bientôt à échéance :",
    "zh": "另外，以下发票即将到期：",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_combined_message_is_worded_in_every_language_of_the_templates(language: str) -> None:
    assert set(UPCOMING_WORDS) == set(LANGUAGES)
    customers = customers_frame(
        [{"CustomerID": "K1", "Name": "Kunde", "Email": "k@x.example", "Language": language}]
    )
    items = open_items_frame(
        [
            {"InvoiceNo": "OLD", "CustomerID": "K1", "DueDate": "2026-11-10", "Amount": 50000},
            {"InvoiceNo": "SOON", "CustomerID": "K1", "DueDate": "2026-12-02", "Amount": 20000},
        ]
    )
    levels = mailer.levels_from_frame(pd.DataFrame(list(mailer.DEFAULT_DUNNING_LEVELS)))
    due = mailer.select_notices(
        items, customers, levels, {}, as_of=dt.date(2026, 11, 30), min_interval_days=7, base_currency="EUR"
    ).due
    assert sorted(n.level.level for n in due) == [0, 1]
    composed = mailer.compose_notices(
        due,
        customers,
        mailer.TemplateBook(),
        company=mailer.Company("Beispiel AG", "", "", ""),
        as_of=dt.date(2026, 11, 30),
        default_locale="en",
        late_interest_on=False,
        late_interest_rate=Decimal(0),
    )
    (msg,) = composed.messages
    assert (msg.kind, msg.level, msg.invoice_nos) == ("notice", 1, ("OLD",))
    assert [(c.kind, c.level, c.invoice_nos, c.amount) for c in msg.covers] == [
        ("reminder", 0, ("SOON",), 20000)
    ]
    assert UPCOMING_WORDS[language] in msg.text and "SOON" in msg.text.split(UPCOMING_WORDS[language])[1]
    built = mailer.build_email(msg, sender="ar@beispiel.example")
    assert email.message_from_bytes(built.as_bytes(), policy=email.policy.default)["Subject"] == msg.subject


def test_a_combined_message_not_sent_for_now_goes_once_on_the_next_run(
    book_path: Path, server: SmtpServer
) -> None:
    down = mailer.SmtpTransport(
        server.settings(port=free_port()),
        password=PASSWORD,
        ssl_context=server.client_context(),
        backoff_seconds=0.01,
        attempts=1,
    )
    with FileBook(book_path) as book:
        first = run(book, "notices", as_of=AS_OF, transport=down)
    assert (first.figures["sent"], first.figures["not sent yet"]) == (0, 2)
    log = _log(book_path)
    assert sorted(
        log.loc[log["CustomerID"] == "C001", "Kind"] + " " + log.loc[log["CustomerID"] == "C001", "Status"]
    ) == [
        "notice failed",
        "reminder failed",
    ]
    again = _run(book_path, server, "notices")
    # the reminder inside C001's notice is owed with it and goes with it: not superseded, not twice
    assert (again.figures["sent"], again.figures["not sent yet"]) == (2, 0)
    assert "superseded" not in again.figures
    assert [m["X-Envelope-To"] for m in server.handler.accepted].count(
        "ap@mueller.example, chef@mueller.example"
    ) == 1
    c001 = _log(book_path).query("CustomerID == 'C001'")
    assert sorted(c001["Kind"] + " " + c001["Status"]) == [
        "notice failed",
        "notice sent",
        "reminder failed",
        "reminder sent",
    ]
