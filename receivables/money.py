"""Totals across currencies: added in each currency first, then converted once through the Rates.

Receivables never adds amounts of two currencies. A figure that covers several (the open AR
of the company, a customer's exposure, a period of the forecast) is made in two steps: the
amounts of each currency are added exactly, then each currency's total is converted at the
rate that applies on the day (common.currency: the latest on or before it, not too old) and
rounded once, half away from zero, to the target currency's minor unit; the converted total
is the sum of those. So a person can check it by hand from the per-currency figures and the
rates. Converting per item instead would give a slightly different figure (one rounding per
item), which is why nothing here does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from common.currency import Rates, convert, currency_digits, format_money

__all__ = [
    "by_currency",
    "converted",
    "in_base_units",
    "in_currencies",
    "per_currency_text",
    "sum_in",
    "totals_text",
]


def by_currency(amounts: pd.Series, currencies: pd.Series) -> dict[str, int]:
    """Exact totals in minor units per currency (codes sorted), zero totals kept."""
    frame = pd.DataFrame({"c": currencies.to_numpy(), "a": amounts.fillna(0).astype("int64").to_numpy()})
    sums = frame.groupby("c", sort=True)["a"].sum()
    return {str(c): int(v) for c, v in sums.items()}


def per_currency_text(amounts: pd.Series, currencies: pd.Series, base: str) -> str:
    """ "1200.00 EUR; 350.00 USD": the amounts added per currency, never across (`totals_text`)."""
    return totals_text(by_currency(amounts, currencies) if len(amounts) else {}, base)


def totals_text(totals: Mapping[str, int], base: str) -> str:
    """ "1200.00 EUR; 350.00 USD": per-currency totals, each in its own decimals ("0.00 EUR", in
    `base`, for none): how a summary, a note or the report says money."""
    return "; ".join(format_money(v, c) for c, v in totals.items()) or format_money(0, base)


def converted(totals: Mapping[str, int], to: str, rates: Rates, day: date) -> int:
    """The per-currency `totals` in `to`, each converted once at its rate of `day` and added."""
    return sum(in_currencies(totals, to, rates, day).values())


def sum_in(
    keys: pd.Series,
    amounts: pd.Series,
    currencies: pd.Series,
    targets: pd.Series,
    rates: Rates,
    day: date,
) -> pd.Series:
    """Per key, its amounts in the key's own currency (`targets`: key -> code): each (key,
    currency) total converted once and added. Keys without amounts are 0; the index is `targets`'."""
    frame = pd.DataFrame(
        {
            "k": keys.to_numpy(),
            "c": currencies.to_numpy(),
            "a": amounts.fillna(0).astype("int64").to_numpy(),
        }
    )
    out = pd.Series(0, index=targets.index, dtype="int64")
    if frame.empty:
        return out
    sums = frame.groupby(["k", "c"], sort=False)["a"].sum()
    sums = sums[sums.index.get_level_values("k").isin(targets.index)]
    crossing = [(k, c) for k, c in sums.index if c != targets[k]]
    found = rates.rates({c for _, c in crossing} | {targets[k] for k, _ in crossing}, day) if crossing else {}
    for (key, currency), total in sums.items():
        target = targets[key]
        out[key] += int(total) if currency == target else convert(int(total), found[currency], found[target])
    return out


def in_currencies(totals: Mapping[str, int], to: str, rates: Rates, day: date) -> dict[str, int]:
    """Each per-currency total of `totals` converted to `to` on its own (the rows a person adds up).
    A total of 0 needs no rate: a currency needs one only when it has an amount to convert."""
    needed = rates.rates([c for c, total in totals.items() if total] + [to], day)
    return {c: convert(total, needed[c], needed[to]) if total else 0 for c, total in totals.items()}


def in_base_units(amounts: pd.Series, currencies: pd.Series, rates: Rates, day: date) -> np.ndarray:
    """Each amount in base-currency units as a float (never money: weights for averages)."""
    codes = currencies.astype(str).to_numpy()
    found = rates.rates(set(codes), day)
    factor = {c: 1 / (10 ** currency_digits(c) * float(r.value)) for c, r in found.items()}
    return amounts.fillna(0).astype("float64").to_numpy() * np.array([factor[c] for c in codes])
