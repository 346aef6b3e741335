"""How long 1,000 statements of account take to render, PDF included, against the HTML alone.

    .venv/bin/python -m bench.statements_speed [--customers 1000] [--invoices-each 12]

Generates a ledger (customers in German, English, French and Chinese, a year of invoices,
payments and credit notes), then times, in the same run:
  select     mailer.build_statements: balances, activity, open items and aging per customer;
  html       the baseline: each statement's view, its HTML block and the team's template
             (subject, HTML body, plain-text alternative) — everything but the PDF;
  full       mailer.compose_statements: the same plus the font choice and one PDF each.
Prints seconds per stage, the ratio full/html, and whether the target (full under 60 s) was met.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import numpy as np
import pandas as pd

import mailer
from mailer.blocks import STATEMENT_BLOCK
from mailer.compose import statement_view
from mailer.templates import render_block
from receivables import aged_items, bucket_labels, open_items

AS_OF = date(2026, 11, 30)
LIMITS = (30, 60, 90, 120)
TARGET_SECONDS = 60.0
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
        "ar@beispiel.example",
        "IBAN DE89 3704 0044 0532 0130 00\nBIC COBADEFFXXX",
    )
    templates = mailer.TemplateBook()

    t0 = time.perf_counter()
    items = aged_items(
        open_items(invoices, allocations, as_of=AS_OF, customers=customers),
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

    t0 = time.perf_counter()
    by_id = customers.set_index("CustomerID", drop=False)
    for data in statements:
        row = by_id.loc[data.customer_id]
        fmt = mailer.formatter_for(str(row["Language"]), "en")
        view = statement_view(data, row, company, fmt, False)
        view["statement"] = render_block(STATEMENT_BLOCK, view)
        templates.render("statement", fmt.language, view)
    t_html = time.perf_counter() - t0

    t0 = time.perf_counter()
    composed = mailer.compose_statements(
        statements, customers, templates, company=company, default_locale="en", pdf_font=""
    )
    t_full = time.perf_counter() - t0

    pdf_bytes = sum(len(m.attachments[0][1]) for m in composed.messages)
    lines = sum(len(s.open_items) + len(s.activity) for s in statements)
    print(
        f"statements: {len(statements)} ({lines} lines; {len(composed.messages)} messages, "
        f"PDFs {pdf_bytes / 1e6:.1f} MB)"
    )
    print(f"select (ledger + build_statements): {t_select:7.2f} s")
    print(f"html only (baseline)              : {t_html:7.2f} s")
    print(
        f"full: html + text + PDF           : {t_full:7.2f} s  = {t_full / t_html:.1f} x the HTML alone, "
        f"{t_full / max(len(statements), 1) * 1000:.0f} ms per statement"
    )
    verdict = "met" if t_full < TARGET_SECONDS else "MISSED"
    print(f"target: full under {TARGET_SECONDS:.0f} s for {len(statements)} statements: {verdict}")


if __name__ == "__main__":
    main()
