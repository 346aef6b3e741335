"""A deterministic, realistic and messy company, with the ground truth of its bank month.

`generate(seed)` builds customers in seven countries, six months of invoices, credit
notes and orders, the payments already posted before the month being closed (the
`Allocations` history that aging, credit and days-late need), and the bank lines of that
month: customer receipts in every situation docs/contract.md lists ("What a right match is"),
plus money that is not a receipt at all. `truth` says, for every bank line, which invoices it
really pays and how; the matcher's quality benchmark trusts it, so it is built together with
the lines, never inferred from them.

Ground truth (`SampleCompany.truth`), one row per (line, invoice) like `Allocations`:
  Kind payment    cash applied to InvoiceNo (negative on a credit note netted in the payment)
  Kind fee        bank fee deducted by the payer's bank: settles InvoiceNo without cash
  Kind discount   early-payment discount taken: settles InvoiceNo without cash
  Kind unapplied  the overpaid rest, for CustomerID, no InvoiceNo
  Kind none       the line pays nothing (noise, debit, duplicate import); Amount 0
For a receipt, the payment and unapplied rows sum exactly to the line's Amount; fee and
discount rows are the non-cash part that closes the invoice (the `Allocations` convention:
OpenAmount = Amount - payments - fees - discounts). `Situation` names what makes the line
hard (see SITUATIONS); every row of a line carries the same Situation.

Duplicates: a `duplicate` line repeats an earlier line's account, date, amount, payer and
bank reference but arrives in another file (the main account's CSV export) whose memo
carries the raw SEPA fields, so it has its own LineID; a byte-identical copy would get
the same LineID and be skipped at import, never reaching the matcher.

Bank lines carry exactly what the statement files say (`write_bank_files`): lines on an
MT940 account are in the SWIFT character set (Müller -> Mueller, 货款 -> HuoKuan), so the
frame equals what arbook's importer reads back, LineIDs included.

Speed: everything sized by the number of invoices is vectorised with numpy; Python loops
run over customers and over the month's bank lines only (200,000 invoices with 100,000
bank lines: about 8 s of CPU).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sample_data import history, month, receipts
from sample_data.company import company_settings
from sample_data.frames import conform
from sample_data.names import COUNTRIES, Identity, make_identity

__all__ = ["DEFAULT_AS_OF", "SITUATIONS", "SampleCompany", "generate"]

DEFAULT_AS_OF = dt.date(2026, 10, 31)

SITUATIONS = receipts.SITUATIONS


@dataclass
class SampleCompany:
    """The frames of one generated company; columns follow workbook/contract.py."""

    customers: pd.DataFrame
    invoices: pd.DataFrame
    orders: pd.DataFrame
    allocations: pd.DataFrame
    bank_lines: pd.DataFrame
    truth: pd.DataFrame
    settings: dict[str, object] = field(default_factory=dict)
    as_of: dt.date = DEFAULT_AS_OF  # the month being closed runs from its first day to this one


@dataclass
class Ledger:
    """Invoice register as numpy arrays (index = row of `invoices`), shared by the builders."""

    number: np.ndarray  # str
    customer: np.ndarray  # int index into customers
    currency: np.ndarray  # str
    date: np.ndarray  # datetime64[D]
    due: np.ndarray  # datetime64[D]
    amount: np.ndarray  # int64 cents, negative for credit notes
    reference: np.ndarray  # str, customer PO ("" when none)
    related: np.ndarray  # credit note -> invoice it credits (-1 for invoices)
    natural_pay: np.ndarray  # datetime64[D]: when this customer would pay it
    identities: list[Identity]
    customer_ids: np.ndarray  # str
    aliases: np.ndarray  # str

    @property
    def is_credit(self) -> np.ndarray:
        return self.amount < 0


def generate(
    seed: int = 1,
    *,
    customers: int = 60,
    invoices: int | None = None,
    bank_lines: int | None = None,
    months: int = 6,
    as_of: dt.date = DEFAULT_AS_OF,
) -> SampleCompany:
    """Build the whole sample company; the same arguments always give identical frames.

    `invoices` defaults to 10 per customer, `bank_lines` to a quarter of the invoices
    (at least 60). The month being closed is `as_of`'s month; invoices span `months`
    months ending on `as_of`.
    """
    if customers < 7 or months < 2:
        raise ValueError("generate needs at least 7 customers (one per country) and 2 months")
    n_invoices = invoices if invoices is not None else customers * 10
    n_lines = bank_lines if bank_lines is not None else max(60, n_invoices // 4)
    if n_invoices < customers:
        raise ValueError(f"invoices ({n_invoices}) must be at least the number of customers ({customers})")
    rng = np.random.default_rng(seed)
    identities = _identities(customers, rng)
    ledger, customers_frame = _customers_and_invoices(identities, n_invoices, months, as_of, rng)
    plan = receipts.plan_receipts(ledger, n_lines, as_of, rng)
    allocations, open_after = history.build(ledger, plan, as_of, rng)
    lines, truth = month.finish(ledger, plan, open_after, n_lines, as_of, rng)
    invoices_frame = _invoice_frame(ledger, open_after, as_of, rng)
    return SampleCompany(
        customers=customers_frame,
        invoices=invoices_frame,
        orders=_orders(ledger, months, as_of, rng),
        allocations=allocations,
        bank_lines=lines,
        truth=truth,
        settings=company_settings(),
        as_of=as_of,
    )


def _identities(n: int, rng: np.random.Generator) -> list[Identity]:
    weights = np.array([c.weight for c in COUNTRIES])
    country = rng.choice(len(COUNTRIES), size=n, p=weights / weights.sum())
    country[: len(COUNTRIES)] = np.arange(len(COUNTRIES))  # every country at least once
    rng.shuffle(country)
    py = random.Random(int(rng.integers(2**62)))  # per-customer choices: far cheaper than numpy's
    taken: set[str] = set()  # names stay unique, so a name alone never points at two customers
    return [make_identity(COUNTRIES[c], py, taken) for c in country]


def _business_days(start: np.datetime64, end: np.datetime64) -> np.ndarray:
    days = np.arange(start, end + np.timedelta64(1, "D"), dtype="datetime64[D]")
    busy = days[np.is_busday(days)]
    return busy if len(busy) else days


def window_start(as_of: dt.date, months: int) -> np.datetime64:
    first = np.datetime64(as_of, "M") - np.timedelta64(months - 1, "M")
    return first.astype("datetime64[D]")


def _customers_and_invoices(
    identities: list[Identity], n_invoices: int, months: int, as_of: dt.date, rng: np.random.Generator
) -> tuple[Ledger, pd.DataFrame]:
    n_cust = len(identities)
    ids = (10001 + np.cumsum(rng.integers(1, 4, size=n_cust)) - 1).astype(str)
    country = np.array([i.country for i in identities])
    terms = np.array([i.terms for i in identities])
    currency = np.array([i.currency for i in identities])
    weight = rng.lognormal(0.0, 1.0, size=n_cust)
    base = np.round(rng.lognormal(7.4, 0.8, size=n_cust) * 100).astype(np.int64)  # typical invoice, cents
    recurring = np.round(base * rng.uniform(0.2, 0.6, size=n_cust) / 1000).astype(np.int64) * 1000
    lateness = np.where(country == "CN", 18, 6) + rng.gamma(1.5, 6.0, size=n_cust).round().astype(int)
    lateness[rng.random(n_cust) < 0.25] -= 8  # good payers pay before the due date

    start = window_start(as_of, months)
    end = np.datetime64(as_of, "D")
    days = _business_days(start, end)
    n_credit = min(round(n_invoices * 0.03), n_invoices - n_cust)  # every customer has an invoice
    n_pos = n_invoices - n_credit
    customer = np.concatenate(
        [np.arange(n_cust), rng.choice(n_cust, size=n_pos - n_cust, p=weight / weight.sum())]
    )
    inv_date = days[rng.integers(len(days), size=n_pos)]
    amount = np.round(base[customer] * rng.lognormal(0.0, 0.7, size=n_pos)).astype(np.int64)
    whole = rng.random(n_pos) < 0.15
    amount[whole] = np.round(amount[whole], -3)
    use_recurring = rng.random(n_pos) < 0.08
    amount[use_recurring] = recurring[customer[use_recurring]]
    amount = np.clip(amount, 5000, 40_000_000)

    related = rng.choice(n_pos, size=n_credit, replace=False)
    fraction = np.where(rng.random(n_credit) < 0.15, 1.0, rng.uniform(0.05, 0.3, size=n_credit))
    cn_amount = -np.maximum(1000, np.round(amount[related] * fraction)).astype(np.int64)
    cn_date = np.busday_offset(inv_date[related], rng.integers(2, 30, size=n_credit), roll="forward")
    cn_date = np.minimum(cn_date, days[-1])

    all_customer = np.concatenate([customer, customer[related]])
    all_date = np.concatenate([inv_date, cn_date])
    all_amount = np.concatenate([amount, cn_amount])
    all_related = np.concatenate([np.full(n_pos, -1), related])
    order = np.lexsort((rng.random(n_invoices), all_date))
    rank = np.empty(n_invoices, dtype=np.int64)
    rank[order] = np.arange(n_invoices)
    all_customer, all_date, all_amount = all_customer[order], all_date[order], all_amount[order]
    all_related = all_related[order]
    credit = all_amount < 0
    all_related[credit] = rank[all_related[credit]]

    number = _numbers(all_date, credit, start)
    due = all_date + terms[all_customer].astype("timedelta64[D]")
    natural = due + (lateness[all_customer] + rng.normal(0, 4, size=n_invoices).round().astype(int)).astype(
        "timedelta64[D]"
    )
    natural = np.maximum(natural, all_date + np.timedelta64(1, "D"))
    reference = _purchase_orders(country[all_customer], rng)

    aliases = _aliases(identities, rng)
    ledger = Ledger(
        number=number,
        customer=all_customer,
        currency=currency[all_customer],
        date=all_date,
        due=due,
        amount=all_amount,
        reference=reference,
        related=all_related,
        natural_pay=natural,
        identities=identities,
        customer_ids=ids,
        aliases=aliases,
    )
    monthly = np.bincount(all_customer, weights=np.maximum(all_amount, 0), minlength=n_cust) / months
    return ledger, _customer_frame(identities, ids, monthly, aliases, rng)


def _numbers(date: np.ndarray, credit: np.ndarray, start: np.datetime64) -> np.ndarray:
    """Invoice numbers by year, continuing the year's sequence from before the window."""
    year = date.astype("datetime64[Y]").astype(int) + 1970
    frame = pd.DataFrame({"year": year, "credit": credit})
    seq = frame.groupby(["year", "credit"]).cumcount().to_numpy() + 1
    for (y, _credit), rows in frame.groupby(["year", "credit"]).groups.items():
        jan1 = np.datetime64(f"{y}-01-01")
        first = max(jan1, start)
        span = (
            (np.datetime64(f"{y}-12-31") if y < year.max() else date.max()) - first + np.timedelta64(1, "D")
        )
        before = (first - jan1).astype(int)
        seq[rows] += int(len(rows) / max(span.astype(int), 1) * before)
    width_inv = max(5, len(str(seq[~credit].max())) if (~credit).any() else 5)
    width_cn = max(4, len(str(seq[credit].max())) if credit.any() else 4)
    prefix = np.where(credit, "CN-", "INV-")
    digits = pd.Series(seq.astype(str))
    padded = np.where(credit, digits.str.zfill(width_cn), digits.str.zfill(width_inv))
    return (pd.Series(prefix) + pd.Series(year.astype(str)) + "-" + pd.Series(padded)).to_numpy(dtype=object)


def _purchase_orders(country: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(country)
    digits = pd.Series(rng.integers(100000, 999999, size=n).astype(str))
    sap = "4500" + digits
    generic = "PO-" + digits.str[:5]
    chinese = "PO2026" + digits.str[:4]
    po = np.where(country == "DE", sap, np.where(country == "CN", chinese, generic))
    return np.where(rng.random(n) < 0.55, po, "").astype(object)


def _aliases(identities: list[Identity], rng: np.random.Generator) -> np.ndarray:
    """Learned payer names (mostly empty): a parent that paid before, or a bank's spelling."""
    out = np.full(len(identities), "", dtype=object)
    chosen = np.flatnonzero(rng.random(len(identities)) < 0.08)
    parents = pd.Series([i.parent for i in identities]).value_counts()
    for i in chosen:
        ident = identities[i]
        names = [ident.parent] if rng.random() < 0.5 and parents[ident.parent] == 1 else []
        names.append(ident.variants.get("payer_typo", ident.bank_name).upper())
        out[i] = ";".join(names)
    return out


def _customer_frame(
    identities: list[Identity],
    ids: np.ndarray,
    monthly: np.ndarray,
    aliases: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    n = len(identities)
    limit = (np.ceil(monthly * rng.uniform(1.2, 3.5, size=n) / 500000) * 500000).astype(np.int64)
    limit = pd.array(np.maximum(limit, 500000), dtype="Int64")
    limit[rng.random(n) < 0.05] = pd.NA
    email = np.array([i.email for i in identities], dtype=object)
    email[rng.random(n) < 0.08] = ""
    purchasing = {"de": "einkauf", "fr": "achats", "en": "purchasing", "zh": "purchase"}
    cc = np.array([f"{purchasing[i.language]}@{i.email.split('@')[1]}" for i in identities], dtype=object)
    cc[(rng.random(n) >= 0.15) | (email == "")] = ""
    segments = np.array(["Key account", "SME", "Distributor", "OEM"], dtype=object)
    frame = pd.DataFrame(
        {
            "CustomerID": ids.astype(object),
            "Name": [i.name for i in identities],
            "Email": email,
            "CC": cc,
            "Language": [i.language for i in identities],
            "Currency": [i.currency for i in identities],
            "PaymentTermsDays": pd.array([i.terms for i in identities], dtype="Int64"),
            "CreditLimit": limit,
            "Aliases": aliases,
            "DunningBlocked": rng.random(n) < 0.04,
            "Segment": segments[rng.choice(4, size=n, p=[0.15, 0.5, 0.2, 0.15])],
            "Address": [i.address for i in identities],
            "ContactName": [i.contact for i in identities],
        }
    )
    return conform(frame, "Customers")


def _invoice_frame(
    ledger: Ledger, open_after: np.ndarray, as_of: dt.date, rng: np.random.Generator
) -> pd.DataFrame:
    """The register as the user keeps it: computed columns empty, a few due dates left blank."""
    n = len(ledger.number)
    due = ledger.due.astype("datetime64[ns]")
    blank_due = rng.random(n) < 0.03
    due = np.where(blank_due, np.datetime64("NaT"), due)
    open_inv = (open_after > 0) & ~ledger.is_credit
    end = np.datetime64(as_of, "D")
    disputed = open_inv & (rng.random(n) < 0.03)
    notes = {
        "de": ("Ware beschädigt geliefert", "Preisdifferenz zum Angebot", "Lieferung unvollständig"),
        "fr": ("Marchandise endommagée", "Écart de prix", "Livraison incomplète"),
        "en": ("Goods damaged in transit", "Price differs from quote", "Short shipment"),
        "zh": ("质量问题，待确认", "价格与报价不符", "数量短缺"),
    }
    language = np.array([ledger.identities[c].language for c in ledger.customer[disputed]], dtype=object)
    note = np.full(n, "", dtype=object)
    pick = rng.integers(3, size=int(disputed.sum()))
    note[disputed] = [notes[lang][k] for lang, k in zip(language, pick, strict=True)]
    note[disputed & (rng.random(n) < 0.2)] = ""  # disputed, nobody wrote why
    overdue = open_inv & (ledger.due < end) & ~disputed
    promised = overdue & (rng.random(n) < 0.08)
    promise = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    promise[promised] = end + rng.integers(-10, 22, size=int(promised.sum())).astype("timedelta64[D]")
    frame = pd.DataFrame(
        {
            "InvoiceNo": ledger.number,
            "CustomerID": ledger.customer_ids[ledger.customer].astype(object),
            "InvoiceDate": ledger.date.astype("datetime64[ns]"),
            "DueDate": due,
            "Currency": ledger.currency.astype(object),
            "Amount": pd.array(ledger.amount, dtype="Int64"),
            "Reference": ledger.reference,
            "Disputed": disputed,
            "DisputeNote": note,
            "PromiseDate": promise.astype("datetime64[ns]"),
        }
    )
    return conform(frame, "Invoices")


def _orders(ledger: Ledger, months: int, as_of: dt.date, rng: np.random.Generator) -> pd.DataFrame:
    n = max(10, len(ledger.number) // 4)
    start, end = window_start(as_of, months), np.datetime64(as_of, "D")
    days = _business_days(start, end)
    date = np.sort(days[rng.integers(len(days), size=n)])
    positive = np.flatnonzero(~ledger.is_credit)
    like = positive[rng.integers(len(positive), size=n)]
    recent = date >= end - np.timedelta64(30, "D")
    u = rng.random(n)
    status = np.where(
        recent,
        np.where(u < 0.6, "Open", np.where(u < 0.9, "Invoiced", "Cancelled")),
        np.where(u < 0.85, "Invoiced", np.where(u < 0.95, "Cancelled", "Open")),
    )
    year = pd.Series((date.astype("datetime64[Y]").astype(int) + 1970).astype(str))
    seq = pd.Series(pd.Series(year).groupby(year).cumcount() + 1).astype(str).str.zfill(5)
    frame = pd.DataFrame(
        {
            "OrderNo": ("SO-" + year + "-" + seq).to_numpy(dtype=object),
            "CustomerID": ledger.customer_ids[ledger.customer[like]].astype(object),
            "OrderDate": date.astype("datetime64[ns]"),
            "Amount": pd.array(
                np.round(ledger.amount[like] * rng.uniform(0.6, 1.6, size=n), -2).astype(np.int64),
                dtype="Int64",
            ),
            "Status": status.astype(object),
        }
    )
    return conform(frame, "Orders")
