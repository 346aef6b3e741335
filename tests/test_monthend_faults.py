"""Month-end --send against SMTP servers that fail, then the same command again: every message the
month owes reaches the server exactly once, and no run says it is done while mail is owed.

Faults: the server goes away after some messages, drops every line after some messages,
stalls past the client's timeout after storing a message (the one case where a message may
arrive twice: stored, but its 250 never seen; it repeats with the same Message-ID), answers
4xx for the rest of the run, answers 550 for one recipient for two runs, or cannot be reached
at all. What each fault run owes is compared with the messages a healthy server accepted from
the same book (the reference), counted by Message-ID over every server the runs talked to.

The earlier steps (import to forecast) are run once on a shared book; each fault starts from a
copy of it, so only the mail steps and the report run per fault.
"""

from __future__ import annotations

import collections
import dataclasses
import email
import email.policy
import shutil
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

import mailer
import sample_data
from arbook.demo import build_demo_books
from arbook.monthend import STEPS, month_end, step_command
from arbook.operation import Summary
from tests.cli_child import run_cli
from tests.mail_support import PASSWORD, SENDER, USER, Recorder, SmtpServer, session_ca
from workbook.filebook import FileBook

pytestmark = pytest.mark.slow

TIMEOUT = 0.5  # the client's SMTP timeout in these tests; a stall lasts twice as long


class FaultyRecorder(Recorder):
    """A Recorder whose `fault(server, envelope, n)` may answer the n-th DATA of this server instead."""

    def __init__(self, fault: Callable[..., str | None] | None = None) -> None:
        super().__init__()
        self.fault = fault
        self.data = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.data += 1
        if self.fault is not None:
            answer = self.fault(self, server, envelope, self.data)
            if answer:
                return answer
        return await super().handle_DATA(server, session, envelope)


def drop(server) -> str:
    """Close the line without an answer: the message is not stored."""
    server.transport.close()
    return "421 4.4.2 closing"  # never reaches the client


@pytest.fixture(scope="module")
def company() -> sample_data.SampleCompany:
    """A small generated company, one customer without e-mail (owed mail, listed as not mailed)."""
    generated = sample_data.generate(customers=8, months=2)
    generated.customers.loc[generated.customers.index[0], "Email"] = ""
    return generated


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory, company: sample_data.SampleCompany) -> Path:
    """The month's book with every step before the mail done (a folder holding Book.xlsx and bank/)."""
    folder = tmp_path_factory.mktemp("prepared")
    workbook, files, _ = build_demo_books(folder, company)
    month_end(workbook, bank_files=files, as_of=company.as_of, stop_after="forecast")
    return folder


def copy_of(prepared: Path, folder: Path) -> tuple[Path, list[Path]]:
    shutil.copytree(prepared, folder)
    return folder / "Book.xlsx", sorted((folder / "bank").iterdir())


def transport(server: SmtpServer) -> mailer.SmtpTransport:
    return mailer.SmtpTransport(
        server.settings(timeout=TIMEOUT),
        password=PASSWORD,
        ssl_context=server.client_context(),
        backoff_seconds=0.01,
    )


def ids(messages: list) -> list[str]:
    return [str(m["Message-ID"]).strip().strip("<>").partition("@")[0] for m in messages]


@pytest.fixture(scope="module")
def owed(
    prepared: Path, company: sample_data.SampleCompany, tmp_path_factory: pytest.TempPathFactory
) -> collections.Counter[str]:
    """The Message-IDs a healthy server accepts from the prepared book: what the month owes, once each."""
    folder = tmp_path_factory.mktemp("reference")
    workbook, files = copy_of(prepared, folder / "book")
    server = SmtpServer(folder).start()
    try:
        result = month_end(
            workbook, bank_files=files, as_of=company.as_of, send=True, transport=transport(server)
        )
    finally:
        server.stop()
    assert result.ok and result.complete, result.notes
    accepted = collections.Counter(ids(server.handler.accepted))
    assert max(accepted.values()) == 1 and sum(k.startswith("report-") for k in accepted) == 1
    assert sum(k.startswith("statement-") for k in accepted) >= 5
    return accepted


class Month:
    """One fault's book and every server its runs talked to."""

    def __init__(self, prepared: Path, folder: Path, company: sample_data.SampleCompany) -> None:
        self.folder, self.company = folder, company
        self.workbook, self.files = copy_of(prepared, folder / "book")
        self.accepted: list = []
        self.servers: list[SmtpServer] = []

    def run(self, server: SmtpServer | None = None) -> Summary:
        """month-end --send against `server` (by default a healthy one on a new port)."""
        if server is None:
            server = SmtpServer(self.folder)
            server.handler = FaultyRecorder()
            server.start()
        self.servers.append(server)
        try:
            return month_end(
                self.workbook,
                bank_files=self.files,
                as_of=self.company.as_of,
                send=True,
                transport=transport(server),
            )
        finally:
            server.stop()

    def faulty(self, fault: Callable[..., str | None]) -> SmtpServer:
        server = SmtpServer(self.folder)
        server.handler = FaultyRecorder(fault)
        return server.start()

    def received(self) -> collections.Counter[str]:
        return collections.Counter(i for s in self.servers for i in ids(s.handler.accepted))

    def audit(self) -> list[str]:
        with FileBook(self.workbook, lock=False) as book:
            return [c for c in book.read("Audit")["Command"] if c.startswith("month-end")]

    def mail_log(self):
        with FileBook(self.workbook, lock=False) as book:
            return book.read("MailLog")


def lost_and_repeated(
    received: collections.Counter[str], owed: collections.Counter[str]
) -> tuple[set[str], set[str], set[str]]:
    """(owed but never received, received more than once, received but not owed)."""
    return (
        set(owed) - set(received),
        {k for k, n in received.items() if n > 1},
        set(received) - set(owed),
    )


def assert_unfinished(result: Summary) -> None:
    """A run that left mail owed says so: not ok (exit 1), not complete, and how to continue."""
    assert not result.ok and not result.complete
    assert any("run the same command again" in note for note in result.notes), result.notes


def report_text(server: SmtpServer) -> str:
    [report] = [m for m in server.handler.accepted if str(m["Message-ID"]).strip().startswith("<report-")]
    return report.get_body(("plain",)).get_content()


def stop_soon(server: SmtpServer) -> str:
    """Answer this message with a refusal to continue, then go away (the next messages find no server)."""
    threading.Thread(target=server.stop).start()
    return "421 4.3.2 shutting down"


FAULTS = {
    # name: (fault for the first run's server, or None for a server that is not there)
    "server goes away after 4 messages": "stop",
    "line dropped from the 5th message on": lambda rec, server, env, n: drop(server) if n >= 5 else None,
    "451 from the 3rd message on": lambda rec, server, env, n: (
        "451 4.3.0 Try again later" if n >= 3 else None
    ),
    "server not reachable": None,
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_a_failing_server_then_reruns_deliver_every_message_once(
    name: str,
    prepared: Path,
    owed: collections.Counter[str],
    company: sample_data.SampleCompany,
    tmp_path: Path,
) -> None:
    month = Month(prepared, tmp_path, company)
    fault = FAULTS[name]
    if fault is None:
        server = SmtpServer(tmp_path)  # never started: the port refuses the connection
    elif fault == "stop":
        server = month.faulty(lambda rec, srv, env, n: None)
        server.handler.script = {5: lambda: stop_soon(server)}
    else:
        server = month.faulty(fault)
    first = month.run(server)
    assert_unfinished(first)
    assert str(first.figures["report"]).startswith("not sent yet")
    done = month.audit()
    assert (
        step_command(company.as_of, "statements") not in done
        or step_command(company.as_of, "notices") not in done
    )
    assert step_command(company.as_of, "report") not in done  # the report waits for the mail it reports
    assert step_command(company.as_of, "statements") + " unfinished" in done  # what Audit says of it
    assert not any(k.startswith("report-") for k in month.received())

    second = month.run()
    assert second.ok and second.complete, second.notes
    assert month.audit()[-1] == step_command(company.as_of, "report")
    lost, repeated, extra = lost_and_repeated(month.received(), owed)
    assert (lost, repeated, extra) == (set(), set(), set())

    # the report of the resumed run lists the customer without e-mail whom the first run found
    text = report_text(month.servers[-1])
    no_email = str(company.customers["CustomerID"].iloc[0])
    assert (
        f"Kontoauszüge: {no_email} " in text.split("Nicht versandt (keine brauchbare E-Mail-Adresse):")[1]
    )  # locale de
    third = month.run()
    assert [third.figures[s] for s in STEPS] == ["already done"] * len(STEPS)
    assert third.ok and not month.servers[-1].handler.accepted


def test_a_preview_into_the_outbox_then_send_sends_every_message_once(
    prepared: Path, owed: collections.Counter[str], company: sample_data.SampleCompany, tmp_path: Path
) -> None:
    """Mail written to the outbox is done for previews only: the same month with --send sends all of
    it, the report too, exactly once each; a third run has nothing to do."""
    month = Month(prepared, tmp_path, company)
    preview = month_end(month.workbook, bank_files=month.files, as_of=company.as_of)
    assert preview.ok and preview.complete, preview.notes
    mail_steps = ("statements", "notices", "report")
    assert all(step_command(company.as_of, s, outbox=True) in month.audit() for s in mail_steps)
    sent = month.run()
    assert sent.ok and sent.complete, sent.notes
    assert [sent.figures[s] == "already done" for s in mail_steps] == [False] * 3
    assert lost_and_repeated(month.received(), owed) == (set(), set(), set())
    again = month.run()
    assert [again.figures[s] for s in STEPS] == ["already done"] * len(STEPS)
    assert again.ok and not month.servers[-1].handler.accepted


def test_a_stall_after_storing_repeats_only_that_message_with_its_message_id(
    prepared: Path, owed: collections.Counter[str], company: sample_data.SampleCompany, tmp_path: Path
) -> None:
    month = Month(prepared, tmp_path, company)
    stalled: list[str] = []

    def stall_once(rec: FaultyRecorder, server, envelope, n: int) -> str | None:
        if n != 3:
            return None
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        stalled.extend(ids([message]))
        rec.accepted.append(message)
        time.sleep(2 * TIMEOUT)  # stored, but the 250 comes after the client stopped waiting
        return "250 2.0.0 OK"

    first = month.run(month.faulty(stall_once))
    assert first.ok and first.complete, first.notes  # the client sent it again at once and saw a 250
    lost, repeated, extra = lost_and_repeated(month.received(), owed)
    assert lost == set() and extra == set()
    assert repeated == set(stalled) and len(stalled) == 1  # the stored-but-unacknowledged case, and only it
    assert month.received()[stalled[0]] == 2


def refusing(address: str, attempts: list[int]) -> Callable[..., str | None]:
    """A fault: 550 for every message to `address` (noting the DATA number in `attempts`)."""

    def unknown_mailbox(rec: FaultyRecorder, server, envelope, n: int) -> str | None:
        if address in envelope.rcpt_tos:
            attempts.append(n)
            return "550 5.1.1 Mailbox unknown"
        return None

    return unknown_mailbox


def test_a_recipient_refused_for_good_is_reported_on_every_run_until_it_goes_out(
    prepared: Path, owed: collections.Counter[str], company: sample_data.SampleCompany, tmp_path: Path
) -> None:
    month = Month(prepared, tmp_path, company)
    refused_id = str(company.customers["CustomerID"].iloc[1])
    attempts: list[int] = []
    unknown_mailbox = refusing(str(company.customers["Email"].iloc[1]), attempts)

    first = month.run(month.faulty(unknown_mailbox))
    # the steps are complete (nothing is owed for now), but the run failed: exit 1 and the refusal named
    assert not first.ok and first.complete
    assert month.audit()[-len(STEPS) :] == [step_command(company.as_of, s) for s in STEPS]
    assert any(refused_id in note and "550 5.1.1" in note for note in first.notes), first.notes
    assert any("given up" in note for note in first.notes)
    refused_first = len(attempts)
    assert refused_first >= 1
    failures = report_text(month.servers[-1]).split("Fehler:")[1]  # locale de
    assert f" an {refused_id} (" in failures and ": abgelehnt: " in failures

    second = month.run(month.faulty(unknown_mailbox))
    assert not second.ok  # reported again, and tried again: a person may have fixed the address
    assert any(refused_id in note and "550 5.1.1" in note for note in second.notes), second.notes
    assert len(attempts) == 2 * refused_first
    assert not month.servers[-1].handler.accepted  # nothing else is sent again, the report neither

    third = month.run()  # the mailbox exists now
    assert third.ok and third.complete, third.notes
    lost, repeated, extra = lost_and_repeated(month.received(), owed)
    assert (lost, repeated, extra) == (set(), set(), set())
    log = month.mail_log()
    refused_rows = log[log["Status"] == mailer.REFUSED]
    assert set(refused_rows["CustomerID"]) == {refused_id} and len(refused_rows) == 2 * refused_first

    fourth = month.run()
    assert fourth.ok and not month.servers[-1].handler.accepted


def test_killed_at_every_step_with_send_then_resumed_sends_each_message_once(
    owed: collections.Counter[str], company: sample_data.SampleCompany, tmp_path: Path
) -> None:
    """`arbook month-end --send` killed (SIGKILL) at the commit of each step in turn, each run resuming
    the last: every message the month owes reaches the server once, and the last run finishes.
    Each run is a process of its own (`tests.cli_child`: a fork of one that imported arbook once)."""
    server = SmtpServer(tmp_path)
    server.handler = FaultyRecorder()
    server.start()
    settings = {
        **company.settings,
        "smtp_host": "127.0.0.1",
        "smtp_port": server.port,
        "smtp_security": "starttls",
        "smtp_user": USER,
        "smtp_ca_file": str(session_ca()[0]),
        "mail_from": SENDER,
        "mail_rate_per_minute": 10_000,
    }
    (tmp_path / "book").mkdir()
    workbook, files, _ = build_demo_books(tmp_path / "book", dataclasses.replace(company, settings=settings))
    arguments = ["month-end", str(workbook), "--as-of", company.as_of.isoformat(), "--send"]
    arguments += [a for f in files for a in ("--bank", str(f))]
    env = {"ARBOOK_SMTP_PASSWORD": PASSWORD}
    runs = tmp_path / "runs"
    try:
        for step in STEPS:
            killed = run_cli(arguments, folder=runs, env=env, kill_at_commit_of=step)
            assert killed.returncode == -signal.SIGKILL, (step, killed.stdout, killed.stderr)
        finished = run_cli(arguments, folder=runs, env=env)
        assert finished.returncode == 0, finished.stdout + finished.stderr
        again = run_cli(arguments, folder=runs, env=env)
        assert again.returncode == 0 and "already done" in again.stdout, again.stdout + again.stderr
    finally:
        server.stop()
    received = collections.Counter(ids(server.handler.accepted))
    assert lost_and_repeated(received, owed) == (set(), set(), set())
    with FileBook(workbook, lock=False) as book:
        audit = [c for c in book.read("Audit")["Command"] if c.startswith("month-end")]
    assert audit == [step_command(company.as_of, s) for s in STEPS]


def give_up(workbook: Path, customer_id: str) -> int:
    """What a person does in Excel: write `given up` over `refused` in the customer's MailLog rows."""
    book = openpyxl.load_workbook(workbook)
    sheet = book["MailLog"]
    header = [c.value for c in sheet[1]]
    customer, status = header.index("CustomerID") + 1, header.index("Status") + 1
    changed = 0
    for r in range(2, sheet.max_row + 1):
        if sheet.cell(r, customer).value == customer_id and sheet.cell(r, status).value == "refused":
            sheet.cell(r, status).value = "given up"
            changed += 1
    book.save(workbook)
    return changed


def test_a_refused_message_a_person_gave_up_is_neither_sent_nor_reported_again(
    prepared: Path, company: sample_data.SampleCompany, tmp_path: Path
) -> None:
    month = Month(prepared, tmp_path, company)
    refused_id = str(company.customers["CustomerID"].iloc[2])
    attempts: list[int] = []
    unknown_mailbox = refusing(str(company.customers["Email"].iloc[2]), attempts)

    first = month.run(month.faulty(unknown_mailbox))
    assert not first.ok and first.complete
    tried = len(attempts)
    assert tried >= 1 and give_up(month.workbook, refused_id) == tried

    second = month.run(month.faulty(unknown_mailbox))
    assert second.ok and second.complete, second.notes
    assert [second.figures[s] for s in STEPS] == ["already done"] * len(STEPS)
    assert len(attempts) == tried and not month.servers[-1].handler.accepted
    log = month.mail_log()
    assert list(log.loc[log["CustomerID"] == refused_id, "Status"]).count("given up") == tried
    assert not (log["Status"] == mailer.REFUSED).any()


def test_a_message_not_sent_that_a_late_bank_file_changes_is_superseded_once_and_nothing_is_lost(
    owed: collections.Counter[str], company: sample_data.SampleCompany, tmp_path: Path
) -> None:
    """Run 1 forgets the GBP account's file and finds no server: every message is owed. Run 2 gives
    the file: statements and notices it changes get new Message-IDs. Exactly the month's messages
    (those a run given every file at once sends) go out once; each old one is recorded superseded,
    named once by the run that found it, and neither sent nor reported by any later run."""
    (tmp_path / "book").mkdir()
    workbook, files, _ = build_demo_books(tmp_path / "book", company)
    late = next(f for f in files if f.name.startswith("gbp_"))
    month = Month.__new__(Month)
    month.folder, month.company, month.workbook, month.files = tmp_path, company, workbook, files
    month.accepted, month.servers = [], []

    month.files = [f for f in files if f != late]
    first = month.run(SmtpServer(tmp_path))  # never started: the port refuses the connection
    assert_unfinished(first)
    failed_first = set(month.mail_log().query("Status == 'failed'")["MessageID"])
    assert failed_first and not month.received()

    month.files = files
    second = month.run()
    assert second.ok and second.complete, second.notes
    received = month.received()
    assert max(received.values()) == 1
    assert {k for k in received if not k.startswith("report-")} == {
        k for k in owed if not k.startswith("report-")
    }
    assert sum(k.startswith("report-") for k in received) == 1
    log = month.mail_log()
    superseded = log[log["Status"] == mailer.SUPERSEDED]
    assert superseded["MessageID"].is_unique and len(superseded) >= 1
    assert set(superseded["MessageID"]) == failed_first - set(received)  # nothing lost
    named = [note for note in second.notes if "superseded: " in note]
    assert sorted(k for k in superseded["MessageID"] for note in named if k in note) == sorted(
        superseded["MessageID"]
    )  # each named once
    assert "noch nicht versandt" not in report_text(month.servers[-1])  # locale de

    third = month.run()
    assert third.ok and third.complete, third.notes
    assert [third.figures[s] for s in STEPS] == ["already done"] * len(STEPS)
    assert not month.servers[-1].handler.accepted
    assert not any("superseded" in note for note in third.notes)
    log = month.mail_log()
    assert (log["Status"] == mailer.SUPERSEDED).sum() == len(superseded)
