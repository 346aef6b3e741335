"""A payment in another currency than its invoice: posted in the invoice's currency, the rest as Kind fx.

A bank line in EUR paying an invoice in USD settles the invoice in USD. What the line's money
is worth in USD is what the Rates table says on the payment date (common.currency: the latest
rate on or before it, not older than rate_max_age_days), converted once and rounded half away
from zero to the cent. That is the payment row: Amount in USD, Currency USD, and beside it the
line's money it took, LineAmount in EUR with LineCurrency EUR (so the line's own balance stays
exact in its currency). What the payment settles beyond that worth is the realised exchange
difference, a row of Kind fx in USD: positive when the money was worth less than the invoice
at the table's rate (a loss), negative when it was worth more (a gain). Payment + fx = the
invoice's open amount: a payment in another currency settles each invoice it names in full
(the proposal split the line's money by their open amounts).

The rate the payment implies (the invoice's amount / the line's money, in units of the
invoice's currency per unit of the line's) is shown beside the table's (the invoice
currency's rate / the line currency's, both against the base) and how far apart they are, so
whoever reads the proposal sees what the fx row stands for. Such a payment posts itself only
when the memo names the invoice, the payer agrees and the two rates are close enough
(policy.py, rule 7); otherwise once approved. A missing rate is a refusal naming the currency
and the day, never a rate of 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from common.currency import Rates, convert, currency_digits, format_money
from common.values import cents_to_decimal

from .ledger import ALLOCATION_COLUMNS, allocation_id

__all__ = ["Crossing", "crossing", "crossing_allocations"]


@dataclass(frozen=True)
class Crossing:
    """The line's money (`paid`, minor units of `paid_in`) settling `settles` minor units of `currency`."""

    paid: int
    paid_in: str
    settles: int
    currency: str
    worth: int  # the line's money in `currency` at the table's rate
    implied: Decimal  # units of `currency` per unit of `paid_in` the payment implies
    table: Decimal  # and the Rates table's, on the payment date
    rate_day: dt.date  # the date of the table's rate

    @property
    def difference(self) -> int:
        """The realised exchange difference (Kind fx), in minor units of `currency`: settled - worth."""
        return self.settles - self.worth

    @property
    def deviation(self) -> Decimal:
        """How far the implied rate is from the table's, in percent (always >= 0)."""
        return abs(self.implied / self.table - 1) * 100

    def explained(self) -> str:
        """Both amounts, both rates and what is posted, in words for a reason or a note."""
        return (
            f"paid {format_money(self.paid, self.paid_in)} for {format_money(self.settles, self.currency)}: "
            f"{self.implied:.6f} {self.currency} per {self.paid_in}, the Rates table's of "
            f"{self.rate_day.isoformat()} {self.table:.6f} ({self.deviation:.2f} % apart); worth "
            f"{format_money(self.worth, self.currency)} at that rate, exchange difference (fx) "
            f"{format_money(self.difference, self.currency)}"
        )


def crossing(paid: int, paid_in: str, settles: int, currency: str, rates: Rates, day: dt.date) -> Crossing:
    """The line's money `paid` (in `paid_in`) settling `settles` of `currency` on `day`, by the Rates."""
    found = rates.rates({paid_in, currency}, day)
    source, target = found[paid_in], found[currency]
    table = target.value / source.value
    implied = cents_to_decimal(settles, currency_digits(currency)) / cents_to_decimal(
        paid, currency_digits(paid_in)
    )
    dated = min(
        r.day for r in (source, target) if r.currency != rates.base
    )  # the base's "rate" is 1 on any day
    return Crossing(paid, paid_in, settles, currency, convert(paid, source, target), implied, table, dated)


def crossing_allocations(
    match: str,
    line: str,
    day: pd.Timestamp,
    invoice: str,
    customer: str,
    cross: Crossing,
    *,
    method: str,
    posted_at: pd.Timestamp,
) -> pd.DataFrame:
    """The Allocations rows of one invoice paid across currencies: the payment, and fx when not 0."""
    rows = [
        (
            allocation_id(match, invoice, "payment"),
            line,
            invoice,
            customer,
            cross.worth,
            day,
            "payment",
            method,
            posted_at,
            cross.currency,
            cross.paid,
            cross.paid_in,
        )
    ]
    if cross.difference:
        rows.append(
            (
                allocation_id(match, invoice, "fx"),
                line,
                invoice,
                customer,
                cross.difference,
                day,
                "fx",
                method,
                posted_at,
                cross.currency,
                pd.NA,
                "",
            )
        )
    own = [*ALLOCATION_COLUMNS[:9], "Currency", "LineAmount", "LineCurrency"]
    frame = pd.DataFrame(rows, columns=own).reindex(columns=ALLOCATION_COLUMNS, fill_value="")
    for column in ("Amount", "LineAmount"):
        frame[column] = frame[column].astype("Int64")
    frame["PaymentDate"] = pd.to_datetime(frame["PaymentDate"])
    frame["PostedAt"] = pd.to_datetime(frame["PostedAt"])
    return frame
