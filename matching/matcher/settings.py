"""The settings the matcher reads, typed; money in cents.

The values, and their defaults, come from the workbook's Settings table: the caller builds
this from them, so no default is declared here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MatchSettings"]


@dataclass(frozen=True)
class MatchSettings:
    auto_threshold: float  # score at or above which a proposal posts itself
    suggest_threshold: float  # suggestions of a line together at or above this are shown
    fee_tolerance: int  # largest bank fee or discount booked with a payment
    amount_tolerance: int  # a shortfall still treated as an equal amount (written off)
    company_name: str  # a payer of this name is the company itself: an own transfer
    base_currency: str  # the currency of lines and items that name none
    non_receipt_words: tuple[str, ...]  # the company's own words for money that is no customer receipt
    fx_rate_tolerance_percent: (
        float  # a payment in another currency posts itself only this close to the Rates
    )
