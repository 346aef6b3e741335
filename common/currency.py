"""Currencies: how many decimals each one has, exchange rates, and the one rule of conversion.

Money is kept in integer minor units of its own currency: cents for EUR, USD or GBP (two
decimals), whole yen for JPY (none), fils for KWD (three: 1.234 KWD is 1234). How many
decimals a currency has is Babel's knowledge (the Unicode CLDR's ISO 4217 data), asked here
once, so the reader, the writer, the mail and the report can never disagree about it.

Rates (the workbook's Rates table): each row says how many units of a currency one unit of
the base currency buys on a date, the way the European Central Bank quotes the euro:
"2026-11-30, USD, 1.0550" means 1 EUR = 1.0550 USD. So an amount converts to the base
currency by dividing by its rate, and from the base by multiplying.

Which rate applies on a day: the latest one dated on or before that day, and at most
`max_age_days` older (the ECB publishes on working days only: a Saturday takes Friday's
rate). No such rate is a refusal naming the currency and the day, never a silent 1.0.

Rounding: a conversion is exact in Decimal and rounded once, half away from zero (what
Excel's ROUND does), to the target currency's minor unit. Totals are converted per total:
each currency's amounts are added exactly in that currency first, and the sum is converted
once, so a converted total is the sum of the per-currency totals as a person would convert
them by hand from the Aging sheet.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

import numpy as np
import pandas as pd
from babel.numbers import get_currency_precision, list_currencies

from .errors import InputError, Problem
from .values import format_cents

__all__ = [
    "RATES_HELP",
    "Rate",
    "Rates",
    "convert",
    "currencies_by_digits",
    "currency_digits",
    "format_money",
    "is_currency",
    "minor_from_hundredths",
    "rate_decimal",
    "row_currencies",
    "with_currency",
]

_CODES = frozenset(list_currencies())  # ISO 4217, current and historic, as Babel knows them
_EXACT = Context(prec=60)

RATES_HELP = (
    "add a row to Rates (Date, Currency, Rate = units of that currency for one unit of the base "
    "currency), or import the ECB's reference rates: arbook import-rates WORKBOOK eurofxref-hist.csv"
)
"""How a missing rate is supplied: the end of every refusal for one."""


def is_currency(code: str) -> bool:
    """Whether `code` is an ISO 4217 currency code Babel knows (upper case, as written: "EUR")."""
    return code in _CODES


@functools.lru_cache(maxsize=512)
def currency_digits(code: str) -> int:
    """Decimals of the currency's minor unit: EUR 2, JPY 0, KWD 3 (Babel; 2 for a code it does not know)."""
    return int(get_currency_precision(code or "EUR"))


def row_currencies(
    frame: pd.DataFrame, base: str, *fallbacks: pd.Series | None, column: str | None = "Currency"
) -> pd.Series:
    """Each row's currency: its own `column` when filled (trimmed, upper case: "usd " is USD),
    else the first of `fallbacks` that has one for the row (its customer's, its invoice's, its
    bank line's; each aligned on the index, blank or missing for none), else the base currency.
    A frame without the column (or `column` None) has no currency of its own. Every part of
    arbook decides a row's currency here."""
    has_own = column is not None and column in frame
    own = _codes(frame[column]) if has_own else np.full(len(frame), "", dtype=object)
    for fallback in fallbacks:
        empty = own == ""
        if fallback is not None and empty.any():
            own[empty] = _codes(fallback.reindex(frame.index)[empty])
    own[own == ""] = base
    return pd.Series(own, index=frame.index, dtype=object)


def with_currency(frame: pd.DataFrame, customers: pd.DataFrame | None, base: str) -> pd.DataFrame:
    """`frame` (with a CustomerID) with every Currency filled: its own, else its customer's
    (Customers.Currency, the first row of a CustomerID), else the base currency."""
    theirs = None
    if customers is not None and len(customers) and "Currency" in customers:
        known = customers.drop_duplicates("CustomerID").set_index("CustomerID")["Currency"]
        theirs = frame["CustomerID"].map(known)
    return frame.assign(Currency=row_currencies(frame, base, theirs))


def _codes(values: pd.Series) -> np.ndarray:
    """Currency cells as codes ("usd " is USD), "" where empty (a float column of blanks included);
    each distinct cell is read once (a column holds a handful)."""
    positions, distinct = pd.factorize(values, use_na_sentinel=True)
    codes = np.array([*(str(v).strip().upper() for v in distinct), ""], dtype=object)
    return codes[positions]


@functools.cache
def currencies_by_digits() -> dict[int, tuple[str, ...]]:
    """Every ISO 4217 code Babel knows, by the decimals of its minor unit: {0: ("ADP", ..., "JPY", ...), 2: ..., 3: ("BHD", ...)}."""
    found: dict[int, list[str]] = {}
    for code in sorted(_CODES):
        found.setdefault(currency_digits(code), []).append(code)
    return {digits: tuple(codes) for digits, codes in sorted(found.items())}


def format_money(minor: int, currency: str) -> str:
    """Plain "48530.43 USD", "1234 JPY", "1.234 KWD": an amount as a summary, log or report shows it."""
    return f"{format_cents(int(minor), currency_digits(currency))} {currency}"


def minor_from_hundredths(hundredths: int, currency: str) -> int:
    """An amount read as hundredths of a unit (what the bank readers and a typed "12500.00" give,
    whatever the currency) in minor units of `currency`: 1234 is 1234 EUR cents, 12 JPY, 12340
    KWD fils. ValueError when the amount has decimals the currency has not ("12.34" JPY)."""
    digits = currency_digits(currency)
    if digits >= 2:
        return int(hundredths) * 10 ** (digits - 2)
    whole, rest = divmod(int(hundredths), 10 ** (2 - digits))
    if rest:
        raise ValueError(
            f"{format_cents(int(hundredths))} {currency}: {currency} has {digits or 'no'} decimals"
        )
    return whole


def rate_decimal(value: object) -> Decimal:
    """A rate as the exact decimal a person typed: 1.055 read from Excel as a double is 1.055, not 1.0549999..."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(float(value))) if isinstance(value, float) else Decimal(str(value))


@dataclass(frozen=True)
class Rate:
    """Units of `currency` for one unit of `base`, as dated `day` in the Rates table (1 for the base itself)."""

    currency: str
    base: str
    value: Decimal
    day: dt.date

    def __str__(self) -> str:
        return f"1 {self.base} = {self.value} {self.currency} ({self.day.isoformat()})"


class Rates:
    """The Rates table as a lookup: which rate applies to a currency on a day (see the module doc).

    `frame` has Date (datetime64), Currency (ISO code) and Rate (a positive number), as
    `Book.read("Rates")` gives them; its index names the rows in a refusal.
    """

    def __init__(self, frame: pd.DataFrame, *, base: str, max_age_days: int) -> None:
        self.base = base
        self.max_age_days = max_age_days
        rows = frame[frame["Currency"].astype(str) != ""]
        rates = rows["Rate"].astype("float64")
        bad = ~(rates > 0) | ~np.isfinite(rates)
        if bad.any():
            raise InputError(
                [
                    Problem("Rates", int(row), "Rate", f"expected a positive rate, got {value!r}")
                    for row, value in rates[bad].items()
                ],
                heading="the Rates table was refused",
            )
        ordered = rows.assign(Rate=rates).sort_values(["Currency", "Date"], kind="stable")
        problems = [
            Problem(
                "Rates",
                int(same.index[-1]),
                "Rate",
                f"expected one {currency} rate on {day:%Y-%m-%d}, rows {', '.join(map(str, same.index))} "
                f"give {', '.join(repr(v) for v in same['Rate'])}",
            )
            for (currency, day), same in ordered.groupby(["Currency", "Date"], sort=False)
            if same["Rate"].nunique() > 1
        ]
        if problems:
            raise InputError(problems, heading="the Rates table was refused")
        self._by_currency: dict[str, tuple[np.ndarray, list[Decimal]]] = {}
        for currency, group in ordered.drop_duplicates(["Currency", "Date"]).groupby("Currency", sort=False):
            self._by_currency[str(currency)] = (
                group["Date"].to_numpy("datetime64[ns]"),
                [rate_decimal(v) for v in group["Rate"]],
            )

    @property
    def currencies(self) -> list[str]:
        return sorted(self._by_currency)

    def rate(self, currency: str, day: dt.date) -> Rate:
        """The rate of `currency` that applies on `day`; InputError naming both when there is none."""
        if currency == self.base:
            return Rate(currency, self.base, Decimal(1), day)
        dates, values = self._by_currency.get(currency, (np.empty(0, "datetime64[ns]"), []))
        at = int(np.searchsorted(dates, np.datetime64(pd.Timestamp(day)), side="right")) - 1
        if at >= 0:
            found = pd.Timestamp(dates[at]).date()
            if (day - found).days <= self.max_age_days:
                return Rate(currency, self.base, values[at], found)
        latest = f"the latest is of {pd.Timestamp(dates[-1]):%Y-%m-%d}" if len(dates) else "there is none"
        before = f"the latest before it is of {pd.Timestamp(dates[at]):%Y-%m-%d}" if at >= 0 else latest
        raise InputError(
            Problem(
                "Rates",
                None,
                "Rate",
                f"no {currency} rate for {day.isoformat()}: expected one dated on or at most "
                f"{self.max_age_days} days before it ({before}); {RATES_HELP}",
            ),
            heading=f"a {currency} amount cannot be converted to {self.base}",
        )

    def rates(self, currencies: Iterable[str], day: dt.date) -> dict[str, Rate]:
        """The rate of each currency on `day`, every missing one refused at once."""
        found: dict[str, Rate] = {}
        problems: list[Problem] = []
        for currency in sorted(set(currencies)):
            try:
                found[currency] = self.rate(currency, day)
            except InputError as exc:
                problems += exc.problems
        if problems:
            raise InputError(problems, heading=f"amounts cannot be converted to {self.base}")
        return found


def convert(minor: int, source: Rate, target: Rate) -> int:
    """`minor` units of source.currency in minor units of target.currency, both rates against
    one base: amount / source.value x target.value, rounded once, half away from zero."""
    if source.currency == target.currency:
        return int(minor)
    with localcontext(_EXACT):
        value = Decimal(int(minor)).scaleb(-currency_digits(source.currency)) / source.value * target.value
        rounded = value.scaleb(currency_digits(target.currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(rounded)
