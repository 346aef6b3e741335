"""The customer ledger as of a date: what each customer owes, item by item.

Aging, credit, the forecast, statements and notices all start from the same question —
which items were open on a given day, and for how much — so it is answered once, here,
from the two tables that record it: `Invoices` and the append-only `Allocations` log.
Because allocations carry their `PaymentDate`, the answer for any past date is exact: an
invoice paid after that date is still open as of it, and a report re-run for a past
Monday reproduces the one read that day.

Sign convention (one rule for every item):
  OpenAmount > 0  the customer owes us (an invoice not yet fully paid)
  OpenAmount < 0  we owe the customer (a credit note not yet used, an overpaid invoice,
                  cash received but not applied to any invoice)
  OpenAmount = Amount - Paid, where Paid is the sum of the item's allocations of kinds
  payment, fee, discount and writeoff with PaymentDate <= as_of. Allocations to an invoice
  are positive; an allocation that uses up a credit note carries the credit's (negative)
  sign. Unapplied cash (Kind "unapplied", Amount > 0 = money received) becomes an open item
  of -Amount dated by its PaymentDate; a later allocation that applies it is logged as an
  "unapplied" row with the opposite sign, so the pair nets to nothing.

DueDate defaulting (InvoiceDate + the customer's PaymentTermsDays, 30 when unknown) is done
by the workbook reader, so every frame read through a Book has it; `due_dates` applies the
same rule here only to DueDates still empty, for frames built elsewhere (tests, generators).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from common.errors import InputError, Problem
from workbook.contract import table

__all__ = [
    "DEFAULT_TERMS_DAYS",
    "OPEN_ITEM_COLUMNS",
    "SETTLING_KINDS",
    "due_dates",
    "invoice_balances",
    "open_items",
    "payment_history",
    "with_contract_columns",
]

DEFAULT_TERMS_DAYS = 30
SETTLING_KINDS = ("payment", "fee", "discount", "writeoff")
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


def due_dates(invoices: pd.DataFrame, customers: pd.DataFrame | None = None) -> pd.Series:
    """Each invoice's DueDate, empty ones filled with InvoiceDate + the customer's terms."""
    terms = pd.Series(DEFAULT_TERMS_DAYS, index=invoices.index, dtype="int64")
    if customers is not None and len(customers) and "PaymentTermsDays" in customers:
        by_customer = customers.drop_duplicates("CustomerID").set_index("CustomerID")["PaymentTermsDays"]
        looked_up = invoices["CustomerID"].map(by_customer).astype("Float64")
        terms = looked_up.fillna(DEFAULT_TERMS_DAYS).astype("int64")
    default = invoices["InvoiceDate"] + pd.to_timedelta(terms, unit="D")
    return invoices["DueDate"].fillna(default).astype("datetime64[ns]")


def invoice_balances(
    invoices: pd.DataFrame,
    allocations: pd.DataFrame,
    *,
    as_of: date,
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every invoice (and credit note) row with its Paid, OpenAmount, Status, LastPaymentDate.

    The frame keeps the invoices' index (their Excel rows) and order, including invoices
    dated after `as_of` (shown as not yet paid) and fully paid ones, because the aging run
    writes the computed columns back to every row of `Invoices`.
    Status: Credit for a credit note still open, Paid when nothing is open (or overpaid),
    Partial when something but not all was allocated, Open otherwise.
    """
    invoices = with_contract_columns(invoices, "Invoices")
    allocations = with_contract_columns(allocations, "Allocations")
    _refuse_duplicate_numbers(invoices)
    settled = _settling(allocations, as_of)
    sums = settled.groupby("InvoiceNo", sort=False).agg(
        Paid=("Amount", "sum"), LastPaymentDate=("PaymentDate", "max")
    )
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
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per item open on `as_of`: invoices, credit notes and unapplied cash.

    Only invoices dated on or before `as_of` count; items whose OpenAmount is zero are
    left out. Columns are OPEN_ITEM_COLUMNS (money Int64 cents, dates datetime64[ns]);
    for unapplied cash InvoiceDate = DueDate = PaymentDate, Amount = OpenAmount = -cash,
    and Currency comes from the customer when `customers` is given. `customers` also
    supplies the payment terms for empty DueDates (see the module docstring).
    The index is a fresh RangeIndex: items are not rows of one table.
    """
    stamp = pd.Timestamp(as_of)
    allocations = with_contract_columns(allocations, "Allocations")
    balances = invoice_balances(invoices, allocations, as_of=as_of, customers=customers)
    issued = balances[(balances["InvoiceDate"] <= stamp) & (balances["OpenAmount"].fillna(0) != 0)]
    unapplied = _unapplied(allocations, stamp, customers)
    parts = [p for p in (issued[OPEN_ITEM_COLUMNS], unapplied[OPEN_ITEM_COLUMNS]) if len(p)]
    items = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({c: [] for c in OPEN_ITEM_COLUMNS})
    return _typed(items)


_EMPTY_BY_KIND = {
    "money": "Int64",
    "int": "Int64",
    "date": "datetime64[ns]",
    "datetime": "datetime64[ns]",
    "bool": bool,
    "number": "float64",
}


def with_contract_columns(frame: pd.DataFrame, table_name: str) -> pd.DataFrame:
    """The frame with any missing contract column added empty, typed per its kind.

    Optional columns (Reference, Disputed, LineID, ...) may be absent from frames built by
    hand or read from a partial table; computing on them must not need a special case.
    """
    missing = [c for c in table(table_name).columns if c.name not in frame]
    if not missing:
        return frame
    out = frame.copy()
    for col in missing:
        dtype = _EMPTY_BY_KIND.get(col.kind)
        if dtype is None:
            out[col.name] = pd.Series("", index=out.index, dtype=object)
        elif dtype is bool:
            out[col.name] = pd.Series(False, index=out.index, dtype=bool)
        else:
            out[col.name] = pd.Series(
                pd.NA if dtype != "datetime64[ns]" else pd.NaT, index=out.index, dtype=dtype
            )
    return out


def payment_history(
    invoices: pd.DataFrame,
    allocations: pd.DataFrame,
    *,
    as_of: date,
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each payment received on an invoice up to `as_of`, with how many days late it came.

    The raw material of every behaviour figure (average days late, on-time share, the
    forecast's expected delay): allocations of kind payment with a positive amount on an
    invoice (not a credit note), dated on or before `as_of`. DaysLate = PaymentDate -
    DueDate in days, negative when paid early. Columns: InvoiceNo, CustomerID, Amount
    (Int64 cents), PaymentDate, DueDate, DaysLate (int64).
    """
    invoices = with_contract_columns(invoices, "Invoices")
    allocations = with_contract_columns(allocations, "Allocations")
    dated = _payment_dates(allocations)
    amount = allocations["Amount"].fillna(0).astype("int64")
    _refuse_duplicate_numbers(invoices)
    keep = (allocations["Kind"] == "payment") & (dated <= pd.Timestamp(as_of)) & (amount > 0)
    numbered = (invoices["InvoiceNo"] != "").to_numpy()
    by_number = pd.Index(invoices["InvoiceNo"].to_numpy()[numbered])
    due = pd.Series(due_dates(invoices, customers).to_numpy()[numbered], index=by_number)
    owner = pd.Series(invoices["CustomerID"].to_numpy()[numbered], index=by_number)
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
            "PaymentDate": paid_on,
            "DueDate": due_on,
            "DaysLate": ((paid_on - due_on) // np.timedelta64(1, "D")).astype("int64"),
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


def _payment_dates(allocations: pd.DataFrame) -> pd.Series:
    """PaymentDate, or the day it was posted when a hand-made row left PaymentDate empty."""
    dated = allocations["PaymentDate"].astype("datetime64[ns]")
    if "PostedAt" in allocations:
        dated = dated.fillna(allocations["PostedAt"].astype("datetime64[ns]").dt.normalize())
    return dated


def _unapplied(
    allocations: pd.DataFrame, stamp: pd.Timestamp, customers: pd.DataFrame | None
) -> pd.DataFrame:
    """Cash received and not applied: one negative item per bank line, customer and InvoiceNo."""
    dated = _payment_dates(allocations)
    rows = allocations[(allocations["Kind"] == "unapplied") & (dated <= stamp)].assign(PaymentDate=dated)
    line = rows["LineID"] if "LineID" in rows else pd.Series("", index=rows.index)
    grouped = (
        rows.assign(LineID=line)
        .groupby(["CustomerID", "LineID", "InvoiceNo"], sort=False)
        .agg(Cash=("Amount", "sum"), PaymentDate=("PaymentDate", "min"))
        .reset_index()
    )
    grouped = grouped[grouped["Cash"].fillna(0) != 0]
    open_amount = -grouped["Cash"].astype("Int64")
    currency = pd.Series("", index=grouped.index, dtype=object)
    if customers is not None and len(customers) and "Currency" in customers:
        by_customer = customers.drop_duplicates("CustomerID").set_index("CustomerID")["Currency"]
        currency = grouped["CustomerID"].map(by_customer).fillna("").astype(object)
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
