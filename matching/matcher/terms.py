"""Early-payment discount terms as people type them, and the discount a payment earns by them.

Customers.DiscountTerms (and Invoices.DiscountTerms, which wins for its invoice) hold text
such as "2/10 net 30" or "2 % 10 Tage". Accepted forms (case, spaces, full-width characters
and decimal commas do not matter):

    2/10 net 30   2/10, n/30   1.5/10 net 45   3/10 2/20 net 60   rate/days (US style)
    2 % 10 Tage   2% 10 days   2 % 10 jours    10 Tage 2 %        rate and days, either order
    2 % Skonto bei Zahlung innerhalb von 10 Tagen, 30 Tage netto  words between them
    3 % 7 Tage, 2 % 14 Tage, 30 Tage netto                        tiers, one per clause
    10天内付款2%   2%/10天                                         Chinese

A net term ("net 30", "n/30", "30 Tage netto", "netto 30 Tage") grants no discount and is
skipped; an empty cell grants none. Anything else is refused with what was expected. The
period counts from the invoice date: a payment dated on or before InvoiceDate + days earns
the rate, on the invoice's full amount, rounded to the cent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

__all__ = ["EXPECTED", "Tier", "discounts", "item_terms", "parse_terms"]

EXPECTED = "discount terms such as '2/10 net 30' or '2 % 10 Tage'"
_MAX_RATE = Decimal(20)  # percent: more is no early-payment discount
_MAX_DAYS = 365

_NUMBER = r"\d+(?:[.,]\d+)?"
_DAY_WORD = r"(?:(?:tagen|tage|tag|days|day|jours|jour|d|t)\b|天)"
_NET_TERMS = re.compile(
    rf"(?:\bnetto|\bnet|\bn)\s*/?\s*\d+\s*(?:{_DAY_WORD})?|\d+\s*{_DAY_WORD}\s*(?:netto|net|rein)\b"
)
_SLASH = re.compile(rf"(?<![\d.,/])({_NUMBER})\s*/\s*(\d+)(?!\s*%)(?:\s*{_DAY_WORD})?")
_RATE = re.compile(rf"({_NUMBER})\s*%")
_DAYS = re.compile(rf"(\d+)\s*{_DAY_WORD}")
_CLAUSES = re.compile(r";|(?<!\d),|,(?!\d)|\bund\b|\band\b|\bet\b|\bor\b|\boder\b")


@dataclass(frozen=True)
class Tier:
    """One discount: `rate` percent when paid within `days` of the invoice date."""

    rate: Decimal
    days: int


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def _tier(rate: Decimal, days: int, text: str) -> Tier:
    if not (0 < rate <= _MAX_RATE and 0 < days <= _MAX_DAYS):
        raise ValueError(f"expected {EXPECTED} (a rate up to 20 % within 1-365 days), got {text!r}")
    return Tier(rate, days)


def parse_terms(text: object) -> tuple[Tier, ...]:
    """The tiers of a terms cell, shortest period first; () for an empty cell or net terms only.

    Raises ValueError naming what was expected when the text holds something else.
    """
    raw = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
    clean = (
        unicodedata.normalize("NFKC", raw).casefold().replace("，", ",").replace("；", ";").replace("、", ",")
    )
    if not clean.strip():
        return ()
    rest = _NET_TERMS.sub(" ", clean)
    tiers: list[Tier] = []
    for found in _SLASH.finditer(rest):
        tiers.append(_tier(_number(found.group(1)), int(found.group(2)), raw))
    rest = _SLASH.sub(" ", rest)
    for clause in _CLAUSES.split(rest):
        rates, days = _RATE.findall(clause), _DAYS.findall(clause)
        if not rates and not days:
            if re.search(r"\d", clause):
                raise ValueError(f"expected {EXPECTED}, got {raw!r}")
            continue
        if not rates:
            continue  # "30 Tage": a net term without the word
        if len(rates) != 1 or len(days) != 1:
            raise ValueError(f"expected {EXPECTED} (one rate and one period per clause), got {raw!r}")
        tiers.append(_tier(_number(rates[0]), int(days[0]), raw))
    if not tiers and re.search(r"skonto|discount|escompte|折扣|%", clean):
        raise ValueError(f"expected {EXPECTED}, got {raw!r}")
    return tuple(sorted(set(tiers), key=lambda t: (t.days, -t.rate)))


def _cents(rate: Decimal, gross: int) -> int:
    return int((Decimal(gross) * rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def discounts(
    tiers: tuple[Tier, ...], invoiced: np.datetime64, gross: int, paid: np.datetime64
) -> tuple[int, int]:
    """(earned, late) cents on an invoice of `gross` cents dated `invoiced`, paid on `paid`.

    earned: the largest discount of a tier whose period includes the payment date (0: none);
    late: the largest discount of a tier whose period had ended (0: none), for a payment that
    deducts it all the same.
    """
    if not tiers or gross <= 0:
        return 0, 0
    elapsed = int((paid - invoiced) // np.timedelta64(1, "D"))
    earned = max((_cents(t.rate, gross) for t in tiers if elapsed <= t.days), default=0)
    late = max((_cents(t.rate, gross) for t in tiers if elapsed > t.days), default=0)
    return earned, late


def _parsed(texts: pd.Series, rows: pd.Index, table: str) -> tuple[list[tuple[Tier, ...]], list[str]]:
    """Each cell's tiers (each distinct text parsed once); a note per unreadable text."""
    known: dict[str, tuple[Tier, ...]] = {}
    bad: dict[str, list[object]] = {}
    for text, row in zip(texts.to_numpy(), rows, strict=True):
        if text not in known:
            try:
                known[text] = parse_terms(text)
            except ValueError:
                known[text] = ()
                bad[text] = []
        if text in bad:
            bad[text].append(row)
    notes = [
        f"{table} row {where[0]}, column DiscountTerms: expected {EXPECTED}, got {text!r}"
        + (f" (and {len(where) - 1} more rows)" if len(where) > 1 else "")
        + "; no discount is granted by it"
        for text, where in bad.items()
    ]
    return [known[t] for t in texts.to_numpy()], notes


def item_terms(
    items: pd.DataFrame, customers: pd.DataFrame, customer_rows: pd.Index
) -> tuple[list[tuple[Tier, ...]], list[str]]:
    """Per item (positional: DiscountTerms, customer position, row) its tiers: its own terms,
    else its customer's (`customers` positional, `customer_rows` their rows in Customers);
    and a note per cell that could not be read."""
    own, notes = _parsed(items["DiscountTerms"].astype(str), pd.Index(items["row"]), "Invoices")
    if "DiscountTerms" in customers:
        texts = customers["DiscountTerms"].fillna("").astype(str).str.strip()
        theirs, more = _parsed(texts, customer_rows, "Customers")
        notes += more
    else:
        theirs = [()] * len(customers)
    positions = items["customer"].to_numpy()
    return [mine or (theirs[c] if c >= 0 else ()) for mine, c in zip(own, positions, strict=True)], notes
