"""Candidates and proposals: for one bank line, every customer it may come from, every way
its money may be spread over that customer's open items, with the evidence for each.

Candidates come from three cheap indexes built once per run (blocking, lookups.py): invoice
references in the memo, payer-name matches, and the amount index (open items of exactly this
amount, used only when at most three exist in the whole book). Only those customers' items
are ever looked at, so a line costs the same whether the book has 2,000 or 200,000 invoices.

What the memo says shapes the proposals:
- an advance on an order (and no invoice named by its number) is money kept on the
  customer's account (Kind unapplied), never an invoice of the same amount;
- an invoice named by its exact number is always considered, even when it is dated after
  the payment (a prepayment on a proforma, an invoice typed with a later date), and then
  no invoice one character away from that number is looked for;
- discount terms, months named and stated discounts go into the fits (amounts.py).
Proposals that span the customers of one group, or pay an invoice in another currency, are
made in crossing.py; the evidence they all start from in clues.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from common.currency import currency_digits
from common.values import format_cents
from matching.matcher.amounts import Fit, fits_for_customer
from matching.matcher.clues import (
    PAYER_AGREES,
    Clues,
    Payment,
    Proposal,
    about_payer,
    clues_for,
    similarity_to,
)
from matching.matcher.crossing import currency_proposals, group_proposals
from matching.matcher.lookups import Lookups
from matching.matcher.references import Level
from matching.matcher.terms import discounts

__all__ = ["propose"]

_NAME_FLOOR = 70.0  # below this a payer name earns no points (score.py): the amount index covers it
_NAME_TOP = 3
_NAME_RIVAL = 90.0
_SEARCH_NAME_FLOOR = 80.0  # subset searches only for customers the payer name (or memo) points at,
_SEARCH_NAME_BAND = 5.0  # ...and among those only the best named ones
_TYPO_NAME_FLOOR = 80.0  # a one-character-off number counts only from a payer like this...
_DATE_GRACE = np.timedelta64(7, "D")  # ...and no unnamed invoice dated after the payment (+ a week) is paid
_DATE_WINDOW = 10  # days around the payment whose dates in a memo are no invoice number


@dataclass(frozen=True)
class _Account:
    """One candidate customer's items this payment may pay, oldest first, and what points at them."""

    customer: int
    own: list[int]  # item positions
    opens: list[int]  # their open cents
    similarity: float
    via: str
    earned: list[int]  # discount cents the payment earns on each by its terms
    late: list[int]  # ...or would have earned inside a period that has ended
    period: list[int]  # positions in `own` invoiced in a month the memo names
    early: set[int]  # items dated after the payment (+ a week), here because the memo names them


def propose(payment: Payment, lookups: Lookups) -> list[Proposal]:
    """Every proposal for one line: per candidate customer, every way its money fits their items."""
    clues = clues_for(payment, lookups)
    if payment.says.advance and not clues.by_number:
        return _advances(clues, lookups)
    out: list[Proposal] = []
    for cust in _candidates(clues, lookups):
        account = _account(clues, cust, lookups)
        if account is not None:
            out += _proposals(clues, account, lookups)
    return out + group_proposals(clues, lookups) + currency_proposals(clues, lookups)


def _candidates(clues: Clues, lookups: Lookups) -> set[int]:
    """Customers the memo, the payer name or the amount point at (blocking: no one else is looked at)."""
    items = lookups.items
    candidates = {int(items.customer[i]) for i in clues.named_items if items.customer[i] >= 0}
    candidates |= {int(items.customer[i]) for i in clues.by_number if items.customer[i] >= 0}
    # Beside a customer the memo names outright, only a payer name that fits well is a rival.
    floor = _NAME_RIVAL if clues.strong_custs else _NAME_FLOOR
    named = sorted(((sim, c) for c, (sim, _) in clues.names.items() if sim >= floor), reverse=True)[
        :_NAME_TOP
    ]
    candidates |= {c for _, c in named}
    candidates |= clues.custnos
    candidates |= {int(items.customer[i]) for i in clues.amount_hits}
    return candidates


def _account(clues: Clues, cust: int, lookups: Lookups) -> _Account | None:
    """The customer's items in the payment's currency not invoiced after it (+ a week), and those
    the memo names by number whatever their date; None: none can be paid."""
    items, payment = lookups.items, clues.payment
    own_all = items.by_customer.get(cust)
    if own_all is None:
        return None
    # Items are oldest first: those invoiced after the payment (+ a week) are a prefix cut away.
    cut = int(np.searchsorted(items.customer_dates[cust], payment.date + _DATE_GRACE, side="right"))
    own_arr = own_all[:cut]
    later = [int(i) for i in own_all[cut:] if int(i) in clues.by_number]
    if later:
        own_arr = np.r_[own_arr, later].astype(np.int64)
    if cust in items.mixed_currency:
        own_arr = own_arr[items.currency[own_arr] == payment.currency]
    elif len(own_arr) and items.currency[own_arr[0]] != payment.currency:
        return None
    own = own_arr.tolist()
    sim, via = similarity_to(clues, cust, lookups)
    earned, late = [], []  # empty: no terms on any of them
    if any(items.terms[i] for i in own):
        for i in own:
            got, missed = discounts(items.terms[i], items.dates[i], int(items.gross[i]), payment.date)
            earned.append(got)
            late.append(missed)
    months = set(payment.says.months)
    period = [k for k, i in enumerate(own) if _month(items.dates[i]) in months] if months else []
    return _Account(cust, own, items.open[own_arr].tolist(), sim, via, earned, late, period, set(later))


def _off_period(payment: Payment, paid: list[int], fit: Fit, lookups: Lookups) -> bool:
    """The memo names a month other than the payment's own ("付2月货款" paid in March) and none
    of the items is from it. The payment's own month may only say when it was paid ("Zahlung
    Oktober"), so it speaks against nothing."""
    named = set(payment.says.months) - {_month(payment.date)}
    return bool(named and paid and not fit.period) and not any(
        _month(lookups.items.dates[i]) in named for i in paid
    )


def _month(day: np.datetime64) -> tuple[int, int]:
    text = str(day)[:7]
    return int(text[:4]), int(text[5:7])


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


def _referenced(clues: Clues, account: _Account, lookups: Lookups) -> dict[int, tuple[int, str]]:
    """The customer's items the memo names; failing that, the one a number one character off names."""
    if not (clues.named_items or clues.has_memo) or not account.own:
        return {}
    mine = set(account.own)
    found = {i: v for i, v in clues.named_items.items() if i in mine}
    if found or clues.by_number:  # an exact number anywhere: no near miss instead of it
        return found
    dates = _date_spellings(clues.payment.date)
    words = [w for w in lookups.evidence.words(clues.payment.line) if w not in dates]
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


def _date_spellings(day: np.datetime64) -> frozenset[str]:
    """The payment's date, and the days around it, as banks write them without separators
    (ACH "DESC DATE:260325", "EED:260325"): never a mistyped invoice number."""
    return _spellings_of(int(day.astype("datetime64[D]").astype(np.int64)))


@lru_cache(maxsize=512)
def _spellings_of(epoch_day: int) -> frozenset[str]:
    out = set()
    for shift in range(-_DATE_WINDOW, _DATE_WINDOW + 1):
        d = np.datetime64(epoch_day + shift, "D").item()
        for form in ("%y%m%d", "%Y%m%d", "%d%m%y", "%m%d%y", "%d%m%Y", "%m%d%Y"):
            out.add(d.strftime(form))
    return frozenset(out)


def _searches(clues: Clues, account: _Account, refs: dict[int, tuple[int, str]]) -> bool:
    """Subset searches cost the most: only for the customers the evidence points at."""
    strong = any(lv >= Level.NOPREFIX for lv, _ in refs.values())
    sim = account.similarity
    return (
        (bool(refs) and not strong)
        or account.customer in clues.custnos
        or bool(account.period)
        or (
            not clues.strong_custs and sim >= _SEARCH_NAME_FLOOR and sim >= clues.best_sim - _SEARCH_NAME_BAND
        )
    )


def _proposals(clues: Clues, account: _Account, lookups: Lookups) -> list[Proposal]:
    """One proposal per way the payment fits the customer's items, with its evidence."""
    payment, cust = clues.payment, account.customer
    refs = _referenced(clues, account, lookups)
    position = {item: k for k, item in enumerate(account.own)} if refs else {}
    ref_pos = sorted(position[i] for i in refs)
    other = max((s for c, (s, _) in clues.names.items() if c != cust), default=0.0)
    ref_other = bool(clues.strong_custs - {cust}) and cust not in clues.strong_custs
    # Invoices of the customer's group-mates the memo names are left out by any one member's
    # proposal: they count against it as its own would (the group's proposal pays them all).
    g = lookups.groups.group_of(cust)
    mates = (
        sum(
            1
            for i, (lv, _) in clues.named_items.items()
            if lv >= Level.NOPREFIX
            and int(lookups.items.customer[i]) != cust
            and lookups.groups.group_of(int(lookups.items.customer[i])) == g
        )
        if g >= 0
        else 0
    )
    out = []
    for fit in fits_for_customer(
        payment.amount,
        account.opens,
        ref_pos,
        fee_tolerance=lookups.tolerances.fee,
        amount_tolerance=lookups.tolerances.amount,
        says=payment.says,
        search=_searches(clues, account, refs),
        earned=account.earned,
        late=account.late,
        period=account.period,
        turn=payment.turn[1] if payment.turn[0] == cust else 0,
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
                cust_refs=len(ref_pos) + mates,
                ref_other=ref_other,
                similarity=float(account.similarity),
                via=account.via,
                other=float(other),
                custno=cust in clues.custnos,
                payer_named=payment.payer_named,
                unique=len(clues.amount_hits) == 1 and paid_items == clues.amount_hits,
                ref_text=refs[shown[0]][1] if shown else "",
                ref_nos=", ".join(str(lookups.items.numbers[i]) for i in shown),
                period=fit.period,
                oldest=fit.oldest,
                turn=fit.turn,
                off_period=_off_period(payment, paid_items, fit, lookups),
                payer_agrees=account.similarity >= PAYER_AGREES or cust in clues.custnos,
                early=bool(account.early & set(paid_items)),
                unresolved=clues.unresolved,
                note=_note(fit, rows, lookups),
            )
        )
    return out


def _note(fit: Fit, rows: tuple[tuple[int, int, str], ...], lookups: Lookups) -> str:
    """What a late discount's reason must say: when the period ended, and what stays open."""
    if fit.fit not in ("late_discount", "late_granted"):
        return ""
    items = lookups.items
    ends = []
    for i in dict.fromkeys(i for i, _, _ in rows if i >= 0):
        if items.terms[i]:
            end = items.dates[i] + np.timedelta64(max(t.days for t in items.terms[i]), "D")
            ends.append(f"{items.numbers[i]} on {str(end)[:10]}")
    when = f" (the period ended for {', '.join(ends)})" if ends else ""
    if fit.fit == "late_granted":
        return f"the discount is granted although it was taken after its period{when}"
    short = sum(items.open[i] for i in dict.fromkeys(i for i, _, _ in rows if i >= 0)) - sum(
        c for _, c, k in rows if k == "payment"
    )
    digits = currency_digits(str(items.currency[next(i for i, _, _ in rows if i >= 0)]))  # the invoices'
    return (
        f"a discount of {format_cents(int(short), digits)} was taken after its period{when}: "
        "the difference stays open"
    )


def _advances(clues: Clues, lookups: Lookups) -> list[Proposal]:
    """An advance on an order: the money is kept on the customer's account (Kind unapplied).

    The customer is the one the payer's name, a customer number or a PO/contract number in
    Invoices.Reference points at; an invoice of the same amount is no evidence here.
    """
    payment, items = clues.payment, lookups.items
    named = sorted(((sim, c) for c, (sim, _) in clues.names.items() if sim >= PAYER_AGREES), reverse=True)
    candidates = {c for _, c in named[:_NAME_TOP]} | clues.custnos
    candidates |= {int(items.customer[i]) for i in clues.named_items if items.customer[i] >= 0}
    out = []
    for cust in sorted(candidates):
        out.append(
            Proposal(
                line=payment.line,
                customer=cust,
                rows=((-1, payment.amount, "unapplied"),),
                fit="advance",
                referenced=0,
                items=0,
                ambiguous=False,
                ref_level=-1,
                cust_refs=0,
                ref_other=False,
                unique=False,
                ref_text="",
                ref_nos="",
                **about_payer(clues, cust, lookups),
                note="the memo says it is an advance on an order: kept on the customer's account for its invoice",
            )
        )
    return out
