"""How fast the matcher is at scale, as a ratio to just reading its input tables.

    .venv/bin/python -m bench.match_speed [--lines 100000] [--invoices 200000] [--customers 20000]

One generated company (sample_data) of that size. The baseline is reading the same tables
(BankLines, Invoices, Customers, Allocations) back with pandas `read_csv` from CSV files
written in a temporary folder: the least any tool that looks at the data must spend. Then
the matcher runs on the first 10 %, 30 % and 100 % of the bank lines against all invoices
and customers, which shows how its time grows with the lines (n log n or better is the aim:
10x the lines should cost at most ~12.5x the time). Per-stage times come from the progress
callback the operation reports with.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import pandas as pd

from arbook.match import match_settings, open_amounts
from matching.matcher import match_lines
from receivables import Ledger, no_rates
from sample_data import generate
from sample_data.generator import SampleCompany
from workbook.contract import Settings

TABLES = ("bank_lines", "invoices", "customers", "allocations")
DATES = {"bank_lines": ["Date"], "invoices": ["InvoiceDate", "DueDate"], "allocations": ["PaymentDate"]}


def _read_csv(folder: Path) -> float:
    start = time.perf_counter()
    for name in TABLES:
        pd.read_csv(
            folder / f"{name}.csv",
            dtype={"CustomerID": str, "InvoiceNo": str, "LineID": str},
            parse_dates=DATES.get(name, []),
            keep_default_na=False,
        )
    return time.perf_counter() - start


def _match(company: SampleCompany, lines: pd.DataFrame) -> tuple[float, list[tuple[str, float]]]:
    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    match_lines(
        lines,
        company.customers,
        open_amounts(
            lines,
            Ledger(
                company.invoices,
                company.allocations,
                company.customers,
                as_of=company.as_of,
                rates=no_rates("EUR"),
            ),
        ),
        None,
        match_settings(Settings(**company.settings)),
        progress=lambda step, _d, _t: marks.append((step, time.perf_counter())),
    )
    end = time.perf_counter()
    stages, begin, name = [], start, "prepare"
    for step, at in marks:
        stages.append((name, at - begin))
        begin, name = at, step
    stages.append((name, end - begin))
    return end - start, stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    start = time.perf_counter()
    company = generate(args.seed, customers=args.customers, invoices=args.invoices, bank_lines=args.lines)
    print(
        f"generated {len(company.bank_lines):,} bank lines, {len(company.invoices):,} invoices, "
        f"{len(company.customers):,} customers, {len(company.allocations):,} allocations "
        f"in {time.perf_counter() - start:.1f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in TABLES:
            getattr(company, name).to_csv(folder / f"{name}.csv", index=False)
        read = _read_csv(folder)
    print(f"baseline: pandas read_csv of the four tables: {read:.2f} s\n")

    rows = []
    for share in (0.1, 0.3, 1.0):
        n = int(len(company.bank_lines) * share)
        seconds, stages = _match(company, company.bank_lines.iloc[:n])
        rows.append((n, seconds))
        detail = ", ".join(f"{name} {t:.1f}" for name, t in stages)
        print(f"{n:>7,} lines: match {seconds:6.1f} s = {seconds / read:5.1f}x reading   [{detail}]")
    (n0, t0), (n1, t1) = rows[0], rows[-1]
    bound = (n1 * math.log(n1)) / (n0 * math.log(n0))
    print(
        f"\ngrowth {n0:,} -> {n1:,} lines: time x{t1 / t0:.1f} (n log n would be x{bound:.1f}; linear x{n1 / n0:.0f})"
    )
    print(f"lines per second at {n1:,}: {n1 / t1:,.0f}")


if __name__ == "__main__":
    main()
