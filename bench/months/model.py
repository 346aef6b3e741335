"""What a built month is made of: customers, invoices, earlier allocations, bank lines and their truth.

Money is integer cents throughout; a bank line's `amount` is signed (credits > 0). Every credit
carries its ground truth as `parts`: which invoice it pays and how much (Kind payment), what
settled an invoice without arriving (fee, discount), what stays on the customer's account
(unapplied), or a single part of Kind `none` when the money pays no invoice at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["MONEY_KINDS", "Customer", "Invoice", "Line", "Part", "Payer", "PriorAllocation", "Receipt"]

# Kinds of truth parts that are money on the line (they add up to its amount); fee and
# discount settle an invoice without being on the line.
MONEY_KINDS = ("payment", "unapplied", "none")


@dataclass
class Customer:
    id: str
    name: str
    currency: str
    language: str
    terms_days: int
    credit_limit: int
    bank_name: str = ""  # how the customer's own bank account holder reads on our statement
    alias_known: bool = False  # the workbook already learned bank_name as an alias
    discount: tuple[int, int] | None = None  # (percent, days): "2/10 net 30", "2 % Skonto 10 Tage"
    group: str = ""  # the group (parent or shared-service centre) the customer belongs to
    twin_of: str = ""  # the customer whose name this one nearly repeats
    fixed_fee: int = 0  # cents: a recurring fee that many customers pay alike
    also_supplier: bool = False  # we buy from them too: rebates and refunds come from them
    uses_po: bool = False  # their purchase order number is what they quote
    email: str = ""
    segment: str = ""
    address: str = ""
    scale: float = 1.0  # size of their invoices relative to the company's typical one
    lateness: int = 0  # days after due they usually pay


@dataclass
class Invoice:
    customer: Customer
    date: dt.date
    due: dt.date
    currency: str
    amount: int  # cents; negative: credit note
    number: str = ""  # given once all invoices exist, in date order
    reference: str = ""  # the customer's PO or our contract number
    open: int = 0  # cents still open when the month's receipts begin
    credit_note: bool = False
    index: int = 0  # creation order: ties in numbering, and a stable key


@dataclass
class PriorAllocation:
    """A payment posted before the month (so that the invoice is paid or partly paid)."""

    invoice: Invoice
    amount: int
    date: dt.date
    line_id: str


@dataclass
class Part:
    kind: str  # payment, fee, discount, unapplied, none
    amount: int  # cents
    invoice: Invoice | None = None
    customer: Customer | None = None


@dataclass
class Payer:
    """Who the money comes from, before a style writes the name as a bank would."""

    kind: str  # customer, group, stranger, or the situation of money that is no receipt (interest, loan...)
    customer: Customer | None = None
    name: str = ""  # for everyone who is not a customer


@dataclass
class Receipt:
    """One credit planned: what it pays (truth) and what its memo cites; a style writes its words."""

    situation: str
    date: dt.date
    amount: int
    currency: str
    parts: list[Part]
    payer: Payer
    cites: list[Invoice] = field(default_factory=list)
    cite: str = "none"  # number, typed, reference, none, period, proforma
    details: dict[str, object] = field(default_factory=dict)


@dataclass
class Line:
    """One bank line as written to the bank file; `receipt` is None for debits."""

    date: dt.date
    amount: int
    currency: str
    payer: str
    memo: str
    bank_ref: str
    channel: str = ""
    receipt: Receipt | None = None
