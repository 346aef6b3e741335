"""Candidates and proposals: for one bank line, every customer it may come from, every way
its money may be spread over that customer's open items, with the evidence for each.

Candidates come from three cheap indexes built once per run (blocking): invoice references
in the memo, payer-name matches, and the amount index (open items of exactly this amount,
used only when at most three exist in the whole book). Only those customers' items are ever
looked at, so a line costs the same whether the book has 2,000 or 200,000 invoices.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA

from matching.matcher.amounts import fits_for_customer
from matching.matcher.references import Level, MemoReferences, typo_words

__all__ = ["Evidence", "Lookups", "OpenItems", "Payment", "Proposal", "Tolerances", "propose"]

_AMOUNT_INDEX_MAX = 3  # an amount shared by more open items than this is no evidence
_NAME_FLOOR = 70.0  # below this a payer name earns no points (score.py): the amount index covers it
_NAME_TOP = 3
_NAME_RIVAL = 90.0
_SEARCH_NAME_FLOOR = 80.0  # subset searches only for customers the payer name (or memo) points at,
_SEARCH_NAME_BAND = 5.0  # ...and among those only the best named ones
_TYPO_NAME_FLOOR = 80.0  # a one-character-off number counts only from a payer like this...
_DATE_GRACE = np.timedelta64(7, "D")  # ...and no invoice dated after the payment (+ a week) is paid


@dataclass
class OpenItems:
    """Invoices and credit notes by position, with what is still open, and quick lookups."""

    numbers: np.ndarray  # InvoiceNo
    customer: np.ndarray  # customer position (-1 unknown)
    dates: np.ndarray  # InvoiceDate, datetime64
    currency: np.ndarray
    open: np.ndarray  # cents still open (int64); changed as this run posts
    typo_forms: list[tuple[str, ...]]
    by_customer: dict[int, np.ndarray] = field(default_factory=dict)  # oldest first
    customer_dates: dict[int, np.ndarray] = field(default_factory=dict)  # their InvoiceDates
    mixed_currency: set[int] = field(default_factory=set)  # customers invoiced in several currencies
    by_amount: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, items: pd.DataFrame, typo_forms: list[tuple[str, ...]]) -> OpenItems:
        """`items` positional: InvoiceNo, customer, InvoiceDate, Currency, open."""
        self = cls(
            items["InvoiceNo"].to_numpy(object),
            items["customer"].to_numpy(np.int64),
            items["InvoiceDate"].to_numpy("datetime64[ns]"),
            items["Currency"].to_numpy(object),
            items["open"].to_numpy(np.int64).copy(),
            typo_forms,
        )
        order = items.assign(pos=np.arange(len(items))).sort_values(
            ["customer", "InvoiceDate", "InvoiceNo"], kind="stable"
        )
        order = order[order["customer"] >= 0]
        cust = order["customer"].to_numpy(np.int64)
        pos, dates = order["pos"].to_numpy(np.int64), order["InvoiceDate"].to_numpy("datetime64[ns]")
        bounds = np.flatnonzero(np.diff(cust)) + 1
        for start, end in zip(np.r_[0, bounds].tolist(), np.r_[bounds, len(cust)].tolist(), strict=True):
            if end > start:
                self.by_customer[int(cust[start])] = pos[start:end]
                self.customer_dates[int(cust[start])] = dates[start:end]
        currencies = order.groupby("customer")["Currency"].nunique()
        self.mixed_currency = set(currencies.index[currencies > 1].tolist())
        positive = order[order["open"] > 0]
        for amount, group in positive.groupby("open")["pos"]:
            if len(group) <= _AMOUNT_INDEX_MAX:
                self.by_amount[int(amount)] = group.tolist()
        return self


@dataclass
class Evidence:
    """Per line position: what the memo and payer say (built once, vectorised, per run)."""

    refs: dict[int, list[tuple[int, int, str, bool]]]  # line -> [(item, level, text, by its own number)]
    custnos: dict[int, set[int]]
    masked: dict[int, str]  # line -> memo with dates etc. masked; typo words are cut from it on demand
    names: dict[int, dict[int, tuple[float, str]]]  # line -> {customer: (similarity, via)}
    unresolved: dict[int, list[str]]  # line -> invoice-like words of the memo found nowhere
    _words: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, memo_refs: MemoReferences, payer_matches: pd.DataFrame) -> Evidence:
        refs: dict[int, list[tuple[int, int, str, bool]]] = defaultdict(list)
        for line, item, level, text, by_number in memo_refs.invoices.itertuples(index=False):
            refs[line].append((item, level, text, bool(by_number)))
        custnos: dict[int, set[int]] = defaultdict(set)
        for line, cust, _ in memo_refs.customers.itertuples(index=False):
            custnos[line].add(cust)
        masked = dict(memo_refs.masked.itertuples(index=False))
        names: dict[int, dict[int, tuple[float, str]]] = defaultdict(dict)
        for line, cust, sim, via in payer_matches.itertuples(index=False):
            names[line][cust] = (sim, via)
        return cls(refs, custnos, masked, names, memo_refs.unresolved)

    def known_payers(self) -> pd.Series:
        """Lines whose payer is a customer's name or a learned alias (similarity 100)."""
        known = [line for line, found in self.names.items() if any(sim >= 99.5 for sim, _ in found.values())]
        return pd.Series(True, index=pd.Index(known, dtype=np.int64), dtype=bool)

    def invoice_named(self) -> pd.Series:
        """Lines whose memo names one of our invoices by its own number (not a typo, not a core)."""
        named = [
            line
            for line, found in self.refs.items()
            if any(by_number and level >= Level.NOPREFIX for _, level, _, by_number in found)
        ]
        return pd.Series(True, index=pd.Index(named, dtype=np.int64), dtype=bool)

    def words(self, line: int) -> list[str]:
        """Number-like words of the memo, for the one-typo search (cut once per line, when needed)."""
        found = self._words.get(line)
        if found is None:
            found = self._words[line] = typo_words(self.masked.get(line, ""))
        return found


def _typo_refs(words: list[str], items: Sequence[int], forms: list[tuple[str, ...]]) -> list[tuple[int, str]]:
    """Items whose number is one edit (substitution, insertion, deletion, swap) from a word."""
    owners = [int(i) for i in items for _ in forms[i]]
    choices = [f for i in items for f in forms[i]]
    long_words = [w for w in words if len(w) >= 5]
    if not choices or not long_words:
        return []
    near = process.cdist(long_words, choices, scorer=OSA.distance, score_cutoff=1, dtype=np.int32) <= 1
    hits: dict[int, str] = {}
    for w, c in zip(*np.nonzero(near), strict=True):
        hits.setdefault(owners[c], long_words[w])
    return list(hits.items())


@dataclass(frozen=True)
class Payment:
    """One bank line as the proposal search sees it, by its position among the run's lines."""

    line: int
    amount: int  # cents of the line still to allocate
    currency: str
    date: np.datetime64
    memo: str
    payer_named: bool  # the line has a payer name at all


@dataclass(frozen=True)
class Tolerances:
    """The differences the settings allow, in cents."""

    fee: int  # largest bank fee or discount booked with a payment
    amount: int  # a shortfall still treated as an equal amount (written off)


@dataclass(frozen=True)
class Lookups:
    """What a run builds once and every line's proposals look things up in."""

    evidence: Evidence
    items: OpenItems
    tolerances: Tolerances


@dataclass(frozen=True)
class Proposal:
    """One way a line may pay one customer: the allocation rows and the evidence for them.

    A row is (item position, cents, kind); item -1 is money left unapplied on the customer.
    The evidence fields are the score's features (score.py says what each is worth).
    """

    line: int
    customer: int  # customer position
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

    def item_cents(self) -> dict[int, int]:
        """Cents each item receives (its rows of any kind added up); unapplied money is on no item."""
        use: dict[int, int] = {}
        for item, cents, _kind in self.rows:
            if item >= 0:
                use[item] = use.get(item, 0) + cents
        return use


@dataclass(frozen=True)
class _Clues:
    """What the memo, the payer and the amount say about one payment, before any customer is opened."""

    payment: Payment
    named_items: dict[int, tuple[int, str]]  # item -> strongest (level, text) the memo names it by
    names: dict[int, tuple[float, str]]  # customer -> (payer similarity, via)
    custnos: set[int]  # customers whose number is in the memo
    amount_hits: list[int]  # the few open items of exactly this amount
    strong_custs: set[int]  # customers the memo names an invoice of outright
    best_sim: float
    has_memo: bool


@dataclass(frozen=True)
class _Account:
    """One candidate customer's items this payment may pay, oldest first, and what points at them."""

    customer: int
    own: list[int]  # item positions
    opens: list[int]  # their open cents
    similarity: float
    via: str


def propose(payment: Payment, lookups: Lookups) -> list[Proposal]:
    """Every proposal for one line: per candidate customer, every way its money fits their items."""
    clues = _clues(payment, lookups)
    out: list[Proposal] = []
    for cust in _candidates(clues, lookups.items):
        account = _account(clues, cust, lookups)
        if account is not None:
            out += _proposals(clues, account, lookups)
    return out


def _clues(payment: Payment, lookups: Lookups) -> _Clues:
    evidence, items = lookups.evidence, lookups.items
    named_items: dict[int, tuple[int, str]] = {}
    for item, level, text, _ in evidence.refs.get(payment.line, []):
        if items.currency[item] == payment.currency and level > named_items.get(item, (-1, ""))[0]:
            named_items[item] = (level, text)
    amount_hits = [
        i
        for i in items.by_amount.get(payment.amount, [])
        if items.currency[i] == payment.currency and items.open[i] == payment.amount
    ]
    names = evidence.names.get(payment.line, {})
    return _Clues(
        payment,
        named_items,
        names,
        evidence.custnos.get(payment.line, set()),
        amount_hits,
        {int(items.customer[i]) for i, (lv, _) in named_items.items() if lv >= Level.NOPREFIX},
        max((sim for sim, _ in names.values()), default=0.0),
        bool(evidence.masked.get(payment.line)),
    )


def _candidates(clues: _Clues, items: OpenItems) -> set[int]:
    """Customers the memo, the payer name or the amount point at (blocking: no one else is looked at)."""
    candidates = {int(items.customer[i]) for i in clues.named_items if items.customer[i] >= 0}
    # Beside a customer the memo names outright, only a payer name that fits well is a rival.
    floor = _NAME_RIVAL if clues.strong_custs else _NAME_FLOOR
    named = sorted(((sim, c) for c, (sim, _) in clues.names.items() if sim >= floor), reverse=True)[
        :_NAME_TOP
    ]
    candidates |= {c for _, c in named}
    candidates |= clues.custnos
    candidates |= {int(items.customer[i]) for i in clues.amount_hits}
    return candidates


def _account(clues: _Clues, cust: int, lookups: Lookups) -> _Account | None:
    """The customer's items in the payment's currency not invoiced after it (+ a week); None: none can be."""
    items, payment = lookups.items, clues.payment
    own_all = items.by_customer.get(cust)
    if own_all is None:
        return None
    # Items are oldest first: those invoiced after the payment (+ a week) are a prefix cut away.
    own_arr = own_all[: np.searchsorted(items.customer_dates[cust], payment.date + _DATE_GRACE, side="right")]
    if cust in items.mixed_currency:
        own_arr = own_arr[items.currency[own_arr] == payment.currency]
    elif len(own_arr) and items.currency[own_arr[0]] != payment.currency:
        return None
    sim, via = clues.names.get(cust, (0.0, ""))
    return _Account(cust, own_arr.tolist(), items.open[own_arr].tolist(), sim, via)


def _referenced(clues: _Clues, account: _Account, lookups: Lookups) -> dict[int, tuple[int, str]]:
    """The customer's items the memo names; failing that, the one a number one character off names."""
    if not (clues.named_items or clues.has_memo) or not account.own:
        return {}
    mine = set(account.own)
    found = {i: v for i, v in clues.named_items.items() if i in mine}
    if found:
        return found
    words = lookups.evidence.words(clues.payment.line)
    if not words:
        return {}
    amount, fee, items = clues.payment.amount, lookups.tolerances.fee, lookups.items
    agree = account.similarity >= _TYPO_NAME_FLOOR or account.customer in clues.custnos
    pool = (
        account.own
        if agree
        else [i for i, o in zip(account.own, account.opens, strict=True) if amount <= o <= amount + fee]
    )
    hits = _typo_refs(words, pool, items.typo_forms) if len(pool) else []
    if len(hits) > 1:  # several invoices one edit away: only those whose amount agrees count
        hits = [(i, w) for i, w in hits if 0 <= items.open[i] - amount <= fee]
    return {i: (int(Level.TYPO), w) for i, w in hits[:1]} if len(hits) == 1 else {}


def _searches(clues: _Clues, account: _Account, refs: dict[int, tuple[int, str]]) -> bool:
    """Subset searches cost the most: only for the customers the evidence points at."""
    strong = any(lv >= Level.NOPREFIX for lv, _ in refs.values())
    sim = account.similarity
    return (
        (bool(refs) and not strong)
        or account.customer in clues.custnos
        or (
            not clues.strong_custs and sim >= _SEARCH_NAME_FLOOR and sim >= clues.best_sim - _SEARCH_NAME_BAND
        )
    )


def _proposals(clues: _Clues, account: _Account, lookups: Lookups) -> list[Proposal]:
    """One proposal per way the payment fits the customer's items, with its evidence."""
    payment, cust = clues.payment, account.customer
    refs = _referenced(clues, account, lookups)
    position = {item: k for k, item in enumerate(account.own)} if refs else {}
    ref_pos = sorted(position[i] for i in refs)
    other = max((s for c, (s, _) in clues.names.items() if c != cust), default=0.0)
    ref_other = bool(clues.strong_custs - {cust}) and cust not in clues.strong_custs
    out = []
    for fit in fits_for_customer(
        payment.amount,
        account.opens,
        ref_pos,
        fee_tolerance=lookups.tolerances.fee,
        amount_tolerance=lookups.tolerances.amount,
        memo=payment.memo,
        search=_searches(clues, account, refs),
    ):
        rows = tuple((account.own[k] if k >= 0 else -1, cents, kind) for k, cents, kind in fit.rows)
        paid_items = [i for i, cents, kind in rows if i >= 0 and kind == "payment" and cents > 0]
        shown = [i for i in paid_items if i in refs] if fit.fit != "paid" else list(refs)
        out.append(
            Proposal(
                line=payment.line,
                customer=cust,
                rows=rows,
                fit=fit.fit,
                referenced=fit.referenced,
                items=fit.items,
                ambiguous=fit.ambiguous,
                ref_level=max((refs[i][0] for i in shown), default=-1),
                cust_refs=len(ref_pos),
                ref_other=ref_other,
                similarity=float(account.similarity),
                via=account.via,
                other=float(other),
                custno=cust in clues.custnos,
                payer_named=payment.payer_named,
                unique=len(clues.amount_hits) == 1 and paid_items == clues.amount_hits,
                ref_text=refs[shown[0]][1] if shown else "",
                ref_nos=", ".join(str(lookups.items.numbers[i]) for i in shown),
            )
        )
    return out
