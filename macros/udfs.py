"""Excel worksheet functions (xlwings UDFs), for the answers a plain Excel formula cannot give.

    =ARBOOK_CREDIT_CHECK(customer, amount)   would an order fit? OK, or by how much it would not
    =ARBOOK_AGING_BUCKET(due_date, [as_of])  Current, 1-30, ... by the workbook's aging_buckets
    =ARBOOK_NAME_SCORE(text_a, text_b)       0-100, how alike two names are to the bank matcher

Windows only: Excel calls these through xlwings' COM server, which Excel for Mac and Excel on
the web do not have (they show #NAME?). A customer's balance or available credit needs no
Python at all: the Aging and Credit tables hold them after each run, and INDEX/MATCH finds them
instantly everywhere, LibreOffice included (`=IFERROR(INDEX(Aging[Total], MATCH(A2&"",
Aging[CustomerID], 0)), "no such customer")`; `A2&""` makes a number cell such as 10002 match the
text ID "10002"), as does XLOOKUP in Excel 2021, 365 and on the web (LibreOffice 7.4 lacks it).

Type hints are xlwings conversion rules, not documentation: each argument is converted by the
converter its hint names. So arguments are `Any` (what the cell holds, as Excel hands it over:
a number cell arrives as 10002.0, an empty one as None) and each function reads them with the
workbook reader's own rules; a hint such as `object` or `float | str` makes xlwings fail on
every call. The caller's cell is xlwings' reserved `caller` argument, hidden from Excel.

A problem is answered as text starting "#VALUE!" that says what is wrong, never as a number.
The tables are read once per workbook for SNAPSHOT_SECONDS (a column of formulas recalculated
together costs one read), and what is computed from them (the ledger snapshot,
`receivables.Ledger`, and the credit table) once per read.
Import them with the standalone VBA's ImportPythonUDFs macro (UDF MODULES = macros.udfs in
xlwings.conf, which `arbook new` writes) or the xlwings add-in's "Import Functions".
"""

from __future__ import annotations

import time
from datetime import date
from functools import cached_property, lru_cache
from typing import Any

import pandas as pd
import xlwings as xw

from arbook.credit import credit_frame, order_amount
from arbook.rates import rates_of
from common.errors import ArbookError, InputError
from common.values import parse_amount_cents, parse_date
from matching.matcher.payers import customer_names, match_payers
from receivables import Ledger, aged_items, check_order
from workbook.contract import Settings
from workbook.convert import cell_text

from .live import LiveBook

__all__ = [
    "ARBOOK_AGING_BUCKET",
    "ARBOOK_CREDIT_CHECK",
    "ARBOOK_NAME_SCORE",
    "SNAPSHOT_SECONDS",
    "Snapshot",
    "aging_bucket",
    "name_score",
]

SNAPSHOT_SECONDS = 5.0
ERROR = "#VALUE! "
"""How a function's answer starts when it cannot answer: text Excel shows as it is, never a number."""


class Snapshot:
    """One read of the tables the functions need, and what is computed from it, for one day."""

    def __init__(self, frames: dict[str, pd.DataFrame], settings: Settings, today: date) -> None:
        self.frames, self.settings, self.today = frames, settings, today

    @classmethod
    def of(cls, book: Any, today: date) -> Snapshot:
        live = LiveBook(book)
        names = ("Invoices", "Allocations", "Customers", "Orders", "Credit", "Rates")
        return cls({name: live.read(name) for name in names}, live.settings(), today)

    @cached_property
    def ledger(self) -> Ledger:
        """The ledger as of today, read from the snapshot's tables."""
        rates = rates_of(self.frames["Rates"], self.settings)
        return Ledger(
            self.frames["Invoices"],
            self.frames["Allocations"],
            self.frames["Customers"],
            as_of=self.today,
            rates=rates,
        )

    @cached_property
    def credit(self) -> pd.DataFrame:
        """The Credit table as `arbook credit` would compute it today (nothing is written)."""
        return credit_frame(self.ledger, self.frames["Orders"], self.frames["Credit"], self.settings)


_snapshots: dict[str, tuple[float, Snapshot]] = {}


def _snapshot(caller: Any) -> Snapshot:
    """The calling workbook's snapshot, read again after SNAPSHOT_SECONDS or on a new day."""
    book = caller.sheet.book
    now, today = time.monotonic(), date.today()
    cached = _snapshots.get(book.fullname)
    if cached is None or now - cached[0] > SNAPSHOT_SECONDS or cached[1].today != today:
        cached = (now, Snapshot.of(book, today))
        _snapshots[book.fullname] = cached
    return cached[1]


@lru_cache(maxsize=4096)
def aging_bucket(due: date, as_of: date, limits: tuple[int, ...]) -> str:
    """The aging bucket of an invoice due on `due`, as of `as_of`, by the aging run's own rule."""
    day = pd.to_datetime([due])
    item = pd.DataFrame({"DueDate": day, "InvoiceDate": day, "Kind": ["invoice"]})
    return str(aged_items(item, as_of=as_of, limits=limits, basis="due")["Bucket"].iloc[0])


@lru_cache(maxsize=4096)
def name_score(text_a: str, text_b: str) -> float:
    """How alike two company names are, 0-100, as the matcher scores a payer against a customer."""
    names = customer_names(pd.DataFrame({"Name": [text_b]}))
    found = match_payers(pd.Series([text_a]), names)
    return float(found["similarity"].max()) if len(found) else 0.0


def _problem(exc: Exception) -> str:
    """A refusal as a cell can show it: one line, the first problem, how many more there are."""
    if isinstance(exc, InputError) and exc.problems:
        more = len(exc.problems) - 1
        return ERROR + str(exc.problems[0]) + (f" (and {more} more: run arbook check)" if more else "")
    return ERROR + str(exc).splitlines()[0]


def _filled(value: Any, what: str) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{what} is empty")
    return value


def _date(value: Any, what: str, snapshot: Snapshot) -> date:
    try:
        return parse_date(_filled(value, what), date_order=snapshot.settings.date_order)
    except ValueError as exc:
        raise ValueError(f"{what}: {exc}") from None


@xw.func(volatile=True)
def ARBOOK_CREDIT_CHECK(customer: Any, amount: Any, caller: Any) -> str:
    """Would an order of `amount` fit the customer's credit today? OK, or by how much it would not."""
    try:
        snapshot = _snapshot(caller)
        typed = parse_amount_cents(_filled(amount, "amount"))
        who = cell_text(_filled(customer, "customer"))
        return check_order(snapshot.credit, who, order_amount(snapshot.credit, who, typed)).message
    except (ArbookError, ValueError) as exc:
        return _problem(exc)


@xw.func(volatile=True)
def ARBOOK_AGING_BUCKET(due_date: Any, caller: Any, as_of: Any = None) -> str:
    """The aging bucket (Current, 1-30, ...) of an invoice due on `due_date`; `as_of` left out = today."""
    try:
        snapshot = _snapshot(caller)
        day = snapshot.today if as_of in (None, "") else _date(as_of, "as_of", snapshot)
        return aging_bucket(_date(due_date, "due_date", snapshot), day, snapshot.settings.aging_buckets)
    except (ArbookError, ValueError) as exc:
        return _problem(exc)


@xw.func
def ARBOOK_NAME_SCORE(text_a: Any, text_b: Any) -> Any:
    """How alike two company names are (0-100), as the matcher sees a payer and a customer; blank if one is blank."""
    a, b = cell_text(text_a), cell_text(text_b)
    return name_score(a, b) if a and b else ""
