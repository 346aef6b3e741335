"""Real bank files kept in tests/bank_real (MANIFEST.tsv: source, commit, licence, bank,
country, format, kind) read to the figures the MANIFEST states, which were found apart from our
importers (the file's own balances and totals, or its columns summed with the csv module
or python-calamine, see the `checked` column), and to their golden files. Files that must
be refused are refused at the line the MANIFEST names."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from arbook.docs import BANK_FEATURES, SHARED_COVERS
from common.errors import BankFileError
from common.values import format_cents
from matching.importers import read_bank_file
from tests.bank_golden import REAL, SAMPLES, assert_matches_golden

ROWS = list(csv.DictReader((REAL / "MANIFEST.tsv").open(encoding="utf-8", newline=""), delimiter="\t"))
READ = [r for r in ROWS if not r["checked"].startswith("refused")]
REFUSED = [r for r in ROWS if r["checked"].startswith("refused")]


def test_the_manifest_lists_every_file_and_only_permissive_licences() -> None:
    on_disk = sorted(p.relative_to(REAL).as_posix() for p in REAL.glob("*/*") if p.is_file())
    assert on_disk == sorted(r["file"] for r in ROWS)
    for row in ROWS:
        assert row["licence"] in ("MIT", "Apache-2.0", "BSD-3-Clause", "(this project, MIT)"), row["file"]
        # a bank's own export (anonymised), an example made in its layout, or a file written
        # here to the published specification where no permissively licensed one exists
        assert row["kind"] in ("export", "example", "spec"), row["file"]
        assert (row["kind"] == "spec") == (row["repository"] == "(written here)"), row["file"]
        assert (REAL / row["file"]).stat().st_size < 32_000, row["file"]


def test_every_feature_a_file_covers_is_one_the_coverage_table_lists() -> None:
    known = {tag for tag, _label in BANK_FEATURES}
    named = {tag for row in ROWS for tag in row["covers"].split()}
    assert named <= known, named - known
    shared = {
        r["file"] for r in csv.DictReader((SAMPLES / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t")
    }
    assert set(SHARED_COVERS) <= shared


@pytest.mark.parametrize("row", READ, ids=[r["file"] for r in READ])
def test_real_file_reads_to_the_figures_found_apart_from_the_importer(row: dict[str, str]) -> None:
    bank = read_bank_file(REAL / row["file"], date_order=row["date_order"] or "dmy")
    lines = bank.lines
    assert len(lines) == int(row["txns"])
    assert int((lines["Amount"] > 0).sum()) == int(row["credits"])
    if " " in row["sum"]:  # "-238.25 CNY; -3.72 USD": one sum per currency, never one across them
        sums = lines.groupby("Currency")["Amount"].sum()
        written = (part.split() for part in row["sum"].split("; "))
        assert {c: format_cents(int(v)) for c, v in sums.items()} == {
            c: f"{Decimal(v):.2f}" for v, c in written
        }
    else:
        assert format_cents(int(lines["Amount"].sum())) == f"{Decimal(row['sum']):.2f}"
    assert lines["Date"].min().date().isoformat() == row["first"]
    assert lines["Date"].max().date().isoformat() == row["last"]
    statements = bank.statements
    if row["opening"]:
        assert format_cents(int(statements["OpeningBalance"].iloc[0])) == row["opening"]
    if row["closing"]:
        assert format_cents(int(statements["ClosingBalance"].iloc[-1])) == row["closing"]


@pytest.mark.parametrize("row", READ, ids=[r["file"] for r in READ])
def test_real_file_matches_its_golden_files(row: dict[str, str]) -> None:
    sample = REAL / row["file"]
    assert_matches_golden(read_bank_file(sample, date_order=row["date_order"] or "dmy"), sample)


@pytest.mark.parametrize("row", REFUSED, ids=[r["file"] for r in REFUSED])
def test_real_file_that_cannot_be_trusted_is_refused_at_its_line(row: dict[str, str]) -> None:
    expected = row["checked"].removeprefix("refused")
    where, _, fragment = expected.partition(": ")
    with pytest.raises(BankFileError) as caught:
        read_bank_file(REAL / row["file"], date_order="dmy")
    assert caught.value.line == (int(where.split()[-1]) if where.strip() else None)
    assert fragment in caught.value.reason
