"""Speed of the bank CSV importer against pandas.read_csv on the same 100,000-line file.

    .venv/bin/python -m bench.import_csv [--lines 100000]

The file is a generated German-style export (';', cp1252, decimal comma with thousands
dots, d.m.Y dates, a preamble). The baseline is pandas.read_csv told the delimiter,
encoding and header row, giving text. Two things are timed against it:

- parsing (the target, under 2x): the CSV importer finds encoding, delimiter and header row
  itself, reads every row, converts every amount to cents and every date, joins the memo
  and checks every cell, refusing the file on any doubt;
- the whole import, `read_bank_file`: parsing plus what every format shares, the LineID
  hash of every line (blake2b over account, day, amount, reference and memo) and the
  contract's types. Reported, with no target of its own.

All three are timed best of seven, interleaved, in this run, and the ratios printed.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from matching.importers import read_bank_file
from matching.importers.csv_reader import CsvImporter

HEADER = "Buchungstag;Wertstellung;Auftraggeber/Empfänger;Verwendungszweck;Betrag;Währung;Referenz"
PAYERS = ("Müller & Söhne GmbH", "Stadtwerke Köln", "ACME Ltd", "Bäckerei Groß", "École Française SARL")


def write_sample(path: Path, lines: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    rows = [
        "Umsätze Girokonto DE44 5001 0517 5407 3249 31;;;;;;",
        "Zeitraum: 01.01.2026 - 31.12.2026;;;;;;",
        HEADER,
    ]
    for i in range(lines):
        day, month = rng.randint(1, 28), rng.randint(1, 12)
        cents = rng.randint(-500_000, 2_000_000)
        whole, frac = divmod(abs(cents), 100)
        amount = ("-" if cents < 0 else "") + f"{whole:,}".replace(",", ".") + f",{frac:02d}"
        rows.append(
            f"{day:02d}.{month:02d}.2026;{day:02d}.{month:02d}.2026;{rng.choice(PAYERS)};"
            f"Rechnung RE-2026-{rng.randint(1, 99999):05d} Kunde {rng.randint(1, 5000)};{amount};EUR;"
            f"REF{i:08d}"
        )
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))


def best_of(runs: int, *works: Callable[[], object]) -> list[float]:
    """Best time of each work over `runs` rounds, the works interleaved so load spikes hit both."""
    best = [float("inf")] * len(works)
    for _ in range(runs):
        for i, work in enumerate(works):
            start = time.perf_counter()
            work()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bank.csv"
        write_sample(path, args.lines)
        lines = read_bank_file(path, date_order="dmy").lines
        assert len(lines) == args.lines and lines["LineID"].is_unique
        baseline, parsing, whole = best_of(
            7,
            lambda: pd.read_csv(path, sep=";", encoding="cp1252", skiprows=2, dtype=str),
            lambda: CsvImporter().read(path.read_bytes(), path.name, date_order="dmy"),
            lambda: read_bank_file(path, date_order="dmy"),
        )
    print(f"file: {args.lines:,} lines, {path.name}")
    print(f"pandas.read_csv (told sep/encoding/header, text only): {baseline:.3f} s")
    print(f"parsing, CsvImporter.read (sniffs, converts, checks every cell): {parsing:.3f} s")
    print(f"whole import, read_bank_file (parsing + LineID hashes + types): {whole:.3f} s")
    print(f"ratio parsing: {parsing / baseline:.2f}x (target < 2x)")
    print(f"ratio whole import: {whole / baseline:.2f}x")


if __name__ == "__main__":
    main()
