"""What a run builds once and every line's proposals look things up in.

- `OpenItems`: invoices and credit notes by position with what is still open, their gross
  amounts and discount terms, per customer oldest first, and the amount index.
- `Groups`: which customers belong together (Customers.Group: a parent, a shared-service
  centre and its members), so that one transfer may pay invoices of several members.
- `Evidence`: per line, what the memo names (invoices, customer numbers, invoice-like words
  found nowhere), which customers and groups the payer's name resembles, and what the memo
  says about the money (memo.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from common.currency import Rates
from matching.matcher.memo import NOTHING, MemoFacts
from matching.matcher.references import Level, MemoReferences, typo_words
from matching.matcher.terms import Tier

__all__ = ["AMOUNT_INDEX_MAX", "Evidence", "Groups", "Lookups", "OpenItems", "Tolerances"]

AMOUNT_INDEX_MAX = 3  # an amount shared by more open items than this is no evidence


@dataclass
class OpenItems:
    """Invoices and credit notes by position, with what is still open, and quick lookups."""

    numbers: np.ndarray  # InvoiceNo
    customer: np.ndarray  # customer position (-1 unknown)
    dates: np.ndarray  # InvoiceDate, datetime64
    currency: np.ndarray
    open: np.ndarray  # cents still open (int64); changed as this run posts
    gross: np.ndarray  # the invoice's Amount in cents: what a discount rate applies to
    terms: list[tuple[Tier, ...]]  # discount terms (the invoice's own, else its customer's)
    typo_forms: list[tuple[str, ...]]
    by_customer: dict[int, np.ndarray] = field(default_factory=dict)  # oldest first
    customer_dates: dict[int, np.ndarray] = field(default_factory=dict)  # their InvoiceDates
    mixed_currency: set[int] = field(default_factory=set)  # customers invoiced in several currencies
    by_amount: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, items: pd.DataFrame, terms: list[tuple[Tier, ...]], typo_forms: list[tuple[str, ...]]
    ) -> OpenItems:
        """`items` positional: InvoiceNo, customer, InvoiceDate, Currency, open, gross."""
        self = cls(
            items["InvoiceNo"].to_numpy(object),
            items["customer"].to_numpy(np.int64),
            items["InvoiceDate"].to_numpy("datetime64[ns]"),
            items["Currency"].to_numpy(object),
            items["open"].to_numpy(np.int64).copy(),
            items["gross"].to_numpy(np.int64),
            terms,
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
            if len(group) <= AMOUNT_INDEX_MAX:
                self.by_amount[int(amount)] = group.tolist()
        return self


@dataclass(frozen=True)
class Groups:
    """Customers.Group: which customers belong to one group, by customer position."""

    of: np.ndarray  # customer position -> group number (-1: in no group)
    members: dict[int, tuple[int, ...]]
    names: list[str]  # group number -> the Group text (an id or a name)

    @classmethod
    def build(cls, customers: pd.DataFrame) -> Groups:
        text = customers["Group"].fillna("").astype(str).str.strip() if "Group" in customers else None
        if text is None or not (text != "").any():
            return cls(np.full(len(customers), -1, dtype=np.int64), {}, [])
        key = text.str.casefold()
        codes, uniques = pd.factorize(key.where(key != "", None), use_na_sentinel=True)
        members: dict[int, list[int]] = defaultdict(list)
        for pos, g in enumerate(codes.tolist()):
            if g >= 0:
                members[g].append(pos)
        return cls(
            codes.astype(np.int64),
            {g: tuple(m) for g, m in members.items()},
            [text.iloc[members[g][0]] for g in range(len(uniques))],
        )

    def group_of(self, customer: int) -> int:
        return int(self.of[customer]) if 0 <= customer < len(self.of) else -1


@dataclass
class Evidence:
    """Per line position: what the memo and payer say (built once, vectorised, per run)."""

    refs: dict[int, list[tuple[int, int, str, bool]]]  # line -> [(item, level, text, by its own number)]
    custnos: dict[int, set[int]]
    masked: dict[int, str]  # line -> memo with dates etc. masked; typo words are cut from it on demand
    names: dict[int, dict[int, tuple[float, str]]]  # line -> {customer: (similarity, via)}
    unresolved: dict[int, list[str]]  # line -> invoice-like words of the memo found nowhere
    group_names: dict[int, dict[int, float]]  # line -> {group: payer similarity to the group's name}
    memos: dict[int, MemoFacts]  # line -> what the memo says (absent: nothing)
    _words: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        memo_refs: MemoReferences,
        payer_matches: pd.DataFrame,
        group_matches: pd.DataFrame,
        memos: dict[int, MemoFacts],
    ) -> Evidence:
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
        groups: dict[int, dict[int, float]] = defaultdict(dict)
        for line, group, sim, _ in group_matches.itertuples(index=False):
            groups[line][group] = sim
        return cls(refs, custnos, masked, names, memo_refs.unresolved, groups, memos)

    def words(self, line: int) -> list[str]:
        """Number-like words of the memo, for the one-typo search (cut once per line, when needed)."""
        found = self._words.get(line)
        if found is None:
            found = self._words[line] = typo_words(self.masked.get(line, ""))
        return found

    def says(self, line: int) -> MemoFacts:
        return self.memos.get(line, NOTHING)

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


@dataclass(frozen=True)
class Tolerances:
    """The differences the settings allow, in cents."""

    fee: int  # largest bank fee or discount booked with a payment
    amount: int  # a shortfall still treated as an equal amount (written off)
    fx_percent: float  # largest gap between an implied rate and the Rates table's that posts itself


@dataclass(frozen=True)
class Lookups:
    """What a run builds once and every line's proposals look things up in."""

    evidence: Evidence
    items: OpenItems
    groups: Groups
    tolerances: Tolerances
    rates: Rates | None  # convert a payment in another currency than its invoice (None: none given)
