"""How long the template builder takes to write a workbook with a large Invoices table.

    .venv/bin/python -m bench.template_build [--rows 50000] [--repeat 3]

Times, in the same run, on the same rows (10 columns: IDs, dates, cents, flags, text):
  baseline  bare xlsxwriter: one worksheet, `write_row` of the already-converted Python
            values, no table, formats or validation — the least any xlsxwriter writer does;
  arbook    `workbook.template.build_workbook(rows={"Invoices": frame})`: every contract
            table, the Dashboard, per-kind number formats, write_string for all text.
Prints the best of `--repeat` runs and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from workbook.template import build_workbook


def invoices(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 600, n), unit="D")
    return pd.DataFrame(
        {
            "InvoiceNo": [f"INV-{i:07d}" for i in range(n)],
            "CustomerID": [f"C{i:05d}" for i in rng.integers(0, 20_000, n)],
            "InvoiceDate": dates,
            "DueDate": dates + pd.Timedelta(days=30),
            "Currency": ["EUR"] * n,
            "Amount": pd.array(rng.integers(-5_000, 5_000_000, n), dtype="Int64"),
            "Reference": [f"PO {i}" for i in rng.integers(0, 10**6, n)],
            "Disputed": rng.random(n) < 0.02,
            "DisputeNote": [""] * n,
            "OpenAmount": pd.array(rng.integers(0, 5_000_000, n), dtype="Int64"),
        }
    )


def baseline(frame: pd.DataFrame, path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Invoices")
    ws.write_row(0, 0, list(frame.columns))
    columns = [
        frame[c].dt.to_pydatetime().tolist()
        if frame[c].dtype.kind == "M"
        else (frame[c].astype("float64") / 100).tolist()
        if str(frame[c].dtype) == "Int64"
        else frame[c].tolist()
        for c in frame.columns
    ]
    for r, row in enumerate(zip(*columns, strict=True), start=1):
        ws.write_row(r, 0, row)
    wb.close()


def best_of(repeat: int, run: Callable[[], None]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    frame = invoices(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = best_of(args.repeat, lambda: baseline(frame, folder / "baseline.xlsx"))
        ours = best_of(args.repeat, lambda: build_workbook(folder / "arbook.xlsx", rows={"Invoices": frame}))
    print(f"rows: {args.rows:,}   best of {args.repeat}")
    print(f"baseline (bare xlsxwriter write_row): {base:7.2f} s")
    print(f"arbook build_workbook:                {ours:7.2f} s   ratio {ours / base:.2f}x")


if __name__ == "__main__":
    main()
