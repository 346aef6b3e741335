"""The command line as a user meets it: help for every command, exit codes, no traceback for mistakes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from arbook.cli import cli
from tests.conftest import arbook

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a scheduler would call it: a Python of its own, for the exit
    codes a shell sees (2 for usage, 1 for a refusal); the other tests call the same entry point
    in this process (`arbook`), which saves starting Python again for each."""
    code = "from arbook.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=REPO, timeout=120
    )


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_and_is_in_the_readme(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert cli.commands[name].help and len(cli.commands[name].help) > 20
    assert re.search(rf"^arbook {re.escape(name)}\b", README, re.MULTILINE), f"README lacks `arbook {name}`"


def test_unknown_command_is_usage_error_exit_2() -> None:
    result = run("frobnicate")
    assert result.returncode == 2
    assert "No such command" in result.stderr


def test_missing_workbook_is_refused_with_exit_1_and_no_traceback(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "nope.xlsx"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "nope.xlsx does not exist" in result.stderr


def test_bad_as_of_is_usage_error(tmp_path: Path) -> None:
    result = arbook("aging", tmp_path / "x.xlsx", "--as-of", "31.02.2026")
    assert result.code == 2
    assert "expected a real date" in result.err


def test_new_then_check_reports_every_table(tmp_path: Path) -> None:
    book = tmp_path / "Book.xlsx"
    assert arbook("new", book).code == 0
    result = arbook("check", book, "--json")
    assert result.code == 0, result.err
    import json

    from workbook.filebook import FileBook

    with FileBook(book, lock=False) as opened:
        expected = {
            name: f"{len(opened.read(name))} rows" for name in ("Settings", "Templates", "DunningLevels")
        }
    figures = json.loads(result.out)["figures"]
    assert {name: figures[name] for name in expected} == expected
    assert expected["DunningLevels"] == "4 rows"
    again = arbook("new", book)
    assert again.code == 1
    assert "already exists" in again.err


def test_check_lists_every_problem_with_its_cell(tmp_path: Path) -> None:
    import datetime as dt

    import xlsxwriter

    book = tmp_path / "Bad.xlsx"
    wb = xlsxwriter.Workbook(book)
    ws = wb.add_worksheet("Customers")
    ws.add_table(
        "A1:B3",
        {
            "name": "Customers",
            "columns": [{"header": "CustomerID"}, {"header": "Name"}],
            "data": [["C1", "Acme"], ["C1", "Acme again"]],
        },
    )
    ws = wb.add_worksheet("Invoices")
    ws.add_table(
        "A1:D3",
        {
            "name": "Invoices",
            "columns": [{"header": h} for h in ("InvoiceNo", "CustomerID", "InvoiceDate", "Amount")],
            "data": [["INV-1", "C9", dt.date(2026, 1, 5), "12,34,5"], ["INV-2", "C1", "31.02.2026", 5]],
        },
    )
    wb.close()
    result = arbook("check", book)
    assert result.code == 1
    assert "Traceback" not in result.err
    lines = [line.strip() for line in result.err.splitlines() if line.strip().startswith("- ")]
    assert lines == [
        "- Customers row 3 column CustomerID: 'C1' appears twice (first in row 2); expected unique values",
        "- Invoices row 3 column InvoiceDate: expected a real date, got '31.02.2026' (day is out of range for month)",
        "- Invoices row 2 column Amount: expected an amount with one decimal mark, got '12,34,5'",
    ]
