"""Payments posted before the month: the `Allocations` log that aging, credit and days-late read.

An invoice issued before the month is paid when its customer habitually pays it (due
date plus the customer's usual lateness) falls before the month; most such payments are
plain, a few lost a bank fee or took a discount, a few were partial, and credit notes are
often netted in the payment of the invoice they credit. Invoices the month's receipts pay
are left open here (the `remainder` ones get their first part here). Vectorised: this
scales with the number of invoices.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sample_data.frames import conform

if TYPE_CHECKING:
    from sample_data.generator import Ledger
    from sample_data.receipts import Plan

__all__ = ["build"]

_FEE_CHOICES = np.array([500, 750, 1200, 1500])


def build(
    ledger: Ledger, plan: Plan, as_of: dt.date, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray]:
    """(Allocations before the month, open amount per invoice after the month's true allocations)."""
    month_start = np.datetime64(as_of, "M").astype("datetime64[D]")
    last_day = month_start - np.timedelta64(1, "D")
    n = len(ledger.amount)
    amount = ledger.amount
    positive = amount > 0
    before = (ledger.date < month_start) & ~plan.used
    paid = before & positive & (ledger.natural_pay < month_start)
    u = rng.random(n)
    paid &= u > 0.03  # forgotten, still open
    partial = paid & (u < 0.07) & (amount >= 20_000)
    full = paid & ~partial
    when = np.minimum(ledger.natural_pay, last_day)
    when = np.busday_offset(when, 0, roll="backward")
    when = np.maximum(when, ledger.date + np.timedelta64(1, "D"))
    when = np.minimum(when, last_day)

    cash = np.where(full, amount, 0).astype(np.int64)
    cash[partial] = np.round(amount[partial] * rng.uniform(0.3, 0.7, size=int(partial.sum())), -2).astype(
        np.int64
    )
    v = rng.random(n)
    fee_mask = full & (v < 0.04) & (amount >= 60_000)
    fee = np.where(fee_mask, _FEE_CHOICES[rng.integers(len(_FEE_CHOICES), size=n)], 0)
    early = (when - ledger.date).astype(int) <= 10
    disc_mask = full & ~fee_mask & early & (v > 0.94)
    disc = np.where(disc_mask, (amount * 2 + 50) // 100, 0)
    cash -= fee + disc

    # credit notes netted in the payment of the invoice they credit
    credit = ledger.is_credit & (ledger.date < month_start) & ~plan.used
    related = np.where(credit, ledger.related, 0)
    nettable = credit & full[related] & (when[related] >= ledger.date) & (cash[related] > -amount) & (u < 0.6)
    net_cn = np.flatnonzero(nettable)
    net_inv = related[net_cn]
    keep = ~pd.Series(net_inv).duplicated().to_numpy()  # one credit note per invoice payment
    net_cn, net_inv = net_cn[keep], net_inv[keep]
    cash[net_inv] += amount[net_cn]  # the transfer was smaller by the credit

    rows_inv = [np.flatnonzero(full | partial)]
    rows_amount = [cash[rows_inv[0]]]
    rows_kind = [np.full(len(rows_inv[0]), "payment", dtype=object)]
    rows_line = [rows_inv[0]]
    for mask, values, kind in ((fee_mask, fee, "fee"), (disc_mask, disc, "discount")):
        idx = np.flatnonzero(mask)
        rows_inv.append(idx)
        rows_amount.append(values[idx])
        rows_kind.append(np.full(len(idx), kind, dtype=object))
        rows_line.append(idx)
    rows_inv.append(net_cn)
    rows_amount.append(amount[net_cn])
    rows_kind.append(np.full(len(net_cn), "payment", dtype=object))
    rows_line.append(net_inv)
    if plan.history_partial:
        idx, cents, dates = zip(*plan.history_partial, strict=True)
        part = np.array(idx, dtype=np.int64)
        when[part] = np.array(dates, dtype="datetime64[D]")
        rows_inv.append(part)
        rows_amount.append(np.array(cents, dtype=np.int64))
        rows_kind.append(np.full(len(part), "payment", dtype=object))
        rows_line.append(part)

    inv = np.concatenate(rows_inv)
    cents = np.concatenate(rows_amount).astype(np.int64)
    kind = np.concatenate(rows_kind)
    line_of = np.concatenate(rows_line)  # the invoice whose transfer carried this allocation
    pay_date = when[line_of]
    settled = np.bincount(inv, weights=cents, minlength=n).astype(np.int64)
    open_after = amount - settled - plan.paid
    return _frame(ledger, inv, cents, kind, line_of, pay_date, rng), open_after


def _frame(
    ledger: Ledger,
    inv: np.ndarray,
    cents: np.ndarray,
    kind: np.ndarray,
    line_of: np.ndarray,
    pay_date: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    order = np.lexsort((kind != "payment", line_of, pay_date))
    inv, cents, kind, line_of, pay_date = (
        inv[order],
        cents[order],
        kind[order],
        line_of[order],
        pay_date[order],
    )
    n = len(inv)
    line_ids = np.array(
        [
            "B" + hashlib.blake2b(f"history\x1f{ledger.number[i]}".encode(), digest_size=8).hexdigest()
            for i in np.unique(line_of)
        ],
        dtype=object,
    )
    line_id = line_ids[np.searchsorted(np.unique(line_of), line_of)]
    minutes = rng.integers(8 * 60, 18 * 60, size=n).astype("timedelta64[m]")
    posted = (pay_date + rng.integers(1, 4, size=n).astype("timedelta64[D]")).astype(
        "datetime64[m]"
    ) + minutes
    method = np.array(["auto", "approved", "manual"], dtype=object)[rng.choice(3, size=n, p=[0.6, 0.3, 0.1])]
    width = max(6, len(str(n)))
    frame = pd.DataFrame(
        {
            "AllocationID": ("A" + pd.Series(np.arange(1, n + 1).astype(str)).str.zfill(width)).to_numpy(
                dtype=object
            ),
            "LineID": line_id,
            "InvoiceNo": ledger.number[inv],
            "CustomerID": ledger.customer_ids[ledger.customer[inv]],
            "Amount": cents,
            "PaymentDate": pay_date.astype("datetime64[ns]"),
            "Kind": kind,
            "Method": method,
            "PostedAt": posted.astype("datetime64[ns]"),
        }
    )
    return conform(frame, "Allocations")
