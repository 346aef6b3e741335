"""The journal and the outbox: durable records, a torn last line, folding into MailLog once."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import date

import pandas as pd

import mailer
from tests.mail_support import empty_mail_log, outgoing


def test_journal_path_sits_beside_the_workbook(tmp_path):
    assert mailer.journal_path(tmp_path / "Book.xlsx") == tmp_path / "Book.mail-journal.jsonl"


def test_outbox_run_writes_eml_files_and_journals_each_message(tmp_path):
    messages = outgoing(2)
    journal = mailer.Journal(tmp_path / "j.jsonl")
    result = mailer.deliver(
        messages,
        mailer.OutboxTransport(tmp_path / "outbox"),
        journal,
        done=set(),
        sender="ar@beispiel.example",
    )
    files = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    assert files == sorted(f"{m.key}.eml" for m in messages)
    parsed = email.message_from_bytes(
        (tmp_path / "outbox" / files[0]).read_bytes(), policy=email.policy.default
    )
    assert parsed["Message-ID"] == f"<{files[0][:-4]}@beispiel.example>"
    assert result.delivered == [m.key for m in messages]
    assert [r["Status"] for r in journal.records()] == ["pending", "outbox", "pending", "outbox"]
    rows = mailer.fold(journal.records(), empty_mail_log())
    assert list(rows.columns) == mailer.MAILLOG_COLUMNS
    first = rows.iloc[0]
    assert (
        first["Kind"],
        first["Level"],
        first["CustomerID"],
        first["To"],
        first["Amount"],
        first["InvoiceNos"],
        first["Status"],
    ) == ("notice", 1, "C001", "c1@kunde.example", 1000, "R-1", "outbox")
    assert first["AsOf"] == pd.Timestamp("2026-11-30") and str(rows["Amount"].dtype) == "Int64"


def test_outbox_preview_does_not_count_as_sent(tmp_path):
    journal = mailer.Journal(tmp_path / "j.jsonl")
    mailer.deliver(
        outgoing(1), mailer.OutboxTransport(tmp_path / "o"), journal, done=set(), sender="a@b.example"
    )
    assert mailer.sent_keys(journal.records(), empty_mail_log()) == set()


def test_fold_is_idempotent_against_mail_log(tmp_path):
    journal = mailer.Journal(tmp_path / "j.jsonl")
    (msg,) = outgoing(1)
    journal.record(msg.key, "pending", msg.log_fields())
    journal.record(msg.key, "sent", msg.log_fields())
    first = mailer.fold(journal.records(), empty_mail_log())
    assert len(first) == 1
    assert mailer.fold(journal.records(), first).empty  # already in MailLog: nothing twice
    assert mailer.sent_keys([], first) == {msg.key}  # MailLog alone is enough to know it went out


def test_torn_last_line_is_ignored_and_pending_becomes_interrupted(tmp_path):
    path = tmp_path / "j.jsonl"
    journal = mailer.Journal(path)
    a, b = outgoing(2)
    journal.record(a.key, "pending", a.log_fields())
    journal.record(a.key, "sent", a.log_fields())
    journal.record(b.key, "pending", b.log_fields())
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"MessageID": b.key, "Status": "sent"})[:25])  # the crash cut this line
    records = journal.records()
    assert [r["Status"] for r in records] == ["pending", "sent", "pending"]
    rows = mailer.fold(records, empty_mail_log())
    assert list(zip(rows["MessageID"], rows["Status"], strict=True)) == [(a.key, "sent"), (b.key, "failed")]
    assert "interrupted" in rows.iloc[1]["Detail"]
    assert mailer.sent_keys(records, empty_mail_log()) == {a.key}  # b will be sent again


def test_mail_history_adds_unfolded_outcomes_to_mail_log(tmp_path):
    journal = mailer.Journal(tmp_path / "j.jsonl")
    (msg,) = outgoing(1)
    journal.record(msg.key, "sent", msg.log_fields())
    history = mailer.mail_history(journal, empty_mail_log())
    assert mailer.dunning_history(history) == {
        "R-1": (1, date(2026, 11, 30))
    }  # the run's AsOf, not the clock


def test_fold_matches_times_that_came_back_from_excel_a_hair_early(tmp_path):
    journal = mailer.Journal(tmp_path / "j.jsonl")
    (msg,) = outgoing(1)
    journal.record(msg.key, "sent", msg.log_fields())
    logged = mailer.fold(journal.records(), empty_mail_log())
    logged["At"] = logged["At"] - pd.Timedelta(microseconds=7)  # a float serial read back
    assert mailer.fold(journal.records(), logged).empty


def test_an_outbox_run_resumed_writes_each_preview_once_and_a_preview_never_blocks_sending(tmp_path):
    journal = mailer.Journal(tmp_path / "j.jsonl")
    first, second = outgoing(2)
    outbox = mailer.OutboxTransport(tmp_path / "outbox")
    mailer.deliver([first], outbox, journal, done=set(), sender="ar@example.com")
    delivery, rows = mailer.send_and_fold(
        [first, second], outbox, journal, empty_mail_log(), sender="ar@example.com"
    )
    assert (delivery.already_sent, delivery.delivered) == ([first.key], [second.key])
    assert sorted(zip(rows["MessageID"], rows["Status"], strict=True)) == sorted(
        [(first.key, "outbox"), (second.key, "outbox")]
    )  # one MailLog row each, not two for the first
    assert mailer.sent_keys(journal.records(), rows) == set()  # previews do not count as sent by SMTP


class _Clock:
    """time.monotonic for the journal, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _counting(monkeypatch) -> tuple[_Clock, list[int]]:
    import mailer.journal as module

    clock, fsyncs = _Clock(), []
    real = module.os.fsync
    monkeypatch.setattr(module.time, "monotonic", clock)
    monkeypatch.setattr(module.os, "fsync", lambda fd: (fsyncs.append(fd), real(fd)))
    return clock, fsyncs


def test_fsync_once_per_group_of_64_events_and_when_the_journal_is_read(tmp_path, monkeypatch):
    _clock, fsyncs = _counting(monkeypatch)
    journal = mailer.Journal(tmp_path / "j.jsonl")
    msg = outgoing(1)[0]
    for number in range(1, 151):
        journal.record(msg.key, "pending" if number % 2 else "outbox", msg.log_fields())
        assert len(fsyncs) == number // 64  # the 64th and the 128th event
    assert len(journal.records()) == 150 and len(fsyncs) == 3  # reading syncs the 22 waiting
    journal.records()
    assert len(fsyncs) == 3  # nothing waiting, nothing to force


def test_fsync_at_the_first_event_a_second_after_the_last(tmp_path, monkeypatch):
    clock, fsyncs = _counting(monkeypatch)
    journal = mailer.Journal(tmp_path / "j.jsonl")
    msg = outgoing(1)[0]
    journal.record(msg.key, "pending", msg.log_fields())
    clock.now += 0.9
    journal.record(msg.key, "sent", msg.log_fields())
    assert fsyncs == []
    clock.now += 0.2
    journal.record(msg.key, "sent", msg.log_fields())
    assert len(fsyncs) == 1  # a slow SMTP run syncs about every message


def test_an_event_is_in_the_file_before_record_returns_without_fsync(tmp_path, monkeypatch):
    _clock, fsyncs = _counting(monkeypatch)
    path = tmp_path / "j.jsonl"
    journal = mailer.Journal(path)
    (msg,) = outgoing(1)
    journal.record(msg.key, "pending", msg.log_fields())
    assert fsyncs == []
    (line,) = path.read_bytes().splitlines()  # what a killed process leaves: the kernel has it
    assert json.loads(line)["Status"] == "pending"


def test_a_torn_line_does_not_swallow_the_next_runs_first_event(tmp_path):
    path = tmp_path / "j.jsonl"
    a, b = outgoing(2)
    first = mailer.Journal(path)
    first.record(a.key, "pending", a.log_fields())
    first.close()
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"MessageID": a.key, "Status": "sent"})[:25])  # killed mid-line
    mailer.Journal(path).record(b.key, "pending", b.log_fields())  # the next run
    records = mailer.Journal(path).records()
    assert [(r["MessageID"], r["Status"]) for r in records] == [(a.key, "pending"), (b.key, "pending")]


def _row(
    key: str, status: str, at: str, *, kind: str = "statement", customer: str = "C1"
) -> dict[str, object]:
    return {
        "MessageID": key,
        "At": at,
        "Kind": kind,
        "CustomerID": customer,
        "AsOf": "2026-11-30",
        "Status": status,
        "Detail": status,
    }


def test_message_outcomes_one_per_message_delivered_wins_and_given_up_ends_it():
    history = mailer.log_frame(
        [
            _row("a", "failed", "2026-12-01 06:00:00"),
            _row("a", "sent", "2026-12-01 07:00:00"),
            _row("a", "failed", "2026-12-01 08:00:00"),  # a later attempt failing does not make it owed again
            _row("b", "refused", "2026-12-01 06:00:00", customer="C2"),
            _row("b", "Given Up ", "2026-12-01 06:00:00", customer="C2"),  # a person's spelling
            _row("b", "refused", "2026-12-01 09:00:00", customer="C2"),
            _row("c", "not mailed", "2026-12-01 06:00:00", customer="C3"),
            _row("d", "sent", "2026-12-01 10:00:00", customer="C3"),  # C3's address was fixed since
            _row("e", "outbox", "2026-12-01 06:00:00", customer="C4"),
            {**_row("f", "failed", "2026-11-01 06:00:00", customer="C5"), "AsOf": "2026-10-31"},
        ]
    )
    got = mailer.message_outcomes(history, as_of=date(2026, 11, 30))
    assert list(zip(got["MessageID"], got["Outcome"], strict=True)) == [
        ("a", "delivered"),
        ("b", "given up"),
        ("d", "delivered"),
        ("e", "outbox"),
    ]
    preview = mailer.message_outcomes(history, as_of=date(2026, 11, 30), delivered=mailer.DELIVERED)
    assert preview.set_index("MessageID").loc["e", "Outcome"] == "delivered"
    assert mailer.given_up_keys(history) == {"b"}


def test_fold_does_not_add_back_an_outcome_a_person_marked_given_up():
    records = [{**_row("b", "refused", "2026-12-01T06:00:00"), "Level": None, "Amount": None}]
    log = mailer.fold(records, empty_mail_log())
    assert list(log["Status"]) == ["refused"]
    log.loc[0, "Status"] = "given up"
    assert len(mailer.fold(records, log)) == 0
