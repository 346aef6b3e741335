"""`statements` and `notices` on a real workbook file (FileBook), into an outbox and a real SMTP server."""

from __future__ import annotations

import email
import email.policy
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import mailer
from arbook.runner import run
from common.errors import InputError
from tests.mail_support import PASSWORD, SENDER, USER, SmtpServer
from workbook.filebook import FileBook
from workbook.template import build_workbook

AS_OF = date(2026, 11, 30)
CUSTOMERS = pd.DataFrame(
    {
        "CustomerID": ["C001", "C002", "C003", "C004"],
        "Name": ["Müller GmbH", "上海华东贸易有限公司", "No Mail Ltd", "Blocked SA"],
        "Email": ["ap@mueller.example", "cw@huadong.example", "", "compta@blocked.example"],
        "CC": ["chef@mueller.example", "", "", ""],
        "Language": ["de", "zh", "en", "fr"],
        "Currency": ["EUR", "EUR", "EUR", "EUR"],
        "PaymentTermsDays": pd.array([30, 30, 30, 30], dtype="Int64"),
        "DunningBlocked": [False, False, False, True],
        "Address": [
            "Hauptstraße 5\n80331 München",
            "上海市浦东新区世纪大道100号",
            "",
            "1 rue de la Paix\n75002 Paris",
        ],
    }
)
INVOICES = pd.DataFrame(
    {
        "InvoiceNo": ["R-1", "R-2", "Z-1", "N-1", "B-1"],
        "CustomerID": ["C001", "C001", "C002", "C003", "C004"],
        "InvoiceDate": pd.to_datetime(["2026-09-01", "2026-11-03", "2026-10-01", "2026-10-01", "2026-09-15"]),
        "DueDate": pd.to_datetime(["2026-10-01", "2026-12-03", "2026-10-31", "2026-10-31", "2026-10-15"]),
        "Amount": pd.array([100000, 25000, 880000, 30000, 45000], dtype="Int64"),
        "Currency": ["EUR"] * 5,
    }
)
ALLOCATIONS = pd.DataFrame(
    {
        "AllocationID": ["A1"],
        "LineID": ["L1"],
        "InvoiceNo": ["R-1"],
        "CustomerID": ["C001"],
        "Amount": pd.array([40000], dtype="Int64"),
        "PaymentDate": pd.to_datetime(["2026-11-12"]),
        "Kind": ["payment"],
        "Method": ["manual"],
    }
)
SETTINGS = pd.DataFrame(
    {
        "Key": [
            "company_name",
            "company_address",
            "remit_to",
            "mail_from",
            "late_interest",
            "late_interest_rate",
            "dunning_min_interval_days",
        ],
        "Value": [
            "Beispiel AG",
            "Industriestr. 1, 70173 Stuttgart",
            "IBAN DE89 3704 0044 0532 0130 00",
            SENDER,
            "yes",
            "12.25",
            "7",
        ],
        "Description": [""] * 7,
    }
)


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    path = tmp_path / "Book.xlsx"
    build_workbook(
        path,
        rows={"Settings": SETTINGS, "Customers": CUSTOMERS, "Invoices": INVOICES, "Allocations": ALLOCATIONS},
    )
    return path


def test_statements_into_the_outbox_and_mail_log(book_path: Path, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    with FileBook(book_path) as book:
        summary = run(book, "statements", as_of=AS_OF, transport=mailer.OutboxTransport(outbox))
    assert summary.figures["statements"] == 4  # C001, C002, C003 and C004 have balances
    assert summary.figures["written to outbox"] == 3
    assert summary.figures["without usable e-mail"] == 1
    assert "not mailed: C003 No Mail Ltd: Customers row 4: no Email" in summary.notes
    assert "Templates table missing or empty: the built-in wording was used" in summary.notes
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 3
    by_customer = {}
    for f in files:
        msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        by_customer[f.name.split("-")[1]] = msg
    de = by_customer["C001"]
    assert de["Subject"] == "Kontoauszug zum 30.11.2026 – Beispiel AG"
    assert de["To"] == "Müller GmbH <ap@mueller.example>" and de["Cc"] == "chef@mueller.example"
    assert "Endsaldo: 850,00\xa0€" in de.get_body(("plain",)).get_content()
    (pdf,) = list(de.iter_attachments())
    assert pdf.get_filename() == "statement_C001_EUR_2026-11-30.pdf"
    with FileBook(book_path) as book:
        log = book.read("MailLog")
    # the three previews, and C003 logged as owed a statement it could not be mailed (the report lists it)
    assert sorted(zip(log["CustomerID"], log["Status"], strict=True)) == [
        ("C001", "outbox"),
        ("C002", "outbox"),
        ("C003", "not mailed"),
        ("C004", "outbox"),
    ]
    assert set(log["Kind"]) == {"statement"}
    assert log.set_index("CustomerID").loc["C003", "Detail"] == "C003 No Mail Ltd: Customers row 4: no Email"
    assert log.set_index("CustomerID").loc["C001", "Amount"] == 85000


def test_customer_option_limits_the_run(book_path: Path, tmp_path: Path) -> None:
    with FileBook(book_path) as book:
        summary = run(
            book,
            "statements",
            as_of=AS_OF,
            transport=mailer.OutboxTransport(tmp_path / "o"),
            customer="C002",
            balance_forward=True,
        )
    assert summary.figures["statements"] == 1 and summary.figures["written to outbox"] == 1
    (eml,) = (tmp_path / "o").glob("*.eml")
    html = (
        email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        .get_body(("html",))
        .get_content()
    )
    assert "上海华东贸易有限公司" in html and ">余额</th>" in html  # balance-forward: running balance column
    with FileBook(book_path) as book, pytest.raises(InputError, match="expected a customer 'C999'"):
        run(
            book, "statements", as_of=AS_OF, transport=mailer.OutboxTransport(tmp_path / "o"), customer="C999"
        )


def test_notices_over_smtp_then_rerun_sends_nothing_twice(book_path: Path, tmp_path: Path) -> None:
    server = SmtpServer(tmp_path).start()
    try:
        transport = mailer.SmtpTransport(
            server.settings(), password=PASSWORD, ssl_context=server.client_context()
        )
        with FileBook(book_path) as book:
            first = run(book, "notices", as_of=AS_OF, transport=transport)
        transport.close()
        # R-1 (C001, 60 days late), Z-1 (C002) and N-1 (C003, no address) are due notice level 1; R-2 (C001)
        # falls due in 3 days: a reminder, which goes inside C001's notice; B-1 (C004) is blocked
        assert (first.figures["level 0 (reminder)"], first.figures["level 1 (notice)"]) == (1, 3)
        assert first.figures["sent"] == 2 and first.figures["without usable e-mail"] == 1 and first.ok
        assert "left out: 1 invoice(s), customer DunningBlocked" in first.notes
        got = sorted((m["X-Envelope-To"], m["Subject"]) for m in server.handler.accepted)
        assert got == [
            ("ap@mueller.example, chef@mueller.example", "Zahlungserinnerung – Beispiel AG"),
            ("cw@huadong.example", "Beispiel AG：付款提醒"),
        ]
        got = {m["X-Envelope-To"]: m for m in server.handler.accepted}
        zh = got["cw@huadong.example"].get_body(("plain",)).get_content()
        interest = mailer.round_cents(mailer.late_interest(880000, mailer.rate_decimal(12.25), 30))
        assert mailer.formatter_for("zh", "en").money(880000 + interest, "EUR") in zh

        transport = mailer.SmtpTransport(
            server.settings(), password=PASSWORD, ssl_context=server.client_context()
        )
        with FileBook(book_path) as book:
            again = run(book, "notices", as_of=AS_OF, transport=transport)
        transport.close()
        # only C003's notice is still due (it never went out: no address); nothing is sent twice
        assert again.figures["level 1 (notice)"] == 1 and again.figures["level 0 (reminder)"] == 0
        assert again.figures["level 2 (notice)"] == 0  # level 1 went out for this as-of day: level 2 waits
        assert again.figures["sent"] == 0 and again.figures["without usable e-mail"] == 1
        assert len(server.handler.accepted) == 2
    finally:
        server.stop()
    with FileBook(book_path) as book:
        log = book.read("MailLog")
    # C003 is logged once as not mailed (no address), not again by the rerun
    assert list(log["Status"]) == ["sent"] * 3 + ["not mailed"]
    assert list(log.loc[log["Status"] == "not mailed", ["CustomerID", "Kind"]].itertuples(index=False)) == [
        ("C003", "notice")
    ]
    sent = log[log["Status"] == "sent"]
    assert sorted(sent["Level"]) == [0, 1, 1]
    assert sorted(sent["InvoiceNos"]) == ["R-1", "R-2", "Z-1"]
    assert USER in server.handler.logins


def test_journal_of_a_crashed_run_is_folded_by_the_next(book_path: Path, tmp_path: Path) -> None:
    journal = mailer.Journal(mailer.journal_path(book_path))
    key = mailer.message_key("statement", "C001", None, "EUR", ["R-1", "R-2"], AS_OF)
    fields = {
        "Kind": "statement",
        "Level": None,
        "CustomerID": "C001",
        "To": "ap@mueller.example",
        "Subject": "s",
        "Amount": 85000,
        "InvoiceNos": "R-1;R-2",
        "AsOf": AS_OF.isoformat(),
    }
    journal.record(key, "pending", fields)
    journal.record(key, "sent", fields)  # the crash came before MailLog was written
    with FileBook(book_path) as book:
        summary = run(book, "statements", as_of=AS_OF, transport=mailer.OutboxTransport(tmp_path / "o"))
    assert summary.figures["already sent earlier"] == 1
    assert summary.figures["written to outbox"] == 2
    with FileBook(book_path) as book:
        log = book.read("MailLog")
    assert sorted(zip(log["CustomerID"], log["Status"], strict=True)) == [
        ("C001", "sent"),
        ("C002", "outbox"),
        ("C003", "not mailed"),
        ("C004", "outbox"),
    ]


def test_dunning_levels_must_name_existing_templates(book_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "Levels.xlsx"
    levels = pd.DataFrame(
        {
            "Level": pd.array([1], dtype="Int64"),
            "DaysOverdue": pd.array([7], dtype="Int64"),
            "Template": ["gentle"],
            "MinAmount": pd.array([0], dtype="Int64"),
            "Fee": pd.array([0], dtype="Int64"),
        }
    )
    build_workbook(
        path,
        rows={"Settings": SETTINGS, "Customers": CUSTOMERS, "Invoices": INVOICES, "DunningLevels": levels},
    )
    with FileBook(path) as book, pytest.raises(InputError, match="DunningLevels row 2 column Template"):
        run(book, "notices", as_of=AS_OF, transport=mailer.OutboxTransport(tmp_path / "o"))


def test_a_bad_sender_address_is_refused_before_any_work(tmp_path: Path) -> None:
    path = tmp_path / "Bad.xlsx"
    settings = pd.DataFrame(
        {"Key": ["mail_from"], "Value": ["Accounts <accounts at example>"], "Description": [""]}
    )
    build_workbook(path, rows={"Settings": settings, "Customers": CUSTOMERS, "Invoices": INVOICES})
    with FileBook(path) as book, pytest.raises(InputError, match="Settings column Value: mail_from: "):
        run(book, "statements", as_of=AS_OF, transport=mailer.OutboxTransport(tmp_path / "o"))
    assert not (tmp_path / "o").exists()
