"""What a clerk decides on credit, and the limits decided, kept on record: orders over the credit
(the order approval of 简道云's 订单审批) and changes of a customer's CreditLimit.

Both run in `arbook credit` (so in the month-end and the Dashboard's "Recompute credit"), after
the Credit table:

- Orders. An open order that does not fit in what is left of its customer's CreditLimit (the open
  AR and the older open orders come first: `receivables.orders_over_credit`) is marked
  CreditCheck `approval needed`, with OverBy and the figures in CreditReason. The clerk writes Y
  or N (or any yes/no word) in Approve; the next run records the decision: CreditCheck `approved`
  or `refused`, DecidedBy (who ran arbook, as in Audit) and DecidedAt, and the run's Audit row
  names the orders. A changed Approve is recorded again; a cleared one withdraws the decision and
  asks again. An order that fits is `OK`; one not counted in the exposure (invoiced, cancelled,
  dated later) is not checked, and a decision recorded for it stays.
- CreditLimitLog. Each run compares every customer's CreditLimit (and Currency) with the last
  value logged for them and appends a row for each difference: when it was found, the old and
  the new value. A customer logged for the first time gets a row with no old value. Rows are
  only ever appended. A limit changed twice between two runs shows as one change.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from common.currency import format_money, row_currencies
from receivables import Ledger, live_orders, orders_over_credit
from workbook.book import Book, who

from .operation import Summary

__all__ = ["log_limit_changes", "review_orders"]

_DECIDED = {"Y": "approved", "N": "refused"}
_SHOWN = 20  # orders named one by one in the notes


def review_orders(book: Book, credit: pd.DataFrame, ledger: Ledger, summary: Summary) -> None:
    """Stage the Orders table's CreditCheck, OverBy, CreditReason, DecidedBy and DecidedAt (module doc)."""
    orders = book.read("Orders")
    if orders.empty:
        return
    checks = orders_over_credit(orders, credit, ledger.customers, as_of=ledger.as_of, rates=ledger.rates)
    live = live_orders(orders, ledger.as_of)
    user, now = who(), pd.Timestamp(dt.datetime.now().replace(microsecond=0))
    rows, needed, decided = [], [], {"approved": [], "refused": []}
    for label, order in orders.iterrows():
        was, by, at = str(order["CreditCheck"]), str(order["DecidedBy"]), order["DecidedAt"]
        over = int(checks.at[label, "Over"])
        if not live[label]:
            check = was if was in _DECIDED.values() else ""
        elif over == 0:
            check = "OK"
        else:
            check = _DECIDED.get(str(order["Approve"]), "approval needed")
            if check in _DECIDED.values() and (check != was or not by):
                by, at = user, now
                decided[check].append(str(order["OrderNo"]))
            elif check == "approval needed":
                by, at = "", pd.NaT
                needed.append(
                    f"order {order['OrderNo']} ({order['CustomerID']}): {checks.at[label, 'Reason']}"
                )
        rows.append(
            {
                "OrderNo": order["OrderNo"],
                "CreditCheck": check,
                "OverBy": over if live[label] and over else pd.NA,
                "CreditReason": checks.at[label, "Reason"] if live[label] else "",
                "DecidedBy": by,
                "DecidedAt": at,
            }
        )
    frame = pd.DataFrame(rows, index=orders.index)
    frame["OverBy"] = frame["OverBy"].astype("Int64")
    frame["DecidedAt"] = pd.to_datetime(frame["DecidedAt"]).astype("datetime64[ns]")
    book.write_columns("Orders", "OrderNo", frame)
    summary.figures["orders needing approval"] = len(needed)
    for check, numbers in decided.items():
        if numbers:
            summary.figures[f"orders {check}"] = ", ".join(numbers)
    summary.notes += [f"needs approval: {line}" for line in needed[:_SHOWN]]
    if len(needed) > _SHOWN:
        summary.notes.append(
            f"needs approval: {len(needed) - _SHOWN} more orders (Orders column CreditCheck)"
        )
    if needed:
        summary.notes.append(
            "write Y or N in the Orders column Approve of each (add the column if the table lacks it) "
            "and run arbook credit again: the decision is recorded with your name and the time"
        )


def log_limit_changes(book: Book, ledger: Ledger, summary: Summary) -> None:
    """Append a CreditLimitLog row for every customer whose CreditLimit or Currency differs from
    the last one logged (module doc)."""
    log = book.read("CreditLimitLog")
    last = log.drop_duplicates("CustomerID", keep="last").set_index("CustomerID")
    now = pd.Timestamp(dt.datetime.now().replace(microsecond=0))
    rows = []
    customers = ledger.customers.drop_duplicates("CustomerID")
    codes = row_currencies(customers, ledger.rates.base)
    for customer, currency in zip(customers.itertuples(index=False), codes, strict=True):
        cid, limit = str(customer.CustomerID), customer.CreditLimit
        if cid not in last.index:
            if pd.isna(limit):
                continue
            old, old_currency, note = pd.NA, currency, "first logged"
        else:
            old, old_currency = last.at[cid, "NewLimit"], str(last.at[cid, "Currency"])
            if old_currency == currency and _same(old, limit):
                continue
            note = (
                ""
                if old_currency == currency
                else f"currency was {old_currency}: old limit {_money(old, old_currency)}"
            )
        rows.append(
            {
                "At": now,
                "CustomerID": cid,
                "Currency": currency,
                "OldLimit": old if old_currency == currency else pd.NA,
                "NewLimit": limit,
                "Note": note,
            }
        )
    if not rows:
        return
    frame = pd.DataFrame(rows)
    for column in ("OldLimit", "NewLimit"):
        frame[column] = frame[column].astype("Int64")
    book.append("CreditLimitLog", frame)
    changed = int((frame["Note"] != "first logged").sum())
    if changed:
        summary.figures["credit limit changes logged"] = changed
        summary.notes += [
            f"credit limit of {r.CustomerID}: {_money(r.OldLimit, r.Currency)} -> {_money(r.NewLimit, r.Currency)}"
            for r in frame[frame["Note"] != "first logged"].itertuples()
        ][:_SHOWN]
    if changed < len(frame):
        summary.figures["credit limits first logged"] = len(frame) - changed


def _same(old: object, new: object) -> bool:
    if pd.isna(old) or pd.isna(new):
        return bool(pd.isna(old) and pd.isna(new))
    return int(old) == int(new)  # type: ignore[call-overload]


def _money(minor: object, currency: str) -> str:
    return "none" if pd.isna(minor) else format_money(int(minor), currency)  # type: ignore[call-overload]
