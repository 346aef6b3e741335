"""Statutory late interest: simple interest, pro rata per day, actual/365.

Kept in Decimal and unrounded until it is shown, so that a sum over several invoices is
rounded once: 5,000.00 at 12.25 % for 101 days is 169.4863013698630136986301370 (169.49).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from common.values import cents_to_decimal

__all__ = ["late_interest", "rate_decimal", "round_cents"]

_DAYS_PER_YEAR = Decimal(365)


def late_interest(open_cents: int, rate_percent: Decimal, days: int) -> Decimal:
    """Interest on an open amount for `days` days overdue; zero when not overdue or nothing is open."""
    if days <= 0 or open_cents <= 0:
        return Decimal(0)
    return cents_to_decimal(open_cents) * rate_percent / 100 * days / _DAYS_PER_YEAR


def rate_decimal(rate: object) -> Decimal:
    """The Settings rate (a float such as 12.25) as the Decimal a person typed, not its binary cousin."""
    return Decimal(repr(float(rate))) if not isinstance(rate, Decimal) else rate  # type: ignore[arg-type]


def round_cents(amount: Decimal) -> int:
    """Round half up to whole cents, as integer cents."""
    return int(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)
