"""A first-time user's mistakes around `arbook init` and `arbook check`, and what they are told.

A wrong path, a folder, a file of another kind, an old .xls or a file without permission is
refused with one sentence and exit status 1, never a traceback. A workbook whose own
Customers and Invoices are not connected (no Mapping, or an empty one) is never called
complete: `init` and `check` warn and say the command that continues.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook

from arbook.check import check
from arbook.cli import main
from arbook.init import init
from common.errors import InputError
from workbook.filebook import FileBook
from workbook.template import build_workbook

from .conftest import COMPANY_WARNINGS
from .test_adopt_layouts import german


def run_main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    """The console entry point in this process: its exit status and what it printed on stderr."""
    monkeypatch.setattr(sys, "argv", ["arbook", *args])
    with pytest.raises(SystemExit) as done:
        main()
    return int(done.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda p: p / "Forderungen.xlsx",
            "Forderungen.xlsx does not exist: check the folder and the file name",
        ),
        (lambda p: _folder(p / "Forderungen.xlsx"), "Forderungen.xlsx is a folder, not a workbook"),
        (
            lambda p: _text(p / "Forderungen.csv"),
            "Forderungen.csv is not an Excel workbook: arbook works on .xlsx and .xlsm files",
        ),
        (lambda p: _text(p / "Forderungen.xlsx"), "Forderungen.xlsx is not an .xlsx/.xlsm file (not a zip"),
        (
            lambda p: _ole(p / "Forderungen.xls"),
            "Forderungen.xls is a legacy Excel 97-2003 (.xls) workbook or an encrypted one",
        ),
        (
            lambda p: _ole(p / "Forderungen.xlsx"),  # a damaged OLE container named .xlsx
            "Forderungen.xlsx is a legacy Excel 97-2003 (.xls) workbook or an encrypted one",
        ),
    ],
    ids=["missing", "folder", "csv", "not-a-zip", "xls", "damaged-container"],
)
def test_init_on_what_is_no_workbook_says_so_with_exit_1(
    make, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make(tmp_path)
    code, err = run_main(monkeypatch, capsys, "init", str(path), "--suggest")
    assert code == 1
    assert "Traceback" not in err
    assert err.startswith("arbook: ") and expected in err, err


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def _text(path: Path) -> Path:
    path.write_text("Rechnungsnr.;Kunde;Betrag\nRE-1;K1;10,00\n", encoding="utf-8")
    return path


def _ole(path: Path) -> Path:
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    )  # the OLE signature, then nothing usable
    return path


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder every user may enter (pytest's own tmp folders are private to their owner)."""
    folder = Path(tempfile.mkdtemp(prefix="arbook-perm-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (0o000, "cannot be read (Permission denied): ask for permission to read and change it"),
        (0o444, "cannot be changed (no write permission), and arbook init adds sheets to Forderungen.xlsx"),
    ],
    ids=["unreadable", "read-only"],
)
def test_init_on_a_file_without_permission_says_so_with_exit_1(
    mode: int, expected: str, shared_folder: Path
) -> None:
    path = german(shared_folder / "Forderungen.xlsx")
    path.chmod(mode)
    before = path.read_bytes() if os.geteuid() == 0 else None
    command = [sys.executable, "-c", "from arbook.cli import main; main()", "init", str(path)]
    if os.geteuid() == 0:  # root reads and writes anything: run as the unprivileged user 'nobody'
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: no way to meet a permission error")
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=shared_folder)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert expected in result.stderr
    if before is not None:
        assert path.read_bytes() == before


def test_a_second_init_suggest_maps_the_sheets_a_first_plain_init_left_unmapped(tmp_path: Path) -> None:
    path = german(tmp_path / "Forderungen.xlsx")
    first = init(path)
    assert first.figures["Customers"] == first.figures["Invoices"] == "added"
    assert first.notes[-2:] == [
        "warning: Customers has no rows, so arbook has nothing to work on. If your customers are on a sheet of "
        "your own, run arbook init Forderungen.xlsx --suggest to have a Mapping proposed from its headings; "
        "otherwise enter them on the Customers sheet",
        "warning: Invoices has no rows, so arbook has nothing to work on. If your invoices are on a sheet of "
        "your own, run arbook init Forderungen.xlsx --suggest to have a Mapping proposed from its headings; "
        "otherwise enter them on the Invoices sheet",
    ]
    with FileBook(path, lock=False) as book:
        assert check(book).notes == ["every table is valid", *first.notes[-2:], *COMPANY_WARNINGS]
    second = init(path, suggest=True)
    assert second.figures == {"tables added": 1, "Mapping": "added (11 rows)"}
    assert (
        "arbook's empty Invoices table (sheet 'Invoices') is no longer read: the Mapping reads 'Rechnungen'; "
        "you may delete that sheet"
    ) in second.notes
    assert not [n for n in second.notes if n.startswith("warning")]
    with FileBook(path, lock=False) as book:
        summary = check(book)
    assert (summary.figures["Customers"], summary.figures["Invoices"]) == ("3 rows", "4 rows")
    assert summary.notes == ["every table is valid", *COMPANY_WARNINGS]


def test_an_empty_mapping_is_not_taken_for_a_finished_adoption(tmp_path: Path) -> None:
    path = german(tmp_path / "Forderungen.xlsx")
    init(path)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.create_sheet("Mapping").append(["Table", "Column", "Source", "SourceColumn"])
    wb.save(path)
    again = init(path, suggest=True)
    assert "nothing was written" in again.notes[0]
    assert again.notes[1:3] == [
        "the workbook already has a Mapping table; arbook left it as it is",
        "but it has no rows, so nothing is read from your own sheets. arbook writes no rows into a table that "
        "exists: enter these (Customers.CustomerID = 'Kunden' 'Kundennr.', Customers.Name = 'Kunden' 'Firma', "
        "Customers.Email = 'Kunden' 'E-Mail', Customers.PaymentTermsDays = 'Kunden' 'Zahlungsziel', "
        "Customers.CreditLimit = 'Kunden' 'Kreditlimit', Invoices.InvoiceNo = 'Rechnungen' 'Rechnungsnr.', "
        "Invoices.CustomerID = 'Rechnungen' 'Kunde', Invoices.InvoiceDate = 'Rechnungen' 'Rechnungsdatum', "
        "Invoices.DueDate = 'Rechnungen' 'Fällig am', Invoices.Amount = 'Rechnungen' 'Betrag', "
        "Invoices.Disputed = 'Rechnungen' 'strittig'), or delete the Mapping sheet and run arbook init --suggest "
        "again to have them added",
    ]
    assert again.notes[-1] == (
        "warning: Invoices has no rows, so arbook has nothing to work on. If your invoices are on a sheet of your "
        "own, add Mapping rows naming that sheet and its headings for Invoices; otherwise enter them on the "
        "Invoices sheet"
    )


def test_check_warns_that_a_new_workbook_has_no_customers_and_no_invoices(tmp_path: Path) -> None:
    path = tmp_path / "Neu.xlsx"
    build_workbook(path)
    with FileBook(path, lock=False) as book:
        notes = check(book).notes
    assert notes == [  # the new workbook has an empty Mapping table of its own
        "every table is valid",
        "warning: Customers has no rows, so arbook has nothing to work on. If your customers are on a sheet of your "
        "own, add Mapping rows naming that sheet and its headings for Customers; otherwise enter them on the "
        "Customers sheet",
        "warning: Invoices has no rows, so arbook has nothing to work on. If your invoices are on a sheet of your "
        "own, add Mapping rows naming that sheet and its headings for Invoices; otherwise enter them on the "
        "Invoices sheet",
        *COMPANY_WARNINGS,
    ]


def test_a_mapped_sheet_without_records_is_named_in_the_warning(tmp_path: Path) -> None:
    path = tmp_path / "Leer.xlsx"
    wb = Workbook()
    wb.active.title = "Kunden"
    wb.active.append(["Kundennr.", "Firma"])
    wb.active.append(["K1", "Alpha GmbH"])
    rechnungen = wb.create_sheet("Rechnungen")
    rechnungen.append(["Offene Posten"])
    rechnungen.append([])
    rechnungen.append(["Rechnungsnr.", "Kunde", "Rechnungsdatum", "Betrag"])
    wb.save(path)
    summary = init(path, suggest=True)
    assert summary.notes[-1] == (
        "warning: Invoices has no rows in 'Rechnungen', the Source the Mapping names for it: check that this sheet "
        "holds your invoices below the headings the Mapping names"
    )


def test_a_yes_no_cell_arbook_cannot_read_is_named_by_sheet_row_and_heading(tmp_path: Path) -> None:
    path = german(tmp_path / "Forderungen.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["Rechnungen"]["F8"] = "vielleicht"
    wb.save(path)
    summary = init(path, suggest=True)
    assert summary.notes[-1] == (
        "Invoices cannot be read yet, 1 problem(s): Invoices (in 'Rechnungen') row 8 column 'strittig' = Disputed: "
        "expected yes or no (Y/N, ja/nein, oui/non, 是/否, TRUE/FALSE, WAHR/FALSCH, 1/0, x or ✓ for yes; blank is "
        "no), got 'vielleicht'. Correct them (or the Mapping), then run arbook check Forderungen.xlsx"
    )
    with FileBook(path, lock=False) as book, pytest.raises(InputError) as caught:
        check(book)
    assert [str(p) for p in caught.value.problems] == [
        summary.notes[-1].split(": ", 1)[1].split(". Correct")[0]
    ]
