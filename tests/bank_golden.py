"""Golden files of the bank importers: what each real sample file reads as, exactly.

    .venv/bin/python -m tests.bank_golden        # rewrite tests/golden/bank/ from ../shared
                                                 # and tests/bank_real

Run it after a deliberate change to an importer, read the diff (git diff tests/golden/bank),
and commit the files with the change. test_import_samples compares every sample with its
golden files; any difference fails, so an unreviewed change in what a file means cannot
slip in. Amounts are written as decimal text, dates as ISO, so the diffs read naturally.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from common.errors import BankFileError
from common.values import format_cents
from matching.importers import LINE_COLUMNS, STATEMENT_COLUMNS, BankFile, read_bank_file

__all__ = [
    "GOLDEN",
    "REAL",
    "SAMPLES",
    "assert_matches_golden",
    "date_order_of",
    "golden_paths",
    "render_lines",
    "render_statements",
    "sample_files",
]

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO.parent / "shared" / "bank-samples"
REAL = REPO / "tests" / "bank_real"  # small permissively licensed files kept here (MANIFEST.tsv)
GOLDEN = REPO / "tests" / "golden" / "bank"
# Every contract column but where the file came from and when: those differ per run.
_PER_RUN = ("SourceFile", "ImportedAt")
_CLERK = ("ApplyTo", "Reverse")  # the clerk's instruction columns: empty on every imported line
_LINE_FIELDS = tuple(c for c in LINE_COLUMNS if c not in _PER_RUN and c not in _CLERK)
_STATEMENT_FIELDS = tuple(c for c in STATEMENT_COLUMNS if c not in _PER_RUN)


def sample_files(*roots: Path) -> list[Path]:
    """The real files under `roots` (default: ../shared/bank-samples and tests/bank_real)."""
    return sorted(p for root in roots or (SAMPLES, REAL) for p in root.glob("*/*") if p.is_file())


def date_order_of(sample: Path) -> str:
    """The date order a file's MANIFEST row gives (a US file's 05/03 is May 3), else dmy."""
    manifest = sample.parent.parent / "MANIFEST.tsv"
    if not manifest.exists():
        return "dmy"
    with manifest.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if sample.as_posix().endswith("/" + row["file"]):
                return row.get("date_order") or "dmy"
    return "dmy"


def golden_paths(sample: Path) -> tuple[Path, Path]:
    return GOLDEN / f"{sample.name}.csv", GOLDEN / f"{sample.name}.statements.csv"


def _cell(value: object) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _render(frame: pd.DataFrame, fields: tuple[str, ...], money: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for row in frame.loc[:, list(fields)].itertuples(index=False):
        writer.writerow(
            format_cents(int(v)) if f in money and not pd.isna(v) else _cell(v)
            for f, v in zip(fields, row, strict=True)
        )
    return out.getvalue()


def assert_matches_golden(bank: BankFile, sample: Path) -> None:
    """`bank` (the reading of `sample`) is exactly its golden files."""
    lines_path, statements_path = golden_paths(sample)
    assert render_lines(bank) == lines_path.read_text(encoding="utf-8")
    if statements_path.exists():
        assert render_statements(bank) == statements_path.read_text(encoding="utf-8")
    else:
        assert bank.statements.empty


def render_lines(bank: BankFile) -> str:
    assert (bank.lines.loc[:, list(_CLERK)] == "").all().all()
    return _render(bank.lines, _LINE_FIELDS, ("Amount",))


def render_statements(bank: BankFile) -> str:
    return _render(bank.statements, _STATEMENT_FIELDS, ("OpeningBalance", "ClosingBalance"))


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for sample in sample_files():
        if sample.suffix == ".tsv":
            continue
        lines_path, statements_path = golden_paths(sample)
        try:
            bank = read_bank_file(sample, date_order=date_order_of(sample))
        except BankFileError as exc:  # test_import_samples holds each refusal to its line
            lines_path.unlink(missing_ok=True)
            statements_path.unlink(missing_ok=True)
            print(f"{sample.name}: refused: {exc}")
            continue
        lines_path.write_text(render_lines(bank), encoding="utf-8")
        if len(bank.statements):
            statements_path.write_text(render_statements(bank), encoding="utf-8")
        else:
            statements_path.unlink(missing_ok=True)
        print(f"{sample.name}: {len(bank.lines)} lines, {len(bank.statements)} statements")


if __name__ == "__main__":
    main()
