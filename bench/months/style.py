"""What makes a month Chinese, American or German: names, numbers, money, words and the bank file.

A Style answers the questions the ledger and the planners ask (a customer's name, an invoice
amount, how a customer's bank spells it, what a rebate is called) and writes the receipts'
memos and the bank file. The shared parts sit here; each country's module fills in the rest.
"""

from __future__ import annotations

import datetime as dt
import random
from abc import ABC, abstractmethod
from collections import defaultdict
from typing import ClassVar

from .model import Customer, Invoice, Line, Receipt

__all__ = ["Debit", "Style"]

Debit = tuple[str, str, int, str]  # payee, memo, cents (> 0, paid out), channel


class Style(ABC):
    code: str
    company_name: str
    company_address: str
    base_currency: str
    language: str
    date_order: str
    fee_tolerance: str  # what such a company sets: its usual bank charges, in base currency
    po_share: float  # customers who quote their purchase order
    discount_share: float  # customers on early-payment discount terms
    discount_terms: tuple[tuple[int, int], ...]  # (percent, days)
    typical_lateness: int  # days after due
    fixed_fees: tuple[int, ...]  # cents: the recurring fees many customers pay alike
    fixed_fee_segment: str
    coarse_step: int  # cents: round partial payments and advances to this
    account: str  # our account as the bank file names it
    rates: ClassVar[dict[str, float]]  # base currency per unit of a foreign invoice currency

    def settings(self) -> dict[str, str]:
        return {
            "company_name": self.company_name,
            "company_address": self.company_address,
            "base_currency": self.base_currency,
            "locale": self.language,
            "date_order": self.date_order,
            "fee_tolerance": self.fee_tolerance,
        }

    # -- money -----------------------------------------------------------------------------
    def round_amount(self, value: float, coarse: bool = False) -> int:
        step = self.coarse_step if coarse else 1
        return round(value / step) * step

    def round_limit(self, scale: float) -> int:
        return self.round_amount(self.invoice_median() * 4 * scale, coarse=True) * 10

    def rate(self, currency: str) -> float:
        return self.rates[currency]

    @abstractmethod
    def invoice_median(self) -> int: ...

    @abstractmethod
    def invoice_amount(self, rng: random.Random, scale: float) -> int: ...

    @abstractmethod
    def bank_fee(self, rng: random.Random) -> int: ...

    def overpay(self, rng: random.Random, amount: int) -> int:
        """Paid too much: a freight charge paid twice, a rounded-up transfer, a duplicate line."""
        rounded_up = -(-amount // self.coarse_step) * self.coarse_step - amount
        return (
            rounded_up
            if rounded_up and rng.random() < 0.5
            else self.round_amount(amount * rng.uniform(0.01, 0.2))
        )

    other_ranges: ClassVar[dict[str, tuple[int, int, int]]]  # money that is no receipt, by situation

    def other_amount(self, rng: random.Random, situation: str) -> int:
        """An amount of money that is no receipt: whole units in its range, rounded to its step
        (step 1: with cents, as interest, refunds and payouts come)."""
        low, high, step = self.other_ranges[situation]
        whole = round(rng.uniform(low, high) / step) * step
        return whole * 100 + (rng.randrange(100) if step == 1 else 0)

    # -- customers -------------------------------------------------------------------------
    @abstractmethod
    def customer_id(self, i: int) -> str: ...

    @abstractmethod
    def customer_name(self, rng: random.Random, taken: set[str]) -> str: ...

    @abstractmethod
    def twin_name(self, rng: random.Random, name: str, taken: set[str]) -> str: ...

    @abstractmethod
    def foreign_customer(self, rng: random.Random, taken: set[str]) -> tuple[str, str, str]: ...

    @abstractmethod
    def group_names(self, rng: random.Random, g: int) -> tuple[str, list[str]]: ...

    @abstractmethod
    def bank_name(self, rng: random.Random, customer: Customer) -> str: ...

    @abstractmethod
    def contact(self, rng: random.Random, customer: Customer) -> tuple[str, str]: ...

    @abstractmethod
    def terms_days(self, rng: random.Random) -> int: ...

    @abstractmethod
    def third_party(self, rng: random.Random) -> str: ...

    # -- numbers ---------------------------------------------------------------------------
    def number_invoices(self, invoices: list[Invoice], rng: random.Random) -> None:
        """Numbers in date order, a series per year (and per credit-note series where kept apart)."""
        serials: dict[tuple[int, bool], int] = defaultdict(lambda: self.first_serial(rng))
        for invoice in sorted(invoices, key=lambda i: (i.date, i.index)):
            key = (invoice.date.year, invoice.credit_note and self.credit_notes_apart)
            serials[key] += 1 if rng.random() < 0.9 else 2  # a cancelled number now and then
            invoice.number = self.invoice_number(invoice.date, serials[key], invoice.credit_note)

    credit_notes_apart = True

    @abstractmethod
    def first_serial(self, rng: random.Random) -> int: ...

    @abstractmethod
    def invoice_number(self, date: dt.date, serial: int, credit_note: bool) -> str: ...

    @abstractmethod
    def typed_forms(self, number: str) -> list[str]: ...

    @abstractmethod
    def reference(self, rng: random.Random, customer: Customer, date: dt.date) -> str: ...

    @abstractmethod
    def proforma(self, rng: random.Random) -> str: ...

    # -- words and files -------------------------------------------------------------------
    @abstractmethod
    def render(self, receipt: Receipt, rng: random.Random) -> tuple[str, str, str]:
        """(payer as the bank shows it, memo, channel) of a planned receipt."""

    @abstractmethod
    def debit(self, rng: random.Random) -> Debit: ...

    @abstractmethod
    def bank_ref(self, day: dt.date, serial: int) -> str: ...

    @abstractmethod
    def bank_files(self, lines: list[Line], start: dt.date, end: dt.date) -> dict[str, bytes]: ...

    # -- helpers for the countries -----------------------------------------------------------
    def cited(self, receipt: Receipt, rng: random.Random) -> list[str]:
        """The cited invoices as this receipt's payer wrote them (exact, typed, or PO/contract);
        none for a memo that cites no invoice (none, period, proforma)."""
        if receipt.cite not in ("number", "typed", "reference"):
            return []
        if receipt.cite == "typed":
            return [rng.choice(self.typed_forms(i.number)) for i in receipt.cites]
        if receipt.cite == "reference":
            return [i.reference or i.number for i in receipt.cites]
        return [i.number for i in receipt.cites]
