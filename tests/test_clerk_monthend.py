"""A month-end rerun after the clerk reversed one of its postings, on the sample workbook: nothing is
posted twice and nothing is lost (the reversal stands, the line stays Unmatched)."""

from __future__ import annotations

from pathlib import Path

import sample_data
from arbook.demo import build_demo_books
from arbook.monthend import month_end
from arbook.runner import run
from workbook.filebook import FileBook

LOG = ["AllocationID", "LineID", "InvoiceNo", "CustomerID", "Amount", "Kind", "Method", "Reverses", "Reason"]


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
