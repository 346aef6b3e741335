"""A month-end on a real-sized workbook: every step timed, against its floor measured in the same run.

    .venv/bin/python -m bench.monthend_speed [--small] [--invoices 50000] [--bank-lines 20000] [--customers 2000]

Builds a generated company (sample_data, default seed) into a workbook and its bank files,
then times `arbook month-end` into an outbox (import, match, aging, credit, forecast,
statements with a PDF each, notices, report; each step commits), and, in the same run, the
floor: the least any tool must do for the same month-end:
  read      every table of the workbook with python-calamine;
  write     the tables the month-end changed, once, with xlsxwriter (final contents);
  pdfs      the same number of statement PDFs and pages with fpdf2's built-in font;
  mail      the same .eml files built by the standard library (bench/_floors.py).
Prints each step's seconds, the floor's parts, and the month-end as a ratio of the floor
(target 3x); then the ratio against a stricter floor whose mail part only writes the finished
.eml bytes (building e-mails with the standard library is a large part of the floor). `--small` is a quick run (200 customers, 5,000 invoices, 2,000 bank lines).

The 200,000-invoice size (--customers 20000 --invoices 200000 --bank-lines 100000) took about
14 minutes and 3.6 GB at its peak on a quiet 2-core machine before the statement and mail
work was made faster (not measured since); run it alone, with 4 GB free.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import tempfile
import time
from itertools import pairwise
from pathlib import Path

import python_calamine
import xlsxwriter

import sample_data
from arbook.demo import build_demo_books
from arbook.monthend import STEPS, month_end
from bench._floors import Document, bytes_floor, eml_floor, mails_in, page_count, pdf_floor

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--small", action="store_true", help="200 customers, 5,000 invoices, 2,000 bank lines"
    )
    parser.add_argument("--invoices", type=int, default=50_000)
    parser.add_argument("--bank-lines", type=int, default=20_000)
    parser.add_argument("--customers", type=int, default=2_000)
    args = parser.parse_args()
    if args.small:
        args.customers, args.invoices, args.bank_lines = 200, 5_000, 2_000
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        started = time.perf_counter()
        company = sample_data.generate(
            customers=args.customers, invoices=args.invoices, bank_lines=args.bank_lines
        )
        workbook, bank_files, as_of = build_demo_books(folder, company)
        print(
            f"setup: generated and built {workbook.stat().st_size / 1e6:.1f} MB in "
            f"{time.perf_counter() - started:.1f} s ({args.customers} customers, {args.invoices} invoices, "
            f"{args.bank_lines} bank lines)"
        )
        started = time.perf_counter()
        before = read_all(workbook)
        t_read = time.perf_counter() - started

        marks: list[tuple[str, float]] = []

        def progress(step: str, done: int, total: int) -> None:
            if step == "month-end":
                marks.append((STEPS[done] if done < len(STEPS) else "end", time.perf_counter()))

        outbox = folder / "outbox"
        started = time.perf_counter()
        summary = month_end(workbook, bank_files=bank_files, as_of=as_of, outbox=outbox, progress=progress)
        total = time.perf_counter() - started
        for (step, at), (_next, then) in pairwise(marks):
            print(f"  {step:<12} {then - at:7.2f} s   {summary.figures.get(step, '')!s:.90}")

        after = read_all(workbook)
        changed = {name: rows for name, rows in after.items() if before.get(name) != rows}
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


if __name__ == "__main__":
    main()
