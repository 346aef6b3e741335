"""The receipts report (收款报表): money received from each customer, month by month.

One row per customer, currency and month in which money was received:

    Received      the bank money that came in for the customer (the payments it made and the
                  cash left unapplied on it), dated by the bank line
    Applied       the part of it applied to invoices, as the books stand now
    Unapplied     the part still on account (cash applied later by hand moves from Unapplied
                  to Applied of the month it was received, so Received stays what came in)
    Receipts      how many bank lines brought it
    AvgDaysToPay  days from an invoice's date to its payment, weighted by the amount paid
                  (empty when none of the month's money went to an invoice)

Money is the bank line's, in the line's currency (LineAmount and LineCurrency where a payment
crossed currencies, else Amount in its Currency): a customer paying in two currencies has a
row for each, and nothing adds two currencies. Credit notes netted against invoices, fees,
discounts, write-offs and exchange differences are no money received and are left out; a
reversed posting counts as never made (`cancelled_out`).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .ledger import _payment_dates, cancelled_out, with_columns, with_currency

__all__ = ["RECEIPT_COLUMNS", "receipts"]

RECEIPT_COLUMNS = [
    "CustomerID",
    "Name",
    "Currency",
    "Period",
    "Received",
    "Applied",
    "Unapplied",
    "Receipts",
    "AvgDaysToPay",
]
_CASH_KINDS = ("payment", "unapplied")


def receipts(
    invoices: pd.DataFrame,
    allocations: pd.DataFrame,
    customers: pd.DataFrame,
    *,
    start: date | None,
    end: date,
    base: str,
) -> pd.DataFrame:
    """RECEIPT_COLUMNS rows of the money received from `start` (None: the first receipt) to
    `end`, both included, by customer, currency and month (Period "2026-10"), in that order.
    Amounts are Int64 minor units; AvgDaysToPay is a float rounded to one decimal."""
    log = with_currency(with_columns(allocations, "Allocations"), customers, base)
    log = log.assign(PaymentDate=_payment_dates(log))
    items = with_columns(invoices, "Invoices")
    numbers = set(items["InvoiceNo"].astype(str))
    line = log["LineID"].fillna("").astype(str)
    dated = log["PaymentDate"]
    cash = (
        log["Kind"].isin(_CASH_KINDS)
        & (line != "")
        & ~line.isin(numbers)  # a credit note's own netting rows
        & (dated <= pd.Timestamp(end))
        & (True if start is None else dated >= pd.Timestamp(start))
    )
    rows = cancelled_out(log[cash])
    if rows.empty:
        return _typed(pd.DataFrame(columns=RECEIPT_COLUMNS))
    crossed = rows["LineAmount"].notna() if "LineAmount" in rows else pd.Series(False, index=rows.index)
    money = rows["LineAmount"].where(crossed, rows["Amount"]).fillna(0).astype("int64")
    given = rows["LineCurrency"].fillna("").astype(str) if "LineCurrency" in rows else ""
    currency = pd.Series(given, index=rows.index).where(crossed & (given != ""), rows["Currency"])
    invoice_day = pd.Series(
        pd.to_datetime(items["InvoiceDate"]).to_numpy(), index=items["InvoiceNo"].astype(str)
    )
    invoice_day = invoice_day[~invoice_day.index.duplicated()]
    paid = (rows["Kind"] == "payment") & (money > 0)
    days = (rows["PaymentDate"] - rows["InvoiceNo"].astype(str).map(invoice_day)).dt.days
    weight = money.where(paid & days.notna(), 0)
    frame = pd.DataFrame(
        {
            "CustomerID": rows["CustomerID"].fillna("").astype(str),
            "Currency": currency.astype(str),
            "Period": rows["PaymentDate"].dt.strftime("%Y-%m"),
            "Applied": money.where(rows["Kind"] == "payment", 0),
            "Unapplied": money.where(rows["Kind"] == "unapplied", 0),
            "LineID": rows["LineID"].astype(str),
            "weight": weight,
            "weighted_days": weight * days.fillna(0),
        }
    )
    out = (
        frame.groupby(["CustomerID", "Currency", "Period"], sort=True)
        .agg(
            Applied=("Applied", "sum"),
            Unapplied=("Unapplied", "sum"),
            Receipts=("LineID", "nunique"),
            weight=("weight", "sum"),
            weighted_days=("weighted_days", "sum"),
        )
        .reset_index()
    )
    out["Received"] = out["Applied"] + out["Unapplied"]
    out["AvgDaysToPay"] = np.round(out["weighted_days"] / out["weight"].where(out["weight"] > 0), 1)
    names = dict(
        zip(customers["CustomerID"].astype(str), customers["Name"].fillna("").astype(str), strict=True)
    )
    out["Name"] = out["CustomerID"].map(names).fillna("")
    return _typed(out[out["Received"] != 0].reindex(columns=RECEIPT_COLUMNS).reset_index(drop=True))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("Received", "Applied", "Unapplied", "Receipts"):
        frame[column] = frame[column].astype("Int64")
    frame["AvgDaysToPay"] = frame["AvgDaysToPay"].astype(float)
    return frame
