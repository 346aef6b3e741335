"""SMTP delivery against a real aiosmtpd server: TLS, login, retries, refusals, a server that dies."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pandas as pd
import pytest

import mailer
from common.errors import MailError
from tests.mail_support import PASSWORD, SENDER, USER, SmtpServer, outgoing


@pytest.fixture
def smtp_server(tmp_path):
    server = SmtpServer(tmp_path).start()
    yield server
    server.stop()


def _deliver(messages, transport, tmp_path, **kwargs):
    journal = mailer.Journal(tmp_path / "book.mail-journal.jsonl")
    return mailer.deliver(messages, transport, journal, done=set(), sender=SENDER, **kwargs), journal


def test_starttls_login_and_delivery_of_each_message(smtp_server, tmp_path):
    messages = outgoing(3)
    transport = smtp_server.transport()
    result, _ = _deliver(messages, transport, tmp_path)
    transport.close()
    assert result.delivered == [m.key for m in messages]
    assert smtp_server.handler.ids() == [m.key for m in messages]
    assert smtp_server.handler.logins == [USER]  # one connection, one login, reused for all three
    got = smtp_server.handler.accepted[0]
    assert got["X-Envelope-To"] == "c1@kunde.example"
    assert got["Subject"] == "Zahlungserinnerung 1"
    assert got["From"] == SENDER


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # aiosmtpd can't see SSL
def test_ssl_from_the_first_byte_when_starttls_is_off(tmp_path):
    server = SmtpServer(tmp_path, tls="ssl").start()
    try:
        transport = server.transport()
        result, _ = _deliver(outgoing(2), transport, tmp_path)
        transport.close()
    finally:
        server.stop()
    assert len(result.delivered) == 2 and not result.failed
    assert len(server.handler.accepted) == 2


def test_untrusted_certificate_is_refused_and_stops_the_run(smtp_server, tmp_path):
    import ssl

    transport = mailer.SmtpTransport(
        smtp_server.settings(),
        password=PASSWORD,
        ssl_context=ssl.create_default_context(),
        backoff_seconds=0.01,
    )
    result, _ = _deliver(outgoing(3), transport, tmp_path)
    assert result.delivered == []
    assert "TLS" in result.failed[0][2] and "certificate verify failed" in result.failed[0][2]
    assert [why for _, _, why in result.failed[1:]] == [f"not attempted: {result.stopped}"] * 2
    assert smtp_server.handler.accepted == []


def test_wrong_password_fails_clearly_and_stops(smtp_server, tmp_path):
    transport = mailer.SmtpTransport(
        smtp_server.settings(),
        password="wrong",
        ssl_context=smtp_server.client_context(),
        backoff_seconds=0.01,
    )
    result, _ = _deliver(outgoing(2), transport, tmp_path)
    assert result.failed[0][2].startswith("login refused: 535")
    assert result.stopped.startswith("login refused")
    assert len(result.failed) == 2 and smtp_server.handler.accepted == []


def test_temporary_refusal_is_retried_with_back_off(smtp_server, tmp_path):
    smtp_server.handler.script = {1: "451 4.3.0 Try again later", 2: "421 4.7.0 Busy"}
    pauses: list[float] = []
    transport = smtp_server.transport(sleep=pauses.append)
    result, _ = _deliver(outgoing(1), transport, tmp_path)
    transport.close()
    assert result.delivered and not result.failed
    assert smtp_server.handler.attempts == 3 and len(smtp_server.handler.accepted) == 1
    assert pauses == [0.01, 0.02]  # back-off doubles


def test_three_messages_in_a_row_turned_away_for_now_stop_the_run(smtp_server, tmp_path):
    """Each message is tried 4 times (3 pauses); after the third in a row not sent, the rest are
    not attempted, and every one of them stays owed (failed)."""
    smtp_server.handler.script = {n: "451 4.3.0 Try again later" for n in range(1, 100)}
    transport = smtp_server.transport(sleep=lambda seconds: None)
    messages = outgoing(5)
    result, journal = _deliver(messages, transport, tmp_path)
    transport.close()
    assert smtp_server.handler.attempts == 3 * 4 and smtp_server.handler.accepted == []
    assert [key for _, key, _ in result.failed] == [m.key for m in messages] and not result.complete
    assert result.stopped.startswith("the server turned away 3 messages in a row for now")
    assert [why for _, _, why in result.failed[3:]] == [f"not attempted: {result.stopped}"] * 2
    assert [r["Status"] for r in journal.records() if r["Status"] != "pending"] == ["failed"] * 5


def test_permanent_refusal_fails_that_message_only(smtp_server, tmp_path):
    smtp_server.handler.script = {2: "550 5.1.1 Mailbox unknown"}
    transport = smtp_server.transport()
    messages = outgoing(3)
    result, journal = _deliver(messages, transport, tmp_path)
    transport.close()
    assert result.delivered == [messages[0].key, messages[2].key]
    assert result.refused == [("C002", messages[1].key, "refused by the server: 550 5.1.1 Mailbox unknown")]
    assert result.failed == [] and result.complete  # refused for good: nothing is owed to a later run
    assert smtp_server.handler.attempts == 3  # no retry of a 5xx
    statuses = [(r["MessageID"], r["Status"]) for r in journal.records()]
    assert statuses == [
        (messages[0].key, "pending"),
        (messages[0].key, "sent"),
        (messages[1].key, "pending"),
        (messages[1].key, "refused"),
        (messages[2].key, "pending"),
        (messages[2].key, "sent"),
    ]


def test_rate_limit_paces_messages(smtp_server, tmp_path):
    transport = mailer.SmtpTransport(
        smtp_server.settings(rate_per_minute=240), password=PASSWORD, ssl_context=smtp_server.client_context()
    )
    start = time.monotonic()
    result, _ = _deliver(outgoing(3), transport, tmp_path)
    elapsed = time.monotonic() - start
    transport.close()
    assert len(result.delivered) == 3
    assert elapsed >= 0.5  # 240/min = one each 0.25 s: the 2nd and 3rd wait


def test_server_stopped_mid_run_then_rerun_sends_each_message_exactly_once(tmp_path):
    server = SmtpServer(tmp_path).start()
    messages = outgoing(6)
    journal = mailer.Journal(tmp_path / "book.mail-journal.jsonl")
    log = mailer.fold([], __import__("pandas").DataFrame(columns=mailer.MAILLOG_COLUMNS))

    def stop_after_three(step, done, total):
        if done == 3:
            server.stop()

    first, rows1 = mailer.send_and_fold(
        messages, server.transport(), journal, log, sender=SENDER, progress=stop_after_three
    )
    assert first.delivered == [m.key for m in messages[:3]]
    assert first.failed[0][1] == messages[3].key and "connection" in first.failed[0][2]
    assert first.stopped and len(first.failed) == 3
    assert list(rows1["Status"]) == ["sent"] * 3 + ["failed"] * 3
    accepted_before = server.handler.ids()

    again = SmtpServer(tmp_path, port=server.port).start()  # same port, fresh mailbox
    try:
        second, rows2 = mailer.send_and_fold(messages, again.transport(), journal, rows1, sender=SENDER)
    finally:
        again.stop()
    assert second.already_sent == [m.key for m in messages[:3]]
    assert second.delivered == [m.key for m in messages[3:]]
    assert sorted(accepted_before + again.handler.ids()) == sorted(m.key for m in messages)
    assert list(rows2["Status"]) == ["sent"] * 3  # only the new outcomes are folded the second time


def test_a_message_the_workbook_changed_is_superseded_once_and_what_is_still_owed_is_sent(tmp_path):
    """Four notices fail (no server). Then the workbook changes: C001's notice lists other invoices
    (a new key), C002's is the same, C003 is owed none now, and C004 is outside the run's scope (a
    --customer run). The new run sends C001's new notice and C002's, records C001's and C003's old
    ones as superseded (named once), and leaves C004's owed; a superseded message that is composed
    again later is sent after all."""
    as_of = dt.date(2026, 11, 30)
    old = outgoing(4, as_of=as_of)
    journal = mailer.Journal(tmp_path / "book.mail-journal.jsonl")
    down = SmtpServer(tmp_path)  # never started: the port refuses the connection
    first, log = mailer.send_and_fold(old, down.transport(), journal, mailer.log_frame([]), sender=SENDER)
    assert [key for _, key, _ in first.failed] == [m.key for m in old]

    changed = dataclasses.replace(
        old[0],
        key=mailer.message_key("notice", "C001", 1, "EUR", ["R-1", "R-9"], as_of),
        invoice_nos=("R-1", "R-9"),
    )
    now = [changed, old[1]]
    scope = mailer.Scope(mailer.NOTICE_KINDS, frozenset({"C001", "C002", "C003"}), as_of)
    server = SmtpServer(tmp_path).start()
    try:
        second, rows = mailer.send_and_fold(now, server.transport(), journal, log, sender=SENDER, scope=scope)
        log = pd.concat([log, rows], ignore_index=True)
        third, rows = mailer.send_and_fold(now, server.transport(), journal, log, sender=SENDER, scope=scope)
        log = pd.concat([log, rows], ignore_index=True)
        fourth, rows = mailer.send_and_fold(
            [*now, old[2]], server.transport(), journal, log, sender=SENDER, scope=scope
        )
        log = pd.concat([log, rows], ignore_index=True)
    finally:
        server.stop()
    assert second.delivered == [changed.key, old[1].key] and not second.failed
    assert [(cid, key) for cid, key, _ in second.superseded] == [("C001", old[0].key), ("C003", old[2].key)]
    assert second.superseded[0][2].startswith(f"superseded by {changed.key}")
    assert second.superseded[1][2].startswith("no longer due")
    assert (third.delivered, third.superseded) == ([], [])  # named once, never again
    assert (fourth.delivered, fourth.superseded) == ([old[2].key], [])  # composed again: sent, not lost
    assert sorted(server.handler.ids()) == sorted([changed.key, old[1].key, old[2].key])
    outcomes = mailer.message_outcomes(mailer.mail_history(journal, log), as_of=as_of).set_index("MessageID")
    assert outcomes["Outcome"].to_dict() == {
        old[0].key: "superseded",
        old[1].key: "delivered",
        old[2].key: "delivered",
        old[3].key: "failed",  # outside the run's scope: still owed
        changed.key: "delivered",
    }


def test_password_comes_from_the_environment(smtp_server, tmp_path, monkeypatch):
    monkeypatch.setenv("ARBOOK_SMTP_PASSWORD", PASSWORD)
    assert mailer.smtp_password(USER) == PASSWORD
    transport = mailer.SmtpTransport(smtp_server.settings(), ssl_context=smtp_server.client_context())
    result, _ = _deliver(outgoing(1), transport, tmp_path)
    transport.close()
    assert len(result.delivered) == 1


def test_missing_password_names_both_places_to_put_it(monkeypatch):
    monkeypatch.delenv("ARBOOK_SMTP_PASSWORD", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    with pytest.raises(MailError, match=r"ARBOOK_SMTP_PASSWORD.*keyring set arbook nobody@x\.example"):
        mailer.smtp_password("nobody@x.example")
