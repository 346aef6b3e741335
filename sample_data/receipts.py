"""The month's customer receipts, in every matching situation (SITUATIONS below), each with its truth.

`plan_receipts` decides which invoices the month's receipts pay and how, before the
history is written, so the history leaves those invoices open; `month.finish` then adds
what is not a receipt and turns everything into the BankLines frame.

Each builder picks invoices whose shape fits its situation (a discount needs a recent
invoice, a netted credit note an open credit of the same customer, a payment without
reference an amount that is unique among the customer's invoices so the truth is not a
coin toss), marks them used, and writes the line and its truth rows together.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from receivables import SETTLING_KINDS
from sample_data.memos import REF_SPELLINGS, memo_no_reference, memo_with_references, spell_reference

if TYPE_CHECKING:
    from sample_data.generator import Ledger
    from sample_data.names import Identity

__all__ = ["FEE_TOLERANCE", "SITUATIONS", "Line", "Plan", "month_days", "plan_receipts", "split_lines"]

SITUATIONS: dict[str, str] = {
    "exact": "exact invoice number and exact amount",
    "ref_separators": "invoice number with other separators (INV 2026 00412, INV/2026/00412)",
    "ref_case": "invoice number in other case (inv-2026-00412)",
    "ref_no_prefix": "invoice number without its prefix (2026-00412)",
    "ref_no_year": "invoice number without its year (INV-412, INV-00412)",
    "ref_no_zeros": "invoice number without leading zeros (INV-2026-412)",
    "ref_typo": "invoice number with one digit mistyped; amount exact",
    "ref_transposed": "invoice number with two digits swapped; amount exact",
    "customer_reference": "the customer's own order number (Invoices.Reference) instead of ours",
    "payer_suffix": "no reference; payer name without its legal form",
    "payer_abbrev": "no reference; payer name abbreviated",
    "payer_word_order": "no reference; payer name words swapped",
    "payer_typo": "no reference; payer name with a typo",
    "payer_translit": "no reference; payer name transliterated (Müller -> Mueller)",
    "payer_pinyin": "no reference; Chinese customer paying under its pinyin name",
    "payer_truncated": "no reference; payer name cut at 35 characters",
    "payer_caps": "no reference; payer name in capitals",
    "payer_alias": "no reference; payer is a name in Customers.Aliases (learned earlier)",
    "third_party": "a parent company, agent or factor pays, quoting the invoice",
    "no_reference": "no reference at all; amount and payer only",
    "multi_refs": "one payment for several invoices, numbers listed",
    "multi_no_refs": "one payment for several invoices, no numbers",
    "split": "several payments for one invoice (instalments)",
    "partial": "partial payment of one invoice; the rest stays open",
    "remainder": "pays what is left after a partial payment posted before the month",
    "fee": "bank fee deducted, within fee_tolerance",
    "fee_over_tolerance": "bank fee deducted, above fee_tolerance",
    "discount": "2% early-payment discount, within fee_tolerance",
    "discount_over_tolerance": "2% early-payment discount, above fee_tolerance",
    "overpayment": "pays more than the invoice; the rest is unapplied",
    "credit_netted": "pays invoice minus an open credit note",
    "duplicate": "the same transfer delivered again in a second file; pays nothing",
    "noise_refund": "a supplier's refund to us (not a customer receipt)",
    "noise_interest": "credit interest from the bank",
    "noise_tax": "a tax refund",
    "noise_own_transfer": "money moved between our own accounts",
    "debit": "money out (never matched)",
}
RECEIPT_WEIGHTS: dict[str, float] = {
    "ref_separators": 0.03,
    "ref_case": 0.02,
    "ref_no_prefix": 0.025,
    "ref_no_year": 0.02,
    "ref_no_zeros": 0.02,
    "ref_typo": 0.015,
    "ref_transposed": 0.015,
    "customer_reference": 0.02,
    "payer_suffix": 0.015,
    "payer_abbrev": 0.01,
    "payer_word_order": 0.01,
    "payer_typo": 0.015,
    "payer_translit": 0.01,
    "payer_pinyin": 0.015,
    "payer_truncated": 0.01,
    "payer_caps": 0.01,
    "payer_alias": 0.012,
    "third_party": 0.03,
    "no_reference": 0.035,
    "multi_refs": 0.045,
    "multi_no_refs": 0.015,
    "split": 0.025,
    "partial": 0.035,
    "remainder": 0.02,
    "fee": 0.035,
    "fee_over_tolerance": 0.012,
    "discount": 0.025,
    "discount_over_tolerance": 0.012,
    "overpayment": 0.02,
    "credit_netted": 0.02,
}  # the rest of the receipts are "exact"
FEE_TOLERANCE = 1500
FEES = {"EUR": (500, 750, 1200, 1500), "USD": (1000, 1250, 1500), "GBP": (600, 800, 1000)}
FEES_OVER = {"EUR": (2000, 2500, 3500), "USD": (2500, 3500, 4500), "GBP": (2000, 2500)}
FACTORS = (
    "Deutsche Factoring Bank GmbH",
    "Coface Finanz GmbH",
    "Bibby Financial Services Ltd",
    "PAYONEER EUROPE LTD",
)
_PARTIAL = {
    "de": "Teilzahlung {ref}",
    "en": "Part payment {ref}",
    "fr": "Acompte facture {ref}",
    "zh": "部分付款 {ref}",
}
_REST = {
    "de": "Restzahlung {ref}",
    "en": "Remaining balance {ref}",
    "fr": "Solde facture {ref}",
    "zh": "余款 {ref}",
}
_RATE = {
    "de": "{n}. Rate {ref}",
    "en": "Instalment {n} {ref}",
    "fr": "Échéance {n} {ref}",
    "zh": "第{n}期 {ref}",
}
_SKONTO = {"de": " abzgl. 2% Skonto", "en": " less 2% discount", "fr": " escompte 2%", "zh": " 扣除2%折扣"}
_CREDIT = {
    "de": " abzgl. Gutschrift {cn}",
    "en": " less credit note {cn}",
    "fr": " moins avoir {cn}",
    "zh": " 扣除贷项 {cn}",
}
_ORDER = {
    "de": ("Bestellung {po}", "Ihre Bestellung {po}", "BEST.-NR. {po}"),
    "en": ("PO {po}", "Your order {po}", "Purchase order {po}"),
    "fr": ("Commande {po}", "Bon de commande {po}"),
    "zh": ("订单 {po}", "采购订单 {po}"),
}
_ON_BEHALF = {
    "de": " für {name}",
    "en": " on behalf of {name}",
    "fr": " pour le compte de {name}",
    "zh": " 代付 {name}",
}


@dataclass
class Line:
    """One bank line being built, with its truth rows (invoice, customer, cents, kind)."""

    situation: str
    customer: int
    date: np.datetime64
    amount: int
    currency: str
    payer: str
    memo: str
    truth: list[tuple[int, int, int, str]]
    account: str = ""
    source: str = ""
    bank_ref: str = ""


@dataclass
class Plan:
    lines: list[Line]
    used: np.ndarray  # invoices the month's receipts touch (the history leaves them alone)
    paid: np.ndarray  # cents settled per invoice by the month's truth (payment + fee + discount)
    history_partial: list[tuple[int, int, np.datetime64]] = field(default_factory=list)


def month_days(as_of: dt.date) -> np.ndarray:
    first = np.datetime64(as_of, "M").astype("datetime64[D]")
    days = np.arange(first, np.datetime64(as_of, "D") + np.timedelta64(1, "D"), dtype="datetime64[D]")
    busy = days[np.is_busday(days)]
    return busy if len(busy) else days


class _Builder:
    def __init__(self, ledger: Ledger, as_of: dt.date, rng: np.random.Generator) -> None:
        self.ledger, self.rng = ledger, rng
        self.py = random.Random(int(rng.integers(2**62)))  # per-line choices: far cheaper than numpy's
        self.days = month_days(as_of)
        self.month_start = np.datetime64(as_of, "M").astype("datetime64[D]")
        n = len(ledger.amount)
        self.free = np.ones(n, dtype=bool)
        self.paid = np.zeros(n, dtype=np.int64)
        self.lines: list[Line] = []
        self.history_partial: list[tuple[int, int, np.datetime64]] = []
        self.payable = (ledger.amount > 0) & (ledger.date < self.days[-1])
        mid = self.days[len(self.days) // 2]
        distance = np.abs((ledger.natural_pay - mid).astype(np.int64))
        self.weight = 0.05 + np.exp(-distance / 20.0)
        per = pd.DataFrame({"c": ledger.customer, "a": ledger.amount})
        self.unique_amount = (per.groupby(["c", "a"])["a"].transform("size") == 1).to_numpy()
        seq = pd.Series(ledger.number).str.rsplit("-", n=1).str[-1]
        any_number = np.ones(n, dtype=bool)
        self.spellable = dict.fromkeys(REF_SPELLINGS, any_number)  # numbers this spelling really changes
        self.spellable["ref_no_zeros"] = seq.str.startswith("0").to_numpy()
        self.spellable["ref_transposed"] = ~seq.str.fullmatch(r"(\d)\1*").to_numpy()
        self.by_customer = np.argsort(ledger.customer, kind="stable")
        self.customer_start = np.searchsorted(
            ledger.customer[self.by_customer], np.arange(len(ledger.identities) + 1)
        )

    # -- picking -------------------------------------------------------------------------
    def pick(self, eligible: np.ndarray, k: int) -> np.ndarray:
        """Up to k free invoices from `eligible`, favouring those due around this month."""
        cand = np.flatnonzero(eligible & self.free)
        if k <= 0 or len(cand) == 0:
            return cand[:0]
        if len(cand) > k:
            keys = np.log(self.rng.random(len(cand))) / self.weight[cand]
            cand = np.sort(cand[np.argpartition(-keys, k - 1)[:k]])
        self.free[cand] = False
        return cand

    def days_after(self, earliest: np.ndarray) -> np.ndarray:
        """A business day of the month after each of `earliest` (the last day when none is)."""
        lo = np.minimum(np.searchsorted(self.days, earliest + np.timedelta64(1, "D")), len(self.days) - 1)
        return self.days[lo + (self.rng.random(len(lo)) * (len(self.days) - lo)).astype(np.int64)]

    def day_after(self, earliest: np.datetime64) -> np.datetime64:
        lo = int(np.searchsorted(self.days, earliest + np.timedelta64(1, "D")))
        lo = min(lo, len(self.days) - 1)
        return self.days[lo + self.py.randrange(len(self.days) - lo)]

    def ident(self, invoice: int) -> Identity:
        return self.ledger.identities[self.ledger.customer[invoice]]

    def ref_memo(self, invoices: list[int], spelling: str, date: np.datetime64, suffix: str = "") -> str:
        led, first = self.ledger, invoices[0]
        ident = self.ident(first)
        refs = [self.spell(i, spelling) for i in invoices]
        return memo_with_references(
            refs,
            ident.language,
            led.customer_ids[led.customer[first]],
            ident.postcode,
            ident.city,
            led.date[first],
            date,
            self.py,
            suffix,
        )

    @functools.cached_property
    def amount_by_number(self) -> dict[str, int]:
        return dict(zip(self.ledger.number.tolist(), self.ledger.amount.tolist(), strict=True))

    def spell(self, invoice: int, spelling: str) -> str:
        """The invoice number as written, never another invoice's number with the same amount
        (a typo that lands there would make the truth a coin toss)."""
        number, amount = self.ledger.number[invoice], int(self.ledger.amount[invoice])
        for _ in range(20):
            written = spell_reference(number, spelling, self.py)
            if written == number or self.amount_by_number.get(written) != amount:
                return written
        return number.replace("-", " ")

    def plain_memo(self, invoice: int, date: np.datetime64) -> str:
        led, ident = self.ledger, self.ident(invoice)
        return memo_no_reference(
            ident.language,
            led.customer_ids[led.customer[invoice]],
            ident.postcode,
            ident.city,
            led.date[invoice],
            date,
            self.py,
        )

    def add(
        self,
        situation: str,
        invoice: int,
        date: np.datetime64,
        amount: int,
        payer: str,
        memo: str,
        truth: list[tuple[int, int, int, str]],
    ) -> None:
        led = self.ledger
        cust = int(led.customer[invoice])
        for inv, _, cents, kind in truth:
            if inv >= 0 and kind in SETTLING_KINDS:
                self.paid[inv] += cents
        self.lines.append(
            Line(
                situation, cust, date, amount, str(led.currency[invoice]), payer.strip(), memo.strip(), truth
            )
        )

    # -- situations ----------------------------------------------------------------------
    def single(self, situation: str, k: int) -> None:
        """One invoice, paid in full, quoting its number in `situation`'s spelling."""
        led = self.ledger
        chosen = self.pick(self.payable & self.spellable[situation], k)
        for i, date in zip(chosen, self.days_after(led.date[chosen]), strict=True):
            open_ = int(led.amount[i])
            self.add(
                situation,
                i,
                date,
                open_,
                self.ident(i).bank_name,
                self.ref_memo([i], situation, date),
                [(i, led.customer[i], open_, "payment")],
            )

    def customer_reference(self, k: int) -> None:
        led = self.ledger
        chosen = self.pick(self.payable & (led.reference != ""), k)
        for i, date in zip(chosen, self.days_after(led.date[chosen]), strict=True):
            ident = self.ident(i)
            memo = self.py.choice(_ORDER[ident.language]).format(po=led.reference[i])
            amount = int(led.amount[i])
            self.add(
                "customer_reference",
                i,
                date,
                amount,
                ident.bank_name,
                memo,
                [(i, led.customer[i], amount, "payment")],
            )

    def payer_variant(self, situation: str, k: int) -> None:
        """No reference: only the amount (unique for the customer) and a name unlike the master data."""
        led = self.ledger
        if situation == "payer_alias":
            has = np.array([a != "" for a in led.aliases])
        elif situation == "no_reference":
            has = np.ones(len(led.identities), dtype=bool)
        else:
            has = np.array([situation in ident.variants for ident in led.identities])
        chosen = self.pick(self.payable & self.unique_amount & has[led.customer], k)
        for i, date in zip(chosen, self.days_after(led.date[chosen]), strict=True):
            ident = self.ident(i)
            if situation == "payer_alias":
                names = led.aliases[led.customer[i]].split(";")
                payer = self.py.choice(names)
            elif situation == "no_reference":
                payer = ident.bank_name
            else:
                payer = ident.variants[situation]
            amount = int(led.amount[i])
            self.add(
                situation,
                i,
                date,
                amount,
                payer,
                self.plain_memo(i, date),
                [(i, led.customer[i], amount, "payment")],
            )

    def third_party(self, k: int) -> None:
        led = self.ledger
        chosen = self.pick(self.payable, k)
        for i, date in zip(chosen, self.days_after(led.date[chosen]), strict=True):
            ident = self.ident(i)
            payer = ident.parent if self.py.random() < 0.7 else self.py.choice(FACTORS)
            suffix = _ON_BEHALF[ident.language].format(name=ident.name) if self.py.random() < 0.5 else ""
            amount = int(led.amount[i])
            spelling = "exact" if self.py.random() < 0.7 else self.py.choice(REF_SPELLINGS[1:6])
            self.add(
                "third_party",
                i,
                date,
                amount,
                payer,
                self.ref_memo([i], spelling, date, suffix),
                [(i, led.customer[i], amount, "payment")],
            )

    def multi(self, situation: str, k: int) -> None:
        """Several invoices of one customer in one transfer."""
        led = self.ledger
        counts = np.bincount(led.customer[self.payable & self.free], minlength=len(led.identities))
        for a in self.pick(self.payable & (counts[led.customer] >= 2), k):
            c = led.customer[a]
            members = self.by_customer[self.customer_start[c] : self.customer_start[c + 1]]
            others = members[self.free[members] & self.payable[members]]
            if len(others) == 0:
                self.free[a] = True
                continue
            take = min(len(others), self.py.randrange(1, 4))
            group = sorted([int(a), *self.py.sample(others.tolist(), take)])
            self.free[group] = False
            date = self.day_after(led.date[group].max())
            amount = int(led.amount[group].sum())
            truth = [(i, c, int(led.amount[i]), "payment") for i in group]
            if situation == "multi_refs":
                spelling = "exact" if self.py.random() < 0.7 else "ref_no_prefix"
                memo = self.ref_memo(group, spelling, date)
            else:
                memo = self.plain_memo(group[0], date)
            self.add(situation, group[0], date, amount, self.ident(a).bank_name, memo, truth)

    def split(self, k: int) -> None:
        """One invoice paid in two or three instalments within the month."""
        led = self.ledger
        made = 0
        for i in self.pick(self.payable & (led.amount >= 100_000), max(1, k // 2)):
            parts = 2 if self.py.random() < 0.75 or made + 3 > k else 3
            total = int(led.amount[i])
            cuts = np.sort([self.py.uniform(0.2, 0.8) for _ in range(parts - 1)]) * total
            bounds = [0, *np.round(cuts, -2).astype(int).tolist(), total]
            ident = self.ident(i)
            dates = sorted(self.day_after(led.date[i]) for _ in range(parts))
            for n in range(parts):
                cents = bounds[n + 1] - bounds[n]
                memo = _RATE[ident.language].format(n=n + 1, ref=led.number[i])
                self.add(
                    "split",
                    i,
                    dates[n],
                    cents,
                    ident.bank_name,
                    memo,
                    [(i, led.customer[i], cents, "payment")],
                )
            made += parts

    def partial(self, k: int) -> None:
        led = self.ledger
        chosen = self.pick(self.payable & (led.amount >= 50_000), k)
        for i, date in zip(chosen, self.days_after(led.date[chosen]), strict=True):
            total = int(led.amount[i])
            cents = int(
                np.clip(
                    np.round(total * self.py.uniform(0.2, 0.8), -4 if total > 1_000_000 else -2),
                    100,
                    total - 100,
                )
            )
            ident = self.ident(i)
            memo = _PARTIAL[ident.language].format(ref=led.number[i])
            self.add(
                "partial", i, date, cents, ident.bank_name, memo, [(i, led.customer[i], cents, "payment")]
            )

    def remainder(self, k: int) -> None:
        led = self.ledger
        old = led.date < self.month_start - np.timedelta64(20, "D")
        chosen = self.pick(self.payable & old & (led.amount >= 100_000), k)
        for i, date in zip(chosen, self.days_after(led.date[chosen]), strict=True):
            total = int(led.amount[i])
            before = int(np.round(total * self.py.uniform(0.3, 0.7), -2))
            first_day = np.busday_offset(led.date[i], 5, roll="forward")
            span = max(int((self.month_start - first_day).astype(int)), 1)
            when = np.busday_offset(
                first_day + np.timedelta64(self.py.randrange(span), "D"), 0, roll="backward"
            )
            self.history_partial.append(
                (int(i), before, min(when, self.month_start - np.timedelta64(1, "D")))
            )
            ident = self.ident(i)
            rest = total - before
            memo = _REST[ident.language].format(ref=led.number[i])
            self.add(
                "remainder", i, date, rest, ident.bank_name, memo, [(i, led.customer[i], rest, "payment")]
            )

    def fee(self, situation: str, k: int) -> None:
        led = self.ledger
        table = FEES if situation == "fee" else FEES_OVER
        chosen = self.pick(self.payable & (led.amount >= 60_000), k)
        for i, date in zip(chosen, self.days_after(led.date[chosen]), strict=True):
            fee = self.py.choice(table[str(led.currency[i])])
            total = int(led.amount[i])
            self.add(
                situation,
                i,
                date,
                total - fee,
                self.ident(i).bank_name,
                self.ref_memo([i], "exact", date),
                [(i, led.customer[i], total - fee, "payment"), (i, led.customer[i], fee, "fee")],
            )

    def discount(self, situation: str, k: int) -> None:
        led = self.ledger
        recent = led.date >= self.month_start - np.timedelta64(10, "D")
        small = (led.amount * 2 + 50) // 100 <= FEE_TOLERANCE
        size = small if situation == "discount" else ~small
        for i in self.pick(self.payable & recent & size, k):
            total = int(led.amount[i])
            disc = (total * 2 + 50) // 100
            latest = int(
                np.searchsorted(self.days, np.busday_offset(led.date[i], 8, roll="forward"), side="right")
            )
            lo = int(np.searchsorted(self.days, led.date[i] + np.timedelta64(1, "D")))
            date = self.days[lo + self.py.randrange(max(min(latest, len(self.days)) - lo, 1))]
            ident = self.ident(i)
            memo = self.ref_memo([i], "exact", date, _SKONTO[ident.language])
            self.add(
                situation,
                i,
                date,
                total - disc,
                ident.bank_name,
                memo,
                [(i, led.customer[i], total - disc, "payment"), (i, led.customer[i], disc, "discount")],
            )

    def overpayment(self, k: int) -> None:
        led = self.ledger
        chosen = self.pick(self.payable, k)
        for i, date in zip(chosen, self.days_after(led.date[chosen]), strict=True):
            total = int(led.amount[i])
            rounded = -(-total // 10_000) * 10_000
            extra = (
                rounded - total
                if rounded > total and self.py.random() < 0.5
                else self.py.randrange(5, 250) * 100
            )
            c = int(led.customer[i])
            self.add(
                "overpayment",
                i,
                date,
                total + extra,
                self.ident(i).bank_name,
                self.ref_memo([i], "exact", date),
                [(i, c, total, "payment"), (-1, c, extra, "unapplied")],
            )

    def credit_netted(self, k: int) -> None:
        led = self.ledger
        for cn in self.pick(led.is_credit & (led.date < self.days[-1]), k):
            c, credit = led.customer[cn], -int(led.amount[cn])
            r = led.related[cn]
            if self.free[r] and self.payable[r] and led.amount[r] > credit:
                inv = int(r)
            else:
                members = self.by_customer[self.customer_start[c] : self.customer_start[c + 1]]
                fits = members[self.free[members] & self.payable[members] & (led.amount[members] > credit)]
                if len(fits) == 0:
                    self.free[cn] = True
                    continue
                inv = int(self.py.choice(fits.tolist()))
            self.free[inv] = False
            total = int(led.amount[inv])
            date = self.day_after(max(led.date[inv], led.date[cn]))
            ident = self.ident(inv)
            suffix = _CREDIT[ident.language].format(cn=led.number[cn]) if self.py.random() < 0.6 else ""
            self.add(
                "credit_netted",
                inv,
                date,
                total - credit,
                ident.bank_name,
                self.ref_memo([inv], "exact", date, suffix),
                [(inv, c, total, "payment"), (int(cn), c, -credit, "payment")],
            )


def _counts(receipts: int) -> dict[str, int]:
    minimum = 1 if receipts >= 2 * len(RECEIPT_WEIGHTS) else 0
    return {s: max(minimum, int(w * receipts)) for s, w in RECEIPT_WEIGHTS.items()}


def split_lines(n_lines: int) -> tuple[int, int, int, int]:
    """(debits, noise, duplicates, receipts) for a month of n_lines."""
    debits = round(0.14 * n_lines)
    noise = max(4, round(0.06 * n_lines)) if n_lines >= 40 else 1
    duplicates = max(1, round(0.02 * n_lines))
    return debits, noise, duplicates, n_lines - debits - noise - duplicates


def plan_receipts(ledger: Ledger, n_lines: int, as_of: dt.date, rng: np.random.Generator) -> Plan:
    """Every customer receipt of the month, with its truth; invoices they pay are marked used."""
    b = _Builder(ledger, as_of, rng)
    receipts = split_lines(n_lines)[3]
    counts = _counts(receipts)
    b.credit_netted(counts["credit_netted"])
    b.remainder(counts["remainder"])
    for s in ("discount", "discount_over_tolerance"):
        b.discount(s, counts[s])
    for s in ("multi_refs", "multi_no_refs"):
        b.multi(s, counts[s])
    b.split(counts["split"])
    for s in (
        "payer_pinyin",
        "payer_translit",
        "payer_truncated",
        "payer_alias",
        "payer_abbrev",
        "payer_suffix",
        "payer_word_order",
        "payer_typo",
        "payer_caps",
        "no_reference",
    ):
        b.payer_variant(s, counts[s])
    b.customer_reference(counts["customer_reference"])
    b.third_party(counts["third_party"])
    for s in ("fee", "fee_over_tolerance"):
        b.fee(s, counts[s])
    b.partial(counts["partial"])
    b.overpayment(counts["overpayment"])
    for s in REF_SPELLINGS[1:]:
        b.single(s, counts[s])
    b.single("exact", receipts - len(b.lines))
    return Plan(lines=b.lines, used=~b.free, paid=b.paid, history_partial=b.history_partial)
