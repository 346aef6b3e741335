"""The customer ledger as of a date: what each customer owes, item by item.

Aging, credit, the forecast, statements, notices, the month-end report and the matcher all
start from the same question — which items were open on a given day, and for how much — so
it is answered once, here, from the two tables that record it: `Invoices` and the
append-only `Allocations` log. Because allocations carry their `PaymentDate`, the answer for
any past date is exact: an invoice paid after that date is still open as of it, and a report
re-run for a past Monday reproduces the one read that day.

Sign convention (one rule for every item):
  OpenAmount > 0  the customer owes us (an invoice not yet fully paid)
  OpenAmount < 0  we owe the customer (a credit note not yet used, an overpaid invoice,
                  cash received but not applied to any invoice)
  OpenAmount = Amount - Paid, where Paid is the sum of the item's allocations of the
  SETTLING_KINDS (payment, fee, discount, writeoff) with PaymentDate <= as_of. Allocations to
  an invoice are positive; an allocation that uses up a credit note carries the credit's
  (negative) sign. Unapplied cash (Kind "unapplied", Amount > 0 = money received) becomes an
  open item of -Amount dated by its PaymentDate; a later allocation that applies it is logged
  as an "unapplied" row with the opposite sign, so the pair nets to nothing.
  A posting undone later is cancelled by rows of the opposite sign with the same line, item,
  kind and PaymentDate (Method reversal): sums net them at every date, and the dates and
  payments that behaviour figures read leave such pairs out (`cancelled_out`).

`Ledger` is one reading of these tables as of one date, computed lazily and shared by every
figure of a run, so a month-end works out the open items once (and again only after a step
posted allocations). The functions below it answer the same questions for frames at hand.

DueDate defaulting (InvoiceDate + the customer's PaymentTermsDays, 30 when unknown:
`common.terms.due_dates`) is done by the workbook reader, so every frame read through a Book
has it; the ledger applies the same rule to DueDates still empty, for frames built elsewhere
(tests, generators).

Currencies: every item is in one currency, and its amounts are minor units of it (cents,
whole yen, ...). An invoice's is its Currency, else its customer's, else the base currency;
unapplied cash is in the currency its allocation names (the bank line's), else the
customer's. Allocations are in their item's currency; a payment from a bank line in another
currency carries the line's money apart (LineAmount, LineCurrency) and the difference the
conversion left as Kind fx (matching.matcher.exchange). Nothing here adds amounts of two
currencies: the figures that do (aging totals, KPIs, credit) convert them through `rates`,
the Rates table as of the snapshot's date (common.currency).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd

from common.currency import Rates, with_currency
from common.errors import InputError, Problem
from common.terms import due_dates

from .money import in_base_units

__all__ = [
    "INPUT_COLUMNS",
    "LATEST",
    "OPEN_ITEM_COLUMNS",
    "SETTLING_KINDS",
    "Ledger",
    "cancelled_out",
    "invoice_balances",
    "open_items",
    "payment_behaviour",
    "payment_history",
    "with_columns",
]

LATEST = pd.Timestamp.max.date()
"""A day after every payment: balances as of it count every allocation, whatever its date
(what the matcher must take as open, since money already allocated is gone)."""
SETTLING_KINDS = ("payment", "fee", "discount", "writeoff", "fx")
"""Allocation kinds that reduce an invoice's open amount (unapplied cash does not); fx is the
realised exchange difference of a payment in another currency."""

ColumnKind = Literal["text", "money", "int", "date", "bool"]

INPUT_COLUMNS: Mapping[str, Mapping[str, ColumnKind]] = {
    "Invoices": {
        "InvoiceNo": "text",
        "CustomerID": "text",
        "InvoiceDate": "date",
        "DueDate": "date",
        "Currency": "text",
        "Amount": "money",
        "Reference": "text",
        "Disputed": "bool",
        "PromiseDate": "date",
    },
    "Allocations": {
        "LineID": "text",
        "InvoiceNo": "text",
        "CustomerID": "text",
        "Amount": "money",
        "PaymentDate": "date",
        "Kind": "text",
        "PostedAt": "date",
        "Currency": "text",
        "LineAmount": "money",
        "LineCurrency": "text",
    },
    "Customers": {
        "CustomerID": "text",
        "Name": "text",
        "Currency": "text",
        "PaymentTermsDays": "int",
        "CreditLimit": "money",
    },
    "Orders": {
        "CustomerID": "text",
        "OrderDate": "date",
        "Currency": "text",
        "Amount": "money",
        "Status": "text",
    },
}
"""The columns receivables reads from each table, and their kinds (money in Int64 cents, dates
datetime64[ns]). A frame missing an optional one (Reference, Disputed, LineID, ...) gets it
empty through `with_columns`, so computing never needs a special case; a write to one of
the ledger's tables' columns is what makes a `Ledger` snapshot stale."""

OPEN_ITEM_COLUMNS = [
    "InvoiceNo",
    "CustomerID",
    "Kind",
    "InvoiceDate",
    "DueDate",
    "Amount",
    "Paid",
    "OpenAmount",
    "LastPaymentDate",
    "Disputed",
    "PromiseDate",
    "Currency",
    "Reference",
]

_EMPTY = {"money": "Int64", "int": "Int64", "date": "datetime64[ns]"}


def with_columns(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """The frame with each of `INPUT_COLUMNS[table]` it lacks added empty, typed per its kind."""
    missing = [(name, kind) for name, kind in INPUT_COLUMNS[table].items() if name not in frame]
    if not missing:
        return frame
    out = frame.copy()
    for name, kind in missing:
        if kind == "text":
            out[name] = pd.Series("", index=out.index, dtype=object)
        elif kind == "bool":
            out[name] = pd.Series(False, index=out.index, dtype=bool)
        else:
            empty = pd.NaT if kind == "date" else pd.NA
            out[name] = pd.Series(empty, index=out.index, dtype=_EMPTY[kind])
    return out


class Ledger:
    """The ledger as of one date, read once: every figure of a run is computed from it.

    Each view (invoice balances, open items, payment history and behaviour) is computed the
    first time it is asked for and kept. The frames given are the tables as `Book.read`
    returns them; the snapshot never changes them. Its `allocations` are dated: an empty
    PaymentDate (a hand-made row) is the day the row was posted, so a statement's activity and
    the report's month count an allocation on the day its balance effect has. `rates` are the
    Rates table, whose base is the company's base currency (`no_rates(base)` when there are
    none: every currency but the base then refuses conversion).
    """

    def __init__(
        self,
        invoices: pd.DataFrame,
        allocations: pd.DataFrame,
        customers: pd.DataFrame,
        *,
        as_of: date,
        rates: Rates,
    ) -> None:
        self.as_of = as_of
        self.rates = rates
        self.base = self.rates.base
        self.customers = with_columns(customers, "Customers")
        self.invoices = with_currency(with_columns(invoices, "Invoices"), self.customers, self.base)
        allocations = with_columns(allocations, "Allocations")
        self.allocations = allocations.assign(PaymentDate=_payment_dates(allocations))
        _refuse_duplicate_numbers(self.invoices)
        self._items: dict[date, pd.DataFrame] = {}
        self._balances: dict[date, pd.DataFrame] = {}

    @property
    def balances(self) -> pd.DataFrame:
        """`invoice_balances` as of the snapshot's date."""
        return self.balances_on(self.as_of)

    def balances_on(self, day: date) -> pd.DataFrame:
        """`invoice_balances` as of `day` (LATEST: counting every allocation, for the matcher)."""
        if day not in self._balances:
            self._balances[day] = invoice_balances(
                self.invoices, self.allocations, as_of=day, customers=self.customers, base=self.base
            )
        return self._balances[day]

    @cached_property
    def items(self) -> pd.DataFrame:
        """`open_items` as of the snapshot's date."""
        return self.items_on(self.as_of)

    def items_on(self, day: date) -> pd.DataFrame:
        """`open_items` as of `day` (the start of a KPI month, the last month end of a report)."""
        if day not in self._items:
            balances = self.balances if day == self.as_of else None
            self._items[day] = _open_items(
                self.invoices, self.allocations, day, self.customers, balances, self.base
            )
        return self._items[day]

    @cached_property
    def history(self) -> pd.DataFrame:
        """`payment_history` up to the snapshot's date, weighted in the base currency (`weighted`)."""
        history = payment_history(
            self.invoices, self.allocations, as_of=self.as_of, customers=self.customers, base=self.base
        )
        return weighted(history, self.rates, self.as_of)

    @cached_property
    def behaviour(self) -> pd.DataFrame:
        """`payment_behaviour` of every customer over the whole history."""
        return payment_behaviour(self.history)


def no_rates(base: str) -> Rates:
    """An empty Rates table: amounts in `base` need none, any other currency is refused conversion."""
    empty = pd.DataFrame({"Date": pd.Series([], dtype="datetime64[ns]"), "Currency": [], "Rate": []})
    return Rates(empty, base=base, max_age_days=0)


def weighted(history: pd.DataFrame, rates: Rates, day: date) -> pd.DataFrame:
    """`history` with Weight: each payment in base-currency units at the rates of `day` (a float
    for averaging days late), so a yen counts as a yen's worth, not as a euro. A history in
    one currency needs no rate: its amounts are the weights."""
    amounts = history["Amount"].astype("float64")
    currencies = set(history["Currency"])
    if len(currencies) <= 1:
        return history.assign(Weight=amounts)
    return history.assign(Weight=in_base_units(history["Amount"], history["Currency"], rates, day))


def invoice_balances(
    invoices: pd.DataFrame,
    allocations: pd.DataFrame,
    *,
    as_of: date,
    base: str,
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every invoice (and credit note) row with its Paid, OpenAmount, Status, LastPaymentDate,
    and its Currency (its own, else its customer's, else `base`).

    The frame keeps the invoices' index (their Excel rows) and order, including invoices
    dated after `as_of` (shown as not yet paid) and fully paid ones, because the aging run
    writes the computed columns back to every row of `Invoices`.
    Status: Credit for a credit note still open, Paid when nothing is open (or overpaid),
    Partial when something but not all was allocated, Open otherwise.
    """
    invoices = with_currency(with_columns(invoices, "Invoices"), customers, base)
    allocations = with_columns(allocations, "Allocations")
    _refuse_duplicate_numbers(invoices)
    settled = _settling(allocations, as_of)
    sums = settled.groupby("InvoiceNo", sort=False).agg(Paid=("Amount", "sum"))
    sums["LastPaymentDate"] = cancelled_out(settled).groupby("InvoiceNo", sort=False)["PaymentDate"].max()
    out = invoices.copy()
    out["DueDate"] = due_dates(invoices, customers)
    joined = sums.reindex(out["InvoiceNo"].to_numpy())
    amount = out["Amount"].astype("Int64")
    paid = pd.array(joined["Paid"].fillna(0).to_numpy("int64"), dtype="Int64")
    out["Amount"] = amount
    out["Paid"] = paid
    out["OpenAmount"] = amount - paid
    out["LastPaymentDate"] = joined["LastPaymentDate"].to_numpy("datetime64[ns]")
    out["Kind"] = np.where(amount.fillna(0).to_numpy("int64") < 0, "credit", "invoice")
    out["Status"] = _status(amount, paid)
    return out


def open_items(
    invoices: pd.DataFrame,
    allocations: pd.DataFrame,
    *,
    as_of: date,
    base: str,
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per item open on `as_of`: invoices, credit notes and unapplied cash.

    Only invoices dated on or before `as_of` count; items whose OpenAmount is zero are
    left out. Columns are OPEN_ITEM_COLUMNS (money Int64 minor units of the item's Currency,
    dates datetime64[ns]); for unapplied cash InvoiceDate = DueDate = PaymentDate, Amount =
    OpenAmount = -cash. Currency is never empty (see the module docstring; `base` when
    neither the item nor its customer names one). `customers` also supplies the payment
    terms for empty DueDates. The index is a fresh RangeIndex: items are not rows of one table.
    """
    return _open_items(invoices, allocations, as_of, customers, None, base)


def _open_items(
    invoices: pd.DataFrame,
    allocations: pd.DataFrame,
    as_of: date,
    customers: pd.DataFrame | None,
    balances: pd.DataFrame | None,
    base: str,
) -> pd.DataFrame:
    stamp = pd.Timestamp(as_of)
    allocations = with_columns(allocations, "Allocations")
    if balances is None:
        balances = invoice_balances(invoices, allocations, as_of=as_of, customers=customers, base=base)
    issued = balances[(balances["InvoiceDate"] <= stamp) & (balances["OpenAmount"].fillna(0) != 0)]
    unapplied = _unapplied(allocations, stamp, customers, base)
    parts = [p for p in (issued[OPEN_ITEM_COLUMNS], unapplied[OPEN_ITEM_COLUMNS]) if len(p)]
    items = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({c: [] for c in OPEN_ITEM_COLUMNS})
    return _typed(items)


def payment_history(
    invoices: pd.DataFrame,
    allocations: pd.DataFrame,
    *,
    as_of: date,
    base: str,
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each payment received on an invoice up to `as_of`, with how many days late it came.

    The raw material of every behaviour figure (average days late, on-time share, the
    forecast's expected delay): allocations of kind payment with a positive amount on an
    invoice (not a credit note), dated on or before `as_of`. DaysLate = PaymentDate -
    DueDate in days, negative when paid early. Columns: InvoiceNo, CustomerID, Amount
    (Int64 minor units), Currency (the invoice's), PaymentDate, DueDate, DaysLate (int64).
    """
    invoices = with_currency(with_columns(invoices, "Invoices"), customers, base)
    allocations = with_columns(allocations, "Allocations")
    allocations = cancelled_out(allocations.assign(PaymentDate=_payment_dates(allocations)))
    dated = allocations["PaymentDate"]
    amount = allocations["Amount"].fillna(0).astype("int64")
    _refuse_duplicate_numbers(invoices)
    keep = (allocations["Kind"] == "payment") & (dated <= pd.Timestamp(as_of)) & (amount > 0)
    numbered = (invoices["InvoiceNo"] != "").to_numpy()
    by_number = pd.Index(invoices["InvoiceNo"].to_numpy()[numbered])
    due = pd.Series(due_dates(invoices, customers).to_numpy()[numbered], index=by_number)
    owner = pd.Series(invoices["CustomerID"].to_numpy()[numbered], index=by_number)
    currency = pd.Series(invoices["Currency"].to_numpy()[numbered], index=by_number)
    is_invoice = pd.Series(invoices["Amount"].fillna(0).to_numpy("int64")[numbered] > 0, index=by_number)
    numbers = allocations["InvoiceNo"][keep]
    on_invoice = is_invoice.reindex(numbers.to_numpy(), fill_value=False).to_numpy(bool)
    numbers = numbers.to_numpy()[on_invoice]
    paid_on = dated[keep].to_numpy("datetime64[ns]")[on_invoice]
    due_on = due.reindex(numbers).to_numpy("datetime64[ns]")
    return pd.DataFrame(
        {
            "InvoiceNo": pd.Series(numbers, dtype=str),
            "CustomerID": pd.Series(owner.reindex(numbers).to_numpy(), dtype=str),
            "Amount": pd.array(amount[keep].to_numpy()[on_invoice], dtype="Int64"),
            "Currency": pd.Series(currency.reindex(numbers).to_numpy(), dtype=str),
            "PaymentDate": paid_on,
            "DueDate": due_on,
            "DaysLate": ((paid_on - due_on) // np.timedelta64(1, "D")).astype("int64"),
        }
    )


def payment_behaviour(
    history: pd.DataFrame,
    *,
    since: pd.Timestamp | None = None,
    until: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per customer, from `payment_history`: how late and how regularly they pay.

    Returns a frame indexed by CustomerID with Payments (count), AvgDaysLate and
    SpreadDays (amount-weighted mean and standard deviation of days late) and OnTimeRate
    (share of the amount paid on or before the due date, 0-1). Amounts weigh by Weight
    (`weighted`: in the base currency) where the history has it. `since`/`until` limit the
    payments to PaymentDate in (since, until].
    """
    rows = history
    if since is not None:
        rows = rows[rows["PaymentDate"] > since]
    if until is not None:
        rows = rows[rows["PaymentDate"] <= until]
    weight = (rows["Weight"] if "Weight" in rows else rows["Amount"]).astype("float64")
    late = rows["DaysLate"].astype("float64")
    frame = pd.DataFrame(
        {
            "CustomerID": rows["CustomerID"],
            "w": weight,
            "wd": weight * late,
            "wdd": weight * late * late,
            "on_time": weight.where(late <= 0, 0.0),
        }
    )
    g = frame.groupby("CustomerID", sort=True)
    sums = g[["w", "wd", "wdd", "on_time"]].sum()
    mean = sums["wd"] / sums["w"]
    variance = (sums["wdd"] / sums["w"] - mean * mean).clip(lower=0)
    return pd.DataFrame(
        {
            "Payments": g.size().astype("int64"),
            "AvgDaysLate": mean,
            "SpreadDays": np.sqrt(variance),
            "OnTimeRate": sums["on_time"] / sums["w"],
        }
    )


def _settling(allocations: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Allocations that reduce an item's open amount, dated on or before `as_of`."""
    dated = _payment_dates(allocations)
    keep = allocations["Kind"].isin(SETTLING_KINDS) & (dated <= pd.Timestamp(as_of))
    return pd.DataFrame(
        {
            "InvoiceNo": allocations["InvoiceNo"][keep],
            "Amount": allocations["Amount"][keep].fillna(0).astype("int64"),
            "PaymentDate": dated[keep],
        }
    )


def cancelled_out(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows without those a reversal cancelled: where rows of one line, item, kind and date
    include a negative one, they are replaced by their sum (left out when it is zero).

    Rows of such a group that are all positive stay as they are, so books without reversals
    read exactly as before.
    """
    amount = rows["Amount"].fillna(0).astype("int64")
    if not (amount < 0).any():
        return rows
    group = pd.Series("", index=rows.index, dtype=object)
    for column in ("LineID", "InvoiceNo", "Kind", "PaymentDate"):
        if column in rows:
            group = group + "|" + rows[column].astype(str)
    touched = group.isin(set(group[amount < 0]))
    netted = rows[touched].assign(Amount=amount[touched]).groupby(group[touched], sort=False)
    summed = netted.head(1).copy()
    summed["Amount"] = netted["Amount"].sum().to_numpy()
    summed = summed[summed["Amount"] != 0].astype({"Amount": rows["Amount"].dtype})
    return pd.concat([rows[~touched], summed]).sort_index()


def _payment_dates(allocations: pd.DataFrame) -> pd.Series:
    """PaymentDate, or the day it was posted when a hand-made row left PaymentDate empty."""
    dated = allocations["PaymentDate"].astype("datetime64[ns]")
    return dated.fillna(allocations["PostedAt"].astype("datetime64[ns]").dt.normalize())


def _unapplied(
    allocations: pd.DataFrame, stamp: pd.Timestamp, customers: pd.DataFrame | None, base: str
) -> pd.DataFrame:
    """Cash received and not applied: one negative item per bank line, customer, InvoiceNo and currency."""
    dated = _payment_dates(allocations)
    rows = allocations[(allocations["Kind"] == "unapplied") & (dated <= stamp)].assign(PaymentDate=dated)
    rows = with_currency(rows, customers, base)
    grouped = (
        rows.groupby(["CustomerID", "LineID", "InvoiceNo", "Currency"], sort=False)
        .agg(Cash=("Amount", "sum"), PaymentDate=("PaymentDate", "min"))
        .reset_index()
    )
    grouped = grouped[grouped["Cash"].fillna(0) != 0]
    open_amount = -grouped["Cash"].astype("Int64")
    currency = grouped["Currency"].astype(object)
    return pd.DataFrame(
        {
            "InvoiceNo": grouped["InvoiceNo"],
            "CustomerID": grouped["CustomerID"],
            "Kind": "unapplied",
            "InvoiceDate": grouped["PaymentDate"],
            "DueDate": grouped["PaymentDate"],
            "Amount": open_amount,
            "Paid": pd.array(np.zeros(len(grouped), dtype="int64"), dtype="Int64"),
            "OpenAmount": open_amount,
            "LastPaymentDate": pd.NaT,
            "Disputed": False,
            "PromiseDate": pd.NaT,
            "Currency": currency,
            "Reference": "",
        }
    )


def _status(amount: pd.Series, paid: pd.Series) -> np.ndarray:
    a = amount.fillna(0).to_numpy("int64")
    p = paid.to_numpy("int64")
    open_ = a - p
    invoice_status = np.select([open_ <= 0, p == 0], ["Paid", "Open"], default="Partial")
    return np.where(a < 0, np.where(open_ < 0, "Credit", "Paid"), invoice_status)


def _refuse_duplicate_numbers(invoices: pd.DataFrame) -> None:
    """Allocations find their invoice by number, so one number must mean one invoice."""
    dup = invoices["InvoiceNo"].duplicated(keep="first") & (invoices["InvoiceNo"] != "")
    if dup.any():
        first = invoices["InvoiceNo"].drop_duplicates()
        first_row = pd.Series(first.index, index=first.to_numpy())
        raise InputError(
            [
                Problem(
                    "Invoices",
                    int(row),
                    "InvoiceNo",
                    f"expected a unique invoice number, {number!r} is already on row {first_row[number]}",
                )
                for row, number in invoices.loc[dup, "InvoiceNo"].items()
            ]
        )


def _typed(items: pd.DataFrame) -> pd.DataFrame:
    """Pin the contract types, whatever concat made of empty or mixed parts."""
    for col in ("InvoiceDate", "DueDate", "LastPaymentDate", "PromiseDate"):
        items[col] = items[col].astype("datetime64[ns]")
    for col in ("Amount", "Paid", "OpenAmount"):
        items[col] = items[col].astype("Int64")
    for col in ("InvoiceNo", "CustomerID", "Kind", "Currency", "Reference"):
        items[col] = items[col].fillna("").astype(str)
    items["Disputed"] = items["Disputed"].fillna(False).astype(bool)
    return items
