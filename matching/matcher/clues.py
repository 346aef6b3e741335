"""One payment's evidence before any customer's account is opened, and the Proposal it leads to.

`Payment` is a bank line as the proposal search sees it; `Clues` what its memo, payer and
amount point at (the invoices the memo names, how close the payer is to each customer and
group, the few open items of exactly its amount); `Proposal` one way of booking it, with the
evidence score.py weighs and policy.py judges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from matching.matcher.exchange import Crossing
from matching.matcher.lookups import Lookups
from matching.matcher.memo import MemoFacts
from matching.matcher.references import Level

__all__ = [
    "PAYER_AGREES",
    "Clues",
    "PayerEvidence",
    "Payment",
    "Proposal",
    "about_payer",
    "clues_for",
    "similarity_to",
]

PAYER_AGREES = 80.0  # a payer this close to the customer (name, alias or group) speaks for it
_GROUP_CAP = 90.0  # a group's payer resembles each member; it is none of them


@dataclass(frozen=True)
class Payment:
    """One bank line as the proposal search sees it, by its position among the run's lines."""

    line: int
    amount: int  # cents of the line still to allocate
    currency: str
    date: np.datetime64
    payer_named: bool  # the line has a payer name at all
    says: MemoFacts  # what the memo says about the money
    turn: tuple[int, int] = (-1, 0)  # (customer, k): the k-th of the run's payments, by date, of
    # that customer's equal open items naming nothing (assignment.py); k = 0: the first or only


@dataclass(frozen=True)
class Proposal:
    """One way a line may pay: the allocation rows and the evidence for them.

    A row is (item position, cents, kind); item -1 is money left unapplied on `customer`.
    Each row on an item belongs to that item's customer (a group's proposal spans several).
    The evidence fields are the score's features (score.py says what each is worth).
    """

    line: int
    customer: int  # customer position: the customer of unapplied money, the one the payer is
    rows: tuple[tuple[int, int, str], ...]
    fit: str
    referenced: int
    items: int
    ambiguous: bool
    ref_level: int
    cust_refs: int
    ref_other: bool
    similarity: float
    via: str
    other: float
    custno: bool
    payer_named: bool
    unique: bool
    ref_text: str  # the memo's words for the strongest reference
    ref_nos: str  # the referenced invoices it pays
    period: bool = False  # the items are those of a month the memo names
    off_period: bool = False  # the memo names months and none of the items is from them
    payer_agrees: bool = False  # the payer is the customer, an alias, or of its group
    early: bool = False  # pays an invoice dated after the payment (named by its number)
    unresolved: bool = False  # the memo names invoice-like numbers found nowhere
    foreign: bool = False  # the invoices are in another currency than the line
    oldest: bool = False  # the oldest of the customer's equal open items, nothing naming which
    turn: int = 0  # with `oldest`: the oldest left once `turn` earlier payments took theirs
    crossings: tuple[Crossing, ...] = ()  # another currency: each item's conversion at the Rates
    fx_off: str = ""  # another currency: why its rate does not agree with the Rates ("" when it does)
    note: str = ""  # what the reason must say beside the evidence

    def item_cents(self) -> dict[int, int]:
        """Cents each item receives (its rows of any kind added up); unapplied money is on no item."""
        use: dict[int, int] = {}
        for item, cents, _kind in self.rows:
            if item >= 0:
                use[item] = use.get(item, 0) + cents
        return use


@dataclass(frozen=True)
class Clues:
    """What the memo, the payer and the amount say about one payment, before any customer is opened."""

    payment: Payment
    named_items: dict[int, tuple[int, str]]  # item -> strongest (level, text) the memo names it by
    by_number: set[int]  # items the memo names by their own number (not a Reference, typo or core)
    names: dict[int, tuple[float, str]]  # customer -> (payer similarity, via)
    groups: dict[int, float]  # group -> payer similarity to it (its name or a member's)
    custnos: set[int]  # customers whose number is in the memo
    amount_hits: list[int]  # the few open items of exactly this amount
    strong_custs: set[int]  # customers the memo names an invoice of outright
    best_sim: float
    has_memo: bool
    unresolved: bool


def clues_for(payment: Payment, lookups: Lookups) -> Clues:
    evidence, items = lookups.evidence, lookups.items
    named_items: dict[int, tuple[int, str]] = {}
    by_number: set[int] = set()
    for item, level, text, own_number in evidence.refs.get(payment.line, []):
        if own_number and level >= Level.NOPREFIX:
            by_number.add(item)
        if items.currency[item] == payment.currency and level > named_items.get(item, (-1, ""))[0]:
            named_items[item] = (level, text)
    amount_hits = [
        i
        for i in items.by_amount.get(payment.amount, [])
        if items.currency[i] == payment.currency and items.open[i] == payment.amount
    ]
    names = evidence.names.get(payment.line, {})
    groups = dict(evidence.group_names.get(payment.line, {}))
    for cust, (sim, _) in names.items():
        g = lookups.groups.group_of(cust)
        if g >= 0 and sim > groups.get(g, 0.0):
            groups[g] = sim
    return Clues(
        payment,
        named_items,
        by_number,
        names,
        groups,
        evidence.custnos.get(payment.line, set()),
        amount_hits,
        {int(items.customer[i]) for i, (lv, _) in named_items.items() if lv >= Level.NOPREFIX},
        max((sim for sim, _ in names.values()), default=0.0),
        bool(evidence.masked.get(payment.line)),
        bool(evidence.unresolved.get(payment.line)),
    )


def similarity_to(clues: Clues, cust: int, lookups: Lookups) -> tuple[float, str]:
    """How close the payer is to a customer: its own names, else its group's (at most 90)."""
    sim, via = clues.names.get(cust, (0.0, ""))
    g = lookups.groups.group_of(cust)
    in_group = min(clues.groups.get(g, 0.0), _GROUP_CAP) if g >= 0 else 0.0
    return (in_group, "group") if in_group > sim else (sim, via)


class PayerEvidence(TypedDict):
    """The Proposal fields that say how the payer relates to the proposal's customer."""

    similarity: float
    via: str
    other: float
    custno: bool
    payer_named: bool
    payer_agrees: bool


def about_payer(clues: Clues, cust: int, lookups: Lookups) -> PayerEvidence:
    """A proposal's payer evidence for a customer: similarity (own names or group), the best
    other customer's, the customer number in the memo, and whether the payer agrees."""
    sim, via = similarity_to(clues, cust, lookups)
    custno = cust in clues.custnos
    return PayerEvidence(
        similarity=float(sim),
        via=via,
        other=float(max((s for c, (s, _) in clues.names.items() if c != cust), default=0.0)),
        custno=custno,
        payer_named=clues.payment.payer_named,
        payer_agrees=sim >= PAYER_AGREES or custno,
    )
