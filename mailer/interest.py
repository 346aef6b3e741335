"""Statutory late interest: simple interest, pro rata per day, actual/365.

Kept in Decimal and unrounded until it is shown, so that a sum over several invoices is
rounded once: 5,000.00 at 12.25 % for 101 days is 169.4863013698630136986301370 (169.49).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from common.currency import rate_decimal
from common.values import cents_to_decimal

__all__ = ["late_interest", "rate_decimal", "round_cents"]

_DAYS_PER_YEAR = Decimal(365)


def late_interest(open_cents: int, rate_percent: Decimal, days: int, digits: int = 2) -> Decimal:
    """Interest on an open amount (minor units of a currency of `digits` decimals) for `days`
    days overdue, in currency units; zero when not overdue or nothing is open."""
    if days <= 0 or open_cents <= 0:
        return Decimal(0)
    return cents_to_decimal(open_cents, digits) * rate_percent / 100 * days / _DAYS_PER_YEAR


def round_cents(amount: Decimal, digits: int = 2) -> int:
    """Round half up to the currency's minor unit (cents for `digits` 2), as integer minor units."""
    return int(amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP).scaleb(digits))
