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
    items_by = dict(iter(items.groupby(["CustomerID", "Currency"], sort=False)))
    activity_by = dict(iter(activity.groupby(["CustomerID", "Currency"], sort=False)))
    out: list[StatementData] = []
    for customer in own_currency:
        currencies = dict.fromkeys(
            [own_currency[customer]] + [cur for (cid, cur) in (*items_by, *activity_by) if cid == customer]
        )
        for currency in currencies:
            mine = items_by.get((customer, currency), items.iloc[:0])
            moves = activity_by.get((customer, currency), activity.iloc[:0])
            closing = int(mine["OpenAmount"].fillna(0).sum())
            if closing < min_balance and moves.empty:
                continue
            out.append(
                _statement(customer, currency, mine, moves, closing, period_start, as_of, aging_labels)
            )
    return out


def _statement(
    customer: str,
    currency: str,
    mine: pd.DataFrame,
    moves: pd.DataFrame,
    closing: int,
    period_start: dt.date,
    as_of: dt.date,
    labels: Sequence[str],
) -> StatementData:
    opening = closing - int(moves["Amount"].sum()) if len(moves) else closing
    balance = opening
    lines = []
    for m in moves.sort_values(["Date", "Order", "Document"], kind="stable").itertuples():
        balance += int(m.Amount)
        lines.append(ActivityLine(m.Date.date(), m.Kind, m.Document, m.Description, int(m.Amount), balance))
    open_lines = []
    totals = dict.fromkeys(labels, 0)
    for it in mine.sort_values(["DueDate", "InvoiceNo"], kind="stable", na_position="first").itertuples():
        days = int(it.DaysOverdue)
        open_cents = int(it.OpenAmount)
        totals[it.Bucket] += open_cents
        open_lines.append(
            OpenLine(
                it.InvoiceNo,
                it.Kind,
                _date(it.InvoiceDate),
                _date(it.DueDate),
                int(it.Amount),
                open_cents,
                max(days, 0),
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
    rows = []
    keys = ["CustomerID", "Currency", "Date", "LineID", "Group"]
    for (cid, cur, date, _line, group), g in alloc.groupby(keys, sort=False, dropna=False):
        total = int(g["Amount"].sum())
        if total == 0 or pd.isna(cid):
            continue
        numbers = ", ".join(dict.fromkeys(n for n in g["InvoiceNo"] if n))
        rows.append(
            {
                "CustomerID": cid,
                "Currency": cur,
                "Date": date,
                "Order": 1 if group == "payment" else 2,
                "Kind": _ADJUSTMENT_KIND.get(group, "payment"),
                "Document": "",
                "Description": numbers,
                "Amount": -total,
            }
        )
    return pd.DataFrame(rows, columns=_ACTIVITY_COLUMNS)
