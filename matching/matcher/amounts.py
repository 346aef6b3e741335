"""How one payment's money can be spread over one customer's open items, in integer cents.

Each way is a `Fit`: the allocations (item position, cents, kind) and what kind of fit it is.
Open items are the customer's invoices and credit notes (negative), oldest first, so the
first solution a search finds is the oldest one ("oldest first on ties"). Fits that are
equally good but different are reported as `ambiguous`: the scorer refuses to auto-post
them, because no evidence says which invoice the customer meant.

Early-payment discount terms (terms.py) come in per item as the cents a payment on this
date earns (`earned`) or would have earned inside a period that has ended (`late`). A
payment short by exactly what it earned settles its invoices with Kind discount, whatever
the fee tolerance ("terms"); short by a discount whose period has ended, it is a payment
only, the difference left open ("late_discount"), beside the same with the discount granted
("late_granted") for a person to choose. A month the memo names (`period`: the items
invoiced in it) picks among items of equal amount; without one, the oldest of them is marked
(`oldest`): oldest first is the usual cash-application convention (policy.py says when it posts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from matching.matcher.memo import NOTHING, MemoFacts

__all__ = ["Fit", "find_subsets", "fits_for_customer", "split_difference"]

MAX_SUBSET_ITEMS = 8  # more invoices than this in one unreferenced payment: let a person look
MAX_SEARCH_ITEMS = 24  # the customer's oldest open items searched for exact subsets
MAX_SIDE_ITEMS = 12  # ...and for completing the items a memo names
SEARCH_BUDGET = 1_500  # nodes per subset search: bounded time on customers with many items
OVER_TOLERANCE_FACTOR = 3  # a fee up to 3x the tolerance (and 5 % of the invoice) is still suggested as one
_DISCOUNT_RATES = (2, 3)  # percent: the usual early-payment terms (2/10 net 30); others when the memo says so


@dataclass(frozen=True)
class Fit:
    """One way to allocate a payment: rows (item, cents, kind) and the fit's name.

    kind of a row: payment, fee, discount, writeoff (on an item) or unapplied (item -1, on the customer).
    fit: exact, fee, discount, terms, partial, over, or paid (the referenced invoices were paid
    already); fee_over / discount_over: a deduction above fee_tolerance, proposed but never
    posted alone; late_discount / late_granted: a discount taken after its period (see above);
    over_large: more left unapplied than applied (more likely unnamed invoices than an overpayment).
    """

    rows: tuple[tuple[int, int, str], ...]
    fit: str
    referenced: int  # how many of the paid items the memo named
    items: int  # how many items receive money
    ambiguous: bool = False
    period: bool = False  # the items are those of a month the memo names
    oldest: bool = False  # the oldest of several equal items, no month named: oldest first picks it
    turn: int = 0  # with `oldest`: how many older equal items earlier payments of the run settle

    @property
    def invoice_set(self) -> frozenset[int]:
        return frozenset(item for item, _, _ in self.rows if item >= 0)


def find_subsets(
    values: Sequence[int], lo: int, hi: int, *, min_items: int = 2, limit: int = 2
) -> list[tuple[int, ...]]:
    """Index tuples of `values` whose sum lies in [lo, hi], oldest-first order, at most `limit`.

    Depth-first, taking an item before leaving it out, so the first solution is the one made
    of the oldest items; bounded by MAX_SUBSET_ITEMS and SEARCH_BUDGET nodes.
    """
    n = len(values)
    pos_left = [0] * (n + 1)
    neg_left = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        pos_left[i] = pos_left[i + 1] + max(values[i], 0)
        neg_left[i] = neg_left[i + 1] + min(values[i], 0)
    found: list[tuple[int, ...]] = []
    budget = [SEARCH_BUDGET]
    chosen: list[int] = []

    def walk(i: int, total: int) -> None:
        if len(found) >= limit or budget[0] <= 0:
            return
        budget[0] -= 1
        if len(chosen) >= min_items and lo <= total <= hi:
            found.append(tuple(chosen))
            return
        if i == n or len(chosen) == MAX_SUBSET_ITEMS:
            return
        if total + neg_left[i] > hi or total + pos_left[i] < lo:
            return
        chosen.append(i)
        walk(i + 1, total + values[i])
        chosen.pop()
        walk(i + 1, total)

    walk(0, 0)
    return found


def split_difference(diff: int, invoiced: int, says: MemoFacts, tolerance: int | None = None) -> str | None:
    """What a short payment's difference is: "discount", "fee", or None (a partial payment).

    A discount when the memo says so or the difference is a round rate of the invoiced total
    (2 %, 3 %, or the rate the memo states); a fee otherwise. Above `tolerance` (when given) it
    is still named when it plausibly is one (a round discount rate, or a fee up to 3x the
    tolerance and 10 % of the total), unless the memo calls the payment partial.
    """
    rates = [*_DISCOUNT_RATES, *([float(says.rate)] if says.rate else [])]
    rate = any(
        round(invoiced * r / 100) >= 100 and abs(diff - round(invoiced * r / 100)) <= 1 for r in rates
    ) or (says.discount_cents is not None and abs(diff - says.discount_cents) <= 1)
    kind = "discount" if says.discount or (rate and not says.fee) else "fee"
    if tolerance is None or diff <= tolerance:
        return kind
    if says.partial:
        return None
    if kind == "discount" or (diff <= OVER_TOLERANCE_FACTOR * tolerance and diff * 10 <= invoiced):
        return kind
    return None


def _pay(items: Sequence[int], opens: Sequence[int], amount: int) -> list[tuple[int, int, str]]:
    """Fill items oldest first with `amount` (credit notes first, so they are always netted)."""
    rows = [(i, opens[i], "payment") for i in items if opens[i] < 0]
    left = amount - sum(o for _, o, _ in rows)
    for i in items:
        if opens[i] > 0 and left > 0:
            part = min(opens[i], left)
            rows.append((i, part, "payment"))
            left -= part
    return rows


def _settle_each(
    items: Sequence[int], opens: Sequence[int], deductions: Sequence[int], diff: int
) -> list[tuple[int, int, str]]:
    """Each item paid its open amount less its own discount; the last absorbs a cent of rounding."""
    cut = [max(deductions[i], 0) if opens[i] > 0 else 0 for i in items]
    last = max((k for k, c in enumerate(cut) if c), default=None)
    if last is not None:
        cut[last] += diff - sum(cut)
    rows = [(i, opens[i] - c, "payment") for i, c in zip(items, cut, strict=True)]
    return rows + [(i, c, "discount") for i, c in zip(items, cut, strict=True) if c]


def _settle(items: Sequence[int], opens: Sequence[int], amount: int, kind: str) -> list[tuple[int, int, str]]:
    """Pay items whose open total is `amount` + a difference of `kind`, which closes what is left."""
    rows = _pay(items, opens, amount)
    paid: dict[int, int] = {}
    for i, cents, _ in rows:
        paid[i] = paid.get(i, 0) + cents
    return rows + [(i, opens[i] - paid.get(i, 0), kind) for i in items if opens[i] - paid.get(i, 0) > 0]


def fits_for_customer(
    amount: int,
    opens: Sequence[int],
    referenced: Sequence[int],
    *,
    fee_tolerance: int,
    amount_tolerance: int,
    says: MemoFacts = NOTHING,
    search: bool = True,
    earned: Sequence[int] = (),
    late: Sequence[int] = (),
    period: Sequence[int] = (),
    turn: int = 0,
) -> list[Fit]:
    """Every sensible way to spread `amount` over one customer's open items.

    `opens` are the open amounts of the customer's items, oldest first (0 = already paid);
    `referenced` are positions in `opens` that the memo names; `earned`/`late` the discount
    cents per position (empty: no terms); `period` the positions invoiced in a month the memo
    names; `turn` how many of the run's payments of this amount naming nothing come before
    this one (by date), which settle as many of the oldest equal items first, so that equal
    payments pay equal items in their order. A shortfall up to `amount_tolerance` still counts as an exact payment, the
    difference written off. `search` False skips the subset searches (for customers only
    weakly suggested by the payer name or the amount).
    """
    n = len(opens)
    refs = sorted(set(referenced))
    earned = list(earned) or [0] * n
    late = list(late) or [0] * n
    fits: list[Fit] = []
    live = [i for i in range(n) if opens[i] != 0]
    live_refs = [i for i in refs if opens[i] != 0]
    in_period = set(period)
    months = bool(says.months)

    def add(
        rows: list[tuple[int, int, str]],
        fit: str,
        ambiguous: bool = False,
        by_period: bool = False,
        oldest: bool = False,
        turn: int = 0,
    ) -> None:
        paid = {i for i, cents, kind in rows if i >= 0 and kind == "payment" and cents != 0}
        fits.append(
            Fit(tuple(rows), fit, len(paid & set(refs)), len(paid), ambiguous, by_period, oldest, turn)
        )

    if refs:
        total = sum(opens[i] for i in live_refs)
        others = [i for i in live if i not in live_refs]
        rest = [i for i in others if opens[i] < 0] + [i for i in others if opens[i] > 0][:MAX_SIDE_ITEMS]
        extra = amount - total
        completion = _completion(rest, opens, extra) if live_refs and extra else []
        if not live_refs:
            add([(-1, amount, "unapplied")], "paid")
        elif total == amount:
            add(_pay(live_refs, opens, amount), "exact")
        elif completion:
            add(_pay(sorted(live_refs + list(completion[0])), opens, amount), "exact", len(completion) > 1)
        if live_refs and 0 < total - amount <= amount_tolerance:
            add(_settle(live_refs, opens, amount, "writeoff"), "exact")
        elif live_refs and total > amount:
            _short(live_refs, total - amount, fee_tolerance, says, opens, earned, late, add)
        elif live_refs and total < amount:
            add(
                [*_pay(live_refs, opens, total), (-1, extra, "unapplied")],
                "over" if extra <= total else "over_large",
            )

    if any(f.fit in ("exact", "terms") and f.referenced for f in fits):
        return _unique(fits)  # the memo's invoices fit exactly: other sets could only lose to them
    positive = [i for i in live if opens[i] > 0]
    singles = [i for i in positive if opens[i] == amount]
    named_month = [i for i in singles if i in in_period]
    if len(singles) > 1 and len(named_month) == 1:
        add([(named_month[0], amount, "payment")], "exact", by_period=True)
    several = len(singles) > 1
    # Oldest first, in the order of the payments; when the memo names a month, the month decides.
    turn = turn if turn < len(singles) else 0
    for i in dict.fromkeys([singles[turn], *singles[:2]]) if several else singles:
        first = several and i == singles[turn] and not months
        add([(i, amount, "payment")], "exact", several, oldest=first, turn=turn if first else 0)
    for i in [i for i in positive if earned[i] and abs(opens[i] - earned[i] - amount) <= 1][:2]:
        add(_settle_each([i], opens, earned, opens[i] - amount), "terms")
    for i in [i for i in positive if late[i] and abs(opens[i] - late[i] - amount) <= 1][:2]:
        add([(i, amount, "payment")], "late_discount")
        add(_settle_each([i], opens, late, opens[i] - amount), "late_granted")
    search_items = live[:MAX_SEARCH_ITEMS] if search else []
    if not singles and search_items:
        _subsets(amount, opens, [i for i in live if i in in_period], search_items, add)
    near = [i for i in positive if 0 < opens[i] - amount <= max(fee_tolerance, amount_tolerance)]
    for i in near[:2]:
        if opens[i] - amount <= amount_tolerance:
            add(_settle([i], opens, amount, "writeoff"), "exact", len(near) > 1)
            continue
        if earned[i] and abs(opens[i] - earned[i] - amount) <= 1:
            continue  # proposed above as the discount the terms grant
        kind = split_difference(opens[i] - amount, opens[i], says)
        add(_settle([i], opens, amount, kind), kind, len(near) > 1)
    balance = sum(opens[i] for i in live)
    if live and 0 < balance < amount:
        rest_amount = amount - balance
        add(
            [*_pay(live, opens, balance), (-1, rest_amount, "unapplied")],
            "over" if rest_amount <= balance else "over_large",
        )
    if positive and not singles and balance > amount:
        add(_pay(live, opens, amount), "partial")
    return _unique(fits)


def _short(
    items: list[int],
    diff: int,
    fee_tolerance: int,
    says: MemoFacts,
    opens: Sequence[int],
    earned: list[int],
    late: list[int],
    add: Callable[..., None],
) -> None:
    """The fits of named items paid `diff` short: the terms' discount, a late one, a fee, a partial payment."""
    total = sum(opens[i] for i in items)
    rounding = len(items)  # a cent per invoice
    owed, missed = sum(earned[i] for i in items), sum(late[i] for i in items)
    amount = total - diff
    if owed and abs(diff - owed) <= rounding:
        add(_settle_each(items, opens, earned, diff), "terms")
        return
    if missed and abs(diff - missed) <= rounding:
        add(_pay(items, opens, amount), "late_discount")
        add(_settle_each(items, opens, late, diff), "late_granted")
        return
    kind = split_difference(diff, total, says, fee_tolerance)
    if kind:
        over = "_over" if diff > fee_tolerance else ""
        add(_settle(items, opens, amount, kind), kind + over)
    add(_pay(items, opens, amount), "partial")


def _subsets(
    amount: int, opens: Sequence[int], in_period: list[int], search: list[int], add: Callable[..., None]
) -> None:
    """Unnamed sets of items paying `amount` exactly: those of the month the memo names first."""
    if in_period:
        invoices = [i for i in in_period if opens[i] > 0]
        for every in (in_period, invoices):  # the month's items, with or without its credit notes
            if sum(opens[i] for i in every) == amount:
                add(_pay(every, opens, amount), "exact", by_period=True)
                return
        found = find_subsets([opens[i] for i in in_period], amount, amount)
        if len(found) == 1:
            add(_pay([in_period[j] for j in found[0]], opens, amount), "exact", by_period=True)
            return
    found = find_subsets([opens[i] for i in search], amount, amount)
    for s in found:
        add(_pay([search[j] for j in s], opens, amount), "exact", len(found) > 1)


def _completion(rest: list[int], opens: Sequence[int], extra: int) -> list[tuple[int, ...]]:
    """Unreferenced items that make up the difference to the referenced ones (credit notes too)."""
    single = [(i,) for i in rest if opens[i] == extra]
    if single:
        return single[:2]
    return [tuple(rest[j] for j in s) for s in find_subsets([opens[i] for i in rest], extra, extra)]


def _unique(fits: list[Fit]) -> list[Fit]:
    seen: set[tuple[tuple[int, int, str], ...]] = set()
    out = []
    for fit in fits:
        key = tuple(sorted(fit.rows))
        if key not in seen:
            seen.add(key)
            out.append(fit)
    return out
