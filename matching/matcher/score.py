"""From evidence to a 0-100 score, and the same evidence in words for the clerk.

Each piece of evidence adds log-odds points. The proposals for one line compete (and so does
"none of them", with odds 1): a proposal's score is its share of the line's total odds, so it
reads as "out of 100 lines like this one, this proposal is the right booking for so many", and
two proposals that fit equally well can never both look certain. The weights were set on the
generated months of `sample_data` and are checked there by `bench/match_quality.py`, which
prints how often proposals in each score band were right (calibration), besides precision.

The evidence, per proposal (one customer, one way of spreading the money):
  ref_level  strongest invoice reference in the memo among the items paid (-1: none)
  cust_refs  how many of this customer's open items the memo names; referenced: how many are paid
  ref_other  the memo names other customers' invoices and none of this one's
  similarity payer name vs this customer (100 = exact or a learned alias); other: best other customer;
             payer_named: the line has a payer name at all
  custno     the customer number is in the memo
  fit        exact, terms (short by the discount the terms grant), fee, discount, partial, over,
             advance (kept on the customer's account), currency (another currency), late_discount
             and late_granted (a discount taken after its period), paid
  period     the items are those of a month the memo names ("Wartung 02/2026", "付2月服务费");
             off_period: the memo names months and none of the items is from them
  oldest     the oldest of the customer's equal open items when nothing names which: oldest
             first, the usual cash-application convention, picks it over the younger ones
(`ambiguous`, an equally good other set exists, adds no points: that other set is a proposal
of its own and takes its share of the odds; the decision step auto-posts neither, but for the
oldest of equal items when policy.py's rule 6 allows.)
  unique     no other open item in the book has this amount
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from common.currency import currency_digits
from common.values import format_cents
from matching.matcher.clues import Proposal
from matching.matcher.references import Level

__all__ = ["FEATURE_COLUMNS", "Facts", "feature_columns", "log_odds", "reason", "shares"]

FEATURE_COLUMNS = [
    "ref_level",
    "cust_refs",
    "referenced",
    "items",
    "ref_other",
    "similarity",
    "other",
    "custno",
    "fit",
    "ambiguous",
    "unique",
    "payer_named",
    "period",
    "off_period",
    "oldest",
]

PRIOR = -4.0
REF_POINTS = {
    Level.STRUCTURED: 7.0,
    Level.FULL: 6.5,
    Level.NOPREFIX: 5.5,
    Level.NOYEAR: 4.0,
    Level.CORE: 2.5,
    Level.TYPO: 2.5,
}
FIT_POINTS = {
    "exact": 3.5,
    "terms": 3.5,
    "advance": 3.5,
    "late_discount": 1.0,
    "late_granted": 0.0,
    "currency": 0.5,
    "fee": 2.5,
    "discount": 2.5,
    "fee_over": 1.5,
    "discount_over": 2.0,
    "partial": 0.6,
    "over": 0.3,
    "over_large": -1.0,
    "paid": -5.0,
}
UNNAMED_DEDUCTION = 1.5  # a fee, discount, partial or overpayment guessed without any reference
UNREFERENCED_ITEMS = 0.3  # an exact fit pays items beyond those the memo names
UNREFERENCED_GUESS = 3.0  # ...any other fit does: a guess on top of the evidence
MISSED_REFERENCES = 4.0  # per item the memo names that the fit leaves out (at most two counted)
OTHER_CUSTOMER_REFERENCED = 3.0
NAME_EXACT = 4.0
NAME_SLOPE = 3.5 / 30  # points per similarity point above 70
NAME_CONFLICT = 2.0  # another customer's name fits the payer, this one's does not
NAME_UNKNOWN = 1.5  # a payer is named, it is not this customer, and no reference explains why
CUSTOMER_NUMBER = 3.0
UNIQUE_AMOUNT = 1.5
NAMED_MONTH = 3.0  # the items are the ones invoiced in the month the memo names
OTHER_MONTH = 2.0  # the memo names a month and none of the items is from it
OLDEST_FIRST = 3.0  # the oldest of equal items, nothing naming which: as strong as a month named


def feature_columns(proposals: Sequence[Proposal]) -> dict[str, list[object]]:
    """The proposals' evidence as log_odds takes it: one list per feature."""
    return {c: [getattr(p, c) for p in proposals] for c in FEATURE_COLUMNS}


def log_odds(features: Mapping[str, Sequence[object]]) -> np.ndarray:
    """Evidence points per proposal; `features` maps each of FEATURE_COLUMNS to one value per proposal."""
    f = {c: np.asarray(features[c]) for c in FEATURE_COLUMNS}
    level = f["ref_level"].astype(int)
    z = np.full(len(level), PRIOR)
    for lv, points in REF_POINTS.items():
        z += np.where(level == int(lv), points, 0.0)
    has_ref = level >= 0
    referenced, items, cust_refs = (f[c].astype(int) for c in ("referenced", "items", "cust_refs"))
    fit = f["fit"].astype(object)
    z -= np.where(
        has_ref & (referenced < items), np.where(fit == "exact", UNREFERENCED_ITEMS, UNREFERENCED_GUESS), 0.0
    )
    z -= MISSED_REFERENCES * np.minimum(cust_refs - np.minimum(referenced, cust_refs), 2)
    z -= np.where(f["ref_other"].astype(bool) & ~has_ref, OTHER_CUSTOMER_REFERENCED, 0.0)
    sim = f["similarity"].astype(float)
    custno = f["custno"].astype(bool)
    z += np.where(sim >= 99.5, NAME_EXACT, np.clip(sim - 70.0, 0.0, None) * NAME_SLOPE)
    z -= np.where((f["other"].astype(float) >= 90) & (sim < 70), NAME_CONFLICT, 0.0)
    z -= np.where(f["payer_named"].astype(bool) & (sim < 60) & ~has_ref & ~custno, NAME_UNKNOWN, 0.0)
    z += np.where(custno, CUSTOMER_NUMBER, 0.0)
    z += np.array([FIT_POINTS[x] for x in fit]) if len(fit) else 0.0
    z -= np.where(np.isin(fit, ["fee", "discount", "partial", "over"]) & ~has_ref, UNNAMED_DEDUCTION, 0.0)
    z += np.where(f["unique"].astype(bool), UNIQUE_AMOUNT, 0.0)
    z += np.where(f["period"].astype(bool), NAMED_MONTH, 0.0)
    z -= np.where(f["off_period"].astype(bool), OTHER_MONTH, 0.0)
    z += np.where(f["oldest"].astype(bool), OLDEST_FIRST, 0.0)
    return z


def shares(z: Sequence[float]) -> np.ndarray:
    """Scores 0-100 of one line's competing proposals: each one's share of the odds (none = 1)."""
    odds = np.exp(np.clip(np.asarray(z, dtype=float), -30, 30))
    return np.round(100.0 * odds / (1.0 + odds.sum()), 1)


_LEVEL_WORDS = {
    Level.STRUCTURED: "structured reference {text} names invoice {nos}",
    Level.FULL: "invoice number {nos} in memo",
    Level.NOPREFIX: "invoice number {nos} in memo (written '{text}')",
    Level.NOYEAR: "invoice number {nos} in memo (written '{text}')",
    Level.CORE: "number '{text}' in memo may be invoice {nos}",
    Level.TYPO: "memo has '{text}', one character off invoice {nos}",
}


def _money(minor: int, facts: Facts) -> str:
    """An amount of the reason in the line's currency's decimals (1234 JPY is "1234", not "12.34")."""
    return format_cents(minor, currency_digits(facts.currency))


@dataclass(frozen=True)
class Facts:
    """What a reason says about a proposal beside its evidence: the line and the items it pays."""

    payer: str
    customer_name: str
    amount: int  # cents of the line
    invoiced: int  # open total of the items paid
    diff: int  # cents booked as fee, discount, write-off or unapplied
    nos: str  # the invoices paid
    currency: str  # the line's: its decimals are the amounts'


def reason(p: Proposal, facts: Facts) -> str:
    """The proposal's evidence in plain words, for the clerk."""
    parts = []
    if p.ref_level >= 0:
        parts.append(_LEVEL_WORDS[Level(p.ref_level)].format(text=p.ref_text, nos=p.ref_nos))
    elif p.ref_other:
        parts.append("memo names another customer's invoice")
    if p.custno:
        parts.append(f"customer number of {facts.customer_name} in memo")
    parts.append(_fit_words(p, facts))
    if p.ambiguous:
        parts.append("another set of open items fits equally")
    if p.unique and p.ref_level < 0:
        parts.append("no other open item has this amount")
    if p.period:
        parts.append("invoiced in the month the memo names")
    if p.oldest and p.turn:
        earlier = (
            "an earlier payment of this run takes"
            if p.turn == 1
            else f"{p.turn} earlier payments of this run take"
        )
        parts.append(f"the oldest of them but {p.turn}: {earlier} the older (oldest first, in payment order)")
    elif p.oldest:
        parts.append("the oldest of them (oldest first)")
    parts.append(_name_words(p, facts))
    parts.append(p.note)
    return "; ".join(x for x in parts if x)


def _fit_words(p: Proposal, facts: Facts) -> str:
    fit, nos = p.fit, facts.nos
    if fit == "exact":
        equal = "amount equal" if p.items == 1 else f"amount equals the sum of {p.items} open items ({nos})"
        diff = facts.diff
        return f"{equal} within the amount tolerance ({_money(diff, facts)} written off)" if diff else equal
    if fit in ("fee", "discount", "fee_over", "discount_over"):
        what = "bank fee" if fit.startswith("fee") else "discount"
        above = " above the fee tolerance" if fit.endswith("_over") else ""
        return f"amount is {_money(facts.diff, facts)} short of {_money(facts.invoiced, facts)} open: {what}{above}"
    if fit == "partial":
        return (
            f"partial payment: {_money(facts.amount, facts)} of {_money(facts.invoiced, facts)} open ({nos})"
        )
    if fit == "terms":
        return f"amount is {_money(facts.diff, facts)} short of {_money(facts.invoiced, facts)} open: the discount its terms grant"
    if fit in ("late_discount", "late_granted"):
        return f"amount is {_money(facts.diff or facts.invoiced - facts.amount, facts)} short of {_money(facts.invoiced, facts)} open"
    if fit in ("over", "over_large"):
        return f"pays {nos} and {_money(facts.diff, facts)} more, left unapplied on the customer"
    if fit == "advance":
        return f"{_money(facts.amount, facts)} left unapplied on the customer"
    if fit == "currency":
        return ""  # the note gives both amounts and the rate
    return "the invoice named is paid already: money left unapplied on the customer"


def _name_words(p: Proposal, facts: Facts) -> str:
    payer, name, sim = facts.payer, facts.customer_name, p.similarity
    if not str(payer).strip():
        return "no payer name"
    if sim >= 99.5:
        what = "a learned alias of" if p.via == "alias" else "="
        return f"payer '{payer}' {what} customer {name}"
    if sim >= 60:
        return f"payer '{payer}' resembles customer {name} ({sim:.0f} %)"
    return f"payer '{payer}' is not customer {name}'s name"
