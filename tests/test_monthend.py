"""Month-end as the clerk runs it: idempotent, resumable after a stop or a kill, and `arbook demo`.

The demo's books are built once per session (`demo_template`) and copied for each run; the
uninterrupted reference run that the stopped and killed runs must end like is run once here.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pytest

import sample_data
from arbook.monthend import STEPS, month_end, step_command
from arbook.operation import Summary
from tests.conftest import arbook, copy_demo, count, report_figures
from tests.mail_support import SmtpServer
from workbook.contract import TABLES
from workbook.filebook import FileBook

REPO = Path(__file__).resolve().parents[1]
# Columns that hold the moment a run happened; everything else must come out identical.
VOLATILE = {
    ("Audit", "At"),
    ("Audit", "SHA256Before"),
    ("Audit", "SHA256After"),
    ("Audit", "Summary"),
    ("BankLines", "ImportedAt"),
    ("BankStatements", "ImportedAt"),
    ("Allocations", "PostedAt"),
    ("MailLog", "At"),
    ("CreditLimitLog", "At"),
    ("Audit", "User"),
}


@pytest.fixture(scope="module")
def company(small_company: sample_data.SampleCompany) -> sample_data.SampleCompany:
    return small_company


@pytest.fixture()
def demo_books(demo_template, tmp_path: Path) -> tuple[Path, list[Path]]:
    workbook, bank_files, _ = copy_demo(demo_template, tmp_path / "demo")
    return workbook, bank_files


class Reference:
    """The demo's month-end run once without interruption: the tables, outbox and report figures
    every other run must end with, and what its steps said."""

    def __init__(self, workbook: Path, bank_files: list[Path], as_of) -> None:
        self.summary = month_end(workbook, bank_files=bank_files, as_of=as_of)
        self.workbook = workbook
        self.tables = tables(workbook)
        self.outbox = sorted(os.listdir(workbook.parent / "outbox"))
        self.report = report_figures(workbook, as_of)


@pytest.fixture(scope="module")
def reference(demo_template, tmp_path_factory: pytest.TempPathFactory) -> Reference:
    return Reference(*copy_demo(demo_template, tmp_path_factory.mktemp("reference") / "demo"))


def tables(workbook: Path) -> dict[str, pd.DataFrame]:
    with FileBook(workbook, lock=False) as book:
        out = {}
        for decl in TABLES:
            frame = book.read(decl.name).reset_index(drop=True)
            out[decl.name] = frame.drop(columns=[c for c in frame.columns if (decl.name, c) in VOLATILE])
        return out


def assert_same_tables(got: dict[str, pd.DataFrame], want: dict[str, pd.DataFrame]) -> None:
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name], check_dtype=True, obj=name)


def message_ids(server: SmtpServer) -> list[str]:
    return sorted(str(m["Message-ID"]).strip().strip("<>").partition("@")[0] for m in server.handler.accepted)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class SentOverSmtp(NamedTuple):
    """The demo's month-end sent once to a real SMTP server (which stays up for the module)."""

    workbook: Path
    bank_files: list[Path]
    server: SmtpServer
    first: Summary


@pytest.fixture(scope="module")
def sent_over_smtp(
    demo_template, tmp_path_factory: pytest.TempPathFactory, company: sample_data.SampleCompany
) -> Iterator[SentOverSmtp]:
    folder = tmp_path_factory.mktemp("smtp")
    workbook, bank_files, _ = copy_demo(demo_template, folder / "demo")
    server = SmtpServer(folder).start()
    try:
        first = month_end(
            workbook, bank_files=bank_files, as_of=company.as_of, send=True, transport=server.transport()
        )
        yield SentOverSmtp(workbook, bank_files, server, first)
    finally:
        server.stop()


def test_month_end_twice_over_smtp_changes_nothing_the_second_time(
    sent_over_smtp: SentOverSmtp, company: sample_data.SampleCompany
) -> None:
    workbook, bank_files, server, first = sent_over_smtp
    # the first run was the fixture's
    assert first.ok, first.notes
    assert [first.figures[s] != "already done" for s in STEPS] == [True] * len(STEPS)
    sent = message_ids(server)
    after_first, file_after_first = tables(workbook), sha256(workbook)
    log = after_first["MailLog"]
    delivered = log[log["Status"] == "sent"]
    # a reminder that went inside an overdue notice of the same day has its own row naming that message
    inside = delivered["Detail"].str.startswith("in message ")
    assert sorted(delivered.loc[~inside, "MessageID"]) == sent
    assert inside.any() and set(delivered.loc[inside, "Kind"]) == {"reminder"}
    assert set(delivered.loc[inside, "Detail"].str.removeprefix("in message ")) <= set(sent)
    # the rest are customers owed mail without a usable address, logged for the report
    no_email = company.customers.loc[company.customers["Email"].fillna("") == "", "CustomerID"]
    unmailed = log[log["Status"] != "sent"]
    assert set(unmailed["Status"]) == {"not mailed"} and set(unmailed["CustomerID"]) == set(no_email)
    assert (delivered["Kind"] == "statement").sum() > 0 and (delivered["Kind"] == "notice").sum() > 0
    audit = after_first["Audit"]["Command"].tolist()
    assert audit[-len(STEPS) :] == [step_command(company.as_of, s) for s in STEPS]

    second = month_end(
        workbook, bank_files=bank_files, as_of=company.as_of, send=True, transport=server.transport()
    )
    assert [second.figures[s] for s in STEPS] == ["already done"] * len(STEPS)
    assert message_ids(server) == sent, "a customer got a mail twice"
    assert sha256(workbook) == file_after_first


def test_report_goes_to_report_recipients_with_charts_and_exceptions(
    sent_over_smtp: SentOverSmtp, company: sample_data.SampleCompany, tmp_path: Path
) -> None:
    server = sent_over_smtp.server
    reports = [m for m in server.handler.accepted if str(m["Message-ID"]).strip().startswith("<report-")]
    assert len(reports) == 1
    report = reports[0]
    assert report["X-Envelope-To"] == ", ".join(company.settings["report_recipients"])
    html = report.get_body(("html",)).get_content()
    assert "Bankabstimmung" in html and "<script" not in html  # in the workbook's language: de
    # the CSV export repeats three transfers of the main account's MT940: shown apart, so all
    # three accounts balance
    reconciliation = html.split("Bankabstimmung")[1].split("<h2")[0]
    assert reconciliation.count(">ausgeglichen<") == 3
    # customers without e-mail are listed for post or a phone call, statements and notices alike
    unmailed = html.split("Nicht versandt: keine brauchbare E-Mail-Adresse")[1].split("<h2")[0]
    no_email = company.customers.loc[company.customers["Email"].fillna("") == "", "CustomerID"].astype(str)
    assert len(no_email) and all(f"Kontoauszüge: {cid} " in unmailed for cid in no_email)
    images = [p for p in report.walk() if p.get_content_type() == "image/png"]
    assert sorted(p["Content-ID"] for p in images) == ["<aging>", "<forecast>", "<receipts>"]
    assert all(f'src="cid:{p["Content-ID"].strip("<>")}"' in html for p in images)
    xlsx = [p for p in report.iter_attachments() if p.get_filename().endswith(".xlsx")]
    assert len(xlsx) == 1
    path = tmp_path / xlsx[0].get_filename()
    path.write_bytes(xlsx[0].get_content())
    import openpyxl

    book = openpyxl.load_workbook(path)
    # sheets and the report's own columns in the workbook's language (de); the workbook's columns as there
    assert book.sheetnames == ["Nicht zugeordnet", "Vorschläge zur Prüfung", "Über Limit"]
    assert all(len(book[name].tables) == 1 for name in book.sheetnames)
    # each credit still open says why, as its BankLines.Note does, with its best candidates
    sheet = book["Nicht zugeordnet"]
    assert [c.value for c in sheet[1]] == [
        "LineID",
        "Date",
        "Amount",
        "Currency",
        "Payer",
        "Memo",
        "Status",
        "Grund",
        "Mögliche Rechnungen",
        "Wiederholt LineID",
    ]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    with FileBook(sent_over_smtp.workbook, lock=False) as workbook:
        notes = workbook.read("BankLines").set_index("LineID")["Note"]
    assert rows and all(row[7] and notes[row[0]] == f"arbook: {row[7]}" for row in rows)
    why = {row[0]: (row[6], row[7], row[8]) for row in rows}
    assert why["B065cac8065fb989a"] == (
        "Suggested",
        "not sure enough to post; suggested in Matches: INV-2026-00835 (customer 10061, score 100) "
        "(Approve Y or N there, then arbook post)",
        "INV-2026-00835 (customer 10061, score 100)",
    )
    # a refund of the very amount of an open invoice is still a refund: no candidates
    assert why["Be1407cb159e3b3ce"] == (
        "Unmatched",
        "looks like a refund or return, not a customer payment: left unmatched",
        None,
    )


def test_the_reports_run_figures_are_the_import_and_match_steps_own(reference: Reference) -> None:
    steps, runs = reference.summary.figures, reference.report[1]
    match = steps["match"]
    assert {k: int(v) for k, v in runs.items() if k != "Money they took (auto-posted)"} == {
        "Bank lines imported by the month's runs": count(steps["import-bank"], "new"),
        "Of those, dated outside the month": 0,
        "Lines posted automatically by the month's runs": count(match, "auto-posted lines"),
        "Lines waiting for review": count(match, "lines with suggestions"),
        "Lines left open (BankLines.Note says why)": count(match, "lines left open"),
    }
    # the money as the match step said it, and as the report's summary says it (the report.txt says
    # it in the workbook's language: de)
    money = match.split("auto-posted amount ")[1].split("; lines with suggestions")[0]
    assert money == "153038.06 EUR; 6221.91 GBP; 46032.69 USD"
    assert f"Money they took (auto-posted) {money}; " in steps["report"]
    assert runs["Money they took (auto-posted)"] == "153.038,06 EUR; 6.221,91 GBP; 46.032,69 USD"
    # the demo's month, as the steps said it
    assert [count(steps["import-bank"], "new")] + [
        count(match, k) for k in ("auto-posted lines", "lines with suggestions", "lines left open")
    ] == [150, 115, 2, 14]


def test_october_closed_in_december_reports_octobers_lines(reference: Reference) -> None:
    """The demo closes October (--as-of 2026-10-31) on whatever day the suite runs: its report
    counts October's bank lines and what became of them."""
    month, runs = reference.report
    with FileBook(reference.workbook, lock=False) as book:
        lines = book.read("BankLines")
    october = lines[(lines["Date"] >= "2026-10-01") & (lines["Date"] <= "2026-10-31")]
    credits = october[october["Amount"] > 0]
    status = credits["Status"].value_counts()
    assert len(october) == len(lines) == 150
    assert (month["Bank lines in the month"], month["Receipts (credits)"]) == ("150", str(len(credits)))
    # nothing was posted by hand: every matched line of October was matched by the match step
    assert [
        month[k] for k in ("Matched automatically", "Matched by hand", "Waiting for review", "Unmatched")
    ] == [
        str(status["Matched"]),
        "0",
        str(status["Suggested"]),
        str(status["Unmatched"]),
    ]
    assert runs["Bank lines imported by the month's runs"] == "150"


@pytest.mark.slow
def test_stopped_after_each_step_then_resumed_ends_like_an_uninterrupted_run(
    tmp_path: Path, company: sample_data.SampleCompany, demo_template, reference: Reference
) -> None:
    # The book stopped after one step is copied before it is resumed, and the copy is taken one
    # step further: every stopped state is reached once, not by running all the steps before it again.
    start, bank_files = copy_demo(demo_template, tmp_path / "start")[:2]
    stopped, names = start.parent, [f.relative_to(start.parent) for f in bank_files]
    for step in STEPS[:-1]:
        folder = tmp_path / step
        shutil.copytree(stopped, folder)
        workbook, files = folder / start.name, [folder / name for name in names]
        month_end(workbook, bank_files=files, as_of=company.as_of, stop_after=step)
        with FileBook(workbook, lock=False) as book:
            done = [c for c in book.read("Audit")["Command"] if c.startswith("month-end")]
        # a mail step done into the outbox says so (a later run with --send still sends)
        assert done == [step_command(company.as_of, s, outbox=True) for s in STEPS[: STEPS.index(step) + 1]]
        stopped = tmp_path / f"stopped-after-{step}"
        shutil.copytree(folder, stopped)
        resumed = month_end(workbook, bank_files=files, as_of=company.as_of)
        assert [k for k, v in resumed.figures.items() if v == "already done"] == list(
            STEPS[: STEPS.index(step) + 1]
        )
        assert_same_tables(tables(workbook), reference.tables)
        assert sorted(os.listdir(folder / "outbox")) == reference.outbox
        # the report reads what the month's runs did from the workbook, the stopped run's work included
        assert report_figures(workbook, company.as_of) == reference.report


@pytest.mark.slow
@pytest.mark.parametrize("delay", [1.5, 3.5, 6.0])
def test_killed_mid_run_then_rerun_ends_like_an_uninterrupted_run(
    tmp_path: Path, company: sample_data.SampleCompany, demo_template, reference: Reference, delay: float
) -> None:
    killed_dir = tmp_path / "killed"
    workbook, files = copy_demo(demo_template, killed_dir)[:2]
    command = [
        sys.executable,
        "-c",
        "from arbook.cli import main; main()",
        "month-end",
        str(workbook),
        "--as-of",
        company.as_of.isoformat(),
        *[a for f in files for a in ("--bank", str(f))],
    ]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    rerun = arbook(
        *command[3:]
    )  # the same command again, in this process: the kill needed a process of its own
    assert rerun.code == 0, rerun.err
    got = tables(workbook)
    # A message the kill caught between its "pending" and its outcome is logged once as an interrupted
    # attempt; it must have been delivered once afterwards, like every other message.
    log = got["MailLog"]
    interrupted = (log["Status"] == "failed") & log["Detail"].str.contains("interrupted")
    delivered = log.loc[~interrupted, "MessageID"]
    assert set(log.loc[interrupted, "MessageID"]) <= set(delivered) and delivered.is_unique
    got["MailLog"] = log[~interrupted].reset_index(drop=True)
    assert_same_tables(got, reference.tables)
    assert sorted(os.listdir(killed_dir / "outbox")) == reference.outbox
    assert report_figures(workbook, company.as_of) == reference.report


def test_dry_run_writes_nothing_to_the_workbook(
    demo_books: tuple[Path, list[Path]], company: sample_data.SampleCompany
) -> None:
    workbook, bank_files = demo_books
    before = sha256(workbook)
    summary = month_end(workbook, bank_files=bank_files, as_of=company.as_of, dry_run=True)
    assert sha256(workbook) == before
    assert "dry run: the workbook was not changed; mail went to the outbox only" in summary.notes
    assert any(name.startswith("statement-") for name in os.listdir(workbook.parent / "outbox"))
    # nothing is left behind but the outbox: no mail journal, no report folder, no backup
    assert sorted(p.name for p in workbook.parent.iterdir()) == sorted(["bank", "outbox", workbook.name])

    real = month_end(workbook, bank_files=bank_files, as_of=company.as_of)
    for step in ("statements", "notices"):
        assert "already sent earlier 0;" in real.figures[step], real.figures[step]
    with FileBook(workbook, lock=False) as book:
        log = book.read("MailLog")
    written = [name for name in os.listdir(workbook.parent / "outbox") if name.endswith(".eml")]
    assert log["MessageID"].is_unique
    previewed = log[(log["Status"] == "outbox") & ~log["Detail"].str.startswith("in message ")]
    assert sorted(previewed["MessageID"] + ".eml") == sorted(written)  # reminders inside a notice: no file
    assert set(log["Status"]) == {"outbox", "not mailed"}


def test_a_workbook_open_in_excel_is_refused_before_any_step(
    demo_books: tuple[Path, list[Path]], company: sample_data.SampleCompany
) -> None:
    workbook, bank_files = demo_books
    (workbook.parent / f"~${workbook.name}").write_bytes(b"owner")
    before = sha256(workbook)
    result = arbook("month-end", workbook, "--as-of", company.as_of.isoformat(), "--bank", bank_files[0])
    assert result.code == 1
    assert "is open in Excel" in result.err and "Traceback" not in result.err
    assert "month-end stopped at step 1 (import-bank)" in result.err
    assert sha256(workbook) == before


def test_make_demo_command_prints_where_to_look(tmp_path: Path) -> None:
    """`arbook demo DIR` (`make demo`), through the command line's entry point, twice: the second
    run clears the demo folder the first made and makes it again."""
    target = tmp_path / "demo"
    result = arbook("demo", target)
    assert result.code == 0, result.err
    out = " ".join(result.out.split())
    assert f"Open the workbook: {(target / 'Book.xlsx').resolve()}" in out
    assert f"Read the mail it wrote: {(target / 'outbox').resolve()}" in out
    assert f"report saved in {(target / 'reports' / 'month-end-2026-10-31').resolve()}" in out
    outbox = sorted(os.listdir(target / "outbox"))
    assert any(n.startswith("statement-") for n in outbox) and any(n.startswith("notice-") for n in outbox)
    assert any(n.startswith("report-") for n in outbox)
    again = arbook("demo", target)
    assert again.code == 0, again.err
    shutil.rmtree(target)
