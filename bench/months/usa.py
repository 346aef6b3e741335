"""A US distributor's month: ACH, wires and lockbox checks, PO-only remittances, 2/10 net 30.

The statement shows the payer as each channel does: an ACH credit carries the originator's
company name, 16 characters in upper case ("SUMMIT INDUSTRIA"), inside a Chase-like
description full of IDs and trace numbers, with CCD+/CTX remittance (RMR*IV*...*...\\) or
free text; a wire carries the originator name cut at 35; a lockbox check the name keyed at
22. Many customers remit against their purchase order only ("PO# 4500012345"); a quarter
are on 2/10 net 30 and write "LESS 2% DISC"; a check often pays a list of invoices.
Non-receipt money: Stripe, Square, PayPal and Adyen payouts (the web store), IRS refunds,
line-of-credit advances, interest, insurance claims, deposits back, vendor refunds and
rebates. The bank file is a CSV export with Posting Date, Payer Name, Description, Debit,
Credit and Bank Reference, dates as MM/DD/YYYY.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
from typing import ClassVar

from .model import Customer, Line, Receipt
from .style import Debit, Style

__all__ = ["Usa"]

_WORDS = [
    "Summit",
    "Pioneer",
    "Liberty",
    "Atlas",
    "Keystone",
    "Cascade",
    "Redwood",
    "Granite",
    "Harbor",
    "Meridian",
    "Sterling",
    "Lakeshore",
    "Bluewater",
    "Northstar",
    "Ironwood",
    "Silverline",
    "Eagle",
    "Prairie",
    "Heritage",
    "Frontier",
    "Coastal",
    "Evergreen",
    "Patriot",
    "Allied",
    "Sunbelt",
    "Tri-State",
    "Midwest",
    "Pacific",
    "Apex",
    "Pinnacle",
]
_SURNAMES = [
    "Johnson",
    "Miller",
    "Anderson",
    "Thompson",
    "Garcia",
    "Martinez",
    "Robinson",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Hill",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Carter",
    "Mitchell",
    "Roberts",
    "Turner",
    "Phillips",
    "Campbell",
    "Parker",
    "Evans",
]
_INDUSTRIES = (
    "Manufacturing",
    "Supply",
    "Industrial Supply",
    "Distribution",
    "Foods",
    "Logistics",
    "Electric",
    "Plumbing",
    "Medical Supply",
    "Construction",
    "Packaging",
    "Auto Parts",
    "Hardware",
    "Technologies",
    "Machine Works",
    "Tool & Die",
)
_SUFFIXES = ("Inc.", "Inc.", "LLC", "LLC", "Corp.", "Co.", "Company", "Incorporated")
_STATES = ("Texas", "Ohio", "Georgia", "Illinois", "Florida", "Arizona")
_FOREIGN = (
    ("Maple Leaf Distributors Ltd.", "CAD", "en"),
    ("Northern Star Supply ULC", "CAD", "en"),
    ("Hoffmann Industrietechnik GmbH", "EUR", "de"),
    ("Laurentian Hardware Inc.", "CAD", "en"),
)
_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_PUNCT = re.compile(r"[.,']")


def _money(cents: int) -> str:
    return f"{cents // 100:,}.{cents % 100:02d}"


def ach_name(name: str, width: int = 16) -> str:
    """A company name as an ACH file carries it: upper case, no punctuation, cut at `width`."""
    return " ".join(_PUNCT.sub("", name).upper().split())[:width].strip()


class Usa(Style):
    code = "us"
    company_name = "Keystone Fastener & Supply Inc."
    company_address = "2150 Industrial Pkwy, Columbus, OH 43219"
    base_currency = "USD"
    language = "en"
    date_order = "mdy"
    fee_tolerance = "50.00"
    po_share = 0.35
    discount_share = 0.25
    discount_terms = ((2, 10), (2, 10), (1, 10))
    typical_lateness = 8
    fixed_fees = (499_00, 1_250_00)
    fixed_fee_segment = "Service plan"
    coarse_step = 100_00
    account = "000004417882"
    rates: ClassVar[dict[str, float]] = {"CAD": 0.73, "EUR": 1.08}

    # -- money ---------------------------------------------------------------------------
    def invoice_median(self) -> int:
        return 3_500_00

    def invoice_amount(self, rng: random.Random, scale: float) -> int:
        return round(rng.lognormvariate(0, 1.0) * 3_200 * scale**0.5 * 100)

    def bank_fee(self, rng: random.Random) -> int:
        return rng.choice((10_00, 15_00, 20_00, 25_00, 30_00, 45_00))

    # whole units: lowest, highest, rounded to (1: with cents)
    other_ranges: ClassVar[dict[str, tuple[int, int, int]]] = {
        "rebate": (500, 30_000, 1),
        "refund": (50, 12_000, 1),
        "interest": (2, 900, 1),
        "loan": (25_000, 500_000, 5_000),
        "deposit": (1_000, 20_000, 100),
        "insurance": (500, 60_000, 1),
        "tax_refund": (300, 80_000, 1),
        "psp_payout": (100, 15_000, 1),
        "own_transfer": (10_000, 250_000, 5_000),
    }

    # -- customers -----------------------------------------------------------------------
    def customer_id(self, i: int) -> str:
        return f"C{10001 + i}"

    def customer_name(self, rng: random.Random, taken: set[str]) -> str:
        while True:
            word, surname = rng.choice(_WORDS), rng.choice(_SURNAMES)
            industry, suffix = rng.choice(_INDUSTRIES), rng.choice(_SUFFIXES)
            name = rng.choice(
                (
                    f"{word} {industry} {suffix}",
                    f"{surname} {industry} {suffix}",
                    f"{word} {industry} {suffix}",
                    f"{surname} & Sons {industry} {suffix}",
                    f"{surname} Brothers {industry}, {suffix}",
                )
            )
            if name not in taken:
                return name

    def twin_name(self, rng: random.Random, name: str, taken: set[str]) -> str:
        suffix = next((s for s in _SUFFIXES if name.endswith(s)), "")
        stem = name[: len(name) - len(suffix)].rstrip(", ")
        other = rng.choice([s for s in _SUFFIXES if s != suffix])
        variants = [
            f"{stem} {other}",
            f"{stem} of {rng.choice(_STATES)} {suffix}".strip(),
            name.replace("son ", "sen ", 1),
        ]
        fresh = [v for v in variants if v != name and v not in taken]
        return rng.choice(fresh) if fresh else self.customer_name(rng, taken)

    def foreign_customer(self, rng: random.Random, taken: set[str]) -> tuple[str, str, str]:
        fresh = [f for f in _FOREIGN if f[0] not in taken]
        return rng.choice(fresh) if fresh else (self.customer_name(rng, taken), "USD", "en")

    def group_names(self, rng: random.Random, g: int) -> tuple[str, list[str]]:
        word, industry = rng.choice(_WORDS), rng.choice(_INDUSTRIES)
        members = [f"{word} {industry} of {state} LLC" for state in rng.sample(_STATES, 3)]
        payer = f"{word} Holdings Inc." if g % 2 else f"{word} Shared Services LLC"
        return payer, members[: 2 + g % 2]

    def bank_name(self, rng: random.Random, customer: Customer) -> str:
        return ach_name(customer.name)

    def contact(self, rng: random.Random, customer: Customer) -> tuple[str, str]:
        word = re.sub(r"[^a-z]", "", customer.name.split()[0].lower())
        return (
            f"ap@{word}{customer.id[-3:]}.com",
            f"{rng.randint(100, 9999)} Commerce Dr, {rng.choice(_STATES)}",
        )

    def terms_days(self, rng: random.Random) -> int:
        return rng.choice((30, 30, 30, 45, 60))

    def third_party(self, rng: random.Random) -> str:
        return rng.choice(
            (
                "FIRST CAPITAL FACTORING",
                "RIVIERA FINANCE",
                "AMERICAN EXPRESS BUSINESS",
                f"{rng.choice(('JOHN R', 'MARY K', 'DAVID L'))} {rng.choice(_SURNAMES).upper()}",
            )
        )

    # -- numbers -------------------------------------------------------------------------
    def number_invoices(self, invoices: list, rng: random.Random) -> None:  # type: ignore[type-arg]
        """One running series (US companies rarely restart per year); credit memos apart."""
        serials = {False: self.first_serial(rng), True: rng.randrange(1000, 3000)}
        for invoice in sorted(invoices, key=lambda i: (i.date, i.index)):
            serials[invoice.credit_note] += 1
            invoice.number = self.invoice_number(
                invoice.date, serials[invoice.credit_note], invoice.credit_note
            )

    def first_serial(self, rng: random.Random) -> int:
        return rng.randrange(100_000, 300_000)

    def invoice_number(self, date: dt.date, serial: int, credit_note: bool) -> str:
        return f"CM-{serial}" if credit_note else f"INV-{serial}"

    def typed_forms(self, number: str) -> list[str]:
        digits = number.split("-")[1]
        return [digits, digits, f"INV{digits}", f"#{digits}", f"IN{digits}"]

    def reference(self, rng: random.Random, customer: Customer, date: dt.date) -> str:
        kind = int(customer.id[1:]) % 4
        if kind == 0:
            return f"45{rng.randrange(10**7, 10**8)}"
        if kind == 1:
            return f"PO-{rng.randrange(10_000, 99_999)}"
        if kind == 2:
            return f"P{rng.randrange(10**6, 10**7)}"
        initials = "".join(w[0] for w in customer.name.split()[:3]).upper()
        return f"{initials}{rng.randrange(100_000, 999_999)}"

    def proforma(self, rng: random.Random) -> str:
        return rng.choice((f"SO-{rng.randrange(200_000, 299_999)}", f"PF-{rng.randrange(1000, 9999)}"))

    # -- words ---------------------------------------------------------------------------
    def render(self, receipt: Receipt, rng: random.Random) -> tuple[str, str, str]:
        situation = receipt.situation
        if situation in _OTHER:
            return self._other(receipt, rng)
        customer = receipt.payer.customer
        name = customer.name if customer else receipt.payer.name
        channel = rng.choices(("ACH", "WIRE", "LOCKBOX"), (6, 2, 2))[0]
        if situation in ("bank_fee", "other_currency", "group_payment") and rng.random() < 0.7:
            channel = "WIRE"
        if situation == "several_invoices" and rng.random() < 0.5:
            channel = "LOCKBOX"
        remit = self._remittance(receipt, rng, rmr=channel == "ACH" and rng.random() < 0.5)
        day = receipt.date
        if channel == "ACH":
            payer = customer.bank_name if customer else ach_name(name)
            entry = rng.choice(("PAYMENT", "ACH PMT", "VENDOR PMT", "AP PAYMNT", "EDI PYMNTS"))
            memo = (
                f"ORIG CO NAME:{payer} ORIG ID:{rng.randrange(10**9, 10**10)} DESC DATE:{day:%y%m%d} "
                f"CO ENTRY DESCR:{entry} SEC:{'CTX' if '*' in remit else 'CCD'} TRACE#:0210000{rng.randrange(10**7, 10**8)} "
                f"EED:{day:%y%m%d} IND ID:{rng.randrange(10**5, 10**6)} IND NAME:KEYSTONE FASTENER TRN:{rng.randrange(10**9, 10**10)}TC"
            )
            memo = f"{memo} {remit}".strip()
        elif channel == "WIRE":
            payer = ach_name(name, 35)
            kind = "INTL IN" if situation in ("bank_fee", "other_currency") else "FED IN"
            memo = (
                f"WIRE TYPE:{kind} DATE:{day:%y%m%d} TIME:{rng.randrange(8, 17):02d}{rng.randrange(60):02d} ET "
                f"TRN:{day:%Y%m%d}{rng.randrange(10**5, 10**6)} ORIG:{payer} PMT DET:{remit or 'PAYMENT'}"
            )
        else:
            payer = ach_name(name, 22)
            memo = f"LOCKBOX 0456 DEPOSIT CHECK {rng.randrange(1000, 99999)} {remit}".strip()
        return payer, memo, channel

    def _remittance(self, receipt: Receipt, rng: random.Random, *, rmr: bool) -> str:
        numbers = self.cited(receipt, rng)
        situation = receipt.situation
        if receipt.cite == "period":
            period: dt.date = receipt.details["period"]  # type: ignore[assignment]
            return rng.choice(
                (f"SERVICE PLAN {_MONTHS[period.month - 1]} {period:%y}", f"MAINT FEE {period:%m/%y}")
            )
        if receipt.cite == "proforma":
            pf = receipt.details["proforma"]
            return rng.choice((f"DEPOSIT {pf}", f"PREPAYMENT PROFORMA {pf}", f"ADVANCE PMT {pf}"))
        if not numbers:
            return rng.choice(("", "", "PAYMENT", "AP PAYMENT"))
        word = {
            "reference": rng.choice(("PO", "PO#", "P.O.")),
            "typed": rng.choice(("INV", "INVOICE", "INV#", "")),
        }.get(receipt.cite, rng.choice(("", "", "PMT")))
        if rmr:  # the ANSI 820 remittance segment: type, number, paid, invoice amount, discount
            segments = []
            for part, number in zip(receipt.parts, numbers, strict=False):
                kind = "PO" if receipt.cite == "reference" else "IV"
                paid = part.amount
                gross = part.invoice.amount if part.invoice else paid
                extra = (
                    f"*{gross / 100:.2f}*{(gross - paid) / 100:.2f}"
                    if gross != paid and situation.startswith("discount")
                    else ""
                )
                segments.append(f"RMR*{kind}*{number}*{paid / 100:.2f}{extra}\\")
            return "".join(segments)
        text = f"{word} {' '.join(numbers)}".strip()
        if situation in ("discount_in_period", "discount_after_period"):
            percent, short = receipt.details["percent"], _money(int(receipt.details["short"]))  # type: ignore[call-overload]
            text = rng.choice(
                (
                    f"{text} LESS {percent}% DISC",
                    f"{text} DISC {short}",
                    f"{text} {percent}/10 NET 30 DISC TAKEN",
                    text,
                )
            )
        elif situation == "partial":
            text = rng.choice((f"PARTIAL PMT {text}", f"{text} PARTIAL", text))
        elif situation == "credit_note_netted":
            text = f"INV {numbers[0]} LESS {numbers[1]}"
        elif situation == "other_currency":
            text = f"{text} {receipt.details['foreign_currency']} {_money(int(receipt.details['foreign']))}"  # type: ignore[call-overload]
        elif situation == "third_party_payer":
            text = rng.choice((f"{text} FOR {ach_name(receipt.cites[0].customer.name, 22)}", text))
        return text

    def _other(self, receipt: Receipt, rng: random.Random) -> tuple[str, str, str]:
        payers, memos, channel = _OTHER[receipt.situation]
        pick = rng.randrange(len(payers))
        customer = receipt.payer.customer
        payer = (
            customer.bank_name
            if customer
            else payers[pick].format(
                vendor=ach_name(self.customer_name(rng, set())), surname=rng.choice(_SURNAMES).upper()
            )
        )
        day = receipt.date
        memo = (memos[pick] if receipt.situation == "psp_payout" else rng.choice(memos)).format(
            year=day.year - 1,
            q=(day.month - 1) // 3 or 4,
            doc=rng.randrange(10_000, 999_999),
            d=f"{day:%y%m%d}",
        )
        if channel == "ACH":
            memo = (
                f"ORIG CO NAME:{payer[:16]} ORIG ID:{rng.randrange(10**9, 10**10)} DESC DATE:{day:%y%m%d} "
                f"CO ENTRY DESCR:{memo[:10]} SEC:CCD TRACE#:0210000{rng.randrange(10**7, 10**8)} EED:{day:%y%m%d} "
                f"IND ID:{rng.randrange(10**5, 10**6)} IND NAME:KEYSTONE FASTENER {memo}"
            )
        return payer, memo, channel

    def debit(self, rng: random.Random) -> Debit:
        roll = rng.random()
        if roll < 0.45:
            return (
                ach_name(self.customer_name(rng, set()), 22),
                f"CHECK {rng.randrange(2000, 9999)}",
                round(rng.lognormvariate(7.5, 1.2)) * 100,
                "CHECK",
            )
        if roll < 0.6:
            return (
                "ADP PAYROLL",
                "ADP PAYROLL FEES / PAYROLL",
                rng.randrange(20_000, 180_000) * 100,
                "ACH DEBIT",
            )
        if roll < 0.75:
            return "IRS", "IRS USATAXPYMT", rng.randrange(1_000, 60_000) * 100, "ACH DEBIT"
        if roll < 0.9:
            return (
                ach_name(self.customer_name(rng, set()), 35),
                f"WIRE OUT TRN:{rng.randrange(10**9, 10**10)}",
                rng.randrange(2_000, 90_000) * 100,
                "WIRE",
            )
        return (
            "",
            rng.choice(("SERVICE CHARGE", "WIRE FEE", "ACCOUNT ANALYSIS FEE")),
            rng.randrange(15, 400) * 100,
            "FEE",
        )

    def bank_ref(self, day: dt.date, serial: int) -> str:
        return f"{day:%y%j}{serial * 104729 % 10**9:09d}"

    def bank_files(self, lines: list[Line], start: dt.date, end: dt.date) -> dict[str, bytes]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(
            [
                "Posting Date",
                "Value Date",
                "Transaction Type",
                "Payer Name",
                "Description",
                "Debit",
                "Credit",
                "Balance",
                "Bank Reference",
            ]
        )
        balance = 1_884_310_55
        for line in lines:
            balance += line.amount
            debit = _money(-line.amount) if line.amount < 0 else ""
            credit = _money(line.amount) if line.amount > 0 else ""
            kind = f"{line.channel} {'CREDIT' if line.amount > 0 else 'DEBIT'}"
            day = f"{line.date:%m/%d/%Y}"
            writer.writerow(
                [day, day, kind, line.payer, line.memo, debit, credit, _money(balance), line.bank_ref]
            )
        return {f"operating_{self.account[-4:]}_{start:%Y%m}.csv": out.getvalue().encode("utf-8")}


_OTHER: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "rebate": (
        ("{vendor}",),
        ("VOLUME REBATE Q{q} {year}", "REBATE PROGRAM {year}", "CO-OP REBATE", "REBATE CREDIT {doc}"),
        "ACH",
    ),
    "refund": (
        ("{vendor}",),
        (
            "VENDOR REFUND",
            "REFUND CREDIT MEMO {doc}",
            "RETURN CREDIT RMA {doc}",
            "OVERPAYMENT REFUND INV {doc}",
        ),
        "ACH",
    ),
    "interest": (("",), ("INTEREST PAYMENT", "INTEREST EARNED", "INTEREST CREDIT"), "BOOK"),
    "loan": (("", "JOHN R {surname}"), ("LOAN PROCEEDS {doc}", "LOC ADVANCE", "SHAREHOLDER LOAN"), "BOOK"),
    "deposit": (
        ("PARKWAY PROPERTIES LLC", "DUKE ENERGY"),
        ("SECURITY DEPOSIT REFUND", "UTILITY DEPOSIT REFUND"),
        "ACH",
    ),
    "insurance": (
        ("TRAVELERS", "HARTFORD FIRE INS CO"),
        ("CLAIM PMT {doc}", "INS CLAIM SETTLEMENT {doc}"),
        "ACH",
    ),
    "tax_refund": (("IRS TREAS 310", "STATE OF OHIO"), ("TAX REF", "TAX REFUND"), "ACH"),
    "psp_payout": (
        ("STRIPE", "SQUARE INC", "PAYPAL", "ADYEN INC"),
        ("TRANSFER ST-{doc}", "{d}P2 L{doc}", "TRANSFER {doc}", "PAYOUT {doc}"),
        "ACH",
    ),
    "own_transfer": (
        ("KEYSTONE FASTENER",),
        ("ONLINE TRANSFER FROM SAV XXXXXX2291", "TRANSFER FROM MONEY MARKET"),
        "BOOK",
    ),
}
