"""A bank file forgotten on the first month-end run and given on a rerun of the completed month:
it is imported and every step after the import is done again, never "already done" over work
that was not done. Mail already written is not written again; what changed is."""

from __future__ import annotations

import hashlib
import os

import pandas as pd
import pytest

import sample_data
from arbook.demo import build_demo_books
from arbook.monthend import STEPS, month_end, step_command
from tests.conftest import count, report_figures
from workbook.filebook import FileBook

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def company() -> sample_data.SampleCompany:
    return sample_data.generate(customers=8, months=2)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory, company: sample_data.SampleCompany) -> dict[str, object]:
    """The same month run twice: once with every bank file at once (reference), once with the
    GBP account's MT940 forgotten, then again with it; and a third time with the same files."""
    reference_dir, late_dir = tmp_path_factory.mktemp("reference"), tmp_path_factory.mktemp("late")
    reference, files = build_demo_books(reference_dir, company)[:2]
    month_end(reference, bank_files=files, as_of=company.as_of)
    workbook, files = build_demo_books(late_dir, company)[:2]
    late = next(f for f in files if f.name.startswith("gbp_"))
    first = month_end(workbook, bank_files=[f for f in files if f != late], as_of=company.as_of)
    with FileBook(workbook, lock=False) as book:
        after_first = {name: book.read(name) for name in ("BankLines", "MailLog", "Audit")}
    outbox_first = set(os.listdir(late_dir / "outbox"))
    second = month_end(workbook, bank_files=files, as_of=company.as_of)
    sha_second = hashlib.sha256(workbook.read_bytes()).hexdigest()
    third = month_end(workbook, bank_files=files, as_of=company.as_of)
    return {
        "reference": reference,
        "workbook": workbook,
        "late": late,
        "first": first,
        "second": second,
        "third": third,
        "after_first": after_first,
        "outbox_first": outbox_first,
        "outbox_dir": late_dir / "outbox",
        "sha_second": sha_second,
    }


def test_the_forgotten_file_is_imported_and_every_later_step_done_again(books, company) -> None:
    first, second = books["first"], books["second"]
    assert first.ok and first.complete
    assert second.ok and second.complete, second.notes
    assert [second.figures[s] == "already done" for s in STEPS] == [False] * len(STEPS)
    assert "new 0;" not in second.figures["import-bank"]
    assert any("new bank input" in note for note in second.notes), second.notes
    with FileBook(books["workbook"], lock=False) as book:
        lines, audit = book.read("BankLines"), list(book.read("Audit")["Command"])
    late_lines = lines[lines["SourceFile"].astype(str).str.endswith(books["late"].name)]
    assert len(late_lines) > 0
    assert not (
        books["after_first"]["BankLines"]["SourceFile"].astype(str).str.endswith(books["late"].name)
    ).any()
    # Audit: the first run's steps, then the import of the new file and every step again
    marks = [c for c in audit if c.startswith("month-end")]
    want = [step_command(company.as_of, s, outbox=True) for s in STEPS]
    assert marks == want + want


def test_the_book_ends_as_if_every_file_had_been_given_at_once(books) -> None:
    """Bank lines and what the matcher applied are those of a run given every file the first time."""
    got, want = {}, {}
    for out, path in ((got, books["workbook"]), (want, books["reference"])):
        with FileBook(path, lock=False) as book:
            lines = book.read("BankLines").drop(columns=["ImportedAt"])
            out["lines"] = lines.sort_values("LineID").reset_index(drop=True)
            alloc = book.read("Allocations")
            out["alloc"] = (
                alloc[["InvoiceNo", "CustomerID", "Amount", "Kind", "LineID"]]
                .sort_values(["LineID", "InvoiceNo", "Kind"])
                .reset_index(drop=True)
            )
            out["aging"] = book.read("Aging")
    pd.testing.assert_frame_equal(got["lines"], want["lines"])
    pd.testing.assert_frame_equal(got["alloc"], want["alloc"])
    pd.testing.assert_frame_equal(got["aging"], want["aging"])


def test_mail_already_written_is_not_written_again_and_the_report_is_revised(books) -> None:
    second = books["second"]
    assert "already sent earlier" in second.figures["statements"]
    outbox = set(os.listdir(books["outbox_dir"]))
    new = outbox - books["outbox_first"]
    assert books["outbox_first"] <= outbox
    reports = sorted(n for n in new if n.startswith("report-"))
    assert len(reports) == 1 and "-r2" in reports[0]
    with FileBook(books["workbook"], lock=False) as book:
        log = book.read("MailLog")
    assert log["MessageID"].is_unique


def test_the_same_files_again_change_nothing(books) -> None:
    third = books["third"]
    assert [third.figures[s] for s in STEPS] == ["already done"] * len(STEPS)
    assert hashlib.sha256(books["workbook"].read_bytes()).hexdigest() == books["sha_second"]


def test_the_revised_report_counts_the_work_of_both_runs(books, company) -> None:
    """Imported and posted by the first run or the rerun: the report adds both, and says what one
    run given every file at once says."""
    first, second = books["first"], books["second"]
    month, runs = report_figures(books["workbook"], company.as_of)
    assert int(runs["Bank lines imported by the month's runs"]) == count(
        first.figures["import-bank"], "new"
    ) + count(second.figures["import-bank"], "new")
    assert int(runs["Lines posted automatically by the month's runs"]) == count(
        first.figures["match"], "auto-posted lines"
    ) + count(second.figures["match"], "auto-posted lines")
    assert count(second.figures["match"], "auto-posted lines") > 0
    assert (month, runs) == report_figures(books["reference"], company.as_of)
