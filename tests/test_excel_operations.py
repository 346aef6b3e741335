"""Every Dashboard choice, run from Excel, does what the command line does: on a new workbook and
on an adopted one (`arbook init --suggest --dashboard`), each through its Run button.

The new workbook is a small sample company's ledger (sample_data, generated independently of the
operations) as an .xlsm with its buttons, its bank statements beside it, and Settings sending
to a real SMTP relay on 127.0.0.1 (aiosmtpd). One copy sits open in the xlwings test double,
as in Excel, while the Run button is pressed once per choice of the Operation cell, in the
Dashboard's order; the other copy gets the same requests through `macros.dispatch.run` on a
FileBook, as the CLI runs them. Each choice must end with the same result and message, and
both copies with the same tables, the same files in their outboxes and the same mail sent. The
adopted workbook (the German layout of tests/test_adopt_layouts.py: a Mapping onto the user's
own sheets) has its Settings typed in Excel to send as the sample company's do, and gets every
choice the same way.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import sample_data
from arbook.demo import build_demo_books
from arbook.init import init
from arbook.monthend import STEPS
from common.errors import ArbookError
from macros.dispatch import ENTRIES, run
from macros.entry import request_from_dashboard, summary_text
from tests.mail_support import SmtpServer
from tests.test_adopt_layouts import german
from tests.test_monthend import assert_same_tables, tables
from tests.xlwings_double import excel_double
from tests.xlwings_double.buttons import press
from workbook.book import Book
from workbook.filebook import FileBook
from workbook.template import INPUT_NAMES, STATUS_NAMES

pytestmark = pytest.mark.slow  # about 30 s of CPU: every choice, twice, on two workbooks

KEYS = list(ENTRIES)
RATES_FILE = Path(__file__).parent / "rates_real" / "eurofxref.csv"  # the ECB's daily file (MANIFEST.tsv)


def _files_for(key: str, bank_files: str) -> str:
    """What the Dashboard's files cell holds for a choice: the ECB file for the rates, else the bank files."""
    return str(RATES_FILE) if key == "import_rates" else bank_files


def test_the_rates_choice_reads_the_ecb_file_and_adds_nothing_before_the_first_invoice(
    pressed: dict[str, object],
) -> None:
    result, message = pressed["outcomes"]["excel"][KEYS.index("import_rates")]
    assert (result, message) == (
        "OK",
        "files 1; rates read 29; currencies used GBP, USD; new rows 0; first day ; last day  | "
        "nothing new: the workbook was not written",
    )


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path_factory.mktemp("relay"), tls="none").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def source(relay: SmtpServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], object]:
    """A small sample company as Book.xlsm with its bank files, mailing through the relay."""
    company = sample_data.generate(customers=12, months=3)
    settings = {
        **company.settings,
        "smtp_host": "127.0.0.1",
        "smtp_port": relay.port,
        "smtp_security": "none",
        "smtp_user": "",
        "mail_rate_per_minute": 10_000,
    }
    folder = tmp_path_factory.mktemp("source")
    return build_demo_books(folder, dataclasses.replace(company, settings=settings), "Book.xlsm")


def _outcome(book: Book, key: str, as_of: object, files: str) -> tuple[str, str]:
    """(result, message) as the Dashboard would show them, for the request run on `book`."""
    try:
        summary = run(book, request_from_dashboard(key, book.path, as_of, files, as_of))
    except ArbookError as exc:
        return "Refused", "\n".join([str(exc), *getattr(exc, "__notes__", ())])
    return ("OK" if summary.ok else "Finished with problems"), summary_text(summary)


def _outcome_of_file_run(path: Path, key: str, as_of: object, files: str) -> tuple[str, str]:
    with FileBook(path) as book:
        return _outcome(book, key, as_of, files)


def _sent(relay: SmtpServer, since: int) -> list[str]:
    return sorted(relay.handler.ids()[since:])


def _outbox(folder: Path) -> list[str]:
    outbox = folder / "outbox"
    return sorted(p.name for p in outbox.iterdir()) if outbox.exists() else []


@pytest.fixture(scope="module")
def pressed(
    source: tuple[Path, list[Path], object], relay: SmtpServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    """Each choice pressed in Excel ("excel") and run on a FileBook ("file"), one after another."""
    workbook, bank_files, as_of = source
    return _every_choice_both_ways(workbook, "", bank_files, as_of, relay, tmp_path_factory)


def _every_choice_both_ways(
    workbook: Path,
    prefix: str,
    bank_files: list[Path],
    as_of: object,
    relay: SmtpServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, object]:
    """Every choice, in order, on two copies of `workbook` (in folders named `prefix` + side): run
    on a FileBook ("file"), and pressed with the Run button in the double ("excel")."""
    files = ";".join(str(p) for p in bank_files)
    copies = {}
    for side in ("file", "excel"):
        folder = tmp_path_factory.mktemp(prefix + side)
        copies[side] = Path(shutil.copyfile(workbook, folder / workbook.name))
    outcomes: dict[str, list[tuple[str, str]]] = {"file": [], "excel": []}
    mail: dict[str, list[list[str]]] = {"file": [], "excel": []}
    for key in KEYS:
        since = len(relay.handler.accepted)
        outcomes["file"].append(_outcome_of_file_run(copies["file"], key, as_of, _files_for(key, files)))
        mail["file"].append(_sent(relay, since))
    with excel_double() as app:
        book = app.books.open(str(copies["excel"]))
        for key in KEYS:
            since = len(relay.handler.accepted)
            book.names[INPUT_NAMES["operation"]].refers_to_range.value = ENTRIES[key][0].label
            book.names[INPUT_NAMES["as_of"]].refers_to_range.value = as_of.isoformat()
            book.names[INPUT_NAMES["bank_files"]].refers_to_range.value = _files_for(key, files)
            press(book, "Run")
            status = {k: book.names[n].refers_to_range.value for k, n in STATUS_NAMES.items()}
            outcomes["excel"].append((status["result"], status["message"]))
            mail["excel"].append(_sent(relay, since))
        alerts = list(app.impl.alerts)
        book.close()
    return {"copies": copies, "outcomes": outcomes, "mail": mail, "alerts": alerts}


def _in_place(outcome: tuple[str, str], folder: Path) -> tuple[str, str]:
    """The outcome with its workbook's folder named alike (month-end names where it wrote)."""
    result, message = outcome
    return result, message.replace(str(folder.resolve()), "<folder>")


def _assert_same_outcome(ran: dict[str, object], i: int) -> None:
    """The i-th choice ended OK, with the same result and message in Excel as on a FileBook."""
    copies = ran["copies"]
    by_file = _in_place(ran["outcomes"]["file"][i], copies["file"].parent)
    by_excel = _in_place(ran["outcomes"]["excel"][i], copies["excel"].parent)
    assert by_excel == by_file
    assert by_excel[0] == "OK", by_excel[1]


@pytest.mark.parametrize("key", KEYS)
def test_each_choice_pressed_in_excel_ends_as_on_the_command_line(
    pressed: dict[str, object], key: str
) -> None:
    i = KEYS.index(key)
    _assert_same_outcome(pressed, i)
    assert pressed["mail"]["excel"][i] == pressed["mail"]["file"][i]


def test_the_choices_did_their_work_and_left_the_same_workbook(pressed: dict[str, object]) -> None:
    copies = pressed["copies"]
    assert pressed["alerts"] == []  # nothing refused: no message box
    assert_same_tables(tables(copies["excel"]), tables(copies["file"]))
    assert _outbox(copies["excel"].parent) == _outbox(copies["file"].parent) != []
    sent = dict(zip(KEYS, pressed["mail"]["excel"], strict=True))
    assert sent["statements_send"] and sent["notices_send"]  # the send choices reached the relay
    assert not sent["statements_preview"] and not sent["notices_preview"] and not sent["month_end"]
    # the month-end ran every step from Excel as a preview: pressing Run again to send finds each
    # step done but the mail ones, which a preview only wrote to the outbox. Statements went out
    # with the send choice before (none twice), no notice is due, and the report goes out now.
    _result, message = pressed["outcomes"]["excel"][KEYS.index("month_end_send")]
    mailing = ("statements", "notices", "report")
    assert all(f"{step} already done" in message for step in STEPS if step not in mailing), message
    assert "statements statements 12; sent 0; already sent earlier 12; not sent yet 0" in message
    assert "report sent" in message
    assert [m.split("@")[0].split("-")[0] for m in sent["month_end_send"]] == ["report"]
    with FileBook(copies["excel"], lock=False) as book:
        audit = book.read("Audit")
        lines = book.read("BankLines")
    commands = audit["Command"].str.split().str[0].tolist()
    # import-rates wrote nothing: the ECB file's day (2026-04-13) is before the book's first invoice
    assert commands[:10] == [
        "import-bank",
        "match",
        "post",
        "aging",
        "credit",
        "forecast",
        "statements",
        "statements",
        "notices",
        "notices",
    ]
    assert {c for c in commands[10:]} == {"month-end"}
    assert len(lines) > 0 and (audit["SHA256Before"].str.len() == 64).all()


def _settings_typed_in(path: Path, settings: pd.DataFrame) -> None:
    """Type the Value of each of `settings`' Keys into the workbook's Settings sheet, in Excel, and save."""
    values = dict(zip(settings["Key"], settings["Value"], strict=True))
    with excel_double() as app:
        book = app.books.open(str(path))
        sheet = book.sheets["Settings"]
        for row in range(2, 2 + len(values) + 40):
            key = sheet.range((row, 1)).value
            if key in values and not pd.isna(values[key]):
                sheet.range((row, 2)).value = str(values[key])
        book.save()
        book.close()


@pytest.fixture(scope="module")
def adopted(
    source: tuple[Path, list[Path], object], relay: SmtpServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    """The German layout (a Mapping, the user's own sheets) adopted with `arbook init --suggest
    --dashboard`, its Settings sending through the relay as the sample company's do: every choice,
    in order, pressed with the Dashboard's Run button in the double and run on a FileBook."""
    workbook, bank_files, as_of = source
    folder = tmp_path_factory.mktemp("adopted")
    init(german(folder / "Forderungen.xlsx"), suggest=True, dashboard=True)
    built = folder / "Forderungen.xlsm"
    with FileBook(workbook, lock=False) as book:
        _settings_typed_in(built, book.read("Settings"))
    return _every_choice_both_ways(built, "adopted-", bank_files, as_of, relay, tmp_path_factory)


@pytest.mark.parametrize("key", KEYS)
def test_each_choice_on_an_adopted_workbook_ends_in_excel_as_on_the_command_line(
    adopted: dict[str, object], key: str
) -> None:
    i = KEYS.index(key)
    _assert_same_outcome(adopted, i)
    assert adopted["mail"]["excel"][i] == adopted["mail"]["file"][i]


def test_an_adopted_workbook_ends_alike_in_excel_and_on_the_command_line(adopted: dict[str, object]) -> None:
    copies = adopted["copies"]
    assert_same_tables(tables(copies["excel"]), tables(copies["file"]))
    assert _outbox(copies["excel"].parent) == _outbox(copies["file"].parent)
    with FileBook(copies["excel"], lock=False) as book:
        commands = book.read("Audit")["Command"].str.split().str[0].tolist()
        invoices = book.read("Invoices")
    # import-rates wrote nothing: the ECB file's day (2026-04-13) is before the book's first invoice
    singles = [ENTRIES[k][1].name for k in KEYS if not k.startswith("month_end") and k != "import_rates"]
    assert commands[0] == "init"  # arbook init adopted it
    commands = commands[1:]
    assert commands[: len(singles)] == singles and set(commands[len(singles) :]) == {"month-end"}
    assert invoices["OpenAmount"].notna().all()  # aging's computed column, kept in InvoicesComputed
    sent = dict(zip(KEYS, adopted["mail"]["excel"], strict=True))
    assert not sent["statements_preview"] and not sent["notices_preview"] and not sent["month_end"]
    assert sent["statements_send"]  # the send choice reached the relay from the adopted workbook
