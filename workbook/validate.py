"""Checks that span rows or tables: duplicates, unknown customers, dates out of order.

Per-cell type problems are found while reading (`workbook.convert`); these rules need whole
columns or a second table. Each returns Problems located to the Excel row and column.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from common.addresses import is_address, split_addresses
from common.errors import InputError, Problem
from common.terms import due_dates

from .contract import Owner, Table
from .convert import empty_frame

__all__ = ["absent_table", "accept", "cross_table_problems", "table_problems", "writable_columns"]


def writable_columns(decl: Table, key: str, frame: pd.DataFrame) -> list[str]:
    """The columns `frame` may write by `key`: only computed (c) columns in a user's table; a bug otherwise."""
    allowed = set(decl.computed) if decl.owner is Owner.USER else set(decl.column_names)
    columns = [c for c in frame.columns if c != key]
    wrong = [c for c in columns if c not in allowed]
    if wrong:
        raise ValueError(f"{decl.name}: arbook may not write {wrong} (computed columns: {sorted(allowed)})")
    return columns


def absent_table(decl: Table) -> pd.DataFrame:
    """What a Book returns for a table the workbook lacks: empty, or a refusal for required user data."""
    if decl.owner is Owner.USER and not decl.optional and not decl.defaulted:
        raise InputError(Problem(decl.name, None, None, f"the workbook has no {decl.name} table or sheet"))
    return empty_frame(decl)


def accept(
    decl: Table,
    frame: pd.DataFrame,
    problems: list[Problem],
    *,
    workbook: str,
    read: Callable[[str], pd.DataFrame],
    explain: Callable[[list[Problem]], list[Problem]] | None = None,
) -> pd.DataFrame:
    """The checks and defaults every Book applies after typing a table's cells.

    Both the file book and the live Excel book call this, so a table is refused, or
    completed (an empty DueDate is InvoiceDate + the customer's terms), the same way whichever way it was read.
    `read` reads another table of the same book (Customers, for references and terms).
    """
    problems = problems + table_problems(decl.name, frame)
    if decl.name in ("Invoices", "Orders"):
        problems += cross_table_problems(decl.name, frame, _readable(read, "Customers"))
    if problems:
        raise InputError(
            explain(problems) if explain else problems,
            heading=f"{workbook}: the {decl.name} table was refused",
        )
    if decl.name == "Invoices":
        frame = _default_due_dates(frame, read("Customers"))
    return frame


def _readable(read: Callable[[str], pd.DataFrame], name: str) -> pd.DataFrame | None:
    """A table for checking references; its own problems are reported when it is read itself."""
    try:
        return read(name)
    except InputError:
        return None


def _default_due_dates(invoices: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """DueDate defaults to InvoiceDate + the customer's PaymentTermsDays (`common.terms.due_dates`)."""
    missing = invoices["DueDate"].isna()
    if missing.any():
        invoices.loc[missing, "DueDate"] = due_dates(invoices[missing], customers)
    return invoices


def table_problems(table: str, frame: pd.DataFrame) -> list[Problem]:
    """Rules within one table."""
    problems: list[Problem] = []
    keys = {
        "Customers": "CustomerID",
        "Invoices": "InvoiceNo",
        "Orders": "OrderNo",
        "DunningLevels": "Level",
        "Settings": "Key",
    }
    if table in keys:
        problems += _duplicates(table, frame, keys[table])
    if table == "BankLines":
        problems += _duplicates(table, frame[frame["LineID"] != ""], "LineID")
    if table == "Templates":
        pairs = frame["Name"].str.casefold() + "|" + frame["Language"]
        for row in frame.index[pairs.duplicated(keep="first") & (frame["Name"] != "")]:
            problems.append(Problem(table, int(row), "Name", "this template name and language appear twice"))
    if table == "Invoices":
        late = (
            frame["DueDate"].notna()
            & frame["InvoiceDate"].notna()
            & (frame["DueDate"] < frame["InvoiceDate"])
        )
        for row in frame.index[late]:
            problems.append(
                Problem(table, int(row), "DueDate", "expected a due date on or after the InvoiceDate")
            )
        zero = frame["Amount"].fillna(1) == 0
        for row in frame.index[zero]:
            problems.append(
                Problem(table, int(row), "Amount", "expected a non-zero amount (negative for a credit note)")
            )
    if table == "Customers":
        for column in ("Email", "CC"):
            for row, text in frame[column].items():
                for address in split_addresses(text):
                    if not is_address(address):
                        problems.append(
                            Problem(table, int(row), column, f"expected an e-mail address, got {address!r}")
                        )
        for column in ("PaymentTermsDays", "CreditLimit"):
            for row in frame.index[frame[column].fillna(0) < 0]:
                problems.append(
                    Problem(table, int(row), column, "expected zero or more, got a negative value")
                )
    if table == "DunningLevels":
        for row in frame.index[frame["Level"].fillna(1) < 0]:
            problems.append(Problem(table, int(row), "Level", "expected a level of 0 or more"))
    return problems


def cross_table_problems(table: str, frame: pd.DataFrame, customers: pd.DataFrame | None) -> list[Problem]:
    """Rules against another table: every CustomerID must be a known customer."""
    if customers is None or "CustomerID" not in frame or table not in ("Invoices", "Orders"):
        return []
    known = set(customers["CustomerID"])
    unknown = (frame["CustomerID"] != "") & ~frame["CustomerID"].isin(known)
    return [
        Problem(table, int(row), "CustomerID", f"expected a CustomerID of the Customers table, got {cid!r}")
        for row, cid in frame.loc[unknown, "CustomerID"].items()
    ]


def _duplicates(table: str, frame: pd.DataFrame, column: str) -> list[Problem]:
    values = frame[column]
    filled = values.notna() & (values.astype(str) != "")
    dup = values.duplicated(keep="first") & filled
    if not dup.any():
        return []
    first_row = {}
    for row, value in values[filled].items():
        first_row.setdefault(value, row)
    return [
        Problem(
            table,
            int(row),
            column,
            f"{_plain(value)!r} appears twice (first in row {first_row[value]}); expected unique values",
        )
        for row, value in values[dup].items()
    ]


def _plain(value: object) -> object:
    """numpy scalars (Int64 columns) print as np.int64(1); a clerk should read 1."""
    return value.item() if hasattr(value, "item") else value
