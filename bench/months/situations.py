"""The month's receipts, planned situation by situation: what each credit pays, in truth.

A planner picks open invoices from the pool (or, when the pool has none that fit, bills one
as the company would have) and returns a Receipt: amount, date, payer, the truth parts, and
what the memo cites. Words come later, from the style. The shares below are per mille of
the month's credits, chosen to look like a B2B company's receivables account: plain exact
payments are the bulk; about 9 % of the credits are money that pays no invoice at all
(rebates, interest, refunds, loans, deposits, insurance, tax refunds, card payouts, own
transfers), which is what such accounts show once the card acquirer and treasury lines are
in. Every situation occurs at least once in a month of at least len(SITUATIONS) credits.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .ledger import Ledger, Pool, business_days
from .model import Customer, Invoice, Part, Payer, PriorAllocation, Receipt

if TYPE_CHECKING:
    from .style import Style

__all__ = ["NOT_INVOICE", "SITUATIONS", "Situation", "plan_receipts", "situation_counts"]


@dataclass(frozen=True)
class Situation:
    name: str
    pays: str  # invoice: pays open items; advance: the customer's money without an invoice; none
    weight: dict[str, int]  # per mille of credits, by style code
    description: str


def _s(name: str, pays: str, cn: int, us: int, de: int, description: str) -> Situation:
    return Situation(name, pays, {"cn": cn, "us": us, "de": de}, description)


SITUATIONS: tuple[Situation, ...] = (
    _s("exact_reference", "invoice", 300, 270, 350, "one invoice, exact amount, its number in the memo"),
    _s("exact_no_reference", "invoice", 120, 60, 60, "one invoice, exact amount, no number (货款, PAYMENT)"),
    _s(
        "typed_reference",
        "invoice",
        80,
        60,
        80,
        "the number as people type it: tail digits, 3074/2026, no prefix",
    ),
    _s("po_reference", "invoice", 40, 100, 30, "only the customer's PO or our contract number"),
    _s(
        "several_invoices",
        "invoice",
        90,
        90,
        60,
        "several invoices of one customer (a list, a check, 付2月货款)",
    ),
    _s("partial", "invoice", 40, 25, 25, "part of one invoice"),
    _s("remainder", "invoice", 15, 10, 10, "the rest of an invoice paid in part earlier"),
    _s("bank_fee", "invoice", 15, 20, 15, "one invoice short by a bank charge deducted on the way"),
    _s("discount_in_period", "invoice", 5, 50, 60, "early-payment discount taken within the period"),
    _s(
        "discount_after_period",
        "invoice",
        3,
        15,
        15,
        "discount taken after the period: only the payment counts",
    ),
    _s("overpayment", "invoice", 10, 10, 10, "more than the invoice: the rest stays on the customer"),
    _s("credit_note_netted", "invoice", 15, 15, 20, "an invoice less an open credit note"),
    _s("other_currency", "invoice", 15, 15, 15, "invoice in one currency, paid in another"),
    _s(
        "invoice_dated_later",
        "invoice",
        25,
        15,
        20,
        "paid before the invoice's date (typed later, or on delivery)",
    ),
    _s("same_amount_many", "invoice", 30, 30, 30, "a fixed fee many customers owe alike, no number"),
    _s(
        "group_payment", "invoice", 20, 20, 20, "a parent or shared-service centre pays two members' invoices"
    ),
    _s("near_twin", "invoice", 20, 20, 20, "a customer whose name nearly equals another's"),
    _s("third_party_payer", "invoice", 10, 10, 10, "a stranger (factor, owner, agent) pays with the number"),
    _s("advance_proforma", "advance", 25, 15, 15, "a prepayment quoting a proforma or contract: unapplied"),
    _s("rebate", "none", 15, 10, 15, "a rebate or bonus from a customer who is also our supplier"),
    _s("refund", "none", 15, 15, 15, "a refund or return from a supplier (or customer-supplier)"),
    _s("interest", "none", 5, 5, 5, "interest from our bank"),
    _s("loan", "none", 5, 5, 5, "a loan or shareholder money"),
    _s("deposit", "none", 5, 5, 5, "a deposit paid back"),
    _s("insurance", "none", 5, 5, 5, "an insurance settlement"),
    _s("tax_refund", "none", 5, 5, 5, "a tax refund"),
    _s("psp_payout", "none", 25, 40, 25, "a card or payment-provider payout (web shop, not invoices)"),
    _s("own_transfer", "none", 10, 10, 10, "a transfer between our own accounts"),
)
NOT_INVOICE = frozenset(s.name for s in SITUATIONS if s.pays == "none")


def situation_counts(style_code: str, credits: int) -> dict[str, int]:
    """Credits per situation: shares by largest remainder, each situation at least once when there is room."""
    weights = {s.name: s.weight[style_code] for s in SITUATIONS}
    floor = 1 if credits >= len(weights) else 0
    total = sum(weights.values())
    exact = {n: max(floor, credits * w / total) for n, w in weights.items()}
    counts = {n: int(v) for n, v in exact.items()}
    order = sorted(exact, key=lambda n: (exact[n] - counts[n], weights[n]), reverse=True)
    short = credits - sum(counts.values())
    for n in order[: max(0, short)]:
        counts[n] += 1
    excess = sum(counts.values()) - credits  # the floor can overshoot tiny months: trim the biggest
    while excess > 0:
        biggest = max(counts, key=counts.__getitem__)
        counts[biggest] -= 1
        excess -= 1
    return counts


@dataclass
class _Plan:
    style: Style
    rng: random.Random
    ledger: Ledger
    pool: Pool

    def __post_init__(self) -> None:
        self.days = self.ledger.days()
        base = self.style.base_currency
        self.ordinary_customers = [
            c for c in self.ledger.customers if c.currency == base and not c.fixed_fee and not c.group
        ]
        everyone = self.ledger.customers
        self.suppliers = [c for c in everyone if c.also_supplier]
        self.po_customers = [c for c in self.ordinary_customers if c.uses_po]
        self.discount_customers = [c for c in self.ordinary_customers if c.discount]
        self.foreign_customers = [c for c in everyone if c.currency != base]
        self.fee_customers = [c for c in everyone if c.fixed_fee]
        self.twins = [c for c in everyone if c.twin_of]
        self.by_id = {c.id: c for c in everyone}
        self.foreign_items = self.pool.items_of(self.foreign_customers)
        self.fee_items = self.pool.items_of(self.fee_customers)
        self.discount_items = self.pool.items_of(self.discount_customers)

    # -- dates and invoices --------------------------------------------------------------
    def day_after(self, date: dt.date, latest: dt.date | None = None) -> dt.date | None:
        """A business day of the month after `date` (and not after `latest`)."""
        fits = [d for d in self.days if d > date and (latest is None or d <= latest)]
        return self.rng.choice(fits) if fits else None

    def ordinary(self, invoice: Invoice) -> bool:
        return (
            not invoice.credit_note
            and self.pool.full(invoice)
            and invoice.currency == self.style.base_currency
            and not invoice.customer.fixed_fee
            and invoice.date < self.days[-1]
        )

    def bill(self, customer: Customer, date: dt.date | None = None, amount: int | None = None) -> Invoice:
        """An invoice the company issued (last month unless `date`), taken into the pool."""
        if date is None:
            previous = self.ledger.start - dt.timedelta(days=1)
            date = self.rng.choice(business_days(previous.replace(day=1), previous))
        reference = self.style.reference(self.rng, customer, date) if customer.uses_po else ""
        invoice = self.ledger.new_invoice(
            customer,
            date,
            amount if amount is not None else self.style.invoice_amount(self.rng, customer.scale),
            reference=reference,
        )
        self.pool.add(invoice)
        return invoice

    def invoice(self, ok: Callable[[Invoice], bool], customers: list[Customer] | None = None) -> Invoice:
        """An open invoice that passes `ok`, else a new one billed to one of `customers`."""
        found = self.pool.pick(self.rng, ok)
        if found is not None:
            return found
        for _ in range(50):
            made = self.bill(self.rng.choice(customers or self.ordinary_customers))
            if ok(made):
                return made
        raise RuntimeError("the month builder cannot bill an invoice that fits")  # a bug in a planner

    # -- receipts ------------------------------------------------------------------------
    def pays(
        self, situation: str, day: dt.date, invoices: list[Invoice], *, cite: str, payer: Payer | None = None
    ) -> Receipt:
        parts = []
        for invoice in invoices:
            left = self.pool.left[invoice.index]
            parts.append(Part("payment", left, invoice, invoice.customer))
            self.pool.take(invoice, left)
        return Receipt(
            situation,
            day,
            sum(p.amount for p in parts),
            self.style.base_currency,
            parts,
            payer or Payer("customer", invoices[0].customer),
            cites=list(invoices),
            cite=cite,
        )

    def one(self, situation: str, cite: str, ok: Callable[[Invoice], bool] | None = None) -> Receipt:
        invoice = self.invoice(ok or self.ordinary)
        day = self.day_after(invoice.date) or self.days[-1]
        return self.pays(situation, day, [invoice], cite=cite)


# -- the planners, one per situation -------------------------------------------------------
def _exact_reference(p: _Plan) -> Receipt:
    return p.one("exact_reference", "number")


def _exact_no_reference(p: _Plan) -> Receipt:
    invoice = p.invoice(p.ordinary)
    same = [i for i in p.pool.of(invoice.customer) if i.amount == invoice.amount and p.ordinary(i)]
    invoice = same[0]  # paid without a number: the clerk (and the truth) takes the oldest alike
    return p.pays("exact_no_reference", p.day_after(invoice.date) or p.days[-1], [invoice], cite="none")


def _typed_reference(p: _Plan) -> Receipt:
    return p.one("typed_reference", "typed")


def _po_reference(p: _Plan) -> Receipt:
    po_customers = p.po_customers
    if not po_customers:  # a tiny month without PO customers: the first ones quote theirs from now on
        po_customers = p.po_customers = p.ordinary_customers[:3]
        for customer in po_customers:
            customer.uses_po = True
    invoice = p.invoice(lambda i: p.ordinary(i) and bool(i.reference), po_customers)
    return p.pays("po_reference", p.day_after(invoice.date) or p.days[-1], [invoice], cite="reference")


def _several_invoices(p: _Plan) -> Receipt:
    def fits(invoice: Invoice) -> bool:
        return p.ordinary(invoice) and sum(p.ordinary(i) for i in p.pool.of(invoice.customer)) >= 2

    first = p.pool.pick(p.rng, fits)
    if first is None:
        customer = p.rng.choice(p.ordinary_customers)
        first = p.bill(customer)
        p.bill(customer)
    items = [i for i in p.pool.of(first.customer) if p.ordinary(i)]
    if p.style.code == "cn" and p.rng.random() < 0.45:  # 付2月货款: everything of one month
        month = items[0].date.replace(day=1)
        chosen = [i for i in items if i.date.replace(day=1) == month]
        cite = "period" if len(chosen) >= 2 else "number"
        chosen = chosen if len(chosen) >= 2 else items[:2]
    else:
        chosen, cite = items[: p.rng.randint(2, min(6, len(items)))], "number"
    day = p.day_after(max(i.date for i in chosen)) or p.days[-1]
    receipt = p.pays("several_invoices", day, chosen, cite=cite)
    receipt.details["period"] = chosen[0].date
    return receipt


def _partial(p: _Plan) -> Receipt:
    invoice = p.invoice(lambda i: p.ordinary(i) and i.amount >= 50_000)
    share = p.rng.choice((30, 40, 50, 60, 70))
    amount = p.style.round_amount(invoice.amount * share / 100, coarse=True) or invoice.amount // 2
    p.pool.take(invoice, amount)
    day = p.day_after(invoice.date) or p.days[-1]
    return Receipt(
        "partial",
        day,
        amount,
        p.style.base_currency,
        [Part("payment", amount, invoice, invoice.customer)],
        Payer("customer", invoice.customer),
        cites=[invoice],
        cite="number",
        details={"share": share},
    )


def _remainder(p: _Plan) -> Receipt:
    def fits(i: Invoice) -> bool:  # paid in part before the month, untouched by this month's plans
        left = p.pool.left[i.index]
        return not i.credit_note and 0 < left == i.open < i.amount and i.currency == p.style.base_currency

    found = p.pool.pick(p.rng, fits, among=p.pool.partly_paid)
    if found is None:
        found = p.bill(p.rng.choice(p.ordinary_customers), p.ledger.start - dt.timedelta(days=45))
        part = found.amount // 2
        paid_on = found.date + dt.timedelta(days=20)
        p.ledger.prior.append(PriorAllocation(found, part, paid_on, f"Q{len(p.ledger.prior):07d}"))
        found.open = found.amount - part
        p.pool.left[found.index] = found.open
    return p.pays("remainder", p.day_after(found.date) or p.days[-1], [found], cite="number")


def _short(p: _Plan, situation: str, invoice: Invoice, day: dt.date, short: int, kind: str | None) -> Receipt:
    """One invoice paid `short` less; `kind` (fee/discount) settles the difference, None leaves it open."""
    left = p.pool.left[invoice.index]
    parts = [Part("payment", left - short, invoice, invoice.customer)]
    if kind:
        parts.append(Part(kind, short, invoice, invoice.customer))
    p.pool.take(invoice, left if kind else left - short)
    return Receipt(
        situation,
        day,
        left - short,
        p.style.base_currency,
        parts,
        Payer("customer", invoice.customer),
        cites=[invoice],
        cite="number",
        details={"short": short},
    )


def _bank_fee(p: _Plan) -> Receipt:
    invoice = p.invoice(lambda i: p.ordinary(i) and i.amount >= 200_00)
    receipt = _short(
        p, "bank_fee", invoice, p.day_after(invoice.date) or p.days[-1], p.style.bank_fee(p.rng), "fee"
    )
    receipt.details["channel"] = "wire"
    return receipt


def _discounted(p: _Plan, situation: str, within: bool) -> Receipt:
    customers = p.discount_customers
    if not customers:
        customers = p.discount_customers = p.ordinary_customers[:3]
        for c in customers:
            c.discount = p.style.discount_terms[0]
    for attempt in range(400):  # an open invoice whose window fits the month, else a new one that does
        invoice = (
            p.pool.pick(p.rng, lambda i: p.ordinary(i) and bool(i.customer.discount), 50, p.discount_items)
            if attempt % 2 == 0
            else None
        )
        if invoice is None:
            latest = p.days[-3] if within else p.ledger.start - dt.timedelta(days=5)
            earliest = p.ledger.start - dt.timedelta(days=5 if within else 40)
            invoice = p.bill(p.rng.choice(customers), p.rng.choice(business_days(earliest, latest)))
        percent, days = invoice.customer.discount  # type: ignore[misc]
        if within:
            day = p.day_after(invoice.date, invoice.date + dt.timedelta(days=days))
        else:
            day = p.day_after(invoice.date + dt.timedelta(days=days + 2))
        if day is not None:
            short = p.style.round_amount(invoice.amount * percent / 100)
            receipt = _short(p, situation, invoice, day, short, "discount" if within else None)
            receipt.details["percent"] = percent
            return receipt
    raise RuntimeError("no invoice fits a discount in this month")


def _discount_in_period(p: _Plan) -> Receipt:
    return _discounted(p, "discount_in_period", within=True)


def _discount_after_period(p: _Plan) -> Receipt:
    return _discounted(p, "discount_after_period", within=False)


def _overpayment(p: _Plan) -> Receipt:
    invoice = p.invoice(p.ordinary)
    receipt = p.pays("overpayment", p.day_after(invoice.date) or p.days[-1], [invoice], cite="number")
    extra = p.style.overpay(p.rng, invoice.amount)
    receipt.parts.append(Part("unapplied", extra, None, invoice.customer))
    receipt.amount += extra
    return receipt


def _credit_note_netted(p: _Plan) -> Receipt:
    def against(credit: Invoice) -> Invoice | None:
        """The customer's oldest open invoice that the credit note can be netted with."""
        return next(
            (i for i in p.pool.of(credit.customer) if p.ordinary(i) and i.amount + credit.amount > 0), None
        )

    credit = p.pool.pick(
        p.rng, lambda c: p.pool.full(c) and against(c) is not None, among=p.pool.credit_notes
    )
    if credit is None:
        bill = p.bill(p.rng.choice(p.ordinary_customers))
        credit = p.bill(
            bill.customer, bill.date + dt.timedelta(days=3), -p.style.round_amount(bill.amount * 0.1)
        )
    invoice = against(credit)
    assert invoice is not None
    day = p.day_after(max(invoice.date, credit.date)) or p.days[-1]
    return p.pays("credit_note_netted", day, [invoice, credit], cite="number")


def _other_currency(p: _Plan) -> Receipt:
    def fits(i: Invoice) -> bool:
        return i.currency != p.style.base_currency and p.pool.full(i) and not i.credit_note

    invoice = p.pool.pick(p.rng, fits, among=p.foreign_items)
    while invoice is None or not fits(invoice):
        invoice = p.bill(p.rng.choice(p.foreign_customers))
    left = p.pool.left[invoice.index]
    amount = round(left * p.style.rate(invoice.currency))
    p.pool.take(invoice, left)
    return Receipt(
        "other_currency",
        p.day_after(invoice.date) or p.days[-1],
        amount,
        p.style.base_currency,
        [Part("payment", amount, invoice, invoice.customer)],
        Payer("customer", invoice.customer),
        cites=[invoice],
        cite="number",
        details={"foreign": left, "foreign_currency": invoice.currency},
    )


def _invoice_dated_later(p: _Plan) -> Receipt:
    customer = p.rng.choice(p.ordinary_customers)
    day = p.rng.choice(p.days[:-1])
    invoice = p.bill(customer, min(day + dt.timedelta(days=p.rng.randint(1, 6)), p.ledger.end))
    cite = "reference" if invoice.reference and p.rng.random() < 0.5 else "number"
    return p.pays("invoice_dated_later", day, [invoice], cite=cite)


def _same_amount_many(p: _Plan) -> Receipt:
    def fee(i: Invoice) -> bool:
        return i.amount == i.customer.fixed_fee and p.pool.full(i) and i.date < p.days[-1]

    found = p.pool.pick(p.rng, fee, among=p.fee_items)
    if found is None:  # every fee billed so far is paid: this month's fee of one of them
        customer = p.rng.choice(p.fee_customers)
        found = p.bill(customer, p.days[0], customer.fixed_fee)
    invoice = found
    invoice = next(i for i in p.pool.of(invoice.customer) if i.amount == invoice.amount and p.pool.full(i))
    cite = "period" if p.rng.random() < 0.4 else "none"
    receipt = p.pays("same_amount_many", p.day_after(invoice.date) or p.days[-1], [invoice], cite=cite)
    receipt.details["period"] = invoice.date
    return receipt


def _group_payment(p: _Plan) -> Receipt:
    group = p.rng.choice(p.ledger.groups)
    members = p.rng.sample(group.members, 2)
    chosen = []
    for member in members:
        items = [i for i in p.pool.of(member) if p.ordinary(i)] or [p.bill(member)]
        chosen += items[: p.rng.randint(1, 2)]
    day = p.day_after(max(i.date for i in chosen)) or p.days[-1]
    return p.pays("group_payment", day, chosen, cite="number", payer=Payer("group", name=group.payer))


def _near_twin(p: _Plan) -> Receipt:
    by_id, twins = p.by_id, p.twins
    pair = p.rng.choice(twins)
    payer, other = (pair, by_id[pair.twin_of]) if p.rng.random() < 0.5 else (by_id[pair.twin_of], pair)
    invoice = next((i for i in p.pool.of(payer) if p.ordinary(i)), None) or p.bill(payer)
    cite = "number" if p.rng.random() < 0.5 else "none"
    if p.rng.random() < 0.5:  # the twin owes the very same amount
        p.bill(other, amount=invoice.amount)
    return p.pays("near_twin", p.day_after(invoice.date) or p.days[-1], [invoice], cite=cite)


def _third_party_payer(p: _Plan) -> Receipt:
    invoice = p.invoice(p.ordinary)
    payer = Payer("stranger", name=p.style.third_party(p.rng))
    return p.pays(
        "third_party_payer", p.day_after(invoice.date) or p.days[-1], [invoice], cite="number", payer=payer
    )


def _advance_proforma(p: _Plan) -> Receipt:
    customer = p.rng.choice(p.ordinary_customers)
    own = [i for i in p.pool.of(customer) if p.ordinary(i)]
    if own and p.rng.random() < 0.25:  # the advance happens to equal an invoice they still owe
        amount = own[0].amount
    else:
        amount = (
            p.style.round_amount(p.style.invoice_amount(p.rng, customer.scale) * 0.3, coarse=True) or 100_000
        )
    return Receipt(
        "advance_proforma",
        p.rng.choice(p.days),
        amount,
        p.style.base_currency,
        [Part("unapplied", amount, None, customer)],
        Payer("customer", customer),
        cite="proforma",
        details={"proforma": p.style.proforma(p.rng)},
    )


def _not_invoice(situation: str) -> Callable[[_Plan], Receipt]:
    """Money that pays no invoice; rebates and refunds often come from a customer who is also a
    supplier, and then a third of the time equal one of that customer's open invoices."""

    def plan(p: _Plan) -> Receipt:
        from_customer = {"rebate": 0.7, "refund": 0.4}.get(situation, 0.0)
        customer = p.rng.choice(p.suppliers) if p.suppliers and p.rng.random() < from_customer else None
        amount = p.style.other_amount(p.rng, situation)
        if customer is not None and p.rng.random() < 1 / 3:
            owed = [i for i in p.pool.of(customer) if p.ordinary(i)]
            amount = owed[0].amount if owed else amount
        payer = Payer("customer", customer) if customer else Payer(situation)
        return Receipt(
            situation, p.rng.choice(p.days), amount, p.style.base_currency, [Part("none", amount)], payer
        )

    return plan


_PLANNERS: dict[str, Callable[[_Plan], Receipt]] = {
    "exact_reference": _exact_reference,
    "exact_no_reference": _exact_no_reference,
    "typed_reference": _typed_reference,
    "po_reference": _po_reference,
    "several_invoices": _several_invoices,
    "partial": _partial,
    "remainder": _remainder,
    "bank_fee": _bank_fee,
    "discount_in_period": _discount_in_period,
    "discount_after_period": _discount_after_period,
    "overpayment": _overpayment,
    "credit_note_netted": _credit_note_netted,
    "other_currency": _other_currency,
    "invoice_dated_later": _invoice_dated_later,
    "same_amount_many": _same_amount_many,
    "group_payment": _group_payment,
    "near_twin": _near_twin,
    "third_party_payer": _third_party_payer,
    "advance_proforma": _advance_proforma,
    **{name: _not_invoice(name) for name in sorted(NOT_INVOICE)},
}


def plan_receipts(style: Style, rng: random.Random, ledger: Ledger, credits: int) -> list[Receipt]:
    """The month's credits, in an order that mixes situations (a real statement is not sorted by kind)."""
    counts = situation_counts(style.code, credits)
    queue = [name for name, n in counts.items() for _ in range(n)]
    rng.shuffle(queue)
    plan = _Plan(style, rng, ledger, Pool(ledger))
    return [_PLANNERS[name](plan) for name in queue]
