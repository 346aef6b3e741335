"""A month-end rerun after the clerk reversed one of its postings, on the sample workbook: nothing is
posted twice and nothing is lost (the reversal stands, the line stays Unmatched)."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import sample_data
from arbook.demo import build_demo_books
from arbook.monthend import month_end
from arbook.rates import book_rates
from arbook.report import ReportData, build_report
from arbook.report.handwork import hand_postings
from arbook.runner import run
from receivables import Ledger
from tests.clerk_support import AS_OF, INVOICES, LINES, credit_note, ledger_book, typed
from workbook.filebook import FileBook

LOG = ["AllocationID", "LineID", "InvoiceNo", "CustomerID", "Amount", "Kind", "Method", "Reverses", "Reason"]


@pytest.mark.slow
def test_a_month_end_rerun_after_a_reversal_posts_nothing_twice_and_loses_nothing(tmp_path: Path) -> None:
    company = sample_data.load_small()
    workbook, bank_files, _ = build_demo_books(tmp_path, company)
    month_end(workbook, bank_files=bank_files, as_of=company.as_of)
    with FileBook(workbook) as book:
        log = book.read("Allocations")
        this_month = log["LineID"].isin(set(book.read("BankLines")["LineID"]))
        auto = log[this_month & (log["Method"] == "auto") & (log["Kind"] == "payment")]
        line = str(auto["LineID"].iloc[0])
        posted = log[log["LineID"] == line][LOG].reset_index(drop=True)
        summary = run(book, "reverse", as_of=company.as_of, target=line, reason="wrong customer")
    assert summary.figures["reversed"] == f"{line} (wrong customer): {len(posted)} rows"

    with FileBook(workbook, lock=False) as book:
        after_reversal = book.read("Allocations")[LOG].reset_index(drop=True)
    assert len(after_reversal) == len(log) + len(posted)
    appended = after_reversal.iloc[len(log) :].reset_index(drop=True)
    assert appended["Reverses"].tolist() == posted["AllocationID"].tolist()
    assert appended["Amount"].tolist() == (-posted["Amount"]).tolist()
    assert set(appended["Method"]) == {"reversal"} and set(appended["Reason"]) == {"wrong customer"}

    rerun = month_end(workbook, bank_files=bank_files, as_of=company.as_of)  # the same month again
    assert set(rerun.figures.values()) >= {"already done"}
    with FileBook(workbook) as book:
        assert book.read("Allocations")[LOG].reset_index(drop=True).equals(after_reversal)
        run(
            book, "match", as_of=company.as_of
        )  # the matcher on its own: the reversed pairing is not posted again
        final = book.read("Allocations")
        lines = book.read("BankLines").set_index("LineID")
    assert (
        final[final["LineID"] == line][LOG]
        .reset_index(drop=True)
        .equals(after_reversal[after_reversal["LineID"] == line].reset_index(drop=True))
    )
    assert lines.at[line, "Status"] in ("Unmatched", "Suggested")


def test_the_report_lists_the_months_reversals_and_postings_by_hand_with_who_when_and_why() -> None:
    book = ledger_book(
        Invoices=pd.concat([INVOICES.iloc[:3], credit_note(-10000)], ignore_index=True),
        BankLines=LINES.iloc[[1]],
    )
    started = pd.Timestamp.now().floor("s")
    run(book, "apply", as_of=AS_OF, source="L2", items=("INV-1 600.00",))  # 300.00 left on account
    run(book, "apply", as_of=AS_OF, source="CN-1", items=("INV-2",))  # INV-2: 300.00 open
    run(book, "match", as_of=AS_OF)  # proposes the 300.00 on account against INV-2
    book = typed(book, "Matches", "LineID", "Approve", {"L2": "Y"})
    run(book, "post", as_of=AS_OF)
    run(book, "write-off", as_of=AS_OF, invoice="INV-3", reason="goodwill")
    run(book, "reverse", as_of=AS_OF, target="CN-1", reason="credit note cancelled")
    ledger = Ledger(
        *(book.read(t) for t in ("Invoices", "Allocations", "Customers")), as_of=AS_OF, rates=book_rates(book)
    )
    found = hand_postings(ledger, book.read("Audit"), date(2026, 10, 1))
    assert (found["When"] >= started).all() and set(found["Who"]) == {getpass.getuser()}
    assert found.drop(columns=["When", "Who"]).values.tolist() == [
        [
            "applied by hand",
            "L2",
            "INV-1",
            "C001",
            60000,
            "EUR",
            "INV-1 600.00",
            "apply --as-of 2026-10-31 L2 INV-1 600.00",
        ],
        [
            "netting by hand",
            "CN-1",
            "INV-2",
            "C001",
            10000,
            "EUR",
            "INV-2",
            "apply --as-of 2026-10-31 CN-1 INV-2",
        ],
        [
            "netting approved",
            "L2",
            "INV-2",
            "C001",
            30000,
            "EUR",
            "C001: INV-2 300.00",
            "post --as-of 2026-10-31",
        ],
        [
            "write-off by hand",
            "",
            "INV-3",
            "C002",
            25000,
            "EUR",
            "goodwill",
            "write-off --as-of 2026-10-31 INV-3 --reason goodwill",
        ],
        [
            "reversal",
            "CN-1",
            "INV-2",
            "C001",
            -10000,
            "EUR",
            "credit note cancelled",
            "reverse --as-of 2026-10-31 CN-1 --reason 'credit note cancelled'",
        ],
    ]
    later = (started + pd.Timedelta(days=1)).date()
    assert hand_postings(ledger, book.read("Audit"), later).empty  # posted before that month began

    frames = [
        book.read(t) for t in ("BankLines", "Matches", "BankStatements", "Credit", "Forecast", "MailLog")
    ]
    report = build_report(ReportData(ledger, *frames, settings=book.settings(), audit=book.read("Audit")))
    text = report.text.splitlines()
    assert text[text.index("Reversals and postings by hand:") - 1 :][:2] == [
        "Received from C001 (2026-10): 900.00 EUR, applied 900.00 EUR, unapplied 0.00 EUR",
        "Reversals and postings by hand:",
    ]
    assert text[-1] == (
        f"{found['When'].iloc[-1]:%Y-%m-%d %H:%M} {getpass.getuser()}: reversal CN-1 INV-2 -100.00 EUR "
        "(credit note cancelled)"
    )
    assert "<h2" in report.html and "Reversals and postings by hand</h2>" in report.html
    assert "<td style" in report.html.split("Receipts by customer</h2>")[1]
