"""`arbook init` against the naive way to add sheets (openpyxl load + save), in the same run.

    python -m bench.adopt_init             the Excel-made samples in ../shared, and a foreign
                                           workbook whose invoice sheet has 100,000 rows

Prints, per case, init's time and the baseline's, and their ratio. openpyxl is the baseline a
developer would reach for; it also rewrites every part and drops form controls, the Office 2010
ribbon and x14 extensions (measured with openpyxl 3.1.5, keep_vba=True), which init does not. For the big foreign workbook it also times
reading Invoices through the proposed Mapping against python-calamine's raw read of that sheet.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
from pathlib import Path

import openpyxl
import python_calamine
import xlsxwriter

from arbook.init import init
from common.errors import UnsafeWorkbookError
from workbook.filebook import FileBook

__all__ = ["main"]

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "excel-samples"
ROWS = 100_000


def _openpyxl_add_sheets(path: Path) -> None:
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    for name in ("Settings", "Aging", "Audit"):
        wb.create_sheet(f"{name}x")
    wb.save(path)


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def _samples(folder: Path) -> tuple[float, float, int]:
    ours = base = 0.0
    count = 0
    for source in sorted(SAMPLES.glob("*.xls[xm]")):
        a, b = folder / f"a-{source.name}", folder / f"b-{source.name}"
        shutil.copyfile(source, a)
        shutil.copyfile(source, b)
        try:
            t = _timed(init, a)
        except UnsafeWorkbookError:
            continue
        ours += t
        base += _timed(_openpyxl_add_sheets, b)
        count += 1
    return ours, base, count


def _foreign(path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Rechnungen")
    ws.write_row(0, 0, ["Rechnungsnr.", "Kunde", "Rechnungsdatum", "Fällig am", "Betrag"])
    dates = wb.add_format({"num_format": "dd.mm.yyyy"})
    start = dt.datetime(2025, 1, 1)
    for i in range(ROWS):
        day = start + dt.timedelta(days=i % 500)
        ws.write_string(i + 1, 0, f"RE-{i:07d}")
        ws.write_string(i + 1, 1, f"K{i % 2000:04d}")
        ws.write_datetime(i + 1, 2, day, dates)
        ws.write_datetime(i + 1, 3, day + dt.timedelta(days=30), dates)
        ws.write_number(i + 1, 4, (i % 99_999 + 1) / 100)
    ws = wb.add_worksheet("Debitoren")
    ws.write_row(0, 0, ["Kundennr.", "Firma"])
    for i in range(2000):
        ws.write_row(i + 1, 0, [f"K{i:04d}", f"Firma {i}"])
    wb.close()


def _read_invoices(path: Path) -> None:
    with FileBook(path, lock=False) as book:
        assert len(book.read("Invoices")) == ROWS


def _raw_read(path: Path) -> None:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    book.get_sheet_by_name("Rechnungen").to_python()
    book.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ours, base, count = _samples(folder)
        print(
            f"{count} Excel-made samples: init {ours:.2f} s, openpyxl load+save {base:.2f} s, "
            f"ratio {ours / base:.2f}"
        )
        big = folder / "foreign.xlsx"
        _foreign(big)
        copy = folder / "foreign-openpyxl.xlsx"
        shutil.copyfile(big, copy)
        t_init = _timed(lambda: init(big, suggest=True))
        t_base = _timed(_openpyxl_add_sheets, copy)
        print(
            f"foreign workbook, {ROWS:,} invoice rows: init --suggest {t_init:.2f} s, openpyxl load+save "
            f"{t_base:.2f} s, ratio {t_init / t_base:.2f}"
        )
        t_read = _timed(_read_invoices, big)
        t_raw = _timed(_raw_read, big)
        print(
            f"reading Invoices through the Mapping {t_read:.2f} s, calamine raw sheet read {t_raw:.2f} s, "
            f"ratio {t_read / t_raw:.2f}"
        )


if __name__ == "__main__":
    main()
