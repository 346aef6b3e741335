"""Excel worksheet functions (xlwings UDFs) that answer with the batch's own pure functions.

=ARBOOK_OPEN_BALANCE(customer)            what the customer owes today (the ledger's open items)
=ARBOOK_CREDIT_AVAILABLE(customer)        CreditLimit - exposure ("" when no limit; arbook credit's table)
=ARBOOK_CREDIT_CHECK(customer, amount)    would an order fit? (receivables.check_order)
=ARBOOK_AGING_BUCKET(due_date, as_of)     Current, 1-30, ... per the aging_buckets setting
=ARBOOK_NAME_SCORE(text_a, text_b)        0-100, the matcher's payer-name similarity

The first four read the workbook's tables, which Excel does not know they depend on; they
are volatile (recomputed on every recalculation) and share one read of the tables, and one
ledger snapshot (`receivables.Ledger`) per day asked about, for a few seconds
(`SNAPSHOT_SECONDS`), so a column of formulas costs one read, not one per cell.
Import them in Excel with the xlwings add-in's "Import Functions" (UDF Modules: macros.udfs).
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pandas as pd
import xlwings as xw

from arbook.credit import credit_frame as credit_of
from common.errors import ArbookError
from common.values import parse_amount_cents, parse_date
from matching.matcher.payers import customer_names, match_payers
from receivables import Ledger, aged_items, check_order
from workbook.contract import Settings

from .live import LiveBook

__all__ = [
    "ARBOOK_AGING_BUCKET",
    "ARBOOK_CREDIT_AVAILABLE",
    "ARBOOK_CREDIT_CHECK",
    "ARBOOK_NAME_SCORE",
    "ARBOOK_OPEN_BALANCE",
    "SNAPSHOT_SECONDS",
    "Tables",
    "aging_bucket",
    "credit_frame",
    "name_score",
    "open_balance_cents",
]

SNAPSHOT_SECONDS = 5.0
_TABLES = ("Invoices", "Allocations", "Customers", "Orders", "Credit")


class Tables:
    """The tables and settings the functions need, read once from a book, and the ledger
    snapshot of each day asked about, built once from them."""

    def __init__(self, frames: dict[str, pd.DataFrame], settings: Settings) -> None:
        self.frames, self.settings = frames, settings
        self._ledgers: dict[date, Ledger] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    def ledger(self, as_of: date) -> Ledger:
        if as_of not in self._ledgers:
            self._ledgers[as_of] = Ledger(
                self["Invoices"], self["Allocations"], self["Customers"], as_of=as_of
            )
        return self._ledgers[as_of]


def open_balance_cents(tables: Tables, customer: str, as_of: date) -> int:
    """Net open items of `customer` as of `as_of`, in cents (negative: we owe them)."""
    items = tables.ledger(as_of).items
    return int(items.loc[items["CustomerID"] == customer, "OpenAmount"].fillna(0).sum())


def credit_frame(tables: Tables, as_of: date) -> pd.DataFrame:
    """The Credit table as `arbook credit` would compute it now (nothing is written)."""
    return credit_of(tables.ledger(as_of), tables["Orders"], tables["Credit"], tables.settings)


def aging_bucket(due: date, as_of: date, limits: tuple[int, ...]) -> str:
    """The aging bucket of an item due on `due`, as of `as_of`."""
    day = pd.to_datetime([due])
    item = pd.DataFrame({"DueDate": day, "InvoiceDate": day, "Kind": ["invoice"]})
    return str(aged_items(item, as_of=as_of, limits=limits, basis="due")["Bucket"].iloc[0])


def name_score(text_a: str, text_b: str) -> float:
    """How alike two company names are, 0-100, as the matcher scores a payer against a customer."""
    names = customer_names(pd.DataFrame({"Name": [str(text_b)]}))
    found = match_payers(pd.Series([str(text_a)]), names)
    return float(found["similarity"].max()) if len(found) else 0.0


_snapshots: dict[str, tuple[float, Tables]] = {}


def _tables(caller: Any) -> Tables:
    """The calling workbook's tables, read at most once per SNAPSHOT_SECONDS."""
    book = caller.sheet.book
    key = book.fullname
    now = time.monotonic()
    cached = _snapshots.get(key)
    if cached is None or now - cached[0] > SNAPSHOT_SECONDS:
        live = LiveBook(book)
        cached = (now, Tables({name: live.read(name) for name in _TABLES}, live.settings()))
        _snapshots[key] = cached
    return cached[1]


def _day(value: object) -> date:
    return date.today() if value in (None, "") else parse_date(value)


@xw.func(volatile=True)
def ARBOOK_OPEN_BALANCE(customer: str, caller: Any) -> float | str:
    """What the customer owes today, in currency units."""
    try:
        return open_balance_cents(_tables(caller), str(customer), date.today()) / 100
    except ArbookError as exc:
        return f"arbook: {exc}"


@xw.func(volatile=True)
def ARBOOK_CREDIT_AVAILABLE(customer: str, caller: Any) -> float | str:
    """Credit limit less exposure (open receivables and open orders); empty when no limit is set."""
    try:
        credit = credit_frame(_tables(caller), date.today())
        rows = credit[credit["CustomerID"] == str(customer)]
        if not len(rows):
            return f"arbook: no customer {customer!r} in Customers"
        available = rows["Available"].iloc[0]
        return "" if pd.isna(available) else int(available) / 100
    except ArbookError as exc:
        return f"arbook: {exc}"


@xw.func(volatile=True)
def ARBOOK_CREDIT_CHECK(customer: str, amount: object, caller: Any) -> str:
    """OK, or by how much an order of `amount` would exceed the customer's credit."""
    try:
        return check_order(
            credit_frame(_tables(caller), date.today()), str(customer), parse_amount_cents(amount)
        ).message
    except (ArbookError, ValueError) as exc:
        return f"arbook: {exc}"


@xw.func(volatile=True)
def ARBOOK_AGING_BUCKET(due_date: object, as_of: object, caller: Any) -> str:
    """The aging bucket (Current, 1-30, ...) of an item due on `due_date`; `as_of` blank = today."""
    try:
        return aging_bucket(parse_date(due_date), _day(as_of), _tables(caller).settings.aging_buckets)
    except (ArbookError, ValueError) as exc:
        return f"arbook: {exc}"


@xw.func
def ARBOOK_NAME_SCORE(text_a: str, text_b: str) -> float:
    """How alike two company names are (0-100), as the matcher sees a payer and a customer."""
    return name_score(text_a or "", text_b or "")
