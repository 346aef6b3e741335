"""When a proposal may post itself: the evidence must agree.

A wrong automatic posting is the worst thing cash application can do (the wrong customer is
dunned, the right one shown as paid), so a proposal that scores high enough (assignment.py:
the auto threshold and a clear lead over any other) still posts itself only when two
independent pieces of evidence agree and none speaks against them. The pieces:

- reference: the memo names the invoice (its number in any spelling at least without its
  year, a PO or contract number in Invoices.Reference, a structured reference);
- payer: the payer is the customer, a learned alias, a member or the name of its group
  (similarity 80 or more), or the memo carries the customer number;
- amount: the money is exactly the open amount, or exactly that less the discount the
  customer's terms grant on this date; a bank fee or discount within `fee_tolerance` counts
  only beside a named invoice.

Rules:
1. reference + amount, or payer + amount, or reference + payer: partial payments and
   overpayments (the amount does not fit) need the invoice named and the payer agreeing;
   a reference alone, from a named stranger or with an amount that does not fit, is a
   suggestion.
2. Two sets of items that fit equally (`ambiguous`) never post (but see rule 6); nor does a
   discount taken after its period, a deduction above the fee tolerance, or an overpayment
   larger than what it pays.
3. An invoice named by its exact number and dated after the payment (a prepayment on a
   proforma, an invoice typed with a later date) is paid by an exact amount only.
4. When the memo names invoice-like numbers found nowhere, the rest of an overpayment is not
   left unapplied by itself.
5. An advance on an order posts to the customer's account only from a payer who is the
   customer by name, alias or its name as a bank field cut it (or with its customer number
   in the memo), with no other customer's name as close.
6. Equal open items of one customer and nothing naming which (no invoice, no month): the
   payment settles the oldest (by invoice date, then number; equal items of one customer
   share their terms, so it is also the one due first): oldest first, the usual
   cash-application convention. It posts itself when the payer agrees (name, alias, group or
   customer number), no other customer's name is as close, and it is the run's only payment
   of that amount to that customer naming nothing: two such payments in one run settle two
   of the equal items, and which pays which (each invoice's payment date, its dunning history)
   is for a person to say. Their suggestions take the items in payment order (the earliest
   payment the oldest item, the next the next oldest: assignment.py), so that approving them
   all settles as many distinct items, the oldest ones.
7. A payment in another currency than its invoice posts itself (converted at the Rates
   table's rate of the payment date, the difference as Kind fx: exchange.py) when the memo
   names the invoice, the payer agrees, and the rate the payment implies is within
   fx_rate_tolerance_percent of the table's; a rate the table lacks holds it, named.
Money that is not a customer receipt never gets this far (screening.py). `held_by` names the
rule a proposal does not meet, in words for the clerk: a suggestion that scores high enough to
post itself says in its reason why it did not.
"""

from __future__ import annotations

from matching.matcher.clues import Proposal
from matching.matcher.references import Level

__all__ = ["AUTO_FITS", "held_by"]

AUTO_FITS = frozenset({"exact", "terms", "fee", "discount", "partial", "over", "advance", "currency"})
_CERTAIN = 97.0  # similarity of a customer's own name, learned alias, or its name cut by a bank field
_RIVAL = 90.0
_NEVER = {  # fits that always wait for a person, and why
    "late_discount": "a discount taken after its period is for a person to accept",
    "late_granted": "a discount taken after its period is for a person to accept",
    "fee_over": "the deduction is above the fee tolerance",
    "discount_over": "the deduction is above the fee tolerance",
    "over_large": "the money left over is more than what it pays",
    "paid": "the invoice named is paid already",
}


def held_by(p: Proposal, claimants: int = 1) -> str:
    """The rule that keeps the proposal from posting itself, in words; empty: its evidence agrees
    enough for it to post itself (the rules above). `claimants`: for the oldest of equal items
    (rule 6), how many payments of the run claim that customer's items of that amount."""
    if p.fit not in AUTO_FITS:
        return _NEVER[p.fit]
    if p.ambiguous and not p.oldest:
        return "another set of open items fits equally"
    if p.oldest:
        held = _oldest_held(p, claimants)
        if held:
            return held
    if p.foreign:
        return _crossing_held(p)
    if p.fit == "advance":
        if not (p.similarity >= _CERTAIN or p.custno):
            return "an advance posts itself only from the customer by name or with its customer number"
        return "another customer's name is as close to the payer" if p.other >= _RIVAL else ""
    if p.early and p.fit != "exact":
        return "the invoice named is dated after the payment: only its exact amount posts itself"
    if p.fit == "over" and p.unresolved:
        return "the memo names numbers found nowhere: the rest is not left unapplied by itself"
    reference = p.ref_level >= Level.NOYEAR
    payer = p.payer_agrees
    if p.fit in ("exact", "terms"):
        return (
            "" if reference or payer else "beside the amount, neither the invoice named nor the payer agrees"
        )
    if p.fit in ("fee", "discount"):
        return "" if p.ref_level >= 0 else "a deduction posts itself only beside a named invoice"
    if reference and payer:  # partial, over
        return ""
    missing = "the payer does not agree" if reference else "the memo names no invoice"
    return f"a partial payment or overpayment needs the invoice named and the payer agreeing: {missing}"


def _oldest_held(p: Proposal, claimants: int) -> str:
    """Rule 6: why the oldest of equal items does not post itself ("" when it does)."""
    if not p.payer_agrees:
        return "equal open items, nothing names which, and the payer does not agree"
    if p.other >= _RIVAL:
        return "another customer's name is as close to the payer"
    if p.off_period:
        return "the memo names a month none of the equal items is from"
    if claimants > 1:
        return f"{claimants} payments of this run pay this customer's equal open items: which pays which is for a person to say"
    return ""


def _crossing_held(p: Proposal) -> str:
    """Rule 7: why a payment in another currency does not post itself ("" when it does)."""
    missing = [
        why
        for agrees, why in (
            (p.ref_level >= Level.NOYEAR, "the memo names no invoice"),
            (p.payer_agrees, "the payer does not agree"),
            (bool(p.crossings) and not p.fx_off, p.fx_off),
        )
        if not agrees
    ]
    if not missing:
        return ""
    return (
        "a payment in another currency posts itself only with the invoice named, the payer agreeing "
        "and its rate near the Rates table's: " + "; ".join(missing)
    )
