"""One registry of operations: the CLI is made from it, every writing command offers a dry run that
changes nothing anywhere, and the runner commits once per operation and shares one ledger per run."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import sample_data
from arbook import runner as runner_module
from arbook.cli import cli
from arbook.demo import build_demo_books
from arbook.operations import MONTH_END_STEPS, OPERATIONS, operation
from arbook.runner import Request, Runner
from receivables import Ledger
from workbook.filebook import FileBook

NOT_ON_A_BOOK = {"new", "init", "demo", "refresh-vba", "mail-login"}  # make, adopt or sign in; no Book


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], dt.date]:
    return build_demo_books(tmp_path_factory.mktemp("ops"), sample_data.load_small())


def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_cli_offers_every_operation_and_nothing_undeclared() -> None:
    declared = {op.name: op for op in OPERATIONS if op.command}
    assert set(cli.commands) - NOT_ON_A_BOOK == set(declared)
    for name, op in declared.items():
        command = cli.commands[name]
        options = {o for p in command.params for o in getattr(p, "opts", ())}
        assert command.help == op.help
        assert ("--dry-run" in options) == op.writes, name
        assert {"--send", "--outbox"} <= options if op.mails else not options & {"--send", "--outbox"}, name
        assert ("--as-of" in options) == ("as_of" in op.inputs), name
    assert [op.name for op in MONTH_END_STEPS] == [
        "import-bank",
        "match",
        "aging",
        "credit",
        "forecast",
        "statements",
        "notices",
        "report",
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", [op.name for op in OPERATIONS if op.command and op.writes], ids=lambda name: name
)
def test_a_dry_run_changes_nothing_anywhere(
    name: str, demo: tuple[Path, list[Path], dt.date], tmp_path: Path
) -> None:
    workbook, bank_files, as_of = demo
    before = _files(workbook.parent)
    outbox = tmp_path / "outbox"
    arguments = {
        "import-bank": [str(f) for f in bank_files],
        "month-end": [f"--bank={f}" for f in bank_files],
        "import-rates": [str(Path(__file__).parent / "rates_real" / "eurofxref.csv")],
        "apply": ["CN-2026-0012", "INV-2026-00795"],  # a credit note of customer 10087 on its invoice
        "reverse": ["A000001", "--reason", "test"],
        "write-off": ["INV-2026-00795", "--reason", "test"],
    }.get(name, [])
    dated = ["--as-of", as_of.isoformat()] if "as_of" in operation(name).inputs else []
    mail = ["--outbox", str(outbox), "--send"] if operation(name).mails else []
    result = CliRunner().invoke(
        cli, [name, str(workbook), *arguments, *dated, *mail, "--dry-run", "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)["notes"]  # stderr has the step lines
    assert any(note.startswith("dry run: the workbook was not changed") for note in notes)
    assert _files(workbook.parent) == before  # no workbook change, journal, backup or reports/ folder
    if operation(name).mails:  # --send is not honoured: a dry run previews to the outbox only
        assert "dry run: the workbook was not changed; mail went to the outbox only" in notes
        assert any(p.suffix == ".eml" for p in outbox.iterdir())


def test_the_runner_commits_once_with_the_command_as_typed(
    demo: tuple[Path, list[Path], dt.date], tmp_path: Path
) -> None:
    workbook, _, as_of = demo
    copy = tmp_path / workbook.name
    shutil.copy(workbook, copy)
    with FileBook(copy) as book:
        summary = Runner(book, Request(as_of=as_of, post=False)).run(operation("match"))
        credit = Runner(book, Request(as_of=as_of)).run(operation("credit"))
    with FileBook(copy, lock=False) as book:
        audit = book.read("Audit")
    assert audit["Command"].tolist() == [f"match --as-of {as_of} --no-post", f"credit --as-of {as_of}"]
    assert audit["Summary"].tolist() == [summary.line(), credit.line()]
    assert credit.line() == "; ".join(f"{k} {v}" for k, v in credit.figures.items())


def test_one_ledger_per_run_rebuilt_only_after_its_inputs_changed(
    demo: tuple[Path, list[Path], dt.date], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[dt.date] = []

    class Counted(Ledger):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            built.append(self.as_of)

    monkeypatch.setattr(runner_module, "Ledger", Counted)
    workbook, bank_files, as_of = demo
    copy = tmp_path / workbook.name
    shutil.copy(workbook, copy)
    with FileBook(copy) as book:
        run = Runner(book, Request(as_of=as_of, files=tuple(bank_files), outbox=tmp_path / "outbox"))
        for name in ("aging", "credit", "forecast"):  # aging writes Invoices' computed columns only
            run.run(operation(name))
        assert len(built) == 1
        run.run(operation("import-bank"))  # BankLines are not the ledger's
        assert len(built) == 1
        assert run.run(operation("match")).figures["auto-posted lines"] > 0  # allocations posted
        run.run(operation("credit"))
        run.run(operation("statements"))
        assert built == [as_of, as_of]
