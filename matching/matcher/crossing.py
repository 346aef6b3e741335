"""Proposals beyond one customer's account: a group's payment, and a payment in another currency.

A group (Customers.Group: a parent, a shared-service centre and its members) pays invoices of
several members in one transfer. When the memo names invoices of two or more customers of
one group, one proposal pays them all; each allocation keeps its invoice's own CustomerID.
The payer agrees when it is the group (its name) or any member.

A payment in another currency than the invoice it names (or than the open item whose amount
the memo states in that currency, "USD 86,309.40") is proposed with the rate it implies beside
the Rates table's on the payment date (exchange.py converts it: the invoice settled in its own
currency, a difference to what is open as a Kind fx row). It posts itself like that when the
memo names the invoice, the payer agrees and the implied rate is within
fx_rate_tolerance_percent of the table's (policy.py); otherwise a person approves it. A rate
the table lacks is named (currency and day) in the reason, never taken as 1. Its rows carry
the line's money in the line's currency, as every payment row does (split by the invoices'
open amounts when it names several); the reason gives both amounts and both rates.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from common.currency import currency_digits, format_money
from common.errors import InputError
from matching.matcher.amounts import fits_for_customer
from matching.matcher.clues import PAYER_AGREES, Clues, Payment, Proposal, about_payer, similarity_to
from matching.matcher.exchange import Crossing, crossing
from matching.matcher.lookups import Lookups
from matching.matcher.references import Level
from matching.matcher.terms import discounts

__all__ = ["currency_proposals", "group_proposals"]


def group_proposals(clues: Clues, lookups: Lookups) -> list[Proposal]:
    """One proposal per group whose members' invoices the memo names (two members or more)."""
    items, groups, payment = lookups.items, lookups.groups, clues.payment
    by_group: dict[int, list[int]] = defaultdict(list)
    for i, (level, _) in clues.named_items.items():
        cust = int(items.customer[i])
        if level >= Level.NOYEAR and cust >= 0 and groups.group_of(cust) >= 0:
            by_group[groups.group_of(cust)].append(i)
    out: list[Proposal] = []
    for g, named in by_group.items():
        customers = {int(items.customer[i]) for i in named}
        if len(customers) < 2:
            continue
        own = sorted(named, key=lambda i: (items.dates[i], str(items.numbers[i])))
        earned, late = zip(
            *(discounts(items.terms[i], items.dates[i], int(items.gross[i]), payment.date) for i in own),
            strict=True,
        )
        payer = max(customers, key=lambda c: clues.names.get(c, (0.0, ""))[0])
        sim, via = max((similarity_to(clues, c, lookups) for c in customers), key=lambda sv: sv[0])
        outside = [s for c, (s, _) in clues.names.items() if groups.group_of(c) != g]
        for fit in fits_for_customer(
            payment.amount,
            items.open[own].tolist(),
            range(len(own)),
            fee_tolerance=lookups.tolerances.fee,
            amount_tolerance=lookups.tolerances.amount,
            says=payment.says,
            search=False,
            earned=earned,
            late=late,
        ):
            rows = tuple((own[k] if k >= 0 else -1, cents, kind) for k, cents, kind in fit.rows)
            paid = [i for i, cents, kind in rows if i >= 0 and kind == "payment" and cents > 0]
            shown = paid if fit.fit != "paid" else own
            out.append(
                Proposal(
                    line=payment.line,
                    customer=payer
                    if clues.names.get(payer, (0.0, ""))[0] > 0
                    else int(items.customer[own[0]]),
                    rows=rows,
                    fit=fit.fit,
                    referenced=fit.referenced,
                    items=fit.items,
                    ambiguous=fit.ambiguous,
                    ref_level=max((clues.named_items[i][0] for i in shown), default=-1),
                    cust_refs=len(own),
                    ref_other=False,
                    similarity=float(sim),
                    via=via,
                    other=float(max(outside, default=0.0)),
                    custno=bool(customers & clues.custnos),
                    payer_named=payment.payer_named,
                    unique=False,
                    ref_text=clues.named_items[shown[0]][1] if shown else "",
                    ref_nos=", ".join(str(items.numbers[i]) for i in shown),
                    payer_agrees=sim >= PAYER_AGREES or bool(customers & clues.custnos),
                    unresolved=clues.unresolved,
                    note=f"pays invoices of {len(customers)} customers of group {groups.names[g]}",
                )
            )
    return out


def _foreign_items(clues: Clues, lookups: Lookups) -> dict[int, list[int]]:
    """Open items in another currency than the line that the memo names, or whose amount it
    states in their currency; by customer."""
    items, payment = lookups.items, clues.payment
    found: set[int] = set()
    for item, level, _, _ in lookups.evidence.refs.get(payment.line, []):
        if level >= Level.NOYEAR and items.currency[item] != payment.currency and items.open[item] > 0:
            found.add(item)
    for currency, cents in payment.says.foreign:
        pool = list(items.by_amount.get(cents, []))
        for cust in clues.names:
            own = items.by_customer.get(cust, np.empty(0, dtype=np.int64))
            pool += [int(i) for i in own if items.open[i] == cents]
        found |= {i for i in pool if items.currency[i] == currency and items.open[i] == cents}
    by_customer: dict[int, list[int]] = defaultdict(list)
    for i in sorted(found, key=lambda i: (items.dates[i], str(items.numbers[i]))):
        if items.customer[i] >= 0:
            by_customer[int(items.customer[i])].append(i)
    return by_customer


def currency_proposals(clues: Clues, lookups: Lookups) -> list[Proposal]:
    """Per customer, the line's money on its items in another currency, with the implied rate."""
    items, payment = lookups.items, clues.payment
    named = {item: level for item, level, _, _ in lookups.evidence.refs.get(payment.line, [])}
    out = []
    for cust, own in _foreign_items(clues, lookups).items():
        opens = [int(items.open[i]) for i in own]
        total, currency = sum(opens), str(items.currency[own[0]])
        if len({str(items.currency[i]) for i in own}) > 1 or total <= 0:
            continue
        shares = [payment.amount * o // total for o in opens]
        shares[-1] += payment.amount - sum(shares)
        # per unit, not per minor unit: a yen has no cents
        scale = 10.0 ** (currency_digits(currency) - currency_digits(payment.currency))
        rate = payment.amount / total * scale
        stated = any(c == currency and cents == total for c, cents in payment.says.foreign)
        levels = [named[i] for i in own if i in named]
        crossings, fx_off = _converted(payment, own, shares, currency, lookups)
        out.append(
            Proposal(
                line=payment.line,
                customer=cust,
                rows=tuple((i, share, "payment") for i, share in zip(own, shares, strict=True)),
                fit="currency",
                referenced=len(levels),
                items=len(own),
                ambiguous=False,
                ref_level=max(levels, default=-1),
                cust_refs=len(levels),
                ref_other=False,
                unique=stated,
                ref_text="",
                ref_nos=", ".join(str(items.numbers[i]) for i in own),
                **about_payer(clues, cust, lookups),
                unresolved=clues.unresolved,
                foreign=True,
                crossings=crossings,
                fx_off=fx_off,
                note=(
                    f"paid {format_money(payment.amount, payment.currency)} for {format_money(total, currency)} "
                    f"open ({', '.join(str(items.numbers[i]) for i in own)}): "
                    f"{rate:.4f} {payment.currency} per {currency}"
                    + ("; the memo states that amount" if stated else "")
                    + f"; {_table_words(crossings[0]) if crossings else fx_off}"
                ),
            )
        )
    return out


def _converted(
    payment: Payment, own: list[int], shares: list[int], currency: str, lookups: Lookups
) -> tuple[tuple[Crossing, ...], str]:
    """Each item settled by its share of the line at the Rates table's rate of the payment date,
    and why that may not post itself ("" when the implied rate is within the tolerance)."""
    items, rates, tolerance = lookups.items, lookups.rates, lookups.tolerances.fx_percent
    if rates is None:
        return (), "no Rates table was given to convert it"
    day = pd.Timestamp(payment.date).date()
    try:
        found = tuple(
            crossing(share, payment.currency, int(items.open[i]), currency, rates, day)
            for i, share in zip(own, shares, strict=True)
        )
    except InputError as exc:
        return (), "; ".join(p.message for p in exc.problems)
    gap = max(c.deviation for c in found)
    if gap > tolerance:
        return (
            found,
            f"the implied rate is {gap:.2f} % from the Rates table's, more than fx_rate_tolerance_percent ({tolerance:g} %)",
        )
    return found, ""


def _table_words(c: Crossing) -> str:
    """The Rates table's rate beside the implied one, in the line's currency per unit of the invoice's."""
    return (
        f"the Rates table's of {c.rate_day.isoformat()}: {1 / c.table:.4f} {c.paid_in} per {c.currency} "
        f"({c.deviation:.2f} % apart)"
    )
