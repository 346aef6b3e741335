"""The malformed-bank-file corpus (tests/bank_corpus.py), every case through the import
operation on a real workbook: refused (BankFileError, never another exception), the message
naming the file and the true line, nothing written. One case per family also goes through
the command line: exit 1, the message, no traceback."""

from __future__ import annotations

import collections
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from arbook.bank_import import import_bank
from arbook.cli import main
from common.errors import BankFileError
from matching.importers import parse_bank_bytes
from tests.bank_corpus import CAMT_SEED, CSV_SEED, MT940_SEED, cases
from workbook.filebook import FileBook
from workbook.template import build_workbook

CASES = cases()


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for name, data, _line, _fragment in CASES:
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FileBook, Path]]:
    path = tmp_path_factory.mktemp("book") / "Book.xlsx"
    build_workbook(path)
    before = path.read_bytes()
    with FileBook(path) as opened:
        yield opened, path
    assert path.read_bytes() == before  # no case wrote anything


def test_the_corpus_is_large_and_its_seeds_are_valid_and_balanced() -> None:
    families = collections.Counter(name.split("_")[0] for name, *_ in CASES)
    assert len(CASES) >= 400 and min(families.values()) >= 60, families
    for name, seed, credits in (("s.sta", MT940_SEED, 2), ("s.xml", CAMT_SEED, 3), ("s.csv", CSV_SEED, 2)):
        bank = parse_bank_bytes(seed.encode(), name, date_order="dmy")
        assert int((bank.lines["Amount"] > 0).sum()) == credits
        assert int(bank.lines["Amount"].sum()) == 81255  # 717.55 - 25.00 + 120.00


@pytest.mark.parametrize("name,line,fragment", [(n, line, f) for n, _d, line, f in CASES])
def test_malformed_file_is_refused_naming_its_true_line(
    corpus_dir: Path, book: tuple[FileBook, Path], name: str, line: int, fragment: str
) -> None:
    opened, path = book
    stamp = path.stat().st_mtime_ns
    with pytest.raises(BankFileError) as caught:
        import_bank(opened, [corpus_dir / name])
    message = str(caught.value)
    assert f"\n  - {name} line {line}: " in message, message
    assert fragment in message
    assert "nothing was imported" in message
    assert path.stat().st_mtime_ns == stamp


@pytest.mark.parametrize(
    "prefix", ["mt940_cut", "mt940_amount", "camt_cut", "camt_amount", "csv_cut", "csv_date"]
)
def test_command_line_refuses_with_exit_1_and_no_traceback(
    corpus_dir: Path, book: tuple[FileBook, Path], prefix: str, monkeypatch, capsys, tmp_path: Path
) -> None:
    name, _data, line, _fragment = next(c for c in CASES if c[0].startswith(prefix))
    workbook = tmp_path / "Book.xlsx"
    workbook.write_bytes(book[1].read_bytes())
    monkeypatch.setattr(sys, "argv", ["arbook", "import-bank", str(workbook), str(corpus_dir / name)])
    with pytest.raises(SystemExit) as exited:
        main()
    err = capsys.readouterr().err
    assert exited.value.code == 1
    assert f"{name} line {line}: " in err and "Traceback" not in err
    assert workbook.read_bytes() == book[1].read_bytes()
