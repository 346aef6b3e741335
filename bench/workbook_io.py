"""Reading and writing big tables: FileBook against python-calamine and xlsxwriter, in the same run.

    python -m bench.workbook_io            200,000 rows x 10 mixed columns (a few minutes)
    python -m bench.workbook_io --big      also 1,000,000 rows (xlsxwriter alone needs over a minute)

Each measurement runs in its own process, so its peak memory (ru_maxrss) is its own. Targets:
FileBook.read within 1.5x of python-calamine's raw `to_python`; FileBook.replace + commit of an
arbook-owned table no slower than xlsxwriter writing the same rows (constant_memory off).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["main"]

READ_TARGET = 1.5
WRITE_TARGET = 1.0
CUSTOMERS = 5_000
INVOICE_COLUMNS = [
    "InvoiceNo",
    "CustomerID",
    "InvoiceDate",
    "DueDate",
    "Currency",
    "Amount",
    "Reference",
    "Disputed",
    "DisputeNote",
    "PromiseDate",
]


def invoice_rows(n: int) -> list[list[object]]:
    """Invoices as a user's sheet holds them: text, IDs, dates, 2-decimal amounts, Y/N, blanks."""
    rng = np.random.default_rng(7)
    start = dt.date(2025, 1, 1)
    days = rng.integers(0, 600, n)
    terms = rng.choice([14, 30, 60], n)
    cents = rng.integers(-50_000, 5_000_000, n)
    cents[cents == 0] = 1
    rows = []
    for i in range(n):
        invoiced = start + dt.timedelta(days=int(days[i]))
        rows.append(
            [
                f"INV-{i:08d}",
                f"C{i % CUSTOMERS:05d}",
                invoiced,
                invoiced + dt.timedelta(days=int(terms[i])),
                "EUR" if i % 7 else "CHF",
                int(cents[i]) / 100,
                f"PO {i * 7919 % 1_000_003}",
                "Y" if i % 53 == 0 else "N",
                "customer says goods damaged" if i % 53 == 0 else None,
                invoiced + dt.timedelta(days=45) if i % 97 == 0 else None,
            ]
        )
    return rows


def aging_frame(n: int) -> pd.DataFrame:
    """An arbook-owned table of n rows and 10 mixed columns (IDs, names, money, a rate, a date)."""
    rng = np.random.default_rng(11)
    money = {
        c: pd.array(rng.integers(0, 10**8, n), dtype="Int64") for c in ("Current", "1-30", "31-60", "61-90")
    }
    total = sum(money.values())
    return pd.DataFrame(
        {
            "CustomerID": [f"C{i:07d}" for i in range(n)],
            "Name": [f"Customer & Sons {i}" for i in range(n)],
            **money,
            "Total": total,
            "Overdue": total - money["Current"],
            "AvgDaysLate": rng.random(n) * 40,
            "OldestDueDate": (
                pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 600, n), unit="D")
            ).astype("datetime64[ns]"),
        }
    )


def build_input(path: Path, n: int) -> None:
    """The workbook the read measurements share: Customers and an n-row Invoices sheet."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("Customers")
    ws.write_row(0, 0, ["CustomerID", "Name", "PaymentTermsDays"])
    for i in range(CUSTOMERS):
        ws.write_string(i + 1, 0, f"C{i:05d}")
        ws.write_string(i + 1, 1, f"Customer {i}")
        ws.write_number(i + 1, 2, 30)
    ws = wb.add_worksheet("Invoices")
    ws.write_row(0, 0, INVOICE_COLUMNS)
    for r, row in enumerate(invoice_rows(n), start=1):
        for c, value in enumerate(row):
            _write(ws, r, c, value, date)
    wb.close()


def _write(ws, r: int, c: int, value: object, date) -> None:
    if value is None:
        return
    if isinstance(value, str):
        ws.write_string(r, c, value)
    elif isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        ws.write_datetime(r, c, value, date)
    else:
        ws.write_number(r, c, value)


# -- the measurements, each in a process of its own --------------------------------------------------


def _start() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _elapsed(t0: tuple[float, float]) -> dict:
    """Wall and CPU seconds: on a shared machine the CPU time is the fair comparison."""
    return {"seconds": time.perf_counter() - t0[0], "cpu": time.process_time() - t0[1]}


def _read_calamine(folder: Path, n: int) -> dict:
    import python_calamine

    t0 = _start()
    book = python_calamine.CalamineWorkbook.from_path(str(folder / "input.xlsx"))
    rows = book.get_sheet_by_name("Invoices").to_python()
    return {**_elapsed(t0), "rows": len(rows) - 1}


def _read_filebook(folder: Path, n: int) -> dict:
    from workbook.filebook import FileBook

    t0 = _start()
    with FileBook(folder / "input.xlsx", lock=False) as book:
        frame = book.read("Invoices")
    return {
        **_elapsed(t0),
        "rows": len(frame),
        "money_total": int(frame["Amount"].sum()),
    }


def _write_xlsxwriter(folder: Path, n: int) -> dict:
    import xlsxwriter

    frame = aging_frame(n)
    t0 = _start()
    wb = xlsxwriter.Workbook(str(folder / "xlsxwriter.xlsx"))
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    money = wb.add_format({"num_format": "#,##0.00"})
    ws = wb.add_worksheet("Aging")
    ws.write_row(0, 0, list(frame.columns))
    columns = [frame[c].tolist() for c in frame.columns]
    kinds = ["text", "text", *["money"] * 6, "number", "date"]
    for r in range(n):
        for c, kind in enumerate(kinds):
            value = columns[c][r]
            if kind == "text":
                ws.write_string(r + 1, c, value)
            elif kind == "money":
                ws.write_number(r + 1, c, value / 100, money)
            elif kind == "date":
                ws.write_datetime(r + 1, c, value.to_pydatetime(), date)
            else:
                ws.write_number(r + 1, c, value)
    ws.add_table(
        0, 0, n, len(kinds) - 1, {"name": "Aging", "columns": [{"header": h} for h in frame.columns]}
    )
    wb.close()
    return {**_elapsed(t0), "rows": n}


def _write_filebook(folder: Path, n: int) -> dict:
    import shutil

    from workbook.filebook import FileBook

    frame = aging_frame(n)
    book = folder / "filebook.xlsx"
    shutil.copy(folder / "small.xlsx", book)
    t0 = _start()
    with FileBook(book, keep_backups=1) as fb:
        fb.replace("Aging", frame)
        fb.commit("bench", f"{n} rows")
    return {**_elapsed(t0), "rows": n, "money_total": int(frame["Total"].sum())}


MEASURES = {
    "read: python-calamine to_python": _read_calamine,
    "read: FileBook.read": _read_filebook,
    "write: xlsxwriter": _write_xlsxwriter,
    "write: FileBook.replace+commit": _write_filebook,
}


def _measure_here(name: str, folder: Path, n: int) -> None:
    result = MEASURES[name](folder, n)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def _measure(name: str, folder: Path, n: int) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.workbook_io",
            "--measure",
            name,
            "--folder",
            str(folder),
            "--rows",
            str(n),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check_written(folder: Path, n: int, expected_total: int) -> str:
    """The table FileBook wrote opens in python-calamine with every row and the right money."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(folder / "filebook.xlsx"))
    rows = book.get_sheet_by_name("Aging").to_python()
    total = sum(round(r[6] * 100) for r in rows[1:])
    ok = len(rows) == n + 1 and total == expected_total
    return "checked: calamine reads every row and the same money" if ok else "CHECK FAILED"


def run(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="arbook-bench-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        build_input(folder / "input.xlsx", n)
        _small_book(folder / "small.xlsx")
        print(f"\n{n:,} rows x 10 columns (input built in {time.perf_counter() - t0:.1f} s)")
        results = {name: _measure(name, folder, n) for name in MEASURES}
        for name, r in results.items():
            print(
                f"  {name:<34} {r['seconds']:8.2f} s wall {r['cpu']:8.2f} s CPU   peak {r['peak_mb']:6.0f} MB"
            )
        for label, ours, base, target in (
            (
                "read  FileBook / calamine  ",
                "read: FileBook.read",
                "read: python-calamine to_python",
                READ_TARGET,
            ),
            (
                "write FileBook / xlsxwriter",
                "write: FileBook.replace+commit",
                "write: xlsxwriter",
                WRITE_TARGET,
            ),
        ):
            cpu = results[ours]["cpu"] / results[base]["cpu"]
            wall = results[ours]["seconds"] / results[base]["seconds"]
            verdict = "met" if cpu <= target else "MISSED"
            print(f"  {label} {cpu:5.2f}x CPU ({wall:.2f}x wall); target <= {target}x: {verdict}")
        print("  " + _check_written(folder, n, results["write: FileBook.replace+commit"]["money_total"]))


def _small_book(path: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Customers")
    ws.write_row(0, 0, ["CustomerID", "Name"])
    ws.write_row(1, 0, ["C1", "Acme"])
    wb.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--big", action="store_true", help="also measure 1,000,000 rows (several minutes)")
    parser.add_argument("--measure", choices=sorted(MEASURES), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure_here(args.measure, args.folder, args.rows)
        return
    for n in [args.rows, *([1_000_000] if args.big else [])]:
        run(n)


if __name__ == "__main__":
    main()
