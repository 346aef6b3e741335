"""Month-end as the clerk runs it: idempotent, resumable after a stop or a kill, and `arbook demo`."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import sample_data
from arbook.demo import build_demo_books
from arbook.monthend import STEPS, month_end, step_command
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
    ("Audit", "User"),
}


@pytest.fixture(scope="module")
def company() -> sample_data.SampleCompany:
    return sample_data.load_small()


@pytest.fixture()
def demo_books(tmp_path: Path, company: sample_data.SampleCompany) -> tuple[Path, list[Path]]:
    workbook, bank_files, _ = build_demo_books(tmp_path, company)
    return workbook, bank_files


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


def test_month_end_twice_over_smtp_changes_nothing_the_second_time(
    demo_books: tuple[Path, list[Path]], company: sample_data.SampleCompany, tmp_path: Path
) -> None:
    workbook, bank_files = demo_books
    server = SmtpServer(tmp_path).start()
    try:
        first = month_end(
            workbook, bank_files=bank_files, as_of=company.as_of, send=True, transport=server.transport()
        )
        assert first.ok, first.notes
        assert [first.figures[s] != "already done" for s in STEPS] == [True] * len(STEPS)
        sent = message_ids(server)
        after_first, file_after_first = tables(workbook), sha256(workbook)
        log = after_first["MailLog"]
        delivered = log[log["Status"] == "sent"]
        assert sorted(delivered["MessageID"]) == sent
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
    finally:
        server.stop()


def test_report_goes_to_report_recipients_with_charts_and_exceptions(
    demo_books: tuple[Path, list[Path]], company: sample_data.SampleCompany, tmp_path: Path
) -> None:
    workbook, bank_files = demo_books
    server = SmtpServer(tmp_path).start()
    try:
        month_end(
            workbook, bank_files=bank_files, as_of=company.as_of, send=True, transport=server.transport()
        )
        reports = [m for m in server.handler.accepted if str(m["Message-ID"]).strip().startswith("<report-")]
    finally:
        server.stop()
    assert len(reports) == 1
    report = reports[0]
    assert report["X-Envelope-To"] == ", ".join(company.settings["report_recipients"])
    html = report.get_body(("html",)).get_content()
    assert "Bank reconciliation" in html and "<script" not in html
    # the CSV export repeats three transfers of the main account's MT940: shown apart, so all
    # three accounts balance
    reconciliation = html.split("Bank reconciliation")[1].split("<h2")[0]
    assert reconciliation.count(">balanced<") == 3
    # customers without e-mail are listed for post or a phone call, statements and notices alike
    unmailed = html.split("Not mailed: no usable e-mail address")[1].split("<h2")[0]
    no_email = company.customers.loc[company.customers["Email"].fillna("") == "", "CustomerID"].astype(str)
    assert len(no_email) and all(f"statements: {cid} " in unmailed for cid in no_email)
    images = [p for p in report.walk() if p.get_content_type() == "image/png"]
    assert sorted(p["Content-ID"] for p in images) == ["<aging>", "<forecast>", "<receipts>"]
    assert all(f'src="cid:{p["Content-ID"].strip("<>")}"' in html for p in images)
    xlsx = [p for p in report.iter_attachments() if p.get_filename().endswith(".xlsx")]
    assert len(xlsx) == 1
    path = tmp_path / xlsx[0].get_filename()
    path.write_bytes(xlsx[0].get_content())
    import openpyxl

    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Unmatched", "Review", "OverLimit"]
    assert all(len(book[name].tables) == 1 for name in book.sheetnames)


@pytest.mark.slow
def test_stopped_after_each_step_then_resumed_ends_like_an_uninterrupted_run(
    tmp_path: Path, company: sample_data.SampleCompany
) -> None:
    reference_dir = tmp_path / "reference"
    reference_dir.mkdir()
    reference, bank_files = build_demo_books(reference_dir, company)[:2]
    month_end(reference, bank_files=bank_files, as_of=company.as_of)
    want = tables(reference)
    for step in STEPS[:-1]:
        folder = tmp_path / step
        folder.mkdir()
        workbook, files = build_demo_books(folder, company)[:2]
        month_end(workbook, bank_files=files, as_of=company.as_of, stop_after=step)
        with FileBook(workbook, lock=False) as book:
            done = [c for c in book.read("Audit")["Command"] if c.startswith("month-end")]
        # a mail step done into the outbox says so (a later run with --send still sends)
        assert done == [step_command(company.as_of, s, outbox=True) for s in STEPS[: STEPS.index(step) + 1]]
        resumed = month_end(workbook, bank_files=files, as_of=company.as_of)
        assert [k for k, v in resumed.figures.items() if v == "already done"] == list(
            STEPS[: STEPS.index(step) + 1]
        )
        assert_same_tables(tables(workbook), want)
        assert sorted(os.listdir(folder / "outbox")) == sorted(os.listdir(reference_dir / "outbox"))


@pytest.mark.slow
@pytest.mark.parametrize("delay", [1.5, 3.5, 6.0])
def test_killed_mid_run_then_rerun_ends_like_an_uninterrupted_run(
    tmp_path: Path, company: sample_data.SampleCompany, delay: float
) -> None:
    reference_dir, killed_dir = tmp_path / "reference", tmp_path / "killed"
    reference_dir.mkdir()
    killed_dir.mkdir()
    reference, files = build_demo_books(reference_dir, company)[:2]
    month_end(reference, bank_files=files, as_of=company.as_of)
    workbook, files = build_demo_books(killed_dir, company)[:2]
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
    rerun = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    got = tables(workbook)
    # A message the kill caught between its "pending" and its outcome is logged once as an interrupted
    # attempt; it must have been delivered once afterwards, like every other message.
    log = got["MailLog"]
    interrupted = (log["Status"] == "failed") & log["Detail"].str.contains("interrupted")
    delivered = log.loc[~interrupted, "MessageID"]
    assert set(log.loc[interrupted, "MessageID"]) <= set(delivered) and delivered.is_unique
    got["MailLog"] = log[~interrupted].reset_index(drop=True)
    assert_same_tables(got, tables(reference))
    assert sorted(os.listdir(killed_dir / "outbox")) == sorted(os.listdir(reference_dir / "outbox"))


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
    assert sorted(log.loc[log["Status"] == "outbox", "MessageID"] + ".eml") == sorted(written)
    assert set(log["Status"]) == {"outbox", "not mailed"}


def test_a_workbook_open_in_excel_is_refused_before_any_step(
    demo_books: tuple[Path, list[Path]], company: sample_data.SampleCompany
) -> None:
    workbook, bank_files = demo_books
    (workbook.parent / f"~${workbook.name}").write_bytes(b"owner")
    before = sha256(workbook)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from arbook.cli import main; main()",
            "month-end",
            str(workbook),
            "--as-of",
            company.as_of.isoformat(),
            "--bank",
            str(bank_files[0]),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert "is open in Excel" in result.stderr and "Traceback" not in result.stderr
    assert "month-end stopped at step 1 (import-bank)" in result.stderr
    assert sha256(workbook) == before


def test_make_demo_command_prints_where_to_look(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    result = subprocess.run(
        [sys.executable, "-c", "from arbook.cli import main; main()", "demo", str(target)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert f"Open the workbook: {(target / 'Book.xlsx').resolve()}" in out
    assert f"Read the mail it wrote: {(target / 'outbox').resolve()}" in out
    assert f"report saved in {(target / 'reports' / 'month-end-2026-10-31').resolve()}" in out
    outbox = sorted(os.listdir(target / "outbox"))
    assert any(n.startswith("statement-") for n in outbox) and any(n.startswith("notice-") for n in outbox)
    assert any(n.startswith("report-") for n in outbox)
    again = subprocess.run(
        [sys.executable, "-c", "from arbook.cli import main; main()", "demo", str(target)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stderr
    shutil.rmtree(target)
