"""Candidates and proposals: for one bank line, every customer it may come from, every way
its money may be spread over that customer's open items, with the evidence for each.

Candidates come from three cheap indexes built once per run (blocking): invoice references
in the memo, payer-name matches, and the amount index (open items of exactly this amount,
used only when at most three exist in the whole book). Only those customers' items are ever
looked at, so a line costs the same whether the book has 2,000 or 200,000 invoices.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA

from matching.matcher.amounts import fits_for_customer
from matching.matcher.references import Level, MemoReferences, typo_words

__all__ = ["Evidence", "OpenItems", "propose"]

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

    refs: dict[int, list[tuple[int, int, str]]]  # line -> [(item, level, text)]
    custnos: dict[int, set[int]]
    masked: dict[int, str]  # line -> memo with dates etc. masked; typo words are cut from it on demand
    names: dict[int, dict[int, tuple[float, str]]]  # line -> {customer: (similarity, via)}
    _words: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, memo_refs: MemoReferences, payer_matches: pd.DataFrame) -> Evidence:
        refs: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        for line, item, level, text in memo_refs.invoices.itertuples(index=False):
            refs[line].append((item, level, text))
        custnos: dict[int, set[int]] = defaultdict(set)
        for line, cust, _ in memo_refs.customers.itertuples(index=False):
            custnos[line].add(cust)
        masked = dict(memo_refs.masked.itertuples(index=False))
        names: dict[int, dict[int, tuple[float, str]]] = defaultdict(dict)
        for line, cust, sim, via in payer_matches.itertuples(index=False):
            names[line][cust] = (sim, via)
        return cls(refs, custnos, masked, names)

    def words(self, line: int) -> list[str]:
        """Number-like words of the memo, for the one-typo search (cut once per line, when needed)."""
        found = self._words.get(line)
        if found is None:
            found = self._words[line] = typo_words(self.masked.get(line, ""))
        return found


def _typo_refs(words: list[str], items: np.ndarray, forms: list[tuple[str, ...]]) -> list[tuple[int, str]]:
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


def propose(
    line: int,
    amount: int,
    currency: str,
    date: np.datetime64,
    memo: str,
    payer_named: bool,
    evidence: Evidence,
    items: OpenItems,
    *,
    fee_tolerance: int,
    amount_tolerance: int = 0,
) -> list[dict[str, object]]:
    """Every proposal for one line: a dict of features and allocation rows (item, cents, kind)."""
    refs = evidence.refs.get(line, [])
    names = evidence.names.get(line, {})
    custnos = evidence.custnos.get(line, set())
    level_of: dict[int, tuple[int, str]] = {}
    for item, level, text in refs:
        if items.currency[item] == currency and level > level_of.get(item, (-1, ""))[0]:
            level_of[item] = (level, text)
    amount_hits = [
        i
        for i in items.by_amount.get(amount, [])
        if items.currency[i] == currency and items.open[i] == amount
    ]
    candidates = {int(items.customer[i]) for i in level_of if items.customer[i] >= 0}
    strong_custs = {int(items.customer[i]) for i, (lv, _) in level_of.items() if lv >= Level.NOPREFIX}
    # Beside a customer the memo names outright, only a payer name that fits well is a rival.
    floor = _NAME_RIVAL if strong_custs else _NAME_FLOOR
    named = sorted(((sim, c) for c, (sim, _) in names.items() if sim >= floor), reverse=True)[:_NAME_TOP]
    candidates |= {c for _, c in named}
    candidates |= custnos
    candidates |= {int(items.customer[i]) for i in amount_hits}
    best_sim = max((sim for sim, _ in names.values()), default=0.0)
    out: list[dict[str, object]] = []
    for cust in candidates:
        own_all = items.by_customer.get(cust)
        if own_all is None:
            continue
        # Items are oldest first: those invoiced after the payment (+ a week) are a prefix cut away.
        own_arr = own_all[: np.searchsorted(items.customer_dates[cust], date + _DATE_GRACE, side="right")]
        if cust in items.mixed_currency:
            own_arr = own_arr[items.currency[own_arr] == currency]
        elif len(own_arr) and items.currency[own_arr[0]] != currency:
            continue
        own, opens = own_arr.tolist(), items.open[own_arr].tolist()
        position = {item: k for k, item in enumerate(own)} if level_of or evidence.masked.get(line) else {}
        sim, via = names.get(cust, (0.0, ""))
        ref_map = {i: v for i, v in level_of.items() if i in position}
        if not ref_map and position and evidence.words(line):
            agree = sim >= _TYPO_NAME_FLOOR or cust in custnos
            pool = (
                own_arr
                if agree
                else [i for i, o in zip(own, opens, strict=True) if amount <= o <= amount + fee_tolerance]
            )
            hits = _typo_refs(evidence.words(line), pool, items.typo_forms) if len(pool) else []
            if len(hits) > 1:  # several invoices one edit away: only those whose amount agrees count
                hits = [(i, w) for i, w in hits if 0 <= items.open[i] - amount <= fee_tolerance]
            ref_map = {i: (int(Level.TYPO), w) for i, w in hits[:1]} if len(hits) == 1 else {}
        ref_pos = sorted(position[i] for i in ref_map)
        other = max((s for c, (s, _) in names.items() if c != cust), default=0.0)
        # Subset searches cost the most: only for the customers the evidence points at.
        strong = any(lv >= Level.NOPREFIX for lv, _ in ref_map.values())
        search = (
            (bool(ref_map) and not strong)
            or cust in custnos
            or (not strong_custs and sim >= _SEARCH_NAME_FLOOR and sim >= best_sim - _SEARCH_NAME_BAND)
        )
        for fit in fits_for_customer(
            amount,
            opens,
            ref_pos,
            fee_tolerance=fee_tolerance,
            amount_tolerance=amount_tolerance,
            memo=memo,
            search=search,
        ):
            rows = tuple((own[k] if k >= 0 else -1, cents, kind) for k, cents, kind in fit.rows)
            paid_items = [i for i, cents, kind in rows if i >= 0 and kind == "payment" and cents > 0]
            shown = [i for i in paid_items if i in ref_map] if fit.fit != "paid" else list(ref_map)
            out.append(
                {
                    "line": line,
                    "customer": cust,
                    "rows": rows,
                    "fit": fit.fit,
                    "referenced": fit.referenced,
                    "items": fit.items,
                    "ambiguous": fit.ambiguous,
                    "ref_level": max((ref_map[i][0] for i in shown), default=-1),
                    "cust_refs": len(ref_pos),
                    "ref_other": bool(strong_custs - {cust}) and cust not in strong_custs,
                    "similarity": float(sim),
                    "via": via,
                    "other": float(other),
                    "custno": cust in custnos,
                    "payer_named": payer_named,
                    "unique": len(amount_hits) == 1 and paid_items == amount_hits,
                    "ref_text": ref_map[shown[0]][1] if shown else "",
                    "ref_nos": ", ".join(str(items.numbers[i]) for i in shown),
                }
            )
    return out
