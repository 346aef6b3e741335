"""What a statement of account says, computed from the ledger frames (no wording, no layout).

Inputs are the open items as of the statement date (as the ledger computes them), already
aged: each with its DaysOverdue and Bucket, by the same rule as the workbook's Aging sheet,
so the aging box on a statement and the Aging row of its customer always agree; and the
Invoices and Allocations tables for the activity in the period. The opening balance is
the closing balance less the period's activity, so a statement always adds up: opening +
invoices - credits - payments = closing = the sum of the open items.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from common.currency import row_currencies, with_currency

__all__ = ["ActivityLine", "OpenLine", "StatementData", "build_statements"]

_SUMMED_AS_PAYMENT = ("payment", "unapplied")
# Settlements without cash, each shown as its own kind (a label in every language)
_ADJUSTMENT_KIND = {"fee": "bank_fee", "discount": "discount", "writeoff": "writeoff"}


@dataclass(frozen=True)
class ActivityLine:
    date: dt.date
    kind: str  # invoice, credit_note, payment, bank_fee, discount, writeoff
    document: str
    description: str
    amount: int  # cents; > 0 raises the balance (invoice), < 0 lowers it (credit, payment)
    balance: int  # running balance after this line


@dataclass(frozen=True)
class OpenLine:
    number: str
    kind: str  # invoice, credit, unapplied
    invoice_date: dt.date | None
    due_date: dt.date | None
    amount: int
    open: int
    days_overdue: int


@dataclass
class StatementData:
    customer_id: str
    currency: str
    period_start: dt.date
    as_of: dt.date
    opening: int
    closing: int
    activity: list[ActivityLine] = field(default_factory=list)
    open_items: list[OpenLine] = field(default_factory=list)
    aging: list[tuple[str, int]] = field(default_factory=list)  # (bucket label, cents)

    @property
    def overdue_total(self) -> int:
        return sum(line.open for line in self.open_items if line.days_overdue > 0 and line.open > 0)

    @property
    def item_numbers(self) -> list[str]:
        return sorted(line.number for line in self.open_items)


def _date(value: object) -> dt.date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()  # type: ignore[arg-type]


def build_statements(
    customers: pd.DataFrame,
    open_items: pd.DataFrame,
    invoices: pd.DataFrame,
    allocations: pd.DataFrame,
    *,
    as_of: dt.date,
    period_start: dt.date,
    aging_labels: Sequence[str],
    min_balance: int,
    base_currency: str,
) -> list[StatementData]:
    """One statement per customer and currency with a balance >= min_balance or activity in the period.

    `open_items` carry DaysOverdue and Bucket (one of `aging_labels`, Current first).
    `allocations` are dated, as the receivables ledger hands them (PaymentDate filled from
    the day posted where a row left it empty): a payment is shown on its PaymentDate.
    Customers are taken in the order of the Customers table; an item in a currency other
    than the customer's own gets its own statement in that currency.
    """
    own_currency = dict(
        zip(customers["CustomerID"].astype(str), row_currencies(customers, base_currency), strict=True)
    )
    start, end = pd.Timestamp(period_start), pd.Timestamp(as_of)
    items = with_currency(open_items, customers, base_currency)
    activity = _activity(invoices, allocations, start, end, customers, base_currency)
    # Each frame sorted once and split into rows per customer and currency in one pass (a
    # stable sort keeps every group's rows in the order a sort of the group alone gives): sorting
    # and iterating a small frame per customer cost ten times the rest of the statement.
    items_by = _rows_by(
        items.sort_values(["DueDate", "InvoiceNo"], kind="stable", na_position="first"), _ITEM_FIELDS
    )
    moves_by = _rows_by(activity.sort_values(["Date", "Order", "Document"], kind="stable"), _MOVE_FIELDS)
    currencies_of: dict[str, dict[str, None]] = {}
    for frame in (items, activity):  # each customer's currencies in the order they first appear
        for customer, currency in zip(frame["CustomerID"], frame["Currency"], strict=True):
            currencies_of.setdefault(customer, {})[currency] = None
    out: list[StatementData] = []
    for customer, own in own_currency.items():
        for currency in dict.fromkeys([own, *currencies_of.get(customer, ())]):
            mine = items_by.get((customer, currency), [])
            moves = moves_by.get((customer, currency), [])
            closing = sum(int(row[_OPEN]) for row in mine if not pd.isna(row[_OPEN]))
            if closing < min_balance and not moves:
                continue
            out.append(
                _statement(customer, currency, mine, moves, closing, period_start, as_of, aging_labels)
            )
    return out


_ITEM_FIELDS = (
    "InvoiceNo",
    "Kind",
    "InvoiceDate",
    "DueDate",
    "Amount",
    "OpenAmount",
    "DaysOverdue",
    "Bucket",
)
_OPEN = _ITEM_FIELDS.index("OpenAmount")
_MOVE_FIELDS = ("Date", "Kind", "Document", "Description", "Amount")


def _rows_by(frame: pd.DataFrame, fields: Sequence[str]) -> dict[tuple[str, str], list[tuple[Any, ...]]]:
    """The `fields` of each row, as plain values, per (CustomerID, Currency), in the frame's order."""
    out: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    columns = [frame[name].tolist() for name in ("CustomerID", "Currency", *fields)]
    for customer, currency, *values in zip(*columns, strict=True):
        out.setdefault((customer, currency), []).append(tuple(values))
    return out


def _statement(
    customer: str,
    currency: str,
    mine: list[tuple[Any, ...]],
    moves: list[tuple[Any, ...]],
    closing: int,
    period_start: dt.date,
    as_of: dt.date,
    labels: Sequence[str],
) -> StatementData:
    """The statement of one customer and currency from its open items (`_ITEM_FIELDS`, by due
    date) and its moves in the period (`_MOVE_FIELDS`, by date)."""
    balance = opening = closing - sum(int(m[-1]) for m in moves)
    lines = []
    for date, kind, document, description, amount in moves:
        balance += int(amount)
        lines.append(ActivityLine(date.date(), kind, document, description, int(amount), balance))
    open_lines = []
    totals = dict.fromkeys(labels, 0)
    for number, kind, invoice_date, due_date, amount, open_cents, days, bucket in mine:
        totals[bucket] += int(open_cents)
        open_lines.append(
            OpenLine(
                number,
                kind,
                _date(invoice_date),
                _date(due_date),
                int(amount),
                int(open_cents),
                max(int(days), 0),
            )
        )
    return StatementData(
        customer,
        currency,
        period_start,
        as_of,
        opening,
        closing,
        lines,
        open_lines,
        list(totals.items()),
    )


_ACTIVITY_COLUMNS = ["CustomerID", "Currency", "Date", "Order", "Kind", "Document", "Description", "Amount"]


def _activity(
    invoices: pd.DataFrame,
    allocations: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    customers: pd.DataFrame,
    base: str,
) -> pd.DataFrame:
    """Invoices, credit notes, payments and adjustments dated in [start, end], as signed balance moves."""
    inv = with_currency(invoices, customers, base)
    in_period = inv[(inv["InvoiceDate"] >= start) & (inv["InvoiceDate"] <= end)]
    amount = in_period["Amount"].fillna(0).astype("int64")
    billed = pd.DataFrame(
        {
            "CustomerID": in_period["CustomerID"],
            "Currency": in_period["Currency"],
            "Date": in_period["InvoiceDate"],
            "Order": 0,
            "Kind": ["credit_note" if a < 0 else "invoice" for a in amount],
            "Document": in_period["InvoiceNo"],
            "Description": in_period.get("Reference", ""),
            "Amount": amount,
        }
    )
    paid = _settlements(inv, allocations, start, end, customers, base)
    parts = [p for p in (billed, paid) if len(p)]
    if not parts:
        return pd.DataFrame({c: [] for c in _ACTIVITY_COLUMNS}).astype({"Amount": "int64"})
    return pd.concat(parts, ignore_index=True)


def _settlements(
    inv: pd.DataFrame,
    allocations: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    customers: pd.DataFrame,
    base: str,
) -> pd.DataFrame:
    if allocations.empty:
        return pd.DataFrame(columns=_ACTIVITY_COLUMNS)
    alloc = allocations.copy()
    dated = alloc["PaymentDate"].astype("datetime64[ns]")
    alloc["Date"] = dated
    alloc = alloc[(dated >= start) & (dated <= end)]
    owner = inv.drop_duplicates("InvoiceNo").set_index("InvoiceNo")
    customer = alloc["CustomerID"].fillna("")
    alloc["CustomerID"] = customer.where(customer != "", alloc["InvoiceNo"].map(owner["CustomerID"]))
    alloc["Currency"] = alloc["InvoiceNo"].map(owner["Currency"])  # unapplied cash has no invoice:
    alloc = with_currency(alloc, customers, base)  # its customer's currency, else the base
    alloc["Group"] = alloc["Kind"].where(~alloc["Kind"].isin(_SUMMED_AS_PAYMENT), "payment")
    alloc["LineID"] = alloc["LineID"].fillna("") if "LineID" in alloc else ""
    alloc["Amount"] = alloc["Amount"].fillna(0).astype("int64")
    alloc = alloc[alloc["CustomerID"].notna()]
    alloc["Group"] = alloc["Group"].astype(object).where(alloc["Group"].notna(), None)
    # One pass over the rows (a pandas group per payment cost seconds at 50,000 invoices):
    # per customer, currency, day, bank line and kind, the total and the invoices it settled.
    moves: dict[tuple[Any, ...], tuple[list[int], dict[str, None]]] = {}
    columns = ["CustomerID", "Currency", "Date", "LineID", "Group", "Amount", "InvoiceNo"]
    for *key, amount, number in zip(*(alloc[c].tolist() for c in columns), strict=True):
        total, numbers = moves.setdefault(tuple(key), ([0], {}))
        total[0] += amount
        if number:
            numbers[number] = None
    rows = [
        {
            "CustomerID": cid,
            "Currency": cur,
            "Date": date,
            "Order": 1 if group == "payment" else 2,
            "Kind": _ADJUSTMENT_KIND.get(group, "payment"),
            "Document": "",
            "Description": ", ".join(numbers),
            "Amount": -total[0],
        }
        for (cid, cur, date, _line, group), (total, numbers) in moves.items()
        if total[0] != 0
    ]
    return pd.DataFrame(rows, columns=_ACTIVITY_COLUMNS)
