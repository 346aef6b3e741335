"""The committed small set and the statement files: equal to a fresh generation, and readable.

The MT940 files are read with the `mt-940` package (a real, independent parser): same
lines, same amounts, memos and names, and every statement's balances add up. The CSV
files are read with the csv module the way a German bank export is read.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import mt940
import pandas as pd
import pytest

from common.values import parse_amount_cents, parse_date
from sample_data import generate, load_company, load_small, save_company, write_bank_files
from sample_data.bankfiles import CSV_HEADER
from sample_data.store import SMALL_DIR

FRAMES = ("customers", "invoices", "orders", "allocations", "bank_lines", "truth")


@pytest.fixture(scope="module")
def fresh():
    return generate()


@pytest.fixture(scope="module")
def files(tmp_path_factory, fresh) -> list[Path]:
    return write_bank_files(fresh, tmp_path_factory.mktemp("bank"))


def test_committed_small_set_equals_a_fresh_generation(fresh, files):
    committed = load_small()
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(committed, name), getattr(fresh, name))
    assert (committed.settings, committed.as_of) == (fresh.settings, fresh.as_of)
    for path in files:
        assert (SMALL_DIR / path.name).read_bytes() == path.read_bytes(), f"{path.name} drifted: regenerate"
    assert sum(p.stat().st_size for p in SMALL_DIR.iterdir()) < 300_000


def test_saved_set_reads_back_identically(tmp_path):
    company = generate(9, customers=25, invoices=260, bank_lines=70, as_of=dt.date(2027, 2, 15))
    save_company(company, tmp_path)
    again = load_company(tmp_path)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(company, name))
    assert (again.settings, again.as_of) == (company.settings, dt.date(2027, 2, 15))


def test_bank_files_cover_every_line_once(fresh, files):
    names = {p.name for p in files}
    assert names == set(fresh.bank_lines["SourceFile"])
    assert {p.suffix for p in files} == {".sta", ".csv"}


def _statements(path: Path) -> mt940.models.Transactions:
    transactions = mt940.models.Transactions()
    transactions.parse(path.read_bytes().decode("ascii"))
    return transactions


def test_mt940_files_parse_with_the_mt940_package_and_reconcile(fresh, files):
    checked = 0
    for path in (p for p in files if p.suffix == ".sta"):
        expected = fresh.bank_lines[fresh.bank_lines["SourceFile"] == path.name]
        statements = _statements(path)
        assert len(statements) == len(expected)
        got = [
            (
                t.data["date"],
                t.data["amount"].amount,
                t.data["purpose"] or "",
                t.data["applicant_name"] or "",
                t.data["bank_reference"],
            )
            for t in statements
        ]
        want = [
            (row.Date.date(), Decimal(int(row.Amount)).scaleb(-2), row.Memo, row.Payer, row.BankRef)
            for row in expected.itertuples()
        ]
        for (g_date, g_amount, g_memo, g_name, g_ref), (w_date, w_amount, w_memo, w_payer, w_ref) in zip(
            got, want, strict=True
        ):
            assert (g_date, g_amount, g_memo, g_ref) == (w_date, w_amount, w_memo, w_ref)
            assert g_name.endswith(w_payer)  # mt-940 glues ?31 (the payer's account) in front by default
        # each day's statement: opening + its lines = closing, and the next day opens there
        blocks = [b for b in path.read_bytes().decode("ascii").split("\r\n-\r\n") if b.strip()]
        previous_close = first_open = None
        for block in blocks:
            statement = mt940.models.Transactions()
            statement.parse(block + "\r\n-\r\n")
            opening = statement.data["final_opening_balance"].amount.amount
            closing = statement.data["final_closing_balance"].amount.amount
            assert opening + sum(t.data["amount"].amount for t in statement) == closing
            assert previous_close is None or opening == previous_close
            first_open = opening if first_open is None else first_open
            previous_close = closing
        assert previous_close == first_open + Decimal(int(expected["Amount"].sum())).scaleb(-2)
        checked += len(expected)
    assert checked > 0


def test_csv_files_read_back_to_the_frame(fresh, files):
    for path in (p for p in files if p.suffix == ".csv"):
        expected = fresh.bank_lines[fresh.bank_lines["SourceFile"] == path.name]
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle, delimiter=";"))
        assert tuple(rows[0]) == CSV_HEADER
        body = [dict(zip(CSV_HEADER, r, strict=True)) for r in rows[1:]]
        assert len(body) == len(expected)
        for row, want in zip(body, expected.itertuples(), strict=True):
            assert parse_date(row["Buchungstag"], date_order="dmy") == want.Date.date()
            assert parse_amount_cents(row["Betrag"], decimal_comma=True) == want.Amount
            assert (
                row["Verwendungszweck"],
                row["Auftraggeber"],
                row["Referenz"],
                row["Auftragskonto"],
                row["Währung"],
            ) == (want.Memo, want.Payer, want.BankRef, want.Account, want.Currency)
    assert any("货款" in p.read_text(encoding="utf-8-sig") for p in files if p.suffix == ".csv")


def test_arbook_importer_reads_the_files_back_to_the_same_lines_and_line_ids(tmp_path):
    """The truth is keyed by LineID: after a real import of the files it must still join."""
    from matching.importers import read_bank_file

    company = generate(8, customers=300, invoices=4000, bank_lines=2000)
    columns = ["LineID", "Date", "Amount", "Currency", "Payer", "Memo", "BankRef", "Account"]
    for path in write_bank_files(company, tmp_path):
        got = read_bank_file(path, date_order="dmy").lines.reset_index(drop=True)
        want = company.bank_lines[company.bank_lines["SourceFile"] == path.name].reset_index(drop=True)
        pd.testing.assert_frame_equal(got[columns], want[columns], obj=path.name)


def test_command_line_writes_tables_and_bank_files(tmp_path, capsys):
    from sample_data.__main__ import main

    assert (
        main(
            [
                "--out",
                str(tmp_path),
                "--seed",
                "3",
                "--customers",
                "12",
                "--invoices",
                "80",
                "--bank-lines",
                "40",
            ]
        )
        == 0
    )
    written = {p.name for p in tmp_path.iterdir()}
    assert {
        "customers.csv",
        "invoices.csv",
        "orders.csv",
        "allocations.csv",
        "bank_lines.csv",
        "truth.csv",
        "settings.csv",
        "as_of.txt",
        "main_2026-10.sta",
    } <= written
    assert len(load_company(tmp_path).bank_lines) == 40
    assert str(tmp_path / "truth.csv") in capsys.readouterr().out
