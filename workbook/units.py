"""Which currency each row's money is in, and so how many decimals it has: one rule for reading and writing.

Money is kept in integer minor units of its own currency (workbook.contract), so a cell
"1.234" is 1234 in a KWD row, and 1234 in a JPY row is written as 1234, not 12.34. A row's
currency is its own currency column when filled (the money column's `Column.currency`,
usually "Currency"), else its customer's (Customers.Currency, for tables with a CustomerID),
else the base currency (the base_currency setting). The reader (`workbook.convert`) and every
writer (through `workbook.cells`) ask here, so a value read and written back is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from common.currency import currency_digits, row_currencies
from common.errors import InputError

from .cells import kind_of
from .contract import Table
from .settings import settings_from_frame

__all__ = ["Units", "base_currency_of", "book_units", "currency_text", "digits_of"]


def currency_text(value: object) -> str:
    """A currency cell as a code: stripped, upper case ("usd " -> "USD"); "" when empty."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip().upper()


@dataclass(frozen=True)
class Units:
    """The base currency and each customer's (CustomerID -> code; blank ones are left out)."""

    base: str = field(default_factory=lambda: base_currency_of(None))
    customers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def of(cls, base: str, customers: pd.DataFrame | None = None) -> Units:
        """The units of a workbook: its base currency and its Customers table (as read)."""
        own: dict[str, str] = {}
        if customers is not None and len(customers) and "Currency" in customers:
            for cid, code in zip(customers["CustomerID"], customers["Currency"], strict=True):
                code = currency_text(code)
                if code and str(cid) not in own:
                    own[str(cid)] = code
        return cls(base, MappingProxyType(own))

    def currencies(
        self, own: Sequence[object] | None, customer_ids: Sequence[object] | None, n: int
    ) -> list[str]:
        """Each row's currency (`common.currency.row_currencies`) from its own currency cells and
        its customer cells (either may be None)."""
        frame = pd.DataFrame(
            {"Currency": pd.Series(own, dtype=object)} if own is not None else {}, index=range(n)
        )
        theirs = None
        if customer_ids is not None and self.customers:
            known = self.customers
            theirs = pd.Series([known.get(_key(cid), "") for cid in customer_ids], dtype=object)
        return row_currencies(frame, self.base, theirs).tolist()

    def digits(self, decl: Table, column: str, frame: pd.DataFrame) -> np.ndarray:
        """Decimals of each row's currency for the money column `column` of a typed frame of `decl`."""
        try:
            source = decl.column(column).currency
        except KeyError:
            source = "Currency"  # arbook's own columns outside the contract (aging buckets)
        own = frame[source].tolist() if source in frame else None
        ids = frame["CustomerID"].tolist() if "CustomerID" in frame else None
        return digits_of(self.currencies(own, ids, len(frame)))

    def for_column(self, decl: Table, column: str, frame: pd.DataFrame) -> np.ndarray | None:
        """`digits` when the column holds money (what a writer passes to `cells.encode_column`), else None."""
        if kind_of(decl, column, frame[column]) != "money":
            return None
        return self.digits(decl, column, frame)


def book_units(decl: Table, base: Callable[[], str], customers: Callable[[], pd.DataFrame]) -> Units:
    """The units reading or writing `decl` needs: none for Settings, the base currency alone for
    tables without a CustomerID (and for Customers itself), else the customers' currencies too."""
    if decl.name == "Settings":
        return Units()
    if decl.name == "Customers" or "CustomerID" not in decl.column_names:
        return Units(base())
    try:
        known = customers()
    except InputError:
        # No Customers table, or one refused: its own read says why, where it is needed. Here
        # a row without a currency of its own is in the base currency, and only amounts of a
        # customer billed in a currency of other decimals (JPY, KWD) could read otherwise.
        return Units(base())
    return Units.of(base(), known)


def base_currency_of(settings: pd.DataFrame | None) -> str:
    """The base_currency a Settings frame sets (Key, Value as typed), else the declared default:
    for tables built from frames (a new workbook, a memory book) before any Settings are read."""
    if settings is not None and len(settings):
        keys = settings["Key"].astype(str).str.strip().str.casefold()
        chosen = settings.loc[keys == "base_currency", "Value"]
        if len(chosen) and currency_text(chosen.iloc[0]):
            return currency_text(chosen.iloc[0])
    return settings_from_frame(pd.DataFrame({"Key": [], "Value": []})).base_currency


def digits_of(currencies: Sequence[str]) -> np.ndarray:
    """The decimals of each code (int64 array)."""
    known: dict[str, int] = {}
    return np.fromiter(
        (known[c] if c in known else known.setdefault(c, currency_digits(c)) for c in currencies),
        dtype="int64",
        count=len(currencies),
    )


def _key(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()
