"""Which currency an item is in: its own, else its customer's, else the company's base.

Statements and notices both group a customer's items by currency; deciding it here once
keeps a statement and a notice from ever disagreeing about it.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["customer_currencies", "with_currency"]


def customer_currencies(customers: pd.DataFrame, base: str) -> dict[str, str]:
    """CustomerID -> the customer's currency (the base currency where none is given)."""
    return {
        str(r.CustomerID): (str(r.Currency) if "Currency" in customers and r.Currency else base)
        for r in customers.itertuples()
    }


def with_currency(frame: pd.DataFrame, own: dict[str, str], base: str) -> pd.DataFrame:
    """`frame` with every empty Currency filled from its customer's (`own`), else `base`."""
    out = frame.copy()
    fallback = out["CustomerID"].map(own).fillna(base)
    out["Currency"] = out["Currency"].where(out["Currency"].fillna("") != "", fallback)
    return out
