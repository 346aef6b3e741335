"""The company as the month finds it: customers, months of invoices, and what was paid before.

The customer base mixes what real ledgers hold: a few large customers with many invoices and
a long tail (invoice counts drawn from a heavy-tailed weight), subscription customers billed
the same fixed fee each month, near-twin names, groups whose parent or shared-service centre
pays for its members, customers who are also our suppliers, customers quoting their PO, some
on early-payment discount terms and some billed in a foreign currency. Each customer pays
with its own lateness, so whatever was due well before the month is mostly paid (an earlier
allocation), a little of it is forgotten and overdue, and some was paid in part.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .model import Customer, Invoice, PriorAllocation

if TYPE_CHECKING:
    from .style import Style

__all__ = ["Group", "Ledger", "Pool", "build_ledger", "business_days", "month_end"]

INVOICES_PER_CREDIT = 0.8  # invoices issued per month for each receipt the month should hold


@dataclass
class Group:
    payer: str  # the parent or shared-service centre whose name is on the transfer
    members: list[Customer]


@dataclass
class Ledger:
    start: dt.date
    end: dt.date
    customers: list[Customer]
    invoices: list[Invoice] = field(default_factory=list)
    prior: list[PriorAllocation] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)

    def new_invoice(
        self, customer: Customer, date: dt.date, amount: int, *, reference: str = "", currency: str = ""
    ) -> Invoice:
        invoice = Invoice(
            customer=customer,
            date=date,
            due=date + dt.timedelta(days=customer.terms_days),
            currency=currency or customer.currency,
            amount=amount,
            reference=reference,
            open=amount,
            credit_note=amount < 0,
            index=len(self.invoices),
        )
        self.invoices.append(invoice)
        return invoice

    def days(self) -> list[dt.date]:
        return business_days(self.start, self.end)


def month_end(start: dt.date) -> dt.date:
    following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def business_days(first: dt.date, last: dt.date) -> list[dt.date]:
    days = (first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return [d for d in days if d.weekday() < 5]


def _months_before(start: dt.date, count: int) -> list[dt.date]:
    firsts = [start]
    for _ in range(count):
        firsts.insert(0, (firsts[0] - dt.timedelta(days=1)).replace(day=1))
    return firsts


def _poisson(rng: random.Random, lam: float) -> int:
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def build_ledger(
    style: Style, rng: random.Random, *, start: dt.date, credits: int, customers: int, history_months: int
) -> Ledger:
    """Customers and `history_months` months of invoices before `start`, plus the month itself."""
    ledger = Ledger(start=start, end=month_end(start), customers=_customers(style, rng, customers))
    ledger.groups = _groups(style, rng, ledger.customers)
    _invoices(style, rng, ledger, credits, history_months)
    _pay_before(rng, ledger)
    return ledger


def _customers(style: Style, rng: random.Random, count: int) -> list[Customer]:
    names: set[str] = set()
    made: list[Customer] = []
    twin_every = max(4, count // max(2, count // 35))  # about one customer in 35 has a near-twin
    for i in range(count):
        twin = i % twin_every == 1 and made[-1].currency == style.base_currency
        if twin:
            name, currency, language = (
                style.twin_name(rng, made[-1].name, names),
                style.base_currency,
                style.language,
            )
        elif rng.random() < 0.04 or i in (5, 11):
            name, currency, language = style.foreign_customer(rng, names)
        else:
            name, currency, language = style.customer_name(rng, names), style.base_currency, style.language
        names.add(name)
        customer = Customer(
            id=style.customer_id(i),
            name=name,
            currency=currency,
            language=language,
            terms_days=style.terms_days(rng),
            credit_limit=0,
            twin_of=made[-1].id if twin else "",
            scale=min(40.0, rng.paretovariate(1.6)),
            lateness=max(-5, round(rng.gauss(style.typical_lateness, style.typical_lateness / 2 + 3))),
        )
        customer.uses_po = rng.random() < style.po_share
        customer.also_supplier = rng.random() < 0.06 or i in (3, 9)
        if rng.random() < style.discount_share or i in (2, 8):
            customer.discount = rng.choice(style.discount_terms)
        _finish(style, rng, customer)
        made.append(customer)
    fee_payers = [c for c in made if c.currency == style.base_currency and not (c.discount or c.twin_of)]
    for j, customer in enumerate(fee_payers[: max(6, count // 12)]):
        customer.fixed_fee = style.fixed_fees[j % len(style.fixed_fees)]
        customer.segment = style.fixed_fee_segment
    return made


def _finish(style: Style, rng: random.Random, customer: Customer) -> None:
    """What follows from the name and size: the bank's spelling, a learned alias, limit, contact."""
    customer.bank_name = style.bank_name(rng, customer)
    customer.alias_known = customer.bank_name != customer.name and rng.random() < 0.5
    customer.credit_limit = style.round_limit(customer.scale)
    customer.email, customer.address = style.contact(rng, customer)


def _groups(style: Style, rng: random.Random, customers: list[Customer]) -> list[Group]:
    groups = []
    for g in range(max(2, len(customers) // 60)):
        payer, member_names = style.group_names(rng, g)
        members = []
        for k, name in enumerate(member_names):
            customer = Customer(
                id=style.customer_id(len(customers)),
                name=name,
                currency=style.base_currency,
                language=style.language,
                terms_days=style.terms_days(rng),
                credit_limit=0,
                group=payer,
                scale=min(20.0, rng.paretovariate(1.3)) + 1,
                lateness=style.typical_lateness + k,
            )
            _finish(style, rng, customer)
            customers.append(customer)
            members.append(customer)
        groups.append(Group(payer, members))
    return groups


def _invoices(style: Style, rng: random.Random, ledger: Ledger, credits: int, months: int) -> None:
    firsts = _months_before(ledger.start, months)
    per_month = credits * INVOICES_PER_CREDIT
    weights = [0.0 if c.fixed_fee else c.scale**0.7 for c in ledger.customers]
    total = sum(weights)
    for first in firsts:
        days = business_days(first, month_end(first))
        for customer, weight in zip(ledger.customers, weights, strict=True):
            if customer.fixed_fee:
                ledger.new_invoice(customer, days[0], customer.fixed_fee)
                continue
            for _ in range(_poisson(rng, per_month * weight / total)):
                date = rng.choice(days)
                reference = style.reference(rng, customer, date) if customer.uses_po else ""
                amount = style.invoice_amount(rng, customer.scale)
                ledger.new_invoice(customer, date, amount, reference=reference)
                if rng.random() < 0.02:  # a return or price correction: a credit note a few days on
                    later = min(date + dt.timedelta(days=rng.randint(3, 20)), ledger.end)
                    ledger.new_invoice(customer, later, -style.round_amount(amount * rng.uniform(0.05, 0.3)))


def _pay_before(rng: random.Random, ledger: Ledger) -> None:
    """Allocations before the month: each invoice paid on due + the customer's lateness, if that is
    before the month begins; a few are forgotten, a few were paid in part."""
    serial = 0
    for invoice in ledger.invoices:
        if invoice.date >= ledger.start:
            continue
        customer = invoice.customer
        if customer.discount and rng.random() < 0.6:
            paid_on = invoice.date + dt.timedelta(days=rng.randint(3, customer.discount[1]))
        else:
            paid_on = invoice.due + dt.timedelta(days=customer.lateness + rng.randint(-5, 10))
        paid_on = max(paid_on, invoice.date + dt.timedelta(days=1))
        serial += 1
        line_id = f"P{serial:07d}"
        if paid_on < ledger.start and rng.random() < 0.96:
            ledger.prior.append(PriorAllocation(invoice, invoice.amount, paid_on, line_id))
            invoice.open = 0
        elif not invoice.credit_note and rng.random() < 0.05 and invoice.amount >= 2000:
            part = invoice.amount * rng.choice((30, 40, 50, 60)) // 100
            day = min(
                max(invoice.date + dt.timedelta(days=rng.randint(5, 40)), invoice.date),
                ledger.start - dt.timedelta(days=1),
            )
            ledger.prior.append(PriorAllocation(invoice, part, day, line_id))
            invoice.open = invoice.amount - part


class Pool:
    """The open invoices receipts may pay; what a planned receipt pays is taken out of it."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.left: dict[int, int] = {i.index: i.open for i in ledger.invoices}
        self._open = [i for i in ledger.invoices if i.open > 0]
        self.credit_notes = [i for i in ledger.invoices if i.open < 0]
        self.partly_paid = [i for i in self._open if i.open < i.amount]
        self._by_customer: dict[str, list[Invoice]] = {}
        for invoice in ledger.invoices:
            if invoice.open:
                self._by_customer.setdefault(invoice.customer.id, []).append(invoice)
        for items in self._by_customer.values():
            items.sort(key=lambda i: (i.date, i.index))

    def add(self, invoice: Invoice) -> None:
        self.left[invoice.index] = invoice.open
        self._open.append(invoice)
        bisect.insort(
            self._by_customer.setdefault(invoice.customer.id, []), invoice, key=lambda i: (i.date, i.index)
        )

    def is_open(self, invoice: Invoice) -> bool:
        return self.left[invoice.index] != 0

    def full(self, invoice: Invoice) -> bool:
        """Open for its whole amount (nothing paid on it before, nothing planned on it yet)."""
        return self.left[invoice.index] == invoice.amount

    def pick(
        self,
        rng: random.Random,
        ok: Callable[[Invoice], bool],
        tries: int = 400,
        among: list[Invoice] | None = None,
    ) -> Invoice | None:
        """A random open invoice that passes `ok` (from `among` if given), or None after `tries`."""
        if among is not None:
            for _ in range(tries if among else 0):
                invoice = rng.choice(among)
                if self.is_open(invoice) and ok(invoice):
                    return invoice
            return None
        for _ in range(tries):
            if not self._open:
                return None
            at = rng.randrange(len(self._open))
            invoice = self._open[at]
            if not self.is_open(invoice):
                self._open[at] = self._open[-1]
                self._open.pop()
                continue
            if ok(invoice):
                return invoice
        return None

    def items_of(self, customers: list[Customer]) -> list[Invoice]:
        """Every item of these customers open now: a short list to pick rare kinds from."""
        return [i for c in customers for i in self.of(c)]

    def of(self, customer: Customer) -> list[Invoice]:
        """The customer's open items (invoices and credit notes), oldest first."""
        return [i for i in self._by_customer.get(customer.id, []) if self.is_open(i)]

    def take(self, invoice: Invoice, amount: int) -> None:
        self.left[invoice.index] -= amount
