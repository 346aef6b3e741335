"""Statements of account at scale: PDFs against fpdf2's minimum, mail against the standard library.

    .venv/bin/python -m bench.statements_speed [--customers 1000] [--invoices-each 12]

Generates a ledger (customers in German, English, French and Chinese, a year of invoices,
payments and credit notes), then times, in the same run:
  select     mailer.build_statements: balances, activity, open items and aging per customer;
  pdfs       the PDFs alone, as compose renders them (fonts found and cut, then the
             documents on every core), and again in one process (fonts ready), against the
             floor: fpdf2 writing the same number of documents and pages with the same text
             in the same fonts (Helvetica, or the same cut CJK font file embedded), and
             against the stricter floor of Helvetica throughout (bench/_floors.py);
  chinese    the Chinese statements alone, in one process, against fpdf2 with the same
             CJK font file writing their pages;
  compose    mailer.compose_statements: views, wording and the PDFs again;
  mail       building each message, writing it as a .eml file and journalling it (what
             `arbook statements` does without --send), against the standard library building
             the same messages and writing the same files.
Prints seconds per stage and the ratios against the targets: PDFs within 3x their floor, mail
at most 1x.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

import mailer
from bench._floors import Document, Mail, eml_floor, page_count, pdf_floor
from mailer.compose import statement_pdfs, statement_texts, statement_view
from mailer.pdf import HELVETICA, fonts_for, statement_pdf
from receivables import aged_items, bucket_labels, open_items

AS_OF = date(2026, 11, 30)
LIMITS = (30, 60, 90, 120)
PDF_TARGET = 3.0
MAIL_TARGET = 1.0
SENDER = "ar@beispiel.example"


_NAMES = {
    "de": "Müller & Söhne GmbH",
    "en": "Acme Trading Ltd",
    "fr": "Société Générale de Négoce SA",
    "zh": "上海华东贸易有限公司",
}
_ADDRESSES = {
    "de": "Hauptstraße 5\n80331 München",
    "en": "1 High Street\nLondon EC1A 1BB",
    "fr": "1 rue de la Paix\n75002 Paris",
    "zh": "上海市浦东新区世纪大道100号\n200120 中国",
}


def make_ledger(n_customers: int, invoices_each: int, seed: int = 11) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    langs = rng.choice(["de", "en", "fr", "zh"], n_customers, p=[0.4, 0.3, 0.15, 0.15])
    ids = [f"C{i:05d}" for i in range(n_customers)]
    customers = pd.DataFrame(
        {
            "CustomerID": ids,
            "Name": [f"{_NAMES[lang]} {i}" for i, lang in enumerate(langs)],
            "Email": [f"ap{i}@customer.example" for i in range(n_customers)],
            "CC": "",
            "Language": langs,
            "Currency": "EUR",
            "PaymentTermsDays": pd.array([30] * n_customers, dtype="Int64"),
            "DunningBlocked": False,
            "Address": [_ADDRESSES[lang] for lang in langs],
            "ContactName": "",
        },
        index=range(2, n_customers + 2),
    )
    n = n_customers * invoices_each
    days = rng.integers(0, 365, n)
    inv_dates = np.datetime64("2025-12-01") + days.astype("timedelta64[D]")
    amounts = rng.integers(5_000, 500_000, n)
    amounts[rng.random(n) < 0.05] *= -1
    invoices = pd.DataFrame(
        {
            "InvoiceNo": [f"INV{i:07d}" for i in range(n)],
            "CustomerID": np.repeat(ids, invoices_each),
            "InvoiceDate": inv_dates.astype("datetime64[ns]"),
            "DueDate": (inv_dates + 30).astype("datetime64[ns]"),
            "Currency": "EUR",
            "Amount": pd.array(amounts, dtype="Int64"),
            "Reference": "",
            "Disputed": False,
            "PromiseDate": pd.NaT,
        },
        index=range(2, n + 2),
    )
    paid = (rng.random(n) < 0.7) & (amounts > 0)
    pay_dates = inv_dates[paid] + rng.integers(10, 60, paid.sum()).astype("timedelta64[D]")
    keep = pay_dates <= np.datetime64(AS_OF)
    allocations = pd.DataFrame(
        {
            "LineID": [f"L{i}" for i in range(int(keep.sum()))],
            "InvoiceNo": invoices["InvoiceNo"].to_numpy()[paid][keep],
            "CustomerID": invoices["CustomerID"].to_numpy()[paid][keep],
            "Amount": pd.array(amounts[paid][keep], dtype="Int64"),
            "PaymentDate": pay_dates[keep].astype("datetime64[ns]"),
            "Kind": "payment",
        }
    )
    return {"customers": customers, "invoices": invoices, "allocations": allocations}


def _verdict(ratio: float, target: float) -> str:
    return f"target <= {target:g}x {'met' if ratio <= target else 'NOT met'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--invoices-each", type=int, default=12)
    args = parser.parse_args()
    frames = make_ledger(args.customers, args.invoices_each)
    customers, invoices, allocations = frames["customers"], frames["invoices"], frames["allocations"]
    company = mailer.Company(
        "Beispiel AG",
        "Industriestr. 1\n70173 Stuttgart",
        SENDER,
        "IBAN DE89 3704 0044 0532 0130 00\nBIC COBADEFFXXX",
    )

    t0 = time.perf_counter()
    items = aged_items(
        open_items(invoices, allocations, as_of=AS_OF, customers=customers, base="EUR"),
        as_of=AS_OF,
        limits=LIMITS,
        basis="due",
    )
    statements = mailer.build_statements(
        customers,
        items,
        invoices,
        allocations,
        as_of=AS_OF,
        period_start=AS_OF.replace(day=1),
        aging_labels=bucket_labels(LIMITS),
        min_balance=1,
        base_currency="EUR",
    )
    t_select = time.perf_counter() - t0

    by_id = customers.set_index("CustomerID", drop=False)
    views = []
    for data in statements:
        row = by_id.loc[data.customer_id]
        views.append(
            statement_view(data, row, company, mailer.formatter_for(str(row["Language"]), "en"), False)
        )
    t0 = time.perf_counter()  # first, so that it includes finding and cutting the fonts
    pdfs = statement_pdfs(views, "")
    t_pdfs = time.perf_counter() - t0
    t0 = time.perf_counter()
    statement_pdfs(views, "", processes=1)  # the fonts are cut by now: the documents alone
    t_pdfs_one = time.perf_counter() - t0

    t0 = time.perf_counter()
    composed = mailer.compose_statements(
        statements, customers, mailer.TemplateBook(), company=company, default_locale="en", pdf_font=""
    )
    t_compose = time.perf_counter() - t0
    messages = composed.messages
    texts = statement_texts(views)
    chosen = fonts_for(texts, "")  # cut already: the same files
    fonts = [chosen[label] for label in texts]
    documents = [
        Document(page_count(pdf), tuple(m.text.splitlines()), font)
        for pdf, m, font in zip(pdfs, messages, fonts, strict=True)
    ]
    t_pdf_floor = pdf_floor(documents)
    t_helvetica_floor = pdf_floor([replace(d, font=HELVETICA) for d in documents])
    chinese = [i for i, font in enumerate(fonts) if font.path is not None]
    t0 = time.perf_counter()
    for i in chinese:
        statement_pdf(views[i], fonts[i])
    t_chinese = time.perf_counter() - t0
    t_chinese_floor = pdf_floor([documents[i] for i in chinese])

    with tempfile.TemporaryDirectory() as folder:
        outbox = Path(folder) / "outbox"
        journal = mailer.Journal(mailer.journal_path(Path(folder) / "Book.xlsx"))
        t0 = time.perf_counter()
        delivery = mailer.deliver(
            messages, mailer.OutboxTransport(outbox), journal, done=set(), sender=SENDER
        )
        t_mail = time.perf_counter() - t0
        assert len(delivery.delivered) == len(messages), delivery.failed
        mails = [
            Mail(
                (
                    ("Message-ID", f"<{m.key}@beispiel.example>"),
                    ("Date", "Mon, 30 Nov 2026 18:00:00 +0100"),
                    ("From", SENDER),
                    ("To", ", ".join(f'"{m.customer_name}" <{a}>' for a in m.to)),
                    ("Subject", m.subject),
                ),
                m.text,
                m.html,
                tuple((name, "application/pdf", data) for name, data in m.attachments),
            )
            for m in messages
        ]
        t_mail_floor = eml_floor(mails, Path(folder) / "floor")

    pages = sum(d.pages for d in documents)
    lines = sum(len(s.open_items) + len(s.activity) for s in statements)
    print(
        f"statements: {len(statements)} ({lines} lines; {len(messages)} messages, {pages} pages, "
        f"PDFs {sum(map(len, pdfs)) / 1e6:.1f} MB)"
    )
    print(f"select (ledger + build_statements): {t_select:7.2f} s")
    print(f"compose (views, wording, PDFs)    : {t_compose:7.2f} s")
    ratio, ratio_one = t_pdfs / t_pdf_floor, t_pdfs_one / t_pdf_floor
    print(
        f"pdfs as compose renders them, fonts cut: {t_pdfs:7.2f} s = {ratio:.1f}x the floor; "
        f"{_verdict(ratio, PDF_TARGET)} ({t_pdfs / t_helvetica_floor:.1f}x Helvetica throughout)"
    )
    print(
        f"pdfs in one process, fonts ready  : {t_pdfs_one:7.2f} s = {ratio_one:.1f}x the floor "
        f"({t_pdfs_one / t_helvetica_floor:.1f}x Helvetica throughout)"
    )
    print(f"floor: fpdf2, same pages, text and fonts: {t_pdf_floor:7.2f} s")
    print(f"floor: fpdf2 + Helvetica throughout     : {t_helvetica_floor:7.2f} s")
    if chinese:
        ratio = t_chinese / t_chinese_floor
        print(
            f"chinese: {len(chinese)} statements ({sum(documents[i].pages for i in chinese)} pages) in one "
            f"process, font ready: {t_chinese:7.2f} s = {ratio:.1f}x fpdf2 with the same font file "
            f"({t_chinese_floor:.2f} s); {_verdict(ratio, PDF_TARGET)}"
        )
    ratio = t_mail / t_mail_floor
    print(
        f"mail: build, write .eml, journal   : {t_mail:7.2f} s = {ratio:.2f}x the floor; {_verdict(ratio, MAIL_TARGET)}"
    )
    print(f"floor: stdlib EmailMessage, same parts, written: {t_mail_floor:7.2f} s")


if __name__ == "__main__":
    main()
