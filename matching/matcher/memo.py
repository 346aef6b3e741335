"""What a memo says about how its money is meant, read once per line before any proposal.

Beside invoice numbers (references.py), a memo may say that the money is an advance on an
order, that a discount or a bank fee was deducted (and how much: "LESS 1% DISC", "Skonto
143,51", an X12 remittance segment RMR*IV*INV-1*980.00*1000.00*20.00), that it is a
partial payment, which months it pays ("Wartung 02/2026", "付2月服务费", "SERVICE PLAN FEB
26") and what it was in another currency ("USD 86,309.40"). The words come from
vocabulary.py; numbers and months are read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from matching.matcher.vocabulary import Vocabulary, fold

__all__ = ["NOTHING", "MemoFacts", "read_memos"]


@dataclass(frozen=True)
class MemoFacts:
    """What one memo says; `NOTHING` for a memo that says none of it."""

    advance: bool = False
    discount: bool = False  # says a discount was deducted
    fee: bool = False  # says a bank fee was deducted
    partial: bool = False
    rate: Decimal | None = None  # the discount rate it states, percent
    discount_cents: int | None = None  # the discount amount it states
    months: tuple[tuple[int, int], ...] = ()  # (year, month) of the periods it pays
    foreign: tuple[tuple[str, int], ...] = ()  # (currency, cents) it states in another currency


NOTHING = MemoFacts()

_AMOUNT = r"\d{1,3}(?:[.,' ]\d{3})*[.,]\d{2}(?!\d)|\d+[.,]\d{2}(?!\d)"
_RATE = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,2})?)\s*%")
_TERMS_TAKEN = re.compile(r"(?<![\d.,/])(\d(?:[.,]\d)?)\s*/\s*\d{1,2}\s*(?:NET|N/)")
_STATED = re.compile(
    rf"(?:SKONTO|DISC(?:OUNT)?|ESCOMPTE|折扣)[^0-9]{{0,12}}(?:\d{{1,2}}(?:[.,]\d+)?\s*%[^0-9]{{0,6}})?({_AMOUNT})"
)
_RMR = re.compile(r"RMR\*IV\*[^*\\]*\*([\d.]+)\*([\d.]+)\*([\d.]+)")
_CURRENCIES = ("USD", "EUR", "CNY", "RMB", "GBP", "CHF", "JPY", "HKD", "CAD", "AUD", "SGD")
_FOREIGN = re.compile(rf"\b({'|'.join(_CURRENCIES)})\s*({_AMOUNT})|({_AMOUNT})\s*({'|'.join(_CURRENCIES)})\b")

_MONTH_NAMES = {
    1: ("JANUARY", "JANUAR", "JANVIER", "JAN"),
    2: ("FEBRUARY", "FEBRUAR", "FEVRIER", "FEB"),
    3: ("MARCH", "MARZ", "MARS", "MAR"),
    4: ("APRIL", "AVRIL", "APR"),
    5: ("MAY", "MAI"),
    6: ("JUNE", "JUNI", "JUIN", "JUN"),
    7: ("JULY", "JULI", "JUILLET", "JUL"),
    8: ("AUGUST", "AOUT", "AUG"),
    9: ("SEPTEMBER", "SEPTEMBRE", "SEPT", "SEP"),
    10: ("OCTOBER", "OKTOBER", "OCTOBRE", "OCT", "OKT"),
    11: ("NOVEMBER", "NOVEMBRE", "NOV"),
    12: ("DECEMBER", "DEZEMBER", "DECEMBRE", "DEC", "DEZ"),
}
_BY_NAME = {name: month for month, names in _MONTH_NAMES.items() for name in names}
_YEAR = r"(?:\s*[./-]?\s*((?:19|20)\d{2}|\d{2})(?![\d.,/]))?"
_NAMED_MONTH = re.compile(rf"(?<![A-Z])({'|'.join(sorted(_BY_NAME, key=len, reverse=True))})(?![A-Z]){_YEAR}")
_NUMERIC_MONTH = re.compile(r"(?<![\d./-])(0?[1-9]|1[0-2])\s*[/.-]\s*((?:19|20)\d{2}|\d{2})(?![\d./-])")
_ISO_MONTH = re.compile(r"(?<![\d./-])((?:19|20)\d{2})\s*[/.-]\s*(0?[1-9]|1[0-2])(?![\d./-])")
_HAN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_HAN_MONTH = re.compile(r"(?:((?:19|20)\d{2})\s*年)?\s*(1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s*月")
_ANY = re.compile(
    r"%|\d\s*/\s*\d|\d[.,]\d{2}|RMR\*|月|"
    + "|".join(sorted(_BY_NAME, key=len, reverse=True))
    + "|"
    + "|".join(_CURRENCIES)
)


def _cents(text: str) -> int:
    """'86,309.40', '1.234,56', '143,51', '26.56' -> cents."""
    digits = re.sub(r"[^\d]", "", text)
    return int(digits)


def _han_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        return 10 + _HAN_DIGITS.get(text[1:], 0) if len(text) > 1 else 10
    return _HAN_DIGITS[text]


def _in_year(month: int, year: int | None, paid: pd.Timestamp) -> tuple[int, int] | None:
    """(year, month) of a named month: the year given (2 digits: this century), else the latest
    such month up to the payment's; None when the year is far from the payment's."""
    if year is None:
        year = paid.year if month <= paid.month else paid.year - 1
    elif year < 100:
        year += 2000
    return (year, month) if paid.year - 2 <= year <= paid.year + 1 else None


def _months(raw: str, folded: str, paid: pd.Timestamp) -> tuple[tuple[int, int], ...]:
    found: list[tuple[int, int] | None] = []
    for m in _NAMED_MONTH.finditer(folded):
        year = m.group(2)
        if year is None and len(m.group(1)) <= 3:
            continue  # "MAR", "MAY" alone are too often other words
        found.append(_in_year(_BY_NAME[m.group(1)], int(year) if year else None, paid))
    for m in _NUMERIC_MONTH.finditer(folded):
        found.append(_in_year(int(m.group(1)), int(m.group(2)), paid))
    for m in _ISO_MONTH.finditer(folded):
        found.append(_in_year(int(m.group(2)), int(m.group(1)), paid))
    for m in _HAN_MONTH.finditer(raw):
        found.append(_in_year(_han_number(m.group(2)), int(m.group(1)) if m.group(1) else None, paid))
    return tuple(dict.fromkeys(f for f in found if f))


def _read(raw: str, paid: pd.Timestamp, currency: str, words: Vocabulary) -> MemoFacts:
    folded = fold(raw)
    discount = words.says("discount", raw)
    rate = stated = None
    rmr = _RMR.findall(folded)
    if rmr:
        stated = sum(int(Decimal(d) * 100) for _, _, d in rmr) or None
        discount = discount or stated is not None
    if discount:
        found = _RATE.search(folded) or _TERMS_TAKEN.search(folded)
        rate = Decimal(found.group(1).replace(",", ".")) if found else None
        amount = _STATED.search(folded)
        stated = stated or (_cents(amount.group(1)) if amount else None)
    foreign = []
    for m in _FOREIGN.finditer(folded):
        code, amount = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        code = "CNY" if code == "RMB" else code
        if code != currency:
            foreign.append((code, _cents(amount)))
    return MemoFacts(
        advance=words.says("advance", raw),
        discount=discount,
        fee=words.says("fee", raw),
        partial=words.says("partial", raw),
        rate=rate,
        discount_cents=stated,
        months=_months(raw, folded, paid),
        foreign=tuple(foreign),
    )


def read_memos(
    memos: pd.Series, dates: pd.Series, currencies: pd.Series, words: Vocabulary
) -> dict[int, MemoFacts]:
    """MemoFacts per line (by the series' index) for the memos that say anything; the others say NOTHING."""
    text = memos.fillna("").astype(str)
    folded = text.map(fold)
    maybe = folded.str.contains(words.any_payment) | folded.str.contains(_ANY) | text.str.contains(_ANY)
    if words.any_payment_raw is not None:
        maybe |= text.str.contains(words.any_payment_raw)
    out: dict[int, MemoFacts] = {}
    for line in text.index[maybe.to_numpy(dtype=bool)]:
        facts = _read(text[line], pd.Timestamp(dates[line]), str(currencies[line]), words)
        if facts != NOTHING:
            out[int(line)] = facts
    return out
