"""python -m sample_data --out DIR [--seed N --customers N --invoices N --bank-lines N --months N --as-of DATE]

Writes a generated company as CSV tables (customers, invoices, orders, allocations,
bank_lines, truth, settings) plus the month's bank statement files (MT940 and CSV).
With the defaults it reproduces the committed set: python -m sample_data --out sample_data/small
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from sample_data.bankfiles import write_bank_files
from sample_data.generator import DEFAULT_AS_OF, generate
from sample_data.store import save_company


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sample_data",
        description="Write a generated sample company (CSV tables + bank files).",
    )
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--customers", type=int, default=60)
    parser.add_argument("--invoices", type=int, default=None, help="default: 10 per customer")
    parser.add_argument(
        "--bank-lines", type=int, default=None, help="default: a quarter of the invoices, at least 60"
    )
    parser.add_argument("--months", type=int, default=6, help="months of invoices up to --as-of")
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=DEFAULT_AS_OF,
        help="last day of the bank month (YYYY-MM-DD)",
    )
    args = parser.parse_args(argv)
    company = generate(
        args.seed,
        customers=args.customers,
        invoices=args.invoices,
        bank_lines=args.bank_lines,
        months=args.months,
        as_of=args.as_of,
    )
    paths = save_company(company, args.out) + write_bank_files(company, args.out)
    for path in paths:
        print(f"{path}  ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
