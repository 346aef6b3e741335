"""When an invoice is due that names no DueDate: its InvoiceDate plus its customer's
PaymentTermsDays, or DEFAULT_TERMS_DAYS when the customer gives none.

One rule for the workbook's readers (every frame a Book hands out has its DueDates filled)
and for the receivables ledger (frames built elsewhere: tests, generators), which may not
share code but may both use `common`.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["DEFAULT_TERMS_DAYS", "due_dates"]

DEFAULT_TERMS_DAYS = 30
"""Payment terms of a customer whose PaymentTermsDays is empty: an invoice without a DueDate is
due this many days after its InvoiceDate."""


def due_dates(invoices: pd.DataFrame, customers: pd.DataFrame | None = None) -> pd.Series:
    """Each invoice's DueDate, empty ones filled with InvoiceDate + the customer's terms (the
    first Customers row of a CustomerID; DEFAULT_TERMS_DAYS when it gives none)."""
    terms = pd.Series(DEFAULT_TERMS_DAYS, index=invoices.index, dtype="int64")
    if customers is not None and len(customers) and "PaymentTermsDays" in customers:
        by_customer = customers.drop_duplicates("CustomerID").set_index("CustomerID")["PaymentTermsDays"]
        looked_up = invoices["CustomerID"].map(by_customer).astype("Float64")
        terms = looked_up.fillna(DEFAULT_TERMS_DAYS).astype("int64")
    default = invoices["InvoiceDate"] + pd.to_timedelta(terms, unit="D")
    return invoices["DueDate"].fillna(default).astype("datetime64[ns]")
