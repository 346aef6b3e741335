"""Shared parts of the clerk's tests: a small ledger in a MemoryBook, and the clerk typing into it.

`typed` stands for the clerk editing the workbook between two runs: the same tables, with the
clerk's text in one column of some rows (an instruction column: ApplyTo,
Approve). `rows` reads a table as the tuples a test states exactly.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from workbook import Book, MemoryBook
from workbook.contract import TABLES

AS_OF = date(2026, 10, 31)
CUSTOMERS = pd.DataFrame(
    {
        "CustomerID": ["C001", "C002", "C003"],
        "Name": ["Acme GmbH", "Müller Maschinenbau GmbH", "Zeta Trading Ltd"],
        "Currency": ["EUR", "EUR", "GBP"],
        "PaymentTermsDays": pd.array([30, 30, 30], dtype="Int64"),
    }
)
INVOICES = pd.DataFrame(
    {
        "InvoiceNo": ["INV-1", "INV-2", "INV-3", "INV-5"],
        "CustomerID": ["C001", "C001", "C002", "C003"],
        "InvoiceDate": pd.to_datetime(["2026-09-01", "2026-09-15", "2026-09-20", "2026-09-20"]),
        "Currency": ["EUR", "EUR", "EUR", "GBP"],
        "Amount": pd.array([60000, 40000, 25000, 30000], dtype="Int64"),
    }
)
LINES = pd.DataFrame(
    {
        "LineID": ["L1", "L2"],
        "Date": pd.to_datetime(["2026-10-10", "2026-10-12"]),
        "Amount": pd.array([100000, 90000], dtype="Int64"),
        "Currency": ["EUR", "EUR"],
        "Payer": ["ACME GMBH", "Acme GmbH"],
        "Memo": ["Rechnungen INV-1 und INV-2", "Zahlung Oktober"],
        "BankRef": ["R1", "R2"],
        "Status": ["Unmatched", "Unmatched"],
    }
)


def credit_note(amount: int, reference: str = "", customer: str = "C001") -> pd.DataFrame:
    """Invoices row of CN-1, a credit note of `amount` cents (negative) dated 2026-10-05."""
    return pd.DataFrame(
        {
            "InvoiceNo": ["CN-1"],
            "CustomerID": [customer],
            "InvoiceDate": pd.to_datetime(["2026-10-05"]),
            "Currency": ["EUR"],
            "Amount": pd.array([amount], dtype="Int64"),
            "Reference": [reference],
        }
    )


SETTINGS = pd.DataFrame({"Key": ["base_currency"], "Value": ["EUR"], "Description": [""]})


def ledger_book(**tables: pd.DataFrame) -> MemoryBook:
    """The small ledger above, with any table replaced or added by keyword."""
    base = {"Settings": SETTINGS, "Customers": CUSTOMERS, "Invoices": INVOICES, "BankLines": LINES}
    return MemoryBook({**base, **tables})


def typed(book: MemoryBook, table: str, key: str, column: str, cells: dict[str, str]) -> MemoryBook:
    """The book after the clerk typed `cells` (key -> text) into `column` of `table`."""
    tables = {t.name: book.read(t.name) for t in TABLES if book.has(t.name)}
    frame = tables[table]
    chosen = frame[key].isin(list(cells))
    assert chosen.sum() == len(cells), f"{table} lacks some of {sorted(cells)}"
    frame.loc[chosen, column] = frame.loc[chosen, key].map(cells)
    return MemoryBook(tables)


def rows(book: Book, table: str, columns: list[str]) -> list[tuple[object, ...]]:
    """The table's rows as tuples of `columns` (money as cents, dates as ISO text, empty as "")."""
    frame = book.read(table)
    out = []
    for record in frame[columns].itertuples(index=False):
        out.append(tuple(_plain(v) for v in record))
    return out


def _plain(value: object) -> object:
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[arg-type]
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "item"):
        return value.item()  # type: ignore[union-attr]
    return value
