"""How long the sample-company generator takes as it grows, against a bare numpy baseline.

    .venv/bin/python -m bench.sample_generate [--invoices 200000] [--bank-lines 100000] [--customers 20000]

Times, in the same run:
  baseline  the least any generator could do: draw customer, date and amount for every
            invoice with numpy and format the invoice numbers (no history, no bank month);
  small     generate() at a tenth of the size (the scaling reference);
  full      generate() at the requested size, then write_bank_files for its month.
Prints seconds, the ratio of `full` to the baseline, and the ratio full/small against the
ideal 10 (linear growth).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sample_data import generate, write_bank_files


def baseline(n_invoices: int, n_customers: int) -> None:
    rng = np.random.default_rng(1)
    rng.integers(n_customers, size=n_invoices)
    rng.integers(0, 180, size=n_invoices)
    np.round(rng.lognormal(7.4, 0.8, size=n_invoices) * 100).astype(np.int64)
    "INV-2026-" + pd.Series(np.arange(n_invoices).astype(str)).str.zfill(6)


def timed(label: str, action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    seconds = time.perf_counter() - start
    print(f"{label:<44} {seconds:8.2f} s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument("--bank-lines", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    args = parser.parse_args()
    n, lines, customers = args.invoices, args.bank_lines, args.customers
    base = timed(f"baseline: draw + number {n:,} invoices", lambda: baseline(n, customers))
    small = timed(
        f"generate {n // 10:,} invoices / {lines // 10:,} lines",
        lambda: generate(1, customers=max(customers // 10, 7), invoices=n // 10, bank_lines=lines // 10),
    )
    holder = {}
    full = timed(
        f"generate {n:,} invoices / {lines:,} lines",
        lambda: holder.setdefault("c", generate(1, customers=customers, invoices=n, bank_lines=lines)),
    )
    with tempfile.TemporaryDirectory() as tmp:
        files = timed(f"write_bank_files ({lines:,} lines)", lambda: write_bank_files(holder["c"], Path(tmp)))
    print(f"generate / baseline: {full / base:8.1f}x")
    print(f"full / small (ideal 10): {full / small:5.1f}")
    print(f"generate + files: {full + files:.1f} s ({'under' if full + files < 60 else 'OVER'} one minute)")


if __name__ == "__main__":
    main()
