"""A month-end on a real-sized workbook: every step timed, against just reading the workbook.

    .venv/bin/python -m bench.monthend_speed [--invoices 50000] [--bank-lines 20000] [--customers 2000]

Builds a generated company (sample_data, default seed) into a workbook and its bank files,
then, in the same run, times:
  baseline  reading every table of that workbook with python-calamine (what any tool must do);
  arbook    `arbook month-end` into an outbox: import, match, aging, credit, forecast,
            statements (PDF each), notices, report; each commit writes the workbook anew.
Prints each step's seconds, the total, its ratio to the baseline, and whether the target
(under 120 s for 50,000 invoices and 20,000 bank lines) was met.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from itertools import pairwise
from pathlib import Path

import python_calamine

import sample_data
from arbook.demo import build_demo_books
from arbook.monthend import STEPS, month_end

TARGET_SECONDS = 120.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=50_000)
    parser.add_argument("--bank-lines", type=int, default=20_000)
    parser.add_argument("--customers", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        company = sample_data.generate(
            customers=args.customers, invoices=args.invoices, bank_lines=args.bank_lines
        )
        workbook, bank_files, as_of = build_demo_books(Path(folder), company)
        print(
            f"setup: generated and built {workbook.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s "
            f"({args.customers} customers, {args.invoices} invoices, {args.bank_lines} bank lines)"
        )

        started = time.perf_counter()
        book = python_calamine.CalamineWorkbook.from_path(str(workbook))
        cells = sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)
        baseline = time.perf_counter() - started
        print(f"baseline: python-calamine reads every sheet ({cells} rows) in {baseline:.2f} s")

        marks: list[tuple[str, float]] = []

        def progress(step: str, done: int, total: int) -> None:
            if step == "month-end":
                marks.append((STEPS[done] if done < len(STEPS) else "end", time.perf_counter()))

        started = time.perf_counter()
        summary = month_end(
            workbook, bank_files=bank_files, as_of=as_of, outbox=Path(folder) / "outbox", progress=progress
        )
        total = time.perf_counter() - started
        for (step, at), (_next, then) in pairwise(marks):
            print(f"  {step:<12} {then - at:7.2f} s   {summary.figures.get(step, '')!s:.90}")
        verdict = "met" if total < TARGET_SECONDS else f"NOT met (over by {total - TARGET_SECONDS:.1f} s)"
        print(
            f"month-end: {total:.1f} s = {total / baseline:.1f}x reading the workbook; target < "
            f"{TARGET_SECONDS:.0f} s {verdict}"
        )


if __name__ == "__main__":
    main()
