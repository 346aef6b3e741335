"""import-bank end to end on a real workbook file (FileBook): new lines appended once, re-imports
and overlapping statements add nothing, one refused file refuses the whole import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from arbook.runner import run
from common.errors import BankFileError
from tests.bank_fixtures import FIXTURES
from workbook.filebook import FileBook
from workbook.template import build_workbook


def _mt940(ref: str, lines: list[tuple[dt.date, int, str]], opening: int) -> str:
    """One MT940 statement; amounts in cents, positive = credit."""

    def amount(cents: int) -> str:
        return f"{abs(cents) // 100},{abs(cents) % 100:02d}"

    first, last = lines[0][0], lines[-1][0]
    out = [f":20:{ref}", ":25:DE44500105175407324931", ":28C:1", f":60F:C{first:%y%m%d}EUR{amount(opening)}"]
    for day, cents, memo in lines:
        out += [
            f":61:{day:%y%m%d}{day:%m%d}{'C' if cents > 0 else 'D'}{amount(cents)}NTRFNONREF",
            f":86:166?00GUTSCHRIFT?20SVWZ+{memo}?32KUNDE GMBH",
        ]
    closing = opening + sum(c for _, c, _ in lines)
    out.append(f":62F:C{last:%y%m%d}EUR{amount(closing)}")
    return "\n".join(out) + "\n-\n"


def _book(tmp_path: Path, bank_lines: pd.DataFrame | None = None) -> Path:
    path = tmp_path / "Book.xlsx"
    build_workbook(path, rows={"BankLines": bank_lines} if bank_lines is not None else None)
    return path


D = dt.date
WEEK = [
    (D(2026, 11, 2), 10000, "RE 1"),
    (D(2026, 11, 3), 2500, "Kaffee"),
    (D(2026, 11, 3), 2500, "Kaffee"),
    (D(2026, 11, 4), -990, "Gebuehr"),
    (D(2026, 11, 5), 45000, "RE 2 und RE 3"),
]


def test_import_appends_new_lines_and_statements_once(tmp_path: Path) -> None:
    book_path = _book(tmp_path)
    sta = tmp_path / "week.sta"
    sta.write_text(_mt940("W45", WEEK, 100000), encoding="utf-8")
    files = [sta, FIXTURES / "debit_credit.csv", FIXTURES / "cn_bank_gbk.csv"]
    with FileBook(book_path) as book:
        summary = run(book, "import-bank", files=files)
    assert summary.figures == {
        "files": 3,
        "lines read": 11,
        "new": 11,
        "skipped (already imported)": 0,
        "refused": 0,
        "new credits to match": 8,
        "new debits and other lines set aside": 3,
        "new statements": 1,
    }
    with FileBook(book_path) as book:
        lines = book.read("BankLines")
        statements = book.read("BankStatements")
        audit = book.read("Audit")
    assert len(lines) == 11 and lines["LineID"].is_unique and lines["ImportedAt"].notna().all()
    twins = lines[lines["Memo"] == "Kaffee"]
    assert twins["Amount"].tolist() == [2500, 2500]
    assert lines.loc[lines["Amount"] < 0, "Status"].eq("Ignored").all()
    assert lines.loc[lines["Amount"] < 0, "Note"].eq("debit").all()
    assert lines.loc[lines["Amount"] > 0, "Status"].eq("Unmatched").all()
    assert statements[["OpeningBalance", "ClosingBalance", "Lines"]].values.tolist() == [[100000, 159010, 5]]
    assert audit["Command"].tolist()[-1] == "import-bank"

    before = book_path.read_bytes()
    with FileBook(book_path) as book:
        again = run(book, "import-bank", files=files)
    assert (
        again.figures["new"],
        again.figures["skipped (already imported)"],
        again.figures["new statements"],
    ) == (0, 11, 0)
    assert again.notes[-1] == "nothing new: the workbook was not written"
    assert book_path.read_bytes() == before


def test_overlapping_statement_adds_only_the_days_not_seen(tmp_path: Path) -> None:
    book_path = _book(tmp_path)
    early, late = tmp_path / "a.sta", tmp_path / "b.sta"
    early.write_text(_mt940("A", WEEK[:4], 100000), encoding="utf-8")  # 2nd..4th
    late.write_text(_mt940("B", WEEK[1:], 110000), encoding="utf-8")  # 3rd..5th, twins on the 3rd again
    with FileBook(book_path) as book:
        assert run(book, "import-bank", files=[early]).figures["new"] == 4
    with FileBook(book_path) as book:
        summary = run(book, "import-bank", files=[late])
        assert (summary.figures["new"], summary.figures["skipped (already imported)"]) == (1, 3)
        assert book.read("BankLines")["Memo"].tolist() == [
            "RE 1",
            "Kaffee",
            "Kaffee",
            "Gebuehr",
            "RE 2 und RE 3",
        ]
        assert len(book.read("BankStatements")) == 2


def test_any_refused_file_refuses_the_whole_import(tmp_path: Path) -> None:
    book_path = _book(tmp_path)
    before = book_path.read_bytes()
    bad = [FIXTURES / "bad" / "bad_date.csv", FIXTURES / "bad" / "camt_doctype.xml"]
    with FileBook(book_path) as book, pytest.raises(BankFileError) as caught:
        run(book, "import-bank", files=[FIXTURES / "debit_credit.csv", *bad])
    message = str(caught.value)
    assert "2 of 3 bank file(s) refused; nothing was imported" in message
    assert (
        "bad_date.csv line 4: column Date" in message
        and "camt_doctype.xml line 2: XML with a DOCTYPE" in message
    )
    assert caught.value.file == "bad_date.csv, camt_doctype.xml"
    assert book_path.read_bytes() == before


def test_hand_typed_line_without_line_id_is_not_imported_twice(tmp_path: Path) -> None:
    typed = pd.DataFrame(
        {
            "LineID": [""],
            "Date": pd.to_datetime(["2026-04-03"]),
            "Amount": pd.array([123450], dtype="Int64"),
            "Currency": [""],
            "Payer": ["ACME Ltd"],
            "Memo": ["Invoice 1001"],
            "BankRef": ["R-1"],
            "Account": [""],
            "SourceFile": ["debit_credit.csv"],
            "Status": ["Unmatched"],
            "Note": [""],
        }
    )
    book_path = _book(tmp_path, typed)
    with FileBook(book_path) as book:
        summary = run(book, "import-bank", files=[FIXTURES / "debit_credit.csv"])
    assert (summary.figures["new"], summary.figures["skipped (already imported)"]) == (2, 1)
