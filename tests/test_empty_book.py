"""Every command on a workbook fresh from `arbook new`, through the real command line.

A first-time user starts here: no customers, no invoices, no company settings. Every command
must finish (exit 0) with a summary that says so, or refuse (exit 1) saying what to do; none
may end in a traceback (the in-process `arbook` helper lets any exception fail the test).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from arbook.cli import cli
from arbook.monthend import STEPS
from tests.conftest import COMPANY_WARNINGS, CliResult, arbook

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-10-31"
BANK_FILE = REPO / "sample_data" / "small" / "main_2026-10.sta"

RUN_HERE = {
    *("new", "check", "init", "import-bank", "match", "post", "aging", "credit", "credit-check"),
    *("forecast", "statements", "notices", "month-end", "mail-login", "refresh-vba"),
    *("reverse", "write-off", "apply", "import-rates", "receipts"),
}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `arbook new` book; each test works on its own copy."""
    path = tmp_path_factory.mktemp("fresh") / "Book.xlsx"
    result = arbook("new", path, "--json")
    assert result.code == 0, result.err
    assert result.json()["figures"] == {"workbook": str(path), "tables": 19}  # CreditLimitLog is the 19th
    return path


@pytest.fixture()
def book(fresh: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "Book.xlsx"
    shutil.copyfile(fresh, copy)
    return copy


def done(*args: object) -> CliResult:
    """Run a command that must finish (exit 0), with --json (the result returned), then again as
    a clerk reads it (the table; a second run of a command that writes finds the first's work)."""
    result = arbook(*args, "--json")
    assert result.code == 0, result.err
    shown = arbook(*args)
    assert shown.code == 0, shown.err
    assert f"arbook {args[0]}" in shown.out
    return result


def refused(*args: object) -> CliResult:
    result = arbook(*args)
    assert result.code == 1, (result.out, result.err)
    assert result.err.startswith("arbook: ") and "Traceback" not in result.err
    return result


def test_check_and_init_say_what_is_missing(book: Path) -> None:
    result = done("check", book).json()
    assert {name: result["figures"][name] for name in ("Customers", "Invoices", "BankLines")} == {
        "Customers": "0 rows",
        "Invoices": "0 rows",
        "BankLines": "0 rows",
    }
    notes = result["notes"]
    assert notes[0] == "every table is valid"
    assert [n.split(",")[0] for n in notes[1:3]] == [
        "warning: Customers has no rows",
        "warning: Invoices has no rows",
    ]
    assert notes[3:] == COMPANY_WARNINGS
    init = done("init", book).json()
    assert init["figures"] == {"tables added": 0}
    assert init["notes"][0] == "Book.xlsx already has every table arbook needs; nothing was written"


def test_every_recompute_runs_on_empty_tables(book: Path) -> None:
    figures = {
        name: done(name, book, "--as-of", AS_OF).json()["figures"]
        for name in ("match", "post", "aging", "credit", "forecast")
    }
    assert figures["match"]["lines considered"] == 0 and figures["match"]["auto-posted lines"] == 0
    assert figures["post"]["proposals posted"] == 0
    assert figures["aging"] == {
        "as of": AS_OF,
        "customers": 0,
        "open items": 0,
        "DSO (days)": 0.0,
    }  # open AR and overdue are given per currency: there is none yet
    assert figures["credit"] == {"as of": AS_OF, "customers": 0, "hold": 0, "review": 0, "ok": 0}
    assert figures["forecast"]["invoices"] == 0 and figures["forecast"]["expected EUR"] == "0.00 EUR"
    assert {f["as of"] for f in figures.values()} == {AS_OF}


def test_receipts_of_an_empty_book_say_nothing_was_received(book: Path) -> None:
    said = done("receipts", book, "--to", AS_OF).json()
    assert said["figures"] == {"from": "2026-10-01", "to": AS_OF, "customers": 0}
    assert said["notes"] == ["no money was received from 2026-10-01 to 2026-10-31"]
    assert "rows" not in said


def test_credit_check_of_an_unknown_customer_names_the_argument(book: Path) -> None:
    result = refused("credit-check", book, "99999", "100", "--as-of", AS_OF)
    assert result.err == (
        "arbook: the CUSTOMER argument: customer '99999' is not a CustomerID of the Customers table "
        "(it has none yet); check the ID you typed\n"
    )
    assert "Credit column" not in result.err


def test_mail_previews_run_and_sending_waits_for_the_sender(book: Path, tmp_path: Path) -> None:
    for name in ("statements", "notices"):
        result = done(name, book, "--as-of", AS_OF, "--outbox", tmp_path / "outbox").json()
        assert result["figures"]["written to outbox"] == 0 and result["figures"]["not sent yet"] == 0
        sent = refused(name, book, "--as-of", AS_OF, "--send")
        assert sent.err.splitlines() == [
            "arbook: cannot send mail (an outbox preview without --send still runs): 2 problem(s); "
            "nothing was written",
            "  - Settings column Value: company_name: expected a value before mail is sent; the mail names "
            "no sender (a subject ends in a dash)",
            "  - Settings column Value: mail_from: expected a value before mail is sent; mail goes out from "
            "arbook@localhost.localdomain",
        ]


def test_month_end_without_bank_files_runs_every_step(book: Path) -> None:
    result = done("month-end", book, "--as-of", AS_OF).json()
    figures = result["figures"]
    assert list(figures) == list(STEPS)  # every step ran (test_operations states their order)
    assert figures["import-bank"] == "no bank file given (--bank): nothing imported"
    assert "customers 0; hold 0; review 0; ok 0" in figures["credit"]
    assert result["ok"] is True
    # the second run (--json) finds every step done by the first
    again = arbook("month-end", book, "--as-of", AS_OF, "--json").json()["figures"]
    assert set(again.values()) == {"already done"}


def test_import_bank_then_match_on_a_book_without_customers(book: Path) -> None:
    imported = done("import-bank", book, BANK_FILE).json()["figures"]
    assert imported["new"] == imported["lines read"] > 0 and imported["skipped (already imported)"] == 0
    matched = done("match", book, "--as-of", AS_OF).json()["figures"]
    assert matched["lines considered"] > 0 and matched["auto-posted lines"] == 0


def test_commands_that_need_more_than_an_empty_book_refuse_saying_why(book: Path) -> None:
    assert "already exists; arbook new never overwrites a workbook" in refused("new", book).err
    assert "only a macro-enabled workbook (.xlsm) has VBA to refresh" in refused("refresh-vba", book).err
    assert "cannot send mail" in refused("mail-login", book).err
    # the clerk's corrections name what they did not find, on a book that has nothing yet
    assert refused("reverse", book, "A-1", "--reason", "typo", "--as-of", AS_OF).err.splitlines()[1] == (
        "  - command line: expected an AllocationID, a bank line's LineID or a credit note's number; 'A-1' is none"
    )
    assert refused("write-off", book, "INV-1", "--reason", "x", "--as-of", AS_OF).err.splitlines()[1] == (
        "  - command line: expected an invoice number from Invoices; 'INV-1' is none"
    )
    assert refused("apply", book, "L1", "INV-1", "--as-of", AS_OF).err.splitlines()[1] == (
        "  - command line: expected invoice numbers from Invoices, each optionally followed by an amount, "
        "separated by ';'; 'INV-1' is no invoice"
    )


def test_import_rates_on_a_book_without_invoices_keeps_nothing(book: Path) -> None:
    # the ECB's daily file (tests/rates_real): no currency but the base is used yet, so no row is needed
    result = done("import-rates", book, REPO / "tests" / "rates_real" / "eurofxref.csv").json()
    assert result["figures"] == {
        "files": 1,
        "rates read": 29,
        "currencies used": "none but the base",
        "new rows": 0,
        "first day": "",
        "last day": "",
    }
    assert result["notes"] == ["nothing new: the workbook was not written"]


def test_every_command_is_run_on_the_fresh_book() -> None:
    # `demo` builds its own sample company (tests/test_monthend.py runs it); every other command
    # of `arbook --help` is run above: a new command must be added here
    assert set(cli.commands) - {"demo"} == RUN_HERE
