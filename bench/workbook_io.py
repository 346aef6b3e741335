"""Reading and writing big tables: FileBook against python-calamine and xlsxwriter, in the same run.

    python -m bench.workbook_io            200,000 rows x 10 mixed columns (a few minutes)
    python -m bench.workbook_io --big      also 1,000,000 rows (xlsxwriter alone needs over a minute)

Each measurement runs in its own process, so its peak memory (ru_maxrss) is its own. Targets
(CPU time, as a ratio to the baseline measured in the same run):
  - FileBook.read within 1.5x of python-calamine's raw `to_python`;
  - FileBook.replace + commit of an arbook-owned table no slower than xlsxwriter writing the
    same rows (constant_memory off);
  - FileBook.write_columns + commit of the three computed columns of an Invoices table of the
    same size (what aging writes back every month) within 1.5x of xlsxwriter writing those cells;
  - FileBook.append + commit of half as many rows to a BankLines table that already holds
    10,000 (what a big bank import writes) within 1.5x of xlsxwriter writing those rows.
The FileBook measurements start once the table is read (an operation has always read it first).
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

from workbook.contract import table

__all__ = ["main"]

READ_TARGET = 1.5
WRITE_TARGET = 1.0
REWRITE_TARGET = 1.5
APPEND_TARGET = 1.5
BANK_LINES_HELD = 10_000
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


def build_input(path: Path, n: int, *, computed: bool = False) -> None:
    """The workbook the read measurements share: Customers and an n-row Invoices sheet.

    With `computed`, Invoices also holds the columns aging writes (as after an earlier run).
    """
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
    ws.write_row(0, 0, INVOICE_COLUMNS + (COMPUTED_COLUMNS if computed else []))
    for r, row in enumerate(invoice_rows(n), start=1):
        if computed:
            row += [row[5], "Open", None]
        for c, value in enumerate(row):
            _write(ws, r, c, value, date)
    wb.close()


COMPUTED_COLUMNS = ["OpenAmount", "Status", "LastPaymentDate"]


def computed_frame(n: int) -> pd.DataFrame:
    """What aging writes back into Invoices: open amount, status and last payment date per invoice."""
    rng = np.random.default_rng(13)
    paid = rng.random(n) < 0.6
    cents = pd.array(np.where(paid, 0, rng.integers(1, 5_000_000, n)), dtype="Int64")
    last = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    return pd.DataFrame(
        {
            "InvoiceNo": [f"INV-{i:08d}" for i in range(n)],
            "OpenAmount": cents,
            "Status": np.where(paid, "Paid", "Partial"),
            "LastPaymentDate": pd.Series(last).where(paid | (rng.random(n) < 0.5)).astype("datetime64[ns]"),
        }
    )


BANK_COLUMNS = table("BankLines").column_names
BANK_KINDS = [
    {"money": "money", "date": "date", "datetime": "datetime"}.get(c.kind, "text")
    for c in table("BankLines").columns
]


def bank_frame(n: int, first: int = 0) -> pd.DataFrame:
    """n imported bank lines as the importer hands them to BankLines (contract types, every contract column)."""
    rng = np.random.default_rng(17 + first)
    ids = range(first, first + n)
    return pd.DataFrame(
        {
            "LineID": [f"L{i:012x}" for i in ids],
            "Date": (pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")).astype(
                "datetime64[ns]"
            ),
            "Amount": pd.array(rng.integers(1, 5_000_000, n), dtype="Int64"),
            "Currency": "EUR",
            "Payer": [f"Payer & Co {i % 20_000}" for i in ids],
            "Memo": [f"INV-{i * 7919 % 1_000_003:08d} thanks" for i in ids],
            "BankRef": [f"REF{i}" for i in ids],
            "Account": "DE89370400440532013000",
            "SourceFile": "statement-2026-11.xml",
            "ImportedAt": pd.Series(pd.Timestamp("2026-11-30 10:15:00"), index=range(n)).astype(
                "datetime64[ns]"
            ),
            "Status": "Unmatched",
            "Note": "",
        }
    ).reindex(columns=BANK_COLUMNS, fill_value="")  # the clerk's columns (ApplyTo, Reverse ...) left blank


def build_bank(path: Path) -> None:
    """A workbook whose BankLines Excel Table already holds BANK_LINES_HELD imported lines."""
    import xlsxwriter

    frame = bank_frame(BANK_LINES_HELD, first=10**9)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Customers")
    ws.write_row(0, 0, ["CustomerID", "Name"])
    ws.write_row(1, 0, ["C1", "Acme"])
    ws = wb.add_worksheet("BankLines")
    _write_frame(wb, ws, frame, BANK_KINDS)
    ws.add_table(
        0,
        0,
        len(frame),
        len(BANK_COLUMNS) - 1,
        {"name": "BankLines", "columns": [{"header": h} for h in BANK_COLUMNS]},
    )
    wb.close()


def _write_frame(wb, ws, frame: pd.DataFrame, kinds: list[str]) -> None:
    """Rows 1.. of `frame`, each cell written with the xlsxwriter call its kind needs (the baseline)."""
    formats = {
        "money": wb.add_format({"num_format": "#,##0.00"}),
        "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
    }
    for c, (name, kind) in enumerate(zip(frame.columns, kinds, strict=True)):
        values = frame[name].tolist()
        fmt = formats.get(kind)
        for r, value in enumerate(values, start=1):
            if value is None or value is pd.NA or value is pd.NaT or value == "":
                continue
            if kind == "text":
                ws.write_string(r, c, value)
            elif kind == "money":
                ws.write_number(r, c, value / 100, fmt)
            else:
                ws.write_datetime(r, c, value.to_pydatetime(), fmt)


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


def _rewrite_xlsxwriter(folder: Path, n: int) -> dict:
    import xlsxwriter

    frame = computed_frame(n)
    t0 = _start()
    wb = xlsxwriter.Workbook(str(folder / "rewrite-xlsxwriter.xlsx"))
    ws = wb.add_worksheet("Invoices")
    ws.write_row(0, 0, COMPUTED_COLUMNS)
    _write_frame(wb, ws, frame[COMPUTED_COLUMNS], ["money", "text", "date"])
    wb.close()
    return {**_elapsed(t0), "rows": n}


def _rewrite_filebook(folder: Path, n: int) -> dict:
    from workbook.filebook import FileBook

    frame = computed_frame(n)
    with FileBook(folder / "computed.xlsx", keep_backups=1) as book:
        book.read("Invoices")
        t0 = _start()
        book.write_columns("Invoices", "InvoiceNo", frame)
        book.commit("bench", f"{n} rows")
        result = _elapsed(t0)
    return {**result, "rows": n, "money_total": int(frame["OpenAmount"].sum())}


def _append_xlsxwriter(folder: Path, n: int) -> dict:
    import xlsxwriter

    frame = bank_frame(n // 2)
    t0 = _start()
    wb = xlsxwriter.Workbook(str(folder / "append-xlsxwriter.xlsx"))
    ws = wb.add_worksheet("BankLines")
    ws.write_row(0, 0, BANK_COLUMNS)
    _write_frame(wb, ws, frame, BANK_KINDS)
    wb.close()
    return {**_elapsed(t0), "rows": n // 2}


def _append_filebook(folder: Path, n: int) -> dict:
    from workbook.filebook import FileBook

    frame = bank_frame(n // 2)
    with FileBook(folder / "bank.xlsx", keep_backups=1) as book:
        book.read("BankLines")
        t0 = _start()
        book.append("BankLines", frame)
        book.commit("bench", f"{n // 2} lines")
        result = _elapsed(t0)
    return {**result, "rows": n // 2, "money_total": int(frame["Amount"].sum())}


MEASURES = {
    "read: python-calamine to_python": _read_calamine,
    "read: FileBook.read": _read_filebook,
    "write: xlsxwriter": _write_xlsxwriter,
    "write: FileBook.replace+commit": _write_filebook,
    "rewrite: xlsxwriter 3 columns": _rewrite_xlsxwriter,
    "rewrite: FileBook.write_columns+commit": _rewrite_filebook,
    "append: xlsxwriter n/2 rows": _append_xlsxwriter,
    "append: FileBook.append+commit": _append_filebook,
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


def _check_written(folder: Path, n: int, results: dict) -> str:
    """What FileBook wrote opens in python-calamine with every row and the right money."""
    import python_calamine

    def money(book: str, sheet: str, column: str) -> tuple[int, int]:
        rows = (
            python_calamine.CalamineWorkbook.from_path(str(folder / book))
            .get_sheet_by_name(sheet)
            .to_python()
        )
        j = rows[0].index(column)
        return len(rows) - 1, sum(round(r[j] * 100) for r in rows[1:] if r[j] not in ("", None))

    held = sum(round(v) for v in bank_frame(BANK_LINES_HELD, first=10**9)["Amount"])
    checks = [
        money("filebook.xlsx", "Aging", "Total")
        == (n, results["write: FileBook.replace+commit"]["money_total"]),
        money("computed.xlsx", "Invoices", "OpenAmount")
        == (n, results["rewrite: FileBook.write_columns+commit"]["money_total"]),
        money("bank.xlsx", "BankLines", "Amount")
        == (BANK_LINES_HELD + n // 2, held + results["append: FileBook.append+commit"]["money_total"]),
    ]
    return (
        "checked: calamine reads every row and the same money in the three tables FileBook wrote"
        if all(checks)
        else f"CHECK FAILED {checks}"
    )


TARGETS = (
    ("read    FileBook / calamine   ", "read: FileBook.read", "read: python-calamine to_python", READ_TARGET),
    ("write   FileBook / xlsxwriter ", "write: FileBook.replace+commit", "write: xlsxwriter", WRITE_TARGET),
    (
        "rewrite FileBook / xlsxwriter ",
        "rewrite: FileBook.write_columns+commit",
        "rewrite: xlsxwriter 3 columns",
        REWRITE_TARGET,
    ),
    (
        "append  FileBook / xlsxwriter ",
        "append: FileBook.append+commit",
        "append: xlsxwriter n/2 rows",
        APPEND_TARGET,
    ),
)


def run(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="arbook-bench-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        build_input(folder / "input.xlsx", n)
        build_input(folder / "computed.xlsx", n, computed=True)
        build_bank(folder / "bank.xlsx")
        _small_book(folder / "small.xlsx")
        print(
            f"\n{n:,} rows x 10 columns; rewrite: 3 computed columns of {n:,} invoices; "
            f"append: {n // 2:,} lines to {BANK_LINES_HELD:,} (inputs built in {time.perf_counter() - t0:.1f} s)"
        )
        results = {name: _measure(name, folder, n) for name in MEASURES}
        for name, r in results.items():
            print(
                f"  {name:<40} {r['seconds']:8.2f} s wall {r['cpu']:8.2f} s CPU   peak {r['peak_mb']:6.0f} MB"
            )
        for label, ours, base, target in TARGETS:
            cpu = results[ours]["cpu"] / results[base]["cpu"]
            wall = results[ours]["seconds"] / results[base]["seconds"]
            verdict = "met" if cpu <= target else "MISSED"
            print(f"  {label} {cpu:5.2f}x CPU ({wall:.2f}x wall); target <= {target}x: {verdict}")
        print("  " + _check_written(folder, n, results))


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
