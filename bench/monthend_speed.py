"""A month-end on a real-sized workbook: every step timed, against its floor measured in the same run.

    .venv/bin/python -m bench.monthend_speed [--small] [--invoices 50000] [--bank-lines 20000] [--customers 2000]
    .venv/bin/python -m bench.monthend_speed --growth [--sizes 10000,50000,200000]
    .venv/bin/python -m bench.monthend_speed --invoices 1000000 --bank-lines 500000 --customers 100000 --stop-after forecast

Builds a generated company (sample_data, default seed) into a workbook and its bank files, in a
process of its own, then times `arbook month-end` into an outbox (import, match, aging, credit,
forecast, statements with a PDF each, notices, report; each step commits), and, in the same run, the
floor: the least any tool must do for the same month-end:
  read      every table of the workbook with python-calamine;
  write     the tables the month-end changed, once, with xlsxwriter (final contents);
  pdfs      the same number of statement PDFs and pages with fpdf2's built-in font;
  mail      the same .eml files built by the standard library (bench/_floors.py).
Prints each step's seconds and peak resident memory (bench/_rss.py: the process holds only the
month-end, the generator ran in another), the floor's parts, and the month-end as a ratio of the
floor (target 3x); then the ratio against a stricter floor whose mail part only writes the finished
.eml bytes (building e-mails with the standard library is a large part of the floor). `--small` is a
quick run (200 customers, 5,000 invoices, 2,000 bank lines). The machine's load average is printed
at the start and end of each run: read every figure beside it.

`--growth` runs the month-end at each of `--sizes` invoices (half as many bank lines, a tenth as
many customers), each in a fresh process, and prints every step's growth from the first size to the
last against n log n's (target: no step grows faster). `--stop-after STEP` ends the month-end after
that step (no floor then: it is the whole month-end's); with it, a size too large for a whole run
still shows the memory of its steps. `--max-rss-gb` (default 12) stops a run that passes that much
resident memory, on the machine shared by everyone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email
import email.policy
import json
import math
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from itertools import pairwise
from pathlib import Path

import python_calamine
import xlsxwriter

import sample_data
from arbook.demo import build_demo_books
from arbook.monthend import STEPS, month_end
from bench._floors import Document, bytes_floor, eml_floor, mails_in, page_count, pdf_floor
from bench._rss import StepPeaks, Watchdog, peak_rss, resident

TARGET = 3.0


def read_all(workbook: Path) -> dict[str, list[list[object]]]:
    """Every sheet's cells, as python-calamine reads them."""
    book = python_calamine.CalamineWorkbook.from_path(str(workbook))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def write_once(tables: dict[str, list[list[object]]], target: Path) -> float:
    """Seconds xlsxwriter takes to write these tables into one new workbook."""
    started = time.perf_counter()
    book = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    for name, rows in tables.items():
        sheet = book.add_worksheet(name)
        for number, row in enumerate(rows):
            sheet.write_row(number, 0, row)
    book.close()
    return time.perf_counter() - started


def statement_documents(outbox: Path) -> list[Document]:
    """Each statement PDF in the outbox: its page count and the text of its message, for the PDF floor."""
    documents = []
    for path in sorted(outbox.glob("statement-*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        text = msg.get_body(("plain",)).get_content()
        for part in msg.iter_attachments():
            if part.get_content_type() == "application/pdf":
                documents.append(
                    Document(page_count(part.get_payload(decode=True)), tuple(text.splitlines()))
                )
    return documents


def _build(folder: str, customers: int, invoices: int, bank_lines: int, limit: int) -> dict[str, object]:
    """The generated company's workbook and bank files in `folder`, made in a process of its own
    (its memory is not the month-end's): their paths, the as-of, and what making them took."""
    with Watchdog(limit, "building the workbook"):
        started = time.perf_counter()
        company = sample_data.generate(customers=customers, invoices=invoices, bank_lines=bank_lines)
        workbook, bank_files, as_of = build_demo_books(Path(folder), company)
        return {
            "workbook": str(workbook),
            "bank_files": [str(p) for p in bank_files],
            "as_of": as_of.isoformat(),
            "seconds": time.perf_counter() - started,
            "peak": peak_rss(),
        }


def _load() -> str:
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def _mb(value: object) -> str:
    return "-" if value is None else f"{int(value) / 2**20:,.0f} MB"  # type: ignore[call-overload]


def measure(
    customers: int, invoices: int, bank_lines: int, *, stop_after: str | None, limit: int
) -> dict[str, object]:
    """One month-end at this size, printed as it goes; its figures, for --json."""
    result: dict[str, object] = {"customers": customers, "invoices": invoices, "bank_lines": bank_lines}
    print(f"{customers} customers, {invoices} invoices, {bank_lines} bank lines; {_load()}", flush=True)
    with tempfile.TemporaryDirectory() as name, Watchdog(limit, "the month-end"):
        folder = Path(name)
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
            built = pool.submit(_build, name, customers, invoices, bank_lines, limit).result()
        workbook = Path(str(built["workbook"]))
        result["setup_seconds"] = built["seconds"]
        print(
            f"setup: generated and built {workbook.stat().st_size / 1e6:.1f} MB in {built['seconds']:.1f} s "
            f"(peak {_mb(built['peak'])}, in its own process)",
            flush=True,
        )
        before = folder / "before.xlsx"
        shutil.copyfile(workbook, before)  # the floor reads the workbook as the month-end found it

        marks: list[tuple[str, float]] = []
        peaks = StepPeaks()

        def progress(step: str, done: int, total: int) -> None:
            if step == "month-end":
                if marks:
                    peaks.end(marks[-1][0])
                marks.append((STEPS[done] if done < len(STEPS) else "end", time.perf_counter()))

        outbox = folder / "outbox"
        at_start = resident()
        peaks.start()
        started = time.perf_counter()
        summary = month_end(
            workbook,
            bank_files=[Path(p) for p in built["bank_files"]],  # type: ignore[attr-defined]
            as_of=dt.date.fromisoformat(str(built["as_of"])),
            outbox=outbox,
            progress=progress,
            stop_after=stop_after,
        )
        total = time.perf_counter() - started
        if marks[-1][0] != "end":  # stopped after a step: the progress callback saw no end
            peaks.end(marks[-1][0])
            marks.append(("end", started + total))
        steps = []
        print(
            f"  {'step':<12} {'seconds':>8} {'peak MB':>8}   (resident when the month-end began: {_mb(at_start)})"
        )
        for (step, at), (_next, then) in pairwise(marks):
            steps.append({"step": step, "seconds": then - at, "peak": peaks.peaks.get(step)})
            print(
                f"  {step:<12} {then - at:8.2f} {peaks.mb(step):>8}   {summary.figures.get(step, '')!s:.80}"
            )
        known = [p for p in peaks.peaks.values() if p is not None]
        result |= {"steps": steps, "total": total, "peak": max(known) if known else None}
        print(f"month-end: {total:.1f} s, peak {_mb(result['peak'])}; {_load()}", flush=True)
        if stop_after is not None:
            print(
                f"floor: not measured (the month-end stopped after {stop_after}; the floor is the whole month's)"
            )
            return result
        result |= _floor(folder, before, workbook, outbox, total)
    print(_load(), flush=True)
    return result


def _floor(folder: Path, before: Path, workbook: Path, outbox: Path, total: float) -> dict[str, object]:
    """The floor's parts for this month-end, printed, and the month-end's ratios to it."""
    started = time.perf_counter()
    old = read_all(before)
    t_read = time.perf_counter() - started
    changed = {name: rows for name, rows in read_all(workbook).items() if old.get(name) != rows}
    del old
    t_write = write_once(changed, folder / "floor.xlsx")
    documents = statement_documents(outbox)
    t_pdfs = pdf_floor(documents)
    mails = [mail for _, mail in mails_in(outbox)]
    t_mail = eml_floor(mails, folder / "floor-outbox")
    floor = t_read + t_write + t_pdfs + t_mail
    print(
        f"floor {floor:.1f} s: read every sheet {t_read:.2f} s; write the {len(changed)} changed tables "
        f"({sum(map(len, changed.values()))} rows) {t_write:.2f} s; {len(documents)} PDFs "
        f"({sum(d.pages for d in documents)} pages) {t_pdfs:.2f} s; {len(mails)} .eml files {t_mail:.2f} s"
    )
    ratio = total / floor
    verdict = "met" if ratio <= TARGET else "NOT met"
    print(f"month-end: {total:.1f} s = {ratio:.1f}x its floor; target <= {TARGET:g}x {verdict}")
    t_bytes = bytes_floor([p.read_bytes() for p in sorted(outbox.glob("*.eml"))], folder / "bytes-outbox")
    strict = floor - t_mail + t_bytes
    print(
        f"  (were the mail floor only writing the finished .eml bytes, {t_bytes:.2f} s: floor {strict:.1f} s, "
        f"month-end {total / strict:.1f}x)"
    )
    return {"floor": floor, "ratio": ratio, "strict_ratio": total / strict}


def _n_log_n(n: int) -> float:
    return n * math.log(n)


def growth(sizes: list[int], *, stop_after: str | None, max_rss_gb: float) -> None:
    """Each size in a fresh process (--json), then each step's growth from the first size to the last
    against n log n's; a step growing faster is named."""
    runs = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as name:
            out = Path(name) / "run.json"
            command = [sys.executable, "-m", "bench.monthend_speed", "--invoices", str(n)]
            command += ["--bank-lines", str(n // 2), "--customers", str(max(1, n // 10))]
            command += ["--json", str(out), "--max-rss-gb", str(max_rss_gb)]
            command += ["--stop-after", stop_after] if stop_after else []
            print(f"\n--- {n} invoices ---", flush=True)
            subprocess.run(command, check=True)
            runs.append(json.loads(out.read_text()))
    first, last = sizes[0], sizes[-1]
    bound = _n_log_n(last) / _n_log_n(first)
    print(
        f"\ngrowth from {first} to {last} invoices (n log n grows {bound:.1f}x, n {last / first:.1f}x); {_load()}"
    )
    header = "".join(f"{n:>10}" for n in sizes)
    print(f"  {'step':<12}{header} s {'growth':>8}  {'exponent':>8}  peak MB at each size")
    over = []
    names = [s["step"] for s in runs[-1]["steps"]]
    for step in [*names, "total"]:
        if step == "total":
            times = [r["total"] for r in runs]
            peaks = [r["peak"] for r in runs]
        else:
            found = [{s["step"]: s for s in r["steps"]}.get(step) for r in runs]
            times = [f["seconds"] if f else math.nan for f in found]
            peaks = [f["peak"] if f else None for f in found]
        ratio = times[-1] / times[0] if times[0] > 0 else math.inf
        exponent = math.log(ratio) / math.log(last / first) if ratio > 0 else math.nan
        flag = "  exceeds n log n" if ratio > bound else ""
        if flag:
            over.append(step)
        cells = "".join(f"{t:10.2f}" for t in times)
        mbs = " ".join("-" if p is None else f"{p / 2**20:,.0f}" for p in peaks)
        print(f"  {step:<12}{cells}   {ratio:7.1f}x  n^{exponent:.2f}   {mbs}{flag}")
    print(f"steps growing faster than n log n: {', '.join(over) or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--small", action="store_true", help="200 customers, 5,000 invoices, 2,000 bank lines"
    )
    parser.add_argument("--invoices", type=int, default=50_000)
    parser.add_argument("--bank-lines", type=int, default=20_000)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--stop-after", choices=STEPS, help="end the month-end after this step (no floor)")
    parser.add_argument("--max-rss-gb", type=float, default=12.0, help="stop a run past this resident memory")
    parser.add_argument(
        "--growth", action="store_true", help="every step's growth across --sizes against n log n"
    )
    parser.add_argument("--sizes", default="10000,50000,200000", help="invoice counts for --growth")
    parser.add_argument("--json", type=Path, help="also write the run's figures here (what --growth reads)")
    args = parser.parse_args()
    if args.growth:
        sizes = sorted(int(n) for n in args.sizes.split(","))
        growth(sizes, stop_after=args.stop_after, max_rss_gb=args.max_rss_gb)
        return
    if args.small:
        args.customers, args.invoices, args.bank_lines = 200, 5_000, 2_000
    limit = int(args.max_rss_gb * 2**30)
    result = measure(args.customers, args.invoices, args.bank_lines, stop_after=args.stop_after, limit=limit)
    if args.json:
        args.json.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
