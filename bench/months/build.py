"""Build a company-month in one national style, and write it where arbook can work on it.

    month = build_month("de", seed=1, credits=600)
    files = write_month(month, Path("/tmp/de-1"))   # Book.xlsx, the bank file(s), truth.csv

The workbook is made the documented way, `arbook new` with its tables given as rows (Settings,
Customers, Invoices, earlier Allocations); BankLines stay empty for `arbook import-bank`.
Everything follows from (style, seed, sizes): the same arguments give the same files.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from arbook.new import new_workbook
from workbook.contract import table

from .china import China
from .germany import Germany
from .ledger import Ledger, build_ledger
from .model import Line
from .situations import SITUATIONS, plan_receipts
from .style import Style
from .usa import Usa

__all__ = ["STYLES", "Month", "MonthFiles", "build_month", "write_month"]

STYLES: dict[str, type[Style]] = {"cn": China, "us": Usa, "de": Germany}
DEFAULT_START = dt.date(2026, 3, 1)
_PAYS = {s.name: s.pays for s in SITUATIONS}


@dataclass
class Month:
    style: Style
    seed: int
    ledger: Ledger
    lines: list[Line]  # credits and debits in statement order

    @property
    def as_of(self) -> dt.date:
        return self.ledger.end

    @property
    def credits(self) -> list[Line]:
        return [line for line in self.lines if line.receipt is not None]

    def settings_frame(self) -> pd.DataFrame:
        rows = self.style.settings().items()
        return pd.DataFrame({"Key": [k for k, _ in rows], "Value": [v for _, v in rows]})

    def customers_frame(self) -> pd.DataFrame:
        """Customers as the contract has them. Group and discount terms are written only once the
        contract has a column for them (Group, DiscountTerms); until then they live in the truth."""
        known = {c.name for c in table("Customers").columns}
        rows = []
        for c in self.ledger.customers:
            row: dict[str, object] = {
                "CustomerID": c.id,
                "Name": c.name,
                "Email": c.email,
                "Language": c.language,
                "Currency": c.currency,
                "PaymentTermsDays": c.terms_days,
                "CreditLimit": c.credit_limit,
                "Aliases": c.bank_name if c.alias_known else "",
                "Segment": c.segment,
                "Address": c.address,
                "Group": c.group,
                "DiscountTerms": f"{c.discount[0]}/{c.discount[1]} net {c.terms_days}" if c.discount else "",
            }
            rows.append({k: v for k, v in row.items() if k in known})
        frame = pd.DataFrame(rows)
        for money in ("PaymentTermsDays", "CreditLimit"):
            frame[money] = frame[money].astype("Int64")
        return frame

    def invoices_frame(self) -> pd.DataFrame:
        items = sorted(self.ledger.invoices, key=lambda i: (i.date, i.number))
        return pd.DataFrame(
            {
                "InvoiceNo": [i.number for i in items],
                "CustomerID": [i.customer.id for i in items],
                "InvoiceDate": pd.to_datetime([i.date for i in items]),
                "DueDate": pd.to_datetime([i.due for i in items]),
                "Currency": [i.currency for i in items],
                "Amount": pd.array([i.amount for i in items], dtype="Int64"),
                "Reference": [i.reference for i in items],
            }
        )

    def rates_frame(self) -> pd.DataFrame:
        """The company's Rates table: each foreign currency's rate (units per unit of the base
        currency, as the ECB publishes them) on every business day of the month. The style pays
        foreign invoices at its one rate, so the table holds that rate."""
        foreign = sorted({i.currency for i in self.ledger.invoices} - {self.style.base_currency})
        days = self.ledger.days()
        return pd.DataFrame(
            {
                "Date": pd.to_datetime([d for _ in foreign for d in days]),
                "Currency": [c for c in foreign for _ in days],
                "Rate": [round(1 / self.style.rate(c), 6) for c in foreign for _ in days],
            }
        )

    def allocations_frame(self) -> pd.DataFrame:
        prior = sorted(self.ledger.prior, key=lambda a: (a.date, a.line_id))
        return pd.DataFrame(
            {
                "AllocationID": [f"A{n:07d}" for n in range(1, len(prior) + 1)],
                "LineID": [a.line_id for a in prior],
                "InvoiceNo": [a.invoice.number for a in prior],
                "CustomerID": [a.invoice.customer.id for a in prior],
                "Amount": pd.array([a.amount for a in prior], dtype="Int64"),
                "PaymentDate": pd.to_datetime([a.date for a in prior]),
                "Kind": ["payment"] * len(prior),
                "Method": ["manual"] * len(prior),
                "PostedAt": pd.to_datetime([dt.datetime.combine(a.date, dt.time(17, 0)) for a in prior]),
            }
        )

    def truth_frame(self) -> pd.DataFrame:
        """One row per truth part of every credit: BankRef names the line (unique in the month)."""
        rows = []
        for line in self.credits:
            receipt = line.receipt
            assert receipt is not None
            for part in receipt.parts:
                rows.append(
                    {
                        "Style": self.style.code,
                        "Seed": self.seed,
                        "BankRef": line.bank_ref,
                        "Date": line.date.isoformat(),
                        "LineAmount": line.amount,
                        "Currency": line.currency,
                        "Payer": line.payer,
                        "Memo": line.memo,
                        "Situation": receipt.situation,
                        "Pays": _PAYS[receipt.situation],
                        "Kind": part.kind,
                        "InvoiceNo": part.invoice.number if part.invoice else "",
                        "InvoiceCurrency": part.invoice.currency if part.invoice else "",
                        "CustomerID": part.customer.id if part.customer else "",
                        "Amount": part.amount,
                    }
                )
        frame = pd.DataFrame(rows)
        for money in ("LineAmount", "Amount"):
            frame[money] = frame[money].astype("Int64")
        return frame


@dataclass
class MonthFiles:
    workbook: Path
    bank_files: list[Path]
    truth: Path


def build_month(
    style: str,
    seed: int,
    *,
    credits: int = 600,
    debits: int | None = None,
    customers: int | None = None,
    start: dt.date = DEFAULT_START,
    history_months: int = 4,
) -> Month:
    """A month of `credits` receipts (and about 0.4 as many debits) for a company of style `style`."""
    maker = STYLES[style]()
    rng = random.Random(f"arbook-months/{style}/{seed}")
    count = customers or (max(40, credits // 3) if credits <= 6000 else credits // 5)
    ledger = build_ledger(
        maker, rng, start=start, credits=credits, customers=count, history_months=history_months
    )
    receipts = plan_receipts(maker, rng, ledger, credits)
    maker.number_invoices(ledger.invoices, rng)
    words = random.Random(f"arbook-months/{style}/{seed}/words")
    lines = []
    for receipt in receipts:
        payer, memo, channel = maker.render(receipt, words)
        lines.append(Line(receipt.date, receipt.amount, receipt.currency, payer, memo, "", channel, receipt))
    days = ledger.days()
    for _ in range(round(credits * 0.4) if debits is None else debits):
        payee, memo, cents, channel = maker.debit(words)
        lines.append(Line(words.choice(days), -cents, maker.base_currency, payee, memo, "", channel))
    words.shuffle(lines)
    lines.sort(key=lambda line: line.date)
    for serial, line in enumerate(lines, start=1):
        line.bank_ref = maker.bank_ref(line.date, serial)
    return Month(maker, seed, ledger, lines)


def write_month(month: Month, folder: Path) -> MonthFiles:
    """Book.xlsx (through `arbook new`), the bank file(s) and truth.csv in `folder` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    book = folder / "Book.xlsx"
    new_workbook(
        book,
        rows={
            "Settings": month.settings_frame(),
            "Customers": month.customers_frame(),
            "Invoices": month.invoices_frame(),
            "Allocations": month.allocations_frame(),
            "Rates": month.rates_frame(),
        },
    )
    written = []
    for name, data in month.style.bank_files(month.lines, month.ledger.start, month.ledger.end).items():
        path = folder / name
        path.write_bytes(data)
        written.append(path)
    truth = folder / "truth.csv"
    frame = month.truth_frame()
    for money in ("LineAmount", "Amount"):
        frame[money] = [str(Decimal(int(c)).scaleb(-2)) for c in frame[money]]
    frame.to_csv(truth, index=False, encoding="utf-8")
    return MonthFiles(book, written, truth)
